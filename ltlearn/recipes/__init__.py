"""Named recipes for imbalanced data.

A recipe is a ready-made estimator for imbalanced classification: the
``recommended`` classifier, a rebalancing method (re-weighting, resampling,
a local-clustering decomposition, a post-hoc decision rule, class-rebalancing
self-training) on a base model, a network with its training loss, or a
peer from imbalanced-learn or scikit-learn. ``ltlearn compare``
cross-validates them by name.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.recipes._api import list_recipes, make_recipe

__all__ = ["list_recipes", "make_recipe"]
