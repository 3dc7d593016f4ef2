"""Tests of the seeds drawn from a random_state."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ltlearn.utils._random import draw_seeds


def test_draw_seeds_is_one_randint_below_the_largest_int32():
    expected = np.random.RandomState(3).randint(2**31 - 1, size=4)
    np.testing.assert_array_equal(draw_seeds(3, size=4), expected)
    assert draw_seeds(3) == np.random.RandomState(3).randint(2**31 - 1)
    rng = np.random.RandomState(0)
    first, second = draw_seeds(rng), draw_seeds(rng)  # an instance advances
    assert first != second and 0 <= first < 2**31 - 1
