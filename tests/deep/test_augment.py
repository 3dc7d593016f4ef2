"""Tests of the batched on-device CIFAR augmentation."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from ltlearn.deep import LongTailClassifier  # noqa: E402
from ltlearn.deep.augment import (  # noqa: E402
    Augmented,
    CIFARAugment,
    TransformAugment,
)
from ltlearn.deep.modules import SmallCNN  # noqa: E402


def _reference(x, top, left, flip, padding):
    """The per-image crop and flip the batched gather must reproduce."""
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    size = x.shape[-1]
    out = padded[:, top : top + size, left : left + size]
    return out.flip(-1) if flip else out


def test_crop_flip_equals_per_image_reference():
    torch.manual_seed(0)
    x = torch.rand(16, 3, 8, 8)
    aug = CIFARAugment(padding=2, mean=None, std=None, input_shape=(3, 8, 8))
    torch.manual_seed(1)
    out = aug(x)
    # replay the same random draws
    torch.manual_seed(1)
    top = torch.randint(0, 5, (16, 1))
    left = torch.randint(0, 5, (16, 1))
    flip = torch.rand(16, 1) < 0.5
    for i in range(16):
        expected = _reference(x[i], int(top[i]), int(left[i]), bool(flip[i]), 2)
        torch.testing.assert_close(out[i], expected)
    assert flip.any() and not flip.all()


def test_normalisation_eval_mode_and_flat_rows():
    aug = CIFARAugment(mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25)).eval()
    x = torch.rand(4, 3 * 32 * 32)
    out = aug(x)
    torch.testing.assert_close(out, (x.reshape(4, 3, 32, 32) - 0.5) / 0.25)
    assert aug.training is False
    aug.train()
    torch.manual_seed(0)
    assert not torch.equal(aug(x), out)  # crops and flips in training mode


def test_bad_parameters_and_shapes():
    with pytest.raises(ValueError, match="padding"):
        CIFARAugment(padding=-1)
    with pytest.raises(ValueError, match="flip_prob"):
        CIFARAugment(flip_prob=2)
    with pytest.raises(ValueError, match="together"):
        CIFARAugment(mean=(0.5,), std=None)
    with pytest.raises(ValueError, match="crop_size"):
        CIFARAugment(padding=0, crop_size=40)(torch.rand(2, 3, 32, 32))
    with pytest.raises(ValueError, match="images"):
        CIFARAugment()(torch.rand(2, 3, 32))
    with pytest.raises(TypeError, match="callable"):
        TransformAugment(3)


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
