"""Tests for the pairwise model of COG's min-max strategy."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from ltlearn.decomposition._pairwise import (
    _as_linear_svcs,
    _binary_score,
    _fit_pairwise,
    _LinearPairs,
    _min_max_scores,
    _pair_score_blocks,
    _PairwiseModel,
    _stacked_linear,
    _subclass_pairs,
)
from ltlearn.decomposition._subclasses import _SubclassProblem


def _pair_scores(model, X):
    """The reference: each pair's score on all the rows, (n_samples, n_pairs)."""
    if model.estimators is not None:
        return np.column_stack([_binary_score(e, X) for e in model.estimators])
    return X @ model.linear.coef.T + model.linear.intercept


def _linear_model(pairs, coef, intercept):
    coef = np.asarray(coef, dtype=float)
    intercept = np.asarray(intercept, dtype=float)
    n_iter = np.ones(len(pairs), dtype=np.intp)
    raw = np.column_stack([coef, intercept])
    return _PairwiseModel(
        np.asarray(pairs), linear=_LinearPairs(coef, intercept, n_iter, raw)
    )


def test_pairs_join_subclasses_of_different_classes():
    # Sub-classes 0 and 1 belong to class 0, 2 to class 1, 3 to class 2.
    pairs = _subclass_pairs(np.array([0, 0, 1, 2]))
    assert pairs.tolist() == [[0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    assert _subclass_pairs(np.array([0])).shape == (0, 2)


def test_min_max_takes_the_worst_pair_and_leaves_unpaired_out():
    # Pair (0, 1) scores x, pair (0, 2) scores -x; sub-class 3 is in no pair.
    model = _linear_model([[0, 1], [0, 2]], [[1.0], [-1.0]], [0.0, 0.0])
    X = np.array([[2.0], [-3.0]])
    scores = _min_max_scores(model, X, 4)
    expected = [[-2.0, 2.0, -2.0, -np.inf], [-3.0, -3.0, 3.0, -np.inf]]
    np.testing.assert_array_equal(scores, expected)


def test_linear_pairs_become_linear_svcs_with_the_same_scores():
    model = _linear_model([[0, 1], [1, 2]], [[1.0, -2.0], [0.5, 0.0]], [0.5, -1.0])
    X = np.random.default_rng(0).normal(size=(20, 2))
    svcs = _as_linear_svcs(model, LinearSVC(C=3.0))
    assert svcs.linear is None and all(type(e) is LinearSVC for e in svcs.estimators)
    assert all(e.C == 3.0 for e in svcs.estimators)
    np.testing.assert_allclose(_pair_scores(svcs, X), _pair_scores(model, X))
    assert _as_linear_svcs(svcs, LinearSVC()) is svcs


def test_pairs_of_several_problems_are_fitted_on_their_own_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.repeat([0, 1, 2], 30)
    X[y == 2] += 3.0
    pairs = _subclass_pairs(np.array([0, 1, 2]))
    problems = [
        _SubclassProblem(X, y, None, np.arange(3), pairs=pairs),
        _SubclassProblem(X[:60], y[:60], None, np.arange(2), pairs=pairs[:1]),
    ]
    models = _fit_pairwise(problems, LogisticRegression(), n_jobs=2)
    assert [len(m.estimators) for m in models] == [3, 1]
    for model in models:
        for (a, b), pair in zip(model.pairs, model.estimators):
            rows = (y == a) | (y == b)
            expected = LogisticRegression().fit(X[rows], (y[rows] == b).astype(int))
            np.testing.assert_allclose(pair.coef_, expected.coef_)


@pytest.mark.parametrize(
    "estimator", [LogisticRegression(), DecisionTreeClassifier(random_state=0)]
)
def test_min_max_of_fitted_pairs_is_the_worst_of_their_stacked_scores(estimator):
    # Linear pairs score by one matrix product per block, others one pair at
    # a time; the result is the min-max of all their scores stacked.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.repeat([0, 1, 2, 3], 15)
    X[y == 2] += 2.0
    pairs = _subclass_pairs(np.array([0, 0, 1, 2]))
    problem = _SubclassProblem(X, y, None, np.array([0, 0, 1, 2]), pairs=pairs)
    (model,) = _fit_pairwise([problem], estimator)
    assert (_stacked_linear(model) is None) == (
        type(estimator) is not LogisticRegression
    )
    stacked = _pair_scores(model, X)
    expected = np.full((60, 4), np.inf)
    for k, (a, b) in enumerate(pairs):
        expected[:, b] = np.minimum(expected[:, b], stacked[:, k])
        expected[:, a] = np.minimum(expected[:, a], -stacked[:, k])
    np.testing.assert_allclose(_min_max_scores(model, X, 4), expected, rtol=1e-12)


@pytest.mark.parametrize("block_values", [1, 7, 40, 10**6])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_linear_pairs_score_by_blocks_as_one_pair_at_a_time(block_values, sparse_X):
    # Blocks of rows and of pairs in any order of the pairs: the scores of
    # the pairs one by one, to rounding.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    pairs = _subclass_pairs(np.array([0, 0, 1, 1, 2]))[::-1]
    model = _linear_model(
        pairs, rng.normal(size=(len(pairs), 3)), rng.normal(size=len(pairs))
    )
    X_in = sparse.csr_matrix(X) if sparse_X else X
    expected = np.full((30, 5), np.inf)
    for (a, b), score in zip(pairs, _pair_scores(model, X).T):
        expected[:, b] = np.minimum(expected[:, b], score)
        expected[:, a] = np.minimum(expected[:, a], -score)
    blocks = list(_pair_score_blocks(model, X_in, block_values))
    # Each (row, pair) once, in blocks of at most block_values values.
    assert sum(block.size for _, _, block in blocks) == 30 * len(pairs)
    assert all(block.size <= max(block_values, 30) for _, _, block in blocks)
    assert (len(blocks) > 1) == (block_values < 30 * len(pairs))
    scores = _min_max_scores(model, X_in, 5, block_values)
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    np.testing.assert_array_equal(scores.argmax(axis=1), expected.argmax(axis=1))
