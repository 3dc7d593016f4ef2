"""What the training schedules share: when a callback switches, and its docs."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import warnings
from numbers import Integral, Real

from torch.utils.data import Sampler

from ltlearn.deep._sampler_choice import _SAMPLERS, _check_sampler_factory
from ltlearn.utils._docstring import (
    _decoupling_references_docstring,
    _ldam_references_docstring,
    _Substitution,
)
from ltlearn.utils._warnings import external_stacklevel

# The parameters of skorch's callback hooks and the result of ``initialize``,
# shared by their docstrings.
_hook_docstring = _Substitution(
    initialize_returns=(
        """Returns
        -------
        self : Callback
            This callback."""
    ),
    train_hook_parameters=(
        """Parameters
        ----------
        net : LongTailClassifier
            The classifier being trained.
        X : array-like, default=None
            The training input.
        y : array-like, default=None
            The training targets.
        **kwargs : dict
            Unused."""
    ),
    epoch_hook_parameters=(
        """Parameters
        ----------
        net : LongTailClassifier
            The classifier being trained.
        dataset_train : torch.utils.data.Dataset, default=None
            The training part.
        dataset_valid : torch.utils.data.Dataset, default=None
            The validation part.
        **kwargs : dict
            Unused."""
    ),
)


# The references and the opening of the Examples section (the data), shared by
# the callbacks' docstrings.
_class_docstring = _Substitution(
    ldam_references=_ldam_references_docstring,
    decoupling_references=_decoupling_references_docstring,
    examples_opening="""Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.deep import LongTailClassifier
    >>> torch.set_num_threads(1)
    >>> X, y = make_classification(weights=[0.9, 0.1], random_state=0)""",
)


def _check_start_epoch(start_epoch):
    if isinstance(start_epoch, bool) or not isinstance(start_epoch, Real):
        raise TypeError(
            f"start_epoch must be an int or a float in [0, 1]; got {start_epoch!r}."
        )
    if isinstance(start_epoch, Integral):
        if start_epoch < 0:
            raise ValueError(f"start_epoch must be >= 0; got {start_epoch!r}.")
    elif not 0.0 <= start_epoch <= 1.0:
        raise ValueError(
            f"A float start_epoch is a fraction of max_epochs in [0, 1]; got "
            f"{start_epoch!r}."
        )


def _start(start_epoch, net):
    """The number of epochs before the switch."""
    if isinstance(start_epoch, Integral):
        return int(start_epoch)
    return int(round(start_epoch * net.max_epochs))


def _schedule(net):
    """The number of epochs of ``history`` before ``net``'s current schedule."""
    return getattr(net, "schedule_start_", 0)


def _epoch(net):
    """The 1-based epoch that ``net`` just started, in the current schedule."""
    return len(net.history) - _schedule(net)


def _is_active(start_epoch, net, switched_in=None):
    """Whether the epoch that ``net`` just started comes after the switch.

    ``switched_in`` is the start of the schedule in which the callback
    switched (``None`` if it has not): a schedule that switched stays so,
    even where a new ``max_epochs`` moves a fractional ``start_epoch`` past
    the epochs trained.
    """
    return switched_in == _schedule(net) or _epoch(net) > _start(start_epoch, net)


def _warn_empty_stage(callback, net):
    """Warn when a fractional ``start_epoch`` rounds to a stage of no epoch.

    At the start of a schedule of ``max_epochs`` epochs, a fraction in
    ``(0, 1)`` that rounds to 0 leaves no epoch before the switch, and one
    that rounds to ``max_epochs`` none after it (the default 0.8 of 2
    epochs, say): the schedule asked for is not what trains. A first
    ``partial_fit`` does not warn of the latter: its schedule goes on over
    the calls after it.
    """
    start_epoch, max_epochs = callback.start_epoch, net.max_epochs
    if (
        isinstance(start_epoch, Integral)
        or not 0 < start_epoch < 1
        or max_epochs < 1
        or len(net.history) > _schedule(net)  # a partial_fit going on
    ):
        return
    start = _start(start_epoch, net)
    if 0 < start < max_epochs or (start and getattr(net, "_incremental_", False)):
        return
    if start == 0:
        when, empty = "before the first epoch", "before"
    else:
        when, empty = f"after {start} epochs, at the end of training", "after"
    warnings.warn(
        f"{type(callback).__name__}(start_epoch={start_epoch!r}) of "
        f"max_epochs={max_epochs} switches {when}: no epoch trains {empty} the "
        "switch. Raise max_epochs, or give start_epoch as an int number of "
        "epochs.",
        UserWarning,
        stacklevel=external_stacklevel(),
    )


def _check_sampler(sampler, *, none=False):
    """Refuse a ``sampler`` that the classifier could not build, naming it.

    It is built only at the switch epoch, after the first epochs have run,
    where an unknown name raised a bare ``KeyError`` (and a torch sampler
    class that misreads the labels, :func:`_check_sampler_factory`, was
    refused there).
    """
    if isinstance(sampler, str):
        if sampler in _SAMPLERS:
            return
    elif callable(sampler) or (none and sampler is None):
        _check_sampler_factory(sampler)
        return
    names = ", ".join(repr(name) for name in sorted(_SAMPLERS))
    advice = (
        " A torch sampler draws from the rows it was made for; give a callable "
        "that makes it from the labels of the training part, e.g. "
        "sampler=lambda labels: WeightedRandomSampler(weights[labels], "
        "len(labels))."
        if isinstance(sampler, Sampler)
        else ""
    )
    raise ValueError(
        f"sampler must be one of {names}, a callable"
        f"{' or None' if none else ''}; got {sampler!r}.{advice}"
    )


def _set_train_sampler(net, sampler):
    set_train_sampler = getattr(net, "set_train_sampler", None)
    if set_train_sampler is None:
        raise TypeError(
            f"{type(net).__name__} has no set_train_sampler(sampler) method to "
            "change its training sampler; use ltlearn.deep.LongTailClassifier."
        )
    set_train_sampler(sampler)


def _params_repr(callback):
    """``Name(param=value, ...)``, the parameters set to other than their defaults.

    As scikit-learn prints an estimator, so that a classifier's repr shows
    its callbacks (skorch's print as ``<... object at 0x...>``).
    """
    defaults = {
        name: param.default
        for name, param in inspect.signature(type(callback)).parameters.items()
    }
    args = ", ".join(
        f"{name}={value!r}"
        for name, value in callback.get_params(deep=False).items()
        if name not in defaults or repr(value) != repr(defaults[name])
    )
    return f"{type(callback).__name__}({args})"
