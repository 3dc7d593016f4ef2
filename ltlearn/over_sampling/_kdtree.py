"""The exact searches behind SMOTE's neighbours, the same on every machine.

A KD-tree for up to 15 features, and the check of scikit-learn's search of
a few points by their exact distances.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.spatial import cKDTree

# Candidates are ranked by exact distances this many values at a time.
_EXACT_VALUES = 2**16
# Scikit-learn's neighbours are checked this many pairs at a time.
_PAIRS = 2**20


def _tree_query(data, queries, n_neighbors, n_threads):
    """The ``n_neighbors`` that a KD-tree of ``data`` finds for ``data[queries]``.

    Their indices and distances, queried in leaf order (visiting the same
    nodes one after the other keeps the tree in cache: several times faster).
    """
    tree = cKDTree(data, leafsize=32, copy_data=False)
    rank = np.empty(data.shape[0], dtype=np.intp)
    rank[tree.indices] = np.arange(data.shape[0])
    order = np.argsort(rank[queries], kind="stable")
    dist, found = tree.query(data[queries[order]], k=n_neighbors, workers=n_threads)
    indices = np.empty((queries.size, n_neighbors), dtype=np.intp)
    indices[order] = found.reshape(queries.size, n_neighbors)
    distances = np.empty((queries.size, n_neighbors))
    distances[order] = dist.reshape(queries.size, n_neighbors)
    return indices, distances


def _squared_distances(X, points, queries):
    """The squared distances of ``X[points]`` to ``X[queries]``, pair by pair."""
    dist = np.empty(points.size, dtype=X.dtype)
    step = max(1, _EXACT_VALUES // X.shape[1])
    for i in range(0, points.size, step):
        diff = X[points[i : i + step]] - X[queries[i : i + step]]
        dist[i : i + step] = np.einsum("ij,ij->i", diff, diff)
    return dist


def _ranked(X, queries, found):
    """``found`` and its exact squared distances, nearest first (ties: query, row)."""
    pairs = np.repeat(queries, found.shape[1])
    dist = _squared_distances(X, found.ravel(), pairs).reshape(found.shape)
    order = np.lexsort((found, found != queries[:, None], dist), axis=1)
    return np.take_along_axis(found, order, 1), np.take_along_axis(dist, order, 1)


def _tree_kneighbors(X, queries, n_neighbors, n_threads):
    """k nearest neighbours with a KD-tree, the same on every machine.

    The points are rotated onto their principal axes, which aligns the
    tree's cuts with the directions in which the data spreads (correlated
    features then cost nothing). The rotation's rounding depends on the BLAS,
    so it must not choose among points at (nearly) equal distance: the
    neighbours found, one more than asked, stay as found when further apart
    than a bound far above that rounding; otherwise they are ranked by their
    distances in ``X`` (ties in row order) and, if the last two may tie,
    searched again unrotated (the tree breaks ties alike on every machine).
    Whole numbers (counts, binary or one-hot columns), full of ties, are
    searched unrotated from the start.
    """
    data = np.asarray(X, dtype=np.float64)
    if np.array_equal(data, np.round(data)):
        return _tree_query(data, queries, n_neighbors, n_threads)[0]
    centred = data - data.mean(axis=0)
    _, axes = np.linalg.eigh(centred.T @ centred)
    # far above the rounding error of a squared distance after the rotation
    tol = 2.0**-30 * float(np.einsum("ij,ij->i", centred, centred).max())
    rotated = centred @ axes[:, ::-1]
    del centred
    found, dist = _tree_query(rotated, queries, n_neighbors + 1, n_threads)
    close = np.flatnonzero((np.diff(dist**2, axis=1) <= tol).any(axis=1))
    indices = found[:, :n_neighbors].copy()
    if close.size:
        ranked, exact = _ranked(data, queries[close], found[close])
        indices[close] = ranked[:, :n_neighbors]
        redo = close[exact[:, n_neighbors] - exact[:, n_neighbors - 1] <= tol]
        if redo.size:
            indices[redo] = _tree_query(data, queries[redo], n_neighbors, n_threads)[0]
    return indices


def _mend_by_exact(X, queries, found):
    """``found``, with the rows that are not the nearest points mended.

    Scikit-learn's brute-force search computes ``||x||^2 - 2 x.y + ||y||^2``,
    whose rounding loses the differences of features far from zero beside
    their spread (a column of ``1e8`` plus or minus 1), so that it may return
    points that are not the nearest. Every point of ``X`` is ranked by its
    exact distance to each query (ties: the query, then row order); a row of
    ``found`` is kept where its exact distances are those of that ranking, up
    to the rounding of an exact distance (which may order near ties either
    way), else replaced by it, so that the rows found right stay as found.
    """
    n_queries, n_neighbors = found.shape
    n_points = X.shape[0]
    data = np.asarray(X, dtype=np.float64)
    # the rounding of a sum of n_features squares, with a margin
    margin = 4 * (X.shape[1] + 2) * np.finfo(np.float64).eps
    mended = found
    step = max(1, _PAIRS // n_points)
    for start in range(0, n_queries, step):
        rows = slice(start, start + step)
        every = np.broadcast_to(np.arange(n_points), (queries[rows].size, n_points))
        ranked, exact = _ranked(data, queries[rows], every)
        pairs = np.repeat(queries[rows], n_neighbors)
        dist = _squared_distances(data, found[rows].ravel(), pairs)
        dist = dist.reshape(found[rows].shape)
        tol = margin * exact[:, n_neighbors - 1 : n_neighbors]
        wrong = (np.abs(dist - exact[:, :n_neighbors]) > tol).any(axis=1)
        if wrong.any():
            if mended is found:
                mended = found.copy()
            mended[start + np.flatnonzero(wrong)] = ranked[wrong, :n_neighbors]
    return mended
