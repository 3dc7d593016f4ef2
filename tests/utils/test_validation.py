"""Tests of the validation helpers shared by ltlearn's estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from ltlearn.utils._validation import check_no_missing_labels, check_sample_weight

pd = pytest.importorskip("pandas")


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


@pytest.mark.parametrize(
    "weights, match",
    [
        ([1.0, np.nan, 1.0, 1.0], r"row 1 holds nan\.$"),
        ([1.0, 1.0, np.inf, -np.inf], r"row 2 holds inf \(and 1 more row\)\.$"),
        ([-1.0, 1.0, -np.inf, np.nan], r"row 0 holds -1\.0 \(and 2 more rows\)\.$"),
        ([1.0, 1.0, 1.0, -0.5], r"row 3 holds -0\.5\.$"),
        (-1.0, r"got -1\.0\.$"),
        (np.nan, r"got nan\.$"),
    ],
    ids=["NaN", "inf", "several", "negative", "negative scalar", "NaN scalar"],
)
def test_a_bad_sample_weight_is_named_by_its_row(weights, match):
    # a weight of a million rows was refused without saying which or why
    with pytest.raises(ValueError, match="finite, non-negative weights; " + match):
        check_sample_weight(weights, 4)


def test_a_sample_weight_that_is_not_a_number_is_named():
    with pytest.raises(ValueError, match="sample_weight must hold numbers: could"):
        check_sample_weight(["a", "b"], 2)


def test_a_ragged_sample_weight_ends_its_message_once():
    # NumPy's message ends with a full stop: the refusal ended with two
    with pytest.raises(ValueError, match="must hold numbers: setting") as error:
        check_sample_weight([[1.0, 2.0], [3.0]], 2)
    assert not str(error.value).endswith("..")
