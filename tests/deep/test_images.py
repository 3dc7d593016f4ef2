"""Tests of LongTailClassifier trained on small image arrays and Datasets."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.model_selection import cross_val_predict  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from skorch.helper import SliceDataset  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import Dataset  # noqa: E402

from ltlearn.datasets import load_cifar_lt  # noqa: E402
from ltlearn.deep import LongTailClassifier  # noqa: E402
from ltlearn.deep.augment import CIFARAugment  # noqa: E402
from ltlearn.deep.callbacks import ClassifierRetraining  # noqa: E402
from ltlearn.deep.modules import MLP, SmallCNN  # noqa: E402
from ltlearn.deep.schedules import training_schedule  # noqa: E402
from tests.datasets.test_cifar import _write_cifar  # noqa: E402

# 33 grey 4x4 images of 3 classes: batches of 16 leave a last batch of one.
Y = np.array([0] * 20 + [1] * 8 + [2] * 5)
X = np.random.RandomState(0).rand(33, 1, 4, 4).astype(np.float32)


class _Items(Dataset):
    """A map-style Dataset of ``(x, y)`` items read from arrays."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class _BatchNormNet(nn.Module):
    """A linear layer, a BatchNorm1d and a linear classifier."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 8), nn.BatchNorm1d(8))
        self.classifier = nn.Linear(8, n_classes)

    def forward(self, x):
        return self.classifier(self.body(x.flatten(1)))


@pytest.mark.parametrize("dataset", [False, True])
def test_a_last_batch_of_one_sample_for_batchnorm_names_drop_last(dataset):
    # torch's "Expected more than 1 value per channel when training" named
    # neither the last batch nor iterator_train__drop_last.
    data = (_Items(X, Y),) if dataset else (X, Y)
    clf = LongTailClassifier(_BatchNormNet, max_epochs=1, batch_size=16)
    with pytest.raises(ValueError, match="single sample.*drop_last=True"):
        clf.fit(*data)
    clf.set_params(iterator_train__drop_last=True, random_state=0).fit(*data)
    assert clf.history[-1, "train_batch_count"] == 2
    assert clf.predict(X[:1]).shape == (1,)  # evaluation mode: one sample is fine


@pytest.mark.parametrize("param", ["batch_size", "iterator_train__batch_size"])
@pytest.mark.parametrize("batch_sampler", [{}, {"iterator_train__batch_sampler": None}])
def test_batches_of_one_sample_for_batchnorm_name_batch_size(param, batch_sampler):
    # At batch_size=1 every batch has one sample: the error advised
    # iterator_train__drop_last=True, which drops no batch of a full size.
    # A batch sampler given as None is none: batch_size still sizes them.
    params = {"batch_size": 16, param: 1, **batch_sampler}  # 16 is overridden
    clf = LongTailClassifier(_BatchNormNet, max_epochs=1, **params)
    with pytest.raises(ValueError, match="batch_size=1 gives .* to 2 or more") as info:
        clf.fit(X, Y)
    assert "drop_last" not in str(info.value)
    # the parameter that sets the batches, which batch_size=2 would not change
    assert str(info.value).startswith(f"{param}=1 gives")
    assert f"Set {param} to 2" in str(info.value)


@pytest.mark.parametrize("dataset", [False, True])
@pytest.mark.parametrize("sampler", ["instance", "class_balanced"])
def test_drop_last_that_drops_every_training_batch_is_refused(dataset, sampler):
    # With fewer samples per epoch than batch_size, drop_last=True left no
    # training batch: the fit took no step and returned the initial network.
    data = (_Items(X, Y),) if dataset else (X, Y)
    clf = LongTailClassifier(
        max_epochs=1, batch_size=64, sampler=sampler, iterator_train__drop_last=True
    )
    with pytest.raises(ValueError, match="draws 33 samples, fewer than batch_size=64"):
        clf.fit(*data)
    clf.set_params(batch_size=16).fit(*data)
    assert clf.history[-1, "train_batch_count"] == 2
    # A partial_fit chunk too small is refused before it changes the network.
    counts, n_epochs = clf.class_counts_.copy(), len(clf.history)
    with pytest.raises(ValueError, match="draws 11 samples, fewer than batch_size=16"):
        clf.partial_fit(*((_Items(X[::3], Y[::3]),) if dataset else (X[::3], Y[::3])))
    np.testing.assert_array_equal(clf.class_counts_, counts)
    assert len(clf.history) == n_epochs
    assert clf.predict(X[:1]).shape == (1,)  # still fitted


def test_drop_last_takes_max_epochs_0_on_any_data():
    # max_epochs=0 builds the network and trains none (skorch's recipe to
    # load weights, then partial_fit): no epoch, no batch to drop.
    clf = LongTailClassifier(max_epochs=0, iterator_train__drop_last=True)
    clf.fit(X, Y).partial_fit(X[::3], Y[::3])
    assert len(clf.history) == 0 and clf.predict(X).shape == Y.shape


def _twice_the_rows(labels):
    """A sampler drawing twice as many samples as there are rows."""
    n = len(labels)
    return torch.utils.data.RandomSampler(range(n), replacement=True, num_samples=2 * n)


def test_drop_last_counts_the_draws_of_a_callable_sampler():
    # A callable sampler may draw more samples than rows: 66 draws make one
    # batch of 64, which the check of the rows alone (33) refused.
    clf = LongTailClassifier(
        max_epochs=1,
        batch_size=64,
        sampler=_twice_the_rows,
        iterator_train__drop_last=True,
    ).fit(X, Y)
    assert clf.history[-1, "train_batch_count"] == 1
    with pytest.raises(ValueError, match="draws 66 samples, fewer than batch_size=80"):
        clf.set_params(batch_size=80).fit(X, Y)


class _ShapedLinear(nn.Module):
    """A linear classifier of inputs of ``input_shape``, in any layout."""

    def __init__(self, n_features, n_classes, input_shape):
        super().__init__()
        self.input_shape = input_shape
        self.classifier = nn.Linear(int(np.prod(input_shape)), n_classes)

    def forward(self, x):
        return self.classifier(x.flatten(1))


def test_channels_last_images_are_refused_by_an_image_network():
    # (N, 8, 8, 3) trained as 8 channels of 8x3 images, or failed in a
    # pooling layer with "Output size is too small".
    images = np.random.RandomState(0).rand(20, 8, 8, 3).astype(np.float32)
    y = np.array([0] * 14 + [1] * 6)
    small = dict(module__channels=(4,), max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"looks like \(height, width, channels\)"):
        LongTailClassifier(SmallCNN, **small).fit(images, y)
    first = images.transpose(0, 3, 1, 2)
    clf = LongTailClassifier(SmallCNN, module__in_channels=3, **small).fit(first, y)
    assert clf.module_.input_shape_ == (3, 8, 8)
    # An explicit shape keeps the layout; a flat MLP does not care, nor does
    # a custom module that takes input_shape (its layout is its author's).
    LongTailClassifier(SmallCNN, module__input_shape=(8, 8, 3), **small).fit(images, y)
    LongTailClassifier(max_epochs=1).fit(images, y)
    clf = LongTailClassifier(_ShapedLinear, max_epochs=1).fit(images, y)
    assert clf.module_.input_shape == (8, 8, 3)


def test_samples_of_more_axes_are_named_and_passed_as_they_are():
    # Samples (1, 3, 8, 8) were given to the network as input_shape
    # (1, 1, 3, 8, 8): SmallCNN said that this input_shape, which the user had
    # not given, "does not hold n_features=192 values".
    images = np.random.RandomState(0).rand(20, 1, 3, 8, 8).astype(np.float32)
    y = np.array([0] * 14 + [1] * 6)
    small = dict(module__channels=(4,), max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"X has samples of shape \(1, 3, 8, 8\)"):
        LongTailClassifier(SmallCNN, **small).fit(images, y)
    clf = LongTailClassifier(SmallCNN, module__input_shape=(3, 8, 8), **small)
    assert clf.fit(images, y).predict(images).shape == y.shape
    clf = LongTailClassifier(_ShapedLinear, max_epochs=1).fit(images, y)
    assert clf.module_.input_shape == (1, 3, 8, 8)


def test_the_channels_last_refusal_names_the_transpose_of_a_tensor():
    # It advised X.transpose(0, 3, 1, 2), which a torch tensor refuses
    # ("transpose() takes 2 positional arguments but 4 were given").
    images = torch.rand(20, 8, 8, 3, generator=torch.Generator().manual_seed(0))
    y = np.array([0] * 14 + [1] * 6)
    small = dict(module__channels=(4,), max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match=r"X\.permute\(0, 3, 1, 2\) for a torch"):
        LongTailClassifier(SmallCNN, **small).fit(images, y)
    clf = LongTailClassifier(SmallCNN, **small).fit(images.permute(0, 3, 1, 2), y)
    assert clf.module_.input_shape_ == (3, 8, 8)


class _FlippedItems(_Items):
    """Items flipped left-right as views (negative strides), read-only."""

    def __getitem__(self, i):
        x = self.X[i][:, :, ::-1]
        x.flags.writeable = False
        return x, self.y[i]


def test_flipped_views_train_and_predict_as_their_copies():
    # torch refuses negative strides: "At least one stride in the given numpy
    # array is negative" from fit, predict and transform, for arrays and for
    # the items of a Dataset (np.fliplr in __getitem__).
    flipped = X[:, :, :, ::-1]
    copy = np.ascontiguousarray(flipped)
    params = dict(max_epochs=1, batch_size=16, random_state=0)
    expected = LongTailClassifier(**params).fit(copy, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor torch's read-only warning
        for data in [(flipped, Y), (_FlippedItems(X, Y),)]:
            clf = LongTailClassifier(**params).fit(*data)
            for X_pred in [flipped, _FlippedItems(X, Y)]:
                np.testing.assert_array_equal(
                    clf.predict_proba(X_pred), expected.predict_proba(copy)
                )
            np.testing.assert_array_equal(
                clf.transform(flipped), expected.transform(copy)
            )


def test_grey_images_without_a_channel_axis_take_a_one_channel_augmentation():
    # CIFARAugment(input_shape=(1, 8, 8)) refused (N, 8, 8) batches: "expects
    # images (N, C, H, W) or flat rows".
    images = np.random.RandomState(0).rand(20, 8, 8).astype(np.float32)
    y = np.array([0] * 14 + [1] * 6)
    shifts = CIFARAugment(padding=1, mean=(0.5,), std=(0.3,), input_shape=(1, 8, 8))
    params = dict(module__channels=(4,), augment=shifts, max_epochs=2, random_state=0)
    grey = LongTailClassifier(SmallCNN, **params).fit(images, y)
    channel = LongTailClassifier(SmallCNN, **params).fit(images[:, None], y)
    np.testing.assert_array_equal(
        grey.predict_proba(images), channel.predict_proba(images[:, None])
    )


def test_the_tags_say_that_arrays_of_three_axes_are_taken():
    # grey images (n_samples, height, width) train as the docstring says, for
    # the default MLP and an image network; the three_d_array tag said False
    images = X[:, 0]
    for module, size in [
        (MLP, dict(module__hidden_sizes=(4,))),
        (SmallCNN, dict(module__channels=(4,))),
    ]:
        clf = LongTailClassifier(module, max_epochs=1, random_state=0, **size)
        assert get_tags(clf).input_tags.three_d_array
        assert get_tags(clf).input_tags.two_d_array
        assert clf.fit(images, Y).predict(images).shape == Y.shape


def test_forward_in_training_mode_normalises_as_prediction_does():
    # The sampler drew the batches, and a Dataset whose labels it could not
    # read was refused ("does not expose them"); the input is normalised as
    # at prediction, not cropped or flipped.
    rng = np.random.RandomState(0)
    images = rng.rand(20, 3, 8, 8).astype(np.float32)
    y = np.array([0] * 14 + [1] * 6)
    clf = LongTailClassifier(
        MLP, augment="cifar", max_epochs=1, module__n_features=192, random_state=0
    ).fit(images, y)
    expected = clf.forward(images).numpy()  # MLP without dropout
    out = clf.forward(_Items(images, y), training=True).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_cifar_augment_warns_about_8_bit_images_in_a_dataset():
    # The warning about pixels outside [0, 1] was given for arrays only.
    images = (np.random.RandomState(0).rand(20, 3, 8, 8) * 255).astype(np.uint8)
    y = np.array([0] * 14 + [1] * 6)
    clf = LongTailClassifier(augment="cifar", max_epochs=1, random_state=0)
    with pytest.warns(UserWarning, match="values from 0 to 25[0-9]. Divide 8-bit"):
        clf.fit(_Items(images, y))
    clf.set_params(augment__mean=None, augment__std=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(_Items(images, y))
        LongTailClassifier(augment="cifar", max_epochs=1).fit(_Items(images / 255, y))


def test_cifar_lt_folder_to_a_papers_recipe_with_crt(tmp_path):
    # End to end: a CIFAR-10 folder read by load_cifar_lt, the uint8 images
    # scaled, augment="cifar", a paper's schedule with DRW and cRT, as arrays
    # and as a Dataset of the same images.

    _write_cifar(tmp_path, "cifar10", 12, 2, 10)
    data = load_cifar_lt(tmp_path, imbalance_ratio=6, n_max=12)
    X_train, X_test = data.X_train / np.float32(255), data.X_test / np.float32(255)

    def fit(*data):
        params = training_schedule("ldam_drw", max_epochs=3, batch_size=16)
        params["callbacks"].append(("crt", ClassifierRetraining("crt", 2, lr=0.05)))
        return LongTailClassifier(
            SmallCNN,
            module__in_channels=3,
            module__channels=(4,),
            criterion="ldam",
            augment="cifar",
            random_state=0,
            **params,
        ).fit(*data)

    clf = fit(X_train, data.y_train)
    np.testing.assert_array_equal(clf.class_counts_, data.class_counts)
    assert clf.history[:, "retraining"] == [False, False, True]
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_array_equal(clf.predict_proba(X_test), proba)  # no augment
    np.testing.assert_array_equal(
        fit(X_train, data.y_train).predict_proba(X_test), proba
    )
    from_dataset = fit(_Items(X_train, data.y_train))
    np.testing.assert_array_equal(from_dataset.predict_proba(X_test), proba)


class _NoisyItems(_Items):
    """Items with a random transform drawn from torch's global generator."""

    def __getitem__(self, i):
        return torch.as_tensor(self.X[i]) + 0.01 * torch.rand(self.X[i].shape), self.y[
            i
        ]


def test_random_transforms_of_a_dataset_leave_the_global_generator_alone():
    # Reading the labels at fit ran the items' random transforms outside the
    # seeded generator: the global one moved, against random_state's promise.
    torch.manual_seed(5)
    state = torch.get_rng_state()
    params = dict(max_epochs=1, batch_size=16, random_state=0)
    clf = LongTailClassifier(**params).fit(_NoisyItems(X, Y))
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(7)
    again = LongTailClassifier(**params).fit(_NoisyItems(X, Y))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_skorch_slice_dataset_cross_validates_as_the_arrays():
    # skorch's SliceDataset (its way to give a Dataset to scikit-learn's
    # cross-validation) was converted at fit and refused at predict: "X does
    # not contain any features, but LongTailClassifier is expecting 1".
    clf = LongTailClassifier(max_epochs=1, batch_size=16, random_state=0)
    expected = cross_val_predict(clf, X, Y, cv=2, method="predict_proba")
    got = cross_val_predict(
        clf, SliceDataset(_Items(X, Y)), Y, cv=2, method="predict_proba"
    )
    np.testing.assert_array_equal(got, expected)
    labels = SliceDataset(_Items(X, Y), idx=1)
    fitted = clf.fit(SliceDataset(_Items(X, Y)), labels)
    np.testing.assert_array_equal(
        fitted.transform(SliceDataset(_Items(X, Y))), clf.transform(X)
    )
    with pytest.raises(ValueError, match="X and y have inconsistent lengths"):
        clf.fit(SliceDataset(_Items(X, Y)), Y[:32])


class _IndexedItems(_Items):
    """Items ``(x, y, index)``, as some research code returns them."""

    def __getitem__(self, i):
        return self.X[i], self.y[i], i


def test_items_of_three_values_are_named_at_predict_and_sliced_through():
    # predict said "an input of type tuple; ... give the dataset a transform
    # that returns tensors".
    clf = LongTailClassifier(max_epochs=1, batch_size=16, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="a tuple of 3 values; .* x or \\(x, y\\)"):
        clf.predict(_IndexedItems(X, Y))
    np.testing.assert_array_equal(
        clf.predict_proba(SliceDataset(_IndexedItems(X, Y))), clf.predict_proba(X)
    )


def test_items_of_three_values_are_named_at_fit():
    # fit said "Item 0 of the Dataset is a tuple, not an (x, y) pair", of a
    # tuple, without its number of values or a way to keep the Dataset.
    clf = LongTailClassifier(max_epochs=1, batch_size=16, random_state=0)
    match = "Item 0 of the Dataset is a tuple of 3 values, not an \\(x, y\\) pair"
    with pytest.raises(ValueError, match=match + ".* SliceDataset\\(dataset, idx=1"):
        clf.fit(_IndexedItems(X, Y))
    with pytest.raises(ValueError, match="is a list of 1 value, not an"):
        clf.fit(_OneValueItems(X, Y))
    sliced = clf.fit(
        SliceDataset(_IndexedItems(X, Y)), SliceDataset(_IndexedItems(X, Y), idx=1)
    )
    expected = LongTailClassifier(max_epochs=1, batch_size=16, random_state=0)
    np.testing.assert_array_equal(
        sliced.predict_proba(X), expected.fit(X, Y).predict_proba(X)
    )


class _OneValueItems(_Items):
    """Items ``[x]``: the input alone, in a list."""

    def __getitem__(self, i):
        return [self.X[i]]


def test_a_pretrained_head_of_other_classes_is_named_with_its_fix():
    # The message only said "(leave module__n_classes to the data)", which a
    # module instance, such as a pretrained network, does not take.
    torch.manual_seed(0)
    module = nn.Sequential(nn.Flatten(), nn.Linear(16, 10))
    clf = LongTailClassifier(module, max_epochs=1, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="shape \\(10,\\) per sample; .* 3 classes"):
        clf.predict(X)
    with pytest.raises(ValueError, match="replace the last layer of a module instance"):
        clf.predict_proba(X)
    module[1] = nn.Linear(16, 3)
    assert clf.fit(X, Y).predict_proba(X).shape == (33, 3)


def test_grey_images_are_sent_to_a_one_channel_augmentation_by_name():
    # augment="cifar" said only "needs images of 3 channels", and a
    # CIFARAugment of the default input_shape "expects images (N, C, H, W) or
    # flat rows; got shape (20, 8, 8)", of grey images (N, 8, 8).
    images = np.random.RandomState(0).rand(20, 8, 8).astype(np.float32)
    y = np.array([0] * 14 + [1] * 6)
    params = dict(module__channels=(4,), max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match="augment=CIFARAugment\\(mean=\\.\\.\\., std"):
        LongTailClassifier(SmallCNN, augment="cifar", **params).fit(images, y)
    shifts = CIFARAugment(mean=(0.5,), std=(0.3,))
    with pytest.raises(ValueError, match="need input_shape=\\(1, 8, 8\\)"):
        LongTailClassifier(SmallCNN, augment=shifts, **params).fit(images, y)
    shifts = CIFARAugment(mean=(0.5,), std=(0.3,), input_shape=(1, 8, 8))
    LongTailClassifier(SmallCNN, augment=shifts, **params).fit(images, y)
