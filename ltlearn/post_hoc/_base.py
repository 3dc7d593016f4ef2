"""Shared machinery of the post-hoc classifiers: fitting, reweighting, search."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.utils import get_tags, indexable
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import (
    check_is_fitted,
    column_or_1d,
)

from ltlearn.utils._validation import (
    check_classification_y,
    check_fit_takes_sample_weight,
    check_sample_weight,
    class_counts,
)

# Names accepted by ``scoring``; each metric is a sum of per-class terms of the
# confusion matrix (see ``_class_terms``), which the exact coordinate search
# below relies on.
_SCORINGS = ("balanced_accuracy", "geometric_mean", "f1", "f1_macro")

# Term of a class with zero recall in the G-mean search: any such class costs
# more than every achievable sum of log recalls, so the search first makes
# every class recognised, then maximises the G-mean.
_ZERO_RECALL_PENALTY = 1e6

# Rules tried per coordinate step for a callable metric, which cannot be
# updated incrementally: evenly spaced among all of them, plus the current one.
_CALLABLE_CUTS = 32

# Fractions of the refined weights, against the starting ones, that the
# held-out check of ``_validated_refinement`` compares.
_SHRINKAGE = (0.0, 0.25, 0.5, 1.0)


def _class_terms(scoring, tp, n_pred, n_true, n_classes):
    """Per-class terms whose sum ranks decision rules like ``scoring`` does.

    ``tp``, ``n_pred`` and ``n_true`` broadcast together: true positives,
    predicted count and true count of a class. ``n_classes`` is the number of
    classes; for ``"f1"`` the caller passes the terms of the positive class
    only.
    """
    tp = np.asarray(tp, dtype=float)
    if scoring == "balanced_accuracy":
        return tp / n_true / n_classes
    if scoring == "geometric_mean":
        with np.errstate(divide="ignore"):
            log_recall = np.log(tp / n_true)
        return np.where(tp > 0, log_recall, -_ZERO_RECALL_PENALTY) / n_classes
    # f1 and f1_macro: 2 TP / (n_true + n_pred), zero when the class is
    # neither present nor predicted (scikit-learn's zero_division=0)
    num, denom = np.broadcast_arrays(2 * tp, np.asarray(n_true + n_pred, dtype=float))
    f1 = np.divide(num, denom, out=np.zeros(num.shape), where=denom > 0)
    return f1 / (n_classes if scoring == "f1_macro" else 1)


def _call_scoring(scoring, y_true, y_pred, sample_weight):
    """Call a metric ``scoring(y_true, y_pred)``, weighted when weights are given."""
    if sample_weight is None:
        return float(scoring(y_true, y_pred))
    try:
        params = inspect.signature(scoring).parameters
    except (TypeError, ValueError):  # no signature to read: try the keyword
        params = {"sample_weight": None}
    takes_weight = "sample_weight" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )
    if not takes_weight:
        raise ValueError(
            f"fit got sample_weight, but the scoring callable {scoring!r} takes "
            f"no sample_weight argument, so the metric would ignore the weights. "
            f"Give a metric score(y_true, y_pred, sample_weight=None)."
        )
    return float(scoring(y_true, y_pred, sample_weight=sample_weight))


def _score_codes(scoring, y_codes, pred_codes, counts, classes, sample_weight=None):
    """Score predicted class codes against true codes with ``scoring``.

    ``counts`` are the (weighted) class counts of ``y_codes``; with
    ``sample_weight`` every row counts as its weight.
    """
    if callable(scoring):
        return _call_scoring(
            scoring, classes[y_codes], classes[pred_codes], sample_weight
        )
    n_classes = counts.size
    hit = y_codes == pred_codes
    hit_weight = None if sample_weight is None else sample_weight[hit]
    tp = np.bincount(y_codes[hit], weights=hit_weight, minlength=n_classes)
    n_pred = np.bincount(pred_codes, weights=sample_weight, minlength=n_classes)
    if scoring == "geometric_mean":
        if np.any(tp == 0):
            return 0.0
        return float(np.exp(np.mean(np.log(tp / counts))))
    if scoring == "f1":
        return float(_class_terms(scoring, tp[1], n_pred[1], counts[1], 1))
    return float(np.sum(_class_terms(scoring, tp, n_pred, counts, n_classes)))


def _adjusted_log_proba(proba, log_weights):
    """Rows of ``log(proba) + log_weights``, normalised in log space.

    Working in log space, the rows sum to one (once exponentiated) for any
    weights, however far apart: multiplying the probabilities by the weights
    would underflow to rows of zeros.
    """
    with np.errstate(divide="ignore"):
        log_proba = np.log(np.asarray(proba, dtype=float)) + log_weights
    row_max = log_proba.max(axis=1, keepdims=True)
    log_proba -= np.where(np.isfinite(row_max), row_max, 0.0)
    with np.errstate(divide="ignore"):
        log_proba -= np.log(np.exp(log_proba).sum(axis=1, keepdims=True))
    return log_proba


def _with_unit_weights(sample_weight, n_samples):
    """The weights of the search: ``sample_weight``, or ones when it is None."""
    if sample_weight is None:
        return np.ones(n_samples)
    return sample_weight


def _cumulative_within_groups(groups, *values):
    """For each row, the sums of each of ``values`` over earlier rows of its group."""
    n = groups.size
    order = np.argsort(groups, kind="stable")
    grouped = groups[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    sums = []
    for value in values:
        ordered = value[order]
        cum = np.cumsum(ordered)
        before = np.empty(n, dtype=cum.dtype)
        before[order] = cum - ordered - (cum[group_start] - ordered[group_start])
        sums.append(before)
    return sums


def _coordinate_step(
    proba, y_codes, counts, weights, k, scoring, classes, sample_weight=None
):
    """Best weight of class ``k`` for ``argmax(weights * proba)``, others fixed.

    As ``weights[k]`` grows from 0, sample ``i`` switches from its best other
    class ``r_i`` to ``k`` when ``weights[k]`` passes ``t_i = max_{j != k}
    weights[j] * proba[i, j] / proba[i, k]``. Sorting the ``t_i`` lists every
    distinct decision rule along the coordinate; for a named metric its value
    on all of them follows from cumulative sums of the confusion-matrix
    changes, so the step is an exact line search in O(n log n).

    With ``sample_weight`` (positive) every sample counts as its weight, and
    among equally good rules the nearest to the current one is measured in
    weight, so that integer weights give the rule of repeated samples.

    Returns the new weight, the score of the new rule and that of the current.
    """
    n_samples, n_classes = proba.shape
    scaled = proba * weights
    scaled[:, k] = -1.0
    rival = scaled.argmax(axis=1)
    rival_score = scaled[np.arange(n_samples), rival]
    p_k = proba[:, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        switch = np.where(p_k > 0, rival_score / p_k, np.inf)
    finite = np.flatnonzero(np.isfinite(switch))
    events = finite[np.argsort(switch[finite], kind="stable")]
    thresholds = switch[events]
    n_events = events.size

    # Valid cuts: j events switched needs thresholds[j - 1] < w < thresholds[j].
    lower = np.concatenate([[0.0], thresholds])
    upper = np.concatenate([thresholds, [np.inf]])
    valid = upper > lower
    current = int(np.searchsorted(thresholds, weights[k], side="left"))
    row_weight = _with_unit_weights(sample_weight, n_samples)
    w_events = row_weight[events]
    position = np.concatenate([[0.0], np.cumsum(w_events)])

    if callable(scoring):
        candidates = np.flatnonzero(valid)
        if candidates.size > _CALLABLE_CUTS:
            keep = np.linspace(0, candidates.size - 1, _CALLABLE_CUTS).round()
            candidates = np.union1d(candidates[keep.astype(int)], [current])
        scores = np.full(n_events + 1, -np.inf)
        for j in candidates:
            pred = rival.copy()
            pred[events[:j]] = k
            scores[j] = _score_codes(
                scoring, y_codes, pred, counts, classes, sample_weight
            )
    else:
        y_events = y_codes[events]
        rival_events = rival[events]
        # class k: the first j events predicted, of which those of class k right
        tp_k = np.concatenate([[0.0], np.cumsum(w_events * (y_events == k))])
        pred_k = position
        # rival classes start with every sample and lose one per event
        hit = y_codes == rival
        tp0 = np.bincount(rival[hit], weights=row_weight[hit], minlength=n_classes)
        pred0 = np.bincount(rival, weights=row_weight, minlength=n_classes)
        lost = w_events * (y_events == rival_events)
        lost_before, pred_lost_before = _cumulative_within_groups(
            rival_events, lost, w_events
        )
        tp_before = tp0[rival_events] - lost_before
        pred_before = pred0[rival_events] - pred_lost_before
        pred_after = pred_before - w_events
        n_true = counts[rival_events]
        if scoring == "f1":  # only the positive class (code 1) counts
            terms = _class_terms(scoring, tp_k, pred_k, counts[k], 1) * (k == 1)
            delta = _class_terms(
                scoring, tp_before - lost, pred_after, n_true, 1
            ) - _class_terms(scoring, tp_before, pred_before, n_true, 1)
            delta = delta * (rival_events == 1)
            base = _class_terms(scoring, tp0[1], pred0[1], counts[1], 1) * (k != 1)
        else:
            terms = _class_terms(scoring, tp_k, pred_k, counts[k], n_classes)
            delta = _class_terms(
                scoring, tp_before - lost, pred_after, n_true, n_classes
            ) - _class_terms(scoring, tp_before, pred_before, n_true, n_classes)
            others = np.arange(n_classes) != k
            base = np.sum(
                _class_terms(
                    scoring, tp0[others], pred0[others], counts[others], n_classes
                )
            )
        scores = base + terms + np.concatenate([[0.0], np.cumsum(delta)])
        scores[~valid] = -np.inf

    best = scores.max()
    if not best > scores[current] + 1e-12:
        return weights[k], scores[current], scores[current]
    # Among the best rules, the one nearest the current weight; the new weight
    # enters its interval by at most a factor 2 past the switching threshold.
    ties = np.flatnonzero(scores >= best - 1e-12)
    j = ties[np.argmin(np.abs(position[ties] - position[current]))]
    low, high = lower[j], upper[j]
    if j > current:  # more samples switch to k: raise the weight past `low`
        new = 2.0 * low if np.isinf(high) else min(np.sqrt(low * high), 2.0 * low)
    else:  # fewer samples: lower the weight below `high`
        new = 0.5 * high if low == 0 else max(np.sqrt(low * high), 0.5 * high)
    return new, best, scores[current]


def _coordinate_ascent(
    proba,
    y_codes,
    counts,
    weights,
    scoring,
    classes,
    *,
    coords,
    max_iter,
    sample_weight=None,
):
    """Maximise ``scoring`` of ``argmax(weights * proba)`` one weight at a time.

    Each step is an exact line search (``_coordinate_step``), so the score
    never decreases; sweeps stop when one changes nothing or after
    ``max_iter``. Returns the weights (summing to one) and the sweep count.
    """
    weights = np.array(weights, dtype=float)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        improved = False
        for k in coords:
            new, best, current = _coordinate_step(
                proba, y_codes, counts, weights, k, scoring, classes, sample_weight
            )
            if best > current + 1e-12:
                weights[k] = new
                improved = True
            weights /= weights.max()
        if not improved:
            break
    return weights / weights.sum(), n_iter


def _held_out_terms(scoring, y_codes, pred_codes, counts, present, sample_weight):
    """Per-class scores on held-out rows, for the paired comparison of rules."""
    n_classes = counts.size
    hit = y_codes == pred_codes
    tp = np.bincount(y_codes[hit], weights=sample_weight[hit], minlength=n_classes)
    tp = tp[present]
    n_true = counts[present]
    if scoring == "geometric_mean":  # a zero recall counts as half a sample
        return np.log(np.maximum(tp, 0.5) / n_true)
    if scoring == "f1_macro":
        n_pred = np.bincount(pred_codes, weights=sample_weight, minlength=n_classes)
        return 2 * tp / (n_true + n_pred[present])
    return tp / n_true


def _validated_refinement(
    proba,
    y_codes,
    counts,
    start,
    scoring,
    classes,
    *,
    coords,
    max_iter,
    sample_weight=None,
):
    """How much of the coordinate-ascent refinement held-out rows support.

    The rows are split in two stratified halves; weights refined on one half
    from ``start`` are shrunk towards it, ``start ** (1 - a) * refined ** a``
    for ``a`` in ``_SHRINKAGE``, and scored on the other half. The largest
    mean held-out gain over ``a = 0`` is kept only if it is significant: for a
    named metric, mean above twice the standard error of the paired per-class
    differences over both halves; for a callable, a gain on both halves.
    Returns the kept ``a`` (0 when the refinement does not generalise) and
    the most sweeps that an ascent on a half took. With ``sample_weight``, a
    row goes whole to one half and counts as its weight there.
    """
    n_classes = counts.size
    row_weight = _with_unit_weights(sample_weight, y_codes.size)
    splitter = StratifiedKFold(n_splits=2, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # classes of one sample
        try:
            halves = list(splitter.split(proba, y_codes))
        except ValueError:  # every class has a single sample
            return 0.0, 0
    log_start = np.log(start / start.sum())
    diffs = [[] for _ in _SHRINKAGE]
    n_iter = 0
    for fit_rows, eval_rows in halves:
        fit_counts = np.bincount(
            y_codes[fit_rows], weights=row_weight[fit_rows], minlength=n_classes
        )
        fit_counts[fit_counts == 0] = 1  # an absent class: its terms stay 0
        eval_counts = np.bincount(
            y_codes[eval_rows], weights=row_weight[eval_rows], minlength=n_classes
        )
        present = eval_counts > 0
        fit_weight = None if sample_weight is None else sample_weight[fit_rows]
        eval_weight = None if sample_weight is None else sample_weight[eval_rows]
        refined, sweeps = _coordinate_ascent(
            proba[fit_rows], y_codes[fit_rows], fit_counts, start, scoring,
            classes, coords=coords, max_iter=max_iter, sample_weight=fit_weight,
        )  # fmt: skip
        n_iter = max(n_iter, sweeps)
        y_eval, p_eval = y_codes[eval_rows], proba[eval_rows]
        base = None
        for i, shrink in enumerate(_SHRINKAGE):
            weights = np.exp((1 - shrink) * log_start + shrink * np.log(refined))
            pred = np.argmax(p_eval * weights, axis=1)
            if callable(scoring):
                value = np.array(
                    [
                        _score_codes(
                            scoring, y_eval, pred, eval_counts, classes, eval_weight
                        )
                    ]
                )
            else:
                value = _held_out_terms(
                    scoring, y_eval, pred, eval_counts, present, row_weight[eval_rows]
                )
            base = value if base is None else base
            diffs[i].append(value - base)
    best, best_gain = 0.0, 0.0
    for shrink, diff in zip(_SHRINKAGE[1:], diffs[1:]):
        if callable(scoring):
            gain = float(np.mean(diff))
            significant = all(d[0] > 0 for d in diff)
        else:
            diff = np.concatenate(diff)
            gain = float(diff.mean())
            spread = diff.std(ddof=1) / np.sqrt(diff.size) if diff.size > 1 else 0
            significant = gain > 2 * spread
        if significant and gain > best_gain:
            best, best_gain = shrink, gain
    return best, n_iter


def _check_scoring(scoring, n_classes):
    if scoring == "f1" and n_classes != 2:
        raise ValueError(
            f"scoring='f1' is the F1 score of the positive class and needs a "
            f"binary target; this one has {n_classes} classes. Use "
            f"scoring='f1_macro' for the mean F1 over classes."
        )


class _BasePostHocClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator, then predict ``argmax_k w_k p_k(x)``.

    Subclasses learn the class weights ``w`` in ``_fit_weights`` and return
    their logarithms from ``_class_log_weights``; the base fits
    ``estimator_`` (or keeps a ``FrozenEstimator`` as it is), computes
    out-of-fold probabilities on demand, and serves ``predict_proba`` as the
    reweighted probabilities, normalised in log space, so that ``predict`` is
    exactly their argmax.

    ``fit`` takes ``sample_weight``: the inner estimator is fitted with it,
    and the class counts, priors and out-of-fold metrics are weighted, a row
    counting as its weight (a zero-weight row not at all).
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
    }

    def __init__(self, estimator):
        self.estimator = estimator

    def _fit_estimator(self, X, y, sample_weight, fit_params):
        """Fit ``estimator_`` and set ``classes_`` and the input attributes.

        Returns the class codes of ``y`` and the (weighted) class counts.
        """
        if isinstance(self.estimator, FrozenEstimator):
            self.estimator_ = self.estimator
            check_is_fitted(self.estimator.estimator)
        else:
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = np.asarray(self.estimator_.classes_)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y holds the labels {unknown.tolist()!r}, which the estimator "
                f"does not predict (its classes_ are {self.classes_.tolist()!r})."
            )
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
            elif name in vars(self):
                delattr(self, name)
        sorter = np.argsort(self.classes_)
        codes = sorter[np.searchsorted(self.classes_, y, sorter=sorter)]
        if sample_weight is None:
            counts = class_counts(y, self.classes_)
        else:
            counts = np.bincount(
                codes, weights=sample_weight, minlength=self.classes_.size
            )
        return codes, counts

    def _check_prior_counts(self, counts, weighted=False):
        """Refuse a class of ``classes_`` that has no sample in ``y``."""
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            label = self.classes_.tolist()[empty[0]]
            if weighted:
                raise ValueError(
                    f"Class {label!r} has a total sample_weight of 0; every "
                    f"class of the estimator needs samples of positive weight "
                    f"to estimate its prior."
                )
            raise ValueError(
                f"Class {label!r} has 0 samples in y; every class of the "
                f"estimator needs samples to estimate its prior."
            )

    def _check_folds(self, folds, codes, cv, purpose):
        """Refuse folds whose training part misses a class of ``y``.

        The estimator fitted on such a fold cannot predict the missing class
        (and a binary estimator cannot be fitted at all), so the out-of-fold
        probabilities would be wrong for it.
        """
        n_classes = self.classes_.size
        n_rows = np.bincount(codes, minlength=n_classes)
        for i, (train, _) in enumerate(folds):
            missing = np.flatnonzero(
                (np.bincount(codes[train], minlength=n_classes) == 0) & (n_rows > 0)
            )
            if not missing.size:
                continue
            code = missing[np.argmin(n_rows[missing])]
            label, n = self.classes_.tolist()[code], int(n_rows[code])
            if n < 2:
                advice = (
                    "Out-of-fold probabilities need at least 2 samples of every "
                    "class, whatever the number of folds (stratified folds then "
                    "keep one in every training fold): add samples of the class, "
                    "drop it, or wrap a fitted estimator in FrozenEstimator to "
                    "use its probabilities on the training data"
                )
            else:
                advice = (
                    "Use stratified folds, e.g. an int cv, which keep a sample "
                    "of every class of at least 2 samples in every training fold"
                )
            splits = f"cv={cv}" if isinstance(cv, Integral) else "cv"
            raise ValueError(
                f"Class {label!r} has {n} sample{'s' if n != 1 else ''} in y, "
                f"and training fold {i} of {splits} holds none of them, so "
                f"{purpose} cannot be computed out of fold. {advice}."
            )

    def _oof_proba(self, X, y, codes, cv, fit_params, purpose):
        """Out-of-fold probabilities, columns in ``classes_`` order.

        A frozen estimator is not refitted: its probabilities on ``X`` (data it
        was not trained on, presumably) serve as they are.
        """
        if isinstance(self.estimator_, FrozenEstimator):
            return np.asarray(self.estimator_.predict_proba(X), dtype=float)
        splitter = check_cv(cv, y, classifier=True)
        with warnings.catch_warnings():
            # a class with fewer samples than folds: checked just below
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            folds = list(splitter.split(X, y))
        self._check_folds(folds, codes, cv, purpose)
        proba = cross_val_predict(
            clone(self.estimator),
            X,
            y,
            cv=folds,
            method="predict_proba",
            params=fit_params,
        )
        labels = np.unique(y)  # cross_val_predict orders columns this way
        if not np.array_equal(labels, self.classes_):
            proba = proba[:, np.searchsorted(labels, self.classes_)]
        return np.asarray(proba, dtype=float)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the estimator and learn the decision rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as ``estimator`` accepts it.

        y : array-like of shape (n_samples,)
            Target labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples: passed to the ``fit`` of ``estimator``
            (when metadata routing is enabled, only if it requests them), and
            used for the class counts, priors and out-of-fold metrics of the
            rule, where a sample counts as its weight. With integer weights,
            the rule is that of the samples repeated as many times, given the
            same fitted estimator (and, for a cross-validated rule, folds that
            keep the copies of a sample together).

        **fit_params : dict
            Parameters passed to the ``fit`` method of ``estimator`` (routed
            when metadata routing is enabled).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X, y = indexable(X, y)
        check_classification_y(y)
        y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, y.shape[0])
        if _routing_enabled():
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            fit_params = routed.estimator.fit
        elif sample_weight is not None:
            if not isinstance(self.estimator, FrozenEstimator):
                check_fit_takes_sample_weight(
                    self.estimator,
                    "so the estimator cannot be fitted with the weights; use an "
                    "estimator that accepts them.",
                )
            fit_params = {**fit_params, "sample_weight": sample_weight}
        codes, counts = self._fit_estimator(X, y, sample_weight, fit_params)
        self._fit_weights(X, y, codes, counts, sample_weight, fit_params)
        return self

    def _search_rows(self, codes, proba, sample_weight):
        """The rows that count in a search: those of positive weight."""
        if sample_weight is None:
            return codes, proba, None
        keep = sample_weight > 0
        return codes[keep], proba[keep], sample_weight[keep]

    def _adjusted_log_proba(self, X):
        check_is_fitted(self)
        return _adjusted_log_proba(
            self.estimator_.predict_proba(X), self._class_log_weights()
        )

    def predict_proba(self, X):
        """Adjusted class probabilities, whose argmax is ``predict``.

        The probabilities of ``estimator_`` multiplied by the learned class
        weights and renormalised to sum to one per row (in log space, so that
        no weight underflows).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, as ``estimator`` accepts them.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Adjusted probabilities, columns in the order of ``classes_``.
        """
        return np.exp(self._adjusted_log_proba(X))

    def predict_log_proba(self, X):
        """Logarithm of the adjusted class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, as ``estimator`` accepts them.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, computed in log space.
        """
        return self._adjusted_log_proba(X)

    def predict(self, X):
        """Predict the class of largest adjusted probability.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, as ``estimator`` accepts them.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, ``classes_[argmax(predict_proba(X), axis=1)]``.
        """
        log_proba = self._adjusted_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the ``fit`` of ``estimator``; the
            classifier itself consumes ``sample_weight``.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags
