"""Inputs whose rows ltlearn takes by position."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn import get_config
from sklearn.utils.validation import indexable


def _rows_readable(array):
    """``array``, or it as a NumPy array where its rows cannot be taken.

    scikit-learn's ``_safe_indexing`` takes rows of arrays, lists, data
    frames and sparse matrices; it fails on a ``memoryview`` ("memoryview:
    invalid slice key") and, outside scikit-learn's array API dispatch, on an
    array of another array library, which asks for index arrays of its own.
    Both are read as NumPy arrays, with ``np.asarray``: an estimator fits
    them as it fits that array.
    """
    if isinstance(array, memoryview):
        return np.asarray(array)
    if (
        hasattr(array, "__array_namespace__")
        and not isinstance(array, np.ndarray)
        and not get_config()["array_api_dispatch"]
    ):
        return np.asarray(array)
    return array


def indexable_rows(*arrays):
    """scikit-learn's ``indexable``, with every array's rows taken by position.

    Parameters
    ----------
    *arrays : list of {array-like, sparse matrix, None}
        The inputs of a fit (``X``, ``y``, ``sample_weight``...).

    Returns
    -------
    arrays : list
        Each input, as ``indexable`` gives it, or as a NumPy array where
        scikit-learn cannot take its rows (a ``memoryview``, or an array of
        another array library outside scikit-learn's array API dispatch).
    """
    return indexable(*(_rows_readable(array) for array in arrays))
