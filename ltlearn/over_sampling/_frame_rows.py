"""The rows of a DataFrame followed by SMOTE-NC's synthetic rows."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ltlearn.over_sampling._column_kinds import _is_boolean


def _frame_with_new_rows(
    X, columns, new_numeric, new_codes, factorized, position, category, boolean
):
    """The rows of the DataFrame ``X``, then the synthetic rows, in its dtypes.

    Parameters
    ----------
    X : pandas.DataFrame
        The input.
    columns : list of pandas.Series
        The columns of ``X``.
    new_numeric : ndarray of shape (n_new, n_continuous)
        The synthetic values of the continuous columns.
    new_codes : ndarray of shape (n_new, n_categorical)
        The synthetic codes of the categorical columns.
    factorized : list of tuple
        ``(codes, uniques)`` of each categorical column, in order.
    position : dict of int -> int
        The column of ``new_numeric`` of each continuous column of ``X``.
    category : dict of int -> int
        The column of ``new_codes`` (and the item of ``factorized``) of each
        categorical column of ``X``.
    boolean : list of int
        The columns of ``new_numeric`` that come back as booleans.

    Returns
    -------
    X_res : pandas.DataFrame
        The resampled frame, with the columns and dtypes of ``X``.
    """
    import pandas as pd

    # The continuous columns of the dtype of the synthetic values join them
    # as one block, each other column on its own: a concatenation per column
    # cost seconds per 10,000 columns.
    # (the column names are unique: scikit-learn refuses repeated ones)
    wanted = X.dtypes.tolist()
    block = [
        j
        for j, i in position.items()
        if i not in boolean
        and isinstance(wanted[j], np.dtype)
        and wanted[j] == new_numeric.dtype
    ]
    data = {}
    for j in np.setdiff1d(np.arange(X.shape[1]), block).tolist():
        original = columns[j]
        if j in position:
            added = pd.Series(new_numeric[:, position[j]])
            if position[j] in boolean:
                added = added.astype(bool)
        else:
            i = category[j]
            uniques = factorized[i][1]
            added = pd.Series(uniques.take(new_codes[:, i]), dtype=uniques.dtype)
        if isinstance(original.dtype, pd.CategoricalDtype) or _is_boolean(
            original.dtype
        ):
            added = added.astype(original.dtype)
        data[j] = original.reset_index(drop=True)
        if len(added):  # pandas 2.1 to 2.3 warn on concatenating an empty part
            data[j] = pd.concat([data[j], added], ignore_index=True)
        data[j] = data[j].astype(wanted[j])
    parts = [pd.DataFrame(data)] if data else []
    if block:
        values = np.concatenate(
            [
                X.iloc[:, block].to_numpy(dtype=new_numeric.dtype),
                new_numeric[:, [position[j] for j in block]],
            ]
        )
        parts.insert(0, pd.DataFrame(values, columns=block, copy=False))
    X_res = pd.concat(parts, axis=1) if len(parts) > 1 else parts[0]
    X_res = X_res.iloc[:, np.argsort(np.asarray(X_res.columns))]
    X_res.columns = X.columns
    return X_res
