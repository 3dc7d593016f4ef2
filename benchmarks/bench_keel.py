"""The recommended recipe against the peers on the 110 embedded KEEL sets.

KEEL: repeated stratified cross-validation, by default two repeats of five
folds, the same folds for every method. ``--folds 2 --repeats 5`` gives five
repeats of two folds (Dietterich's 5x2cv), where each training fold holds
half of a set rather than 80%: every method scores lower there (the balanced
random forest 0.847 against 0.863 on all 110 sets), and SMOTE runs on 98 sets
rather than 105. The preprocessing of ``ltlearn compare`` (impute, scale, one-hot)
is fitted inside each training fold. The table gives, over the sets where
every method ran, the mean balanced accuracy, mean G-mean, mean rank on
balanced accuracy, wins/ties/losses and the Wilcoxon signed-rank p-value
against the balanced random forest (BRF), the mean fit seconds and the total
fit time over BRF's. The recommended recipe was designed on the sets at even
positions of ``list_keel()`` (0, 2, ...); the table is printed for each half.

Long tails: digits-LT (imbalance 50) and the synthetic 100-class long tail,
5 seeds each, balanced accuracy on the balanced test split.

Every estimator runs single-threaded (``n_jobs=1``); ``--n-jobs`` runs
several (data set, method) jobs at once, which slows each fit alike. Results
of the KEEL part are cached whole rows at a time in a CSV file (``--cache``,
by default ``benchmarks/bench_keel_results.csv``, which git ignores), so an
interrupted run resumes where it stopped; a row is run again when its
method, the source of the ltlearn modules the method's classes import, the
data set's rows or preprocessing, the evaluation (folds, seeds, scores) or
the version of numpy, scipy, scikit-learn or imbalanced-learn changes.

Run ``nice -n 10 python benchmarks/bench_keel.py --n-jobs 2`` (about 20
minutes on two cores: 19 for KEEL, one for the long tails), ``--half even`` or
``--half odd`` for one half, or ``--quick`` for a smoke run (three small sets,
one repeat of two folds, seconds). SMOTE's five neighbours need six minority
rows in each training fold, so the SMOTE row leaves out the smallest sets;
run without it (``--methods`` and the others) for the table over all 110.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import ast
import csv
import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
from _common import (
    given_flags,
    paired_differences,
    positive_int,
    print_table,
    wilcoxon_p,
)
from imblearn.ensemble import (
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
)
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import (
    RepeatedStratifiedKFold,
    TunedThresholdClassifierCV,
)
from threadpoolctl import threadpool_limits

from ltlearn._compare._data import load_embedded, make_preprocessor
from ltlearn.datasets import (
    list_keel,
    load_digits_lt,
    make_long_tailed_classification,
)
from ltlearn.post_hoc import LogitAdjustedClassifier
from ltlearn.recipes._recommended import recommended_classifier

REFERENCE = "brf"
# The default cache: the same file whichever folder the script runs from.
CACHE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "bench_keel_results.csv"
)
QUICK_SETS = ("glass4", "new_thyroid1", "haberman")
CACHE_FIELDS = (
    "protocol",
    "dataset",
    "method",
    "config",
    "balanced_accuracy",
    "g_mean",
    "fit_seconds",
    "error",
)
_NUMBERS = ("balanced_accuracy", "g_mean", "fit_seconds")
LIBRARIES = ("numpy", "scipy", "scikit-learn", "imbalanced-learn")


def _lr(random_state, **params):
    return LogisticRegression(max_iter=1000, random_state=random_state, **params)


# Each factory returns the steps after the preprocessing, seeded.
METHODS = {
    "recommended": lambda rs: [("clf", recommended_classifier(random_state=rs))],
    "brf": lambda rs: [
        (
            "clf",
            BalancedRandomForestClassifier(
                n_estimators=100,
                sampling_strategy="all",
                replacement=True,
                bootstrap=False,
                random_state=rs,
            ),
        )
    ],
    "easy_ensemble": lambda rs: [
        ("clf", EasyEnsembleClassifier(n_estimators=10, random_state=rs))
    ],
    "smote_lr": lambda rs: [("smote", SMOTE(random_state=rs)), ("clf", _lr(rs))],
    "lr_balanced": lambda rs: [("clf", _lr(rs, class_weight="balanced"))],
    "tuned_threshold_lr": lambda rs: [
        (
            "clf",
            TunedThresholdClassifierCV(
                _lr(rs), scoring="balanced_accuracy", random_state=rs
            ),
        )
    ],
    "logit_adjusted_lr": lambda rs: [("clf", LogitAdjustedClassifier(_lr(rs)))],
}


def make_pipeline(method, preprocessing, random_state):
    """The preprocessing, then ``method``, as one imbalanced-learn Pipeline."""
    steps = make_preprocessor(preprocessing) + METHODS[method](random_state)
    return Pipeline(steps)


def _scores(y_true, y_pred):
    return (
        balanced_accuracy_score(y_true, y_pred),
        geometric_mean_score(y_true, y_pred),
    )


def evaluate_keel(name, method, n_repeats, n_splits):
    """Cross-validate ``method`` on the KEEL set ``name``: one cache row.

    A method that cannot fit the set gives a row with its error; running out
    of memory says nothing of the method and stops the run, uncached.
    """
    data = load_embedded(name)
    folds = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=0
    )
    row = {"dataset": name, "method": method, "error": ""}
    ba, gm, seconds = [], [], []
    try:
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, (train, test) in enumerate(folds.split(data.X, data.y)):
                model = make_pipeline(method, data.preprocessing, random_state=i)
                start = time.perf_counter()
                model.fit(data.X[train], data.y[train])
                seconds.append(time.perf_counter() - start)
                scores = _scores(data.y[test], model.predict(data.X[test]))
                ba.append(scores[0])
                gm.append(scores[1])
    except MemoryError:
        raise
    except Exception as exc:  # a method that cannot fit a set is reported
        row["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return row
    row.update(
        balanced_accuracy=np.mean(ba), g_mean=np.mean(gm), fit_seconds=np.mean(seconds)
    )
    return row


@functools.cache
def _data(name):
    """The preprocessing of the set ``name`` and a digest of its rows."""
    data = load_embedded(name)
    rows = np.ascontiguousarray(data.X).tobytes() + np.asarray(data.y).tobytes()
    return data.preprocessing, hashlib.sha1(rows).hexdigest()


@functools.cache
def _is_module(name):
    """Whether ``name`` is an importable module (not a class or function)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # a name inside a module: its parent is no package
        return False


@functools.cache
def _ltlearn_modules(name):
    """``name`` and the ltlearn modules it imports, transitively, sorted.

    Read from the import statements of the source, so that the set does not
    depend on what else happens to be imported.
    """
    found, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module in found:
            continue
        found.add(module)
        source = importlib.import_module(module)
        for node in ast.walk(ast.parse(inspect.getsource(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # an absolute name as it is, a relative one from the package
                base = importlib.util.resolve_name(
                    "." * node.level + (node.module or ""), source.__package__
                )
                # ``from ltlearn.x import y`` imports y's module if y is one
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            todo += [
                n
                for n in names
                if n == "ltlearn" or n.startswith("ltlearn.")
                if _is_module(n)
            ]
    return tuple(sorted(found))


def _ltlearn_source(cls):
    """The source of ltlearn's code that ``cls`` runs, if it is ltlearn's, else ''.

    The module that defines ``cls`` and every ltlearn module it imports,
    transitively: a change in a helper module (the plug-in search, say)
    reruns the rows of the classes that use it. A default that ``repr`` does
    not show (the models of ``PluginEnsembleClassifier(estimators=None)``) is
    in that source.
    """
    if not cls.__module__.startswith("ltlearn."):
        return ""
    return "".join(
        inspect.getsource(sys.modules[name])
        for name in _ltlearn_modules(cls.__module__)
    )


@functools.cache
def _versions():
    """The versions of ``LIBRARIES``, part of every cached row's config."""
    return " ".join(f"{library} {version(library)}" for library in LIBRARIES)


def _config(name, method):
    """A short hash of the method and the data: a change reruns.

    The method counts as its ``repr``, the source of the ltlearn code its
    classes run (:func:`_ltlearn_source`) and
    the versions of ``LIBRARIES``; the data as its rows and preprocessing;
    the evaluation (folds, seeds, scores) as the source of
    :func:`evaluate_keel` and :func:`_scores`.
    """
    preprocessing, rows = _data(name)
    pipeline = make_pipeline(method, preprocessing, random_state=0)
    text = (
        rows
        + repr(pipeline)
        + "".join(_ltlearn_source(type(step)) for _, step in pipeline.steps)
        + inspect.getsource(evaluate_keel)
        + inspect.getsource(_scores)
    )
    text += _versions()
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def _parse(line, fields):
    """The row of one cache line, or None when the line was not written whole.

    A killed run can leave a line cut short; a cut inside the error message
    of a failed fit, or before it, would look done. So a row with an error
    needs its line end (the writer's ``\\r\\n``: :func:`_append` ends a cut
    line with a bare ``\\n``), and a row without one needs its numbers.
    """
    try:
        values = next(csv.reader([line]), [])
    except csv.Error:
        return None
    row = dict(zip(fields, values))
    if len(values) != len(fields):
        return None  # a line cut short or run into the next
    if row["error"] and not line.endswith(("\r\n", "\r")):
        return None
    if not row["error"] and "" in (row[key] for key in _NUMBERS):
        return None
    try:
        for key in _NUMBERS:
            row[key] = float(row[key]) if row[key] else np.nan
    except ValueError:
        return None
    return row


def read_cache(path, protocol):
    """Complete rows of ``path`` for ``protocol``, keyed by (dataset, method)."""
    rows = {}
    if not path or not os.path.exists(path):
        return rows
    # one row a line: no field holds a break; a character cut by a killed
    # write is replaced, and its line, cut short, is not read back
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        fields = next(csv.reader([f.readline()]), [])
        if set(CACHE_FIELDS) - set(fields):
            return rows  # a header cut short: :func:`_append` writes it again
        for line in f:
            row = _parse(line, fields)
            if row is not None and row["protocol"] == protocol:
                rows[row["dataset"], row["method"]] = row
    return rows


def cache_problem(path):
    """Why ``path`` cannot be read as this script's cache, or None.

    A file whose first line is not the cache's header (nor the start of it,
    left by a cut first write) is not a cache: rows appended to it would
    never be read back, and would change the file. A new file needs a
    folder to be written in, before the first row is run.
    """
    if not os.path.exists(path):
        folder = os.path.dirname(os.path.abspath(path))
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
            return f"cannot be written (no writable folder {folder})"
        return None
    try:
        with open(path, "rb") as f:
            first = f.readline()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    header = ",".join(CACHE_FIELDS).encode()
    if first.rstrip(b"\r\n") != header and not _header_cut_short(first):
        return (
            f"is not a cache of this script (its first line is not {header.decode()!r})"
        )
    return None


def _header_cut_short(first):
    """Whether ``first``, the first line read from the cache, is a header cut short.

    Only a killed first write leaves one: the start of the header, with no
    line end and nothing after it. :func:`_append` writes it again, whole.
    """
    return ",".join(CACHE_FIELDS).encode().startswith(first)


def _append(path, row):
    """Append ``row`` to the cache, on a line of its own.

    A run killed while writing leaves a line cut short, without its newline;
    the next row starts on a fresh line rather than run on from it. A header
    cut short (no row was written yet) is written again, whole.
    """
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    line = {key: row.get(key, "") for key in CACHE_FIELDS}
    cut = False
    if not new:
        with open(path, "rb") as f:
            first = f.readline()
            new = _header_cut_short(first)
            f.seek(-1, os.SEEK_END)
            cut = f.read(1) != b"\n"
    with open(path, "w" if new else "a", newline="", encoding="utf-8") as f:
        if cut and not new:
            f.write("\n")
        writer = csv.DictWriter(f, fieldnames=CACHE_FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(line)
        f.flush()
        os.fsync(f.fileno())


def run_keel(names, methods, n_repeats, n_splits, *, n_jobs, cache):
    """Results for every (set, method), from ``cache`` or computed and cached."""
    from joblib import Parallel, delayed

    protocol = f"{n_repeats}x{n_splits}"
    # only the rows asked for: the cache may hold rows of a method or a set
    # that this version of the script no longer has. The configs are those
    # of the code the run imported: a row is not stamped with the source of
    # a module edited while it ran.
    configs = {(n, m): _config(n, m) for n in names for m in methods}
    cached = read_cache(cache, protocol)
    rows = {
        key: cached[key]
        for key, config in configs.items()
        if key in cached and cached[key]["config"] == config
    }
    todo = [key for key in configs if key not in rows]
    if todo:
        print(f"KEEL: {len(todo)} (set, method) jobs to run", file=sys.stderr)
        jobs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(evaluate_keel)(n, m, n_repeats, n_splits) for n, m in todo
        )
        for row in jobs:
            row["protocol"] = protocol
            row["config"] = configs[row["dataset"], row["method"]]
            if cache:
                _append(cache, row)
            rows[row["dataset"], row["method"]] = read_row(row)
    return rows


def read_row(row):
    for key in ("balanced_accuracy", "g_mean", "fit_seconds"):
        row[key] = float(row.get(key, np.nan)) if row.get(key, "") != "" else np.nan
    return row


def keel_table(rows, names, methods):
    """Table rows over the sets where every method ran; the sets left out."""
    left_out = {}
    for name in names:
        errors = [
            f"{m}: {rows[name, m]['error']}"
            for m in methods
            if rows.get((name, m)) is None or rows[name, m]["error"]
        ]
        if errors:
            left_out[name] = "; ".join(errors)
    common = [n for n in names if n not in left_out]
    if not common:
        return [], common, left_out
    ba = np.array([[rows[n, m]["balanced_accuracy"] for m in methods] for n in common])
    gm = np.array([[rows[n, m]["g_mean"] for m in methods] for n in common])
    seconds = np.array([[rows[n, m]["fit_seconds"] for m in methods] for n in common])
    ranks = np.array([rankdata(-np.round(r, 10)) for r in ba])
    ref = methods.index(REFERENCE) if REFERENCE in methods else None
    table = []
    for j, method in enumerate(methods):
        entry = {
            "method": method,
            "mean BA": ba[:, j].mean(),
            "mean G-mean": gm[:, j].mean(),
            "mean rank": ranks[:, j].mean(),
            "fit s": seconds[:, j].mean(),
        }
        if ref is not None:
            # the differences that W/T/L counts, those of the test
            diff = paired_differences(ba[:, j], ba[:, ref])
            wins, ties = int(np.sum(diff > 0)), int(np.sum(diff == 0))
            entry[f"W/T/L vs {REFERENCE}"] = f"{wins}/{ties}/{diff.size - wins - ties}"
            entry["Wilcoxon p"] = wilcoxon_p(diff)
            entry[f"fit / {REFERENCE}"] = seconds[:, j].sum() / seconds[:, ref].sum()
        table.append(entry)
    table.sort(key=lambda e: e["mean rank"])
    return table, common, left_out


def print_keel(rows, names, methods, title):
    table, common, left_out = keel_table(rows, names, methods)
    print(
        f"\n## KEEL, {title}: {len(common)} of {len(names)} sets where every method ran"
    )
    if table:
        print_table(table, list(table[0]))
    for name, why in left_out.items():
        print(f"- left out {name}: {why}")


def _long_tail_data(kind, seed):
    if kind == "digits_lt":
        data = load_digits_lt(imbalance_ratio=50, random_state=seed)
    else:
        data = make_long_tailed_classification(random_state=seed)
    return data.X_train, data.y_train, data.X_test, data.y_test


def evaluate_long_tail(kind, method, seed):
    X_train, y_train, X_test, y_test = _long_tail_data(kind, seed)
    model = make_pipeline(method, {"kind": "numeric"}, random_state=seed)
    try:
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            ba, gm = _scores(y_test, model.predict(X_test))
    except Exception as exc:
        return kind, method, seed, None, None, f"{type(exc).__name__}: {exc}"
    return kind, method, seed, ba, seconds, ""


def run_long_tail(kind, methods, seeds, n_jobs):
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=n_jobs)(
        delayed(evaluate_long_tail)(kind, m, s) for m in methods for s in seeds
    )
    table, failures = [], []
    for method in methods:
        mine = [r for r in results if r[1] == method]
        errors = [r[5] for r in mine if r[5]]
        if errors:
            table.append({"method": method, "mean BA": "failed"})
            failures.append(f"- {method} failed: {errors[0][:160]}")
            continue
        ba = np.array([r[3] for r in mine])
        table.append(
            {
                "method": method,
                "mean BA": ba.mean(),
                "std BA": ba.std(),
                "fit s": np.mean([r[4] for r in mine]),
            }
        )
    table.sort(key=lambda e: -e["mean BA"] if isinstance(e["mean BA"], float) else 1)
    title = "digits-LT, imbalance 50" if kind == "digits_lt" else "100-class long tail"
    print(f"\n## {title}: balanced test split, {len(seeds)} seeds")
    print_table(table, ["method", "mean BA", "std BA", "fit s"])
    print("\n".join(failures))
    return table


def halves(names, half):
    even, odd = list(names[0::2]), list(names[1::2])
    return {"even": {"even": even}, "odd": {"odd": odd}}.get(
        half, {"even": even, "odd": odd, "all 110": list(names)}
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--half", choices=("even", "odd", "all"), help="default all")
    parser.add_argument(
        "--methods", nargs="+", choices=list(METHODS), default=list(METHODS)
    )
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="joblib's: -1 for every core"
    )
    parser.add_argument("--repeats", type=positive_int, help="default 2")
    parser.add_argument(
        "--folds", type=positive_int, help="folds per repeat (default 5)"
    )
    parser.add_argument(
        "--cache",
        default=CACHE,
        help="default bench_keel_results.csv next to this script (git ignores "
        "it); '' for no cache",
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=("keel", "digits_lt", "long_tail"),
        help="default all three (keel and digits_lt with --quick)",
    )
    args = parser.parse_args(argv)
    if args.n_jobs == 0:
        parser.error("argument --n-jobs: 0 runs nothing; 1 or more, or -1 for all")
    if args.folds == 1:
        parser.error("argument --folds: cross-validation needs at least 2 folds")
    if args.quick and args.half:
        parser.error("argument --half: not with --quick, which runs three sets")
    methods = list(dict.fromkeys(args.methods))  # a method named twice runs once
    if REFERENCE not in methods:
        methods.append(REFERENCE)
    names = list_keel()
    if args.quick:
        groups = {"quick": list(QUICK_SETS)}
        repeats, seeds, cache = args.repeats or 1, [0], args.cache or None
        n_folds = args.folds or 2
        sections = args.sections or ("keel", "digits_lt")
    else:
        groups = halves(names, args.half or "all")
        repeats, seeds, cache = args.repeats or 2, range(5), args.cache or None
        n_folds = args.folds or 5
        sections = args.sections or ("keel", "digits_lt", "long_tail")
    keel_only = given_flags(parser, argv, "half", "repeats", "folds")
    if "keel" not in sections and keel_only:
        parser.error(
            f"{' '.join(keel_only)}: the KEEL section, not with --sections "
            f"{' '.join(sections)}"
        )
    if "keel" in sections and cache and (problem := cache_problem(cache)):
        parser.error(
            f"--cache: {cache} {problem}; give another file, or '' for no cache"
        )
    tables = {}
    if "keel" in sections:
        wanted = list(dict.fromkeys(n for g in groups.values() for n in g))
        rows = run_keel(
            wanted, methods, repeats, n_folds, n_jobs=args.n_jobs, cache=cache
        )
        cv = f"{repeats} repeats of {n_folds}-fold CV"
        for title, group in groups.items():
            print_keel(rows, group, methods, f"{title} ({cv})")
        tables["keel"] = {t: keel_table(rows, g, methods)[0] for t, g in groups.items()}
    for kind in ("digits_lt", "long_tail"):
        if kind in sections:
            tables[kind] = run_long_tail(kind, methods, seeds, args.n_jobs)
    return tables


if __name__ == "__main__":
    main()
