"""CReST's labels: the unlabelled rows, the checks of the labelled ones."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, validate_data

from ltlearn.utils._class_counts import _listed_labels, check_min_class_counts
from ltlearn.utils._rows import indexable_rows
from ltlearn.utils._validation import (
    check_classes,
    check_classification_y,
    check_no_missing_labels,
    class_counts,
    column_or_1d_y,
)
from ltlearn.utils._warnings import external_stacklevel


class _LabelInteger(Interval):
    """Any int but a bool, which equals a label: ``True`` marked class 1."""

    def __init__(self):
        super().__init__(Integral, None, None, closed="neither")

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)

    def __str__(self):
        # Interval's "an int in the range (-inf, inf)" holds for True too
        return "an int that is not a bool"


def _integer_text(text):
    """The int that ``text`` writes (``"-1"`` for -1), or None."""
    try:
        number = int(text)
    except ValueError:
        return None
    return number if str(number) == text else None


def _unlabeled_mask(y, unlabeled_value):
    """Boolean mask of the rows of ``y`` marked as unlabelled.

    A string that writes an int (``"-1"`` from a command line or a config
    file) marks the rows of numbers that int marks, as the int marks its
    string; booleans, which the int 1 would mark, are no such numbers.
    """
    unlabeled = _marked_rows(y, unlabeled_value)
    if isinstance(unlabeled_value, str) and y.dtype.kind in "iufO":
        number = _integer_text(unlabeled_value)
        if number is not None:
            unlabeled |= _marked_rows(y, number)
    return unlabeled


def _marked_rows(y, unlabeled_value):
    """Boolean mask of the rows of ``y`` that ``unlabeled_value`` marks."""
    if y.dtype.kind in "US":
        # NumPy stores -1 as "-1" in an array of strings.
        return y == str(unlabeled_value)
    if y.dtype.kind != "O" and isinstance(unlabeled_value, str):
        return np.zeros(y.shape[0], dtype=bool)
    unlabeled = np.asarray(y == unlabeled_value, dtype=bool)
    if y.dtype.kind == "O" and not isinstance(unlabeled_value, str):
        # Strings read from a file, or a pandas string column, hold "-1" as
        # an array of strings does.
        unlabeled |= np.asarray(y == str(unlabeled_value), dtype=bool)
    return unlabeled


def _check_labels(y, unlabeled_value, classes):
    """The mask of the unlabelled rows of ``y``; refuse bad labels."""
    unlabeled = _unlabeled_mask(y, unlabeled_value)
    if unlabeled.all():
        raise ValueError(
            f"y has no labelled row: all {y.shape[0]} rows are marked "
            f"unlabelled (unlabeled_value={unlabeled_value!r}). CReST "
            "needs labelled rows of at least 2 classes."
        )
    labels = check_classification_y(y[~unlabeled], min_classes=1)
    if labels.size < 2:
        raise ValueError(
            f"The labelled rows hold 1 class ({labels.tolist()!r}); at least "
            "2 labelled classes are needed to fit. Rows marked with "
            f"unlabeled_value={unlabeled_value!r} do not count."
        )
    if classes is not None:
        # a column (n_classes, 1) is taken, as in check_classes
        expected = list(np.asarray(check_classes(classes), dtype=object).ravel())
        labels, counts = np.unique(y[~unlabeled], return_counts=True)
        count_of = dict(zip(labels.tolist(), counts.tolist()))
        # Labels outside classes first: labels of another type than classes
        # (1 and "1") are all outside, which says more than a count of 0.
        extra = sorted(set(count_of) - set(expected), key=str)
        if extra:
            hint = ""
            if not set(count_of) & set(expected):
                hint = (
                    " No labelled row holds a label of classes: give classes "
                    "as y holds its labels (1 and '1' differ)."
                )
            raise ValueError(
                f"The labelled rows hold {_listed_labels(extra)}, which are not "
                f"in classes={_listed_labels(expected)}.{hint}"
            )
        check_min_class_counts(
            expected,
            [count_of.get(label, 0) for label in expected],
            unit="labelled rows",
            needs="every class in classes needs at least one labelled row: "
            "CReST ranks classes by their labelled counts and could never "
            "predict a class it has not seen.",
        )
    return unlabeled


def _checked_fit_data(crest, X, y):
    """``X`` and ``y`` as ``crest.fit`` takes them, and the unlabelled mask.

    ``X`` goes to the estimator as it is, as in the post-hoc classifiers: a
    DataFrame keeps its column names and dtypes for a pipeline that selects
    columns; the estimator checks X (missing values included).
    """
    if y is not None:  # validate_data names a missing y
        check_no_missing_labels(
            y,
            advice=f"mark the unlabelled rows with unlabeled_value="
            f"{crest.unlabeled_value!r} (missing labels are not taken as "
            "unlabelled)",
        )
    validate_data(crest, X, y, skip_check_array=True)  # names a missing y
    X, y = indexable_rows(X, y)
    if sparse.issparse(y):
        check_classification_y(y)  # refuses it, naming a multi-output target
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    if y.ndim == 2 and y.shape[1] > 1:
        check_classification_y(y)  # refuses it, naming the multi-output target
    y = column_or_1d_y(y)
    unlabeled = _check_labels(y, crest.unlabeled_value, crest.classes)
    if not unlabeled.any():
        warnings.warn(
            "y contains no unlabelled row (marked with unlabeled_value="
            f"{crest.unlabeled_value!r}); fitting the estimator on the labelled "
            "rows only.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
    else:
        _refuse_pairwise(crest.estimator)
    return X, y, unlabeled


def _refuse_pairwise(estimator):
    """Refuse an ``estimator`` on a precomputed kernel or distance matrix.

    Its ``pairwise`` tag says so: it is fitted on the labelled rows (and the
    pseudo-labelled ones) with all the columns, where it needs the columns
    of the very rows it is fitted on; it failed with an error about a matrix
    that was not given.
    """
    if (
        hasattr(estimator, "__sklearn_tags__")
        and get_tags(estimator).input_tags.pairwise
    ):
        raise ValueError(
            f"CReSTClassifier cannot use the estimator {type(estimator).__name__}, "
            "which takes a precomputed kernel or distance matrix (its pairwise "
            "tag): each generation fits it on the labelled and pseudo-labelled "
            "rows of X, with all the columns of X. Give X as features."
        )


def _labelled_class_counts(y_labeled, classes, weight=None):
    """The count of each class in ``y_labeled``, or its total ``weight``.

    Refuses a class of total weight 0.
    """
    if weight is None:
        return class_counts(y_labeled, classes)
    counts = np.array([weight[y_labeled == label].sum() for label in classes])
    check_min_class_counts(
        classes,
        counts,
        np.finfo(np.float64).tiny,  # any positive total
        unit="total sample_weight",
        where=" in the labelled rows",
        needs="the keep rates come from the labelled class counts, and "
        "a count of 0 would give the most frequent class a keep rate "
        "of 0. Give its labelled rows positive weights, or leave them "
        "out.",
    )
    return counts


def _labelled_rows(X, y, sample_weight, unlabeled_value):
    """``X``, ``y`` and ``sample_weight`` on the labelled rows of ``y``."""
    X, y, sample_weight = indexable_rows(X, y, sample_weight)
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    y = column_or_1d_y(y)
    labeled = np.flatnonzero(~_unlabeled_mask(y, unlabeled_value))
    if not labeled.size:
        raise ValueError(
            f"y has no labelled row to score: all {y.shape[0]} rows are "
            f"marked unlabelled (unlabeled_value={unlabeled_value!r})."
        )
    if labeled.size < y.shape[0]:
        X, y = _safe_indexing(X, labeled), y[labeled]
        if sample_weight is not None:
            sample_weight = _safe_indexing(sample_weight, labeled)
    return X, y, sample_weight
