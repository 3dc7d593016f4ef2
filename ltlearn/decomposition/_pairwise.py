"""The pairwise model of COG's min-max strategy: one binary model per pair."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.base import clone
from sklearn.svm import LinearSVC
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import has_fit_parameter

from ltlearn.decomposition._squared_hinge import _fit_squared_hinge

# The pairs of a plain LinearSVC are solved all at once on dense data up to
# this many features; the Hessian of each pair is dense.
_BATCHED_MAX_FEATURES = 200


@dataclass(frozen=True, eq=False)
class _LinearPairs:
    """The batched linear solutions of the pairs, one row per pair.

    A pair scores ``X @ coef.T + intercept``; ``n_iter`` counts the Newton
    iterations of each pair and ``raw`` holds the solutions in the solver's
    own terms, a starting point for related problems.
    """

    coef: np.ndarray
    intercept: np.ndarray
    n_iter: np.ndarray
    raw: np.ndarray


@dataclass(frozen=True, eq=False)
class _PairwiseModel:
    """A fitted min-max model over sub-classes.

    ``pairs`` holds the sub-class indices of each pair, shape (n_pairs, 2);
    each pair's model scores its second sub-class against its first. The
    models are either fitted binary classifiers (``estimators``) or batched
    linear solutions (``linear``).
    """

    pairs: np.ndarray
    estimators: list | None = None
    linear: _LinearPairs | None = None


def _subclass_pairs(subclass_class):
    """The pairs of sub-classes of different classes, shape (n_pairs, 2).

    Pairs within one class are left out: their boundary never changes the
    predicted class.
    """
    return np.array(
        [
            (a, b)
            for a, b in combinations(range(subclass_class.size), 2)
            if subclass_class[a] != subclass_class[b]
        ],
        dtype=np.intp,
    ).reshape(-1, 2)


def _pair_rows(y, pairs, rates):
    """For each pair: its rows, which of them are its second sub-class, their rates."""
    problems = []
    for a, b in pairs:
        rows = np.flatnonzero((y == a) | (y == b))
        problems.append((rows, y[rows] == b, None if rates is None else rates[rows]))
    return problems


def _binary_score(estimator, X):
    """Score of the positive class of a fitted binary classifier."""
    if hasattr(estimator, "decision_function"):
        return np.asarray(estimator.decision_function(X), dtype=np.float64).ravel()
    return np.asarray(estimator.predict_proba(X), dtype=np.float64)[:, 1] - 0.5


def _pair_scores(model, X):
    """Score of the second sub-class of each pair of ``model``.

    Returns an array of shape (n_samples, n_pairs).
    """
    if model.estimators is not None:
        return np.column_stack([_binary_score(e, X) for e in model.estimators])
    return X @ model.linear.coef.T + model.linear.intercept


def _each_pair_score(model, X):
    """The scores of :func:`_pair_scores`, one pair (column) at a time.

    Fitted estimators score one pair at a time, so their (n_samples, n_pairs)
    array is never held: with 50 classes cut into 178 sub-classes, 15,285
    pairs score 100,000 rows in 12 GB, twice over with the stacking.
    """
    if model.estimators is not None:
        return (_binary_score(e, X) for e in model.estimators)
    return iter(_pair_scores(model, X).T)


def _min_max_scores(model, X, n_subclasses):
    """Score of each sub-class: its worst score over the pairs of ``model``.

    A sub-class that is in no pair scores ``-inf``.
    """
    scores = np.full((X.shape[0], n_subclasses), np.inf)
    for (a, b), score in zip(model.pairs, _each_pair_score(model, X)):
        np.minimum(scores[:, b], score, out=scores[:, b])
        np.minimum(scores[:, a], -score, out=scores[:, a])
    paired = np.zeros(n_subclasses, dtype=bool)
    paired[np.ravel(model.pairs)] = True
    scores[:, ~paired] = -np.inf
    return scores


def _fit_weighted(estimator, X, y, rates, scale=None):
    """Fit ``estimator`` with rows counted ``rates`` times.

    The rates become ``sample_weight`` divided by ``scale`` (by default their
    mean) when ``fit`` accepts it, else each row is copied ``round(rate)``
    times.
    """
    if rates is None:
        return estimator.fit(X, y)
    if has_fit_parameter(estimator, "sample_weight"):
        scale = rates.mean() if scale is None else scale
        return estimator.fit(X, y, sample_weight=rates / scale)
    rows = np.repeat(np.arange(y.size), np.rint(rates).astype(np.intp))
    return estimator.fit(X[rows], y[rows])


def _fit_pair(estimator, X, positive, rates, scale, validate):
    """A clone of ``estimator`` fitted on the rows of one pair."""
    # X is validated and every clone has the parameters of the first: skip
    # the checks that would repeat for each pair.
    with config_context(assume_finite=True, skip_parameter_validation=not validate):
        return _fit_weighted(
            clone(estimator), X, positive.astype(np.intp), rates, scale
        )


def _batched_params(estimator, Xs):
    """``LinearSVC`` parameters when the batched solver can fit its pairs.

    The solver reproduces ``LinearSVC`` with the L2 penalty, the squared
    hinge loss and no class weights on dense data (every array of ``Xs``) of
    at most ``_BATCHED_MAX_FEATURES`` features; otherwise ``None``.
    """
    if type(estimator) is not LinearSVC or any(sparse.issparse(X) for X in Xs):
        return None
    params = estimator.get_params()
    if (
        Xs[0].shape[1] > _BATCHED_MAX_FEATURES
        or params["penalty"] != "l2"
        or params["loss"] != "squared_hinge"
        or params["class_weight"] is not None
    ):
        return None
    names = ("C", "fit_intercept", "intercept_scaling", "tol", "max_iter")
    return {key: params[key] for key in names}


def _fit_pairwise(problems, estimator, n_jobs=None, starts=None):
    """Fit the min-max model of each problem of ``problems``.

    Each problem (a ``_SubclassProblem``) holds the rows ``X`` and sub-class
    labels ``y`` of phase III, the replication rate of each row (``rates``,
    or ``None``) and the ``pairs`` to fit. With a ``LinearSVC`` that the
    batched solver reproduces (see :func:`_batched_params`), the pairs of all
    the problems are solved together, from ``starts`` (one array of starting
    points per problem, in the solver's terms) when given. Otherwise a clone
    of ``estimator`` is fitted per pair, the pairs of all the problems in one
    :class:`joblib.Parallel` run of ``n_jobs`` jobs, as
    :class:`~sklearn.multiclass.OneVsOneClassifier` does.

    Returns one :class:`_PairwiseModel` per problem.
    """
    rows = [_pair_rows(p.y, p.pairs, p.rates) for p in problems]
    # Rates are divided by their mean over the whole problem.
    scales = [None if p.rates is None else p.rates.mean() for p in problems]
    bounds = np.cumsum([0] + [len(p.pairs) for p in problems])
    params = _batched_params(estimator, [p.X for p in problems])
    if params:
        init = None if starts is None else np.vstack(starts)
        solution = _fit_squared_hinge(
            [
                (p.X, pair_rows, positive, None if rates is None else rates / scale)
                for p, problem_rows, scale in zip(problems, rows, scales)
                for pair_rows, positive, rates in problem_rows
            ],
            init=init,
            **params,
        )
        return [
            _PairwiseModel(
                p.pairs, linear=_LinearPairs(*(part[start:stop] for part in solution))
            )
            for p, start, stop in zip(problems, bounds, bounds[1:])
        ]
    fits = Parallel(n_jobs=n_jobs)(
        delayed(_fit_pair)(estimator, p.X[pair_rows], positive, rates, scale, k == 0)
        for p, problem_rows, scale in zip(problems, rows, scales)
        for k, (pair_rows, positive, rates) in enumerate(problem_rows)
    )
    return [
        _PairwiseModel(p.pairs, estimators=fits[start:stop])
        for p, start, stop in zip(problems, bounds, bounds[1:])
    ]


def _pair_start(model, present, pairs):
    """Starting points of ``pairs`` of the sub-classes ``present``.

    ``model`` holds the batched solutions of all the sub-classes; each pair
    starts from the solution of the same two sub-classes there.
    """
    index = {tuple(pair): k for k, pair in enumerate(model.pairs.tolist())}
    return model.linear.raw[[index[(present[a], present[b])] for a, b in pairs]]


def _as_linear_svcs(model, estimator):
    """``model`` with its batched solutions as fitted ``LinearSVC`` objects.

    Each is a clone of the ``LinearSVC`` ``estimator`` holding what ``fit``
    would set on its pair problem (classes 0 and 1): the public
    ``estimators_`` of the classifier are ``LinearSVC`` objects whichever
    way they were solved. A model without batched solutions is returned as
    it is.
    """
    if model.linear is None:
        return model
    estimators = []
    for coef, intercept, n_iter in zip(
        model.linear.coef, model.linear.intercept, model.linear.n_iter
    ):
        svc = clone(estimator)
        svc.classes_ = np.array([0, 1])
        svc.coef_ = coef[None, :]
        svc.intercept_ = np.array([intercept]) if svc.fit_intercept else 0.0
        svc.n_features_in_ = coef.size
        svc.n_iter_ = int(n_iter)
        estimators.append(svc)
    return _PairwiseModel(model.pairs, estimators=estimators)
