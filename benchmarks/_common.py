"""Timing, memory and table helpers shared by the benchmark scripts."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import importlib.util
import os
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def require(extra, *modules):
    """Exit with one line if a module of ltlearn's ``extra`` is not installed."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        sys.exit(
            f"This benchmark needs {' and '.join(missing)}, not installed here: "
            f"pip install 'ltlearn[{extra}]'"
        )


def positive_int(text):
    """An argparse ``type``: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def given_flags(parser, argv, *dests):
    """The options among ``dests`` given in ``argv``, by their names.

    For a usage error naming the options that the chosen run would ignore:
    an option counts whatever its value, its default too, and however it is
    spelled (``--opt=value``, an abbreviation).
    """
    unset = object()
    given = parser.parse_args(argv, argparse.Namespace(**dict.fromkeys(dests, unset)))
    return [
        "--" + dest.replace("_", "-")
        for dest in dests
        if getattr(given, dest) is not unset
    ]


def best_of(func, repeat=3):
    """Median wall time of ``repeat`` calls of ``func``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mib(func):
    """Call ``func`` once; return its result and the peak traced memory in MiB.

    tracemalloc sees allocations made through Python's allocator, numpy's
    included; memory that a C library allocates by itself is not counted.
    """
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 2**20


def peak_ratio(peak, reference):
    """``peak`` over ``reference`` (MiB), a peak under 1 MiB counting as 1 MiB.

    Both sides alike, so that a row against itself reads 1 and two peaks
    too small to measure read 1, not 0 or their noise.
    """
    return max(peak, 1.0) / max(reference, 1.0)


def paired_differences(scores, reference):
    """``scores - reference``, rounded to ten decimals.

    Scores equal up to rounding error (0.6 against 0.1 + 0.2 + 0.3) have no
    difference: a tie.
    """
    import numpy as np

    return np.round(np.asarray(scores) - np.asarray(reference), 10)


def wilcoxon_p(differences):
    """The two-sided Wilcoxon signed-rank p-value of ``differences``.

    The ties (zeros) are left out before the call: with them, SciPy 1.11
    takes the normal approximation where newer SciPy is exact. 1.0 when
    every difference is a tie.
    """
    from scipy.stats import wilcoxon

    nonzero = differences[differences != 0]
    return wilcoxon(nonzero).pvalue if nonzero.size else 1.0


def format_cell(value):
    """A table cell: floats to 4 significant digits, None as '-'."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def print_table(rows, columns):
    """Print ``rows`` (dicts) as a Markdown table with ``columns``."""
    cells = [[format_cell(row.get(col, "")) for col in columns] for row in rows]
    widths = [
        max(len(col), *(len(r[i]) for r in cells)) if cells else len(col)
        for i, col in enumerate(columns)
    ]
    line = " | ".join(col.ljust(w) for col, w in zip(columns, widths))
    print(line)
    print(" | ".join("-" * w for w in widths))
    for r in cells:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
