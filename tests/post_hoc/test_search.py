"""Tests of the exact coordinate search behind the post-hoc rules."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import balanced_accuracy_score

from ltlearn.post_hoc import _rule_scores, _search
from ltlearn.post_hoc._base import _adjusted_log_proba
from ltlearn.post_hoc._rule_scores import _class_terms, _score_codes
from ltlearn.post_hoc._search import (
    _coordinate_ascent,
    _coordinate_step,
    _held_out_terms,
    _RankedRows,
    _validated_refinement,
)


@pytest.mark.parametrize(
    "scoring", ["balanced_accuracy", "geometric_mean", "f1_macro", "f1"]
)
@pytest.mark.parametrize("seed", range(4))
def test_coordinate_step_is_an_exact_line_search(scoring, seed):
    """No weight of one class beats the step's, on a fine grid of weights."""
    rng = np.random.default_rng(seed)
    n_samples, n_classes = 60, 2 if scoring == "f1" else 4  # f1: binary only
    proba = rng.dirichlet(np.full(n_classes, 0.5), size=n_samples)
    y = np.r_[np.arange(n_classes), rng.integers(0, n_classes, n_samples - n_classes)]
    counts = np.bincount(y, minlength=n_classes)
    weights = rng.uniform(0.2, 2.0, n_classes)
    k = seed % n_classes
    new, best, current = _coordinate_step(proba, y, counts, weights, k, scoring, None)
    moved = weights.copy()
    moved[k] = new
    score = _score_codes(scoring, y, np.argmax(proba * moved, axis=1), counts, None)
    grid = []
    for value in np.geomspace(1e-3, 1e3, 2000):
        trial = weights.copy()
        trial[k] = value
        grid.append(
            _score_codes(scoring, y, np.argmax(proba * trial, axis=1), counts, None)
        )
    assert score >= max(grid) - 1e-12
    assert best >= current


def _voted(seed, max_samples, min_classes, n_votes):
    """Forest-like probabilities (vote counts), labels and PluginClassifier's start.

    Returns ``proba``, ``y`` (every class present), the class counts and the
    start ``1 / prior``, normalised.
    """
    rng = np.random.RandomState(seed)
    n_samples = rng.randint(20, max_samples)
    n_classes = rng.randint(min_classes, 5)
    n_trees = rng.choice(n_votes)
    votes = [
        rng.multinomial(n_trees, rng.dirichlet(np.ones(n_classes)))
        for _ in range(n_samples)
    ]
    proba = np.array(votes) / n_trees
    y = rng.randint(0, n_classes, n_samples)
    y[:n_classes] = np.arange(n_classes)
    counts = np.bincount(y, minlength=n_classes).astype(float)
    prior = counts / counts.sum()
    return proba, y, counts, (1 / prior) / np.sum(1 / prior)


@pytest.mark.parametrize("seed", [2, 9, 99, 109])
def test_coordinate_step_scores_what_argmax_predicts_on_tied_probabilities(seed):
    """Forest-like probabilities: ratios equal up to rounding, rows on a tie.

    The weight returned gives the rule whose score the step reports. From a
    weight on a tie the step moves into the best interval even where the tie,
    as argmax breaks it, scored higher (seed 148: macro-F1 0.2586 to 0.2580),
    so the new rule is not in general at least as good as the current one;
    it is on these seeds.
    """
    proba, y, counts, weights = _voted(seed, 120, 2, [10, 20, 50])
    n_classes = proba.shape[1]
    for scoring in ("balanced_accuracy", "f1_macro"):
        before = _score_codes(scoring, y, np.argmax(proba * weights, 1), counts, None)
        for k in range(n_classes):
            new, best, _ = _coordinate_step(
                proba, y, counts, weights.copy(), k, scoring, None
            )
            moved = weights.copy()
            moved[k] = new
            pred = np.argmax(proba * moved, axis=1)
            after = _score_codes(scoring, y, pred, counts, None)
            assert after == pytest.approx(best, abs=1e-12)
            assert after >= before - 1e-12


@pytest.mark.parametrize("seed", [327, 334])
@pytest.mark.parametrize("scoring", ["balanced_accuracy", "geometric_mean"])
def test_coordinate_ascent_leaves_no_weight_on_a_tie(seed, scoring):
    """Vote-count probabilities: the rule found is the one predict applies.

    A weight kept on a tie scored the rule of ``argmax(p * w)``, which broke
    it by rounding, while the log space of predict broke it the other way
    (balanced accuracy 0.525 searched, 0.469 applied, for seed 327).
    """
    proba, y, counts, start = _voted(seed, 60, 3, [5, 10])
    coords = range(proba.shape[1])
    weights, _ = _coordinate_ascent(
        proba, y, counts, start, scoring, None, coords=coords, max_iter=10
    )
    searched = np.argmax(proba * weights, axis=1)
    applied = np.argmax(_adjusted_log_proba(proba, np.log(weights)), axis=1)
    np.testing.assert_array_equal(applied, searched)
    # no row's two best classes tie, up to rounding
    scaled = np.sort(proba * weights, axis=1)
    top, second = scaled[:, -1], scaled[:, -2]
    assert np.all((top > second * (1 + 1e-10)) | (top == 0))


@pytest.mark.parametrize("seed", range(3))
def test_search_sorts_give_the_stable_orders(seed):
    """The faster sorts of a step end where numpy's stable sorts do.

    Thresholds with many ties (ratios of forest-like probabilities, and both
    signs of zero), and rival classes beyond 16 bits as well as within.
    """
    rng = np.random.default_rng(seed)
    ratios = rng.integers(0, 6, 500) / rng.integers(1, 4, 500)
    zeros = np.where(rng.random(500) < 0.5, 0.0, -0.0)
    for values in (ratios, zeros, rng.random(500), ratios[:1], ratios[:0]):
        order = _search._stable_argsort(values)
        assert np.array_equal(order, np.argsort(values, kind="stable"))
    for n_groups in (7, 2**16, 2**16 + 3):
        groups = rng.integers(0, n_groups, 500)
        groups[:50] = n_groups - 1
        values = rng.uniform(0.1, 3.0, 500)
        (before,) = _rule_scores._cumulative_within_groups(groups, values)
        order = np.argsort(groups, kind="stable")
        expected = np.empty(500)
        for group in np.unique(groups):
            rows = order[groups[order] == group]
            expected[rows] = np.r_[0.0, np.cumsum(values[rows])[:-1]]
        np.testing.assert_allclose(before, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_ranked_rows_follow_one_weight_at_a_time(seed):
    """The kept ranking is what argmax gives after every change of a weight.

    Forest-like probabilities (many ties and zeros) and a NaN row: ties go to
    the first column, and NaN ranks first, as with ``np.argmax``.
    """
    rng = np.random.RandomState(seed)
    n_samples, n_classes = 300, 7
    proba = rng.multinomial(10, np.ones(n_classes) / n_classes, n_samples) / 10.0
    proba[0, 3] = np.nan
    weights = rng.choice([0.5, 1.0, 2.0], n_classes)
    ranked = _RankedRows(proba, weights)
    for _ in range(40):
        k = rng.randint(n_classes)
        weights[k] = rng.choice([0.25, 0.5, 1.0, 2.0, 4.0])
        ranked.update(k, weights[k])
        scaled = proba * weights
        assert np.array_equal(ranked.best, np.argmax(scaled, axis=1))
        for j in range(n_classes):
            masked = scaled.copy()
            masked[:, j] = -1.0
            rival, score = ranked.rival(j)
            assert np.array_equal(rival, np.argmax(masked, axis=1))
            expected = masked[np.arange(n_samples), rival]
            assert np.array_equal(score, expected, equal_nan=True)


def test_refine_auto_rejects_refinement_that_only_fits_noise():
    """Probabilities that carry no signal: nothing generalises, start is kept."""
    rng = np.random.default_rng(0)
    n_samples, n_classes = 400, 5
    y = rng.integers(0, n_classes, n_samples)
    proba = rng.dirichlet(np.ones(n_classes), size=n_samples)
    counts = np.bincount(y)
    start = 1 / counts
    refined, _ = _coordinate_ascent(
        proba, y, counts, start, "balanced_accuracy", None, coords=range(5), max_iter=5
    )
    in_sample_gain = balanced_accuracy_score(
        y, np.argmax(proba * refined, 1)
    ) - balanced_accuracy_score(y, np.argmax(proba * start, 1))
    assert in_sample_gain > 0.02  # the search overfits the rows it sees...
    shrink, n_iter = _validated_refinement(
        proba, y, counts, start, "balanced_accuracy", None, coords=range(5), max_iter=5
    )
    assert n_iter >= 1
    assert shrink == 0.0  # ...and the held-out check sees through it


@pytest.mark.parametrize("weighted", [False, True])
def test_score_codes_matches_the_metrics(weighted):
    """Balanced accuracy and G-mean of a rule, weighted or not, as sklearn's."""
    rng = np.random.default_rng(0)
    y = np.r_[np.arange(3), rng.integers(0, 3, 97)]
    pred = np.where(rng.random(100) < 0.7, y, rng.integers(0, 3, 100))
    weight = rng.uniform(0.5, 2.0, 100) if weighted else None
    counts = np.bincount(y, weights=weight, minlength=3)
    ba = _score_codes("balanced_accuracy", y, pred, counts, None, weight)
    gmean = _score_codes("geometric_mean", y, pred, counts, None, weight)
    assert ba == pytest.approx(balanced_accuracy_score(y, pred, sample_weight=weight))
    assert gmean == pytest.approx(
        geometric_mean_score(y, pred, sample_weight=weight, correction=0.0)
    )


def test_refine_auto_compares_a_zero_weight_with_the_start_itself(monkeypatch):
    """A refined weight that underflows to 0 leaves the unshrunk rule the start.

    Probabilities spanning hundreds of orders of magnitude (many classes)
    can drive a weight to 0; ``0 * log(0)`` then made the unshrunk weights
    NaN, whose argmax predicted the NaN class everywhere, so that a
    refinement that never predicts that class looked like a significant
    gain (every other recall up from 0), also with the warnings ignored.
    """
    rng = np.random.default_rng(0)
    n_samples, n_classes = 400, 8
    y = rng.integers(0, n_classes, n_samples)
    proba = rng.dirichlet(np.ones(n_classes), size=n_samples)
    proba += 3 * np.eye(n_classes)[y]
    proba /= proba.sum(axis=1, keepdims=True)
    counts = np.bincount(y)
    start = np.full(n_classes, 1 / n_classes)

    def ascent_to_a_zero_weight(proba, y_codes, counts, start, *args, **kwargs):
        refined = np.ones(n_classes)
        refined[0] = 0.0  # class 0 never predicted
        return refined / refined.sum(), 1

    monkeypatch.setattr(_search, "_coordinate_ascent", ascent_to_a_zero_weight)
    for action in ("error", "ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter(action, RuntimeWarning)
            shrink, _ = _validated_refinement(
                proba, y, counts, start, "balanced_accuracy", None,
                coords=range(n_classes), max_iter=5,
            )  # fmt: skip
        assert shrink == 0.0


@pytest.mark.parametrize(
    "proba, weights, expected",
    [
        # thresholds 1e-200 and 1e-190: their product underflowed to 0, a weight 0
        ([[1e-200, 1.0], [1e-190, 1.0], [1.0, 1e-300]], [1.0, 1e-250], [1, 0, 0]),
        # thresholds 1e200 and 1.5e200: their product overflowed, and the
        # weight 2e200 switched the row of 1.5e200 too
        ([[1.0, 1e-200], [1.0, 1 / 1.5e200], [1e-300, 1.0]], [1.0, 1.0], [1, 0, 1]),
    ],
)
def test_coordinate_step_weight_between_thresholds_far_from_one(
    proba, weights, expected
):
    """The new weight falls between its thresholds whatever their scale."""
    proba, weights = np.array(proba), np.array(weights)
    y = np.array([1, 0, 0])
    counts = np.bincount(y).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        new, best, _ = _coordinate_step(
            proba, y, counts, weights, 1, "balanced_accuracy", None
        )
    weights[1] = new
    pred = np.argmax(proba * weights, axis=1)
    assert pred.tolist() == expected
    assert balanced_accuracy_score(y, pred) == pytest.approx(best)


def test_coordinate_step_keeps_a_finite_weight_on_rounding_gains():
    """Scores equal up to rounding of the zero-recall penalty move no weight.

    One-hot probabilities: every weight of class 0 gives the current rule,
    whose G-mean terms summed two ways differ by 1e-10 (a penalty of 1e6 a
    class of zero recall); the step took it for a gain and returned half the
    upper end of the interval (0, inf): an infinite weight, NaN once the
    weights were divided by their maximum.
    """
    proba = np.eye(4)[[3, 3, 1, 1, 0, 3, 2, 0, 3, 0, 3, 2, 1, 0, 3]]
    y = np.array([0, 1, 0, 3, 3, 0, 2, 1, 2, 2, 1, 2, 3, 2, 1])
    counts = np.bincount(y).astype(float)
    weights = np.full(4, 0.25)
    new, _, _ = _coordinate_step(proba, y, counts, weights, 0, "geometric_mean", None)
    assert new == 0.25
    refined, _ = _coordinate_ascent(
        proba, y, counts, weights, "geometric_mean", None, coords=range(4),
        max_iter=5,
    )  # fmt: skip
    assert np.all(np.isfinite(refined))


def test_coordinate_step_gmean_counts_a_rounded_zero_recall_as_zero():
    """Fractional sample weights: a class that loses every row has recall 0.

    The three rows of class 0 (weights 0.1, 0.2, 0.7) switch to class 1 in
    another order than they were summed: 1 - (0.7 + 0.2 + 0.1) left 1e-16,
    scored log(1e-16) instead of the zero-recall penalty, and the step moved
    to the rule predicting class 1 everywhere for a gain it does not have.
    """
    proba = np.array([[0.5, 0.5], [0.4, 0.6], [0.3, 0.7], [0.6, 0.4]])
    y = np.array([0, 0, 0, 1])
    sample_weight = np.array([0.1, 0.2, 0.7, 1.0])
    counts = np.bincount(y, weights=sample_weight)
    weights = np.array([1.0, 0.1])
    new, best, current = _coordinate_step(
        proba, y, counts, weights, 1, "geometric_mean", None, sample_weight
    )
    assert (new, best) == (0.1, current)
    weights[1] = new
    pred = np.argmax(proba * weights, axis=1)
    expected = _score_codes("geometric_mean", y, pred, counts, None, sample_weight)
    assert expected == 0.0  # the current rule never predicts class 1


def test_gmean_terms_rank_every_class_recognised_first():
    # The G-mean search first makes every class recognised: a rule that leaves
    # one class of ten at zero recall ranks below one whose ten (weighted)
    # recalls are all 2e-9, just above the smallest recognised recall, 1e-9.
    n_true = np.full(10, 1.0)
    one_missed = np.r_[0.0, np.ones(9)]
    all_tiny = np.full(10, 2e-9)
    terms = [
        _class_terms("geometric_mean", tp, tp, n_true, 10).sum()
        for tp in (one_missed, all_tiny)
    ]
    assert terms[1] > terms[0]


def test_coordinate_step_takes_the_best_rule_nearest_the_current_one():
    # Balanced accuracy along class 1's weight peaks after 1 and after 5 of
    # the 6 switching rows; from 4 rows switched the step takes 5, the
    # nearer of the two equally good rules.
    p_1 = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])  # thresholds (1 - p) / p
    proba = np.column_stack([1.0 - p_1, p_1])
    y = np.array([1, 0, 0, 1, 1, 0])
    weights = np.array([1.0, 0.8])  # between the 4th and 5th thresholds
    new, best, now = _coordinate_step(
        proba, y, np.bincount(y), weights, 1, "balanced_accuracy", np.arange(2)
    )
    assert 1.0 < new < 1.5  # between the 5th and 6th thresholds
    assert best == pytest.approx(2 / 3) and now == pytest.approx(0.5)


@pytest.mark.parametrize(
    "d, expected", [([2.0, 0.0], 0.0), ([2.1, 0.1], 0.0), ([2.0, 0.5], 1.0)]
)
def test_refine_auto_keeps_a_gain_above_twice_its_standard_error(
    monkeypatch, d, expected
):
    """Per-class held-out gains ``d`` on each half: a mean gain of 1 with a
    standard error of 0.58, or of 1.1 with 0.58 (0.5 with ``ddof=0``), is not
    significant, one of 1.25 with 0.43 is. The gains grow with the shrinkage
    (the same ratio to their standard error), so the largest is kept."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    proba = rng.dirichlet(np.ones(3), size=60)
    calls = []

    def held_out_terms(*args):
        calls.append(None)
        # in each half the start is scored first, then the shrinkages 1/4 to 1
        return (len(calls) - 1) % 4 * np.array(d)

    monkeypatch.setattr(_search, "_held_out_terms", held_out_terms)
    shrink, _ = _validated_refinement(
        proba, y, np.bincount(y), np.ones(3) / 3, "balanced_accuracy", None,
        coords=range(3), max_iter=2,
    )  # fmt: skip
    assert len(calls) == 8
    assert shrink == expected


def test_score_codes_gmean_of_a_class_never_predicted_is_zero_silently():
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 1, 1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = _score_codes("geometric_mean", y, pred, np.bincount(y), None)
    assert score == 0.0


def test_held_out_gmean_terms_count_a_zero_recall_as_half_a_sample():
    y = np.array([0, 0, 0, 0, 1, 1])
    pred = np.array([0, 0, 1, 1, 0, 0])
    terms = _held_out_terms(
        "geometric_mean", y, pred, np.bincount(y), np.array([True, True]), np.ones(6)
    )
    np.testing.assert_allclose(terms, np.log([0.5, 0.5 / 2]))


@pytest.mark.parametrize("gains, expected", [([1.0, -0.5], 0.0), ([1.0, 0.5], 1.0)])
def test_refine_auto_keeps_a_callable_gain_only_on_both_halves(
    monkeypatch, gains, expected
):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    proba = rng.dirichlet(np.ones(3), size=60)
    monkeypatch.setattr(
        _search, "_coordinate_ascent", lambda *args, **kwargs: (np.ones(3) / 3, 1)
    )
    calls = []

    def score_codes(*args):
        calls.append(None)
        # in each half the start is scored first, then the shrinkages 1/4 to 1,
        # whose gains grow with the shrinkage: the largest is kept
        i = len(calls) - 1
        return i % 4 * gains[i // 4]

    monkeypatch.setattr(_search, "_score_codes", score_codes)
    shrink, _ = _validated_refinement(
        proba, y, np.bincount(y), np.ones(3) / 3, balanced_accuracy_score, None,
        coords=range(3), max_iter=2,
    )  # fmt: skip
    assert len(calls) == 8
    assert shrink == expected


def test_refine_auto_with_a_class_absent_from_a_half_warns_of_nothing():
    # a class of one sample is absent from one half's search rows
    rng = np.random.default_rng(0)
    y = np.r_[rng.integers(0, 2, 59), 2]
    proba = rng.dirichlet(np.ones(3), size=60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shrink, _ = _validated_refinement(
            proba, y, np.bincount(y), np.ones(3) / 3, "balanced_accuracy", None,
            coords=range(3), max_iter=2,
        )  # fmt: skip
    assert shrink in (0.0, 0.25, 0.5, 1.0)
