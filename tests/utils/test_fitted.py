"""Tests of ltlearn.utils._fitted: a fit that fails leaves its estimator unfitted."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from ltlearn.over_sampling import SMOTE


def test_an_unbound_call_keeps_its_error():
    # a sampler class, not an instance, as a step of imbalanced-learn's
    # Pipeline: fit_resample(X, y) is called on the class, X taken for the
    # sampler, and the cleanup of the failed fit replaced the call's error
    # with "vars() argument must have __dict__ attribute"
    X, y = make_classification(n_samples=40, weights=[0.8], random_state=0)
    pipe = make_pipeline(SMOTE, LogisticRegression())
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        pipe.fit(X, y)
