"""Long-tailed versions of any labelled data, and ready-made long tails."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
from numbers import Integral, Real

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_consistent_length, check_X_y

from ltlearn.utils._class_counts import check_min_class_counts
from ltlearn.utils._docstring import _ldam_references_docstring, _Substitution
from ltlearn.utils._validation import check_classification_y, column_or_1d_y


def _floor(values):
    """Round ``values`` down to int64, an integer computed a rounding error low kept.

    ``floor(300 * 75 ** -1)`` is 4, though ``np.power`` may give the product as
    3.9999999999999996; a value within a relative 1e-12 of an integer is that
    integer.
    """
    nearest = np.rint(values)
    exact = np.isclose(values, nearest, rtol=1e-12, atol=0)
    return np.where(exact, nearest, np.floor(values)).astype(np.int64)


def _long_tail_counts(n_max, n_classes, imbalance_ratio, profile):
    """Per-class sizes of the long-tailed CIFAR profiles, largest first.

    Each is 1 at least: :func:`_long_tail_indices` refuses an
    ``imbalance_ratio`` over ``n_max``, and its callers a single class.
    """
    if profile == "exponential":
        exponent = np.arange(n_classes) / (n_classes - 1)
        counts = _floor(n_max / np.float64(imbalance_ratio) ** exponent)
    else:  # step: the first half keeps n_max, the second half gets n_max / IF
        counts = np.full(n_classes, n_max, dtype=np.int64)
        counts[n_classes - n_classes // 2 :] = int(n_max / imbalance_ratio)
    return counts


def _long_tail_indices(y, imbalance_ratio, profile, n_max, rng):
    classes, available = np.unique(y, return_counts=True)
    given = n_max
    if n_max is None:
        n_max = int(available.min())
    if imbalance_ratio > n_max:
        source = "" if given is not None else ", the size of the smallest class"
        raise ValueError(
            f"imbalance_ratio={imbalance_ratio} exceeds n_max={n_max}{source}: "
            "the smallest class would keep n_max / imbalance_ratio < 1 samples. "
            "Lower imbalance_ratio (at most n_max)."
        )
    counts = _long_tail_counts(n_max, classes.size, imbalance_ratio, profile)
    check_min_class_counts(
        classes,
        available,
        counts,
        needs=f"the long tail asks for {{min_count}} of it (n_max={n_max}). "
        "Lower n_max.",
    )
    keep = []
    for label, n_keep in zip(classes, counts):
        members = np.flatnonzero(y == label)
        keep.append(np.sort(rng.permutation(members)[:n_keep]))
    return np.sort(np.concatenate(keep)), classes, counts


def _check_rows(X, y):
    """``X`` checked as the rows to pick from, ``y`` as their labels.

    A pandas DataFrame is only indexed, so it is checked for its number of
    rows alone, as imbalanced-learn's ``make_imbalance`` takes it:
    ``check_array`` converts a frame that holds a nullable numeric column
    (``Int64``, ``Float64``) to a single float dtype, which failed on its
    category, string or datetime columns ("Cannot cast str dtype to
    float64").
    """
    if hasattr(X, "iloc") and X.ndim == 2:
        check_consistent_length(X, y)
        return X, y
    return check_X_y(
        X,
        y,
        accept_sparse=["csr", "csc"],
        dtype=None,
        ensure_all_finite=False,
        allow_nd=True,  # images (n_samples, channels, height, width)
    )


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "imbalance_ratio": [Interval(Real, 1, None, closed="left")],
        "profile": [StrOptions({"exponential", "step"})],
        "n_max": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "return_indices": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
@_Substitution(ldam_references=_ldam_references_docstring)
def make_long_tailed(
    X,
    y,
    imbalance_ratio,
    *,
    profile="exponential",
    n_max=None,
    random_state=None,
    return_indices=False,
):
    """Subsample labelled data to a long-tailed class distribution.

    The sorted labels take ranks ``i = 0, ..., C - 1`` (a deterministic class
    order: the first label is the head). Class ``i`` keeps
    ``n_i = floor(n_max * imbalance_ratio ** (-i / (C - 1)))`` samples with the
    exponential profile of long-tailed CIFAR; with the step profile the first
    ``C - C // 2`` classes keep ``n_max`` and the others
    ``floor(n_max / imbalance_ratio)``. Every class keeps at least one sample
    (rounding aside, ``imbalance_ratio`` can be at most ``n_max``).

    As :func:`imblearn.datasets.make_imbalance`, it keeps the type of its
    input: a pandas DataFrame (Series) gives a DataFrame (Series) with the
    columns, dtypes and index labels of the kept rows, a sparse matrix a
    sparse matrix; a polars DataFrame (Series) or a pyarrow Table (array)
    gives one of its kind, with its columns and dtypes, as
    :func:`~sklearn.model_selection.train_test_split` does.

    Parameters
    ----------
    X : {{array-like, sparse matrix}} of shape (n_samples, ...)
        The data: a table of shape ``(n_samples, n_features)`` or any array
        whose first axis runs over the samples, such as images of shape
        ``(n_samples, 3, 32, 32)``.
    y : array-like of shape (n_samples,)
        The labels.
    imbalance_ratio : float
        Ratio of the largest to the smallest class size, from 1 to ``n_max``.
    profile : {{"exponential", "step"}}, default="exponential"
        How the class sizes decay.
    n_max : int, default=None
        Size of the head class. By default the size of the smallest class in
        ``y``, so that every class can supply what it is asked for.
    random_state : int, RandomState instance or None, default=None
        Which samples of each class are kept.
    return_indices : bool, default=False
        Also return the indices of the kept rows.

    Returns
    -------
    X_lt : {{ndarray, sparse matrix, DataFrame}} of shape (n_kept, ...)
        The kept rows, in their original order.
    y_lt : {{ndarray, Series}} of shape (n_kept,)
        Their labels.
    indices : ndarray of shape (n_kept,)
        The kept rows' indices into ``X``; only when ``return_indices=True``.

    {ldam_references}

    Examples
    --------
    >>> import numpy as np
    >>> from ltlearn.datasets import make_long_tailed
    >>> X = np.arange(300).reshape(-1, 1)
    >>> y = np.repeat([0, 1, 2], 100)
    >>> X_lt, y_lt = make_long_tailed(X, y, imbalance_ratio=10, random_state=0)
    >>> np.bincount(y_lt)
    array([100,  31,  10])
    """
    # a column-vector y warns at the user's line, not at check_X_y's
    X_checked, y_checked = _check_rows(X, column_or_1d_y(y))
    check_classification_y(y_checked)
    rng = check_random_state(random_state)
    indices, _, _ = _long_tail_indices(y_checked, imbalance_ratio, profile, n_max, rng)
    # a data frame or series (pandas, polars, pyarrow) keeps its columns,
    # dtypes and index; other input is checked
    X_lt = _safe_indexing(X if _is_frame(X) else X_checked, indices)
    y_lt = _safe_indexing(y if _is_frame(y) else y_checked, indices)
    if return_indices:
        return X_lt, y_lt, indices
    return X_lt, y_lt


def _is_frame(data):
    """Whether ``data`` is a data frame or series, kept as such by its rows.

    pandas (or what has pandas' ``iloc``) and polars ones, and a pyarrow
    Table, Array or ChunkedArray, which :func:`~sklearn.utils._safe_indexing`
    indexes in their own kind. A pyarrow RecordBatch is checked as other
    input: scikit-learn 1.9 indexes it as a StructArray of one column.
    """
    if hasattr(data, "iloc"):
        return True
    polars = sys.modules.get("polars")  # only if loaded can data be its kind
    pyarrow = sys.modules.get("pyarrow")
    return (
        polars is not None and isinstance(data, (polars.DataFrame, polars.Series))
    ) or (
        pyarrow is not None
        and isinstance(data, (pyarrow.Table, pyarrow.Array, pyarrow.ChunkedArray))
    )


def _balanced_split(y, n_test_per_class, rng):
    """Indices of a balanced test split and of the remaining rows."""
    classes, counts = np.unique(y, return_counts=True)
    check_min_class_counts(
        classes,
        counts,
        n_test_per_class + 1,
        needs=f"a balanced test split of {n_test_per_class} per class needs more.",
    )
    test = [
        rng.permutation(np.flatnonzero(y == label))[:n_test_per_class]
        for label in classes
    ]
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(y.size), test)
    return train, test


def _long_tail_bunch(X, y, imbalance_ratio, profile, n_max, n_test, rng, descr):
    train, test = _balanced_split(y, n_test, rng)
    keep, classes, counts = _long_tail_indices(
        y[train], imbalance_ratio, profile, n_max, rng
    )
    train = train[keep]
    bunch = Bunch(
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        classes=classes,
        class_counts=counts,
        DESCR=descr
        + (
            f"\n\nTraining split: {train.size} rows, class sizes {counts.max()} to "
            f"{counts.min()} (imbalance ratio {counts.max() / counts.min():.1f}, "
            f"{profile} profile). Test split: {test.size} rows, "
            f"{n_test} per class (balanced)."
        ),
    )
    return bunch


_LT_PARAMS = {
    "imbalance_ratio": [Interval(Real, 1, None, closed="left")],
    "profile": [StrOptions({"exponential", "step"})],
    "n_test_per_class": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "return_X_y": ["boolean"],
}


@validate_params(_LT_PARAMS, prefer_skip_nested_validation=True)
def load_digits_lt(
    imbalance_ratio=10,
    *,
    profile="exponential",
    n_test_per_class=50,
    random_state=None,
    return_X_y=False,
):
    """Load scikit-learn's digits as a long-tailed training and a balanced test set.

    ``n_test_per_class`` images of each digit form the balanced test split;
    the rest is subsampled with :func:`make_long_tailed`, digit 0 being the
    head class and digit 9 the tail.

    Parameters
    ----------
    imbalance_ratio : float, default=10
        Ratio of the largest to the smallest training class, from 1 to the
        training size of the rarest digit (174 images less
        ``n_test_per_class``: 124 by default), which the head class keeps.
    profile : {"exponential", "step"}, default="exponential"
        How the training class sizes decay.
    n_test_per_class : int, default=50
        Test images per digit.
    random_state : int, RandomState instance or None, default=None
        Controls the split and the subsampling.
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``X_train``, ``y_train``, ``X_test``, ``y_test`` (pixel values
        0-16 as float64, 64 features), ``classes``, ``class_counts`` (training
        size of each class) and ``DESCR``.
    (X_train, X_test, y_train, y_test) : tuple of ndarray
        When ``return_X_y=True``.

    Examples
    --------
    >>> from ltlearn.datasets import load_digits_lt
    >>> data = load_digits_lt(imbalance_ratio=50, random_state=0)
    >>> bool(data.class_counts.max() / data.class_counts.min() > 40)
    True
    >>> data.X_test.shape
    (500, 64)
    """
    X, y = load_digits(return_X_y=True)
    rng = check_random_state(random_state)
    descr = (
        "Long-tailed digits: scikit-learn's 8x8 handwritten digits (1,797 images, "
        "10 classes) with a balanced held-out test split and a long-tailed "
        "training split."
    )
    bunch = _long_tail_bunch(
        X, y, imbalance_ratio, profile, None, n_test_per_class, rng, descr
    )
    if return_X_y:
        return bunch.X_train, bunch.X_test, bunch.y_train, bunch.y_test
    return bunch


@validate_params(
    {
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "n_max": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_informative": [Interval(Integral, 1, None, closed="left")],
        "class_sep": [Interval(Real, 0, None, closed="neither")],
        **_LT_PARAMS,
    },
    prefer_skip_nested_validation=True,
)
def make_long_tailed_classification(
    n_classes=100,
    imbalance_ratio=100,
    *,
    profile="exponential",
    n_max=200,
    n_features=32,
    n_informative=16,
    class_sep=2.0,
    n_test_per_class=20,
    random_state=None,
    return_X_y=False,
):
    """Generate a many-class long-tailed problem with a balanced test split.

    Balanced data from :func:`sklearn.datasets.make_classification` (one
    Gaussian cluster per class) is split into a balanced test set and a
    training set subsampled to a long tail: class 0 keeps ``n_max`` samples and
    class ``n_classes - 1`` keeps ``n_max / imbalance_ratio``.

    Parameters
    ----------
    n_classes : int, default=100
        Number of classes.
    imbalance_ratio : float, default=100
        Ratio of the largest to the smallest training class, from 1 to
        ``n_max``.
    profile : {"exponential", "step"}, default="exponential"
        How the training class sizes decay.
    n_max : int, default=200
        Training size of the head class.
    n_features : int, default=32
        Number of features.
    n_informative : int, default=16
        Number of informative features; ``2 ** n_informative`` must be at least
        ``n_classes``.
    class_sep : float, default=2.0
        Separation of the class clusters; larger is easier.
    n_test_per_class : int, default=20
        Test samples per class.
    random_state : int, RandomState instance or None, default=None
        Controls the generation, split and subsampling.
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``X_train``, ``y_train``, ``X_test``, ``y_test``, ``classes``,
        ``class_counts`` and ``DESCR``.
    (X_train, X_test, y_train, y_test) : tuple of ndarray
        When ``return_X_y=True``.

    Examples
    --------
    >>> from ltlearn.datasets import make_long_tailed_classification
    >>> data = make_long_tailed_classification(n_classes=10, imbalance_ratio=20,
    ...                                        n_max=100, random_state=0)
    >>> data.class_counts
    array([100,  71,  51,  36,  26,  18,  13,   9,   6,   5])
    >>> data.X_test.shape
    (200, 32)
    """
    # NumPy integers (np.uint8 read from an array) wrap around in the sample
    # count below and in make_classification; Python integers do not.
    n_classes, n_max, n_features, n_informative, n_test_per_class = map(
        int, (n_classes, n_max, n_features, n_informative, n_test_per_class)
    )
    if n_informative > n_features:
        raise ValueError(
            f"n_informative={n_informative} exceeds n_features={n_features}."
        )
    if 2**n_informative < n_classes:
        raise ValueError(
            f"n_informative={n_informative} gives 2**{n_informative} cluster "
            f"vertices, fewer than n_classes={n_classes}; raise n_informative."
        )
    rng = check_random_state(random_state)
    X, y = make_classification(
        n_samples=n_classes * (n_max + n_test_per_class + 1),
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=class_sep,
        flip_y=0.0,
        weights=None,
        random_state=rng,
    )
    descr = (
        f"Synthetic long tail: {n_classes} Gaussian classes in {n_features} "
        f"dimensions ({n_informative} informative, class_sep={class_sep})."
    )
    bunch = _long_tail_bunch(
        X, y, imbalance_ratio, profile, n_max, n_test_per_class, rng, descr
    )
    if return_X_y:
        return bunch.X_train, bunch.X_test, bunch.y_train, bunch.y_test
    return bunch
