"""The pairwise model of COG's min-max strategy: one binary model per pair."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import sparse
from sklearn import config_context, get_config
from sklearn.base import clone
from sklearn.multiclass import OneVsOneClassifier
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import has_fit_parameter

from ltlearn.decomposition._squared_hinge import _fit_squared_hinge

# The pairs of a plain LinearSVC are solved all at once on dense data up to
# this many features; the Hessian of each pair is dense.
_BATCHED_MAX_FEATURES = 200
# Linear pairs are scored by blocks of at most this many values (8 MiB of
# float64), one matrix product per block of pairs (and of rows).
_SCORE_BLOCK_VALUES = 1 << 20
_BLOCK_PAIRS = 256


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
    """For each pair: its rows, which of them are its second sub-class, their rates.

    The rows of each sub-class are found once; those of a pair are the two
    sub-classes' rows merged in ascending order, so the pairs cost the rows
    they hold rather than a pass over all of ``y`` each.
    """
    order = np.argsort(y, kind="stable")
    # the rows of sub-class k are order[bounds[k] : bounds[k + 1]], for the
    # sub-classes of the pairs; a sampler may return labels of any integer
    # dtype, unsigned ones included
    bounds = np.searchsorted(y[order], np.arange(np.max(pairs, initial=-1) + 2))
    problems = []
    for a, b in pairs:
        rows = np.sort(
            np.concatenate(
                [order[bounds[a] : bounds[a + 1]], order[bounds[b] : bounds[b + 1]]]
            ),
            kind="stable",
        )
        problems.append((rows, y[rows] == b, None if rates is None else rates[rows]))
    return problems


def _has_pair_score(estimator, has=hasattr):
    """Whether ``estimator`` has a score of each pair of sub-classes.

    ``has(estimator, name)`` tells whether it has a method: ``hasattr``, or
    ``may_have_method`` for an estimator not fitted yet.
    """
    return has(estimator, "decision_function") or has(estimator, "predict_proba")


def _refuse_no_pair_score(estimator):
    raise ValueError(
        f"The min-max strategy scores each pair of sub-classes, but "
        f"{type(estimator).__name__} has neither decision_function nor "
        "predict_proba; use strategy='direct' or another estimator."
    )


def _binary_score(estimator, X):
    """Score of the positive class (label 1) of a fitted binary classifier.

    The classes are read in the order of its ``classes_``: a classifier that
    lists them as ``[1, 0]`` (one of the user's, not sorting its labels)
    scores its ``classes_[1]``, label 0, as scikit-learn's convention has
    it, so its scores are negated and its probabilities read from the column
    of label 1; they were taken as scores of label 1, which inverted every
    pair.
    """
    classes = np.asarray(getattr(estimator, "classes_", [0, 1]))
    positive = 0 if classes.size == 2 and classes[0] == 1 else 1
    if hasattr(estimator, "decision_function"):
        score = np.asarray(estimator.decision_function(X), dtype=np.float64).ravel()
        return score if positive else -score
    return np.asarray(estimator.predict_proba(X), dtype=np.float64)[:, positive] - 0.5


def _stacked_linear(model):
    """The weights and intercepts of the pairs of ``model``, one row per pair.

    ``None`` unless every pair scores ``X @ coef_.T + intercept_``: batched
    solutions, or binary estimators that keep the ``decision_function`` of
    scikit-learn's linear classifiers (``LinearSVC``, ``LogisticRegression``,
    ``SGDClassifier``...) with dense weights and the classes ``[0, 1]``.
    """
    if model.linear is not None:
        return model.linear.coef, model.linear.intercept
    # The decision_function that scikit-learn's linear classifiers share.
    linear = LinearSVC.decision_function
    if not model.estimators or not all(
        getattr(type(e), "decision_function", None) is linear
        and isinstance(getattr(e, "coef_", None), np.ndarray)
        and e.coef_.shape[0] == 1
        and np.array_equal(getattr(e, "classes_", None), [0, 1])
        for e in model.estimators
    ):
        return None
    coef = np.vstack([e.coef_ for e in model.estimators])
    intercept = np.concatenate([np.ravel(e.intercept_) for e in model.estimators])
    return coef, intercept


def _pair_score_blocks(model, X, block_values=None):
    """The score of the second sub-class of each pair, by blocks of rows and pairs.

    Yields ``(rows, pairs, scores)``: two slices and the scores of those
    pairs and rows, shape (n_pairs, n_rows). Linear pairs (see
    :func:`_stacked_linear`) are scored by one matrix product per block of
    at most ``block_values`` (``_SCORE_BLOCK_VALUES``) values, other fitted
    estimators one pair at a time on all the rows, so the (n_samples,
    n_pairs) array is never held (with 50 classes cut into 178 sub-classes,
    it would be 12 GB for 15,285 pairs on 100,000 rows). A matrix product
    may differ from each pair's ``decision_function`` by rounding (about
    1e-14, and 1e-7 relative with the float32 weights of pairs fitted on
    float32 data).
    """
    stacked = _stacked_linear(model)
    if stacked is None:
        for k, estimator in enumerate(model.estimators):
            yield slice(None), slice(k, k + 1), _binary_score(estimator, X)[None]
        return
    coef, intercept = stacked
    block_values = _SCORE_BLOCK_VALUES if block_values is None else block_values
    # Blocks of up to _BLOCK_PAIRS pairs, and of as many rows as fit: each
    # block reads its rows of X once for all its pairs.
    n_pairs = max(1, min(coef.shape[0], _BLOCK_PAIRS))
    n_rows = max(1, min(X.shape[0], block_values // n_pairs))
    n_pairs = max(1, min(coef.shape[0], block_values // n_rows))
    for start in range(0, X.shape[0], n_rows):
        rows = slice(start, start + n_rows)
        X_rows = X[rows].T
        for first in range(0, coef.shape[0], n_pairs):
            pairs = slice(first, first + n_pairs)
            # Pairs by rows: each pair's scores are contiguous for the merge.
            scores = safe_sparse_dot(coef[pairs], X_rows, dense_output=True)
            scores = np.asarray(scores, dtype=np.float64)
            scores += intercept[pairs, None]
            yield rows, pairs, scores


def _min_max_scores(model, X, n_subclasses, block_values=None):
    """Score of each sub-class: its worst score over the pairs of ``model``.

    Each block of pair scores (see :func:`_pair_score_blocks`, of at most
    ``block_values`` values) is merged into the sub-class scores as it comes.
    A sub-class that is in no pair scores ``-inf``.
    """
    # One row per sub-class while merging: the rows of a block are contiguous.
    scores = np.full((n_subclasses, X.shape[0]), np.inf)
    for rows, pairs, block in _pair_score_blocks(model, X, block_values):
        part = scores[:, rows]
        # The second sub-class of a pair scores the pair's score, the first
        # its opposite.
        for (a, b), score in zip(model.pairs[pairs], block):
            np.minimum(part[b], score, out=part[b])
            np.minimum(part[a], -score, out=part[a])
    paired = np.zeros(n_subclasses, dtype=bool)
    paired[np.ravel(model.pairs)] = True
    scores[~paired] = -np.inf
    return scores.T


def _one_vs_one_scores(estimator, X, block_values=None):
    """``estimator.decision_function(X)`` of a linear one-vs-one model, by blocks.

    For a :class:`~sklearn.multiclass.OneVsOneClassifier` whose pairs are
    linear (see :func:`_stacked_linear`) and predict the sign of their score,
    the votes and confidences of its ``decision_function`` are summed pair by
    pair, in its order, from blocks of pair scores (see
    :func:`_pair_score_blocks`). Its own ``decision_function`` runs every
    pair's ``predict`` and ``decision_function`` on all the rows and holds
    both (n_samples, n_pairs) arrays: on 20,000 rows and 4,186 pairs it took
    11 times as long, with 1.9 GB of peak memory instead of 59 MiB
    (``benchmarks/bench_cog.py --predict-scale 20000``). ``None`` for another
    estimator.
    """
    if (
        type(estimator) is not OneVsOneClassifier
        or getattr(estimator, "pairwise_indices_", None) is not None
    ):
        return None
    n_classes = estimator.classes_.size
    pairs = np.array(list(combinations(range(n_classes), 2)), dtype=np.intp)
    model = _PairwiseModel(pairs.reshape(-1, 2), estimators=estimator.estimators_)
    if _stacked_linear(model) is None or not all(
        type(e).predict is LinearSVC.predict and np.array_equal(e.classes_, [0, 1])
        for e in estimator.estimators_
    ):
        return None
    votes = np.zeros((n_classes, X.shape[0]))
    confidences = np.zeros((n_classes, X.shape[0]))
    for rows, part, block in _pair_score_blocks(model, X, block_values):
        for (i, j), score in zip(model.pairs[part], block):
            # A pair predicts j where its score is positive, else i.
            won = score > 0
            confidences[i, rows] -= score
            confidences[j, rows] += score
            votes[i, rows] += ~won
            votes[j, rows] += won
    # The rule of scikit-learn's private _ovr_decision_function, which takes
    # the (n_samples, n_pairs) predictions and confidences this avoids.
    scores = (votes + confidences / (3 * (np.abs(confidences) + 1))).T
    return np.ascontiguousarray(scores[:, 1] if n_classes == 2 else scores)


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
    # the checks that would repeat for each pair (all of them where the
    # configuration skips parameter validation).
    skip = not validate or get_config()["skip_parameter_validation"]
    with config_context(assume_finite=True, skip_parameter_validation=skip):
        return _fit_weighted(
            clone(estimator), X, positive.astype(np.intp), rates, scale
        )


def _batched_params(estimator, Xs):
    """``LinearSVC`` parameters when the batched solver can fit its pairs.

    The solver reproduces ``LinearSVC`` with the L2 penalty, the squared
    hinge loss, the one-vs-rest formulation and no class weights on dense
    data (every array of ``Xs``) of at most ``_BATCHED_MAX_FEATURES``
    features; otherwise ``None``. The parameters are validated as
    ``LinearSVC.fit`` would, since it is not called.
    """
    if type(estimator) is not LinearSVC or any(sparse.issparse(X) for X in Xs):
        return None
    params = estimator.get_params()
    if not get_config()["skip_parameter_validation"]:
        validate_parameter_constraints(
            LinearSVC._parameter_constraints, params, caller_name="LinearSVC"
        )
    if (
        Xs[0].shape[1] > _BATCHED_MAX_FEATURES
        or params["penalty"] != "l2"
        or params["loss"] != "squared_hinge"
        or params["class_weight"] is not None
        # Crammer and Singer's joint objective differs on two classes too
        or params.get("multi_class", "ovr") != "ovr"
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
    jobs = (
        (p.X[pair_rows], positive, rates, scale, k == 0)
        for p, problem_rows, scale in zip(problems, rows, scales)
        for k, (pair_rows, positive, rates) in enumerate(problem_rows)
    )
    fits = []
    first = None if _has_pair_score(estimator) else next(jobs, None)
    if first is not None:
        # its class offers a score once fitted (available_if): check the
        # first pair's model before the others are fitted
        fits.append(_fit_pair(estimator, *first))
        if not _has_pair_score(fits[0]):
            _refuse_no_pair_score(fits[0])
    fits += Parallel(n_jobs=n_jobs)(delayed(_fit_pair)(estimator, *job) for job in jobs)
    return [
        _PairwiseModel(p.pairs, estimators=fits[start:stop])
        for p, start, stop in zip(problems, bounds, bounds[1:])
    ]


def _pair_start(model, present, pairs):
    """Starting points of ``pairs`` of the sub-classes ``present``.

    ``model`` holds the batched solutions of all the sub-classes; each pair
    starts from the solution of the same two sub-classes there, or from zero
    (the solver's own start) when a sampler left one of them no row on all
    the rows.
    """
    index = {tuple(pair): k for k, pair in enumerate(model.pairs.tolist())}
    found = np.array(
        [index.get((present[a], present[b]), -1) for a, b in pairs], dtype=np.intp
    )
    raw = model.linear.raw
    start = np.zeros((found.size, raw.shape[1]), raw.dtype)
    start[found >= 0] = raw[found[found >= 0]]
    return start


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
    # one clone, copied for each pair: ``clone`` re-reads the signature of
    # ``__init__`` every time, which took most of the fit with many pairs
    template = clone(estimator)
    estimators = []
    for coef, intercept, n_iter in zip(
        model.linear.coef, model.linear.intercept, model.linear.n_iter
    ):
        svc = copy.deepcopy(template)
        svc.classes_ = np.array([0, 1])
        svc.coef_ = coef[None, :]
        svc.intercept_ = np.array([intercept]) if svc.fit_intercept else 0.0
        svc.n_features_in_ = coef.size
        svc.n_iter_ = int(n_iter)
        estimators.append(svc)
    return _PairwiseModel(model.pairs, estimators=estimators)
