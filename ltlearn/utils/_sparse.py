"""The stored form of a sparse ``X``: repeated entries, the width of indices."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import sparse


def sum_duplicate_entries(X):
    """``X``, or a copy of it whose repeated entries are summed.

    A CSR or CSC matrix may store a cell more than once (its value is the
    sum), which scikit-learn's Euclidean distances read as a smaller norm:
    ``NearestNeighbors`` and ``KMeans`` then find other neighbours and
    clusters than for the same data stored once. Unsorted indices without
    repeats are kept as they are. ``X`` itself is never modified, nor are
    its cached flags: SciPy keeps ``has_canonical_format`` (and
    ``has_sorted_indices``) on the matrix it reads them from, where they
    would outlive the caller's later edits of its index arrays, so they are
    read from a structure sharing ``X``'s arrays.
    """
    if sparse.issparse(X) and X.format in ("csr", "csc"):
        probe = type(X)((X.data, X.indices, X.indptr), shape=X.shape, copy=False)
        if not probe.has_canonical_format:
            summed = X.copy()
            summed.sum_duplicates()
            if summed.nnz < X.nnz:
                return summed
    return X


def downcast_sparse_indices(X):
    """``X``, or ``X`` with 32-bit index arrays where its 64-bit ones fit.

    SciPy's sparse arrays keep the 64-bit indices they are built from
    (``csr_array((data, (rows, cols)))`` with NumPy's default integers),
    where sparse matrices downcast them; scikit-learn's ``KMeans`` and trees
    refuse 64-bit indices. The result shares ``X``'s values; ``X`` itself is
    never modified.
    """
    if not (sparse.issparse(X) and X.format in ("csr", "csc")):
        return X
    int32 = np.dtype(np.int32)
    if X.indices.dtype == int32 and X.indptr.dtype == int32:
        return X
    if max(X.nnz, *X.shape) > np.iinfo(int32).max:
        return X  # too large: left to the models that take 64-bit indices
    return type(X)(
        (X.data, X.indices.astype(int32), X.indptr.astype(int32)), shape=X.shape
    )
