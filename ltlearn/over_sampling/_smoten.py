"""SMOTE-N: SMOTE for categorical data, with the value difference metric."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np
from imblearn.over_sampling import SMOTEN as _ImblearnSMOTEN
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_neighbors_object, check_target_type
from scipy import sparse
from sklearn.base import clone
from sklearn_compat.utils._dataframe import is_pandas_df
from sklearn_compat.utils.validation import validate_data

from ltlearn.over_sampling._categorical_codes import (
    _factorized_columns,
    _local_codes,
    _vote,
)
from ltlearn.over_sampling._checked_labels import _CheckedLabelsMixin
from ltlearn.over_sampling._class_rows import _class_rows
from ltlearn.over_sampling._column_kinds import _refuse_missing_columns
from ltlearn.over_sampling._estimator_search import _estimator_kneighbors
from ltlearn.over_sampling._small_classes import _capped_neighbors, _single_sample_draws
from ltlearn.over_sampling._smote import (
    SMOTE,
    _class_generators,
    _new_samples,
    _smote_docstring,
)
from ltlearn.over_sampling._smotenc import _fit_resample_dense
from ltlearn.utils._validation import _native_byte_order

# The distances are computed for blocks of about this many pairs.
_PAIR_BLOCK = 2**20


def _vdm_probas(codes, y, n_levels):
    """Per feature, the class-conditional probabilities of each category.

    One row per category, one column per class of ``y``.
    """
    classes, y_codes = np.unique(y, return_inverse=True)
    probas = []
    for j, n in enumerate(n_levels):
        counts = np.zeros((n, classes.size))
        np.add.at(counts, (codes[:, j], y_codes), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            probas.append(np.nan_to_num(counts / counts.sum(axis=1, keepdims=True)))
    return probas


def _vdm_class_tables(class_codes, probas):
    """The codes of one class renumbered over its categories, and their tables.

    Per feature, the table holds the squared value-difference distances
    between the categories present in the class, as imbalanced-learn's
    ``ValueDifferenceMetric(k=1, r=2)``: the L1 distance of the two
    categories' class-conditional probabilities, squared. Only the class's
    categories get a row, so a table never exceeds ``n_class ** 2`` values,
    whatever the categories of the other classes.
    """
    local, levels = _local_codes(class_codes)
    tables = [
        _l1_distances(proba[present]) ** 2 for proba, present in zip(probas, levels)
    ]
    return local, tables


def _l1_distances(rows):
    """The L1 distances between the rows of ``rows``, as a square matrix.

    The column terms are added one column after another, from the first
    (``np.cumsum`` is sequential, unlike ``np.sum``), by blocks of columns: a
    loop over the columns cost a Python iteration per class of ``y``, which
    dominated SMOTEN with hundreds of classes.
    """
    n_rows, n_columns = rows.shape
    diff = np.zeros((n_rows, n_rows))
    step = max(1, _PAIR_BLOCK // max(n_rows * n_rows, 1))
    for start in range(0, n_columns, step):
        block = rows[:, start : start + step].T[:, :, None]
        terms = np.abs(block - block.transpose(0, 2, 1))
        terms[0] += diff
        diff = np.cumsum(terms, axis=0, out=terms)[-1]
    return diff


def _vdm_kneighbors(codes, tables, queries, n_neighbors):
    """The ``n_neighbors`` nearest rows of ``codes`` to ``codes[queries]``.

    Exact, by blocks of queries: the distances are sums of table look-ups,
    never a full pairwise matrix. Each query comes first; rows at equal
    distance (frequent with categories) come in the order of ``codes``, so
    that the neighbours, and the votes they cast, are the same on every
    machine (``np.argpartition`` and ``np.argsort`` order ties by the CPU's
    vector instructions).
    """
    n_points = codes.shape[0]
    indices = np.empty((queries.size, n_neighbors), dtype=np.intp)
    step = max(1, _PAIR_BLOCK // max(n_points, 1))
    for start in range(0, queries.size, step):
        q = queries[start : start + step]
        dist = np.zeros((q.size, n_points))
        for j, table in enumerate(tables):
            dist += table[codes[q, j][:, None], codes[None, :, j]]
        dist[np.arange(q.size), q] = -1.0  # the query itself first
        # the rows nearer than each query's n-th distance, by distance, then
        # the first of those at that distance, in the order of codes
        kth = np.partition(dist, n_neighbors - 1, axis=1)[:, n_neighbors - 1, None]
        rows, cols = np.nonzero(dist < kth)
        order = np.lexsort((dist[rows, cols], rows))
        tie_rows, tie_cols = np.nonzero(dist == kth)
        rank = np.arange(tie_rows.size) - np.searchsorted(tie_rows, tie_rows)
        n_nearer = np.bincount(rows, minlength=q.size)
        keep = rank < n_neighbors - n_nearer[tie_rows]
        rows = np.concatenate([rows[order], tie_rows[keep]])
        cols = np.concatenate([cols[order], tie_cols[keep]])
        found = cols[np.argsort(rows, kind="stable")]
        indices[start : start + step] = found.reshape(q.size, n_neighbors)
    return indices


def _refuse_missing(columns):
    """Name the ``columns`` that hold missing values, if any."""
    _refuse_missing_columns(
        columns,
        ". SMOTEN needs a category in every cell: fill them, e.g. with a "
        "category of their own.",
    )


def _na_columns(X):
    """The indices of the columns of array-like ``X`` holding NaN or ``pd.NA``."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional; no pd.NA then
        return []

    values = np.asarray(X, dtype=object)
    if values.ndim != 2:
        return []
    is_none = np.frompyfunc(lambda value: value is None, 1, 1)(values)
    missing = pd.isna(values) & ~is_none.astype(bool)
    return np.flatnonzero(missing.any(axis=0)).tolist()


@_smote_docstring
class SMOTEN(_CheckedLabelsMixin, BaseOverSampler):
    """Over-sample categorical data with SMOTE-N.

    SMOTE for Nominal features [1]_, a drop-in replacement for
    :class:`imblearn.over_sampling.SMOTEN`. Neighbours are searched within
    each class by imbalanced-learn's value difference metric (per column, the
    L1 distance between the class-conditional probabilities of the two
    categories, squared, summed over the columns). A synthetic sample takes
    in each column the most frequent category among a seed and its
    ``k_neighbors`` nearest neighbours (ties broken at random).

    Read more in the :ref:`User Guide <over_sampling>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    k_neighbors : int or object, default=5
        The neighbourhood of each seed. You can pass:

        - an ``int``: the number of nearest neighbours of the same class;
        - a nearest-neighbours estimator with ``kneighbors`` and
          ``kneighbors_graph``, set to ``metric="precomputed"``, cloned and
          fit on the distance matrix of each class. Its ``n_neighbors``
          counts the sample itself: pass ``k + 1``.

    Attributes
    ----------
    {sampling_strategy_attribute}

    nn_k_ : estimator object
        The nearest-neighbours estimator of the neighbourhood, with
        ``k_neighbors + 1`` neighbours (the sample included) and a
        precomputed metric; left unfitted when ``k_neighbors`` is an int (an
        equivalent exact search is used).

    {feature_attributes}

    See Also
    --------
    imblearn.over_sampling.SMOTEN : The original implementation.
    SMOTENC : Over-sample mixed numeric and categorical data.

    Notes
    -----
    Differences from imbalanced-learn: no ``categorical_encoder`` parameter
    (the categories are the values found in each column); ties among the
    most frequent categories are broken at random (imbalanced-learn takes
    the smallest); the distances of a class are computed by blocks of seeds,
    never as a whole matrix; the random streams and small classes behave as
    in :class:`SMOTE`. With an int ``k_neighbors``, neighbours at equal
    distance (frequent with categories) are taken in row order, so that the
    same ``random_state`` gives the same samples on every machine.

    A sparse matrix is resampled as a dense array (with a
    ``DataConversionWarning``), as imbalanced-learn's SMOTEN does, and comes
    back in its format: the dense input, its category codes and the dense
    output are held at once, several times the memory of ``X.toarray()``.

    It is registered as a virtual subclass of imbalanced-learn's SMOTEN, and
    so of its SMOTE, when ``ltlearn.over_sampling`` is imported (it inherits
    nothing from them): :class:`~imblearn.combine.SMOTEENN` and
    :class:`~imblearn.combine.SMOTETomek` take it as their ``smote``, as
    they take imbalanced-learn's SMOTEN (on numeric codes of the categories:
    they refuse strings).

    {smote_references}

    Examples
    --------
    >>> import numpy as np
    >>> from ltlearn.over_sampling import SMOTEN
    >>> X = np.array(["A"] * 10 + ["B"] * 20 + ["C"] * 30, dtype=object).reshape(-1, 1)
    >>> y = np.array([0] * 20 + [1] * 40, dtype=np.int32)
    >>> X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res)
    array([40, 40])
    """

    _parameter_constraints: dict = {
        key: SMOTE._parameter_constraints[key]
        for key in ("sampling_strategy", "random_state", "k_neighbors")
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _check_X_y(self, X, y):
        """Let strings through; name the columns with missing values.

        Those of a DataFrame (NaN, None, pd.NA) are named before any check;
        those of an array holding pd.NA when check_array fails on it with
        "boolean value of NA is ambiguous" (None in an array is a category).
        A DataFrame with a ``category`` column is read as objects, as it is
        beside NumPy columns: check_array would cast it to float beside a
        nullable column (``Int8``, ``boolean``) and fail on text categories.
        """
        if is_pandas_df(X):
            import pandas as pd

            _refuse_missing(X.columns[np.asarray(X.isna().any())].tolist())
            if any(isinstance(dtype, pd.CategoricalDtype) for dtype in X.dtypes):
                X = X.astype(object)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        try:
            X, y = validate_data(
                self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"]
            )
        except TypeError:  # pd.NA in an array of objects, as from df.to_numpy()
            _refuse_missing(_na_columns(X))
            raise
        return _native_byte_order(X), y, binarize_y

    def _validate_estimator(self):
        self.nn_k_ = check_neighbors_object(
            "k_neighbors", self.k_neighbors, additional_neighbor=1
        ).set_params(metric="precomputed")

    def _neighbors(self, codes, tables, queries, label):
        """Neighbours of ``codes[queries]`` in ``codes``, each query first."""
        n_class = codes.shape[0]
        if isinstance(self.k_neighbors, numbers.Integral):
            n_neighbors = _capped_neighbors(label, n_class, self.k_neighbors + 1)
            return _vdm_kneighbors(codes, tables, queries, n_neighbors)
        dist = sum(
            table[codes[:, j][:, None], codes[None, :, j]]
            for j, table in enumerate(tables)
        )
        # searched through a name of its own: a call of this sampler in
        # another thread sets nn_k_ to its own search meanwhile
        self.nn_k_ = fitted = clone(self.nn_k_).fit(dist)
        n_neighbors = getattr(fitted, "n_neighbors", None)
        if n_neighbors is not None:
            n_neighbors = _capped_neighbors(label, n_class, n_neighbors)
        return _estimator_kneighbors(fitted, dist[queries], n_neighbors, n_class)

    def _fit_resample(self, X, y):
        self._validate_estimator()
        if sparse.issparse(X):
            return _fit_resample_dense(self, X, y)
        names = getattr(self, "feature_names_in_", range(X.shape[1]))
        factorized = _factorized_columns(X.T, names)
        codes = np.column_stack([c for c, _ in factorized])
        probas = _vdm_probas(codes, y, [len(u) for _, u in factorized])
        targets = _new_samples(self.sampling_strategy_, y)
        generators = _class_generators(self.random_state, targets)
        n_samples = X.shape[0]
        n_total = n_samples + sum(targets.values())
        X_res = np.empty((n_total, X.shape[1]), dtype=X.dtype)
        X_res[:n_samples] = X
        y_res = np.empty(n_total, dtype=y.dtype)
        y_res[:n_samples] = y
        offset = n_samples
        rows = _class_rows(y, targets)
        for label, n_new in targets.items():
            class_indices = rows[label]
            class_codes = codes[class_indices]
            generator = generators[label]
            if class_indices.size == 1:  # as SMOTE: the sample is duplicated
                seeds, found = _single_sample_draws(label, n_new)
                voters = found[seeds]
            else:
                seeds = generator.integers(class_indices.size, size=n_new)
                queries = np.unique(seeds)
                local, tables = _vdm_class_tables(class_codes, probas)
                found = self._neighbors(local, tables, queries, label)
                voters = found[np.searchsorted(queries, seeds)]
            block = slice(offset, offset + n_new)
            for j, (_, uniques) in enumerate(factorized):
                winners = _vote(class_codes[voters, j], generator)
                X_res[block, j] = np.asarray(uniques)[winners]
            y_res[block] = label
            offset += n_new
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


# Taken where imbalanced-learn asks for its SMOTEN, or its SMOTE (as SMOTE).
_ImblearnSMOTEN.register(SMOTEN)
