"""Tests of ltlearn's scorers inside scikit-learn's model selection."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn import clone, config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, check_scoring, f1_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from ltlearn.metrics import (
    balanced_accuracy_scorer,
    geometric_mean_scorer,
    get_scorer,
    macro_f1_scorer,
    make_shot_scorer,
    shot_accuracy,
)


@pytest.mark.parametrize(
    "name, metric",
    [
        ("balanced_accuracy", balanced_accuracy_score),
        ("geometric_mean", geometric_mean_score),
        ("macro_f1", lambda a, b: f1_score(a, b, average="macro")),
        ("f1_macro", lambda a, b: f1_score(a, b, average="macro")),
    ],
)
def test_named_scorers_compute_their_metric(name, metric, make_long_tail):
    X, y = make_long_tail(4, 10, n_max=200)
    model = LogisticRegression(max_iter=500).fit(X, y)
    assert get_scorer(name)(model, X, y) == pytest.approx(metric(y, model.predict(X)))


@pytest.mark.parametrize("name", ["balanced_accuracy", "geometric_mean", "macro_f1"])
def test_named_scorers_take_binary_labels_without_a_one(name, make_long_tail):
    # the macro scores have no positive class: "neg"/"pos" labels must not
    # fail on the scorer's default pos_label=1
    X, y = make_long_tail(2, 5, n_max=100)
    y_str = np.array(["neg", "pos"])[y]
    model = LogisticRegression(max_iter=500).fit(X, y)
    model_str = LogisticRegression(max_iter=500).fit(X, y_str)
    assert get_scorer(name)(model_str, X, y_str) == get_scorer(name)(model, X, y)


def test_get_scorer_returns_a_new_scorer_whose_request_stays_its_own():
    with config_context(enable_metadata_routing=True):
        weighted = get_scorer("geometric_mean").set_score_request(sample_weight=True)
        fresh = get_scorer("geometric_mean")
        assert weighted is not fresh
        requests = weighted.get_metadata_routing().score.requests
        assert requests["sample_weight"] is True
        requests = fresh.get_metadata_routing().score.requests
        assert requests.get("sample_weight") is None


@pytest.mark.parametrize(
    "name, public",
    [
        ("balanced_accuracy", balanced_accuracy_scorer),
        ("geometric_mean", geometric_mean_scorer),
        ("macro_f1", macro_f1_scorer),
    ],
)
def test_get_scorer_takes_no_request_set_on_the_public_scorer(name, public):
    # get_scorer copied the public scorer: a request set on it anywhere in
    # the program made every later get_scorer consume the weights meant for
    # the fit (cross_validate's params), instead of leaving them unrequested
    with config_context(enable_metadata_routing=True):
        public.set_score_request(sample_weight=True)
        try:
            requests = get_scorer(name).get_metadata_routing().score.requests
        finally:
            public.set_score_request(sample_weight=None)
    assert requests.get("sample_weight") is None


def test_unknown_scorer_lists_the_known_ones():
    with pytest.raises(ValueError, match="'f1_macro', 'geometric_mean'"):
        get_scorer("accuracy_of_the_gods")


@pytest.mark.parametrize("name", ["average_precision", "roc_auc", "f1"])
def test_unknown_scorer_of_scikit_learns_points_to_its_get_scorer(name):
    # the message listed ltlearn's four names only, leaving a user after the
    # area under the precision-recall curve at a dead end
    with pytest.raises(ValueError, match=rf"use sklearn.metrics.get_scorer\('{name}'"):
        get_scorer(name)


def test_unknown_scorer_of_no_library_does_not_point_to_scikit_learn():
    with pytest.raises(ValueError) as exc:
        get_scorer("accuracy_of_the_gods")
    assert "sklearn" not in str(exc.value)


def test_get_scorer_refuses_a_name_that_is_not_a_str():
    # it raised "TypeError: unhashable type: 'list'"
    with pytest.raises(ValueError, match="'name' parameter of get_scorer"):
        get_scorer(["macro_f1"])


def test_shot_scorer_in_grid_search(make_long_tail):
    X, y = make_long_tail(4, 10, n_max=200)  # 200, 92, 43 and 20 rows
    scorer = make_shot_scorer(y, group="few", many_threshold=150, few_threshold=30)
    search = GridSearchCV(
        LogisticRegression(max_iter=500), {"C": [0.01, 1.0]}, scoring=scorer, cv=3
    ).fit(X, y)
    model = search.best_estimator_
    expected = shot_accuracy(
        y, model.predict(X), y_train=y, many_threshold=150, few_threshold=30
    )["few"]
    assert scorer(model, X, y) == pytest.approx(expected)
    assert np.isfinite(search.best_score_)


def test_shot_scorer_takes_sample_weight_and_metadata_routing(make_long_tail):
    X, y = make_long_tail(4, 10, n_max=200)
    weights = np.random.default_rng(0).integers(1, 4, y.size) * 1.0
    scorer = make_shot_scorer(y, group="many", many_threshold=60, few_threshold=30)
    model = LogisticRegression(C=0.01, max_iter=500).fit(X, y)
    expected = shot_accuracy(
        y,
        model.predict(X),
        y_train=y,
        many_threshold=60,
        few_threshold=30,
        sample_weight=weights,
    )["many"]
    assert scorer(model, X, y, sample_weight=weights) == pytest.approx(expected)
    assert expected != pytest.approx(scorer(model, X, y))
    with config_context(enable_metadata_routing=True):
        scores = cross_validate(
            LogisticRegression(max_iter=500).set_fit_request(sample_weight=False),
            X,
            y,
            cv=2,
            scoring=scorer.set_score_request(sample_weight=True),
            params={"sample_weight": weights},
            error_score="raise",
        )
    assert np.all(np.isfinite(scores["test_score"]))


def test_shot_scorer_gets_the_weights_without_metadata_routing(make_long_tail):
    # scikit-learn reads the metric's signature to decide whether a search or
    # a dict of scorers passes sample_weight on: the shot scorer's metric did
    # not name it, so GridSearchCV.fit(sample_weight=...) scored it unweighted
    # ("does not support sample_weight"), and a dict left it out silently
    X, y = make_long_tail(4, 10, n_max=200)
    weights = np.random.default_rng(0).integers(0, 4, y.size) * 1.0
    scorer = make_shot_scorer(y, group="many", many_threshold=60, few_threshold=30)
    model = LogisticRegression(C=0.01, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = GridSearchCV(model, {"C": [0.01]}, scoring=scorer, cv=KFold(2))
        search.fit(X, y, sample_weight=weights)
    for fold, (train, test) in enumerate(KFold(2).split(X)):
        fitted = clone(model).fit(X[train], y[train], sample_weight=weights[train])
        expected = scorer(fitted, X[test], y[test], sample_weight=weights[test])
        assert expected != scorer(fitted, X[test], y[test])
        assert search.cv_results_[f"split{fold}_test_score"][0] == expected
    fitted = model.fit(X, y)
    scores = check_scoring(fitted, {"many": scorer, "bacc": balanced_accuracy_scorer})
    many = scores(fitted, X, y, sample_weight=weights)["many"]
    assert many == scorer(fitted, X, y, sample_weight=weights)


def _unrequested_weights_outcome(scorer, X, y, weights):
    """What cross_validate does with weights a scorer has no request for."""
    with config_context(enable_metadata_routing=True):
        try:
            scores = cross_validate(
                LogisticRegression(max_iter=500).set_fit_request(sample_weight=True),
                X,
                y,
                cv=KFold(2),
                scoring=scorer,
                params={"sample_weight": weights},
                error_score="raise",
            )
        except UnsetMetadataPassedError:
            return "refused"
    return scores["test_score"]


def test_shot_scorer_without_a_request_treats_weights_as_the_named_scorers(
    make_long_tail,
):
    # routed weights that a scorer has no request for are refused by
    # scikit-learn from 1.8 on, left out before; the shot scorer left them
    # out silently on every version
    X, y = make_long_tail(4, 10, n_max=200)
    weights = np.random.default_rng(0).integers(1, 4, y.size) * 1.0
    shot = make_shot_scorer(y, group="many", many_threshold=60, few_threshold=30)
    outcome = _unrequested_weights_outcome(shot, X, y, weights)
    named = _unrequested_weights_outcome(get_scorer("macro_f1"), X, y, weights)
    assert isinstance(outcome, str) == isinstance(named, str)
    if not isinstance(named, str):  # left out: the unweighted scores
        fitted = [
            clone(LogisticRegression(max_iter=500)).fit(
                X[train], y[train], sample_weight=weights[train]
            )
            for train, _ in KFold(2).split(X)
        ]
        expected = [
            shot(model, X[test], y[test])
            for model, (_, test) in zip(fitted, KFold(2).split(X))
        ]
        assert outcome.tolist() == expected


@pytest.mark.parametrize(
    "y_train, match",
    [
        ([], "y_train is empty"),
        ([0.5, 1.2, 2.7], "y_train must hold class labels; got continuous"),
        ([0, 1, np.nan], "y_train holds 1 missing label .* at row 2"),
        # read as a mix of strings and numbers ("'a' and None")
        (["a", "b", None], "y_train holds 1 missing label .* at row 2"),
        (np.array(["a", np.nan, "b"], dtype=object), "missing label .* at row 1"),
        (pd.Series([0, pd.NA, 1], dtype="Int64"), "missing label .* at row 1"),
    ],
)
def test_shot_scorer_refuses_bad_y_train_when_made(y_train, match):
    # refused once, not as NaN scores in every cross-validation fold
    with pytest.raises(ValueError, match=match):
        make_shot_scorer(y_train)


def test_shot_scorer_keeps_its_own_copy_of_y_train(make_long_tail):
    X, y = make_long_tail(3, 6, n_max=100)
    model = LogisticRegression(max_iter=500).fit(X, y)
    y_train = y.copy()
    scorer = make_shot_scorer(y_train, group="many", many_threshold=50)
    expected = scorer(model, X, y)
    y_train[:] = 0  # the caller reuses its array
    assert scorer(model, X, y) == expected


class _PredictsColumnZero(ClassifierMixin, BaseEstimator):
    """Predicts the labels held in the first column of ``X``, in X's library."""

    def fit(self, X, y):
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict(self, X):
        return X[:, 0]


def test_shot_scorer_takes_a_tensor_under_array_api_dispatch(array_api_dispatch):
    # Its copy of y_train failed: "'Tensor' object has no attribute 'copy'",
    # where shot_accuracy takes the tensors.
    torch = pytest.importorskip("torch")
    y_train = torch.as_tensor(np.repeat([0, 1, 2], [60, 25, 10]))
    y_true = torch.as_tensor([0, 0, 1, 1, 2, 2, 2])
    X = torch.stack([torch.as_tensor([0, 1, 1, 1, 2, 0, 2]), y_true], dim=1)
    model = _PredictsColumnZero().fit(X, y_true)
    scorer = make_shot_scorer(y_train, group="few", many_threshold=50)
    expected = shot_accuracy(y_true, X[:, 0], y_train=y_train, many_threshold=50)
    assert expected["few"] == pytest.approx(2 / 3)
    assert scorer(model, X, y_true) == expected["few"]
    y_train[:] = 0  # the caller reuses its tensor
    assert scorer(model, X, y_true) == expected["few"]


def test_shot_scorer_refuses_inverted_thresholds_when_made():
    """Not in each fold, where cross-validation would turn it into NaN scores."""
    with pytest.raises(ValueError, match="few_threshold=20 must not exceed"):
        make_shot_scorer([0, 0, 1], many_threshold=10, few_threshold=20)


def test_shot_scorer_default_thresholds_are_shot_accuracys():
    # few_threshold=20 by default: a class of 19 training samples is few-shot
    y_train = np.repeat([0, 1], [150, 19])
    X = np.zeros((y_train.size, 1))
    model = DummyClassifier(strategy="constant", constant=1).fit(X, y_train)
    assert make_shot_scorer(y_train)(model, X[-5:], y_train[-5:]) == 1.0
