"""COG's sub-class problem as its sampler returns it: rows, labels and pairs."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array, column_or_1d


def _subclasses_of_text(y_res, n_subclasses):
    """``y_res`` as the sub-classes its text names, if each label names one."""
    if y_res.dtype.kind not in "OSU":
        return y_res
    found, inverse = np.unique(y_res.astype(str), return_inverse=True)
    names = {str(k): k for k in range(n_subclasses)}
    codes = np.array([names.get(label, -1) for label in found], dtype=np.intp)
    return codes[inverse.reshape(-1)] if (codes >= 0).all() else y_res


def _resampled_subclasses(sampler, X_res, y_res, n_subclasses):
    """The resampled rows ``X_res`` and their sub-class labels ``y_res``, checked.

    The labels must be one per row and among the sub-classes ``0 ..
    n_subclasses - 1`` the sampler was given; a column is taken as
    scikit-learn takes one, and text that names them (``"0"``, as from
    ``y.astype(str)``) as them. Rows given back as a DataFrame (a pipeline
    set to pandas output, a function of the user's) are made an array, as
    the rows the sampler was given: the pairs of ``"min-max"`` are taken
    from them by position.
    """
    name = type(sampler).__name__
    if not isinstance(X_res, np.ndarray) and not sparse.issparse(X_res):
        X_res = check_array(
            X_res,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            ensure_all_finite=False,
        )
    n_rows = X_res.shape[0]
    try:
        y_res = column_or_1d(y_res, warn=True)
    except ValueError:
        y_res = np.asarray(y_res)
    if y_res.shape != (n_rows,):
        raise ValueError(
            f"The sampler {name} returned {n_rows} rows and labels of shape "
            f"{y_res.shape}; COGClassifier needs one sub-class label per row."
        )
    y_res = _subclasses_of_text(y_res, n_subclasses)
    outside = ~np.isin(y_res, np.arange(n_subclasses))
    if outside.any():
        label = y_res[outside].tolist()[0]
        raise ValueError(
            f"The sampler {name} returned the label {label!r}, which "
            f"is none of the sub-classes 0 to {n_subclasses - 1} it was given: "
            "it must label its rows with the sub-classes of its y."
        )
    return X_res, y_res


def _pairs_with_rows(sampler, pairs, y_res, n_subclasses):
    """The ``pairs`` of ``"min-max"`` whose two sub-classes kept rows in ``y_res``.

    A sampler that removes rows (``EditedNearestNeighbours``, a function of
    the user's) may remove a sub-class whole: its pairs are left out, so that
    it scores ``-inf`` and is never predicted, as the model of ``"direct"``
    never predicts a sub-class it was not given. Refused when no pair is
    left: the rows are then of one class.
    """
    kept = np.isin(np.arange(n_subclasses), y_res)
    if kept.all():
        return pairs
    with_rows = pairs[kept[pairs].all(axis=1)]
    if pairs.shape[0] and not with_rows.shape[0]:
        raise ValueError(
            f"The sampler {type(sampler).__name__} left rows of one class only: "
            f"it removed every row of the sub-classes "
            f"{np.flatnonzero(~kept).tolist()}, and strategy='min-max' fits a "
            "model on each pair of sub-classes of different classes. Give a "
            "sampler that keeps rows of two classes at least."
        )
    return with_rows
