"""CReST's generations: the training set and fit of one, and when to stop."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing

from ltlearn.semi_supervised._selection import _same_kept_weights
from ltlearn.utils._metaestimators import no_proba_advice, refuse_frozen
from ltlearn.utils._routing import take_rows
from ltlearn.utils._validation import may_have_method


def _refuse_no_proba(estimator):
    raise ValueError(
        f"CReSTClassifier pseudo-labels by the class probabilities of its "
        f"estimator, but {type(estimator).__name__} has no predict_proba; "
        f"{no_proba_advice(estimator)}."
    )


def _check_estimator(estimator):
    """Refuse a given ``estimator`` that the generations cannot use or refit."""
    refuse_frozen(
        estimator,
        "CReSTClassifier",
        "anew in each generation, on the labelled rows and those it pseudo-labelled",
        "learn from",
    )
    if not may_have_method(estimator, "predict_proba"):
        _refuse_no_proba(estimator)  # else checked once fitted


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


def _fit_generation(estimator, X, y, rows, sample_weight, fit_params):
    """A clone of ``estimator`` fitted on ``rows``, weighted if given.

    The ``fit_params`` of one value per row are taken on ``rows``.
    """
    params = take_rows(fit_params, rows, y.shape[0])
    if sample_weight is not None:
        params["sample_weight"] = sample_weight
    fitted = clone(estimator).fit(_safe_indexing(X, rows), y[rows], **params)
    if not hasattr(fitted, "predict_proba"):
        _refuse_no_proba(fitted)
    return fitted
