"""The checks of the class labels that the metrics are given."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ltlearn.metrics._string_labels import _distinct_strings
from ltlearn.utils._validation import (
    _MULTI_OUTPUT_TYPES,
    check_no_missing_labels,
    check_one_label_type,
    check_sample_weight,
)


def _check_no_missing_labels(**labels):
    """Refuse missing labels in each array of ``labels`` (``y_true=...``), by row.

    They failed in column_or_1d or np.unique ("boolean value of NA is
    ambiguous", "'<' not supported between 'str' and 'NoneType'").
    """
    for name, values in labels.items():
        if values is not None:
            check_no_missing_labels(values, input_name=name)


def _check_class_labels(**labels):
    """Refuse, by name, each array that does not hold one class label per sample.

    scikit-learn's ``unique_labels`` refuses float labels that are not
    integers (``0.1``) with "Unknown label type" followed by the whole
    arrays, or "Mix type of y not allowed" beside class labels, and
    ``column_or_1d`` a 2-d array (a multilabel indicator, the output of
    ``predict_proba``) with "y should be a 1d array", naming neither the
    array nor what it holds; an object array that mixes strings and numbers
    failed with a ``TypeError`` of Python's ``<``.

    Returns
    -------
    kinds : list of str
        The ``type_of_target`` of each array.
    """
    kinds = []
    for name, values in labels.items():
        check_one_label_type(values, input_name=name)
        distinct = _distinct_strings(values)
        if distinct is not None:  # what type_of_target finds, without sorting
            kind = "multiclass" if len(distinct) > 2 else "binary"
        else:
            kind = type_of_target(values, input_name=name)
        if kind == "continuous":
            raise ValueError(f"{name} must hold class labels; got continuous values.")
        if kind in _MULTI_OUTPUT_TYPES:
            raise ValueError(
                f"{name} must hold class labels, one per sample; got {kind} "
                f"values of shape {np.shape(values)}."
            )
        kinds.append(kind)
    return kinds


def _check_scored(y_true, y_pred, y_train, sample_weight):
    """``y_true``, ``y_pred`` and ``sample_weight`` checked as the metrics score them.

    Missing and non-label values are refused by name, the two label arrays
    made 1-d of one length, and an empty ``y_true`` refused before the
    weights are checked (empty weights were refused as summing to zero,
    which blamed them). ``y_train`` is only checked for missing labels.
    """
    _check_no_missing_labels(y_true=y_true, y_pred=y_pred, y_train=y_train)
    _check_class_labels(y_true=y_true, y_pred=y_pred)
    y_true = column_or_1d(y_true)
    y_pred = column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred)
    if y_true.shape[0] == 0:
        raise ValueError("y_true is empty (0 samples); there is nothing to score.")
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, y_true.shape[0])
    return y_true, y_pred, sample_weight


def _check_y_train(y_train):
    """``y_train`` as a 1-d array of class labels, refused when empty."""
    (kind,) = _check_class_labels(y_train=y_train)
    y_train = column_or_1d(y_train)
    if y_train.shape[0] == 0:
        raise ValueError(
            "y_train is empty (0 samples); the training count of each class "
            "comes from it."
        )
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"y_train must hold class labels; got {kind} values.")
    return y_train


def _check_labels_match(labels, found, with_train):
    """Refuse ``labels`` of another type than the classes, none of them a class.

    Every row of the report and every aggregate would be 0, without a
    warning. scikit-learn's scores match a label to a class of the other
    type by its text (the label ``"1"`` is the class ``1``), so labels of
    which one is a class that way are kept. ``found`` are the classes of
    ``y_true``, ``y_pred`` (and ``y_train`` when ``with_train``).

    Returns
    -------
    by_text : bool
        Whether ``labels`` are of the other type, matched to the classes by
        their text.
    """
    is_str = {isinstance(label, (str, bytes)) for label in labels.tolist()}
    found_is_str = {isinstance(label, (str, bytes)) for label in found.tolist()}
    by_text = len(is_str | found_is_str) > 1
    if by_text and not np.isin(labels.astype(str), found.astype(str)).any():
        kinds = {True: "strings", False: "numbers"}
        arrays = "y_true, y_pred and y_train" if with_train else "y_true and y_pred"
        shown = found.tolist()[:5] + (["..."] if found.size > 5 else [])
        raise ValueError(
            f"labels holds {kinds[is_str.pop()]} ({labels.tolist()!r}), the "
            f"classes of {arrays} are {kinds[found_is_str.pop()]} ({shown!r}): "
            "no class of labels occurs. labels picks classes; target_names "
            "gives them the names shown."
        )
    return by_text


def _check_train_labels(y_true, y_train):
    train_labels, train_counts = np.unique(y_train, return_counts=True)
    unseen = np.setdiff1d(y_true, train_labels)  # of the distinct labels
    if unseen.size:
        raise ValueError(
            f"y_true holds labels unseen in y_train: {unseen.tolist()!r}; the "
            "shot groups are defined by training counts."
        )
    return train_labels, train_counts
