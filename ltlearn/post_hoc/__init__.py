"""Post-hoc decision rules on the class probabilities of a fitted classifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.post_hoc._logit_adjustment import LogitAdjustedClassifier
from ltlearn.post_hoc._plugin import PluginClassifier
from ltlearn.post_hoc._threshold import ThresholdMovingClassifier

__all__ = [
    "LogitAdjustedClassifier",
    "PluginClassifier",
    "ThresholdMovingClassifier",
]
