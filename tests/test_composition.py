"""ltlearn estimators inside scikit-learn's and imbalanced-learn's own tools."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re

import numpy as np
import pytest
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.utils import estimator_html_repr

from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.over_sampling import SMOTE, SMOTEN, SMOTENC


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
