"""Tests of the recommended classifier and of the KEEL benchmark's quick mode."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ltlearn.recipes._recommended import recommended_classifier

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_keel.py"


def _data(n_classes=2, weights=(0.92,), n_samples=600, seed=0):
    X, y = make_classification(
        n_samples=n_samples, n_features=10, n_informative=5, n_redundant=2,
        n_classes=n_classes, weights=list(weights), class_sep=0.8,
        random_state=seed,
    )  # fmt: skip
    return X, y


def test_binary_fit_predict():
    X, y = _data()
    clf = recommended_classifier(random_state=0).fit(X, y)
    assert clf.predict(X).shape == y.shape
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(1)])


def test_multiclass_fit_predict():
    X, y = _data(n_classes=4, weights=(0.6, 0.25, 0.1))
    clf = recommended_classifier(random_state=0).fit(X, y)
    assert set(np.unique(clf.predict(X))) <= set(np.unique(y))
    assert clf.predict_proba(X).shape == (X.shape[0], 4)
    # every class, the rarest included, is predicted
    assert np.unique(clf.predict(X)).size == 4


def test_pandas_input_and_labels():
    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = pd.Series(np.where(y == 1, "rare", "common"))
    clf = recommended_classifier(random_state=0).fit(frame, labels)
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert set(clf.predict(frame)) <= {"rare", "common"}


def test_sample_weight_changes_the_fit():
    X, y = _data()
    weights = np.where(y == 1, 3.0, 1.0)
    plain = recommended_classifier(random_state=0).fit(X, y)
    weighted = recommended_classifier(random_state=0).fit(X, y, sample_weight=weights)
    assert not np.allclose(plain.predict_proba(X), weighted.predict_proba(X))


def test_beats_plain_logistic_regression_on_balanced_accuracy():
    X, y = _data(n_samples=1000, seed=2)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    plain = make_pipeline(StandardScaler(), LogisticRegression())
    plain.fit(X_train, y_train)
    clf = make_pipeline(StandardScaler(), recommended_classifier(random_state=0))
    clf.fit(X_train, y_train)
    ours = balanced_accuracy_score(y_test, clf.predict(X_test))
    theirs = balanced_accuracy_score(y_test, plain.predict(X_test))
    assert ours > theirs + 0.05


def test_same_random_state_same_result():
    X, y = _data(n_classes=3, weights=(0.7, 0.2))
    a = recommended_classifier(random_state=7).fit(X, y).predict_proba(X)
    b = recommended_classifier(random_state=7).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scoring", ["geometric_mean", "f1"])
def test_scoring_is_passed_on(scoring):
    X, y = _data()
    clf = recommended_classifier(random_state=0, scoring=scoring)
    assert clf.get_params()["scoring"] == scoring
    clf.fit(X, y)


def test_bench_keel_quick(tmp_path):
    """The benchmark's smoke run prints the table and caches whole rows."""
    cache = tmp_path / "results.csv"
    command = [
        sys.executable, str(BENCH), "--quick", "--sections", "keel",
        "--methods", "recommended", "lr_balanced", "--cache", str(cache),
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "sets where every method ran" in out.stdout
    for method in ("recommended", "brf", "lr_balanced"):
        assert method in out.stdout
    rows = pd.read_csv(cache)
    assert len(rows) == 3 * 3 and rows["balanced_accuracy"].between(0, 1).all()
    # a second run reads every row from the cache and computes nothing
    again = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "jobs to run" not in again.stderr
    assert len(pd.read_csv(cache)) == 3 * 3
    # another number of folds is another protocol: its own rows
    folds = subprocess.run(
        [*command, "--folds", "3"], capture_output=True, text=True, check=True
    )
    assert "1 repeats of 3-fold CV" in folds.stdout
    rows = pd.read_csv(cache)
    assert sorted(rows["protocol"].value_counts().items()) == [("1x2", 9), ("1x3", 9)]
