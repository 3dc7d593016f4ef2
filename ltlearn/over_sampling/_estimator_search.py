"""The neighbours found by a ``k_neighbors`` estimator of the user's."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

import numpy as np


def _estimator_kneighbors(fitted, X, n_neighbors, n_points):
    """``fitted.kneighbors(X)``: indices of ``n_neighbors`` (``None``: its own).

    Its own count is not passed again, as imbalanced-learn calls it: a search
    whose ``kneighbors`` takes no ``n_neighbors`` works unless the count must be
    lowered (a class smaller than it), which is refused by name. The indices
    are checked against the ``n_points`` rows ``fitted`` was fit on.
    """
    if n_neighbors is None or n_neighbors == getattr(fitted, "n_neighbors", None):
        found = fitted.kneighbors(X, return_distance=False)
        return _checked_indices(found, fitted, X.shape[0], n_points)
    params = inspect.signature(fitted.kneighbors).parameters
    if "n_neighbors" in params or any(p.kind == p.VAR_KEYWORD for p in params.values()):
        found = fitted.kneighbors(X, n_neighbors=n_neighbors, return_distance=False)
        return _checked_indices(found, fitted, X.shape[0], n_points)
    raise ValueError(
        f"{type(fitted).__name__}.kneighbors takes no n_neighbors, so it cannot search "
        f"the {n_neighbors} neighbours (the sample included) of a class smaller than "
        f"its n_neighbors: pass a search of at most {n_neighbors} neighbours."
    )


def _checked_indices(found, fitted, n_queries, n_points):
    """``found`` as an array of row indices, one row per query, or refused.

    Out-of-range indices would be clipped to the last row by the
    interpolation (``np.take(mode="clip")``), so they are refused here.
    """
    name = f"{type(fitted).__name__}.kneighbors"
    found = np.asarray(found)
    if found.ndim != 2 or found.shape[0] != n_queries:
        raise ValueError(
            f"{name} returned an array of shape {found.shape}; for {n_queries} "
            f"samples it must be ({n_queries}, n_neighbors), the row indices of "
            "the neighbours of each sample (called with return_distance=False)."
        )
    if found.dtype.kind == "O":  # Python numbers, read as NumPy reads them
        found = np.asarray(found.tolist())
    taken = "whole numbers (integers, or floats with no fractional part)"
    if found.dtype.kind == "f":  # whole numbers are taken; checked before the cast
        not_whole = ~np.isfinite(found) | (found != np.floor(found))
        if not_whole.any():
            raise ValueError(
                f"{name} returned the index {found[not_whole][0]}; the indices "
                f"must be {taken}, the row indices of the data it was fit on."
            )
    elif found.dtype.kind not in "iu":
        raise ValueError(
            f"{name} returned indices of dtype {found.dtype}; they must be "
            f"{taken}, the row indices of the data it was fit on."
        )
    if found.size and (found.min() < 0 or found.max() >= n_points):
        bad = found.min() if found.min() < 0 else found.max()
        raise ValueError(
            f"{name} returned the index {int(bad)}; it was fit on {n_points} rows, "
            f"whose indices are 0 to {n_points - 1}."
        )
    return found.astype(np.intp) if found.dtype.kind == "f" else found
