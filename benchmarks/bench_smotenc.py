"""ltlearn's SMOTENC against imbalanced-learn's, on the same data in one run.

Data: ``--rows`` rows (default 1e6) of 10 numeric columns from
``make_classification`` and 5 categorical columns of 50 levels each (integer
codes in a float array), a minority class of ``--minority`` (default 5%),
over-sampled to balance with ``k_neighbors=5``. Each sampler runs in its own
subprocess: time is one ``fit_resample`` (``time.perf_counter``) and peak
memory is the resident high-water mark during it over the resident size
before it, so memory that C libraries allocate counts too (on Linux the mark
is reset before the fit, so that memory freed by the data's generation and
used again by the fit counts; elsewhere the growth of ``ru_maxrss``, which
misses it, is reported; on Windows, which has neither, the peaks are NaN and
only the times are measured). ``ratio`` is imbalanced-learn's time over
ltlearn's (above 1, ltlearn is faster) and ``mem ratio`` imbalanced-learn's
peak over ltlearn's (a peak under 1 MiB counts as 1 MiB).

Run ``nice -n 5 python benchmarks/bench_smotenc.py`` (minutes; imbalanced-learn
dominates) or ``--rows 20000`` for a quick run.

``--keel`` instead compares, on every embedded KEEL set with nominal features,
the ``smote`` recipe of ``ltlearn compare`` (SMOTE-NC on the category codes,
one-hot encoding after the resampling) with SMOTE on one-hot columns (the
preprocessing of ``ltlearn compare`` for the other recipes), both followed by
the same classifier (``--models lr rf``), on the same 5x2 repeated stratified
folds, BLAS on one thread; balanced accuracy and G-mean are averaged over the
folds. Ties are differences of balanced accuracy under 0.001.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
from _common import (
    given_flags,
    paired_differences,
    peak_ratio,
    positive_int,
    print_table,
    wilcoxon_p,
)
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

N_NUMERIC = 10
N_CATEGORICAL = 5
N_LEVELS = 50
COLUMNS = [
    "rows",
    "minority",
    "ltlearn s",
    "imblearn s",
    "ratio",
    "ltlearn peak MiB",
    "imblearn peak MiB",
    "mem ratio",
]


def make_data(n_rows, minority):
    X_num, y = make_classification(
        n_samples=n_rows,
        n_features=N_NUMERIC,
        n_informative=6,
        weights=[1.0 - minority, minority],
        random_state=0,
    )
    rng = np.random.default_rng(0)
    codes = rng.integers(0, N_LEVELS, size=(n_rows, N_CATEGORICAL))
    # the minority prefers the low levels, so that the categories matter
    low = rng.integers(0, N_LEVELS // 5, size=(n_rows, N_CATEGORICAL))
    codes = np.where((y == 1)[:, None] & (rng.random(codes.shape) < 0.5), low, codes)
    X = np.hstack([X_num, codes.astype(np.float64)])
    return X, y, list(range(N_NUMERIC, N_NUMERIC + N_CATEGORICAL))


def _sampler(method, categorical):
    if method == "ltlearn":
        from ltlearn.over_sampling import SMOTENC
    else:
        from imblearn.over_sampling import SMOTENC
    return SMOTENC(categorical_features=categorical, random_state=0)


def _maxrss_mib():
    """The resident high-water mark of this process in MiB; NaN without ``resource``.

    ``ru_maxrss`` is in KiB on Linux and in bytes on macOS; Windows has no
    ``resource`` module.
    """
    try:
        import resource
    except ImportError:
        return math.nan
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit


def _status_mib(field):
    """``VmRSS`` or ``VmHWM`` of this process from /proc, in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise OSError(f"no {field} in /proc/self/status")


def peak_rss_mib(func):
    """Call ``func``; return its result and its peak resident growth in MiB.

    On Linux the high-water mark is reset first (``/proc/self/clear_refs``),
    so that pages freed before the call and used again by it count; where it
    cannot be, the growth of ``ru_maxrss`` is returned, which misses them.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _status_mib("VmRSS")
    except OSError:
        before = None
    maxrss = _maxrss_mib()
    result = func()
    if before is None:
        return result, _maxrss_mib() - maxrss
    return result, _status_mib("VmHWM") - before


def time_and_peakmem(method, n_rows, minority):
    """One ``fit_resample`` of ``method``: seconds and peak growth in MiB."""
    X, y, categorical = make_data(n_rows, minority)
    sampler = _sampler(method, categorical)
    start = time.perf_counter()
    (X_res, _), peak = peak_rss_mib(lambda: sampler.fit_resample(X, y))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak": peak, "rows": len(X_res)}


def _run(method, n_rows, minority):
    """``time_and_peakmem`` in a fresh process (a clean high-water mark).

    A worker that fails stops the run with its own error message.
    """
    out = subprocess.run(
        [sys.executable, __file__, "--worker", method, "--rows", str(n_rows)]
        + ["--minority", str(minority)],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"the {method} worker failed on {n_rows} rows (above)")
    return json.loads(out.stdout.strip().splitlines()[-1])


def keel_names():
    """The embedded KEEL sets with nominal features."""
    from ltlearn._compare._data import load_embedded
    from ltlearn.datasets import list_keel

    return [name for name in list_keel() if load_embedded(name).n_categorical]


def _keel_pipelines(dataset, model, seed):
    """The smote recipe as ``ltlearn compare`` runs it, and on one-hot columns.

    The second is the same recipe told nothing of the categorical columns, so
    that it over-samples the one-hot columns with plain SMOTE.
    """
    from imblearn.pipeline import Pipeline

    from ltlearn._compare._data import make_preprocessor
    from ltlearn.recipes._registry import RECIPES, _recipe_name

    recipe = RECIPES[_recipe_name("smote", model)]
    context = dataset.context("balanced_accuracy")
    numeric_context = {k: v for k, v in context.items() if k != "categorical"}
    one_hot = make_preprocessor(dataset.preprocessing)
    return {
        "smote-nc": recipe.pipeline(seed, context, dataset.preprocessing),
        "smote one-hot": Pipeline(one_hot + recipe.build(seed, numeric_context)),
    }


def run_keel(names, model):
    """Per data set: mean balanced accuracy, G-mean and fit time of each way."""
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import RepeatedStratifiedKFold

    from ltlearn._compare._data import load_embedded

    rows = []
    for name in names:
        dataset = load_embedded(name)
        X, y = dataset.X, dataset.y
        cv = RepeatedStratifiedKFold(n_splits=2, n_repeats=5, random_state=0)
        scores = {}
        for seed, (train, test) in enumerate(cv.split(X, y)):
            for method, model_ in _keel_pipelines(dataset, model, seed).items():
                start = time.perf_counter()
                model_.fit(X[train], y[train])
                seconds = time.perf_counter() - start
                y_pred = model_.predict(X[test])
                scores.setdefault(method, []).append(
                    (
                        balanced_accuracy_score(y[test], y_pred),
                        geometric_mean_score(y[test], y_pred),
                        seconds,
                    )
                )
        row = {"data set": name, "categorical": dataset.n_categorical}
        for method, values in scores.items():
            ba, gmean, seconds = np.mean(values, axis=0)
            row[f"{method} BA"] = ba
            row[f"{method} G"] = gmean
            row[f"{method} s"] = seconds
        rows.append(row)
        print(f"done: {name}", file=sys.stderr, flush=True)
    return rows


def print_keel(rows, model):
    columns = ["data set", "categorical"] + [
        f"{method} {what}"
        for method in ("smote-nc", "smote one-hot")
        for what in ("BA", "G", "s")
    ]
    print(f"Model: {model}; 5x2 repeated stratified CV, means over the 10 folds")
    print_table(rows, columns)
    ours = np.array([row["smote-nc BA"] for row in rows])
    theirs = np.array([row["smote one-hot BA"] for row in rows])
    difference = paired_differences(ours, theirs)
    wins = int(np.sum(difference >= 0.001))
    losses = int(np.sum(difference <= -0.001))
    summary = {
        "data sets": len(rows),
        "smote-nc BA": ours.mean(),
        "one-hot BA": theirs.mean(),
        "smote-nc G": np.mean([row["smote-nc G"] for row in rows]),
        "one-hot G": np.mean([row["smote one-hot G"] for row in rows]),
        "W/T/L": f"{wins}/{len(rows) - wins - losses}/{losses}",
        "Wilcoxon p": wilcoxon_p(difference),
        "fit s smote-nc / one-hot": np.mean([row["smote-nc s"] for row in rows])
        / np.mean([row["smote one-hot s"] for row in rows]),
    }
    print()
    print_table([summary], list(summary))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=positive_int, nargs="+", default=[1_000_000])
    parser.add_argument("--minority", type=float, default=0.05)
    parser.add_argument("--worker", choices=["ltlearn", "imblearn"])
    parser.add_argument(
        "--keel",
        action="store_true",
        help="the smote recipe on the KEEL sets with nominal features instead",
    )
    parser.add_argument(
        "--models", nargs="+", choices=["lr", "rf"], help="with --keel; default lr"
    )
    parser.add_argument("--datasets", nargs="+", help="a subset of those sets")
    args = parser.parse_args(argv)
    if not 0 < args.minority < 0.5:
        parser.error(f"argument --minority: must lie in (0, 0.5), got {args.minority}")
    for flag in ("datasets", "models"):
        if getattr(args, flag) and not args.keel:
            parser.error(f"--{flag}: only with --keel")
    if args.keel and (ignored := given_flags(parser, argv, "rows", "minority")):
        parser.error(f"{' '.join(ignored)}: the generated data, not with --keel")
    if args.keel:
        names = keel_names()
        unknown = sorted(set(args.datasets or names) - set(names))
        if unknown:
            parser.error(
                f"--datasets: {unknown} are not KEEL sets with nominal features; "
                f"choose among {names}"
            )
        # a set named twice is one row of the summary, not two
        names = list(dict.fromkeys(args.datasets or names))
        # a model named twice runs once
        for model in dict.fromkeys(args.models or ["lr"]):
            with threadpool_limits(1):  # as the other KEEL benchmarks
                print_keel(run_keel(names, model), model)
            print()
        return
    if args.worker:
        result = time_and_peakmem(args.worker, args.rows[0], args.minority)
        print(json.dumps(result))
        return
    rows = []
    for n_rows in args.rows:
        mine = _run("ltlearn", n_rows, args.minority)
        theirs = _run("imblearn", n_rows, args.minority)
        assert mine["rows"] == theirs["rows"]
        rows.append(
            {
                "rows": n_rows,
                "minority": args.minority,
                "ltlearn s": mine["seconds"],
                "imblearn s": theirs["seconds"],
                "ratio": theirs["seconds"] / mine["seconds"],
                "ltlearn peak MiB": mine["peak"],
                "imblearn peak MiB": theirs["peak"],
                "mem ratio": peak_ratio(theirs["peak"], mine["peak"]),
            }
        )
        print(f"done: {rows[-1]}", file=sys.stderr, flush=True)
    print(
        f"{N_NUMERIC} numeric + {N_CATEGORICAL} categorical columns of "
        f"{N_LEVELS} levels, k_neighbors=5, sampling_strategy='auto'"
    )
    print_table(rows, COLUMNS)


if __name__ == "__main__":
    main()
