"""Tests of the stacklevel that makes a warning name the user's line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from ltlearn.decomposition import COGClassifier
from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.over_sampling import SMOTE
from ltlearn.post_hoc import ThresholdMovingClassifier
from ltlearn.semi_supervised import CReSTClassifier
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


def test_the_batched_solvers_convergence_warning_names_the_users_line():
    # It pointed at ltlearn/decomposition/_pairwise.py (a fixed stacklevel).
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=3, weights=[0.7, 0.2], random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        COGClassifier(LinearSVC(max_iter=1, tol=1e-12)).fit(X, y)
    assert {w.filename for w in record} == {__file__}


@pytest.mark.parametrize(
    "params, category, match",
    [
        ({"criterion": "ldam", "module__head": "linear"}, UserWarning, "cosine"),
        ({"loss": "logit_adjusted", "loss__tau": 0.5}, FutureWarning, "renamed"),
        (
            {"criterion": "balanced_softmax", "sampler": "class_balanced"},
            UserWarning,
            "compensated twice",
        ),
    ],
)
def test_the_warnings_of_a_deep_fit_name_the_users_line(params, category, match):
    # They pointed at ltlearn/deep/net.py, ltlearn/deep/_data.py or skorch's
    # fit loop: a fixed stacklevel cannot count skorch's frames.
    pytest.importorskip("torch")
    from ltlearn.deep import LongTailClassifier

    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=3, weights=[0.6, 0.3], random_state=0
    )
    clf = LongTailClassifier(
        max_epochs=1, batch_size=32, module__hidden_sizes=(8,), random_state=0
    )
    with pytest.warns(category, match=match) as record:
        clf.set_params(**params).fit(X.astype(np.float32), y)
    assert {w.filename for w in record if w.category is category} == {__file__}


@pytest.mark.parametrize(
    "estimator",
    [
        ThresholdMovingClassifier(LogisticRegression()),
        PluginEnsembleClassifier([("lr", LogisticRegression())]),
        CReSTClassifier(LogisticRegression(), max_iter=1),
        COGClassifier(n_clusters=2, random_state=0),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
@pytest.mark.filterwarnings("ignore:y contains no unlabelled row")
def test_the_warning_of_a_column_vector_y_names_the_users_line(estimator):
    # scikit-learn's column_or_1d(y, warn=True) warns with stacklevel=2:
    # the line of ltlearn (or, through validate_data, of scikit-learn's
    # check_X_y) that called it.
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((30, 2)), np.repeat([0, 1], 15)
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        estimator.fit(X, y[:, None])
    assert [w.filename for w in record if w.category is DataConversionWarning] == [
        __file__
    ]


def test_the_warning_of_a_column_vector_y_to_a_deep_fit_names_the_users_line():
    # It named scikit-learn's check_X_y, through validate_data.
    pytest.importorskip("torch")
    from ltlearn.deep import LongTailClassifier

    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((30, 2)).astype(np.float32), np.repeat([0, 1], 15)
    clf = LongTailClassifier(max_epochs=1, module__hidden_sizes=(4,), random_state=0)
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        clf.fit(X, y[:, None])
    assert [w.filename for w in record if w.category is DataConversionWarning] == [
        __file__
    ]
