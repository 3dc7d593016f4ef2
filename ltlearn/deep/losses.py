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

# The losses are defined in private modules by kind. The helpers imported as
# themselves stay importable here, where they were defined: the classifier's
# modules import them from here.
from ltlearn.deep._loss_base import _uncompiled as _uncompiled
from ltlearn.deep._margin_losses import (
    BalancedSoftmaxLoss,
    KPSLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    VSLoss,
)
from ltlearn.deep._reweighting_losses import ClassBalancedLoss, FocalLoss
from ltlearn.deep._reweighting_losses import _start_at_prior as _start_at_prior

__all__ = [
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "KPSLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "VSLoss",
]
