"""Tests for the batched squared-hinge linear SVM solver of COGClassifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from ltlearn.decomposition import _squared_hinge
from ltlearn.decomposition._squared_hinge import _fit_squared_hinge, _line_search


def _problems(n_problems=12, n_features=5, random_state=0):
    """Weighted and unweighted binary problems on rows of one matrix."""
    rng = np.random.default_rng(random_state)
    X = rng.normal(size=(400, n_features))
    problems = []
    for k in range(n_problems):
        rows = np.sort(rng.choice(400, size=int(rng.integers(8, 200)), replace=False))
        score = X[rows, 0] + 0.7 * rng.normal(size=rows.size)
        positive = score > np.quantile(score, 0.8)
        positive[:2] = [True, False]  # both classes in every problem
        weight = None if k % 2 else rng.uniform(0.5, 3.0, size=rows.size)
        problems.append((X, rows, positive, weight))
    return problems


def _liblinear(problem, **params):
    X, rows, positive, weight = problem
    svc = LinearSVC(tol=1e-12, max_iter=1_000_000, **params)
    return svc.fit(X[rows], positive.astype(int), sample_weight=weight)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"C": 0.05},
        {"C": 20.0},
        {"fit_intercept": False},
        {"intercept_scaling": 3.0},
    ],
)
def test_solutions_are_those_of_linear_svc(params):
    problems = _problems()
    coef, intercept, n_iter, _ = _fit_squared_hinge(problems, tol=1e-10, **params)
    assert coef.shape == (len(problems), 5) and intercept.shape == (len(problems),)
    assert np.all(n_iter >= 1)
    for k, problem in enumerate(problems):
        svc = _liblinear(problem, **params)
        np.testing.assert_allclose(coef[k], svc.coef_.ravel(), atol=1e-6)
        np.testing.assert_allclose(intercept[k], svc.intercept_, atol=1e-6)


def test_default_tolerance_is_close_to_the_optimum():
    problems = _problems(random_state=1)
    coef, intercept, _, _ = _fit_squared_hinge(problems)
    for k, problem in enumerate(problems):
        svc = _liblinear(problem)
        np.testing.assert_allclose(coef[k], svc.coef_.ravel(), atol=1e-3)


def test_chunks_give_the_same_solutions(monkeypatch):
    problems = _problems(random_state=2)
    whole = _fit_squared_hinge(problems)
    monkeypatch.setattr(_squared_hinge, "_CHUNK_ENTRIES", 500)
    chunked = _fit_squared_hinge(problems)
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_a_start_at_the_solution_stays_there():
    problems = _problems(random_state=3)
    coef, intercept, _, raw = _fit_squared_hinge(problems, tol=1e-10)
    again = _fit_squared_hinge(problems, tol=1e-10, init=raw)
    np.testing.assert_allclose(again[0], coef, atol=1e-9)
    assert np.all(again[2] <= 1)
    # any start reaches the same optimum
    shifted = _fit_squared_hinge(problems, tol=1e-10, init=raw + 1.0)
    np.testing.assert_allclose(shifted[0], coef, atol=1e-6)
    np.testing.assert_allclose(shifted[1], intercept, atol=1e-6)


def test_separable_tiny_and_float32_problems():
    X = np.array([[-2.0, 0.0], [-1.0, 0.5], [1.0, -0.5], [2.0, 0.0]])
    separable = (X, np.arange(4), np.array([False, False, True, True]), None)
    two_rows = (X, np.array([0, 3]), np.array([False, True]), None)
    X32 = X.astype(np.float32)
    single = (X32, np.arange(4), np.array([False, False, True, True]), None)
    coef, intercept, _, _ = _fit_squared_hinge(
        [separable, two_rows, single], C=1e4, tol=1e-10
    )
    assert np.all(np.isfinite(coef)) and coef.dtype == np.float64
    for k, problem in enumerate([separable, two_rows]):
        svc = _liblinear(problem, C=1e4)
        np.testing.assert_allclose(coef[k], svc.coef_.ravel(), atol=1e-6)
    np.testing.assert_allclose(coef[2], coef[0], atol=1e-6)
    scores = X @ coef[0] + intercept[0]
    assert np.all((scores > 0) == separable[2])


def test_huge_features_stay_finite():
    problems = _problems(random_state=4)
    scaled = [
        (X * 1e4, rows, positive, weight) for X, rows, positive, weight in problems
    ]
    coef, intercept, _, _ = _fit_squared_hinge(scaled)
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))


def test_too_few_iterations_warn():
    problems = _problems(random_state=5)
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 Newton"):
        _fit_squared_hinge(problems, tol=1e-12, max_iter=1)


@pytest.mark.parametrize("max_iter", [1, 3])
def test_too_few_iterations_take_them_all(max_iter):
    # as LinearSVC, whose n_iter_ is max_iter when it stops there
    problems = _problems(random_state=5)
    with pytest.warns(ConvergenceWarning):
        _, _, n_iter, _ = _fit_squared_hinge(problems, tol=1e-12, max_iter=max_iter)
    assert n_iter.max() == max_iter


def test_solutions_meet_the_stopping_rule():
    # the norm of each problem's gradient at its solution is below tol times
    # min(n_pos, n_neg) / n times its norm at zero
    problems = _problems(random_state=1)
    tol = 1e-4
    *_, solution = _fit_squared_hinge(problems, tol=tol)
    for (X, rows, positive, weight), w in zip(problems, solution):
        Z = np.hstack([X[rows], np.ones((rows.size, 1))])
        Z[~positive] *= -1
        cost = np.ones(rows.size) if weight is None else weight
        margin = 1 - Z @ w
        active = margin > 0
        gradient = w - 2 * (cost[active] * margin[active]) @ Z[active]
        n_pos = np.count_nonzero(positive)
        bound = tol * min(n_pos, rows.size - n_pos) / rows.size
        assert np.linalg.norm(gradient) <= bound * np.linalg.norm(2 * cost @ Z)


def test_line_search_finds_the_exact_minimiser_past_breakpoints():
    # f(t) = (t - 3) ** 2 / 2 + C * sum(max(0, m_i - t * s_i) ** 2), from
    # w = -3 along d = 1: row 0 leaves the active set at t = 0.5, row 1 would
    # enter it at t = 1, row 2 stays active (it is not passed to the search).
    # Between 0.5 and 1, f'(t) = t - 3 + 2 C (1 + t): the minimiser is
    # (3 - 2 C) / (1 + 2 C), 2/3 with C = 0.7.
    C, m, s = 0.7, np.array([1.0, -1.0, 1.0]), np.array([2.0, -1.0, -1.0])
    active = m > 0
    slope0 = -3.0 - 2 * C * np.sum(s[active] * m[active])
    curve0 = 1 + 2 * C * np.sum(s[active] ** 2)
    t = _line_search(
        np.array([slope0]),
        np.array([curve0]),
        m[:2],
        s[:2],
        np.full(2, C),
        np.zeros(2, dtype=np.intp),
        np.array([True, False]),
    )
    assert t[0] == pytest.approx((3 - 2 * C) / (1 + 2 * C), rel=1e-9)


def test_a_singular_hessian_at_huge_values_keeps_the_solutions():
    # At 1e9 the identity of a duplicated feature's Hessian is lost in
    # rounding; the batch's fallback solve must keep the direction of the
    # constant feature (1, not 1e9) for the singular problem and its
    # neighbour, whose scores are those at 1e5, where nothing is singular
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    duplicated = np.column_stack([X, X[:, 0]])
    other = np.column_stack([X, rng.normal(size=40)])
    rows = np.arange(40)
    labels = [X[:, 0] + 0.5 * rng.normal(size=40) > 0.5, X[:, 1] > 0.3]

    def scores(scale):
        problems = [
            (A * scale, rows, positive, None)
            for A, positive in zip([duplicated, other], labels)
        ]
        coef, intercept, _, _ = _fit_squared_hinge(problems)
        return [
            A * scale @ w + b for A, w, b in zip([duplicated, other], coef, intercept)
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        huge = scores(1e9)
    for got, expected in zip(huge, scores(1e5)):
        np.testing.assert_allclose(got, expected, atol=1e-6)
