"""Post-hoc decision rules against scikit-learn's, on binary and long-tailed data.

Binary (the KEEL collection, ``ltlearn.datasets.load_keel``): the same
logistic regression (imputer, scaler) inside ``PluginClassifier``, inside
scikit-learn's ``TunedThresholdClassifierCV`` and trained with
``class_weight="balanced"``; stratified 3-fold CV per data set; mean balanced
accuracy, mean G-mean, mean rank on balanced accuracy and total fit time.

Multiclass (digits-LT at imbalance 50 and the synthetic 100-class long tail):
each post-hoc estimator around the plain logistic regression, against it, on
the balanced test split.

Threshold search (``--part search``, not part of ``all``): for the metrics
whose binary rule ``PluginClassifier`` searches on out-of-fold probabilities
(G-mean, F1, macro-F1), its exact search against ``TunedThresholdClassifierCV``
(the same 5 stratified folds, a grid of 100 thresholds) on the KEEL sets of
at most 1,500 rows: the metric and the balanced accuracy on held-out folds,
wins and fit time.

Number of classes (``--part classes``, not part of ``all``): the fit time of
``PluginClassifier`` (``refine="always"``, two sweeps of its coordinate
search over 2-fold out-of-fold probabilities) around ``GaussianNB``, on
10,000 rows of 20 features in 10, 100 and 1,000 classes of Zipf-like sizes,
against the fit of the ``GaussianNB`` itself (the median of 3): ``ratio`` is
the plug-in fit over the plain one. A search whose sweep grows as
``n_classes ** 2`` shows here (seconds; ``--quick``: 2,000 rows, 10 and 100
classes).

Run ``nice -n 10 python benchmarks/bench_post_hoc.py`` (about 6 minutes of CPU,
single-threaded) or add ``--quick`` for a smoke run (about a minute);
``--part search`` takes about 15 minutes (``--quick``: a minute; ``--sets N``
keeps N evenly spaced data sets), ``--part classes`` about 10 seconds
(``--quick``: one).

Prediction (``--part predict``, not part of ``all``): ``predict_proba`` and
``predict`` of each post-hoc rule around a fitted logistic regression (a
``FrozenEstimator``) on 100,000 rows of 1,000 Zipf-like classes (``--quick``:
10,000 rows, 100 classes), time and peak traced memory against the logistic
regression's own ``predict_proba``: ``ratio`` is the rule's time over it
(about a minute).
The cost matrix of ``decision="expected_cost"`` is random, off the diagonal.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings

import numpy as np
from _common import best_of, peak_mib, positive_int, print_table
from imblearn.metrics import geometric_mean_score
from scipy.stats import rankdata
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ltlearn.metrics import geometric_mean_scorer
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


def _cross_validate(sets, makers, metrics, n_splits):
    """Mean held-out ``metrics`` of each estimator per data set, and fit times.

    Returns ``{estimator: {metric: [one mean per set]}}``, the total fit time
    of each estimator and the number of sets.
    """
    scores = {name: {metric: [] for metric in metrics} for name in makers}
    fit_time = dict.fromkeys(makers, 0.0)
    n_sets = 0
    for _, X, y in sets:
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=0)
        folds = {name: {metric: [] for metric in metrics} for name in makers}
        for train, test in cv.split(X, y):
            for name, make in makers.items():
                est, seconds = time_fit(make(), X[train], y[train])
                fit_time[name] += seconds
                y_pred = est.predict(X[test])
                for metric, score in metrics.items():
                    folds[name][metric].append(score(y[test], y_pred))
        for name in makers:
            for metric in metrics:
                scores[name][metric].append(np.mean(folds[name][metric]))
        n_sets += 1
    return scores, fit_time, n_sets


def bench_binary(quick):
    n_splits = 3
    metrics = {"BA": balanced_accuracy_score, "G": geometric_mean_score}
    results, fit_time, n_sets = _cross_validate(
        _binary_sets(quick), BINARY, metrics, n_splits
    )
    scores = {name: results[name]["BA"] for name in BINARY}
    gmeans = {name: results[name]["G"] for name in BINARY}
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


def _macro_f1(y_true, y_pred):
    return f1_score(y_true, y_pred, average="macro")


# scoring -> (metric, scikit-learn scorer for TunedThresholdClassifierCV)
SEARCHED = {
    "geometric_mean": (geometric_mean_score, geometric_mean_scorer),
    "f1": (f1_score, "f1"),
    "f1_macro": (_macro_f1, "f1_macro"),
}


def bench_search(quick, n_sets=None):
    """Exact search on pooled out-of-fold probabilities against sklearn's grid."""
    n_splits = 3
    sets = [(name, X, y) for name, X, y in _binary_sets(quick) if X.shape[0] <= 1500]
    if n_sets is not None and n_sets < len(sets):  # evenly spaced among them
        keep = np.linspace(0, len(sets) - 1, n_sets).round().astype(int)
        sets = [sets[i] for i in keep]
    rows = []
    for scoring, (metric, scorer) in SEARCHED.items():
        makers = {
            "PluginClassifier": lambda: PluginClassifier(_logistic(), scoring=scoring),
            "TunedThresholdCV": lambda: TunedThresholdClassifierCV(
                _logistic(), scoring=scorer
            ),
        }
        metrics = {"score": metric, "BA": balanced_accuracy_score}
        results, fit_time, _ = _cross_validate(sets, makers, metrics, n_splits)
        score = {name: results[name]["score"] for name in makers}
        ba = {name: results[name]["BA"] for name in makers}
        plugin = np.array(score["PluginClassifier"])
        tuned = np.array(score["TunedThresholdCV"])
        diff = plugin - tuned
        for name in makers:
            rows.append(
                {
                    "scoring": scoring,
                    "estimator": name,
                    "mean score": float(np.mean(score[name])),
                    "mean BA": float(np.mean(ba[name])),
                    "score wins / losses of exact": "-"
                    if name == "TunedThresholdCV"
                    else f"{int(np.sum(diff > 1e-12))}/{int(np.sum(diff < -1e-12))}",
                    "exact - grid (points)": "-"
                    if name == "TunedThresholdCV"
                    else 100 * float(np.mean(diff)),
                    "+- 2 s.e.": "-"
                    if name == "TunedThresholdCV" or diff.size < 2
                    else 200 * float(np.std(diff, ddof=1) / np.sqrt(diff.size)),
                    "fit s": fit_time[name],
                }
            )
    print(
        f"\n## Binary threshold search: {len(sets)} KEEL data sets of at most "
        f"1,500 rows, stratified {n_splits}-fold CV\n"
    )
    print_table(
        rows,
        [
            "scoring",
            "estimator",
            "mean score",
            "mean BA",
            "score wins / losses of exact",
            "exact - grid (points)",
            "+- 2 s.e.",
            "fit s",
        ],
    )
    print(
        "\n`mean score`: the held-out `scoring` the rule was searched for. Both "
        "rules use the same 5 stratified folds (5 fits + refit); PluginClassifier "
        "searches every distinct threshold of the pooled out-of-fold "
        "probabilities (F1: half the best F1), TunedThresholdCV averages the "
        "folds' scores on a grid of 100 thresholds."
    )


def bench_multiclass(quick, n_seeds):
    """Each post-hoc rule against the plain model; ``n_seeds`` draws of digits-LT."""
    from ltlearn.datasets import load_digits_lt, make_long_tailed_classification

    n_classes = 20 if quick else 100
    problems = {
        "digits-LT (IF 50)": (
            lambda seed: load_digits_lt(
                imbalance_ratio=50, random_state=seed, return_X_y=True
            ),
            n_seeds,
        ),
        f"{n_classes}-class long tail (IF 100)": (
            lambda seed: make_long_tailed_classification(
                n_classes=n_classes, random_state=seed, return_X_y=True
            ),
            1 if quick else 3,
        ),
    }
    for problem, (load, n_draws) in problems.items():
        seeds = range(n_draws)
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
                "min BA gain (points)": 100
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
                "min BA gain (points)",
                "G-mean",
                "macro-F1",
                "fit s",
                "refinement kept",
            ],
        )


def _zipf_classes(n_samples, n_classes, seed=0):
    """Gaussian classes of Zipf-like sizes, each of at least 6 rows."""
    rng = np.random.default_rng(seed)
    prior = 1.0 / np.arange(1, n_classes + 1) ** 1.1
    y = rng.choice(n_classes, size=n_samples, p=prior / prior.sum())
    y[: 6 * n_classes] = np.tile(np.arange(n_classes), 6)
    X = 0.7 * rng.normal(size=(n_classes, 20))[y] + rng.normal(size=(n_samples, 20))
    return X, y


def bench_classes(quick):
    """PluginClassifier's fit against its estimator's, as the classes grow."""
    n_samples = 2_000 if quick else 10_000
    rows = []
    for n_classes in (10, 100) if quick else (10, 100, 1000):
        X, y = _zipf_classes(n_samples, n_classes)
        plain = best_of(lambda: GaussianNB().fit(X, y))  # milliseconds
        plugin = PluginClassifier(GaussianNB(), cv=2, refine="always", max_iter=2)
        start = time.perf_counter()
        plugin.fit(X, y)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "classes": n_classes,
                "rows": n_samples,
                "GaussianNB fit s": plain,
                "PluginClassifier fit s": seconds,
                "ratio": seconds / plain,
                "sweeps": plugin.n_iter_,
            }
        )
    print("\n## Number of classes: PluginClassifier(GaussianNB()) against GaussianNB\n")
    print_table(rows, list(rows[0]))


def bench_predict(quick):
    """Prediction of the post-hoc rules against their estimator's, many classes."""
    n_samples, n_classes = (10_000, 100) if quick else (100_000, 1000)
    X, y = _zipf_classes(n_samples, n_classes)
    # A few iterations on 20,000 rows: the fit is not what is timed here.
    fitted = LogisticRegression(max_iter=20).fit(X[:20_000], y[:20_000])
    inner = FrozenEstimator(fitted)
    inner.predict_proba(X[:1000])  # warm up
    costs = np.random.default_rng(0).uniform(0.5, 2.0, (n_classes, n_classes))
    np.fill_diagonal(costs, 0.0)
    rules = {
        "LogisticRegression": inner,
        "LogitAdjustedClassifier": LogitAdjustedClassifier(inner, tau=1.0),
        "ThresholdMovingClassifier": ThresholdMovingClassifier(inner),
        "ThresholdMoving expected_cost": ThresholdMovingClassifier(
            inner, cost_matrix=costs, decision="expected_cost"
        ),
    }
    rows = []
    for name, model in rules.items():
        model.fit(X, y)
        for method in ("predict_proba", "predict"):
            start = time.perf_counter()
            _, peak = peak_mib(lambda: getattr(model, method)(X))
            rows.append(
                {
                    "model": name,
                    "method": method,
                    "s": time.perf_counter() - start,
                    "peak MiB": peak,
                }
            )
    for row in rows:
        row["ratio"] = row["s"] / rows[0]["s"]  # its predict_proba
    print(
        f"\n## Prediction on {n_samples} rows, {n_classes} classes, against "
        "LogisticRegression's predict_proba\n"
    )
    print_table(rows, list(rows[0]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument(
        "--seeds",
        type=positive_int,
        help="seeds for digits-LT (default 5, 1 with --quick)",
    )
    parser.add_argument(
        "--part",
        choices=["binary", "multiclass", "search", "classes", "predict", "all"],
        default="all",
    )
    parser.add_argument(
        "--sets",
        type=positive_int,
        default=None,
        help="--part search: this many evenly spaced data sets (default all)",
    )
    args = parser.parse_args(argv)
    if args.sets is not None and args.part != "search":
        parser.error("argument --sets: only with --part search")
    if args.seeds is not None and args.part not in ("multiclass", "all"):
        parser.error("argument --seeds: only with --part multiclass or all")
    warnings.filterwarnings("ignore")  # tiny classes: fold-size warnings
    with threadpool_limits(1):
        start, cpu = time.perf_counter(), time.process_time()
        if args.part in ("binary", "all"):
            bench_binary(args.quick)
        if args.part in ("multiclass", "all"):
            bench_multiclass(args.quick, args.seeds or (1 if args.quick else 5))
        if args.part == "search":
            bench_search(args.quick, args.sets)
        if args.part == "classes":
            bench_classes(args.quick)
        if args.part == "predict":
            bench_predict(args.quick)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"\nTotal {wall:.0f} s wall, {cpu:.0f} s CPU (one thread)")


if __name__ == "__main__":
    main()
