"""Tests of the validation helpers shared by ltlearn's estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from ltlearn.decomposition import COGClassifier
from ltlearn.metrics import imbalance_report, shot_accuracy
from ltlearn.over_sampling import SMOTE
from ltlearn.post_hoc import ThresholdMovingClassifier
from ltlearn.semi_supervised import CReSTClassifier
from ltlearn.utils._validation import (
    check_classes,
    check_no_missing_labels,
    check_one_label_type,
    check_sample_weight,
    real_values,
)

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
        (np.inf, r"got inf\.$"),
    ],
    ids=[
        "NaN",
        "inf",
        "several",
        "negative",
        "negative scalar",
        "NaN scalar",
        "inf scalar",
    ],
)
def test_a_bad_sample_weight_is_named_by_its_row(weights, match):
    # a weight of a million rows was refused without saying which or why
    with pytest.raises(ValueError, match="finite, non-negative weights; " + match):
        check_sample_weight(weights, 4)


@pytest.mark.parametrize("weight", [2, 0.5, np.float32(3.0)])
def test_a_scalar_sample_weight_is_one_weight_per_sample(weight):
    # as scikit-learn's _check_sample_weight
    weights = check_sample_weight(weight, 3)
    assert weights.dtype == np.float64
    assert_array_equal(weights, np.full(3, float(weight)))


def test_a_sample_weight_that_is_not_a_number_is_named():
    with pytest.raises(ValueError, match="sample_weight must hold numbers: could"):
        check_sample_weight(["a", "b"], 2)


@pytest.mark.parametrize(
    "weights",
    [np.array([1j, 1.0, 1.0]), [1 + 1j, 1, 1], 2j],
    ids=["array", "list", "scalar"],
)
def test_a_complex_sample_weight_is_refused(weights):
    # as scikit-learn's metrics refuse it: the cast to float dropped the
    # imaginary part, a weight 1j counting as 0, with NumPy's warning only
    with pytest.raises(ValueError, match="must hold real numbers; got complex"):
        check_sample_weight(weights, 3)


class _OldStyleArray:
    """An array-like whose ``__array__`` takes no copy keyword, as torch's."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None):
        return np.asarray(self.values, dtype=dtype)


def test_weights_and_costs_of_an_array_without_a_copy_keyword():
    # np.array(tensor, dtype=float) warned that __array__ takes no copy keyword
    values = np.array([1.0, 2.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        weights = check_sample_weight(_OldStyleArray(values), 3)
        costs = real_values(_OldStyleArray(values), "cost_matrix")
    assert_array_equal(weights, values)
    assert_array_equal(costs, values)
    assert not np.shares_memory(costs, values)  # a new array, as promised


def test_a_ragged_sample_weight_ends_its_message_once():
    # NumPy's message ends with a full stop: the refusal ended with two
    with pytest.raises(ValueError, match="must hold numbers: setting") as error:
        check_sample_weight([[1.0, 2.0], [3.0]], 2)
    assert not str(error.value).endswith("..")


@pytest.mark.parametrize(
    "y",
    [
        np.array(["a", "b", 1.5, 0], dtype=object),
        np.array([0, "a", 1, "b"], dtype=object),
        pd.Series(["a", 1, "a", 1], dtype=object),
        pd.Series(pd.Categorical(["a", 1, "a", 1])),
    ],
    ids=["string first", "number first", "Series", "category"],
)
def test_labels_that_mix_strings_and_numbers_are_refused_by_name(y):
    # scikit-learn failed with "'<' not supported between instances of ..."
    # (a string first) or "Unknown label type: unknown. Maybe you are trying
    # to fit a classifier, which expects discrete classes on a regression
    # target" (a number first).
    with pytest.raises(ValueError, match="y_true mixes strings and numbers"):
        check_one_label_type(y, input_name="y_true")


@pytest.mark.parametrize(
    "y",
    [
        np.array(["a", "b"]),
        np.array(["a", np.str_("b")], dtype=object),
        np.array([1, 2.5, True], dtype=object),
        ["a", 1],  # numpy reads it as strings, as scikit-learn does
        pd.Series(["a", "b"], dtype="string"),
        pd.Series(pd.Categorical(["a", "b"])),
    ],
)
def test_labels_of_one_type_pass(y):
    check_one_label_type(y)


@pytest.mark.parametrize(
    "fit",
    [
        lambda X, y: SMOTE(k_neighbors=2).fit_resample(X, y),
        lambda X, y: ThresholdMovingClassifier(LogisticRegression()).fit(X, y),
        lambda X, y: COGClassifier(n_clusters=2).fit(X, y),
        lambda X, y: imbalance_report(y, y),
        lambda X, y: shot_accuracy(y, y, y_train=y),
    ],
    ids=["SMOTE", "ThresholdMovingClassifier", "COGClassifier", "report", "shot"],
)
@pytest.mark.parametrize("first", ["a", 0])
def test_estimators_and_metrics_refuse_mixed_labels_by_name(fit, first):
    X = np.random.RandomState(0).standard_normal((12, 2))
    y = np.array([first, "b", 1] * 4, dtype=object)
    with pytest.raises(ValueError, match=r"mixes strings and numbers \("):
        fit(X, y)


def test_crest_takes_string_labels_with_the_int_unlabelled_marker():
    # The check reads the labelled rows only.
    X = np.random.RandomState(0).standard_normal((40, 2))
    y = np.array(["a", "b"] * 15 + [-1] * 10, dtype=object)
    clf = CReSTClassifier(LogisticRegression(), max_iter=1).fit(X, y)
    assert clf.classes_.tolist() == ["a", "b"]


@pytest.mark.parametrize(
    "y",
    [
        np.array([["a", "b"], ["b", -1]] * 10, dtype=object),
        pd.DataFrame({"name": ["a", "b"] * 10, "code": [0, 1] * 10}),
    ],
    ids=["array", "DataFrame"],
)
def test_a_multi_output_y_of_strings_and_numbers_is_refused_as_multi_output(y):
    # It was told to convert its labels to one type (a TypeError of Python's
    # "<" before), though CReST marks unlabelled rows with -1 among strings.
    X = np.random.RandomState(0).standard_normal((20, 2))
    clf = CReSTClassifier(LogisticRegression(), max_iter=1)
    with pytest.raises(ValueError, match="Multilabel and multioutput targets"):
        clf.fit(X, y)


_MULTI_OUTPUT_CLASSIFIERS = {
    "ThresholdMovingClassifier": lambda: ThresholdMovingClassifier(
        LogisticRegression()
    ),
    "COGClassifier": lambda: COGClassifier(n_clusters=2),
    "CReSTClassifier": lambda: CReSTClassifier(LogisticRegression(), max_iter=1),
}


@pytest.mark.parametrize(
    "make", _MULTI_OUTPUT_CLASSIFIERS.values(), ids=_MULTI_OUTPUT_CLASSIFIERS.keys()
)
@pytest.mark.parametrize(
    "y, kind, hint",
    [
        (
            np.c_[np.arange(20) % 2, np.arange(20) % 3 == 0],
            "multilabel-indicator",
            "OneVsRestClassifier",
        ),
        (
            np.c_[np.arange(20) % 3, np.arange(20) % 2],
            "multiclass-multioutput",
            "MultiOutputClassifier",
        ),
        (
            np.eye(3, dtype=int)[np.arange(20) % 3],
            "multilabel-indicator",
            r"np\.argmax\(y, axis=1\)",
        ),
        (
            np.linspace(0, 1, 40).reshape(20, 2),
            "continuous-multioutput",
            "discrete class labels, not a regression target",
        ),
    ],
    ids=["multilabel", "multiclass-multioutput", "one-hot", "continuous"],
)
def test_a_target_of_several_columns_is_named_with_the_way_to_fit_it(
    make, y, kind, hint
):
    # The message said only "Multilabel and multioutput targets are not
    # supported.", with neither the target's type nor its shape, where
    # scikit-learn's classifiers name the shape.
    X = np.random.RandomState(0).standard_normal((20, 2))
    with pytest.raises(ValueError, match=rf"is a {kind} target of shape \(20, ") as e:
        make().fit(X, y)
    assert re.search(hint, str(e.value))


def test_only_a_one_hot_target_is_told_to_take_the_argmax():
    X = np.random.RandomState(0).standard_normal((20, 2))
    y = np.c_[np.arange(20) % 2, np.arange(20) % 3 == 0]
    with pytest.raises(ValueError, match="OneVsRestClassifier") as e:
        ThresholdMovingClassifier(LogisticRegression()).fit(X, y)
    assert "argmax" not in str(e.value)


@pytest.mark.parametrize(
    "y",
    [
        np.c_[np.arange(20) % 3, np.arange(20) % 2],
        sparse.csr_matrix(np.c_[np.arange(20) % 3, np.arange(20) % 2]),
    ],
    ids=["dense", "sparse"],
)
def test_a_multiclass_multioutput_target_is_told_of_multioutputclassifier_only(y):
    # OneVsRestClassifier refuses such a target; a sparse one was called "a
    # binary target", as type_of_target reads only its stored values.
    X = np.random.RandomState(0).standard_normal((20, 2))
    with pytest.raises(ValueError, match="multiclass-multioutput target") as e:
        ThresholdMovingClassifier(LogisticRegression()).fit(X, y)
    assert "MultiOutputClassifier" in str(e.value)
    assert "OneVsRestClassifier" not in str(e.value)


@pytest.mark.parametrize(
    "make", _MULTI_OUTPUT_CLASSIFIERS.values(), ids=_MULTI_OUTPUT_CLASSIFIERS.keys()
)
def test_a_sparse_column_target_is_refused_as_scikit_learn_does(make):
    # ThresholdMovingClassifier said "The target has 1 class ([<Compressed
    # Sparse Row sparse matrix ...>])", COGClassifier "y should be a 1d array,
    # got an array of shape () instead."
    X = np.random.RandomState(0).standard_normal((20, 2))
    y = sparse.csr_matrix((np.arange(20) % 3).reshape(-1, 1))
    with pytest.raises(TypeError, match="Sparse data was passed for y"):
        make().fit(X, y)


@pytest.mark.parametrize(
    "make", _MULTI_OUTPUT_CLASSIFIERS.values(), ids=_MULTI_OUTPUT_CLASSIFIERS.keys()
)
def test_a_sparse_indicator_target_is_refused_as_multilabel(make):
    # COGClassifier said "y should be a 1d array, got an array of shape ()
    # instead.", CReSTClassifier "Sparse data was passed for y".
    X = np.random.RandomState(0).standard_normal((20, 2))
    y = sparse.csr_matrix(np.eye(3, dtype=int)[np.arange(20) % 3])
    with pytest.raises(ValueError, match="multilabel-indicator target of shape"):
        make().fit(X, y)


@pytest.mark.parametrize(
    "classes, match",
    [
        ({0, 1}, r"got a set, \{0, 1\}; a set has no order"),
        (frozenset({"a"}), "got a frozenset.*no order"),
        ({0: "a", 1: "b"}, "got a dict.*as a list or an array"),
        ({0: "a"}.keys(), "got a dict_keys"),
        ("ab", "got a str"),
        ([[0, 1], [2, 3]], r"1d array-like of labels, got an array of shape \(2, 2\)"),
        (np.array(0), r"1d array-like of labels, got an array of shape \(\)"),
    ],
)
def test_check_classes_refuses_what_is_not_a_1d_array_like(classes, match):
    with pytest.raises(ValueError, match=match):
        check_classes(classes)


@pytest.mark.parametrize(
    "classes",
    [
        [0, 1],
        (0, 1),
        range(2),
        np.array(["a", "b"]),
        [],
        pd.Series([1, 2]),
        pd.Categorical(["a", "b"]),
        np.array([[0], [1]]),  # a column, as scikit-learn's partial_fit takes
    ],
)
def test_check_classes_takes_sequences_and_arrays_unchanged(classes):
    assert check_classes(classes) is classes
