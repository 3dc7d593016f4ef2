"""Integer codes of categorical columns, and votes among them.

Shared by SMOTE-NC and SMOTEN: a column is coded once, and the category of
each synthetic row is the most frequent one among its neighbours' codes.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

# Synthetic categories are voted by blocks of about this many voters.
_VOTE_VOTERS = 2**18


def _factorize(values):
    """Integer codes of a column and the values they stand for.

    Missing values are a category of their own, stood for by the data's own
    marker (that of its first missing value: ``None`` stays ``None``, where
    pandas gives NaN). A pandas categorical column keeps its dtype in the
    returned values.
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        uniques, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.intp), uniques
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    codes = codes.astype(np.intp, copy=False)
    if uniques.dtype == object:
        missing = np.flatnonzero(pd.isna(uniques))
        if missing.size:
            first = np.argmax(codes == missing[0])
            marked = np.array(uniques, dtype=object)
            marked[missing[0]] = np.asarray(values, dtype=object)[first]
            index = isinstance(uniques, pd.Index)
            uniques = pd.Index(marked, dtype=object, copy=False) if index else marked
    return codes, uniques


def _factorized_columns(columns, names):
    """``_factorize`` of each of ``columns``; one that fails is named.

    A value that is not hashable (a dict) cannot be a category: pandas failed
    with "unhashable type: 'dict'", naming no column. The ``TypeError`` is
    kept, in the words of scikit-learn's encoders and checks.
    """
    factorized = []
    for values, name in zip(columns, names):
        try:
            factorized.append(_factorize(values))
        except TypeError as exc:
            raise TypeError(
                f"Column {name!r} is categorical but holds a value that cannot "
                f"be a category ({exc}): as in an encoder, each argument must "
                "be a string or a number (or another hashable value)."
            ) from exc
    return factorized


def _local_codes(codes):
    """The codes of each column renumbered ``0..n_levels-1`` over its levels.

    ``codes`` has shape (n_rows, n_columns): the codes of the rows of one
    class, say. Returns the renumbered codes, of the same shape, and the
    levels of each column (the codes present, in order).
    """
    local = np.empty(codes.shape, dtype=np.intp)
    levels = []
    for j in range(codes.shape[1]):
        present, local[:, j] = np.unique(codes[:, j], return_inverse=True)
        levels.append(present)
    return local, levels


def _vote(neighbor_codes, generator):
    """The most frequent code of each row, ties broken at random.

    ``neighbor_codes`` has shape (n_rows, n_voters). Each voter scores the
    number of voters holding its code plus a uniform draw in ``[0, 1)``, the
    same for all the voters of a code (that of its first voter): the best
    score is a most frequent code, each tied code as likely. The voters of a
    row are sorted, so that each code's voters form one run: work grows with
    ``n_voters * log(n_voters)`` per row and memory with ``n_voters``, not
    with the number of categories (a column of identifiers costs no more
    than one of two categories). Comparing every pair of voters cost
    ``n_voters ** 2`` of both (575 MB for 20,000 rows of 160 voters).
    """
    n_rows, n_voters = neighbor_codes.shape
    winners = np.empty(n_rows, dtype=neighbor_codes.dtype)
    step = max(1, _VOTE_VOTERS // max(n_voters, 1))
    for start in range(0, n_rows, step):
        block = neighbor_codes[start : start + step]
        draws = generator.random(block.shape)
        counts, leaders = _code_runs(block)
        score = counts + np.take_along_axis(draws, leaders, axis=1)
        best = score.argmax(axis=1)[:, None]
        winners[start : start + block.shape[0]] = np.take_along_axis(
            block, best, axis=1
        )[:, 0]
    return winners


def _code_runs(block):
    """Per voter of ``block``: its code's count in its row, and the code's first voter.

    The voters of each row are sorted by code (stably, so the first voter of
    a code leads its run); each run's length is its code's count. Every row
    starts a run, so the runs of all the rows are found in one pass.
    """
    order = np.argsort(block, axis=1, kind="stable")
    ordered = np.take_along_axis(block, order, axis=1)
    starts = np.ones(block.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    length = np.diff(first, append=starts.size)
    counts = np.empty(block.shape, dtype=np.intp)
    np.put_along_axis(counts, order, length[run].reshape(block.shape), axis=1)
    leaders = np.empty(block.shape, dtype=np.intp)
    leader = order.ravel()[first[run]].reshape(block.shape)
    np.put_along_axis(leaders, order, leader, axis=1)
    return counts, leaders
