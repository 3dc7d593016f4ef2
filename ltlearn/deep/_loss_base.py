"""What the long-tail losses share: their checks, reductions and private bases."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ltlearn.utils._class_counts import inverse_effective_number
from ltlearn.utils._class_order import _in_class_order, _is_pandas
from ltlearn.utils._docstring import _ldam_references_docstring, _Substitution
from ltlearn.utils._validation import (
    _check_fraction,
    _writeable,
    check_classes,
)

_REDUCTIONS = ("mean", "sum", "none")

# Parameters shared by the losses, as their docstrings state them.
_LOSS_FRAGMENTS = dict(
    class_counts="""class_counts : array-like of shape (n_classes,)
        Number of training samples per class, all positive, in the order of
        the class indices; a pandas Series indexed by them (such as
        ``y.value_counts()``) is read by index.""",
    weight="""weight : array-like of shape (n_classes,), default=None
        Per-class weights (deferred re-weighting sets them); a pandas Series
        indexed by the class indices is read by index. The loss keeps a copy,
        except of a tensor that requires a gradient (weights to learn), which
        it keeps as given, so that the gradient reaches it.""",
    reduction="""reduction : {"mean", "sum", "none"}, default="mean"
        How the per-sample losses are combined (see the module docstring).""",
    s="""Logit scale; the probabilities of
        :class:`~ltlearn.deep.net.LongTailClassifier` are ``softmax(s * z)``.""",
    ldam_references=_ldam_references_docstring,
    cosine_attributes="""logit_scale : float
        Equal to ``s``.
    cosine_logits : bool
        True: the loss expects cosine logits, and
        :class:`~ltlearn.deep.net.LongTailClassifier` gives its module a
        cosine head.""",
)
# The parameters of the cosine-margin losses (LDAM, and KPS, which KPSGALoss
# extends), with their defaults.
_MARGIN_PARAMETERS = """{class_counts}
    max_m : float, default={max_m}
        The largest margin, given to the rarest class.
    s : float, default={s_default}
        {s}
    {weight}
    {reduction}"""
_LOSS_FRAGMENTS["ldam_parameters"] = _MARGIN_PARAMETERS.format(
    max_m=0.5, s_default=30.0, **_LOSS_FRAGMENTS
)
_LOSS_FRAGMENTS["kps_parameters"] = _MARGIN_PARAMETERS.format(
    max_m=0.2, s_default=15.0, **_LOSS_FRAGMENTS
) + (
    "\n    base : float, default=50.0\n        The constant of the radius (50 in "
    "the reference code), ``> 1``."
)
_loss_docstring = _Substitution(**_LOSS_FRAGMENTS)

# The parameters and result of every loss's forward, shared by their docstrings.
_FORWARD_PARAMETERS = """Parameters
        ----------
        logits : torch.Tensor of shape (n_samples, n_classes)
            Unnormalised scores{extra}.
        target : torch.Tensor of shape (n_samples,)
            Integer class indices.

        Returns
        -------
        loss : torch.Tensor
            A scalar, or one value per sample for ``reduction="none"``."""
_forward_docstring = _Substitution(
    forward_parameters=_FORWARD_PARAMETERS.format(extra=""),
    cosine_forward_parameters=_FORWARD_PARAMETERS.format(
        extra=" (cosines for a cosine classifier)"
    ),
)


def _uncompiled(module):
    """``module`` without the wrapper of ``torch.compile`` (``compile=True``).

    A compiled loss is an ``OptimizedModule`` that passes attributes on to
    the loss it wraps but is not an instance of its class; skorch unwraps it
    the same way to choose ``predict_proba``'s nonlinearity.
    """
    return module._orig_mod if hasattr(module, "_orig_mod") else module


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}; got {reduction!r}.")
    return reduction


def _check_setting(name, value, low=None, *, strict=False):
    """Refuse a setting that is NaN, infinite or below ``low``.

    ``strict`` makes ``low`` itself refused. A NaN or infinite setting would
    otherwise pass the comparisons and end the training with a NaN loss.
    """
    bound = "" if low is None else f" {'>' if strict else '>='} {low:g}"
    try:
        finite = math.isfinite(value)
    except (TypeError, ValueError, RuntimeError):  # not a single number
        finite = False
    if not finite or (low is not None and (value <= low if strict else value < low)):
        raise ValueError(f"{name} must be a finite number{bound}; got {value!r}.")
    return _as_number(value)


def _as_number(value):
    """``value`` if an int or a float, else the int or float it holds.

    A 0-d array, a tensor or a Fraction kept as given failed in forward
    ("Can't call numpy() on Tensor that requires grad", "unsupported operand
    type(s) for *") or in the count buffers (a Fraction ``max_scale``); a
    NumPy integer stays an integer, shown as the int in the loss's ``repr``.
    """
    if isinstance(value, (int, float)):
        return value
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _by_class_index(values, name):
    """Per-class ``values`` in the order of the class indices ``0..n-1``.

    A set, a dict view or an iterator is refused by name; a pandas Series
    indexed by the class indices (``y.value_counts()``, in the order of the
    counts) is read by index, as the post-hoc rules read their priors;
    anything else is read by position.
    """
    check_classes(values, name, per_class=True)
    if not _is_pandas(values):
        return values
    # as numbers: the values of a nullable column (Float64, Int64) come out
    # of pandas 2.0 as objects, which torch refuses
    return np.asarray(
        _in_class_order(values, np.arange(len(values)), name), dtype=np.float64
    )


def _check_class_counts(class_counts, loss_name):
    """Return the counts as a float64 array; refuse empty or missing classes."""
    if class_counts is None:
        raise ValueError(
            f"{loss_name} needs class_counts, the number of training samples "
            "of each class."
        )
    if not torch.is_tensor(class_counts):
        class_counts = _by_class_index(class_counts, "class_counts")
    # a copy: torch refuses a reversed view of the caller's array (np.array
    # passes a copy keyword to the __array__ of a tensor, which takes none: a
    # NumPy DeprecationWarning)
    counts = np.asarray(
        class_counts.detach().cpu() if torch.is_tensor(class_counts) else class_counts,
        dtype=np.float64,
    ).copy()
    if counts.ndim != 1 or counts.size < 1:
        raise ValueError(
            f"class_counts must be a 1-D sequence with one count per class; got "
            f"shape {counts.shape}."
        )
    if not np.all(np.isfinite(counts)):
        raise ValueError("class_counts must be finite.")
    empty = np.flatnonzero(counts <= 0)
    if empty.size:
        raise ValueError(
            f"Class {int(empty[0])} has {counts[empty[0]]:g} samples; {loss_name} "
            "needs at least one training sample of every class."
        )
    return counts


def _weight_tensor(weight):
    """A given per-class ``weight`` as a float32 tensor, by class index.

    A tensor that requires a gradient (weights to learn) is returned as
    given, in its own dtype: a cast copy would be a non-leaf tensor, which
    the gradient passes through but ``copy.deepcopy`` (scikit-learn's
    ``clone``) refuses. An array is always copied (``torch.as_tensor``
    shares a float32 one): deferred re-weighting writes into the tensor.
    """
    if torch.is_tensor(weight) and weight.requires_grad:
        return weight
    if not torch.is_tensor(weight):
        weight = _by_class_index(weight, "weight")
        if not isinstance(weight, (list, tuple)):
            # an xarray DataArray: torch reads it as a sequence of 0-d arrays
            # and fails with "len() of unsized object"
            weight = np.asarray(weight)
        weight = _writeable(weight)
        _refuse_complex_weight(weight)
        return _finite_weight(torch.tensor(weight, dtype=torch.float32))
    _refuse_complex_weight(weight)
    return _finite_weight(weight.to(torch.float32))


def _refuse_complex_weight(weight):
    """Refuse complex per-class weights (a cast dropped the imaginary part)."""
    is_complex = torch.is_complex if torch.is_tensor(weight) else np.iscomplexobj
    if is_complex(weight):
        raise ValueError("weight must hold real numbers; got complex values.")


def _finite_weight(weight):
    """The float32 tensor ``weight``, refused if a value is NaN or infinite.

    Such a weight made the first epoch's loss NaN, reported as a diverged
    training with advice on the learning rate.
    """
    bad = torch.nonzero(~torch.isfinite(weight.flatten()))
    if bad.numel():
        index = int(bad[0, 0])
        raise ValueError(
            f"weight must hold finite float32 values; got "
            f"{weight.flatten()[index].item()} at index {index}."
        )
    return weight


def _check_weight(weight, n_classes):
    """Per-class weights as a float32 tensor of ones when ``weight`` is None."""
    if weight is None:
        return torch.ones(n_classes, dtype=torch.float32)
    weight = _weight_tensor(weight)
    if not weight.requires_grad:
        # a copy, which deferred re-weighting may write into; a tensor to
        # learn is kept as given, so that the gradient reaches it
        weight = weight.detach().clone()
    if weight.shape != (n_classes,):
        raise ValueError(
            f"weight must hold one value per class ({n_classes}); got shape "
            f"{tuple(weight.shape)}."
        )
    return weight


def _effective_number_weights(class_counts, beta, name="ClassBalancedLoss"):
    """Class-balanced weights ``(1 - beta) / (1 - beta**n)`` summing to C.

    ``beta=0`` gives equal weights, ``beta=1`` inverse frequencies (the limit
    of the effective number as ``beta`` tends to one); ``name``, that of the
    loss or callback, is the one the errors give.
    """
    counts = _check_class_counts(class_counts, name)
    _check_fraction("beta", beta)
    weights = inverse_effective_number(counts, beta)
    return weights / weights.sum() * counts.size


# torch's names of the target dtypes that its cross-entropy refuses
_TORCH_DTYPE_NAMES = {
    torch.bool: "Bool",
    torch.int8: "Char",
    torch.int16: "Short",
    torch.float16: "Half",
    torch.bfloat16: "BFloat16",
    torch.float32: "Float",
    torch.float64: "Double",
}


def _refuse_target_dtype(dtype):
    """Raise torch's error for targets of ``dtype``, which are no class indices."""
    name = _TORCH_DTYPE_NAMES.get(dtype, str(dtype).removeprefix("torch."))
    raise RuntimeError(
        f"expected target dtype to be Long or Byte, but got {name}; give the "
        "class indices, target.long()."
    )


def _class_indices(target):
    """``target`` as int64 class indices when it is a uint8 tensor.

    torch's cross-entropy takes int64 and uint8 targets; the losses also
    index per-class tensors (weights, margins) by the targets, where a uint8
    tensor would select by mask: the weights of other classes on a batch of
    as many samples as classes, an ``IndexError`` ("The shape of the mask")
    on the others. A bool target is refused in torch's words, which the
    margin losses gave as that ``IndexError``.
    """
    if not torch.is_tensor(target):
        return target
    if target.dtype == torch.bool:
        _refuse_target_dtype(target.dtype)
    return target.long() if target.dtype == torch.uint8 else target


def _reduce(losses, target, weight, reduction):
    """Apply per-class ``weight`` (or none) and ``reduction`` to ``losses``."""
    if weight is not None:
        sample_weight = weight.to(losses.dtype)[target]
        losses = losses * sample_weight
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    if weight is None:
        return losses.mean()
    return losses.sum() / sample_weight.sum()


def _weighted_cross_entropy(logits, target, weight, reduction):
    # torch's fused kernel computes exactly the weighted reductions above,
    # but gives no gradient for its weight: weights to learn go through
    # _reduce instead.
    if weight is not None:
        weight = weight.to(logits.dtype)  # no copy when the dtypes agree
        if weight.requires_grad:
            losses = F.cross_entropy(logits, target, reduction="none")
            return _reduce(losses, target, weight, reduction)
    return F.cross_entropy(logits, target, weight=weight, reduction=reduction)


def _margin_logits(logits, target, margins, scale):
    """``scale * (logits - margins[y] e_y)``: the target logits lowered.

    The scaled logits are a new tensor, lowered in place at the targets (no
    one-hot matrix).
    """
    shift = (margins.to(logits.dtype) * -scale)[target]
    return (logits * scale).scatter_add_(1, target[:, None], shift[:, None])


class _LongTailLoss(nn.Module):
    """``repr`` shows the settings named in ``_repr_settings``."""

    _repr_settings = ("reduction",)

    def _settings(self):
        return [(name, getattr(self, name)) for name in self._repr_settings]

    def extra_repr(self):
        """Settings shown by ``repr``.

        Returns
        -------
        text : str
            The settings, comma separated.
        """
        return ", ".join(
            f"{name}={value!r}" if isinstance(value, str) else f"{name}={value}"
            for name, value in self._settings()
        )


class _CountLoss(_LongTailLoss):
    """Shared checks of the losses built from class counts.

    A subclass derives its buffers from the counts in ``_count_buffers``
    and registers them with ``_set_count_buffers`` at the end of its
    ``__init__``; ``set_class_counts`` recomputes them in place. ``repr``
    shows its ``_repr_settings``, then the number of classes and the
    reduction.
    """

    _repr_settings = ()

    def __init__(self, class_counts, weight, reduction):
        super().__init__()
        self.reduction = _check_reduction(reduction)
        counts = _check_class_counts(class_counts, type(self).__name__)
        self.register_buffer(
            "class_counts", torch.as_tensor(counts, dtype=torch.float32)
        )
        self.register_buffer("weight", _check_weight(weight, counts.size))

    def _count_buffers(self, counts):
        """The buffers derived from ``counts`` (float64), by name."""
        return {}

    def _set_count_buffers(self, counts):
        buffers = {"class_counts": counts, **self._count_buffers(counts)}
        for name, value in buffers.items():
            value = torch.as_tensor(value, dtype=torch.float32)
            current = getattr(self, name, None)
            if torch.is_tensor(current) and current.shape == value.shape:
                with torch.no_grad():
                    current.copy_(value)
            else:
                self.register_buffer(name, value)

    def set_class_counts(self, class_counts):
        """Recompute, in place, what the loss derives from the class counts.

        :class:`~ltlearn.deep.net.LongTailClassifier` calls it when its
        ``class_counts_`` change (validation split, ``partial_fit``).

        Parameters
        ----------
        class_counts : array-like of shape (n_classes,)
            Number of training samples per class, all positive.

        Returns
        -------
        self : torch.nn.Module
            This loss.
        """
        counts = _check_class_counts(class_counts, type(self).__name__)
        if counts.size != self.class_counts.numel():
            raise ValueError(
                f"{type(self).__name__} has {self.class_counts.numel()} classes; "
                f"got {counts.size} class counts."
            )
        self._set_count_buffers(counts)
        return self

    def _check_input(self, logits, target):
        """Refuse logits of another number of classes; return the class indices.

        The targets come back as :func:`_class_indices` gives them. One
        target per sample of another dtype than torch's cross-entropy takes
        (int8, int16, floats) is refused in torch's words, which the losses
        that index by the targets gave as an indexing error ("tensors used as
        indices must be long, int, byte or bool tensors", "gather(): Expected
        dtype int32/int64 for index"); int32 ones are left to the loss.
        """
        if logits.ndim != 2 or logits.shape[1] != self.class_counts.numel():
            raise ValueError(
                f"{type(self).__name__} expects logits of shape (n_samples, "
                f"{self.class_counts.numel()}); got {tuple(logits.shape)}."
            )
        if (
            torch.is_tensor(target)
            and target.ndim == 1
            and target.dtype not in (torch.int64, torch.int32, torch.uint8)
        ):
            _refuse_target_dtype(target.dtype)
        return _class_indices(target)

    def _settings(self):
        n_classes = self.class_counts.numel()
        return [
            *super()._settings(),
            ("n_classes", n_classes),
            ("reduction", self.reduction),
        ]


class _CosineMarginLoss(_CountLoss):
    """Shared parts of the margin losses on cosine logits (LDAM, KPS)."""

    # Designed for a cosine classifier: LongTailClassifier gives the modules
    # of ltlearn.deep.modules head="cosine" for it.
    cosine_logits = True
    _repr_settings = ("max_m", "s")

    def __init__(self, class_counts, max_m, s, weight, reduction):
        super().__init__(class_counts, weight, reduction)
        self.max_m = _check_setting("max_m", max_m, 0)
        self.s = _check_setting("s", s, 0, strict=True)

    @property
    def logit_scale(self):
        """The scale ``s`` of the cosine logits, as a float."""
        return float(self.s)
