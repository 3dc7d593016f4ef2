"""Tests of the folds of the out-of-fold probabilities."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from functools import partial

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

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
