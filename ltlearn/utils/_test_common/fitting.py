"""Data, fits and comparisons shared by ltlearn's estimator checks."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import warnings

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification


def make_data(n_samples=150, n_classes=3, random_state=0):
    """Small data of four features; three classes weigh 0.6, 0.3 and 0.1."""
    weights = [0.6, 0.3, 0.1] if n_classes == 3 else None
    X, y = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        weights=weights,
        class_sep=1.5,
        random_state=random_state,
    )
    return X, y


def data_for(estimator, n_classes=3, frame=False):
    """Small data of ``n_classes`` classes that ``estimator`` takes.

    Binary columns for ``SMOTEN``, a binary first column for ``SMOTENC``,
    float32 for ``LongTailClassifier``, every fourth row unlabelled (-1) for
    ``CReSTClassifier``; a DataFrame of string column names when ``frame``.
    """
    X, y = make_data(n_samples=60, n_classes=n_classes)
    name = type(estimator).__name__
    if name == "SMOTEN":
        X = (X > 0).astype(int)
    elif name == "SMOTENC":
        X[:, 0] = X[:, 0] > 0
    elif name == "LongTailClassifier":
        X = X.astype(np.float32)
    elif name == "CReSTClassifier":
        y[::4] = -1
    if frame:
        import pandas as pd

        X = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    return X, y


def extension_frame(X):
    """``X`` as a DataFrame of pandas' extension dtypes, on a shuffled index.

    Nullable ``Float64`` columns, and pyarrow-backed ``double[pyarrow]`` ones
    when pyarrow is installed.
    """
    import pandas as pd

    columns = {f"f{j}": pd.array(X[:, j], dtype="Float64") for j in range(X.shape[1])}
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        pass
    else:
        for j in range(1, X.shape[1], 2):
            columns[f"f{j}"] = pd.array(X[:, j], dtype="double[pyarrow]")
    index = np.random.RandomState(0).permutation(X.shape[0]) + 1000
    return pd.DataFrame(columns, index=index)


def is_sampler(estimator):
    """Whether ``estimator`` resamples (has ``fit_resample``)."""
    return hasattr(estimator, "fit_resample")


def accepts_sample_weight(estimator):
    """Whether ``estimator`` is a model whose ``fit`` names ``sample_weight``."""
    if is_sampler(estimator) or not hasattr(estimator, "fit"):
        return False
    return "sample_weight" in inspect.signature(estimator.fit).parameters


def takes_labels(estimator):
    """Whether ``estimator`` is a classifier or a sampler, whose ``y`` are labels.

    The label checks do not concern other estimators (a transformer, a
    regressor): they pass them, as the checks of other kinds do.
    """
    return is_sampler(estimator) or is_classifier(estimator)


def seeded_clone(estimator):
    """A clone of ``estimator``, with ``random_state=0`` where it has one."""
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    return est


def fit_or_resample(est, X, y, sample_weight=None):
    """Fit ``est`` in place; return ``fit_resample``'s output for a sampler."""
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    if is_sampler(est):
        return est.fit_resample(X, y, **kwargs)
    est.fit(X, y, **kwargs)
    return None


def predictions(est, X):
    """What a fitted ``est`` produces on ``X``."""
    outputs = {}
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        if hasattr(est, method):
            outputs[method] = getattr(est, method)(X)
    return outputs


def outputs(estimator, X, y, sample_weight=None, X_test=None):
    """Fit a clone of ``estimator`` and return what it produces on ``X``.

    A sampler's output is its resampled ``X`` and ``y``; a classifier's or a
    transformer's, its predictions on ``X_test`` (default: ``X``).
    """
    est = clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        resampled = fit_or_resample(est, X, y, sample_weight)
        if resampled is not None:
            return {"X_res": resampled[0], "y_res": resampled[1]}
        return predictions(est, X if X_test is None else X_test)


def assert_same(first, second, name):
    """Assert that two dicts of outputs agree, floats to ``assert_allclose``."""
    for key in first:
        a, b = np.asarray(first[key]), np.asarray(second[key])
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(
                a, b, err_msg=f"{name}.{key} differs between two identical runs"
            )
        else:
            np.testing.assert_array_equal(
                a, b, err_msg=f"{name}.{key} differs between two identical runs"
            )
