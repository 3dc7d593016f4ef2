"""Tests of the folds of the out-of-fold probabilities."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from functools import partial

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.post_hoc import LogitAdjustedClassifier, PluginClassifier

CROSS_FITTED = [
    partial(PluginClassifier, LogisticRegression(), scoring="f1"),
    partial(LogitAdjustedClassifier, LogisticRegression(), tau="auto"),
    partial(PluginEnsembleClassifier, [("lr", LogisticRegression())]),
]


@pytest.mark.parametrize("make", CROSS_FITTED)
def test_a_used_up_iterator_of_splits_is_named(make, imbalanced_binary):
    # the generator of split() serves the first fit; a refit found it empty
    # and failed in NumPy ("need at least one array to concatenate")
    X, y = imbalanced_binary
    clf = make(cv=StratifiedKFold(3).split(X, y)).fit(X, y)
    with pytest.raises(ValueError, match="cv gives no splits.*used up"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="cv gives no splits"):
        make(cv=[]).fit(X, y)
