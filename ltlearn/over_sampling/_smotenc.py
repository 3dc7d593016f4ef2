"""SMOTE-NC: SMOTE for mixed numeric and categorical data."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
from imblearn.utils import check_target_type
from scipy import sparse
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils._param_validation import StrOptions
from sklearn_compat.utils._dataframe import is_pandas_df
from sklearn_compat.utils._indexing import _get_column_indices
from sklearn_compat.utils.validation import validate_data

from ltlearn.over_sampling._categorical_codes import (
    _factorized_columns,
    _local_codes,
    _vote,
)
from ltlearn.over_sampling._categorical_keys import (
    _absent_columns,
    _categorical_keys,
    _integer_name_hint,
)
from ltlearn.over_sampling._class_rows import _class_rows
from ltlearn.over_sampling._column_kinds import (
    _as_integers,
    _holds_booleans,
    _is_category,
    _present,
    _refuse_missing_values,
    _round_boolean_columns,
)
from ltlearn.over_sampling._frame_rows import _frame_with_new_rows
from ltlearn.over_sampling._small_classes import _single_sample_draws
from ltlearn.over_sampling._smote import (
    SMOTE,
    _class_generators,
    _compute_dtype,
    _fill_dense,
    _new_samples,
    _smote_docstring,
)
from ltlearn.utils._validation import _native_byte_order
from ltlearn.utils._warnings import external_stacklevel


def _mixed_rows(X):
    """Rows of numbers and strings (lists, say) as objects, each kept as given.

    NumPy reads ``[[1.5, "a"], ...]`` as strings, ``[["1.5", "a"], ...]``:
    the numbers would come back as strings. An array is kept as it is.
    """
    if hasattr(X, "__array__"):
        return X
    values = np.asarray(X)
    if values.dtype.kind not in "US":
        return values
    objects = np.asarray(X, dtype=object)
    if all(isinstance(value, str) for value in objects.ravel().tolist()):
        return values
    return objects


def _column_std(numeric):
    """Standard deviations of the columns of ``numeric``, in float64.

    The squares of float64 values beyond about 1e154 overflow (an infinite
    standard deviation, hence an infinite distance to any other category) and
    those below about 1e-154 underflow (a zero one, which ignores the
    categories). Such a column is scaled by a power of two of its own for the
    computation, which scales its standard deviation exactly: one factor for
    all columns would underflow a column of ordinary values beside one of
    1e300.
    """
    with np.errstate(over="ignore"):  # the columns out of range are redone
        std = numeric.std(axis=0, dtype=np.float64)
    if numeric.dtype != np.float64 or numeric.size == 0:
        return std
    exponents = np.frexp(np.abs(numeric).max(axis=0))[1]
    limit = np.finfo(np.float64).maxexp // 3
    out = np.flatnonzero((exponents < -limit) | (exponents > limit))
    if out.size:
        # float64 exponents lie in [-1073, 1024]; 2**1000 is still finite.
        # The scaled values are below 1 in magnitude, so is their standard
        # deviation: scaled back, it is finite.
        shifts = np.minimum(-exponents[out], 1000)
        scaled = numeric[:, out] * np.ldexp(1.0, shifts)
        std[out] = np.ldexp(scaled.std(axis=0), -shifts)
    return std


def _scaled_one_hot(numeric, local_codes, level_counts, scale):
    """``[numeric, one-hot * scale]`` for the rows of one class.

    With entries ``scale = m / sqrt(2)``, two rows differing in a category are
    ``m^2`` apart in squared Euclidean distance: imbalanced-learn's SMOTE-NC
    distance. Only the levels present in the class get a column.
    """
    n_rows, n_numeric = numeric.shape
    width = n_numeric + int(sum(level_counts))
    Z = np.zeros((n_rows, width), dtype=np.float64)
    Z[:, :n_numeric] = numeric
    offset = n_numeric
    rows = np.arange(n_rows)
    for j, n_levels in enumerate(level_counts):
        Z[rows, offset + local_codes[:, j]] = scale
        offset += n_levels
    return Z


def _fit_resample_dense(sampler, X, y):
    """Resample a sparse ``X`` as a dense array; return it in ``X``'s format.

    The categorical columns are decoded and the neighbours searched on dense
    rows anyway, as imbalanced-learn's SMOTEN does. The warning has the words
    of imbalanced-learn's SMOTEN, which filters written for it match.
    """
    warnings.warn(
        f"Passing a sparse matrix to {type(sampler).__name__} is not really "
        "efficient since it is converted to a dense array internally.",
        DataConversionWarning,
        stacklevel=external_stacklevel(),
    )
    X_res, y_res = sampler._fit_resample(X.toarray(), y)
    return type(X)(X_res), y_res


@_smote_docstring
class SMOTENC(SMOTE):
    """Over-sample mixed numeric and categorical data with SMOTE-NC.

    SMOTE for Nominal and Continuous features [1]_, a drop-in replacement
    for :class:`imblearn.over_sampling.SMOTENC` without its one-hot encoding
    of the whole data. Neighbours are searched within each class by the
    Euclidean distance on the numeric columns, where each differing category
    adds the squared median of the standard deviations of the class's numeric
    columns, as in imbalanced-learn. A synthetic sample interpolates the
    numeric columns between a seed and one of its neighbours as
    :class:`SMOTE` does, and takes in each categorical column the most
    frequent category among the seed's ``k_neighbors`` neighbours (ties
    broken at random), so it only holds categories seen in the class.

    For data whose columns are all categorical, use :class:`SMOTEN`.

    Read more in the :ref:`User Guide <over_sampling>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    categorical_features : "auto" or array-like of shape (n_cat_features,) or \
            (n_features,), dtype={{bool, int, str}}
        Which features are categorical:

        - ``"auto"``: the columns of a :class:`pandas.DataFrame` with a
          categorical, object or string dtype;
        - an array of ``int``: the indices of the categorical columns;
        - an array of ``str``: their names (``X`` must be a DataFrame;
          tuples name the columns of a :class:`pandas.MultiIndex`);
        - a boolean mask of shape ``(n_features,)``.

    {sampling_strategy}

    {random_state}

    k_neighbors : int or object, default=5
        The neighbourhood of each seed. You can pass:

        - an ``int``: the number of nearest neighbours of the same class, by
          the exact SMOTE-NC distance;
        - a nearest-neighbours estimator with ``kneighbors`` and
          ``kneighbors_graph``, cloned and fit on each class encoded as
          ``[numeric columns, one-hot columns * median_std / sqrt(2)]``, whose
          Euclidean distance is the SMOTE-NC distance. Its ``n_neighbors``
          counts the sample itself: pass ``k + 1``.

    n_jobs : int, default=None
        Number of threads of the neighbour searches, as in :class:`SMOTE`;
        not used when ``k_neighbors`` is an estimator (its own ``n_jobs``
        applies).

    Attributes
    ----------
    {sampling_strategy_attribute}

    nn_k_ : estimator object
        The nearest-neighbours estimator of the neighbourhood, as in
        :class:`SMOTE`.

    categorical_features_ : ndarray of shape (n_cat_features,), dtype=np.int64
        Indices of the categorical features.

    continuous_features_ : ndarray of shape (n_cont_features,), dtype=np.int64
        Indices of the continuous features.

    median_std_ : dict of label -> float
        Median of the standard deviations of the continuous features, for
        each class over-sampled.

    n_features_ : int
        Number of features observed at ``fit_resample``, as imbalanced-learn's
        ``SMOTENC`` names it (equal to ``n_features_in_``).

        .. versionadded:: 0.1

    {feature_attributes}

    See Also
    --------
    imblearn.over_sampling.SMOTENC : The original implementation.
    SMOTE : Over-sample numeric data.
    SMOTEN : Over-sample data whose columns are all categorical.

    Notes
    -----
    Differences from imbalanced-learn:

    - No ``categorical_encoder`` parameter: the categories are the values
      found in each column, and no one-hot matrix of the data is built. The
      distances of a class are computed on its numeric columns and a one-hot
      encoding of the categories present in the class only.
    - ``"auto"`` also takes object and string columns as categorical
      (imbalanced-learn takes categorical dtypes only).
    - The random streams, small classes, float32 data and boolean
      continuous columns behave as in :class:`SMOTE` (imbalanced-learn gives
      a boolean column True wherever the seed or its neighbour is True).

    A missing value (NaN, ``None``) in a categorical column is a category
    of its own, in a DataFrame as in an array, as in imbalanced-learn; the
    continuous columns must be finite.

    A DataFrame comes back as a DataFrame with its dtypes, categorical
    dtypes included. A sparse matrix is resampled as a dense array (with a
    ``DataConversionWarning``) and comes back in its format.

    {smote_references}

    Examples
    --------
    >>> import numpy as np
    >>> from ltlearn.over_sampling import SMOTENC
    >>> rng = np.random.RandomState(0)
    >>> X = np.column_stack([rng.normal(size=(100, 3)), rng.randint(0, 4, 100)])
    >>> y = np.repeat([0, 1], [20, 80])
    >>> sm = SMOTENC(categorical_features=[3], random_state=42)
    >>> X_res, y_res = sm.fit_resample(X, y)
    >>> np.bincount(y_res)
    array([80, 80])
    >>> bool(np.isin(X_res[:, 3], [0, 1, 2, 3]).all())
    True
    """

    _required_parameters = ["categorical_features"]

    _parameter_constraints: dict = {
        **{
            key: value
            for key, value in SMOTE._parameter_constraints.items()
            if key != "skip_noise"
        },
        "categorical_features": ["array-like", StrOptions({"auto"})],
    }

    def __init__(
        self,
        categorical_features,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        n_jobs=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
            n_jobs=n_jobs,
        )
        self.categorical_features = categorical_features

    def _check_X_y(self, X, y):
        """Let strings through; keep a DataFrame as it is."""
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if sparse.issparse(X):
            X = check_array(
                X, accept_sparse=["csr", "csc"], ensure_all_finite=False, input_name="X"
            )
            self._check_continuous_finite(X)
        elif not is_pandas_df(X):
            X = check_array(_mixed_rows(X), dtype=None, ensure_all_finite=False)
            if X.dtype.kind in "fc":
                self._check_continuous_finite(X)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        check_consistent_length(X, y)
        return _native_byte_order(X), y, binarize_y

    def _check_continuous_finite(self, X):
        """Refuse NaN and infinity in the continuous columns of numeric ``X``.

        In a categorical column a missing value is a category of its own, as
        in a DataFrame or an object array. ``categorical_features`` that names
        no valid columns of ``X`` (``"auto"``, an index out of range) or no
        column at all leaves ``X`` unchecked here: :meth:`_validate_column_types`
        refuses it by name before ``X`` is used.
        """
        if isinstance(self.categorical_features, str):  # "auto": DataFrames only
            return
        try:
            keys = _categorical_keys(self.categorical_features)
            categorical = _get_column_indices(X, keys)
        except (KeyError, ValueError, TypeError, IndexError):
            return
        if len(categorical) == 0:
            return
        columns = np.setdiff1d(np.arange(X.shape[1]), categorical)
        if not columns.size:
            return
        try:
            check_array(X[:, columns], dtype=None, accept_sparse=True, input_name="X")
        except ValueError:  # the columns of a missing value named, not infinity
            if not sparse.issparse(X):
                _refuse_missing_values(
                    ((int(j), X[:, j]) for j in columns), "SMOTE-NC", kind="continuous "
                )
            raise

    def _validate_column_types(self, X):
        """The indices of the categorical and of the numeric columns."""
        n_features = self.n_features_in_
        if isinstance(self.categorical_features, str):  # "auto"
            if not is_pandas_df(X):
                raise ValueError(
                    "When `categorical_features='auto'`, the input data should "
                    f"be a pandas.DataFrame. Got {type(X)} instead."
                )
            import pandas as pd

            is_categorical = np.array(
                [
                    isinstance(dtype, pd.CategoricalDtype)
                    or pd.api.types.is_string_dtype(dtype)
                    for dtype in X.dtypes
                ],
                dtype=bool,
            )
            categorical = np.flatnonzero(is_categorical)
        else:
            given = _categorical_keys(self.categorical_features)
            features = np.asarray(given)
            if features.size and features.dtype.kind not in "biuOUS":
                raise ValueError(
                    "categorical_features must hold column indices (int), column "
                    "names (str) or a boolean mask of shape (n_features,); got "
                    f"{self.categorical_features!r}."
                )
            if features.size and features.dtype.kind in "OUS" and not is_pandas_df(X):
                raise ValueError(
                    "categorical_features holds column names, which need X to be "
                    f"a pandas DataFrame; X is a {type(X).__name__}. Pass the "
                    "indices of the categorical columns or a boolean mask."
                )
            if features.dtype.kind in "iu" and features.size:
                bad = features[(features >= n_features) | (features < -n_features)]
                if bad.size:
                    raise ValueError(
                        f"categorical_features holds index {int(bad[0])}, out of "
                        f"range for X with {n_features} features."
                        + _integer_name_hint(X, int(bad[0]))
                    )
            if features.dtype == bool and features.size != n_features:
                raise ValueError(
                    f"categorical_features is a boolean mask of {features.size} "
                    f"values; X has {n_features} features."
                )
            try:
                indices = _get_column_indices(X, given)
            except (KeyError, ValueError) as exc:
                keys = list(given)
                names = all(isinstance(key, (str, tuple)) for key in keys)
                absent = _absent_columns(X, keys) if names else []
                # older scikit-learn versions name no column in their message
                reason = f"X has no column {absent}" if absent else exc
                raise ValueError(
                    f"categorical_features={self.categorical_features!r}: {reason}."
                ) from exc
            categorical = np.unique(np.asarray(indices, dtype=np.int64))
        self.n_features_ = n_features
        self.categorical_features_ = categorical.astype(np.int64)
        self.continuous_features_ = np.setdiff1d(
            np.arange(n_features, dtype=np.int64), self.categorical_features_
        )
        if self.continuous_features_.size == 0:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. "
                "It requires some numerical features; use SMOTEN for data whose "
                "columns are all categorical."
            )
        if self.categorical_features_.size == 0:
            hint = "use SMOTE for numeric data."
            if isinstance(self.categorical_features, str):
                hint = (
                    "categorical_features='auto' takes the columns of a category, "
                    "object or string dtype, and X has none. Name the categorical "
                    "columns (such as the codes of an OrdinalEncoder) in "
                    "categorical_features, or " + hint
                )
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical features. "
                f"It requires some categorical features; {hint}"
            )

    def _numeric_part(self, X, columns, names):
        """The continuous columns as floats; a column that fails is named.

        ``columns`` are those of ``X`` and ``names`` their names (the
        positions of an array's).
        """
        frame = is_pandas_df(X)
        for j in self.continuous_features_:
            if _is_category(columns[j].dtype):
                raise ValueError(
                    f"Column {names[j]!r} is taken as continuous (it is not "
                    "in categorical_features) but is a category column: a value "
                    "between two categories is none of them. Add it to "
                    "categorical_features, or give it a numeric dtype to "
                    "interpolate it."
                )
            if getattr(columns[j].dtype, "kind", None) in ("M", "m"):
                raise ValueError(
                    f"Column {names[j]!r} is taken as continuous (it is not "
                    "in categorical_features) but holds dates or durations, "
                    "which SMOTE-NC does not interpolate. Add it to "
                    "categorical_features, or convert it to numbers (days since "
                    "a date, say)."
                )
        try:
            return check_array(
                np.column_stack([columns[j] for j in self.continuous_features_])
                if frame
                else X[:, self.continuous_features_],
                dtype=(np.float64, np.float32),
                input_name="X",
            )
        except (TypeError, ValueError) as exc:
            for j in self.continuous_features_:
                try:  # a missing value is named below (pandas 2.0 fails on it)
                    np.asarray(_present(columns[j]), dtype=np.float64)
                except (TypeError, ValueError):
                    # the class of NumPy's error, as imbalanced-learn raises it:
                    # a TypeError for an object that is neither text nor number
                    raise (TypeError if isinstance(exc, TypeError) else ValueError)(
                        f"Column {names[j]!r} is taken as continuous (it is not in "
                        f"categorical_features) but holds non-numbers ({exc}). "
                        "Add it to categorical_features."
                    ) from exc
            _refuse_missing_values(
                ((names[j], columns[j]) for j in self.continuous_features_),
                "SMOTE-NC",
                kind="continuous ",
            )
            raise

    def _fit_resample(self, X, y):
        self._validate_column_types(X)
        if sparse.issparse(X):
            return _fit_resample_dense(self, X, y)
        self._validate_estimator()
        frame = is_pandas_df(X)
        columns = [X.iloc[:, j] for j in range(X.shape[1])] if frame else X.T
        names = list(X.columns) if frame else list(range(X.shape[1]))
        numeric = self._numeric_part(X, columns, names)
        dtype = _compute_dtype(numeric.dtype)
        step_dtype = np.float32 if dtype == np.float32 else np.float64
        factorized = _factorized_columns(
            [columns[j] for j in self.categorical_features_],
            [names[j] for j in self.categorical_features_],
        )
        codes = np.column_stack([c for c, _ in factorized])

        targets = _new_samples(self.sampling_strategy_, y)
        generators = _class_generators(self.random_state, targets)
        n_total = sum(targets.values())
        new_numeric = np.empty((n_total, numeric.shape[1]), dtype=dtype)
        new_codes = np.empty((n_total, codes.shape[1]), dtype=np.intp)
        self.median_std_ = {}
        offset = 0
        rows = _class_rows(y, targets)
        for label, n_new in targets.items():
            class_indices = rows[label]
            numeric_class = numeric[class_indices].astype(dtype, copy=False)
            local, levels = _local_codes(codes[class_indices])
            median_std = float(np.median(_column_std(numeric_class)))
            self.median_std_[label] = median_std
            generator = generators[label]
            if class_indices.size == 1:
                seeds, neighbor_of = _single_sample_draws(label, n_new)
            else:
                Z = _scaled_one_hot(
                    numeric_class,
                    local,
                    [lv.size for lv in levels],
                    median_std / np.sqrt(2),
                )
                seeds, neighbor_of = self._seeds_and_neighbors(
                    Z, label, n_new, np.arange(class_indices.size), generator
                )
                del Z
            block = slice(offset, offset + n_new)
            _fill_dense(
                new_numeric[block],
                numeric_class,
                seeds,
                neighbor_of,
                generator,
                step_dtype,
            )
            voters = class_indices[neighbor_of[seeds]]
            for j in range(codes.shape[1]):
                new_codes[block, j] = _vote(codes[voters, j], generator)
            offset += n_new

        boolean = [
            i
            for i, j in enumerate(self.continuous_features_)
            if _holds_booleans(columns[j])
        ]
        _round_boolean_columns(new_numeric, boolean)
        return self._assemble(
            X, y, targets, columns, new_numeric, new_codes, factorized, boolean
        )

    def _assemble(
        self, X, y, targets, columns, new_numeric, new_codes, factorized, boolean
    ):
        """The original rows, then the synthetic rows, in the input's layout.

        The continuous columns at the positions ``boolean`` of ``new_numeric``
        come back as booleans.
        """
        n_samples = X.shape[0]
        n_total = n_samples + new_numeric.shape[0]
        y_res = np.empty(n_total, dtype=y.dtype)
        y_res[:n_samples] = y
        offset = n_samples
        for label, n_new in targets.items():
            y_res[offset : offset + n_new] = label
            offset += n_new
        position = {int(j): i for i, j in enumerate(self.continuous_features_)}
        category = {int(j): i for i, j in enumerate(self.categorical_features_)}
        if not is_pandas_df(X):
            X_res = np.empty((n_total, X.shape[1]), dtype=X.dtype)
            X_res[:n_samples] = X
            for j, i in position.items():
                added = new_numeric[:, i]
                if i in boolean:
                    added = added.astype(bool)
                elif X_res.dtype.kind in "iu":
                    added = _as_integers(added, X_res.dtype)
                X_res[n_samples:, j] = added
            for j, i in category.items():
                X_res[n_samples:, j] = np.asarray(factorized[i][1])[new_codes[:, i]]
            return X_res, y_res

        X_res = _frame_with_new_rows(
            X, columns, new_numeric, new_codes, factorized, position, category, boolean
        )
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags
