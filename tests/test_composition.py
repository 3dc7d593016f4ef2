"""ltlearn estimators inside scikit-learn's and imbalanced-learn's own tools."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re

from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils import estimator_html_repr

from ltlearn.ensemble import PluginEnsembleClassifier


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
