"""Scores of the post-hoc decision rules: per-class metric terms and cut scores.

The exact coordinate search (``_search``) scores every rule along one class
weight at once, from cumulative confusion-matrix counts; this module holds
the metrics it accepts, the score of one rule, and the scores of all the
cuts along a coordinate.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import reprlib

import numpy as np

from ltlearn.metrics._classification import _per_class_recall

# Names accepted by ``scoring``; each metric is a sum of per-class terms of the
# confusion matrix (see ``_class_terms``), which the exact coordinate search
# relies on. The macro-F1 has two names: scikit-learn's "f1_macro" and
# ltlearn's "macro_f1" (``get_scorer``, ``make_recipe``, the reports).
_MACRO_F1 = ("f1_macro", "macro_f1")
_SCORINGS = ("balanced_accuracy", "geometric_mean", "f1", *_MACRO_F1)

# Term of a class with zero recall in the G-mean search: any such class costs
# more than every achievable sum of log recalls, so the search first makes
# every class recognised, then maximises the G-mean.
_ZERO_RECALL_PENALTY = 1e6

# Recall below which the G-mean search takes a class for unrecognised: far
# below any recall of real weights, far above the rounding of their sums.
_MIN_RECALL = 1e-9

# Rules tried per coordinate step for a callable metric, which cannot be
# updated incrementally: evenly spaced among all of them, plus the current one.
_CALLABLE_CUTS = 32


def _class_terms(scoring, tp, n_pred, n_true, n_classes):
    """Per-class terms whose sum ranks decision rules like ``scoring`` does.

    ``tp``, ``n_pred`` and ``n_true`` broadcast together: true positives,
    predicted count and true count of a class. ``n_classes`` is the number of
    classes; for ``"f1"`` the caller passes the terms of the positive class
    only. The exact line search needs these terms for every rule along a
    coordinate at once, from cumulative confusion-matrix counts; the score of
    a single rule (``_score_codes``) takes its recalls from ``ltlearn.metrics``.
    """
    tp = np.asarray(tp, dtype=float)
    if scoring == "balanced_accuracy":
        return tp / n_true / n_classes
    if scoring == "geometric_mean":
        # A class is recognised from a recall of _MIN_RECALL: the cumulative
        # sums of fractional sample weights leave +-1e-16 where no sample is
        # right, which a test tp > 0 scored log(1e-16) instead of the penalty.
        recognised = tp > _MIN_RECALL * n_true
        with np.errstate(divide="ignore", invalid="ignore"):
            log_recall = np.log(tp / n_true)
        return np.where(recognised, log_recall, -_ZERO_RECALL_PENALTY) / n_classes
    # f1 and the macro-F1: 2 TP / (n_true + n_pred), zero when the class is
    # neither present nor predicted (scikit-learn's zero_division=0)
    num, denom = np.broadcast_arrays(2 * tp, np.asarray(n_true + n_pred, dtype=float))
    f1 = np.divide(num, denom, out=np.zeros(num.shape), where=denom > 0)
    return f1 / (n_classes if scoring in _MACRO_F1 else 1)


def _call_scoring(scoring, y_true, y_pred, sample_weight):
    """Call a metric ``scoring(y_true, y_pred)``, weighted when weights are given."""
    if sample_weight is None:
        return _as_number(scoring, scoring(y_true, y_pred))
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
    return _as_number(scoring, scoring(y_true, y_pred, sample_weight=sample_weight))


def _as_number(scoring, score):
    """``score``, what the ``scoring`` callable returned, as a float.

    Refused by name where it is no number, as in ``GridSearchCV``: a metric
    of one value per class (``f1_score`` with ``average=None``), a tuple or
    a report failed with Python's "only 0-dimensional arrays can be converted
    to Python scalars" or "could not convert string to float".
    """
    try:
        return float(score)
    except (TypeError, ValueError):
        raise ValueError(
            f"scoring must return a number, got {reprlib.repr(score)} "
            f"({type(score).__name__}) instead (scoring={scoring!r}); give a "
            "metric of one value for all the classes, such as "
            "sklearn.metrics.balanced_accuracy_score."
        ) from None


def _ranked(score):
    """A score as the searches rank it: NaN below every number (``-inf``).

    A callable ``scoring`` may give NaN for some rules (scikit-learn's
    ``precision_score(zero_division=np.nan)`` on a rule that predicts no
    positive), which compares false with every number: the search then kept
    its starting rule whatever the other rules scored, or failed. Such a
    rule ranks last, as in ``GridSearchCV``; its NaN score is kept where it
    is reported.
    """
    return -np.inf if np.isnan(score) else score


def _score_codes(scoring, y_codes, pred_codes, counts, classes, sample_weight=None):
    """Score predicted class codes against true codes with ``scoring``.

    ``counts`` are the (weighted) class counts of ``y_codes``; with
    ``sample_weight`` every row counts as its weight. The per-class recalls
    of the balanced accuracy and the G-mean come from ``ltlearn.metrics``.
    """
    if callable(scoring):
        return _call_scoring(
            scoring, classes[y_codes], classes[pred_codes], sample_weight
        )
    n_classes = counts.size
    if scoring in ("balanced_accuracy", "geometric_mean"):
        recall = _per_class_recall(
            y_codes, pred_codes, np.arange(n_classes), sample_weight
        )
        if scoring == "balanced_accuracy":
            return float(np.sum(recall / n_classes))
        if np.any(recall == 0):
            return 0.0
        return float(np.exp(np.mean(np.log(recall))))
    hit = y_codes == pred_codes
    hit_weight = None if sample_weight is None else sample_weight[hit]
    tp = np.bincount(y_codes[hit], weights=hit_weight, minlength=n_classes)
    n_pred = np.bincount(pred_codes, weights=sample_weight, minlength=n_classes)
    if scoring == "f1":
        return float(_class_terms(scoring, tp[1], n_pred[1], counts[1], 1))
    return float(np.sum(_class_terms(scoring, tp, n_pred, counts, n_classes)))


def _rule_score(scoring, y_codes, pred, counts, classes, row_weight, sample_weight):
    """The score of predictions ``pred`` on the scale of ``_cut_scores``.

    For a named metric the sum of its ``_class_terms``, for a callable its
    value (NaN ranked as ``-inf``, see ``_ranked``).
    """
    if callable(scoring):
        return _ranked(
            _score_codes(scoring, y_codes, pred, counts, classes, sample_weight)
        )
    n_classes = counts.size
    hit = y_codes == pred
    tp = np.bincount(y_codes[hit], weights=row_weight[hit], minlength=n_classes)
    n_pred = np.bincount(pred, weights=row_weight, minlength=n_classes)
    if scoring == "f1":
        return float(_class_terms(scoring, tp[1], n_pred[1], counts[1], 1))
    return float(np.sum(_class_terms(scoring, tp, n_pred, counts, n_classes)))


def _cumulative_within_groups(groups, *values):
    """For each row, the sums of each of ``values`` over earlier rows of its group."""
    n = groups.size
    if n and 0 <= groups.min() and groups.max() <= np.iinfo(np.uint16).max:
        # the same stable order, by numpy's radix sort of 16-bit keys
        order = np.argsort(groups.astype(np.uint16), kind="stable")
    else:
        order = np.argsort(groups, kind="stable")
    grouped = groups[order]
    first = np.empty(n, dtype=bool)
    first[:1] = True
    np.not_equal(grouped[1:], grouped[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    run = np.cumsum(first) - 1  # the group of each row, in sorted order
    sums = []
    for value in values:
        ordered = value[order]
        cum = np.cumsum(ordered)
        at_start = cum[starts] - ordered[starts]  # one value a group
        before = np.empty(n, dtype=cum.dtype)
        before[order] = cum - ordered - at_start[run]
        sums.append(before)
    return sums


def _cut_scores(
    scoring, y_codes, counts, classes, sample_weight, row_weight,
    k, rival, events, position, valid, current,
):  # fmt: skip
    """The score of every cut along the weight of class ``k``.

    Cut ``j`` switches the first ``j`` of ``events`` (the rows whose
    switching weight is finite, in increasing order of it) from their
    ``rival`` class to ``k``; ``position`` holds the cumulative row weights
    of the events (``position[j]`` for cut ``j``), ``valid`` which cuts a
    weight can give and ``current`` the cut of the current weight.

    For a named metric every cut is scored, as the sum of its
    ``_class_terms``, from cumulative sums of the confusion-matrix changes.
    A callable ``scoring`` cannot be updated incrementally: at most
    ``_CALLABLE_CUTS`` valid cuts, evenly spread, are scored, those near
    either end that ``_end_cuts`` adds where they are further apart than
    the rarest class has rows, and the ``current`` one. Cuts not scored
    score ``-inf``, as do cuts a callable scores NaN.
    """
    if callable(scoring):
        return _callable_cut_scores(
            scoring, y_codes, counts, classes, sample_weight,
            k, rival, events, valid, current,
        )  # fmt: skip
    return _named_cut_scores(
        scoring, y_codes, counts, row_weight, k, rival, events, position, valid
    )


def _end_cuts(n_candidates, rarest):
    """Cuts near either end to try besides the evenly spread ones.

    The evenly spread cuts lie ``step`` valid cuts apart. Where that is more
    than the ``rarest`` class has rows, the rules that flag only a few rows,
    or all but a few, as the class of the coordinate (those that tell the
    rows of a rare class apart: 10 positives in 10,000 rows, cuts 322 rows
    apart) fall between the first two cuts or the last two: the cuts 1, 2,
    4, ... valid cuts from either end, closer than ``step``, are then
    returned, as positions among the ``n_candidates`` valid cuts.
    """
    step = (n_candidates - 1) / (_CALLABLE_CUTS - 1)
    if step <= rarest:
        return np.empty(0, dtype=int)
    near = 2 ** np.arange(int(np.ceil(np.log2(step))))
    return np.concatenate([near, n_candidates - 1 - near])


def _callable_cut_scores(
    scoring, y_codes, counts, classes, sample_weight, k, rival, events, valid, current
):
    """The cut scores of a callable ``scoring`` (see ``_cut_scores``)."""
    candidates = np.flatnonzero(valid)
    if candidates.size > _CALLABLE_CUTS:
        keep = np.linspace(0, candidates.size - 1, _CALLABLE_CUTS).round()
        rows = np.bincount(y_codes, minlength=counts.size)
        near_ends = _end_cuts(candidates.size, rows[rows > 0].min())
        if near_ends.size:
            keep = np.union1d(keep, near_ends)
        candidates = candidates[keep.astype(int)]
        if valid[current]:
            candidates = np.union1d(candidates, [current])
    scores = np.full(events.size + 1, -np.inf)
    for j in candidates:
        pred = rival.copy()
        pred[events[:j]] = k
        scores[j] = _ranked(
            _score_codes(scoring, y_codes, pred, counts, classes, sample_weight)
        )
    return scores


def _named_cut_scores(
    scoring, y_codes, counts, row_weight, k, rival, events, position, valid
):
    """The cut scores of a named ``scoring`` (see ``_cut_scores``)."""
    n_classes = counts.size
    w_events = row_weight[events]
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
            _class_terms(scoring, tp0[others], pred0[others], counts[others], n_classes)
        )
    scores = base + terms + np.concatenate([[0.0], np.cumsum(delta)])
    scores[~valid] = -np.inf
    return scores


def _takes_an_estimator(scoring):
    """Whether ``scoring`` is called as a scorer, ``scorer(estimator, X, y)``.

    Its first parameter is named ``estimator``, or it needs three positional
    arguments where a metric is given two (besides a ``sample_weight``, which
    a weighted fit passes by name).
    """
    try:
        parameters = list(inspect.signature(scoring).parameters.values())
    except (TypeError, ValueError):  # no signature to read
        return False
    positional = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    required = [
        p
        for p in parameters
        if p.kind in positional and p.default is p.empty and p.name != "sample_weight"
    ]
    return [p.name for p in parameters[:1]] == ["estimator"] or len(required) >= 3


def _check_scoring(scoring, n_classes):
    if callable(scoring) and _takes_an_estimator(scoring):
        raise ValueError(
            f"scoring={scoring!r} is a scorer, called as scorer(estimator, X, "
            f"y); scoring takes a name or a metric score(y_true, y_pred), such "
            f"as sklearn.metrics.balanced_accuracy_score."
        )
    if scoring == "f1" and n_classes != 2:
        raise ValueError(
            f"scoring='f1' is the F1 score of the positive class and needs a "
            f"binary target; this one has {n_classes} classes. Use "
            f"scoring='f1_macro' for the mean F1 over classes."
        )
