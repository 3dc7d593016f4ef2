"""Class decomposition: split classes into sub-classes before learning.

This is *class* decomposition, not the matrix decompositions of
:mod:`sklearn.decomposition` (PCA, NMF, ...): the estimators here cluster the
samples of each class into sub-classes, learn the sub-class problem with any
classifier and map its predictions back to the original classes.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.decomposition._cog import COGClassifier

__all__ = ["COGClassifier"]
