"""Many small L2-regularised squared-hinge linear SVMs, solved together."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ltlearn.utils._warnings import external_stacklevel

# Problems are solved in chunks of at most this many entries of the signed,
# stacked design matrix (32 MiB of float64).
_CHUNK_ENTRIES = 1 << 22


def _line_search(slope0, curve0, margin, step, cost, problem, leaving, max_iter=60):
    """Exact minimiser ``t > 0`` of each problem's objective along its step.

    Along ``w + t d`` the objective is a convex piecewise quadratic in ``t``.
    With the active set at ``t = 0`` its slope is ``slope0 + t * curve0``
    (the gradient times ``d`` and ``d' H d``); the rows given here may
    switch, leaving the active set (``leaving``) or entering it, and correct
    that line past their breakpoint. The slope is piecewise linear, so a
    Newton step is exact once it lands on the right piece; bisection keeps
    it inside the bracket.
    """
    n_problems = slope0.size
    sign = np.where(leaving, 1.0, -1.0) * cost * step

    def slope(t):
        excess = margin - t[problem] * step
        on = np.where(leaving, excess < 0, excess > 0)
        g = slope0 + t * curve0
        g += 2.0 * np.bincount(problem, sign * excess * on, n_problems)
        h = curve0 - 2.0 * np.bincount(problem, sign * step * on, n_problems)
        return g, h

    scale = np.abs(slope0) + curve0
    lo, hi = np.zeros(n_problems), np.full(n_problems, np.inf)
    t = np.ones(n_problems)
    for _ in range(max_iter):
        g, h = slope(t)
        done = np.abs(g) <= 1e-10 * scale * np.maximum(t, 1.0)
        if done.all():
            break
        lo = np.where(g < 0, t, lo)
        hi = np.where(g > 0, t, hi)
        new = t - np.divide(g, h, out=np.zeros_like(g), where=h > 0)
        outside = (new <= lo) | (new >= hi)
        new = np.where(outside, np.where(np.isinf(hi), 2.0 * t, (lo + hi) / 2), new)
        t = np.where(done, t, new)
    return t


def _row_products(Z, W, bounds):
    """``Z[i] @ W[p]`` for each row ``i`` of problem ``p`` (rows ``bounds[p]:``)."""
    out = np.zeros(Z.shape[0])
    for p in np.flatnonzero(np.any(W, axis=1)):
        out[bounds[p] : bounds[p + 1]] = Z[bounds[p] : bounds[p + 1]] @ W[p]
    return out


def _newton_points(H, r):
    """Solve ``H[p] @ w = r[p]`` for each problem ``p``.

    At large feature values (from about 1e6, depending on the number of
    rows) the identity of the regularisation is lost in the rounding of
    ``Z.T @ Z``, so that a Hessian can be singular in floating point (a
    feature that is a multiple of another, duplicated rows of different
    classes). Such a batch takes, for each problem, the least-squares
    solution of minimum norm of the system scaled to a unit diagonal.
    """
    try:
        return np.linalg.solve(H, r[:, :, None])[..., 0]
    except np.linalg.LinAlgError:
        # Scaled first: the constant feature of the intercept is not scaled
        # with the others, and the cut-off of small singular values must not
        # drop its direction. A diagonal is at least 1 (the identity).
        d = 1.0 / np.sqrt(np.maximum(np.einsum("pii->pi", H), 1.0))
        scaled = d[:, :, None] * H * d[:, None, :]
        return d * np.stack(
            [np.linalg.lstsq(S, b, rcond=None)[0] for S, b in zip(scaled, d * r)]
        )


def _solve_chunk(Z, cost, sizes, n_pos, W, tol, max_iter):
    """Solve the problems stacked in ``Z`` (rows times their sign).

    The finite Newton method: each step minimises the quadratic that the
    current active set (the rows of positive margin) defines, followed by an
    exact line search; a step that keeps the active set is the optimum. The
    Hessian and right-hand side of each problem only change by the rows that
    enter or leave the active set, so they are updated, not recomputed, and
    the margins follow the steps. ``W`` holds the starting points and
    receives the solutions.
    """
    n_problems, n_dims = sizes.size, Z.shape[1]
    hessians = np.repeat(np.eye(n_dims)[None], n_problems, axis=0)
    rhs = np.zeros((n_problems, n_dims))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    problem = np.repeat(np.arange(n_problems), sizes)
    # liblinear's stopping rule for its primal solver: the gradient norm
    # below tol * min(n_pos, n_neg) / n times its norm at w = 0.
    stop_norm = tol * np.maximum(np.minimum(n_pos, sizes - n_pos), 1) / sizes
    stop_norm *= np.linalg.norm(
        2.0 * np.add.reduceat(cost[:, None] * Z, bounds[:-1]), axis=1
    )
    ids = np.arange(n_problems)  # the problems whose rows Z holds
    margin = 1.0 - _row_products(Z, W, bounds)
    was_active = np.zeros(Z.shape[0], dtype=bool)
    live = np.ones(n_problems, dtype=bool)
    n_iter = np.zeros(n_problems, dtype=np.intp)
    for iteration in range(max_iter):
        active = margin > 0
        flip = np.where(active, 2.0, -2.0) * cost * (active != was_active)
        changed = np.flatnonzero(flip)
        edges = np.searchsorted(changed, bounds)
        Z_changed = Z[changed]
        weighted = flip[changed, None] * Z_changed
        touched = np.flatnonzero(edges[1:] > edges[:-1])
        if touched.size:
            rhs[ids[touched]] += np.add.reduceat(weighted, edges[touched], axis=0)
        for j in touched:
            part = slice(edges[j], edges[j + 1])
            hessians[ids[j]] += Z_changed[part].T @ weighted[part]
        W_held, H, r = W[ids], hessians[ids], rhs[ids]
        gradient = np.einsum("pij,pj->pi", H, W_held) - r
        newton = live & (np.linalg.norm(gradient, axis=1) > stop_norm[ids])
        n_iter[ids[newton]] += 1
        direction = np.zeros_like(W_held)
        direction[newton] = _newton_points(H[newton], r[newton]) - W_held[newton]
        step = _row_products(Z, direction, bounds)
        # A step that keeps its active set reaches the optimum.
        moved = (margin - step > 0) != active
        search = newton & (np.bincount(problem, moved, ids.size) > 0)
        t = np.ones(ids.size)
        if search.any():
            # Only rows that leave or enter the active set along the step.
            leaving = active & (step > 0)
            rows = np.flatnonzero(search[problem] & (leaving | (~active & (step < 0))))
            d = direction[search]
            t[search] = _line_search(
                np.einsum("pd,pd->p", gradient[search], d),
                np.einsum("pd,pde,pe->p", d, H[search], d),
                margin[rows],
                step[rows],
                cost[rows],
                (np.cumsum(search) - 1)[problem[rows]],
                leaving[rows],
            )
        W[ids] = W_held + t[:, None] * direction
        margin -= t[problem] * step
        was_active = active
        live = search
        if not live.any():
            break
        if np.count_nonzero(live[problem]) < 0.9 * problem.size:
            # Drop the rows of the finished problems.
            keep = live[problem]
            Z, cost, margin, was_active = (
                Z[keep],
                cost[keep],
                margin[keep],
                was_active[keep],
            )
            ids, live = ids[live], live[live]
            bounds = np.concatenate([[0], np.cumsum(sizes[ids])])
            problem = np.repeat(np.arange(ids.size), sizes[ids])
    else:
        warnings.warn(
            "COGClassifier's solver of the sub-class pairs for its LinearSVC "
            f"estimator did not converge in {max_iter} Newton iterations; "
            "increase the estimator's max_iter (LinearSVC(max_iter=...)).",
            ConvergenceWarning,
            stacklevel=external_stacklevel(),
        )
    return W, n_iter


def _fit_squared_hinge(
    problems,
    C=1.0,
    fit_intercept=True,
    intercept_scaling=1.0,
    tol=1e-4,
    max_iter=50,
    init=None,
):
    """Fit the linear SVM of :class:`~sklearn.svm.LinearSVC` on each problem.

    Each problem minimises ``0.5 * ||[w, b]||^2 + C * sum_i s_i *
    max(0, 1 - y_i * (x_i . w + b * intercept_scaling))^2`` over its rows,
    the objective of ``LinearSVC(penalty="l2", loss="squared_hinge")`` with
    ``sample_weight=s`` (its intercept is a regularised feature). The finite
    Newton method of Keerthi and DeCoste solves it exactly, all problems at
    once, which saves the per-fit overhead of many small problems.

    Parameters
    ----------
    problems : list of tuples (X, rows, positive, weight)
        For each problem, a dense array of shape (n_samples, n_features),
        the indices of the problem's rows in it, a boolean array marking its
        positive rows and the weight of each row (or ``None``).

    C : float, default=1.0
        Inverse regularisation strength.

    fit_intercept : bool, default=True
        Whether to fit an intercept.

    intercept_scaling : float, default=1.0
        Value of the constant feature that carries the intercept.

    tol : float, default=1e-4
        A problem stops when the finite Newton step is exact or when its
        gradient norm falls below ``tol * min(n_pos, n_neg) / n`` times its
        norm at zero, the stopping rule of liblinear's primal solver.

    max_iter : int, default=50
        Most Newton iterations of each problem.

    init : ndarray of shape (n_problems, n_features + fit_intercept), default=None
        Starting points, in the solver's own terms: the weights and, with
        ``fit_intercept``, the weight of the constant feature. ``None``
        starts every problem from zero.

    Returns
    -------
    coef : ndarray of shape (n_problems, n_features)
        The weights of each problem.

    intercept : ndarray of shape (n_problems,)
        The intercept of each problem (zeros without ``fit_intercept``).

    n_iter : ndarray of shape (n_problems,)
        The Newton iterations of each problem.

    solution : ndarray of shape (n_problems, n_features + fit_intercept)
        The solutions in the solver's own terms, a starting point for
        ``init``.
    """
    n_features = problems[0][0].shape[1]
    n_dims = n_features + bool(fit_intercept)
    solution = np.zeros((len(problems), n_dims))
    n_iter = np.zeros(len(problems), dtype=np.intp)
    chunk, entries = [], 0
    for index, (_, rows, _, _) in enumerate(problems):
        chunk.append(index)
        entries += (len(rows) + n_dims) * n_dims
        if entries < _CHUNK_ENTRIES and index < len(problems) - 1:
            continue
        parts = [problems[k] for k in chunk]
        Z = np.vstack(
            [np.asarray(X[rows], dtype=np.float64) for X, rows, _, _ in parts]
        )
        if fit_intercept:
            Z = np.hstack([Z, np.full((Z.shape[0], 1), float(intercept_scaling))])
        positive = np.concatenate([p[2] for p in parts])
        Z[~positive] *= -1.0
        weight = np.concatenate(
            [np.ones(len(p[1])) if p[3] is None else p[3] for p in parts]
        )
        sizes = np.array([len(p[1]) for p in parts])
        n_pos = np.array([np.count_nonzero(p[2]) for p in parts])
        start = np.zeros((len(chunk), n_dims)) if init is None else init[chunk]
        solution[chunk], n_iter[chunk] = _solve_chunk(
            Z, C * weight, sizes, n_pos, start, tol, max_iter
        )
        chunk, entries = [], 0
    coef = solution[:, :n_features]
    if fit_intercept:
        return coef, solution[:, n_features] * intercept_scaling, n_iter, solution
    return coef, np.zeros(len(problems)), n_iter, solution
