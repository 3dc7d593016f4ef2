"""Shared machinery of the post-hoc classifiers: fitting, reweighting, search."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

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
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ltlearn.utils._validation import check_classification_y, class_counts

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
    # f1 and f1_macro: 2 TP / (n_true + n_pred), zero when the class is absent
    return 2 * tp / (n_true + n_pred) / (n_classes if scoring == "f1_macro" else 1)


def _score_codes(scoring, y_codes, pred_codes, counts, classes):
    """Score predicted class codes against true codes with ``scoring``."""
    if callable(scoring):
        return float(scoring(classes[y_codes], classes[pred_codes]))
    n_classes = counts.size
    tp = np.bincount(y_codes[y_codes == pred_codes], minlength=n_classes)
    n_pred = np.bincount(pred_codes, minlength=n_classes)
    if scoring == "geometric_mean":
        if np.any(tp == 0):
            return 0.0
        return float(np.exp(np.mean(np.log(tp / counts))))
    if scoring == "f1":
        return float(2 * tp[1] / (counts[1] + n_pred[1]))
    return float(np.sum(_class_terms(scoring, tp, n_pred, counts, n_classes)))


def _reweight(proba, weights):
    """Rows of ``proba * weights``, renormalised to sum to one."""
    weights = np.asarray(weights, dtype=float)
    adjusted = np.asarray(proba, dtype=float) * (weights / weights.max())
    total = adjusted.sum(axis=1, keepdims=True)
    np.divide(adjusted, total, out=adjusted, where=total > 0)
    return adjusted


def _coordinate_step(proba, y_codes, counts, weights, k, scoring, classes):
    """Best weight of class ``k`` for ``argmax(weights * proba)``, others fixed.

    As ``weights[k]`` grows from 0, sample ``i`` switches from its best other
    class ``r_i`` to ``k`` when ``weights[k]`` passes ``t_i = max_{j != k}
    weights[j] * proba[i, j] / proba[i, k]``. Sorting the ``t_i`` lists every
    distinct decision rule along the coordinate; for a named metric its value
    on all of them follows from cumulative sums of the confusion-matrix
    changes, so the step is an exact line search in O(n log n).

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

    if callable(scoring):
        candidates = np.flatnonzero(valid)
        if candidates.size > _CALLABLE_CUTS:
            keep = np.linspace(0, candidates.size - 1, _CALLABLE_CUTS).round()
            candidates = np.union1d(candidates[keep.astype(int)], [current])
        scores = np.full(n_events + 1, -np.inf)
        for j in candidates:
            pred = rival.copy()
            pred[events[:j]] = k
            scores[j] = _score_codes(scoring, y_codes, pred, counts, classes)
    else:
        y_events = y_codes[events]
        rival_events = rival[events]
        # class k: j predictions, of which cumsum(y == k) are right
        tp_k = np.concatenate([[0], np.cumsum(y_events == k)])
        pred_k = np.arange(n_events + 1)
        # rival classes start with every sample and lose one per event
        tp0 = np.bincount(rival[y_codes == rival], minlength=n_classes)
        pred0 = np.bincount(rival, minlength=n_classes)
        lost = (y_events == rival_events).astype(np.int64)
        order = np.lexsort((np.arange(n_events), rival_events))
        grouped = rival_events[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        group_start = np.repeat(starts, np.diff(np.r_[starts, n_events]))
        rank = np.empty(n_events, dtype=np.int64)
        rank[order] = np.arange(n_events) - group_start
        cum_lost = np.cumsum(lost[order])
        lost_before = np.empty(n_events, dtype=np.int64)
        lost_before[order] = (
            cum_lost - lost[order] - (cum_lost[group_start] - lost[order][group_start])
        )
        tp_before = tp0[rival_events] - lost_before
        pred_before = pred0[rival_events] - rank
        n_true = counts[rival_events]
        if scoring == "f1":  # only the positive class (code 1) counts
            terms = _class_terms(scoring, tp_k, pred_k, counts[k], 1) * (k == 1)
            delta = _class_terms(
                scoring, tp_before - lost, pred_before - 1, n_true, 1
            ) - _class_terms(scoring, tp_before, pred_before, n_true, 1)
            delta = delta * (rival_events == 1)
            base = _class_terms(scoring, tp0[1], pred0[1], counts[1], 1) * (k != 1)
        else:
            terms = _class_terms(scoring, tp_k, pred_k, counts[k], n_classes)
            delta = _class_terms(
                scoring, tp_before - lost, pred_before - 1, n_true, n_classes
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
    j = ties[np.argmin(np.abs(ties - current))]
    low, high = lower[j], upper[j]
    if j > current:  # more samples switch to k: raise the weight past `low`
        new = 2.0 * low if np.isinf(high) else min(np.sqrt(low * high), 2.0 * low)
    else:  # fewer samples: lower the weight below `high`
        new = 0.5 * high if low == 0 else max(np.sqrt(low * high), 0.5 * high)
    return new, best, scores[current]


def _coordinate_ascent(
    proba, y_codes, counts, weights, scoring, classes, *, coords, max_iter
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
                proba, y_codes, counts, weights, k, scoring, classes
            )
            if best > current + 1e-12:
                weights[k] = new
                improved = True
            weights /= weights.max()
        if not improved:
            break
    return weights / weights.sum(), n_iter


def _held_out_terms(scoring, y_codes, pred_codes, counts, present):
    """Per-class scores on held-out rows, for the paired comparison of rules."""
    n_classes = counts.size
    tp = np.bincount(y_codes[y_codes == pred_codes], minlength=n_classes)[present]
    n_true = counts[present]
    if scoring == "geometric_mean":  # a zero recall counts as half a sample
        return np.log(np.maximum(tp, 0.5) / n_true)
    if scoring == "f1_macro":
        n_pred = np.bincount(pred_codes, minlength=n_classes)[present]
        return 2 * tp / (n_true + n_pred)
    return tp / n_true


def _validated_refinement(
    proba, y_codes, counts, start, scoring, classes, *, coords, max_iter
):
    """How much of the coordinate-ascent refinement held-out rows support.

    The rows are split in two stratified halves; weights refined on one half
    from ``start`` are shrunk towards it, ``start ** (1 - a) * refined ** a``
    for ``a`` in ``_SHRINKAGE``, and scored on the other half. The largest
    mean held-out gain over ``a = 0`` is kept only if it is significant: for a
    named metric, mean above twice the standard error of the paired per-class
    differences over both halves; for a callable, a gain on both halves.
    Returns the kept ``a`` (0 when the refinement does not generalise) and
    the most sweeps that an ascent on a half took.
    """
    n_classes = counts.size
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
        fit_counts = np.maximum(np.bincount(y_codes[fit_rows], minlength=n_classes), 1)
        eval_counts = np.bincount(y_codes[eval_rows], minlength=n_classes)
        present = eval_counts > 0
        refined, sweeps = _coordinate_ascent(
            proba[fit_rows], y_codes[fit_rows], fit_counts, start, scoring,
            classes, coords=coords, max_iter=max_iter,
        )  # fmt: skip
        n_iter = max(n_iter, sweeps)
        y_eval, p_eval = y_codes[eval_rows], proba[eval_rows]
        base = None
        for i, shrink in enumerate(_SHRINKAGE):
            weights = np.exp((1 - shrink) * log_start + shrink * np.log(refined))
            pred = np.argmax(p_eval * weights, axis=1)
            if callable(scoring):
                value = np.array(
                    [_score_codes(scoring, y_eval, pred, eval_counts, classes)]
                )
            else:
                value = _held_out_terms(scoring, y_eval, pred, eval_counts, present)
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
    them from ``_class_weights``; the base fits ``estimator_`` (or keeps a
    ``FrozenEstimator`` as it is), computes out-of-fold probabilities on
    demand, and serves ``predict_proba`` as the reweighted, renormalised
    probabilities so that ``predict`` is exactly their argmax.
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
    }

    def __init__(self, estimator):
        self.estimator = estimator

    def _fit_estimator(self, X, y, fit_params):
        """Fit ``estimator_`` and set ``classes_`` and the input attributes."""
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
        counts = class_counts(y, self.classes_)
        return codes, counts

    def _check_prior_counts(self, counts):
        """Refuse a class of ``classes_`` that has no sample in ``y``."""
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            label = self.classes_.tolist()[empty[0]]
            raise ValueError(
                f"Class {label!r} has 0 samples in y; every class of the "
                f"estimator needs samples to estimate its prior."
            )

    def _oof_proba(self, X, y, cv, fit_params):
        """Out-of-fold probabilities, columns in ``classes_`` order.

        A frozen estimator is not refitted: its probabilities on ``X`` (data it
        was not trained on, presumably) serve as they are.
        """
        if isinstance(self.estimator_, FrozenEstimator):
            return np.asarray(self.estimator_.predict_proba(X), dtype=float)
        splitter = check_cv(cv, y, classifier=True)
        proba = cross_val_predict(
            clone(self.estimator),
            X,
            y,
            cv=splitter,
            method="predict_proba",
            params=fit_params,
        )
        labels = np.unique(y)  # cross_val_predict orders columns this way
        if not np.array_equal(labels, self.classes_):
            proba = proba[:, np.searchsorted(labels, self.classes_)]
        return np.asarray(proba, dtype=float)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the estimator and learn the decision rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as ``estimator`` accepts it.

        y : array-like of shape (n_samples,)
            Target labels.

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
        if _routing_enabled():
            fit_params = process_routing(self, "fit", **fit_params).estimator.fit
        codes, counts = self._fit_estimator(X, y, fit_params)
        self._fit_weights(X, y, codes, counts, fit_params)
        return self

    def predict_proba(self, X):
        """Adjusted class probabilities, whose argmax is ``predict``.

        The probabilities of ``estimator_`` multiplied by the learned class
        weights and renormalised to sum to one per row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, as ``estimator`` accepts them.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Adjusted probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return _reweight(self.estimator_.predict_proba(X), self._class_weights())

    def predict_log_proba(self, X):
        """Logarithm of the adjusted class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, as ``estimator`` accepts them.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

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
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the ``fit`` of ``estimator``.
        """
        return MetadataRouter(owner=self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags
