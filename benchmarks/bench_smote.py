"""ltlearn's SMOTE against imbalanced-learn's, on the same data in one process.

Data: ``make_classification`` with ``n`` rows, ``d`` features and a minority
class of 10% or 1%, over-sampled to balance (``sampling_strategy="auto"``,
``k_neighbors=5``, default ``n_jobs`` for both). Times are the median of
``--repeat`` runs, the two samplers taking turns (cells under 0.1 s run more
often, up to about a second; cells over ``--budget`` seconds a turn run once,
and the footer says so); peak memory is traced (tracemalloc) in a separate
run, so that tracing does not slow the timed runs. ``ratio`` is
imbalanced-learn's time over ltlearn's: above 1, ltlearn is faster.

Run ``nice -n 10 python benchmarks/bench_smote.py`` (about ten minutes on
two busy cores: imbalanced-learn on the 1e6 x 100 rows dominates) or
``--quick`` for the 1e4-row smoke run (seconds). ``--mixed`` runs the
mixed-data table of ``bench_smotenc.py`` (SMOTENC, 1e6 rows of 10 numeric and
5 categorical columns of 50 levels) after this one, in the same run.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import gc
import statistics
import sys

from _common import best_of, peak_mib, positive_int, print_table
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from sklearn.datasets import make_classification

from ltlearn.over_sampling import SMOTE

COLUMNS = [
    "n",
    "d",
    "minority",
    "ltlearn s",
    "imblearn s",
    "ratio",
    "ltlearn peak MiB",
    "imblearn peak MiB",
]


def make_data(n_samples, n_features, minority):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        weights=[1.0 - minority, minority],
        random_state=0,
    )


def time_ltlearn(X, y):
    return SMOTE(random_state=0).fit_resample(X, y)


def time_imblearn(X, y):
    return ImblearnSMOTE(random_state=0).fit_resample(X, y)


def peakmem_ltlearn(X, y):
    gc.collect()
    return peak_mib(lambda: time_ltlearn(X, y))[1]


def peakmem_imblearn(X, y):
    gc.collect()
    return peak_mib(lambda: time_imblearn(X, y))[1]


def _median_times(funcs, repeat, budget):
    """Median time of each function and the number of runs, turns interleaved.

    Interleaving spreads any change in the machine's load over both samplers.
    Cells faster than 0.1 s a turn run more often (until about a second is
    spent, at most 51 times): a median of 3 is noise at that scale. Cells
    slower than ``budget`` seconds a turn run once, to keep the full table
    within minutes.
    """
    times = [[best_of(func, 1)] for func in funcs]
    first = sum(t[0] for t in times)
    if budget and first > budget:
        repeat = 1
    elif first < 0.1:
        repeat = max(repeat, min(51, int(1.0 / max(first, 1e-3))))
    for _ in range(repeat - 1):
        for func, spent in zip(funcs, times):
            spent.append(best_of(func, 1))
    return [statistics.median(spent) for spent in times], repeat


def bench_cell(n_samples, n_features, minority, repeat, budget):
    """One row of the table: both samplers on the same data."""
    X, y = make_data(n_samples, n_features, minority)
    (ours, theirs), runs = _median_times(
        [lambda: time_ltlearn(X, y), lambda: time_imblearn(X, y)], repeat, budget
    )
    return {
        "n": f"{n_samples:.0e}",
        "d": n_features,
        "minority": f"{minority:.0%}",
        "ltlearn s": ours,
        "imblearn s": theirs,
        "ratio": theirs / ours,
        "ltlearn peak MiB": peakmem_ltlearn(X, y),
        "imblearn peak MiB": peakmem_imblearn(X, y),
        "runs": runs,
    }


def run(sizes, n_features_list, minorities, repeat, budget):
    rows = []
    for n_samples in sizes:
        for n_features in n_features_list:
            for minority in minorities:
                rows.append(bench_cell(n_samples, n_features, minority, repeat, budget))
                row = rows[-1]
                print(  # progress; the table comes at the end
                    f"{row['n']} x {row['d']} {row['minority']}: ltlearn "
                    f"{row['ltlearn s']:.3g} s, imblearn {row['imblearn s']:.3g} s",
                    file=sys.stderr,
                    flush=True,
                )
                gc.collect()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="only the 1e4-row data (seconds)"
    )
    parser.add_argument(
        "--repeat", type=positive_int, default=3, help="timed runs per cell (median)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds of one turn (both samplers) above which a cell is timed "
        "once; 0 times every cell --repeat times",
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="also the SMOTENC table of bench_smotenc.py (1e4 rows with --quick)",
    )
    args = parser.parse_args(argv)
    if not args.budget >= 0:  # nan too
        parser.error(f"argument --budget: must be 0 or more, got {args.budget}")
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    rows = run(sizes, [10, 100], [0.10, 0.01], args.repeat, args.budget)
    print()
    print_table(rows, COLUMNS)
    runs = ", ".join(
        f"{row['n']} x {row['d']} {row['minority']}: {row['runs']}" for row in rows
    )
    print(f"\nTimed runs per cell (median taken): {runs}")
    if args.mixed:
        import bench_smotenc

        print()
        bench_smotenc.main(["--rows", str(sizes[-1])])


if __name__ == "__main__":
    main()
