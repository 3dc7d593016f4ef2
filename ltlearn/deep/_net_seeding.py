"""Seeding LongTailClassifier from ``random_state``.

The lock that seeded fits take in turn (torch has one generator per
process; a forked child gets a free one), the block that seeds torch inside
``torch.random.fork_rng``, and skorch's ``ValidSplit`` seeded as the fit is.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import os
import threading
from contextlib import contextmanager
from numbers import Real

import torch
from skorch.dataset import ValidSplit

from ltlearn.utils._random import _MAX_SEED, draw_seeds

# Held by a fit seeded from random_state: torch has one generator per process.
# Reentrant, for a seeded fit started inside another one (a callback's).
_SEEDED_FIT_LOCK = threading.RLock()


# The classifiers in a block seeded from their random_state, per thread, each
# with the seed that random_state gives a first fit: a call nested in it
# (initialize inside fit) draws on from the block's seed.
_SEEDED_HERE = threading.local()


def _free_seeded_fit_lock():
    """Give a forked process a free lock and no seeded block of its own.

    A process forked (``multiprocessing``'s ``"fork"``) while another thread
    was in a seeded fit would wait for ever at its own first seeded fit; one
    forked from within a seeded fit would take a fit of the same classifier
    for a nested call, and leave it unseeded.
    """
    global _SEEDED_FIT_LOCK, _SEEDED_HERE
    _SEEDED_FIT_LOCK = threading.RLock()
    _SEEDED_HERE = threading.local()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_free_seeded_fit_lock)


class _SeedingMixin:
    """The seeded blocks of :class:`LongTailClassifier` and its seeded split.

    Mixed into the classifier; ``initialize``, ``set_params`` and the
    training block run in them.
    """

    @contextmanager
    def _torch_rng(self, offset=0):
        """Seed torch from ``random_state`` without touching its global state.

        torch's generator is the process's: seeded fits in several threads
        take turns, or each would draw from the others' seeds and restore
        the global state another one saved. Within such a block of this
        classifier (``initialize`` inside ``fit``), the draws go on.
        """
        seeded = vars(_SEEDED_HERE).setdefault("seeds", {})
        if self.random_state is None or id(self) in seeded:
            yield
            return
        first = int(draw_seeds(self.random_state))
        seed = (first + offset) % _MAX_SEED
        on_cpu = str(self.device).startswith("cpu")
        with _SEEDED_FIT_LOCK, torch.random.fork_rng(devices=[] if on_cpu else None):
            torch.manual_seed(seed)
            try:
                seeded[id(self)] = first
                yield
            finally:
                seeded.pop(id(self), None)

    def _seeded_split(self, split):
        """``split``, seeded from ``random_state`` if it is an unseeded shuffle.

        skorch's ``ValidSplit`` with a float ``cv`` shuffles with its own
        ``random_state``, numpy's global generator when it is ``None``. Within
        a seeded fit, a copy draws from the seed that ``random_state`` gives a
        first fit instead: with an int, each ``partial_fit`` validates on the
        rows of the first.
        """
        cv = getattr(split, "cv", None)
        if (
            self.random_state is None
            or not isinstance(split, ValidSplit)
            or split.random_state is not None
            or not isinstance(cv, Real)
            or float(cv).is_integer()
        ):
            return split
        split = copy.copy(split)
        first = vars(_SEEDED_HERE).get("seeds", {}).get(id(self))
        split.random_state = (
            torch.initial_seed() % _MAX_SEED if first is None else first
        )
        return split
