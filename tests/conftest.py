"""Shared fixtures: small data, and a calm torch on busy cores."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.abc
import importlib.machinery
import os
import signal
import sys

import numpy as np
import pytest
from sklearn import config_context, set_config
from sklearn.datasets import make_classification

from ltlearn.datasets import make_long_tailed_classification

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def pytest_configure(config):
    # A shell without job control starts its background jobs with SIGINT
    # ignored; the tests of Ctrl-C need Python's own handler, as in a terminal.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


@pytest.fixture
def make_long_tail():
    """Factory of small long-tailed training sets ``(X, y)``.

    Built on :func:`ltlearn.datasets.make_long_tailed_classification`: class
    ``0`` keeps ``n_max`` rows and the last class ``n_max / imbalance_ratio``
    (the test split it also makes is left out). The defaults give 3 classes
    of 180, 73 and 30 rows in 5 features.
    """

    def make(
        n_classes=3,
        imbalance_ratio=6,
        *,
        n_max=180,
        n_features=5,
        profile="exponential",
        class_sep=1.5,
        random_state=0,
    ):
        X, _, y, _ = make_long_tailed_classification(
            n_classes=n_classes,
            imbalance_ratio=imbalance_ratio,
            profile=profile,
            n_max=n_max,
            n_features=n_features,
            n_informative=min(n_features, 4),
            class_sep=class_sep,
            n_test_per_class=1,
            random_state=random_state,
            return_X_y=True,
        )
        return X, y

    return make


@pytest.fixture
def imbalanced_binary():
    """300 rows, 5 features, 10% minority (label 1)."""
    return make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        weights=[0.9, 0.1],
        class_sep=1.0,
        random_state=0,
    )


@pytest.fixture
def imbalanced_multiclass():
    """400 rows, 6 features, 4 classes with 200/120/60/20 samples."""
    X, y = make_classification(
        n_samples=400,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=4,
        n_clusters_per_class=1,
        weights=[0.5, 0.3, 0.15, 0.05],
        class_sep=1.5,
        random_state=0,
    )
    return X, y


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def pandas_infer_string():
    """pandas 2.1 to 2.3 read Python strings as ``str``, as pandas 3 does.

    Other pandas versions run as they are (pandas 3 always does so).
    """
    pd = pytest.importorskip("pandas")
    major, minor = (int(part) for part in pd.__version__.split(".")[:2])
    if major == 2 and minor >= 1:
        with pd.option_context("future.infer_string", True):
            yield
    else:
        yield


class _FailingImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A module that is found but fails to load with ``error``."""

    def __init__(self, name, error):
        self.name, self.error = name, error

    def find_spec(self, name, path=None, target=None):
        if name == self.name:
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise self.error


@pytest.fixture
def failing_import(monkeypatch):
    """``failing_import(name, error)``: importing ``name`` raises ``error``.

    As an installed package that fails to load does: torch's ``OSError`` for
    a shared library it cannot find, matplotlib's ``ValueError`` for an
    ``MPLBACKEND`` it refuses. ``sys.modules`` and ``sys.meta_path`` are
    given back after the test. Its submodules already imported are hidden
    too, or ``from name.sub import x`` would still succeed.
    """

    def fail(name, error):
        for module in list(sys.modules):
            if module == name or module.startswith(f"{name}."):
                monkeypatch.delitem(sys.modules, module)
        monkeypatch.setattr(
            sys, "meta_path", [_FailingImport(name, error), *sys.meta_path]
        )

    return fail


@pytest.fixture
def array_api_dispatch(monkeypatch):
    """scikit-learn's array API dispatch on, or the test skipped where it cannot be.

    scikit-learn asks for the variable that turns on SciPy's own array API
    support before it dispatches; the tests that use this fixture call no
    SciPy function on the arrays of another library.
    """
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    with config_context():
        try:
            set_config(array_api_dispatch=True)
        except ImportError as exc:  # SciPy < 1.14, or no array-api-compat
            pytest.skip(str(exc))
        yield
