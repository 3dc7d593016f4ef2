"""Deep long-tailed learning with PyTorch and skorch (the ``deep`` extra).

:class:`LongTailClassifier` is a skorch classifier whose loss, sampling and
schedules handle long-tailed classes; :mod:`ltlearn.deep.losses`,
:mod:`ltlearn.deep.modules`, :mod:`ltlearn.deep.samplers` and
:mod:`ltlearn.deep.callbacks` hold its parts, usable on their own.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

# The extra's requirements first, for an error that names the extra; other
# errors of a broken install (an OSError loading a library) pass unchanged.
try:
    import skorch
    import torch
except ImportError as exc:
    raise ImportError(
        "ltlearn.deep needs PyTorch and skorch, the 'deep' extra: install the "
        "PyTorch build that fits your machine, then pip install 'ltlearn[deep]' "
        f"({exc})."
    ) from exc

from ltlearn.deep import augment, callbacks, losses, modules, samplers, schedules
from ltlearn.deep._rules import (
    GradientAdjustment,
    KPSGALoss,
    TruncatedReweighting,
    VSTLALoss,
)
from ltlearn.deep.net import LongTailClassifier

del skorch, torch  # imported above for the check only

__all__ = [
    "GradientAdjustment",
    "KPSGALoss",
    "LongTailClassifier",
    "TruncatedReweighting",
    "VSTLALoss",
    "augment",
    "callbacks",
    "losses",
    "modules",
    "samplers",
    "schedules",
]
