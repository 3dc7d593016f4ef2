"""The re-weighting losses: focal (by sample difficulty) and class-balanced."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import math

import torch
import torch.nn.functional as F
from torch import nn

from ltlearn.deep._loss_base import (
    _check_reduction,
    _check_setting,
    _class_indices,
    _CountLoss,
    _effective_number_weights,
    _forward_docstring,
    _LongTailLoss,
    _loss_docstring,
    _reduce,
    _weight_tensor,
    _weighted_cross_entropy,
)


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
        target = _class_indices(target)
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
        target = self._check_input(logits, target)
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
