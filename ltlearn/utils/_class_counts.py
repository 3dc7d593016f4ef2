"""Class-count rules shared by ltlearn: the effective number, the minimum size."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from ltlearn.utils._listing import LISTED, first_listed


def _plain(value):
    """A numpy scalar (a label, a count) as the Python object it holds."""
    return value.item() if isinstance(value, np.generic) else value


def _listed_labels(labels):
    """``labels`` for a message: a list of a few, else the first and how many.

    A message about hundreds of classes names the first ten and how many
    there are, ``"0, 1, ..., 9, ... (1000 in all)"``, not all of them.
    """
    labels = [_plain(label) for label in labels]
    if len(labels) <= LISTED:
        return repr(labels)
    return first_listed(map(repr, labels))


def single_sample_note(classes, n_rows, of=""):
    """How many classes have a single sample, the first named; ``""`` for one.

    No folds keep such a class in a training fold and in the test fold that
    scores it, so a message about one of them names them all at once: a
    target of hundreds of classes is then mended in one go, not one class a
    fit. ``n_rows`` holds the sample count of each class of ``classes``;
    ``of`` qualifies the samples (" of positive sample_weight").
    """
    single = np.flatnonzero(np.asarray(n_rows) == 1)
    if single.size < 2:
        return ""
    labels = (repr(_plain(label)) for label in np.asarray(classes)[single])
    return (
        f" {single.size} classes have a single sample{of} in y: {first_listed(labels)}."
    )


def inverse_effective_number(counts, beta):
    """One over the effective number of samples, ``(1 - beta) / (1 - beta**n)``.

    The effective number of ``n`` samples, ``(1 - beta**n) / (1 - beta)``, is
    the expected volume they cover (Cui et al., 2019); its inverse is the
    class-balanced weight of a class of ``n`` samples. ``beta=0`` gives 1 for
    every count, ``beta=1`` gives ``1 / n`` (the limit as ``beta`` tends to
    one). Computed in float64 as ``(1 - beta) / -expm1(n * log(beta))``,
    accurate when ``beta`` is close to one.

    Parameters
    ----------
    counts : array-like of shape (n_classes,) or float
        The numbers of samples.
    beta : float
        The hyper-parameter, in ``[0, 1]``.

    Returns
    -------
    inverse : ndarray of the shape of ``counts``
        The inverse effective numbers, in float64.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if beta == 0.0:
        return np.ones_like(counts)
    if beta == 1.0:
        return 1.0 / counts
    return (1.0 - beta) / -np.expm1(counts * math.log(beta))


def check_min_class_counts(
    classes, counts, min_count=1, *, needs, unit="samples", where=""
):
    """Refuse the first class with fewer than ``min_count`` samples.

    The error names the class and what it lacks:
    ``"Class {label!r} has {n} {unit}{where}; {needs}"``, where ``needs`` may
    hold ``{min_count}``, the count that class needed.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
        The labels, in the order of ``counts``.
    counts : array-like of shape (n_classes,)
        The number of samples (or their total weight) of each class.
    min_count : int, float or array-like of shape (n_classes,), default=1
        The fewest samples each class may have.
    needs : str
        What the caller needs, ending the message.
    unit : str, default="samples"
        What is counted.
    where : str, default=""
        Where it is counted, e.g. ``" in y"``.

    Raises
    ------
    ValueError
        If a class has fewer than ``min_count`` samples.
    """
    counts = np.asarray(counts)
    min_count = np.broadcast_to(min_count, counts.shape)
    short = np.flatnonzero(counts < min_count)
    if short.size:
        i = short[0]
        n = _plain(counts[i])
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        needs = needs.replace("{min_count}", str(_plain(min_count[i])))
        raise ValueError(f"Class {_plain(classes[i])!r} has {n} {unit}{where}; {needs}")


def class_left_out(folds, codes, n_classes, counted=None):
    """The first training fold of ``folds`` that holds no row of a class.

    ``codes`` are the class codes of the rows; with the boolean mask
    ``counted``, only the rows it marks count (those of positive weight).
    Returns the index of the fold, the code of the class it misses that has
    the fewest rows (of the classes that have some) and the row count of
    every class; ``None`` when every training fold holds every such class.
    """
    if counted is None:
        counted = np.ones(codes.shape[0], dtype=bool)
    n_rows = np.bincount(codes[counted], minlength=n_classes)
    for i, (train, _) in enumerate(folds):
        train = np.asarray(train)
        train = train[counted[train]]
        in_train = np.bincount(codes[train], minlength=n_classes)
        missing = np.flatnonzero((in_train == 0) & (n_rows > 0))
        if missing.size:
            return i, int(missing[np.argmin(n_rows[missing])]), n_rows
    return None
