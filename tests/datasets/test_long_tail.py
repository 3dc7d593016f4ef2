"""Tests of the long-tail generators and loaders."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning

from ltlearn.datasets import (
    load_digits_lt,
    make_long_tailed,
    make_long_tailed_classification,
)
from ltlearn.datasets._long_tail import _balanced_split


def _balanced(n_per_class=500, n_classes=10):
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = np.arange(y.size, dtype=float).reshape(-1, 1)
    return X, y


def test_exponential_profile_matches_cifar_10_lt_counts():
    # Long-tailed CIFAR-10 at imbalance 100 keeps 5000, 2997, ..., 50 images.
    X, y = _balanced(n_per_class=5000)
    _, y_lt = make_long_tailed(X, y, 100, random_state=0)
    expected = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    assert np.bincount(y_lt).tolist() == expected


def test_step_profile_halves_the_classes():
    X, y = _balanced(n_per_class=100)
    _, y_lt = make_long_tailed(X, y, 10, profile="step", random_state=0)
    assert np.bincount(y_lt).tolist() == [100] * 5 + [10] * 5


def test_step_profile_of_an_odd_number_of_classes_keeps_more_heads():
    # the first C - C // 2 classes keep n_max
    X, y = _balanced(n_per_class=100, n_classes=5)
    _, y_lt = make_long_tailed(X, y, 10, profile="step", random_state=0)
    assert np.bincount(y_lt).tolist() == [100] * 3 + [10] * 2


def test_the_tail_keeps_one_sample_when_rounding_gives_zero():
    # 49 * 49 ** -1.0 is 0.9999999999999999
    X, y = _balanced(n_per_class=60, n_classes=2)
    _, y_lt = make_long_tailed(X, y, 49, n_max=49, random_state=0)
    assert np.bincount(y_lt).tolist() == [49, 1]


@pytest.mark.parametrize(
    "n_classes, imbalance_ratio, n_max, tail",
    [(2, 75, 300, 4), (4, 75, 300, 4), (3, 150, 600, 4), (6, 32, 1200, 37)],
)
def test_exponential_profile_keeps_an_exact_integer_count(
    n_classes, imbalance_ratio, n_max, tail
):
    # 300 / 75 is 4 and 1200 / 32 ** (4 / 5) is 75, not a rounding error lower
    X, y = _balanced(n_per_class=n_max, n_classes=n_classes)
    _, y_lt = make_long_tailed(X, y, imbalance_ratio, random_state=0)
    counts = np.bincount(y_lt)
    assert counts[0] == n_max and counts[-1] == tail
    assert counts[0] / counts[-1] == pytest.approx(n_max / tail)
    if n_classes == 6:
        assert counts[4] == 75
    data = make_long_tailed_classification(
        n_classes=n_classes,
        imbalance_ratio=imbalance_ratio,
        n_max=n_max,
        n_features=4,
        n_informative=4,
        n_test_per_class=1,
        random_state=0,
    )
    assert data.class_counts.tolist() == counts.tolist()


def test_random_state_draws_the_kept_rows():
    X, y = _balanced(n_per_class=50, n_classes=3)
    _, _, first = make_long_tailed(X, y, 5, random_state=0, return_indices=True)
    _, _, other = make_long_tailed(X, y, 5, random_state=1, return_indices=True)
    assert first.size == other.size and not np.array_equal(first, other)


def test_balanced_test_split_leaves_a_training_row_per_class():
    y = np.array([0] * 5 + [1] * 3)
    with pytest.raises(ValueError, match="balanced test split of 3 per class"):
        _balanced_split(y, 3, np.random.RandomState(0))
    train, test = _balanced_split(y, 2, np.random.RandomState(0))
    assert np.bincount(y[train]).tolist() == [3, 1]
    assert np.bincount(y[test]).tolist() == [2, 2]


def test_make_long_tailed_keeps_rows_and_is_deterministic():
    X, y = _balanced(n_per_class=50, n_classes=3)
    X_copy = X.copy()
    X1, y1, idx = make_long_tailed(X, y, 5, random_state=3, return_indices=True)
    X2, y2 = make_long_tailed(X, y, 5, random_state=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(X1, X[idx])
    np.testing.assert_array_equal(y1, y[idx])
    np.testing.assert_array_equal(X, X_copy)


def test_make_long_tailed_subsamples_images():
    # images of shape (n, 3, 4, 4), as the deep classifier takes them, are
    # "any labelled data" too: the same rows as a table with the same labels
    _, y = _balanced(n_per_class=20, n_classes=3)
    images = np.arange(y.size * 48, dtype=np.uint8).reshape(-1, 3, 4, 4)
    X_lt, y_lt, idx = make_long_tailed(
        images, y, 4, random_state=0, return_indices=True
    )
    _, _, idx_table = make_long_tailed(
        images.reshape(y.size, -1), y, 4, random_state=0, return_indices=True
    )
    np.testing.assert_array_equal(idx, idx_table)
    assert X_lt.shape == (idx.size, 3, 4, 4) and X_lt.dtype == np.uint8
    np.testing.assert_array_equal(X_lt, images[idx])
    np.testing.assert_array_equal(y_lt, y[idx])


def test_make_long_tailed_keeps_pandas_and_sparse_input_types():
    # as imbalanced-learn's make_imbalance: frames keep their columns, dtypes
    # and index (they became an object array), sparse input stays sparse
    pd = pytest.importorskip("pandas")
    from scipy import sparse

    X, y = _balanced(n_per_class=30, n_classes=3)
    X_df = pd.DataFrame(
        {"num": X[:, 0], "cat": pd.Categorical(np.resize(["a", "b"], y.size))},
        index=np.arange(y.size) * 10,
    )
    y_s = pd.Series(y, name="label", index=X_df.index)
    X_lt, y_lt, idx = make_long_tailed(
        X_df, y_s, 5, random_state=0, return_indices=True
    )
    _, y_np, idx_np = make_long_tailed(X, y, 5, random_state=0, return_indices=True)
    np.testing.assert_array_equal(idx, idx_np)
    assert X_lt.dtypes.to_dict() == X_df.dtypes.to_dict()
    assert y_lt.name == "label" and list(y_lt.index) == list(X_df.index[idx])
    np.testing.assert_array_equal(y_lt.to_numpy(), y_np)
    X_sp, _ = make_long_tailed(sparse.csr_matrix(X), y, 5, random_state=0)
    assert sparse.issparse(X_sp)
    np.testing.assert_array_equal(X_sp.toarray(), X[idx_np])


@pytest.mark.parametrize("other", ["category", "datetime"])
def test_make_long_tailed_keeps_a_frame_of_nullable_and_other_columns(other):
    # A frame with an Int64 column and a category or datetime column failed
    # in check_array ("Cannot cast str dtype to float64"), which converted it
    # to one float dtype; make_imbalance takes it as it is.
    pd = pytest.importorskip("pandas")
    X, y = _balanced(n_per_class=30, n_classes=3)
    columns = {
        "category": pd.Categorical(np.resize(["a", "b"], y.size)),
        "datetime": pd.date_range("2020-01-01", periods=y.size),
    }
    X_df = pd.DataFrame(
        {"count": pd.array(np.arange(y.size), dtype="Int64"), other: columns[other]},
        index=np.arange(y.size) * 10,
    )
    X_lt, y_lt, idx = make_long_tailed(X_df, y, 5, random_state=0, return_indices=True)
    _, _, idx_np = make_long_tailed(X, y, 5, random_state=0, return_indices=True)
    np.testing.assert_array_equal(idx, idx_np)
    pd.testing.assert_frame_equal(X_lt, X_df.iloc[idx])
    np.testing.assert_array_equal(y_lt, y[idx])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make_long_tailed(X_df.iloc[1:], y, 5)


def test_make_long_tailed_keeps_polars_and_pyarrow_input_types():
    # as train_test_split: a polars frame or a pyarrow table keeps its kind,
    # columns and dtypes (they became an object array of mixed values)
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    X, y = _balanced(n_per_class=30, n_classes=3)
    X_pl = pl.DataFrame(
        {
            "num": X[:, 0],
            "small": pl.Series(np.arange(y.size), dtype=pl.Int16),
            "text": np.resize(["a", "b"], y.size),
        }
    )
    _, _, idx = make_long_tailed(X, y, 5, random_state=0, return_indices=True)
    X_lt, y_lt = make_long_tailed(X_pl, pl.Series("label", y), 5, random_state=0)
    assert isinstance(X_lt, pl.DataFrame) and X_lt.equals(X_pl[idx])
    assert isinstance(y_lt, pl.Series) and y_lt.name == "label"
    np.testing.assert_array_equal(y_lt.to_numpy(), y[idx])
    X_pa, y_pa = make_long_tailed(
        X_pl.to_arrow(), pa.chunked_array([y]), 5, random_state=0
    )
    assert isinstance(X_pa, pa.Table) and X_pa.equals(X_pl.to_arrow().take(idx))
    assert isinstance(y_pa, pa.ChunkedArray)
    np.testing.assert_array_equal(y_pa.to_numpy(), y[idx])
    # a RecordBatch is checked as an array (scikit-learn 1.9 indexes it as a
    # StructArray of one column)
    batch = pa.RecordBatch.from_pydict({"a": X[:, 0], "n": np.arange(y.size)})
    X_rb, _ = make_long_tailed(batch, y, 5, random_state=0)
    np.testing.assert_array_equal(X_rb, np.c_[X[:, 0], np.arange(y.size)][idx])


def test_make_long_tailed_with_string_labels_orders_classes_by_label():
    y = np.repeat(np.array(["zebra", "ant", "mole"]), 40)
    X = np.zeros((y.size, 2))
    _, y_lt = make_long_tailed(X, y, 4, random_state=0)
    labels, counts = np.unique(y_lt, return_counts=True)
    assert dict(zip(labels, counts)) == {"ant": 40, "mole": 20, "zebra": 10}


def test_make_long_tailed_refuses_a_class_too_small_for_n_max():
    X, y = _balanced(n_per_class=10, n_classes=3)
    with pytest.raises(ValueError, match="Class 0 has 10 samples"):
        make_long_tailed(X, y, 2, n_max=20)


@pytest.mark.parametrize("bad", [0.5, -1])
def test_make_long_tailed_refuses_an_imbalance_ratio_below_one(bad):
    X, y = _balanced(n_per_class=10, n_classes=2)
    with pytest.raises(ValueError, match="imbalance_ratio"):
        make_long_tailed(X, y, bad)


def test_make_long_tailed_refuses_a_single_class():
    with pytest.raises(ValueError, match="class"):
        make_long_tailed(np.zeros((5, 1)), np.zeros(5), 2)


def test_make_long_tailed_warns_of_a_column_vector_y_at_the_users_line():
    # The DataConversionWarning named scikit-learn's check_X_y.
    X, y = _balanced(n_per_class=10, n_classes=3)
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        X_lt, y_lt = make_long_tailed(X, y[:, None], 2, random_state=0)
    assert [w.filename for w in record] == [__file__]
    assert np.array_equal(y_lt, make_long_tailed(X, y, 2, random_state=0)[1])


def test_long_tails_refuse_an_imbalance_ratio_above_n_max():
    # the smallest class was silently kept at one sample: the asked ratio of
    # 10 became 4 on digits with 170 test images per class
    X, y = _balanced(n_per_class=30, n_classes=3)
    with pytest.raises(ValueError, match=r"imbalance_ratio=40 exceeds n_max=30, "):
        make_long_tailed(X, y, 40)
    with pytest.raises(ValueError, match=r"imbalance_ratio=10 exceeds n_max=4,"):
        load_digits_lt(10, n_test_per_class=170)
    with pytest.raises(ValueError, match=r"imbalance_ratio=100 exceeds n_max=50:"):
        make_long_tailed_classification(n_classes=3, n_max=50)
    _, y_lt = make_long_tailed(X, y, 30, random_state=0)  # the largest ratio
    assert np.bincount(y_lt).tolist() == [30, 5, 1]
    # digits: the rarest digit has 174 images, 50 of them for the test split
    counts = load_digits_lt(124, random_state=0).class_counts
    assert (counts.max(), counts.min()) == (124, 1)
    with pytest.raises(ValueError, match=r"imbalance_ratio=124.5 exceeds n_max=124,"):
        load_digits_lt(124.5)


@pytest.mark.parametrize("imbalance_ratio", [10, 50])
def test_digits_lt_has_a_balanced_test_split_and_a_long_tail(imbalance_ratio):
    data = load_digits_lt(imbalance_ratio, random_state=0)
    assert np.bincount(data.y_test).tolist() == [50] * 10
    counts = np.bincount(data.y_train)
    assert counts.tolist() == data.class_counts.tolist()
    assert np.all(np.diff(counts) <= 0)
    assert counts[0] / counts[-1] >= imbalance_ratio
    train_rows = {row.tobytes() for row in data.X_train}
    assert not any(row.tobytes() in train_rows for row in data.X_test[:50])
    X_train, X_test, y_train, y_test = load_digits_lt(
        imbalance_ratio, random_state=0, return_X_y=True
    )
    np.testing.assert_array_equal(X_train, data.X_train)
    np.testing.assert_array_equal(y_test, data.y_test)


def test_synthetic_long_tail_shape_and_counts():
    data = make_long_tailed_classification(
        n_classes=20, imbalance_ratio=10, n_max=50, random_state=0
    )
    assert data.class_counts[0] == 50 and data.class_counts[-1] == 5
    assert np.bincount(data.y_test).tolist() == [20] * 20
    assert data.X_train.shape == (data.class_counts.sum(), 32)


def test_synthetic_long_tail_refuses_too_few_informative_features():
    with pytest.raises(ValueError, match="n_informative"):
        make_long_tailed_classification(n_classes=100, n_informative=4)


def test_synthetic_long_tail_refuses_more_informative_features_than_features():
    with pytest.raises(ValueError, match="n_informative=5 exceeds n_features=4"):
        make_long_tailed_classification(n_classes=4, n_features=4, n_informative=5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16])
def test_synthetic_long_tail_takes_small_numpy_integers(dtype):
    # 5 * (50 + 5 + 1) wraps around in int8 and uint8, and unsigned
    # n_features or n_informative upset make_classification
    sizes = dict(n_classes=5, n_max=50, n_features=4, n_informative=3)
    sizes["n_test_per_class"] = 5
    expected = make_long_tailed_classification(
        imbalance_ratio=10, random_state=0, return_X_y=True, **sizes
    )
    got = make_long_tailed_classification(
        imbalance_ratio=10,
        random_state=0,
        return_X_y=True,
        **{name: dtype(value) for name, value in sizes.items()},
    )
    for expected_part, got_part in zip(expected, got):
        np.testing.assert_array_equal(got_part, expected_part)


def test_long_tailed_classification_takes_as_many_classes_as_cluster_vertices():
    # 2 informative features give 2**2 = 4 vertices: 4 classes fit.
    sizes = dict(n_classes=4, n_informative=2, n_features=2, n_max=20)
    data = make_long_tailed_classification(**sizes, imbalance_ratio=10)
    assert data.classes.tolist() == [0, 1, 2, 3]
    assert np.unique(data.y_train).tolist() == [0, 1, 2, 3]


def test_long_tail_descr_gives_the_ratio_of_the_class_sizes():
    data = load_digits_lt(imbalance_ratio=10, random_state=0)
    counts = data.class_counts
    ratio = counts.max() / counts.min()
    assert ratio > 1
    assert (
        f"class sizes {counts.max()} to {counts.min()} (imbalance ratio {ratio:.1f}, "
        "exponential profile)"
    ) in data.DESCR
