"""Tests of the exact neighbour searches behind SMOTE (KD-tree, blocked brute force)."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

import ltlearn.over_sampling._kdtree as kdtree_module
import ltlearn.over_sampling._neighbors as neighbors_module
from ltlearn.over_sampling._neighbors import _kneighbors, _self_first


def _exact_sorted_distances(X, k):
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    return np.sort(D, axis=1)[:, :k], D


def _use_small_blocks(monkeypatch):
    """Blocks so small that a few hundred points make many tiles, read both ways."""
    monkeypatch.setattr(neighbors_module, "_ROW_BLOCK", 48)
    monkeypatch.setattr(neighbors_module, "_COL_BLOCK", 64)
    monkeypatch.setattr(neighbors_module, "_SAMPLE", 64)
    monkeypatch.setattr(neighbors_module, "_SYMMETRIC_MIN", 100)


@pytest.mark.parametrize("n_features", [3, 12, 20, 60])
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_searches_are_exact_with_ties_and_offsets(n_features, n_jobs):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, n_features))
    X[100:150] = X[:50]  # duplicates
    X[200:210] = X[200]
    X = X * 3.0 + 1e3  # far from the origin
    expected, D = _exact_sorted_distances(X, 6)
    queries = np.arange(len(X))
    indices, _ = _kneighbors(X, queries, 6, n_jobs=n_jobs)
    np.testing.assert_array_equal(indices[:, 0], queries)  # itself first
    np.testing.assert_array_equal(
        np.sort(np.take_along_axis(D, indices, axis=1), axis=1), expected
    )


def test_duplicates_follow_the_query_in_row_order():
    # rows 0, 1 and 5 are one point: each comes first in its own row, then
    # the other two in row order, whatever order the search found them in
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    X[[0, 1]] = X[5]
    indices, _ = _kneighbors(X, np.array([0, 1, 5]), 4)
    np.testing.assert_array_equal(indices[:, :3], [[0, 1, 5], [1, 0, 5], [5, 0, 1]])


def test_self_first_swaps_the_query_into_the_first_column():
    found = np.array([[5, 3, 7], [4, 2, 8], [6, 9, 1]])
    # a duplicate before the query swaps with it; a query left out by its
    # duplicates takes the last column; a row that starts with it stays
    expected = [[3, 5, 7], [1, 2, 4], [6, 9, 1]]
    np.testing.assert_array_equal(_self_first(found, [3, 1, 6]), expected)


@pytest.mark.parametrize("n_queries", [400, 300, 57])  # symmetric, then not
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_blocked_brute_force_is_exact_over_many_blocks(monkeypatch, n_queries, n_jobs):
    # small blocks, so that 400 points make many tiles, read both ways, and
    # the candidate stores fill up and tighten their thresholds
    _use_small_blocks(monkeypatch)
    monkeypatch.setattr(neighbors_module, "_PARALLEL_MIN_PAIRS", 0)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((400, 30))
    X[50:80] = X[:30]  # duplicates
    X = X * 2.0 - 40.0
    queries = np.sort(rng.choice(400, n_queries, replace=False))
    expected, D = _exact_sorted_distances(X, 5)
    indices, _ = _kneighbors(X, queries, 5, n_jobs=n_jobs)
    np.testing.assert_array_equal(indices[:, 0], queries)
    np.testing.assert_array_equal(
        np.sort(np.take_along_axis(D[queries], indices, axis=1), axis=1),
        expected[queries],
    )


@pytest.mark.parametrize("scale", [1e-30, 1e20, 1e150])
def test_brute_force_is_exact_at_any_scale(scale):
    # float32 would underflow or overflow without the rescaling
    rng = np.random.default_rng(3)
    X = (rng.standard_normal((300, 20)) + 3.0) * scale
    expected, D = _exact_sorted_distances(X / scale, 4)
    indices, _ = _kneighbors(X, np.arange(300), 4)
    found = np.sort(np.take_along_axis(D, indices, axis=1), axis=1)
    np.testing.assert_allclose(found, expected, rtol=1e-12)


def test_brute_force_hands_hard_blocks_to_scikit_learn(monkeypatch):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 30))
    expected, D = _exact_sorted_distances(X, 4)
    monkeypatch.setattr(neighbors_module, "_MAX_HITS_PER_QUERY", 0)
    indices, _ = _kneighbors(X, np.arange(300), 4)
    np.testing.assert_array_equal(indices[:, 0], np.arange(300))
    np.testing.assert_allclose(
        np.sort(np.take_along_axis(D, indices, axis=1), axis=1), expected
    )


@pytest.mark.parametrize("symmetric", [False, True])
def test_brute_force_hands_blocks_of_copies_to_scikit_learn_unsorted(
    monkeypatch, symmetric
):
    # Copies of a point are at distance 0 of each other and no threshold can
    # drop them: a block full of them failed only after its candidates were
    # packed and sorted (SMOTE on a class of 16,000 copies of one row of 20
    # features took 5.4 s of CPU, 7 times imbalanced-learn's time).
    monkeypatch.setattr(neighbors_module, "_MAX_HITS_PER_QUERY", 8)
    if symmetric:  # small blocks: tiles read both ways
        _use_small_blocks(monkeypatch)
    tightened = []
    tighten = neighbors_module._BruteSearch._tighten

    def spy(self, block, store):
        tightened.append(block)
        return tighten(self, block, store)

    monkeypatch.setattr(neighbors_module._BruteSearch, "_tighten", spy)
    X = np.zeros((300, 20))
    X[250:] = 1.0
    indices, _ = _kneighbors(X, np.arange(300), 6)
    assert tightened == []
    np.testing.assert_array_equal(indices[:, 0], np.arange(300))
    # the neighbours are copies of the query
    np.testing.assert_array_equal(X[indices], np.repeat(X[:, None, :], 6, axis=1))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_brute_force_is_exact_after_a_block_fails(monkeypatch, n_jobs):
    # In a search of every point, a block's tiles read by columns hold the
    # later blocks' candidates among its points: a block handed to
    # scikit-learn's search stopped reading them, and the later blocks missed
    # neighbours (44 of the 300 rows here) or failed with an IndexError.
    _use_small_blocks(monkeypatch)
    monkeypatch.setattr(neighbors_module, "_MAX_HITS_PER_QUERY", 32)
    monkeypatch.setattr(neighbors_module, "_PARALLEL_MIN_PAIRS", 0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 20))
    # copies of one row, far from the others, among the first block's 48
    # queries (points in the search's order), and none in the later blocks:
    # the first block is handed to scikit-learn, the next ones (not the last,
    # of 12 queries) rank their own candidates, untied
    X[neighbors_module._BruteSearch(X, 6, 1).perm[:40]] = 50.0
    search = neighbors_module._BruteSearch(X, 6, n_jobs)
    indices = search.kneighbors(np.arange(300))
    assert search.stores[0].failed
    assert not any(store.failed for store in search.stores[1:-1])
    expected, D = _exact_sorted_distances(X, 6)
    np.testing.assert_array_equal(indices[:, 0], np.arange(300))
    np.testing.assert_array_equal(
        np.sort(np.take_along_axis(D, indices, axis=1), axis=1), expected
    )


def test_searches_agree_on_a_subset_of_queries(make_long_tail):
    X, _ = make_long_tail(2, 1, n_max=200, n_features=40)
    queries = np.array([5, 17, 17, 399, 0])
    indices, _ = _kneighbors(X, queries, 4)
    reference = NearestNeighbors(n_neighbors=4).fit(X)
    expected = reference.kneighbors(X[queries], return_distance=False)
    np.testing.assert_array_equal(np.sort(indices, 1), np.sort(expected, 1))


@pytest.mark.parametrize("scale", [1e154, 1e200, 1e300])
@pytest.mark.parametrize("n_features", [1, 2, 20])
def test_neighbours_of_huge_values_are_those_of_the_scaled_data(scale, n_features):
    # a power of two keeps the order of the distances exactly
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, n_features)) + 3.0
    power = 2.0 ** int(np.log2(scale))
    queries = np.arange(0, 200, 3)
    expected, _ = _kneighbors(X, queries, 6)
    found, _ = _kneighbors(X * power, queries, 6)
    np.testing.assert_array_equal(found, expected)
    found, _ = _kneighbors(sparse.csr_matrix(X * power), queries, 6)
    np.testing.assert_array_equal(np.sort(found, 1), np.sort(expected, 1))


def test_huge_negative_values_are_scaled_like_huge_positive_ones():
    X = np.array([[-1e200, 0.0], [1.0, 2.0], [3.0, -1.0]])
    scaled = neighbors_module._distance_safe(X)
    np.testing.assert_array_equal(scaled, -neighbors_module._distance_safe(-X))
    assert np.abs(scaled).max() <= 1.0


@pytest.mark.parametrize("n_queries", [400, 57])  # symmetric, then not
def test_brute_force_takes_points_at_equal_distance_in_row_order(n_queries):
    # Points of a grid tie at many distances. They came in the order of their
    # float32 distances, whose rounding depends on the BLAS kernel of the
    # machine (OPENBLAS_CORETYPE), so that SMOTE drew other neighbours, hence
    # other samples, on another machine for the same random_state.
    rng = np.random.default_rng(0)
    X = rng.integers(0, 4, size=(400, 20)).astype(float)
    queries = np.arange(n_queries)
    D = ((X[queries, None, :] - X[None, :, :]) ** 2).sum(-1)
    D[np.arange(n_queries), queries] = -1.0  # the query itself first
    expected = np.argsort(D, axis=1, kind="stable")[:, :6]
    indices, _ = _kneighbors(X, queries, 6)
    np.testing.assert_array_equal(indices, expected)


@pytest.mark.parametrize("kind", ["counts", "half steps", "mixed", "continuous"])
def test_tree_search_does_not_depend_on_the_rotation(monkeypatch, kind):
    # Points of a grid tie at many distances. The KD-tree searched them
    # rotated onto their principal axes, whose rounding (and signs) come from
    # the machine's BLAS and LAPACK, so that SMOTE and SMOTENC took other tied
    # neighbours, hence drew other samples, on another machine.
    rng = np.random.default_rng(0)
    X = {
        "counts": lambda: rng.integers(0, 6, size=(600, 4)).astype(float),
        "half steps": lambda: rng.integers(0, 5, size=(600, 5)) * 0.5 + 0.25,
        "mixed": lambda: np.column_stack(
            [rng.integers(0, 5, size=(600, 2)), rng.integers(0, 2, (600, 3)) * 0.7]
        ),
        "continuous": lambda: rng.standard_normal((600, 6)),
    }[kind]()
    queries = np.arange(len(X))
    expected, _ = _kneighbors(X, queries, 6)
    eigh = np.linalg.eigh

    def flipped_eigh(a):  # another valid decomposition: an axis's sign flipped
        values, axes = eigh(a)
        axes[:, -1] *= -1
        return values, axes

    monkeypatch.setattr(np.linalg, "eigh", flipped_eigh)
    indices, _ = _kneighbors(X, queries, 6)
    np.testing.assert_array_equal(indices, expected)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tree_search_of_points_at_zero_distance_that_differ(sign):
    # Points 1e-170 apart are at squared distance 0 (it underflows) without
    # being copies: taking the first rows of a query's copies as its
    # neighbours at distance 0 took farther points, or failed (IndexError).
    X = np.zeros((40, 2))
    X[10:15, 0] = -1e-170
    X[15:] = np.column_stack([sign * np.linspace(0.5, 1, 25), np.linspace(0, 1, 25)])
    indices, _ = _kneighbors(X, np.arange(15), 12)
    assert (indices < 15).all()


@pytest.mark.parametrize("n_features", [1, 3, 20])
@pytest.mark.parametrize("offset", [1e8, 1e12])
@pytest.mark.parametrize("pairs", [2**20, 7])  # checked at once, or a few at a time
def test_search_of_a_few_points_far_from_the_origin_is_exact(
    monkeypatch, n_features, offset, pairs
):
    # Up to 2 * n_neighbors points go to scikit-learn's search, whose
    # ||x||^2 - 2 x.y + ||y||^2 loses the differences of a feature of 1e8
    # plus or minus 1: it returned points that are not the nearest.
    monkeypatch.setattr(kdtree_module, "_PAIRS", pairs)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, n_features))
    X[:, 0] += offset
    expected, D = _exact_sorted_distances(X, 6)
    queries = np.arange(len(X))
    indices, _ = _kneighbors(X, queries, 6)
    np.testing.assert_array_equal(indices[:, 0], queries)
    # the nearest points, nearest first
    np.testing.assert_array_equal(np.take_along_axis(D, indices, axis=1), expected)
