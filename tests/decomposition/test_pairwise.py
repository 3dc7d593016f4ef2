"""Tests for the pairwise model of COG's min-max strategy."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.multiclass import OneVsOneClassifier
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from ltlearn.decomposition._pairwise import (
    _as_linear_svcs,
    _binary_score,
    _fit_pairwise,
    _fit_weighted,
    _LinearPairs,
    _min_max_scores,
    _one_vs_one_scores,
    _pair_rows,
    _pair_score_blocks,
    _pair_start,
    _PairwiseModel,
    _stacked_linear,
    _subclass_pairs,
)
from ltlearn.decomposition._subclasses import _SubclassProblem


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Remembers the rows it was fitted on; its ``fit`` takes no sample_weight."""

    def fit(self, X, y):
        self.X_, self.classes_ = X, np.unique(y)
        return self


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


class _CountingLabels(np.ndarray):
    """Labels that count the values compared by ``==``."""

    compared = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.equal:
            _CountingLabels.compared += max(np.size(x) for x in inputs)
        inputs = tuple(np.asarray(x) for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


def test_pair_rows_are_found_once_not_by_a_pass_per_pair():
    rng = np.random.default_rng(0)
    y = rng.choice([0, 1, 2, 3, 5], size=200)  # sub-class 4 has no row
    rates = rng.random(200)
    pairs = _subclass_pairs(np.arange(6))
    _CountingLabels.compared = 0
    problems = _pair_rows(y.view(_CountingLabels), pairs, rates)
    for (a, b), (rows, positive, pair_rates) in zip(pairs, problems):
        expected = np.flatnonzero((y == a) | (y == b))
        np.testing.assert_array_equal(rows, expected)
        np.testing.assert_array_equal(positive, y[expected] == b)
        np.testing.assert_array_equal(pair_rates, rates[expected])
    # each pair compares at most its own rows, never all of y again
    assert _CountingLabels.compared <= sum(rows.size for rows, _, _ in problems)
    assert _pair_rows(y, pairs, None)[0][2] is None


def test_linear_pairs_clone_the_estimator_once(monkeypatch):
    from ltlearn.decomposition import _pairwise

    calls = []

    def counting_clone(estimator, **kwargs):
        calls.append(estimator)
        return clone(estimator, **kwargs)

    monkeypatch.setattr(_pairwise, "clone", counting_clone)
    model = _linear_model([[0, 1], [0, 2], [1, 2]], np.eye(3)[:, :2], np.zeros(3))
    estimator = LinearSVC(
        C=2.0, class_weight={0: 2.0}, random_state=np.random.RandomState(0)
    )
    svcs = _as_linear_svcs(model, estimator)
    assert len(calls) <= 1
    assert len({id(e) for e in svcs.estimators}) == 3
    assert len({id(e.class_weight) for e in svcs.estimators}) == 3
    params = svcs.estimators[0].get_params()
    assert all(
        e.get_params() | {"random_state": None} == params | {"random_state": None}
        for e in svcs.estimators
    )
    # each pair draws from its own copy of the estimator's random stream, as
    # a clone per pair would
    streams = [e.random_state for e in svcs.estimators]
    assert len({id(rs) for rs in [estimator.random_state, *streams]}) == 4
    assert len({rs.randint(1 << 30) for rs in [estimator.random_state, *streams]}) == 1


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


class _ShiftedSVC(LinearSVC):
    """A LinearSVC whose decision_function is not that of the linear models."""

    def decision_function(self, X):
        return super().decision_function(X) + 1.0


class _OneVsOne(OneVsOneClassifier):
    pass


@pytest.mark.parametrize("n_classes", [2, 3, 7])
@pytest.mark.parametrize(
    "estimator", [LinearSVC(), LogisticRegression(), SGDClassifier(random_state=0)]
)
@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
def test_one_vs_one_scores_are_those_of_one_vs_one_classifier(
    n_classes, estimator, container
):
    # The votes and confidences of OneVsOneClassifier.decision_function, by
    # blocks of pairs and rows, and the same predictions: on identical rows,
    # and where a pair scores exactly 0 (a vote for its first class).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    X[:5] = X[0]
    X[5:10] = 0.0
    y = np.arange(60) % n_classes
    ovo = OneVsOneClassifier(estimator).fit(X, y)
    pair = ovo.estimators_[0]
    pair.intercept_ = np.zeros_like(pair.intercept_)
    assert not pair.decision_function(X[5:10]).any()
    X = container(X)
    expected, predicted = ovo.decision_function(X), ovo.predict(X)
    for block_values in (None, 5):
        scores = _one_vs_one_scores(ovo, X, block_values)
        np.testing.assert_allclose(scores, expected, rtol=1e-12, atol=1e-12)
        if n_classes == 2:
            winner = (scores > 0).astype(int)
        else:
            winner = scores.argmax(axis=1)
        np.testing.assert_array_equal(ovo.classes_[winner], predicted)


@pytest.mark.parametrize(
    "ovo",
    [
        OneVsOneClassifier(_ShiftedSVC()),
        OneVsOneClassifier(RidgeClassifier()),  # its own predict
        OneVsOneClassifier(DecisionTreeClassifier(random_state=0)),
        _OneVsOne(LinearSVC()),
    ],
)
def test_one_vs_one_scores_leave_other_models_to_their_own_rule(ovo):
    X = np.random.default_rng(0).normal(size=(30, 2))
    assert _one_vs_one_scores(ovo.fit(X, np.arange(30) % 3), X) is None


def test_rates_without_sample_weight_copy_each_row_its_rounded_rate():
    X = np.arange(4.0)[:, None]
    rates = np.array([1.0, 2.6, 1.4, 2.5])
    fitted = _fit_weighted(_RecordingClassifier(), X, np.array([0, 0, 1, 1]), rates)
    # round(rate) copies, halves to even as np.rint
    np.testing.assert_array_equal(fitted.X_[:, 0], [0, 1, 1, 1, 2, 3, 3])


def test_pair_start_is_zero_for_a_pair_missing_on_all_the_rows():
    # a sampler may remove a sub-class on all the rows but not in a fold:
    # that fold's pair has no solution to start from (it was a KeyError)
    raw = np.arange(6.0).reshape(3, 2)
    linear = _LinearPairs(raw, raw[:, 0], np.ones(3), raw)
    model = _PairwiseModel(np.array([[0, 2], [1, 2], [1, 3]]), linear=linear)
    present = np.array([0, 1, 2, 3])
    start = _pair_start(model, present, np.array([[1, 2], [0, 3], [0, 2]]))
    np.testing.assert_array_equal(start, [[2.0, 3.0], [0.0, 0.0], [0.0, 1.0]])
