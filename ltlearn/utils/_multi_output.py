"""The refusal of a target with several columns by the classifiers."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import sparse
from sklearn.utils.multiclass import type_of_target


def _multi_output_message(y, kind=None):
    """Say that ``y`` has several columns, and how to fit such a target.

    Parameters
    ----------
    y : array-like or sparse matrix of shape (n_samples, n_outputs)
        The target, of two columns or more.
    kind : str, default=None
        Its ``type_of_target``; ``None`` where it has none (columns of
        strings and numbers).

    Returns
    -------
    message : str
        The message: its first sentence is scikit-learn's and
        imbalanced-learn's, then the target's type and shape, then the way
        to fit it.
    """
    if not sparse.issparse(y):  # a list of lists, a DataFrame
        y = np.asarray(y, dtype=None if kind is not None else object)
    shape = y.shape
    message = "Multilabel and multioutput targets are not supported: y "
    if kind is None:  # columns of strings and numbers
        message = f"{message}has shape {shape}."
    else:
        message = f"{message}is a {kind} target of shape {shape}."
    if kind is not None and kind.startswith("continuous"):
        return (
            f"{message} A classifier takes discrete class labels, not a "
            "regression target."
        )
    if kind != "multilabel-indicator":  # OneVsRestClassifier takes 0 and 1
        return (
            f"{message} Fit one classifier per column by wrapping this one in "
            "sklearn.multioutput.MultiOutputClassifier."
        )
    message = (
        f"{message} Fit one classifier per column by wrapping this one in "
        "sklearn.multiclass.OneVsRestClassifier or "
        "sklearn.multioutput.MultiOutputClassifier."
    )
    if np.all(np.asarray(y.sum(axis=1)) == 1):
        message = (
            f"{message} Each row holds one label: a one-hot encoded class is "
            "passed as one label per sample, np.argmax(y, axis=1)."
        )
    return message


def _refuse_sparse_y(y):
    """Refuse a sparse ``y``, naming a target of several columns as such.

    Parameters
    ----------
    y : sparse matrix or array
        The target.

    Raises
    ------
    ValueError
        If ``y`` has several columns.
    TypeError
        If it has one: scikit-learn's message.
    """
    if len(y.shape) == 2 and y.shape[1] > 1:
        kind = type_of_target(y, input_name="y")
        if kind in ("binary", "multiclass"):
            # type_of_target reads only the stored values of a sparse matrix:
            # it says "binary" of columns of 0, 1 and 2
            kind = "multiclass-multioutput"
        raise ValueError(_multi_output_message(y, kind))
    raise TypeError(
        "Sparse data was passed for y, but dense data is required. Use "
        "'.toarray()' to convert to a dense numpy array."
    )
