"""Per-class values given by class label, read in the order of ``classes_``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter
from collections.abc import MappingView

import numpy as np


def _check_class_keys(keys, labels, name, what, remedy=""):
    """Refuse ``keys`` (of a dict, or of a Series' index) that are not ``labels``.

    Each class must be named once, and nothing else: ``what`` says where the
    keys are (``"holds"``, ``"is indexed by"``), ``remedy`` ends the message.
    Keys of another type than the classes (``"1"`` for ``1``) are said to
    differ.
    """
    known = set(labels)
    unknown = [key for key in keys if key not in known]
    repeated = [key for key, count in Counter(keys).items() if count > 1]
    given = set(keys)
    missing = [label for label in labels if label not in given]
    if unknown:
        message = (
            f"{name} {what} {unknown!r}, which are not classes; the classes "
            f"are {labels!r}."
        )
    elif repeated:
        message = f"{name} has several values for class {repeated[0]!r}."
    elif missing:
        message = f"{name} has no value for class {missing[0]!r}."
    else:
        return
    if not known & given and {str(key) for key in keys} & set(map(str, labels)):
        message += " Labels of another type differ (1 and '1')."
    raise ValueError(message + remedy)


def _class_positions(index, labels, name):
    """Where each class is in ``index``, or None to read it by position.

    The classes are found by equality, as in a dict (``.loc`` would take the
    classes False and True for a boolean mask). The default index ``0..n-1``
    and an index that names no class, even as text, are read by position; an
    index that names some classes but not each of them once is refused.
    """
    keys = index.tolist()
    if len(keys) != len(labels) or set(keys) != set(labels):
        if keys == list(range(len(keys))) or not (
            set(keys) & set(labels)
            or {str(key) for key in keys} & set(map(str, labels))
        ):
            return None
        _check_class_keys(  # raises
            keys,
            labels,
            name,
            "is indexed by",
            " Index it by the classes, or give its values (.to_numpy()) in the "
            "order of classes_.",
        )
    where = {key: i for i, key in enumerate(keys)}
    return [where[label] for label in labels]


def _is_pandas(values):
    """Whether ``values`` is a pandas Series or DataFrame, read by label.

    Both have ``loc`` and an ``index``; an xarray ``DataArray`` has ``loc``
    and no ``index``, and is read by position, as an array.
    """
    return hasattr(values, "loc") and hasattr(values, "index")


def _axis_positions(values, labels, name):
    """``_class_positions`` of each axis of a pandas ``values``, by axis name.

    ``"index"``, then ``"columns"`` for a DataFrame; ``None`` for an axis
    read by position.
    """
    axes = {"index": values.index}
    if hasattr(values, "columns"):  # a DataFrame
        axes["columns"] = values.columns
    return {axis: _class_positions(keys, labels, name) for axis, keys in axes.items()}


def _in_class_order(values, classes, name):
    """Per-class ``values`` in the order of ``classes``.

    A dict, or a pandas Series whose index holds the classes (that of
    ``y.value_counts()``, in the order of the counts), is read by label; a
    DataFrame, by label on each axis that holds the classes. An index that
    names some classes but not each once is refused, as is a set (which has
    no order, where scikit-learn's "array-like" takes one) or a view of a
    dict (in the dict's order: the dict itself is read by label); anything
    else is read by position, as given. ``name`` names the parameter in the
    errors.
    """
    labels = classes.tolist()
    if isinstance(values, (set, frozenset, MappingView)):
        order = (
            "the order of its dict, not of the classes"
            if isinstance(values, MappingView)
            else "no order"
        )
        raise ValueError(
            f"{name} is a {type(values).__name__}, which has {order}: give it "
            f"as a list or an array in the order of the classes {labels!r}, or "
            "by class label (a dict or a pandas object indexed by the classes)."
        )
    if isinstance(values, dict):
        _check_class_keys(list(values), labels, name, "holds")
        return [values[label] for label in labels]
    if not _is_pandas(values):
        return values
    positions = list(_axis_positions(values, labels, name).values())
    if all(where is None for where in positions):
        return values
    array = values.to_numpy()
    taken = [
        np.arange(n) if where is None else where
        for where, n in zip(positions, array.shape)
    ]
    return array[np.ix_(*taken)]
