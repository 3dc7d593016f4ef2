"""Search engine of the post-hoc rules: exact coordinate ascent and its check."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
from sklearn.model_selection import StratifiedKFold

from ltlearn.metrics._classification import _per_class_recall
from ltlearn.post_hoc._rule_scores import (
    _MACRO_F1,
    _cut_scores,
    _ranked,
    _rule_score,
    _score_codes,
)

# Fractions of the refined weights, against the starting ones, that the
# held-out check of ``_validated_refinement`` compares.
_SHRINKAGE = (0.0, 0.25, 0.5, 1.0)
# Relative gap below which two switching thresholds of a coordinate step are
# taken as equal: ratios equal in exact arithmetic differ by a few ulps.
_TIE_RTOL = 1e-9


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
    n_samples = proba.shape[0]
    ranked = _RankedRows(proba, weights) if ranks is None else ranks
    rival, rival_score = ranked.rival(k)
    p_k = proba[:, k]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # tiny p_k
        switch = np.where(p_k > 0, rival_score / p_k, np.inf)
    finite = np.flatnonzero(np.isfinite(switch))
    events = finite[_stable_argsort(switch[finite])]
    thresholds = switch[events]

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

    scores = _cut_scores(
        scoring, y_codes, counts, classes, sample_weight, row_weight,
        k, rival, events, position, valid, current,
    )  # fmt: skip

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
    if scoring in _MACRO_F1:
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
                score = _score_codes(
                    scoring, y_eval, pred, eval_counts, classes, eval_weight
                )
                value = np.array([_ranked(score)])
            else:
                value = _held_out_terms(
                    scoring, y_eval, pred, eval_counts, present, row_weight[eval_rows]
                )
            base = value if base is None else base
            with np.errstate(invalid="ignore"):  # -inf - -inf, NaN scores
                diff = value - base
            # two rules a callable scores NaN (-inf) tie, as two equal numbers
            diffs[i].append(np.where(value == base, 0.0, diff))
            if scoring == "geometric_mean":
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
