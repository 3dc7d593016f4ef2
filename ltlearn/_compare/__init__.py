"""``ltlearn compare``: cross-validated comparisons of imbalanced-learning recipes.

Private: the command line is the interface (see :mod:`ltlearn.cli`).
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause
