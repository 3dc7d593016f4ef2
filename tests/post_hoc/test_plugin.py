"""Tests of PluginClassifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings
from functools import partial

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from scipy.optimize import minimize_scalar
from scipy.sparse import coo_matrix, dia_matrix, issparse
from scipy.special import logit
from scipy.stats import norm
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, pairwise_distances
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    StratifiedKFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier

from ltlearn.metrics import get_scorer
from ltlearn.post_hoc import LogitAdjustedClassifier, PluginClassifier
from ltlearn.post_hoc._search import _SHRINKAGE

LABELS = np.array(["ant", "bee", "cat", "dog"], dtype=object)


def _macro_f1(y_true, y_pred):
    return f1_score(y_true, y_pred, average="macro")


METRICS = {
    "balanced_accuracy": balanced_accuracy_score,
    "geometric_mean": geometric_mean_score,
    "f1": f1_score,
    "f1_macro": _macro_f1,
}


def _oof_proba(X, y, n_splits=5):
    return cross_val_predict(
        LogisticRegression(), X, y, cv=StratifiedKFold(n_splits), method="predict_proba"
    )


def _best_over_thresholds(metric, y, p1):
    """The best score of ``p1 > t`` over every distinct threshold ``t``."""
    cuts = np.concatenate([[-1.0], np.unique(p1)])
    return max(metric(y, (p1 > t).astype(int)) for t in cuts)


@pytest.mark.parametrize(
    "target, scoring",
    [
        ("binary", "balanced_accuracy"),
        ("binary", "geometric_mean"),
        ("binary", "f1"),
        ("binary", "f1_macro"),
        ("binary", "callable"),
        ("multiclass", "balanced_accuracy"),
        ("multiclass", "geometric_mean"),
        ("multiclass", "f1_macro"),
        ("multiclass", "callable"),
    ],
)
@pytest.mark.parametrize("string_labels", [False, True])
def test_predict_is_argmax_of_adjusted_proba(
    target, string_labels, scoring, imbalanced_binary, imbalanced_multiclass
):
    X, y = imbalanced_binary if target == "binary" else imbalanced_multiclass
    if string_labels:
        y = LABELS[y]
    if scoring == "callable":
        scoring = balanced_accuracy_score
    clf = PluginClassifier(LogisticRegression(), scoring=scoring, cv=3, max_iter=2)
    proba = clf.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.weights_.sum(), 1)
    assert set(clf.classes_) == set(np.unique(y))


@pytest.mark.parametrize(
    "name, metric",
    [
        ("balanced_accuracy", balanced_accuracy_score),
        ("f1_macro", lambda y, p: f1_score(y, p, average="macro")),
    ],
)
def test_callable_scoring_on_few_rows_is_the_named_search(name, metric):
    # with at most 32 distinct rules along a coordinate the callable's line
    # search scores every one of them: the exact search of the named metric
    X, y = make_classification(
        30, n_features=5, n_informative=3, n_classes=3, weights=[0.7, 0.2, 0.1],
        random_state=0,
    )  # fmt: skip
    named = PluginClassifier(LogisticRegression(), scoring=name, cv=3, refine="always")
    called = clone(named).set_params(scoring=metric)
    named.fit(X, y)
    called.fit(X, y)
    np.testing.assert_allclose(called.weights_, named.weights_, rtol=1e-12)
    assert called.best_score_ == pytest.approx(named.best_score_, rel=1e-12)


@pytest.mark.parametrize("rare", [1, 0])
def test_callable_scoring_tries_rules_flagging_fewer_rows_than_a_rare_class(rare):
    # 12 rows of the rare class in 3,012: the 32 evenly spread rules were 97
    # rows apart, so a callable F1 could only give it none or 83 rows or
    # more (out-of-fold F1 0.22, where the exact search of "f1" finds 0.92);
    # a rare classes_[0] needs the rules that flag all but a few rows
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(3000, 2), rng.randn(12, 2) + 3.0])
    y = np.r_[np.full(3000, 1 - rare), np.full(12, rare)]
    named = PluginClassifier(LogisticRegression(), scoring="f1", cv=3).fit(X, 1 - y)
    assert named.best_score_ > 0.9
    scoring = partial(f1_score, pos_label=rare)
    called = clone(named).set_params(scoring=scoring).fit(X, y)
    assert called.best_score_ > 0.75
    assert np.count_nonzero(called.predict(X) == rare) < 30


def _macro_f1_or(value, swapped):
    """Macro F1, but ``value`` for rules predicting a rare class on 1 row in 5."""

    def metric(y_true, y_pred):
        if np.mean(y_pred != 0) > 0.2:
            swapped.append(True)
            return value
        return _macro_f1(y_true, y_pred)

    return metric


@pytest.mark.parametrize("target", ["binary", "multiclass"])
def test_callable_scoring_nan_ranks_below_every_number(
    target, imbalanced_binary, imbalanced_multiclass
):
    # a metric's NaN (precision_score(zero_division=np.nan) on a rule that
    # predicts no positive) compared false with every score: the search kept
    # its start, 1 / prior, or failed on an empty argmin
    X, y = imbalanced_binary if target == "binary" else imbalanced_multiclass
    clf = PluginClassifier(LogisticRegression(), cv=3, refine="always")
    swapped = []
    with_nan = clone(clf).set_params(scoring=_macro_f1_or(np.nan, swapped))
    with_nan.fit(X, y)
    assert swapped  # some rules scored NaN
    lowest = clone(clf).set_params(scoring=_macro_f1_or(-1.0, []))
    lowest.fit(X, y)
    np.testing.assert_array_equal(with_nan.weights_, lowest.weights_)
    assert with_nan.best_score_ == lowest.best_score_ > 0


def test_callable_scoring_nan_on_every_rule_warns_nothing(imbalanced_multiclass):
    # the held-out check of refine="auto" subtracted the -inf of two NaN
    # scores: "RuntimeWarning: invalid value encountered in subtract"
    X, y = imbalanced_multiclass
    clf = PluginClassifier(LogisticRegression(), scoring=lambda t, p: np.nan, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        clf.fit(X, y)
    assert np.isnan(clf.best_score_)


def test_binary_balanced_accuracy_threshold_is_the_prior(imbalanced_binary):
    X, y = imbalanced_binary
    clf = PluginClassifier(LogisticRegression()).fit(X, y)
    assert clf.threshold_ == pytest.approx(np.mean(y == 1))
    assert clf.best_score_ is None and clf.n_iter_ == 0  # no cross-validation
    p1 = clf.estimator_.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(clf.predict(X), (p1 > np.mean(y == 1)).astype(int))


def test_binary_f1_threshold_is_half_the_best_f1(imbalanced_binary):
    X, y = imbalanced_binary
    clf = PluginClassifier(LogisticRegression(), scoring="f1").fit(X, y)
    best_f1 = _best_over_thresholds(f1_score, y, _oof_proba(X, y)[:, 1])
    assert clf.best_score_ == pytest.approx(best_f1)
    assert clf.threshold_ == pytest.approx(best_f1 / 2)


@pytest.mark.parametrize("scoring", ["geometric_mean", "f1_macro"])
def test_binary_searched_threshold_is_the_best_out_of_fold(scoring, imbalanced_binary):
    X, y = imbalanced_binary
    clf = PluginClassifier(LogisticRegression(), scoring=scoring).fit(X, y)
    p1 = _oof_proba(X, y)[:, 1]
    metric = METRICS[scoring]
    assert clf.best_score_ == pytest.approx(_best_over_thresholds(metric, y, p1))
    assert metric(y, (p1 > clf.threshold_).astype(int)) == pytest.approx(
        clf.best_score_
    )


@pytest.mark.parametrize("scoring", ["balanced_accuracy", "geometric_mean", "f1_macro"])
def test_refined_weights_never_lower_the_out_of_fold_score(
    scoring, imbalanced_multiclass
):
    X, y = imbalanced_multiclass
    clf = PluginClassifier(LogisticRegression(), scoring=scoring, refine="always")
    clf.fit(X, y)
    proba = _oof_proba(X, y)
    prior = np.bincount(y) / y.size
    metric = METRICS[scoring]
    start = metric(y, np.argmax(proba / prior, axis=1))
    assert clf.refinement_ == 1.0 and clf.n_iter_ >= 1
    assert clf.best_score_ == pytest.approx(
        metric(y, np.argmax(proba * clf.weights_, axis=1))
    )
    assert clf.best_score_ >= start


def test_refine_never_is_logit_adjustment_without_cross_validation(
    imbalanced_multiclass,
):
    X, y = imbalanced_multiclass
    clf = PluginClassifier(LogisticRegression(), refine="never").fit(X, y)
    adjusted = LogitAdjustedClassifier(LogisticRegression(), tau=1.0).fit(X, y)
    assert clf.best_score_ is None and clf.refinement_ == 0.0
    np.testing.assert_allclose(clf.predict_proba(X), adjusted.predict_proba(X))


def test_refine_auto_shrinks_towards_the_start(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    auto = PluginClassifier(LogisticRegression(), refine="auto").fit(X, y)
    always = PluginClassifier(LogisticRegression(), refine="always").fit(X, y)
    assert auto.refinement_ in _SHRINKAGE
    start = 1 / auto.prior_
    expected = start ** (1 - auto.refinement_) * always.weights_**auto.refinement_
    np.testing.assert_allclose(auto.weights_, expected / expected.sum())


PRIOR, MEAN = 0.2, 1.0  # class 1 ~ N(MEAN, 1) with prior PRIOR, class 0 ~ N(-MEAN, 1)


def _two_gaussians(n_samples, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n_samples) < PRIOR).astype(int)
    X = rng.normal(np.where(y == 1, MEAN, -MEAN), 1.0)[:, None]
    return X, y


def _bayes_f1_boundary():
    """The Bayes-optimal F1 rule ``x > x_F`` and its F1, ``F*``."""

    def f1(x):
        tp, fp = PRIOR * norm.sf(x - MEAN), (1 - PRIOR) * norm.sf(x + MEAN)
        return 2 * tp / (tp + fp + PRIOR)

    res = minimize_scalar(lambda x: -f1(x), bounds=(-4, 4), method="bounded")
    return res.x, -res.fun


def test_bayes_f1_rule_thresholds_eta_at_half_the_best_f1():
    """The closed form the plug-in uses: eta(x_F) = F* / 2 (Koyejo et al.)."""
    x_f, best_f1 = _bayes_f1_boundary()
    like1, like0 = PRIOR * norm.pdf(x_f - MEAN), (1 - PRIOR) * norm.pdf(x_f + MEAN)
    assert like1 / (like1 + like0) == pytest.approx(best_f1 / 2, abs=1e-5)


@pytest.mark.parametrize(
    "scoring, tolerance",
    [("balanced_accuracy", 0.1), ("f1", 0.1), ("geometric_mean", 0.15)],
)
def test_plugin_recovers_the_bayes_rule_as_n_grows(scoring, tolerance):
    # balanced accuracy and G-mean: x > 0 (equal variances); F1: x > x_F
    target = _bayes_f1_boundary()[0] if scoring == "f1" else 0.0
    errors = {}
    for n_samples in (100, 500):
        errors[n_samples] = []
        for seed in range(6):
            X, y = _two_gaussians(n_samples, seed)
            clf = PluginClassifier(LogisticRegression(C=100.0), scoring=scoring, cv=3)
            clf.fit(X, y)
            slope = clf.estimator_.coef_[0, 0]
            boundary = (logit(clf.threshold_) - clf.estimator_.intercept_[0]) / slope
            errors[n_samples].append(abs(boundary - target))
    assert np.mean(errors[500]) < np.mean(errors[100])
    assert np.mean(errors[500]) < tolerance


def test_multiclass_plugin_approaches_the_bayes_balanced_rule():
    """Equal-covariance Gaussians: the balanced-accuracy Bayes rule is the
    nearest mean, whatever the prior."""
    means = np.array([[0.0, 0.0], [2.5, 0.0], [0.0, 2.5]])
    prior = np.array([0.7, 0.2, 0.1])
    grid = np.random.default_rng(99).uniform(-2, 4.5, size=(2000, 2))
    bayes = np.argmin(((grid[:, None, :] - means) ** 2).sum(axis=2), axis=1)
    agreement = {}
    for n_samples in (60, 480):
        agreement[n_samples] = []
        for seed in range(3):
            rng = np.random.default_rng(seed)
            y = rng.choice(3, size=n_samples, p=prior)
            y[:3] = [0, 1, 2]
            X = means[y] + rng.normal(size=(n_samples, 2))
            clf = PluginClassifier(LogisticRegression(C=100.0), cv=3).fit(X, y)
            agreement[n_samples].append(np.mean(clf.predict(grid) == bayes))
    assert np.mean(agreement[480]) > np.mean(agreement[60])
    assert np.mean(agreement[480]) > 0.95


def test_frozen_estimator_is_not_refitted(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    model = LogisticRegression().fit(X[:200], y[:200])
    coef = model.coef_.copy()
    clf = PluginClassifier(FrozenEstimator(model), refine="always")
    clf.fit(X[200:], y[200:])
    assert clf.estimator_.estimator is model
    np.testing.assert_array_equal(model.coef_, coef)
    # the weights were searched on the frozen model's probabilities of X[200:]
    proba = model.predict_proba(X[200:])
    assert clf.best_score_ == pytest.approx(
        balanced_accuracy_score(y[200:], np.argmax(proba * clf.weights_, axis=1))
    )


def test_fit_params_reach_the_estimator(imbalanced_binary):
    X, y = imbalanced_binary
    weight = np.where(y == 1, 5.0, 1.0)
    clf = PluginClassifier(LogisticRegression(), scoring="f1", cv=3)
    clf.fit(X, y, sample_weight=weight)
    direct = LogisticRegression().fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(clf.estimator_.coef_, direct.coef_)


def test_tunable_in_grid_search(imbalanced_binary):
    X, y = imbalanced_binary
    search = GridSearchCV(
        PluginClassifier(LogisticRegression(), cv=2),
        {"estimator__C": [0.01, 1.0], "scoring": ["balanced_accuracy", "f1"]},
        scoring="balanced_accuracy",
        cv=2,
    ).fit(X, y)
    assert search.best_params_["estimator__C"] in (0.01, 1.0)
    assert search.best_estimator_.threshold_ is not None


def test_f1_scoring_needs_a_binary_target(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    with pytest.raises(ValueError, match="scoring='f1_macro'"):
        PluginClassifier(LogisticRegression(), scoring="f1").fit(X, y)


@pytest.mark.parametrize(
    "make, target",
    [
        (PluginClassifier, "multiclass"),
        (partial(PluginClassifier, refine="always"), "multiclass"),
        (PluginClassifier, "binary"),
        (partial(LogitAdjustedClassifier, tau="auto"), "multiclass"),
    ],
)
def test_macro_f1_is_taken_under_ltlearns_name(
    make, target, imbalanced_binary, imbalanced_multiclass
):
    """The name "macro_f1", as get_scorer and make_recipe give it, is "f1_macro"."""
    X, y = imbalanced_binary if target == "binary" else imbalanced_multiclass
    ours = make(LogisticRegression(), scoring="macro_f1", cv=3).fit(X, y)
    sklearns = make(LogisticRegression(), scoring="f1_macro", cv=3).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), sklearns.predict_proba(X))
    assert ours.best_score_ == sklearns.best_score_


@pytest.mark.parametrize(
    "make", [PluginClassifier, partial(LogitAdjustedClassifier, tau="auto")]
)
def test_cv_none_is_five_folds(make, imbalanced_multiclass):
    X, y = imbalanced_multiclass
    none = make(LogisticRegression(), cv=None).fit(X, y)
    five = make(LogisticRegression(), cv=5).fit(X, y)
    np.testing.assert_array_equal(none.predict_proba(X), five.predict_proba(X))


@pytest.mark.parametrize(
    "make", [PluginClassifier, partial(LogitAdjustedClassifier, tau="auto")]
)
def test_a_scorer_as_scoring_is_refused_with_a_clear_error(make, imbalanced_binary):
    """scoring takes a metric score(y_true, y_pred), not scorer(estimator, X, y)."""
    X, y = imbalanced_binary
    clf = make(LogisticRegression(), scoring=get_scorer("geometric_mean"))
    with pytest.raises(ValueError, match=r"is a scorer, called as scorer\(estimator"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "make", [PluginClassifier, partial(LogitAdjustedClassifier, tau="auto")]
)
def test_a_function_of_three_arguments_as_scoring_is_refused(make, imbalanced_binary):
    """A function called as ``f(est, X, y)`` is a scorer, whatever its names."""

    def my_scorer(est, X, y):
        return balanced_accuracy_score(y, est.predict(X))

    X, y = imbalanced_binary
    with pytest.raises(ValueError, match=r"is a scorer, called as scorer\(estimator"):
        make(LogisticRegression(), scoring=my_scorer).fit(X, y)


@pytest.mark.parametrize(
    "make", [PluginClassifier, partial(LogitAdjustedClassifier, tau="auto")]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_a_metric_that_returns_no_number_is_named(make, weighted, imbalanced_binary):
    # f1_score with average=None (one value per class) failed with Python's
    # "only 0-dimensional arrays can be converted to Python scalars", and a
    # metric returning a tuple with "float() argument must be a string or a
    # real number, not 'tuple'", naming neither scoring nor the metric.
    X, y = imbalanced_binary
    params = {"sample_weight": np.ones(len(y))} if weighted else {}
    per_class = partial(f1_score, average=None)
    with pytest.raises(
        ValueError,
        match=r"^scoring must return a number, got array\(\[.*\]\) \(ndarray\) "
        r"instead \(scoring=functools\.partial\(<function f1_score.*average=None\)"
        r"\); give a metric of one value for all the classes",
    ):
        make(LogisticRegression(), scoring=per_class).fit(X, y, **params)
    with pytest.raises(ValueError, match=r"got \(0\.5, 0\.5\) \(tuple\) instead"):
        make(LogisticRegression(), scoring=lambda *a, **k: (0.5, 0.5)).fit(
            X, y, **params
        )


@pytest.mark.parametrize(
    "make", [PluginClassifier, partial(LogitAdjustedClassifier, tau="auto")]
)
def test_a_metric_of_a_required_sample_weight_is_not_a_scorer(make, imbalanced_binary):
    """``score(y_true, y_pred, sample_weight)`` is a metric a weighted fit calls."""
    calls = []

    def weighted_metric(y_true, y_pred, sample_weight):
        calls.append(sample_weight)
        return balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    X, y = imbalanced_binary
    weight = np.linspace(0.5, 2, len(y))
    make(LogisticRegression(), scoring=weighted_metric).fit(X, y, sample_weight=weight)
    assert calls and all(w is not None for w in calls)


def test_routed_sample_weight_requested_under_an_alias():
    # the out-of-fold fits route the weights again, under the requested name
    X, y = make_classification(300, weights=[0.8], random_state=0)
    weights = np.linspace(0.5, 2, y.size)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    with config_context(enable_metadata_routing=True):
        aliased = LogisticRegression().set_fit_request(sample_weight="w")
        clf = PluginClassifier(aliased, scoring="f1_macro", cv=folds)
        clf.fit(X, y, w=weights)
    # the same rule on the out-of-fold probabilities of the weighted folds
    # (the rule itself got no weights: its prior and scoring are plain)
    oof = np.zeros(y.size)
    for train, test in folds:
        model = LogisticRegression().fit(
            X[train], y[train], sample_weight=weights[train]
        )
        oof[test] = model.predict_proba(X[test])[:, 1]
    expected = PluginClassifier(LogisticRegression(), scoring="f1_macro", cv=folds)
    expected._oof_proba = lambda *args: np.column_stack([1 - oof, oof])
    expected.fit(X, y)
    assert clf.threshold_ == pytest.approx(expected.threshold_)


class _RowChecker(LogisticRegression):
    """Checks that its row_ids are those of the rows it is fitted on."""

    def fit(self, X, y, row_ids=None):
        if issparse(row_ids):
            row_ids = row_ids.toarray()[:, 0]
        # a pyarrow array's items are scalars of their own
        row_ids = [getattr(value, "as_py", lambda v=value: v)() for value in row_ids]
        # the first feature holds the index of the row
        np.testing.assert_array_equal(row_ids, X[:, 0].astype(int))
        return super().fit(X, y)


def _pyarrow_array(rows):
    return pytest.importorskip("pyarrow").array(rows)


def _pyarrow_chunked(rows):
    pa = pytest.importorskip("pyarrow")
    return pa.chunked_array([list(rows[:50]), list(rows[50:])])


@pytest.mark.parametrize("routing", [False, True])
@pytest.mark.parametrize(
    "container",
    [
        tuple,
        lambda rows: rows,
        _pyarrow_array,
        _pyarrow_chunked,
        lambda rows: coo_matrix(np.c_[list(rows)]),
        lambda rows: dia_matrix(np.c_[list(rows)]),
    ],
    ids=["tuple", "range", "pyarrow", "pyarrow-chunked", "coo", "dia"],
)
@pytest.mark.parametrize(
    "make",
    [
        partial(PluginClassifier, refine="always"),
        partial(LogitAdjustedClassifier, tau="auto"),
    ],
)
def test_fit_params_of_one_value_per_row_are_taken_on_each_fold(
    make, container, routing
):
    # a tuple, range or pyarrow array of one value per row is split as an
    # array or a list is, as scikit-learn splits fit parameters: it reached
    # every out-of-fold fit whole; a sparse matrix that cannot be indexed by
    # rows is taken as CSR: it failed with "'coo_matrix' object is not
    # subscriptable"
    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=4, weights=[0.6, 0.3], random_state=0
    )
    X[:, 0] = np.arange(y.size)
    with config_context(enable_metadata_routing=routing):
        inner = (
            _RowChecker().set_fit_request(row_ids=True) if routing else _RowChecker()
        )
        clf = make(inner, cv=3).fit(X, y, row_ids=container(range(y.size)))
    assert clf.estimator_.n_features_in_ == X.shape[1]


@pytest.mark.parametrize(
    "make, attribute",
    [
        (partial(PluginClassifier, scoring="f1"), "threshold_"),
        (partial(PluginClassifier, refine="always"), "weights_"),
        (partial(LogitAdjustedClassifier, tau="auto"), "tau_"),
    ],
)
def test_routed_groups_reach_the_splitter(make, attribute):
    X, y = make_classification(
        n_samples=240, n_classes=3, n_informative=4, weights=[0.6, 0.3], random_state=0
    )
    if attribute == "threshold_":
        y = (y == 2).astype(int)
    groups = np.arange(y.size) % 6
    folds = list(GroupKFold(3).split(X, y, groups))
    expected = make(LogisticRegression(), cv=folds).fit(X, y)
    with config_context(enable_metadata_routing=True):
        routed = make(LogisticRegression(), cv=GroupKFold(3)).fit(X, y, groups=groups)
        scores = cross_validate(
            make(LogisticRegression(), cv=GroupKFold(3)),
            X,
            y,
            cv=GroupKFold(2),
            params={"groups": groups},
            error_score="raise",
        )
        # an int cv draws stratified folds: it takes no groups
        with pytest.raises(TypeError, match="groups"):
            make(LogisticRegression(), cv=3).fit(X, y, groups=groups)
    np.testing.assert_allclose(getattr(routed, attribute), getattr(expected, attribute))
    assert np.all(np.isfinite(scores["test_score"]))


@pytest.mark.parametrize(
    "make",
    [
        partial(PluginClassifier, scoring="f1"),
        partial(LogitAdjustedClassifier, tau="auto"),
    ],
)
def test_a_splitter_by_groups_is_refused_by_name_without_routing(make):
    X, y = make_classification(n_samples=120, weights=[0.7], random_state=0)
    # without routing, groups would go to the estimator, not to the splitter
    with pytest.raises(ValueError, match="GroupKFold, which splits by groups"):
        make(LogisticRegression(), cv=GroupKFold(3)).fit(X, y)
    # given as GridSearchCV takes them, they failed in the estimator's fit:
    # "LogisticRegression.fit() got an unexpected keyword argument 'groups'"
    groups = np.arange(y.size) % 6
    with pytest.raises(ValueError, match="GroupKFold, which splits by groups"):
        make(LogisticRegression(), cv=GroupKFold(3)).fit(X, y, groups=groups)


@pytest.mark.parametrize(
    "estimator",
    [
        DummyClassifier(strategy="constant", constant="dog"),
        LogisticRegression(class_weight={"ant": 1.0, "dog": 5.0}),
    ],
)
def test_folds_fit_models_whose_parameters_name_labels(
    estimator, imbalanced_multiclass
):
    # the out-of-fold models see the labels of y (they saw codes 0..3 and
    # refused "dog"), as the model fitted on all the rows does
    X, y = imbalanced_multiclass
    clf = PluginClassifier(estimator, cv=3).fit(X, LABELS[y])
    assert clf.classes_.tolist() == LABELS.tolist()
    assert set(clf.predict(X)) <= set(LABELS)


def test_best_score_is_that_of_predict_when_products_tie():
    # KNN probabilities (quarters) and weights in the ratios of the class
    # counts tie p_j w_j = p_k w_k exactly: the score was of argmax(p * w),
    # which breaks the tie another way than predict (in log space), and
    # reported 0.837 for a rule whose score is 0.828
    X, y = make_classification(
        400, 6, n_informative=4, n_classes=4, n_clusters_per_class=1,
        weights=[0.5, 0.3, 0.15, 0.05], random_state=32,
    )  # fmt: skip
    knn = FrozenEstimator(KNeighborsClassifier(4).fit(X[:200], y[:200]))
    X, y = X[200:], y[200:]
    clf = PluginClassifier(knn, refine="always").fit(X, y)
    assert clf.best_score_ == balanced_accuracy_score(y, clf.predict(X))


@pytest.mark.parametrize("scoring", ["geometric_mean", "f1_macro"])
def test_binary_threshold_lies_between_tied_probabilities(scoring):
    # the search kept the start 1 / prior, [0.3, 0.7 + 1e-16], whose product
    # p * w broke the ties p_1 = 0.3 of KNN probabilities (tenths) towards
    # class 1, while predict applied p_1 > threshold_ = 0.3: G-mean 0.835
    # where p_1 >= 0.3 scores 0.868
    X, y = make_classification(
        300, 5, n_informative=3, weights=[0.7], flip_y=0.05, random_state=25
    )
    knn = FrozenEstimator(KNeighborsClassifier(10).fit(X[:150], y[:150]))
    X, y = X[150:], y[150:]
    clf = PluginClassifier(knn, scoring=scoring).fit(X, y)
    p_1 = knn.predict_proba(X)[:, 1]
    values = np.unique(p_1)
    assert clf.threshold_ not in values
    cuts = (values[1:] + values[:-1]) / 2  # every threshold rule on p_1
    best = max(METRICS[scoring](y, (p_1 > cut).astype(int)) for cut in cuts)
    assert clf.best_score_ == pytest.approx(METRICS[scoring](y, clf.predict(X)))
    assert clf.best_score_ == pytest.approx(best)


def test_refine_always_takes_the_refined_weights_whole():
    # refinement_=1: weights_ = (1 / prior_) ** 0 * refined ** 1, the ascent's
    # weights, not the start 1 / prior_
    X, y = make_classification(
        300, n_classes=3, n_informative=4, weights=[0.6, 0.3], random_state=0
    )
    always = PluginClassifier(LogisticRegression(), refine="always").fit(X, y)
    never = PluginClassifier(LogisticRegression(), refine="never").fit(X, y)
    assert always.refinement_ == 1.0
    assert not np.allclose(always.weights_, never.weights_)


def test_plugin_classifier_documented_defaults():
    params = PluginClassifier(LogisticRegression()).get_params()
    assert {k: params[k] for k in ("scoring", "cv", "refine", "max_iter")} == {
        "scoring": "balanced_accuracy",
        "cv": 5,
        "refine": "auto",
        "max_iter": 10,
    }


# Rows of classes 0, 1 and 2 at each value of a discrete feature: the inverse
# prior rule, argmax p_k(x) / prior_k, never predicts class 2.
_DISCRETE_COUNTS = np.array(
    [[0, 26, 4], [28, 3, 4], [4, 0, 0], [3, 18, 3], [10, 95, 69], [156, 18, 59]]
)


class _ExactPosteriors(ClassifierMixin, BaseEstimator):
    """A model whose ``predict_proba`` is the class posterior of ``X[:, 0]``."""

    def fit(self, X, y):
        self.classes_ = np.arange(3)
        return self

    def predict_proba(self, X):
        table = _DISCRETE_COUNTS / _DISCRETE_COUNTS.sum(axis=1, keepdims=True)
        return table[np.asarray(X)[:, 0].astype(int)]


def test_auto_refinement_recognises_a_class_that_the_start_leaves_out():
    # The start leaves class 2 unrecognised on both held-out halves (G-mean
    # 0) and the refined weights recognise it on both, yet the per-class test
    # over 3 classes kept the start: a rule of G-mean 0.
    X = np.repeat(np.arange(6), _DISCRETE_COUNTS.sum(axis=1))[:, None].astype(float)
    y = np.concatenate([np.repeat(np.arange(3), c) for c in _DISCRETE_COUNTS])
    model = FrozenEstimator(_ExactPosteriors().fit(X, y))
    clf = PluginClassifier(model, scoring="geometric_mean").fit(X, y)
    assert clf.refinement_ > 0
    assert clf.best_score_ > 0.3
    assert geometric_mean_score(y, clf.predict(X)) == pytest.approx(clf.best_score_)


def test_out_of_fold_probabilities_of_a_precomputed_metric():
    # The test rows of a precomputed distance matrix are taken against the
    # training rows of their fold only, as the neighbours on X itself are.
    X, y = make_classification(
        n_samples=120, n_features=4, weights=[0.8, 0.2], random_state=0
    )
    on_X = PluginClassifier(KNeighborsClassifier(), scoring="f1").fit(X, y)
    precomputed = KNeighborsClassifier(metric="precomputed")
    clf = PluginClassifier(precomputed, scoring="f1").fit(pairwise_distances(X), y)
    np.testing.assert_allclose(clf.weights_, on_X.weights_)
    assert clf.threshold_ == pytest.approx(on_X.threshold_)


def test_binary_f1_is_refused_for_three_classes(make_long_tail):
    X, y = make_long_tail(n_classes=3)
    clf = PluginClassifier(LogisticRegression(), scoring="f1")
    with pytest.raises(ValueError, match="needs a binary target; this one has 3"):
        clf.fit(X, y)


def test_a_prefit_model_of_many_classes_is_refused_in_few_words():
    # a prefit model of 39 of the 40 classes of y: the refusal listed all
    # its classes_, hundreds of labels with hundreds of classes
    y = np.arange(120) % 40
    X = np.zeros((120, 1))
    prefit = FrozenEstimator(DummyClassifier().fit(X[y != 7], y[y != 7]))
    message = (
        "y holds the labels [7], which the estimator does not predict (its "
        "classes_ are 0, 1, 2, 3, 4, 5, 6, 8, 9, 10, ... (39 in all))."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        PluginClassifier(prefit, refine="never").fit(X, y)
