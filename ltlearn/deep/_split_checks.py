"""The classes that the validation split of ``train_split`` cannot serve, named.

skorch's split sees the codes ``0 .. K-1`` of a classifier's ``classes_``:
scikit-learn's refusal of a class of one sample names the code, not the
label, and a split that is not stratified may leave a class out of the
training part without a word.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.model_selection import StratifiedShuffleSplit
from skorch.dataset import ValidSplit
from skorch.utils import to_numpy

from ltlearn.utils._class_counts import single_sample_note


def _codes(y):
    """The class codes of ``y``, the targets skorch splits, as int64."""
    return np.asarray(to_numpy(y)).astype(np.int64, copy=False).ravel()


def _refuse_a_class_of_one(split, y, classes):
    """Name by its label a class of one sample that ``split`` cannot stratify.

    scikit-learn's ``StratifiedShuffleSplit`` (skorch's ``ValidSplit``
    with a float ``cv`` and ``stratified=True``) refuses such a class,
    naming its code: the split sees the codes ``0 .. K-1`` of ``classes``,
    not the labels. Where several classes have one sample, the message says
    how many and names the first ten, so that they are mended in one go.
    """
    if not isinstance(split, ValidSplit) or not split.stratified or y is None:
        return
    cv = split.check_cv(y)
    if not isinstance(cv, StratifiedShuffleSplit):
        return
    counts = np.bincount(_codes(y))
    single = np.flatnonzero(counts == 1)
    if single.size:
        label = classes.tolist()[single[0]]
        raise ValueError(
            f"Class {label!r} has 1 sample in y, too few for the validation "
            f"split of train_split, a {type(cv).__name__}, which needs 2 "
            "samples of every class: add samples of the class, drop it, or "
            "pass train_split=None to train on all the data."
            f"{single_sample_note(classes, counts)}"
        )


def _refuse_a_class_left_out(y, labels, classes, counts_before=0):
    """Name a class of ``y`` that the split left out of the training part.

    A split that is not stratified takes whole classes from rows sorted
    by class: ``ValidSplit(5)``, a ``KFold`` without shuffling, makes the
    first fifth of the rows the validation part. The network would never
    learn such a class; one learned in an earlier ``partial_fit`` (of
    ``counts_before``) is not lost. ``labels`` are the label codes of the
    training part, ``classes`` the labels of the codes. A validation split
    needs 2 samples of every class, the stratified one advised too: the
    classes of a single sample are named with the class left out.
    """
    if y is None:
        return
    n_classes = len(classes)
    given = np.bincount(_codes(y), minlength=n_classes)
    trained = np.bincount(labels.astype(np.int64, copy=False), minlength=n_classes)
    earlier = np.zeros(n_classes) + counts_before
    missing = np.flatnonzero((given > 0) & (trained == 0) & (earlier == 0))
    if not missing.size:
        return
    label, n = classes.tolist()[missing[0]], int(given[missing[0]])
    if n < 2:
        advice = (
            "A validation split needs 2 samples of every class: add samples "
            "of the class, drop it, or pass train_split=None to train on "
            "all the data"
        )
    else:
        advice = (
            "A split that is not stratified takes whole classes from rows "
            "sorted by class (ValidSplit(5) validates on the first fifth of "
            "the rows): pass train_split=ValidSplit(5, stratified=True), "
            "shuffle the rows, or pass train_split=None to train on all the "
            "data"
        )
        ones = np.flatnonzero(given == 1)
        if ones.size:
            advice += (
                ". A stratified split needs 2 samples of every class, and "
                f"class {classes.tolist()[ones[0]]!r} has 1: add samples of "
                "such classes or drop them"
            )
    raise ValueError(
        f"Class {label!r} has {n} sample{'s' if n != 1 else ''} in y, and "
        "the training part of train_split holds none of them, so the "
        f"network would not learn it. {advice}."
        f"{single_sample_note(classes, given)}"
    )
