"""Named recipes for imbalanced data."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

__all__ = []
