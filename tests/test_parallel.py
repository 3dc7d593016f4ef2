"""Parallel runs: the same result whatever the jobs, joblib's settings honoured."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

import ltlearn.over_sampling._neighbors as neighbors_module
from ltlearn.decomposition import COGClassifier
from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.over_sampling import SMOTE
from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)
from ltlearn.semi_supervised import CReSTClassifier


def test_smote_tree_search_takes_the_jobs_of_parallel_config(
    monkeypatch, make_long_tail
):
    """n_jobs=None follows parallel_config(n_jobs=...), as NearestNeighbors does."""
    X, y = make_long_tail()  # 5 features: the KD-tree search
    threads = []
    search = neighbors_module._tree_kneighbors

    def spy(X, queries, n_neighbors, n_threads):
        threads.append(n_threads)
        return search(X, queries, n_neighbors, n_threads)

    monkeypatch.setattr(neighbors_module, "_tree_kneighbors", spy)
    X_alone, y_alone = SMOTE(random_state=0).fit_resample(X, y)
    assert threads and set(threads) == {1}
    threads.clear()
    with parallel_config(n_jobs=2):
        X_two, y_two = SMOTE(random_state=0).fit_resample(X, y)
    assert threads and set(threads) == {2}
    np.testing.assert_array_equal(X_two, X_alone)
    np.testing.assert_array_equal(y_two, y_alone)


_INTERRUPTED = threading.Event()
# The fits running in job threads: an interrupted fit returns while other jobs
# still run, and their scikit-learn job wrappers swap the global warning
# filters; a later test's check of those filters would read them mid-swap.
_RUNNING = [0]
_JOB_ENDED = threading.Condition()


class _StopsInAJob(ClassifierMixin, BaseEstimator):
    """A logistic regression whose fit stops when it runs in a job thread.

    ``"interrupt"`` sends SIGINT to the process, as Ctrl-C does, which raises
    ``KeyboardInterrupt`` in the main thread; ``"error"`` raises an error.
    """

    def __init__(self, stop=None):
        self.stop = stop

    def fit(self, X, y):
        with _JOB_ENDED:
            _RUNNING[0] += 1
        try:
            return self._fit(X, y)
        finally:
            with _JOB_ENDED:
                _RUNNING[0] -= 1
                _JOB_ENDED.notify_all()

    def _fit(self, X, y):
        if self.stop is not None and threading.current_thread() is not (
            threading.main_thread()
        ):
            if self.stop == "error":
                raise RuntimeError("the job failed")
            if not _INTERRUPTED.is_set():  # one Ctrl-C
                _INTERRUPTED.set()
                os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X):
        return self.model_.decision_function(X)

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.parametrize(
    "stop, raised", [("interrupt", KeyboardInterrupt), ("error", RuntimeError)]
)
def test_cog_stopped_in_a_job_is_left_not_fitted(make_long_tail, stop, raised):
    """An interrupted refit keeps neither the old model nor the new classes."""
    _INTERRUPTED.clear()
    X, y = make_long_tail(n_max=60)
    cog = COGClassifier(_StopsInAJob(), n_clusters=2, n_jobs=2, random_state=0)
    with parallel_config(backend="threading"):
        cog.fit(X, y)
        assert cog.predict(X).shape == y.shape
        cog.set_params(estimator=_StopsInAJob(stop))
        with pytest.raises(raised):
            cog.fit(X, np.array(["a", "b", "c"])[y])
        with pytest.raises(NotFittedError):
            cog.predict(X)
        assert not hasattr(cog, "_model")
        cog.set_params(estimator=_StopsInAJob())
        assert cog.fit(X, y).predict(X).shape == y.shape
    _wait_for_the_jobs()


def _wait_for_the_jobs(timeout=30):
    """Wait until no fit of ``_StopsInAJob`` runs in a job thread."""
    with _JOB_ENDED:
        assert _JOB_ENDED.wait_for(lambda: _RUNNING[0] == 0, timeout), (
            "a job thread still fits"
        )


class _FiltersSeen(LogisticRegression):
    """A logistic regression that records the warning filters it predicts under."""

    def predict_proba(self, X):
        _FILTERS_SEEN.append(list(warnings.filters))
        return super().predict_proba(X)

    def decision_function(self, X):
        _FILTERS_SEEN.append(list(warnings.filters))
        return super().decision_function(X)


_FILTERS_SEEN = []


@pytest.mark.parametrize(
    "clf",
    [
        LogitAdjustedClassifier(_FiltersSeen()),
        PluginClassifier(_FiltersSeen()),
        ThresholdMovingClassifier(_FiltersSeen()),
        ThresholdMovingClassifier(_FiltersSeen(), decision="expected_cost"),
        CReSTClassifier(_FiltersSeen(), max_iter=1),
        PluginEnsembleClassifier([("lr", _FiltersSeen())], cv=2, random_state=0),
    ],
    ids=["logit_adjusted", "plugin", "rescale", "expected_cost", "crest", "ensemble"],
)
def test_predict_leaves_the_warning_filters_alone(clf):
    """The models predict under the caller's warning filters, left unchanged.

    The filters are the process's, not the thread's: a meta-estimator that
    changed them while its models predict would hide the warnings of code in
    other threads and, when two threads' changes interleave, leave its filter
    in place for good.
    """
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    if isinstance(clf, CReSTClassifier):
        y = np.where(np.arange(60) % 3 == 0, y, -1)
    clf.fit(X, y)
    filters = list(warnings.filters)
    _FILTERS_SEEN.clear()
    clf.predict_proba(X)
    assert _FILTERS_SEEN
    assert all(seen == filters for seen in _FILTERS_SEEN)
