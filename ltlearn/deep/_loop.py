"""The batch loop of LongTailClassifier: its training steps and epochs.

skorch's loop, with the per-row weights of a fit, mixed precision, the
optimisers of ``torch.optim`` stepped after the backward pass, and an epoch
whose batch losses stay on the device when no callback reads them a batch at
a time.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochScoring, LRScheduler
from skorch.dataset import unpack_data
from skorch.history import History
from skorch.utils import TeeGenerator, to_tensor
from torch import nn

from ltlearn.deep._loss_base import _uncompiled
from ltlearn.deep._net_callbacks import _CallbacksMixin
from ltlearn.deep._step_errors import (
    _batch_len,
    _diverged,
    _explain_binary_loss,
    _explain_float_indices,
    _explain_module_dtype,
    _explain_single_sample_batch,
    _explain_too_few_outputs,
    _not_a_scalar,
    _not_a_tensor,
    _warn_probabilities,
)
from ltlearn.utils._docstring import _Substitution


def _weighted_batch_loss(criterion, y_pred, y_true, sample_weight):
    """``criterion`` on a batch with per-row weights.

    The per-row losses (``reduction="none"``, which includes the class
    weights ``w[y]``) are multiplied by ``sample_weight`` ``s``; ``"mean"``
    divides their sum by ``sum(s * w[y])`` over the batch, as torch's
    weighted mean does (a batch of zero weight gives a zero loss). On a
    batch, this is the loss of its rows repeated ``s`` times.
    """
    reduction = getattr(criterion, "reduction", None)
    if reduction not in ("mean", "sum"):
        raise ValueError(
            f"LongTailClassifier.fit(sample_weight=...) needs a loss with "
            f"reduction='mean' or 'sum'; {type(_uncompiled(criterion)).__name__} has "
            f"reduction={reduction!r}. Give a loss with a 'reduction' attribute, "
            "or fit without sample_weight."
        )
    criterion.reduction = "none"
    try:
        losses = criterion(y_pred, y_true)
    finally:
        criterion.reduction = reduction
    if not torch.is_tensor(losses) or losses.shape != y_true.shape:
        shape = (
            tuple(losses.shape)
            if torch.is_tensor(losses)
            else f"a {type(losses).__name__}"
        )
        raise ValueError(
            f"LongTailClassifier.fit(sample_weight=...) weights the loss of each "
            f"sample: {type(_uncompiled(criterion)).__name__} with "
            f"reduction='none' must give one loss per sample, of shape "
            f"{tuple(y_true.shape)}; it gives {shape}. Make it follow its "
            "reduction attribute, or fit without sample_weight."
        )
    sample_weight = sample_weight.to(losses.dtype)
    weighted = (losses * sample_weight).sum()
    if reduction == "sum":
        return weighted
    # The class weights that the loss's own "mean" divides by: those of its
    # current phase for a two-phase loss (VSTLALoss), else its ``weight``.
    reduction_weight = getattr(criterion, "_reduction_weight", None)
    class_weight = (
        reduction_weight()
        if reduction_weight is not None
        else getattr(criterion, "weight", None)
    )
    if class_weight is not None:
        sample_weight = sample_weight * class_weight.to(losses.dtype)[y_true]
    return weighted / sample_weight.sum().clamp(min=torch.finfo(losses.dtype).tiny)


def _in_weight_dtype(criterion, y_pred):
    """``y_pred`` in the dtype of the class weights of torch's loss ``criterion``.

    ``torch.nn.CrossEntropyLoss`` and ``torch.nn.NLLLoss`` refuse logits of
    another dtype than their ``weight`` ("expected scalar type Double but
    found Float"): a module returning float64 or bfloat16 logits failed once
    :class:`~ltlearn.deep.callbacks.DeferredReweighting` wrote its float32
    weights. ltlearn's losses cast their weights to the logits' dtype;
    anything else is returned as it is.
    """
    loss = _uncompiled(criterion)
    weight = getattr(loss, "weight", None)
    if (
        isinstance(loss, (nn.CrossEntropyLoss, nn.NLLLoss))
        and torch.is_tensor(weight)
        and weight.is_floating_point()
        and y_pred.is_floating_point()
        and y_pred.dtype != weight.dtype
    ):
        return y_pred.to(weight.dtype)
    return y_pred


# The parameters and result of the training steps, shared by their docstrings.
_step_docstring = _Substitution(
    step_parameters="""Parameters
        ----------
        batch : tuple
            A batch ``(X, y)`` of the training iterator.
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        step : dict
            The ``"loss"`` and the ``"y_pred"`` of the batch."""
)


# The hooks that skorch's callbacks get for every batch.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


def _overrides(obj, name, base):
    """Whether the hook ``name`` of ``obj`` does more than that of ``base``."""
    try:
        own = name in vars(obj)  # set on the instance
    except TypeError:  # no instance attributes
        own = False
    if own or not isinstance(obj, base):
        return True
    # None where the class lacks it: a ``Mock(spec=Callback)`` makes its
    # hooks on the instance, and is taken as acting on every batch.
    return getattr(type(obj), name, None) is not getattr(base, name)


def _idle_batch_hook(callback, name, training):
    """Whether the hook ``name`` of ``callback`` does nothing on these batches.

    Two of skorch's callbacks have an ``on_batch_end`` that returns at once
    on most batches: ``LRScheduler`` unless it steps per batch
    (``step_every="batch"``) and the batches are training ones (the papers'
    schedules, :func:`~ltlearn.deep.schedules.training_schedule`, step per
    epoch), and ``EpochScoring`` on the batches of the other phase (a
    validation score on the training batches, and the reverse). A subclass
    that overrides the hook is taken as doing something.
    """
    if name != "on_batch_end":
        return False
    if isinstance(callback, LRScheduler):
        if _overrides(callback, name, LRScheduler):
            return False
        return not training or callback.step_every != "batch"
    if isinstance(callback, EpochScoring):
        if _overrides(callback, name, EpochScoring):
            return False
        return training != callback.on_train
    return False


def _steps_after_backward(optimizer):
    """Whether ``optimizer.step()`` may follow the backward pass.

    The optimisers of ``torch.optim`` call a step's closure once, before
    their update, except L-BFGS, which calls it repeatedly; others (SAM and
    the like) may need the closure too.
    """
    return type(optimizer).__module__.startswith("torch.optim.") and not isinstance(
        optimizer, torch.optim.LBFGS
    )


class _BatchLoopMixin:
    """The training steps and epochs of :class:`LongTailClassifier`.

    Mixed into the classifier before skorch's ``NeuralNet``, whose methods
    of the same names it overrides.
    """

    def initialize_history(self):
        """Start a new history, and with it a new gradient scaler.

        ``grad_scaler_`` is ``None`` until the first mixed-precision step on
        CUDA makes one, also after a fit of no epoch.

        Returns
        -------
        self : LongTailClassifier
            The classifier with a new ``history_``.
        """
        self.grad_scaler_ = None
        return super().initialize_history()

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """Run the training or validation batches of an epoch.

        When neither a callback nor the network has a batch-level hook
        (``on_batch_begin``, ``on_batch_end``, ``on_grad_computed``) that
        acts on these batches, the default (skorch's ``LRScheduler`` stepped
        per epoch and ``EpochScoring`` of the other phase do nothing on
        them), the batches run without notifying the callbacks (every hook
        would be a no-op). Each batch's history row is started before its
        step, as skorch's ``on_batch_begin`` does, so that a step of a
        subclass counts the batches of the epoch in
        ``history[-1, "batches"]`` (skorch's recipe of gradient
        accumulation) or records into the row of its batch; the
        ``{prefix}_loss`` and ``{prefix}_batch_size`` of the batches are
        written into their rows when the epoch's batches end (when a step
        fails, those of the batches that ran, without a row for the failed
        one): the losses stay on the network's device until then and come
        back in one transfer, with no synchronisation of the host per
        batch. The rows are those of skorch's loop, and the epoch's
        ``train_loss`` or ``valid_loss`` (the mean over the batches weighted
        by their sizes) is the same. With a batch-level hook, skorch's loop
        runs (each batch's row written and its loss read at once).

        Parameters
        ----------
        iterator : iterable or None
            The batches; ``None`` skips the phase.
        training : bool
            Whether the batches are training batches.
        prefix : str
            ``"train"`` or ``"valid"``, the prefix of the history keys.
        step_fn : callable
            Called on each batch; returns a dict with the ``"loss"``.
        **fit_params : dict
            Passed to ``step_fn``.
        """
        if iterator is None or not self._runs_without_batch_hooks(training):
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        losses, sizes = [], []
        rows = self.history[-1]["batches"]
        start = len(rows)
        try:
            for batch in iterator:
                self.history.new_batch()
                step = step_fn(batch, **fit_params)
                losses.append(step["loss"].detach())
                sizes.append(_batch_len(batch))
        except BaseException:
            del rows[start + len(sizes) :]  # the row of the failed step
            self._record_batches(prefix, losses[: len(sizes)], sizes, rows, start)
            raise
        self._record_batches(prefix, losses, sizes, rows, start)
        self.history.record(prefix + "_batch_count", len(sizes))

    def on_epoch_end(self, net, **kwargs):
        """Stop the fit at the first epoch whose training loss is not finite.

        The epoch's ``train_loss`` (the mean of its batch losses weighted by
        their sizes, as skorch's ``PassthroughScoring`` records it) is
        computed from the history rows, read from the device once per epoch
        already, and checked before the callbacks' ``on_epoch_end``: a NaN
        or infinite loss raises a ``ValueError`` (the caller then marks the
        classifier not fitted), with the epoch's ``train_loss`` recorded.
        With ``amp=True`` this is the unscaled loss, computed in float32: a
        step that ``grad_scaler_`` skips for non-finite scaled gradients has
        a finite loss and is not a failure. The validation loss is not
        checked: an overconfident network may give an infinite loss on a
        held-out sample while its training goes well.

        Parameters
        ----------
        net : LongTailClassifier
            This classifier, as skorch passes it to its hooks.
        **kwargs : dict
            The datasets of the epoch, as skorch passes them.
        """
        super().on_epoch_end(net, **kwargs)
        row = self.history[-1]
        batches = [batch for batch in row["batches"] if "train_loss" in batch]
        if not batches:
            return
        loss = np.average(
            [batch["train_loss"] for batch in batches],
            weights=[batch["train_batch_size"] for batch in batches],
        )
        if math.isfinite(loss):
            return
        if "train_loss" not in row:
            self.history.record("train_loss", float(loss))
        epoch = row["epoch"]
        raise _diverged(
            f"The training loss of epoch {epoch} is {loss}", self.amp, self.criterion_
        )

    def _check_finite_weights(self):
        """Refuse a network whose weights are not finite after its training.

        The last step of a fit may diverge after the last loss was computed
        (finite); the weights are then checked once, as scikit-learn's
        ``MLPClassifier`` checks its own, with one host synchronisation.
        """
        weights = list(self.module_.parameters())
        if not weights:
            return
        # one flag a tensor, gathered on the device of the first: one read
        device = weights[0].device
        finite = torch.stack([torch.isfinite(w).all().to(device) for w in weights])
        if not bool(finite.all()):
            epoch = self.history[-1, "epoch"] if len(self.history) else 0
            raise _diverged(
                f"The network's weights are not finite after epoch {epoch}", self.amp
            )

    def _runs_without_batch_hooks(self, training=True):
        """Whether no batch-level hook does anything on these batches."""
        if type(self).notify not in (NeuralNet.notify, _CallbacksMixin.notify):
            return False
        if type(self.history) is not History:
            return False
        return not any(self._batch_hooks(name, training) for name in _BATCH_HOOKS)

    def _batch_hooks(self, name, training=True):
        """The hooks ``name`` that may act on training (or other) batches."""
        hooks = [getattr(self, name)] if _overrides(self, name, NeuralNet) else []
        return hooks + [
            getattr(callback, name)
            for _, callback in self.callbacks_
            if _overrides(callback, name, Callback)
            and not _idle_batch_hook(callback, name, training)
        ]

    def _record_batches(self, prefix, losses, sizes, rows, start):
        """Write the losses and sizes of an epoch's batches into their rows.

        ``rows[start:]`` are the history rows started for the batches that
        ran, in order. When the losses cannot be written (a loss of several
        values, an interrupt), the rows left without their loss are dropped.
        """
        if not losses:
            return
        key_loss, key_size = prefix + "_loss", prefix + "_batch_size"
        try:
            # One transfer from the device for the epoch.
            values = torch.stack(losses).reshape(-1).tolist()
            if len(values) != len(losses):
                raise ValueError(
                    f"The loss of a batch must be a single value; got a tensor of "
                    f"shape {tuple(losses[0].shape)}."
                )
            for row, value, size in zip(rows[start:], values, sizes):
                row.update({key_loss: value, key_size: size})
        except BaseException:
            rows[start:] = [row for row in rows[start:] if key_loss in row]
            raise

    def _module_device(self):
        """Where the module's logits are: ``device``, or with ``device=None``.

        With ``device=None`` (no moves), the device of the module's
        parameters (the CPU for a module without any): a module may move its
        input to its own device.
        """
        if self.device is not None:
            return self.device
        param = next(self.module_.parameters(), None)
        return torch.device("cpu") if param is None else param.device

    def _amp_mode(self):
        """Device type and dtype of autocast for the training steps, or None."""
        if not self.amp:
            return None
        kind = torch.device(self._module_device()).type
        return {"cuda": ("cuda", torch.float16), "cpu": ("cpu", torch.bfloat16)}.get(
            kind
        )

    def _grad_scaler(self):
        """The gradient scaler of float16 training, made on first use."""
        mode = self._amp_mode()
        if mode is None or mode[1] != torch.float16:
            return None
        if getattr(self, "grad_scaler_", None) is None:
            self.grad_scaler_ = torch.amp.GradScaler(mode[0])
        return self.grad_scaler_

    @_step_docstring
    def train_step(self, batch, **fit_params):
        """Run one optimisation step on a training batch.

        As skorch's, except that the optimisers of ``torch.optim`` (all
        but L-BFGS, which needs a closure) step after the backward pass
        rather than through a closure, and that ``on_grad_computed`` is
        notified only when a callback or the network has that hook. The
        pass runs with gradients enabled, as torch runs a closure, also in
        the caller's ``torch.no_grad()`` block. With ``amp=True`` on CUDA
        the loss is scaled before the backward pass, the gradients are
        unscaled before ``on_grad_computed`` (so that a callback clipping
        them sees their true values), and the step goes through
        ``grad_scaler_``.

        {step_parameters}
        """
        # skorch lists its parts, optimisers added by a subclass included.
        optimizers = {
            name: part
            for name, part in zip(
                self.cuda_dependent_attributes_,
                map(self.__getattribute__, self.cuda_dependent_attributes_),
            )
            if isinstance(part, torch.optim.Optimizer)
        }
        scaler = self._grad_scaler()
        if not all(map(_steps_after_backward, optimizers.values())):
            if scaler is not None:
                raise ValueError(
                    f"{type(self).__name__}(amp=True) scales the gradients with "
                    "torch.amp.GradScaler, which cannot step an optimiser that "
                    "needs a closure (such as torch.optim.LBFGS); use another "
                    "optimiser or amp=False."
                )
            return super().train_step(batch, **fit_params)
        for optimizer in optimizers.values():
            optimizer.zero_grad()
        # With gradients on, as torch's optimisers run skorch's closure: a
        # fit in the caller's torch.no_grad() block trains.
        with torch.enable_grad():
            step = self.train_step_single(batch, **fit_params)
        if type(self).notify is not NeuralNet.notify or self._batch_hooks(
            "on_grad_computed"
        ):
            if scaler is not None:
                for optimizer in optimizers.values():
                    scaler.unscale_(optimizer)
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self._stepped_parameters(optimizers)),
                batch=batch,
                training=True,
            )
        for optimizer in optimizers.values():
            if scaler is None:
                optimizer.step()
            else:
                scaler.step(optimizer)
        if scaler is not None:
            scaler.update()
        return step

    def _stepped_parameters(self, optimizers):
        """The learnable parameters, then those added to the ``optimizers`` only.

        A callback may give an optimiser parameters of no module (the LWS
        scales of ``ClassifierRetraining``); ``on_grad_computed`` gets them
        too, named ``<optimizer>.param_groups.<i>.params.<j>``, so that a
        callback clipping the gradients (skorch's ``GradientNormClipping``)
        clips all that the step changes.
        """
        seen = set()
        for name, param in self.get_all_learnable_params():
            seen.add(param)
            yield name, param
        for optimizer_name, optimizer in optimizers.items():
            for i, group in enumerate(optimizer.param_groups):
                for j, param in enumerate(group["params"]):
                    if param not in seen:
                        seen.add(param)
                        name = f"{optimizer_name}.param_groups.{i}.params.{j}"
                        yield name, param

    def infer(self, x, **fit_params):
        """Run the module on a batch; per-row weights are left out of it.

        Parameters
        ----------
        x : torch.Tensor or dict
            A batch of input; a dict ``{"X": ..., "sample_weight": ...}``
            when the fit has per-row weights.
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        y_pred : torch.Tensor
            The module's output.
        """
        if isinstance(x, Mapping) and "sample_weight" in x:
            x = x["X"]
        try:
            return super().infer(x, **fit_params)
        except (RuntimeError, IndexError) as error:
            explained = _explain_module_dtype(error, self.module_)
            if explained is error:
                explained = _explain_float_indices(error)
            if explained is error:
                raise
            raise explained from error

    @_step_docstring
    def train_step_single(self, batch, **fit_params):
        """Compute the loss of a training batch and its gradients.

        As skorch's, except that the network and the loss are switched to
        training mode only when they are not in it: skorch switches them
        before every batch, and ``Module.train`` walks every submodule,
        which costs a few percent of a small network's step. With
        ``amp=True`` the forward pass and the loss (on the logits cast to
        float32) run under :class:`torch.autocast`, and on CUDA the loss is
        scaled by ``grad_scaler_`` before the backward pass.

        {step_parameters}
        """
        for part in (self.module_, self.criterion_):
            if isinstance(part, nn.Module) and not part.training:
                part.train()
        Xi, yi = unpack_data(batch)
        mode = self._amp_mode()
        y_pred = None  # set once the module has run: an error after is the loss's
        try:
            if mode is None:
                y_pred = self.infer(Xi, **fit_params)
                loss = self.get_loss(y_pred, yi, X=Xi, training=True)
            else:
                with torch.autocast(mode[0], dtype=mode[1]):
                    y_pred = self.infer(Xi, **fit_params)
                    logits = y_pred
                    if torch.is_tensor(logits) and logits.is_floating_point():
                        logits = logits.float()  # the loss in float32
                    loss = self.get_loss(logits, yi, X=Xi, training=True)
        except (ValueError, RuntimeError, IndexError) as error:
            options = self.get_params_for("iterator_train")
            param = "iterator_train__" * ("batch_size" in options) + "batch_size"
            batch_size = (
                None
                if "batch_sampler" in self._batch_options()
                else options.get("batch_size", self.batch_size)
            )
            explained = _explain_single_sample_batch(error, batch, batch_size, param)
            if explained is error and y_pred is not None:
                explained = _explain_binary_loss(error, self.criterion_)
                if explained is error:
                    explained = _explain_too_few_outputs(
                        error, y_pred, len(self.classes_), type(self).__name__
                    )
            if explained is error:
                raise
            raise explained from error
        if vars(self).pop("_outputs_unchecked", False):  # a fit's first step
            _warn_probabilities(y_pred, self.criterion_, self.predict_nonlinearity)
        if not torch.is_tensor(loss):
            raise _not_a_tensor(loss, self.criterion_)
        # as torch's backward pass: a single value, of any shape
        if loss.numel() != 1:
            raise _not_a_scalar(loss, self.criterion_)
        scaler = self._grad_scaler()
        (loss if scaler is None else scaler.scale(loss)).backward()
        return {"loss": loss, "y_pred": y_pred}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Loss of a batch, with the per-row weights of the fit if any.

        Parameters
        ----------
        y_pred : torch.Tensor
            The module's output.
        y_true : torch.Tensor
            The integer targets.
        X : torch.Tensor or dict, default=None
            The batch of input, with its ``"sample_weight"`` if any.
        training : bool, default=False
            Whether the batch is a training batch.

        Returns
        -------
        loss : torch.Tensor
            The loss.
        """
        weighted = isinstance(X, Mapping) and "sample_weight" in X
        tensors = torch.is_tensor(y_pred) and torch.is_tensor(y_true)
        if not (weighted or tensors):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        if torch.is_tensor(y_pred):
            y_pred = _in_weight_dtype(self.criterion_, y_pred)
        if isinstance(_uncompiled(self.criterion_), nn.NLLLoss):
            # skorch's convention: the module gives probabilities, and the
            # loss is the NLL of their log (with or without weights).
            y_pred = torch.log(y_pred + torch.finfo(y_pred.dtype).eps)
        if not weighted:
            # skorch's, without its conversions (the batches are tensors).
            return self.criterion_(y_pred, y_true.to(y_pred.device))
        # On the device of the logits, as above: with device=None a module
        # may move its input to its own device, and the batches stay put.
        device = y_pred.device if torch.is_tensor(y_pred) else self.device
        y_true = to_tensor(y_true, device=device)
        weights = to_tensor(X["sample_weight"], device=device)
        return _weighted_batch_loss(self.criterion_, y_pred, y_true, weights)
