"""Parallel runs: the same result whatever the jobs, joblib's settings honoured."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from joblib import parallel_config

import ltlearn.over_sampling._neighbors as neighbors_module
from ltlearn.over_sampling import SMOTE


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
