"""Learning from imbalanced and long-tailed data, the scikit-learn way."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import importlib.util

__version__ = "0.1.dev0"

# Subpackages load on first access, so that ``import ltlearn`` stays light and
# never imports torch (``ltlearn.deep`` needs the ``deep`` extra).
_SUBMODULES = [
    "datasets",
    "decomposition",
    "deep",
    "ensemble",
    "metrics",
    "over_sampling",
    "post_hoc",
    "recipes",
    "semi_supervised",
    "utils",
]


def _deep_extra_installed():
    """Whether PyTorch and skorch, the ``deep`` extra, are found (not imported)."""
    try:
        return all(importlib.util.find_spec(name) for name in ("torch", "skorch"))
    except (ImportError, ValueError):  # a finder that refuses the name
        return False


# ``deep`` is listed where the extra is installed: ``from ltlearn import *``
# and ``help(ltlearn)`` import every listed name, and raised the ImportError of
# ``ltlearn.deep`` without it.
__all__ = [
    *(name for name in _SUBMODULES if name != "deep" or _deep_extra_installed()),
    "__version__",
    "show_versions",
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"ltlearn.{name}")
    if name == "show_versions":  # as sklearn.show_versions and imblearn's
        return importlib.import_module("ltlearn.utils").show_versions
    raise AttributeError(f"module 'ltlearn' has no attribute {name!r}")


def __dir__():
    return __all__
