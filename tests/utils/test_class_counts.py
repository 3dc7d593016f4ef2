"""Tests of the shared class-count rules: effective number, minimum class size."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from ltlearn.utils._class_counts import (
    check_min_class_counts,
    inverse_effective_number,
)
from ltlearn.utils._validation import class_counts


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.999])
def test_inverse_effective_number_is_one_over_the_geometric_sum(beta):
    counts = np.array([1, 2, 10, 50])
    effective = [sum(beta**j for j in range(n)) for n in counts]
    np.testing.assert_allclose(
        inverse_effective_number(counts, beta), 1 / np.array(effective), rtol=1e-12
    )


def test_inverse_effective_number_limits_and_accuracy_near_one():
    counts = np.array([1.0, 7.0, 5000.0])
    np.testing.assert_array_equal(inverse_effective_number(counts, 0.0), [1, 1, 1])
    np.testing.assert_array_equal(inverse_effective_number(counts, 1.0), 1 / counts)
    # close to 1 the effective number tends to the count, without cancellation
    np.testing.assert_allclose(
        inverse_effective_number(counts, 1 - 1e-12), 1 / counts, rtol=1e-8
    )


def test_check_min_class_counts_names_the_first_short_class():
    check_min_class_counts(["a", "b"], [3, 1], needs="unused")
    with pytest.raises(ValueError, match=r"^Class 'b' has 0 samples in y; more\.$"):
        check_min_class_counts(["a", "b", "c"], [3, 0, 0], where=" in y", needs="more.")
    with pytest.raises(
        ValueError, match=r"Class 2 has 4 rows; the tail asks for 5 of it\."
    ):
        check_min_class_counts(
            np.array([1, 2]),
            np.array([9, 4]),
            np.array([3, 5]),  # the count of the class named, not the first
            unit="rows",
            needs="the tail asks for {min_count} of it.",
        )
    with pytest.raises(ValueError, match="Class 0 has 0.5 samples"):
        check_min_class_counts([0], [0.5], needs="weights")


@pytest.mark.parametrize(
    "y, classes, expected",
    [
        ([2, 0, 2, 5], [5, 3, 2, 2, 0], [1, 0, 2, 2, 1]),  # any order, absent, twice
        (["b", "a", "b"], ["b", "c", "a"], [2, 0, 1]),
        ([1.0, np.nan, 1.0], [np.nan, 1.0], [0, 2]),  # NaN equals nothing
        (["1", "2"], [1, 2], [0, 0]),  # labels that do not compare with y's
        ([], [0, 1], [0, 0]),
        # object arrays do not sort with None or NaN in them: counted by a dict
        (np.array(["b", None, "b"], dtype=object), ["b", None, "a"], [2, 1, 0]),
        (np.array([2, 0, 0, 1, np.nan, 3], dtype=object), [3, 1, np.nan], [1, 1, 0]),
        ([0, 2, 2, 1], np.array([np.nan, 2.0, 1], dtype=object), [0, 2, 1]),
        (np.array([0.1, 1.0], dtype=np.float32), np.array([0.1, 1], object), [1, 1]),
    ],
)
def test_class_counts_counts_each_given_label(y, classes, expected):
    counts = class_counts(y, classes)
    assert counts.dtype == np.int64
    assert counts.tolist() == expected
    assert counts.tolist() == [np.count_nonzero(np.asarray(y) == c) for c in classes]
