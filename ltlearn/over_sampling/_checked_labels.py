"""The checks SMOTE, SMOTENC and SMOTEN make before imbalanced-learn's."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from scipy import sparse
from sklearn.utils.multiclass import type_of_target
from sklearn_compat.utils._dataframe import is_pandas_df

from ltlearn.over_sampling._column_kinds import _ColumnNotes
from ltlearn.over_sampling._small_classes import (
    _name_refused_targets,
    _SmallClassWarning,
)
from ltlearn.utils._fitted import unfitted_on_error
from ltlearn.utils._validation import check_no_missing_labels, check_one_label_type


def _shape(y):
    """The shape of ``y``, as ``np.shape`` reads it, or through ``__array__``.

    ``np.shape`` hands an object with ``__array_function__`` to it, which may
    refuse the function, as scikit-learn's ``_NotAnArray`` does; such a ``y``
    is converted through ``__array__``, as imbalanced-learn's checks read it.
    """
    try:
        return y.shape
    except AttributeError:
        return np.asarray(y).shape


def _one_vs_all_codes(y):
    """The class codes (column indices) of a one-vs-all ``y``, else ``None``.

    imbalanced-learn decodes an indicator ``y`` (Keras' one-hot labels) and
    encodes the result back with ``label_binarize`` over the codes found: two
    columns came back as one, a column never set was dropped, and a DataFrame
    (``pd.get_dummies``) or lists failed with an ``AttributeError``. Rows with
    several ones are refused, as there.
    """
    if sparse.issparse(y):
        return None
    if isinstance(y, (list, tuple)):  # its first row tells, unconverted
        shape = (len(y), *np.shape(y[0])) if len(y) else (0,)
    else:
        shape = _shape(y)
    # an indicator has two columns or more (checked first: type_of_target
    # reads every label)
    if len(shape) != 2 or shape[1] < 2:
        return None
    if type_of_target(y) != "multilabel-indicator":
        return None
    codes, _ = check_target_type(np.asarray(y), indicate_one_vs_all=True)
    return codes


def _one_vs_all_like(codes, y, X_res):
    """``codes`` encoded one-vs-all as ``y``: its columns and container.

    An array is of 64-bit integers, as ``label_binarize`` gives; a DataFrame
    takes the dtypes of ``y`` and the index of a resampled DataFrame ``X_res``;
    a polars DataFrame takes the dtypes of ``y``.
    """
    encoded = np.eye(_shape(y)[1], dtype=np.int64)[codes]
    if is_pandas_df(y):
        import pandas as pd

        index = X_res.index if is_pandas_df(X_res) else None
        frame = pd.DataFrame(encoded, columns=y.columns, index=index)
        return frame.astype(y.dtypes.to_dict())
    if _is_polars_frame(y):
        polars = sys.modules["polars"]
        return polars.DataFrame(encoded, schema=y.columns).cast(dict(y.schema))
    return encoded.tolist() if isinstance(y, list) else encoded


def _is_polars_frame(data):
    """Whether ``data`` is a polars DataFrame (only if polars is loaded)."""
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(data, polars.DataFrame)


class _CheckedLabelsMixin:
    """Refuse missing labels by row, and mixed label types, before imbalanced-learn.

    imbalanced-learn's checks fail on a nullable or object ``y`` with a
    missing label with "Unknown label type: unknown" or "Input y contains
    NaN", and on labels that mix strings and numbers with "Unknown label
    type: unknown" or a ``TypeError`` of Python's ``<``. A dict target
    below the count of its class, or not a number, is refused naming the
    class, as is a callable that returns no dict and a float that adds no
    sample; the classes too small for the neighbours asked for make one
    warning. A fit that fails or is interrupted leaves the sampler unfitted,
    as the classifiers. A polars DataFrame is refused before the work:
    imbalanced-learn returns the resampled rows as a frame of the input's
    type only for pandas, and failed with "Field elements must be 2- or
    3-tuples" once it had resampled one; so is a polars DataFrame ``y`` of
    one column of labels. A one-vs-all ``y`` (an array, lists or a DataFrame,
    of pandas or polars) is resampled as its column indices and comes back
    with its columns, in its container.
    """

    @unfitted_on_error()
    def fit_resample(self, X, y, **params):
        if _is_polars_frame(X):
            raise TypeError(
                f"{type(self).__name__}.fit_resample takes an array, a sparse "
                "matrix or a pandas DataFrame, and returns the resampled X in "
                "the same kind; X is a polars DataFrame. Convert it with "
                "X.to_pandas() (to keep the column names and dtypes) or "
                "X.to_numpy(); in a pipeline, have the steps before it output "
                "pandas (set_output(transform='pandas'))."
            )
        check_no_missing_labels(y)
        check_one_label_type(y)
        codes = _one_vs_all_codes(y)
        if codes is None and _is_polars_frame(y) and y.width == 1:
            raise TypeError(
                f"{type(self).__name__}.fit_resample takes a polars DataFrame y "
                "only of one-vs-all indicator columns; y is a polars DataFrame "
                "of 1 column. Pass the labels as a Series (y.to_series()) or an "
                "array (y.to_numpy().ravel())."
            )
        labels = y if codes is None else codes
        try:
            with _SmallClassWarning(), _ColumnNotes():
                X_res, y_res = super().fit_resample(X, labels, **params)
        except (ValueError, TypeError, AttributeError) as error:
            _name_refused_targets(
                self.sampling_strategy, labels, self._sampling_type, error
            )
            raise
        if codes is not None:
            y_res = _one_vs_all_like(y_res, y, X_res)
        return X_res, y_res

    fit_resample.__doc__ = BaseOverSampler.fit_resample.__doc__

    @unfitted_on_error()
    def fit(self, X, y, **params):
        codes = _one_vs_all_codes(y)
        with _ColumnNotes():
            return super().fit(X, y if codes is None else codes, **params)

    fit.__doc__ = BaseOverSampler.fit.__doc__
