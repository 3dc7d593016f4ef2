"""Imbalanced and long-tailed data sets: shipped, generated or read from files.

Nothing is downloaded: CIFAR-LT is built from a copy of CIFAR that the user
already has.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.datasets._cifar import load_cifar_lt
from ltlearn.datasets._keel import list_keel, load_keel
from ltlearn.datasets._long_tail import (
    load_digits_lt,
    make_long_tailed,
    make_long_tailed_classification,
)

__all__ = [
    "list_keel",
    "load_cifar_lt",
    "load_digits_lt",
    "load_keel",
    "make_long_tailed",
    "make_long_tailed_classification",
]
