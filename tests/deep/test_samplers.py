"""Tests of the class-aware samplers and of SliceLoader."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from skorch.dataset import Dataset  # noqa: E402
from torch.utils.data import DataLoader, Subset, TensorDataset  # noqa: E402

from ltlearn.deep.samplers import (  # noqa: E402
    ClassBalancedSampler,
    InstanceBalancedSampler,
    ProgressivelyBalancedSampler,
    SliceLoader,
    SquareRootSampler,
)

LABELS = np.array([0] * 64 + [1] * 16 + [2] * 4 + [3] * 1)
COUNTS = np.bincount(LABELS).astype(float)


@pytest.mark.parametrize(
    "sampler, q",
    [
        (InstanceBalancedSampler, 1.0),
        (SquareRootSampler, 0.5),
        (ClassBalancedSampler, 0.0),
    ],
)
def test_class_probabilities_follow_the_power_of_the_counts(sampler, q):
    probabilities = sampler(LABELS).class_probabilities().numpy()
    np.testing.assert_allclose(probabilities, COUNTS**q / (COUNTS**q).sum())


@pytest.mark.parametrize("sampler", [SquareRootSampler, ClassBalancedSampler])
def test_draws_follow_the_class_probabilities(sampler):
    gen = torch.Generator().manual_seed(0)
    s = sampler(LABELS, num_samples=40_000, generator=gen)
    drawn = np.bincount(LABELS[s.sample_indices().numpy()], minlength=4) / 40_000
    np.testing.assert_allclose(drawn, s.class_probabilities().numpy(), atol=0.01)


def test_instance_balanced_sampler_is_a_permutation():
    s = InstanceBalancedSampler(LABELS, generator=torch.Generator().manual_seed(0))
    indices = list(s)
    assert sorted(indices) == list(range(len(LABELS)))
    assert indices != sorted(indices)
    assert len(s) == len(LABELS)


def test_progressive_sampler_moves_from_natural_to_balanced():
    s = ProgressivelyBalancedSampler(LABELS, n_epochs=4)
    natural = COUNTS / COUNTS.sum()
    balanced = np.full(4, 0.25)
    for epoch in range(6):
        s.set_epoch(epoch)
        t = min(epoch / 4, 1.0)
        np.testing.assert_allclose(
            s.class_probabilities().numpy(), (1 - t) * natural + t * balanced
        )


def test_absent_labels_are_never_drawn():
    labels = np.array([0, 0, 0, 2, 2])  # label 1 absent
    s = ClassBalancedSampler(labels, num_samples=1000)
    np.testing.assert_allclose(s.class_probabilities().numpy(), [0.5, 0.0, 0.5])
    assert 1 not in set(labels[s.sample_indices().numpy()])


def test_the_generator_makes_draws_reproducible():
    def draw():
        gen = torch.Generator().manual_seed(3)
        return list(SquareRootSampler(LABELS, generator=gen))

    assert draw() == draw()


@pytest.mark.parametrize(
    "labels, match",
    [
        (np.zeros((3, 2), dtype=int), "1-D"),
        (np.array([], dtype=int), "empty"),
        (np.array([0.5, 1.0]), "integer"),
        (np.array([-1, 0]), "non-negative"),
        # class names, and objects, failed with torch's TypeError "can't
        # convert np.ndarray of type numpy.str_"
        (np.array(["a", "b"]), "integer class indices; got an array of dtype <U1"),
        (["a", "b"], "integer class indices; got an array of dtype <U1"),
        (np.array([0, 1], dtype=object), "indices; got an array of dtype object"),
    ],
)
def test_bad_labels_are_refused(labels, match):
    with pytest.raises(ValueError, match=match):
        ClassBalancedSampler(labels)


@pytest.mark.parametrize("value", [0, 2.5, True])
def test_counts_that_are_not_positive_ints_are_refused(value):
    # a float number of draws failed in torch.multinomial ("'float' object
    # cannot be interpreted as an integer"), a fraction of an epoch was taken
    with pytest.raises(ValueError, match="num_samples must be an int >= 1"):
        ClassBalancedSampler(LABELS, num_samples=value)
    with pytest.raises(ValueError, match="n_epochs must be an int >= 1"):
        ProgressivelyBalancedSampler(LABELS, n_epochs=value)
    with pytest.raises(ValueError, match="num_samples must be an int >= 1"):
        ClassBalancedSampler(LABELS, num_samples=3.0)


@pytest.mark.parametrize(
    "generator", [np.random.default_rng(0), np.random.RandomState(0), 0]
)
@pytest.mark.parametrize(
    "sampler",
    [InstanceBalancedSampler, SquareRootSampler, ClassBalancedSampler],
)
def test_a_generator_not_of_torch_is_refused_when_made(sampler, generator):
    # it was taken, and the first epoch failed in torch's randperm ("received
    # an invalid combination of arguments") or multinomial
    with pytest.raises(ValueError, match="generator must be a torch.Generator"):
        sampler(LABELS, generator=generator)
    with pytest.raises(ValueError, match="generator must be a torch.Generator"):
        ProgressivelyBalancedSampler(LABELS, n_epochs=2, generator=generator)


def _progressive_draws(**params):
    sampler = ProgressivelyBalancedSampler(
        LABELS, generator=torch.Generator().manual_seed(0), **params
    )
    draws = []
    for epoch in range(3):
        sampler.set_epoch(epoch)
        draws.append(list(sampler))
    return draws


@pytest.mark.parametrize(
    "params",
    [
        {"n_epochs": 3.0},
        {"n_epochs": np.float32(3.0)},
        {"n_epochs": torch.tensor(3)},
        {"n_epochs": 3, "num_samples": torch.tensor(20)},
        {"n_epochs": np.int64(3), "num_samples": np.int64(20)},
    ],
)
def test_whole_counts_of_numpy_torch_or_floats_are_taken(params):
    # sampler__n_epochs=3.0 and a torch integer num_samples drew as 3 and 20
    expected = _progressive_draws(n_epochs=3, num_samples=params.get("num_samples"))
    assert _progressive_draws(**params) == expected
    sampler = ProgressivelyBalancedSampler(LABELS, **params)
    assert type(sampler.n_epochs) is int


def test_samplers_drop_into_a_dataloader():
    data = TensorDataset(torch.arange(len(LABELS)), torch.as_tensor(LABELS))
    loader = DataLoader(data, batch_size=10, sampler=ClassBalancedSampler(LABELS))
    assert sum(len(X) for X, _ in loader) == len(LABELS)


def _skorch_data(n=23):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n) % 3
    return X, y


@pytest.mark.parametrize("batch_size", [1, 5, 23, 100])
def test_slice_loader_gives_the_batches_of_a_dataloader(batch_size):
    X, y = _skorch_data()
    dataset = Dataset(X, y)
    sliced = list(SliceLoader(dataset, batch_size=batch_size))
    loaded = list(DataLoader(dataset, batch_size=batch_size))
    assert (
        len(sliced) == len(loaded) == len(SliceLoader(dataset, batch_size=batch_size))
    )
    for (Xs, ys), (Xl, yl) in zip(sliced, loaded):
        torch.testing.assert_close(Xs, Xl)
        torch.testing.assert_close(ys, yl)


def test_slice_loader_batches_are_copies_as_those_of_a_dataloader():
    # Unshuffled batches were views of the data: a module writing into its
    # input (a first nn.ReLU(inplace=True)) wrote into the caller's array.
    X, y = _skorch_data()
    for dataset in (Dataset(X, y), Dataset({"X": X}, y)):
        for Xb, yb in SliceLoader(dataset, batch_size=5):
            Xb = Xb["X"] if isinstance(Xb, dict) else Xb
            Xb.zero_()
            yb.zero_()
        np.testing.assert_array_equal(X, _skorch_data()[0])
        np.testing.assert_array_equal(y, _skorch_data()[1])


def test_slice_loader_reads_a_subset_and_a_dataset_without_target():
    X, y = _skorch_data()
    subset = Subset(Dataset(X, y), [4, 0, 7])
    ((Xb, yb),) = SliceLoader(subset, batch_size=10)
    np.testing.assert_array_equal(Xb.numpy(), X[[4, 0, 7]])
    np.testing.assert_array_equal(yb.numpy(), y[[4, 0, 7]])
    ((Xb, yb),) = SliceLoader(Dataset(X), batch_size=50)
    assert yb is None and len(Xb) == len(X)


def test_slice_loader_shuffles_and_samples():
    X, y = _skorch_data()
    dataset = Dataset(X, y)
    torch.manual_seed(0)
    loader = SliceLoader(dataset, 4, shuffle=True)
    epochs = [
        [(float(Xb[i, 0]), int(yb[i])) for Xb, yb in loader for i in range(len(Xb))]
        for _ in range(2)
    ]
    # every row once, with its label, in a new order at each epoch: a
    # permutation drawn from torch's global generator
    torch.manual_seed(0)
    expected = [
        [(X[i, 0], y[i]) for i in torch.randperm(len(y)).tolist()] for _ in range(2)
    ]
    assert epochs == expected
    in_order = list(zip(X[:, 0].tolist(), y.tolist()))
    assert sorted(epochs[0]) == sorted(epochs[1]) == in_order
    assert in_order != epochs[0] != epochs[1]
    sampler = ClassBalancedSampler(y, num_samples=30)
    loader = SliceLoader(dataset, batch_size=7, sampler=sampler)
    assert len(loader) == 5
    assert sum(len(Xb) for Xb, _ in loader) == 30


def test_slice_loader_drop_last():
    X, y = _skorch_data()
    loader = SliceLoader(Dataset(X, y), batch_size=5, drop_last=True)
    assert len(loader) == 4
    assert [len(Xb) for Xb, _ in loader] == [5, 5, 5, 5]
    # rows that fill whole batches: none is dropped
    whole = SliceLoader(Dataset(X[:20], y[:20]), batch_size=5, drop_last=True)
    assert len(whole) == 4
    assert [len(Xb) for Xb, _ in whole] == [5, 5, 5, 5]


def test_slice_loader_refuses_what_it_cannot_slice():
    X, y = _skorch_data()
    with pytest.raises(ValueError, match="mutually exclusive"):
        SliceLoader(Dataset(X, y), shuffle=True, sampler=ClassBalancedSampler(y))
    with pytest.raises(TypeError, match="needs in-memory data"):
        SliceLoader([(1, 2), (3, 4)])
    for batch_size in (0, None, 2.5):
        with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
            SliceLoader(Dataset(X, y), batch_size=batch_size)


def test_slice_loader_moves_the_data_to_the_device_once():
    X, y = _skorch_data()
    sampler = ClassBalancedSampler(y, num_samples=10)
    loader = SliceLoader(Dataset(X, y), batch_size=4, sampler=sampler, device="meta")
    assert loader.X.device.type == loader.y.device.type == "meta"
    batches = list(loader)
    assert [len(Xb) for Xb, _ in batches] == [4, 4, 2]
    assert all(Xb.device.type == yb.device.type == "meta" for Xb, yb in batches)
    weighted = SliceLoader(Dataset({"X": X, "w": y}, y), batch_size=5, device="meta")
    assert all(v.device.type == "meta" for v in weighted.X.values())
    # on the CPU, nothing is copied
    assert SliceLoader(Dataset(X, y), device="cpu").X.data_ptr() == (
        torch.as_tensor(X).data_ptr()
    )


@pytest.mark.parametrize(
    "sampler",
    [
        InstanceBalancedSampler,
        SquareRootSampler,
        ClassBalancedSampler,
        lambda labels, **kw: ProgressivelyBalancedSampler(labels, 3, **kw),
    ],
)
def test_big_endian_labels_draw_as_native_ones(sampler):
    # Labels of the other byte order (read from a big-endian file) failed
    # with torch's "given numpy array has byte order different from the
    # native byte order".
    native = sampler(LABELS, generator=torch.Generator().manual_seed(0))
    swapped = sampler(LABELS.astype(">i8"), generator=torch.Generator().manual_seed(0))
    assert list(swapped) == list(native)


def test_read_only_labels_are_copied_without_a_torch_warning():
    # The values of a pandas column are read-only (copy on write): torch
    # warned that the labels tensor shared a non-writable array, and it did.
    labels = LABELS.copy()
    labels.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = ClassBalancedSampler(labels)
    assert not np.shares_memory(sampler.labels.numpy(), labels)
    assert torch.equal(sampler.labels, torch.as_tensor(LABELS))


@pytest.mark.parametrize("as_labels", [np.array, torch.tensor])
def test_a_sampler_keeps_its_labels_when_the_caller_edits_theirs(as_labels):
    # The sampler kept the caller's array (or tensor) and its class counts:
    # labels rewritten in place after it was made were drawn with the old
    # counts, class 1 of the labels given then in a tenth of the draws, not
    # half.
    labels = as_labels([0] * 90 + [1] * 10)
    sampler = ClassBalancedSampler(
        labels, num_samples=4000, generator=torch.Generator().manual_seed(0)
    )
    labels[:] = 0
    assert torch.equal(sampler.labels, torch.tensor([0] * 90 + [1] * 10))
    drawn = sampler.sample_indices().numpy()
    assert abs(np.mean(drawn >= 90) - 0.5) < 0.05


@pytest.mark.parametrize("kind", ["big-endian", "read-only", "reversed"])
def test_slice_loader_serves_a_dataset_as_its_native_copy(kind):
    # Arrays of the other byte order failed with torch's "given numpy array
    # has byte order different from the native byte order"; read-only ones
    # (a pandas frame's values) made torch warn that they were not writable;
    # reversed columns (X[:, ::-1]) failed with torch's "At least one stride
    # in the given numpy array is negative".
    X = np.arange(len(LABELS) * 2, dtype=np.float32).reshape(-1, 2)
    native = list(SliceLoader(Dataset(X, LABELS), batch_size=32))
    if kind == "big-endian":
        X_kind, y_kind = X.astype(">f4"), LABELS.astype(">i8")
    elif kind == "read-only":
        X_kind, y_kind = X.copy(), LABELS.copy()
        X_kind.setflags(write=False)
        y_kind.setflags(write=False)
    else:
        X_kind, y_kind = np.ascontiguousarray(X[:, ::-1])[:, ::-1], LABELS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        served = list(SliceLoader(Dataset(X_kind, y_kind), batch_size=32))
    assert len(served) == len(native)
    for (Xb, yb), (Xn, yn) in zip(served, native):
        assert torch.equal(Xb, Xn) and torch.equal(yb, yn)
