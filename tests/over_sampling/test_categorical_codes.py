"""Tests of the categorical codes shared by SMOTE-NC and SMOTEN."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np

from ltlearn.over_sampling._categorical_codes import _vote


def test_vote_is_the_most_frequent_with_random_ties():
    rng = np.random.default_rng(0)
    codes = np.array([[0, 1, 1, 2, 1], [2, 2, 0, 0, 1], [3, 3, 3, 3, 3]])
    winners = np.array([_vote(codes, rng) for _ in range(200)])
    assert (winners[:, 0] == 1).all()
    assert (winners[:, 2] == 3).all()
    # row 1: 0 and 2 tie; both win sometimes, 1 never
    assert set(winners[:, 1]) == {0, 2}
    big = rng.integers(0, 6, size=(500, 5))
    for row, winner in zip(big, _vote(big, rng)):
        counts = Counter(row)
        assert counts[winner] == max(counts.values())


def test_vote_breaks_ties_evenly_whatever_the_number_of_categories():
    # the vote counted over every category (a bincount of n_rows x n_levels):
    # 750 MB for 2,000 minority rows of distinct identifiers
    rng = np.random.default_rng(0)
    codes = np.tile([[10**12, 7, 7, 10**12, 3], [5, 5, 5, 9, 9]], (4000, 1))
    winners = _vote(codes, rng)
    tied = winners[::2]
    assert set(tied) == {7, 10**12}
    assert 0.45 < np.mean(tied == 7) < 0.55  # each tied code as likely
    assert (winners[1::2] == 5).all()
