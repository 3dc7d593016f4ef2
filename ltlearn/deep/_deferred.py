"""Deferred re-weighting and re-sampling: loss weights or a sampler switched on late."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from skorch.callbacks import Callback

from ltlearn.deep._loss_base import _effective_number_weights, _uncompiled
from ltlearn.deep._stages import (
    _check_sampler,
    _check_start_epoch,
    _class_docstring,
    _hook_docstring,
    _is_active,
    _params_repr,
    _schedule,
    _set_train_sampler,
    _warn_empty_stage,
)
from ltlearn.utils._validation import _check_fraction


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
        # The counts the loss uses: an empty class is refused now, not at the
        # switch (in partial_fit a class not seen yet counts as one).
        net._class_counts_for_loss("re-weighted")
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
                    net._class_counts_for_loss("re-weighted"),
                    self.beta,
                    type(self).__name__,
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
