"""Inputs whose rows scikit-learn's ``_safe_indexing`` cannot take."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)
from ltlearn.semi_supervised import CReSTClassifier
from ltlearn.utils._rows import indexable_rows


class _OtherLibraryArray:
    """An array of another array library, as array-api-strict's.

    NumPy reads it; its rows are taken only with index arrays of its own.
    """

    def __init__(self, array):
        self._array = np.asarray(array)
        self.shape, self.ndim, self.dtype = (
            self._array.shape, self._array.ndim, self._array.dtype
        )  # fmt: skip

    def __array_namespace__(self, api_version=None):
        return self  # a stand-in: only its presence matters here

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._array, dtype=dtype)

    def __len__(self):
        return len(self._array)

    def __getitem__(self, key):
        keys = key if isinstance(key, tuple) else (key,)
        if any(isinstance(part, (np.ndarray, list)) for part in keys):
            raise IndexError("Index arrays must be arrays of this library")
        return self._array[key]


@pytest.fixture
def data():
    X, y = make_classification(
        n_samples=90, n_classes=3, n_informative=4, weights=[0.6, 0.3, 0.1],
        random_state=0,
    )  # fmt: skip
    return X, y


def _unlabelled(y):
    y = y.copy()
    y[::3] = -1
    return y


@pytest.mark.parametrize("wrap", [memoryview, _OtherLibraryArray])
@pytest.mark.parametrize(
    "make, unlabelled",
    [
        (lambda: PluginClassifier(LogisticRegression(), cv=3), False),
        (
            lambda: PluginEnsembleClassifier(
                [("lr", LogisticRegression())], cv=3, random_state=0
            ),
            False,
        ),
        (lambda: CReSTClassifier(LogisticRegression(), max_iter=2), True),
        (
            lambda: LogitAdjustedClassifier(LogisticRegression(), tau="auto", cv=3),
            False,
        ),
    ],
    ids=["plugin", "ensemble", "crest", "logit_adjusted_auto"],
)
def test_rows_of_a_memoryview_or_another_array_library_are_taken(
    data, wrap, make, unlabelled
):
    # They failed on taking rows, with "memoryview: invalid slice key" or
    # array-api-strict's "Index arrays for array_api_strict must be
    # array_api_strict arrays"; the estimators they wrap read such X.
    X, y = data
    y = _unlabelled(y) if unlabelled else y
    expected = make().fit(X, y)
    fitted = make().fit(wrap(X), y)
    np.testing.assert_array_equal(fitted.predict_proba(X), expected.predict_proba(X))
    assert fitted.score(wrap(X), y) == expected.score(X, y)


def test_indexable_rows_keeps_what_scikit_learn_indexes(data):
    X, y = data
    rows = X.tolist()
    assert indexable_rows(rows, y)[0] is rows
    assert indexable_rows(X, None)[0] is X
    taken = indexable_rows(memoryview(X))[0]
    assert isinstance(taken, np.ndarray)
    np.testing.assert_array_equal(taken, X)


@pytest.mark.parametrize("make", [LogitAdjustedClassifier, ThresholdMovingClassifier])
def test_a_float32_memoryview_gives_the_fit_of_the_array(data, make):
    # LogisticRegression reads a memoryview (as an array of another library)
    # as float64 and a float32 array as float32: the fit on it differed from
    # the fit on the array.
    X, y = data
    X = X.astype(np.float32)
    expected = make(LogisticRegression()).fit(X, y).predict_proba(X)
    fitted = make(LogisticRegression()).fit(memoryview(X), y)
    np.testing.assert_array_equal(fitted.predict_proba(X), expected)
