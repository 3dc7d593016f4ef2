"""Utilities: estimator discovery, ltlearn's estimator checks, versions."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.utils._show_versions import show_versions
from ltlearn.utils.discovery import all_estimators

__all__ = ["all_estimators", "show_versions"]
