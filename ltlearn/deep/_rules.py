"""Two-phase training rules: KPS with gradient adjustment, VS with TLA/ADRW.

Each rule is a loss with a second phase and a callback that switches the loss
to it at a chosen epoch.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from skorch.callbacks import Callback

from ltlearn.deep._loss_base import (
    _as_number,
    _check_setting,
    _forward_docstring,
    _loss_docstring,
    _margin_logits,
    _uncompiled,
    _weighted_cross_entropy,
)
from ltlearn.deep._stages import (
    _check_start_epoch,
    _is_active,
    _params_repr,
    _warn_empty_stage,
)
from ltlearn.deep.losses import KPSLoss, VSLoss

__all__ = [
    "GradientAdjustment",
    "KPSGALoss",
    "TruncatedReweighting",
    "VSTLALoss",
]


class _TwoPhaseLoss:
    """A loss with a second phase, on while its ``_flag`` attribute is true.

    Mixed in before the loss of the first phase; a subclass gives the flag,
    its own setting shown by ``repr`` (``_setting``) and ``_second_phase``.
    """

    _flag = None
    _setting = None

    @_forward_docstring
    def forward(self, logits, target):
        """Compute the loss of the current phase.

        {cosine_forward_parameters}
        """
        if not getattr(self, self._flag):
            return super().forward(logits, target)
        target = self._check_input(logits, target)
        return self._second_phase(logits, target)

    def extra_repr(self):
        """Settings shown by ``repr``.

        Returns
        -------
        text : str
            The settings, comma separated.
        """
        value = getattr(self, self._setting)
        return f"{self._setting}={value}, " + super().extra_repr()


@_loss_docstring
class KPSGALoss(_TwoPhaseLoss, KPSLoss):
    """KPS loss with its gradient-adjustment (GA) phase.

    Before GA it is :class:`~ltlearn.deep.losses.KPSLoss`. With
    ``gradient_adjusted`` set (by the :class:`GradientAdjustment` callback)
    the global scale ``s`` becomes a per-sample scale by label,
    ``clamp(s * rr_y, s, max_scale)`` with the reversed radius
    ``rr_j = log(base * n_max / n_j) / log(base)`` (1 for the largest class):
    tail samples get larger scales, hence larger gradients. The KPS code
    reads ``rr`` from the vector of radii in reverse order instead, the
    same values only for classes sorted by decreasing count whose counts are
    exactly geometric (on the truncated counts of CIFAR-100-LT at imbalance
    100 a scale differs by up to 0.55); the closed form does not depend on
    the order of the classes.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {kps_parameters}
    max_scale : float, default=50.0
        Upper clamp of the per-sample scale, ``>= s`` (``inf``: no clamp).

    Attributes
    ----------
    radii, margins : torch.Tensor of shape (n_classes,)
        The radii and margins of :class:`~ltlearn.deep.losses.KPSLoss`
        (buffers).
    {cosine_attributes}
    sample_scales : torch.Tensor of shape (n_classes,)
        The GA scale of each label (a buffer).
    gradient_adjusted : bool
        Whether GA is on.

    Examples
    --------
    >>> from ltlearn.deep._rules import KPSGALoss
    >>> loss = KPSGALoss([5000, 50])
    >>> loss.sample_scales
    tensor([15.0000, 32.6578])
    """

    _flag = "gradient_adjusted"
    _setting = "max_scale"

    def __init__(
        self,
        class_counts,
        max_m=0.2,
        s=15.0,
        weight=None,
        reduction="mean",
        base=50.0,
        max_scale=50.0,
    ):
        _check_setting("s", s, 0, strict=True)
        try:
            # NaN would pass a plain comparison and make every GA scale NaN;
            # infinity is taken: no upper clamp.
            valid = not math.isnan(max_scale) and max_scale >= s
        except TypeError:  # not a number
            valid = False
        if not valid:
            raise ValueError(
                f"max_scale must be a number >= s ({s!r}); got {max_scale!r}."
            )
        self.max_scale = _as_number(max_scale)
        super().__init__(class_counts, max_m, s, weight, reduction, base)
        self.gradient_adjusted = False

    def _count_buffers(self, counts):
        buffers = super()._count_buffers(counts)
        log_n = np.log(counts)
        reversed_radii = (math.log(self.base) + log_n.max() - log_n) / math.log(
            self.base
        )
        buffers["sample_scales"] = np.clip(
            self.s * reversed_radii, self.s, self.max_scale
        )
        return buffers

    def _second_phase(self, logits, target):
        scaled = logits * self.radii.to(logits.dtype)
        adjusted = _margin_logits(scaled, target, self.margins, 1.0)
        scales = self.sample_scales.to(logits.dtype)[target][:, None]
        return _weighted_cross_entropy(
            scales * adjusted, target, self.weight, self.reduction
        )


@_loss_docstring
class VSTLALoss(_TwoPhaseLoss, VSLoss):
    """VS loss with the truncated logit adjustment and ADRW of Wang et al.

    Phase 1 is :class:`~ltlearn.deep.losses.VSLoss` (multiplicative
    ``Delta_j = (n_j / n_max) ** gamma`` and additive ``tau * log(pi_j)``)
    with unit class weights. Phase 2 (set by the :class:`TruncatedReweighting`
    callback, at the first learning-rate decay in the paper) drops the
    multiplicative part, keeps the additive one and weights the classes by
    ``C * pi_y ** -nu / sum_k pi_k ** -nu`` (the weights sum to ``C``; the
    batch mean is normalised by the sum of its weights, as torch does).

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {class_counts}
    gamma : float, default=0.05
        Exponent of the multiplicative factor (phase 1). The authors' runs on
        CIFAR-10-LT and CIFAR-100-LT at imbalance 100 start from a VS loss
        with ``gamma=0.05``; the 0.3 default of
        :class:`~ltlearn.deep.losses.VSLoss` (the VS code's) over-predicts the
        rare classes once their logits are shrunk by ``(n_j / n_max) ** 0.3``.
    tau : float, default=1.0
        Strength of the additive logit adjustment (both phases).
    nu : float, default=0.15
        Exponent of the phase-2 class weights; ``0`` gives unit weights
        (0.15 in the authors' CIFAR-10-LT run at imbalance 100).
    weight : array-like of shape (n_classes,), default=None
        Class weights of phase 1 (unit when None).
    {reduction}

    Attributes
    ----------
    scales, offsets : torch.Tensor of shape (n_classes,)
        The multiplicative ``Delta`` and additive ``iota`` of
        :class:`~ltlearn.deep.losses.VSLoss` (buffers).
    adrw_weights : torch.Tensor of shape (n_classes,)
        The phase-2 class weights (a buffer).
    truncated : bool
        Whether phase 2 is on.

    References
    ----------
    .. [1] Z. Wang, Q. Xu, Z. Yang, Y. He, X. Cao and Q. Huang, "A Unified
       Generalization Analysis of Re-Weighting and Logit-Adjustment for
       Imbalanced Learning", NeurIPS 2023.

    Examples
    --------
    >>> from ltlearn.deep._rules import VSTLALoss
    >>> loss = VSTLALoss([900, 100], nu=1.0)
    >>> loss.adrw_weights
    tensor([0.2000, 1.8000])
    """

    _flag = "truncated"
    _setting = "nu"

    def __init__(
        self,
        class_counts,
        gamma=0.05,
        tau=1.0,
        nu=0.15,
        weight=None,
        reduction="mean",
    ):
        self.nu = _check_setting("nu", nu, 0)
        super().__init__(class_counts, gamma, tau, weight, reduction)
        self.truncated = False

    def _count_buffers(self, counts):
        buffers = super()._count_buffers(counts)
        power = (counts / counts.sum()) ** -self.nu
        buffers["adrw_weights"] = counts.size * power / power.sum()
        return buffers

    def _reduction_weight(self):
        """The class weights of the current phase (those its mean divides by)."""
        return self.adrw_weights if self.truncated else self.weight

    def _second_phase(self, logits, target):
        adjusted = logits + self.offsets.to(logits.dtype)
        return _weighted_cross_entropy(
            adjusted, target, self.adrw_weights, self.reduction
        )


class _PhaseSwitch(Callback):
    """Set a flag of the loss from ``start_epoch`` on (and unset it before).

    The history records the flag in a column of the same name.
    """

    _loss = None
    _flag = None

    __repr__ = _params_repr

    def __init__(self, start_epoch=0.8):
        self.start_epoch = start_epoch

    def initialize(self):
        """Check the parameters.

        Returns
        -------
        self : Callback
            This callback.
        """
        _check_start_epoch(self.start_epoch)
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Check that the loss has the second phase.

        Parameters
        ----------
        net : LongTailClassifier
            The classifier.
        X, y, **kwargs
            Unused.
        """
        criterion = _uncompiled(net.criterion_)  # compile=True wraps it
        if not isinstance(criterion, self._loss):
            raise TypeError(
                f"{type(self).__name__} needs the loss {self._loss.__name__} "
                f"(criterion={self._loss.__name__}); got "
                f"{type(criterion).__name__}."
            )
        _warn_empty_stage(self, net)

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Switch the loss's phase for this epoch and record it in the history.

        Parameters
        ----------
        net : LongTailClassifier
            The classifier.
        dataset_train, dataset_valid, **kwargs
            Unused.
        """
        active = _is_active(self.start_epoch, net)
        setattr(net.criterion_, self._flag, active)
        net.history.record(self._flag, active)


class GradientAdjustment(_PhaseSwitch):
    """Switch :class:`KPSGALoss` to its gradient-adjustment phase.

    From ``start_epoch`` on each sample's logits are scaled by its label's
    GA scale instead of the global ``s`` (epoch 120 of 200 in the KPS code).
    The history's ``"gradient_adjusted"`` column records the phase.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    start_epoch : int or float, default=0.6
        Epochs before the switch, or a fraction of ``max_epochs``.

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.deep import GradientAdjustment, KPSGALoss, LongTailClassifier
    >>> torch.set_num_threads(1)
    >>> X, y = make_classification(weights=[0.9, 0.1], random_state=0)
    >>> ga = GradientAdjustment(start_epoch=2)
    >>> clf = LongTailClassifier(criterion=KPSGALoss, max_epochs=3, callbacks=[ga])
    >>> clf.fit(X, y).history[:, "gradient_adjusted"]
    [False, False, True]
    """

    _loss = KPSGALoss
    _flag = "gradient_adjusted"

    def __init__(self, start_epoch=0.6):
        super().__init__(start_epoch)


class TruncatedReweighting(_PhaseSwitch):
    """Switch :class:`VSTLALoss` to its truncated, re-weighted phase (ADRW).

    From ``start_epoch`` (``T0``, the first learning-rate decay) the
    multiplicative logit scaling is dropped and the classes are weighted by
    ``pi_y ** -nu``. The history's ``"truncated"`` column records the phase.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    start_epoch : int or float, default=0.8
        Epochs before the switch (``T0``), or a fraction of ``max_epochs``.

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.deep import LongTailClassifier
    >>> from ltlearn.deep._rules import TruncatedReweighting, VSTLALoss
    >>> torch.set_num_threads(1)
    >>> X, y = make_classification(weights=[0.9, 0.1], random_state=0)
    >>> clf = LongTailClassifier(
    ...     criterion=VSTLALoss, max_epochs=3, random_state=0,
    ...     callbacks=[TruncatedReweighting(start_epoch=1)]).fit(X, y)
    >>> clf.history[:, "truncated"]
    [False, True, True]
    >>> clf.criterion_.truncated
    True
    """

    _loss = VSTLALoss
    _flag = "truncated"

    def __init__(self, start_epoch=0.8):
        super().__init__(start_epoch)
