"""Building LongTailClassifier's network, loss and optimiser.

The losses by name, the sizes learned from the data (features, classes,
image shape) that the module is built with, the class counts the loss is
built with and follows, and the fused Adam and AdamW optimisers.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import math
import warnings
from collections.abc import Mapping, MappingView

import numpy as np
import torch
from torch import nn

from ltlearn.deep import losses
from ltlearn.deep._data import _accepts
from ltlearn.deep._loss_base import (
    _finite_weight,
    _refuse_complex_weight,
    _uncompiled,
)
from ltlearn.deep._reweighting_losses import _start_at_prior
from ltlearn.deep.modules import NormedLinear, _ImageBackbone
from ltlearn.utils._class_order import _is_pandas
from ltlearn.utils._warnings import external_stacklevel

# The criteria by name, as the ``criterion`` parameter takes them.
_LOSSES = {
    "ce": nn.CrossEntropyLoss,
    "focal": losses.FocalLoss,
    "class_balanced": losses.ClassBalancedLoss,
    "ldam": losses.LDAMLoss,
    "logit_adjusted": losses.LogitAdjustedLoss,
    "balanced_softmax": losses.BalancedSoftmaxLoss,
    "vs": losses.VSLoss,
    "kps": losses.KPSLoss,
}


def _copied_array(value):
    """A copy of a NumPy array or of a tensor without gradient; else ``value``.

    A tensor that requires a gradient (an ``nn.Parameter`` to learn) is
    passed as it is.
    """
    if torch.is_tensor(value) and not value.requires_grad:
        return value.clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def _loss_home(factory):
    """The module that defines the ``__init__`` of the loss ``factory`` builds.

    ``""`` where there is none to read (a function, a ``functools.partial``):
    a loss of the user's own, which takes its arguments as given.
    """
    loss = factory if isinstance(factory, type) else type(factory)
    module = inspect.getmodule(loss.__init__)  # None for object's __init__
    return "" if module is None else module.__name__


def _torch_loss_weight(factory, kwargs):
    """``kwargs`` with an array ``weight`` made a float32 tensor for torch's losses.

    torch's losses (``"ce"``, ``CrossEntropyLoss``, a class or an instance,
    and a subclass that keeps torch's ``__init__``) keep ``weight`` as a
    buffer, which takes a tensor only: an array, a list, a pandas Series, or
    the array a Series given by label is read into, failed with "cannot
    assign 'numpy.ndarray' object to buffer 'weight'". A tensor is kept as
    given, but refused, as an array is, if it holds a NaN, an infinite or a
    complex value, which ltlearn's losses refuse themselves. ltlearn's losses
    and the user's own ``__init__`` take their ``weight`` as given.
    """
    weight = kwargs.get("weight")
    if not (
        _loss_home(factory).startswith("torch.")
        and (
            isinstance(weight, (np.ndarray, list, tuple))
            or _is_pandas(weight)
            or torch.is_tensor(weight)
        )
    ):
        return kwargs
    _refuse_complex_weight(weight)
    if torch.is_tensor(weight):
        # in float32, as the network casts the loss's buffers
        _finite_weight(weight.detach().to(torch.float32))
        return kwargs
    # a copy: torch warns of a read-only array (a pandas Series' values)
    weight = torch.from_numpy(np.array(weight, dtype=np.float32))
    return {**kwargs, "weight": _finite_weight(weight)}


def _refuse_unordered_per_class(factory, kwargs, classes):
    """Refuse a dict, its view, a string or a set as a per-class ``criterion__*``.

    For torch's losses and ltlearn's, which read one value per class by
    position: a dict keyed by label (as scikit-learn's ``class_weight``)
    failed with torch's "cannot assign 'dict' object to buffer 'weight'
    (torch Tensor or None required)", or with the loss's "weight should be
    an array-like of values", which named neither ``criterion__weight`` nor
    the order of the classes. A dict's ``values()`` hold the values in the
    dict's order, not that of the classes. A loss of the user's own takes
    what it takes.
    """
    if not _loss_home(factory).startswith(("torch.", "ltlearn.")):
        return
    for name in ("weight", "class_counts"):
        value = kwargs.get(name)
        if not isinstance(value, (Mapping, MappingView, str, set, frozenset)):
            continue
        what = "count" if name == "class_counts" else "weight"
        by_label = (
            " (pd.Series of the dict is read by label)"
            if isinstance(value, Mapping)
            else ""
        )
        raise ValueError(
            f"criterion__{name} is a {type(value).__name__}, {value!r}; give "
            f"one {what} per class, as a list or an array in the order of "
            f"classes_ {classes.tolist()!r}, or as a pandas Series indexed by "
            f"the classes{by_label}."
        )


def _check_per_class_sizes(factory, kwargs, classes, classes_given):
    """Refuse a ``criterion__weight`` or ``criterion__class_counts`` of another size.

    Given by position, each holds one value per class, in the order of
    ``classes``. Of another size, the fit failed in torch's words ("weight
    tensor should be defined either for all 2 classes or no classes"), in
    the loss's ("weight must hold one value per class (2)"), or at the
    first batch with an error that blamed the network ("LDAMLoss expects
    logits of shape (n_samples, 3)"). More values than classes are what a
    fit on rows without a rare class meets (a cross-validation fold, the
    small subsets of a halving search) when the classes are not given
    (``classes_given`` false): the message says how to give each fit every
    class. Only the parameters the loss class (of an instance, the class
    it is rebuilt from) takes are read: the loss refuses the others by name.
    """
    loss = type(factory) if isinstance(factory, nn.Module) else factory
    for name in ("weight", "class_counts"):
        value = kwargs.get(name)
        if value is None or not _accepts(loss, name, or_kwargs=True):
            continue
        try:
            shape = np.shape(value)  # a tensor's own shape, as it is
        except ValueError:  # ragged: the loss refuses it in its own words
            continue
        if len(shape) != 1 or shape[0] == len(classes):
            continue
        what = "count" if name == "class_counts" else "weight"
        message = (
            f"criterion__{name} has {shape[0]} values; it must hold one {what} "
            f"per class, {len(classes)} here ({classes.tolist()!r}), in the "
            "order of classes_."
        )
        if shape[0] > len(classes) and not classes_given:
            if "class_counts" not in kwargs and _accepts(loss, "class_counts"):
                # the loss counts the classes of y: classes= would give it a
                # class of no rows, which it refuses
                remedy = (
                    "the loss counts each class in y, so every fit needs rows "
                    "of every class: use fewer folds, or more rows per fit (a "
                    "larger min_resources in a halving search)"
                )
            else:
                remedy = "pass every label as classes= so that each fit has them all"
            message += (
                " Where a class is missing from the training rows (a "
                "cross-validation fold or a halving search's subset with too "
                f"few rows of a rare class), {remedy}."
            )
        raise ValueError(message)


def _in_float32(module):
    """Cast ``module``'s floating parameters and buffers to float32, in place.

    The network trains in float32; a module or loss that ltlearn builds
    follows torch's default dtype, which a user may have set to float64
    (``torch.set_default_dtype``). Nothing changes under the default float32.
    """
    if isinstance(module, nn.Module) and torch.get_default_dtype() != torch.float32:
        module.to(torch.float32)
    return module


def _check_image_layout(shape):
    """Refuse samples of ``shape`` that are not ``(C, H, W)`` images by name.

    ltlearn's image networks read ``(channels, height, width)``: a batch of
    ``(N, 32, 32, 3)`` images would train, silently, as 32 channels of 32x3
    images (or fail deep in a pooling layer), and samples of more axes were
    refused as an ``input_shape`` the user had not given.
    """
    if len(shape) != 3:
        raise ValueError(
            f"X has samples of shape {shape}; the network reads images of "
            "shape (channels, height, width), or grey ones of shape (height, "
            "width). Reshape X to (n_samples, channels, height, width), or "
            "pass module__input_shape=(channels, height, width) to read each "
            "sample so."
        )
    height, width, channels = shape
    if channels in (1, 3, 4) and min(height, width) > 4:
        raise ValueError(
            f"The images have shape {shape}, which looks like (height, width, "
            f"channels); the network reads (channels, height, width), here "
            f"{height} channels of {width}x{channels} images. Transpose them: "
            "X.transpose(0, 3, 1, 2) for a NumPy array, X.permute(0, 3, 1, 2) "
            "for a torch tensor, x.permute(2, 0, 1) of each item of a Dataset; "
            "or pass module__input_shape to keep this layout."
        )


class _BuildMixin:
    """The parts of :class:`LongTailClassifier`: module, criterion, optimizer.

    Mixed into the classifier before skorch's ``NeuralNet``, whose methods
    of the same names it overrides.
    """

    def _n_classes(self):
        try:
            return len(self.classes_)
        except AttributeError:
            return None

    def _n_features(self):
        shape = getattr(self, "input_shape_", None)
        return None if shape is None else math.prod(shape)

    def _class_counts_for_loss(self, loss_name):
        """The class counts for a loss; ``loss_name`` names it in the errors.

        A class name (``"LDAMLoss"``) is said as it is; another name, a
        criterion's (``"'ldam'"``) or a rule's (``"re-weighted"``), as
        ``"the ... loss"``.
        """
        loss = loss_name if loss_name.endswith("Loss") else f"the {loss_name} loss"
        counts = getattr(self, "class_counts_", None)
        if counts is None:
            n_classes = self._n_classes()
            if n_classes is None:
                raise ValueError(
                    f"{loss[0].upper()}{loss[1:]} needs the class counts: fit "
                    "the classifier, or pass classes=... or "
                    "criterion__class_counts=..."
                )
            return np.ones(n_classes)
        empty = np.flatnonzero(counts == 0)
        if empty.size and getattr(self, "_incremental_", False):
            # partial_fit: a class of ``classes`` not seen yet counts as one.
            return np.where(counts > 0, counts, 1)
        if empty.size:
            label = self.classes_.tolist()[empty[0]]
            where = (
                "in the training part of the internal validation split"
                if self.train_split
                else "in y"
            )
            raise ValueError(
                f"Class {label!r} has 0 samples {where}; {loss} needs training "
                "samples of every class (of positive total sample_weight when "
                "weights are given)."
            )
        return counts

    def _criterion_factory(self):
        criterion, kwargs = self._criterion_and_params()
        factory = _LOSSES[criterion] if isinstance(criterion, str) else criterion
        return criterion, factory, kwargs

    def initialize_module(self):
        """Build ``module_``, filling in the sizes learned from the data.

        A module class that takes ``head`` gets ``head="cosine"`` when the
        criterion (name, class or instance) has a true ``cosine_logits``.
        With the sigmoid or focal form of
        :class:`~ltlearn.deep.losses.ClassBalancedLoss`, the bias of a built
        module's linear ``classifier`` starts at ``-log(n_classes - 1)`` (each
        sigmoid at the prior ``1 / n_classes``, as in the paper's code).

        Returns
        -------
        self : LongTailClassifier
            The classifier with ``module_`` set.
        """
        kwargs = self.get_params_for("module")
        module = self.module
        if not isinstance(module, nn.Module):
            inferred = {
                "n_features": self._n_features(),
                "n_classes": self._n_classes(),
            }
            shape = getattr(self, "input_shape_", ())
            if len(shape) > 1:
                # grey images get their channel axis; other samples are
                # passed as they are
                inferred["input_shape"] = (1, *shape) if len(shape) == 2 else shape
            _, factory, criterion_kwargs = self._criterion_factory()
            if getattr(factory, "cosine_logits", False):
                inferred["head"] = "cosine"
            for name, value in inferred.items():
                if name not in kwargs and value is not None and _accepts(module, name):
                    kwargs[name] = value
            if (
                isinstance(module, type)
                and issubclass(module, _ImageBackbone)
                and kwargs.get("input_shape") is shape
            ):
                # ltlearn's networks read (channels, height, width); a custom
                # module taking input_shape reads the layout its author chose.
                _check_image_layout(shape)
        self.module_ = self.initialized_instance(module, kwargs)
        if not isinstance(module, nn.Module):
            _in_float32(self.module_)
            head = getattr(self.module_, "classifier", None)
            _start_at_prior(head, factory, criterion_kwargs, self._n_classes())
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """Build ``optimizer_`` from ``optimizer`` and ``optimizer__*``.

        As skorch's, except that :class:`torch.optim.Adam` and
        :class:`torch.optim.AdamW` (the default) use torch's fused
        implementation (``fused=True``) when the parameters allow it and
        neither ``optimizer__fused`` nor ``optimizer__foreach`` is given:
        the same update, each parameter's in one fused kernel rather than a
        sequence of tensor operations, measured 10-30% faster per step than
        torch's default implementation for the MLPs of
        :mod:`ltlearn.deep.modules` on the CPU, and as fast for ResNet-32.
        SGD keeps torch's default, which was as fast or faster. A torch
        without a fused kernel for the parameters' device falls back to its
        default too.

        Parameters
        ----------
        triggered_directly : None
            Deprecated in skorch; passed on.

        Returns
        -------
        self : LongTailClassifier
            The classifier with ``optimizer_`` set.
        """
        kwargs = self.get_params_for("optimizer")
        if (
            self.optimizer in (torch.optim.Adam, torch.optim.AdamW)
            and "fused" not in kwargs
            and "foreach" not in kwargs
        ):
            args, kwargs = self.get_params_for_optimizer(
                "optimizer", self.get_all_learnable_params()
            )
            groups = [dict(group) for group in args[0]]
            if all(
                param.is_floating_point() and param.device.type in ("cpu", "cuda")
                for group in groups
                for param in group["params"]
            ):
                try:
                    self.optimizer_ = self.optimizer(groups, fused=True, **kwargs)
                    return self
                except (RuntimeError, ValueError):
                    # Options fused does not take (differentiable=True, say):
                    # torch's default implementation.
                    pass
        return super().initialize_optimizer(triggered_directly)

    def initialize_criterion(self):
        """Build ``criterion_`` from ``criterion`` and the class counts.

        Returns
        -------
        self : LongTailClassifier
            The classifier with ``criterion_`` set.
        """
        criterion, factory, kwargs = self._criterion_factory()
        # The criterion gets its own copy of each array parameter (a
        # ``criterion__weight`` tensor): torch's losses keep a tensor as
        # given, and DeferredReweighting writes the weights in place.
        kwargs = {name: _copied_array(value) for name, value in kwargs.items()}
        if self._n_classes() is not None:
            _refuse_unordered_per_class(factory, kwargs, self.classes_)
            _check_per_class_sizes(
                factory, kwargs, self.classes_, self.classes is not None
            )
        kwargs = _torch_loss_weight(factory, kwargs)
        if isinstance(factory, nn.Module):
            self.criterion_ = self.initialized_instance(factory, kwargs)
            self._follow_class_counts()
        else:
            if "class_counts" not in kwargs and _accepts(factory, "class_counts"):
                name = (
                    repr(criterion) if isinstance(criterion, str) else factory.__name__
                )
                kwargs["class_counts"] = self._class_counts_for_loss(name)
            self.criterion_ = _in_float32(factory(**kwargs))
        self._warn_scaled_linear_logits()
        return self

    def _warn_scaled_linear_logits(self):
        """Warn when a cosine-margin loss scales the logits of a linear head.

        LDAM and KPS multiply cosines (in ``[-1, 1]``) by ``s``; a module
        without a :class:`~ltlearn.deep.modules.NormedLinear` gives them
        unbounded logits, which ``s`` blows up and next to which the margins
        mean nothing.
        """
        criterion = getattr(self, "criterion_", None)
        module = getattr(self, "module_", None)
        if not getattr(criterion, "cosine_logits", False) or module is None:
            return
        if (
            not isinstance(self.module, nn.Module)
            and _accepts(self.module, "head")
            and "head" not in self.get_params_for("module")
        ):
            # The next fit builds it with head="cosine" (module_ is the last
            # fit's when set_params changes only the criterion).
            return
        scale = float(getattr(criterion, "logit_scale", 1.0))
        if scale == 1.0 or any(isinstance(m, NormedLinear) for m in module.modules()):
            return
        warnings.warn(
            f"{type(_uncompiled(criterion)).__name__} expects cosine logits (a "
            f"NormedLinear last layer) and multiplies them by s={scale:g}; "
            f"{type(_uncompiled(module)).__name__} has no NormedLinear, so its "
            "unbounded logits are scaled up and the margins mean little. Give a "
            "module class that takes head (those of ltlearn.deep.modules), a "
            "NormedLinear last layer, or criterion__s=1.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )

    def _follow_class_counts(self):
        """Give ``class_counts_`` to a criterion that follows them.

        Returns whether the criterion took them (it has ``set_class_counts``
        and ``criterion__class_counts`` is not given).
        """
        set_class_counts = getattr(self.criterion_, "set_class_counts", None)
        if set_class_counts is None or "class_counts" in self._criterion_factory()[2]:
            return False
        if getattr(self, "class_counts_", None) is not None:
            name = type(_uncompiled(self.criterion_)).__name__
            set_class_counts(self._class_counts_for_loss(name))
        return True
