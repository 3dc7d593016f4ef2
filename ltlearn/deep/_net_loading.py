"""Loading saved parameters into LongTailClassifier.

``load_params`` with the load-state-dict hooks that read a state saved with
another ``compile`` and class weights that a loss built anew has as ``None``.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
from functools import partial

import torch
from torch import nn

from ltlearn.deep._loss_base import _uncompiled


def _load_unset_buffers(module, state_dict, prefix, *args, given):
    """Load-state-dict pre-hook: make room for buffers that ``module`` has as None.

    A loss's ``weight`` is a buffer that may be ``None`` (torch's
    ``CrossEntropyLoss()``) until a callback writes class weights into it
    (``DeferredReweighting``); the state saved after that holds the weights,
    which ``load_state_dict`` would refuse as unexpected in a loss built
    anew. The other way round, a state saved before that (a skorch
    ``Checkpoint(load_best=True)`` of an epoch before the switch) has no
    such buffer: a buffer that the loss takes as ``None`` by default
    (``weight=None``), that ``given``, the loss's parameters, does not set
    to a value (``criterion__weight``) and that the state lacks is set back
    to ``None``, as it was saved, where ``load_state_dict`` refused it as
    missing.
    """
    saved = module.state_dict(keep_vars=True)  # the persistent ones, set
    for name, _ in list(module.named_buffers(recurse=False)):
        if (
            name in saved
            and prefix + name not in state_dict
            and given.get(name) is None
            and _default_is_none(type(module), name)
        ):
            setattr(module, name, None)
    for key, value in state_dict.items():
        name = key[len(prefix) :]
        if (
            not key.startswith(prefix)
            or "." in name
            or not isinstance(value, torch.Tensor)
            or name in vars(module)
            or getattr(module, name, 0) is not None
        ):
            continue
        try:
            module.register_buffer(name, torch.empty_like(value))
        except KeyError:  # a parameter or a submodule set to None
            pass


def _load_across_compile(module, state_dict, prefix, *args):
    """Load-state-dict pre-hook: read a state saved with another ``compile``.

    ``compile=True`` wraps the module and the loss in torch's
    ``OptimizedModule``, whose state names each entry ``_orig_mod.<name>``:
    the files that ``save_params`` wrote with it failed to load into a
    classifier without it, and the other way round, with torch's "Missing
    key(s)" and "Unexpected key(s)" error, which does not name ``compile``.
    On the module that loads the state (``prefix`` empty), the entries and
    their metadata take the prefix when ``module`` is compiled and none has
    it, or lose it when ``module`` is not and all have it.
    """
    compiled = isinstance(getattr(module, "_orig_mod", None), nn.Module)
    keys = list(state_dict)
    wrapped = [key.startswith("_orig_mod.") for key in keys]
    if prefix or not keys or (any(wrapped) if compiled else not all(wrapped)):
        return
    for key in keys:
        renamed = f"_orig_mod.{key}" if compiled else key.removeprefix("_orig_mod.")
        state_dict[renamed] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    for key in list(metadata or ()):
        if compiled:  # "" is the wrapper's, "_orig_mod" the module's
            metadata[f"_orig_mod.{key}".rstrip(".")] = metadata[key]
        elif key == "_orig_mod" or key.startswith("_orig_mod."):
            metadata[key.removeprefix("_orig_mod").removeprefix(".")] = metadata[key]


def _default_is_none(factory, name):
    """Whether ``factory`` takes a parameter ``name`` whose default is ``None``."""
    try:
        parameter = inspect.signature(factory).parameters.get(name)
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is None


class _LoadingMixin:
    """The ``load_params`` of :class:`LongTailClassifier`.

    Mixed into the classifier before skorch's ``NeuralNet``, whose methods
    of the same names it overrides.
    """

    def load_params(
        self,
        f_params=None,
        f_optimizer=None,
        f_criterion=None,
        f_history=None,
        checkpoint=None,
        use_safetensors=False,
        **kwargs,
    ):
        """Load the module, optimiser, criterion and history, as skorch's.

        A criterion state with class weights that the criterion built anew
        has as ``None`` (those that
        :class:`~ltlearn.deep.callbacks.DeferredReweighting` writes into
        ``torch.nn.CrossEntropyLoss``) is loaded, where skorch's refuses it,
        so that a skorch ``Checkpoint`` taken after the switch is resumed
        with ``LoadInitState``; a state saved before the switch, without
        them, sets them back to ``None`` (``Checkpoint(load_best=True)`` of
        an earlier epoch), unless they were given (``criterion__weight``);
        ``device="auto"`` stays ``"auto"``. The module and the criterion
        load a state saved with another ``compile``, whose entries torch
        names with (``compile=True``) or without the prefix ``_orig_mod.``.

        Parameters
        ----------
        f_params, f_optimizer, f_criterion, f_history : file-like or str, \
                default=None
            The files to load; ``None`` loads nothing of that part.
        checkpoint : skorch.callbacks.Checkpoint, default=None
            A checkpoint to load from (the ``f_*`` given take precedence).
        use_safetensors : bool, default=False
            Read the files with ``safetensors``.
        **kwargs : dict
            Files of other modules (``f_<name>``), as in skorch.
        """
        if checkpoint is not None and not self.initialized_:
            self.initialize()
        device = vars(self).get("device")
        criterion = getattr(self, "criterion_", None)
        handles = [
            part.register_load_state_dict_pre_hook(_load_across_compile)
            for part in (getattr(self, "module_", None), criterion)
            if isinstance(part, nn.Module)
        ]
        if isinstance(criterion, nn.Module):
            # On the loss itself, which compile=True wraps with its buffers.
            hook = partial(_load_unset_buffers, given=self._criterion_and_params()[1])
            handles.append(
                _uncompiled(criterion).register_load_state_dict_pre_hook(hook)
            )
        try:
            super().load_params(
                f_params=f_params,
                f_optimizer=f_optimizer,
                f_criterion=f_criterion,
                f_history=f_history,
                checkpoint=checkpoint,
                use_safetensors=use_safetensors,
                **kwargs,
            )
        finally:
            for handle in handles:
                handle.remove()
            # skorch writes the device it maps the tensors to.
            if isinstance(device, str) and device == "auto":
                vars(self)["device"] = "auto"
