"""Tests of CReSTClassifier: keep rates, selection, alignment and bad input."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn import config_context
from sklearn.base import ClassifierMixin, clone
from sklearn.datasets import make_blobs
from sklearn.ensemble import IsolationForest, StackingClassifier
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import cross_val_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC, OneClassSVM
from sklearn.utils._param_validation import InvalidParameterError

from ltlearn.semi_supervised import CReSTClassifier
from ltlearn.semi_supervised._generations import _same_pick
from ltlearn.semi_supervised._selection import (
    _align_distribution,
    _same_kept_weights,
    _sampling_rates,
    _select,
    _temperature,
)


@pytest.fixture
def semi_supervised_lt(make_long_tail):
    """3 classes of 210, 79 and 30 rows, 75% unlabelled, every class labelled."""
    X, y = make_long_tail(3, 7, n_max=210)
    rng = np.random.RandomState(0)
    y_semi = np.full_like(y, -1)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        keep = rng.choice(rows, int(np.ceil(0.25 * rows.size)), replace=False)
        y_semi[keep] = label
    return X, y, y_semi


# Keep rates -----------------------------------------------------------------


def test_sampling_rates_reverse_the_ranking():
    """The most frequent class keeps (N_L / N_1)^alpha, the rarest keeps all."""
    rates = _sampling_rates([1000, 100, 10], alpha=1 / 3)
    expected = [(10 / 1000) ** (1 / 3), (100 / 1000) ** (1 / 3), 1.0]
    np.testing.assert_allclose(rates, expected)
    np.testing.assert_allclose(rates, [0.215, 0.464, 1.0], atol=1e-3)


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]])
def test_sampling_rates_follow_counts_not_position(order):
    counts = np.array([400, 100, 25, 5])
    rates = _sampling_rates(counts[order], alpha=0.5)
    np.testing.assert_allclose(rates, _sampling_rates(counts, alpha=0.5)[order])


@pytest.mark.parametrize("counts", [[50, 20, 5], [7, 7, 7], [1, 300]])
def test_sampling_rates_alpha_zero_keeps_everything(counts):
    np.testing.assert_array_equal(_sampling_rates(counts, alpha=0), 1.0)


@pytest.mark.parametrize(
    "counts, tied", [([10, 10, 5], [0, 1]), ([8, 30, 8, 2], [0, 2]), ([6, 6], [0, 1])]
)
def test_sampling_rates_equal_counts_share_a_rate(counts, tied):
    rates = _sampling_rates(counts, alpha=1 / 3)
    assert rates[tied[0]] == rates[tied[1]]
    assert rates[np.argmin(counts)] == 1.0


def test_sampling_rates_of_tied_rarest_classes_are_that_of_the_first():
    # the documented consequence of sharing the first rank: [100, 10, 10]
    # ranks the two rare classes 2nd, whose mirror count is N_2 = 10
    rates = _sampling_rates([100, 10, 10], alpha=1 / 3)
    np.testing.assert_allclose(rates, np.full(3, 0.1 ** (1 / 3)))


@pytest.mark.parametrize("alpha", [0.2, 1 / 3, 1.0])
def test_fitted_rates_come_from_labelled_counts(semi_supervised_lt, alpha):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), alpha=alpha, max_iter=1)
    clf.fit(X, y_semi)
    counts = np.array([np.count_nonzero(y_semi == c) for c in clf.classes_])
    np.testing.assert_array_equal(clf.class_counts_, counts)
    np.testing.assert_allclose(clf.sampling_rates_, _sampling_rates(counts, alpha))


# Selection ------------------------------------------------------------------


def _generation_zero(X, y_semi, estimator=None):
    labelled = y_semi != -1
    estimator = LogisticRegression() if estimator is None else estimator
    model = clone(estimator).fit(X[labelled], y_semi[labelled])
    return model, model.predict_proba(X[~labelled])


@pytest.mark.parametrize("alpha", [1 / 3, 1.0])
def test_top_selection_keeps_the_most_confident_fraction(semi_supervised_lt, alpha):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), alpha=alpha, max_iter=2)
    clf.fit(X, y_semi)
    _, proba = _generation_zero(X, y_semi)
    predicted, confidence = proba.argmax(axis=1), proba.max(axis=1)
    picked = clf.labeled_iter_[y_semi == -1] == 1
    for k, rate in enumerate(clf.sampling_rates_):
        of_class = predicted == k
        n_keep = int(np.floor(of_class.sum() * rate))
        assert clf.pseudo_label_counts_[1, k] == n_keep
        assert np.count_nonzero(picked & of_class) == n_keep
        if 0 < n_keep < of_class.sum():
            assert confidence[picked & of_class].min() >= (
                confidence[~picked & of_class].max()
            )
    pseudo = clf.transduction_[y_semi == -1][picked]
    np.testing.assert_array_equal(pseudo, clf.classes_[predicted[picked]])


@pytest.mark.parametrize("selection", ["top", "random"])
def test_threshold_keeps_a_fraction_of_the_confident_rows(
    semi_supervised_lt, selection
):
    X, _, y_semi = semi_supervised_lt
    threshold = 0.9
    clf = CReSTClassifier(
        LogisticRegression(),
        max_iter=2,
        threshold=threshold,
        selection=selection,
        random_state=0,
    ).fit(X, y_semi)
    _, proba = _generation_zero(X, y_semi)
    predicted, confidence = proba.argmax(axis=1), proba.max(axis=1)
    confident = confidence >= threshold
    assert 0 < confident.sum() < confident.size  # the threshold matters here
    picked = clf.labeled_iter_[y_semi == -1] == 1
    assert np.all(confident[picked])
    if selection == "top":
        for k, rate in enumerate(clf.sampling_rates_):
            n_keep = int(
                np.floor(np.count_nonzero(confident & (predicted == k)) * rate)
            )
            assert clf.pseudo_label_counts_[1, k] == n_keep


def test_threshold_keeps_a_row_of_exactly_the_threshold():
    proba = np.array([[0.75, 0.25], [0.5, 0.5], [0.125, 0.875]])
    rows, label_index, _ = _select(proba, [1.0, 1.0], "top", None, threshold=0.75)
    np.testing.assert_array_equal(rows, [0, 2])
    np.testing.assert_array_equal(label_index, [0, 1])


def test_threshold_zero_is_no_threshold(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    fits = [
        CReSTClassifier(LogisticRegression(), max_iter=3, threshold=threshold).fit(
            X, y_semi
        )
        for threshold in (None, 0.0)
    ]
    np.testing.assert_array_equal(fits[0].transduction_, fits[1].transduction_)


def test_pseudo_labels_are_rebuilt_every_generation(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(
        LogisticRegression(), max_iter=4, distribution_alignment=True
    ).fit(X, y_semi)
    last = clf.n_iter_ - 1
    in_final = clf.transduction_ != -1
    np.testing.assert_array_equal(
        in_final, (clf.labeled_iter_ == 0) | (clf.labeled_iter_ == last)
    )
    assert clf.pseudo_label_counts_[last].sum() == np.count_nonzero(
        clf.labeled_iter_ == last
    )
    # The final model is a fresh fit on the labelled rows plus the last picks.
    refit = LogisticRegression().fit(X[in_final], clf.transduction_[in_final])
    np.testing.assert_allclose(clf.predict_proba(X), refit.predict_proba(X))
    np.testing.assert_array_equal(clf.transduction_[y_semi != -1], y_semi[y_semi != -1])


def test_fitted_attributes_have_documented_shapes(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_semi)
    assert clf.pseudo_label_counts_.shape == (clf.n_iter_, clf.classes_.size)
    np.testing.assert_array_equal(clf.pseudo_label_counts_[0], 0)
    assert clf.transduction_.shape == clf.labeled_iter_.shape == y_semi.shape
    assert 1 <= clf.n_iter_ <= 3
    assert clf.termination_condition_ in {"max_iter", "no_change"}
    assert set(np.unique(clf.labeled_iter_)) <= set(range(-1, clf.n_iter_))


def test_fit_leaves_the_labels_of_the_caller_as_they_are(semi_supervised_lt):
    # The pseudo-labels go to transduction_, a copy of y, not to y itself;
    X, _, y_semi = semi_supervised_lt
    given = y_semi.copy()
    clf = CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_semi)
    assert np.count_nonzero(clf.transduction_ == -1) < np.count_nonzero(given == -1)
    np.testing.assert_array_equal(y_semi, given)
    # nor, without a generation, does transduction_ share y's memory
    supervised = CReSTClassifier(LogisticRegression(), max_iter=1).fit(X, y_semi)
    assert not np.shares_memory(supervised.transduction_, y_semi)


def test_max_iter_one_is_a_supervised_fit(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), max_iter=1).fit(X, y_semi)
    model, _ = _generation_zero(X, y_semi)
    np.testing.assert_allclose(clf.predict_proba(X), model.predict_proba(X))
    assert clf.n_iter_ == 1
    assert clf.termination_condition_ == "max_iter"
    np.testing.assert_array_equal(clf.transduction_, y_semi)


@pytest.mark.parametrize(
    "params", [{}, {"distribution_alignment": True, "final_temperature": 1.0}]
)
def test_stops_when_the_pseudo_labels_no_longer_change(params):
    # alignment at a constant temperature changes nothing between generations
    X, y = make_blobs(
        n_samples=120, centers=[[-10, 0], [10, 0]], cluster_std=0.5, random_state=0
    )
    y_semi = np.where(np.arange(y.size) % 6 == 0, y, -1)
    clf = CReSTClassifier(LogisticRegression(), alpha=0, max_iter=10, **params)
    clf.fit(X, y_semi)
    assert clf.termination_condition_ == "no_change"
    assert clf.n_iter_ == 2  # generation 2 would repeat generation 1's picks
    np.testing.assert_array_equal(clf.transduction_, y)


@pytest.mark.parametrize(
    "params",
    [
        {"selection": "random"},
        {"distribution_alignment": True, "final_temperature": 0.5},
    ],
)
def test_a_repeated_pick_goes_on_while_the_generations_can_change(params):
    # random draws, or a temperature that changes from one generation to the
    # next, may pick other rows later: the same picks do not end the fit
    X, y = make_blobs(
        n_samples=120, centers=[[-10, 0], [10, 0]], cluster_std=0.5, random_state=0
    )
    y_semi = np.where(np.arange(y.size) % 6 == 0, y, -1)
    clf = CReSTClassifier(
        LogisticRegression(), alpha=0, max_iter=4, random_state=0, **params
    ).fit(X, y_semi)
    assert clf.termination_condition_ == "max_iter"
    assert clf.n_iter_ == 4
    np.testing.assert_array_equal(clf.transduction_, y)


def test_the_same_rows_as_other_classes_are_another_pick():
    pick = (np.array([3, 5]), np.array([0, 1]), None)
    assert _same_pick(pick, (pick[0], np.array([0, 1]), None))
    assert not _same_pick(pick, (pick[0], np.array([1, 1]), None))


def test_random_selection_keeps_each_candidate_with_its_rate():
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
    rng = np.random.RandomState(0)
    rows, label_index, _ = _select(proba, [0.0, 1.0], "random", rng)
    np.testing.assert_array_equal(rows, [2, 3])
    np.testing.assert_array_equal(label_index, [1, 1])


def test_random_selection_is_reproducible_and_bounded(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    params = dict(selection="random", max_iter=3, random_state=0)
    first = CReSTClassifier(LogisticRegression(), **params).fit(X, y_semi)
    second = CReSTClassifier(LogisticRegression(), **params).fit(X, y_semi)
    np.testing.assert_array_equal(first.transduction_, second.transduction_)
    np.testing.assert_array_equal(first.labeled_iter_, second.labeled_iter_)
    _, proba = _generation_zero(X, y_semi)
    predicted = np.bincount(proba.argmax(axis=1), minlength=3)
    assert np.all(first.pseudo_label_counts_[1] <= predicted)


# Distribution alignment (CReST+) --------------------------------------------


@pytest.mark.parametrize(
    "generation, n_generations, final, expected",
    [(0, 6, 0.5, 1.0), (5, 6, 0.5, 0.5), (2, 5, 0.5, 0.75), (3, 4, 0.2, 0.2)],
)
def test_temperature_falls_linearly_to_final(
    generation, n_generations, final, expected
):
    assert _temperature(generation, n_generations, final) == pytest.approx(expected)


def test_temperature_of_a_single_generation_is_one():
    assert _temperature(0, 1, 0.5) == 1.0


@pytest.mark.parametrize("temperature", [1.0, 0.5, 0.0])
def test_alignment_moves_the_mean_prediction_to_the_target(temperature):
    rng = np.random.RandomState(0)
    logits = rng.normal(size=(200, 4)) + np.log([0.85, 0.1, 0.04, 0.01])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    prior = np.array([0.4, 0.3, 0.2, 0.1])
    target = prior**temperature / (prior**temperature).sum()
    aligned = _align_distribution(proba, prior, temperature)
    np.testing.assert_allclose(aligned.sum(axis=1), 1.0)
    before = np.abs(proba.mean(axis=0) - target).sum()
    after = np.abs(aligned.mean(axis=0) - target).sum()
    assert after < before / 2


def test_alignment_is_the_official_ratio_with_a_normalised_target():
    # p * (1e-6 + target) / (1e-6 + p_model), target = prior ** t renormalised
    proba = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    prior = np.array([0.7, 0.2, 0.1])
    target = prior**0.5 / (prior**0.5).sum()
    expected = proba * (1e-6 + target) / (1e-6 + proba.mean(axis=0))
    expected /= expected.sum(axis=1, keepdims=True)
    aligned = _align_distribution(proba, prior, 0.5)
    np.testing.assert_allclose(aligned, expected, rtol=1e-12, atol=0)


def test_alignment_aims_at_the_labelled_class_distribution(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(
        LogisticRegression(),
        distribution_alignment=True,
        final_temperature=1.0,
        max_iter=2,
    )
    clf.fit(X, y_semi)
    _, proba = _generation_zero(X, y_semi)
    prior = clf.class_counts_ / clf.class_counts_.sum()
    aligned = _align_distribution(proba, prior, 1.0)
    _, label_index, _ = _select(aligned, clf.sampling_rates_, "top", None)
    np.testing.assert_array_equal(
        clf.pseudo_label_counts_[1], np.bincount(label_index, minlength=3)
    )


def test_alignment_picks_more_minority_pseudo_labels(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    params = dict(max_iter=2, final_temperature=0.0)
    crest = CReSTClassifier(LogisticRegression(), **params).fit(X, y_semi)
    plus = CReSTClassifier(
        LogisticRegression(), distribution_alignment=True, **params
    ).fit(X, y_semi)
    rarest = np.argmin(crest.class_counts_)
    assert plus.pseudo_label_counts_[1, rarest] > crest.pseudo_label_counts_[1, rarest]


# Labels and input -----------------------------------------------------------


@pytest.mark.parametrize("dtype", [object, str])
def test_string_labels(semi_supervised_lt, dtype):
    X, _, y_semi = semi_supervised_lt
    names = np.array(["cat", "dog", "emu"], dtype=object)
    y_str = np.where(y_semi == -1, -1, names[np.maximum(y_semi, 0)]).astype(dtype)
    clf = CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_str)
    assert list(clf.classes_) == list(names)
    assert set(np.unique(clf.predict(X))) <= set(names)
    reference = CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_semi)
    np.testing.assert_array_equal(clf.labeled_iter_, reference.labeled_iter_)


@pytest.mark.parametrize("as_series", [False, True])
def test_string_minus_one_marks_unlabelled_rows_of_dtype_object(
    semi_supervised_lt, as_series
):
    """A column of strings read from a file holds the marker as "-1"."""
    pd = pytest.importorskip("pandas")
    X, _, y_semi = semi_supervised_lt
    names = np.array(["cat", "dog", "emu"], dtype=object)
    y_str = np.where(y_semi == -1, "-1", names[np.maximum(y_semi, 0)])
    y_obj = pd.Series(y_str, dtype="string") if as_series else y_str.astype(object)
    clf = CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_obj)
    assert list(clf.classes_) == list(names)
    reference = CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_str)
    np.testing.assert_array_equal(clf.labeled_iter_, reference.labeled_iter_)
    np.testing.assert_array_equal(clf.predict(X), reference.predict(X))


@pytest.mark.parametrize("unlabeled_value", [True, False])
def test_a_boolean_unlabeled_value_is_refused(semi_supervised_lt, unlabeled_value):
    # True == 1: the rows of class 1 were taken as unlabelled, and the rows
    # marked -1 as a class of their own
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(
        LogisticRegression(), unlabeled_value=unlabeled_value, max_iter=2
    )
    # the message said "an int in the range (-inf, inf)", which True is
    with pytest.raises(
        InvalidParameterError,
        match="'unlabeled_value' parameter .* must be an int that is not a bool",
    ):
        clf.fit(X, y_semi)
    clf.set_params(unlabeled_value=np.int64(-1)).fit(X, y_semi)
    assert list(clf.classes_) == sorted(set(y_semi) - {-1})


def test_custom_unlabeled_value(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    names = np.array(["cat", "dog", "emu"])
    y_str = np.where(y_semi == -1, "?", names[np.maximum(y_semi, 0)])
    clf = CReSTClassifier(LogisticRegression(), unlabeled_value="?", max_iter=2)
    clf.fit(X, y_str)
    assert list(clf.classes_) == list(names)
    assert np.all(clf.transduction_[clf.labeled_iter_ == -1] == "?")


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.float64])
def test_unlabeled_value_written_as_a_string_marks_integer_labels(
    semi_supervised_lt, dtype
):
    # "-1" as a command line or a config file gives it; the rows marked -1
    # were fitted as a class of their own
    X, _, y_semi = semi_supervised_lt
    y = y_semi.astype(dtype)
    clf = CReSTClassifier(LogisticRegression(), unlabeled_value="-1", max_iter=2)
    reference = CReSTClassifier(LogisticRegression(), max_iter=2).fit(X, y_semi)
    clf.fit(X, y)
    assert list(clf.classes_) == list(reference.classes_)
    np.testing.assert_array_equal(clf.labeled_iter_, reference.labeled_iter_)
    np.testing.assert_array_equal(clf.predict(X), reference.predict(X))


def test_sparse_input_matches_dense(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    dense = CReSTClassifier(LogisticRegression(), max_iter=2).fit(X, y_semi)
    sparse_fit = CReSTClassifier(LogisticRegression(), max_iter=2).fit(
        sparse.csr_matrix(X), y_semi
    )
    np.testing.assert_array_equal(dense.transduction_, sparse_fit.transduction_)
    np.testing.assert_allclose(
        dense.predict_proba(X),
        sparse_fit.predict_proba(sparse.csr_matrix(X)),
        atol=1e-6,
    )


def test_does_not_modify_semi_supervised_y(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    X_copy, y_copy = X.copy(), y_semi.copy()
    CReSTClassifier(LogisticRegression(), max_iter=3).fit(X, y_semi)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y_semi, y_copy)


@pytest.mark.parametrize(
    "estimator, present, absent",
    [
        (LogisticRegression(), "decision_function", None),
        (GaussianNB(), "predict_log_proba", "decision_function"),
    ],
)
def test_methods_follow_the_inner_estimator(
    semi_supervised_lt, estimator, present, absent
):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(estimator, max_iter=2).fit(X, y_semi)
    assert hasattr(clf, present)
    getattr(clf, present)(X)
    if absent is not None:
        assert not hasattr(clf, absent)


def test_verbose_reports_each_generation(semi_supervised_lt, capsys):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), max_iter=3, verbose=True)
    clf.fit(X, y_semi)
    out = capsys.readouterr().out
    assert out.count("Generation") == clf.n_iter_ - 1


# Bad input ------------------------------------------------------------------


def test_all_labelled_warns_and_fits_supervised(semi_supervised_lt):
    X, y, _ = semi_supervised_lt
    with pytest.warns(UserWarning, match="no unlabelled row") as record:
        clf = CReSTClassifier(LogisticRegression()).fit(X, y)
    assert record[0].filename == __file__  # the caller's line
    assert clf.termination_condition_ == "all_labeled"
    assert clf.n_iter_ == 1
    np.testing.assert_allclose(
        clf.predict_proba(X), LogisticRegression().fit(X, y).predict_proba(X)
    )


def test_no_labelled_row_raises(semi_supervised_lt):
    X, y, _ = semi_supervised_lt
    with pytest.raises(ValueError, match="no labelled row"):
        CReSTClassifier(LogisticRegression()).fit(X, np.full_like(y, -1))


def test_one_labelled_class_raises(semi_supervised_lt):
    X, y, y_semi = semi_supervised_lt
    y_one = np.where(y_semi == 0, 0, -1)
    with pytest.raises(ValueError, match="labelled rows hold 1 class"):
        CReSTClassifier(LogisticRegression()).fit(X, y_one)


def test_class_without_labelled_row_raises(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    y_missing = np.where(y_semi == 2, -1, y_semi)
    clf = CReSTClassifier(LogisticRegression(), classes=[0, 1, 2])
    with pytest.raises(ValueError, match="Class 2 has 0 labelled rows"):
        clf.fit(X, y_missing)


def test_labelled_row_outside_classes_raises(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), classes=[0, 1])
    with pytest.raises(ValueError, match=r"hold \[2\], which are not in classes"):
        clf.fit(X, y_semi)


def test_a_label_outside_many_classes_is_refused_in_few_words():
    # classes of 40 labels and a labelled row of another: the refusal
    # listed all of classes, hundreds of labels with hundreds of classes
    y = np.r_[np.arange(120) % 40, 40, -1]
    X = np.zeros((y.size, 1))
    message = (
        "The labelled rows hold [40], which are not in classes=0, 1, 2, 3, 4, "
        "5, 6, 7, 8, 9, ... (40 in all)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        CReSTClassifier(LogisticRegression(), classes=np.arange(40)).fit(X, y)


def test_classes_of_another_type_than_the_labels_are_named(semi_supervised_lt):
    # classes=["0", "1", "2"] for labels 0, 1, 2 said "Class '0' has 0
    # labelled rows", of a class with many
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), classes=["0", "1", "2"])
    with pytest.raises(
        ValueError, match=r"hold \[0, 1, 2\], which are not in classes.*1 and '1'"
    ):
        clf.fit(X, y_semi)


@pytest.mark.parametrize("classes", [{0, 1, 2}, frozenset({0, 1, 2})])
def test_classes_given_as_a_set_are_refused_by_name(semi_supervised_lt, classes):
    # A set failed with NumPy's "iteration over a 0-d array"; scikit-learn's
    # partial_fit refuses a set as not an array-like.
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), classes=classes)
    with pytest.raises(ValueError, match=r"got a \w*set.*no order.*sorted\(classes\)"):
        clf.fit(X, y_semi)
    clf.set_params(classes=sorted(classes)).fit(X, y_semi)
    assert clf.classes_.tolist() == [0, 1, 2]


def test_classes_given_as_a_column_are_taken(semi_supervised_lt):
    # check_classes takes a column (n_classes, 1), as scikit-learn's
    # partial_fit does; CReST then failed with "unhashable type:
    # 'numpy.ndarray'"
    X, _, y_semi = semi_supervised_lt
    expected = CReSTClassifier(LogisticRegression(), classes=[0, 1, 2])
    clf = CReSTClassifier(LogisticRegression(), classes=[[0], [1], [2]])
    assert clf.fit(X, y_semi).classes_.tolist() == [0, 1, 2]
    assert np.array_equal(clf.predict(X), expected.fit(X, y_semi).predict(X))
    with pytest.raises(ValueError, match=r"hold \[2\], which are not in classes"):
        clf.set_params(classes=np.array([[0], [1]])).fit(X, y_semi)


def test_multilabel_target_raises(semi_supervised_lt):
    X, y, _ = semi_supervised_lt
    Y = np.column_stack([y == 0, y == 1]).astype(int)
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        CReSTClassifier(LogisticRegression()).fit(X, Y)


def _never_fitted(self, X, y, **params):
    raise AssertionError("fitted")


def test_estimator_without_predict_proba_is_refused(semi_supervised_lt, monkeypatch):
    # LinearSVC has no predict_proba, nor its class: refused before any fit
    X, _, y_semi = semi_supervised_lt
    monkeypatch.setattr(LinearSVC, "fit", _never_fitted)
    with pytest.raises(ValueError, match="LinearSVC has no predict_proba"):
        CReSTClassifier(LinearSVC()).fit(X, y_semi)


@pytest.mark.parametrize(
    "estimator", [SVC(kernel="precomputed"), KNeighborsClassifier(metric="precomputed")]
)
def test_a_model_on_a_precomputed_matrix_is_refused(semi_supervised_lt, estimator):
    # fitted on the labelled rows with all the columns, it failed with
    # "Precomputed matrix must be a square matrix. Input is a 81x319 matrix"
    # for the 319x319 matrix given
    X, _, y_semi = semi_supervised_lt
    name = type(estimator).__name__
    with pytest.raises(ValueError, match=f"the estimator {name}, which takes a"):
        CReSTClassifier(estimator).fit(euclidean_distances(X), y_semi)


@pytest.mark.parametrize(
    "estimator",
    [IsolationForest(random_state=0), make_pipeline(StandardScaler(), OneClassSVM())],
)
def test_an_outlier_detector_is_refused_as_one(semi_supervised_lt, estimator):
    # the advice was to wrap it in CalibratedClassifierCV, which fails on it
    # ("'IsolationForest' object has no attribute 'classes_'")
    X, _, y_semi = semi_supervised_lt
    match = (
        "has no predict_proba; it is an outlier detector, fitted without y and "
        "predicting -1 and 1 rather than classes; give its score_samples to a "
        "classifier as a feature"
    )
    with pytest.raises(ValueError, match=match):
        CReSTClassifier(estimator).fit(X, y_semi)


class _MixinOnly(ClassifierMixin):
    """A classifier without BaseEstimator, whose tags cannot be read."""

    def fit(self, X, y):
        return self

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


def test_a_model_without_tags_is_refused_for_its_predict_proba(semi_supervised_lt):
    # looking for the outlier detector's tag must not replace the refusal
    # with scikit-learn's error on the tags
    X, _, y_semi = semi_supervised_lt
    with pytest.raises(ValueError, match="_MixinOnly has no predict_proba; use a"):
        CReSTClassifier(_MixinOnly()).fit(X, y_semi)


def test_missing_predict_proba_is_named_after_the_fit(semi_supervised_lt):
    # SVC offers predict_proba with probability=True: checked once fitted
    X, _, y_semi = semi_supervised_lt
    with pytest.raises(ValueError, match="SVC has no predict_proba"):
        CReSTClassifier(SVC(), max_iter=2).fit(X, y_semi)


def test_a_frozen_estimator_is_refused(semi_supervised_lt):
    # never refitted, it ignored every pseudo-label: the classifier predicted
    # as the frozen model did, while pseudo_label_counts_ listed the rows it
    # had pseudo-labelled for nothing
    X, y, y_semi = semi_supervised_lt
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match="FrozenEstimator, never refitted"):
        CReSTClassifier(frozen, max_iter=2).fit(X, y_semi)
    # nor as the last step of a pipeline, which ran its generations alike
    pipe = make_pipeline(StandardScaler(), frozen)
    with pytest.raises(ValueError, match=r"\(the last step of its pipeline\), never"):
        CReSTClassifier(pipe, max_iter=2).fit(X, y_semi)
    # a frozen step before the last learns no label: taken
    scaler = FrozenEstimator(StandardScaler().fit(X))
    pipe = make_pipeline(scaler, LogisticRegression())
    assert CReSTClassifier(pipe, max_iter=2).fit(X, y_semi).transduction_.size


def test_a_model_with_predict_proba_once_fitted_is_taken(semi_supervised_lt):
    # a StackingClassifier with its default final estimator has predict_proba
    # only once fitted; it was refused, SelfTrainingClassifier takes it
    X, _, y_semi = semi_supervised_lt
    stack = StackingClassifier([("nb", GaussianNB())], cv=2)
    clf = CReSTClassifier(stack, max_iter=2, random_state=0).fit(X, y_semi)
    assert clf.classes_.tolist() == [0, 1, 2]
    assert clf.predict_proba(X).shape == (X.shape[0], 3)
    assert isinstance(clf.estimator_, StackingClassifier)


# sample_weight ----------------------------------------------------------------


def _precise_lr():
    return LogisticRegression(tol=1e-12, max_iter=10_000)


@pytest.mark.parametrize("distribution_alignment", [False, True])
def test_integer_weights_give_the_fit_of_repeated_rows(
    semi_supervised_lt, distribution_alignment
):
    X, _, y_semi = semi_supervised_lt
    weights = np.random.default_rng(0).integers(0, 4, size=y_semi.size)
    for label in np.unique(y_semi):  # every class keeps labelled weight
        weights[np.flatnonzero(y_semi == label)[:2]] = 1
    params = dict(distribution_alignment=distribution_alignment, max_iter=4)
    weighted = CReSTClassifier(_precise_lr(), **params)
    weighted.fit(X, y_semi, sample_weight=weights)
    repeated = CReSTClassifier(_precise_lr(), **params)
    repeated.fit(np.repeat(X, weights, axis=0), np.repeat(y_semi, weights))
    np.testing.assert_allclose(weighted.class_counts_, repeated.class_counts_)
    np.testing.assert_allclose(weighted.sampling_rates_, repeated.sampling_rates_)
    np.testing.assert_allclose(
        weighted.pseudo_label_counts_, repeated.pseudo_label_counts_
    )
    assert weighted.pseudo_label_counts_[1:].sum() > 0
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6
    )
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


def test_integer_weights_stop_where_repeated_rows_stop(semi_supervised_lt):
    # a generation that kept the same rows, with other parts of the weights
    # of the last rows of a class, was taken for an unchanged one: the fit
    # stopped at generation 5 of 8, the repeated rows' went on to 7
    X, _, y_semi = semi_supervised_lt
    weights = np.random.default_rng(0).integers(0, 4, size=y_semi.size)
    for label in np.unique(y_semi):  # every class keeps labelled weight
        weights[np.flatnonzero(y_semi == label)[:2]] = 1
    weighted = CReSTClassifier(_precise_lr(), max_iter=8)
    weighted.fit(X, y_semi, sample_weight=weights)
    repeated = CReSTClassifier(_precise_lr(), max_iter=8)
    repeated.fit(np.repeat(X, weights, axis=0), np.repeat(y_semi, weights))
    assert weighted.n_iter_ == repeated.n_iter_ == 7
    assert weighted.termination_condition_ == repeated.termination_condition_
    np.testing.assert_allclose(
        weighted.pseudo_label_counts_, repeated.pseudo_label_counts_
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6
    )


def test_weights_stop_at_once_when_nothing_is_kept(semi_supervised_lt):
    # generation 1 keeps no row, as generation 0: the weighted fit took the
    # missing weights of generation 0 for other weights and refitted once more
    X, _, y_semi = semi_supervised_lt
    params = dict(threshold=1.0, max_iter=5)
    plain = CReSTClassifier(LogisticRegression(), **params).fit(X, y_semi)
    weighted = CReSTClassifier(LogisticRegression(), **params)
    weighted.fit(X, y_semi, sample_weight=np.ones(y_semi.size))
    assert weighted.termination_condition_ == plain.termination_condition_
    assert weighted.n_iter_ == plain.n_iter_ == 1
    np.testing.assert_array_equal(weighted.pseudo_label_counts_, [[0, 0, 0]])


def test_kept_weights_that_differ_by_rounding_are_the_same():
    # rows 0-2 ranked in another order before the last row kept, row 3: it
    # keeps 2 - (0.1 + 0.7 + 0.3) or 2 - (0.3 + 0.7 + 0.1)
    weights = np.array([0.1, 0.7, 0.3, 2.3, 1.1])
    picks = []
    for confidence in ([0.99, 0.98, 0.97, 0.96, 0.6], [0.97, 0.98, 0.99, 0.96, 0.6]):
        proba = np.c_[confidence, 1 - np.array(confidence)]
        picks.append(_select(proba, np.array([0.5, 1.0]), "top", None, weights))
    (rows, labels, kept), (rows_2, labels_2, kept_2) = picks
    np.testing.assert_array_equal(rows, rows_2)
    np.testing.assert_array_equal(labels, labels_2)
    assert not np.array_equal(kept, kept_2)
    assert _same_kept_weights(kept, kept_2)
    assert not _same_kept_weights(kept, kept_2 + [0, 0, 0, 0.1])
    assert _same_kept_weights(None, None)
    assert not _same_kept_weights(kept, None)


def test_fractional_weights_stop_when_only_rounding_changes(semi_supervised_lt):
    # generation 6 kept the rows of generation 5 with weights equal up to
    # rounding; the fit went on to a generation 7 that changed nothing
    X, _, y_semi = semi_supervised_lt
    weights = np.random.default_rng(0).integers(1, 4, size=y_semi.size) * (1 / 3)
    clf = CReSTClassifier(LogisticRegression(), max_iter=12)
    clf.fit(X, y_semi, sample_weight=weights)
    assert clf.termination_condition_ == "no_change"
    assert clf.n_iter_ == 6


def test_zero_weight_unlabelled_rows_are_never_pseudo_labelled(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    weights = np.ones(y_semi.size)
    silent = np.flatnonzero(y_semi == -1)[::2]
    weights[silent] = 0
    clf = CReSTClassifier(LogisticRegression(), selection="random", random_state=0)
    clf.fit(X, y_semi, sample_weight=weights)
    assert np.all(clf.labeled_iter_[silent] == -1)
    np.testing.assert_array_equal(clf.transduction_[silent], -1)


def test_sample_weight_needs_an_estimator_that_takes_it(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(KNeighborsClassifier())
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit does not accept"):
        clf.fit(X, y_semi, sample_weight=np.ones(y_semi.size))


def test_the_routing_advice_for_a_pipeline_declines_the_weights_of_a_scaler(
    semi_supervised_lt,
):
    # It said that with routing the weights reach only the steps that request
    # them; a StandardScaler step, which accepts them, was then refused by
    # scikit-learn for want of a request.
    X, _, y_semi = semi_supervised_lt
    weights = np.ones(y_semi.size)
    clf = CReSTClassifier(make_pipeline(StandardScaler(), LogisticRegression()))
    with pytest.raises(ValueError, match="Pipeline.fit does not accept") as info:
        clf.set_params(max_iter=2).fit(X, y_semi, sample_weight=weights)
    assert "StandardScaler, must decline them with" in str(info.value)
    with config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        clf.set_params(estimator=make_pipeline(scaler, inner))
        clf.fit(X, y_semi, sample_weight=weights)
    assert clf.predict(X).shape == y_semi.shape


def test_a_self_trainer_that_declines_the_weights_fits_without_them(
    semi_supervised_lt,
):
    # Neither CReST nor its estimator takes the weights: a fit without any
    # weight failed with "got unexpected argument(s) {'sample_weight'}, which
    # are not routed to any object".
    X, _, y_semi = semi_supervised_lt
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=False)
        clf = CReSTClassifier(inner, max_iter=2).set_fit_request(sample_weight=False)
        clf.fit(X, y_semi)
    plain = CReSTClassifier(LogisticRegression(), max_iter=2).fit(X, y_semi)
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))


def test_metadata_routing_sends_sample_weight_where_requested(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    weights = np.random.default_rng(0).integers(1, 4, size=y_semi.size) * 1.0
    plain = CReSTClassifier(LogisticRegression(), max_iter=3)
    plain.fit(X, y_semi, sample_weight=weights)
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        routed = CReSTClassifier(inner, max_iter=3)
        routed.fit(X, y_semi, sample_weight=weights)
        inner = LogisticRegression().set_fit_request(sample_weight=False)
        counts_only = CReSTClassifier(inner, max_iter=1)
        counts_only.fit(X, y_semi, sample_weight=weights)
        # an estimator that takes no weights is left out of the routing
        knn = CReSTClassifier(KNeighborsClassifier(), max_iter=2)
        knn.fit(X, y_semi, sample_weight=weights)
        with pytest.raises(UnsetMetadataPassedError, match="LogisticRegression.fit"):
            CReSTClassifier(LogisticRegression()).fit(X, y_semi, sample_weight=weights)
        scores = cross_val_score(
            CReSTClassifier(LogisticRegression().set_fit_request(sample_weight=True))
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False),
            X,
            y_semi,
            cv=3,
            params={"sample_weight": weights},
            error_score="raise",
        )
    np.testing.assert_allclose(routed.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_allclose(routed.pseudo_label_counts_, plain.pseudo_label_counts_)
    # the counts are weighted even when the estimator does not take the weights
    labelled = y_semi != -1
    unweighted = LogisticRegression().fit(X[labelled], y_semi[labelled])
    np.testing.assert_allclose(counts_only.estimator_.coef_, unweighted.coef_)
    np.testing.assert_allclose(counts_only.class_counts_, plain.class_counts_)
    np.testing.assert_allclose(knn.class_counts_, plain.class_counts_)
    assert scores.shape == (3,)


class _RowRecorder(LogisticRegression):
    """Records the per-row metadata it is fitted with."""

    def fit(self, X, y, sample_weight=None, row_ids=None, note=None):
        assert row_ids is None or len(row_ids) == len(y)
        self.row_ids_, self.note_ = row_ids, note
        return super().fit(X, y, sample_weight=sample_weight)


def test_routed_fit_params_are_taken_on_the_rows_of_each_generation(
    semi_supervised_lt,
):
    X, _, y_semi = semi_supervised_lt
    row_ids = np.arange(y_semi.size)
    with pytest.raises(ValueError, match="only routed .* with metadata routing"):
        CReSTClassifier(_RowRecorder()).fit(X, y_semi, row_ids=row_ids)
    with config_context(enable_metadata_routing=True):
        inner = _RowRecorder().set_fit_request(row_ids=True, note=True)
        clf = CReSTClassifier(inner, max_iter=3).fit(
            X, y_semi, row_ids=row_ids, note="kept whole"
        )
    trained = np.flatnonzero(np.isin(clf.labeled_iter_, [0, clf.n_iter_ - 1]))
    np.testing.assert_array_equal(clf.estimator_.row_ids_, trained)
    assert trained.size > np.count_nonzero(y_semi != -1)
    assert clf.estimator_.note_ == "kept whole"


@pytest.mark.parametrize("sequence", [tuple, lambda rows: rows], ids=["tuple", "range"])
def test_routed_fit_params_in_a_sequence_are_taken_on_the_rows(
    semi_supervised_lt, sequence
):
    # a tuple or range of one value per row is taken on the rows of each
    # generation, as an array is; it reached every generation whole
    X, _, y_semi = semi_supervised_lt
    with config_context(enable_metadata_routing=True):
        inner = _RowRecorder().set_fit_request(row_ids=True)
        clf = CReSTClassifier(inner, max_iter=3).fit(
            X, y_semi, row_ids=sequence(range(y_semi.size))
        )
    trained = np.flatnonzero(np.isin(clf.labeled_iter_, [0, clf.n_iter_ - 1]))
    assert list(clf.estimator_.row_ids_) == trained.tolist()


def test_routed_weights_under_an_alias_are_per_row_metadata(semi_supervised_lt):
    # an estimator requesting its sample_weight as "inner_weight" gets those
    # taken on the rows of each generation, not the weights of CReSTClassifier
    X, _, y_semi = semi_supervised_lt
    inner_weight = np.random.default_rng(0).integers(1, 4, size=y_semi.size) * 1.0
    with config_context(enable_metadata_routing=True):
        inner = _RowRecorder().set_fit_request(
            sample_weight="inner_weight", row_ids=True
        )
        clf = CReSTClassifier(inner, max_iter=3, random_state=0).fit(
            X, y_semi, inner_weight=inner_weight, row_ids=np.arange(y_semi.size)
        )
    plain = CReSTClassifier(LogisticRegression(), max_iter=3, random_state=0)
    plain.fit(X, y_semi)
    # CReSTClassifier itself got no weights: its labelled counts are plain
    np.testing.assert_array_equal(clf.class_counts_, plain.class_counts_)
    rows = clf.estimator_.row_ids_
    expected = LogisticRegression().fit(
        X[rows], clf.transduction_[rows], sample_weight=inner_weight[rows]
    )
    np.testing.assert_allclose(clf.estimator_.coef_, expected.coef_)


_PREDICT_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
)


class _PredictRecorder(LogisticRegression):
    """Records the ``offset`` each of its prediction methods is called with."""

    def _record(self, method, offset):
        self.offsets_ = {**getattr(self, "offsets_", {}), method: offset}

    def predict(self, X, offset=None):
        self._record("predict", offset)
        return super().predict(X)

    def predict_proba(self, X, offset=None):
        self._record("predict_proba", offset)
        return super().predict_proba(X)

    def predict_log_proba(self, X, offset=None):
        self._record("predict_log_proba", offset)
        return super().predict_log_proba(X)

    def decision_function(self, X, offset=None):
        self._record("decision_function", offset)
        return super().decision_function(X)


def test_predict_metadata_reaches_the_estimator_as_requested(semi_supervised_lt):
    # as in SelfTrainingClassifier; predict raised "got an unexpected keyword
    # argument" with routing enabled or not
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), max_iter=2).fit(X, y_semi)
    for method in _PREDICT_METHODS:
        with pytest.raises(ValueError, match=f"{method} got \\['offset'\\]; extra"):
            getattr(clf, method)(X, offset=1)
    with config_context(enable_metadata_routing=True):
        inner = _PredictRecorder()
        for method in _PREDICT_METHODS:
            getattr(inner, f"set_{method}_request")(offset=True)
        clf = CReSTClassifier(inner, max_iter=2).fit(X, y_semi)
        np.testing.assert_array_equal(
            clf.predict(X, offset=5), clf.estimator_.predict(X)
        )
        for method in _PREDICT_METHODS:
            getattr(clf, method)(X, offset=method)
            assert clf.estimator_.offsets_[method] == method
        unset = CReSTClassifier(_PredictRecorder(), max_iter=2).fit(X, y_semi)
        with pytest.raises(UnsetMetadataPassedError, match="Recorder.predict"):
            unset.predict(X, offset=1)


def test_labelled_rows_of_zero_weight_raise(semi_supervised_lt):
    X, _, y_semi = semi_supervised_lt
    weights = (y_semi == -1) * 1.0
    with pytest.raises(ValueError, match="labelled rows have a total sample_weight"):
        CReSTClassifier(LogisticRegression()).fit(X, y_semi, sample_weight=weights)


def test_a_labelled_class_of_zero_weight_raises(semi_supervised_lt):
    # its count of 0 was N_L in the keep rates: the most frequent class got
    # a rate of 0 and no pseudo-label in any generation
    X, y, y_semi = semi_supervised_lt
    rarest = np.bincount(y).argmin()
    weights = np.where(y_semi == rarest, 0.0, 1.0)
    with pytest.raises(ValueError, match=f"Class {rarest} has 0 total sample_weight"):
        CReSTClassifier(LogisticRegression()).fit(X, y_semi, sample_weight=weights)


@pytest.mark.parametrize("dtype", ["string", "Int64", "object"])
def test_missing_labels_are_refused_and_the_marker_named(dtype):
    # pd.NA in y failed with "TypeError: boolean value of NA is ambiguous"
    # (string) or "Unknown label type: unknown" (None in an object Series)
    pd = pytest.importorskip("pandas")
    X, y = make_blobs(n_samples=40, centers=2, random_state=0)
    labels = pd.Series(y, dtype=dtype).mask(np.arange(40) % 10 == 3)
    clf = CReSTClassifier(LogisticRegression(), max_iter=1)
    with pytest.raises(ValueError, match=r"4 missing labels .* rows 3, 13, 23, 33: "):
        clf.fit(X, labels)
    with pytest.raises(ValueError, match="mark the unlabelled rows with unlabeled_val"):
        clf.fit(X, labels)
    if dtype == "Int64":  # marked as the message says
        assert clf.fit(X, labels.fillna(-1)).classes_.tolist() == [0, 1]


def test_a_dataframe_reaches_the_estimator_as_it_is():
    # X was converted to an array first, so a pipeline selecting columns by
    # name failed ("could not convert string to float"), as in scikit-learn's
    # SelfTrainingClassifier; the post-hoc classifiers pass X as it is.
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = make_blobs(n_samples=80, centers=2, random_state=0)
    frame = pd.DataFrame(
        {
            "x0": X[:, 0],
            "x1": X[:, 1],
            "s": pd.array(np.where(y == 1, "u", "v"), dtype="string"),
        },
        index=np.random.RandomState(0).permutation(80) + 100,
    )
    labels = pd.Series(np.where(np.arange(80) % 4 == 0, y, -1), index=np.arange(80))
    encode = make_column_transformer((OneHotEncoder(), ["s"]), remainder="passthrough")
    clf = CReSTClassifier(make_pipeline(encode, LogisticRegression()), max_iter=3)
    clf.fit(frame, labels)
    assert list(clf.feature_names_in_) == ["x0", "x1", "s"]
    assert (clf.labeled_iter_ > 0).any()  # rows were pseudo-labelled
    assert np.array_equal(clf.predict(frame), y)
    assert np.array_equal(clf.predict(frame.reset_index(drop=True)), y)
    with pytest.raises(ValueError, match="could not convert string to float"):
        CReSTClassifier(LogisticRegression(), max_iter=2).fit(frame, labels)


def test_score_leaves_out_the_unlabelled_rows(semi_supervised_lt):
    """The default scoring of a search scores the labelled rows of each fold."""
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(LogisticRegression(), max_iter=2).fit(X, y_semi)
    labeled = y_semi != -1
    assert clf.score(X, y_semi) == clf.score(X[labeled], y_semi[labeled])
    weight = np.linspace(0.5, 2, y_semi.size)
    assert clf.score(X, y_semi, sample_weight=weight) == pytest.approx(
        clf.score(X[labeled], y_semi[labeled], sample_weight=weight[labeled])
    )
    folds = cross_val_score(clf, X, y_semi, cv=3)
    assert folds.min() > 0.8  # the -1 rows, never predicted, scored ~0.2
    with pytest.raises(ValueError, match="no labelled row to score"):
        clf.score(X[~labeled], y_semi[~labeled])
    # a single unlabelled row is left out too
    rows = np.r_[np.flatnonzero(labeled), np.flatnonzero(~labeled)[:1]]
    assert clf.score(X[rows], y_semi[rows]) == clf.score(X[labeled], y_semi[labeled])


class _FailsOnPseudoLabels(LogisticRegression):
    """Fits the labelled rows; a fit with pseudo-labelled rows fails."""

    def fit(self, X, y, sample_weight=None):
        if len(y) > 100:
            raise RuntimeError("generation failed")
        return super().fit(X, y, sample_weight=sample_weight)


def test_a_fit_that_fails_in_a_generation_leaves_it_not_fitted(semi_supervised_lt):
    """No mix of the previous fit's model and this fit's counts and labels."""
    X, _, y_semi = semi_supervised_lt
    clf = CReSTClassifier(_FailsOnPseudoLabels(), max_iter=1).fit(X, y_semi)
    assert clf.predict(X).shape == y_semi.shape  # 81 labelled rows
    with pytest.raises(RuntimeError, match="generation failed"):
        clf.set_params(max_iter=2).fit(X, y_semi)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    assert not hasattr(clf, "class_counts_")


class _ExtraColumn(LogisticRegression):
    """A logistic regression whose probabilities have a column of zeros more."""

    def predict_proba(self, X):
        proba = super().predict_proba(X)
        return np.hstack([proba, np.zeros((proba.shape[0], 1))])


def test_a_predict_proba_of_another_shape_is_named(semi_supervised_lt):
    # the pseudo-labels were drawn from 4 columns for 3 classes, silently
    X, _, y_semi = semi_supervised_lt
    with pytest.raises(ValueError, match=r"shape \(\d+, 4\); .* must be \(\d+, 3\)"):
        CReSTClassifier(_ExtraColumn(), random_state=0).fit(X, y_semi)
