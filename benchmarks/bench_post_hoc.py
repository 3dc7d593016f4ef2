"""Post-hoc decision rules against scikit-learn's, on binary and long-tailed data.

Binary (the KEEL collection, ``ltlearn.datasets.load_keel``): the same
logistic regression (imputer, scaler) inside ``PluginClassifier``, inside
scikit-learn's ``TunedThresholdClassifierCV`` and trained with
``class_weight="balanced"``; stratified 3-fold CV per data set; mean balanced
accuracy, mean G-mean, mean rank on balanced accuracy and total fit time.

Multiclass (digits-LT at imbalance 50 and the synthetic 100-class long tail):
each post-hoc estimator around the plain logistic regression, against it, on
the balanced test split.

Run ``nice -n 10 python benchmarks/bench_post_hoc.py`` (about 6 minutes of CPU,
single-threaded) or add ``--quick`` for a smoke run (about a minute).
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings

import numpy as np
from _common import print_table
from imblearn.metrics import geometric_mean_score
from scipy.stats import rankdata
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)

try:  # the KEEL collection; synthetic binary sets stand in where it is absent
    from ltlearn.datasets import list_keel, load_keel
except ImportError:  # pragma: no cover
    list_keel = load_keel = None


def _logistic(**kwargs):
    return make_pipeline(
        SimpleImputer(),
        StandardScaler(),
        LogisticRegression(max_iter=1000, **kwargs),
    )


BINARY = {
    "balanced LR": lambda: _logistic(class_weight="balanced"),
    "TunedThresholdCV": lambda: TunedThresholdClassifierCV(
        _logistic(), scoring="balanced_accuracy"
    ),
    "PluginClassifier": lambda: PluginClassifier(_logistic()),
}

MULTICLASS = {
    "plain LR": lambda: _logistic(),
    "balanced LR": lambda: _logistic(class_weight="balanced"),
    "ThresholdMoving": lambda: ThresholdMovingClassifier(_logistic()),
    "LogitAdjusted tau=1": lambda: LogitAdjustedClassifier(_logistic()),
    "LogitAdjusted auto": lambda: LogitAdjustedClassifier(_logistic(), tau="auto"),
    "Plugin": lambda: PluginClassifier(_logistic()),
    "Plugin refine=always": lambda: PluginClassifier(_logistic(), refine="always"),
}


def time_fit(estimator, X, y):
    """Fit ``estimator``; return it and the wall time in seconds."""
    start = time.perf_counter()
    estimator.fit(X, y)
    return estimator, time.perf_counter() - start


def _binary_sets(quick):
    if list_keel is None:
        from sklearn.datasets import make_classification

        for i, weight in enumerate([0.7, 0.8, 0.9, 0.95, 0.98][: 3 if quick else 5]):
            X, y = make_classification(
                n_samples=600, weights=[weight], flip_y=0.02, random_state=i
            )
            yield f"synthetic-{weight}", X, y
        return
    names = list_keel()
    if quick:  # a spread of small sets
        names = names[::10]
    for name in names:
        X, y = load_keel(name, return_X_y=True)
        if quick and X.shape[0] > 1500:
            continue
        yield name, X, y


def bench_binary(quick):
    n_splits = 3
    scores = {name: [] for name in BINARY}
    gmeans = {name: [] for name in BINARY}
    fit_time = dict.fromkeys(BINARY, 0.0)
    n_sets = 0
    for set_name, X, y in _binary_sets(quick):
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=0)
        fold_scores = {name: [] for name in BINARY}
        fold_gmeans = {name: [] for name in BINARY}
        for train, test in cv.split(X, y):
            for name, make in BINARY.items():
                est, seconds = time_fit(make(), X[train], y[train])
                fit_time[name] += seconds
                y_pred = est.predict(X[test])
                fold_scores[name].append(balanced_accuracy_score(y[test], y_pred))
                fold_gmeans[name].append(geometric_mean_score(y[test], y_pred))
        for name in BINARY:
            scores[name].append(np.mean(fold_scores[name]))
            gmeans[name].append(np.mean(fold_gmeans[name]))
        n_sets += 1
    names = list(BINARY)
    table = np.array([scores[name] for name in names])  # (estimators, sets)
    ranks = np.apply_along_axis(rankdata, 0, -table)  # 1 = best per set
    plugin = names.index("PluginClassifier")
    rows = []
    for i, name in enumerate(names):
        rows.append(
            {
                "estimator": name,
                "mean BA": float(np.mean(scores[name])),
                "mean G-mean": float(np.mean(gmeans[name])),
                "mean rank": float(ranks[i].mean()),
                "BA wins vs plug-in": "-"
                if i == plugin
                else f"{int(np.sum(table[plugin] > table[i]))}/"
                f"{int(np.sum(table[plugin] < table[i]))}",
                "fit s": fit_time[name],
                "fit time / plug-in": fit_time[name] / fit_time["PluginClassifier"],
            }
        )
    source = "KEEL" if list_keel is not None else "synthetic"
    print(f"\n## Binary: {n_sets} {source} data sets, stratified {n_splits}-fold CV\n")
    print_table(
        rows,
        [
            "estimator",
            "mean BA",
            "mean G-mean",
            "mean rank",
            "BA wins vs plug-in",
            "fit s",
            "fit time / plug-in",
        ],
    )
    print(
        "\n`BA wins vs plug-in`: data sets where the plug-in is better / worse."
        "\nModel fits per training split: balanced LR 1, PluginClassifier 1 "
        "(closed-form threshold), TunedThresholdCV 6 (5-fold search + refit)."
    )


def bench_multiclass(quick, n_seeds):
    from ltlearn.datasets import load_digits_lt, make_long_tailed_classification

    problems = {
        "digits-LT (IF 50)": lambda seed: load_digits_lt(
            imbalance_ratio=50, random_state=seed, return_X_y=True
        ),
        "100-class long tail (IF 100)": lambda seed: make_long_tailed_classification(
            n_classes=20 if quick else 100, random_state=seed, return_X_y=True
        ),
    }
    for problem, load in problems.items():
        seeds = range(1 if quick else n_seeds if "digits" in problem else 3)
        results = {
            name: {"BA": [], "G": [], "F1": [], "s": [], "kept": []}
            for name in MULTICLASS
        }
        for seed in seeds:
            X_train, X_test, y_train, y_test = load(seed)
            for name, make in MULTICLASS.items():
                est, seconds = time_fit(make(), X_train, y_train)
                y_pred = est.predict(X_test)
                res = results[name]
                res["BA"].append(balanced_accuracy_score(y_test, y_pred))
                res["G"].append(geometric_mean_score(y_test, y_pred))
                res["F1"].append(f1_score(y_test, y_pred, average="macro"))
                res["s"].append(seconds)
                res["kept"].append(getattr(est, "refinement_", np.nan))
        plain = np.mean(results["plain LR"]["BA"])
        rows = [
            {
                "estimator": name,
                "BA": float(np.mean(res["BA"])),
                "BA - plain (points)": 100 * (float(np.mean(res["BA"])) - plain),
                "min BA gain": 100
                * float(np.min(np.subtract(res["BA"], results["plain LR"]["BA"]))),
                "G-mean": float(np.mean(res["G"])),
                "macro-F1": float(np.mean(res["F1"])),
                "fit s": float(np.mean(res["s"])),
                "refinement kept": "-"
                if np.isnan(res["kept"][0])
                else float(np.mean(res["kept"])),
            }
            for name, res in results.items()
        ]
        n_train = y_train.size
        print(
            f"\n## {problem}: {n_train} training rows, {np.unique(y_train).size} "
            f"classes, mean over {len(seeds)} seed(s)\n"
        )
        print_table(
            rows,
            [
                "estimator",
                "BA",
                "BA - plain (points)",
                "min BA gain",
                "G-mean",
                "macro-F1",
                "fit s",
                "refinement kept",
            ],
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument(
        "--seeds", type=int, default=5, help="seeds for digits-LT (default 5)"
    )
    parser.add_argument(
        "--part", choices=["binary", "multiclass", "all"], default="all"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # tiny classes: fold-size warnings
    with threadpool_limits(1):
        start, cpu = time.perf_counter(), time.process_time()
        if args.part in ("binary", "all"):
            bench_binary(args.quick)
        if args.part in ("multiclass", "all"):
            bench_multiclass(args.quick, args.seeds)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"\nTotal {wall:.0f} s wall, {cpu:.0f} s CPU (one thread)")


if __name__ == "__main__":
    main()
