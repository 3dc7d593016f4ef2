"""COG's ``split_cv`` check: does splitting the classes pay off on held-out folds?"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
from sklearn.model_selection import StratifiedKFold, check_cv

from ltlearn.decomposition._pairwise import _pair_start
from ltlearn.decomposition._subclasses import _refuse_pairwise
from ltlearn.metrics._classification import _per_class_recall
from ltlearn.over_sampling._small_classes import _HeldSmallClassWarnings
from ltlearn.utils._class_counts import class_left_out
from ltlearn.utils._folds import checked_folds
from ltlearn.utils._random import draw_seeds
from ltlearn.utils._routing import refuse_group_splitter


def _pays_off(gains):
    """Whether the mean of ``gains`` exceeds its standard error.

    The one-standard-error rule: a split whose gain on held-out folds is
    within noise keeps the simpler model.
    """
    if gains.size < 2:
        return bool(gains.mean() > 0)
    return bool(gains.mean() > gains.std(ddof=1) / np.sqrt(gains.size))


def _split_folds(split_cv, counts, seed):
    """The folds of ``split_cv``, or None when a class is too small for them.

    An int is the number of folds of a shuffled ``StratifiedKFold`` seeded
    by ``seed``; ``counts`` holds the number of rows of each class. A
    splitter by groups is refused: ``fit`` takes no groups to give it.
    """
    if isinstance(split_cv, Integral):
        if counts.min() < split_cv:
            return None
        return StratifiedKFold(split_cv, shuffle=True, random_state=seed)
    cv = check_cv(split_cv, classifier=True)
    refuse_group_splitter(cv, "split_cv", "COGClassifier")
    return cv


def _warn_unchecked_split(split_cv, classes, counts):
    """Warn that an int ``split_cv`` has more folds than a class has rows.

    The split of phase I is then kept without the check; ``classes`` are the
    labels of the row ``counts``, and the smallest class is named.
    """
    code = int(np.argmin(counts))
    n = int(counts[code])
    advice = (
        f"use split_cv={n}{' or fewer folds' if n > 2 else ''} to check it"
        if n >= 2
        else "a class of a single row cannot be held out and kept for "
        "training at once: add rows of it, or pass split_cv=None"
    )
    warnings.warn(
        f"Class {classes.tolist()[code]!r} has {n} row{'s' if n != 1 else ''} "
        f"in y, fewer than the {split_cv} stratified folds of "
        f"split_cv={split_cv}, so the split of the classes is kept without "
        f"the check (split_scores_ is None); {advice}.",
        UserWarning,
    )


def _balanced_accuracy(y_true, y_pred):
    """Mean recall over the classes of the held-out rows ``y_true``."""
    # ltlearn's per-class recall, not sklearn's scorers: their input checks
    # cost a millisecond per fold, more than a fold's fit of small pairs.
    return float(np.mean(_per_class_recall(y_true, y_pred, np.unique(y_true))))


def _refuse_missing_class(folds, y_index, classes):
    """Refuse ``folds`` of ``split_cv`` whose training part misses a class.

    A model fitted without a class cannot predict it: its held-out balanced
    accuracy says nothing about the split (and the batched solver cannot fit
    a training part of a single class). ``classes`` are the labels of the
    codes ``y_index``.
    """
    left_out = class_left_out(folds, y_index, classes.size)
    if left_out is None:
        return
    i, code, counts = left_out
    n = int(counts[code])
    raise ValueError(
        f"Class {classes.tolist()[code]!r} has {n} row"
        f"{'s' if n != 1 else ''} in y, and training fold {i} of "
        "split_cv holds none of them, so the split of the classes "
        "cannot be checked on it. Pass splits that keep a row of every "
        "class in every training fold, e.g. an int split_cv (stratified "
        "folds; the check is skipped when a class has fewer rows than "
        "folds)."
    )


def _split_scores(learner, X, y_index, subclass, subclass_class, cv, classes):
    """Balanced accuracy on each held-out fold of ``cv``, shape (2, n_splits).

    ``learner`` (a ``_SubclassLearner``) fits phases II and III. Row 0 keeps
    the classes ``y_index`` whole, row 1 uses the sub-classes ``subclass``
    (of classes ``subclass_class``). The model of the classes whole is
    fitted on all the rows first: when it classifies every training row
    right, the split has nothing to correct and the scores are ``None``.
    Otherwise the models of every fold and both rows are fitted in one
    batch. With the batched solver, the sub-class model is fitted on all the
    rows along with the whole one, and both start the fold fits. Also
    returns the models fitted on all the rows, whole and split, each
    ``None`` when not fitted, so that the chosen one needs no refit, and the
    warnings of small (sub-)classes held back from their resampling (those
    of the folds are dropped).
    """
    counts = np.bincount(y_index)
    n_classes = counts.size
    variants = [(y_index, np.arange(n_classes)), (subclass, subclass_class)]
    batched = learner.batched([X])
    held = [_HeldSmallClassWarnings(), _HeldSmallClassWarnings()]
    problems = []
    for (labels, owners), holder in zip(variants[: 2 if batched else 1], held):
        with holder:
            problems.append(learner.prepare(X, labels, owners, counts))
    full = learner.fit(problems)
    full += [None] * (2 - len(full))
    if np.array_equal(full[0].predict_index(X), y_index):
        return None, full, held
    # Both models on all the rows are there with the batched solver only.
    warm = full[1] is not None and all(m.pairwise.linear is not None for m in full)
    folds = checked_folds(
        cv.split(X, y_index),
        y_index.size,
        "split_cv",
        "the split of the classes cannot be checked",
    )
    _refuse_missing_class(folds, y_index, classes)
    # The min-max pairs copy their rows out of a problem's X, so both
    # variants of a fold read one copy of its training rows; a sampler or
    # the estimator of "direct" gets X itself (and may write into it), so
    # each of their problems keeps its own copy.
    shared = learner.strategy == "min-max" and learner.sampler is None
    X_trains = [X[train] for train, _ in folds] if shared else None
    problems, tests, starts = [], [], []
    # The small sub-classes of a fold are those of no model the user gets.
    with _HeldSmallClassWarnings():
        for model, (labels, owners) in zip(full, variants):
            for i, (train, test) in enumerate(folds):
                # Sub-classes without a row in this training fold are left out.
                present, fold_labels = np.unique(labels[train], return_inverse=True)
                fold_counts = np.bincount(y_index[train], minlength=n_classes)
                X_train = X_trains[i] if shared else X[train]
                problem = learner.prepare(
                    X_train, fold_labels, owners[present], fold_counts
                )
                problems.append(problem)
                tests.append(test)
                if warm:
                    starts.append(_pair_start(model.pairwise, present, problem.pairs))
    models = learner.fit(problems, starts if warm else None)
    scores = [
        _balanced_accuracy(y_index[test], model.predict_index(X[test]))
        for model, test in zip(models, tests)
    ]
    return np.reshape(scores, (2, len(folds))), full, held


def _checked_split(split_cv, learner, X, y, subclass, subclass_class, rng):
    """Whether to keep the sub-classes: do they pay off on held-out folds?

    Phases II-III (``learner``) on the folds of ``split_cv``, with and
    without the sub-classes ``subclass`` (of classes ``subclass_class``, the
    codes of the sorted labels of ``y``).
    Unchecked (``split_cv`` None, no class split, or a class too small for
    the folds), the sub-classes are kept. Returns the scores of
    :func:`_split_scores` (``None`` when unchecked), whether to keep the
    sub-classes, and the model of the chosen labels fitted on all the rows
    (``None`` when not fitted yet).
    """
    classes, y_index = np.unique(y, return_inverse=True)
    counts = np.bincount(y_index)
    if split_cv is None or subclass_class.size <= counts.size:
        return None, True, None
    cv = _split_folds(split_cv, counts, draw_seeds(rng))
    if cv is None:
        _warn_unchecked_split(split_cv, classes, counts)
        return None, True, None
    _refuse_pairwise(
        learner.estimator,
        "estimator",
        "the split check of split_cv fits it on folds of the rows",
    )
    scores, full, held = _split_scores(
        learner, X, y_index, subclass, subclass_class, cv, classes
    )
    split = scores is not None and _pays_off(scores[1] - scores[0])
    # those of the model kept; one not fitted here warns as fit fits it
    held[int(split)].warn()
    return scores, split, full[int(split)]
