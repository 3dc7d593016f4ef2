"""Search engine of the post-hoc rules: metric terms and exact coordinate ascent."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import warnings

import numpy as np
from sklearn.model_selection import StratifiedKFold

from ltlearn.metrics._classification import _per_class_recall

# Names accepted by ``scoring``; each metric is a sum of per-class terms of the
# confusion matrix (see ``_class_terms``), which the exact coordinate search
# below relies on.
_SCORINGS = ("balanced_accuracy", "geometric_mean", "f1", "f1_macro")

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

# Fractions of the refined weights, against the starting ones, that the
# held-out check of ``_validated_refinement`` compares.
_SHRINKAGE = (0.0, 0.25, 0.5, 1.0)
# Relative gap below which two switching thresholds of a coordinate step are
# taken as equal: ratios equal in exact arithmetic differ by a few ulps.
_TIE_RTOL = 1e-9


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


def _with_unit_weights(sample_weight, n_samples):
    """The weights of the search: ``sample_weight``, or ones when it is None."""
    if sample_weight is None:
        return np.ones(n_samples)
    return sample_weight


def _stable_argsort(values):
    """``np.argsort(values, kind="stable")`` of a 1-d float array, faster.

    The stable order is the only order of the values that breaks ties by
    position, so any sort that ends there returns it: numpy's default sort
    (vectorised, several times faster than its stable one on floats), then
    the positions within each run of equal values sorted.
    """
    order = np.argsort(values)
    ordered = values[order]
    tied = ordered[1:] == ordered[:-1]
    if tied.any():
        # unique keys (run of equal values, position): any sort is stable
        run = np.concatenate([[0], np.cumsum(~tied)])
        order = np.sort(run * values.size + order) % values.size
    return order


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


def _rule_score(scoring, y_codes, pred, counts, classes, row_weight, sample_weight):
    """The score of predictions ``pred`` on the scale of ``_coordinate_step``.

    For a named metric the sum of its ``_class_terms``, for a callable its
    value.
    """
    if callable(scoring):
        return _score_codes(scoring, y_codes, pred, counts, classes, sample_weight)
    n_classes = counts.size
    hit = y_codes == pred
    tp = np.bincount(y_codes[hit], weights=row_weight[hit], minlength=n_classes)
    n_pred = np.bincount(pred, weights=row_weight, minlength=n_classes)
    if scoring == "f1":
        return float(_class_terms(scoring, tp[1], n_pred[1], counts[1], 1))
    return float(np.sum(_class_terms(scoring, tp, n_pred, counts, n_classes)))


class _RankedRows:
    """The two best classes of every row of ``proba * weights``, kept up to date.

    ``best`` is ``argmax(proba * weights, axis=1)`` and ``second`` the argmax
    of each row without its best class, both breaking ties by the first
    column as ``np.argmax`` does, and ``scaled`` holds ``proba * weights``.
    A coordinate step needs, for every row, the best class other than ``k``:
    ``best``, or ``second`` where ``best`` is ``k``. Recomputing the argmax of
    the whole ``(n_samples, n_classes)`` product at every step cost
    ``O(n_samples * n_classes)`` a step, ``O(n_samples * n_classes**2)`` a
    sweep (39 s for a sweep over 1000 classes of 10 000 rows); a change of
    one weight updates one column and ranks anew only the rows whose two best
    classes included it (7 s for that sweep, the sorts of the line search
    then dominating).
    """

    def __init__(self, proba, weights):
        self.proba = proba
        n_samples, n_classes = proba.shape
        # row-major whatever the layout of proba, for ``rival``
        self.scaled = np.empty((n_samples, n_classes))
        self._row_start = np.arange(n_samples) * n_classes
        self.reset(weights)

    def reset(self, weights):
        """Rank every row anew: ``weights`` all changed."""
        self.weights = np.array(weights, dtype=float)
        # in place: no second array of the size of proba
        np.multiply(self.proba, self.weights, out=self.scaled)
        self.best, self.second = self._top_two(self.scaled)

    @staticmethod
    def _top_two(scaled):
        best = scaled.argmax(axis=1)
        rows = np.arange(scaled.shape[0])
        kept = scaled[rows, best]
        scaled[rows, best] = -np.inf
        second = scaled.argmax(axis=1)
        scaled[rows, best] = kept
        return best, second

    def rival(self, k):
        """For each row, the best class other than ``k`` and its scaled score."""
        rival = np.where(self.best == k, self.second, self.best)
        return rival, self.scaled.ravel().take(self._row_start + rival)

    def update(self, k, weight):
        """Set the weight of class ``k``, the other weights unchanged."""
        if weight == self.weights[k]:
            return
        self.weights[k] = weight
        column = self.proba[:, k] * weight
        self.scaled[:, k] = column
        # rows whose best or second class is k may now rank a third class
        # above it (and NaN orders as np.argmax does): rank them anew
        again = (self.best == k) | (self.second == k) | np.isnan(column)
        redo = np.flatnonzero(again)
        if redo.size:
            self.best[redo], self.second[redo] = self._top_two(self.scaled[redo])
        # elsewhere k enters the top two if it ranks above the second
        rest = np.flatnonzero(~again)
        value = column[rest]
        best, second = self.best[rest], self.second[rest]
        best_value, second_value = self.scaled[rest, best], self.scaled[rest, second]
        above_best = (value > best_value) | ((value == best_value) & (k < best))
        above_second = (value > second_value) | ((value == second_value) & (k < second))
        new_second = np.where(above_best, best, np.where(above_second, k, second))
        self.best[rest] = np.where(above_best, k, best)
        self.second[rest] = new_second


def _coordinate_step(
    proba, y_codes, counts, weights, k, scoring, classes, sample_weight=None,
    ranks=None, now=None,
):  # fmt: skip
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

    ``ranks`` is a ``_RankedRows`` of ``proba`` and ``weights``, kept by
    the caller across steps; by default it is computed here. ``now`` is the
    score of the current rule when the caller has it (a previous step on the
    same rule returned it); by default it is computed here.

    Returns the new weight, the score of the new rule and that of the
    current. The new weight lies strictly inside the interval of its rule,
    off every threshold, so that predict's log-space rule is the rule scored;
    from a current weight on a threshold it moves even when the tie, as
    argmax breaks it, scored higher (the new score is then below the current).
    """
    n_samples, n_classes = proba.shape
    ranked = _RankedRows(proba, weights) if ranks is None else ranks
    rival, rival_score = ranked.rival(k)
    p_k = proba[:, k]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # tiny p_k
        switch = np.where(p_k > 0, rival_score / p_k, np.inf)
    finite = np.flatnonzero(np.isfinite(switch))
    events = finite[_stable_argsort(switch[finite])]
    thresholds = switch[events]
    n_events = events.size

    # Valid cuts: j events switched needs thresholds[j - 1] < w < thresholds[j].
    # Thresholds equal up to rounding (0.2 / 0.4 and 0.1 / 0.2) switch
    # together: no weight reliably falls between them.
    lower = np.concatenate([[0.0], thresholds])
    upper = np.concatenate([thresholds, [np.inf]])
    valid = upper > lower * (1.0 + _TIE_RTOL)
    current = int(np.searchsorted(thresholds, weights[k], side="left"))
    row_weight = _with_unit_weights(sample_weight, n_samples)
    w_events = row_weight[events]
    position = np.concatenate([[0.0], np.cumsum(w_events)])

    if callable(scoring):
        candidates = np.flatnonzero(valid)
        if candidates.size > _CALLABLE_CUTS:
            keep = np.linspace(0, candidates.size - 1, _CALLABLE_CUTS).round()
            candidates = candidates[keep.astype(int)]
            if valid[current]:
                candidates = np.union1d(candidates, [current])
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
    # The current weight may sit on a threshold (KNN or tree probabilities,
    # weights in the ratios of the class counts), where rounding breaks the
    # tie, each way its own: argmax here, the log space of predict there. The
    # current rule is scored as argmax gives it, but kept only from inside an
    # interval; from a tie the weight moves inside the best interval.
    if now is None:
        now = _rule_score(
            scoring, y_codes, ranked.best, counts, classes, row_weight, sample_weight
        )
    # a weight placed below is a factor 1 + _TIE_RTOL / 2 or more inside
    margin = 1.0 + _TIE_RTOL / 4
    inside = valid[current] and (
        lower[current] * margin < weights[k] < upper[current] / margin
    )
    if inside and not best > now + 1e-12:
        return weights[k], now, now
    # Among the best rules, the one nearest the current weight; the new weight
    # enters its interval by at most a factor 2 past the switching threshold.
    ties = np.flatnonzero(scores >= best - 1e-12)
    j = ties[np.argmin(np.abs(position[ties] - position[current]))]
    low, high = lower[j], upper[j]
    if j > current:  # more samples switch to k: raise the weight past `low`
        new = 2.0 * low if np.isinf(high) else min(_between(low, high), 2.0 * low)
    else:  # fewer samples: lower the weight below `high`
        new = 0.5 * high if low == 0 else max(_between(low, high), 0.5 * high)
    if not np.isfinite(new):  # `low` within a factor 2 of the largest float
        return weights[k], now, now
    return new, best, now


def _between(low, high):
    """The geometric mean of two positive thresholds, strictly between them.

    ``sqrt(low * high)``, or ``sqrt(low) * sqrt(high)`` where the product
    underflows or overflows: of thresholds 1e-200 and 1e-190 it was 0, a
    weight below both, and of 1e200 and 1.5e200 inf, above both.
    """
    with np.errstate(over="ignore", under="ignore"):
        product = low * high
    if np.finfo(float).tiny <= product < np.inf:
        return np.sqrt(product)
    return np.sqrt(low) * np.sqrt(high)


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
    never decreases once every weight is off the thresholds of its rows (a
    step moves a weight off a tie even at a loss); sweeps stop when one
    changes nothing or after ``max_iter``. Returns the weights (summing to
    one) and the sweep count.
    """
    weights = np.array(weights, dtype=float)
    ranked = _RankedRows(proba, weights)
    n_iter = 0
    now = None  # the score of the current rule, once a step has it
    for n_iter in range(1, max_iter + 1):
        improved = False
        for k in coords:
            new, best, now = _coordinate_step(
                proba, y_codes, counts, weights, k, scoring, classes,
                sample_weight, ranked, now,
            )  # fmt: skip
            if new != weights[k]:  # a better rule, or off a tie
                weights[k] = new
                improved = True
                now = None
            top = weights.max()
            weights /= top
            if top == 1.0:  # the division changed nothing: only weights[k] moved
                ranked.update(k, weights[k])
            else:
                ranked.reset(weights)
                now = None
        if not improved:
            break
    return weights / weights.sum(), n_iter


def _held_out_terms(scoring, y_codes, pred_codes, counts, present, sample_weight):
    """Per-class scores on held-out rows, for the paired comparison of rules."""
    n_classes = counts.size
    n_true = counts[present]
    if scoring == "f1_macro":
        hit = y_codes == pred_codes
        tp = np.bincount(y_codes[hit], weights=sample_weight[hit], minlength=n_classes)
        n_pred = np.bincount(pred_codes, weights=sample_weight, minlength=n_classes)
        return 2 * tp[present] / (n_true + n_pred[present])
    recall = _per_class_recall(
        y_codes, pred_codes, np.arange(n_classes), sample_weight
    )[present]
    if scoring == "geometric_mean":  # a zero recall counts as half a sample
        return np.log(np.maximum(recall, 0.5 / n_true))
    return recall


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
    For ``"geometric_mean"``, where the start leaves a class unrecognised on
    both halves (a G-mean of 0), the shrinkage of largest mean gain among
    those recognising every class on both halves is kept even when that test
    fails: with few classes that test may fail however many the rows.
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
    # G-mean: whether each rule recognises every class present in a half
    recognised = [[] for _ in _SHRINKAGE]
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
        with np.errstate(divide="ignore"):  # a class the ascent never predicts
            log_refined = np.log(refined)
        for i, shrink in enumerate(_SHRINKAGE):
            # no shrinkage is the start itself: 0 * log(0) would be NaN
            moved = shrink * log_refined if shrink else 0.0
            weights = np.exp((1 - shrink) * log_start + moved)
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
            hits = np.bincount(y_eval[pred == y_eval], minlength=n_classes)
            recognised[i].append(bool(np.all(hits[present] > 0)))
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
    if scoring == "geometric_mean" and best == 0 and not any(recognised[0]):
        # The start leaves a class unrecognised on both halves: a held-out
        # G-mean of 0, which any rule recognising every class on both halves
        # beats, however few the classes that the per-class test above needs.
        fixing = [
            (float(np.mean(np.concatenate(diff))), shrink)
            for shrink, diff, seen in zip(_SHRINKAGE, diffs, recognised)
            if all(seen)
        ]
        if fixing:
            best = max(fixing)[1]
    return best, n_iter


def _takes_an_estimator(scoring):
    """Whether ``scoring`` is called as a scorer, ``scorer(estimator, X, y)``."""
    try:
        names = list(inspect.signature(scoring).parameters)
    except (TypeError, ValueError):  # no signature to read
        return False
    return names[:1] == ["estimator"]


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
