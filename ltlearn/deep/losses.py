"""Long-tail losses: ``nn.Module`` criteria on logits and integer targets.

Every loss takes the logits ``z`` of shape ``(n_samples, n_classes)`` and the
integer targets ``y`` of shape ``(n_samples,)``. Losses that depend on the
class frequencies take the training ``class_counts`` and keep what they derive
from them (log-priors, margins, weights) as registered buffers, so that they
move with ``.to(device)`` and travel with ``state_dict()``.

Reductions follow PyTorch: ``reduction="mean"`` divides the weighted sum of
the per-sample losses by the sum of the weights of the batch's targets,
``sum_i w[y_i] * l_i / sum_i w[y_i]`` (the plain mean when no weights are set),
as ``torch.nn.CrossEntropyLoss(weight=...)`` does.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
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
    _native_byte_order,
    _writeable,
    check_classes,
)

__all__ = [
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "KPSLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "VSLoss",
]

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
    # a copy: torch refuses a reversed view of the caller's array
    counts = np.array(
        class_counts.detach().cpu() if torch.is_tensor(class_counts) else class_counts,
        dtype=np.float64,
    )
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
        weight = _writeable(_native_byte_order(weight))
        return torch.tensor(weight, dtype=torch.float32)
    return weight.to(torch.float32)


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
        if logits.ndim != 2 or logits.shape[1] != self.class_counts.numel():
            raise ValueError(
                f"{type(self).__name__} expects logits of shape (n_samples, "
                f"{self.class_counts.numel()}); got {tuple(logits.shape)}."
            )

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
        return float(self.s)


@_loss_docstring
class FocalLoss(_LongTailLoss):
    """Softmax focal loss: cross-entropy down-weighted on easy samples.

    The per-sample loss is ``(1 - p_y) ** gamma * CE(z, y)`` with
    ``p_y = softmax(z)_y``, the form used by the long-tail literature (the
    LDAM code uses ``gamma=1``). It is computed from ``log_softmax`` and the
    modulating factor is clamped away from zero, so that ``gamma < 1`` keeps
    finite gradients when ``p_y`` reaches one. ``gamma=0`` is exactly the
    cross-entropy.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    gamma : float, default=1.0
        The focusing parameter, ``>= 0``.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights; ``None`` weights every class by one. Deferred
        re-weighting changes this buffer in place: the loss keeps a copy of
        an array, and a float32 tensor as given, as torch's losses do. A
        tensor that requires a gradient (weights to learn) gets its
        gradient, for every ``gamma``.
    {reduction}
    detach_modulator : bool, default=False
        Stop the gradient through ``(1 - p_y) ** gamma``, as the KPS code
        does; the default keeps the gradient of the original focal loss.

    See Also
    --------
    ClassBalancedLoss : Its ``loss_type="focal"`` is the sigmoid focal loss.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal Loss
       for Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import FocalLoss
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> target = torch.tensor([0, 0])
    >>> loss = FocalLoss(gamma=2.0)(logits, target)
    >>> float(loss) < float(torch.nn.functional.cross_entropy(logits, target))
    True
    """

    _repr_settings = ("gamma", "reduction")

    def __init__(
        self, gamma=1.0, weight=None, reduction="mean", *, detach_modulator=False
    ):
        super().__init__()
        self.gamma = _check_setting("gamma", gamma, 0)
        self.reduction = _check_reduction(reduction)
        self.detach_modulator = detach_modulator
        if weight is not None:
            weight = _weight_tensor(weight)
            if weight.ndim != 1:
                raise ValueError(
                    "weight must hold one value per class, a 1-D sequence; got "
                    f"shape {tuple(weight.shape)}."
                )
        self.register_buffer("weight", weight)

    def _settings(self):
        # Shown when set, as torch's ReLU shows inplace=True.
        detach = [("detach_modulator", True)] if self.detach_modulator else []
        return [*super()._settings(), *detach]

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {forward_parameters}
        """
        if self.weight is not None and self.weight.shape != logits.shape[1:]:
            raise ValueError(
                f"FocalLoss has {self.weight.numel()} class weights; the logits "
                f"have {logits.shape[1] if logits.ndim > 1 else 'no'} classes."
            )
        if self.gamma == 0:
            return _weighted_cross_entropy(logits, target, self.weight, self.reduction)
        # The fused kernel gives CE = -log p_y; 1 - p_y = -expm1(-CE).
        ce = F.cross_entropy(logits, target, reduction="none")
        if self.gamma == 1:
            # (1 - p_y) * CE as (p_y - 1) * -CE, both clamped alike: one
            # operation fewer, the same values.
            log_p = -ce
            modulator = torch.expm1(log_p).clamp(max=-1e-6)
            if self.detach_modulator:
                modulator = modulator.detach()
            return _reduce(modulator * log_p, target, self.weight, self.reduction)
        modulator = (-torch.expm1(-ce)).clamp(min=1e-6) ** self.gamma
        if self.detach_modulator:
            modulator = modulator.detach()
        return _reduce(modulator * ce, target, self.weight, self.reduction)


@_loss_docstring
class ClassBalancedLoss(_CountLoss):
    """Class-balanced loss: weights from the effective number of samples.

    Class ``j`` is weighted by ``(1 - beta) / (1 - beta ** n_j)``, the inverse
    of its effective number of samples, and the weights are normalised to sum
    to the number of classes. The weights multiply a softmax cross-entropy, a
    sigmoid (one-vs-all) cross-entropy summed over the classes, or a sigmoid
    focal loss summed over the classes.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {class_counts}
    beta : float, default=0.9999
        In ``[0, 1]``. ``0`` gives equal weights, values close to one
        approach inverse-frequency weights, ``1`` is inverse frequency.
    loss_type : {{"softmax", "sigmoid", "focal"}}, default="softmax"
        The loss that the weights multiply.
    gamma : float, default=1.0
        Focusing parameter of ``loss_type="focal"``.
    {reduction}

    Attributes
    ----------
    weight : torch.Tensor of shape (n_classes,)
        The class-balanced weights (a buffer).

    See Also
    --------
    ltlearn.deep.callbacks.DeferredReweighting : The same weights switched on
        late in training.

    Notes
    -----
    For the sigmoid forms, ``predict_proba`` of
    :class:`~ltlearn.deep.net.LongTailClassifier` applies a softmax to the
    logits, which keeps the arg-max of the per-class sigmoids, and the
    networks it builds (and the last layer that
    :class:`~ltlearn.deep.callbacks.ClassifierRetraining` re-initialises)
    start the bias of their last layer (``classifier``)
    at ``-log(C - 1)``, so that each sigmoid starts at the prior ``1 / C``,
    as in the code of the paper (which also exempts that bias from weight
    decay; set an optimiser parameter group for it to do the same).

    ``reduction="mean"`` divides by the sum of the weights of the batch's
    targets, as torch's weighted cross-entropy does; the TensorFlow code of
    the paper divides by the batch size, which scales each batch's loss by
    the mean weight of its targets (the same direction, another step size).

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced
       Loss Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import ClassBalancedLoss
    >>> loss = ClassBalancedLoss([100, 10], beta=0.99)
    >>> loss.weight
    tensor([0.2621, 1.7379])
    >>> loss(torch.zeros(2, 2), torch.tensor([0, 1]))
    tensor(0.6931)
    """

    _repr_settings = ("beta", "loss_type")

    def __init__(
        self,
        class_counts,
        beta=0.9999,
        loss_type="softmax",
        gamma=1.0,
        reduction="mean",
    ):
        if loss_type not in ("softmax", "sigmoid", "focal"):
            raise ValueError(
                f"loss_type must be 'softmax', 'sigmoid' or 'focal'; got {loss_type!r}."
            )
        gamma = _check_setting("gamma", gamma, 0)
        weights = _effective_number_weights(class_counts, beta, type(self).__name__)
        super().__init__(class_counts, weights, reduction)
        self.beta = beta
        self.loss_type = loss_type
        self.gamma = gamma

    def _settings(self):
        settings = super()._settings()
        if self.loss_type == "focal":  # gamma is unused by the other two
            settings.insert(2, ("gamma", self.gamma))
        return settings

    def _count_buffers(self, counts):
        return {
            "weight": _effective_number_weights(counts, self.beta, type(self).__name__)
        }

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {forward_parameters}
        """
        self._check_input(logits, target)
        if self.loss_type == "softmax":
            return _weighted_cross_entropy(logits, target, self.weight, self.reduction)
        # z_t = z for the true class, -z for the others: the binary term is
        # -log sigmoid(z_t) = softplus(-z_t), and 1 - sigmoid(z_t) =
        # exp(-softplus(z_t)), both stable for large |z|. The terms of the
        # other classes are computed for every column, and the target
        # column is then overwritten (no per-batch sign or one-hot tensor).
        index = target[:, None]
        z_y = logits.gather(1, index)
        terms = F.softplus(logits)
        term_y = F.softplus(-z_y)
        if self.loss_type == "focal" and self.gamma != 0:
            terms = torch.exp(-self.gamma * F.softplus(-logits)) * terms
            term_y = torch.exp(-self.gamma * F.softplus(z_y)) * term_y
        terms = terms.scatter(1, index, term_y)
        return _reduce(terms.sum(dim=1), target, self.weight, self.reduction)


def _sigmoid_prior_bias(criterion, kwargs, n_classes):
    """The initial last-layer bias of the sigmoid class-balanced losses, or None.

    Cui et al. start each one-vs-all sigmoid at the prior ``pi = 1 / C``:
    ``b = -log((1 - pi) / pi) = -log(C - 1)``. ``criterion`` is a loss
    instance, or a class built with ``kwargs``; the ``loss_type`` of a
    subclass that has no such parameter (one that fixes it) is unknown before
    it is built, and its network keeps torch's initialisation.
    """
    if isinstance(criterion, ClassBalancedLoss):
        loss_type = criterion.loss_type
    elif isinstance(criterion, type) and issubclass(criterion, ClassBalancedLoss):
        parameter = inspect.signature(criterion).parameters.get("loss_type")
        default = None if parameter is None else parameter.default
        loss_type = kwargs.get("loss_type", default)
    else:
        return None
    if loss_type not in ("sigmoid", "focal") or n_classes is None or n_classes < 2:
        return None
    return -math.log(n_classes - 1)


def _start_at_prior(head, criterion, kwargs, n_classes):
    """Fill the bias of a linear ``head`` with :func:`_sigmoid_prior_bias`.

    Nothing happens for another loss, or a head that is not a
    ``torch.nn.Linear`` with a bias.
    """
    bias = _sigmoid_prior_bias(criterion, kwargs, n_classes)
    if bias is not None and isinstance(head, nn.Linear) and head.bias is not None:
        with torch.no_grad():
            head.bias.fill_(bias)


@_loss_docstring
class LDAMLoss(_CosineMarginLoss):
    """Label-distribution-aware margin loss.

    The true-class logit is lowered by a margin ``m_y`` proportional to
    ``n_y ** (-1/4)``, scaled so that the rarest class gets ``max_m``, and the
    result is scaled by ``s``: ``CE(s * (z - m_y e_y), y)``. It is meant for a
    cosine classifier (logits in ``[-1, 1]``), such as the ``head="cosine"``
    of :mod:`ltlearn.deep.modules`, which
    :class:`~ltlearn.deep.net.LongTailClassifier` selects for this loss.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {ldam_parameters}

    Attributes
    ----------
    margins : torch.Tensor of shape (n_classes,)
        The per-class margins (a buffer).
    {cosine_attributes}

    {ldam_references}

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import LDAMLoss
    >>> loss = LDAMLoss([16, 1], max_m=0.5, s=1.0)
    >>> loss.margins
    tensor([0.2500, 0.5000])
    >>> loss(torch.zeros(1, 2), torch.tensor([1]))
    tensor(0.9741)
    """

    def __init__(self, class_counts, max_m=0.5, s=30.0, weight=None, reduction="mean"):
        super().__init__(class_counts, max_m, s, weight, reduction)
        self._set_count_buffers(_check_class_counts(class_counts, "LDAMLoss"))

    def _count_buffers(self, counts):
        margins = counts**-0.25
        return {"margins": margins * (self.max_m / margins.max())}

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {cosine_forward_parameters}
        """
        self._check_input(logits, target)
        adjusted = _margin_logits(logits, target, self.margins, self.s)
        return _weighted_cross_entropy(adjusted, target, self.weight, self.reduction)


@_loss_docstring
class LogitAdjustedLoss(_CountLoss):
    """Logit-adjusted cross-entropy: ``CE(z + tau * log(pi), y)``.

    ``pi`` is the empirical class prior of the training data. The loss is
    Fisher-consistent for the balanced error when ``tau=1``; predictions use
    the raw logits ``z``, with no adjustment at test time.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {class_counts}
    tau : float, default=1.0
        Strength of the adjustment; ``0`` is the plain cross-entropy.
    {weight}
    {reduction}

    Attributes
    ----------
    log_prior : torch.Tensor of shape (n_classes,)
        ``log(n_j / N)`` (a buffer).

    See Also
    --------
    BalancedSoftmaxLoss : The same loss at ``tau=1``.

    References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and
       S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import LogitAdjustedLoss
    >>> loss = LogitAdjustedLoss([3, 1])
    >>> loss.log_prior
    tensor([-0.2877, -1.3863])
    >>> loss(torch.zeros(1, 2), torch.tensor([1]))
    tensor(1.3863)
    """

    _repr_settings = ("tau",)

    def __init__(self, class_counts, tau=1.0, weight=None, reduction="mean"):
        super().__init__(class_counts, weight, reduction)
        self.tau = _check_setting("tau", tau)
        self._set_count_buffers(_check_class_counts(class_counts, "LogitAdjustedLoss"))

    def _count_buffers(self, counts):
        return {"log_prior": np.log(counts / counts.sum())}

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {forward_parameters}
        """
        self._check_input(logits, target)
        adjusted = logits + self.tau * self.log_prior.to(logits.dtype)
        return _weighted_cross_entropy(adjusted, target, self.weight, self.reduction)


@_loss_docstring
class BalancedSoftmaxLoss(_CountLoss):
    """Balanced softmax: ``-log(n_y exp(z_y) / sum_k n_k exp(z_k))``.

    Equal to ``CE(z + log(n), y)``, hence to the logit-adjusted loss with
    ``tau=1``. Predictions use the plain softmax of the logits.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {class_counts}
    {weight}
    {reduction}

    Attributes
    ----------
    log_counts : torch.Tensor of shape (n_classes,)
        ``log(n_j)`` (a buffer).

    See Also
    --------
    LogitAdjustedLoss : The same loss with a tunable strength.

    Notes
    -----
    Combining it with a class-balanced sampler over-balances (each class is
    effectively weighted by ``1 / n_j ** 2``); the original paper fixes this
    with a meta-learned sampler.
    :class:`~ltlearn.deep.net.LongTailClassifier` warns when a class-balanced
    sampler (its ``sampler``, or one switched on by a callback) meets this
    loss, :class:`LogitAdjustedLoss` or :class:`VSLoss` (``tau != 0``).

    References
    ----------
    .. [1] J. Ren, C. Yu, S. Sheng, X. Ma, H. Zhao, S. Yi and H. Li, "Balanced
       Meta-Softmax for Long-Tailed Visual Recognition", NeurIPS 2020.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import BalancedSoftmaxLoss
    >>> loss = BalancedSoftmaxLoss([3, 1])
    >>> loss(torch.zeros(1, 2), torch.tensor([1]))
    tensor(1.3863)
    """

    def __init__(self, class_counts, weight=None, reduction="mean"):
        super().__init__(class_counts, weight, reduction)
        self._set_count_buffers(
            _check_class_counts(class_counts, "BalancedSoftmaxLoss")
        )

    def _count_buffers(self, counts):
        return {"log_counts": np.log(counts)}

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {forward_parameters}
        """
        self._check_input(logits, target)
        adjusted = logits + self.log_counts.to(logits.dtype)
        return _weighted_cross_entropy(adjusted, target, self.weight, self.reduction)


@_loss_docstring
class VSLoss(_CountLoss):
    """Vector-scaling loss: ``CE(Delta * z + iota, y)``.

    The multiplicative factor ``Delta_j = (n_j / n_max) ** gamma`` shrinks the
    logits of rare classes and the additive ``iota_j = tau * log(pi_j)`` is the
    logit adjustment. ``gamma=0`` gives the logit-adjusted loss, ``tau=0`` the
    class-dependent temperature (CDT) loss.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {class_counts}
    gamma : float, default=0.3
        Exponent of the multiplicative factor.
    tau : float, default=1.0
        Strength of the additive logit adjustment.
    {weight}
    {reduction}

    Attributes
    ----------
    scales : torch.Tensor of shape (n_classes,)
        ``Delta`` (a buffer).
    offsets : torch.Tensor of shape (n_classes,)
        ``iota`` (a buffer).

    References
    ----------
    .. [1] G. R. Kini, O. Paraskevas, S. Oymak and C. Thrampoulidis,
       "Label-Imbalanced and Group-Sensitive Classification under
       Overparameterization", NeurIPS 2021.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import VSLoss
    >>> loss = VSLoss([4, 1], gamma=0.5, tau=1.0)
    >>> loss.scales
    tensor([1.0000, 0.5000])
    >>> float(loss(torch.ones(1, 2), torch.tensor([1]))) > 0
    True
    """

    _repr_settings = ("gamma", "tau")

    def __init__(self, class_counts, gamma=0.3, tau=1.0, weight=None, reduction="mean"):
        super().__init__(class_counts, weight, reduction)
        self.gamma = _check_setting("gamma", gamma)
        self.tau = _check_setting("tau", tau)
        self._set_count_buffers(_check_class_counts(class_counts, "VSLoss"))

    def _count_buffers(self, counts):
        return {
            "scales": (counts / counts.max()) ** self.gamma,
            "offsets": self.tau * np.log(counts / counts.sum()),
        }

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {forward_parameters}
        """
        self._check_input(logits, target)
        adjusted = logits * self.scales.to(logits.dtype) + self.offsets.to(logits.dtype)
        return _weighted_cross_entropy(adjusted, target, self.weight, self.reduction)


@_loss_docstring
class KPSLoss(_CosineMarginLoss):
    """Key-point-sensitive loss: a radius and a margin per class on cosines.

    With cosine logits ``z``, class ``j`` gets the radius
    ``r_j = log(base * n_j / n_min) / log(base)`` (one for the rarest class,
    more for frequent ones) and the margin
    ``m_j = max_m * (C_m - log n_j) / (C_m - log n_min)`` with
    ``C_m = log(base * n_max)`` (largest for the rarest class); the loss is
    ``CE(s * (r * z - m_y e_y), y)``. The closed form of the margin does not
    depend on the order of the classes. The KPS code instead takes the
    margins from the vector of radii in reverse order, which gives the same
    values only for classes sorted by decreasing count whose counts are
    exactly geometric; on the truncated counts of CIFAR-100-LT at imbalance
    100 the two differ by up to 0.0034 (``max_m=0.2``).

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {kps_parameters}

    Attributes
    ----------
    radii : torch.Tensor of shape (n_classes,)
        The per-class radii (a buffer).
    margins : torch.Tensor of shape (n_classes,)
        The per-class margins (a buffer).
    {cosine_attributes}

    Notes
    -----
    The gradient-adjustment stage of the paper (a larger scale for
    tail-class samples late in training) is :class:`~ltlearn.deep.KPSGALoss`
    with the :class:`~ltlearn.deep.GradientAdjustment` callback.

    References
    ----------
    .. [1] M. Li, Y.-M. Cheung and Z. Hu, "Key Point Sensitive Loss for
       Long-Tailed Visual Recognition", IEEE TPAMI 45(4), 2023.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.losses import KPSLoss
    >>> loss = KPSLoss([50, 1], max_m=0.2)
    >>> loss.radii
    tensor([2., 1.])
    >>> loss.margins
    tensor([0.1000, 0.2000])
    """

    _repr_settings = ("max_m", "s", "base")

    def __init__(
        self, class_counts, max_m=0.2, s=15.0, weight=None, reduction="mean", base=50.0
    ):
        super().__init__(class_counts, max_m, s, weight, reduction)
        self.base = _check_setting("base", base, 1, strict=True)
        self._set_count_buffers(_check_class_counts(class_counts, "KPSLoss"))

    def _count_buffers(self, counts):
        log_n = np.log(counts)
        log_base = math.log(self.base)
        c_m = log_base + log_n.max()
        return {
            "radii": (log_base + log_n - log_n.min()) / log_base,
            "margins": self.max_m * (c_m - log_n) / (c_m - log_n.min()),
        }

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss.

        {cosine_forward_parameters}
        """
        self._check_input(logits, target)
        scaled = logits * self.radii.to(logits.dtype)
        adjusted = _margin_logits(scaled, target, self.margins, self.s)
        return _weighted_cross_entropy(adjusted, target, self.weight, self.reduction)
