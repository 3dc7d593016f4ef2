"""Seeds drawn from a ``random_state``, for the parts of a fit that take one."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import check_random_state

# Seeds are drawn below the largest int32, a seed every library accepts.
_MAX_SEED = np.iinfo(np.int32).max


def draw_seeds(random_state, size=None):
    """Draw integer seeds in ``[0, 2**31 - 1)`` from ``random_state``.

    One ``randint`` call on the ``RandomState`` that ``random_state`` gives:
    an int seeds a new one, a ``RandomState`` instance advances.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        The source of the seeds.
    size : int, default=None
        How many seeds; ``None`` draws a single int.

    Returns
    -------
    seeds : int or ndarray of shape (size,)
        The seeds.
    """
    return check_random_state(random_state).randint(_MAX_SEED, size=size)
