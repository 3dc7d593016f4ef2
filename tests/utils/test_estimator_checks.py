"""The contract checks catch estimators that break ltlearn's promises."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import validate_data

from ltlearn.utils._validation import check_classification_y, class_counts
from ltlearn.utils.estimator_checks import (
    check_clear_errors,
    check_does_not_modify_input,
    check_same_random_state_same_result,
    check_string_labels_and_pandas,
)


class _ScalesInPlace(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        X, y = validate_data(self, X, y, copy=False)
        X /= 2.0  # writes into the caller's array
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _Unseeded(ClassifierMixin, BaseEstimator):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.random.default_rng().choice(self.classes_, size=len(X))


class _QuietOnOneClass(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_check_does_not_modify_input_catches_in_place_writes():
    with pytest.raises(AssertionError, match="modified X in place"):
        check_does_not_modify_input(_ScalesInPlace())
    check_does_not_modify_input(LogisticRegression())


def test_check_same_random_state_catches_unseeded_randomness():
    with pytest.raises(AssertionError, match="differs between two identical runs"):
        check_same_random_state_same_result(_Unseeded())
    check_same_random_state_same_result(LogisticRegression())


def test_check_clear_errors_catches_a_silent_single_class_fit():
    with pytest.raises(AssertionError, match="single class"):
        check_clear_errors(_QuietOnOneClass())


def test_check_string_labels_and_pandas_accepts_a_good_classifier():
    pytest.importorskip("pandas")
    check_string_labels_and_pandas(DummyClassifier(strategy="most_frequent"))


def test_check_classification_y_messages():
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        check_classification_y(np.eye(3, dtype=int))
    with pytest.raises(ValueError, match="Unknown label type"):
        check_classification_y([0.1, 0.5, 0.7])
    with pytest.raises(ValueError, match="1 class"):
        check_classification_y(["a", "a"])
    assert check_classification_y(["b", "a", "b"]).tolist() == ["a", "b"]


def test_class_counts_follows_the_given_order():
    assert class_counts(["b", "a", "b"]).tolist() == [1, 2]
    assert class_counts(["b", "a", "b"], classes=["b", "a", "z"]).tolist() == [2, 1, 0]
