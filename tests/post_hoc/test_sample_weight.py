"""sample_weight in the post-hoc rules, small classes under cross-validation,
and probabilities computed in log space."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from functools import partial

import numpy as np
import pytest
from sklearn import clone, config_context
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)


def _precise_lr():
    """A logistic regression fitted to convergence, so that weighted and
    repeated rows give the same model up to rounding."""
    return LogisticRegression(tol=1e-12, max_iter=10_000)


def _macro_f1(y_true, y_pred, sample_weight=None):
    return f1_score(y_true, y_pred, average="macro", sample_weight=sample_weight)


def _integer_weights(y, seed=0):
    weights = np.random.default_rng(seed).integers(0, 4, size=y.size)
    for label in np.unique(y):  # every class keeps rows of positive weight
        weights[np.flatnonzero(y == label)[:2]] = 1
    return weights


def _folds_keeping_copies(y, weights, n_splits=3):
    """The same stratified folds over the rows and over their repeated copies."""
    folds = list(StratifiedKFold(n_splits, shuffle=True, random_state=0).split(y, y))
    origin = np.repeat(np.arange(y.size), weights)
    fold_of = np.empty(y.size, dtype=int)
    for i, (_, test) in enumerate(folds):
        fold_of[test] = i
    repeated = [
        (np.flatnonzero(fold_of[origin] != i), np.flatnonzero(fold_of[origin] == i))
        for i in range(n_splits)
    ]
    return folds, repeated


def _assert_same_rule(weighted, repeated, X_new):
    np.testing.assert_allclose(
        weighted.predict_proba(X_new), repeated.predict_proba(X_new), atol=1e-6
    )
    np.testing.assert_array_equal(weighted.predict(X_new), repeated.predict(X_new))


@pytest.mark.parametrize(
    "make",
    [
        lambda cv: ThresholdMovingClassifier(_precise_lr()),
        lambda cv: LogitAdjustedClassifier(_precise_lr(), tau=1.5),
        lambda cv: PluginClassifier(_precise_lr()),
        lambda cv: PluginClassifier(_precise_lr(), refine="never"),
    ],
    ids=["threshold", "logit-adjusted", "plugin-binary-ba", "plugin-never"],
)
@pytest.mark.parametrize("dataset", ["imbalanced_binary", "imbalanced_multiclass"])
def test_integer_weights_give_the_rule_of_repeated_rows(make, dataset, request):
    X, y = request.getfixturevalue(dataset)
    weights = _integer_weights(y)
    weighted = make(None).fit(X, y, sample_weight=weights)
    repeated = make(None).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    for name in ("class_costs_", "prior_", "weights_"):
        if hasattr(weighted, name):
            np.testing.assert_allclose(getattr(weighted, name), getattr(repeated, name))
    _assert_same_rule(weighted, repeated, X)


@pytest.mark.parametrize(
    "make, dataset",
    [
        (
            lambda cv: LogitAdjustedClassifier(_precise_lr(), tau="auto", cv=cv),
            "imbalanced_binary",
        ),
        (
            lambda cv: LogitAdjustedClassifier(
                _precise_lr(), tau="auto", scoring="f1_macro", cv=cv
            ),
            "imbalanced_multiclass",
        ),
        (
            lambda cv: PluginClassifier(_precise_lr(), scoring="f1", cv=cv),
            "imbalanced_binary",
        ),
        (
            lambda cv: PluginClassifier(_precise_lr(), scoring="f1_macro", cv=cv),
            "imbalanced_binary",
        ),
        (
            lambda cv: PluginClassifier(_precise_lr(), scoring="geometric_mean", cv=cv),
            "imbalanced_binary",
        ),
        (
            lambda cv: PluginClassifier(_precise_lr(), scoring=_macro_f1, cv=cv),
            "imbalanced_binary",
        ),
        (
            lambda cv: PluginClassifier(
                _precise_lr(), scoring="f1_macro", refine="always", cv=cv
            ),
            "imbalanced_multiclass",
        ),
    ],
    ids=[
        "logit-auto",
        "logit-auto-multiclass",
        "plugin-f1",
        "plugin-f1-macro",
        "plugin-gmean",
        "plugin-callable",
        "plugin-multiclass-always",
    ],
)
def test_out_of_fold_search_is_weighted(make, dataset, request):
    # With folds that keep the copies of a row together, the out-of-fold
    # probabilities are the same, and so must be the weighted search.
    X, y = request.getfixturevalue(dataset)
    weights = _integer_weights(y)
    folds, repeated_folds = _folds_keeping_copies(y, weights)
    weighted = make(folds).fit(X, y, sample_weight=weights)
    repeated = make(repeated_folds).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    assert weighted.best_score_ == pytest.approx(repeated.best_score_, abs=1e-9)
    if hasattr(weighted, "tau_"):
        assert weighted.tau_ == repeated.tau_
    else:
        np.testing.assert_allclose(weighted.weights_, repeated.weights_, rtol=1e-6)
    _assert_same_rule(weighted, repeated, X)


@pytest.mark.parametrize("scoring", ["f1_macro", _macro_f1])
def test_best_score_is_the_weighted_metric(scoring, imbalanced_binary):
    X, y = imbalanced_binary
    weights = _integer_weights(y)
    folds, _ = _folds_keeping_copies(y, weights)
    clf = PluginClassifier(_precise_lr(), scoring=scoring, cv=folds)
    clf.fit(X, y, sample_weight=weights)
    proba = cross_val_predict(
        _precise_lr(),
        X,
        y,
        cv=folds,
        method="predict_proba",
        params={"sample_weight": weights},
    )
    pred = np.argmax(proba * clf.weights_, axis=1)
    assert clf.best_score_ == pytest.approx(_macro_f1(y, pred, sample_weight=weights))


def test_plugin_macro_f1_with_a_zero_weight_class(imbalanced_binary):
    # Only the rows of class 1 count: the best macro-F1 predicts class 1.
    X, y = imbalanced_binary
    weights = (y == 1) * 1.0
    clf = PluginClassifier(LogisticRegression(), scoring="f1_macro", cv=3)
    clf.fit(X, y, sample_weight=weights)
    assert np.all(clf.predict(X[y == 1]) == 1)
    assert clf.best_score_ == pytest.approx(
        f1_score(
            y, clf.predict(X), average="macro", sample_weight=weights, zero_division=0
        )
    )
    assert clf.best_score_ == pytest.approx(0.5)  # class 0's F1 is 0
    np.testing.assert_array_equal(clf.prior_, [0.0, 1.0])


@pytest.mark.parametrize(
    "clf",
    [
        ThresholdMovingClassifier(LogisticRegression()),
        LogitAdjustedClassifier(LogisticRegression()),
        PluginClassifier(LogisticRegression()),
        PluginClassifier(LogisticRegression(), scoring="geometric_mean", cv=3),
    ],
)
def test_a_class_of_zero_total_weight_needs_a_prior(clf, imbalanced_binary):
    X, y = imbalanced_binary
    with pytest.raises(ValueError, match="Class 0 has a total sample_weight of 0"):
        clf.fit(X, y, sample_weight=(y == 1) * 1.0)


@pytest.mark.parametrize(
    "clf",
    [
        ThresholdMovingClassifier(LogisticRegression()),
        LogitAdjustedClassifier(LogisticRegression()),
        PluginClassifier(LogisticRegression()),
    ],
)
def test_classes_of_total_weight_below_one_have_a_prior(clf, imbalanced_binary):
    # Only a class of zero total weight is refused: weights that sum to less
    # than one per class still give every class a prior.
    X, y = imbalanced_binary
    clf.fit(X, y, sample_weight=np.full(y.shape, 1e-3))
    assert clf.predict(X).shape == y.shape


@pytest.mark.parametrize(
    "clf",
    [
        ThresholdMovingClassifier,
        LogitAdjustedClassifier,
        partial(LogitAdjustedClassifier, tau="auto", cv=3),
        partial(PluginClassifier, scoring="geometric_mean", cv=3),
        partial(PluginClassifier, scoring="f1", cv=3),
    ],
)
def test_weights_whose_sum_overflows_give_the_rule_of_their_ratios(
    clf, imbalanced_binary
):
    # 1e307 per row: the class counts overflowed to inf, the priors to NaN,
    # and predict_proba returned rows of NaN.
    X, y = imbalanced_binary
    model = FrozenEstimator(LogisticRegression().fit(X, y))
    weights = np.where(y == 1, 3.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        huge = clf(model).fit(X, y, sample_weight=weights * 1e307)
    plain = clf(model).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(huge.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize(
    "clf",
    [
        ThresholdMovingClassifier(LogisticRegression()),
        LogitAdjustedClassifier(LogisticRegression()),
        PluginClassifier(LogisticRegression(), scoring="geometric_mean", cv=3),
    ],
)
@pytest.mark.parametrize(
    "small, large", [(1e-310, 1.0), (1e-5, 1e307), (1e-300, 1e307)]
)
def test_a_class_of_a_share_of_weight_below_the_smallest_float(
    clf, small, large, imbalanced_binary
):
    # Its prior underflowed to 0 (or its inverse overflowed): rows of NaN or
    # "cost_matrix must hold finite, non-negative costs", with RuntimeWarnings.
    # The message gives the share, not the weights scaled for their sum
    # (1e-300 scaled with 1e307 underflowed: "a total sample_weight of 0").
    X, y = imbalanced_binary
    weights = np.where(y == 1, small, large)
    # a fitted model: LogisticRegression's own sums of 1e307 overflow
    model = FrozenEstimator(clone(clf.estimator).fit(X, y))
    clf = clone(clf).set_params(estimator=model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Class 1 holds") as error:
            clf.fit(X, y, sample_weight=weights)
    share = small * np.sum(y == 1) / np.sum(y == 0) / large
    held = float(str(error.value).split()[3])
    assert held == pytest.approx(share, rel=1e-2, abs=1e-320)


def test_zero_weight_rows_do_not_count(imbalanced_binary):
    X, y = imbalanced_binary
    rng = np.random.default_rng(0)
    X_noise = rng.normal(size=(50, X.shape[1]))
    X_all = np.vstack([X, X_noise])
    y_all = np.r_[y, np.ones(50, dtype=y.dtype)]  # would shift the prior a lot
    weights = np.r_[np.ones(y.size), np.zeros(50)]
    clf = PluginClassifier(_precise_lr(), scoring="f1", cv=3)
    clf.fit(X_all, y_all, sample_weight=weights)
    np.testing.assert_allclose(clf.prior_, np.bincount(y) / y.size)
    assert clf.best_score_ <= 1.0


def test_callable_scoring_without_sample_weight_is_refused(imbalanced_binary):
    X, y = imbalanced_binary
    clf = PluginClassifier(
        LogisticRegression(),
        scoring=lambda y_true, y_pred: balanced_accuracy_score(y_true, y_pred),
        cv=3,
    )
    with pytest.raises(ValueError, match="takes no sample_weight argument"):
        clf.fit(X, y, sample_weight=np.ones(y.size))
    clf.fit(X, y)  # unweighted, the callable serves as it is


def test_estimator_without_sample_weight_is_refused(imbalanced_binary):
    X, y = imbalanced_binary
    clf = ThresholdMovingClassifier(KNeighborsClassifier())
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit does not accept"):
        clf.fit(X, y, sample_weight=np.ones(y.size))


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(5), r"shape \(5,\); it must hold one weight per sample"),
        (-np.ones(300), "finite, non-negative"),
        (np.full(300, np.nan), "finite, non-negative"),
        (np.zeros(300), "sums to zero"),
    ],
)
def test_bad_sample_weight(weights, match, imbalanced_binary):
    X, y = imbalanced_binary
    with pytest.raises(ValueError, match=match):
        LogitAdjustedClassifier(LogisticRegression()).fit(X, y, sample_weight=weights)


def test_sample_weight_is_not_modified(imbalanced_binary):
    X, y = imbalanced_binary
    weights = _integer_weights(y).astype(float)
    before = weights.copy()
    PluginClassifier(LogisticRegression(), scoring="f1", cv=3).fit(
        X, y, sample_weight=weights
    )
    np.testing.assert_array_equal(weights, before)


# A class of a single row under a cross-validated rule.

CROSS_VALIDATED = [
    LogitAdjustedClassifier(LogisticRegression(), tau="auto"),
    PluginClassifier(LogisticRegression(), scoring="f1"),
    PluginClassifier(LogisticRegression(), scoring="geometric_mean"),
    PluginClassifier(LogisticRegression(), scoring="f1_macro"),
]


def _with_rare_class(X, y, label, n_rows):
    keep = np.r_[np.flatnonzero(y != label), np.flatnonzero(y == label)[:n_rows]]
    return X[keep], y[keep]


@pytest.mark.parametrize("clf", CROSS_VALIDATED)
def test_a_single_row_class_gets_a_clear_error(clf, imbalanced_binary):
    X, y = _with_rare_class(*imbalanced_binary, label=1, n_rows=1)
    with pytest.raises(ValueError, match="Class 1 has 1 sample in y.*at least 2"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "clf",
    [
        LogitAdjustedClassifier(LogisticRegression(), tau="auto"),
        PluginClassifier(LogisticRegression(), scoring="f1_macro"),
        PluginClassifier(LogisticRegression(), refine="always"),
    ],
)
def test_a_single_row_class_multiclass(clf, imbalanced_multiclass):
    X, y = _with_rare_class(*imbalanced_multiclass, label=3, n_rows=1)
    with pytest.raises(ValueError, match="Class 3 has 1 sample in y.*at least 2"):
        clf.fit(X, y)


@pytest.mark.parametrize("clf", CROSS_VALIDATED)
def test_a_two_row_class_works_with_more_folds(clf, imbalanced_binary):
    X, y = _with_rare_class(*imbalanced_binary, label=1, n_rows=2)
    clf.fit(X, y)  # two folds of five hold a sample of class 1, none both
    assert set(clf.predict(X)) <= {0, 1}


def test_a_class_missing_from_a_training_fold(imbalanced_binary):
    X, y = imbalanced_binary
    order = np.argsort(y, kind="stable")  # the last fold holds all of class 1
    X, y = X[order], y[order]
    last = np.arange(y.size - 30, y.size)
    folds = [(np.arange(y.size - 30), last), (last, np.arange(y.size - 30))]
    clf = PluginClassifier(LogisticRegression(), scoring="f1", cv=folds)
    with pytest.raises(
        ValueError,
        match="Class 0 has 268 samples in y, and training fold 1 of cv holds",
    ):
        clf.fit(X, y)


@pytest.mark.parametrize("second_test", [slice(100, 300), slice(149, 299)])
def test_test_folds_that_are_no_partition_are_refused(second_test, imbalanced_binary):
    # a row in two test folds (its probability overwritten), or in none (its
    # probability left 0), though the folds hold 300 rows in all
    X, y = imbalanced_binary
    rows = np.arange(y.size)
    tests = [rows[:150], rows[second_test]]
    folds = [(np.setdiff1d(rows, test), test) for test in tests]
    clf = PluginClassifier(LogisticRegression(), scoring="f1", cv=folds)
    with pytest.raises(ValueError, match="cover each sample exactly once"):
        clf.fit(X, y)


def test_a_training_fold_that_misses_several_classes_names_the_rarest():
    # its advice is that of the class: 2 samples are needed whatever the folds
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], [20, 1, 9])
    X = rng.randn(y.size, 2) + y[:, None]
    rest = np.arange(20, 30)
    folds = [(np.arange(20), rest), (rest, np.arange(20))]
    clf = PluginClassifier(LogisticRegression(), cv=folds)
    with pytest.raises(ValueError, match="Class 1 has 1 sample in y.*at least 2"):
        clf.fit(X, y)


@pytest.mark.parametrize("clf", CROSS_VALIDATED)
def test_a_class_of_one_positive_weight_row_is_refused(clf, imbalanced_binary):
    # three of the four rows of class 1 weigh 0: a training fold of a
    # stratified cv holds only those, and its estimator never sees class 1
    X, y = _with_rare_class(*imbalanced_binary, label=1, n_rows=4)
    weights = np.where(y == 1, 0.0, 1.0)
    weights[np.flatnonzero(y == 1)[-1]] = 1.0
    with pytest.raises(
        ValueError,
        match="Class 1 has 1 sample of positive sample_weight in y, and "
        "training fold .* holds none of them.*at least 2",
    ):
        clone(clf).set_params(cv=StratifiedKFold(4)).fit(X, y, sample_weight=weights)


def test_a_training_fold_of_zero_weight_rows_of_a_class_is_refused(
    imbalanced_binary,
):
    X, y = _with_rare_class(*imbalanced_binary, label=1, n_rows=4)
    rare = np.flatnonzero(y == 1)
    weights = np.ones(y.size)
    weights[rare[:2]] = 0.0  # both rows of positive weight in one test fold
    test = np.r_[rare[2:], np.flatnonzero(y == 0)[::2]]
    train = np.setdiff1d(np.arange(y.size), test)
    folds = [(train, test), (test, train)]
    clf = PluginClassifier(LogisticRegression(), scoring="f1", cv=folds)
    with pytest.raises(
        ValueError,
        match="Class 1 has 2 samples of positive sample_weight in y, and "
        "training fold 0 of cv holds none of them.*Pass folds that keep",
    ):
        clf.fit(X, y, sample_weight=weights)


@pytest.mark.parametrize(
    "clf",
    [
        LogitAdjustedClassifier(LogisticRegression(), tau=1.0),
        PluginClassifier(LogisticRegression()),
        ThresholdMovingClassifier(LogisticRegression()),
    ],
)
def test_rules_without_cross_validation_take_a_single_row_class(clf, imbalanced_binary):
    X, y = _with_rare_class(*imbalanced_binary, label=1, n_rows=1)
    clf.fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


# Probabilities in log space.


@pytest.mark.parametrize("tau", [0.0, 1.0, 50.0, 400.0, 1e4])
def test_logit_adjustment_probabilities_for_any_tau(tau, imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), tau=tau).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    log_proba = clf.predict_log_proba(X)
    np.testing.assert_allclose(np.exp(log_proba), proba)
    if tau >= 400:  # the adjustment dominates: the rarest class everywhere
        assert np.all(clf.predict(X) == 3)


def test_threshold_moving_probabilities_with_extreme_costs(imbalanced_binary):
    X, y = imbalanced_binary
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=[1e-300, 1e300])
    clf.fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    assert np.all(clf.predict(X) == 1)


def test_sample_weight_with_metadata_routing(imbalanced_binary):
    X, y = imbalanced_binary
    weights = _integer_weights(y).astype(float)
    plain = PluginClassifier(LogisticRegression(), scoring="f1", cv=3)
    plain.fit(X, y, sample_weight=weights)
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        routed = PluginClassifier(inner, scoring="f1", cv=3)
        routed.set_fit_request(sample_weight=True).fit(X, y, sample_weight=weights)
        # the rule is weighted even when the estimator does not take the weights
        inner = LogisticRegression().set_fit_request(sample_weight=False)
        rule_only = PluginClassifier(inner).set_fit_request(sample_weight=True)
        rule_only.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(routed.estimator_.coef_, plain.estimator_.coef_)
    assert routed.threshold_ == pytest.approx(plain.threshold_)
    np.testing.assert_allclose(
        rule_only.estimator_.coef_, LogisticRegression().fit(X, y).coef_
    )
    assert rule_only.threshold_ == pytest.approx(np.average(y, weights=weights))


@pytest.mark.parametrize(
    "rule", [PluginClassifier, LogitAdjustedClassifier, ThresholdMovingClassifier]
)
def test_a_rule_that_declines_the_weights_fits_without_them(imbalanced_binary, rule):
    # Neither the rule nor its estimator takes the weights (they are for a
    # scorer): a fit without any weight failed with "got unexpected
    # argument(s) {'sample_weight'}, which are not routed to any object".
    X, y = imbalanced_binary
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=False)
        clf = rule(inner).set_fit_request(sample_weight=False).fit(X, y)
    plain = rule(LogisticRegression()).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))


def test_weights_reach_a_pipeline_step_through_metadata_routing(imbalanced_binary):
    X, y = imbalanced_binary
    weights = _integer_weights(y).astype(float)
    # Pipeline.fit takes no sample_weight: the error points to routing
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(ValueError, match="Pipeline.fit does not accept.*routing"):
        LogitAdjustedClassifier(pipe).fit(X, y, sample_weight=weights)
    with config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            LogisticRegression().set_fit_request(sample_weight=True),
        )
        clf = LogitAdjustedClassifier(pipe).fit(X, y, sample_weight=weights)
    expected = make_pipeline(StandardScaler(), LogisticRegression())
    expected.fit(X, y, logisticregression__sample_weight=weights)
    np.testing.assert_allclose(clf.estimator_[-1].coef_, expected[-1].coef_, rtol=1e-6)
    np.testing.assert_allclose(clf.prior_, np.bincount(y, weights) / weights.sum())


@pytest.mark.parametrize(
    "clf",
    [
        PluginClassifier(LogisticRegression()),
        LogitAdjustedClassifier(LogisticRegression(), tau="auto"),
    ],
)
def test_an_int_cv_spreads_the_positive_weight_rows_over_the_folds(clf):
    # the 2 rows of positive weight of class 5 would share a test fold of
    # StratifiedKFold(5) on y, leaving a training fold without them
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(40, 3), rng.randn(10, 3) + 2, rng.randn(40, 3) + 4])
    y = np.r_[np.zeros(40, int), np.full(10, 5), np.full(40, 9)]
    weights = np.ones(y.size)
    weights[42:50] = 0.0
    clf = clone(clf).fit(X, y, sample_weight=weights)
    assert clf.predict(X[40:42]).tolist() == [5, 5]


def test_an_int_cv_keeps_the_zero_weight_rows_of_each_class_apart():
    # The rows of weight 0 of each class are a stratum of their own, not one
    # of another class's rows of positive weight: the 2 of class 1 would
    # otherwise share a test fold with the last rows of class 0.
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(40, 3), rng.randn(10, 3) + 2, rng.randn(40, 3) + 4])
    y = np.repeat([0, 1, 2], [40, 10, 40])
    weights = np.ones(y.size)
    weights[30:40] = weights[42:50] = 0.0
    clf = PluginClassifier(LogisticRegression()).fit(X, y, sample_weight=weights)
    assert clf.predict(X[40:42]).tolist() == [1, 1]


@pytest.mark.parametrize(
    "clf",
    [
        PluginClassifier(LogisticRegression(), scoring="geometric_mean"),
        LogitAdjustedClassifier(LogisticRegression(), tau="auto"),
    ],
)
def test_an_int_cv_too_large_for_the_rows_apart_names_the_class(clf):
    # the folds drawn again with the zero-weight rows apart had fewer rows
    # than folds in every stratum: StratifiedKFold refused them as "n_splits=5
    # cannot be greater than the number of members in each class"
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [5, 4])
    X = rng.randn(y.size, 2) + y[:, None]
    weights = np.ones(y.size)
    weights[1:5] = 0.0
    with pytest.raises(
        ValueError,
        match="Class 0 has 1 sample of positive sample_weight in y.*at least 2",
    ):
        clone(clf).set_params(cv=5).fit(X, y, sample_weight=weights)
