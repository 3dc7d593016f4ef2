"""The columns that ``categorical_features`` of SMOTE-NC names."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from sklearn_compat.utils._dataframe import is_pandas_df

from ltlearn.utils._validation import check_classes


def _column_keys(categorical_features):
    """``categorical_features`` with each tuple kept as one column name.

    The columns of a DataFrame under a :class:`pandas.MultiIndex` are named
    by tuples, ``[("size", "cm"), ...]``, which NumPy reads as a 2d array of
    their parts; a list or tuple holding such a name becomes a 1d object
    array of its items. Other forms are returned as they are.
    """
    if (
        isinstance(categorical_features, (list, tuple))
        and categorical_features
        and any(isinstance(key, tuple) for key in categorical_features)
    ):
        keys = np.empty(len(categorical_features), dtype=object)
        for i, key in enumerate(categorical_features):
            keys[i] = key
        return keys
    return categorical_features


def _categorical_keys(categorical_features):
    """``categorical_features`` as scikit-learn's column indexing takes it.

    A set is refused by name (:func:`~ltlearn.utils._validation.check_classes`),
    a tuple naming a column stays one key (:func:`_column_keys`); a range, a
    column ``(n_keys, 1)`` and the NumPy strings of a list (``list(array)``),
    which scikit-learn's indexing refuses, become a list and str. An
    array-like whose dtype is not NumPy's (a torch tensor), which that
    indexing reads by ``dtype.kind``, becomes a NumPy array.
    """
    keys = check_classes(_column_keys(categorical_features), "categorical_features")
    if hasattr(keys, "__array__") and not hasattr(getattr(keys, "dtype", None), "kind"):
        keys = np.asarray(keys)
    if isinstance(keys, range):
        return list(keys)
    column = np.asarray(keys, dtype=object)
    if column.ndim == 2:
        keys = column[:, 0].tolist()
    if isinstance(keys, (list, tuple)):
        return [str(key) if isinstance(key, np.str_) else key for key in keys]
    return keys


def _absent_columns(X, keys):
    """The keys that name no column of the DataFrame ``X``, in their order."""
    absent = []
    for key in keys:
        try:
            found = key in X.columns
        except TypeError:  # an unhashable key
            found = False
        if not found:
            absent.append(key)
    return absent


def _integer_name_hint(X, index):
    """A sentence naming the position of the column named ``index``, or ``""``.

    Integers in ``categorical_features`` are positions, as in scikit-learn's
    ``ColumnTransformer``, even where ``X``'s columns are named by integers.
    """
    if not is_pandas_df(X):
        return ""
    positions = np.flatnonzero(
        [
            isinstance(name, numbers.Integral)
            and not isinstance(name, (bool, np.bool_))
            and name == index
            for name in X.columns
        ]
    )
    if positions.size != 1:
        return ""
    return (
        f" Integers are column positions, not names: the column named {index} "
        f"is at position {int(positions[0])}."
    )
