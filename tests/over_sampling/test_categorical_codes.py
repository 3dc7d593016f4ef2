"""Tests of the categorical codes shared by SMOTE-NC and SMOTEN."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import tracemalloc
from collections import Counter

import numpy as np
import pytest

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


def _pairwise_vote(codes, generator):
    """The vote as comparing every pair of voters gives it."""
    same = codes[:, :, None] == codes[:, None, :]
    draws = generator.random(codes.shape)
    score = same.sum(axis=2) + np.take_along_axis(draws, same.argmax(axis=2), 1)
    return codes[np.arange(codes.shape[0]), score.argmax(axis=1)]


@pytest.mark.parametrize("n_voters", [1, 2, 6, 41])
def test_vote_is_that_of_every_pair_of_voters_compared(n_voters):
    # sorting the voters of a row gives the counts and the first voter of each
    # code that comparing every pair gave: the same winners, the same draws
    rng = np.random.default_rng(n_voters)
    n_rows = 2**19 // n_voters + 300  # voted in several blocks
    codes = rng.integers(0, 4, size=(n_rows, n_voters))
    codes[:50] = 10**12  # one code in the whole row
    ours, theirs = np.random.default_rng(1), np.random.default_rng(1)
    np.testing.assert_array_equal(_vote(codes, ours), _pairwise_vote(codes, theirs))
    assert ours.random() == theirs.random()


def test_vote_memory_grows_with_the_voters_not_their_pairs():
    # comparing every pair of voters held 500 * 256 * 256 booleans (33 MB)
    codes = np.random.default_rng(0).integers(0, 3, size=(500, 256))
    tracemalloc.start()
    try:
        _vote(codes, np.random.default_rng(0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * codes.nbytes
