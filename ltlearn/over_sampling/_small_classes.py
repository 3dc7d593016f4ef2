"""Classes too small for the neighbours or below their targets, named.

The over-samplers warn once for every class too small for the ``k_neighbors``
asked for (a caller resampling for models it may discard holds the warnings
back), and refuse a ``sampling_strategy`` dict target below the count of
its class, or not a number, by naming the class.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextvars
import numbers
import operator
import warnings
from collections.abc import Mapping

import numpy as np
from imblearn.utils import check_sampling_strategy

from ltlearn.utils._class_counts import _plain
from ltlearn.utils._scoped import ScopedValue
from ltlearn.utils._warnings import external_stacklevel

# The notes on classes too small for the neighbours asked for, gathered while
# a sampler resamples (None outside: each note is then a warning).
_SMALL_CLASS_NOTES = contextvars.ContextVar("small_class_notes", default=None)
# How many of those notes one warning quotes in full.
_QUOTED_NOTES = 3
# What the classes of the resampled target are, where a caller resamples a
# target of its own making: None for the classes of the user's y, otherwise
# the noun for one of them and a sentence that says what they are.
_CLASSES_OF_CALLER = contextvars.ContextVar("classes_of_caller", default=None)
# The warnings of small classes that a caller holds back (None outside: each
# is raised).
_HELD_WARNINGS = contextvars.ContextVar("held_small_class_warnings", default=None)


class _ClassesOfCaller(ScopedValue):
    """Within it, the notes on small classes call them ``noun`` and explain.

    :class:`~ltlearn.decomposition.COGClassifier` resamples its sub-classes,
    whose codes (``0 .. K-1``) are no labels of the user's ``y``.
    """

    def __init__(self, noun, explanation):
        super().__init__(_CLASSES_OF_CALLER, (noun, explanation))


def _class_noun():
    """How the notes name one class: "Class", or the caller's noun."""
    caller = _CLASSES_OF_CALLER.get()
    return "Class" if caller is None else caller[0].capitalize()


class _HeldSmallClassWarnings(ScopedValue):
    """Within it, the warnings of classes too small are kept in ``value``.

    :class:`~ltlearn.decomposition.COGClassifier` resamples its sub-classes
    for the folds of its ``split_cv`` check and for two models, of which it
    keeps one: each resampling warned, of sub-classes the fitted classifier
    may not have. ``warn`` raises the warnings of the model kept.
    """

    def __init__(self):
        super().__init__(_HELD_WARNINGS, [])

    def warn(self):
        """Raise the warnings held, at the caller's line."""
        for message in self.value:
            warnings.warn(message, UserWarning, stacklevel=external_stacklevel())


def _warn_small_classes(message):
    """Raise the warning ``message``, or hold it for ``_HeldSmallClassWarnings``."""
    held = _HELD_WARNINGS.get()
    if held is None:
        warnings.warn(message, UserWarning, stacklevel=external_stacklevel())
    else:
        held.append(message)


def _note_small_class(n_class, note):
    """Warn of a class too small, or keep the note for ``_SmallClassWarning``."""
    notes = _SMALL_CLASS_NOTES.get()
    if notes is None:
        _warn_small_classes(note)
    else:
        notes.append((n_class, note))


class _SmallClassWarning(ScopedValue):
    """One warning for every class too small for the neighbours asked for.

    A long tail of 1000 classes gave several hundred warnings, one a class.
    Within the context the notes are gathered; on a clean exit a single class
    keeps its own message, and several are counted, the ``_QUOTED_NOTES``
    smallest quoted.
    """

    def __init__(self):
        super().__init__(_SMALL_CLASS_NOTES, [])

    def __exit__(self, exc_type, exc_value, traceback):
        super().__exit__(exc_type, exc_value, traceback)
        if exc_type is not None:
            return
        notes = [note for _, note in sorted(self.value, key=lambda item: item[0])]
        caller = _CLASSES_OF_CALLER.get()
        plural = "classes" if caller is None else f"{caller[0]}es"
        if len(notes) > 1:
            more = len(notes) - _QUOTED_NOTES
            notes = [
                f"{len(notes)} {plural} are too small for the neighbours asked for.",
                *notes[:_QUOTED_NOTES],
                *([f"And {more} more {plural}."] if more > 0 else []),
            ]
        if notes and caller is not None:
            notes.append(caller[1])
        if notes:
            _warn_small_classes(" ".join(notes))


def _raised_by_targets(sampling_strategy, y, sampling_type, error):
    """Whether ``error`` is that of imbalanced-learn's check of a dict's targets.

    The check is run again: an error of another check (of ``X``, say) does
    not come back from it.
    """
    if not isinstance(sampling_strategy, Mapping):
        return False
    try:
        check_sampling_strategy(sampling_strategy, y, sampling_type)
    except (TypeError, ValueError) as again:
        return type(again) is type(error) and str(again) == str(error)
    return False


def _name_class_below_count(sampling_strategy, y, sampling_type, error):
    """Refuse a dict target below the count of its class, naming the class.

    Called on a ``ValueError`` of imbalanced-learn's ``fit_resample``, whose
    checks keep their order (parameters, ``X``, absent keys, then the
    targets); only its refusal of the targets is replaced. Its message names
    neither the class nor, for a negative target, anything shorter than the
    whole dict (1000 entries for 1000 classes).
    """
    if not _raised_by_targets(sampling_strategy, y, sampling_type, error):
        return
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:  # a column vector, read as 1-d
        y = y.ravel()
    if y.ndim != 1:
        return
    try:
        labels, counts = np.unique(y, return_counts=True)
    except TypeError:  # labels that do not sort
        return
    count_of = dict(zip(labels.tolist(), counts.tolist()))
    if any(_plain(label) not in count_of for label in sampling_strategy):
        return  # imbalanced-learn's error names the absent classes
    for label, target in sampling_strategy.items():
        count = count_of[_plain(label)]
        if not isinstance(target, numbers.Real):
            continue
        if target < count:
            raise ValueError(
                f"sampling_strategy asks for {_plain(target)!r} samples of class "
                f"{_plain(label)!r}, which has {count}; over-sampling keeps "
                f"every sample, so a class's target must be at least its count."
            ) from None


def _name_target_not_a_number(sampling_strategy, y, sampling_type, error):
    """Refuse a dict target that is not a number, naming the class.

    Called on a ``TypeError`` of imbalanced-learn's ``fit_resample``, whose
    check compares each target with the count of its class: ``{1: "15"}``
    failed with "'<' not supported between instances of 'str' and 'int'".
    Only that check's error is replaced.
    """
    if not _raised_by_targets(sampling_strategy, y, sampling_type, error):
        return
    for label, target in sampling_strategy.items():
        if not isinstance(target, numbers.Real):
            raise TypeError(_not_an_integer(label, target)) from None


def _integer(value):
    """``value`` as an int where it holds one integer, otherwise None.

    Besides Python and NumPy integers, a 0-d array or tensor of an integer
    dtype holds one (its ``__index__``); a float, even a whole one, does not.
    """
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        return operator.index(value) if np.ndim(value) == 0 else None
    except TypeError:
        return None


def _not_an_integer(label, target):
    """The refusal of a class's ``target`` number of samples, not an integer."""
    return (
        f"sampling_strategy asks for {_plain(target)!r} samples of class "
        f"{_plain(label)!r}; a number of samples must be an integer."
    )


def _capped_neighbors(label, n_class, n_neighbors):
    """``n_neighbors`` (the sample itself included), at most the class size.

    Warns when the class is too small for the ``k_neighbors`` asked for.
    """
    if n_neighbors > n_class:
        noun = _class_noun()
        _note_small_class(
            n_class,
            f"{noun} {_plain(label)!r} has {n_class} samples; k_neighbors="
            f"{n_neighbors - 1} needs at least {n_neighbors}. Using "
            f"k_neighbors={n_class - 1} for this {noun.lower()}.",
        )
        return n_class
    return n_neighbors


def _single_sample_draws(label, n_new):
    """Seeds and neighbours that duplicate a class's only sample ``n_new`` times."""
    _note_small_class(
        1,
        f"{_class_noun()} {_plain(label)!r} has 1 sample; SMOTE needs at least 2 to "
        f"interpolate. Its sample is duplicated {n_new} times.",
    )
    return np.zeros(n_new, dtype=np.intp), np.zeros((1, 1), dtype=np.intp)
