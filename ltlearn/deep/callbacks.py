"""Training schedules for long-tailed data, as skorch callbacks.

Deferred re-weighting and re-sampling switch the loss weights or the sampler
late in training; classifier retraining (cRT, LWS) freezes the
representation and re-trains the last layer; tau-normalisation rescales the
last layer after training. They change the running
:class:`~ltlearn.deep.net.LongTailClassifier` in place (never through
``set_params``, which would rebuild the optimiser and lose its state).

``start_epoch`` is the number of epochs trained before the switch: an
integer, or a float in ``[0, 1]`` read as a fraction of ``max_epochs``,
rounded. A fraction in ``(0, 1)`` that rounds to 0 (no epoch before the
switch) warns at the start of a ``fit`` or of a first ``partial_fit``; one
that rounds to ``max_epochs`` (no epoch after it) warns in a ``fit`` only,
as a ``partial_fit`` schedule goes on over the calls after it. The
epochs are counted from the start of the last ``fit`` (warm-start fits
included) and go on over the ``partial_fit`` calls after it (the net's
``schedule_start_``; from the first epoch of ``history`` for a net without
it), so that each schedule switches once, at its epoch, and stays switched
to the end of the schedule, even where a ``max_epochs`` set between the
``partial_fit`` calls moves a fractional ``start_epoch`` past the epochs
trained. The sampler is changed through the net's public
``set_train_sampler`` hook.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import warnings
from bisect import bisect_right
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from skorch.callbacks import Callback, Checkpoint, EarlyStopping
from torch import nn

from ltlearn.deep._data import _SAMPLERS
from ltlearn.deep._datasets import _labels_and_weights
from ltlearn.deep._loss_base import _effective_number_weights, _uncompiled
from ltlearn.deep._reweighting_losses import _start_at_prior
from ltlearn.deep.modules import NormedLinear
from ltlearn.utils._docstring import (
    _decoupling_references_docstring,
    _ldam_references_docstring,
    _Substitution,
)
from ltlearn.utils._validation import _check_fraction
from ltlearn.utils._warnings import external_stacklevel

__all__ = [
    "ClassifierRetraining",
    "DeferredResampling",
    "DeferredReweighting",
    "TauNormalization",
]

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


def _loaded_reweighted(net):
    """Whether the loss holds class weights of a switch recorded in the history.

    The last epoch of ``history`` (loaded with ``load_params``, say)
    recorded ``"reweighted"`` and the loss has weights: those of the switch.
    """
    history = net.history
    return (
        len(history) > 0
        and bool(history[-1].get("reweighted", False))
        and getattr(net.criterion_, "weight", None) is not None
    )


def _holds_weight(criterion, weight):
    """Whether ``criterion.weight`` holds the values of ``weight`` (not None)."""
    current = getattr(criterion, "weight", None)
    return (
        weight is not None
        and current is not None
        and current.shape == weight.shape
        and torch.equal(current.detach().cpu().to(weight.dtype), weight)
    )


def _reweighting_counts(net):
    """The class counts that the weights come from: those the net's loss uses.

    In ``partial_fit`` a class of ``classes`` not seen yet counts as one; an
    empty class is refused otherwise.
    """
    return net._class_counts_for_loss("re-weighted")


def _lr_schedulers(net):
    """The torch schedulers that skorch's ``LRScheduler`` callbacks step on the net.

    Each comes with whether it sets the lr now: those that a
    ``SequentialLR`` or a ``ChainedScheduler`` steps come too, and of a
    ``SequentialLR`` only the one of the current epoch does.
    """
    for _, callback in getattr(net, "callbacks_", ()):
        scheduler = getattr(callback, "lr_scheduler_", None)
        if getattr(scheduler, "optimizer", None) is net.optimizer_:
            yield from _with_inner_schedulers(scheduler, True)


def _with_inner_schedulers(scheduler, current):
    """``scheduler`` and those it steps, each with whether it sets the lr now.

    torch keeps a composite's schedulers and milestones private (no public
    accessor; both are listed in ``tests/deep/test_private_access.py``).
    """
    yield scheduler, current
    if isinstance(scheduler, torch.optim.lr_scheduler.SequentialLR):
        active = bisect_right(scheduler._milestones, scheduler.last_epoch)
        for i, child in enumerate(scheduler._schedulers):  # one at a time
            yield from _with_inner_schedulers(child, current and i == active)
    elif isinstance(scheduler, torch.optim.lr_scheduler.ChainedScheduler):
        for child in scheduler._schedulers:  # each steps
            yield from _with_inner_schedulers(child, current)


def _schedule_new_group(net, group):
    """Let the running lr schedulers drive ``group``, added to the optimiser mid-fit.

    torch's schedulers keep one entry per parameter group (``base_lrs``,
    ``lr_lambdas``...) from when they were built, and ``LambdaLR`` (that of
    :func:`~ltlearn.deep.schedules.training_schedule`) fails at its next step
    on a group added later (``CyclicLR`` and skorch's ``WarmRestartLR`` too,
    and ``OneCycleLR`` lacks the keys it writes into each group), as do the
    schedulers that a ``SequentialLR`` or ``ChainedScheduler`` steps. The group
    gets its own lr as its base lr and the rule of the last group (its entries,
    and the keys a scheduler wrote into it); under a ``LambdaLR`` it starts at
    the schedule's current factor times its base lr, as the other groups are,
    and a chainable scheduler (``StepLR``...) decays it from its own lr on.
    skorch's ``LRScheduler`` builds its scheduler anew at each fit, after the
    group is removed.
    """
    group.setdefault("initial_lr", group["lr"])
    for key, value in net.optimizer_.param_groups[-2].items():
        # The keys schedulers add (OneCycleLR's max_lr, min_lr...); the
        # optimiser's own are already set.
        group.setdefault(key, value)
    for scheduler, current in _lr_schedulers(net):
        if hasattr(scheduler, "base_lrs"):
            scheduler.base_lrs.append(group["initial_lr"])
        for name in (
            "lr_lambdas",
            "min_lrs",
            "max_lrs",
            "base_momentums",
            "max_momentums",
        ):
            values = getattr(scheduler, name, None)
            if isinstance(values, list) and values:
                values.append(values[-1])
        for name in ("min_lr", "max_lr"):
            # skorch's WarmRestartLR keeps them as arrays, one entry a group.
            values = getattr(scheduler, name, None)
            if isinstance(values, np.ndarray) and values.ndim == 1 and values.size:
                setattr(scheduler, name, np.append(values, values[-1]))
        if current and isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR):
            group["lr"] = group["initial_lr"] * scheduler.lr_lambdas[-1](
                scheduler.last_epoch
            )


def _groups_taken_out(optimizer, params, lr):
    """The parameter groups of ``params``, taken out of ``optimizer``'s, at ``lr``.

    One group for each of ``optimizer``'s that holds some of ``params``, with
    its options (a weight decay or momentum set for it through skorch's
    ``optimizer__param_groups``) and ``lr`` as its learning rate; those of
    ``params`` in no group come in a last group of the optimiser's defaults.
    """
    groups = []
    left = dict.fromkeys(params)
    for group in optimizer.param_groups:
        taken = [p for p in group["params"] if p in left]
        if not taken:
            continue
        group["params"] = [p for p in group["params"] if p not in left]
        options = {key: group[key] for key in optimizer.defaults if key in group}
        groups.append({**options, "params": taken, "lr": lr})
        for p in taken:
            left.pop(p)
    if left:
        groups.append({"params": list(left), "lr": lr})
    return groups


def _check_sampler(sampler, *, none=False):
    """Refuse a ``sampler`` that the classifier could not build, naming it.

    It is built only at the switch epoch, after the first epochs have run,
    where an unknown name raised a bare ``KeyError``.
    """
    if isinstance(sampler, str):
        if sampler in _SAMPLERS:
            return
    elif callable(sampler) or (none and sampler is None):
        return
    names = ", ".join(repr(name) for name in sorted(_SAMPLERS))
    raise ValueError(
        f"sampler must be one of {names}, a callable"
        f"{' or None' if none else ''}; got {sampler!r}."
    )


def _set_train_sampler(net, sampler):
    set_train_sampler = getattr(net, "set_train_sampler", None)
    if set_train_sampler is None:
        raise TypeError(
            f"{type(net).__name__} has no set_train_sampler(sampler) method to "
            "change its training sampler; use ltlearn.deep.LongTailClassifier."
        )
    set_train_sampler(sampler)


def _get_head(net, path, owner):
    """The last layer of ``net.module_`` at the dotted attribute ``path``.

    ``owner`` names the callback that needs it, for the error.
    """
    head = net.module_
    for name in path.split("."):
        head = getattr(head, name, None)
        if head is None:
            raise ValueError(
                f"The module {type(_uncompiled(net.module_)).__name__} has no "
                f"layer {path!r}; pass head=<name of its last layer>."
            )
    if not isinstance(head, (nn.Linear, NormedLinear)):
        raise ValueError(
            f"The layer {path!r} is a {type(head).__name__}; {owner} needs a "
            "torch.nn.Linear or NormedLinear last layer."
        )
    return head


def _set_weight(criterion, weight, net):
    """Write per-class weights into ``criterion.weight``, in place if possible.

    New weights go where ``net``'s logits are.
    """
    current = criterion.weight
    if current is None or current.shape != weight.shape:
        criterion.weight = weight.to(net._module_device())
    else:
        with torch.no_grad():
            current.copy_(weight.to(current.device, current.dtype))


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


class _ScaleOutput:
    """Forward hook multiplying a layer's output by learnable class scales."""

    def __init__(self, scales):
        self.scales = scales

    def __call__(self, module, inputs, output):
        return output * self.scales


@_class_docstring
class DeferredReweighting(Callback):
    """Deferred re-weighting (DRW): class weights switched on late in training.

    Training starts with the loss unweighted; from epoch ``start_epoch + 1``
    on, the loss's ``weight`` buffer holds the class-balanced weights
    ``(1 - beta) / (1 - beta ** n_j)`` normalised to sum to the number of
    classes, computed from the classifier's ``class_counts_`` (in
    ``partial_fit``, a class not seen yet counts as one, as in the
    count-based losses; in ``fit`` an empty class is an error). The weights are
    written in place, so the optimiser keeps its state; before the switch
    (in a warm-start refit, say, of a network loaded with ``load_params``
    too) the loss has the weights it was built with. Works with every
    loss that has a ``weight`` (all of :mod:`ltlearn.deep.losses` and
    ``torch.nn.CrossEntropyLoss``). Each history row records ``"reweighted"``.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    start_epoch : int or float, default=0.8
        Epochs trained unweighted: an int, or a fraction of ``max_epochs``
        (LDAM-DRW switches after 160 of 200 epochs).
    beta : float, default=0.9999
        In ``[0, 1]``; ``1`` gives inverse-frequency weights, ``0`` no
        re-weighting.

    See Also
    --------
    ltlearn.deep.losses.ClassBalancedLoss : The same weights from the start.

    {ldam_references}

    {examples_opening}
    >>> from ltlearn.deep.callbacks import DeferredReweighting
    >>> clf = LongTailClassifier(
    ...     criterion="ldam", max_epochs=4, random_state=0,
    ...     callbacks=[DeferredReweighting(start_epoch=2)]).fit(X, y)
    >>> clf.history[:, "reweighted"]
    [False, False, True, True]
    """

    __repr__ = _params_repr

    def __init__(self, start_epoch=0.8, beta=0.9999):
        self.start_epoch = start_epoch
        self.beta = beta

    @_hook_docstring
    def initialize(self):
        """Check the parameters.

        {initialize_returns}
        """
        _check_start_epoch(self.start_epoch)
        _check_fraction("beta", self.beta)
        self.switched_ = False
        self.switched_in_ = None
        self.weight_before_ = None
        self.weight_after_ = None
        return self

    @_hook_docstring
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Check that the loss has class weights.

        {train_hook_parameters}
        """
        if not hasattr(net.criterion_, "weight"):
            raise ValueError(
                f"DeferredReweighting needs a loss with a 'weight' buffer; "
                f"{type(_uncompiled(net.criterion_)).__name__} has none."
            )
        _reweighting_counts(net)  # an empty class: refused now, not at the switch
        _warn_empty_stage(self, net)
        if self.switched_ and not _holds_weight(
            net.criterion_, getattr(self, "weight_after_", None)
        ):
            # The loss was rebuilt since the switch (set_params with
            # criterion__weight between fits, say): the weights to set back
            # are those it is given now, not those it had before the switch.
            self.switched_ = False
        if not self.switched_ and _loaded_reweighted(net):
            # The weights of a switch loaded with the history and the loss
            # (load_params): a new schedule sets back those the loss is given
            # (criterion__weight, or the deprecated loss__weight).
            given = net._criterion_and_params()[1].get("weight")
            self.weight_before_ = (
                None if given is None else torch.as_tensor(given).detach().clone()
            )
            self.switched_ = True

    @_hook_docstring
    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Switch the weights on once ``start_epoch`` epochs have run.

        {epoch_hook_parameters}
        """
        active = _is_active(self.start_epoch, net, self.switched_in_)
        criterion = net.criterion_
        if active and not self.switched_:
            weight = criterion.weight
            self.weight_before_ = None if weight is None else weight.detach().clone()
            self.switched_ = True
        if active:
            self.switched_in_ = _schedule(net)
            weight = torch.as_tensor(
                _effective_number_weights(
                    _reweighting_counts(net), self.beta, type(self).__name__
                ),
                dtype=torch.float32,
            )
            _set_weight(criterion, weight, net)
            self.weight_after_ = weight.clone()
        elif self.switched_:
            # A new schedule (a warm-start refit): back to the loss's weights.
            if self.weight_before_ is None:
                criterion.weight = None
            else:
                _set_weight(criterion, self.weight_before_, net)
            self.switched_ = False
        net.history.record("reweighted", active)


@_class_docstring
class DeferredResampling(Callback):
    """Deferred re-sampling (DRS): a re-balancing sampler switched on late.

    Training starts with the classifier's own ``sampler``; from epoch
    ``start_epoch + 1`` on, batches come from ``sampler`` (class-balanced by
    default), built over the labels of the training part. Each history row
    records ``"resampled"``. The LDAM code's DRS draws each sample with the
    DRW weight of its class, ``(1 - beta) / (1 - beta ** n_y)`` with
    ``beta=0.9999``: close to, but not exactly, class-balanced (a class of
    5000 samples is drawn about 1.27 times as often as one of 50); pass a
    callable ``sampler`` for that distribution.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    start_epoch : int or float, default=0.8
        Epochs trained before the switch: an int, or a fraction of
        ``max_epochs``.
    sampler : {{"class_balanced", "square_root", "instance", "progressive"}} \
            or callable, default="class_balanced"
        The sampler after the switch, as the classifier's ``sampler``.

    See Also
    --------
    DeferredReweighting : The same schedule on the loss weights.

    {ldam_references}

    {examples_opening}
    >>> from ltlearn.deep.callbacks import DeferredResampling
    >>> clf = LongTailClassifier(
    ...     max_epochs=3, random_state=0,
    ...     callbacks=[DeferredResampling(start_epoch=2)]).fit(X, y)
    >>> type(clf.train_sampler_.sampler).__name__
    'ClassBalancedSampler'
    """

    __repr__ = _params_repr

    def __init__(self, start_epoch=0.8, sampler="class_balanced"):
        self.start_epoch = start_epoch
        self.sampler = sampler

    @_hook_docstring
    def initialize(self):
        """Check the parameters and reset the state.

        {initialize_returns}
        """
        _check_start_epoch(self.start_epoch)
        _check_sampler(self.sampler)
        self.switched_ = False
        self.switched_in_ = None
        return self

    @_hook_docstring
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Reset the state for a new fit.

        {train_hook_parameters}
        """
        _warn_empty_stage(self, net)
        self.switched_ = False

    @_hook_docstring
    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Swap the sampler once ``start_epoch`` epochs have run.

        {epoch_hook_parameters}
        """
        active = _is_active(self.start_epoch, net, self.switched_in_)
        if active and not self.switched_:
            _set_train_sampler(net, self.sampler)
            self.switched_ = True
            self.switched_in_ = _schedule(net)
        net.history.record("resampled", active)


def _loads_best(callback):
    """Whether ``callback`` loads the best parameters at the end of training."""
    return isinstance(callback, (EarlyStopping, Checkpoint)) and callback.load_best


def _refuse_load_best(net):
    """Refuse a callback restoring the best epoch's weights alongside LWS.

    The LWS scales live outside the network's ``state_dict``: the weights
    restored at the end of training lack the best epoch's scales, or take
    the last epoch's.
    """
    for _, callback in net.callbacks_:
        if _loads_best(callback):
            name = type(callback).__name__
            raise ValueError(
                "ClassifierRetraining('lws') cannot be combined with "
                f"{name}(load_best=True): the best epoch's weights are restored "
                "without its LWS scales. Set load_best=False, or use "
                "ClassifierRetraining('crt')."
            )


@_class_docstring
class ClassifierRetraining(Callback):
    """Decoupled retraining of the last layer: cRT or LWS.

    The first ``start_epoch`` epochs learn the representation. Then every
    parameter of the network except those of the last layer (``head``) is
    frozen and the batches come from ``sampler`` (class-balanced by
    default), and:

    - ``"crt"`` (classifier re-training) re-initialises the last layer, once
      at the switch epoch (with the sigmoid or focal form of
      :class:`~ltlearn.deep.losses.ClassBalancedLoss`, its bias at
      ``-log(C - 1)``, as a built network's), and trains it;
    - ``"lws"`` (learnable weight scaling) keeps the last layer and learns one
      scale ``f_j`` per class, ``logits_j = f_j * (w_j x + b_j)``; at the end of
      training the scales are folded into the layer's weights.

    The optimiser keeps running (frozen parameters get no gradient, so it
    skips them); the LWS scales are added to it as a parameter group. At the
    end of training the parameters it froze are trainable again (those
    frozen before the fit stay frozen). BatchNorm layers of
    the frozen part keep updating their running statistics. For ``"crt"``
    the last layer must be trainable at the switch (not frozen by skorch's
    ``Freezer``, say), or nothing would train. LWS refuses skorch's
    ``EarlyStopping`` and ``Checkpoint`` with ``load_best=True``: its scales
    are not in the network's ``state_dict``, so the weights these restore
    would lack the best epoch's scales. LWS, and cRT with its own ``lr``,
    add a parameter group to the optimiser, which ``torch.optim.LBFGS``
    does not take.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    method : {{"crt", "lws"}}, default="crt"
        The retraining method.
    start_epoch : int or float, default=0.8
        Epochs of representation learning: an int, or a fraction of
        ``max_epochs``.
    sampler : {{"class_balanced", "square_root", "instance", "progressive"}}, \
            callable or None, default="class_balanced"
        The sampler of the retraining epochs; ``None`` keeps the current one.
    head : str, default="classifier"
        Name of the last layer in the module (a ``torch.nn.Linear``, or a
        :class:`~ltlearn.deep.modules.NormedLinear` for ``"crt"``), dotted for
        a nested one.
    lr : float, default=None
        Learning rate of the retrained parameters (the last layer for
        ``"crt"``, the scales for ``"lws"``), in a parameter group of their
        own (for ``"crt"``, one for each group of the optimiser that holds
        some of the last layer, with its other options: a weight decay set
        through ``optimizer__param_groups`` stays); ``None`` uses the
        optimiser's.

    See Also
    --------
    TauNormalization : Rescale the last layer without training.

    {decoupling_references}

    {examples_opening}
    >>> from ltlearn.deep.callbacks import ClassifierRetraining
    >>> clf = LongTailClassifier(
    ...     max_epochs=4, random_state=0,
    ...     callbacks=[ClassifierRetraining("lws", start_epoch=3)]).fit(X, y)
    >>> clf.history[:, "retraining"]
    [False, False, False, True]
    """

    __repr__ = _params_repr

    def __init__(
        self,
        method="crt",
        start_epoch=0.8,
        sampler="class_balanced",
        head="classifier",
        lr=None,
    ):
        self.method = method
        self.start_epoch = start_epoch
        self.sampler = sampler
        self.head = head
        self.lr = lr

    @_hook_docstring
    def initialize(self):
        """Check the parameters and reset the state.

        {initialize_returns}
        """
        if self.method not in ("crt", "lws"):
            raise ValueError(f"method must be 'crt' or 'lws'; got {self.method!r}.")
        _check_start_epoch(self.start_epoch)
        _check_sampler(self.sampler, none=True)
        if self.lr is not None and not (
            isinstance(self.lr, Real) and 0 < self.lr < np.inf
        ):
            raise ValueError(f"lr must be a finite float > 0 or None; got {self.lr!r}.")
        self._reset()
        self.retrained_in_ = None
        return self

    def _end_stopped_fit(self):
        """Undo the retraining of a fit stopped before ``on_train_end``.

        A fit stopped during the retraining epochs (an error, an interrupt)
        left the network frozen and, with LWS, its last layer scaled by a
        hook until the next fit of this callback: a ``module`` instance
        outlives the fit, and another classifier given it trained and
        predicted through them. The scales of the stopped fit are dropped,
        not folded into the last layer, as that next fit dropped them.
        """
        self._reset()

    def _reset(self):
        # Also undoes a retraining that no on_train_end ended (a pickle taken
        # during the retraining epochs, a fit stopped midway).
        if getattr(self, "hook_", None) is not None:
            self.hook_.remove()
        for param in getattr(self, "frozen_", None) or []:
            param.requires_grad_(True)
        self.started_ = False
        self.scales_ = None
        self.hook_ = None
        self.param_groups_ = None
        self.frozen_ = None

    def _freeze(self, params):
        # Only the parameters frozen here are made trainable again: those the
        # user froze before the fit stay frozen.
        for param in params:
            if param.requires_grad:
                self.frozen_.append(param)
                param.requires_grad_(False)
            param.grad = None

    @_hook_docstring
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Check the last layer and reset the state for a new fit.

        A fit that stopped during the retraining epochs (an exception, an
        interrupt) undid them as it stopped. A classifier pickled during
        them (skorch's ``Checkpoint(f_pickle=...)``) predicts as it was, but
        is refused here: its frozen parameters and LWS scales are copies
        that this callback no longer reaches.

        {train_hook_parameters}
        """
        head = _get_head(net, self.head, type(self).__name__)
        if self.method == "lws" and not isinstance(head, nn.Linear):
            raise ValueError(
                f"LWS needs a torch.nn.Linear last layer; {self.head!r} is a "
                f"{type(head).__name__}, whose normalisation would undo the scales."
            )
        if self.method == "lws":
            _refuse_load_best(net)
        if isinstance(net.optimizer_, torch.optim.LBFGS) and (
            self.method == "lws" or self.lr is not None
        ):
            trained = "its class scales" if self.method == "lws" else "the last layer"
            raise ValueError(
                f"ClassifierRetraining({self.method!r}) trains {trained} in a "
                "parameter group of its own, and torch.optim.LBFGS takes a single "
                "group; use another optimizer"
                + (" or lr=None." if self.method == "crt" else ".")
            )
        if getattr(self, "started_", False):
            params = set(net.module_.parameters())
            if not any(p in params for group in self.param_groups_ for p in group):
                raise ValueError(
                    f"This {type(net).__name__} was saved during the retraining "
                    f"epochs of ClassifierRetraining({self.method!r}) (a pickle "
                    "taken mid-fit, by skorch's Checkpoint(f_pickle=...), say), "
                    "with its representation frozen; it predicts as it was, but "
                    "cannot be trained further (warm_start, partial_fit). Fit it "
                    "anew, or save it at the end of training."
                )
            self.on_train_end(net)
        self._reset()
        _warn_empty_stage(self, net)

    def _start(self, net, reinitialize):
        head = _get_head(net, self.head, type(self).__name__)
        if self.method == "crt" and not any(p.requires_grad for p in head.parameters()):
            raise ValueError(
                f"ClassifierRetraining('crt') retrains the last layer {self.head!r}, "
                "whose parameters are all frozen (by skorch's Freezer, say): with "
                "the rest of the network frozen at the switch, no parameter would "
                "train. Leave the last layer trainable."
            )
        head_params = set(head.parameters())
        self.frozen_ = []
        self._freeze(p for p in net.module_.parameters() if p not in head_params)
        optimizer = net.optimizer_
        self.param_groups_ = [list(group["params"]) for group in optimizer.param_groups]
        if self.method == "crt":
            if reinitialize:
                head.reset_parameters()
                # As a built network's: a sigmoid class-balanced loss starts
                # each sigmoid at the prior.
                _start_at_prior(
                    head,
                    _uncompiled(net.criterion_),
                    {},
                    getattr(head, "out_features", None),
                )
                for param in head_params:
                    optimizer.state.pop(param, None)
            groups = []
            if self.lr is not None:
                groups = _groups_taken_out(optimizer, head.parameters(), self.lr)
        else:
            self._freeze(head.parameters())
            weight = head.weight
            self.scales_ = nn.Parameter(
                torch.ones(weight.shape[0], device=weight.device, dtype=weight.dtype)
            )
            self.hook_ = head.register_forward_hook(_ScaleOutput(self.scales_))
            groups = [{"params": [self.scales_]}]
            if self.lr is not None:
                groups[0]["lr"] = self.lr
        for group in groups:
            optimizer.add_param_group(group)
            _schedule_new_group(net, optimizer.param_groups[-1])
        if self.sampler is not None:
            _set_train_sampler(net, self.sampler)
        self.started_ = True

    @_hook_docstring
    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Freeze the representation once ``start_epoch`` epochs have run.

        {epoch_hook_parameters}
        """
        if not self.started_ and _is_active(self.start_epoch, net, self.retrained_in_):
            # The last layer is re-initialised once, at the switch epoch; a
            # later partial_fit only freezes the representation again.
            first = self.retrained_in_ != _schedule(net)
            self._start(net, first and _epoch(net) == _start(self.start_epoch, net) + 1)
            self.retrained_in_ = _schedule(net)
        net.history.record("retraining", self.started_)

    @_hook_docstring
    def on_train_end(self, net, X=None, y=None, **kwargs):
        """Fold the LWS scales into the last layer; unfreeze what was frozen.

        {train_hook_parameters}
        """
        if not self.started_:
            return
        if self.hook_ is not None:
            head = _get_head(net, self.head, type(self).__name__)
            scales = self.scales_.detach()
            with torch.no_grad():
                head.weight.mul_(scales[:, None])
                if head.bias is not None:
                    head.bias.mul_(scales)
            self.hook_.remove()
            net.optimizer_.state.pop(self.scales_, None)
        # Give the optimiser its parameter groups back.
        groups = net.optimizer_.param_groups
        del groups[len(self.param_groups_) :]
        for group, params in zip(groups, self.param_groups_):
            group["params"] = params
        self._reset()


def _check_nothing_undoes(tau_normalization, net):
    """Refuse a callback after ``tau_normalization`` that would undo it.

    skorch calls the ``on_train_end`` hooks in the order of ``callbacks``: one
    that loads the best parameters (``load_best=True`` of ``EarlyStopping``
    or ``Checkpoint``) after the normalisation brought back the last layer
    as it was, and LWS folded its scales into the normalised layer, while
    the history recorded ``"tau"``.
    """
    seen = False
    for name, callback in getattr(net, "callbacks_", ()):
        seen = seen or callback is tau_normalization
        if seen and _loads_best(callback):
            raise ValueError(
                f"TauNormalization comes before {name!r} "
                f"({type(callback).__name__}(load_best=True)) in callbacks, which "
                "loads the best parameters at the end of training and would undo "
                "the normalisation of the last layer; put TauNormalization after it."
            )
        if (
            seen
            and isinstance(callback, ClassifierRetraining)
            and callback.method == "lws"
        ):
            raise ValueError(
                f"TauNormalization comes before {name!r} "
                "(ClassifierRetraining('lws')) in callbacks, which folds its class "
                "scales into the last layer at the end of training, after the "
                "normalisation; put TauNormalization after it."
            )


@_class_docstring
class TauNormalization(Callback):
    """Tau-normalisation of the last layer after training.

    At the end of training each class's weight vector is divided by its norm
    to the power ``tau``, ``w_j <- w_j / ||w_j|| ** tau``, and the bias is set
    to zero: the large norms that frequent classes acquire no longer
    dominate. ``tau=0`` leaves the weights as they are (bias aside), ``tau=1``
    normalises them. ``tau="auto"`` picks ``tau`` on the grid
    ``0, 0.1, ..., 2`` by balanced accuracy on skorch's internal validation
    part, weighted by its ``sample_weight`` as the validation loss is, and
    needs one (``train_split``). It comes after a callback that changes the
    last layer at the end of training (``load_best=True`` of skorch's
    ``EarlyStopping`` or ``Checkpoint``, LWS of :class:`ClassifierRetraining`)
    in ``callbacks``.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    tau : float or "auto", default=1.0
        The exponent, ``>= 0``.
    head : str, default="classifier"
        Name of the last layer in the module (a ``torch.nn.Linear``), dotted
        for a nested one.

    Attributes
    ----------
    tau_ : float
        The exponent applied in the last fit.

    See Also
    --------
    ClassifierRetraining : cRT and LWS.

    {decoupling_references}

    {examples_opening}
    >>> from ltlearn.deep.callbacks import TauNormalization
    >>> clf = LongTailClassifier(
    ...     max_epochs=3, random_state=0, callbacks=[TauNormalization(tau=1.0)]
    ... ).fit(X, y)
    >>> clf.module_.classifier.weight.norm(dim=1).tolist()
    [1.0, 1.0]
    """

    __repr__ = _params_repr

    def __init__(self, tau=1.0, head="classifier"):
        self.tau = tau
        self.head = head

    @_hook_docstring
    def initialize(self):
        """Check the parameters.

        {initialize_returns}
        """
        finite = isinstance(self.tau, Real) and 0 <= self.tau < np.inf
        if not (self.tau == "auto" or finite):
            raise ValueError(
                f"tau must be a finite float >= 0 or 'auto'; got {self.tau!r}."
            )
        self.valid_ = None
        return self

    @_hook_docstring
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Check the last layer and the validation split.

        {train_hook_parameters}
        """
        head = _get_head(net, self.head, type(self).__name__)
        if not isinstance(head, nn.Linear):
            raise ValueError(
                f"Tau-normalisation needs a torch.nn.Linear last layer; "
                f"{self.head!r} is a {type(head).__name__}, already normalised."
            )
        if self.tau == "auto" and not net.train_split:
            raise ValueError(
                "TauNormalization(tau='auto') chooses tau on skorch's internal "
                "validation part; set train_split, e.g. ValidSplit(5, stratified=True)."
            )
        _check_nothing_undoes(self, net)
        self.valid_ = None
        self.epochs_run_ = 0

    @_hook_docstring
    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Remember the validation part for ``tau="auto"``.

        {epoch_hook_parameters}
        """
        self.epochs_run_ += 1
        if self.tau == "auto":
            self.valid_ = dataset_valid

    def _choose_tau(self, net, head):
        if not self.epochs_run_:
            raise ValueError(
                "TauNormalization(tau='auto') chooses tau on the validation part "
                "of the training epochs, and no epoch ran (max_epochs=0)."
            )
        labelled = None if self.valid_ is None else _labels_and_weights(self.valid_)
        if labelled is None:
            raise ValueError(
                "TauNormalization(tau='auto') found no labelled validation data."
            )
        features = []
        handle = head.register_forward_hook(
            lambda module, inputs, output: features.append(inputs[0].detach())
        )
        try:
            net.forward(self.valid_)
        finally:
            handle.remove()
        features = torch.cat(features).to(head.weight.device)
        y_valid = labelled[0].cpu().numpy()
        # The rows weigh in the score as in the validation loss.
        weights = labelled[1]
        if weights is not None:
            weights = torch.as_tensor(weights).cpu().numpy()
            if not weights.any():
                raise ValueError(
                    "TauNormalization(tau='auto') found no validation row of "
                    "positive sample_weight."
                )
        weight = head.weight.detach()
        norms = weight.norm(dim=1, keepdim=True).clamp(min=1e-12)
        grid = np.round(np.linspace(0.0, 2.0, 21), 2)
        scores = []
        for tau in grid:
            y_pred = (features @ (weight / norms**tau).T).argmax(dim=1).cpu().numpy()
            scores.append(
                balanced_accuracy_score(y_valid, y_pred, sample_weight=weights)
            )
        return float(grid[int(np.argmax(scores))])

    @_hook_docstring
    def on_train_end(self, net, X=None, y=None, **kwargs):
        """Normalise the last layer.

        {train_hook_parameters}
        """
        head = _get_head(net, self.head, type(self).__name__)
        tau = self._choose_tau(net, head) if self.tau == "auto" else float(self.tau)
        with torch.no_grad():
            norms = head.weight.norm(dim=1, keepdim=True).clamp(min=1e-12)
            head.weight.div_(norms**tau)
            if head.bias is not None:
                head.bias.zero_()
        self.tau_ = tau
        self.valid_ = None
        if len(net.history):
            net.history.record("tau", tau)
