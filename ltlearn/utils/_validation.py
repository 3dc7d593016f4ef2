"""Validation helpers shared by ltlearn's estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import collections
import math
import operator
import sys
import warnings
from collections.abc import Sequence
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _num_samples,
    check_array,
    column_or_1d,
    has_fit_parameter,
)

from ltlearn.utils._class_counts import _listed_labels
from ltlearn.utils._multi_output import _multi_output_message, _refuse_sparse_y
from ltlearn.utils._warnings import external_stacklevel

_MULTI_OUTPUT_TYPES = (
    "multilabel-indicator",
    "multiclass-multioutput",
    "continuous-multioutput",
)


def check_classification_y(y, *, min_classes=2):
    """Check that ``y`` is a single-output classification target.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The target.
    min_classes : int, default=2
        The fewest distinct classes that ``y`` may hold.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted distinct labels of ``y``.

    Raises
    ------
    ValueError
        If ``y`` is a scalar, holds missing labels, mixes strings and
        numbers, is multilabel or multioutput,
        continuous, empty, or holds fewer than ``min_classes`` classes.
    TypeError
        If ``y`` is a sparse matrix of one column.
    """
    if sparse.issparse(y):
        _refuse_sparse_y(y)
    # scikit-learn's words; type_of_target says "unknown". None is left to
    # type_of_target, which says it got None, not an array of shape ().
    if y is not None and np.ndim(y) == 0:
        raise ValueError(
            f"y should be a 1d array, got an array of shape {np.shape(y)} instead."
        )
    check_no_missing_labels(y)
    try:
        check_one_label_type(y)
    except ValueError:
        shape = np.shape(y)
        if len(shape) == 2 and shape[1] > 1:  # columns of strings and numbers
            raise ValueError(_multi_output_message(y)) from None
        raise
    kind = type_of_target(y, input_name="y")
    if kind in _MULTI_OUTPUT_TYPES:
        raise ValueError(_multi_output_message(y, kind))
    check_classification_targets(y)
    if np.shape(y)[0] == 0:
        raise ValueError(
            f"The target is empty (0 samples); at least {min_classes} classes are "
            "needed to fit."
        )
    classes = np.unique(y)
    if classes.size < min_classes:
        raise ValueError(
            f"The target has {classes.size} class ({classes.tolist()!r}); at least "
            f"{min_classes} classes are needed to fit."
        )
    return classes


def column_or_1d_y(y):
    """``y`` raveled to 1d, with scikit-learn's warning for a column vector.

    That of ``column_or_1d(y, warn=True)``, raised at the user's line: its
    ``stacklevel=2`` names the line of ltlearn that calls it.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        The target.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The target as a 1d array.
    """
    # read as column_or_1d reads it: np.shape would refuse an array-like
    # that converts only through __array__
    y = check_array(
        y,
        ensure_2d=False,
        dtype=None,
        input_name="y",
        ensure_all_finite=False,
        ensure_min_samples=0,
    )
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=external_stacklevel(),
        )
    return column_or_1d(y)


def _missing_labels(y):
    """Which rows of ``y`` hold a missing label: NaN, None or pandas' NA."""
    if hasattr(y, "isna"):  # a pandas Series or DataFrame, of any dtype
        missing = np.asarray(y.isna())
    else:
        y = np.asarray(y)
        if y.dtype.kind == "f":
            missing = np.isnan(y)
        elif y.dtype == object:
            pandas = sys.modules.get("pandas")  # pd.NA exists only if imported
            if pandas is not None:
                missing = np.asarray(pandas.isna(y))
            else:
                missing = np.array([v is None or v != v for v in y.ravel()])
        else:
            return np.zeros(np.shape(y)[:1], dtype=bool)
    return missing.any(axis=tuple(range(1, missing.ndim)))


def check_no_missing_labels(
    y, advice="drop those rows or give them a label", input_name="y"
):
    """Refuse a target with missing labels (NaN, None or ``pd.NA``), by row.

    Without it, a nullable or object target fails deep inside scikit-learn
    ("boolean value of NA is ambiguous", "Unknown label type: unknown").
    ``advice`` ends the error message: what the caller can do instead;
    ``input_name`` names the labels in it.
    """
    if not hasattr(y, "isna"):  # pandas objects are read as they are
        y = np.asarray(y)
        if y.ndim == 0:
            return
    rows = np.flatnonzero(_missing_labels(y))
    if rows.size:
        first = ", ".join(str(row) for row in rows[:5].tolist())
        more = ", ..." if rows.size > 5 else ""
        plural = "s" if rows.size > 1 else ""
        raise ValueError(
            f"{input_name} holds {rows.size} missing label{plural} "
            f"(NaN, None or pd.NA), at row{plural} "
            f"{first}{more}: {advice}."
        )


def check_one_label_type(y, input_name="y"):
    """Refuse labels that mix strings and numbers, naming two of them.

    scikit-learn reads such an object array as "Unknown label type:
    unknown", a hint at a regression target, when it begins with a number,
    and fails with "'<' not supported between instances of 'int' and 'str'"
    when it begins with a string. ``input_name`` names the labels in the
    message.
    """
    dtype = getattr(y, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind != "O":
        return  # numbers, or strings of one numpy dtype
    # a list, or a pandas column (categories of strings read as objects)
    y = np.asarray(y)
    if y.dtype.kind != "O":
        return
    values = y.ravel().tolist()
    types = set(map(type, values))
    text = {kind for kind in types if issubclass(kind, (str, bytes))}
    if text and text != types:
        text = next(value for value in values if isinstance(value, (str, bytes)))
        other = next(value for value in values if not isinstance(value, (str, bytes)))
        raise ValueError(
            f"{input_name} mixes strings and numbers ({text!r} and "
            f"{other!r}); class labels must be all strings or all numbers: "
            "convert them to one type, e.g. with astype(str)."
        )


def check_classes(classes, name="classes", *, per_class=False):
    """Refuse ``classes`` that are not a 1d array-like of labels, by name.

    As scikit-learn's ``partial_fit(classes=...)`` (its ``unique_labels``),
    the labels are a sequence or an array: a list, a tuple, a range, an
    array, a pandas Series. A set (without order), a mapping or one of its
    views is refused with a ``ValueError`` that says so, where NumPy would
    make a 0-d array of it ("y should be a 1d array, got an array of shape
    ()"); so are labels of no dimension or of two, except a column of shape
    ``(n_classes, 1)``, which scikit-learn takes.

    The other sequences of labels or of per-class values that scikit-learn
    types "array-like" (``labels=``, ``target_names=``, column indices, class
    counts) go through it too, under their own ``name``.

    Parameters
    ----------
    classes : object
        The ``classes`` given to an estimator.
    name : str, default="classes"
        The name of the parameter, for the errors.
    per_class : bool, default=False
        Whether ``classes`` holds one value per class (counts, weights) rather
        than labels: the advice for a set is then to give the values in the
        order of the classes, not sorted.

    Returns
    -------
    classes : object
        ``classes``, unchanged.
    """
    what = "values" if per_class else "labels"
    if isinstance(classes, str) or not (
        isinstance(classes, Sequence) or hasattr(classes, "__array__")
    ):
        kind = type(classes).__name__
        if isinstance(classes, (set, frozenset)):
            order = (
                f"{name} in the order of the classes"
                if per_class
                else f"sorted({name})"
            )
            advice = f"a {kind} has no order: give {order}"
        else:
            advice = f"give the {what} as a list or an array"
        raise ValueError(
            f"{name} should be an array-like of {what} (a list, a tuple or an "
            f"array), got a {kind}, {classes!r}; {advice}."
        )
    shape = np.shape(np.asarray(classes, dtype=object))
    # A column (n_classes, 1) passes, as in scikit-learn's partial_fit.
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        raise ValueError(
            f"{name} should be a 1d array-like of {what}, got an array of "
            f"shape {shape}."
        )
    return classes


def class_counts(y, classes=None):
    """Count the samples of each class.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The labels.
    classes : array-like of shape (n_classes,), default=None
        The labels to count, in this order; by default the sorted labels of ``y``.

    Returns
    -------
    counts : ndarray of shape (n_classes,)
        ``counts[i]`` is the number of samples of ``classes[i]``.
    """
    y = np.asarray(y)
    if classes is None:
        classes, counts = np.unique(y, return_counts=True)
        return counts
    classes = np.asarray(classes)
    if y.size == 0 or classes.size == 0:
        return np.zeros(classes.size, dtype=np.int64)
    # One sort (or one hashing) of y, rather than a pass over y per class:
    # O(n_samples * n_classes), 11 s for a million string labels of 1000
    # classes.
    try:
        if object in (y.dtype, classes.dtype):
            return _class_counts_of_objects(y, classes)
        labels, counts = np.unique(y, return_counts=True)
        position = np.searchsorted(labels, classes).clip(max=labels.size - 1)
    except TypeError:  # labels that do not order with those of y, or unhashable
        return np.array([np.count_nonzero(y == c) for c in classes], dtype=np.int64)
    found = labels[position] == classes
    return np.where(found, counts[position], 0).astype(np.int64)


def _class_counts_of_objects(y, classes):
    """``class_counts`` of ``y`` or ``classes`` of object dtype.

    Python objects do not sort reliably: None does not order with strings,
    and NaN with nothing, which leaves ``np.unique``'s output unsorted and
    misleads ``np.searchsorted`` (also for the classes after a NaN class).
    The distinct labels of ``y`` come from a dict instead, and each class is
    compared with them as with ``y == c``: O(n_samples + n_distinct *
    n_classes).
    """
    if y.dtype == object:
        found = collections.Counter(y.ravel().tolist())
        labels = np.fromiter(found, dtype=object, count=len(found))
        counts = np.fromiter(found.values(), dtype=np.int64, count=len(found))
    else:
        labels, counts = np.unique(y, return_counts=True)
    return np.array([counts[labels == c].sum() for c in classes], dtype=np.int64)


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight``: finite, non-negative, one per sample.

    A scalar is one weight for every sample. Weights that sum to zero are
    refused: no sample would count. A weight that is NaN, infinite or
    negative is refused by its row and value (a scalar by its value), and
    one that is not a number with NumPy's reason. Complex weights are
    refused, as scikit-learn refuses them: NumPy's cast to float drops their
    imaginary part (a weight ``1j`` counted as 0).
    """
    weights = real_values(sample_weight, "sample_weight")
    refused = "sample_weight must hold finite, non-negative weights"
    if weights.ndim == 0:
        if not (0 <= weights < np.inf):  # NaN too
            raise ValueError(f"{refused}; got {float(weights)!r}.")
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight has shape {weights.shape}; it must hold one weight "
            f"per sample, shape ({n_samples},)."
        )
    bad = np.flatnonzero(~(weights >= 0) | np.isinf(weights))  # NaN too
    if bad.size:
        row = int(bad[0])
        more = ""
        if bad.size > 1:
            more = f" (and {bad.size - 1} more row{'s' if bad.size > 2 else ''})"
        raise ValueError(f"{refused}; row {row} holds {float(weights[row])!r}{more}.")
    if not weights.max(initial=0.0) > 0:  # their sum may overflow
        raise ValueError("sample_weight sums to zero: no sample would count.")
    return weights


def real_values(values, name):
    """``values`` as a new float array; complex values refused by ``name``.

    NumPy's cast to float drops the imaginary part of a complex array (a
    cost ``1 + 5j`` counted as 1) with only a ``ComplexWarning``, and fails
    on Python complex numbers with "float() argument must be a string or a
    real number", as :func:`check_sample_weight` notes. Values that are not
    numbers (a word, rows of different lengths, a dict in a row) are refused
    by ``name``, with NumPy's reason.
    """
    _refuse_complex(values, name)
    try:
        # np.array would pass copy=True to the __array__ of a torch tensor,
        # which takes no copy keyword (a NumPy DeprecationWarning)
        return np.asarray(values, dtype=float).copy()
    except (TypeError, ValueError) as error:
        reason = str(error).rstrip(".")  # NumPy's messages may end with one
        raise type(error)(f"{name} must hold numbers: {reason}.") from error


def _refuse_complex(values, name):
    """Refuse complex ``values`` by ``name``; others are left to the cast."""
    try:
        # np.asarray, not np.iscomplexobj: an array-like may refuse NumPy's
        # functions (__array_function__) and still convert
        is_complex = np.asarray(values).dtype.kind == "c"
    except (TypeError, ValueError):  # refused by the cast to float instead
        is_complex = False
    if is_complex:
        raise ValueError(
            f"{name} must hold real numbers; got complex values, whose "
            "imaginary part a cast to float would drop."
        )


def summable_weights(sample_weight):
    """Weights whose sums are finite, in the same ratios; ``None`` stays ``None``.

    ``sample_weight``, or the values of a given prior, for what depends only
    on the ratios of the weights (priors, recalls, the metrics of a rule):
    weights whose sum overflows (``1e307`` each) are scaled by a power of
    two, which keeps the ratios (weights below ``1e-308`` times the largest
    one excepted: they become the smallest float, so that a row of positive
    weight still counts, and a class of them is refused for its share, not
    as weightless). Weights whose sum is finite are returned as they are.
    """
    if sample_weight is None:
        return None
    with np.errstate(over="ignore"):
        total = sample_weight.sum()
    if np.isfinite(total):
        return sample_weight
    exponent = int(np.frexp(sample_weight.max())[1])
    with np.errstate(under="ignore"):
        scaled = np.ldexp(sample_weight, -exponent)
    scaled[(scaled == 0) & (sample_weight > 0)] = np.nextafter(0.0, 1.0)
    return scaled


def check_fit_takes_sample_weight(estimator, advice):
    """Refuse an estimator whose ``fit`` has no ``sample_weight`` parameter.

    ``advice`` ends the error message: what the caller can do instead.
    """
    if not has_fit_parameter(estimator, "sample_weight"):
        raise ValueError(
            f"{type(estimator).__name__}.fit does not accept sample_weight, {advice}"
        )


def check_classes_unchanged(model, classes, owner="the estimator"):
    """Refuse a fitted ``model`` whose ``classes_`` are no longer ``classes``.

    ``classes`` are those a meta-estimator read from ``model`` at its fit: a
    prefit model (held by a ``FrozenEstimator``) refitted in place on other
    labels since then would have its columns read as the old classes. A
    model left without ``classes_`` (by a failed fit) is left to its own
    ``predict_proba``, which says it is not fitted. ``owner`` names the model
    in the message.
    """
    current = getattr(model, "classes_", None)
    if current is classes or current is None or np.array_equal(current, classes):
        return
    raise ValueError(
        f"The classes_ of {owner} are now {_listed_labels(current)}, not the "
        f"{_listed_labels(classes)} of this fit: the model was fitted again "
        "since (a model held by a FrozenEstimator and refitted in place, say). "
        "Fit this estimator again around it."
    )


def model_proba(model, X, classes=None):
    """``model.predict_proba(X)`` as an array: a row a sample, a column a class.

    ltlearn's meta-estimators index its columns by the classes of ``model``:
    a model of the user's whose ``predict_proba`` gave another shape failed
    deep in NumPy ("operands could not be broadcast", "axis 1 is out of
    bounds"), or, one row short, gave that many predictions. ``classes``, the
    caller's fitted ``classes_``, are first checked by
    :func:`check_classes_unchanged`.
    """
    if classes is not None:
        check_classes_unchanged(model, classes)
    proba = np.asarray(model.predict_proba(X))  # its dtype kept
    try:
        n_samples = _num_samples(X)
    except TypeError:  # no count of rows (a dict of a network's inputs)
        n_samples = proba.shape[0] if proba.ndim else 0
    expected = (n_samples, len(model.classes_))
    if proba.shape != expected:
        raise ValueError(
            f"{type(model).__name__}.predict_proba returned an array of shape "
            f"{proba.shape}; for {expected[0]} samples and its {expected[1]} "
            f"classes_ it must be {expected}, one column per class."
        )
    return proba


def check_some_splits(folds, name, purpose):
    """Refuse ``folds``, the splits of the parameter ``name``, when empty.

    An iterator of splits (the generator of a splitter's ``split``) gives
    them to the first fit only. ``purpose`` says what the splits are for.
    """
    if not folds:
        raise ValueError(
            f"{name} gives no splits, so {purpose}. An iterator of splits, such "
            "as the generator that a splitter's split returns, is used up by "
            "the first fit: pass the splitter itself or a list of its splits."
        )


def may_have_method(estimator, name):
    """Whether ``estimator`` has the method ``name``, or may have it once fitted.

    scikit-learn offers some methods only for some parameters or once fitted
    (``available_if``): an unfitted ``StackingClassifier`` with its default
    final estimator has no ``predict_proba``, a fitted one has. Such a method
    is on the class; a delegating wrapper (``FrozenEstimator``) has it on
    the instance. Check the fitted model for it as well.
    """
    return hasattr(estimator, name) or hasattr(type(estimator), name)


def _as_int(value, *, whole=False):
    """``value`` as a Python int, or ``None`` where it is not one.

    An integer scalar of numpy or torch is one (``counts.max()``); a bool is
    not. ``whole`` takes a whole float too (``5.0`` epochs are 5).
    """
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        if whole and isinstance(value, Real) and math.isfinite(value):
            return int(value) if int(value) == value else None
    return None


def _check_count(name, value, *, low=1, whole=False):
    """``value`` as an int ``>= low``; refuse what is not one, naming ``name``.

    An integer scalar of numpy or torch counts (``counts.max()``); a bool does
    not, as for torch's samplers. ``whole`` takes a whole float too: ``5.0``
    epochs are 5.
    """
    count = _as_int(value, whole=whole)
    if count is None or count < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value!r}.")
    return count


def _check_fraction(name, value):
    """``value``, a single number in [0, 1]; refuse anything else, naming ``name``.

    NaN, a string, ``None`` or an array of several values is refused with the
    same message (the comparison fails or raises for them).
    """
    try:
        inside = bool(0.0 <= value <= 1.0)
    except (TypeError, ValueError, RuntimeError):  # not a single number
        inside = False
    if not inside:
        raise ValueError(f"{name} must be in [0, 1]; got {value!r}.")
    return value


def _native_byte_order(X):
    """``X`` with its NumPy dtypes in the machine's byte order.

    Data of the other order (``">f8"`` on a little-endian machine, as read
    from a big-endian file) holds the same values; pandas' hash tables take
    the native order only, ``">f4"`` is not ``np.float32`` to the checks
    that keep float32 data in float32, and torch refuses such an array
    ("given numpy array has byte order different from the native byte
    order"). An array or a DataFrame already native, or anything else (a
    tensor, a list, a pandas Series of an extension dtype), is returned as
    it is.
    """
    dtype = getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype):
        return X if dtype.isnative else X.astype(dtype.newbyteorder("="))
    dtypes = getattr(X, "dtypes", None)
    if not hasattr(dtypes, "items"):  # a Series' dtypes is its one dtype
        return X
    foreign = {
        name: dtype.newbyteorder("=")
        for name, dtype in dtypes.items()
        if isinstance(dtype, np.dtype) and not dtype.isnative
    }
    return X.astype(foreign) if foreign else X


def _writeable(X):
    """``X``, copied if torch cannot share its memory as it is.

    A read-only array (a pandas frame's values, a memory map) would make
    torch warn that the tensor sharing its memory may be written to; torch
    refuses negative strides (``x[:, ::-1]``, ``np.fliplr``), which it asks
    to copy, and an array of the other byte order, copied by
    ``_native_byte_order``. Other arrays and anything else are returned as
    they are.
    """
    if not isinstance(X, np.ndarray):
        return X
    if not X.dtype.isnative:
        return _native_byte_order(X)
    if X.flags.writeable and all(stride >= 0 for stride in X.strides):
        return X
    return X.copy()
