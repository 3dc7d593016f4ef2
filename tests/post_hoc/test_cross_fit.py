"""Tests of the folds of the out-of-fold probabilities."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from functools import partial

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ShuffleSplit, StratifiedKFold, TimeSeriesSplit

from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)

CROSS_FITTED = [
    partial(PluginClassifier, LogisticRegression(), scoring="f1"),
    partial(LogitAdjustedClassifier, LogisticRegression(), tau="auto"),
    partial(PluginEnsembleClassifier, [("lr", LogisticRegression())]),
]


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_a_used_up_iterator_of_splits_is_named(make, imbalanced_binary):
    # the generator of split() serves the first fit; a refit found it empty
    # and failed in NumPy ("need at least one array to concatenate")
    X, y = imbalanced_binary
    clf = make(cv=StratifiedKFold(3).split(X, y)).fit(X, y)
    with pytest.raises(ValueError, match="cv gives no splits.*used up"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="cv gives no splits"):
        make(cv=[]).fit(X, y)


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_folds_whose_test_parts_are_no_partition_by_a_negative_index(
    make, imbalanced_binary
):
    # -1 is the last sample, already in a test fold: sample 0 was in none,
    # yet its out-of-fold probabilities, left at 0, were taken
    X, y = imbalanced_binary
    folds = [
        (np.where(train == 0, -1, train), np.where(test == 0, -1, test))
        for train, test in StratifiedKFold(3).split(X, y)
    ]
    match = (
        r"cover each sample exactly once.*but 1 of the 300 samples is in no "
        r"test fold \(sample 0\) and 1 of the 300 samples is in several test "
        r"folds \(sample 299\)"
    )
    with pytest.raises(ValueError, match=match):
        make(cv=folds).fit(X, y)


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_splits_in_time_order_are_refused_with_what_to_do(make, imbalanced_binary):
    # TimeSeriesSplit and a hold-out of the last rows were refused as no
    # partition, with no word of how a rule is fitted on time-ordered rows
    X, y = imbalanced_binary
    match = (
        r"{} of the 300 samples are in no test fold \(sample 0 first\)\. "
        r"Splits in time order.*on the earlier rows.*FrozenEstimator"
    )
    with pytest.raises(ValueError, match=match.format(60)):
        make(cv=TimeSeriesSplit(4)).fit(X, y)
    holdout = [(np.arange(200), np.arange(200, 300))]
    with pytest.raises(ValueError, match=match.format(200)):
        make(cv=holdout).fit(X, y)
    # rows left out elsewhere than first are no sign of time order
    for folds in (
        ShuffleSplit(3, random_state=0),
        [(np.r_[:100, 200:300], np.arange(100, 200))],
    ):
        with pytest.raises(ValueError, match=r"in no test fold") as error:
            make(cv=folds).fit(X, y)
        assert "time order" not in str(error.value)
    # the way the message gives: the rows of the hold-out fit the rule
    model = LogisticRegression().fit(X[:200], y[:200])
    if make.func is PluginEnsembleClassifier:
        clf = make.func([("lr", FrozenEstimator(model))])
    else:
        clf = make.func(FrozenEstimator(model), **make.keywords)
    clf.fit(X[200:], y[200:])
    assert clf.predict(X).shape == y.shape


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_folds_of_other_data_are_named(make, imbalanced_binary):
    # they failed with "IndexError: index 300 is out of bounds for axis 0
    # with size 300" or "boolean index did not match indexed array"
    X, y = imbalanced_binary
    big = list(StratifiedKFold(3).split(np.r_[X, X], np.r_[y, y]))
    with pytest.raises(ValueError, match="training part of fold 0 with the index"):
        make(cv=big).fit(X, y)
    # one past the last sample, at the bound of the check
    shifted = [(train + 1, test + 1) for train, test in StratifiedKFold(3).split(X, y)]
    with pytest.raises(ValueError, match="index 300, out of range for the 300 samples"):
        make(cv=shifted).fit(X, y)
    masks = [(np.isin(np.arange(200), train), test) for train, test in big]
    with pytest.raises(ValueError, match="boolean mask of 200 values, but X has 300"):
        make(cv=masks).fit(X, y)
    floats = [(train.astype(float), test) for train, test in big]
    with pytest.raises(ValueError, match="float64 values.*1-d arrays of sample"):
        make(cv=floats).fit(X, y)


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_a_fold_of_an_empty_test_part_is_named(make, imbalanced_binary):
    # the partition check let it through; the estimator then failed on 0 rows
    # ("Found array with 0 sample(s) ... required by LogisticRegression")
    X, y = imbalanced_binary
    folds = [*StratifiedKFold(3).split(X, y), (np.arange(y.size), [])]
    with pytest.raises(ValueError, match="cv gives fold 3 with an empty test part"):
        make(cv=folds).fit(X, y)


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_folds_as_boolean_masks_or_negative_indices_are_taken(make, imbalanced_binary):
    # as cross_validate and GridSearchCV take them; boolean masks failed
    # with "IndexError: boolean index did not match indexed array"
    X, y = imbalanced_binary
    folds = list(StratifiedKFold(3).split(X, y))
    expected = make(cv=folds).fit(X, y).predict_proba(X)
    rows = np.arange(y.size)
    masks = [(np.isin(rows, train), np.isin(rows, test)) for train, test in folds]
    negative = [(train - y.size, test - y.size) for train, test in folds]
    for cv in (masks, negative):
        np.testing.assert_array_equal(make(cv=cv).fit(X, y).predict_proba(X), expected)


class _ShapedProba(LogisticRegression):
    """A logistic regression whose ``predict_proba`` has another shape."""

    def __init__(self, shape="extra_column"):
        super().__init__()
        self.shape = shape

    def predict_proba(self, X):
        proba = super().predict_proba(X)
        if self.shape == "extra_column":
            return np.c_[proba, np.zeros(len(proba))]
        if self.shape == "one_dimensional":
            return proba[:, 1]
        return proba[:-1]  # a row short


@pytest.mark.parametrize("shape", ["extra_column", "one_dimensional", "row_short"])
@pytest.mark.parametrize(
    "make",
    [
        ThresholdMovingClassifier,
        partial(ThresholdMovingClassifier, decision="expected_cost"),
        LogitAdjustedClassifier,
        partial(PluginClassifier, scoring="f1", cv=3),
    ],
)
def test_a_predict_proba_of_another_shape_is_named(make, shape, imbalanced_binary):
    # it failed deep in NumPy ("operands could not be broadcast together",
    # "axis 1 is out of bounds"), or, a row short, predicted one row fewer
    X, y = imbalanced_binary
    with pytest.raises(ValueError, match=r"_ShapedProba.predict_proba returned an"):
        make(_ShapedProba(shape)).fit(X, y).predict(X)


@pytest.mark.parametrize(
    "make",
    [
        partial(PluginClassifier, LogisticRegression()),
        partial(LogitAdjustedClassifier, LogisticRegression(), tau="auto"),
    ],
)
def test_the_refusal_of_a_single_sample_class_counts_them_all(make):
    # with a tail of 12 single-sample classes, the refusal named one of
    # them only: mending a target of hundreds of classes took a fit a class
    rng = np.random.RandomState(0)
    y = np.r_[np.repeat([0, 1], 20), np.arange(2, 14)]
    X = rng.normal(size=(y.size, 2))
    with pytest.raises(ValueError, match="has 1 sample in y") as info:
        make().fit(X, y)
    message = str(info.value)
    assert message.endswith(
        " 12 classes have a single sample in y: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, "
        "... (12 in all)."
    )


def test_the_refusal_of_the_only_single_sample_class_is_unchanged():
    rng = np.random.RandomState(0)
    y = np.r_[np.repeat([0, 1], 20), 2]
    X = rng.normal(size=(y.size, 2))
    with pytest.raises(ValueError, match="Class 2 has 1 sample in y") as info:
        PluginClassifier(LogisticRegression()).fit(X, y)
    assert "classes have a single sample" not in str(info.value)


@pytest.mark.parametrize(
    "make, purpose",
    [
        (partial(PluginClassifier, LogisticRegression()), "the decision rule"),
        (partial(LogitAdjustedClassifier, LogisticRegression(), tau="auto"), "tau"),
    ],
)
def test_an_int_cv_of_more_folds_than_the_largest_class_is_named(make, purpose):
    # every class smaller than cv (a search's small resources): scikit-learn's
    # StratifiedKFold refused it as "n_splits=5 cannot be greater than the
    # number of members in each class", naming neither cv nor what to give
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], [4, 3, 2])
    X = rng.normal(size=(y.size, 2))
    with pytest.raises(ValueError, match="^cv=5 asks for 5 stratified folds") as info:
        make(cv=5).fit(X, y)
    message = str(info.value)
    assert f"largest class of y has 4 samples, so {purpose}" in message
    assert message.endswith("Use cv=4 or fewer folds.")
    # the folds the message allows are taken
    make(cv=4).fit(X, y)
    single = "largest class of y has 1 sample, .*at least 2 samples"
    with pytest.raises(ValueError, match=single):
        make(cv=2).fit(X[:3], np.arange(3))


def test_too_many_folds_for_the_largest_class_names_a_class_of_one_sample():
    # fewer folds alone would not do: the class of one sample is named with them
    rng = np.random.RandomState(0)
    y = np.repeat(["a", "b", "c", "d"], [4, 3, 1, 1])
    X = rng.normal(size=(y.size, 2))
    with pytest.raises(ValueError, match="^cv=5 asks for 5 stratified folds") as info:
        PluginClassifier(LogisticRegression(), cv=5).fit(X, y)
    message = str(info.value)
    assert "Use cv=4 or fewer folds, and add samples of class 'c' or drop it" in message
    assert message.endswith("2 classes have a single sample in y: 'c', 'd'.")
