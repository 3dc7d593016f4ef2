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


def seed_unset(estimator, seed):
    """Seed the ``random_state`` parameters of ``estimator`` left ``None``.

    Its own ``random_state`` gets ``seed``; those of the estimators inside it
    (``estimator__random_state``, the steps of a pipeline) get seeds drawn
    from ``seed``, one per parameter in the order of their names, whether it
    is set or not, so that setting one leaves the seeds of the others as they
    were. A ``random_state`` already set is kept. The parameters are those
    that ``get_params()`` lists: a ``FrozenEstimator`` lists not its model's.

    Parameters
    ----------
    estimator : estimator object
        A clone of the user's estimator; modified in place.
    seed : int
        The seed drawn for it.

    Returns
    -------
    estimator : estimator object
        ``estimator``, seeded.
    """
    params = estimator.get_params()
    nested = sorted(key for key in params if key.endswith("__random_state"))
    seeds = {}
    if nested:  # called at every resampling: no RandomState made for nothing
        seeds.update(zip(nested, draw_seeds(seed, len(nested)).tolist()))
    seeds["random_state"] = seed
    unset = {
        key: s for key, s in seeds.items() if key in params and params[key] is None
    }
    if unset:
        estimator.set_params(**unset)
    return estimator
