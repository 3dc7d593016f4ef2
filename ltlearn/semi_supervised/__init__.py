"""Semi-supervised learning from long-tailed data: class-rebalancing self-training."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.semi_supervised._crest import CReSTClassifier

__all__ = ["CReSTClassifier"]
