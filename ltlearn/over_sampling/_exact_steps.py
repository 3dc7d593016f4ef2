"""Synthetic values that plain floating-point interpolation gets wrong."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import sparse


def _huge_steps(b, d, steps):
    """``b + steps * (d - b)`` for values too large for ``d - b`` to be finite.

    Computed on halves, then doubled and clipped to the segment ``[b, d]``,
    so every row is finite and on its segment.
    """
    with np.errstate(over="ignore"):
        rows = b * 0.5 + steps * (d * 0.5 - b * 0.5)
        rows *= 2
    return np.clip(rows, np.minimum(b, d), np.maximum(b, d))


# float64 holds every integer of at most this magnitude, and rounds larger ones.
_EXACT_IN_FLOAT64 = 2**53


def _rounded_by_float64(X):
    """Whether the integer array ``X`` holds values that float64 would round."""
    if X.dtype.kind not in "iu" or X.size == 0:
        return False
    return int(X.max()) > _EXACT_IN_FLOAT64 or int(X.min()) < -_EXACT_IN_FLOAT64


def _integer_steps(b, d, steps):
    """``b + steps * (d - b)`` truncated toward zero, for 64-bit integers.

    ``b`` and ``d`` share an integer dtype of 8 bytes and ``steps`` lies in
    ``[0, 1)``. The step from ``b`` is counted in integers of the width
    ``|d - b|``, which only ``steps * |d - b|`` rounds, so every value lies
    on its segment ``[b, d]``: through float64, integers beyond ``2**53``
    would be rounded, off the segment, and a class of copies of one such
    value would get another value.
    """
    up = d >= b
    # the width of each segment, exact in uint64 (wrapping where signed)
    with np.errstate(over="ignore"):
        width = np.maximum(b, d).view(np.uint64) - np.minimum(b, d).view(np.uint64)
    gap = steps * width.astype(np.float64)
    whole = np.minimum(np.floor(gap), np.nextafter(2.0**64, 0))
    count = np.minimum(whole.astype(np.uint64), width)
    start = b.view(np.uint64)
    with np.errstate(over="ignore"):
        values = np.where(up, start + count, start - count).view(b.dtype)
    # ``values`` is the end of the unit interval that holds the exact value
    # nearer ``b``; truncating toward zero takes the other end where the
    # interval lies on the other side of zero
    inside = (gap > whole) & (count < width)
    values[up & inside & (values < 0)] += 1
    values[~up & inside & (values > 0)] -= 1
    return values


def _sparse_integer_steps(base, partner, steps):
    """``_integer_steps`` of the sparse rows ``base`` and ``partner``, as CSR.

    Computed on the entries stored in either row only, never on a dense row.
    """

    def pattern(rows):
        rows = sparse.csr_array(rows)
        return sparse.csr_array(
            (np.ones(rows.indices.size), rows.indices, rows.indptr), shape=rows.shape
        )

    union = pattern(base) + pattern(partner)
    if not union.nnz:
        return union.astype(base.dtype)
    union.sort_indices()
    rows = np.repeat(np.arange(union.shape[0]), np.diff(union.indptr))
    at = (rows, union.indices)
    values = _integer_steps(
        np.asarray(sparse.csr_array(base)[at]).ravel(),
        np.asarray(sparse.csr_array(partner)[at]).ravel(),
        steps[rows],
    )
    result = sparse.csr_array((values, union.indices, union.indptr), shape=union.shape)
    result.eliminate_zeros()
    return result
