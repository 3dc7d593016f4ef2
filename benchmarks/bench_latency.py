"""Serving latency: microseconds per call of fitted estimators, against peers.

A fitted model served one row (or a few) at a time pays, on every call, what
its methods do besides the arithmetic: checks of the input and of the fitted
state, wrappers. Each of ltlearn's estimators (the fast instances of the test
harness) and the recipes ``recommended``, ``plugin``, ``logit_adjustment``,
``threshold_moving``, ``smote``, ``cog`` and ``crest`` (with a logistic
regression) is fitted on 600 rows of 10 features (one class of 10%),
passed through ``pickle`` as a model loaded with ``joblib.load`` is, and its
``predict``, ``predict_proba``, ``decision_function`` and ``transform`` are
timed on 1 row and on 100 rows, next to its peer doing the same prediction
work:

- the post-hoc rules: the same method of their fitted logistic regression
  (``estimator_``; its ``predict`` and ``decision_function`` need no
  probabilities, the rules' do);
- the ensemble: each fitted model's ``predict_proba`` (``estimators_``, the
  forests and the logistic regression of ``recommended``);
- ``CReSTClassifier``: scikit-learn's ``SelfTrainingClassifier`` around the
  same model (a logistic regression; one row in three unlabelled);
- ``COGClassifier``: scikit-learn's ``OneVsOneClassifier`` around the same
  model (``LinearSVC``, COG's default; a logistic regression in ``cog``);
- ``recommended``: also imbalanced-learn's ``BalancedRandomForestClassifier``;
- ``smote``: the same pipeline with imbalanced-learn's ``SMOTE``;
- ``LongTailClassifier`` (``deep`` extra): skorch's ``NeuralNetClassifier``
  with the same fitted module, batches and softmax;
- the samplers: imbalanced-learn's sampler of the same name, ``fit_resample``
  on 120 rows (``rows`` 120).

Each cell is the median of ``--repeat`` calls (default 200; ``--quick``: 20),
ltlearn's and its peer's taken in turn so that both see the same load of the
machine; ``ratio`` is ltlearn's time over the peer's. One thread. ``--cpu``
times the CPU time of the calling thread instead of the wall time: on a
machine shared with other work, a call of a few milliseconds is often
preempted, and its wall time varies by 2x from run to run. Run from the
repository root (about 2 minutes)::

    nice -n 10 python benchmarks/bench_latency.py
    nice -n 10 python benchmarks/bench_latency.py --cpu
    nice -n 10 python benchmarks/bench_latency.py --quick --cases PluginClassifier
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import importlib.util
import os
import pickle
import statistics
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _common import positive_int, print_table  # noqa: E402
from imblearn import over_sampling as imblearn_samplers  # noqa: E402
from imblearn.ensemble import BalancedRandomForestClassifier  # noqa: E402
from imblearn.pipeline import make_pipeline  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.multiclass import OneVsOneClassifier  # noqa: E402
from sklearn.semi_supervised import SelfTrainingClassifier  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from ltlearn.recipes import make_recipe  # noqa: E402
from ltlearn.utils._test_common.instance_generator import (  # noqa: E402
    _tested_estimators,
)

METHODS = ("predict", "predict_proba", "decision_function", "transform")
ROWS = (1, 100)
SAMPLER_ROWS = 120
SAMPLERS = ("SMOTE", "SMOTENC", "SMOTEN")


class _Models:
    """Fitted models called one after the other: the work of an ensemble."""

    def __init__(self, models):
        self.models = models

    def predict_proba(self, X):
        return [model.predict_proba(X) for model in self.models]

    predict = predict_proba  # an ensemble predicts from the probabilities


def _roundtrip(model):
    """``model`` saved and loaded again, as a served model is."""
    return pickle.loads(pickle.dumps(model))


def _inner(model):
    """The fitted inner models of a post-hoc rule or of the ensemble."""
    if hasattr(model, "estimators_"):
        return _Models(model.estimators_)
    return model.estimator_


def _skorch_peer(net):
    """skorch's ``NeuralNetClassifier`` around the fitted module of ``net``.

    With ``net``'s batches, and a cross-entropy criterion so that skorch's
    ``predict_proba`` applies the softmax that ``net``'s does.
    """
    from skorch import NeuralNetClassifier
    from torch.nn import CrossEntropyLoss

    return NeuralNetClassifier(
        net.module_,
        criterion=CrossEntropyLoss,
        batch_size=net.batch_size,
        max_epochs=1,
        verbose=0,
        train_split=None,
    ).initialize()


def _specs():
    """``{case: (ltlearn model, peer's name[, peer])}``, unfitted.

    Without a peer, the peer is the fitted inner models (``_inner``), or for
    the network skorch's around its module.
    """
    harness = {type(est).__name__: est for est in _tested_estimators()}
    recipe = lambda name: make_recipe(name, random_state=0)  # noqa: E731
    logistic = lambda: LogisticRegression(max_iter=1000)  # noqa: E731
    specs = {
        "ThresholdMovingClassifier": (harness["ThresholdMovingClassifier"], "LR"),
        "LogitAdjustedClassifier": (harness["LogitAdjustedClassifier"], "LR"),
        "PluginClassifier": (harness["PluginClassifier"], "LR"),
        "PluginEnsembleClassifier": (harness["PluginEnsembleClassifier"], "LR"),
        "CReSTClassifier": (
            harness["CReSTClassifier"],
            "SelfTrainingClassifier",
            SelfTrainingClassifier(LogisticRegression(), max_iter=2),
        ),
        "COGClassifier": (
            harness["COGClassifier"],
            "OneVsOneClassifier",
            OneVsOneClassifier(LinearSVC()),
        ),
        "recipe recommended": (recipe("recommended"), "its models"),
        "recipe recommended/brf": (
            recipe("recommended"),
            "BalancedRandomForest",
            BalancedRandomForestClassifier(random_state=0),
        ),
        "recipe plugin": (recipe("plugin"), "LR"),
        "recipe logit_adjustment": (recipe("logit_adjustment"), "LR"),
        "recipe threshold_moving": (recipe("threshold_moving"), "LR"),
        "recipe smote": (
            recipe("smote"),
            "imblearn SMOTE + LR",
            make_pipeline(imblearn_samplers.SMOTE(random_state=0), logistic()),
        ),
        "recipe cog": (
            recipe("cog"),
            "OneVsOneClassifier",
            OneVsOneClassifier(logistic()),
        ),
        "recipe crest": (
            recipe("crest"),
            "SelfTrainingClassifier",
            SelfTrainingClassifier(logistic()),
        ),
    }
    if "LongTailClassifier" in harness and importlib.util.find_spec("skorch"):
        net = harness["LongTailClassifier"].set_params(max_epochs=2, verbose=0)
        specs["LongTailClassifier"] = (net, "skorch NeuralNetClassifier")
    return specs


def _cases(names=None):
    """``(name, fitted ltlearn model, peer's name, fitted peer, X)`` per case."""
    X, y = make_classification(600, 10, n_informative=5, weights=[0.9], random_state=0)
    y_semi = y.copy()
    y_semi[::3] = -1  # unlabelled rows
    for name, (model, peer_name, *peer) in _specs().items():
        if names is not None and name not in names:
            continue
        semi = "CReST" in name or "crest" in name
        X_fit = X.astype(np.float32) if name == "LongTailClassifier" else X
        model = _roundtrip(model.fit(X_fit, y_semi if semi else y))
        if peer:
            peer = _roundtrip(peer[0].fit(X_fit, y_semi if semi else y))
        elif name == "LongTailClassifier":
            peer = _skorch_peer(model)
        else:
            peer = _inner(model)
        yield name, model, peer_name, peer, X_fit


def _median_pair(first, second, repeat, clock=time.perf_counter):
    """Median seconds of ``first()`` and of ``second()``, called in turn."""
    times = ([], [])
    first(), second()  # warm up
    for _ in range(repeat):
        for func, kept in zip((first, second), times):
            start = clock()
            func()
            kept.append(clock() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def _row(case, peer_name, method, n_rows, seconds, peer_seconds):
    return {
        "case": case,
        "peer": peer_name,
        "method": method,
        "rows": n_rows,
        "ltlearn us": 1e6 * seconds,
        "peer us": None if peer_seconds is None else 1e6 * peer_seconds,
        "ratio": None if peer_seconds is None else seconds / peer_seconds,
    }


def time_predict(repeat, names=None, clock=time.perf_counter):
    """A row per case, method and number of rows; the peer's time beside."""
    rows = []
    for name, model, peer_name, peer, X in _cases(names):
        for method in METHODS:
            if not hasattr(model, method):
                continue
            peer_method = getattr(peer, method, None)
            for n_rows in ROWS:
                X_call = X[:n_rows].copy()
                call = getattr(model, method)
                if peer_method is None:
                    seconds, _ = _median_pair(
                        lambda: call(X_call), lambda: None, repeat, clock
                    )
                    rows.append(_row(name, "-", method, n_rows, seconds, None))
                    continue
                seconds, peer_seconds = _median_pair(
                    lambda: call(X_call), lambda: peer_method(X_call), repeat, clock
                )
                rows.append(
                    _row(name, peer_name, method, n_rows, seconds, peer_seconds)
                )
    return rows


def time_fit_resample(repeat, names=None, clock=time.perf_counter):
    """``fit_resample`` of each sampler against imbalanced-learn's, small data."""
    X, y = make_classification(
        SAMPLER_ROWS, 10, n_informative=5, weights=[0.9], random_state=0
    )
    harness = {type(est).__name__: est for est in _tested_estimators()}
    rows = []
    for name in SAMPLERS:
        if names is not None and name not in names:
            continue
        sampler = harness[name]
        X_name = {"SMOTEN": np.round(X).astype(int)}.get(name, X.copy())
        if name == "SMOTENC":
            X_name[:, -1] = np.round(X_name[:, -1])
        params = ["k_neighbors", "sampling_strategy", "random_state"]
        params += ["categorical_features"] if name == "SMOTENC" else []
        peer = getattr(imblearn_samplers, name)(
            **{key: sampler.get_params()[key] for key in params}
        )
        seconds, peer_seconds = _median_pair(
            lambda: sampler.fit_resample(X_name, y),
            lambda: peer.fit_resample(X_name, y),
            repeat,
            clock,
        )
        rows.append(
            _row(
                name,
                f"imblearn {name}",
                "fit_resample",
                SAMPLER_ROWS,
                seconds,
                peer_seconds,
            )
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=None,
        help="calls per cell, the median reported (default 200, 20 with --quick)",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        default=None,
        help="only these cases (names of the first column)",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the CPU time of the calling thread (time.thread_time), "
        "steady on a loaded machine, instead of the wall time",
    )
    args = parser.parse_args(argv)
    if args.cases is not None:
        names = [*_specs(), *SAMPLERS]
        unknown = sorted(set(args.cases) - set(names))
        if unknown:
            parser.error(f"--cases: unknown {unknown}; choose among {names}")
    repeat = args.repeat or (20 if args.quick else 200)
    warnings.filterwarnings("ignore")  # small classes of the small data
    try:
        import torch
    except ImportError:  # the deep extra
        pass
    else:
        torch.set_num_threads(1)
    with threadpool_limits(1):
        start = time.perf_counter()
        clock = time.thread_time if args.cpu else time.perf_counter
        rows = time_predict(repeat, args.cases, clock)
        rows += time_fit_resample(repeat, args.cases, clock)
        kind = "CPU" if args.cpu else "wall"
        print(f"\n## Microseconds ({kind}) per call, median of {repeat} calls\n")
        print_table(
            rows, ["case", "peer", "method", "rows", "ltlearn us", "peer us", "ratio"]
        )
        print(f"\nTotal {time.perf_counter() - start:.0f} s wall (one thread)")


if __name__ == "__main__":
    main()
