"""ltlearn's SMOTENC against imbalanced-learn's, on the same data in one run.

Data: ``--rows`` rows (default 1e6) of 10 numeric columns from
``make_classification`` and 5 categorical columns of 50 levels each (integer
codes in a float array), a minority class of ``--minority`` (default 5%),
over-sampled to balance with ``k_neighbors=5``. Each sampler runs in its own
subprocess: time is one ``fit_resample`` (``time.perf_counter``) and peak
memory is the growth of the process's resident high-water mark
(``ru_maxrss``) during it, so memory that C libraries allocate counts too.
``ratio`` is imbalanced-learn's time over ltlearn's (above 1, ltlearn is
faster) and ``mem ratio`` imbalanced-learn's peak over ltlearn's.

Run ``nice -n 5 python benchmarks/bench_smotenc.py`` (minutes; imbalanced-learn
dominates) or ``--rows 20000`` for a quick run.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
from _common import print_table
from sklearn.datasets import make_classification

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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_and_peakmem(method, n_rows, minority):
    """One ``fit_resample`` of ``method``: seconds and peak growth in MiB."""
    X, y, categorical = make_data(n_rows, minority)
    sampler = _sampler(method, categorical)
    before = _maxrss_mib()
    start = time.perf_counter()
    X_res, _ = sampler.fit_resample(X, y)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak": _maxrss_mib() - before, "rows": len(X_res)}


def _run(method, n_rows, minority):
    """``time_and_peakmem`` in a fresh process (a clean high-water mark)."""
    out = subprocess.run(
        [sys.executable, __file__, "--worker", method, "--rows", str(n_rows)]
        + ["--minority", str(minority)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--minority", type=float, default=0.05)
    parser.add_argument("--worker", choices=["ltlearn", "imblearn"])
    args = parser.parse_args()
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
                "mem ratio": theirs["peak"] / max(mine["peak"], 1e-9),
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
