"""CReST's generations: the pseudo-labels of one, its training set, the stop."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ltlearn.semi_supervised._selection import (
    _align_distribution,
    _same_kept_weights,
    _select,
    _temperature,
)


def _can_stall(selection, distribution_alignment, final_temperature):
    """Whether a generation that repeats the one before ends the training.

    Without anything that changes between generations (no random draws, no
    temperature schedule), the same pseudo-labels give the same model and so
    on forever.
    """
    return selection == "top" and not (
        distribution_alignment and final_temperature != 1
    )


def _same_pick(pick, previous):
    """Whether two generations kept the same rows as the same classes.

    ``pick`` and ``previous`` are ``(rows, label_index, kept_weight)``; the
    weights count up to rounding (:func:`_same_kept_weights`).
    """
    return (
        np.array_equal(pick[0], previous[0])
        and np.array_equal(pick[1], previous[1])
        and _same_kept_weights(pick[2], previous[2])
    )


def _pseudo_labels(crest, estimator, X_unlabeled, generation, prior, weight, rng):
    """The rows of ``X_unlabeled`` that ``generation`` pseudo-labels.

    The previous generation's ``estimator`` predicts them, aligned with
    ``prior`` for CReST+, and each class keeps its rate of them. Returns the
    picked rows, their class indices and the weights they keep (``None``
    without ``weight``).
    """
    proba = estimator.predict_proba(X_unlabeled)
    if crest.distribution_alignment:
        temperature = _temperature(generation, crest.max_iter, crest.final_temperature)
        proba = _align_distribution(proba, prior, temperature, weight)
    return _select(
        proba,
        crest.sampling_rates_,
        crest.selection,
        rng,
        weight,
        crest.threshold,
    )


def _training_set(y, classes, labeled_rows, pseudo_rows, label_index, weights):
    """The labels and rows of a generation's fit, with its weights if given.

    ``pseudo_rows`` take the classes of ``label_index``; the rows come in
    the order of ``y``. ``weights`` is ``None`` or the weights of the
    labelled rows and of the pseudo-labelled ones.
    """
    transduction = y.copy()
    transduction[pseudo_rows] = classes[label_index]
    train_rows = np.concatenate([labeled_rows, pseudo_rows])
    order = np.argsort(train_rows, kind="stable")
    train_weight = None
    if weights is not None:
        train_weight = np.r_[weights[0], weights[1]][order]
    return transduction, train_rows[order], train_weight
