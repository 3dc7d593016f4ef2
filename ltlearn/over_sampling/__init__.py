"""Over-samplers and sampling strategies for imbalanced and long-tailed data."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.over_sampling._sampling_strategy import (
    EffectiveNumberSamplingStrategy,
    PowerSamplingStrategy,
)
from ltlearn.over_sampling._smote import SMOTE
from ltlearn.over_sampling._smoten import SMOTEN
from ltlearn.over_sampling._smotenc import SMOTENC

__all__ = [
    "SMOTE",
    "SMOTEN",
    "SMOTENC",
    "EffectiveNumberSamplingStrategy",
    "PowerSamplingStrategy",
]
