"""The kinds of input columns the over-samplers interpolate, round or refuse."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextvars
import sys

import numpy as np
from sklearn_compat.utils._dataframe import is_pandas_df

from ltlearn.over_sampling._exact_steps import _rounded_by_float64
from ltlearn.utils._listing import first_listed
from ltlearn.utils._scoped import ScopedValue

# The integer and boolean columns that SMOTE's input check notes of the data
# it resamples, for its resampling (None outside a resampling).
_COLUMN_NOTES = contextvars.ContextVar("column_notes", default=None)


class _ColumnNotes(ScopedValue):
    """Within it, the notes of the input's columns are the resampling's own.

    Kept per call, not on the sampler: calls of one sampler in several threads
    each round the columns of their own input.
    """

    def __init__(self):
        super().__init__(_COLUMN_NOTES, {})


def _note_columns(integer, boolean):
    """Note the integer and boolean columns of the input being resampled."""
    notes = _COLUMN_NOTES.get()
    if notes is not None:
        notes.update(integer=integer, boolean=boolean)


def _noted_columns():
    """The integer and boolean columns noted of the input, empty if none."""
    notes = _COLUMN_NOTES.get() or {}
    return notes.get("integer", ()), notes.get("boolean", ())


def _is_boolean(dtype):
    """Whether ``dtype`` holds booleans: NumPy's bool, pandas' ``boolean``."""
    return getattr(dtype, "kind", None) == "b"


def _interpolated_in_floats(X, boolean_columns):
    """Whether the data ``X`` are interpolated in float64, to be rounded.

    Boolean data are; so is the integer array of a DataFrame with
    ``boolean_columns``: as integers, their values would be truncated (a
    pair of False and True always giving False), unless float64 would round
    its integers.
    """
    if _is_boolean(X.dtype):
        return True
    return (
        len(boolean_columns) > 0
        and isinstance(X, np.ndarray)
        and X.dtype.kind in "iu"
        and not _rounded_by_float64(X)
    )


def _holds_booleans(values):
    """Whether a column holds booleans: of a boolean dtype, or objects all bool.

    ``df.to_numpy()`` and rows given as lists hold a boolean column as
    objects, which are interpolated as numbers like those of a bool dtype.
    """
    if _is_boolean(values.dtype):
        return True
    return values.dtype == object and all(
        isinstance(value, (bool, np.bool_)) for value in values.tolist()
    )


def _as_integers(values, dtype):
    """Float ``values`` truncated toward zero into the integer ``dtype``.

    float64 rounds the integers of 64-bit types: a value between two of them
    near the largest may round up to ``2**63`` (``2**64`` for ``uint64``),
    which a plain cast wraps around to the smallest. Values at or beyond
    either end of ``dtype``'s range are given that end.
    """
    info = np.iinfo(dtype)
    top, bottom = values >= float(info.max), values <= float(info.min)
    if not (top.any() or bottom.any()):
        return values.astype(dtype)
    result = np.where(top | bottom, 0, values).astype(dtype)
    result[top], result[bottom] = info.max, info.min
    return result


def _round_boolean_columns(new_rows, columns):
    """Round the synthetic values of boolean ``columns`` to 0 or 1, in place.

    A value between a seed's and its neighbour's becomes the nearer of the
    two: cast as it is, any value above 0 would be True, so that a pair with
    one True value would always give True.
    """
    if len(columns):
        new_rows[:, columns] = np.round(new_rows[:, columns])


def _is_category(dtype):
    """Whether ``dtype`` is pandas' ``category``."""
    return getattr(dtype, "name", None) == "category"


def _refuse_non_numeric(columns):
    """Name the columns that do not hold numbers, from ``(name, values)`` pairs.

    scikit-learn's ``check_array`` lets the category columns of a DataFrame
    through as objects (for the models that read them), which interpolation
    cannot handle, and fails on string columns without naming them. A
    category column of numbers is refused too: a value between two of its
    categories is none of them, and would come back missing. A column whose
    only non-numbers are missing values (``pd.NA``, ``NaT``) is left to the
    refusal of missing values, which names it as such.
    """
    bad = []
    for name, values in columns:
        try:
            _present(values).astype(np.float64)
        except (TypeError, ValueError):
            bad.append(name)
        else:
            if _is_category(values.dtype):
                bad.append(name)
    _refuse_columns_named(bad)


def _refuse_non_numeric_table(X):
    """Name the non-numeric columns of a pyarrow Table or RecordBatch.

    scikit-learn's ``check_array`` turns a Table of numbers and strings into
    an object array without refusing it, on which the neighbour search failed
    with "'>=' not supported between instances of 'float' and 'str'"; a
    column of dates failed with NumPy's ``DTypePromotionError``. As in a
    DataFrame, string, dictionary (category) and date columns are named; a
    column of nulls only (which failed with "'>=' not supported between
    instances of 'float' and 'NoneType'") is named as holding missing values.
    """
    pyarrow = sys.modules.get("pyarrow")  # only if loaded can X be its Table
    if pyarrow is None or not isinstance(X, (pyarrow.Table, pyarrow.RecordBatch)):
        return
    types = pyarrow.types
    numeric = (types.is_integer, types.is_floating, types.is_boolean, types.is_decimal)
    nulls = [types.is_null(column.type) for column in X.columns]
    _refuse_columns_named(
        [
            name
            for name, column, null in zip(X.column_names, X.columns, nulls)
            if not (null or any(is_numeric(column.type) for is_numeric in numeric))
        ]
    )
    _refuse_missing_values(  # a column of the null type holds only nulls
        [(name, [None]) for name, null in zip(X.column_names, nulls) if null],
        "SMOTE",
    )


def _refuse_columns_named(bad):
    """Refuse the non-numeric columns ``bad`` of SMOTE's input, if any."""
    if bad:
        raise ValueError(
            f"SMOTE interpolates numbers, but the columns {bad!r} of X hold "
            "non-numeric values (categories, strings, dates): a value between "
            "two categories is none of them. Use SMOTENC for numeric and "
            "categorical columns, or SMOTEN for categorical ones; give a "
            "category column of numbers a numeric dtype to interpolate it."
        )


def _name_columns_check_array_refused(X, error):
    """Name the columns of ``X`` that SMOTE's ``check_array`` refused with ``error``.

    ``check_array`` turns an object array into floats: a string fails with a
    ValueError that names no column, another object (a dict) with NumPy's
    TypeError, which scikit-learn's checks expect and is kept, as is its
    refusal of an ``np.matrix``. The columns holding missing values (a
    ``pd.NA`` fails with that TypeError) are named, of a DataFrame or an array.
    """
    if is_pandas_df(X):
        _refuse_missing_values(X.items(), "SMOTE")
    if not isinstance(X, np.ndarray) or X.ndim != 2 or isinstance(X, np.matrix):
        return
    if X.dtype == object and isinstance(error, ValueError):
        _refuse_non_numeric(enumerate(X.T))
    _refuse_missing_values(enumerate(X.T), "SMOTE")


def _present(values):
    """The values of a column that are not missing (NaN, None or ``pd.NA``)."""
    if hasattr(values, "dropna"):  # a pandas Series, of any dtype
        return values.dropna()
    values = np.asarray(values)
    if values.dtype.kind in "fc":
        return values[~np.isnan(values)]
    if values.dtype != object:
        return values
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional; no pd.NA then
        return values[[not (value is None or value != value) for value in values]]
    return values[~pd.isna(values)]


def _holds_missing(values):
    """Whether a column holds a missing value: NaN, None or ``pd.NA``."""
    return len(_present(values)) < len(values)


def _refuse_missing_values(columns, sampler, kind=""):
    """Name the columns that hold missing values, from ``(name, values)`` pairs.

    scikit-learn's ``check_array`` says that "Input X contains NaN" without
    the column, and fails on a ``pd.NA`` of an object array with NumPy's
    TypeError. ``kind`` qualifies the columns in the message
    (``"continuous "``); with it, the advice imputes only those columns, as
    a ``SimpleImputer`` of all the columns refuses string categories and
    returns an array, without the names that ``categorical_features`` gives.
    """
    where = "before it in a Pipeline"
    if kind:
        where = (
            f"of the {kind}columns in a ColumnTransformer (remainder="
            f'"passthrough") {where}; as it puts those columns first, name the '
            "categorical ones, kept by verbose_feature_names_out=False and "
            'set_output(transform="pandas")'
        )
    _refuse_missing_columns(
        [name for name, values in columns if _holds_missing(values)],
        f", which {sampler} does not interpolate. Impute them first, e.g. with "
        f"a SimpleImputer {where}.",
        kind,
    )


def _refuse_missing_columns(missing, advice, kind=""):
    """Refuse the columns named in ``missing``, if any, with ``advice``."""
    if len(missing):
        which = ("column {} holds" if len(missing) == 1 else "columns {} hold").format(
            first_listed(map(repr, missing))
        )
        raise ValueError(
            f"Input X contains NaN: the {kind}{which} missing values (NaN, None or "
            f"pd.NA){advice}"
        )
