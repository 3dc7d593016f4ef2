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

# The losses are defined in private modules by kind.
from ltlearn.deep._margin_losses import (
    BalancedSoftmaxLoss,
    KPSLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    VSLoss,
)
from ltlearn.deep._reweighting_losses import ClassBalancedLoss, FocalLoss

__all__ = [
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "KPSLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "VSLoss",
]
