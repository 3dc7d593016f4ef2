"""Exact Euclidean nearest-neighbour searches used by the over-samplers."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import cpu_count, effective_n_jobs
from scipy import sparse
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from ltlearn.over_sampling._estimator_search import _estimator_kneighbors
from ltlearn.over_sampling._kdtree import (
    _mend_by_exact,
    _squared_distances,
    _tree_kneighbors,
)

# Above this many features the tree search loses to brute force, as in
# scikit-learn's ``algorithm="auto"`` rule.
_MAX_TREE_FEATURES = 15
_EPS32 = float(np.finfo(np.float32).eps)

# Block sizes of the brute-force search: a block of query rows is compared to
# the points ``_COL_BLOCK`` at a time, which keeps each distance block (8 MiB)
# close to the caches. Up to ``_SAMPLE`` random points give each query its
# first distance threshold.
_ROW_BLOCK = 512
_COL_BLOCK = 4096
_SAMPLE = 4096
# Mean number of candidates per query beyond which a block of queries is
# handed to scikit-learn's exact search (many tied or badly scaled points).
_MAX_HITS_PER_QUERY = 1024
# From this many points, a search of every point reads each tile both ways.
_SYMMETRIC_MIN = 4096
# Candidate keys pack a row of a block (9 bits), a float32 (32) and a point.
_MAX_BRUTE_POINTS = 2**23
# Below this many pairs, starting threads costs more than it saves.
_PARALLEL_MIN_PAIRS = 2**25


def _n_threads(n_jobs, *, tree):
    """Threads for a search, as scikit-learn's ``NearestNeighbors`` uses them.

    ``n_jobs=None`` means, for a tree, one thread unless a
    :func:`joblib.parallel_config` context sets ``n_jobs`` and, for brute
    force, the threads that scikit-learn's own (OpenMP) brute-force search
    would use.
    """
    if n_jobs is not None or tree:
        return effective_n_jobs(n_jobs)
    try:
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    except ImportError:  # a private helper: fall back to the processors
        return cpu_count()
    return max(1, _openmp_effective_n_threads())


def _max_abs(X):
    """The largest absolute value of a dense or sparse ``X`` (0 when empty)."""
    data = X.data if sparse.issparse(X) else X
    if data.size == 0:
        return 0.0
    return max(float(data.max()), -float(data.min()))


def _distance_safe(X):
    """``X`` times a power of two that keeps its squared distances in range.

    Squared distances of values of magnitude ``m`` reach about
    ``n_features * (2 m)**2``: above ``2**(maxexp / 3)`` they would overflow
    the floating-point type (NaN, infinite or arbitrary neighbours, failing
    eigen-decompositions), below ``2**(-maxexp / 3)`` they would underflow to
    zero (every pair tied). Narrower floats are then widened to float64
    (exact), which holds the squares of any of their values; float64 data is
    scaled so that its largest absolute value is about 1. A power of two
    scales every difference, square and sum exactly, so the order of the
    distances, hence the neighbours, is unchanged (values pushed below the
    smallest normal number excepted, which are negligible beside the largest
    ones). Data in range is returned as it is, without a copy.
    """
    dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
    limit = np.finfo(dtype).maxexp // 3
    exponent = int(np.frexp(_max_abs(X))[1])  # 0 for data of zeros, in range
    if -limit <= exponent <= limit:
        return X
    if dtype != np.float64:
        return X.astype(np.float64)
    # float64 exponents lie in [-1073, 1024]; 2**1000 is still finite
    return X * float(np.ldexp(1.0, min(-exponent, 1000)))


def _self_first(indices, queries):
    """Put each query's own index in column 0 of its row of ``indices``.

    Searches return tied points (duplicates) in any order, so a duplicate may
    come before the point itself. The point is swapped into column 0, or, when
    more duplicates than columns left it out, written over the last column
    (every column then holds a point at distance zero).
    """
    queries = np.asarray(queries)
    bad = np.flatnonzero(indices[:, 0] != queries)
    if bad.size == 0:
        return indices
    indices = indices.copy()
    is_self = indices[bad] == queries[bad, None]
    cols = np.where(is_self.any(axis=1), is_self.argmax(axis=1), indices.shape[1] - 1)
    indices[bad, cols] = indices[bad, 0]
    indices[bad, 0] = queries[bad]
    return indices


def _first_threshold(g, n_neighbors):
    """A value that at least ``n_neighbors`` entries of each row of ``g`` reach.

    The columns are split into strided groups of about 8; the
    ``n_neighbors``-th smallest group minimum is reached by that many distinct
    columns. Much cheaper than a partition of the whole row, and as tight but
    for the rare rows with two of their best columns in one group.
    """
    n_groups = 1 << max(0, int(np.log2(max(g.shape[1] // 8, 1))))
    n_groups = min(n_groups, 512)
    if n_groups < 4 * n_neighbors:
        return np.partition(g, n_neighbors - 1, axis=1)[:, n_neighbors - 1]
    width = g.shape[1] - g.shape[1] % n_groups
    mins = g[:, :width].reshape(g.shape[0], -1, n_groups).min(axis=1)
    return np.partition(mins, n_neighbors - 1, axis=1)[:, n_neighbors - 1]


def _round_up32(values):
    """``values`` as float32, rounded up (a threshold must not shrink)."""
    return np.nextafter(np.asarray(values).astype(np.float32), np.float32(np.inf))


class _Candidates:
    """Candidate neighbours of one block of queries, behind a lock.

    A candidate is one uint64 key packing, from the high bits down, the
    query's row in the block, its float32 value (as an order-preserving
    integer) and the point, so that a plain sort orders the candidates by
    query then value. When the store grows, each query's threshold is lowered
    to its n-th best value plus two error bounds, and the candidates above
    their threshold are dropped.
    """

    def __init__(self, limit):
        self.lock = threading.Lock()
        self.parts = []
        self.size = 0
        self.sure = 0
        self.limit = limit
        self.failed = False

    def merged(self):
        """All keys, sorted."""
        keys = np.sort(np.concatenate(self.parts))
        self.parts = [keys]
        return keys


def _float_order(values):
    """float32 values as uint32 integers in the same order."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    return np.where(bits >> 31, ~bits, bits | np.uint32(0x80000000))


def _float_from_order(ordered):
    """The inverse of ``_float_order``."""
    ordered = ordered.astype(np.uint32)
    bits = np.where(ordered >> 31, ordered & np.uint32(0x7FFFFFFF), ~ordered)
    return bits.view(np.float32)


class _BruteSearch:
    """Exact Euclidean k nearest neighbours by blocked float32 products.

    The points, centred and in a random order (``perm``), are stored as the
    columns ``[x, 1, ||x||^2]`` of ``A``; a block of queries is the matrix of
    rows ``[-2 q, ||q||^2, 1]``, so that one float32 product gives the squared
    distances of a tile of pairs. ``delta`` bounds the float32 error of such a
    value (input rounding plus the accumulation bound of a dot product of
    ``n_features + 2`` terms, doubled for safety). Each query keeps a
    threshold that at least ``n_neighbors`` points are known to reach, plus
    two bounds, so that every true neighbour passes it; the thresholds fall
    as candidates come in, and the few candidates left are ranked by exact
    float64 distances at the end.

    When every point is a query (``symmetric``), each tile of pairs is
    computed once and read both ways, which halves the products.
    """

    def __init__(self, X, n_neighbors, n_threads):
        self.X64 = X64 = np.asarray(X, dtype=np.float64)
        n_points, n_features = X64.shape
        self.n_points, self.n_features = n_points, n_features
        self.n_neighbors = n_neighbors
        self.n_threads = n_threads
        # A random order makes any run of columns a random sample of the
        # points. It changes the speed, never the result: a fixed generator.
        self.perm = np.random.default_rng(0).permutation(n_points)
        center = X64.mean(axis=0)
        step = max(1, 2**16 // n_features)
        chunks = [self.perm[start : start + step] for start in range(0, n_points, step)]
        norms = np.concatenate(
            [np.linalg.norm(X64[chunk] - center, axis=1) for chunk in chunks]
        )
        # Scaling by a power of two is exact and keeps the order of distances;
        # it brings the norms near 1, far from float32's overflow.
        scale = 2.0 ** -np.ceil(np.log2(norms.max())) if norms.max() > 0 else 1.0
        norms *= scale
        n_rows = -(-(n_features + 2) // 8) * 8  # a multiple of 8 suits BLAS
        A = np.zeros((n_rows, n_points), dtype=np.float32)
        start = 0
        for chunk in chunks:
            block = (X64[chunk] - center) * scale
            A[:n_features, start : start + chunk.size] = block.T
            A[n_features + 1, start : start + chunk.size] = np.einsum(
                "ij,ij->i", block, block
            )
            start += chunk.size
        A[n_features] = 1.0
        self.A = A
        pmax = norms.max() * (1.0 + 1e-6)
        self.delta = (n_features + 8) * _EPS32 * (2 * norms * pmax + pmax**2 + norms**2)
        self.point_bits = max(1, int(n_points - 1).bit_length())

    def _query_matrix(self, positions):
        d = self.n_features
        Q = np.zeros((positions.size, self.A.shape[0]), dtype=np.float32)
        Q[:, :d] = self.A[:d, positions].T
        Q[:, :d] *= -2.0
        Q[:, d] = self.A[d + 1, positions]
        Q[:, d + 1] = 1.0
        return Q

    def _pack(self, rows, points, values):
        keys = rows.astype(np.uint64) << np.uint64(32 + self.point_bits)
        keys |= _float_order(values).astype(np.uint64) << np.uint64(self.point_bits)
        keys |= points.astype(np.uint64)
        return keys

    def _unpack(self, keys):
        rows = (keys >> np.uint64(32 + self.point_bits)).astype(np.intp)
        values = _float_from_order(keys >> np.uint64(self.point_bits))
        points = (keys & np.uint64((1 << self.point_bits) - 1)).astype(np.intp)
        return rows, points, values

    def _add(self, block, rows, points, values):
        store = self.stores[block]
        lo, hi = self.bounds[block]
        sure = np.count_nonzero(values <= self.delta[self.positions[lo + rows]])
        with store.lock:
            if self._overflows(block, store, store.sure + sure):
                return
        keys = self._pack(rows, points, values)
        with store.lock:
            if self._overflows(block, store, store.sure + sure):
                return
            store.sure += sure
            store.parts.append(keys)
            store.size += keys.size
            if store.size > store.limit:
                self._tighten(block, store)

    def _open(self, owner, queries, values):
        """Which candidates of a tile read by columns go to a block not failed.

        ``owner`` holds the blocks of the candidates' ``queries``; the blocks
        that these candidates would overflow (see ``_overflows``) fail first.
        """
        n_blocks = len(self.stores)
        is_sure = values <= self.delta[queries]
        sure = np.bincount(owner, weights=is_sure, minlength=n_blocks)
        failed = np.zeros(n_blocks, dtype=bool)
        for other in np.flatnonzero(np.bincount(owner, minlength=n_blocks)):
            store = self.stores[other]
            with store.lock:
                failed[other] = self._overflows(
                    other, store, store.sure + int(sure[other])
                )
        return ~failed[owner]

    def _overflows(self, block, store, n_kept):
        """Whether the block fails, as it keeps ``n_kept`` candidates.

        It fails beyond ``_MAX_HITS_PER_QUERY`` candidates per query.
        ``n_kept`` is the size of its store once tightened, or, while the
        candidates come, the number of sure ones: a threshold never falls
        below its query's error bound (the n-th best value is at least minus
        that bound), so a candidate within that bound (a copy of the query, a
        point at distance ~0) is sure to stay, and once there are too many of
        them the block fails at once, its candidates neither packed nor sorted.
        """
        lo, hi = self.bounds[block]
        if not store.failed and n_kept > _MAX_HITS_PER_QUERY * (hi - lo):
            store.failed = True
            store.parts = []
        return store.failed

    def _tighten(self, block, store):
        """Lower the block's thresholds from its candidates; drop the rest."""
        keys = store.merged()
        rows, _, values = self._unpack(keys)
        lo, hi = self.bounds[block]
        k = self.n_neighbors
        counts = np.bincount(rows, minlength=hi - lo)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        full = np.flatnonzero(counts >= k)
        tau = self.tau[lo:hi]
        new = _round_up32(
            values[starts[full] + k - 1] + 2.0 * self.delta[self.positions[lo + full]]
        )
        tau[full] = np.minimum(tau[full], new)
        keep = values <= tau[rows]
        store.parts = [keys[keep]]
        store.size = int(np.count_nonzero(keep))
        store.limit = max(store.limit, 2 * store.size)
        self._overflows(block, store, store.size)

    def _set_thresholds(self, block, g):
        """First thresholds of a block, from its products ``g`` with a sample.

        The first columns are a random sample of the points: at least
        ``n_neighbors`` of them reach the threshold, and every true neighbour
        is within two error bounds of it.
        """
        lo, hi = self.bounds[block]
        kth = _first_threshold(g, self.n_neighbors)
        self.tau[lo:hi] = _round_up32(kth + 2.0 * self.delta[self.positions[lo:hi]])

    def _prepare(self, block, G_buf):
        """Thresholds of a block before any sweep (symmetric search)."""
        lo, hi = self.bounds[block]
        Q = self._query_matrix(self.positions[lo:hi])
        width = self.sample_size
        g = G_buf.ravel()[: (hi - lo) * width].reshape(hi - lo, width)
        np.matmul(Q, self.A[:, :width], out=g)
        self._set_thresholds(block, g)

    @staticmethod
    def _passing(g, tau, axis, M_buf):
        """``(rows, cols)`` of the entries of ``g`` at most their threshold.

        ``tau`` holds one threshold per row (``axis=1``) or per column
        (``axis=0``). Rows (columns) whose minimum is above their threshold
        are skipped: once the thresholds are tight, most of them are.
        """
        reached = np.flatnonzero(g.min(axis=axis) <= tau)
        if reached.size == 0:
            return None
        if reached.size > g.shape[1 - axis] // 4:
            m = M_buf.ravel()[: g.size].reshape(g.shape)
            limit = tau[:, None] if axis == 1 else tau[None, :]
            np.less_equal(g, limit, out=m)
            return np.divmod(np.flatnonzero(m), g.shape[1])
        if axis == 1:
            sub = g[reached]
            r, c = np.nonzero(sub <= tau[reached, None])
            return reached[r], c
        sub = g[:, reached]
        r, c = np.nonzero(sub <= tau[None, reached])
        return r, reached[c]

    def _sweep(self, block, G_buf, M_buf):
        """All tiles of a block of queries (of the upper triangle if symmetric).

        A block that fails stops its sweep, unless the search is symmetric and
        a later block has not failed: the tiles read by columns hold that
        block's candidates among this block's points.
        """
        lo, hi = self.bounds[block]
        b = hi - lo
        positions = self.positions[lo:hi]
        Q = self._query_matrix(positions)
        tau = self.tau
        n_cols = G_buf.shape[1]
        store = self.stores[block]
        for start in range(lo if self.symmetric else 0, self.n_points, n_cols):
            if store.failed and not (
                self.symmetric and any(not s.failed for s in self.stores[block + 1 :])
            ):
                return
            width = min(n_cols, self.n_points - start)
            g = G_buf.ravel()[: b * width].reshape(b, width)
            np.matmul(Q, self.A[:, start : start + width], out=g)
            if start == 0 and not self.symmetric:
                self._set_thresholds(block, g)
            found = None if store.failed else self._passing(g, tau[lo:hi], 1, M_buf)
            if found is not None:
                rows, cols = found
                self._add(block, rows, cols + start, g[rows, cols])
            skip = max(hi - start, 0)  # the diagonal tile is read once
            if not self.symmetric or skip >= width:
                continue
            # the same tile read by columns: candidates for the later queries
            sub = g[:, skip:]
            found = self._passing(sub, tau[start + skip : start + width], 0, M_buf)
            if found is None:
                continue
            rows, cols = found
            values = sub[rows, cols]
            queries = cols + (start + skip)
            owner = queries // self.block_size
            keep = self._open(owner, queries, values)
            if not keep.all():
                rows, values = rows[keep], values[keep]
                queries, owner = queries[keep], owner[keep]
                if owner.size == 0:
                    continue
            cuts = np.flatnonzero(np.diff(owner)) + 1
            if cuts.size:  # group by owner block (a stable sort keeps rows)
                order = np.argsort(owner, kind="stable")
                owner, queries = owner[order], queries[order]
                rows, values = rows[order], values[order]
                cuts = np.flatnonzero(np.diff(owner)) + 1
            for part in np.split(np.arange(owner.size), cuts):
                other = owner[part[0]]
                self._add(
                    other,
                    queries[part] - self.bounds[other][0],
                    positions[rows[part]],
                    values[part],
                )

    def _finish(self, block):
        """Exact neighbours of a block of queries, from its candidates."""
        lo, hi = self.bounds[block]
        store = self.stores[block]
        if self._overflows(block, store, store.size):
            return None
        k = self.n_neighbors
        rows, points, values = self._unpack(store.merged())
        own = self.positions[lo:hi]
        # keep, per query, the candidates within two bounds of its n-th best
        starts = np.searchsorted(rows, np.arange(hi - lo))
        cut = values[starts + k - 1] + 2.0 * self.delta[own]
        keep = values <= cut[rows]
        rows, points = rows[keep], points[keep]
        # exact float64 ranking of what is left; on ties the query first, then
        # by row (the order of the float32 values depends on the BLAS kernel)
        originals = self.perm[points]
        query_originals = self.perm[own][rows]
        dist = _squared_distances(self.X64, originals, query_originals)
        order = np.lexsort((originals, originals != query_originals, dist, rows))
        rows, originals = rows[order], originals[order]
        starts = np.searchsorted(rows, np.arange(hi - lo))
        return originals[starts[:, None] + np.arange(k)]

    def _run(self, pool, func, blocks, *buffered):
        """``func(block, *buffers)`` for every block, on the threads of ``pool``.

        Each thread takes the next block when it is done with one (the
        longest sweeps come first), so a thread slowed down by the machine's
        load does not hold the others back; each has its own buffers.
        """
        local = threading.local()

        def work(block):
            if not hasattr(local, "buffers"):
                local.buffers = [np.empty(shape, dtype=dt) for shape, dt in buffered]
            return func(block, *local.buffers)

        if pool is None:
            return [work(block) for block in blocks]
        return list(pool.map(work, blocks))

    def _phases(self, pool, blocks, tile):
        if self.symmetric:
            self._run(pool, self._prepare, blocks, tile[0])
        self._run(pool, self._sweep, blocks, *tile)
        return self._run(pool, self._finish, blocks)

    def kneighbors(self, queries):
        """Indices of the ``n_neighbors`` nearest points to ``X[queries]``."""
        queries = np.asarray(queries, dtype=np.intp)
        n_points, k = self.n_points, self.n_neighbors
        self.symmetric = queries.size >= 0.6 * n_points and n_points >= _SYMMETRIC_MIN
        if self.symmetric:
            self.positions = np.arange(n_points)
        else:
            rank = np.empty(n_points, dtype=np.intp)
            rank[self.perm] = np.arange(n_points)
            self.positions = rank[queries]
        n_slots = self.positions.size
        self.block_size = block_size = min(_ROW_BLOCK, n_slots)
        self.bounds = [
            (lo, min(lo + block_size, n_slots)) for lo in range(0, n_slots, block_size)
        ]
        blocks = list(range(len(self.bounds)))
        self.stores = [_Candidates(max(4 * block_size * k, 1024)) for _ in blocks]
        self.tau = np.empty(n_slots, dtype=np.float32)
        n_cols = min(_COL_BLOCK, n_points)
        # symmetric: a first pass over a sample of n / 16 points (at least
        # 512, at most _SAMPLE) sets the thresholds of every query
        self.sample_size = min(n_points, n_cols, _SAMPLE, max(512, n_points // 16))
        tile = [((block_size, n_cols), np.float32), ((block_size, n_cols), bool)]
        n_pairs = n_slots * n_points // (2 if self.symmetric else 1)
        n_threads = min(self.n_threads, len(blocks))
        if n_threads == 1 or n_pairs < _PARALLEL_MIN_PAIRS:
            found = self._phases(None, blocks, tile)
        else:
            with (
                threadpool_limits(limits=1, user_api="blas"),
                ThreadPoolExecutor(max_workers=n_threads) as pool,
            ):
                found = self._phases(pool, blocks, tile)
        indices = np.empty((n_slots, k), dtype=np.intp)
        originals = self.perm[self.positions]
        failed = [block for block in blocks if found[block] is None]
        for block in blocks:
            if found[block] is not None:
                lo, hi = self.bounds[block]
                indices[lo:hi] = found[block]
        if failed:
            nn = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(self.X64)
            for block in failed:
                lo, hi = self.bounds[block]
                found = nn.kneighbors(self.X64[originals[lo:hi]], return_distance=False)
                indices[lo:hi] = _self_first(found, originals[lo:hi])
        if self.symmetric:
            by_point = np.empty_like(indices)
            by_point[originals] = indices
            return by_point[queries]
        return indices


def _kneighbors(X, queries, n_neighbors, *, estimator=None, n_jobs=None):
    """Indices of the ``n_neighbors`` nearest rows of ``X`` to ``X[queries]``.

    Each query is its own first neighbour (column 0), ties included.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_points, n_features)
        The points searched.
    queries : ndarray of shape (n_queries,)
        Row indices of ``X`` whose neighbours are wanted.
    n_neighbors : int or None
        Neighbours per query, the query itself included; at most ``n_points``.
        ``None`` (with ``estimator`` only): the estimator's own count.
    estimator : estimator object, default=None
        A nearest-neighbours estimator to clone, fit on ``X`` and query; by
        default an exact Euclidean search is chosen from the data.
    n_jobs : int, default=None
        Threads for the default searches, which accept any finite values
        (see ``_distance_safe``).

    Returns
    -------
    indices : ndarray of shape (n_queries, n_neighbors)
        Row indices of ``X``.
    estimator : estimator object or None
        The fitted clone of ``estimator``, or ``None``.
    """
    queries = np.asarray(queries, dtype=np.intp)
    if estimator is not None:
        fitted = clone(estimator).fit(X)
        found = _estimator_kneighbors(fitted, X[queries], n_neighbors, X.shape[0])
        return _self_first(found, queries), fitted
    X = _distance_safe(X)
    if sparse.issparse(X) or X.shape[0] <= 2 * n_neighbors:
        nn = NearestNeighbors(n_neighbors=n_neighbors, n_jobs=n_jobs).fit(X)
        found = nn.kneighbors(X[queries], return_distance=False)
        if not sparse.issparse(X):  # a few points: checked by exact distances
            found = _mend_by_exact(X, queries, found)
    elif X.shape[1] <= _MAX_TREE_FEATURES:
        found = _tree_kneighbors(X, queries, n_neighbors, _n_threads(n_jobs, tree=True))
    elif X.shape[0] <= _MAX_BRUTE_POINTS:
        search = _BruteSearch(X, n_neighbors, _n_threads(n_jobs, tree=False))
        found = search.kneighbors(queries)
    else:  # beyond what the packed candidate keys can index
        nn = NearestNeighbors(n_neighbors=n_neighbors, n_jobs=n_jobs).fit(X)
        found = nn.kneighbors(X[queries], return_distance=False)
    return _self_first(found, queries), None
