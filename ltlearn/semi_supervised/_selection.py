"""CReST's pseudo-label selection: per-class rates, alignment, the pick."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

# Added to both sides of the alignment ratio, as in the official CReST code.
_ALIGN_EPS = 1e-6


def _sampling_rates(counts, alpha):
    """CReST's per-class keep rates ``mu`` from the labelled class counts.

    With the classes ranked by decreasing labelled count, ``N_1 >= ... >= N_L``,
    the class of rank ``l`` keeps ``mu_l = (N_(L+1-l) / N_1) ** alpha`` of the
    rows predicted as it: the most frequent class the smallest fraction, the
    rarest class all of them. Classes with equal counts share the rank of the
    first of them, so they get equal rates (rarest classes that tie all get
    the rate of the first of them, below 1).

    Parameters
    ----------
    counts : array-like of shape (n_classes,)
        Labelled samples per class, in any order.
    alpha : float
        The exponent; 0 keeps every prediction of every class.

    Returns
    -------
    rates : ndarray of shape (n_classes,)
        The rate of each class, in the order of ``counts``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    descending = np.sort(counts)[::-1]
    # 1-based rank, ties sharing the smallest rank.
    rank = 1 + np.count_nonzero(counts[:, None] < counts[None, :], axis=1)
    return (descending[counts.size - rank] / descending[0]) ** alpha


def _temperature(generation, n_generations, final_temperature):
    """CReST+'s alignment temperature for a 0-based generation.

    It decreases linearly from 1 at generation 0 to ``final_temperature`` at
    the last generation, ``n_generations - 1``.
    """
    if n_generations <= 1:
        return 1.0
    fraction = generation / (n_generations - 1)
    return (1.0 - fraction) + fraction * final_temperature


def _align_distribution(proba, prior, temperature, sample_weight=None):
    """Scale ``proba`` towards the tempered ``prior`` (CReST+'s alignment).

    Each row is multiplied by ``target / p_model``, where ``target`` is
    ``prior ** temperature`` renormalised and ``p_model`` the mean predicted
    distribution over the rows (weighted by ``sample_weight``), then
    renormalised.
    """
    target = prior**temperature
    target /= target.sum()
    p_model = np.average(proba, axis=0, weights=sample_weight)
    aligned = proba * ((target + _ALIGN_EPS) / (p_model + _ALIGN_EPS))
    return aligned / aligned.sum(axis=1, keepdims=True)


def _select(proba, rates, selection, rng, sample_weight=None, threshold=None):
    """Choose the pseudo-labelled rows, per predicted class.

    The candidates of a class are the rows predicted as it, with a largest
    probability of at least ``threshold`` when one is given. Returns the
    sorted row positions, for each the index of its pseudo-label in the
    columns of ``proba``, and the weight it is kept with (``None`` without
    ``sample_weight``). With weights, ``"top"`` keeps the most
    confident rows up to ``floor(rate * total weight)`` of the class, the
    last one with the part of its weight that fits, as if each row were
    repeated as many times as its (integer) weight; ``"random"`` draws each
    row once and keeps it with its whole weight.
    """
    predicted = np.argmax(proba, axis=1)
    confidence = proba[np.arange(proba.shape[0]), predicted]
    picked, kept = [], []
    confident = True if threshold is None else confidence >= threshold
    for k, rate in enumerate(rates):
        candidates = np.flatnonzero((predicted == k) & confident)
        if selection == "top":
            ranked = candidates[np.argsort(-confidence[candidates], kind="stable")]
            if sample_weight is None:
                picked.append(ranked[: int(np.floor(candidates.size * rate))])
                continue
            weight = sample_weight[ranked]
            budget = np.floor(weight.sum() * rate)
            take = np.clip(budget - (np.cumsum(weight) - weight), 0, weight)
            picked.append(ranked[take > 0])
            kept.append(take[take > 0])
        else:
            chosen = candidates[rng.random_sample(candidates.size) < rate]
            picked.append(chosen)
            if sample_weight is not None:
                kept.append(sample_weight[chosen])
    rows = np.concatenate(picked)
    order = np.argsort(rows, kind="stable")
    weights = None if sample_weight is None else np.concatenate(kept)[order]
    rows = rows[order]
    return rows, predicted[rows], weights


def _same_kept_weights(weights, previous):
    """Whether two picks of the same rows keep them with the same weights.

    ``None`` (no weights) equals only ``None``. With ``"top"``, the weight
    that the last row of a class keeps is the budget less a running sum over
    the rows ranked before it: the same rows ranked in another order give it
    up to rounding, which counts as no change (integer weights sum exactly).
    """
    if weights is None or previous is None:
        return weights is previous
    return np.allclose(weights, previous, rtol=1e-9, atol=0)
