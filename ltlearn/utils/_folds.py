"""The (train, test) folds a ``cv`` parameter gives, as arrays of row indices."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ltlearn.utils._validation import check_some_splits


def _fold_part(rows, n_samples, name, where):
    """The indices of ``rows``, one part of a fold, in ``0 .. n_samples - 1``.

    A boolean mask of the samples gives the indices it marks, and a negative
    index counts from the end, as in scikit-learn's ``cross_validate``; other
    values, a mask of another length and indices out of range are refused
    (``where`` names the part in the error).
    """
    rows = np.asarray(rows)
    if rows.size == 0:
        return np.zeros(0, dtype=np.intp)
    if rows.ndim == 1 and rows.dtype == bool:
        if rows.size == n_samples:
            return np.flatnonzero(rows)
        raise ValueError(
            f"{name} gives {where} as a boolean mask of {rows.size} values, "
            f"but X has {n_samples} samples: the folds are of other data."
        )
    if rows.ndim != 1 or rows.dtype.kind not in "iu":
        raise ValueError(
            f"{name} gives {where} as an array of {rows.dtype} values of "
            f"shape {rows.shape}; a fold's parts must be 1-d arrays of sample "
            "indices (or boolean masks of the samples)."
        )
    low, high = int(rows.min()), int(rows.max())
    if low < -n_samples or high >= n_samples:
        bad = high if high >= n_samples else low
        raise ValueError(
            f"{name} gives {where} with the index {bad}, out of range for the "
            f"{n_samples} samples of X: the folds are of other data."
        )
    if low < 0:
        rows = np.where(rows < 0, rows + n_samples, rows)
    # no copy of indices already of the index type: a splitter of many folds
    # (LeaveOneOut) keeps them all in memory once, not twice
    return rows.astype(np.intp, copy=False)


def checked_folds(folds, n_samples, name, purpose):
    """``folds``, the splits of the parameter ``name``, as arrays of indices.

    Each training and test part becomes an array of indices into the
    ``n_samples`` samples (see :func:`_fold_part`); no splits at all are
    refused as by :func:`~ltlearn.utils._validation.check_some_splits`, with
    ``purpose`` saying what they are for, and so is a fold that holds out no
    sample: nothing would be predicted or scored on it.
    """
    folds = list(folds)
    check_some_splits(folds, name, purpose)
    checked = []
    for i, (train, test) in enumerate(folds):
        train = _fold_part(train, n_samples, name, f"the training part of fold {i}")
        test = _fold_part(test, n_samples, name, f"the test part of fold {i}")
        if not test.size:
            raise ValueError(
                f"{name} gives fold {i} with an empty test part, so {purpose}: "
                "every fold must hold out at least one sample."
            )
        checked.append((train, test))
    return checked
