"""COG and COG-OS against linear and RBF SVM baselines on the KEEL collection.

5x2 stratified cross-validation (5 repeats of a 2-fold split) over the binary
KEEL data sets of ``ltlearn.datasets``, every method in a pipeline with a
median imputer and a standard scaler:

- ``COG`` and ``COG-OS``: :class:`ltlearn.decomposition.COGClassifier` with
  its default linear SVM (``LinearSVC`` per pair of sub-classes of different
  classes, combined by min-max), without and with ``oversample="replicate"``;
- ``COG-OS cv``: COG-OS with ``split_cv=2``: the split of phase I is kept
  only when 2-fold cross-validation on the training fold shows a gain in
  balanced accuracy of more than one standard error over the classes whole
  (the class-weighted linear SVM); with two folds, a gain on both halves;
- ``LinearSVC``, ``LinearSVC bal`` (``class_weight="balanced"``),
  ``SMOTE+LinearSVC`` (ltlearn's SMOTE when present, else imbalanced-learn's;
  ``k_neighbors`` lowered to the minority size minus one on tiny folds) and
  ``RBF SVC bal`` (``SVC(class_weight="balanced")``).

Printed: per method, mean balanced accuracy, mean minority-class F1, mean rank
by balanced accuracy (1 = best, ties averaged), mean fit time per fold and
that time as a ratio of the RBF SVM's, over all data sets and over those
above 2,000 rows; win / tie / loss counts of
COG-OS and COG-OS cv against each other method; then the long-tailed digits
(10 classes) with a balanced test set, where ``OvO LinearSVC bal`` (one
class-weighted linear SVM per pair of classes) shows how much of COG's gain
there comes from the pairwise strategy alone.

The default run covers 108 of the 110 KEEL sets: ``hiva`` (3,845 rows, 1,617
features) and ``sylva`` (13,086 rows, 216 features) are left out because
liblinear alone needs 2 to 60 seconds per fold on them, which does not fit the
10-minute budget of this script; ``--all`` adds them. The ``"auto"`` rules of
COGClassifier (sub-classes of at least 200 rows, the min-max combination,
class-balanced replication) were chosen on the 5x2 splits of seed 0 of this
same collection; the reported run uses other splits (seed 1). The decision
rule of ``split_cv`` (keep the split when its gain beats one standard error,
rather than any gain or a fixed margin) was compared on both seeds and is the
same on each; 2 folds were then compared with 3 on the fold scores of seed 0,
where they rank as well at about half the cost of the check. Run from the
repository root::

    nice -n 10 python benchmarks/bench_cog.py           # 108 KEEL sets, 5x2 CV
    nice -n 10 python benchmarks/bench_cog.py --quick   # a handful of sets
    nice -n 10 python benchmarks/bench_cog.py --sets hiva sylva --repeats 1
    nice -n 10 python benchmarks/bench_cog.py --predict-scale 20000

``--predict-scale N`` instead times ``predict`` and ``decision_function`` on
N rows of 50 features after a fit on 20,000 rows of 50 long-tailed classes
(thousands of pairs of sub-classes; COG with both strategies), with their
peak traced memory, against the class-weighted ``LinearSVC``.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import given_flags, peak_mib, positive_int, print_table  # noqa: E402
from imblearn.pipeline import make_pipeline  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.metrics import balanced_accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.multiclass import OneVsOneClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402

from ltlearn.decomposition import COGClassifier  # noqa: E402

try:
    from ltlearn.over_sampling import SMOTE

    SMOTE_SOURCE = "ltlearn"
except ImportError:  # ltlearn's SMOTE not built yet
    from imblearn.over_sampling import SMOTE

    SMOTE_SOURCE = "imblearn"

QUICK_SETS = [
    "ecoli1",
    "glass1",
    "pima",
    "vehicle0",
    "yeast3",
    "page-blocks0",
    "abalone19",
]
BIG = 2000  # rows: the "large data sets" group
SLOW_SETS = ["hiva", "sylva"]  # left out unless --all or named in --sets
SEED = 1  # CV splits; the "auto" rules were chosen on seed 0


def _linear_svc(**params):
    return LinearSVC(dual="auto", max_iter=2000, **params)


def _pipe(*steps):
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), *steps)


def _methods(n_minority):
    """Method name -> unfitted pipeline, for a training fold of that minority."""
    k = min(5, n_minority - 1)
    smote = SMOTE(k_neighbors=k, random_state=0) if k >= 1 else None
    methods = {
        "COG": _pipe(COGClassifier(random_state=0)),
        "COG-OS": _pipe(COGClassifier(oversample="replicate", random_state=0)),
        "COG-OS cv": _pipe(
            COGClassifier(oversample="replicate", split_cv=2, random_state=0)
        ),
        "LinearSVC": _pipe(_linear_svc()),
        "LinearSVC bal": _pipe(_linear_svc(class_weight="balanced")),
        "SMOTE+LinearSVC": _pipe(smote, _linear_svc()) if smote else None,
        "RBF SVC bal": _pipe(SVC(class_weight="balanced")),
    }
    return {name: pipe for name, pipe in methods.items() if pipe is not None}


METHODS = list(_methods(10))


def time_fit(pipe, X, y):
    """Fit ``pipe`` once; return it and the wall time in seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LinearSVC convergence on hard folds
        pipe.fit(X, y)
    return pipe, time.perf_counter() - start


def _evaluate(X, y, n_repeats, seed):
    """5x2 CV of every method: mean BA, minority F1 and fit time per fold."""
    cv = RepeatedStratifiedKFold(n_splits=2, n_repeats=n_repeats, random_state=seed)
    scores = {name: {"ba": [], "f1": [], "time": []} for name in METHODS}
    for train, test in cv.split(X, y):
        n_minority = int(np.count_nonzero(y[train] == 1))
        for name, pipe in _methods(n_minority).items():
            pipe, seconds = time_fit(pipe, X[train], y[train])
            y_pred = pipe.predict(X[test])
            scores[name]["ba"].append(balanced_accuracy_score(y[test], y_pred))
            scores[name]["f1"].append(
                f1_score(y[test], y_pred, pos_label=1, zero_division=0.0)
            )
            scores[name]["time"].append(seconds)
    return {
        name: {key: float(np.mean(v)) if v else np.nan for key, v in s.items()}
        for name, s in scores.items()
    }


def _synthetic_sets():
    """Stand-ins for KEEL while it is not available: (name, X, y)."""
    sets = []
    for i, (n, weight) in enumerate([(300, 0.9), (600, 0.95), (2500, 0.97)]):
        X, y = make_classification(
            n_samples=n,
            n_features=8,
            n_informative=5,
            n_clusters_per_class=3,
            weights=[weight],
            flip_y=0.01,
            random_state=i,
        )
        sets.append((f"synthetic{i}", X, y))
    return sets


def _keel_sets(names, include_slow=False):
    from ltlearn.datasets import list_keel, load_keel

    if not names:
        names = [n for n in list_keel() if include_slow or n not in SLOW_SETS]
    for name in dict.fromkeys(names):  # a set named twice runs once
        X, y = load_keel(name, return_X_y=True)
        yield name, np.asarray(X, dtype=float), np.asarray(y)


def _summary(results, names):
    """One row per method over the data sets ``names``."""
    if not names:
        return []
    ba = np.array([[results[n][m]["ba"] for m in METHODS] for n in names])
    f1 = np.array([[results[n][m]["f1"] for m in METHODS] for n in names])
    fit = np.array([[results[n][m]["time"] for m in METHODS] for n in names])
    # rank 1 = best balanced accuracy; a method that could not run ranks last
    ranks = np.array([rankdata(-np.nan_to_num(row, nan=-1.0)) for row in ba])
    rbf = np.nanmean(fit[:, METHODS.index("RBF SVC bal")])
    return [
        {
            "method": m,
            "sets": int(np.count_nonzero(~np.isnan(ba[:, j]))),
            "balanced acc": float(np.nanmean(ba[:, j])),
            "minority F1": float(np.nanmean(f1[:, j])),
            "mean rank": float(ranks[:, j].mean()),
            "fit s/fold": float(np.nanmean(fit[:, j])),
            "fit / RBF": float(np.nanmean(fit[:, j]) / rbf),
        }
        for j, m in enumerate(METHODS)
    ]


def _wins(results, names, ref, tol=1e-3):
    rows = []
    for m in METHODS:
        if m == ref:
            continue
        diff = np.array([results[n][ref]["ba"] - results[n][m]["ba"] for n in names])
        diff = diff[~np.isnan(diff)]
        rows.append(
            {
                f"{ref} vs": m,
                "wins": int(np.sum(diff > tol)),
                "ties": int(np.sum(np.abs(diff) <= tol)),
                "losses": int(np.sum(diff < -tol)),
                "mean BA diff": float(diff.mean()) if diff.size else np.nan,
            }
        )
    return rows


def time_digits_lt(imbalance_ratio, seed=0):
    """Fit every method on long-tailed digits; score on the balanced test set."""
    from ltlearn.datasets import load_digits_lt

    X, X_test, y, y_test = load_digits_lt(
        imbalance_ratio=imbalance_ratio, random_state=seed, return_X_y=True
    )
    counts = np.bincount(y)
    rarest = int(np.argmin(counts))
    rows = []
    methods = _methods(int(counts.min()))
    methods["OvO LinearSVC bal"] = _pipe(
        OneVsOneClassifier(_linear_svc(class_weight="balanced"))
    )
    for name, pipe in methods.items():
        pipe, seconds = time_fit(pipe, X, y)
        y_pred = pipe.predict(X_test)
        rows.append(
            {
                "IR": imbalance_ratio,
                "method": name,
                "balanced acc": balanced_accuracy_score(y_test, y_pred),
                "macro F1": f1_score(y_test, y_pred, average="macro"),
                "F1 rarest": f1_score(y_test, y_pred, labels=[rarest], average="macro"),
                "fit s": seconds,
            }
        )
    return rows


def _n_pairs(model):
    """The number of pair models of a COG model (``None`` for another)."""
    if hasattr(model, "pairs_"):
        return len(model.pairs_)
    return len(getattr(getattr(model, "estimator_", None), "estimators_", [])) or None


def time_predict_scale(n_rows, n_classes=50, n_fit=20_000, seed=0):
    """Predict time and peak memory on ``n_rows`` rows of many classes."""
    weights = 1.0 / np.arange(1, n_classes + 1) ** 1.2
    X, y = make_classification(
        n_fit + n_rows,
        50,
        n_informative=20,
        n_classes=n_classes,
        n_clusters_per_class=1,
        weights=list(weights / weights.sum()),
        random_state=seed,
    )
    X_fit, y_fit, X_new = X[:n_fit], y[:n_fit], X[n_fit:]
    rows = []
    for name, model in [
        ("LinearSVC bal", _linear_svc(class_weight="balanced")),
        ("COG", COGClassifier(random_state=seed)),
        ("COG direct", COGClassifier(strategy="direct", random_state=seed)),
    ]:
        model, fit_seconds = time_fit(model, X_fit, y_fit)
        start = time.perf_counter()
        _, peak = peak_mib(
            lambda: (model.predict(X_new), model.decision_function(X_new))
        )
        rows.append(
            {
                "method": name,
                "pairs": _n_pairs(model),
                "fit s": fit_seconds,
                "predict+decision s": time.perf_counter() - start,
                "peak MiB": peak,
            }
        )
    for row in rows:
        row["time / LinearSVC"] = (
            row["predict+decision s"] / rows[0]["predict+decision s"]
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--predict-scale",
        type=positive_int,
        metavar="N",
        help="only time predict on N rows of 50 long-tailed classes",
    )
    parser.add_argument("--quick", action="store_true", help="a handful of sets")
    parser.add_argument("--sets", nargs="*", help="KEEL set names (default: all)")
    parser.add_argument(
        "--repeats", type=positive_int, default=5, help="repeats of 2-fold CV"
    )
    parser.add_argument(
        "--synthetic", action="store_true", help="synthetic sets instead of KEEL"
    )
    parser.add_argument("--no-digits", action="store_true", help="skip digits-LT")
    parser.add_argument(
        "--all", action="store_true", help=f"also the slow sets {SLOW_SETS}"
    )
    args = parser.parse_args(argv)
    if args.predict_scale:
        ignored = given_flags(
            parser, argv, "quick", "sets", "synthetic", "no_digits", "all", "repeats"
        )
        if ignored:
            parser.error(f"--predict-scale: runs alone, not with {' '.join(ignored)}")
        print(f"## Predict on {args.predict_scale} rows, 50 long-tailed classes\n")
        rows = time_predict_scale(args.predict_scale)
        print_table(rows, list(rows[0]))
        return
    if args.sets and (args.quick or args.synthetic):
        parser.error("--sets names KEEL sets: not with --quick or --synthetic")
    if args.all and (args.quick or args.synthetic or args.sets):
        parser.error("--all: only with the default list of KEEL sets")
    if args.sets:
        from ltlearn.datasets import list_keel

        unknown = sorted(set(args.sets) - set(list_keel()))
        if unknown:
            parser.error(f"--sets: unknown {unknown}; list_keel() gives the names")

    start = time.perf_counter()
    if args.synthetic:
        datasets = _synthetic_sets()
    else:
        datasets = _keel_sets(QUICK_SETS if args.quick else args.sets, args.all)
    results, sizes = {}, {}
    for name, X, y in datasets:
        t0 = time.perf_counter()
        results[name] = _evaluate(X, y, args.repeats, seed=SEED)
        sizes[name] = X.shape[0]
        best = max(METHODS, key=lambda m: np.nan_to_num(results[name][m]["ba"]))
        print(
            f"{name:<36} n={X.shape[0]:>6} d={X.shape[1]:>3} "
            f"IR={np.sum(y == 0) / max(np.sum(y == 1), 1):7.1f} "
            + " ".join(f"{results[name][m]['ba']:.3f}" for m in METHODS)
            + f"  best={best}  {time.perf_counter() - t0:.1f}s",
            file=sys.stderr,
            flush=True,
        )

    names = list(results)
    big = [n for n in names if sizes[n] > BIG]
    columns = ["method", "sets", "balanced acc", "minority F1", "mean rank"]
    columns += ["fit s/fold", "fit / RBF"]
    print(f"\n## All {len(names)} data sets ({args.repeats}x2 stratified CV)\n")
    print_table(_summary(results, names), columns)
    print(f"\n## The {len(big)} data sets above {BIG} rows\n")
    print_table(_summary(results, big), columns)
    for ref in ("COG-OS", "COG-OS cv"):
        print(f"\n## {ref} against each method, per data set (balanced accuracy)\n")
        win_columns = [f"{ref} vs", "wins", "ties", "losses", "mean BA diff"]
        print_table(_wins(results, names, ref), win_columns)
        if big:
            print(f"\n(above {BIG} rows)\n")
            print_table(_wins(results, big, ref), win_columns)
    if not args.no_digits:
        print("\n## Long-tailed digits (10 classes, balanced test set)\n")
        rows = [row for ir in (10, 50) for row in time_digits_lt(ir)]
        print_table(rows, list(rows[0]))
    print(
        f"\nSMOTE from {SMOTE_SOURCE}; total {time.perf_counter() - start:.0f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
