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
    if y.dtype.kind not in "biu" or len(labels) < 2:
        return {label: np.flatnonzero(y == label) for label in labels}
    order = np.argsort(y, kind="stable")
    ordered = y[order]
    starts = np.searchsorted(ordered, labels, side="left")
    stops = np.searchsorted(ordered, labels, side="right")
    return {
        label: order[start:stop] for label, start, stop in zip(labels, starts, stops)
    }
