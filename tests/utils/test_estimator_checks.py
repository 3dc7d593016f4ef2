"""The contract checks catch estimators that break ltlearn's promises."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import sys
import threading
import warnings
from unittest import SkipTest

import numpy as np
import pytest
from imblearn.combine import SMOTEENN
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import EditedNearestNeighbours, RandomUnderSampler
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_info, threadpool_limits

from ltlearn.post_hoc import ThresholdMovingClassifier
from ltlearn.utils._validation import check_classification_y, class_counts
from ltlearn.utils.estimator_checks import (
    check_clear_errors,
    check_does_not_modify_input,
    check_global_state_untouched,
    check_label_types,
    check_one_sample_class,
    check_pandas_extension_dtypes,
    check_pickle_round_trip,
    check_predict_is_argmax_of_proba,
    check_resampled_counts,
    check_same_random_state_same_result,
    check_sample_weight_equivalence_to_repeats,
    check_sparse_input,
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


class _SeedsTheGlobalRNG(_QuietOnOneClass):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        np.random.seed(self.random_state if isinstance(self.random_state, int) else 0)
        return super().fit(X, y)


class _FiltersWarnings(_QuietOnOneClass):
    def fit(self, X, y):
        warnings.simplefilter("ignore", UserWarning)  # left in place
        return super().fit(X, y)


class _PrintsShort(_QuietOnOneClass):
    def fit(self, X, y):
        np.set_printoptions(precision=2)  # left in place
        return super().fit(X, y)


class _LimitsThreads(_QuietOnOneClass):
    def fit(self, X, y):
        library = threadpool_info()[0]
        # left in place, at a limit other than the one found
        threadpool_limits(limits=1 if library["num_threads"] > 1 else 2)
        return super().fit(X, y)


class _DisablesGradients(_QuietOnOneClass):
    def fit(self, X, y):
        import torch

        torch.set_grad_enabled(False)  # left in place
        return super().fit(X, y)


@pytest.mark.parametrize(
    "estimator, changed",
    [
        (_SeedsTheGlobalRNG(), "numpy's global RNG"),
        (_FiltersWarnings(), "filters"),
        (_PrintsShort(), "printoptions"),
        (_LimitsThreads(), "thread pools' limits"),
        (_DisablesGradients(), "is_grad_enabled"),
    ],
)
def test_check_global_state_untouched_catches_a_changed_process(estimator, changed):
    # numpy's print options, the BLAS and OpenMP thread limits and torch's
    # gradient mode, left changed by a fit, passed the check.
    if isinstance(estimator, _DisablesGradients):
        torch = pytest.importorskip("torch")
    printoptions = np.get_printoptions()
    try:
        # limits=None changes nothing; the exit puts the limits back.
        with warnings.catch_warnings(), threadpool_limits(limits=None):
            with pytest.raises(AssertionError, match=changed):
                check_global_state_untouched(estimator)
    finally:
        np.set_printoptions(**printoptions)
        if isinstance(estimator, _DisablesGradients):
            torch.set_grad_enabled(True)
    check_global_state_untouched(LogisticRegression(random_state=0))


# What the leaking estimators below leave behind, each undone by its call.
_LEFT_BEHIND = []


class _LeavesAFileOpen(_QuietOnOneClass):
    def fit(self, X, y):
        _LEFT_BEHIND.append(open(os.devnull, "rb").close)  # never closed
        return super().fit(X, y)


class _LeavesAThreadRunning(_QuietOnOneClass):
    def fit(self, X, y):
        stop = threading.Event()
        threading.Thread(target=stop.wait, name="left running").start()
        _LEFT_BEHIND.append(stop.set)
        return super().fit(X, y)


@pytest.mark.parametrize(
    "estimator, changed",
    [
        (_LeavesAFileOpen(), "open file descriptors"),
        (_LeavesAThreadRunning(), "threads"),
    ],
)
def test_check_global_state_untouched_catches_a_leak(estimator, changed):
    # A fit that left a file open or a thread running passed the check.
    if changed == "open file descriptors" and not os.path.isdir("/proc/self/fd"):
        pytest.skip("counts the open descriptors")
    try:
        with pytest.raises(AssertionError, match=changed):
            check_global_state_untouched(estimator)
    finally:
        for undo in _LEFT_BEHIND:
            undo()
        _LEFT_BEHIND.clear()


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
    with pytest.raises(ValueError, match="empty"):
        check_classification_y(np.array([], dtype=int))
    with pytest.raises(ValueError, match=r"1d array, got an array of shape \(\)"):
        check_classification_y(np.array(1))  # type_of_target: "unknown"
    with pytest.raises(ValueError, match="Expected array-like.*got None"):
        check_classification_y(None)  # not "an array of shape ()"
    assert check_classification_y(["b", "a", "b"]).tolist() == ["a", "b"]


def test_class_counts_follows_the_given_order():
    assert class_counts(["b", "a", "b"]).tolist() == [1, 2]
    assert class_counts(["b", "a", "b"], classes=["b", "a", "z"]).tolist() == [2, 1, 0]


class _IgnoresWeights(ClassifierMixin, BaseEstimator):
    """Takes sample_weight and drops it, as a rule from plain counts would."""

    def fit(self, X, y, sample_weight=None):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class _NormalisesWeightsInPlace(_IgnoresWeights):
    def fit(self, X, y, sample_weight=None):
        sample_weight /= sample_weight.sum()
        self.model_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self


class _EncodesLabels(_QuietOnOneClass):
    def predict(self, X):
        return np.zeros(len(X), dtype=np.int64)  # the index, not the label


class _NamesTheWrongClass(_IgnoresWeights):
    def fit(self, X, y, sample_weight=None):
        _, counts = np.unique(y, return_counts=True)
        if counts.min() < 3:
            raise ValueError("needs samples of at least 2 classes; only one class: 0")
        return super().fit(X, y)


class _DensifiesBadly(_IgnoresWeights):
    def fit(self, X, y, sample_weight=None):
        X = X.toarray()[:, ::-1] if sparse.issparse(X) else X  # columns reversed
        return super().fit(X, y)

    def predict(self, X):
        return super().predict(X.toarray() if sparse.issparse(X) else X)

    def predict_proba(self, X):
        return super().predict_proba(X.toarray() if sparse.issparse(X) else X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def test_check_sample_weight_equivalence_catches_ignored_weights():
    with pytest.raises(AssertionError, match="sample_weight|agree"):
        check_sample_weight_equivalence_to_repeats(_IgnoresWeights())
    check_sample_weight_equivalence_to_repeats(LogisticRegression())


def test_check_does_not_modify_input_covers_sample_weight_and_cost_matrix():
    with pytest.raises(AssertionError, match="modified sample_weight in place"):
        check_does_not_modify_input(_NormalisesWeightsInPlace())
    check_does_not_modify_input(ThresholdMovingClassifier(LogisticRegression()))


def test_check_label_types_catches_encoded_predictions():
    with pytest.raises(AssertionError, match="labels"):
        check_label_types(_EncodesLabels())
    check_label_types(LogisticRegression())


def test_check_one_sample_class_wants_the_rare_class_named():
    with pytest.raises(AssertionError, match="does not name the class"):
        check_one_sample_class(_NamesTheWrongClass())
    check_one_sample_class(LogisticRegression())


def test_check_string_labels_and_pandas_wants_feature_names():
    with pytest.raises(AttributeError, match="feature_names_in_"):
        check_string_labels_and_pandas(_IgnoresWeights())


class _DropsFeatureNames(_IgnoresWeights):
    def fit(self, X, y, sample_weight=None):
        super().fit(X, y)
        self.feature_names_in_ = self.model_.feature_names_in_
        return self

    def predict(self, X):
        return self.model_.predict(np.asarray(X))  # warns: no feature names


def test_check_string_labels_and_pandas_raises_the_feature_name_warning():
    pytest.importorskip("pandas")
    with pytest.raises(UserWarning, match="feature names"):
        check_string_labels_and_pandas(_DropsFeatureNames())


@pytest.mark.parametrize(
    "check", [check_string_labels_and_pandas, check_pandas_extension_dtypes]
)
def test_pandas_checks_skip_without_pandas(check, monkeypatch):
    # As scikit-learn's pandas checks: a skip that names pandas, where they
    # raised "No module named 'pandas'" from inside the check.
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(SkipTest, match="^pandas is not installed: not checking"):
        check(LogisticRegression())
    assert check(StandardScaler()) is None  # not concerned, as with pandas


def test_check_sparse_input_compares_with_dense_input():
    with pytest.raises(AssertionError, match="agrees with dense input"):
        check_sparse_input(_DensifiesBadly())
    check_sparse_input(LogisticRegression())


def test_check_pickle_round_trip_catches_unreproducible_output():
    with pytest.raises(AssertionError, match="differs"):
        check_pickle_round_trip(_Unseeded())
    check_pickle_round_trip(LogisticRegression())


class _ReadsPandas(_IgnoresWeights):
    """Turns pandas input into NumPy arrays, rows in their order."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(np.asarray(X, dtype=float), np.asarray(y, dtype=object))

    def predict(self, X):
        return super().predict(np.asarray(X, dtype=float))

    def predict_proba(self, X):
        return super().predict_proba(np.asarray(X, dtype=float))


class _MatchesRowsByIndex(_ReadsPandas):
    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y.sort_index() if hasattr(y, "sort_index") else y)


class _TakesMissingAsALabel(_ReadsPandas):
    def fit(self, X, y, sample_weight=None):
        import pandas as pd

        return super().fit(X, pd.Series(np.asarray(y, dtype=object)).fillna("NA"))


def test_check_pandas_extension_dtypes_catches_index_order_and_missing_labels():
    pytest.importorskip("pandas")
    check_pandas_extension_dtypes(ThresholdMovingClassifier(LogisticRegression()))
    # Past every other step: the one sort_index of its sibling is what fails.
    with pytest.raises(AssertionError, match="pd.NA in y: no ValueError"):
        check_pandas_extension_dtypes(_TakesMissingAsALabel())
    with pytest.raises(AssertionError, match="not equal"):
        check_pandas_extension_dtypes(_MatchesRowsByIndex())


class _AcceptsEmpty(_QuietOnOneClass):
    def fit(self, X, y):
        X, y = validate_data(self, X, y, ensure_min_samples=0, ensure_min_features=0)
        self.classes_ = np.unique(y)
        if self.classes_.size == 1:
            raise ValueError("y holds a single class")
        return self


def test_check_clear_errors_covers_empty_and_featureless_input():
    check_clear_errors(LogisticRegression())  # sklearn's validation names both
    with pytest.raises(AssertionError, match="on an empty X: no ValueError"):
        check_clear_errors(_AcceptsEmpty())


class _PredictsTheLeastProbable(_IgnoresWeights):
    """Probabilities from a logistic regression, predictions of the opposite."""

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmin(axis=1)]


def test_check_predict_is_argmax_of_proba_catches_a_mismatch():
    check_predict_is_argmax_of_proba(LogisticRegression())
    check_predict_is_argmax_of_proba(DummyClassifier(strategy="prior"))
    with pytest.raises(AssertionError, match="not the class of highest"):
        check_predict_is_argmax_of_proba(_PredictsTheLeastProbable())


@pytest.mark.parametrize(
    "check",
    [
        check_label_types,
        check_one_sample_class,
        check_string_labels_and_pandas,
        check_sample_weight_equivalence_to_repeats,
    ],
)
def test_label_checks_pass_estimators_they_do_not_concern(check):
    # a transformer has no labels to keep: not an AttributeError on predict
    check(StandardScaler())


def test_check_resampled_counts_asks_an_under_sampler_for_fewer_samples():
    check_resampled_counts(RandomUnderSampler(random_state=0))
    check_resampled_counts(EditedNearestNeighbours())  # cleaning: not concerned


class _DropsASample(RandomUnderSampler):
    """An under-sampler that returns one sample fewer than it was asked for."""

    def _fit_resample(self, X, y):
        X_res, y_res = super()._fit_resample(X, y)
        return X_res[1:], y_res[1:]


class _AddsASample(RandomOverSampler):
    """An over-sampler that returns one sample more than it was asked for."""

    def _fit_resample(self, X, y):
        X_res, y_res = super()._fit_resample(X, y)
        return np.vstack([X_res, X_res[-1:]]), np.append(y_res, y_res[-1])


@pytest.mark.parametrize("sampler", [_DropsASample(), _AddsASample()])
def test_check_resampled_counts_catches_wrong_counts(sampler):
    with pytest.raises(AssertionError, match="were asked"):
        check_resampled_counts(sampler)


def test_check_resampled_counts_passes_a_sampler_that_cleans_after_resampling():
    # SMOTEENN keeps sampling_strategy_ as given ("auto"): it failed with
    # "AttributeError: 'str' object has no attribute 'get'"
    check_resampled_counts(SMOTEENN(random_state=0))
