"""Decoupled training of the last layer: cRT, LWS and tau-normalisation."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from skorch.callbacks import Callback, Checkpoint, EarlyStopping
from torch import nn

from ltlearn.deep._data import _length
from ltlearn.deep._datasets import _labels_and_weights
from ltlearn.deep._loss_base import _uncompiled
from ltlearn.deep._param_groups import _groups_taken_out, _schedule_new_group
from ltlearn.deep._reweighting_losses import _start_at_prior
from ltlearn.deep._stages import (
    _check_sampler,
    _check_start_epoch,
    _class_docstring,
    _epoch,
    _hook_docstring,
    _is_active,
    _params_repr,
    _schedule,
    _set_train_sampler,
    _start,
    _warn_empty_stage,
)
from ltlearn.deep.modules import NormedLinear


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


class _ScaleOutput:
    """Forward hook multiplying a layer's output by learnable class scales."""

    def __init__(self, scales):
        self.scales = scales

    def __call__(self, module, inputs, output):
        return output * self.scales


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
        if self.valid_ is None or _length(self.valid_) == 0:
            # A train_split callable that holds out no row: it said that no
            # "labelled" validation data were found, or, for a part of no
            # row, "need at least one array to concatenate".
            raise ValueError(
                "TauNormalization(tau='auto') chooses tau on the validation part "
                f"of the training epochs, and train_split={net.train_split!r} "
                "held out no row; give a split that holds out rows, e.g. "
                "ValidSplit(5, stratified=True)."
            )
        labelled = _labels_and_weights(self.valid_)
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
