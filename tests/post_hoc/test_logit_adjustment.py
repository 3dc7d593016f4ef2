"""Tests of LogitAdjustedClassifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline

from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
    _base,
    _cross_fit,
)
from ltlearn.post_hoc._base import _adjusted_log_proba, _log_proba
from ltlearn.post_hoc._logit_adjustment import _TAU_GRID, _adjusted_argmax

LABELS = np.array(["ant", "bee", "cat", "dog"], dtype=object)


@pytest.mark.parametrize("target", ["binary", "multiclass"])
@pytest.mark.parametrize("string_labels", [False, True])
@pytest.mark.parametrize("tau", [0.0, 1.0, 2.5, "auto"])
def test_predict_is_argmax_of_adjusted_proba(
    target, string_labels, tau, imbalanced_binary, imbalanced_multiclass
):
    X, y = imbalanced_binary if target == "binary" else imbalanced_multiclass
    if string_labels:
        y = LABELS[y]
    clf = LogitAdjustedClassifier(LogisticRegression(), tau=tau, cv=3).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert set(clf.classes_) == set(np.unique(y))


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 2.0])
def test_adjusted_proba_is_softmax_of_adjusted_logits(tau, imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), tau=tau).fit(X, y)
    prior = np.bincount(y) / y.size
    logits = np.log(clf.estimator_.predict_proba(X)) - tau * np.log(prior)
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-10)
    if tau == 0:
        np.testing.assert_allclose(
            clf.predict_proba(X), clf.estimator_.predict_proba(X), rtol=1e-10
        )


@pytest.mark.parametrize("tau", [0.5, 1.0, 2.0])
def test_costs_proportional_to_prior_power_equal_logit_adjustment(
    tau, imbalanced_multiclass
):
    """Threshold-moving with class costs pi ** -tau is logit adjustment."""
    X, y = imbalanced_multiclass
    prior = np.bincount(y) / y.size
    costs = 3.0 * prior ** (-tau)
    cost_matrix = costs[:, None] * (1 - np.eye(costs.size))
    moved = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
    adjusted = LogitAdjustedClassifier(LogisticRegression(), tau=tau)
    np.testing.assert_allclose(
        moved.fit(X, y).predict_proba(X), adjusted.fit(X, y).predict_proba(X)
    )
    np.testing.assert_array_equal(moved.predict(X), adjusted.predict(X))


def test_given_prior_is_normalised_and_used(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), prior=[4, 3, 2, 1]).fit(X, y)
    np.testing.assert_allclose(clf.prior_, [0.4, 0.3, 0.2, 0.1])
    expected = clf.estimator_.predict_proba(X) / clf.prior_
    np.testing.assert_array_equal(clf.predict(X), expected.argmax(axis=1))


def test_prior_by_label_is_read_in_the_order_of_classes(imbalanced_multiclass):
    # a Series of y.value_counts() (ordered by count) was read by position,
    # giving each class another's prior; a dict failed in float()
    X, y = imbalanced_multiclass
    labels = np.array(["w", "x", "y", "z"], dtype=object)[y]
    expected = [0.4, 0.3, 0.2, 0.1]
    series = pd.Series([1, 2, 3, 4], index=["z", "y", "x", "w"])
    for prior in (series, series.to_dict()):
        clf = LogitAdjustedClassifier(LogisticRegression(), prior=prior)
        np.testing.assert_allclose(clf.fit(X, labels).prior_, expected)
    counts = pd.Series(labels).value_counts()
    clf = LogitAdjustedClassifier(LogisticRegression(), prior=counts).fit(X, labels)
    np.testing.assert_allclose(clf.prior_, np.bincount(y) / y.size)
    # a Series indexed otherwise is read by position, as an array
    clf.set_params(prior=pd.Series([4, 3, 2, 1])).fit(X, labels)
    np.testing.assert_allclose(clf.prior_, expected)
    with pytest.raises(ValueError, match="prior has no value for class 'z'"):
        clf.set_params(prior={"w": 1, "x": 1, "y": 1}).fit(X, labels)
    with pytest.raises(ValueError, match=r"prior holds \['v'\], which are not"):
        clf.set_params(prior={"v": 1, "w": 1, "x": 1, "y": 1}).fit(X, labels)


class _LabelledArray:
    """An array read as xarray's ``DataArray``: a ``loc``, no pandas ``index``.

    NumPy reads it through ``__array__``; an item is a 0-d one of its kind,
    which has no length.
    """

    def __init__(self, values):
        self._values = np.asarray(values)
        self.shape, self.ndim, self.dtype = (
            self._values.shape, self._values.ndim, self._values.dtype
        )  # fmt: skip

    @property
    def loc(self):
        return self  # selection by coordinate labels

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._values, dtype=dtype)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return len(self._values)

    def __getitem__(self, key):
        return _LabelledArray(self._values[key])


def test_prior_and_costs_in_a_labelled_array_are_read_by_position(
    imbalanced_multiclass,
):
    # An xarray DataArray has a loc, read as a pandas object's: it failed
    # with "'DataArray' object has no attribute 'index'".
    X, y = imbalanced_multiclass
    prior, costs = [0.4, 0.3, 0.2, 0.1], [1.0, 2.0, 3.0, 4.0]
    for make, values in [
        (partial(LogitAdjustedClassifier, LogisticRegression()), "prior"),
        (partial(ThresholdMovingClassifier, LogisticRegression()), "cost_matrix"),
    ]:
        given = prior if values == "prior" else costs
        expected = make(**{values: np.array(given)}).fit(X, y)
        got = make(**{values: _LabelledArray(given)}).fit(X, y)
        np.testing.assert_array_equal(got.predict(X), expected.predict(X))
        np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))


def test_prior_indexed_by_some_of_the_classes_is_refused(imbalanced_multiclass):
    # an index naming the classes as text, or a class twice, or another label,
    # was read by position, giving classes the values labelled for others
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression())
    for index, message in (
        (["3", "2", "1", "0"], r"indexed by \['3', '2', '1', '0'\].*1 and '1'"),
        ([3, 2, 1, 1], "several values for class 1"),
        ([3, 2, 1, 9], r"indexed by \[9\], which are not classes"),
    ):
        with pytest.raises(ValueError, match=message):
            clf.set_params(prior=pd.Series([4, 3, 2, 1], index=index)).fit(X, y)
    # the default index is read by position, even of classes 1..n
    clf.set_params(prior=pd.Series([4, 3, 2, 1])).fit(X, y + 1)
    np.testing.assert_allclose(clf.prior_, [0.4, 0.3, 0.2, 0.1])


def test_prior_given_as_a_set_is_refused_by_name(imbalanced_multiclass):
    # scikit-learn's "array-like" constraint takes a set, which has no order;
    # float() then raised "argument must be a string or a real number"
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), prior={0.4, 0.3, 0.2, 0.1})
    message = r"prior is a set, which has no order.*classes \[0, 1, 2, 3\]"
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    clf.set_params(prior=frozenset({0.4, 0.3, 0.2, 0.1}))
    with pytest.raises(ValueError, match="prior is a frozenset"):
        clf.fit(X, y)


@pytest.mark.parametrize("view", ["keys", "values", "items"])
def test_prior_given_as_a_dict_view_is_refused_by_name(imbalanced_multiclass, view):
    # a view (of Counter(y), say) is in the dict's order, not the classes';
    # float() raised "argument must be a string or a real number"
    X, y = imbalanced_multiclass
    prior = getattr({3: 0.1, 0: 0.4, 2: 0.2, 1: 0.3}, view)()
    clf = LogitAdjustedClassifier(LogisticRegression(), prior=prior)
    message = rf"prior is a dict_{view}, which has the order of its dict, not"
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)


def test_prior_of_boolean_classes_is_read_in_the_order_of_classes(
    imbalanced_multiclass,
):
    # pandas took the classes False and True for a boolean mask: a Series of
    # two values, by position or indexed by the classes, became one value
    X, y = imbalanced_multiclass
    y = y == 0
    for prior in (
        pd.Series([3, 1]),
        pd.Series([1, 3], index=[True, False]),
        {True: 1, False: 3},
    ):
        clf = LogitAdjustedClassifier(LogisticRegression(), prior=prior)
        np.testing.assert_allclose(clf.fit(X, y).prior_, [0.75, 0.25])


def test_given_prior_near_the_largest_float_is_normalised(imbalanced_multiclass):
    # Its sum overflowed: a prior of zeros, then rows of NaN in predict_proba.
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), prior=[4, 3, 2, 1])
    huge = clone(clf).set_params(prior=[8e307, 6e307, 4e307, 2e307])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        huge.fit(X, y)
    np.testing.assert_allclose(huge.prior_, [0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(
        huge.predict_proba(X), clf.fit(X, y).predict_proba(X), rtol=1e-12
    )


@pytest.mark.parametrize(
    "prior, match",
    [
        ([0.5, 0.5], r"shape \(2,\)"),
        ([1, 1, 0, 1], "positive"),
        ([1, 1, np.nan, 1], "finite"),
        # normalised, 1e-300 underflowed to a prior of 0 (rows of NaN)
        ([1e300, 1, 1, 1e-300], "prior of class 3 is 0 of the sum"),
        ([1e308, 1e308, 1, 1], "prior of class 2 is 5e-309 of the sum"),
    ],
)
def test_invalid_prior_is_refused(prior, match, imbalanced_multiclass):
    X, y = imbalanced_multiclass
    with pytest.raises(ValueError, match=match):
        LogitAdjustedClassifier(LogisticRegression(), prior=prior).fit(X, y)


@pytest.mark.parametrize(
    "prior", [np.array([0.4, 0.3 + 1j, 0.2, 0.1]), {0: 1, 1: 1, 2: 1, 3: 1j}]
)
def test_complex_prior_is_refused(prior, imbalanced_multiclass):
    # NumPy's cast to float dropped the imaginary part with only a
    # ComplexWarning; Python complex numbers failed in float()
    X, y = imbalanced_multiclass
    with pytest.raises(ValueError, match="^prior must hold real numbers"):
        LogitAdjustedClassifier(LogisticRegression(), prior=prior).fit(X, y)


def test_prior_of_no_numbers_is_refused_by_name(imbalanced_multiclass):
    # A word failed with NumPy's message alone, which named no parameter
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), prior=[0.4, "x", 0.2, 0.1])
    with pytest.raises(ValueError, match="^prior must hold numbers: could not"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "scoring, metric",
    [
        ("balanced_accuracy", balanced_accuracy_score),
        ("geometric_mean", geometric_mean_score),
        ("f1_macro", lambda y_true, y_pred: f1_score(y_true, y_pred, average="macro")),
    ],
)
def test_auto_tau_maximises_the_out_of_fold_score(
    scoring, metric, imbalanced_multiclass
):
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), tau="auto", scoring=scoring)
    clf.fit(X, y)
    proba = cross_val_predict(
        LogisticRegression(), X, y, cv=StratifiedKFold(5), method="predict_proba"
    )
    prior = np.bincount(y) / y.size
    scores = [
        metric(y, np.argmax(proba * prior ** (-tau), axis=1)) for tau in _TAU_GRID
    ]
    assert clf.tau_ in _TAU_GRID
    assert clf.best_score_ == pytest.approx(max(scores))
    assert scores[list(_TAU_GRID).index(clf.tau_)] == pytest.approx(max(scores))


def test_auto_tau_scores_the_rule_predict_applies_on_ties():
    # vote counts in fifths and a prior in simple ratios: at tau = 0.5 rows
    # tie, p_j / prior_j ** 0.5 = p_k / prior_k ** 0.5, and the plain sum
    # log p - tau log prior of the search broke them another way than the
    # log-space normalisation of predict (best_score_ 1.0, predict 0.932)
    rng = np.random.RandomState(49)
    n_classes, n_votes = rng.randint(2, 5), rng.choice([4, 5, 10])
    votes = [
        rng.multinomial(n_votes, rng.dirichlet(np.ones(n_classes))) for _ in range(50)
    ]
    proba = np.array(votes) / n_votes
    prior = np.array([10.0, 5.0, 15.0, 20.0]) / 50
    with np.errstate(divide="ignore"):  # the rule of the sum
        y = np.argmax(np.log(proba) - 0.5 * np.log(prior), axis=1)
    X = np.arange(50)[:, None]
    model = FrozenEstimator(_FixedProba(proba))
    clf = LogitAdjustedClassifier(model, tau="auto", prior=prior).fit(X, y)
    assert clf.best_score_ == balanced_accuracy_score(y, clf.predict(X))


@pytest.mark.parametrize("order", ["C", "F"])
def test_adjusted_argmax_is_that_of_the_normalised_rows(order):
    # the search's argmax, normalising only where rounding can decide it, is
    # that of predict's rows on vote counts (ties p_j / prior_j ** tau that
    # the plain sum breaks another way) and on continuous probabilities
    rng = np.random.RandomState(49)
    votes = rng.multinomial(5, [0.3, 0.3, 0.2, 0.2], size=60)
    proba = np.vstack([votes / 5, rng.dirichlet(np.ones(4), size=60)])
    proba = np.asarray(proba, order=order)
    log_prior = np.log([0.2, 0.1, 0.3, 0.4])
    log_proba = _log_proba(proba)
    plain_differs = False
    for tau in _TAU_GRID:
        expected = np.argmax(_adjusted_log_proba(proba, -tau * log_prior), axis=1)
        pred = _adjusted_argmax(proba, log_proba, -tau * log_prior)
        np.testing.assert_array_equal(pred, expected)
        plain = np.argmax(log_proba - tau * log_prior, axis=1)
        plain_differs |= not np.array_equal(plain, expected)
    assert plain_differs


def test_auto_tau_accepts_a_metric_callable(imbalanced_binary):
    X, y = imbalanced_binary
    clf = LogitAdjustedClassifier(
        LogisticRegression(), tau="auto", scoring=balanced_accuracy_score, cv=3
    ).fit(X, y)
    named = LogitAdjustedClassifier(LogisticRegression(), tau="auto", cv=3).fit(X, y)
    assert clf.tau_ == named.tau_
    assert clf.best_score_ == pytest.approx(named.best_score_)


def test_auto_tau_ranks_a_nan_score_below_every_number(imbalanced_binary):
    # one tau scored NaN made the choice fail: "attempt to get argmin of an
    # empty sequence"
    X, y = imbalanced_binary

    def f1_or(value):
        def metric(y_true, y_pred):
            return value if np.mean(y_pred) > 0.15 else f1_score(y_true, y_pred)

        return metric

    clf = LogitAdjustedClassifier(
        LogisticRegression(), tau="auto", cv=3, store_cv_results=True
    )
    with_nan = clone(clf).set_params(scoring=f1_or(np.nan)).fit(X, y)
    lowest = clone(clf).set_params(scoring=f1_or(-1.0)).fit(X, y)
    scores = with_nan.cv_results_["scores"]
    assert np.isnan(scores).any() and not np.isnan(scores).all()
    assert with_nan.tau_ == lowest.tau_
    assert with_nan.best_score_ == lowest.best_score_ > 0
    np.testing.assert_array_equal(np.isnan(scores), lowest.cv_results_["scores"] == -1)


def test_f1_scoring_needs_a_binary_target(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), tau="auto", scoring="f1")
    with pytest.raises(ValueError, match="binary target; this one has 4 classes"):
        clf.fit(X, y)


def test_tunable_in_grid_search(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    search = GridSearchCV(
        LogitAdjustedClassifier(LogisticRegression()),
        {"tau": [0.0, 1.0], "estimator__C": [0.1, 1.0]},
        scoring="balanced_accuracy",
        cv=3,
    ).fit(X, y)
    assert search.best_params_["tau"] in (0.0, 1.0)
    assert search.best_estimator_.estimator_.C == search.best_params_["estimator__C"]
    scores = search.cv_results_["mean_test_score"].reshape(2, 2)  # C, then tau
    assert np.all(scores[:, 1] >= scores[:, 0])  # adjusting helps here


def test_pipeline_with_missing_values(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    X = X.copy()
    X[::7, 0] = np.nan
    pipe = make_pipeline(SimpleImputer(), LogisticRegression())
    clf = LogitAdjustedClassifier(pipe, tau="auto", cv=3).fit(X, y)
    assert clf.predict(X).shape == y.shape


def test_frozen_estimator_with_auto_tau_uses_its_own_probabilities(
    imbalanced_multiclass,
):
    X, y = imbalanced_multiclass
    model = LogisticRegression().fit(X[:200], y[:200])
    clf = LogitAdjustedClassifier(FrozenEstimator(model), tau="auto")
    clf.fit(X[200:], y[200:])
    assert clf.estimator_.estimator is model
    y_cal = y[200:]
    prior = np.bincount(y_cal) / y_cal.size
    pred = np.argmax(model.predict_proba(X[200:]) * prior ** (-clf.tau_), axis=1)
    assert clf.best_score_ == pytest.approx(balanced_accuracy_score(y_cal, pred))


def test_labels_unknown_to_a_frozen_estimator_are_refused(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    model = LogisticRegression().fit(X[y < 3], y[y < 3])
    with pytest.raises(ValueError, match=r"labels \[3\].*classes_ are \[0, 1, 2\]"):
        LogitAdjustedClassifier(FrozenEstimator(model)).fit(X, y)


def test_class_absent_from_y_has_no_prior(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    model = LogisticRegression().fit(X, y)
    keep = y != 2
    with pytest.raises(ValueError, match="Class 2 has 0 samples in y"):
        LogitAdjustedClassifier(FrozenEstimator(model)).fit(X[keep], y[keep])


def test_class_absent_from_y_with_a_given_prior_and_auto_tau_is_named(
    imbalanced_multiclass,
):
    # a rule refitted on a new batch of rows that lacks a class: the prior is
    # given, yet the refusal said the class needs samples "to estimate its
    # prior"; it is tau="auto" that scores every class on them
    X, y = imbalanced_multiclass
    model = LogisticRegression().fit(X, y)
    prior = np.bincount(y) / y.size
    keep = y != 2
    clf = LogitAdjustedClassifier(FrozenEstimator(model), prior=prior, tau="auto")
    match = r"Class 2 has 0 samples in y;.*for tau='auto' to score.*numeric tau"
    with pytest.raises(ValueError, match=match):
        clf.fit(X[keep], y[keep])
    with pytest.raises(ValueError, match=r"sample_weight of 0;.*tau='auto' to sc"):
        clf.fit(X, y, sample_weight=keep.astype(float))
    # a numeric tau needs no sample of the class
    clf.set_params(tau=1.0).fit(X[keep], y[keep])
    np.testing.assert_array_equal(clf.classes_, model.classes_)


@pytest.mark.parametrize("order", ["C", "F"])
def test_adjusted_log_proba_blocks_of_rows_give_the_rows_of_one_block(
    monkeypatch, order
):
    # The normalisation sums the rows a block at a time; the result is that
    # of all the rows at once, rows of zeros (taken as uniform) and tiny
    # weights included.
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.full(7, 0.3), size=50)
    proba[rng.random(proba.shape) < 0.1] = 0.0
    proba[3] = 0.0
    proba = np.asarray(proba, order=order)
    log_weights = rng.normal(size=7) * 30
    whole = _base._adjusted_log_proba(proba, log_weights)
    monkeypatch.setattr(_base, "_BLOCK_VALUES", 15)
    blocks = _base._adjusted_log_proba(proba, log_weights)
    np.testing.assert_array_equal(blocks, whole)
    assert np.allclose(np.exp(whole).sum(axis=1), 1.0)
    np.testing.assert_allclose(
        whole[3], log_weights - logsumexp(log_weights), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    "labels", [np.array([3, 7, 10, 12]), np.array(["ant", "bee", "cat", "dog"])]
)
def test_auto_tau_folds_are_fitted_on_the_labels(labels, imbalanced_multiclass):
    # The models of the folds are fitted on the labels of y, as estimator_
    # is, so a class_weight dict keyed by label weighs the same class in
    # both (the folds were fitted on codes 0..3, where key 3 is class 12).
    X, codes = imbalanced_multiclass
    y = labels[codes]
    estimator = LogisticRegression(class_weight={labels[0]: 0.2})
    clf = LogitAdjustedClassifier(estimator, tau="auto", cv=3).fit(X, y)
    proba = cross_val_predict(
        LogisticRegression(class_weight={0: 0.2}),
        X,
        codes,
        cv=StratifiedKFold(3),
        method="predict_proba",
    )
    prior = np.bincount(codes) / codes.size
    scores = [
        balanced_accuracy_score(codes, np.argmax(proba * prior ** (-tau), axis=1))
        for tau in _TAU_GRID
    ]
    assert clf.best_score_ == pytest.approx(max(scores))
    assert clf.classes_.dtype == labels.dtype


@pytest.mark.filterwarnings("ignore:Number of classes in training fold")
@pytest.mark.parametrize("labels", [np.array(["10", "9", "a"]), np.array([10, 9, 2])])
def test_out_of_fold_columns_follow_the_classes(labels, imbalanced_multiclass):
    # Fitted on the labels, each fold's columns are mapped by its classes_ to
    # those of classes: the probabilities of cross_val_predict on the codes,
    # whatever the labels' order, also for a fold whose training part misses
    # class 2 (its column is 0 there) and for classes given in another order.
    X, codes = imbalanced_multiclass
    X, codes = X[codes < 3], codes[codes < 3]
    rows = np.flatnonzero(codes == 2)
    folds = [(np.setdiff1d(np.arange(codes.size), rows), rows)]
    rest = np.setdiff1d(np.arange(codes.size), rows)
    folds += [
        (np.setdiff1d(np.arange(codes.size), half), half)
        for half in np.array_split(rest, 2)
    ]
    estimator = GaussianNB()
    expected = cross_val_predict(estimator, X, codes, cv=folds, method="predict_proba")
    classes = np.unique(labels)
    proba = _cross_fit._cross_fit_proba(estimator, X, classes[codes], folds, {})
    np.testing.assert_array_equal(proba, expected)
    assert np.all(proba[rows, 2] == 0)
    order = [2, 0, 1]
    proba = _cross_fit._cross_fit_proba(
        estimator, X, classes[codes], folds, {}, classes=classes[order]
    )
    np.testing.assert_array_equal(proba, expected[:, order])


class _FixedProba(ClassifierMixin, BaseEstimator):
    """A fitted model whose ``predict_proba`` is ``table[X[:, 0]]``."""

    def __init__(self, table):
        self.table = table
        self.classes_ = np.arange(table.shape[1])

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.table[np.asarray(X)[:, 0].astype(int)]

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)


@pytest.mark.parametrize(
    "clf",
    [
        LogitAdjustedClassifier,
        partial(LogitAdjustedClassifier, tau="auto"),
        PluginClassifier,
        ThresholdMovingClassifier,
    ],
)
def test_probabilities_rounded_below_zero_or_all_zero(clf):
    # log(-1e-17) is NaN and a row of zeros has no normalisation: both gave
    # rows of NaN, with RuntimeWarnings. A probability below zero now counts
    # as zero, and a row of zeros as uniform.
    y = np.repeat([0, 1, 2], [12, 6, 2])
    table = np.eye(3)[y] * 0.8 + 0.1
    table[0] = [1.0 + 2e-16, -1e-17, -1e-17]
    table[13] = 0.0
    X = np.arange(y.size)[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = clf(FrozenEstimator(_FixedProba(table))).fit(X, y)
        proba = model.predict_proba(X)
    clipped = table.clip(0, None)
    clipped[13] = 1 / 3
    expected = clf(FrozenEstimator(_FixedProba(clipped))).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba, expected, rtol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))


@pytest.mark.parametrize(
    "clf",
    [
        LogitAdjustedClassifier,
        partial(LogitAdjustedClassifier, tau="auto"),
        PluginClassifier,
        partial(ThresholdMovingClassifier, decision="expected_cost"),
    ],
)
def test_probabilities_far_below_zero_are_refused(clf):
    # -0.3 is no rounding but a broken model: it was silently taken as zero.
    y = np.repeat([0, 1, 2], [12, 6, 2])
    table = np.eye(3)[y] * 0.8 + 0.1
    table[0] = [1.3, -0.3, 0.0]
    X = np.arange(y.size)[:, None]
    model = clf(FrozenEstimator(_FixedProba(table)))
    with pytest.raises(ValueError, match="a probability of -0.3: probabilities"):
        model.fit(X, y).predict(X)


@pytest.mark.parametrize(
    "clf", [partial(LogitAdjustedClassifier, tau="auto"), PluginClassifier]
)
@pytest.mark.parametrize("frozen", [True, False])
def test_searches_take_probabilities_as_the_rule_does(clf, frozen):
    # The plug-in search took the out-of-fold probabilities raw: -0.3 was
    # refused only by predict.
    y = np.repeat([0, 1, 2], [12, 6, 2])
    table = np.eye(3)[y] * 0.8 + 0.1
    table[0] = [1.3, -0.3, 0.0]
    X = np.arange(y.size)[:, None]
    model = _FixedProba(table)
    model = clf(FrozenEstimator(model) if frozen else model, cv=2)
    with pytest.raises(ValueError, match="a probability of -0.3: probabilities"):
        model.fit(X, y)


def test_expected_cost_of_a_row_of_zeros_is_that_of_uniform_probabilities():
    # predict_proba took the row of zeros as uniform, predict as zeros: every
    # class cost nothing and the first, the costliest here, was predicted.
    y = np.repeat([0, 1, 2], [12, 6, 2])
    table = np.eye(3)[y] * 0.8 + 0.1
    table[0] = 0.0
    cost_matrix = [[0, 1, 1], [9, 0, 1], [9, 1, 0]]
    X = np.arange(y.size)[:, None]
    model = ThresholdMovingClassifier(
        FrozenEstimator(_FixedProba(table)),
        cost_matrix=cost_matrix,
        decision="expected_cost",
    ).fit(X, y)
    # to rounding: NumPy 1.25 normalises 1/3 one unit in the last place off
    np.testing.assert_allclose(model.predict_proba(X[:1]), [[1 / 3] * 3], rtol=1e-15)
    assert model.predict(X[:1]).tolist() == [1]


def test_auto_tau_tries_the_documented_grid_and_keeps_one_among_ties():
    # "auto" tries 0, 0.1, ..., 3; on classes that every tau separates
    # perfectly all tie, and the value closest to 1 is kept.
    X = np.r_[np.zeros(20), np.ones(10) * 10.0][:, None]
    X = X + np.random.default_rng(0).normal(scale=0.1, size=X.shape)
    y = np.repeat([0, 1], [20, 10])
    clf = LogitAdjustedClassifier(
        LogisticRegression(), tau="auto", cv=3, store_cv_results=True
    ).fit(X, y)
    np.testing.assert_allclose(clf.cv_results_["tau"], np.arange(31) / 10)
    np.testing.assert_array_equal(clf.cv_results_["scores"], 1.0)
    assert clf.tau_ == 1.0


def test_prior_rules_warn_of_a_post_hoc_rule_that_adjusted(
    imbalanced_binary, imbalanced_multiclass
):
    # A post-hoc rule or the plug-in ensemble already returns probabilities
    # reweighted towards the balanced rule, as a network trained with a
    # prior-adjusting loss does: a rule around it adjusted them again in
    # silence (8 KEEL sets, balanced accuracy 0.863 for the logistic
    # regression adjusted once, 0.684 twice; 0.862 for the ensemble, 0.666
    # adjusted again).
    from ltlearn.ensemble import PluginEnsembleClassifier

    lr = LogisticRegression()
    for X, y in (imbalanced_binary, imbalanced_multiclass):
        binary = np.unique(y).size == 2
        match = (
            r"is a LogitAdjustedClassifier, .* by 1 \* log\(prior\); tau .* 2 in all"
        )
        for inner in (
            LogitAdjustedClassifier(lr),
            make_pipeline(SimpleImputer(), LogitAdjustedClassifier(lr)),
            FrozenEstimator(LogitAdjustedClassifier(lr).fit(X, y)),
        ):
            with pytest.warns(UserWarning, match=match):
                LogitAdjustedClassifier(inner).fit(X, y)
        match = r"is a ThresholdMovingClassifier, .* by 1 \* log\(prior\); "
        rule = 'scoring="balanced_accuracy"' if binary else 'refine="never"'
        with pytest.warns(UserWarning, match=match + rule):
            PluginClassifier(ThresholdMovingClassifier(lr), refine="never").fit(X, y)
        match = 'is a PluginClassifier, .*; cost_matrix="balanced" adjusts'
        with pytest.warns(UserWarning, match=match):
            ThresholdMovingClassifier(PluginClassifier(lr, cv=2)).fit(X, y)
        ensemble = PluginEnsembleClassifier(
            [("lr", lr)], refinement=0.0, cv=2, random_state=0
        )
        with pytest.warns(UserWarning, match="is a PluginEnsembleClassifier"):
            LogitAdjustedClassifier(ensemble).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # a rule completed to the balanced one, no adjustment, a searched
            # one, or a rule that leaves the probabilities as they are
            LogitAdjustedClassifier(LogitAdjustedClassifier(lr, tau=0.5), tau=0.5).fit(
                X, y
            )
            LogitAdjustedClassifier(LogitAdjustedClassifier(lr), tau=0.0).fit(X, y)
            LogitAdjustedClassifier(LogitAdjustedClassifier(lr), tau="auto", cv=2).fit(
                X, y
            )
            LogitAdjustedClassifier(
                ThresholdMovingClassifier(lr, decision="expected_cost")
            ).fit(X, y)


def test_prior_shape_refusal_names_the_classes():
    # Integer grades with one missing (0, 1, 2, 4): a prior of the five grades
    # was refused without naming the four classes
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2))
    y = np.array([0, 1, 2, 4])[np.arange(80) % 4]
    clf = LogitAdjustedClassifier(LogisticRegression(), prior=np.full(5, 0.2))
    with pytest.raises(
        ValueError, match=r"shape \(4,\), in the order of classes_ \[0, 1, 2, 4\]\.$"
    ):
        clf.fit(X, y)
