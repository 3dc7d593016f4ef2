import io
import os
import pickle
import struct

import numpy as np
import pytest

from ltlearn.datasets import _cifar, load_cifar_lt, load_digits_lt, make_long_tailed
from ltlearn.datasets._cifar import _cifar_lt_counts


def _write_cifar(root, dataset, n_per_class, n_test_per_class, n_classes):
    rng = np.random.default_rng(0)
    if dataset == "cifar10":
        folder = os.path.join(root, "cifar-10-batches-py")
        train_names, test_names, key = (
            [f"data_batch_{i}" for i in range(1, 6)],
            ["test_batch"],
            b"labels",
        )
    else:
        folder = os.path.join(root, "cifar-100-python")
        train_names, test_names, key = ["train"], ["test"], b"fine_labels"
    os.makedirs(folder)
    y = rng.permutation(np.repeat(np.arange(n_classes), n_per_class))
    # each image holds its own row number in the first pixels, to trace it
    X = rng.integers(0, 256, size=(y.size, 3072), dtype=np.uint8)
    X[:, 0] = np.arange(y.size) % 256
    X[:, 1] = np.arange(y.size) // 256
    for part, name in zip(
        np.array_split(np.arange(y.size), len(train_names)), train_names
    ):
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump({b"data": X[part], key: y[part].tolist()}, f)
    y_test = np.repeat(np.arange(n_classes), n_test_per_class)
    X_test = rng.integers(0, 256, size=(y_test.size, 3072), dtype=np.uint8)
    with open(os.path.join(folder, test_names[0]), "wb") as f:
        pickle.dump({b"data": X_test, key: y_test.tolist()}, f)
    return X.reshape(-1, 3, 32, 32), y, X_test.reshape(-1, 3, 32, 32), y_test


def test_counts_match_the_published_training_sets():
    assert _cifar_lt_counts(5000, 10, 100, "exp") == [
        5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50
    ]  # fmt: skip
    sizes = {
        ir: sum(_cifar_lt_counts(5000, 10, ir, "exp")) for ir in (200, 100, 50, 10)
    }
    assert sizes == {200: 11203, 100: 12406, 50: 13996, 10: 20431}
    assert sum(_cifar_lt_counts(500, 100, 100, "exp")) == 10847
    assert sum(_cifar_lt_counts(5000, 10, 100, "step")) == 25250
    assert sum(_cifar_lt_counts(500, 100, 100, "step")) == 25250


def test_counts_multiply_by_one_over_the_ratio_as_the_reference_code():
    # The LDAM code multiplies n_max by imb_factor = 1 / IF and truncates:
    # 98 * (1 / 49) is 1.9999999999999998, so the tail classes keep 1 image
    # (not 98 // 49 = 2) in both profiles.
    assert _cifar_lt_counts(98, 10, 49, "step") == [98] * 5 + [1] * 5
    assert _cifar_lt_counts(98, 10, 49, "exp")[-1] == 1


def test_load_cifar_lt_default_n_max_is_the_papers(tmp_path):
    # 5000 images per class for CIFAR-10 and 500 for CIFAR-100: files of 3
    # per class are refused by the default n_max of each.
    _write_cifar(tmp_path, "cifar10", 3, 1, 10)
    _write_cifar(tmp_path, "cifar100", 3, 1, 100)
    with pytest.raises(ValueError, match="n_max=5000 needs 5000 of every class"):
        load_cifar_lt(tmp_path)
    with pytest.raises(ValueError, match="n_max=500 needs 500 of every class"):
        load_cifar_lt(tmp_path, dataset="cifar100")


def test_load_cifar10_lt_keeps_the_reference_images(tmp_path):
    X, y, X_test, y_test = _write_cifar(tmp_path, "cifar10", 30, 4, 10)
    data = load_cifar_lt(tmp_path, imbalance_ratio=10, n_max=30)
    counts = _cifar_lt_counts(30, 10, 10, "exp")
    np.testing.assert_array_equal(np.bincount(data.y_train), counts)
    np.testing.assert_array_equal(data.class_counts, counts)
    # the reference code: one RandomState(0), shuffle each class's indices in turn
    rng = np.random.RandomState(0)
    expected = []
    for label, n in enumerate(counts):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        expected.append(idx[:n])
    expected = np.concatenate(expected)
    np.testing.assert_array_equal(data.train_indices, expected)
    np.testing.assert_array_equal(data.X_train, X[expected])
    assert data.X_train.shape[1:] == (3, 32, 32) and data.X_train.dtype == np.uint8
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_test, y_test)
    again = load_cifar_lt(
        tmp_path / "cifar-10-batches-py", imbalance_ratio=10, n_max=30
    )
    np.testing.assert_array_equal(again.train_indices, data.train_indices)
    other = load_cifar_lt(tmp_path, imbalance_ratio=10, n_max=30, random_state=1)
    assert not np.array_equal(other.train_indices, data.train_indices)


def test_load_cifar_lt_root_under_the_home_directory(tmp_path, monkeypatch):
    # "~/data", the root torchvision's CIFAR10 took to download the data, was
    # "~/data/cifar-10-batches-py/data_batch_1 not found".
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows
    _write_cifar(tmp_path / "my data", "cifar10", 6, 2, 10)
    data = load_cifar_lt("~/my data", imbalance_ratio=2, n_max=6)
    expected = load_cifar_lt(tmp_path / "my data", imbalance_ratio=2, n_max=6)
    np.testing.assert_array_equal(data.X_train, expected.X_train)
    np.testing.assert_array_equal(data.y_train, expected.y_train)


def test_load_cifar_lt_folder_without_permission_is_not_missing(tmp_path, monkeypatch):
    # A folder the user may not enter (its files there, but not to be looked
    # up) was said to lack them: "data_batch_1 not found ... it downloads
    # nothing".
    _write_cifar(tmp_path, "cifar10", 6, 2, 10)
    folder = tmp_path / "cifar-10-batches-py"
    stat = os.stat

    def denied(path, *args, **kwargs):
        if os.path.dirname(os.fspath(path)) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", denied)
    with pytest.raises(PermissionError, match="data_batch_1"):
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=6)
    monkeypatch.undo()
    # A loop of symbolic links in place of a batch file is named too.
    os.remove(folder / "data_batch_2")
    os.symlink(folder / "data_batch_2", folder / "data_batch_2")
    with pytest.raises(OSError, match="symbolic links: .*data_batch_2"):
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=6)


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_load_cifar_lt_root_is_the_extracted_folder_under_any_name(
    tmp_path, monkeypatch, dataset
):
    # "that folder itself" was found by its name only: the extracted folder
    # renamed, or "." from inside it, was "<root>/cifar-10-batches-py/... not
    # found"
    n_classes = 10 if dataset == "cifar10" else 100
    _write_cifar(tmp_path, dataset, 6, 2, n_classes)
    extracted = tmp_path / os.listdir(tmp_path)[0]
    expected = load_cifar_lt(tmp_path, dataset=dataset, imbalance_ratio=2, n_max=6)
    renamed = extracted.rename(tmp_path / "my cifar")
    monkeypatch.chdir(renamed)
    for root in (renamed, "."):
        data = load_cifar_lt(root, dataset=dataset, imbalance_ratio=2, n_max=6)
        np.testing.assert_array_equal(data.train_indices, expected.train_indices)
        np.testing.assert_array_equal(data.X_test, expected.X_test)


def test_load_cifar_lt_root_named_like_the_folder_it_holds(tmp_path, monkeypatch):
    # a folder called cifar-10-batches-py around the extracted one: "." from
    # inside it found the sub-folder, and its absolute path did not
    outer = tmp_path / "cifar-10-batches-py"
    _write_cifar(outer, "cifar10", 6, 2, 10)
    expected = load_cifar_lt(outer / "cifar-10-batches-py", imbalance_ratio=2, n_max=6)
    monkeypatch.chdir(outer)
    for root in (".", outer):
        data = load_cifar_lt(root, imbalance_ratio=2, n_max=6)
        np.testing.assert_array_equal(data.train_indices, expected.train_indices)


def test_load_cifar100_step_profile(tmp_path):
    _write_cifar(tmp_path, "cifar100", 10, 2, 100)
    X_train, X_test, y_train, y_test = load_cifar_lt(
        tmp_path, dataset="cifar100", profile="step", imbalance_ratio=5, n_max=10,
        return_X_y=True,
    )  # fmt: skip
    counts = np.bincount(y_train)
    assert (counts[:50] == 10).all() and (counts[50:] == 2).all()
    assert (
        X_test.shape == (200, 3, 32, 32) and np.bincount(y_test).tolist() == [2] * 100
    )


def test_load_cifar_lt_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="downloads nothing"):
        load_cifar_lt(tmp_path)
    _write_cifar(tmp_path, "cifar10", 30, 4, 10)
    with pytest.raises(ValueError, match="Class 0 has 30 images in the training files"):
        load_cifar_lt(tmp_path)
    with pytest.raises(ValueError, match="profile"):
        load_cifar_lt(tmp_path, profile="linear", n_max=30)


def _rewrite(path, edit):
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    with open(path, "wb") as f:
        pickle.dump(edit(batch), f)


def _drop_last_label(batch):
    return {**batch, b"labels": batch[b"labels"][:-1]}


def _label(value):
    def edit(batch):
        return {**batch, b"labels": [value] + batch[b"labels"][1:]}

    return edit


def _first_pixel(value):
    def edit(batch):
        data = np.array(batch[b"data"], dtype=np.int64)
        data.flat[0] = value
        return {**batch, b"data": data}

    return edit


@pytest.mark.parametrize(
    "name, edit, match",
    [
        ("data_batch_2", _drop_last_label, "holds 30 images and 29 labels"),
        ("data_batch_2", _label(10), "holds the label 10; the labels of cifar10"),
        ("test_batch", _label(-1), "holds the label -1"),
        ("data_batch_3", lambda b: {b"data": b[b"data"]}, "no 'labels' entry"),
        ("data_batch_1", lambda b: {**b, b"data": b[b"data"][:, :99]}, "3072"),
        ("data_batch_1", lambda b: {**b, b"data": b[b"data"] / 255}, "pixel values"),
        ("data_batch_1", _first_pixel(256), "pixel values"),
        ("data_batch_1", _first_pixel(-1), "pixel values"),
        ("data_batch_4", lambda b: list(b), "holds a list, not the dict"),
    ],
)
def test_load_cifar_lt_names_the_bad_batch_file(tmp_path, name, edit, match):
    # a missing label used to shift every later label onto the wrong image
    _write_cifar(tmp_path, "cifar10", 15, 4, 10)
    path = tmp_path / "cifar-10-batches-py" / name
    _rewrite(path, edit)
    with pytest.raises(ValueError, match=match) as info:
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=10)
    assert name in str(info.value)


def test_load_cifar_lt_unreadable_file_and_missing_class(tmp_path):
    _write_cifar(tmp_path, "cifar10", 15, 4, 9)
    with pytest.raises(ValueError, match="Class 9 has 0 images in the training"):
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=10)
    path = tmp_path / "cifar-10-batches-py" / "data_batch_5"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match="data_batch_5 could not be read"):
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=10)


def test_load_cifar_lt_reads_str_keys(tmp_path):
    X, y, _, _ = _write_cifar(tmp_path, "cifar100", 4, 1, 100)
    for name in ("train", "test"):
        _rewrite(
            tmp_path / "cifar-100-python" / name,
            lambda b: {key.decode(): value for key, value in b.items()},
        )
    data = load_cifar_lt(tmp_path, dataset="cifar100", imbalance_ratio=2, n_max=4)
    np.testing.assert_array_equal(data.X_train, X[data.train_indices])
    np.testing.assert_array_equal(data.y_train, y[data.train_indices])


def test_load_cifar_lt_profile_named_as_make_long_tailed(tmp_path):
    # "exponential", the name the other long-tail loaders take, and "exp",
    # the reference code's, give the same training set
    X, y, _, _ = _write_cifar(tmp_path, "cifar10", 30, 1, 10)
    counts = np.bincount(make_long_tailed(X[:, 0, 0], y, 10, profile="exponential")[1])
    exponential = load_cifar_lt(tmp_path, imbalance_ratio=10, n_max=30)
    assert "exponential profile" in exponential.DESCR
    exp = load_cifar_lt(tmp_path, imbalance_ratio=10, n_max=30, profile="exp")
    np.testing.assert_array_equal(exponential.class_counts, counts)
    np.testing.assert_array_equal(exponential.train_indices, exp.train_indices)
    with pytest.raises(ValueError, match="'profile' parameter.*'exponential'"):
        load_cifar_lt(tmp_path, profile="linear")


def test_load_cifar_lt_bunch_has_the_keys_of_the_other_long_tail_loaders(tmp_path):
    _write_cifar(tmp_path, "cifar100", 4, 1, 100)
    data = load_cifar_lt(tmp_path, dataset="cifar100", imbalance_ratio=2, n_max=4)
    assert set(load_digits_lt()) <= set(data)
    np.testing.assert_array_equal(data.classes, np.arange(100))
    np.testing.assert_array_equal(data.classes, np.unique(data.y_train))
    assert data.classes.dtype == data.y_train.dtype


@pytest.mark.parametrize("profile", ["exponential", "exp", "step"])
def test_load_cifar_lt_refuses_an_empty_tail_class(tmp_path, profile):
    with pytest.raises(ValueError, match="leaves class .* with no image"):
        load_cifar_lt(tmp_path, imbalance_ratio=31, n_max=30, profile=profile)


@pytest.mark.parametrize("profile", ["exp", "step"])
def test_load_cifar_lt_takes_imbalance_ratio_n_max(tmp_path, profile):
    # 49 * (1 / 49) rounds below 1: the smallest class still keeps one image
    _write_cifar(tmp_path, "cifar10", 49, 1, 10)
    data = load_cifar_lt(tmp_path, imbalance_ratio=49, n_max=49, profile=profile)
    assert data.class_counts[0] == 49 and data.class_counts[-1] == 1


@pytest.mark.parametrize("error", [MemoryError, PermissionError])
def test_load_cifar_lt_lets_machine_errors_through(tmp_path, monkeypatch, error):
    # only a file in a foreign format is reported as "could not be read"
    _write_cifar(tmp_path, "cifar10", 15, 4, 10)

    def fail(*args, **kwargs):
        raise error("from the machine")

    monkeypatch.setattr(_cifar._BatchUnpickler, "load", fail)
    with pytest.raises(error, match="from the machine"):
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=10)


class _Python2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2 wrote its str, numpy under numpy 1's name.

    The form of the original CIFAR batches, read with ``encoding="bytes"``.
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_python2_str(self, obj):
        if isinstance(obj, str):
            obj = obj.encode("latin-1")
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<I", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = dispatch[str] = _save_python2_str

    def save_global(self, obj, name=None):
        if getattr(obj, "__module__", None) == "numpy._core.multiarray":
            self.write(f"cnumpy.core.multiarray\n{obj.__name__}\n".encode())
            self.memoize(obj)
        else:
            super().save_global(obj, name)


def _dump(batch, protocol):
    if protocol != "python2":
        return pickle.dumps(batch, protocol=protocol)
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(batch)
    return buffer.getvalue()


@pytest.mark.parametrize("protocol", [0, 2, 4, 5, "python2"])
@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_load_cifar_lt_reads_each_pickle_form_of_a_batch(tmp_path, protocol, dataset):
    n_classes = 10 if dataset == "cifar10" else 100
    X, y, X_test, y_test = _write_cifar(tmp_path, dataset, 4, 1, n_classes)
    folder = tmp_path / _cifar._FOLDERS[dataset]
    for path in folder.iterdir():
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        # the keys and numpy scalar labels of a full batch
        batch[b"batch_label"] = b"training batch 1 of 5"
        batch[b"filenames"] = [b"leptodactylus_pentadactylus_s_000004.png"]
        batch[b"coarse_labels"] = list(np.zeros(len(batch[b"data"]), dtype=np.int64))
        path.write_bytes(_dump(batch, protocol))
    data = load_cifar_lt(tmp_path, dataset=dataset, imbalance_ratio=2, n_max=4)
    np.testing.assert_array_equal(data.X_train, X[data.train_indices])
    np.testing.assert_array_equal(data.y_train, y[data.train_indices])
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_test, y_test)


def test_load_cifar_lt_refuses_a_pickle_that_runs_code(tmp_path):
    # unpickling a batch file ran any callable it named: os.mkdir here
    _write_cifar(tmp_path, "cifar10", 15, 4, 10)
    made = str(tmp_path / "made_by_the_batch_file").encode()
    payload = b"\x80\x02cos\nmkdir\nX" + struct.pack("<I", len(made)) + made
    (tmp_path / "cifar-10-batches-py" / "data_batch_2").write_bytes(payload + b"\x85R.")
    with pytest.raises(
        ValueError,
        match="data_batch_2 is not a CIFAR python batch: its pickle calls os.mkdir",
    ):
        load_cifar_lt(tmp_path, imbalance_ratio=2, n_max=10)
    assert not (tmp_path / "made_by_the_batch_file").exists()
