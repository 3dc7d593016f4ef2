"""Classes too small for the neighbours or below their targets, named.

The over-samplers warn once for every class too small for the ``k_neighbors``
asked for (a caller resampling for models it may discard holds the warnings
back), and refuse a ``sampling_strategy`` dict target below the count of
its class, or not a number, by naming the class (the dict given or returned
by a callable), a callable that returns no dict, and a float that adds no
sample, with the least float that does.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextvars
import math
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
# What a callable sampling_strategy that fails returns, to its error's handlers.
_FAILED = object()
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
    """Whether ``error`` is that of imbalanced-learn's check of the targets.

    The targets of a dict, a callable or a float: the check is run again, and
    an error of another check (of ``X``, say) does not come back from it.
    """
    if not (
        isinstance(sampling_strategy, Mapping)
        or callable(sampling_strategy)
        or _is_ratio(sampling_strategy)
    ):
        return False
    try:
        check_sampling_strategy(sampling_strategy, y, sampling_type)
    except (TypeError, ValueError, AttributeError) as again:
        return type(again) is type(error) and str(again) == str(error)
    return False


def _is_ratio(sampling_strategy):
    """Whether ``sampling_strategy`` is a float ratio (a real, not a boolean)."""
    return isinstance(sampling_strategy, numbers.Real) and not isinstance(
        sampling_strategy, bool
    )


def _labels_1d(y):
    """``y`` as a 1-d array (a column vector is read as 1-d), else None."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    return y if y.ndim == 1 else None


def _asked_targets(sampling_strategy, y):
    """The targets of a dict ``sampling_strategy``, or those its callable returns.

    ``_FAILED`` where the callable fails: its own error is the one raised.
    """
    if not callable(sampling_strategy):
        return sampling_strategy
    try:
        return sampling_strategy(y)
    except Exception:
        return _FAILED


def _name_refused_targets(sampling_strategy, y, sampling_type, error):
    """Refuse again, naming the problem, targets imbalanced-learn refused.

    ``error`` is what imbalanced-learn's resampling raised; where it is that
    of its check of the targets of ``sampling_strategy``, the refusal that
    names the class, the callable's result or the least float is raised in
    its place. Any other error is left as it is, for the caller to re-raise.
    The check is run again, and a callable called for its targets, once.
    """
    y = _labels_1d(y)
    if y is None or not _raised_by_targets(sampling_strategy, y, sampling_type, error):
        return
    targets = _asked_targets(sampling_strategy, y)
    if isinstance(error, ValueError):
        _name_class_below_count(targets, y)
        _name_ratio_adding_nothing(sampling_strategy, y, sampling_type)
    elif isinstance(error, TypeError):
        _name_target_not_a_number(targets)
        _name_callable_without_dict(sampling_strategy, targets)
    else:  # an AttributeError: a callable's result read as a dict
        _name_callable_without_dict(sampling_strategy, targets)


def _name_class_below_count(targets, y):
    """Refuse a dict target below the count of its class, naming the class.

    Called on a ``ValueError`` of imbalanced-learn's check of the
    ``targets`` (a dict, or a callable's result) for the labels ``y``,
    whose message names neither the class nor, for a negative target,
    anything shorter than the whole dict (1000 entries for 1000 classes).
    """
    if not isinstance(targets, Mapping):
        return
    try:
        labels, counts = np.unique(y, return_counts=True)
    except TypeError:  # labels that do not sort
        return
    count_of = dict(zip(labels.tolist(), counts.tolist()))
    if any(_plain(label) not in count_of for label in targets):
        return  # imbalanced-learn's error names the absent classes
    for label, target in targets.items():
        count = count_of[_plain(label)]
        if not isinstance(target, numbers.Real):
            continue
        if target < count:
            raise ValueError(
                f"sampling_strategy asks for {_plain(target)!r} samples of class "
                f"{_plain(label)!r}, which has {count}; over-sampling keeps "
                f"every sample, so a class's target must be at least its count."
            ) from None


def _name_target_not_a_number(targets):
    """Refuse a dict target that is not a number, naming the class.

    Called on a ``TypeError`` of imbalanced-learn's check of the ``targets``,
    which compares each with the count of its class: ``{1: "15"}`` failed
    with "'<' not supported between instances of 'str' and 'int'".
    """
    if not isinstance(targets, Mapping):
        return
    for label, target in targets.items():
        if not isinstance(target, numbers.Real):
            raise TypeError(_not_an_integer(label, target)) from None


def _name_callable_without_dict(sampling_strategy, targets):
    """Refuse a callable ``sampling_strategy`` whose ``targets`` are no dict.

    imbalanced-learn reads the keys of what it returns: a ratio (``0.5``)
    or None failed with "'float' object has no attribute 'keys'", a pandas
    Series with "'numpy.ndarray' object is not callable".
    """
    if not callable(sampling_strategy):
        return
    if targets is not _FAILED and not isinstance(targets, Mapping):
        shown = repr(_plain(targets))
        if len(shown) > 40 or "\n" in shown:
            shown = f"a {type(targets).__name__}"
        elif targets is not None:
            shown += f" (a {type(targets).__name__})"
        raise TypeError(
            f"sampling_strategy is a callable that returned {shown}; it must "
            "return a dict mapping each "
            "class to its number of samples after over-sampling, such as "
            "{1: 250} (a float ratio is given as sampling_strategy itself, for "
            "two classes)."
        ) from None


def _name_ratio_adding_nothing(sampling_strategy, y, sampling_type):
    """Refuse a float ``sampling_strategy`` adding no sample, with the least that does.

    imbalanced-learn's message, "The specified ratio required to remove
    samples from the minority class while trying to generate new samples",
    named neither the parameter nor the floats it takes on the data; and a
    ratio that removes nothing but adds less than a sample read so too.
    """
    if not _is_ratio(sampling_strategy) or sampling_type != "over-sampling":
        return
    try:
        labels, counts = np.unique(y, return_counts=True)
    except TypeError:  # labels that do not sort
        return
    if labels.size != 2:
        return  # imbalanced-learn's error says that a float is for two classes
    majority = int(np.argmax(counts))
    n_max, n_min = int(counts[majority]), int(counts[1 - majority])
    ratio = float(sampling_strategy)
    start = (
        f"sampling_strategy={_plain(sampling_strategy)!r} asks for "
        f"{n_max * ratio:.6g} samples of class {_plain(labels[1 - majority])!r} "
        f"({ratio:.6g} times the {n_max} of class {_plain(labels[majority])!r}), "
        f"which has {n_min}; a float is the ratio of the minority class to the "
        "majority after over-sampling, in (0, 1], and must add at least one "
        "sample: "
    )
    least = _least_ratio(n_min, n_max)
    if least is None:
        advice = (
            f"both classes have {n_max} samples, so no float does. Give a dict "
            "or a callable, or leave the sampler out."
        )
    else:
        shown = repr(least)
        rounded = _rounded_up(least)
        if rounded != least:
            shown += f" ({rounded!r}, say)"
        advice = (
            f"give at least {shown} here, or a dict or a callable of the "
            "number of samples of each class."
        )
    raise ValueError(start + advice) from None


def _least_ratio(n_min, n_max):
    """The least float that adds a sample to ``n_min`` of ``n_max``, else None.

    imbalanced-learn adds ``int(n_max * ratio - n_min)`` samples, which does
    not fall as the ratio grows: the least float is found from ``(n_min + 1)
    / n_max`` by stepping to the next float, as the rounding of the product
    puts it on one side or the other. None where even 1.0 adds nothing.
    """

    def adds(ratio):
        return int(n_max * ratio - n_min) >= 1

    if not adds(1.0):
        return None
    least = (n_min + 1) / n_max
    while adds(math.nextafter(least, 0.0)):
        least = math.nextafter(least, 0.0)
    while not adds(least):
        least = math.nextafter(least, math.inf)
    return least


def _rounded_up(ratio):
    """The least float of 4 decimals not below ``ratio``."""
    rounded = math.ceil(ratio * 1e4) / 1e4
    if round(rounded - 1e-4, 4) >= ratio:
        rounded = round(rounded - 1e-4, 4)
    while rounded < ratio:
        rounded = round(rounded + 1e-4, 4)
    return rounded


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
