"""Tests of the batched on-device CIFAR augmentation."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from ltlearn.deep import LongTailClassifier  # noqa: E402
from ltlearn.deep.augment import (  # noqa: E402
    CIFAR10_MEAN,
    CIFAR10_STD,
    Augmented,
    CIFARAugment,
    TransformAugment,
)
from ltlearn.deep.modules import SmallCNN  # noqa: E402


def _reference(x, top, left, flip, padding):
    """The per-image crop and flip the batched gather must reproduce."""
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    height, width = x.shape[-2:]
    out = padded[:, top : top + height, left : left + width]
    return out.flip(-1) if flip else out


def _check_against_reference(x):
    """Crop and flip ``x`` with a padding of 2; compare with ``_reference``."""
    aug = CIFARAugment(padding=2, mean=None, std=None, input_shape=x.shape[1:])
    torch.manual_seed(1)
    out = aug(x)
    assert out.shape == x.shape
    # replay the same random draws
    torch.manual_seed(1)
    top = torch.randint(0, 5, (16, 1))
    left = torch.randint(0, 5, (16, 1))
    flip = torch.rand(16, 1) < 0.5
    for i in range(16):
        expected = _reference(x[i], int(top[i]), int(left[i]), bool(flip[i]), 2)
        torch.testing.assert_close(out[i], expected)
    assert flip.any() and not flip.all()


def test_repr_lists_the_settings_given():
    # Every CIFARAugment printed as "CIFARAugment()", so a classifier given
    # augment=CIFARAugment(padding=8) printed as one given the defaults.
    assert repr(CIFARAugment()) == "CIFARAugment()"
    aug = CIFARAugment(padding=8, flip_prob=0, mean=(0.3,), std=(0.2,))
    expected = "CIFARAugment(padding=8, flip_prob=0.0, mean=(0.3,), std=(0.2,))"
    assert repr(aug) == expected
    assert repr(CIFARAugment(mean=None, std=None)) == (
        "CIFARAugment(mean=None, std=None)"
    )
    clf = LongTailClassifier(SmallCNN, augment=CIFARAugment(padding=8))
    assert "augment=CIFARAugment(padding=8)" in repr(clf) == repr(clone(clf))


def test_repr_tells_apart_what_differs_and_only_that():
    # Two means one float32 step apart printed alike (0.3), and a shape given
    # as an array printed as "(np.int64(1), np.int64(8), np.int64(8))".
    step = np.nextafter(np.float32(0.3), np.float32(1))
    assert repr(CIFARAugment(mean=(step,), std=(1,))) == (
        "CIFARAugment(mean=(0.30000004,), std=(1.0,))"
    )
    assert repr(CIFARAugment(mean=(0.3,), std=(1,))) == (
        "CIFARAugment(mean=(0.3,), std=(1.0,))"
    )
    for augment in (CIFARAugment, lambda **kw: TransformAugment(_flip, **kw)):
        as_array = augment(input_shape=np.array([1, 8, 8]))
        assert repr(as_array) == repr(augment(input_shape=(1, 8, 8)))
        assert "input_shape=(1, 8, 8)" in repr(as_array)


def _flip(x):
    return x.flip(-1)


def test_transform_augment_repr_shows_a_callable_and_the_shape():
    # It printed "TransformAugment()" whatever its transform and input_shape.
    aug = TransformAugment(_flip, input_shape=(1, 8, 8))
    assert repr(aug) == (
        f"TransformAugment(transform={_flip!r}, input_shape=(1, 8, 8))"
    )
    # a module is a child module, shown once, as PyTorch shows it
    assert repr(TransformAugment(torch.nn.Identity())) == (
        "TransformAugment(\n  (transform): Identity()\n)"
    )


def test_crop_flip_equals_per_image_reference():
    torch.manual_seed(0)
    _check_against_reference(torch.rand(16, 3, 8, 8))


def test_crop_flip_keeps_the_size_of_non_square_images():
    # crop_size=None cropped 6x6 squares out of 6x10 images (the side of the
    # height), which the network could not reshape to its 6x10 input_shape.
    torch.manual_seed(0)
    _check_against_reference(torch.rand(16, 3, 6, 10))
    X = np.random.RandomState(0).rand(24, 3, 6, 10).astype(np.float32)
    y = np.array([0] * 16 + [1] * 8)
    clf = LongTailClassifier(
        SmallCNN,
        module__input_shape=(3, 6, 10),
        module__channels=(4,),
        augment="cifar",
        max_epochs=1,
        batch_size=12,
        random_state=0,
    ).fit(X, y)
    assert clf.predict_proba(X).shape == (24, 2)


def test_normalisation_eval_mode_and_flat_rows():
    aug = CIFARAugment(mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25)).eval()
    x = torch.rand(4, 3 * 32 * 32)
    out = aug(x)
    torch.testing.assert_close(out, (x.reshape(4, 3, 32, 32) - 0.5) / 0.25)
    assert aug.training is False
    aug.train()
    torch.manual_seed(0)
    assert not torch.equal(aug(x), out)  # crops and flips in training mode


def test_padding_is_black_pixels_normalised_with_the_cifar10_statistics():
    # The papers' torchvision pipeline pads the [0, 1] image with zeros, then
    # normalises with mean (0.4914, 0.4822, 0.4465) and std (0.2023, 0.1994,
    # 0.2010): the 4-pixel border becomes (0 - mean) / std. A crop of the
    # whole padded image (40 = 32 + 2 * 4) has no random offset, and the flip
    # of a white image is the same image.
    mean, std = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
    assert (CIFAR10_MEAN, CIFAR10_STD) == (mean, std)
    out = CIFARAugment(crop_size=40)(torch.ones(2, 3, 32, 32))
    assert out.shape == (2, 3, 40, 40)
    inside = out[:, :, 4:36, 4:36]
    border = out.clone()
    border[:, :, 4:36, 4:36] = float("nan")
    for c in range(3):
        black = torch.tensor((0.0 - mean[c]) / std[c], dtype=torch.float32)
        white = torch.tensor((1.0 - mean[c]) / std[c], dtype=torch.float32)
        torch.testing.assert_close(inside[:, c], white.expand(2, 32, 32))
        ring = border[:, c][~border[:, c].isnan()]
        assert ring.numel() == 2 * (40 * 40 - 32 * 32)
        torch.testing.assert_close(ring, black.expand_as(ring))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int64])
def test_integer_images_are_refused_by_the_normalisation(dtype):
    # mean and std were cast to the images' integers, 0: every value was inf
    x = torch.randint(0, 256, (2, 3, 4, 4), dtype=dtype)
    aug = CIFARAugment(input_shape=(3, 4, 4))
    for mode in (aug.train(), aug.eval()):
        with pytest.raises(TypeError, match=r"got a torch\.(uint8|int64) tensor"):
            mode(x)
    torch.testing.assert_close(aug(x.float() / 255), aug(x / 255))
    # cropping and flipping alone keep the integers
    crop = CIFARAugment(padding=1, mean=None, std=None, input_shape=(3, 4, 4))
    assert crop(x).dtype == dtype


def test_big_endian_mean_and_std_normalise_as_native_ones():
    # mean and std of the other byte order (read from a big-endian file) were
    # refused as not "numbers, one per channel" (torch's byte-order error).
    mean, std = np.array([0.5, 0.4, 0.3]), np.array([0.25, 0.2, 0.1])
    x = torch.rand(4, 3 * 32 * 32)
    native = CIFARAugment(mean=mean, std=std).eval()(x)
    swapped = CIFARAugment(mean=mean.astype(">f8"), std=std.astype(">f4")).eval()
    torch.testing.assert_close(swapped(x), native)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reversed_and_read_only_mean_and_std(dtype):
    # Reversed views (negative strides) were refused as not "numbers, one per
    # channel" (torch's negative-stride error), and a float32 array was
    # shared: editing it afterwards changed the normalisation.
    mean, std = np.array([0.5, 0.4, 0.3], dtype), np.array([0.25, 0.2, 0.1], dtype)
    x = torch.rand(4, 3 * 32 * 32)
    expected = CIFARAugment(mean=mean.copy(), std=std.copy()).eval()(x)
    flipped = CIFARAugment(mean=mean[::-1].copy()[::-1], std=std[::-1].copy()[::-1])
    torch.testing.assert_close(flipped.eval()(x), expected)
    shared = CIFARAugment(mean=mean, std=std).eval()
    mean[:], std[:] = 0.0, 1.0
    torch.testing.assert_close(shared(x), expected)
    read_only = np.array([0.5, 0.4, 0.3], dtype)
    read_only.flags.writeable = False
    aug = CIFARAugment(mean=read_only, std=np.array([0.25, 0.2, 0.1], dtype)).eval()
    torch.testing.assert_close(aug(x), expected)


def test_bad_parameters_and_shapes():
    with pytest.raises(ValueError, match="padding"):
        CIFARAugment(padding=-1)
    with pytest.raises(ValueError, match="flip_prob"):
        CIFARAugment(flip_prob=2)
    with pytest.raises(ValueError, match="together"):
        CIFARAugment(mean=(0.5,), std=None)
    with pytest.raises(ValueError, match="crop_size"):
        CIFARAugment(padding=0, crop_size=40)(torch.rand(2, 3, 32, 32))
    # refused when built: crop_size=0 kept the whole image, True cropped 1x1,
    # 2.5 and -2 failed in torch.randint at the first training batch; a NaN
    # or infinite padding failed converting it to an int
    for crop_size in (0, True, 2.5, -2):
        with pytest.raises(ValueError, match="crop_size must be an int >= 1"):
            CIFARAugment(crop_size=crop_size)
    for padding in (float("nan"), float("inf"), True):
        with pytest.raises(ValueError, match="padding must be a non-negative int"):
            CIFARAugment(padding=padding)
    # a NaN statistic made every training input NaN
    with pytest.raises(ValueError, match="mean and std must be finite"):
        CIFARAugment(mean=(0.5, 0.5, float("nan")), std=(0.2, 0.2, 0.2))
    with pytest.raises(ValueError, match="mean and std must be finite"):
        CIFARAugment(mean=(0.5,) * 3, std=(0.2, float("inf"), 0.2))
    with pytest.raises(ValueError, match="mean and std must have the same length"):
        CIFARAugment(mean=(0.5,) * 3, std=(0.2, 0.2))
    for std in ((0.2, 0.0, 0.2), (0.2, -0.1, 0.2)):
        with pytest.raises(ValueError, match="std must be positive"):
            CIFARAugment(mean=(0.5,) * 3, std=std)
    assert CIFARAugment(padding=2.0, crop_size=30.0).crop_size == 30
    with pytest.raises(ValueError, match="images"):
        CIFARAugment()(torch.rand(2, 3, 32))
    with pytest.raises(TypeError, match="callable"):
        TransformAugment(3)
    # Flat rows that input_shape does not fit, and images whose channels the
    # normalisation does not fit (one channel was broadcast to three).
    for aug in (CIFARAugment(), TransformAugment(torch.flip, input_shape=(3, 4, 4))):
        with pytest.raises(ValueError, match=r"input_shape=\(3, .*the rows have 64"):
            aug(torch.rand(2, 64))
    with pytest.raises(ValueError, match="normalises 3 channels.*images have 1"):
        CIFARAugment()(torch.rand(2, 1, 8, 8))


@pytest.mark.parametrize("value", ["a", None])
def test_settings_that_are_not_numbers_are_refused_by_name(value):
    # Python's "'<=' not supported between instances of 'float' and 'str'"
    # and torch's "new(): invalid data type 'str'" named no setting
    with pytest.raises(ValueError, match=r"flip_prob must be in \[0, 1\]"):
        CIFARAugment(flip_prob=value)
    with pytest.raises(ValueError, match="mean and std must hold numbers"):
        CIFARAugment(mean=(0.5, value, 0.5), std=(0.2,) * 3)
    with pytest.raises(ValueError, match="mean and std must hold numbers"):
        CIFARAugment(mean=(0.5,) * 3, std=(0.2, value, 0.2))


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_a_flip_prob_outside_zero_and_one_is_refused_by_name(value):
    with pytest.raises(ValueError, match=r"flip_prob must be in \[0, 1\]; got"):
        CIFARAugment(flip_prob=value)
    for bound in (0.0, 1.0):  # the bounds are probabilities too
        assert CIFARAugment(flip_prob=bound).flip_prob == bound


@pytest.mark.parametrize("to", [np.array, torch.tensor])
def test_a_flip_prob_of_several_values_is_refused_by_name(to):
    # numpy's "The truth value of an array with more than one element is
    # ambiguous" and torch's "Boolean value of Tensor with more than one
    # value is ambiguous" named no setting
    with pytest.raises(ValueError, match=r"flip_prob must be in \[0, 1\]; got"):
        CIFARAugment(flip_prob=to([0.2, 0.3]))
    assert CIFARAugment(flip_prob=to(0.25)).flip_prob == 0.25


@pytest.mark.parametrize("to", [torch.tensor, np.int64, float])
def test_padding_and_crop_size_of_torch_or_numpy_are_pixels(to):
    # torch integers were refused as "not an int", as fractions are
    x = torch.rand(4, 3, 32, 32)
    augment = CIFARAugment(padding=to(2), crop_size=to(28), mean=None, std=None)
    assert (augment.padding, augment.crop_size) == (2, 28)
    expected = CIFARAugment(padding=2, crop_size=28, mean=None, std=None)
    torch.manual_seed(0)
    out = augment(x)
    torch.manual_seed(0)
    torch.testing.assert_close(out, expected(x))


def test_transform_augment_uses_torchvision_where_installed():
    v2 = pytest.importorskip("torchvision.transforms.v2")
    aug = TransformAugment(v2.RandomHorizontalFlip(p=1.0), input_shape=(1, 4, 4))
    x = torch.arange(32.0).reshape(2, 16)
    torch.testing.assert_close(aug(x), x.reshape(2, 1, 4, 4).flip(-1))
    torch.testing.assert_close(aug.eval()(x), x.reshape(2, 1, 4, 4))


def test_classifier_trains_an_augmented_network():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [40, 10])
    X = (rng.random((50, 1, 8, 8)) + y[:, None, None, None]).astype(np.float32)

    def module(n_features, n_classes):
        aug = CIFARAugment(padding=1, mean=(0.5,), std=(0.5,), input_shape=(1, 8, 8))
        return Augmented(aug, SmallCNN(n_features, n_classes, input_shape=(1, 8, 8)))

    clf = LongTailClassifier(module, max_epochs=3, batch_size=16, random_state=0)
    clf.fit(X, y)
    assert isinstance(clf.module_.augment, CIFARAugment)
    assert clf.predict(X).shape == (50,)
    # predictions are deterministic: augmentation is off in eval mode
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


class _Recorder(SmallCNN):
    """A SmallCNN that keeps the batches it sees, by mode."""

    def __init__(self, n_features, n_classes, input_shape):
        super().__init__(n_features, n_classes, input_shape=input_shape, channels=(4,))
        self.seen = {True: [], False: []}

    def forward(self, x):
        self.seen[self.training].append(x.detach().clone())
        return super().forward(x)


def _images(n_channels=3):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [24, 8])
    # Pixel values in [0, 1], the scale of the CIFAR statistics.
    X = 0.5 * rng.random((32, n_channels, 8, 8)).astype(np.float32)
    X[:, :, :4] += 0.5 * y[:, None, None, None]
    return X, y


def _flip(x):
    return x.flip(-1)


def _fit_recorder(X, y, augment, **params):
    torch.set_num_threads(1)
    clf = LongTailClassifier(
        _Recorder,
        augment=augment,
        max_epochs=2,
        batch_size=len(y),
        iterator_train__sampler=torch.utils.data.SequentialSampler(range(len(y))),
        **{"random_state": 0, **params},
    )
    return clf.fit(X, y)


def test_augment_cifar_crops_and_flips_training_batches_only():
    X, y = _images()
    clf = _fit_recorder(X, y, "cifar")
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    normalised = (torch.as_tensor(X) - mean) / std
    first, second = clf.module_.seen[True]
    assert first.shape == normalised.shape
    assert not torch.equal(first, normalised)  # cropped and flipped
    assert not torch.equal(first, second)  # a new draw each epoch
    # evaluation batches are normalised, not augmented
    proba = clf.predict_proba(X)
    torch.testing.assert_close(clf.module_.seen[False][-1], normalised)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    assert clf.transform(X).shape[0] == len(X)
    torch.testing.assert_close(clf.module_.seen[False][-1], normalised)
    # same random_state, same result; another one, other crops
    again = _fit_recorder(X, y, "cifar")
    torch.testing.assert_close(again.module_.seen[True][0], first, rtol=0, atol=0)
    np.testing.assert_array_equal(again.predict_proba(X), proba)
    other = _fit_recorder(X, y, "cifar", random_state=1)
    assert not torch.equal(other.module_.seen[True][0], first)


@pytest.mark.parametrize(
    "augment", [_flip, TransformAugment(_flip)], ids=["callable", "object"]
)
def test_augment_takes_a_transform_or_an_augment_object(augment):
    X, y = _images(n_channels=1)
    clf = _fit_recorder(X, y, augment)
    flipped = torch.as_tensor(X).flip(-1)
    torch.testing.assert_close(clf.module_.seen[True][0], flipped)
    clf.predict(X)
    torch.testing.assert_close(clf.module_.seen[False][-1], torch.as_tensor(X))
    assert clf.get_params()["augment"] is augment
    if isinstance(augment, TransformAugment):
        assert augment.training  # the classifier works on a copy


class _Flip(torch.nn.Module):
    def forward(self, x):
        return x.flip(-1)


def test_augment_module_is_left_as_given_by_fit_and_predict():
    # predict put the module given as augment in evaluation mode, which
    # changed the fitted classifier (its pickle) and the module of any other
    # classifier sharing it
    X, y = _images(n_channels=1)
    augment = _Flip()
    clf = LongTailClassifier(
        augment=augment, max_epochs=1, train_split=None, random_state=0
    ).fit(X, y)
    assert clf.get_params()["augment"] is augment
    assert augment.training
    fitted = pickle.dumps(clf)
    clf.predict(X)
    assert augment.training
    assert pickle.dumps(clf) == fitted


def _crop(x):
    return x[..., 1:, 1:]


def test_a_transform_that_changes_the_shape_needs_an_eval_transform():
    # it failed in the network's first layer, with torch's shape error
    X, y = _images(n_channels=1)
    with pytest.raises(
        ValueError, match=r"from shape \(32, 1, 8, 8\) to \(32, 1, 7, 7\)"
    ):
        LongTailClassifier(augment=_crop, max_epochs=1, random_state=0).fit(X, y)
    # with an evaluation transform of the same shape, a network that takes any
    # image size trains and predicts
    augment = TransformAugment(_crop, eval_transform=_crop, input_shape=(1, 8, 8))
    module = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 2),
    )
    clf = LongTailClassifier(module, augment=augment, max_epochs=1, random_state=0)
    assert clf.fit(X, y).predict(X).shape == y.shape


def test_a_crop_of_another_size_is_refused_by_an_image_network():
    # the crops were reshaped to the image size, 4 crops of 4x4 to an image
    # of 8x8: the fit failed with the loss's "Expected input batch_size (8)
    # to match target batch_size (32)"
    X, y = _images(n_channels=3)
    clf = LongTailClassifier(
        SmallCNN, module__channels=(2,), augment="cifar", augment__crop_size=4
    )
    with pytest.raises(ValueError, match=r"shape \(3, 8, 8\).*augmentation must"):
        clf.set_params(max_epochs=1, random_state=0).fit(X, y)


def test_augment_takes_a_torchvision_transform_where_installed():
    v2 = pytest.importorskip("torchvision.transforms.v2")
    X, y = _images()
    clf = _fit_recorder(X, y, v2.RandomHorizontalFlip(p=1.0))
    torch.testing.assert_close(clf.module_.seen[True][0], torch.as_tensor(X).flip(-1))


def test_augment_is_validated_and_cloned():
    X, y = _images(n_channels=1)
    with pytest.raises(ValueError, match="augment='cifar' needs images of 3 channels"):
        LongTailClassifier(SmallCNN, augment="cifar", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="'augment' parameter"):
        LongTailClassifier(SmallCNN, augment="mixup", max_epochs=1).fit(X, y)
    clf = LongTailClassifier(SmallCNN, augment="cifar")
    assert clone(clf).get_params()["augment"] == "cifar"


def test_augment_parameters_reach_the_cifar_recipe_and_set_params_works():
    X, y = _images()
    clf = _fit_recorder(X, y, "cifar", augment__padding=0, augment__flip_prob=0.0)
    expected = (torch.as_tensor(X) - torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)) / (
        torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    )
    torch.testing.assert_close(clf.module_.seen[True][0], expected)
    clf.set_params(augment=TransformAugment(_flip), augment__padding=2)
    assert isinstance(clf.get_params()["augment"], TransformAugment)
    assert clf.get_params()["augment__padding"] == 2


def test_augment_set_on_a_fitted_classifier_takes_effect_at_the_next_fit():
    # predict and transform normalised their batches as augment was set at
    # the time: set_params(augment=None) after a fit with augment="cifar" fed
    # the network pixels it was not trained on, as did new augment__mean and
    # augment__std, and the predictions changed.
    torch.set_num_threads(1)
    X, y = _images()
    clf = LongTailClassifier(augment="cifar", max_epochs=2, random_state=0)
    clf.fit(X, y)
    proba, features = clf.predict_proba(X), clf.transform(X)
    for params in (
        {"augment": None},
        {"augment": "cifar", "augment__mean": (0.0,) * 3, "augment__std": (1.0,) * 3},
    ):
        clf.set_params(**params)
        np.testing.assert_array_equal(clf.predict_proba(X), proba)
        np.testing.assert_array_equal(clf.transform(X), features)
    refitted = clf.fit(X, y).predict_proba(X)
    fresh = clone(clf).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(refitted, fresh)
    assert not np.array_equal(refitted, proba)


def test_augment_cifar_warns_on_pixels_outside_zero_one():
    # The CIFAR statistics are those of pixels in [0, 1]; 8-bit images (the
    # uint8 arrays of load_cifar_lt) were normalised to values near 1000.
    X, y = _images()
    with pytest.warns(UserWarning, match="Divide 8-bit images by 255"):
        _fit_recorder((255 * X).astype(np.uint8), y, "cifar")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _fit_recorder(X, y, "cifar")
        # No normalisation, no scale to expect.
        _fit_recorder(255 * X, y, "cifar", augment__mean=None, augment__std=None)
        # Statistics of 8-bit pixels, given with them.
        _fit_recorder(
            255 * X,
            y,
            "cifar",
            augment__mean=(125.3, 123.0, 113.9),
            augment__std=(63.0, 62.1, 66.7),
        )


def test_a_cifar_augment_given_as_augment_warns_on_pixels_outside_zero_one():
    # Only augment="cifar" warned: CIFARAugment(padding=2) normalised 8-bit
    # images with the statistics of [0, 1] silently.
    X, y = _images()
    with pytest.warns(UserWarning, match=r"CIFARAugment\(\.\.\.\) normalises .* 8-bit"):
        _fit_recorder((255 * X).astype(np.uint8), y, CIFARAugment(padding=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _fit_recorder(X, y, CIFARAugment(padding=2))
        _fit_recorder(255 * X, y, CIFARAugment(mean=None, std=None))
        eight_bit = CIFARAugment(mean=(125.3, 123.0, 113.9), std=(63.0, 62.1, 66.7))
        _fit_recorder(255 * X, y, eight_bit)


def test_the_crops_and_flips_do_not_depend_on_the_default_dtype(float64_default):
    # The flips were drawn in torch's default dtype: under float64 the same
    # seed flipped other images.
    x = torch.arange(16 * 3 * 4 * 4, dtype=torch.float32).reshape(16, 3, 4, 4)
    aug = CIFARAugment(padding=1, mean=None, std=None, input_shape=(3, 4, 4))
    torch.manual_seed(0)
    under_float64 = aug(x)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(0)
    assert torch.equal(aug(x), under_float64)
