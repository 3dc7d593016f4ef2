"""Metrics and scorers for imbalanced and long-tailed classification."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.metrics._classification import (
    imbalance_report,
    relative_accuracy,
    shot_accuracy,
)
from ltlearn.metrics._scorer import (
    balanced_accuracy_scorer,
    geometric_mean_scorer,
    get_scorer,
    macro_f1_scorer,
    make_shot_scorer,
)

__all__ = [
    "balanced_accuracy_scorer",
    "geometric_mean_scorer",
    "get_scorer",
    "imbalance_report",
    "macro_f1_scorer",
    "make_shot_scorer",
    "relative_accuracy",
    "shot_accuracy",
]
