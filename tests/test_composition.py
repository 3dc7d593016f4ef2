"""ltlearn estimators inside scikit-learn's and imbalanced-learn's own tools."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import sys
from functools import partial

import numpy as np
import pytest
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.inspection import DecisionBoundaryDisplay, partial_dependence
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay, roc_auc_score
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils import estimator_html_repr, get_tags
from sklearn.utils.validation import check_is_fitted

from ltlearn.decomposition import COGClassifier
from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.over_sampling import SMOTE, SMOTEN, SMOTENC
from ltlearn.post_hoc import PluginClassifier, ThresholdMovingClassifier
from ltlearn.semi_supervised import CReSTClassifier


def _html_labels(estimator):
    """The names on the boxes of the HTML display of ``estimator``."""
    html = estimator_html_repr(estimator)
    return re.findall(r'sk-toggleable__label[^"]*">(?:<div><div>)?([^<]*)', html)


def test_plugin_ensemble_html_shows_its_models_as_voting_does():
    models = [("lr", LogisticRegression()), ("rf", RandomForestClassifier())]
    shown = _html_labels(PluginEnsembleClassifier(models))
    voting = _html_labels(VotingClassifier(models, voting="soft"))
    assert shown[1:] == voting[1:] == ["LogisticRegression", "RandomForestClassifier"]
    # the default models are drawn in fit: the ensemble is shown alone
    assert _html_labels(PluginEnsembleClassifier()) == ["PluginEnsembleClassifier"]


def test_plugin_ensemble_html_falls_back_if_the_private_block_moves(monkeypatch):
    # scikit-learn's private _VisualBlock moved in 1.7: should it move again,
    # the ensemble is shown alone, and ltlearn.ensemble still imports
    monkeypatch.setitem(sys.modules, "sklearn.utils._repr_html.estimator", None)
    models = [("lr", LogisticRegression()), ("rf", RandomForestClassifier())]
    assert _html_labels(PluginEnsembleClassifier(models)) == [
        "PluginEnsembleClassifier"
    ]


def test_plugin_ensemble_drop_leaves_a_model_out_as_voting_does():
    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=3, weights=[0.6, 0.3, 0.1],
        random_state=0,
    )  # fmt: skip
    rf = RandomForestClassifier(n_estimators=5, random_state=0)
    models = [("lr", LogisticRegression()), ("rf", rf)]
    for ensemble in (
        PluginEnsembleClassifier(models, random_state=0),
        VotingClassifier(models, voting="soft"),
    ):
        search = GridSearchCV(ensemble, {"lr": ["drop", LogisticRegression()]}, cv=3)
        assert len(search.fit(X, y).cv_results_["params"]) == 2
    dropped = PluginEnsembleClassifier([("lr", "drop"), ("rf", rf)], random_state=0)
    alone = PluginEnsembleClassifier([("rf", rf)], random_state=0)
    assert np.array_equal(
        dropped.fit(X, y).predict_proba(X), alone.fit(X, y).predict_proba(X)
    )
    voting = VotingClassifier([("lr", "drop"), ("rf", rf)], voting="soft").fit(X, y)
    assert list(dropped.named_estimators_.items())[0] == ("lr", "drop")
    assert dropped.named_estimators_.keys() == voting.named_estimators_.keys()
    assert dropped.named_estimators_.rf is dropped.estimators_[0]
    with pytest.raises(ValueError, match="All estimators are dropped"):
        PluginEnsembleClassifier([("lr", "drop")]).fit(X, y)


@pytest.mark.parametrize(
    "combined, cleaner",
    [(SMOTEENN, EditedNearestNeighbours), (SMOTETomek, TomekLinks)],
)
def test_smote_is_taken_by_imblearn_combined_samplers(combined, cleaner):
    X, y = make_classification(
        n_samples=150, n_classes=3, n_informative=3, weights=[0.6, 0.3, 0.1],
        random_state=0,
    )  # fmt: skip
    X_res, y_res = combined(smote=SMOTE(random_state=0)).fit_resample(X, y)
    resampled = SMOTE(random_state=0).fit_resample(X, y)
    # the cleaner the combined sampler builds by default
    expected = cleaner(sampling_strategy="all").fit_resample(*resampled)
    np.testing.assert_array_equal(X_res, expected[0])
    np.testing.assert_array_equal(y_res, expected[1])
    # as imbalanced-learn's SMOTENC and SMOTEN, subclasses of its SMOTE
    combined(smote=SMOTENC(categorical_features=[0])).fit_resample(
        np.c_[X[:, :1] > 0, X[:, 1:]], y
    )
    combined(smote=SMOTEN())._validate_params()


def test_failed_folds_of_cross_validate_return_unfitted_estimators():
    X, y = make_classification(
        n_samples=90, n_classes=3, n_informative=3, weights=[0.6, 0.39],
        random_state=0,
    )  # fmt: skip
    y[np.flatnonzero(y == 2)[1:]] = 1  # class 2: a single sample
    with pytest.warns(FitFailedWarning):
        results = cross_validate(
            PluginClassifier(LogisticRegression(), cv=3), X, y, cv=KFold(3),
            error_score=np.nan, return_estimator=True,
        )  # fmt: skip
    failed = np.isnan(results["test_score"])
    assert failed.any() and not failed.all()
    for model, fit_failed in zip(results["estimator"], failed):
        if fit_failed:  # it predicted with the rule's starting weights
            with pytest.raises(NotFittedError):
                model.predict(X)
        else:
            model.predict(X)


@pytest.mark.parametrize(
    "model",
    [
        PluginEnsembleClassifier(
            [("d", DummyClassifier()), ("lr", LogisticRegression())]
        ),
        CReSTClassifier(LogisticRegression(), max_iter=2),
    ],
    ids=lambda model: type(model).__name__,
)
def test_a_failed_refit_leaves_the_model_unfitted(model):
    X, y = make_classification(n_samples=60, random_state=0)
    if isinstance(model, CReSTClassifier):
        y = np.where(np.arange(y.size) % 3, y, -1)  # unlabelled rows
    model.fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan  # the logistic regression fails, after other steps
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X_nan, y)
    # it predicted with the new first model or counts beside the old rest
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_a_failed_refit_of_a_post_hoc_rule_leaves_it_unfitted():
    X, y = make_classification(
        n_samples=90, n_classes=3, n_informative=3, random_state=0
    )
    model = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=1 - np.eye(3))
    model.fit(X, y)
    with pytest.raises(ValueError, match="cost_matrix has shape"):
        model.fit(X, y % 2)  # the new estimator_ is fitted, then the costs refused
    with pytest.raises(NotFittedError):  # a broadcast error, old costs
        model.predict(X)


def test_a_failed_refit_of_cog_leaves_it_unfitted():
    X, y = make_classification(
        n_samples=90, n_classes=3, n_informative=3, random_state=0
    )
    model = COGClassifier(LogisticRegression(), n_clusters=2, random_state=0)
    model.fit(X, y).set_params(estimator__C=-1)
    with pytest.raises(ValueError, match="'C' parameter"):  # after the sub-classes
        model.fit(X, y % 2)
    with pytest.raises(NotFittedError):  # an IndexError: old model, new classes
        model.predict(X)


# The three over-samplers, each with data of its kind (90 rows).
_SAMPLERS = [
    (SMOTE, np.random.RandomState(0).normal(size=(90, 3))),
    (SMOTEN, np.random.RandomState(0).randint(0, 3, size=(90, 3))),
    (
        partial(SMOTENC, categorical_features=[0]),
        np.c_[np.arange(90) % 3, np.random.RandomState(0).normal(size=(90, 2))],
    ),
]


class _InterruptedNeighbors(NearestNeighbors):
    """Neighbours whose search is interrupted (Ctrl-C) while ``armed``.

    A class attribute: the sampler searches with a clone.
    """

    armed = False

    def kneighbors(self, *args, **kwargs):
        if self.armed:
            raise KeyboardInterrupt
        return super().kneighbors(*args, **kwargs)


@pytest.mark.parametrize("sampler, X", _SAMPLERS, ids=["SMOTE", "SMOTEN", "SMOTENC"])
def test_an_interrupted_refit_leaves_the_sampler_unfitted(sampler, X, monkeypatch):
    # The sampler kept the sampling_strategy_ of the new data beside the
    # rest of the previous fit (SMOTENC: categorical_features_ of the
    # previous data, median_std_ of some of the new classes).
    y = np.repeat([0, 1, 2], [60, 20, 10])
    neighbors = _InterruptedNeighbors(n_neighbors=4)
    model = sampler(k_neighbors=neighbors, random_state=0)
    model.fit_resample(X[30:], y[30:])
    with monkeypatch.context() as patch:
        patch.setattr(_InterruptedNeighbors, "armed", True)
        with pytest.raises(KeyboardInterrupt):
            model.fit_resample(X, y)
    assert not [name for name in vars(model) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    fresh = sampler(k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0)
    for got, expected in zip(model.fit_resample(X, y), fresh.fit_resample(X, y)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("sampler, X", _SAMPLERS, ids=["SMOTE", "SMOTEN", "SMOTENC"])
def test_a_failed_fit_leaves_the_sampler_unfitted(sampler, X):
    # fit, as fit_resample: a refused refit kept the previous fit's state.
    y = np.repeat([0, 1, 2], [60, 20, 10])
    model = sampler(k_neighbors=3).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1])
    with pytest.raises(NotFittedError):
        check_is_fitted(model)


@pytest.mark.parametrize(
    "model, invalid",
    [
        (PluginClassifier(LogisticRegression()), {"scoring": "accuracy"}),
        (PluginEnsembleClassifier([("lr", LogisticRegression())]), {"cv": "three"}),
        (CReSTClassifier(LogisticRegression()), {"alpha": -1.0}),
        (COGClassifier(LogisticRegression()), {"strategy": "max"}),
    ],
    ids=["PluginClassifier", "PluginEnsembleClassifier", "CReST", "COG"],
)
@pytest.mark.filterwarnings("ignore:y contains no unlabelled row")
def test_a_refit_refused_for_a_parameter_leaves_the_model_unfitted(model, invalid):
    # The parameters were checked before the fitted state was cleared: the
    # old fit stayed, under parameters that no longer describe it.
    X, y = make_classification(n_samples=60, random_state=0)
    model.fit(X, y).set_params(**invalid)
    with pytest.raises(ValueError, match=f"'{next(iter(invalid))}' parameter"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert not [name for name in vars(model) if name.endswith("_")]


class _InterruptedFit(LogisticRegression):
    """A model whose fit is stopped by Ctrl-C."""

    def fit(self, X, y, sample_weight=None):
        raise KeyboardInterrupt("stopped in the model's fit")


@pytest.mark.parametrize(
    "model, interrupted",
    [
        (PluginClassifier(LogisticRegression()), {"estimator": _InterruptedFit()}),
        (
            PluginEnsembleClassifier([("lr", LogisticRegression())]),
            {"lr": _InterruptedFit()},
        ),
        (CReSTClassifier(LogisticRegression()), {"estimator": _InterruptedFit()}),
        (
            COGClassifier(LogisticRegression(), n_clusters=2, random_state=0),
            {"estimator": _InterruptedFit()},
        ),
    ],
    ids=["PluginClassifier", "PluginEnsembleClassifier", "CReST", "COG"],
)
@pytest.mark.filterwarnings("ignore:y contains no unlabelled row")
def test_an_interrupted_refit_leaves_the_model_unfitted(model, interrupted):
    X, y = make_classification(n_samples=60, random_state=0)
    model.fit(X, y).set_params(**interrupted)
    params = model.get_params(deep=False)
    with pytest.raises(KeyboardInterrupt, match="stopped in the model's fit") as info:
        model.fit(X, y)
    # raised where it was, with its traceback
    assert str(info.traceback[-1].path) == __file__
    with pytest.raises(NotFittedError):
        model.predict(X)
    # the fitted state of the previous fit is gone (COG's private model too),
    # the parameters are kept
    assert not [name for name in vars(model) if name.endswith("_")]
    assert not hasattr(model, "_model")
    assert model.get_params(deep=False) == params


@pytest.mark.parametrize(
    "make_model",
    [
        ThresholdMovingClassifier,
        lambda knn: PluginClassifier(knn, cv=3),
        lambda knn: PluginEnsembleClassifier(
            [("lr", LogisticRegression(max_iter=2000)), ("knn", knn)], random_state=0
        ),
    ],
    ids=["ThresholdMovingClassifier", "PluginClassifier", "PluginEnsembleClassifier"],
)
def test_a_precomputed_distance_matrix_is_cut_by_cross_validation(make_model):
    # the model of precomputed distances is pairwise, as its estimator is: the
    # test rows are then measured against the training rows only
    X, y = make_classification(n_samples=90, weights=[0.7], random_state=0)
    distances = euclidean_distances(X)
    model = make_model(KNeighborsClassifier(metric="precomputed"))
    assert get_tags(model).input_tags.pairwise
    folds = list(KFold(3).split(X))
    scores = cross_validate(model, distances, y, cv=folds, error_score="raise")
    for (train, test), score in zip(folds, scores["test_score"]):
        fitted = clone(model).fit(distances[np.ix_(train, train)], y[train])
        assert score == fitted.score(distances[np.ix_(test, train)], y[test])


# One model of each kind (but the deep one), in scikit-learn's inspection tools,
# displays and cross_val_predict.
_INSPECTED = [
    ThresholdMovingClassifier(LogisticRegression()),
    PluginEnsembleClassifier([("lr", LogisticRegression())], cv=3, random_state=0),
    COGClassifier(LogisticRegression(), n_clusters=2, random_state=0),
    CReSTClassifier(LogisticRegression(), max_iter=1),
    make_pipeline(SMOTE(k_neighbors=3, random_state=0), LogisticRegression()),
]


def _scores(model, X, positive):
    """Scores of ``positive`` by predict_proba, else by decision_function."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, list(model.classes_).index(positive)]
    scores = model.decision_function(X)
    return scores if positive == model.classes_[1] else -scores


@pytest.mark.parametrize("model", _INSPECTED, ids=lambda model: type(model).__name__)
@pytest.mark.filterwarnings("ignore:y contains no unlabelled row")
def test_inspection_tools_and_displays_read_ltlearn_classifiers(model):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    X, y = make_classification(
        n_samples=90, n_features=4, n_informative=3, n_redundant=0,
        n_classes=3, n_clusters_per_class=1, weights=[0.5, 0.3], random_state=0,
    )  # fmt: skip
    labels = np.array(["z", "a", "m"])[y]  # sorted classes_: a, m, z
    multi = clone(model).fit(X[:, :2], labels)
    shown = DecisionBoundaryDisplay.from_estimator(
        multi, X[:, :2], class_of_interest="z", grid_resolution=4
    )
    grid = np.c_[shown.xx0.ravel(), shown.xx1.ravel()]
    # "auto": decision_function first, as for scikit-learn's classifiers
    method = (
        "decision_function" if hasattr(multi, "decision_function") else "predict_proba"
    )
    expected = getattr(multi, method)(grid)[:, 2].reshape(shown.xx0.shape)
    np.testing.assert_allclose(shown.response, expected)
    average = partial_dependence(multi, X[:, :2], [0], grid_resolution=3)["average"]
    assert average.shape == (3, 3)  # a row per class

    binary = np.where(labels == "z", "neg", "pos")
    fitted = clone(model).fit(X, binary)
    for positive in ("neg", "pos"):
        roc = RocCurveDisplay.from_estimator(fitted, X, binary, pos_label=positive)
        expected = roc_auc_score(binary == positive, _scores(fitted, X, positive))
        assert roc.roc_auc == pytest.approx(expected)
    shown = ConfusionMatrixDisplay.from_estimator(fitted, X, binary)
    assert list(shown.display_labels) == ["neg", "pos"]
    plt.close("all")


@pytest.mark.parametrize("model", _INSPECTED, ids=lambda model: type(model).__name__)
@pytest.mark.filterwarnings("ignore:y contains no unlabelled row")
@pytest.mark.filterwarnings("ignore:Number of classes in training fold")
def test_cross_val_predict_aligns_columns_when_a_fold_lacks_a_class(model):
    X, y = make_classification(
        n_samples=100, n_features=4, n_informative=3, n_redundant=0,
        n_classes=4, n_clusters_per_class=1, random_state=1,
    )  # fmt: skip
    order = np.argsort(y, kind="stable")  # unshuffled folds: each lacks a class
    X, y = X[order], y[order]
    method = "predict_proba" if hasattr(model, "predict_proba") else "decision_function"
    predicted = cross_val_predict(model, X, y, cv=KFold(4), method=method)
    assert predicted.shape == (100, 4)
    missing = 0.0 if method == "predict_proba" else np.finfo(predicted.dtype).min
    for train, test in KFold(4).split(X):
        present = np.unique(y[train])
        absent = np.setdiff1d(np.arange(4), present)
        assert absent.size == 1
        assert np.all(predicted[np.ix_(test, absent)] == missing)
        fitted = clone(model).fit(X[train], y[train])
        expected = getattr(fitted, method)(X[test])
        np.testing.assert_allclose(predicted[np.ix_(test, present)], expected)
