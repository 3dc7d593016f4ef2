"""Reading the user's table in ``ltlearn compare`` against ``pandas.read_csv``.

Data: a generated CSV of ``--rows`` rows (default 200,000 and 1,000,000) as a
user's table often is: an identifier (``"C0001234"``, one per row), a number,
numbers written as text (thousands separated by commas, 1% of them ``"?"``),
percentages (``"12.5%"``), a category of 40 levels, a category of 2,000
levels (5% empty) and the target. ``load_table`` (what ``ltlearn compare
--data FILE --target label`` runs before any fit: pandas reads the file, then
each column is typed and parsed) is timed against ``pandas.read_csv`` of the
same file alone: ``ratio`` is the time of ``load_table`` over that of
``read_csv`` (1 would be no cost beyond reading the file). Time is the
median of ``--repeat`` calls (``time.perf_counter``); peak memory is the
resident high-water mark of one call in a fresh subprocess over the resident
size before it (as in ``bench_smotenc.py``: pyarrow's and pandas' C buffers
count too), ``mem ratio`` likewise over ``read_csv``'s (a peak under 1 MiB
counts as 1 MiB).

Run ``nice -n 10 python benchmarks/bench_compare_load.py`` (about a minute)
or ``--rows 20000`` for a quick run.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import best_of, peak_ratio, positive_int, print_table, require
from bench_smotenc import peak_rss_mib


def make_table(path, n_rows, seed=0):
    """Write the generated table of ``n_rows`` rows to ``path``."""
    import pandas as pd

    rng = np.random.RandomState(seed)
    price = pd.Series(rng.lognormal(7, 1.5, n_rows)).map("{:,.2f}".format)
    price[rng.rand(n_rows) < 0.01] = "?"
    city = pd.Series(rng.randint(0, 2000, n_rows)).map("city {}".format)
    city[rng.rand(n_rows) < 0.05] = ""
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(rng.permutation(n_rows)).map("C{:07d}".format),
            "amount": rng.normal(100, 20, n_rows).round(3),
            "price": price,
            "rate": pd.Series(rng.randint(0, 1000, n_rows) / 10).map("{}%".format),
            "shop": rng.choice([f"shop {i}" for i in range(40)], n_rows),
            "city": city,
            "label": np.where(rng.rand(n_rows) < 0.05, "fraud", "ok"),
        }
    )
    if n_rows > 1 and not (frame["label"] == "fraud").any():
        frame.loc[0, "label"] = "fraud"  # a small table: two classes to compare
    frame.to_csv(path, index=False)


def _rows(text):
    """An argparse ``type``: a table of at least 2 rows, one of each class."""
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2, got {value}")
    return value


def _read(reader, path):
    """The call that is measured: ``pandas.read_csv`` or ``load_table``."""
    if reader == "load_table":
        from ltlearn._compare._user_table import load_table

        return lambda: load_table(path, "label")
    import pandas as pd

    return lambda: pd.read_csv(path)


def _peak_in_subprocess(reader, path):
    """The peak of one call of ``reader`` on ``path`` in a fresh process.

    A worker that fails stops the run with its own error message.
    """
    command = [sys.executable, __file__, "--peak-of", reader, str(path)]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"the {reader} worker failed on {Path(path).name} (above)")
    return float(out.stdout.split()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=_rows,
        nargs="+",
        default=[200_000, 1_000_000],
        help="rows of the generated tables (default: 200000 1000000)",
    )
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=3,
        help="timed calls of each, the median is shown (default: 3)",
    )
    parser.add_argument("--peak-of", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    require("compare", "pandas")
    if args.peak_of:
        read = _read(*args.peak_of)
        print(peak_rss_mib(read)[1])
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n_rows in args.rows:
            path = Path(folder) / f"table_{n_rows}.csv"
            make_table(path, n_rows)
            for name in ["pandas.read_csv", "load_table"]:
                seconds = best_of(_read(name, path), args.repeat)
                peak = _peak_in_subprocess(name, path)
                rows.append(
                    {
                        "rows": n_rows,
                        "reader": name,
                        "time (s)": seconds,
                        "peak (MiB)": peak,
                    }
                )
            reference, ours = rows[-2], rows[-1]
            ours["ratio"] = ours["time (s)"] / reference["time (s)"]
            ours["mem ratio"] = peak_ratio(ours["peak (MiB)"], reference["peak (MiB)"])
    print_table(
        rows, ["rows", "reader", "time (s)", "ratio", "peak (MiB)", "mem ratio"]
    )


if __name__ == "__main__":
    main()
