"""Tests of the validation helpers shared by ltlearn's estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from ltlearn.utils._validation import check_no_missing_labels

pd = pytest.importorskip("pandas")


def assert_feature_names_warned_once(estimator, X, y, methods):
    """Check the feature-name warnings of ``estimator``'s ``methods``.

    Fitted on a DataFrame and given an array, or the reverse, each method
    gives scikit-learn's warning once, naming ``estimator`` (not a model it
    holds); columns in another order are refused.
    """
    columns = [f"x{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    named = clone(estimator).fit(frame, y)
    unnamed = clone(estimator).fit(X, y)
    name = type(estimator).__name__
    for clf, data, expected in [
        (named, X, f"X does not have valid feature names, but {name} was "),
        (unnamed, frame, f"X has feature names, but {name} was "),
    ]:
        for method in methods:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                getattr(clf, method)(data)
            messages = [str(w.message) for w in caught]
            assert len(messages) == 1, (method, messages)
            assert messages[0].startswith(expected), (method, messages)
    with pytest.raises(ValueError, match="same order"):
        named.predict(frame[columns[::-1]])


@pytest.mark.parametrize(
    "y",
    [
        np.zeros(0),
        np.zeros((0, 2)),
        np.array(["a", "b"], dtype=object),
        pd.Series([1, 2], dtype="Int64"),
        pd.Series(["a", "b"], dtype="category"),
    ],
    ids=["empty", "empty 2-D", "object", "Int64", "category"],
)
def test_targets_without_missing_labels_pass(y):
    check_no_missing_labels(y)  # an empty float y reshaped to (0, -1) failed


@pytest.mark.parametrize(
    "y, rows",
    [
        (np.array([0.0, np.nan, 1.0]), "row 1"),
        (np.array([["a", "b"], [None, "c"]], dtype=object), "row 1"),
        (pd.Series(["a", None, "b", None], dtype="string"), "rows 1, 3"),
        (pd.Series([1, None, 2], dtype="Int64"), "row 1"),
        (pd.Series(pd.Categorical(["a", None, "b"])), "row 1"),
        (pd.DataFrame({"a": [1, 2], "b": [3, None]}), "row 1"),
    ],
)
def test_missing_labels_are_refused_by_row(y, rows):
    with pytest.raises(
        ValueError, match=rf"missing labels? \(NaN, None or pd.NA\), at {rows}:"
    ):
        check_no_missing_labels(y)
