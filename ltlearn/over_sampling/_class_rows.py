"""The rows of each class over-sampled, found in one pass over the labels."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np


def _class_rows(y, labels):
    """The rows of each of ``labels`` in ``y``: ``np.flatnonzero(y == label)``.

    Integer and boolean labels are sorted once (a stable sort keeps the rows
    of a class in ascending order), and each class takes its run of the
    sorted rows: a pass over ``y`` per class cost ``n_samples * n_classes``
    comparisons, most of the search time with thousands of small classes.
    Other labels (floats, which may hold NaN, strings, objects) are compared
    class by class.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The labels.
    labels : iterable
        The classes whose rows are wanted.

    Returns
    -------
    rows : dict
        The ascending row indices of each label, keyed by label, in the order
        of ``labels``.
    """
    labels = list(labels)
    values = _as_dtype(labels, y.dtype) if y.dtype.kind in "biu" else None
    if values is None or len(labels) < 2:
        return {label: np.flatnonzero(y == label) for label in labels}
    order = np.argsort(y, kind="stable")
    ordered = y[order]
    starts = np.searchsorted(ordered, values, side="left")
    stops = np.searchsorted(ordered, values, side="right")
    return {
        label: order[start:stop] for label, start, stop in zip(labels, starts, stops)
    }


def _as_dtype(labels, dtype):
    """``labels`` as an array of ``dtype``, or None unless each is exactly that.

    The searches must compare in the labels' own integer type: a list of
    Python ints is an int64 (or float64) array, which NumPy compares with
    uint64 labels as floats, equal above ``2 ** 53``.
    """
    try:
        values = np.array(labels, dtype=dtype)
    except (OverflowError, TypeError, ValueError):
        return None
    if any(value != label for value, label in zip(values.tolist(), labels)):
        return None
    return values
