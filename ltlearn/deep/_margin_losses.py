"""The losses that move the logits by class: margins and logit adjustment."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from ltlearn.deep._loss_base import (
    _check_class_counts,
    _check_setting,
    _CosineMarginLoss,
    _CountLoss,
    _forward_docstring,
    _loss_docstring,
    _margin_logits,
    _uncompiled,
    _weighted_cross_entropy,
)


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
        target = self._check_input(logits, target)
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
        target = self._check_input(logits, target)
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
        target = self._check_input(logits, target)
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
        target = self._check_input(logits, target)
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
        target = self._check_input(logits, target)
        scaled = logits * self.radii.to(logits.dtype)
        adjusted = _margin_logits(scaled, target, self.margins, self.s)
        return _weighted_cross_entropy(adjusted, target, self.weight, self.reduction)


def _prior_adjusting_loss(criterion):
    """``criterion`` if it adds ``tau * log(prior)`` to the logits, else None.

    The logit-adjusted, balanced softmax and VS losses (``tau != 0``, and
    unwrapped from ``torch.compile``): a network trained with one already
    predicts the prior-compensated rule.
    """
    criterion = _uncompiled(criterion)
    adjusting = (BalancedSoftmaxLoss, LogitAdjustedLoss, VSLoss)
    if isinstance(criterion, adjusting) and getattr(criterion, "tau", 1.0) != 0:
        return criterion
    return None
