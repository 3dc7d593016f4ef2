"""Run the (data set x method x fold) grid, resumably, on a joblib backend."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import functools
import hashlib
import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ltlearn._compare._columns import _ColumnPositions
from ltlearn._compare._data import CompareError, check_folds
from ltlearn._compare._recorded_warnings import record_warnings
from ltlearn._compare._results import (
    _FLOATS,
    FIELDS,
    ResultsFile,
    check_output,
    visible,
)
from ltlearn.metrics._classification import _per_class_recall
from ltlearn.recipes._registry import RECIPES
from ltlearn.utils._interrupts import record_interrupts
from ltlearn.utils._show_versions import _get_deps_info


def _describe(obj):
    """A stable text of an estimator and its parameters, nested ones included."""
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(_describe(item) for item in obj) + "]"
    if isinstance(obj, _ColumnPositions):  # the names it selects, not its repr
        return _describe(obj.columns)
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, type) or callable(obj) and hasattr(obj, "__qualname__"):
        return f"{getattr(obj, '__module__', '')}.{obj.__qualname__}"
    if hasattr(obj, "get_params") and not isinstance(obj, type):
        params = obj.get_params(deep=False)
        inner = ", ".join(f"{k}={_describe(params[k])}" for k in sorted(params))
        return f"{type(obj).__module__}.{type(obj).__qualname__}({inner})"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(obj))


# The libraries whose release can change what a recipe fits and predicts.
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "imbalanced-learn")
_DEEP_LIBRARIES = ("torch", "skorch")


@functools.cache
def _versions(libraries):
    return " ".join(f"{name} {v}" for name, v in _get_deps_info(libraries).items())


def recipe_fingerprint(recipe, seed, context, preprocessing):
    """A short hash of what a recipe fits, its preprocessing included.

    With the versions of ltlearn and of the libraries the recipe runs on
    (numpy, scipy, scikit-learn, imbalanced-learn; torch and skorch for a
    deep recipe). Results are reused only when it matches, so a changed
    recipe, estimator default, reading of the columns (a column parsed into
    numbers instead of encoded as categories), ltlearn release or upgraded
    library never mixes with older rows.
    """
    import ltlearn

    try:
        steps = _describe(recipe.pipeline(seed, context, preprocessing))
    except Exception as exc:  # reported by the fit itself, on the worker
        steps = f"cannot be built: {type(exc).__name__}"
    libraries = _LIBRARIES + (_DEEP_LIBRARIES if recipe.deep else ())
    text = f"{ltlearn.__version__} {_versions(libraries)} {steps}"
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def _take(X, indices):
    return X.iloc[indices] if hasattr(X, "iloc") else X[indices]


def _summarize_warnings(caught, limit=500):
    messages = dict.fromkeys(
        f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
    )
    return " | ".join(messages)[:limit]


def _scores(y_test, y_pred, train_count):
    """The metrics of one test fold, and its per-class recall as JSON."""
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import balanced_accuracy_score, f1_score

    labels = np.arange(train_count.size)
    recall = _per_class_recall(y_test, y_pred, labels)
    class_recall = {
        "train_count": train_count.tolist(),
        "recall": [None if np.isnan(r) else float(r) for r in recall],
    }
    return {
        "balanced_accuracy": balanced_accuracy_score(y_test, y_pred),
        "geometric_mean": geometric_mean_score(y_test, y_pred),
        "macro_f1": f1_score(y_test, y_pred, labels=labels, average="macro"),
        "class_recall": json.dumps(class_recall),
    }


def _fit_predict(build, X, y, train, test, row):
    """Build a model, fit it on the training rows and predict the test rows.

    Times both into ``row``. Returns the predictions, or None with the error
    in ``row`` when the model cannot be built, fitted or used to predict.
    """
    try:
        model = build()
        start = time.perf_counter()
        model.fit(_take(X, train), y[train])
        row["fit_time"] = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = np.asarray(model.predict(_take(X, test)))
        row["predict_time"] = time.perf_counter() - start
    except Exception as exc:  # one failing fit must not stop the grid
        message = str(exc).strip().splitlines()
        row.update(
            status="error",
            error=f"{type(exc).__name__}: {message[0] if message else ''}"[:500],
        )
        return None
    return y_pred


@contextlib.contextmanager
def _torch_threads(n_threads):
    """Run the block with torch on ``n_threads`` threads, then restore them.

    The parallel fits each run on one thread; a fit in the caller's process
    (``n_jobs=1``) leaves the caller's setting as it found it. ``None`` leaves
    torch alone (and unimported).
    """
    if n_threads is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def fit_and_score(X, y, preprocessing, method, train, test, seed, context):
    """Fit one recipe on one training fold and score it on the test fold.

    Runs on the worker. ``method`` is a key of the registry; nothing else
    chooses what is fitted.

    Returns
    -------
    row : dict
        The metrics, timings, per-class recall with training counts, and the
        warnings raised; ``status`` is ``"error"`` with the message when the
        fit or the prediction fails.
    """
    recipe = RECIPES[method]
    if not recipe.semi_supervised:
        train = train[y[train] >= 0]
    y_train = y[train]
    row = {
        "n_train": int(np.count_nonzero(y_train >= 0)),
        "n_test": int(test.size),
        "status": "ok",
        "error": "",
    }
    with (
        record_warnings() as caught,
        record_interrupts() as interrupts,
        _torch_threads(1 if recipe.deep else None),
    ):
        build = functools.partial(recipe.pipeline, seed, context, preprocessing)
        y_pred = _fit_predict(build, X, y, train, test, row)
        if interrupts:
            # The fit was interrupted, whatever it returned or raised: nothing
            # of it is scored or recorded.
            raise KeyboardInterrupt
        if y_pred is not None:
            train_count = np.bincount(
                y_train[y_train >= 0], minlength=int(context["n_classes"])
            )
            row.update(_scores(y[test], y_pred, train_count))
    row["warnings"] = _summarize_warnings(caught)
    return row


def _folds(dataset, cv, seed):
    """The (train, test) rows of each fold: stratified over the labelled rows.

    The unlabelled rows join every training fold; where the rows are grouped
    (``--groups``), a test fold takes whole groups, and the unlabelled rows
    of its groups stay out of its training rows.
    """
    from sklearn.model_selection import StratifiedKFold

    labelled = dataset.labelled
    unlabelled = np.flatnonzero(dataset.y < 0)
    if dataset.groups is None:
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
        splits = splitter.split(labelled, dataset.y[labelled])
    else:
        from ltlearn._compare._groups import grouped_splits

        splits = grouped_splits(dataset, labelled, cv, seed)
    folds = []
    for train, test in splits:
        extra = unlabelled
        if dataset.groups is not None:
            tested = np.isin(dataset.groups[unlabelled], dataset.groups[labelled[test]])
            extra = unlabelled[~tested]
        folds.append(
            (np.sort(np.concatenate([labelled[train], extra])), labelled[test])
        )
    return folds


class _Progress:
    """tqdm when it is installed, otherwise a counter on stderr."""

    def __init__(self, total, enabled):
        self.total, self.done, self.bar = total, 0, None
        self.enabled = enabled and total > 0
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, unit="fit", desc="compare", file=sys.stderr)

    def update(self, label):
        self.done += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(label, refresh=False)
            self.bar.update(1)
        else:
            end = "\n" if self.done == self.total else ""
            print(
                f"\r[{self.done:>{len(str(self.total))}}/{self.total}] {label:<50}",
                end=end,
                file=sys.stderr,
                flush=True,
            )

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.close()


def check_backend(backend, scheduler=None):
    """Refuse a backend that cannot run here, or a scheduler without Dask.

    Checked before the results file is read, not when the first fit is sent:
    a rerun whose fits were all in ``results.csv`` took ``--backend ray``
    without ray, or ``--scheduler`` with ``--backend loky``, without a word,
    where the first run had refused them.
    """
    if scheduler is not None and backend != "dask":
        raise CompareError(
            f"--scheduler needs --backend dask, not --backend {backend}: the "
            "scheduler is the address of a Dask cluster."
        )
    if backend == "ray":
        try:
            import ray.util.joblib  # noqa: F401
        except ImportError:
            raise CompareError(
                "--backend ray needs ray, which is not installed: "
                "pip install 'ray[default]'"
            ) from None
    elif backend == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise CompareError(
                "--backend dask needs dask.distributed, which is not installed: "
                "pip install 'ltlearn[distributed]'"
            ) from None


@contextlib.contextmanager
def _backend(backend, scheduler, n_jobs):
    """Set joblib's backend; yield the n_jobs for Parallel.

    ``backend`` and ``scheduler`` are those :func:`run_comparison` checked
    with :func:`check_backend`.
    """
    import joblib

    if backend == "loky":
        with joblib.parallel_config(backend="loky", n_jobs=n_jobs):
            yield n_jobs
        return
    if backend == "ray":
        from ray.util.joblib import register_ray

        register_ray()
        with joblib.parallel_config(backend="ray", n_jobs=n_jobs):
            yield n_jobs
        return
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            n_workers = joblib.effective_n_jobs(n_jobs)
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    dashboard_address=None,
                )
            )
            scheduler = cluster.scheduler_address
        try:
            stack.enter_context(Client(scheduler, timeout="10s"))
        except (OSError, ValueError) as exc:
            # ValueError: an address Dask cannot read ("missing port number").
            raise CompareError(
                f"Cannot reach the Dask scheduler at {scheduler!r}: {exc}"
            ) from None
        with joblib.parallel_config(backend="dask"):
            yield -1


@dataclass
class Comparison:
    """What a run produced: its rows and what it ran on."""

    rows: list
    datasets: list
    methods: list
    config: dict
    skipped: dict = field(default_factory=dict)
    output: Path = None
    n_reused: int = 0


def run_comparison(
    datasets,
    recipes,
    *,
    cv=5,
    scoring="balanced_accuracy",
    seed=0,
    n_jobs=1,
    backend="loky",
    scheduler=None,
    output=None,
    progress=True,
    skipped=None,
):
    """Cross-validate every recipe on every data set.

    Parameters
    ----------
    datasets : list of Dataset
        The data.
    recipes : list of Recipe
        The methods. Semi-supervised recipes run only on data with unlabelled
        rows.
    cv : int, default=5
        Stratified folds (over the labelled rows; the unlabelled rows join
        every training fold). A data set whose rows are grouped (see
        :func:`~ltlearn._compare._user_table.load_table`'s ``groups``) is
        split by scikit-learn's ``StratifiedGroupKFold``: each group in one
        test fold, its unlabelled rows out of that fold's training rows.
    scoring : str, default="balanced_accuracy"
        The scoring the report ranks by (the plug-in recipe also targets it).
    seed : int, default=0
        Seeds the folds and every recipe.
    n_jobs : int, default=1
        Parallel fits, with Dask the workers of its local cluster; not used
        with ``scheduler``, whose cluster runs a fit on each worker thread.
    backend : {"loky", "dask", "ray"}, default="loky"
        The joblib backend.
    scheduler : str, default=None
        Address of an existing Dask scheduler.
    output : path-like, default=None
        Directory for ``results.csv``; a rerun there skips the finished fits.
    progress : bool, default=True
        Show a progress bar on stderr.
    skipped : dict, default=None
        ``{method: reason}`` of recipes already left out, for the report.

    Returns
    -------
    comparison : Comparison
    """
    check_backend(backend, scheduler)
    config = {"cv": cv, "seed": seed, "scoring": scoring}
    # The refusals of the options first: a refused run creates no directory.
    tasks, infos, not_run = _tasks(datasets, recipes, config)
    path = None if output is None else check_output(output)
    skipped = {**(skipped or {}), **not_run}
    results = ResultsFile(path)
    rows, pending = _reuse(tasks, results.read())
    n_reused = len(rows)
    if n_reused and progress:
        print(
            f"{n_reused} of {len(tasks)} fits already in {visible(path)}; "
            f"running the other {len(pending)}.",
            file=sys.stderr,
        )
    if pending:
        rows += _run_and_record(pending, results, backend, scheduler, n_jobs, progress)
    return Comparison(
        rows=_in_task_order(rows, tasks),
        datasets=infos,
        methods=[recipe.name for recipe in recipes],
        config={**config, "backend": backend, "n_jobs": n_jobs},
        skipped=skipped,
        output=None if output is None else Path(output),
        n_reused=n_reused,
    )


def _tasks(datasets, recipes, config):
    """The (data set, recipe, fold) fits to run.

    Returns the tasks ``(key, dataset, train, test, context)``, the data sets'
    infos, and ``{method: reason}`` for the recipes left out of some data sets.
    """
    cv, seed = config["cv"], config["seed"]
    tasks, infos, without_unlabelled, binary_only = [], [], {}, {}
    for dataset in datasets:
        check_folds(dataset, cv)
        infos.append(dataset.info())
        fingerprint = dataset.fingerprint()
        folds = _folds(dataset, cv, seed)
        context = dataset.context(config["scoring"])
        for recipe in recipes:
            if recipe.semi_supervised and dataset.n_unlabelled == 0:
                without_unlabelled.setdefault(recipe.name, []).append(dataset.name)
                continue
            if recipe.binary_only and dataset.classes.size > 2:
                binary_only.setdefault(recipe.name, []).append(dataset.name)
                continue
            recipe_key = recipe_fingerprint(
                recipe, seed, context, dataset.preprocessing
            )
            for fold, (train, test) in enumerate(folds):
                key = {
                    "dataset": dataset.name,
                    "method": recipe.name,
                    "fold": fold,
                    **config,
                    "data": fingerprint,
                    "recipe": recipe_key,
                }
                tasks.append((key, dataset, train, test, context))
    not_run = {
        name: "semi-supervised, it runs only on data with unlabelled rows; not run "
        f"on {', '.join(names)}"
        for name, names in without_unlabelled.items()
    }
    for name, names in binary_only.items():
        not_run[name] = f"binary only; not run on {', '.join(names)}"
    if not tasks:
        raise CompareError(
            "Nothing to run: the semi-supervised methods need data with "
            "unlabelled rows (target -1, see --unlabelled), and no other method "
            "was chosen."
            if recipes
            else "Nothing to run: no method was chosen."
        )
    return tasks, infos, not_run


# The columns of results.csv that say which fit a row is.
_KEY = ("dataset", "method", "fold", "cv", "seed", "scoring", "data", "recipe")


def _reuse(tasks, previous):
    """The rows of ``previous`` that finish a task, and the tasks still to run."""
    latest = {tuple(row[name] for name in _KEY): row for row in previous}
    done, pending = [], []
    for task in tasks:
        row = latest.get(tuple(task[0][name] for name in _KEY))
        if row is not None and row["status"] == "ok":
            done.append(row)
        else:
            pending.append(task)
    return done, pending


def _run_and_record(tasks, results, backend, scheduler, n_jobs, progress):
    """Fit the tasks in parallel; append each row to ``results`` as it finishes."""
    from joblib import Parallel, delayed, effective_n_jobs

    if scheduler is None and backend in ("loky", "dask"):
        # -1 (the default) is a worker per core, -2 all the cores but one.
        # Not on a Dask scheduler or Ray, whose -1 is the cluster's workers.
        n_jobs = effective_n_jobs(n_jobs)
    if n_jobs > len(tasks):
        # A worker per fit at most: loky and a local Dask cluster start every
        # worker at once, so --n-jobs 1000 started 1000 processes for 10 fits.
        n_jobs = len(tasks)
    rows = []
    with (
        _backend(backend, scheduler, n_jobs) as jobs,
        results as writer,
        _Progress(len(tasks), progress) as bar,
    ):
        parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
        for row in parallel(
            delayed(_run_one)(
                key, dataset.X, dataset.y, dataset.preprocessing, train, test, context
            )
            for key, dataset, train, test, context in tasks
        ):
            rows.append(row)
            writer.write(row)
            bar.update(f"{row['dataset']} {row['method']} {row['fold']}")
    return rows


def _in_task_order(rows, tasks):
    order = {
        (key["dataset"], key["method"], key["fold"]): i
        for i, (key, *_) in enumerate(tasks)
    }
    return sorted(
        rows, key=lambda row: order[(row["dataset"], row["method"], row["fold"])]
    )


def _run_one(key, X, y, preprocessing, train, test, context):
    row = fit_and_score(
        X, y, preprocessing, key["method"], train, test, key["seed"], context
    )
    row = {**key, **row}
    for name in _FLOATS:
        row.setdefault(name, math.nan)
    return {name: row.get(name, "") for name in FIELDS}
