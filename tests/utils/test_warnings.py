"""Tests of the stacklevel that makes a warning name the user's line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression

from ltlearn.over_sampling import SMOTE
from ltlearn.utils._warnings import external_stacklevel


def _warn_here():
    warnings.warn("from a test helper", UserWarning, stacklevel=external_stacklevel())


def test_a_caller_outside_the_libraries_is_level_one():
    with pytest.warns(UserWarning, match="from a test helper") as record:
        _warn_here()
    # This file is outside ltlearn's package: the warning names the helper.
    assert record[0].filename == __file__
    assert record[0].lineno == _warn_here.__code__.co_firstlineno + 1


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_a_warning_of_a_fit_names_the_users_line(in_pipeline):
    # The warnings of SMOTE pointed at ltlearn/over_sampling/_smote.py.
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((23, 2)), np.r_[np.zeros(20, dtype=int), 1, 1, 1]
    sampler = SMOTE(random_state=0)
    with pytest.warns(UserWarning, match="Class 1 has 3 samples") as record:
        if in_pipeline:
            make_pipeline(sampler, LogisticRegression()).fit(X, y)
        else:
            sampler.fit_resample(X, y)
    assert record[0].filename == __file__
