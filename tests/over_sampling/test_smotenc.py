"""Tests of SMOTENC and SMOTEN."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import datetime
import threading
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics.pairwise import ValueDifferenceMetric
from imblearn.over_sampling import SMOTEN as ImbSMOTEN
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from imblearn.pipeline import make_pipeline
from scipy import sparse
from sklearn.compose import make_column_transformer
from sklearn.exceptions import DataConversionWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils.estimator_checks import check_dtype_object

from ltlearn.over_sampling import SMOTE, SMOTEN, SMOTENC, _smoten
from ltlearn.over_sampling._categorical_codes import _local_codes
from ltlearn.over_sampling._neighbors import _kneighbors
from ltlearn.over_sampling._smoten import (
    _l1_distances,
    _vdm_class_tables,
    _vdm_kneighbors,
    _vdm_probas,
)
from ltlearn.over_sampling._smotenc import _scaled_one_hot
from tests.over_sampling.test_smote import _SearchWithoutCount


def _mixed(n=120, n_minority=30, seed=0):
    """Numeric columns 0 and 2, categorical columns 1 (4 levels) and 3 (3)."""
    rng = np.random.RandomState(seed)
    X = np.column_stack(
        [
            rng.randn(n),
            rng.randint(0, 4, n),
            rng.randn(n) * 3,
            rng.randint(0, 3, n),
        ]
    )
    y = np.r_[np.zeros(n - n_minority, dtype=int), np.ones(n_minority, dtype=int)]
    return X, y


def _brute_distances(numeric, categories, median_std):
    """The SMOTE-NC squared distance, pair by pair."""
    n = numeric.shape[0]
    dist = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            dist[i, j] = np.sum((numeric[i] - numeric[j]) ** 2) + median_std**2 * (
                np.count_nonzero(categories[i] != categories[j])
            )
    return dist


def _class_neighbors(numeric, categories, n_neighbors):
    """ltlearn's neighbours of every row of one class, and its encoding."""
    local, levels = _local_codes(categories)
    median_std = np.median(numeric.std(axis=0))
    Z = _scaled_one_hot(
        numeric, local, [lv.size for lv in levels], median_std / np.sqrt(2)
    )
    found = _kneighbors(Z, np.arange(numeric.shape[0]), n_neighbors)[0]
    return found, Z, median_std


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_distance_and_neighbors_match_brute_force(seed):
    X, y = _mixed(n=80, n_minority=40, seed=seed)
    numeric, categories = X[y == 1][:, [0, 2]], X[y == 1][:, [1, 3]]
    found, Z, median_std = _class_neighbors(numeric, categories, 6)
    expected = _brute_distances(numeric, categories, median_std)
    sq = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(sq, expected, atol=1e-10)
    brute = np.argsort(expected + np.diag(np.full(len(Z), -1.0)), axis=1)[:, :6]
    assert (found[:, 0] == np.arange(len(Z))).all()
    for mine, theirs in zip(found, brute):
        assert set(mine) == set(theirs)


@pytest.mark.parametrize("seed", [0, 3])
def test_neighbors_and_median_std_agree_with_imblearn(seed):
    X, y = _mixed(n=150, n_minority=50, seed=seed)
    theirs = ImbSMOTENC(categorical_features=[1, 3], random_state=0)
    theirs.fit_resample(X, y)
    mine = SMOTENC(categorical_features=[1, 3], random_state=0)
    mine.fit_resample(X, y)
    assert mine.median_std_.keys() == theirs.median_std_.keys()
    np.testing.assert_allclose(mine.median_std_[1], theirs.median_std_[1])
    # imbalanced-learn's neighbour search is fitted on the last class encoded
    encoded = theirs.nn_k_._fit_X
    imb_found = theirs.nn_k_.kneighbors(encoded, return_distance=False)
    found, Z, _ = _class_neighbors(X[y == 1][:, [0, 2]], X[y == 1][:, [1, 3]], 6)
    sq_theirs = (
        (encoded.toarray()[:, None, :] - encoded.toarray()[None, :, :]) ** 2
    ).sum(axis=2)
    sq_mine = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(sq_mine, sq_theirs, atol=1e-10)
    for a, b in zip(found, imb_found):
        assert set(a[1:]) == set(b[1:])


def test_synthetic_categories_follow_the_neighbours_not_the_seed():
    # four tight clusters of six minority samples, far apart; in each cluster
    # five samples hold category "a<c>" and one holds "b<c>": every seed's
    # five neighbours are its cluster, so the synthetic rows hold "a<c>" only
    rng = np.random.RandomState(0)
    centres = np.repeat(np.arange(4) * 100.0, 6)
    numeric = centres[:, None] + rng.rand(24, 2)
    cats = np.array([f"{'b' if i % 6 == 0 else 'a'}{i // 6}" for i in range(24)])
    X_min = np.column_stack([numeric[:, 0], cats, numeric[:, 1]]).astype(object)
    X_min[:, 0] = numeric[:, 0]
    X_min[:, 2] = numeric[:, 1]
    X_maj = X_min[rng.randint(0, 24, 60)].copy()
    X = np.vstack([X_maj, X_min])
    y = np.r_[np.zeros(60, dtype=int), np.ones(24, dtype=int)]
    X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, y)
    new = X_res[len(X) :]
    assert len(new) == 36
    for row in new:
        cluster = int(float(row[0]) // 100)
        assert row[1] == f"a{cluster}"
        assert cluster * 100 <= float(row[2]) <= cluster * 100 + 1


def test_synthetic_rows_hold_only_categories_of_their_class():
    X, y = _mixed()
    X = X.copy()
    X[y == 1, 1] = np.where(X[y == 1, 1] > 1, 7, 8)  # the minority's own levels
    X_res, y_res = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(
        X, y
    )
    new = X_res[len(X) :]
    assert set(new[:, 1]) <= {7.0, 8.0}
    assert set(new[:, 3]) <= set(X[y == 1, 3])
    assert Counter(y_res) == {0: 90, 1: 90}
    # numeric columns interpolate within the class's range
    for j in (0, 2):
        assert X[y == 1, j].min() <= new[:, j].min()
        assert new[:, j].max() <= X[y == 1, j].max()


def test_categorical_features_forms_give_the_same_result():
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    frame["c1"] = frame["c1"].astype("category")
    frame["c2"] = frame["c2"].astype(int).map({0: "x", 1: "y", 2: "z"})
    results = [
        SMOTENC(categorical_features=form, random_state=3).fit_resample(frame, y)[0]
        for form in ([1, 3], [False, True, False, True], ["c1", "c2"])
    ]
    results.append(
        SMOTENC(categorical_features="auto", random_state=3).fit_resample(frame, y)[0]
    )
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)


def test_float32_data_gives_the_samples_of_float64_data():
    X, y = _mixed()
    smote_nc = SMOTENC(categorical_features=[1, 3], random_state=0)
    X_64, y_64 = smote_nc.fit_resample(X, y)
    X_32, y_32 = smote_nc.fit_resample(X.astype(np.float32), y)
    assert X_32.dtype == np.float32
    np.testing.assert_array_equal(y_32, y_64)
    np.testing.assert_allclose(X_32, X_64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "sampler",
    [
        SMOTE(random_state=0),
        SMOTENC(categorical_features=[1, 3], random_state=0),
        SMOTEN(random_state=0),
    ],
)
@pytest.mark.parametrize("dtype", [">f8", ">f4"])
@pytest.mark.parametrize("container", [np.asarray, pd.DataFrame])
def test_big_endian_data_gives_the_samples_of_native_data(sampler, dtype, container):
    # An array comes back in the native dtype, as imbalanced-learn's; a
    # DataFrame keeps its dtypes.
    X, y = _mixed()
    if isinstance(sampler, SMOTEN):
        X = np.round(np.abs(X)) % 3
    native = np.dtype(dtype).newbyteorder("=")
    X_native, y_native = sampler.fit_resample(container(X.astype(native)), y)
    X_res, y_res = sampler.fit_resample(container(X.astype(dtype)), y)
    if container is pd.DataFrame:
        assert set(X_res.dtypes) == {np.dtype(dtype)}
    else:
        assert X_res.dtype == native
    np.testing.assert_array_equal(np.asarray(X_res, dtype=native), X_native)
    np.testing.assert_array_equal(y_res, y_native)


def test_a_wide_dataframe_is_resampled_as_one_block_of_numbers(monkeypatch):
    # The original and synthetic rows were joined by one pd.concat per column,
    # then cast column by column: 18 s for 100 rows of 20,000 columns against
    # imbalanced-learn's 5.5 s. The values are those of the array.
    rng = np.random.RandomState(0)
    X = rng.rand(40, 300)
    X[:, 0] = rng.randint(0, 3, 40)
    y = np.r_[np.zeros(32, dtype=int), np.ones(8, dtype=int)]
    frame = pd.DataFrame(X, columns=[f"g{j}" for j in range(300)])
    frame = frame.astype({"g0": "category"}).astype({"g7": np.float32})
    calls = []
    concat = pd.concat
    monkeypatch.setattr(
        pd, "concat", lambda *a, **k: calls.append(1) or concat(*a, **k)
    )
    X_res, y_res = SMOTENC(["g0"], random_state=0).fit_resample(frame, y)
    assert len(calls) <= 5
    assert (X_res.dtypes == frame.dtypes).all() and list(X_res.columns) == list(frame)
    monkeypatch.undo()
    X_array, y_array = SMOTENC([0], random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(y_res, y_array)
    np.testing.assert_array_equal(X_res.iloc[:, 8:].to_numpy(), X_array[:, 8:])
    np.testing.assert_array_equal(X_res["g0"].astype(float), X_array[:, 0])
    np.testing.assert_allclose(X_res["g7"], X_array[:, 7], rtol=1e-6)


def test_dataframe_round_trip_keeps_dtypes():
    rng = np.random.RandomState(0)
    n = 100
    frame = pd.DataFrame(
        {
            "amount": rng.rand(n).astype(np.float32),
            "colour": pd.Categorical(
                rng.choice(["red", "green"], n), categories=["red", "green", "blue"]
            ),
            "count": rng.randint(0, 50, n),
            "city": rng.choice(["Oslo", "Lima", "Pune"], n).astype(object),
        },
        index=np.arange(1000, 1000 + n),
    )
    y = pd.Series(np.r_[np.zeros(80, dtype=int), np.ones(20, dtype=int)], name="t")
    y.index = frame.index
    X_res, y_res = SMOTENC(categorical_features="auto", random_state=0).fit_resample(
        frame, y
    )
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(frame.columns)
    assert (X_res.dtypes == frame.dtypes).all()
    assert X_res["colour"].dtype == frame["colour"].dtype  # categories kept
    assert len(X_res) == 160 and y_res.name == "t"
    np.testing.assert_array_equal(
        X_res.iloc[:n].to_numpy(), frame.reset_index(drop=True).to_numpy()
    )
    new = X_res.iloc[n:]
    minority = frame[y.to_numpy() == 1]
    assert set(new["colour"]) <= set(minority["colour"])
    assert set(new["city"]) <= set(minority["city"])


@pytest.mark.parametrize(
    "values",
    [["Oslo", "Lima", "Pune"], [datetime.datetime(2024, 1, day) for day in (1, 2, 3)]],
    ids=["str", "datetime"],
)
def test_object_columns_of_a_dataframe_keep_their_objects(values, pandas_infer_string):
    # pandas 2.1 to 2.3 inferred a dtype for the new cells, with a
    # FutureWarning: datetimes came back as Timestamps; strings warned under
    # future.infer_string. (pandas 2.0's factorize reads datetimes as
    # Timestamps, a subclass of datetime.)
    X = pd.DataFrame({"x": np.arange(30.0), "c": pd.Series(values * 10, dtype=object)})
    y = np.repeat([0, 1], [24, 6])
    smotenc = SMOTENC(categorical_features=["c"], k_neighbors=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, _ = smotenc.fit_resample(X, y)
    assert X_res["c"].dtype == object and len(X_res) == 48
    assert all(isinstance(value, type(values[0])) for value in X_res["c"])


def test_a_balanced_dataframe_comes_back_as_it_is_without_warning():
    # nothing to add: pandas 2.1 to 2.3 warned (FutureWarning) on the empty
    # part of each column that SMOTENC concatenated
    X = pd.DataFrame({"n": np.arange(20), "c": ["a", "b"] * 10})
    y = np.repeat([0, 1], 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, y_res = SMOTENC(categorical_features=["c"], k_neighbors=3).fit_resample(
            X, y
        )
    assert (X_res.dtypes == X.dtypes).all()
    pd.testing.assert_frame_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)


def test_rows_of_numbers_and_strings_keep_their_numbers():
    # A list of rows mixing numbers and strings was read by NumPy as strings,
    # and came back with every number a string ("1.5").
    rng = np.random.RandomState(0)
    rows = [[float(v), c] for v, c in zip(rng.rand(20), rng.choice(["a", "b"], 20))]
    y = [0] * 14 + [1] * 6
    X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(
        rows, y
    )
    assert isinstance(X_res, list) and X_res[:20] == rows
    assert all(isinstance(row[0], float) for row in X_res)
    assert {row[1] for row in X_res[20:]} <= {"a", "b"}
    expected, _ = SMOTENC(categorical_features=[1], random_state=0).fit_resample(
        np.array(rows, dtype=object), y
    )
    np.testing.assert_array_equal(np.array(X_res, dtype=object), expected)


@pytest.mark.parametrize("bool_dtype", ["bool", "boolean"])
def test_boolean_continuous_columns_take_the_nearer_value(bool_dtype):
    # a bool column came back True wherever the seed or its neighbour was
    # True; a nullable "boolean" column failed with "Need to pass bool-like
    # values" (both as in imbalanced-learn)
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "f": rng.normal(size=40),
            "b": rng.randint(0, 2, 40).astype(float),
            "c": rng.choice(["u", "v"], 40),
        }
    )
    y = np.repeat([0, 1], [30, 10])
    expected, _ = SMOTENC(["c"], k_neighbors=3, random_state=0).fit_resample(frame, y)
    frame["b"] = pd.array(frame["b"] > 0, dtype=bool_dtype)
    X_res, _ = SMOTENC(["c"], k_neighbors=3, random_state=0).fit_resample(frame, y)
    assert list(X_res.dtypes) == list(frame.dtypes)
    np.testing.assert_array_equal(X_res["f"], expected["f"])
    np.testing.assert_array_equal(X_res["b"].to_numpy(bool), expected["b"] > 0.5)


def test_boolean_objects_take_the_nearer_value():
    # a column of bools in an object array (df.to_numpy()) or in rows given
    # as lists came back with fractions (0.37) between its True and False
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "f": rng.normal(size=40),
            "b": rng.rand(40) < 0.4,
            "c": rng.choice(["u", "v"], 40),
        }
    )
    y = np.repeat([0, 1], [30, 10])
    sampler = SMOTENC([2], k_neighbors=3, random_state=0)
    expected, _ = sampler.fit_resample(frame, y)
    for X in (frame.to_numpy(), frame.to_numpy().tolist()):
        X_res, _ = sampler.fit_resample(X, y)
        X_res = np.array(X_res, dtype=object)
        assert all(isinstance(value, (bool, np.bool_)) for value in X_res[:, 1])
        np.testing.assert_array_equal(X_res, expected.to_numpy())


def test_a_category_column_taken_as_continuous_is_refused_by_name():
    # its synthetic values, between two categories, came back missing (NaN),
    # as in imbalanced-learn
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [28, 12])
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=40),
            "c": pd.Categorical(rng.randint(0, 5, 40)),
            "k": rng.choice(["u", "v"], 40),
        }
    )
    with pytest.raises(ValueError, match="Column 'c' is taken as continuous"):
        SMOTENC(["k"], k_neighbors=3, random_state=0).fit_resample(frame, y)
    X_res, _ = SMOTENC(["c", "k"], k_neighbors=3, random_state=0).fit_resample(frame, y)
    assert X_res["c"].dtype == frame["c"].dtype and X_res["c"].notna().all()


def test_smoten_all_categorical():
    rng = np.random.RandomState(0)
    X = rng.choice(["a", "b", "c", "d"], size=(90, 3)).astype(object)
    y = np.r_[np.zeros(60, dtype=int), np.ones(30, dtype=int)]
    X[y == 1, 0] = rng.choice(["a", "e"], 30)
    with pytest.raises(ValueError, match="SMOTEN"):
        SMOTENC(categorical_features=[0, 1, 2]).fit_resample(X, y)
    X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    assert X_res.dtype == object and Counter(y_res) == {0: 60, 1: 60}
    new = X_res[90:]
    for j in range(3):
        assert set(new[:, j]) <= set(X[y == 1, j])
    frame = pd.DataFrame(X, columns=["p", "q", "r"]).astype("category")
    X_df, _ = SMOTEN(random_state=0).fit_resample(frame, y)
    assert (X_df.dtypes == frame.dtypes).all()
    np.testing.assert_array_equal(X_df.to_numpy(), X_res)


@pytest.mark.parametrize("nullable", ["Int8", "UInt64", "Float32", "boolean"])
def test_smoten_frame_of_a_category_beside_a_nullable_column(nullable):
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    numpy_frame = pd.DataFrame(
        {
            "n": rng.randint(0, 2, 40).astype(bool),
            "c": pd.Categorical(rng.choice(["x", "y"], 40), categories=["x", "y", "z"]),
        }
    )
    frame = numpy_frame.astype({"n": nullable})
    X_res, y_res = SMOTEN(random_state=0).fit_resample(frame, y)
    assert (X_res.dtypes == frame.dtypes).all()
    expected, _ = SMOTEN(random_state=0).fit_resample(numpy_frame, y)
    np.testing.assert_array_equal(X_res["c"], expected["c"])
    np.testing.assert_array_equal(X_res["n"].astype(bool), expected["n"])
    assert Counter(y_res) == {0: 30, 1: 30}


@pytest.mark.parametrize("missing", [pd.NA, None, np.nan])
def test_smoten_names_the_columns_with_missing_values(missing):
    # pd.NA in a string column failed in check_array with "TypeError: boolean
    # value of NA is ambiguous" (in imbalanced-learn's SMOTEN too)
    X = pd.DataFrame(
        {
            "c": pd.array(["u", "v"] * 10, dtype="string"),
            "d": pd.Categorical(["p", "q", "q", "p"] * 5),
        }
    )
    X.loc[3, "c"] = missing
    with pytest.raises(ValueError, match="NaN: the column 'c' holds missing"):
        SMOTEN(k_neighbors=2).fit_resample(X, np.repeat([0, 1], [14, 6]))


@pytest.mark.parametrize("container", [np.asarray, list])
def test_smoten_names_the_array_columns_with_pd_na(container):
    # an array of objects holding pd.NA (df.to_numpy() of a string column)
    # failed with "TypeError: boolean value of NA is ambiguous"
    X = np.array([["u", "p"], ["v", "q"]] * 10, dtype=object)
    X[3, 1] = pd.NA
    y = np.repeat([0, 1], [14, 6])
    X_in = container(X.tolist()) if container is list else X
    with pytest.raises(ValueError, match="NaN: the column 1 holds missing"):
        SMOTEN(k_neighbors=2).fit_resample(X_in, y)


def test_smoten_neighbors_match_the_value_difference_metric():
    rng = np.random.RandomState(1)
    X = rng.randint(0, 5, size=(120, 4))
    y = rng.randint(0, 3, 120)
    encoder = OrdinalEncoder(dtype=np.int32)
    codes = encoder.fit_transform(X).astype(np.intp)
    vdm = ValueDifferenceMetric(n_categories=[len(c) for c in encoder.categories_])
    vdm.fit(codes, y)
    probas = _vdm_probas(codes, y, [len(c) for c in encoder.categories_])
    members = codes[y == 1]
    local, tables = _vdm_class_tables(members, probas)
    expected = vdm.pairwise(members)
    mine = sum(t[local[:, j][:, None], local[None, :, j]] for j, t in enumerate(tables))
    np.testing.assert_allclose(mine, expected)
    found = _vdm_kneighbors(local, tables, np.arange(len(members)), 4)
    assert (found[:, 0] == np.arange(len(members))).all()
    for row, neighbours in enumerate(found):
        kth = np.sort(expected[row])[3]
        assert (expected[row, neighbours] <= kth + 1e-12).all()


@pytest.mark.parametrize("pair_block", [50, 2**20])
def test_smoten_neighbors_at_equal_distance_come_in_row_order(monkeypatch, pair_block):
    """Tied rows come in row order, so that every machine draws the same rows.

    Column 0's two categories are as frequent in each class, hence at
    distance 0: the rows that differ only there tie. The order of ties of
    ``np.argpartition`` and ``np.argsort`` depends on the CPU's vector
    instructions, which gave other neighbours, votes and samples elsewhere.
    """
    monkeypatch.setattr(_smoten, "_PAIR_BLOCK", pair_block)
    rng = np.random.RandomState(0)
    codes = np.column_stack(
        [np.tile([0, 1], 60), rng.randint(0, 3, 120), rng.randint(0, 2, 120)]
    )
    y = np.repeat([0, 1], [90, 30])
    probas = _vdm_probas(codes, y, [2, 3, 2])
    local, tables = _vdm_class_tables(codes[y == 1], probas)
    dist = sum(t[local[:, j][:, None], local[None, :, j]] for j, t in enumerate(tables))
    np.fill_diagonal(dist, -1.0)  # each row is its own first neighbour
    queries = np.array([0, 3, 4, 17, 29])
    expected = np.argsort(dist[queries], axis=1, kind="stable")[:, :6]
    found = _vdm_kneighbors(local, tables, queries, 6)
    np.testing.assert_array_equal(found, expected)


def test_smoten_tables_hold_only_the_categories_of_the_class():
    # the tables covered every category of the data: 4,000 identifiers of
    # the majority made a 489 MB peak to over-sample a minority of 30 levels
    rng = np.random.RandomState(0)
    codes = np.column_stack([np.r_[np.arange(4000), rng.randint(0, 30, 200)]])
    y = np.r_[np.zeros(4000, dtype=int), np.ones(200, dtype=int)]
    probas = _vdm_probas(codes, y, [4000])
    members = codes[y == 1]
    local, (table,) = _vdm_class_tables(members, probas)
    n_levels = np.unique(members).size
    assert table.shape == (n_levels, n_levels) and local.max() == n_levels - 1
    vdm = ValueDifferenceMetric(n_categories=[4000]).fit(codes, y)
    np.testing.assert_allclose(
        table[local[:, 0][:, None], local[None, :, 0]], vdm.pairwise(members)
    )


@pytest.mark.parametrize("pair_block", [1, 50, 2**20])
def test_smoten_table_distances_add_the_classes_in_order(monkeypatch, pair_block):
    """Blocks of class columns give the sums of the column-by-column loop.

    The same floats, so the neighbours and the samples drawn do not depend
    on the block size.
    """
    monkeypatch.setattr(_smoten, "_PAIR_BLOCK", pair_block)
    rng = np.random.RandomState(0)
    proba = rng.dirichlet(np.full(37, 0.2), size=6).T ** 3  # 37 levels, 6 classes
    proba[proba < 1e-3] = 0.0
    for rows in (proba, proba.T[:, :5]):  # few columns, or few rows
        expected = np.zeros((rows.shape[0], rows.shape[0]))
        for column in rows.T:
            expected += np.abs(column[:, None] - column[None, :])
        assert np.array_equal(_l1_distances(rows), expected)


@pytest.mark.parametrize(
    "features, match",
    [
        # scikit-learn's own words (naming no column in older versions) are replaced
        (
            ["c1", "nope"],
            r"categorical_features=\['c1', 'nope'\]: X has no column \['nope'\]\.$",
        ),
        ([1, "c1"], r"categorical_features=\[1, 'c1'\]: No valid specification"),
        ([1.0, 3.0], "column indices .int., column names .str. or a boolean mask"),
        ([9], "out of range"),
        ([True, False], "boolean mask"),
        ([0, 1, 2, 3], "SMOTEN"),
        ([], "SMOTE"),
    ],
)
def test_bad_categorical_features(features, match):
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    with pytest.raises(ValueError, match=match):
        SMOTENC(categorical_features=features).fit_resample(frame, y)


@pytest.mark.parametrize(
    "features",
    [{1, 3}, frozenset({"c1", "c2"}), {"c1": 0, "c2": 0}.keys()],
    ids=["set of indices", "frozenset of names", "dict_keys of names"],
)
def test_unordered_categorical_features_are_refused_by_name(features):
    # scikit-learn's "array-like" constraint takes a set; NumPy made a 0-d
    # object array of it, refused as "column names" even when it held indices
    X, y = _mixed()
    kind = type(features).__name__
    match = rf"^categorical_features should be an array-like .* {kind}"
    for data in (X, pd.DataFrame(X, columns=["u", "c1", "v", "c2"])):
        with pytest.raises(ValueError, match=match):
            SMOTENC(categorical_features=features).fit_resample(data, y)


def test_categorical_features_as_a_range_is_a_list_of_indices():
    # scikit-learn's column indexing refused a range ("No valid specification
    # of the columns"), although it is an array-like of column indices
    X, y = _mixed()
    expected = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(X, y)
    got = SMOTENC(categorical_features=range(1, 4, 2), random_state=0).fit_resample(
        X, y
    )
    assert np.array_equal(got[0], expected[0])
    assert np.array_equal(got[1], expected[1])


@pytest.mark.parametrize("mask", [False, True], ids=["indices", "mask"])
def test_categorical_features_as_a_torch_tensor(mask):
    # scikit-learn's column indexing reads a key's dtype.kind, which a torch
    # dtype lacks: "'torch.dtype' object has no attribute 'kind'"
    torch = pytest.importorskip("torch")
    X, y = _mixed()
    keys = [False, True, False, True] if mask else [1, 3]
    expected = SMOTENC(categorical_features=keys, random_state=0).fit_resample(X, y)
    tensor = torch.tensor(keys)
    got = SMOTENC(categorical_features=tensor, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert torch.equal(tensor, torch.tensor(keys))


@pytest.mark.parametrize("column", [[[1], [3]], np.array([[1], [3]]), [["c1"], ["c2"]]])
def test_categorical_features_as_a_column_is_a_list_of_keys(column):
    # a column of shape (n_keys, 1) passes the check of categorical_features,
    # as scikit-learn's classes, then scikit-learn's column indexing failed
    # with "unhashable type: 'list'"
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    keys = [1, 3] if np.asarray(column).dtype.kind in "iu" else ["c1", "c2"]
    expected = SMOTENC(categorical_features=keys, random_state=0).fit_resample(frame, y)
    got = SMOTENC(categorical_features=column, random_state=0).fit_resample(frame, y)
    pd.testing.assert_frame_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("container", [list, tuple])
def test_categorical_features_names_as_numpy_strings(container):
    # list(np.array(["c1", "c2"])) holds np.str_ names, which scikit-learn's
    # column indexing refused ("No valid specification of the columns")
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    expected = SMOTENC(categorical_features=["c1", "c2"], random_state=0)
    names = container(np.array(["c1", "c2"]))
    got = SMOTENC(categorical_features=names, random_state=0).fit_resample(frame, y)
    pd.testing.assert_frame_equal(got[0], expected.fit_resample(frame, y)[0])


@pytest.mark.parametrize("container", [np.asarray, pd.DataFrame])
@pytest.mark.parametrize(
    "value, error",
    [({"foo": "bar"}, TypeError), (object(), TypeError), ("p", ValueError)],
)
def test_smotenc_non_number_in_a_continuous_column_keeps_numpys_error_class(
    container, value, error
):
    # imbalanced-learn's SMOTENC raises NumPy's TypeError for an object that is
    # neither text nor a number (as scikit-learn's check_dtype_object asks of a
    # pipeline); the message that names the column came as a ValueError
    X, y = _mixed()
    X = X.astype(object)
    X[0, 0] = value
    message = "Column .*0.* is taken as continuous .* holds non-numbers"
    for sampler in (ImbSMOTENC([1, 3]), SMOTENC([1, 3])):
        with pytest.raises(error) as info:
            sampler.fit_resample(container(X), y)
        assert type(info.value) is error
    assert info.match(message)


@pytest.mark.parametrize("container", [np.asarray, pd.DataFrame])
@pytest.mark.parametrize(
    "sampler", [SMOTENC([1, 3]), SMOTEN()], ids=["SMOTENC", "SMOTEN"]
)
def test_an_unhashable_value_in_a_categorical_column_is_refused_by_name(
    sampler, container
):
    # pandas failed with "unhashable type: 'dict'", naming no column, where
    # imbalanced-learn's encoder says its argument must be a string or a number
    # (as scikit-learn's check_dtype_object asks of a pipeline)
    X, y = _mixed()
    X = X.astype(object)
    X[0, 1] = {"foo": "bar"}
    message = (
        r"Column 1 is categorical but holds a value that cannot be a category "
        r"\(unhashable type: 'dict'\): .* argument must be a string or a number"
    )
    with pytest.raises(TypeError, match=message):
        sampler.fit_resample(container(X), y)
    # the check on a pipeline, with the dict in the first column, categorical
    sampler = SMOTENC([0]) if isinstance(sampler, SMOTENC) else sampler
    check_dtype_object("pipeline", make_pipeline(sampler, LogisticRegression()))


def test_bad_inputs():
    X, y = _mixed()
    X_obj = X.astype(object)
    X_obj[:, 2] = np.array(["p", "q"], dtype=object)[(X[:, 2] > 0).astype(int)]
    with pytest.raises(ValueError, match="Column 2 is taken as continuous"):
        SMOTENC(categorical_features=[1, 3]).fit_resample(X_obj, y)
    frame = pd.DataFrame(X_obj, columns=["u", "c1", "v", "c2"])
    with pytest.raises(ValueError, match="Column 'v' is taken as continuous"):
        SMOTENC(categorical_features=["c1", "c2"]).fit_resample(frame, y)
    with pytest.raises(ValueError, match="column names, which need X to be a pandas"):
        SMOTENC(categorical_features=["c1"]).fit_resample(X, y)
    with pytest.raises(ValueError, match="pandas.DataFrame"):
        SMOTENC(categorical_features="auto").fit_resample(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SMOTENC(categorical_features=[1, 3]).fit_resample(X_nan, y)
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    frame.loc[0, "u"] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SMOTENC(categorical_features=["c1", "c2"]).fit_resample(frame, y)


def test_auto_without_categorical_dtype_says_what_auto_takes():
    # categories coded as numbers by an encoder before SMOTE-NC were told only
    # "use SMOTE for numeric data"; the message now says what "auto" detects
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    smotenc = SMOTENC(categorical_features="auto")
    with pytest.raises(ValueError, match="only with numerical features") as info:
        smotenc.fit_resample(frame, y)
    assert "category, object or string dtype" in str(info.value)
    assert "codes of an OrdinalEncoder" in str(info.value)
    with pytest.raises(ValueError, match="use SMOTE for numeric data.$") as info:
        SMOTENC(categorical_features=[]).fit_resample(frame, y)
    assert "auto" not in str(info.value)


def test_inputs_are_not_modified_and_results_repeat():
    X, y = _mixed()
    X_obj = X.astype(object)
    X_obj[:, 1] = np.array(["p", "q", "r", "s"], dtype=object)[X[:, 1].astype(int)]
    frame = pd.DataFrame(X_obj, columns=["u", "c1", "v", "c2"])
    saved, saved_frame, saved_y = X_obj.copy(), frame.copy(), y.copy()
    sampler = SMOTENC(categorical_features=[1, 3], random_state=5)
    first = sampler.fit_resample(X_obj, y)
    second = sampler.fit_resample(X_obj, y)
    sampler.fit_resample(frame, y)
    np.testing.assert_array_equal(X_obj, saved)
    np.testing.assert_array_equal(y, saved_y)
    pd.testing.assert_frame_equal(frame, saved_frame)
    np.testing.assert_array_equal(first[0], second[0])
    assert first[0].dtype == object


def test_in_an_imblearn_pipeline():
    X, y = _mixed(n=200, n_minority=40)
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    frame[["c1", "c2"]] = frame[["c1", "c2"]].astype(int).astype("category")
    model = make_pipeline(
        SMOTENC(categorical_features="auto", random_state=0),
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["c1", "c2"]),
            remainder="passthrough",
        ),
        LogisticRegression(),
    )
    model.fit(frame, y)
    assert model.predict(frame).shape == (200,)
    assert set(model.predict(frame)) <= {0, 1}


def test_neighbor_estimators_are_used():
    X, y = _mixed()
    found = {}
    for k_neighbors in (3, NearestNeighbors(n_neighbors=4)):
        sampler = SMOTENC(
            categorical_features=[1, 3], k_neighbors=k_neighbors, random_state=0
        )
        X_res, _ = sampler.fit_resample(X, y)
        found[type(k_neighbors).__name__] = X_res
        assert set(X_res[len(X) :, 1]) <= set(X[y == 1, 1])
    assert found["int"].shape == found["NearestNeighbors"].shape
    X_cat = X[:, [1, 3]].astype(int)
    mine = SMOTEN(k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0)
    X_res, _ = mine.fit_resample(X_cat, y)
    assert mine.nn_k_.metric == "precomputed"
    assert set(X_res[len(X) :, 0]) <= set(X_cat[y == 1, 0])


@pytest.mark.parametrize(
    "sampler, params", [(SMOTENC, {"categorical_features": [1, 3]}), (SMOTEN, {})]
)
def test_a_search_whose_kneighbors_takes_no_count(sampler, params):
    # imbalanced-learn calls kneighbors(X, return_distance=False)
    X, y = _mixed()
    X = X[:, [1, 3]].astype(int) if sampler is SMOTEN else X
    found = [
        sampler(k_neighbors=nn, random_state=0, **params).fit_resample(X, y)
        for nn in (_SearchWithoutCount(4), NearestNeighbors(n_neighbors=4))
    ]
    np.testing.assert_array_equal(found[0][0], found[1][0])
    np.testing.assert_array_equal(found[0][1], found[1][1])


def test_smoten_shared_by_threads_searches_each_class_with_its_own_search():
    # the search fitted on a class was set as nn_k_ and then read back from
    # it: a call of the sampler in another thread meanwhile made it search
    # its own last class ("Precomputed metric requires shape (n_queries,
    # n_indexed)")
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], [30, 12, 8])
    X = rng.randint(0, 3, size=(50, 3))
    caller, other = threading.get_ident(), []

    class OtherCallMeanwhile(NearestNeighbors):
        # read once fitted in the caller's thread, it waits for a whole call
        # in another thread
        @property
        def n_neighbors(self):
            fitted = hasattr(self, "n_samples_fit_")
            if fitted and threading.get_ident() == caller and not other:
                other.append(threading.Thread(target=sampler.fit_resample, args=(X, y)))
                other[0].start()
                other[0].join()
            return self._n_neighbors

        @n_neighbors.setter
        def n_neighbors(self, value):
            self._n_neighbors = value

    sampler = SMOTEN(k_neighbors=OtherCallMeanwhile(n_neighbors=4), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert len(other) == 1
    expected = SMOTEN(k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0)
    X_exp, y_exp = expected.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_exp)
    np.testing.assert_array_equal(y_res, y_exp)


def test_smoten_neighbor_estimator_on_a_small_class_warns_as_smote():
    """A class smaller than the estimator's n_neighbors uses all its samples."""
    X = np.array(list("abcabcabcabcab") + list("abc"), dtype=object).reshape(-1, 1)
    y = np.r_[np.zeros(14, dtype=int), np.ones(3, dtype=int)]
    sampler = SMOTEN(k_neighbors=NearestNeighbors(n_neighbors=6), random_state=0)
    with pytest.warns(UserWarning, match=r"Class 1 has 3 samples; k_neighbors=5"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [14, 14]
    assert set(X_res[17:, 0]) <= {"a", "b", "c"}


def test_smoten_duplicates_a_one_sample_class_with_smotes_warning():
    X = np.array(list("abcabcabca") + ["b"], dtype=object).reshape(-1, 1)
    y = np.r_[np.zeros(10, dtype=int), 1]
    with pytest.warns(UserWarning, match=r"Class 1 has 1 sample; .*duplicated 9"):
        X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [10, 10]
    assert set(X_res[11:, 0]) == {"b"}


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_array])
def test_smotenc_sparse_input_gives_the_dense_result_in_its_format(container):
    # imbalanced-learn's SMOTENC takes sparse X; ltlearn's refused it
    X, y = _mixed()
    dense = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(X, y)
    with pytest.warns(DataConversionWarning, match="SMOTENC") as record:
        X_res, y_res = SMOTENC(
            categorical_features=[1, 3], random_state=0
        ).fit_resample(container(X), y)
    assert record[0].filename == __file__  # the caller's line
    assert type(X_res) is container and X_res.format == container((1, 1)).format
    np.testing.assert_array_equal(X_res.toarray(), dense[0])
    np.testing.assert_array_equal(y_res, dense[1])
    X_nan = container(np.where(X == X[0, 0], np.nan, X))
    with pytest.raises(ValueError, match="NaN"):
        SMOTENC(categorical_features=[1, 3]).fit_resample(X_nan, y)
    # the input is named as given, and refused before any conversion
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=f"Got <class '.*{container.__name__}'>"):
            SMOTENC(categorical_features="auto").fit_resample(container(X), y)


@pytest.mark.parametrize("container", [sparse.csr_matrix, sparse.csc_matrix])
def test_smoten_sparse_input_warns_in_imbalanced_learns_words(container):
    # A filter of imbalanced-learn's SMOTEN warning (its own test matches "is
    # not really efficient") let ltlearn's through: it said "is not efficient:
    # it is converted to a dense array."
    X = container(np.repeat(np.eye(3), [4, 4, 12], axis=0))
    y = np.repeat([0, 1], [6, 14])
    messages = []
    for sampler in (ImbSMOTEN(random_state=0), SMOTEN(random_state=0)):
        with pytest.warns(DataConversionWarning, match="is not really efficient") as w:
            sampler.fit_resample(X, y)
        messages.append([str(warning.message) for warning in w])
    assert messages[1] == messages[0]
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "error", message="Passing a sparse matrix to SMOTENC is not really"
        )
        with pytest.raises(DataConversionWarning):
            SMOTENC(categorical_features=[1, 2]).fit_resample(
                container(np.column_stack([np.arange(20.0), X.toarray()[:, :2]])), y
            )


@pytest.mark.parametrize("exponent", [600, -600])
def test_smotenc_extreme_magnitudes_scale_the_result(exponent):
    # The squares of values beyond 1e154 overflowed the standard deviations
    # (an infinite median_std_, then "Input X contains infinity"); below
    # 1e-154 they underflowed to a median_std_ of 0, ignoring the categories.
    X, y = _mixed(n=60, n_minority=12)
    X_scaled = X.copy()
    X_scaled[:, [0, 2]] *= 2.0**exponent
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scaled = SMOTENC(categorical_features=[1, 3], random_state=0)
        X_res_scaled, y_res_scaled = scaled.fit_resample(X_scaled, y)
    plain = SMOTENC(categorical_features=[1, 3], random_state=0)
    X_res, y_res = plain.fit_resample(X, y)
    assert scaled.median_std_[1] == plain.median_std_[1] * 2.0**exponent
    np.testing.assert_array_equal(y_res_scaled, y_res)
    np.testing.assert_array_equal(X_res_scaled[:, [1, 3]], X_res[:, [1, 3]])
    np.testing.assert_array_equal(
        X_res_scaled[:, [0, 2]], X_res[:, [0, 2]] * 2.0**exponent
    )


def test_smotenc_columns_of_extreme_magnitudes_apart_each_keep_their_std():
    # One factor for all columns, set by a column of 1e300, underflowed the
    # others: median_std_ was 0 (the categories ignored) where the median
    # column held ordinary values.
    rng = np.random.default_rng(0)
    numeric = rng.normal(size=(40, 3)) * [2.0**1000, 1.0, 2.0**-1000]
    X = np.column_stack([numeric, rng.integers(0, 3, 40)])
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        smotenc = SMOTENC(categorical_features=[3], random_state=0)
        smotenc.fit_resample(X, y)
    # up to rounding: numpy sums a column and a 1-d array in other orders
    expected = numeric[y == 1, 1].std()
    assert smotenc.median_std_[1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("missing", [np.nan, np.inf])
def test_smotenc_numeric_array_takes_a_missing_category(missing):
    # a NaN in a categorical column of a float array is a category of its own,
    # as in a DataFrame and in imbalanced-learn; the array was refused
    X, y = _mixed()
    X[np.flatnonzero(y == 1)[::3], 1] = missing
    X_res, y_res = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(
        X, y
    )
    frame = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(
        pd.DataFrame(X), y
    )[0]
    np.testing.assert_array_equal(X_res, frame.to_numpy())
    added = X_res[X.shape[0] :, 1]
    assert np.isin(added[np.isfinite(added)], [0, 1, 2, 3]).all()
    assert not np.isfinite(added).all()
    with pytest.warns(DataConversionWarning):
        X_sparse = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(
            sparse.csr_matrix(X), y
        )[0]
    np.testing.assert_array_equal(X_sparse.toarray(), X_res)
    # the continuous columns are still checked
    for j, container in [(0, np.asarray), (-2, sparse.csc_matrix)]:
        X_bad = X.copy()
        X_bad[3, j] = missing
        with pytest.raises(ValueError, match="NaN|infinity"):
            SMOTENC(categorical_features=[1, -1]).fit_resample(container(X_bad), y)


@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
def test_smotenc_range_of_indices_takes_a_missing_category(container):
    # categorical_features=range(1, 4, 2) is [1, 3]; the NaN of categorical
    # column 1 was refused as if it were a continuous value
    X, y = _mixed()
    X[np.flatnonzero(y == 1)[::3], 1] = np.nan
    X = container(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        X_list = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(
            X, y
        )[0]
        smotenc = SMOTENC(categorical_features=range(1, 4, 2), random_state=0)
        X_range = smotenc.fit_resample(X, y)[0]
    np.testing.assert_array_equal(smotenc.categorical_features_, [1, 3])
    if sparse.issparse(X_range):
        X_range, X_list = X_range.toarray(), X_list.toarray()
    np.testing.assert_array_equal(X_range, X_list)


@pytest.mark.parametrize("container", [np.asarray, sparse.csr_matrix])
@pytest.mark.parametrize(
    "categorical_features, message",
    [
        ([5], "index 5, out of range"),
        ([True, False], "boolean mask of 2 values"),
        ("auto", "should be a pandas.DataFrame"),
        ([], "only with numerical features"),
        ([False, False, False], "only with numerical features"),
    ],
)
def test_smotenc_names_invalid_categorical_features_despite_nan(
    container, categorical_features, message
):
    # the missing value of a column meant to be categorical was reported
    # ("Input X contains NaN") in place of the invalid categorical_features
    X, y = _mixed()
    X = X[:, :3]
    X[np.flatnonzero(y == 1)[::3], 1] = np.nan
    smotenc = SMOTENC(categorical_features=categorical_features, random_state=0)
    with pytest.raises(ValueError, match=message):
        smotenc.fit_resample(container(X), y)


@pytest.mark.parametrize(
    "column, dtype, missing",
    [
        ("flag", "boolean", pd.NA),
        ("u", "Float64", pd.NA),
        ("u", "float64", np.nan),
        ("u", object, None),
    ],
)
def test_smotenc_names_continuous_columns_with_missing_values(column, dtype, missing):
    # a pd.NA in a nullable boolean column failed with NumPy's "float()
    # argument must be a string or a real number, not 'NAType'", and no
    # message named the continuous column that held the missing value
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    frame["flag"] = frame["v"] > 0
    frame = frame.astype({column: dtype})
    frame.loc[3, column] = missing
    smotenc = SMOTENC(categorical_features=["c1", "c2"], random_state=0)
    with pytest.raises(
        ValueError,
        match=rf"Input X contains NaN: the continuous column '{column}' holds",
    ):
        smotenc.fit_resample(frame, y)
    frame.loc[4, "v"] = np.nan
    both = "'u', 'v'" if column == "u" else "'v', 'flag'"  # in the order of X
    with pytest.raises(ValueError, match=rf"columns {both} hold missing"):
        smotenc.fit_resample(frame, y)
    X[3, 2] = np.nan
    smotenc = SMOTENC(categorical_features=[1, 3], random_state=0)
    with pytest.raises(ValueError, match="NaN: the continuous column 2 holds"):
        smotenc.fit_resample(X, y)


@pytest.mark.parametrize("numeric", [True, False])
def test_smotenc_refuses_a_continuous_date_column_by_name(numeric):
    # beside a numeric column it failed with NumPy's DTypePromotionError; alone,
    # a missing date (NaT) was interpolated as -2**63 into dates of year -280310
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "x": rng.normal(size=40),
            "d": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 99, 40), "D"),
            "k": rng.choice(["a", "b"], 40),
        }
    )
    X.loc[:4, "d"] = pd.NaT
    X = X if numeric else X[["d", "k"]]
    y = np.repeat([0, 1], [10, 30])
    with pytest.raises(ValueError, match="Column 'd' is taken as continuous.*dates"):
        SMOTENC(categorical_features=["k"]).fit_resample(X, y)
    if numeric:  # as a category, a date is one of those seen
        X_res, _ = SMOTENC(
            categorical_features=["d", "k"], random_state=0
        ).fit_resample(X, y)
        assert X_res["d"].isin(X["d"]).all()


@pytest.mark.parametrize("marker", [None, pd.NA])
@pytest.mark.parametrize("frame", [False, True])
def test_missing_category_keeps_its_marker(marker, frame):
    # the synthetic rows got NaN for a missing category marked None (or pd.NA),
    # a value absent from the data: a OneHotEncoder fit on the result learned
    # None and NaN as two categories
    rng = np.random.RandomState(0)
    numbers = rng.normal(size=60)
    categories = np.array(["a", marker, "b"] * 20, dtype=object)
    y = np.repeat([0, 1], [15, 45])
    cases = [(SMOTENC(categorical_features=[1], random_state=0), 1)]
    if marker is None and not frame:  # SMOTEN refuses the others
        cases.append((SMOTEN(random_state=0), 0))
    for sampler, column in cases:
        X = pd.DataFrame({"x": numbers, "c": pd.Series(categories, dtype=object)})
        X = X.iloc[:, 1 - column :]
        X_res, _ = sampler.fit_resample(X if frame else X.to_numpy(), y)
        added = np.asarray(X_res, dtype=object)[60:, column]
        assert any(value is marker for value in added)
        assert all(value is marker or isinstance(value, str) for value in added)


@pytest.mark.parametrize("unit", ["M8[ns]", "m8[ns]"])
def test_smotenc_refuses_a_continuous_date_column_of_an_array(unit):
    # an array of dates (df.to_numpy() of date columns) was interpolated, and a
    # missing date (NaT) gave synthetic dates such as the year 1689
    rng = np.random.RandomState(0)
    X = rng.randint(0, 99, size=(40, 2)).astype("m8[D]").astype(unit)
    X[:5, 0] = X.dtype.type("NaT", "ns")  # a NaT of no unit is deprecated
    y = np.repeat([0, 1], [10, 30])
    with pytest.raises(ValueError, match="Column 0 is taken as continuous.*dates"):
        SMOTENC(categorical_features=[1]).fit_resample(X, y)


def _one_neighbour_rows(minority):
    """SMOTENC with ``k_neighbors=1`` on ``minority`` and 40 majority rows.

    Column 1 is categorical. Returns the fitted sampler and its synthetic rows.
    """
    zeros = np.zeros((40, minority.shape[1] - 2))
    majority = np.column_stack([np.full(40, 20.0), np.arange(40) % 2, zeros])
    X = np.vstack([minority, majority])
    y = np.r_[np.ones(len(minority)), np.zeros(40)]
    smotenc = SMOTENC(categorical_features=[1], k_neighbors=1, random_state=0)
    X_res, _ = smotenc.fit_resample(X, y)
    return smotenc, X_res[len(y) :]


def test_smotenc_category_costs_the_median_std_squared():
    # In the minority class, row 0 is (0, 0, a), row 1 (0, 0, b), row 2
    # (1, 0, a) and row 3 (0, 3, a): the median std of the numeric columns is
    # 0.866, so row 1 is 0.75 from row 0 and row 2 is 1. The nearest
    # neighbour of row 0 is row 1: its synthetic rows take category b. The
    # 36 synthetic rows draw row 0 as a seed under any random stream but a
    # rare one (each misses it with probability 3/4).
    minority = np.array([[0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 3]], dtype=float)
    smotenc, new = _one_neighbour_rows(minority)
    assert len(new) == 36
    np.testing.assert_allclose(smotenc.median_std_[1.0], np.sqrt(0.75))
    assert np.any(new[:, 1] == 1)
    np.testing.assert_array_equal(new[new[:, 1] == 1][:, [0, 2]], 0.0)


def test_smotenc_category_costs_more_than_half_the_median_std_squared():
    # Minority rows (0, 0, a), (0, 0, b), (1, 0, a) and (0, 5, a): the stds
    # of the numeric columns are sqrt(3) / 4 and 5 sqrt(3) / 4, so the
    # squared median std is Med^2 = 3 * 36 / 64 = 1.6875. Row 2 is 1 from
    # row 0 and row 1 is Med^2 (the paper's penalty): row 2 is the nearest
    # neighbour of row 0, and row 1 (the only b) is nobody's, so no
    # synthetic row takes b (nor in imbalanced-learn's SMOTENC). A penalty
    # of Med^2 / 2 = 0.84 (one-hot values of Med / 2) would make row 1 the
    # nearest neighbour of row 0.
    minority = np.array([[0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 5]], dtype=float)
    smotenc, new = _one_neighbour_rows(minority)
    np.testing.assert_allclose(smotenc.median_std_[1.0] ** 2, 3 * 36 / 64)
    assert np.any((new[:, 0] > 0) & (new[:, 2] == 0))  # between rows 0 and 2
    np.testing.assert_array_equal(new[:, 1], 0.0)


def test_smotenc_category_is_the_vote_of_the_neighbours_only():
    # Minority rows (0, a), (1, b) and (5, a): Med^2 is the variance of
    # [0, 1, 5], 4.67, so the nearest neighbour of row 2 is row 1 (16 + 4.67
    # against 25). A synthetic row takes the most frequent category of its
    # seed's k_neighbors neighbours, not counting the seed (Chawla et al.;
    # imbalanced-learn alike): with k_neighbors=1, every row beyond x = 1,
    # drawn from row 2, takes b.
    _, new = _one_neighbour_rows(np.array([[0, 0], [1, 1], [5, 0]], dtype=float))
    beyond = new[:, 0] > 1
    assert beyond.sum() >= 5
    np.testing.assert_array_equal(new[beyond, 1], 1.0)


def test_smotenc_refuses_the_index_one_past_the_last_column():
    X, y = np.zeros((6, 3)), np.array([0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="index 3, out of range"):
        SMOTENC(categorical_features=[3]).fit_resample(X, y)


def test_smotenc_index_that_is_a_column_name_says_integers_are_positions():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({10: rng.randn(12), 20: rng.choice(["a", "b"], 12)})
    y = np.r_[np.zeros(8, dtype=int), np.ones(4, dtype=int)]
    with pytest.raises(
        ValueError,
        match=r"index 20, out of range for X with 2 features\. Integers are "
        r"column positions, not names: the column named 20 is at position 1\.",
    ):
        SMOTENC(categorical_features=[20]).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"index 20, out of range.* features\.$"):
        SMOTENC(categorical_features=[20]).fit_resample(X.to_numpy(), y)


def test_smoten_seed_votes_with_its_k_neighbors():
    # k_neighbors=2 in a class of 3 rows: every vote is A, A and B
    X = np.array(["A", "A", "B"] + ["A", "B"] * 6, dtype=object).reshape(-1, 1)
    y = np.r_[np.ones(3, dtype=int), np.zeros(12, dtype=int)]
    X_res, y_res = SMOTEN(k_neighbors=2, random_state=0).fit_resample(X, y)
    assert np.count_nonzero(y_res == 1) == 12
    assert (X_res[15:, 0] == "A").all()


def test_categorical_features_names_the_columns_of_a_multiindex():
    # the tuples naming MultiIndex columns were read as a 2d array and refused
    # ("a 1d array-like of labels, got an array of shape (1, 2)")
    X, y = _mixed()
    frame = pd.DataFrame(X, columns=["u", "c1", "v", "c2"])
    expected = SMOTENC(categorical_features=["c1", "c2"], random_state=0)
    expected = expected.fit_resample(frame, y)[0]
    frame.columns = pd.MultiIndex.from_tuples([("g", name) for name in frame.columns])
    for names in ([("g", "c1"), ("g", "c2")], (("g", "c1"), ("g", "c2"))):
        got = SMOTENC(categorical_features=names, random_state=0)
        got = got.fit_resample(frame, y)[0]
        assert got.columns.equals(frame.columns)
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    with pytest.raises(ValueError, match=r"\('g', 'c9'\)"):
        SMOTENC(categorical_features=[("g", "c9")]).fit_resample(frame, y)


def test_categorical_features_mixing_tuples_and_strings_is_refused_by_name():
    # NumPy refused the list ("setting an array element with a sequence")
    X, y = _mixed()
    frame = pd.DataFrame(X)
    frame.columns = pd.MultiIndex.from_tuples([("g", f"c{j}") for j in range(4)])
    with pytest.raises(ValueError, match=r"X has no column \['c3'\]"):
        SMOTENC(categorical_features=[("g", "c1"), "c3"]).fit_resample(frame, y)


def test_smotenc_missing_value_advice_works_on_string_categories():
    # the advice to impute with "a SimpleImputer before it in a Pipeline"
    # failed on a frame with string categories: the imputer refused the
    # strings, or returned an array without the names of categorical_features
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"a": rng.randn(40), "c": rng.choice(["x", "y"], 40), "b": rng.randn(40)}
    )
    X.loc[3, "a"] = np.nan
    y = np.repeat([0, 1], [30, 10])
    sampler = SMOTENC(categorical_features=["c"], random_state=0)
    with pytest.raises(ValueError, match="SimpleImputer of the continuous columns"):
        sampler.fit_resample(X, y)
    imputer = make_column_transformer(
        (SimpleImputer(), ["a", "b"]),
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    X_res, y_res = make_pipeline(imputer, sampler).fit_resample(X, y)
    assert Counter(y_res) == {0: 30, 1: 30}
    assert not X_res.isna().any().any()
    assert set(X_res["c"]) == {"x", "y"}


def test_smotenc_null_median_std_takes_categories_of_the_class():
    # imbalanced-learn's report of a class whose continuous columns have a
    # median std of 0: its new rows took categories of the other classes
    X = np.array(
        [[1, 2, 4, 2], [1, 2, 5, 2], [1, 2, 1, 0], [2, 1, 2, 0], [1, 2, 3, 1]],
        dtype=float,
    )
    y = np.array(["A", "A", "B", "B", "B"])
    sampler = SMOTENC(
        [False, False, False, True],
        sampling_strategy="not majority",
        k_neighbors=1,
        random_state=0,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.median_std_ == {"A": 0.0}
    assert y_res[-1] == "A"
    assert X_res[-1, 3] == 2
    assert 4 <= X_res[-1, 2] <= 5
    np.testing.assert_array_equal(X_res[-1, :2], [1, 2])


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_smotenc_each_class_takes_its_own_categories(n_jobs):
    # several classes up-sampled, one with a median std of 0 (imbalanced-learn
    # failed there with "could not broadcast input array"): each class's new
    # rows take categories of that class only and stay within its range
    rng = np.random.RandomState(0)
    counts = [100, 10, 20]
    X = np.column_stack(
        [
            np.r_[rng.randn(100), np.full(10, 3.0), rng.randn(20) + 5],
            np.r_[rng.randint(0, 4, 100), [4] * 7 + [5] * 3, rng.randint(5, 8, 20)],
            np.r_[rng.randint(0, 3, 100), [0] * 10, rng.randint(1, 3, 20)],
        ]
    )
    y = np.repeat([0, 1, 2], counts)
    sampler = SMOTENC([1, 2], random_state=0, n_jobs=n_jobs)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {0: 100, 1: 100, 2: 100}
    assert sampler.median_std_[1] == 0.0
    new_X, new_y = X_res[len(y) :], y_res[len(y) :]
    for label in (1, 2):
        own, made = X[y == label], new_X[new_y == label]
        for column in (1, 2):
            assert set(made[:, column]) <= set(own[:, column])
        assert own[:, 0].min() <= made[:, 0].min()
        assert made[:, 0].max() <= own[:, 0].max()


@pytest.mark.parametrize(
    "mask",
    [
        np.array([False, True, False]),
        pd.Series([False, True, False], index=["a", "b", "c"]),
        pd.Index(["b"]),
        np.array(["b"]),
    ],
    ids=["bool-array", "bool-series", "index", "str-array"],
)
def test_smotenc_categorical_features_as_arrays(mask):
    # a boolean NumPy array or Series (imbalanced-learn 0.14: "The truth value
    # of an array with more than one element is ambiguous"), an Index or an
    # array of names select the columns as the list does
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"a": rng.randn(40), "b": rng.choice(["x", "y", "z"], 40), "c": rng.randn(40)}
    )
    y = np.repeat([0, 1], [30, 10])
    expected = SMOTENC(["b"], random_state=0).fit_resample(X, y)
    sampler = SMOTENC(mask, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.categorical_features_, [1])
    pd.testing.assert_frame_equal(X_res, expected[0])
    np.testing.assert_array_equal(y_res, expected[1])
