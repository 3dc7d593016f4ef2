"""Utilities: estimator discovery and ltlearn's estimator checks."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.utils.discovery import all_estimators

__all__ = ["all_estimators"]
