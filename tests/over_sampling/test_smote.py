"""Tests of SMOTE: rows on neighbour segments, counts, streams, data types."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import pickle
import sys
import threading
import tracemalloc
import types
import warnings
from collections import Counter
from fractions import Fraction
from itertools import product

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from imblearn.pipeline import Pipeline
from scipy import sparse, stats
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import _NotAnArray

import ltlearn.over_sampling._smote as smote_module
from ltlearn.over_sampling import (
    SMOTE,
    SMOTEN,
    SMOTENC,
    EffectiveNumberSamplingStrategy,
    PowerSamplingStrategy,
)
from ltlearn.over_sampling._exact_steps import _integer_steps
from ltlearn.over_sampling._neighbors import _kneighbors
from tests.decomposition.test_pairwise import _CountingLabels


def _synthetic(X, y, X_res, y_res, label):
    """The synthetic rows of class ``label`` (appended after the originals)."""
    new = np.asarray(X_res)[len(y) :]
    return new[np.asarray(y_res)[len(y) :] == label]


def _neighbour_table(X_class, k):
    """Each sample repeated k times, next to its k nearest same-class neighbours."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(X_class)
    neighbours = nn.kneighbors(X_class, return_distance=False)[:, 1:]
    return np.repeat(np.arange(len(X_class)), k), neighbours.ravel()


def _segments(X_class, k):
    """Start and end points of every (sample, neighbour) segment."""
    seeds, partners = _neighbour_table(X_class, k)
    return X_class[seeds], X_class[partners]


def _on_segments(Z, starts, ends, atol):
    """For each row of Z: is it on one of the segments [start, end]?"""
    direction = ends - starts
    length2 = np.einsum("ij,ij->i", direction, direction)
    offset = Z[:, None, :] - starts[None, :, :]
    t = np.einsum("zij,ij->zi", offset, direction) / length2
    residual = np.linalg.norm(offset - t[..., None] * direction, axis=2)
    ok = (residual <= atol) & (t >= -atol) & (t <= 1 + atol)
    return ok.any(axis=1)


# --- correctness by construction -------------------------------------------


@pytest.mark.parametrize(
    "n_features, dtype, to_sparse",
    [
        (4, np.float64, False),  # KD-tree search
        (24, np.float64, False),  # float32 brute force checked in float64
        (4, np.float32, False),
        (24, np.float32, False),
        (6, np.float64, True),
    ],
)
@pytest.mark.parametrize("k_neighbors", [1, 3, 5])
def test_every_synthetic_row_lies_on_a_seed_neighbour_segment(
    make_long_tail, n_features, dtype, to_sparse, k_neighbors
):
    X, y = make_long_tail(n_features=n_features)
    X = X.astype(dtype)
    X_in = sparse.csr_matrix(X) if to_sparse else X
    X_res, y_res = SMOTE(k_neighbors=k_neighbors, random_state=0).fit_resample(X_in, y)
    X_res = X_res.toarray() if to_sparse else X_res
    atol = 1e-4 if dtype == np.float32 else 1e-9
    for label in (1, 2):
        Z = _synthetic(X, y, X_res, y_res, label).astype(np.float64)
        starts, ends = _segments(X[y == label].astype(np.float64), k_neighbors)
        assert Z.shape[0] > 0
        assert _on_segments(Z, starts, ends, atol).all()


def test_a_user_neighbours_estimator_defines_the_segments(make_long_tail):
    X, y = make_long_tail()
    nn = NearestNeighbors(n_neighbors=3, metric="manhattan")
    smote = SMOTE(k_neighbors=nn, random_state=0)
    X_res, y_res = smote.fit_resample(X, y)
    X_class = X[y == 2]
    found = NearestNeighbors(n_neighbors=3, metric="manhattan").fit(X_class)
    neighbours = found.kneighbors(X_class, return_distance=False)[:, 1:]
    starts = X_class[np.repeat(np.arange(len(X_class)), 2)]
    ends = X_class[neighbours.ravel()]
    Z = _synthetic(X, y, X_res, y_res, 2)
    assert _on_segments(Z, starts, ends, 1e-9).all()
    assert smote.nn_k_ is not nn and smote.nn_k_.n_samples_fit_ == len(X_class)
    assert not hasattr(nn, "n_samples_fit_")  # the parameter is left unfitted


class _SearchWithoutCount(BaseEstimator):
    """A user's exact search whose ``kneighbors`` takes no ``n_neighbors``."""

    def __init__(self, n_neighbors=3, metric="minkowski"):
        self.n_neighbors = n_neighbors
        self.metric = metric

    def fit(self, X, y=None):
        self.nn_ = NearestNeighbors(n_neighbors=self.n_neighbors, metric=self.metric)
        self.nn_.fit(X)
        return self

    def kneighbors(self, X, return_distance=True):
        return self.nn_.kneighbors(X, return_distance=return_distance)

    def kneighbors_graph(self, X):
        return self.nn_.kneighbors_graph(X)


@pytest.mark.parametrize("skip_noise", [False, True])
def test_a_search_whose_kneighbors_takes_no_count(make_long_tail, skip_noise):
    # imbalanced-learn calls kneighbors(X, return_distance=False)
    X, y = make_long_tail()
    params = {"skip_noise": skip_noise, "random_state": 0}
    X_res, y_res = SMOTE(k_neighbors=_SearchWithoutCount(3), **params).fit_resample(
        X, y
    )
    expected = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=3), **params)
    X_exp, y_exp = expected.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_exp)
    np.testing.assert_array_equal(y_res, y_exp)


def test_a_search_without_a_count_is_named_for_a_class_smaller_than_it():
    # a class of 4 samples needs 4 neighbours of a search of 6: kneighbors
    # failed with "got an unexpected keyword argument 'n_neighbors'"
    X = np.random.RandomState(0).rand(60, 3)
    y = np.repeat([0, 1, 2], [40, 16, 4])
    smote = SMOTE(k_neighbors=_SearchWithoutCount(6), random_state=0)
    with pytest.raises(ValueError, match="takes no n_neighbors, so it cannot search"):
        smote.fit_resample(X, y)
    # at most 4 neighbours, the search serves every class
    smote.set_params(k_neighbors=_SearchWithoutCount(4)).fit_resample(X, y)


class _BadIndices(_SearchWithoutCount):
    """A user's search whose ``kneighbors`` gives what are not row indices."""

    def __init__(self, n_neighbors=3, metric="minkowski", bad="beyond"):
        super().__init__(n_neighbors, metric)
        self.bad = bad

    def kneighbors(self, X, return_distance=True):
        dist, ind = self.nn_.kneighbors(X)
        return {
            "beyond": ind + 1000,
            "negative": -1 - ind,
            "bool": ind > 0,
            "half": ind + 0.5,
            "infinite": np.where(ind > 0, np.inf, ind),
            "huge": ind * 1e30,
            "one_column": ind[:, 1],
            "with_distances": (dist, ind),
        }[self.bad]


@pytest.mark.parametrize(
    "bad, message",
    [
        ("beyond", r"returned the index 10\d\d; it was fit on 20 rows, whose "),
        ("negative", r"returned the index -\d+; it was fit on 20 rows, whose "),
        ("bool", "returned indices of dtype bool; they must be whole numbers"),
        ("half", r"returned the index \d+\.5; the indices must be whole numbers"),
        ("infinite", "returned the index inf; the indices must be whole numbers"),
        ("huge", r"returned the index \d{20,}; it was fit on 20 rows, whose "),
        ("one_column", r"returned an array of shape \(\d+,\); for \d+ samples it must"),
        (
            "with_distances",
            r"returned an array of shape \(2, \d+, 3\); for \d+ samples",
        ),
    ],
)
@pytest.mark.parametrize("sampler", [SMOTE, SMOTENC, SMOTEN])
def test_a_search_giving_other_than_row_indices_is_named(sampler, bad, message):
    # indices beyond the class were clipped to its last row: every new sample
    # lay between its seed and that row, without a word
    rng = np.random.RandomState(0)
    X = np.c_[rng.rand(60, 2), rng.randint(0, 3, 60)]
    y = np.repeat([0, 1], [40, 20])
    params = {"categorical_features": [2]} if sampler is SMOTENC else {}
    search = _BadIndices(bad=bad)
    with warnings.catch_warnings():  # an infinite index cast to an integer warned
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="_BadIndices.kneighbors " + message):
            sampler(k_neighbors=search, random_state=0, **params).fit_resample(X, y)


class _IndicesAs(_SearchWithoutCount):
    """A user's search whose ``kneighbors`` gives its row indices as ``dtype``."""

    def __init__(self, n_neighbors=3, metric="minkowski", dtype=np.int32):
        super().__init__(n_neighbors, metric)
        self.dtype = dtype

    def kneighbors(self, X, return_distance=True):
        return self.nn_.kneighbors(X, return_distance=False).astype(self.dtype)


@pytest.mark.parametrize("dtype", [np.int32, np.uint64, np.float64, object])
@pytest.mark.parametrize("sampler", [SMOTE, SMOTENC, SMOTEN])
def test_a_search_giving_indices_as_other_numbers_gives_the_same_samples(
    sampler, dtype
):
    # SMOTEN refused floats with NumPy's "arrays used as indices must be of
    # integer (or boolean) type"; SMOTE and SMOTENC took Python ints
    rng = np.random.RandomState(0)
    X = np.c_[rng.randint(0, 3, (60, 2)), rng.randint(0, 3, 60)]
    y = np.repeat([0, 1], [40, 20])
    params = {"categorical_features": [2], "random_state": 0}
    if sampler is not SMOTENC:
        params.pop("categorical_features")
    X_res, y_res = sampler(k_neighbors=_IndicesAs(dtype=dtype), **params).fit_resample(
        X, y
    )
    expected = sampler(k_neighbors=_SearchWithoutCount(), **params)
    X_exp, y_exp = expected.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_exp)
    np.testing.assert_array_equal(y_res, y_exp)


def test_original_rows_come_first_and_unchanged(make_long_tail):
    X, y = make_long_tail()
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(y)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    # synthetic blocks follow in sorted class order, as in imbalanced-learn
    assert list(y_res[len(y) :]) == sorted(y_res[len(y) :])


def test_nn_k_is_imblearns_neighbourhood_for_an_int(make_long_tail):
    X, y = make_long_tail()
    smote = SMOTE(k_neighbors=4, n_jobs=2).fit(X, y)
    assert not hasattr(smote, "nn_k_")  # fit only checks, as in imbalanced-learn
    smote.fit_resample(X, y)
    assert isinstance(smote.nn_k_, NearestNeighbors)
    assert smote.nn_k_.n_neighbors == 5 and smote.nn_k_.n_jobs == 2


# --- counts ------------------------------------------------------------------


def _expected_counts(strategy, y):
    """Final class counts that imbalanced-learn's semantics ask for."""
    counts = dict(Counter(y.tolist()))
    labels = sorted(counts)
    n_max = max(counts.values())
    # ties go to the first label in sorted order, as in imbalanced-learn
    majority = max(labels, key=lambda c: (counts[c], -c))
    minority = min(labels, key=lambda c: (counts[c], c))
    if isinstance(strategy, float):
        (rare,) = [c for c in labels if c != majority]
        return {**counts, rare: counts[rare] + int(n_max * strategy - counts[rare])}
    if isinstance(strategy, str):
        raised = {
            "minority": [minority],
            "not minority": [c for c in labels if c != minority],
            "not majority": [c for c in labels if c != majority],
            "auto": [c for c in labels if c != majority],
            "all": labels,
        }[strategy]
        return {c: (n_max if c in raised else counts[c]) for c in labels}
    asked = strategy(y) if callable(strategy) else strategy
    return {c: asked.get(c, counts[c]) for c in labels}


_BINARY = dict(n_classes=2, imbalance_ratio=4)  # 180 and 45 rows
_TIED = dict(n_classes=4, imbalance_ratio=5, profile="step")  # 150, 150, 30, 30


@pytest.mark.parametrize(
    "strategy, data",
    [
        (0.5, _BINARY),
        (0.9, _BINARY),
        ("minority", {}),
        ("not minority", {}),
        ("not majority", {}),
        ("auto", {}),
        ("all", {}),
        ("auto", _TIED),
        ({1: 150, 2: 100}, {}),
        ({2: 31}, {}),
        (PowerSamplingStrategy(q=0.5), {}),
        (PowerSamplingStrategy(q=0.0), _TIED),
        (EffectiveNumberSamplingStrategy(beta=0.99), {}),
    ],
    ids=repr,
)
def test_resampled_counts_are_exactly_what_sampling_strategy_asks(
    make_long_tail, strategy, data
):
    X, y = make_long_tail(**data)
    _, y_res = SMOTE(sampling_strategy=strategy, random_state=0).fit_resample(X, y)
    assert dict(Counter(y_res.tolist())) == _expected_counts(strategy, y)
    imblearn = ImblearnSMOTE(sampling_strategy=strategy, random_state=0)
    _, y_imb = imblearn.fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(y_imb.tolist())


def test_a_plain_callable_sampling_strategy(make_long_tail):
    X, y = make_long_tail()

    def double_the_rarest(y):
        labels, counts = np.unique(y, return_counts=True)
        return {labels[np.argmin(counts)]: 2 * counts.min()}

    _, y_res = SMOTE(sampling_strategy=double_the_rarest).fit_resample(X, y)
    before, after = Counter(y), Counter(y_res)
    assert after[2] == 2 * before[2] and after[0] == before[0]


@pytest.mark.parametrize("sampler", [SMOTE, SMOTEN])
def test_the_order_of_a_sampling_strategy_dict_does_not_change_the_rows(
    make_long_tail, sampler
):
    # imbalanced-learn's report: the same random_state gave other rows when
    # the dict listed the classes in another order
    X, y = make_long_tail()
    if sampler is SMOTEN:
        X = np.floor(X).astype(int)
    first = sampler(sampling_strategy={1: 150, 2: 100}, random_state=0)
    second = sampler(sampling_strategy={2: 100, 1: 150}, random_state=0)
    X_first, y_first = first.fit_resample(X, y)
    X_second, y_second = second.fit_resample(X, y)
    np.testing.assert_array_equal(X_first, X_second)
    np.testing.assert_array_equal(y_first, y_second)


@pytest.mark.parametrize("sampler", [SMOTE, SMOTEN])
def test_a_sampling_strategy_mapping_other_than_a_dict_is_refused(
    make_long_tail, sampler
):
    # imbalanced-learn's check reads a dict only: the fit failed with
    # "'NoneType' object has no attribute 'items'"
    X, y = make_long_tail()
    frozen = types.MappingProxyType({2: 60})
    with pytest.raises(InvalidParameterError, match="'sampling_strategy'.*'dict'"):
        sampler(sampling_strategy=frozen).fit_resample(X, y)
    _, y_res = sampler(sampling_strategy=dict(frozen)).fit_resample(X, y)
    assert Counter(y_res.tolist())[2] == 60


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(), SMOTEN(), SMOTENC(categorical_features=[1])],
    ids=["SMOTE", "SMOTEN", "SMOTENC"],
)
@pytest.mark.parametrize(
    "strategy",
    [{1: 20.5}, {1: 20.0}, lambda y: {1: 15.5}],
    ids=["half", "whole-float", "callable"],
)
def test_a_number_of_samples_that_is_not_an_integer_is_refused(sampler, strategy):
    X = np.column_stack([np.arange(40.0), np.arange(40) % 3])
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    sampler = clone(sampler).set_params(sampling_strategy=strategy)
    with pytest.raises(ValueError, match=r"asks for .* samples of class 1; a number"):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(), SMOTEN(), SMOTENC(categorical_features=[1])],
    ids=["SMOTE", "SMOTEN", "SMOTENC"],
)
@pytest.mark.parametrize(
    ("ratio", "asked", "least"),
    [
        (0.05, "1.5", "0.36666666666666664 (0.3667, say)"),
        (1 / 3, "10", "0.36666666666666664 (0.3667, say)"),
        (0.34, "10.2", "0.36666666666666664 (0.3667, say)"),
    ],
    ids=["below", "equal", "less-than-one-sample"],
)
def test_a_float_that_adds_no_sample_names_the_least_that_does(
    sampler, ratio, asked, least
):
    # imbalanced-learn said "The specified ratio required to remove samples
    # from the minority class while trying to generate new samples. Please
    # increase the ratio.", naming neither the parameter nor the floats it
    # takes, also where the ratio removed nothing (0.34 of 30 is 10.2 samples
    # of a class of 10: none added).
    X = np.column_stack([np.arange(40.0), np.arange(40) % 3])
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    sampler = clone(sampler).set_params(sampling_strategy=ratio)
    with pytest.raises(ValueError) as error:
        sampler.fit_resample(X, y)
    assert str(error.value) == (
        f"sampling_strategy={ratio!r} asks for {asked} samples of class 1 "
        f"({ratio:.6g} times the 30 of class 0), which has 10; a float is the "
        "ratio of the minority class to the majority after over-sampling, in "
        "(0, 1], and must add at least one sample: give at least "
        f"{least} here, or a dict or a callable of the number of samples of "
        "each class."
    )
    exact, rounded = (float(value.strip("(,")) for value in least.split()[:2])
    for given in (exact, rounded):
        resampled = clone(sampler).set_params(sampling_strategy=given)
        assert np.bincount(resampled.fit_resample(X, y)[1]).tolist() == [30, 11]
    below = clone(sampler).set_params(sampling_strategy=math.nextafter(exact, 0))
    with pytest.raises(ValueError, match=f"give at least {exact!r} "):
        below.fit_resample(X, y)


@pytest.mark.parametrize(
    ("counts", "least"), [((1450, 985), "0.68 here"), ((1475, 412), "0.28 here")]
)
def test_the_least_float_named_is_exact_where_the_product_rounds(counts, least):
    # 986 / 1450 is 0.68 and 1450 * 0.68 adds one sample, though 0.68 * 1e4
    # is 6800.000000000001 (and 0.28 * 1e4 is 2800.0000000000005): rounding
    # up to four decimals named 0.6801 and 0.2801.
    y = np.repeat([0, 1], counts)
    X = np.arange(y.size, dtype=float)[:, None]
    with pytest.raises(ValueError, match=f"give at least {least}"):
        SMOTE(sampling_strategy=0.01).fit_resample(X, y)
    exact = float(least.split()[0])
    y_res = SMOTE(sampling_strategy=exact, random_state=0).fit_resample(X, y)[1]
    assert np.bincount(y_res).tolist() == [counts[0], counts[1] + 1]


def test_a_float_on_two_balanced_classes_says_that_no_float_adds_a_sample():
    X = np.arange(20.0)[:, None]
    y = np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match="both classes have 10 samples, so no float"):
        SMOTE(sampling_strategy=1.0).fit_resample(X, y)
    # a float on more than two classes, NaN in X: the errors as before
    with pytest.raises(ValueError, match="can be a float only when the type"):
        SMOTE(sampling_strategy=0.5).fit_resample(
            np.arange(30.0)[:, None], np.repeat([0, 1, 2], [20, 6, 4])
        )
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTE(sampling_strategy=0.05).fit_resample(X, np.repeat([0, 1], [16, 4]))


@pytest.mark.parametrize(
    ("returned", "shown"),
    [
        (0.5, r"0.5 \(a float\)"),
        (None, "None"),
        ([20, 20], r"\[20, 20\] \(a list\)"),
        (pd.Series({0: 30, 1: 20}), "a Series"),
    ],
    ids=["ratio", "none", "list", "series"],
)
def test_a_callable_that_returns_no_dict_is_refused_by_what_it_returned(
    returned, shown
):
    # imbalanced-learn failed with "'float' object has no attribute 'keys'"
    # ("'NoneType'", "'list'"), and on a Series with "'numpy.ndarray' object is
    # not callable".
    X = np.arange(40.0)[:, None]
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    sampler = SMOTE(sampling_strategy=lambda y: returned)
    with pytest.raises(TypeError, match=rf"callable that returned {shown}; it must"):
        sampler.fit_resample(X, y)


def test_a_callable_target_below_its_count_names_the_class():
    # As for a dict: imbalanced-learn's message ("Originally, there is 30
    # samples and 20 samples are asked.") named no class. A callable that
    # fails raises its own error.
    X = np.arange(40.0)[:, None]
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    below = SMOTE(sampling_strategy=lambda y: {0: 20, 1: 20})
    with pytest.raises(ValueError, match="20 samples of class 0, which has 30;"):
        below.fit_resample(X, y)

    def fails(y):
        raise ValueError("no targets today")

    with pytest.raises(ValueError, match="^no targets today$"):
        SMOTE(sampling_strategy=fails).fit_resample(X, y)


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(), SMOTEN(), SMOTENC(categorical_features=[1])],
    ids=["SMOTE", "SMOTEN", "SMOTENC"],
)
def test_a_number_of_samples_as_a_0d_integer_tensor_is_an_integer(sampler):
    # np.array(20) was read as 20 but torch.tensor(20) was refused: "asks for
    # tensor(20) samples of class 1; a number of samples must be an integer"
    torch = pytest.importorskip("torch")
    X = np.column_stack([np.arange(40.0), np.arange(40) % 3])
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    expected = clone(sampler).set_params(random_state=0, sampling_strategy={1: 20})
    sampler = clone(sampler).set_params(
        random_state=0, sampling_strategy={1: torch.tensor(20)}
    )
    X_res, y_res = sampler.fit_resample(X, y)
    X_expected, y_expected = expected.fit_resample(X, y)
    assert Counter(y_res.tolist())[1] == 20
    np.testing.assert_array_equal(X_res, X_expected)
    np.testing.assert_array_equal(y_res, y_expected)
    float_tensor = clone(sampler).set_params(sampling_strategy={1: torch.tensor(20.0)})
    with pytest.raises(ValueError, match=r"asks for .* samples of class 1; a number"):
        float_tensor.fit_resample(X, y)


# --- distribution --------------------------------------------------------------


def _pair_counts(Z, X_class, k):
    """How often each unordered (sample, neighbour) segment carries a row of Z."""
    seeds, partners = _neighbour_table(X_class, k)
    starts, ends = X_class[seeds], X_class[partners]
    offset = Z[:, None, :] - starts[None]
    direction = ends - starts
    t = np.einsum("zij,ij->zi", offset, direction) / np.einsum(
        "ij,ij->i", direction, direction
    )
    residual = np.linalg.norm(offset - t[..., None] * direction, axis=2)
    segment = residual.argmin(axis=1)
    pair = np.sort(np.c_[seeds[segment], partners[segment]], axis=1)
    return Counter((pair[:, 0] * len(X_class) + pair[:, 1]).tolist())


def _same_law(first, second):
    """p-value of a chi-square test that two Counters share one distribution."""
    keys = sorted(set(first) | set(second))
    table = [[first.get(key, 0) for key in keys], [second.get(key, 0) for key in keys]]
    return stats.chi2_contingency(np.array(table)).pvalue


def test_synthetic_rows_are_distributed_as_imblearns(make_long_tail):
    X, y = make_long_tail(2, 9, n_max=360, n_features=4, random_state=3)
    X_class = X[y == 1]
    strategy = {1: len(X_class) + 4000}
    Z_lt = _synthetic(
        X, y, *SMOTE(sampling_strategy=strategy, random_state=1).fit_resample(X, y), 1
    )
    Z_imb = _synthetic(
        X,
        y,
        *ImblearnSMOTE(sampling_strategy=strategy, random_state=2).fit_resample(X, y),
        1,
    )
    # 1. the same law on projections and on the distance to the class centre
    direction = np.random.default_rng(0).standard_normal(X.shape[1])
    for stat in (
        lambda Z: Z @ direction,
        lambda Z: np.linalg.norm(Z - X_class.mean(axis=0), axis=1),
    ):
        assert stats.ks_2samp(stat(Z_lt), stat(Z_imb)).pvalue > 0.01
    # 2. the same frequencies of (sample, neighbour) segments
    lt = _pair_counts(Z_lt, X_class, 5)
    assert _same_law(lt, _pair_counts(Z_imb, X_class, 5)) > 0.01
    # the test has power: imbalanced-learn with k=2 is told apart
    Z_k2 = _synthetic(
        X,
        y,
        *ImblearnSMOTE(
            sampling_strategy=strategy, k_neighbors=2, random_state=2
        ).fit_resample(X, y),
        1,
    )
    assert _same_law(lt, _pair_counts(Z_k2, X_class, 5)) < 1e-6


# --- randomness ----------------------------------------------------------------


def test_adding_a_class_does_not_change_another_class_rows(make_long_tail):
    X, y = make_long_tail()
    keep = y != 2
    X_two, y_two = X[keep], y[keep]
    res_two = SMOTE(random_state=0).fit_resample(X_two, y_two)
    res_three = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(
        _synthetic(X_two, y_two, *res_two, 1), _synthetic(X, y, *res_three, 1)
    )


def test_classes_draw_from_independent_streams():
    # two classes of the same shape: imbalanced-learn, restarting one seed for
    # every class, gives them the same pattern; ltlearn must not
    rng = np.random.default_rng(0)
    base = rng.standard_normal((30, 3))
    X = np.vstack([rng.standard_normal((120, 3)) * 5, base, base + 100.0])
    y = np.repeat([0, 1, 2], [120, 30, 30])
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    first = _synthetic(X, y, X_res, y_res, 1)
    second = _synthetic(X, y, X_res, y_res, 2) - 100.0
    assert not np.allclose(first, second)


def test_same_random_state_same_rows_and_instance_advances(make_long_tail):
    X, y = make_long_tail()
    a = SMOTE(random_state=7).fit_resample(X, y)[0]
    b = SMOTE(random_state=7).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    rs = np.random.RandomState(7)
    smote = SMOTE(random_state=rs)
    c, d = smote.fit_resample(X, y)[0], smote.fit_resample(X, y)[0]
    assert not np.array_equal(c, d)


def test_only_the_seeds_drawn_are_searched(make_long_tail, monkeypatch):
    X, y = make_long_tail(2, 1, n_max=250)
    sizes = []

    def spy(X_search, queries, n_neighbors, **kwargs):
        sizes.append(len(queries))
        return _kneighbors(X_search, queries, n_neighbors, **kwargs)

    monkeypatch.setattr(smote_module, "_kneighbors", spy)
    counts = Counter(y)
    SMOTE(sampling_strategy={1: counts[1] + 10}, random_state=0).fit_resample(X, y)
    assert sizes and sizes[0] <= 10 < counts[1]


# --- small classes and noise ---------------------------------------------------


def test_a_small_class_uses_fewer_neighbours_with_a_warning(make_long_tail):
    X, y = make_long_tail()
    y = y.copy()
    y[np.flatnonzero(y == 2)[3:]] = 0  # class 2 keeps 3 samples
    with pytest.warns(
        UserWarning,
        match=r"Class 2 has 3 samples; k_neighbors=5 needs at least 6\. Using "
        r"k_neighbors=2 for this class",
    ) as record:
        X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    assert record[0].filename == __file__  # the caller's line
    assert Counter(y_res)[2] == Counter(y_res)[0]
    X_class = X[y == 2]
    starts, ends = _segments(X_class, 2)
    assert _on_segments(_synthetic(X, y, X_res, y_res, 2), starts, ends, 1e-9).all()


def test_a_one_sample_class_is_duplicated_with_a_warning(make_long_tail):
    X, y = make_long_tail()
    y = y.copy()
    y[np.flatnonzero(y == 2)[1:]] = 0
    with pytest.warns(UserWarning, match=r"Class 2 has 1 sample.*duplicated") as record:
        X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    assert record[0].filename == __file__
    Z = _synthetic(X, y, X_res, y_res, 2)
    assert len(Z) == Counter(y)[0] - 1
    np.testing.assert_array_equal(Z, np.broadcast_to(X[y == 2], Z.shape))


@pytest.mark.parametrize("k_neighbors", [5, 4])
def test_a_class_of_k_neighbors_or_fewer_uses_all_its_other_samples(k_neighbors):
    # Of the class (0, 0), (1, 0), (0, 1), (10, 10), the first and the last
    # are each other's farthest sample; only their segment meets the
    # diagonal beyond (1, 1), so rows there show that they are neighbours.
    X = np.r_[
        np.c_[np.arange(40.0), -np.arange(40.0)], [[0, 0], [1, 0], [0, 1], [10, 10]]
    ]
    y = np.repeat([0, 1], [40, 4])
    with pytest.warns(UserWarning, match=f"k_neighbors={k_neighbors} needs at least"):
        X_res, y_res = SMOTE(k_neighbors=k_neighbors, random_state=0).fit_resample(X, y)
    Z = _synthetic(X, y, X_res, y_res, 1)
    assert ((Z[:, 0] == Z[:, 1]) & (Z[:, 0] > 1.0)).any()


def test_a_class_of_k_neighbors_plus_one_samples_gives_no_warning():
    X = np.r_[np.arange(40.0), np.arange(6.0)][:, None]
    y = np.repeat([0, 1], [40, 6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)


@pytest.mark.parametrize(
    "sampler", [SMOTE(random_state=0), SMOTENC([3], random_state=0)]
)
def test_a_small_class_far_from_the_origin_gets_its_nearest_neighbours(sampler):
    # A class of up to 2 * (k_neighbors + 1) samples was searched by
    # scikit-learn, whose distances lose the differences of a feature of 1e9
    # plus or minus 1 (a timestamp in seconds): the samples interpolated other
    # points than the nearest, unlike those of the data shifted to 0.
    rng = np.random.default_rng(0)
    X = np.c_[rng.standard_normal((38, 3)), rng.integers(0, 2, 38)]
    y = np.repeat([0, 1], [30, 8])
    shift = np.array([1e9, 0.0, 0.0, 0.0])
    X_res, _ = clone(sampler).fit_resample(X, y)
    X_far, _ = clone(sampler).fit_resample(X + shift, y)
    np.testing.assert_allclose(X_far - shift, X_res, rtol=0, atol=1e-6)


def _noisy_data():
    rng = np.random.default_rng(0)
    majority = rng.standard_normal((200, 2))
    minority = rng.standard_normal((30, 2)) * 0.3 + [6.0, 6.0]
    noise = np.array([[0.0, 0.0]])  # a minority sample deep in the majority
    X = np.vstack([majority, minority, noise])
    y = np.repeat([0, 1, 1], [200, 30, 1])
    return X, y, noise[0]


@pytest.mark.parametrize("skip_noise", [False, True])
def test_skip_noise_keeps_noise_samples_out_of_the_seeds(make_long_tail, skip_noise):
    X, y, noise = _noisy_data()
    X_res, y_res = SMOTE(skip_noise=skip_noise, random_state=0).fit_resample(X, y)
    Z = _synthetic(X, y, X_res, y_res, 1)
    # the noise sample is far from the clean ones: it is in no clean sample's
    # neighbourhood, so a row near its segments can only come from it as a seed
    from_noise = np.linalg.norm(Z - noise, axis=1) < 3.0
    assert from_noise.any() != skip_noise
    assert len(Z) == 200 - 31


def test_skip_noise_with_only_noise_falls_back_with_a_warning(make_long_tail):
    X, y, _ = _noisy_data()
    y = y.copy()
    y[200:230] = 0  # class 1 keeps the noise sample and gains a majority one
    y[5] = 1
    with pytest.warns(UserWarning, match="Every sample of class 1 is noise") as record:
        _, y_res = SMOTE(k_neighbors=1, skip_noise=True).fit_resample(X, y)
    assert record[0].filename == __file__
    assert Counter(y_res)[1] == Counter(y_res)[0]


def test_skip_noise_keeps_samples_with_a_neighbour_of_their_class():
    # Noise is a sample whose neighbours are all of other classes; samples
    # with some neighbours of their class, interleaved with the majority on a
    # line (2 of their 5 nearest neighbours are of class 1), all stay seeds.
    X = np.r_[np.arange(20.0), np.arange(-10.0, 30.0) + 0.5][:, None]
    y = np.repeat([1, 0], [20, 40])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, y_res = SMOTE(skip_noise=True, random_state=0).fit_resample(X, y)
    X_ref, y_ref = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)


def test_skip_noise_on_fewer_samples_than_the_neighbours():
    # the noise search among all samples asks for at most all of them
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    y = np.array([0, 0, 0, 1, 1])
    with pytest.warns(UserWarning, match="Class 1 has 2 samples"):
        X_res, y_res = SMOTE(skip_noise=True, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [3, 3]
    assert 10.0 <= X_res[-1, 0] <= 11.0


@pytest.mark.parametrize("sparse_input", [False, True])
def test_skip_noise_on_balanced_classes_returns_the_data(sparse_input):
    # no class to grow: no noise search over an empty set of classes
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    X_in = sparse.csr_matrix(X) if sparse_input else X
    X_res, y_res = SMOTE(skip_noise=True, random_state=0).fit_resample(X_in, y)
    X_res = X_res.toarray() if sparse_input else X_res
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)


def test_a_class_given_no_new_sample_is_left_alone():
    # A class whose target is its count is not over-sampled: no warning that
    # its one sample is duplicated 0 times, no draw
    X = np.r_[np.arange(30.0), [100.0]][:, None]
    y = np.repeat([0, 1, 2], [20, 10, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, y_res = SMOTE(
            sampling_strategy={1: 20, 2: 1}, random_state=0
        ).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [20, 20, 1]


# --- data types ----------------------------------------------------------------


@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
@pytest.mark.parametrize("n_features", [4, 24])
def test_float32_stays_float32_with_the_samples_of_float64(
    make_long_tail, n_features, container
):
    # The steps were drawn as float32 for float32 data: another stream, so
    # the same random_state gave other samples than on float64 data.
    X, y = make_long_tail(n_features=n_features)
    X_64, y_64 = SMOTE(random_state=0).fit_resample(container(X), y)
    X_res, y_res = SMOTE(random_state=0).fit_resample(
        container(X.astype(np.float32)), y
    )
    assert X_res.dtype == np.float32 and y_res.dtype == y.dtype
    np.testing.assert_array_equal(y_res, y_64)
    if sparse.issparse(X_res):
        X_res, X_64 = X_res.toarray(), X_64.toarray()
    np.testing.assert_allclose(X_res, X_64, rtol=1e-5, atol=1e-6)


def test_float16_stays_float16_with_fractional_values(make_long_tail):
    # float16 went through the integer path and failed with "Invalid integer
    # data type 'f'"; imbalanced-learn keeps float16.
    X, y = make_long_tail()
    X_16 = (X * 10).astype(np.float16)
    X_64, _ = SMOTE(random_state=0).fit_resample(X_16.astype(np.float64), y)
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_16, y)
    assert X_res.dtype == np.float16
    np.testing.assert_array_equal(X_res[: len(y)], X_16)
    np.testing.assert_array_equal(X_res, X_64.astype(np.float16))


def test_integer_data_is_truncated_like_imblearn(make_long_tail):
    X, y = make_long_tail()
    X_int = np.round(X * 10).astype(np.int64)
    X_res, _ = SMOTE(random_state=0).fit_resample(X_int, y)
    assert X_res.dtype == np.int64


@pytest.mark.parametrize(
    "container", [sparse.csr_matrix, sparse.csc_matrix, sparse.csr_array]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_matches_dense(make_long_tail, container, dtype):
    X, y = make_long_tail()
    X = X.astype(dtype)
    X[X < 0] = 0  # some sparsity
    X_dense, y_dense = SMOTE(random_state=0).fit_resample(X, y)
    X_sp, y_sp = SMOTE(random_state=0).fit_resample(container(X), y)
    assert sparse.issparse(X_sp) and X_sp.format == container(X).format
    assert X_sp.dtype == dtype
    np.testing.assert_array_equal(y_sp, y_dense)
    np.testing.assert_allclose(X_sp.toarray(), X_dense, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint32, np.uint64, np.int8, np.int16, np.int64]
)
@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_integers_do_not_wrap_around(dtype, container):
    # the differences were taken in the data's own dtype: 3 - 5 is 254 in
    # uint8, and signed values spanning more than half their range overflow,
    # so synthetic values fell far outside their segments
    info = np.iinfo(dtype)
    rng = np.random.RandomState(0)
    X = rng.randint(info.min, min(info.max, 2**31 - 1), (40, 4)).astype(dtype)
    X[rng.rand(*X.shape) < 0.3] = 0
    y = np.repeat([0, 1], [30, 10])
    # every other row of the class is a neighbour: far partners are drawn
    smote = SMOTE(k_neighbors=9, random_state=0)
    expected, _ = smote.fit_resample(X, y)
    X_res, _ = smote.fit_resample(container(X), y)
    assert X_res.dtype == dtype
    np.testing.assert_array_equal(X_res.toarray(), expected)
    new_rows = X_res.toarray()[40:]
    assert (new_rows >= X[30:].min(axis=0)).all()
    assert (new_rows <= X[30:].max(axis=0)).all()


def _near_the_top_of_64_bits():
    """Columns of 64-bit integers near the top of their range, and y."""
    rng = np.random.RandomState(0)
    gaps = rng.randint(0, 600, 12)  # most round to 2**63 (2**64) as floats
    columns = {
        "top of int64": np.iinfo(np.int64).max - gaps.astype(np.int64),
        "top of uint64": np.iinfo(np.uint64).max - gaps.astype(np.uint64),
    }
    return columns, np.repeat([0, 1], [4, 8])


@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
def test_64_bit_integers_near_their_top_do_not_wrap_around(container):
    # float64 rounds them: a value between two near the top rounded up to
    # 2**63 (2**64), which the cast back wrapped around to the bottom
    columns, y = _near_the_top_of_64_bits()
    for name, values in columns.items():
        X = np.column_stack([values, np.ones_like(values)])
        smote = SMOTE(k_neighbors=3, sampling_strategy={1: 60}, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            X_res, _ = smote.fit_resample(container(X), y)
        new = (X_res.toarray() if sparse.issparse(X_res) else X_res)[12:, 0]
        assert X_res.dtype == values.dtype
        assert (new >= values[4:].min() - 2048).all(), name


@pytest.mark.parametrize(
    "container", [np.asarray, pd.DataFrame, sparse.csr_matrix, sparse.csc_array]
)
@pytest.mark.parametrize(
    "start", [2**62 + 1, -(2**62) - 1, np.iinfo(np.uint64).max - 20]
)
def test_64_bit_integers_beyond_float64_stay_on_their_segments(container, start):
    # float64 rounds integers beyond 2**53 (to multiples of 1024 near 2**62):
    # a class of copies of 2**62 + 1 got 2**62, and ids a few apart came back
    # below the smallest of their class
    dtype = np.uint64 if start > np.iinfo(np.int64).max else np.int64
    y = np.repeat([0, 1], [8, 4])
    copies = np.full(12, start, dtype=dtype)
    ids = copies - 3 * np.arange(12, dtype=dtype)
    X = np.column_stack([copies, ids])
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(container(X), y)
    new = (X_res.toarray() if sparse.issparse(X_res) else np.asarray(X_res))[12:]
    assert new.dtype == dtype
    assert (new[:, 0] == start).all()
    assert (new[:, 1] >= X[8:, 1].min()).all()
    assert (new[:, 1] <= X[8:, 1].max()).all()
    assert np.unique(new[:, 1]).size > 1


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_64_bit_integer_steps_truncate_the_exact_values_toward_zero(dtype):
    # b + u * (d - b) in exact arithmetic, truncated toward zero as
    # imbalanced-learn's cast truncates, on segments of every width
    info = np.iinfo(dtype)
    rng = np.random.RandomState(0)
    ends = [info.min, info.max, 0, 1, 2**62 + 1, 2**53 + 3]
    ends += [-(2**62) - 1, -5] if info.min < 0 else [info.max - 7]
    b, d = (np.array(pair, dtype=dtype) for pair in zip(*product(ends, ends)))
    steps = rng.uniform(size=b.size)
    steps[:5] = [0.0, 0.5, 0.25, np.nextafter(1.0, 0), 2.0**-53]
    got = _integer_steps(b, d, steps)
    for b_i, d_i, u, value in zip(b.tolist(), d.tolist(), steps, got.tolist()):
        gap = min(Fraction(float(u * float(abs(d_i - b_i)))), abs(d_i - b_i))
        assert value == int(b_i + (gap if d_i >= b_i else -gap)), (b_i, d_i, u)


def test_sparse_64_bit_integers_beyond_float64_are_not_made_dense():
    # their synthetic rows were built densely, many dense rows at a time:
    # 292 MiB (and seconds) for 4 rows of a 12-row matrix of 2**22 columns
    n_features = 2**22
    X = sparse.csr_matrix(
        (2**62 + np.arange(12), (np.arange(12), np.arange(12) * 9973)),
        shape=(12, n_features),
    )
    y = np.repeat([0, 1], [8, 4])
    tracemalloc.start()
    try:
        X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < n_features * 8  # less than one dense row of int64
    new = X_res[12:]
    assert new.dtype == np.int64 and new.nnz <= 8
    assert (new.data > 0).all() and (new.data <= 2**62 + 11).all()


def test_smotenc_64_bit_integers_near_their_top_do_not_wrap_around():
    columns, y = _near_the_top_of_64_bits()
    values = columns["top of int64"]
    X = np.column_stack([values, np.arange(12) % 2])
    smotenc = SMOTENC([1], k_neighbors=3, sampling_strategy={1: 60}, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        X_res, _ = smotenc.fit_resample(X, y)
    assert (X_res[12:, 0] >= values[4:].min() - 2048).all()


def test_64_bit_integer_columns_of_a_frame_do_not_wrap_around():
    # a frame of integers only is resampled as integers, but its columns were
    # truncated, which NumPy 1.25 does in float64: values near the top
    # rounded up to 2**63 (2**64), which wrapped around to the bottom
    columns, y = _near_the_top_of_64_bits()
    smote = SMOTE(k_neighbors=3, sampling_strategy={1: 60}, random_state=0)
    for name, values in columns.items():
        X = pd.DataFrame({"a": values, "b": np.ones_like(values)})
        X_res, _ = smote.fit_resample(X, y)
        assert (X_res.dtypes == values.dtype).all()
        assert (X_res["a"].to_numpy()[12:] >= values[4:].min() - 2048).all(), name


def _with_split_entries(X, container):
    """``container(X)`` storing each nonzero as two halves (non-canonical)."""
    canonical = sparse.csr_matrix(X) if container(X).format == "csr" else None
    canonical = sparse.csc_matrix(X) if canonical is None else canonical
    indptr = 2 * canonical.indptr
    indices = np.repeat(canonical.indices, 2)
    data = np.repeat(canonical.data / 2, 2)
    split = container((data, indices, indptr), shape=X.shape)
    assert not split.has_canonical_format
    return split


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_entries_stored_twice_give_the_dense_result(make_long_tail, container):
    # scikit-learn's distances took the squared norm of a row from its stored
    # entries (two halves: half the norm), so other neighbours were found
    X, y = make_long_tail()
    X[X < 0] = 0
    X_split = _with_split_entries(X, container)
    data, indices = X_split.data.copy(), X_split.indices.copy()
    expected, y_expected = SMOTE(random_state=0).fit_resample(X, y)
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_split, y)
    np.testing.assert_array_equal(y_res, y_expected)
    np.testing.assert_allclose(X_res.toarray(), expected, rtol=1e-12)
    assert X_res.format == X_split.format
    np.testing.assert_array_equal(X_split.data, data)
    np.testing.assert_array_equal(X_split.indices, indices)


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_input_keeps_no_cached_flags(make_long_tail, container):
    # reading has_canonical_format cached it (and has_sorted_indices) on the
    # caller's matrix, where it outlived the caller's edits of its indices
    X, y = make_long_tail()
    X[X < 0] = 0
    X_sp = container(X)
    SMOTE(random_state=0).fit_resample(X_sp, y)
    for i in range(X_sp.indptr.size - 1):  # each row (column) reversed in place
        part = slice(X_sp.indptr[i], X_sp.indptr[i + 1])
        X_sp.indices[part] = X_sp.indices[part][::-1]
        X_sp.data[part] = X_sp.data[part][::-1]
    assert not X_sp.has_sorted_indices
    assert not X_sp.has_canonical_format
    np.testing.assert_array_equal(X_sp.toarray(), X)


def test_pandas_in_pandas_out(make_long_tail):
    X, y = make_long_tail()
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y_s = pd.Series(y, name="target")
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list(X_df)
    assert isinstance(y_res, pd.Series) and y_res.name == "target"
    X_np, y_np = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res.to_numpy(), X_np)
    np.testing.assert_array_equal(y_res.to_numpy(), y_np)


@pytest.mark.parametrize("int_dtype", ["int64", "Int64", "UInt16"])
def test_integer_frame_columns_are_truncated_for_every_integer_dtype(int_dtype):
    # a pandas nullable "Int64" column failed with "cannot safely cast
    # non-equivalent float64 to int64" (as in imbalanced-learn)
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(size=40), rng.randint(0, 50, 40)])
    y = np.repeat([0, 1], [30, 10])
    frame = pd.DataFrame({"f": X[:, 0], "n": pd.array(X[:, 1], dtype=int_dtype)})
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(frame, y)
    assert list(X_res.dtypes) == list(frame.dtypes)
    expected, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res["f"], expected[:, 0])
    np.testing.assert_array_equal(X_res["n"].to_numpy(float), np.trunc(expected[:, 1]))
    np.testing.assert_array_equal(X_res["n"][:40].to_numpy(float), X[:, 1])


@pytest.mark.parametrize("bool_dtype", ["bool", "boolean"])
def test_boolean_frame_columns_take_the_nearer_value(bool_dtype):
    # a bool column came back True wherever the seed or its neighbour was
    # True (any value above 0 cast to True); a nullable "boolean" column
    # failed with "Need to pass bool-like values" (as in imbalanced-learn)
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(size=40), rng.randint(0, 2, 40)]).astype(float)
    y = np.repeat([0, 1], [30, 10])
    frame = pd.DataFrame({"f": X[:, 0], "b": pd.array(X[:, 1] > 0, dtype=bool_dtype)})
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(frame, y)
    assert list(X_res.dtypes) == list(frame.dtypes)
    expected, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res["f"], expected[:, 0])
    np.testing.assert_array_equal(X_res["b"].to_numpy(bool), expected[:, 1] > 0.5)


@pytest.mark.parametrize("int_dtype", [np.int64, np.uint8])
def test_boolean_columns_beside_integers_only_take_the_nearer_value(int_dtype):
    # a frame of integer and bool columns only was interpolated as integers,
    # truncated: a pair of False and True always gave False
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(0, 50, 40), rng.randint(0, 2, 40)])
    y = np.repeat([0, 1], [30, 10])
    frame = pd.DataFrame({"n": X[:, 0].astype(int_dtype), "b": X[:, 1] > 0})
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(frame, y)
    assert list(X_res.dtypes) == list(frame.dtypes)
    expected, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(X * 1.0, y)
    np.testing.assert_array_equal(X_res["n"], np.trunc(expected[:, 0]))
    np.testing.assert_array_equal(X_res["b"], expected[:, 1] > 0.5)


@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
def test_boolean_arrays_take_the_nearer_value(container):
    rng = np.random.RandomState(0)
    X = rng.randint(0, 2, (40, 3)).astype(bool)
    y = np.repeat([0, 1], [30, 10])
    X_res, y_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(container(X), y)
    assert X_res.dtype == bool
    expected, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(
        container(X.astype(float)), y
    )
    if sparse.issparse(X_res):
        assert X_res.format == "csr" and X_res.nnz == X_res.count_nonzero()
        X_res, expected = X_res.toarray(), expected.toarray()
    np.testing.assert_array_equal(X_res, expected > 0.5)
    assert 0.2 < X_res[40:].mean() < 0.8  # True as often as in the class


def test_fit_resample_sets_the_attributes_imblearn_sets():
    # the integer columns of a frame stayed on the sampler after fit_resample
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [30, 10])
    frame = pd.DataFrame({"f": rng.normal(size=40), "n": rng.randint(0, 50, 40)})
    ours, theirs = SMOTE(k_neighbors=3), ImblearnSMOTE(k_neighbors=3)
    params = set(vars(ours))
    theirs.fit_resample(frame, y)
    ours.fit_resample(frame, y)
    assert set(vars(ours)) - params == set(vars(theirs)) - set(vars(ImblearnSMOTE()))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ours.fit_resample(frame, y[:-1])
    assert set(vars(ours)) == params  # a failed fit leaves it unfitted


@pytest.mark.parametrize("kind", ["frame", "bool array"])
def test_a_sampler_shared_by_threads_rounds_each_calls_own_columns(kind):
    # the integer and boolean columns of a frame (every column of a boolean
    # array) were noted on the sampler and dropped when a call ended: a call
    # still resampling in another thread then left them unrounded ("cannot
    # safely cast non-equivalent float64 to int64" for an Int64 column, True
    # for any value above 0 in a bool one)
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [30, 10])
    frame = pd.DataFrame(
        {
            "f": rng.normal(size=40),
            "n": pd.array(rng.randint(0, 50, 40), dtype="Int64"),
            "b": rng.randint(0, 2, 40) > 0,
        }
    )
    if kind == "bool array":
        frame = rng.randint(0, 2, size=(40, 3)) > 0
    searches = []

    class OtherCallMeanwhile(NearestNeighbors):
        # the first search of the first call waits for a whole second call
        def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
            if not searches:
                searches.append(
                    threading.Thread(target=sampler.fit_resample, args=(frame, y))
                )
                searches[0].start()
                searches[0].join()
            return super().kneighbors(X, n_neighbors, return_distance)

    sampler = SMOTE(k_neighbors=OtherCallMeanwhile(n_neighbors=4), random_state=0)
    X_res, y_res = sampler.fit_resample(frame, y)
    assert len(searches) == 1
    expected, _ = SMOTE(
        k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0
    ).fit_resample(frame, y)
    if kind == "frame":
        pd.testing.assert_frame_equal(X_res, expected)
    else:
        np.testing.assert_array_equal(X_res, expected)


def test_fit_sets_the_attributes_imblearn_sets():
    # fit left the integer and boolean columns of a frame on the sampler
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [30, 10])
    frame = pd.DataFrame(
        {"f": rng.normal(size=40), "n": rng.randint(0, 50, 40), "b": y == 1}
    )
    ours, theirs = SMOTE(k_neighbors=3), ImblearnSMOTE(k_neighbors=3)
    params = set(vars(ours))
    theirs.fit(frame, y)
    assert ours.fit(frame, y) is ours
    assert set(vars(ours)) - params == set(vars(theirs)) - set(vars(ImblearnSMOTE()))
    assert ours.sampling_strategy_ == theirs.sampling_strategy_


def test_a_category_column_of_strings_is_refused_by_name():
    # check_array lets a category column through as objects: the error was a
    # TypeError of np.max ("'>=' not supported between 'float' and 'str'")
    y = np.repeat([0, 1], [14, 6])
    frame = pd.DataFrame(
        {"x": np.arange(20.0), "c": pd.Categorical(["u", "v"] * 10), "s": 1}
    )
    with pytest.raises(ValueError, match=r"columns \['c'\] of X hold non-numeric"):
        SMOTE(k_neighbors=3).fit_resample(frame, y)


def test_a_category_column_of_numbers_is_refused_by_name():
    # its values were interpolated and cast back to the categories: a value
    # between two categories came back missing (NaN), as in imbalanced-learn
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [28, 12])
    frame = pd.DataFrame(
        {"x": rng.normal(size=40), "c": pd.Categorical(rng.randint(0, 5, 40))}
    )
    with pytest.raises(ValueError, match=r"columns \['c'\] of X hold non-numeric"):
        SMOTE(k_neighbors=3, random_state=0).fit_resample(frame, y)
    # a numeric dtype interpolates it
    frame["c"] = frame["c"].astype(int)
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(frame, y)
    assert X_res["c"].dtype == int and X_res["c"].notna().all()


@pytest.mark.parametrize("dtype", [object, "string"])
def test_a_string_column_is_refused_by_name(dtype):
    # check_array failed on it with "could not convert string to float: 'u'";
    # None in an object column of numbers stays a missing value
    y = np.repeat([0, 1], [14, 6])
    frame = pd.DataFrame({"x": np.arange(20.0), "s": 1.0})
    frame["s"] = frame["s"].astype(object)
    frame["w"] = pd.Series(["u", "v"] * 10, dtype=dtype)
    with pytest.raises(ValueError, match=r"columns \['w'\] of X hold non-numeric"):
        SMOTE(k_neighbors=3).fit_resample(frame, y)
    frame["w"] = pd.Series([1, None] * 10, dtype=object)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTE(k_neighbors=3).fit_resample(frame, y)


@pytest.mark.parametrize(
    "dtype, missing",
    [("float64", np.nan), ("Float64", pd.NA), ("boolean", pd.NA), (object, None)],
)
def test_smote_names_the_columns_with_missing_values(dtype, missing):
    # "Input X contains NaN." did not say which column of a table held it
    y = np.repeat([0, 1], [14, 6])
    frame = pd.DataFrame({"x": np.arange(20.0), "m": [True, False] * 10})
    frame = frame.astype({"m": dtype})
    frame.loc[3, "m"] = missing
    with pytest.raises(ValueError, match="NaN: the column 'm' holds missing"):
        SMOTE(k_neighbors=3).fit_resample(frame, y)
    frame.loc[4, "x"] = np.nan
    with pytest.raises(ValueError, match="NaN: the columns 'x', 'm' hold missing"):
        SMOTE(k_neighbors=3).fit_resample(frame, y)
    with pytest.raises(ValueError, match="NaN: the column 1 holds missing"):
        SMOTE(k_neighbors=3).fit_resample(np.c_[np.arange(20.0), y * np.nan], y)


def test_a_string_or_date_column_of_a_pyarrow_table_is_refused_by_name():
    # check_array made an object array of a table of numbers and strings, on
    # which the search failed with "'>=' not supported between instances of
    # 'float' and 'str'" (imbalanced-learn: "could not convert string to
    # float"); a date column failed with NumPy's DTypePromotionError
    pa = pytest.importorskip("pyarrow")
    y = np.repeat([0, 1], [14, 6])
    columns = {
        "x": np.arange(20.0),
        "n": pa.array(np.arange(20), type=pa.int8()),
        "s": ["u", "v"] * 10,
        "c": pa.array(["u", "v"] * 10).dictionary_encode(),
        "d": pa.array(pd.date_range("2020-01-01", periods=20).date),
    }
    with pytest.raises(ValueError, match=r"columns \['s', 'c', 'd'\] of X hold non-"):
        SMOTE(k_neighbors=3).fit_resample(pa.table(columns), y)
    # a column of nulls failed with "'>=' not supported ... 'NoneType'"
    nulls = pa.table({"x": columns["x"], "z": pa.nulls(20)})
    with pytest.raises(ValueError, match="the column 'z' holds missing values"):
        SMOTE(k_neighbors=3).fit_resample(nulls, y)
    numbers = pa.table({"x": columns["x"], "n": columns["n"]})
    X_res, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(numbers, y)
    X_np, _ = SMOTE(k_neighbors=3, random_state=0).fit_resample(
        np.c_[columns["x"], np.arange(20)], y
    )
    np.testing.assert_array_equal(X_res, X_np)


def _object_array(*columns):
    """An object array of 20 rows holding the given columns."""
    X = np.empty((20, len(columns)), dtype=object)
    for j, column in enumerate(columns):
        X[:, j] = column
    return X


def test_a_string_column_of_an_object_array_is_refused_by_name():
    # check_array converts an object array to floats: the error was "could not
    # convert string to float: 'u'"; None in a column of numbers stays missing
    y = np.repeat([0, 1], [14, 6])
    X = _object_array(np.arange(20.0), 1, ["u", "v"] * 10)
    with pytest.raises(ValueError, match=r"columns \[2\] of X hold non-numeric"):
        SMOTE(k_neighbors=3).fit_resample(X, y)
    X[:, 2] = [1, None] * 10
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTE(k_neighbors=3).fit_resample(X, y)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("missing", [pd.NA, pd.NaT])
@pytest.mark.parametrize("container", [np.asarray, pd.DataFrame])
def test_a_missing_value_among_objects_is_named_as_missing(container, missing):
    # pd.NA among the numbers of an object column failed with NumPy's "float()
    # argument must be a string or a real number, not 'NAType'" in an array and
    # was refused as "non-numeric values (categories, strings, dates)" in a
    # DataFrame, as None and NaN are named
    y = np.repeat([0, 1], [14, 6])
    X = container(_object_array(np.arange(20.0), [1.0, missing] * 10))
    with pytest.raises(ValueError, match="NaN: the column 1 holds missing values"):
        SMOTE(k_neighbors=3).fit_resample(X, y)
    # a string column beside it is named alone, as non-numeric
    X = container(_object_array(["u", "v"] * 10, [1.0, missing] * 10))
    with pytest.raises(ValueError, match=r"columns \[0\] of X hold non-numeric"):
        SMOTE(k_neighbors=3).fit_resample(X, y)
    # an object that is neither text nor a number keeps NumPy's TypeError in an
    # array, as scikit-learn's check_dtype_object asks; np.matrix its refusal
    X = _object_array(np.arange(20.0), [{"a": 1}, 1.0] * 10)
    with pytest.raises(TypeError, match="argument must be a string.* number"):
        SMOTE(k_neighbors=3).fit_resample(X, y)
    X[:, 1] = missing
    with pytest.raises(TypeError, match="np.matrix is not supported"):
        SMOTE(k_neighbors=3).fit_resample(np.matrix(X), y)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_an_object_array_is_named_only_once_check_array_refuses_it():
    # the columns were tried as floats before scikit-learn's checks, whose
    # own refusal of an np.matrix gave way to the naming of a string column
    y = np.repeat([0, 1], [14, 6])
    X = _object_array(np.arange(20.0), ["u", "v"] * 10)
    with pytest.raises(TypeError, match="np.matrix is not supported"):
        SMOTE(k_neighbors=3).fit_resample(np.matrix(X), y)


@pytest.mark.parametrize("target", ["15", None])
def test_a_target_that_is_not_a_number_is_refused_by_class(target):
    # imbalanced-learn's check compared it with the class count: "'<' not
    # supported between instances of 'str' and 'int'"
    X = np.arange(30.0).reshape(15, 2)
    y = np.repeat([0, 1], [10, 5])
    match = rf"asks for {target!r} samples of class 1; a number of samples"
    for sampler in (SMOTE(), SMOTEN()):
        sampler.set_params(sampling_strategy={1: target}, k_neighbors=2)
        with pytest.raises(TypeError, match=match):
            sampler.fit_resample(X, y)
    # an error of another check is left as it is
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTE(sampling_strategy={1: target}, k_neighbors=2).fit_resample(X, y)


@pytest.mark.parametrize("sampler", [SMOTE(), SMOTEN()], ids=["SMOTE", "SMOTEN"])
def test_missing_labels_are_refused_by_row(sampler):
    # imbalanced-learn's checks said "Unknown label type: unknown"
    X = np.tile(np.arange(10.0), (4, 1)).T
    y = pd.Series(["a"] * 7 + [None, "b", "b"], dtype=object)
    with pytest.raises(ValueError, match=r"1 missing label .* at row 7:"):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize(
    "sampler", [SMOTE(), SMOTENC([1]), SMOTEN()], ids=["SMOTE", "SMOTENC", "SMOTEN"]
)
def test_a_polars_frame_is_refused_before_resampling(sampler):
    # imbalanced-learn rebuilt the resampled X as a pandas frame of polars'
    # dtypes and failed with "Field elements must be 2- or 3-tuples, got
    # 'Float64'", after the work; fit, which returns no rows, takes it
    pl = pytest.importorskip("polars")
    X = pl.DataFrame({"a": np.arange(12.0), "b": np.arange(12.0) % 3})
    y = np.repeat([0, 1], [8, 4])
    with pytest.raises(TypeError, match=r"fit_resample takes .* polars DataFrame"):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sampling_strategy_")
    clone(sampler).fit(X, y)


@pytest.mark.parametrize(
    "sampler", [SMOTE(), SMOTENC([1]), SMOTEN()], ids=["SMOTE", "SMOTENC", "SMOTEN"]
)
def test_a_polars_frame_y_comes_back_one_hot_or_is_refused(sampler):
    # a one-hot polars y came back as an array; one of a single column of
    # labels failed after the work, as in imbalanced-learn, with "Field
    # elements must be 2- or 3-tuples, got 'Int64'"
    pl = pytest.importorskip("polars")
    rng = np.random.RandomState(0)
    X = np.c_[rng.randn(60), rng.randint(0, 3, 60)]
    y = np.repeat([0, 1, 2], [30, 20, 10])
    sampler = clone(sampler).set_params(random_state=0)
    one_hot = pl.DataFrame(np.eye(3, dtype=np.int64)[y], schema=list("abc"))
    one_hot = one_hot.cast({"a": pl.Boolean, "b": pl.UInt8})
    X_res, y_res = sampler.fit_resample(X, one_hot)
    X_exp, y_exp = clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_exp)
    assert isinstance(y_res, pl.DataFrame) and y_res.schema == one_hot.schema
    np.testing.assert_array_equal(y_res.to_numpy().argmax(axis=1), y_exp)
    with pytest.raises(TypeError, match="y is a polars DataFrame of 1 column"):
        sampler.fit_resample(X, pl.DataFrame({"label": y}))
    assert not hasattr(sampler, "sampling_strategy_")
    # more columns, not one-vs-all, are refused as those of other containers
    with pytest.raises(ValueError, match="y should be a 1d array"):
        sampler.fit_resample(X, pl.DataFrame({"a": y, "b": y}))


def _one_hot(y, n_columns, container):
    """``y`` one-hot encoded in ``n_columns`` columns, as ``container`` holds it."""
    encoded = np.eye(n_columns, dtype=np.int64)[y]
    if container == "frame":  # as pd.get_dummies gives it
        return pd.DataFrame(encoded.astype(bool), columns=list("abcd")[:n_columns])
    return encoded.tolist() if container == "list" else encoded


@pytest.mark.parametrize(
    "sampler", [SMOTE(), SMOTENC([1]), SMOTEN()], ids=["SMOTE", "SMOTENC", "SMOTEN"]
)
@pytest.mark.parametrize(
    "n_classes, n_columns, container",
    [(2, 2, "array"), (3, 4, "array"), (3, 3, "list"), (3, 3, "frame")],
)
def test_a_one_hot_y_comes_back_one_hot_in_its_columns(
    sampler, n_classes, n_columns, container
):
    # imbalanced-learn gave two columns back as one and dropped a column
    # never set; it failed on lists and on a DataFrame (pd.get_dummies)
    rng = np.random.RandomState(0)
    X = np.c_[rng.randn(60), rng.randint(0, 3, 60)]
    y = np.repeat(np.arange(n_classes), [40, 20] if n_classes == 2 else [30, 20, 10])
    sampler = clone(sampler).set_params(random_state=0)
    X_res, y_res = sampler.fit_resample(X, _one_hot(y, n_columns, container))
    X_exp, y_exp = clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_exp)
    assert type(y_res) is type(_one_hot(y, n_columns, container))
    np.testing.assert_array_equal(
        np.asarray(y_res), np.asarray(_one_hot(y_exp, n_columns, container))
    )


@pytest.mark.parametrize(
    "sampler", [SMOTE(), SMOTENC([1]), SMOTEN()], ids=["SMOTE", "SMOTENC", "SMOTEN"]
)
@pytest.mark.parametrize("one_hot", [False, True])
def test_a_y_read_only_through_array_is_resampled_as_its_array(sampler, one_hot):
    # A y that converts through __array__ and refuses NumPy's functions
    # (scikit-learn's _NotAnArray, which check_estimator gives a pipeline of
    # the sampler and a classifier) failed with "Don't want to call
    # array_function shape!"; imbalanced-learn's samplers take it.
    rng = np.random.RandomState(0)
    X = np.c_[rng.randn(40), rng.randint(0, 3, 40)]
    y = np.repeat([0, 1], [28, 12])
    if one_hot:
        y = np.eye(2, dtype=np.int64)[y]
    sampler = clone(sampler).set_params(random_state=0)
    expected = clone(sampler).fit_resample(X, y)
    X_res, y_res = sampler.fit_resample(X, _NotAnArray(y))
    np.testing.assert_array_equal(X_res, expected[0])
    np.testing.assert_array_equal(y_res, expected[1])
    assert clone(sampler).fit(X, _NotAnArray(y)).sampling_strategy_ == {1: 16}


def test_the_polars_refusal_needs_no_polars_install(monkeypatch):
    # The refusal is tested where polars is not installed too (as in CI): a
    # loaded module named polars whose DataFrame is X. The refusal comes
    # before any of scikit-learn's checks, which would look further into it.
    class DataFrame(np.ndarray):
        pass

    fake = types.ModuleType("polars")
    fake.DataFrame = DataFrame
    X = np.c_[np.arange(12.0), np.arange(12.0) % 3]
    y = np.repeat([0, 1], [8, 4])
    smote = SMOTE(k_neighbors=3, random_state=0)
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "polars", fake)
        with pytest.raises(TypeError, match="X is a polars DataFrame"):
            smote.fit_resample(X.view(DataFrame), y)
    assert not hasattr(smote, "sampling_strategy_")
    assert len(smote.fit_resample(X.view(DataFrame), y)[0]) == 16


def test_a_polars_output_before_the_sampler_is_refused_with_its_remedy():
    # A pipeline's transformer set to output polars (scikit-learn's
    # transform_output="polars") hands the sampler a polars frame: the error
    # says to have it output pandas, which resamples as before.
    pytest.importorskip("polars")
    X, y = np.c_[np.arange(12.0), np.arange(12.0) % 3], np.repeat([0, 1], [8, 4])
    smote = SMOTE(k_neighbors=3, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("smote", smote)])
    with pytest.raises(TypeError, match=r"set_output\(transform='pandas'\)"):
        pipe.set_output(transform="polars").fit_resample(X, y)
    X_res, _ = pipe.set_output(transform="pandas").fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and len(X_res) == 16


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(random_state=0), SMOTENC([1], random_state=0), SMOTEN(random_state=0)],
    ids=["SMOTE", "SMOTENC", "SMOTEN"],
)
def test_equal_labels_of_other_dtypes_draw_the_same_rows(sampler):
    # the label 1 of a float, a pandas nullable Int64 (read as float) or a
    # boolean array keyed another stream than the integer 1: other rows
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.standard_normal(40), rng.integers(0, 3, 40)])
    y = np.repeat([0, 1], [30, 10])
    expected = sampler.fit_resample(X, y)[0]
    for labels in (y.astype(float), pd.Series(y, dtype="Int64"), y.astype(bool)):
        X_res, y_res = sampler.fit_resample(X, labels)
        np.testing.assert_array_equal(X_res, expected)
        assert y_res.dtype == labels.dtype
    # so did a sampling_strategy keyed by 1.0 or True, and a class -0.0
    # against the class 0.0
    for key in (1.0, True):
        resampler = clone(sampler).set_params(sampling_strategy={key: 30})
        np.testing.assert_array_equal(resampler.fit_resample(X, y)[0], expected)
    expected = sampler.fit_resample(X, np.where(y == 1, 0.0, 1.0))[0]
    X_res = sampler.fit_resample(X, np.where(y == 1, -0.0, 1.0))[0]
    np.testing.assert_array_equal(X_res, expected)


def test_string_labels(make_long_tail):
    X, y = make_long_tail()
    labels = np.array(["common", "middle", "rare"], dtype=object)
    _, y_res = SMOTE(random_state=0).fit_resample(X, labels[y])
    assert Counter(y_res) == {"common": 180, "middle": 180, "rare": 180}


# --- scikit-learn and imbalanced-learn machinery -----------------------------------


def test_grid_search_inside_an_imblearn_pipeline(make_long_tail):
    X, y = make_long_tail(2, 4)
    pipe = Pipeline([("smote", SMOTE(random_state=0)), ("clf", LogisticRegression())])
    grid = GridSearchCV(
        pipe,
        {
            "smote__k_neighbors": [3, 5],
            "smote__sampling_strategy": [PowerSamplingStrategy(q=0.5)],
            "smote__sampling_strategy__q": [0.0, 0.5],
        },
        cv=3,
        scoring="balanced_accuracy",
    )
    grid.fit(X, y)
    assert grid.best_params_["smote__k_neighbors"] in (3, 5)
    assert grid.best_estimator_.predict(X).shape == y.shape


def test_sampler_and_strategies_pickle_and_clone():
    smote = SMOTE(sampling_strategy=EffectiveNumberSamplingStrategy(beta=0.9))
    copy = pickle.loads(pickle.dumps(smote))
    assert copy.sampling_strategy == smote.sampling_strategy
    cloned = clone(smote)
    assert cloned.sampling_strategy == smote.sampling_strategy
    assert cloned.sampling_strategy is not smote.sampling_strategy
    assert "sampling_strategy__beta" in smote.get_params()


@pytest.mark.parametrize(
    "params, X_y, error, match",
    [
        ({"k_neighbors": 0}, None, ValueError, "k_neighbors"),
        ({"k_neighbors": "five"}, None, ValueError, "k_neighbors"),
        ({"skip_noise": "yes"}, None, ValueError, "skip_noise"),
        ({"n_jobs": 1.5}, None, ValueError, "n_jobs"),
        ({"sampling_strategy": 0.5}, "multiclass", ValueError, "binary"),
        ({"sampling_strategy": {7: 500}}, None, ValueError, "not present"),
        ({"sampling_strategy": {2: 1}}, None, ValueError, "1 samples of class 2,"),
        (
            {"k_neighbors": NearestNeighbors(n_neighbors=1)},
            None,
            ValueError,
            "at least one neighbour",
        ),
    ],
)
def test_errors_name_the_problem(make_long_tail, params, X_y, error, match):
    X, y = make_long_tail()
    with pytest.raises(error, match=match):
        SMOTE(**params).fit_resample(X, y)


def test_skip_noise_needs_a_neighbour_count(make_long_tail):
    class Opaque:
        def kneighbors(self, X, n_neighbors=None, return_distance=True):
            raise AssertionError

        def kneighbors_graph(self, X):
            raise AssertionError

        def fit(self, X):
            return self

        def get_params(self, deep=True):
            return {}

    X, y = make_long_tail()
    with pytest.raises(ValueError, match="n_neighbors attribute"):
        SMOTE(k_neighbors=Opaque(), skip_noise=True).fit_resample(X, y)


def test_warnings_are_not_raised_on_ordinary_data(make_long_tail):
    X, y = make_long_tail()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SMOTE(random_state=0).fit_resample(X, y)


# --- any finite values -------------------------------------------------------


def _extreme(kind, n_features, rng, n_samples=240):
    """Data whose squared distances overflow (or underflow) float64."""
    X = rng.uniform(-1.0, 1.0, (n_samples, n_features))
    if kind == "huge":  # up to the largest float64
        X *= np.finfo(np.float64).max
    elif kind == "tiny":  # subnormal magnitudes
        X *= 1e-310
    else:  # mixed: half the columns about 1e300, the others about 1e-300
        X *= np.where(np.arange(n_features) % 2 == 0, 1e300, 1e-300)
        if n_features == 1:
            X[::2] *= 1e-300  # then half the rows are tiny
    return X


@pytest.mark.parametrize("scale", [1e154, 1e300])
@pytest.mark.parametrize("n_features", [1, 20])
@pytest.mark.parametrize("skip_noise", [False, True])
def test_huge_values_give_rows_on_neighbour_segments(
    make_long_tail, scale, n_features, skip_noise
):
    if n_features == 1:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((300, 1))
        y = (rng.random(300) < 0.4).astype(int)
    else:
        X, y = make_long_tail(2, 1.5, n_features=n_features)
    smote = SMOTE(random_state=0, skip_noise=skip_noise)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        X_res, y_res = smote.fit_resample(X * scale, y)
    assert np.isfinite(X_res).all()
    Z = _synthetic(X, y, X_res / scale, y_res, 1)
    starts, ends = _segments(X[y == 1], 5)
    assert Z.shape[0] > 0
    assert _on_segments(Z, starts, ends, 1e-9).all()
    # the same rows as on the data at its usual scale, up to rounding
    X_ref, _ = SMOTE(random_state=0, skip_noise=skip_noise).fit_resample(X, y)
    np.testing.assert_allclose(X_res / scale, X_ref, rtol=1e-12, atol=1e-12)


# scikit-learn's check that X is finite sums X, whose sum of values near the
# float maximum is inf - inf: numpy's RuntimeWarning, raised the same for
# scikit-learn's and imbalanced-learn's estimators.
_SUM_OF_HUGE_VALUES = "ignore:invalid value encountered in reduce:RuntimeWarning"


@pytest.mark.filterwarnings(_SUM_OF_HUGE_VALUES)
@pytest.mark.parametrize("kind", ["huge", "tiny", "mixed"])
@pytest.mark.parametrize("n_features", [1, 20])
@pytest.mark.parametrize("to_sparse", [False, True])
def test_any_finite_values_give_finite_rows_on_segments(kind, n_features, to_sparse):
    rng = np.random.default_rng(1)
    X = _extreme(kind, n_features, rng)
    y = np.r_[np.zeros(160, dtype=int), np.ones(80, dtype=int)]
    X_in = sparse.csr_matrix(X) if to_sparse else X
    X_res, y_res = SMOTE(random_state=0).fit_resample(X_in, y)
    X_res = X_res.toarray() if to_sparse else X_res
    assert np.isfinite(X_res).all()
    np.testing.assert_array_equal(X_res[: len(y)], X)
    # each synthetic row on a segment between two rows of its class: checked
    # on data brought near 1 by a power of two (exact), column by column for
    # the tiny columns, which that scaling would flush to zero
    Z = _synthetic(X, y, X_res, y_res, 1)
    X_class = X[y == 1]
    assert Z.shape[0] == 80
    lo, hi = X_class.min(axis=0), X_class.max(axis=0)
    assert ((Z >= lo) & (Z <= hi)).all()
    big = np.abs(X_class).max(axis=0) > 1e-200
    if kind != "tiny" and big.any():
        power = np.ldexp(1.0, -int(np.frexp(np.abs(X).max())[1]))
        starts, ends = _segments(X_class[:, big] * power, 5)
        with np.errstate(divide="ignore", invalid="ignore"):  # tied tiny rows
            on = _on_segments(Z[:, big] * power, starts, ends, 1e-9)
        assert on.all()


@pytest.mark.filterwarnings(_SUM_OF_HUGE_VALUES)
def test_values_above_half_the_largest_float_give_the_rows_of_usual_data():
    # Values above half the largest float are interpolated on halves; with a
    # power of two as the scale every operation is exact, so the rows are
    # those of the data at its usual scale, x_s + u * (x_n - x_s) with the
    # same seeds, neighbours and steps u.
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.9, 1.9, (120, 2))
    y = np.r_[np.zeros(80, dtype=int), np.ones(40, dtype=int)]
    scale = 2.0**1023
    X_res, _ = SMOTE(random_state=0).fit_resample(X * scale, y)
    X_ref, _ = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res / scale, X_ref)


@pytest.mark.filterwarnings(_SUM_OF_HUGE_VALUES)
def test_huge_values_keep_subnormal_columns_on_their_segments():
    # Values too large for their differences are interpolated on halves,
    # where a subnormal value of another column loses its last bit (half of
    # the smallest subnormal is 0): the rows are put back on their segments.
    rng = np.random.default_rng(0)
    unit = np.nextafter(0.0, 1.0)
    X = np.column_stack(
        [
            rng.uniform(-1.0, 1.0, 240) * np.finfo(np.float64).max,
            rng.choice([1.0, 3.0], 240) * unit,
        ]
    )
    y = np.r_[np.zeros(160, dtype=int), np.ones(80, dtype=int)]
    X_res, _ = SMOTE(random_state=0).fit_resample(X, y)
    Z = X_res[len(y) :, 1]
    assert Z.size == 80
    assert ((Z >= unit) & (Z <= 3 * unit)).all()


@pytest.mark.filterwarnings(_SUM_OF_HUGE_VALUES)
def test_float32_near_its_largest_value_gives_finite_rows():
    rng = np.random.default_rng(2)
    X = (rng.uniform(-1.0, 1.0, (240, 3)) * np.finfo(np.float32).max).astype(np.float32)
    y = np.r_[np.zeros(160, dtype=int), np.ones(80, dtype=int)]
    X_res, _ = SMOTE(random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float32
    assert np.isfinite(X_res).all()


@pytest.mark.parametrize(
    "sampler, columns",
    [
        (SMOTE(random_state=0), slice(None)),
        (SMOTE(random_state=0, skip_noise=True), slice(None)),
        (SMOTENC(categorical_features=[0], random_state=0), slice(None)),
        (SMOTEN(random_state=0), slice(0, 1)),
    ],
    ids=["SMOTE", "SMOTE-skip_noise", "SMOTENC", "SMOTEN"],
)
def test_the_rows_of_the_classes_are_found_in_one_pass(sampler, columns):
    """The rows of each class come from one sort of the labels.

    A comparison of all of ``y`` with each class over-sampled (two more with
    ``skip_noise``) cost ``n_samples * n_classes`` comparisons, most of the
    time with thousands of small classes.
    """
    rng = np.random.default_rng(0)
    y = rng.permutation(np.repeat(np.arange(6), [60, 30, 20, 12, 8, 6]))
    X = rng.integers(0, 4, size=(y.size, 3)).astype(float)
    X[:, 1:] += rng.normal(size=(y.size, 2)) + 4 * y[:, None]
    X = X[:, columns]
    X_res, y_res = sampler.fit_resample(X, y)
    _CountingLabels.compared = 0
    X_again, y_again = sampler._fit_resample(X, y.view(_CountingLabels))
    assert _CountingLabels.compared < y.size
    np.testing.assert_array_equal(X_again, X_res)
    np.testing.assert_array_equal(np.asarray(y_again), y_res)


@pytest.mark.parametrize(
    "sampler",
    [
        SMOTE(k_neighbors=2, random_state=0),
        SMOTENC(categorical_features=[0], k_neighbors=2, random_state=0),
        SMOTEN(k_neighbors=2, random_state=0),
    ],
)
def test_uint64_labels_above_2_53_given_as_python_ints(sampler):
    """Each class over-samples its own rows, whatever the type of the keys.

    The Python ints of ``sampling_strategy`` were searched among uint64
    labels as floats, equal above ``2 ** 53``: every class took all rows.
    """
    rng = np.random.default_rng(0)
    codes = rng.permutation(np.repeat(np.arange(3), [30, 10, 8]))
    y = (2**60 + codes).astype(np.uint64)
    X = np.column_stack([codes, codes + 0.1 * rng.random(codes.size)])
    strategy = {2**60 + 1: 20, 2**60 + 2: 22}
    X_res, y_res = sampler.set_params(sampling_strategy=strategy).fit_resample(X, y)
    new = slice(codes.size, None)
    np.testing.assert_array_equal(np.rint(X_res[new, 0]), y_res[new] - 2**60)
    assert np.count_nonzero(y_res == 2**60 + 1) == 20
