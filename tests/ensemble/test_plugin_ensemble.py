"""Tests of PluginEnsembleClassifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    BaggingClassifier,
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestClassifier,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    StratifiedKFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import SVC, LinearSVC

from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.ensemble._models import _oob_proba
from ltlearn.post_hoc import PluginClassifier
from ltlearn.post_hoc._base import _adjusted_log_proba
from tests.post_hoc.test_logit_adjustment import _FixedProba


@pytest.fixture
def imbalanced():
    X, y = make_classification(
        n_samples=400, n_features=8, n_informative=4, weights=[0.9], random_state=0
    )
    return X, y


def _small(**params):
    estimators = [
        ("rf", RandomForestClassifier(20, oob_score=True, random_state=0)),
        ("lr", LogisticRegression()),
    ]
    return PluginEnsembleClassifier(estimators, random_state=0, **params)


def test_predict_is_argmax_of_weighted_average(imbalanced):
    X, y = imbalanced
    clf = _small().fit(X, y)
    average = np.mean([est.predict_proba(X) for est in clf.estimators_], axis=0)
    adjusted = average * clf.weights_
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), adjusted)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[adjusted.argmax(1)])


@pytest.mark.parametrize("seed", [19, 79])
def test_tuned_weights_lie_off_ties_of_knn_probabilities(seed):
    # the search left a weight where p_j w_j = p_k w_k for KNN probabilities
    # (fifths): argmax(p * w) and the log-space rule of predict broke the tie
    # each its own way (balanced accuracy 0.956 searched, 0.967 applied)
    X, y = make_classification(
        100, 5, n_informative=3, n_classes=3, n_clusters_per_class=1,
        weights=[0.6, 0.3, 0.1], random_state=seed,
    )  # fmt: skip
    ens = PluginEnsembleClassifier(
        [("knn", KNeighborsClassifier(5))], refinement=1.0, random_state=0
    ).fit(X, y)
    proba = ens.oob_proba_
    searched = np.argmax(proba * ens.weights_, axis=1)
    applied = np.argmax(_adjusted_log_proba(proba, np.log(ens.weights_)), axis=1)
    np.testing.assert_array_equal(applied, searched)


def test_refinement_zero_is_inverse_prior(imbalanced):
    X, y = imbalanced
    clf = _small(refinement=0.0).fit(X, y)
    expected = (1 / clf.prior_) / np.sum(1 / clf.prior_)
    np.testing.assert_allclose(clf.weights_, expected)
    assert clf.oob_proba_ is None


def test_refinement_is_geometric_mean_of_prior_and_tuned(imbalanced):
    X, y = imbalanced
    start = _small(refinement=0.0).fit(X, y).weights_
    tuned = _small(refinement=1.0).fit(X, y).weights_
    half = _small(refinement=0.5).fit(X, y).weights_
    expected = np.sqrt(start * tuned)
    np.testing.assert_allclose(half, expected / expected.sum())


def test_held_out_probabilities_are_out_of_bag_and_cross_fitted(imbalanced):
    X, y = imbalanced
    clf = _small().fit(X, y)
    assert clf.oob_proba_.shape == (X.shape[0], 2)
    np.testing.assert_allclose(clf.oob_proba_.sum(axis=1), 1.0)
    # the forest's part is its out-of-bag estimate, not its training fit
    in_sample = np.mean([e.predict_proba(X) for e in clf.estimators_], axis=0)
    assert np.abs(clf.oob_proba_ - in_sample).mean() > 0.01


def test_tuned_rule_beats_inverse_prior_on_training_rows_held_out(imbalanced):
    X, y = imbalanced
    clf = _small(refinement=1.0).fit(X, y)
    codes = np.searchsorted(clf.classes_, y)
    prior_rule = np.argmax(clf.oob_proba_ / clf.prior_, axis=1)
    tuned_rule = np.argmax(clf.oob_proba_ * clf.weights_, axis=1)
    assert balanced_accuracy_score(codes, tuned_rule) >= balanced_accuracy_score(
        codes, prior_rule
    )


def test_each_default_model_draws_a_seed_of_its_own(imbalanced):
    # one seed for all three would tie their random draws together
    X, y = imbalanced
    clf = PluginEnsembleClassifier(random_state=0).fit(X, y)
    seeds = [model.random_state for model in clf.estimators_]
    assert len(set(seeds)) == len(seeds) == 3


def test_predictions_of_the_default_models_draw_no_seeds(imbalanced, monkeypatch):
    """Predicting neither builds the default models nor draws their seeds.

    The ensemble's tags, which ``check_is_fitted`` reads at each prediction,
    are those of its default models: they were built again at each call,
    their seeds drawn from a new ``RandomState`` (0.1 ms a call, served one
    row at a time).
    """
    from sklearn.utils import get_tags

    import ltlearn.ensemble._models as models

    X, y = imbalanced
    clf = PluginEnsembleClassifier(random_state=0).fit(X, y)
    tags = get_tags(clf)
    draws, draw_seeds = [], models.draw_seeds

    def counted(*args):
        draws.append(args)
        return draw_seeds(*args)

    monkeypatch.setattr(models, "draw_seeds", counted)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        getattr(clf, method)(X[:1])
    assert draws == []
    assert get_tags(clf) == tags
    assert not (tags.input_tags.allow_nan or tags.input_tags.pairwise)
    assert tags.input_tags.sparse


def test_default_models_multiclass_string_labels():
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=5, weights=[0.7, 0.2, 0.1],
        random_state=1,
    )  # fmt: skip
    labels = np.array(["a", "b", "c"])[y]
    clf = PluginEnsembleClassifier(random_state=0).fit(X, labels)
    assert [type(e).__name__ for e in clf.estimators_] == [
        "RandomForestClassifier",
        "ExtraTreesClassifier",
        "LogisticRegression",
    ]
    assert set(clf.predict(X)) <= set(labels)
    assert clf.predict_proba(X).shape == (300, 3)


@pytest.mark.parametrize("cv", [3, StratifiedKFold(4)])
def test_a_class_of_one_positive_weight_row_is_not_cross_fitted(cv):
    # as if its rows of zero weight were not there: no training fold holds
    # the class with positive weight, so none can learn it
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(36), np.ones(4)]
    weights = np.r_[np.ones(36), 0.0, 0.0, 0.0, 1.0]
    clf = PluginEnsembleClassifier(
        [("lr", LogisticRegression())], cv=cv, random_state=0
    )
    if isinstance(cv, int):
        with pytest.warns(
            UserWarning, match="Class 1.0 has 1 sample of positive weight in y"
        ):
            clf.fit(X, y, sample_weight=weights)
        inverse = (1 / clf.prior_) / np.sum(1 / clf.prior_)
        np.testing.assert_allclose(clf.weights_, inverse)
    else:
        with pytest.raises(
            ValueError,
            match="Class 1.0 has 1 sample of positive sample_weight in y, and "
            "training fold 3 of cv holds none",
        ):
            clf.fit(X, y, sample_weight=weights)


def test_tiny_class_falls_back_to_inverse_prior():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(39), 1]
    clf = PluginEnsembleClassifier([("lr", LogisticRegression())], random_state=0)
    with pytest.warns(UserWarning, match="Class 1.0 has 1 sample in y"):
        clf.fit(X, y)
    np.testing.assert_allclose(clf.weights_, (1 / clf.prior_) / np.sum(1 / clf.prior_))


def test_tiny_classes_are_counted_in_the_warning():
    # with a tail of 12 single-sample classes, the warning named one of
    # them only: mending a target of hundreds of classes took a fit a class
    rng = np.random.RandomState(0)
    y = np.r_[np.repeat([0, 1], 20), np.arange(2, 14)]
    X = rng.normal(size=(y.size, 2))
    clf = PluginEnsembleClassifier([("lr", LogisticRegression())], random_state=0)
    with pytest.warns(UserWarning, match="Class 2 has 1 sample in y") as record:
        clf.fit(X, y)
    (message,) = [str(w.message) for w in record if "not refined" in str(w.message)]
    assert message.endswith(
        " 12 classes have a single sample in y: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, "
        "... (12 in all)."
    )


def _prefit_and_held_out_rows():
    """A model fitted on half the rows, and the other half with one row of
    class 2 (the other rows of that class have weight 0 in ``weights``)."""
    X, y = make_classification(
        n_samples=400, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
        weights=[0.6, 0.3, 0.1], random_state=0,
    )  # fmt: skip
    prefit = FrozenEstimator(LogisticRegression().fit(X[:200], y[:200]))
    X, y = X[200:], y[200:]
    rows = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:1]]
    weights = np.where((y == 2) & (np.cumsum(y == 2) > 1), 0.0, 1.0)
    return prefit, X, y, X[rows], y[rows], weights


def test_prefit_models_are_refined_beside_a_class_of_one_sample():
    # a FrozenEstimator is not fitted on the folds, so an int cv needs no
    # second sample of a class: its probabilities on the rows serve, as in
    # PluginClassifier (the weights stayed the inverse prior, with a warning
    # that the held-out probabilities need 2 samples of every class)
    prefit, X, y, X_one, y_one, weights = _prefit_and_held_out_rows()
    plugin = PluginClassifier(prefit, refine="always").fit(X_one, y_one)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        clf = PluginEnsembleClassifier([("f", prefit)], refinement=1.0)
        clf.fit(X_one, y_one)
        np.testing.assert_allclose(clf.weights_, plugin.weights_)
        assert clf.oob_proba_ is not None
        # a class of one sample of positive weight alike
        weighted = clone(clf).fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(weighted.weights_, plugin.weights_)
        # beside a bagged model, which needs no folds either
        forest = RandomForestClassifier(20, oob_score=True, random_state=0)
        both = PluginEnsembleClassifier([("f", prefit), ("rf", forest)])
        assert both.fit(X_one, y_one).oob_proba_ is not None
    # a model cross-fitted on the folds still needs two samples
    mixed = PluginEnsembleClassifier([("f", prefit), ("lr", LogisticRegression())])
    with pytest.warns(UserWarning, match="Class 2 has 1 sample in y"):
        mixed.fit(X_one, y_one)
    assert mixed.oob_proba_ is None


def test_prefit_models_take_folds_that_train_on_no_class():
    # unstratified folds over sorted rows leave a class out of a training
    # fold, which no model in a FrozenEstimator is trained on (they were
    # refused: "training fold 2 of cv holds none of them")
    prefit, X, y, *_ = _prefit_and_held_out_rows()
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    clf = PluginEnsembleClassifier([("f", prefit)], cv=KFold(3)).fit(X, y)
    stratified = PluginEnsembleClassifier([("f", prefit)], cv=3).fit(X, y)
    np.testing.assert_allclose(clf.weights_, stratified.weights_)
    mixed = PluginEnsembleClassifier(
        [("f", prefit), ("lr", LogisticRegression())], cv=KFold(3)
    )
    with pytest.raises(ValueError, match="training fold 2 of cv holds none"):
        mixed.fit(X, y)


def test_sample_weight_reaches_the_models(imbalanced):
    X, y = imbalanced
    weights = np.where(y == 1, 5.0, 1.0)
    plain = _small(refinement=0.0).fit(X, y)
    weighted = _small(refinement=0.0).fit(X, y, sample_weight=weights)
    assert not np.allclose(plain.estimators_[1].coef_, weighted.estimators_[1].coef_)


def test_grid_search_tunes_the_models_by_name(imbalanced):
    X, y = imbalanced
    clf = _small(refinement=0.0)
    params = clf.get_params()
    assert params["lr"] is clf.estimators[1][1] and params["rf__n_estimators"] == 20
    grid = {"lr__C": [1e-4, 1.0], "rf__max_depth": [1, None]}
    search = GridSearchCV(clf, grid, cv=2, scoring="balanced_accuracy").fit(X, y)
    best = search.best_estimator_
    assert best.estimators_[1].C == search.best_params_["lr__C"]
    assert best.estimators_[0].max_depth == search.best_params_["rf__max_depth"]
    assert clf.estimators[1][1].C == 1.0  # the given models are left as they were
    # a model replaced by name, in a new list; the others kept
    replacement = LogisticRegression(C=0.5)
    given = clf.estimators
    clf.set_params(lr=replacement, lr__max_iter=50, refinement=0.5)
    assert clf.estimators[1] == ("lr", replacement) and replacement.max_iter == 50
    assert given[1][1].C == 1.0 and clf.estimators[0] is given[0]
    assert clf.refinement == 0.5
    np.testing.assert_array_equal(
        clone(clf).set_params(**clf.get_params()).fit(X, y).predict(X),
        clf.fit(X, y).predict(X),
    )


def test_a_prefit_model_must_predict_the_classes_of_y():
    X, y = make_classification(
        n_samples=150, n_classes=3, n_informative=4, weights=[0.6, 0.25], random_state=0
    )
    labels = np.array(["a", "b", "c"])[y]
    prefit = FrozenEstimator(LogisticRegression().fit(X, labels))
    clf = PluginEnsembleClassifier([("f", prefit)], random_state=0).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    np.testing.assert_allclose(
        clf.estimators_[0].predict_proba(X), prefit.predict_proba(X)
    )
    # weights weigh the rule; the prefit model is not refitted with them
    weights = np.where(labels == "c", 2.0, 1.0)
    weighted = PluginEnsembleClassifier([("f", prefit)]).fit(
        X, labels, sample_weight=weights
    )
    np.testing.assert_allclose(weighted.prior_, np.bincount(y, weights) / weights.sum())
    # a model of more classes than y holds used to fail on the shapes
    keep = labels != "b"
    with pytest.raises(ValueError, match=r"classes \['a', 'b', 'c'\], but y holds"):
        PluginEnsembleClassifier([("f", prefit)]).fit(X[keep], labels[keep])
    # nor one of other labels, even as many as the classes of y
    coded = FrozenEstimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match=r"classes \[0, 1, 2\], but y holds"):
        PluginEnsembleClassifier([("f", coded)]).fit(X, labels)
    with pytest.raises(ValueError, match=r"classes \[0, 1, 2\], but y holds"):
        PluginEnsembleClassifier([("f", coded)]).fit(X, y + 1)


def test_same_random_state_same_result(imbalanced):
    X, y = imbalanced
    a = PluginEnsembleClassifier(random_state=3).fit(X, y).predict_proba(X)
    b = PluginEnsembleClassifier(random_state=3).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "estimators, match",
    [
        ([], "estimators is empty"),
        ([LogisticRegression()], "list of \\(name, estimator\\) tuples"),
        # it gave no advice, where CReSTClassifier's refusal gives it
        (
            [("svm", LinearSVC())],
            "'svm' has no predict_proba; the ensemble averages class probabilities: "
            "use a classifier that has it",
        ),
        # an outlier detector was sent to CalibratedClassifierCV, which fails on
        # it ("'IsolationForest' object has no attribute 'classes_'")
        (
            [("lr", LogisticRegression()), ("if", IsolationForest())],
            "'if' has no predict_proba; the ensemble averages class probabilities: "
            "it is an outlier detector, fitted without y and predicting -1 and 1 "
            "rather than classes; give its score_samples to a classifier",
        ),
        # not a model: scikit-learn's get_tags failed on it first
        (
            [("lr", LogisticRegression()), ("x", None)],
            "model 'x' of estimators is None",
        ),
        ([("x", "passthrough")], "model 'x' of estimators is 'passthrough'"),
        (
            [("m", LogisticRegression()), ("m", LogisticRegression(C=0.1))],
            "name 'm' is given to more than one",
        ),
        ([("cv", LogisticRegression())], "not a parameter of the ensemble"),
        ([("a__b", LogisticRegression())], "without '__'"),
    ],
)
def test_bad_estimators(imbalanced, estimators, match):
    X, y = imbalanced
    with pytest.raises(ValueError, match=match):
        PluginEnsembleClassifier(estimators).fit(X, y)
    # a caller that routes metadata reads the routing first: the error is fit's
    with (
        config_context(enable_metadata_routing=True),
        pytest.raises(ValueError, match=match),
    ):
        cross_validate(
            PluginEnsembleClassifier(estimators)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False),
            X,
            y,
            params={"sample_weight": np.ones(y.size)},
            error_score="raise",
        )


class _CountedLogisticRegression(LogisticRegression):
    """A logistic regression that counts its fits."""

    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


def test_predict_proba_is_checked_once_fitted(imbalanced):
    # a StackingClassifier with its default final estimator has predict_proba
    # only once fitted (it was refused, VotingClassifier takes it); an SVC
    # without probability=True is refused by name after its fit, before the
    # folds of any model are fitted
    X, y = imbalanced
    stack = StackingClassifier([("lr", LogisticRegression())], cv=2)
    clf = PluginEnsembleClassifier([("stack", stack)], cv=2, random_state=0)
    assert clf.fit(X, y).predict_proba(X).shape == (y.size, 2)
    _CountedLogisticRegression.n_fits = 0
    models = [("lr", _CountedLogisticRegression()), ("svm", SVC())]
    with pytest.raises(ValueError, match="'svm' has no predict_proba.*Calibrated"):
        PluginEnsembleClassifier(models, cv=3).fit(X, y)
    assert _CountedLogisticRegression.n_fits == 1


@pytest.mark.parametrize("labels", [np.array([1, 2, 5]), np.array(["a", "b", "c"])])
def test_models_are_fitted_on_the_labels(labels):
    # A class_weight dict keyed by label weighs that class, in the models and
    # in their folds: fitted on codes 0..2, key 1 fell on class 2 silently,
    # and key "a" raised "The classes, [0, 1, 2], are not in class_weight".
    X, codes = make_classification(
        n_samples=150, n_informative=4, n_classes=3, weights=[0.6, 0.3],
        random_state=0,
    )  # fmt: skip
    y = labels[codes]
    model = LogisticRegression(class_weight={labels[1]: 5.0})
    cv = StratifiedKFold(3)
    clf = PluginEnsembleClassifier([("lr", model)], cv=cv, refinement=1.0).fit(X, y)
    on_codes = LogisticRegression(class_weight={1: 5.0})
    expected = on_codes.fit(X, codes).predict_proba(X)
    np.testing.assert_allclose(clf.estimators_[0].predict_proba(X), expected)
    held_out = cross_val_predict(on_codes, X, codes, cv=cv, method="predict_proba")
    np.testing.assert_allclose(clf.oob_proba_, held_out)
    assert clf.estimators_[0].classes_.tolist() == labels.tolist()


def test_f1_needs_binary_target():
    X, y = make_classification(n_samples=90, n_classes=3, n_informative=4)
    with pytest.raises(ValueError, match="f1_macro"):
        PluginEnsembleClassifier(scoring="f1").fit(X, y)


def test_macro_f1_is_taken_under_ltlearns_name(imbalanced):
    """The name "macro_f1", as get_scorer and make_recipe give it, is "f1_macro"."""
    X, y = imbalanced
    ours = _small(scoring="macro_f1").fit(X, y)
    sklearns = _small(scoring="f1_macro").fit(X, y)
    np.testing.assert_array_equal(ours.weights_, sklearns.weights_)
    np.testing.assert_array_equal(ours.predict_proba(X), sklearns.predict_proba(X))


def test_cv_none_is_five_unshuffled_stratified_folds():
    X, y = make_classification(300, n_classes=3, n_informative=3, random_state=0)
    none = _small(cv=None).fit(X, y)
    five = _small(cv=StratifiedKFold(5)).fit(X, y)
    np.testing.assert_array_equal(none.oob_proba_, five.oob_proba_)
    np.testing.assert_array_equal(none.weights_, five.weights_)


def test_input_arrays_untouched(imbalanced):
    X, y = imbalanced
    X_copy, y_copy = X.copy(), y.copy()
    _small().fit(X, y).predict(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


@pytest.mark.parametrize("n_samples, expected", [(300, None), (1200, 1000)])
def test_default_forests_draw_at_most_1000_rows(n_samples, expected):
    X, y = make_classification(n_samples=n_samples, weights=[0.8], random_state=0)
    clf = PluginEnsembleClassifier(random_state=0).fit(X, y)
    forests = clf.estimators_[:2]
    assert [forest.max_samples for forest in forests] == [expected, expected]


def test_default_forests_are_fully_grown(imbalanced):
    X, y = imbalanced
    clf = PluginEnsembleClassifier(random_state=0).fit(X, y)
    for forest in clf.estimators_[:2]:
        assert forest.min_samples_leaf == 1
        # some leaf of each tree holds a single training row of its sample
        assert min(tree.tree_.n_node_samples.min() for tree in forest) == 1


def test_rows_without_out_of_bag_estimate_leave_the_model_as_it_is():
    # A bagging classifier's rows that every bootstrap drew are NaN in its
    # oob_decision_function_; the ensemble replaced them by the prior in the
    # fitted model's own attribute.
    X, y = make_classification(n_samples=60, weights=[0.8], random_state=0)
    bagging = BaggingClassifier(n_estimators=3, oob_score=True, random_state=0)
    models = [("bag", bagging), ("lr", LogisticRegression())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "do not have OOB scores"
        clf = PluginEnsembleClassifier(models, random_state=0).fit(X, y)
        alone = clone(bagging).fit(X, y)
    own = clf.named_estimators_["bag"].oob_decision_function_
    np.testing.assert_array_equal(own, alone.oob_decision_function_)
    assert np.isnan(own).any()  # the case of the test
    assert np.isfinite(clf.oob_proba_).all()


def test_forest_rows_without_out_of_bag_estimate_take_the_prior():
    # A forest's rows that every bootstrap drew are zeros in its
    # oob_decision_function_ (NaN in a bagging classifier's): they stayed
    # zeros, and the held-out probabilities of those rows summed to zero.
    X, y = make_classification(n_samples=60, weights=[0.8], random_state=0)
    forest = RandomForestClassifier(3, oob_score=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "do not have OOB scores"
        clf = PluginEnsembleClassifier([("rf", forest)], random_state=0).fit(X, y)
    own = clf.named_estimators_["rf"].oob_decision_function_
    missing = own.sum(axis=1) == 0
    assert missing.any()  # the case of the test
    np.testing.assert_allclose(
        clf.oob_proba_[missing], np.tile(clf.prior_, (missing.sum(), 1))
    )
    np.testing.assert_allclose(clf.oob_proba_[~missing], own[~missing])


def test_model_without_sample_weight(imbalanced):
    X, y = imbalanced
    models = [("knn", KNeighborsClassifier(5)), ("lr", LogisticRegression())]
    clf = PluginEnsembleClassifier(models, random_state=0).fit(X, y)
    assert clf.oob_proba_.shape == (X.shape[0], 2)
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit does not accept"):
        clf.fit(X, y, sample_weight=np.ones(X.shape[0]))


def test_metadata_routing_sends_sample_weight_to_the_models_that_request_it():
    X, y = make_classification(
        n_samples=150, n_classes=3, n_informative=4, weights=[0.6, 0.25], random_state=0
    )
    weights = np.random.default_rng(0).integers(1, 4, y.size) * 1.0
    plain = _small().fit(X, y, sample_weight=weights)
    unweighted = _small().fit(X, y)
    with config_context(enable_metadata_routing=True):
        rf = RandomForestClassifier(20, oob_score=True, random_state=0)
        models = [
            ("rf", rf.set_fit_request(sample_weight=True)),
            ("lr", LogisticRegression().set_fit_request(sample_weight=True)),
        ]
        routed = PluginEnsembleClassifier(models, random_state=0)
        routed.fit(X, y, sample_weight=weights)
        for _, model in models:
            model.set_fit_request(sample_weight=False)
        rule_only = PluginEnsembleClassifier(models, random_state=0)
        rule_only.fit(X, y, sample_weight=weights)
        # a model that takes no weights is left out of the routing
        knn = PluginEnsembleClassifier([("knn", KNeighborsClassifier())])
        knn.fit(X, y, sample_weight=weights)
        with pytest.raises(UnsetMetadataPassedError, match="LogisticRegression.fit"):
            PluginEnsembleClassifier([("lr", LogisticRegression())]).fit(
                X, y, sample_weight=weights
            )
        scores = cross_validate(
            PluginEnsembleClassifier(models, random_state=0)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False),
            X,
            y,
            cv=3,
            params={"sample_weight": weights},
            error_score="raise",
        )
    np.testing.assert_allclose(routed.weights_, plain.weights_)
    np.testing.assert_allclose(routed.estimators_[1].coef_, plain.estimators_[1].coef_)
    # the rule is weighted even when no model takes the weights
    np.testing.assert_allclose(rule_only.prior_, plain.prior_)
    np.testing.assert_allclose(
        rule_only.estimators_[1].coef_, unweighted.estimators_[1].coef_
    )
    np.testing.assert_allclose(knn.prior_, plain.prior_)
    assert np.all(np.isfinite(scores["test_score"]))


class _RowRecorder(LogisticRegression):
    """Records the per-row metadata it is fitted with."""

    def fit(self, X, y, sample_weight=None, row_ids=None):
        assert row_ids is None or len(row_ids) == len(y)
        self.row_ids_ = row_ids
        return super().fit(X, y, sample_weight=sample_weight)


def test_routed_fit_params_reach_the_models_that_request_them(imbalanced):
    X, y = imbalanced
    row_ids = np.arange(y.size)
    models = [("rec", _RowRecorder()), ("lr", LogisticRegression())]
    with pytest.raises(ValueError, match="only routed .* with metadata routing"):
        PluginEnsembleClassifier(models).fit(X, y, row_ids=row_ids)
    with config_context(enable_metadata_routing=True):
        models[0][1].set_fit_request(row_ids=True)
        clf = PluginEnsembleClassifier(models, cv=3, random_state=0)
        clf.fit(X, y, row_ids=row_ids)  # the cross-fitting takes them per fold
    np.testing.assert_array_equal(clf.estimators_[0].row_ids_, row_ids)
    assert clf.oob_proba_.shape == (y.size, 2)


@pytest.mark.parametrize("sequence", [tuple, lambda rows: rows], ids=["tuple", "range"])
def test_routed_fit_params_of_one_value_per_row_in_a_sequence(imbalanced, sequence):
    # a tuple or range of one value per row is taken on the rows of each
    # cross-fitting fold, as an array is; it reached every fold whole
    X, y = imbalanced
    with config_context(enable_metadata_routing=True):
        model = _RowRecorder().set_fit_request(row_ids=True)
        clf = PluginEnsembleClassifier([("rec", model)], cv=3, random_state=0)
        clf.fit(X, y, row_ids=sequence(range(y.size)))
    assert list(clf.estimators_[0].row_ids_) == list(range(y.size))


def test_routed_fit_params_requested_under_an_alias(imbalanced):
    # the cross-fitting routes them again, under the name the model requests
    X, y = imbalanced
    row_ids, weights = np.arange(y.size), np.linspace(0.5, 2, y.size)
    with config_context(enable_metadata_routing=True):
        plain = _RowRecorder().set_fit_request(row_ids=True, sample_weight=True)
        expected = PluginEnsembleClassifier([("rec", plain)], cv=3, random_state=0)
        expected.fit(X, y, row_ids=row_ids, sample_weight=weights)
        aliased = _RowRecorder().set_fit_request(row_ids="ids", sample_weight="w")
        clf = PluginEnsembleClassifier([("rec", aliased)], cv=3, random_state=0)
        clf.fit(X, y, ids=row_ids, w=weights)
    np.testing.assert_array_equal(clf.estimators_[0].row_ids_, row_ids)
    np.testing.assert_allclose(clf.estimators_[0].coef_, expected.estimators_[0].coef_)
    np.testing.assert_allclose(clf.oob_proba_, expected.oob_proba_)


def test_routed_groups_reach_the_splitter(imbalanced):
    X, y = imbalanced
    groups = np.arange(y.size) % 6
    models = [("lr", LogisticRegression())]
    folds = list(GroupKFold(3).split(X, y, groups))
    expected = PluginEnsembleClassifier(models, cv=folds).fit(X, y)
    with config_context(enable_metadata_routing=True):
        routed = PluginEnsembleClassifier(models, cv=GroupKFold(3))
        routed.fit(X, y, groups=groups)
    np.testing.assert_allclose(routed.oob_proba_, expected.oob_proba_)
    np.testing.assert_allclose(routed.weights_, expected.weights_)


def test_a_splitter_by_groups_is_refused_by_name_without_routing(imbalanced):
    X, y = imbalanced
    clf = PluginEnsembleClassifier([("lr", LogisticRegression())], cv=GroupKFold(3))
    with pytest.raises(ValueError, match="GroupKFold, which splits by groups"):
        clf.fit(X, y)


def test_metadata_routing_gives_the_default_models_the_weights(imbalanced):
    X, y = imbalanced
    weights = np.where(y == 1, 3.0, 1.0)
    plain = PluginEnsembleClassifier(random_state=0).fit(X, y, sample_weight=weights)
    with config_context(enable_metadata_routing=True):
        routed = PluginEnsembleClassifier(random_state=0)
        routed.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(routed.weights_, plain.weights_)
    np.testing.assert_allclose(routed.predict_proba(X), plain.predict_proba(X))


def test_an_ensemble_that_declines_the_weights_fits_without_them(imbalanced):
    # Weights for a scorer only (amounts for a profit), with the ensemble set
    # to decline them: its fit without weights failed with "got unexpected
    # argument(s) {'sample_weight'}, which are not routed to any object".
    X, y = imbalanced
    weights = np.where(y == 1, 3.0, 1.0)
    plain = PluginEnsembleClassifier(random_state=0).fit(X, y)
    scorer = make_scorer(balanced_accuracy_score)
    with config_context(enable_metadata_routing=True):
        clf = PluginEnsembleClassifier(random_state=0)
        clf.set_fit_request(sample_weight=False).fit(X, y)
        scores = cross_validate(
            clf, X, y, cv=3, params={"sample_weight": weights},
            scoring=scorer.set_score_request(sample_weight=True),
        )  # fmt: skip
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))
    assert np.all(scores["test_score"] > 0.5)


def test_a_rule_around_an_ensemble_that_declines_the_weights(imbalanced):
    # The rule takes the weights (amounts for its scoring) and the ensemble
    # declines them: the ensemble's fit, given none, failed with "got
    # unexpected argument(s) {'sample_weight'}, which are not routed to any
    # object".
    X, y = imbalanced
    weights = np.where(y == 1, 3.0, 1.0)
    plain = PluginEnsembleClassifier(random_state=0).fit(X, y)
    with config_context(enable_metadata_routing=True):
        ensemble = PluginEnsembleClassifier(random_state=0)
        rule = PluginClassifier(
            ensemble.set_fit_request(sample_weight=False),
            scoring=balanced_accuracy_score,
        )
        rule.fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(
        rule.estimator_.predict_proba(X), plain.predict_proba(X)
    )
    assert rule.prior_ == pytest.approx(np.bincount(y, weights) / weights.sum())


def test_sample_weight_equals_repeated_rows_without_refinement():
    """With the inverse-prior rule alone, integer weights are repeated rows."""
    X, y = make_classification(
        n_samples=200, weights=[0.8], n_informative=3, random_state=0
    )
    weights = np.random.default_rng(0).integers(0, 3, y.size)
    weights[:5] = 1
    weights[np.flatnonzero(y == 1)[:3]] = 1
    models = [("lr", LogisticRegression())]
    clf = PluginEnsembleClassifier(models, refinement=0)
    weighted = clone(clf).fit(X, y, sample_weight=weights * 1.0)
    repeated = clone(clf).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.prior_, repeated.prior_)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-4
    )


@pytest.mark.parametrize("refinement", [0.0, 0.5])
def test_a_class_of_zero_total_weight_raises_a_clear_error(refinement):
    """The inverse prior of a class without weight is undefined: refused."""
    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=4, random_state=0
    )
    labels = np.array(["ant", "bee", "cat"])[y]
    weights = np.where(labels == "bee", 0.0, 1.0)
    clf = PluginEnsembleClassifier(
        [("lr", LogisticRegression())], refinement=refinement, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by zero
        with pytest.raises(
            ValueError, match="Class 'bee' has a total sample_weight of 0"
        ):
            clf.fit(X, labels, sample_weight=weights)


def test_weights_of_extreme_magnitudes():
    """Weights whose sum overflows give the rule of their ratios; a class of a
    share of the weight below the smallest float is refused (both gave NaN
    probabilities)."""
    X, y = make_classification(n_samples=120, weights=[0.8], random_state=0)
    weights = np.where(y == 1, 3.0, 1.0)
    models = [("lr", FrozenEstimator(LogisticRegression().fit(X, y)))]
    clf = PluginEnsembleClassifier(models, refinement=0.5, cv=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        huge = clone(clf).fit(X, y, sample_weight=weights * 1e307)
        with pytest.raises(ValueError, match="Class 1 holds .* of the total"):
            clone(clf).fit(X, y, sample_weight=np.where(y == 1, 1e-310, 1.0))
    plain = clone(clf).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(huge.weights_, plain.weights_)
    np.testing.assert_allclose(huge.predict_proba(X), plain.predict_proba(X))


def test_held_out_probabilities_far_below_zero_are_refused():
    """The search took the held-out probabilities raw, -0.3 included, which
    predict_proba refuses."""
    y = np.repeat([0, 1, 2], [12, 6, 2])
    table = np.eye(3)[y] * 0.8 + 0.1
    table[0] = [1.3, -0.3, 0.0]
    X = np.arange(y.size)[:, None]
    clf = PluginEnsembleClassifier([("t", _FixedProba(table))], cv=2, random_state=0)
    with pytest.raises(ValueError, match="a probability of -0.3: probabilities"):
        clf.fit(X, y)


def test_negative_sample_weight_is_refused():
    """A negative weight would give a negative prior and NaN predictions."""
    X, y = make_classification(n_samples=60, random_state=0)
    weights = np.where(y == 1, -1.0, 1.0)
    clf = PluginEnsembleClassifier([("lr", LogisticRegression())], random_state=0)
    with pytest.raises(ValueError, match="non-negative"):
        clf.fit(X, y, sample_weight=weights)


def test_an_iterable_of_splits_serves_every_model():
    """A generator of splits is read once, not exhausted by the first model."""
    X, y = make_classification(n_samples=90, weights=[0.8], random_state=0)
    splits = list(StratifiedKFold(3).split(X, y))
    models = [("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))]
    from_list = PluginEnsembleClassifier(models, cv=splits, random_state=0).fit(X, y)
    from_iter = PluginEnsembleClassifier(models, cv=iter(splits), random_state=0)
    from_iter.fit(X, y)
    np.testing.assert_allclose(from_iter.oob_proba_, from_list.oob_proba_)
    np.testing.assert_allclose(from_iter.weights_, from_list.weights_)


def test_folds_that_leave_a_class_out_of_training_are_refused():
    """As in PluginClassifier: held-out probabilities of that class would be 0."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 3))
    y = np.repeat([0, 1, 2], [100, 35, 15])  # KFold(5): fold 4 trains without 2
    X[:, 0] += y
    clf = PluginEnsembleClassifier(
        [("lr", LogisticRegression())], cv=KFold(5), random_state=0
    )
    with pytest.raises(ValueError, match="Class 2 has 15 samples in y, and training"):
        clf.fit(X, y)
    clf.set_params(refinement=0.0).fit(X, y)  # no held-out probabilities needed


def test_missing_values_pass_when_every_model_accepts_them():
    """As VotingClassifier does; the default logistic regression refuses them."""
    X, y = make_classification(n_samples=120, weights=[0.8], random_state=0)
    X[::7, 1] = np.nan
    models = [("hgb", HistGradientBoostingClassifier(max_iter=10))]
    clf = PluginEnsembleClassifier(models, random_state=0).fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()
    with pytest.raises(ValueError, match="LogisticRegression does not accept"):
        PluginEnsembleClassifier(random_state=0).fit(X, y)
    with_lr = [*models, ("lr", LogisticRegression())]
    with pytest.raises(ValueError, match="Input X contains NaN"):
        PluginEnsembleClassifier(with_lr, random_state=0).fit(X, y)


def test_a_dataframe_reaches_the_models_as_it_is():
    """Named, string and category columns reach a pipeline, as in VotingClassifier.

    The ensemble used to convert X to an array, so a ColumnTransformer that
    selects columns by name failed where VotingClassifier and
    CalibratedClassifierCV work.
    """
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    y = np.array(["a"] * 45 + ["b"] * 15)
    X = pd.DataFrame(
        {
            "x": rng.randn(60) + (y == "b"),
            "s": pd.array(np.where(y == "b", "u", "v"), dtype="string"),
            "c": pd.Categorical(rng.choice(["p", "q"], 60)),
        },
        index=rng.permutation(60) + 100,
    )
    encoder = make_column_transformer(
        (OneHotEncoder(), ["s", "c"]), remainder="passthrough"
    )
    models = [
        ("lr", make_pipeline(encoder, LogisticRegression())),
        ("forest", make_pipeline(encoder, RandomForestClassifier(5, random_state=0))),
    ]
    clf = PluginEnsembleClassifier(models, cv=3, random_state=0).fit(X, y)
    voting = VotingClassifier(models, voting="soft").fit(X, y)
    assert clf.n_features_in_ == voting.n_features_in_ == 3
    assert list(clf.feature_names_in_) == ["x", "s", "c"]
    assert clf.predict(X).dtype == voting.predict(X).dtype
    assert balanced_accuracy_score(y, clf.predict(X)) == 1.0
    proba = clf.predict_proba(X)
    assert np.array_equal(clf.predict_proba(X.reset_index(drop=True)), proba)


def test_predict_proba_holds_one_model_probabilities_beside_their_sum():
    # The mean of the models' probabilities held all of them and then their
    # stack: with five models, 11 arrays of the output's size at once. They
    # are now summed as each model gives them, with the same floats.
    rng = np.random.default_rng(0)
    n_rows, n_classes = 20_000, 10
    tables = [rng.dirichlet(np.ones(n_classes), size=n_rows) for _ in range(5)]
    models = [(f"m{i}", FrozenEstimator(_FixedProba(t))) for i, t in enumerate(tables)]
    X = np.arange(n_rows, dtype=float)[:, None]
    y = np.arange(n_rows) % n_classes
    clf = PluginEnsembleClassifier(models, refinement=0).fit(X, y)
    log_weights = np.log(clf.weights_)
    tracemalloc.start()
    try:
        proba = clf.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * proba.nbytes
    expected = _adjusted_log_proba(np.mean(tables, axis=0), log_weights)
    assert np.array_equal(proba, np.exp(expected))
    assert np.array_equal(clf.predict_log_proba(X), expected)


class _HeldProba(_FixedProba):
    """A model whose ``predict_proba`` returns the array it holds, whatever ``X``."""

    def predict_proba(self, X):
        return self.table


def test_predict_proba_leaves_the_arrays_of_the_models_as_they_are():
    # A model may return an array it holds (a cache, a table): the sum of the
    # models' probabilities must not be taken in the first model's array.
    rng = np.random.default_rng(0)
    tables = [rng.dirichlet(np.ones(3), size=6) for _ in range(2)]
    held = [table.copy() for table in tables]
    models = [(f"m{i}", FrozenEstimator(_HeldProba(t))) for i, t in enumerate(tables)]
    X, y = np.arange(6.0)[:, None], np.arange(6) % 3
    clf = PluginEnsembleClassifier(models, refinement=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.array_equal(clf.predict_proba(X), proba)
    for table, before in zip(tables, held):
        assert np.array_equal(table, before)


class _FirstRowProba(_FixedProba):
    """A faulty model: the probabilities of the first row, whatever ``X``."""

    def predict_proba(self, X):
        return self.table[:1]


@pytest.mark.parametrize("faulty_first", [False, True])
def test_models_of_probabilities_of_other_shapes_are_refused(faulty_first):
    # The sum of the models' probabilities broadcast one row (or one column)
    # of a faulty model over the others' rows, without an error: the mean
    # of their list refuses them.
    table = np.random.default_rng(0).dirichlet(np.ones(3), size=6)
    models = [("good", _FixedProba(table)), ("faulty", _FirstRowProba(table))]
    if faulty_first:
        models.reverse()
    X, y = np.arange(6.0)[:, None], np.arange(6) % 3
    clf = PluginEnsembleClassifier(models, refinement=0).fit(X, y)
    with pytest.raises(ValueError, match="inhomogeneous shape"):
        clf.predict_proba(X)


def test_an_int_cv_spreads_the_positive_weight_rows_over_the_folds():
    # 2 rows of positive weight among 10 of class 1: folds stratified on y
    # alone could put both in one test fold, and refuse the int cv
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(40, 3), rng.randn(10, 3) + 2])
    y = np.r_[np.zeros(40, int), np.ones(10, int)]
    weights = np.ones(y.size)
    weights[42:] = 0.0
    for seed in range(6):
        clf = PluginEnsembleClassifier(
            [("lr", LogisticRegression())], random_state=seed
        ).fit(X, y, sample_weight=weights)
        assert np.all(np.isfinite(clf.weights_))


def test_a_row_without_out_of_bag_estimate_takes_the_class_prior():
    class Bagged:
        oob_decision_function_ = np.array([[0.2, 0.8], [np.nan, np.nan]])

    prior = np.array([0.9, 0.1])
    proba = _oob_proba(Bagged(), prior)
    np.testing.assert_array_equal(proba, [[0.2, 0.8], [0.9, 0.1]])
    assert np.isnan(Bagged.oob_decision_function_[1]).all()


def test_a_prefit_model_of_many_classes_names_the_missing_one():
    # a prefit model of 39 of the 40 classes of y: the refusal listed all
    # the classes twice, the missing one hidden among them
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(40), 3)
    X = rng.normal(size=(y.size, 2))
    prefit = FrozenEstimator(LogisticRegression().fit(X[y != 7], y[y != 7]))
    with pytest.raises(ValueError) as info:
        PluginEnsembleClassifier([("f", prefit)]).fit(X, y)
    assert str(info.value) == (
        "The model 'f' predicts probabilities of 39 classes, but y holds 40 "
        "(it lacks 7); the ensemble averages probabilities of the classes of y."
    )


def test_default_models_are_seeded_apart_and_the_forests_are_out_of_bag(imbalanced):
    # each default model has a seed of its own, and the held-out part of the
    # two forests is their out-of-bag estimate: the mean of the three held-out
    # probabilities takes them as they are beside the cross-fitted regression
    X, y = imbalanced
    clf = PluginEnsembleClassifier(random_state=0).fit(X, y)
    rf, et, lr = (clf.named_estimators_[name] for name in ("rf", "et", "lr"))
    assert len({rf.random_state, et.random_state, lr.random_state}) == 3
    lr_only = PluginEnsembleClassifier(
        [("lr", LogisticRegression(max_iter=1000, random_state=lr.random_state))],
        random_state=0,
    ).fit(X, y)
    expected = (
        rf.oob_decision_function_ + et.oob_decision_function_ + lr_only.oob_proba_
    ) / 3
    np.testing.assert_allclose(clf.oob_proba_, expected, rtol=1e-12)


def test_out_of_bag_estimates_of_the_models_stay_as_fitted(imbalanced):
    X, y = imbalanced
    clf = _small().fit(X, y)
    forest = RandomForestClassifier(20, oob_score=True, random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        clf.named_estimators_["rf"].oob_decision_function_,
        forest.oob_decision_function_,
    )


def test_a_dropped_model_stays_under_its_name(imbalanced):
    # as in VotingClassifier, whose named_estimators_ hold "drop" for it
    X, y = imbalanced
    estimators = [("rf", RandomForestClassifier(5, random_state=0)), ("lr", "drop")]
    clf = PluginEnsembleClassifier(estimators, refinement=0).fit(X, y)
    assert list(clf.named_estimators_) == ["rf", "lr"]
    assert clf.named_estimators_["lr"] == "drop"
    assert clf.named_estimators_["rf"] is clf.estimators_[0]


class _HeldProba(_FixedProba):
    """A model whose ``predict_proba`` returns the very array it holds."""

    def predict_proba(self, X):
        return self.table


def test_predict_proba_leaves_the_arrays_that_models_return():
    tables = np.random.default_rng(0).dirichlet(np.ones(3), size=(2, 6))
    models = [("a", _HeldProba(tables[0])), ("b", _HeldProba(tables[1]))]
    X, y = np.arange(6.0)[:, None], np.arange(6) % 3
    clf = PluginEnsembleClassifier(models, refinement=0).fit(X, y)
    first = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.estimators_[0].table, tables[0])
    np.testing.assert_array_equal(clf.predict_proba(X), first)


@pytest.mark.parametrize("scoring", ["balanced_accuracy", "macro_f1"])
def test_rows_of_zero_weight_count_as_rows_left_out(scoring):
    # the weights search on a prefit model: rows of weight 0 are left out of
    # it, as if y did not hold them (candidate weights at their probability
    # ratios moved the weights found)
    X, y = make_classification(
        200, 5, n_informative=3, n_classes=3, weights=[0.7, 0.2], random_state=3
    )
    model = FrozenEstimator(LogisticRegression().fit(X[:100], y[:100]))
    weight = np.ones(y.size)
    weight[::5] = 0
    kept = weight > 0
    ens = PluginEnsembleClassifier([("m", model)], refinement=1.0, scoring=scoring)
    weighted = clone(ens).fit(X, y, sample_weight=weight).weights_
    np.testing.assert_array_equal(weighted, clone(ens).fit(X[kept], y[kept]).weights_)


def test_set_params_by_name_replaces_the_model_only():
    # as in VotingClassifier: the model is replaced in estimators, and not
    # also set as an attribute of the ensemble
    clf = _small().set_params(lr="drop")
    assert clf.estimators[1] == ("lr", "drop")
    assert "lr" not in vars(clf)


@pytest.mark.parametrize("key", ["rf__n_estimators", "lr"])
def test_setting_a_default_model_by_name_says_to_give_estimators(key):
    # estimators=None builds rf, et and lr at fit: a search over
    # rf__n_estimators has no model to set, and the message says so
    search = GridSearchCV(PluginEnsembleClassifier(), {key: [10]}, cv=2)
    with pytest.raises(ValueError, match="with estimators=None the default"):
        search.fit(*make_classification(n_samples=60, random_state=0))
