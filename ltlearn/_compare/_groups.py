"""The groups of a user's table (``--groups``): rows the folds keep together."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ltlearn._compare._data import CompareError
from ltlearn._compare._target import _rows_text


def read_groups(frame, column, target, file_name):
    """The group of each row of ``frame``: codes ``0 .. n_groups - 1``.

    ``column`` (the value of ``--groups``, a column of ``frame``) must be
    other than ``target`` and have a value on every row: a missing one is
    refused, its rows named, since whether such a row belongs with others
    cannot be told. Equal values are one group. The groups are numbered in
    the order of their values, as scikit-learn numbers them, so that the
    folds are those of ``StratifiedGroupKFold`` given the column.

    Returns
    -------
    codes : ndarray of shape (n_samples,)
        The group of each row, numbered in the order of the values.
    note : str
        What the folds do with the groups, for the notes of the data set.
    """
    import pandas as pd

    if column == target:
        raise CompareError(
            f"--groups {column!r} is the target column; give the column that "
            "says which rows belong together (a patient, a customer, a site)."
        )
    values = frame[column]
    missing = np.flatnonzero(values.isna().to_numpy())
    if missing.size:
        raise CompareError(
            f"Group column {column!r} of {file_name} has {missing.size} missing "
            f"value(s) ({_rows_text(missing)}): every row needs a group. Fill "
            "them (a row that shares its unit with no other: a value of its "
            "own), or drop those rows."
        )
    # the values, not pandas' categories: scikit-learn sorts the values of a
    # categorical column, whatever the order of its categories
    codes, uniques = pd.factorize(np.asarray(values), sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    note = (
        f"Folds keep the rows of each value of {column!r} together "
        f"({len(uniques)} groups in {codes.size} rows); the column is not a "
        "feature."
    )
    if len(uniques) == codes.size:
        note += " Each row is a group of its own, so the folds are of single rows."
    return codes, note


def groups_per_class(dataset, cv):
    """The number of groups that hold labelled rows of each class of ``dataset``.

    An error, first, when the labelled rows fall in fewer groups than ``cv``
    folds: a test fold takes whole groups (scikit-learn's
    ``StratifiedGroupKFold`` refuses it too).
    """
    labelled = dataset.y >= 0
    groups = dataset.groups[labelled]
    n_groups = np.unique(groups).size
    if n_groups < cv:
        fix = "Lower --cv." if n_groups > 1 else "Give a column of smaller groups."
        raise CompareError(
            f"Group column {dataset.groups_column!r} of data set "
            f"{dataset.name!r} has {n_groups} group(s) of labelled rows; --cv "
            f"{cv} needs at least {cv}, since a test fold takes whole groups. "
            f"{fix}"
        )
    pairs = np.unique(np.column_stack([dataset.y[labelled], groups]), axis=0)
    return np.bincount(pairs[:, 0], minlength=dataset.classes.size)


def grouped_splits(dataset, labelled, cv, seed):
    """The (train, test) indices into ``labelled`` of the folds of ``cv`` groups.

    ``StratifiedGroupKFold``, shuffled by ``seed``: each group is in one test
    fold, and the classes are spread over the folds as evenly as whole
    groups allow. Where groups hold rows of several classes, that can leave a
    class out of a test fold even with the class in ``cv`` groups or more;
    such a fold cannot score the class, and is refused by name.

    The groups are shuffled here, as scikit-learn 1.8 shuffles them, and
    split unshuffled: scikit-learn 1.7 shuffled the class counts of the
    groups apart from the groups themselves, which left the folds unstratified.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    _, groups = np.unique(dataset.groups[labelled], return_inverse=True)
    order = np.arange(groups.max() + 1)
    np.random.RandomState(seed).shuffle(order)
    place = np.empty_like(order)
    place[order] = np.arange(order.size)
    y = dataset.y[labelled]
    splitter = StratifiedGroupKFold(n_splits=cv)
    splits = list(splitter.split(labelled, y, place[groups]))
    for fold, (_, test) in enumerate(splits):
        absent = np.setdiff1d(np.arange(dataset.classes.size), y[test])
        if absent.size:
            names = ", ".join(map(repr, dataset.classes[absent].tolist()))
            raise CompareError(
                f"Test fold {fold} of data set {dataset.name!r} has no labelled "
                f"row of class {names}: the groups of {dataset.groups_column!r} "
                "hold rows of several classes, and whole groups could not put "
                f"each class in each of the --cv {cv} test folds (a fold without "
                "a class cannot score it). Lower --cv, or try another --seed."
            )
    return splits
