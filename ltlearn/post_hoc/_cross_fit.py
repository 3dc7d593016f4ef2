"""The folds of the out-of-fold probabilities of the post-hoc rules and the ensemble."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils.metaestimators import _safe_split

from ltlearn.utils._class_counts import class_left_out, single_sample_note
from ltlearn.utils._folds import checked_folds
from ltlearn.utils._routing import take_rows
from ltlearn.utils._validation import model_proba

# What the folds of cv are for, in the error on a cv of no splits.
_OOF_PURPOSE = "the out-of-fold probabilities cannot be computed"


def _int_cv_folds(splitter, X, y, codes, classes, purpose, sample_weight, params):
    """The checked folds of an int ``cv``'s ``StratifiedKFold`` ``splitter``.

    Stratified on ``y``; where a training fold of them would miss the rows of
    positive weight of a class, stratified instead with the rows of weight 0
    as strata of their own, so that the others spread over the folds as if
    those were not there (the folds of other fits stay as they were).
    """
    cv = splitter.get_n_splits()
    _check_largest_class(codes, classes, cv, purpose)
    folds = list(splitter.split(X, y, **params))
    if sample_weight is not None and np.any(sample_weight <= 0):
        try:
            _check_folds(folds, codes, classes, cv, purpose, sample_weight)
            return folds
        except ValueError:
            strata = np.where(sample_weight > 0, codes, codes + classes.size)
            if np.bincount(strata).max() < cv:
                raise  # too few samples in every stratum for the folds
            folds = list(splitter.split(X, strata, **params))
    _check_folds(folds, codes, classes, cv, purpose, sample_weight)
    return folds


def _check_largest_class(codes, classes, cv, purpose):
    """Refuse an int ``cv`` of more folds than the largest class has samples.

    ``StratifiedKFold`` refuses such folds in words of its own ("n_splits=5
    cannot be greater than the number of members in each class"), which name
    neither ``cv`` nor how many folds the classes allow. A class of a single
    sample, which no number of folds serves, is named with them.
    """
    counts = np.bincount(codes, minlength=classes.size)
    largest = int(counts.max())
    if largest >= cv:
        return
    single = np.flatnonzero(counts == 1)
    if largest < 2:
        advice = "Out-of-fold probabilities need at least 2 samples of every class"
    else:
        advice = f"Use cv={largest} or fewer folds"
        if single.size:
            label = classes.tolist()[single[0]]
            advice += (
                f", and add samples of class {label!r} or drop it: it has 1 "
                "sample, and out-of-fold probabilities need at least 2 samples "
                "of every class, whatever the number of folds"
            )
    raise ValueError(
        f"cv={cv} asks for {cv} stratified folds, which need a class of at "
        f"least {cv} samples, but the largest class of y has {largest} "
        f"sample{'s' if largest != 1 else ''}, so {purpose} cannot be computed "
        f"out of fold. {advice}.{single_sample_note(classes, counts)}"
    )


def _check_folds(folds, codes, classes, cv, purpose, sample_weight=None):
    """Refuse folds whose training part misses a class of ``y``.

    The estimator fitted on such a fold cannot predict the missing class
    (and a binary estimator cannot be fitted at all), so the out-of-fold
    probabilities would be wrong for it. With ``sample_weight``, only the
    samples of positive weight count: a class whose samples in a training
    part all weigh 0 is missing from it, as if they were not there.
    """
    counted = None if sample_weight is None else np.asarray(sample_weight) > 0
    left_out = class_left_out(folds, codes, classes.size, counted)
    if left_out is None:
        return
    i, code, n_rows = left_out
    label, n = classes.tolist()[code], int(n_rows[code])
    of = "" if sample_weight is None else " of positive sample_weight"
    others = ""
    if n < 2:
        others = single_sample_note(classes, n_rows, of)
        advice = (
            "Out-of-fold probabilities need at least 2 samples of every "
            "class, whatever the number of folds (stratified folds then "
            "keep one in every training fold): add samples of the class, "
            "drop it, or wrap a fitted estimator in FrozenEstimator to "
            "use its probabilities on the training data"
        )
    elif sample_weight is not None:
        advice = (
            "Pass folds that keep a sample of positive weight of every "
            "class in every training fold (stratified folds balance the "
            "samples, whatever their weights)"
        )
    else:
        advice = (
            "Use stratified folds, e.g. an int cv, which keep a sample "
            "of every class of at least 2 samples in every training fold"
        )
    splits = f"cv={cv}" if isinstance(cv, Integral) else "cv"
    raise ValueError(
        f"Class {label!r} has {n} sample{'s' if n != 1 else ''}{of} in y, "
        f"and training fold {i} of {splits} holds none of them, so "
        f"{purpose} cannot be computed out of fold. {advice}.{others}"
    )


def _partition_folds(folds, n_samples, purpose):
    """The folds of ``cv`` as index arrays, refused unless a partition.

    Their test parts must cover each of the ``n_samples`` samples exactly
    once, as :func:`~sklearn.model_selection.cross_val_predict` requires;
    the error says how they fail to, and what to do where they leave out
    only the first rows, as splits in time order do. ``purpose`` is what the
    folds are for.
    """
    folds = checked_folds(folds, n_samples, "cv", purpose)
    hits = np.bincount(np.concatenate([test for _, test in folds]), minlength=n_samples)
    if np.all(hits == 1):
        return folds
    problems = []
    for rows, kind in (
        (hits == 0, "in no test fold"),
        (hits > 1, "in several test folds"),
    ):
        if rows.any():
            count, first = np.count_nonzero(rows), int(np.argmax(rows))
            problems.append(
                f"{count} of the {n_samples} samples {'is' if count == 1 else 'are'} "
                f"{kind} (sample {first}{' first' if count > 1 else ''})"
            )
    advice = ""
    missing = np.count_nonzero(hits == 0)
    if missing and not hits[:missing].any() and np.all(hits[missing:] == 1):
        # the rows in no test fold are the first ones, as in time order
        advice = (
            " Splits in time order (TimeSeriesSplit, a hold-out of the last "
            "rows) leave the first rows out of every test fold: fit the "
            "model (each model of an ensemble) on the earlier rows instead, "
            "then this classifier on the later ones, with the model wrapped "
            "in FrozenEstimator."
        )
    raise ValueError(
        "The out-of-fold probabilities need a cv whose test folds cover "
        "each sample exactly once (a partition of the samples), but "
        f"{' and '.join(problems)}.{advice}"
    )


def _cross_fit_proba(estimator, X, y, folds, params, classes=None):
    """Out-of-fold ``predict_proba`` of clones of ``estimator`` over ``folds``.

    Each clone is fitted on the labels of ``y`` themselves, as ``estimator_``
    is (``cross_val_predict`` would fit it on label codes ``0 .. K-1``, which
    a parameter naming labels, such as a ``class_weight`` dict or the
    ``constant`` of a ``DummyClassifier``, does not know). ``params`` are the
    ``fit`` parameters of ``estimator``, those of one value per sample taken
    on the training rows. ``folds`` are ``(train, test)`` arrays of row
    indices whose test parts cover each row once: the splits of an int
    ``cv``'s ``StratifiedKFold`` or those that ``_partition_folds`` checked.
    The columns are in the order of ``classes`` (by default the sorted labels
    of ``y``); a class that a fold's clone does not predict gets 0.
    """
    y = np.asarray(y)
    classes = np.unique(y) if classes is None else np.asarray(classes)
    n_samples = y.shape[0]
    proba = np.zeros((n_samples, classes.size))
    for train, test in folds:
        X_train, y_train = _safe_split(estimator, X, y, train)
        X_test, _ = _safe_split(estimator, X, y, test, train)
        fitted = clone(estimator).fit(
            X_train, y_train, **take_rows(params, train, n_samples)
        )
        fold_classes = np.asarray(fitted.classes_)
        found = np.isin(classes, fold_classes)
        sorter = np.argsort(fold_classes)
        columns = sorter[np.searchsorted(fold_classes, classes[found], sorter=sorter)]
        fold_proba = model_proba(fitted, X_test)
        proba[np.ix_(test, np.flatnonzero(found))] = fold_proba[:, columns]
    return proba
