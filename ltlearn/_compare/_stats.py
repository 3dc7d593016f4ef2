"""Statistics across data sets: common data sets, ranks, Friedman, Nemenyi, Wilcoxon.

Following Demšar, "Statistical Comparisons of Classifiers over Multiple Data
Sets", JMLR 7 (2006): methods are ranked on each data set, the Friedman test
asks whether the mean ranks differ at all, and the Nemenyi critical difference
says which pairs differ.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from dataclasses import dataclass, field

import numpy as np

from ltlearn.recipes._registry import RECIPES

# Scores equal up to this many decimals tie (threshold-moving, logit adjustment
# and the plug-in rule coincide on binary data).
_DECIMALS = 10


def is_peer(method):
    recipe = RECIPES.get(method)
    return recipe is not None and recipe.peer


def critical_difference(n_methods, n_datasets, alpha=0.05):
    """Nemenyi's critical difference of mean ranks (Demšar 2006, section 3.2.2).

    ``q_alpha`` is the studentized range statistic for ``n_methods`` groups and
    infinite degrees of freedom, divided by the square root of two.
    """
    from scipy.stats import studentized_range

    q_alpha = studentized_range.ppf(1 - alpha, n_methods, np.inf) / math.sqrt(2)
    return q_alpha * math.sqrt(n_methods * (n_methods + 1) / (6 * n_datasets))


@dataclass
class Ranking:
    """Methods ranked over the data sets where every one of them ran."""

    methods: list  # best mean rank first
    datasets: list  # the common data sets
    left_out_datasets: dict  # data set -> why
    left_out_methods: dict  # method -> why
    mean: dict  # method -> mean score over the common data sets
    mean_rank: dict  # method -> mean rank over the common data sets
    scores: dict  # method -> array of the mean scores, in ``datasets`` order
    ranks: dict = field(default_factory=dict)  # data set -> {method: rank}
    friedman: tuple = None  # (statistic, p-value), or None with < 3 methods
    cd: float = None  # Nemenyi critical difference at alpha=0.05
    best: str = None
    # the methods of the same mean rank and mean as ``best`` (then first by name)
    tied: list = field(default_factory=list)
    best_peer: str = None
    versus_peer: dict = field(default_factory=dict)  # method -> (w, t, l, p)


def _ran(summary):
    """``(data set, method)`` pairs where every fold fitted and scored."""
    failed = {(row["dataset"], row["method"]) for row in summary.errors}
    return {
        key
        for key, value in summary.mean.items()
        if key not in failed and not math.isnan(value)
    }


def _clipped(text, width=80):
    """``text`` cut to about ``width`` characters at a space, with "..." if cut."""
    if len(text) <= width:
        return text
    cut = text[:width]
    if " " in cut and not text[width].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "..."


def _why_not(summary, dataset, method, skipped):
    for row in summary.errors:
        if row["dataset"] == dataset and row["method"] == method:
            return f"{method} failed ({_clipped(row['error'])})"
    if method in skipped:
        return f"{method} does not apply ({skipped[method].split(';')[0]})"
    return f"{method} has no score"


def _methods_and_common_datasets(summary, skipped, ran):
    """The methods to rank, the data sets they share, and the methods set aside.

    Returns ``(methods, common, left_out_methods)``. A method without a score
    anywhere is set aside; then, while fewer than half of the data sets (and
    two) are common to all, the method that ran on the fewest, the later one
    on a tie, as long as more than two remain.
    """
    datasets = [d for d in summary.datasets if d not in summary.unscored]
    methods = [m for m in summary.methods if any((d, m) in ran for d in datasets)]
    # With the reason a method was not run (crest on data without unlabelled
    # rows said "no score on any data set", as if it had failed).
    left_out_methods = {
        m: "no score on any data set" + (f" ({skipped[m]})" if m in skipped else "")
        for m in summary.methods
        if m not in methods
    }
    needed = max(2, math.ceil(len(datasets) / 2)) if len(datasets) > 1 else 1
    while True:
        common = [d for d in datasets if all((d, m) in ran for m in methods)]
        coverage = {m: sum((d, m) in ran for d in datasets) for m in methods}
        gaps = [m for m in methods if coverage[m] < len(datasets)]
        if len(common) >= needed or not gaps or len(methods) <= 2:
            break
        sparsest = min(gaps, key=lambda m: (coverage[m], -methods.index(m)))
        methods.remove(sparsest)
        reason = skipped.get(sparsest, "it failed on some")
        left_out_methods[sparsest] = (
            f"ran on {coverage[sparsest]} of {len(datasets)} data sets ({reason})"
        )
    return methods, common, left_out_methods


def _left_out_datasets(summary, skipped, ran, methods, common):
    """``{data set: why}`` of the data sets not among ``common``."""
    left_out = {}
    for dataset in summary.datasets:
        if dataset in common:
            continue
        if dataset in summary.unscored:
            left_out[dataset] = "no method has a score"
            continue
        missing = [m for m in methods if (dataset, m) not in ran]
        left_out[dataset] = "; ".join(
            _why_not(summary, dataset, m, skipped) for m in missing
        )
    return left_out


def _rank(ranking, summary, methods):
    """Rank ``methods`` on each common data set; order them, best first.

    Sets the ranks, means, order, best and tied methods of ``ranking``, and
    returns the ranks, one row per data set, one column per method of
    ``methods``.
    """
    from scipy.stats import rankdata

    common = ranking.datasets
    scores = np.array([[summary.mean[(d, m)] for m in methods] for d in common])
    ranks = np.vstack([rankdata(-np.round(row, _DECIMALS)) for row in scores])
    ranking.ranks = {
        d: {m: float(r) for m, r in zip(methods, row)} for d, row in zip(common, ranks)
    }
    mean_rank = dict(zip(methods, ranks.mean(axis=0)))
    mean = dict(zip(methods, scores.mean(axis=0)))
    # means equal to _DECIMALS, as the ranks take the scores: then by name
    rounded = {m: np.round(mean[m], _DECIMALS) for m in methods}
    order = sorted(methods, key=lambda m: (mean_rank[m], -rounded[m], m))
    ranking.methods = order
    ranking.mean = {m: float(mean[m]) for m in order}
    ranking.mean_rank = {m: float(mean_rank[m]) for m in order}
    ranking.scores = {m: scores[:, methods.index(m)] for m in order}
    ranking.best = order[0]
    ranking.tied = [
        m
        for m in order[1:]
        if (mean_rank[m], rounded[m]) == (mean_rank[order[0]], rounded[order[0]])
    ]
    return ranks


def _test_ranks(ranking, ranks):
    """Friedman's test and Nemenyi's critical difference, over 2 data sets or more.

    Friedman's test needs 3 methods or more; the critical difference, 2.
    """
    from scipy.stats import friedmanchisquare

    n_datasets, n_methods = ranks.shape
    if n_methods >= 3 and n_datasets >= 2:
        if np.ptp(ranks, axis=1).any():
            statistic, p_value = friedmanchisquare(*ranks.T)
            ranking.friedman = (float(statistic), float(p_value))
        else:
            ranking.friedman = (0.0, 1.0)
    if n_methods >= 2 and n_datasets >= 2:
        ranking.cd = critical_difference(n_methods, n_datasets)


def _differences(scores, reference):
    """``scores - reference`` for the signed-rank test, rounded to ``_DECIMALS``.

    The signs are those of the scores rounded to ``_DECIMALS``, as the ranks
    take them (equal scores tie). The sizes are those of the differences of
    the scores before rounding, so that differences equal up to rounding
    error tie in the signed ranks: the rounded scores put ``1 - 2/3`` and
    ``2/3 - 1/3`` at 0.3333333333 and 0.3333333334.
    """
    values = np.round(scores, _DECIMALS)
    reference_values = np.round(reference, _DECIMALS)
    signs = np.sign(values - reference_values)
    # two scores a rounding boundary apart: the least difference of that sign
    sizes = np.maximum(
        np.abs(np.round(scores - reference, _DECIMALS)), 10.0**-_DECIMALS
    )
    return signs * sizes


def _compare_to_peer(ranking):
    """Each method against the best peer: wins, ties, losses, Wilcoxon p-value.

    Sets nothing without a peer among the ranked methods.
    """
    from scipy.stats import wilcoxon

    peers = [m for m in ranking.methods if is_peer(m)]
    if not peers:
        return
    ranking.best_peer = peers[0]
    for method in ranking.methods:
        if method == peers[0]:
            continue
        differences = _differences(ranking.scores[method], ranking.scores[peers[0]])
        wins = int(np.sum(differences > 0))
        losses = int(np.sum(differences < 0))
        ties = len(ranking.datasets) - wins - losses
        p_value = 1.0  # identical on every data set
        if wins + losses:
            # the ties left out before the call: with zeros among the
            # differences, scipy 1.11 switches to the normal approximation
            # where newer scipy keeps the exact distribution of the others
            p_value = float(wilcoxon(differences[differences != 0]).pvalue)
        ranking.versus_peer[method] = (wins, ties, losses, p_value)


def rank_common(summary, skipped=None):
    """Rank the methods over the data sets where all of them ran.

    A method that ran on fewer data sets than would leave at least half of
    them (and two) in common is set aside, the sparsest first, and listed
    with the reason.

    Parameters
    ----------
    summary : Summary
        The aggregate of a comparison.
    skipped : dict, default=None
        ``{method: reason}`` of methods that do not apply to some data sets.

    Returns
    -------
    ranking : Ranking
    """
    skipped = dict(skipped or {})
    ran = _ran(summary)
    methods, common, left_out_methods = _methods_and_common_datasets(
        summary, skipped, ran
    )
    ranking = Ranking(
        methods=[],
        datasets=common,
        left_out_datasets=_left_out_datasets(summary, skipped, ran, methods, common),
        left_out_methods=left_out_methods,
        mean={},
        mean_rank={},
        scores={},
    )
    if not common or not methods:
        return ranking
    ranks = _rank(ranking, summary, methods)
    _test_ranks(ranking, ranks)
    _compare_to_peer(ranking)
    return ranking
