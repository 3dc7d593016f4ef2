"""Batched on-device image augmentation for :class:`LongTailClassifier`.

The CIFAR recipe of the long-tail literature (zero padding of 4, a random
32x32 crop, a random horizontal flip and per-channel normalisation) as one
gather over the whole batch on the batch's device, with no Python loop over
images.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ltlearn.utils._class_counts import _plain
from ltlearn.utils._docstring import _Substitution
from ltlearn.utils._validation import (
    _as_int,
    _check_fraction,
    _native_byte_order,
    _writeable,
)

__all__ = [
    "CIFAR10_MEAN",
    "CIFAR10_STD",
    "Augmented",
    "CIFARAugment",
    "TransformAugment",
]

#: Per-channel mean and standard deviation used by the LDAM/CB/VS/KPS code,
#: of pixel values in [0, 1] (after torchvision's ``ToTensor``).
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2023, 0.1994, 0.2010)


def _whole(value, low):
    """Whether ``value`` is a whole number ``>= low`` (``4`` or ``4.0``, not a bool)."""
    whole = _as_int(value, whole=True)
    return whole is not None and whole >= low


def _plain_shape(shape):
    """``shape`` with numpy integers as Python ints, for ``repr``.

    With numpy 2 they print as ``np.int64(28)``, and an ``input_shape`` given
    as an array printed apart from the same shape given as a tuple.
    """
    return tuple(map(_plain, shape))


def _unflatten(x, input_shape):
    """Flat rows ``(N, prod(input_shape))`` reshaped to ``(N, *input_shape)``.

    Grey images ``(N, H, W)`` of an ``input_shape`` ``(1, H, W)`` get their
    channel axis; other input keeps its shape.
    """
    if x.ndim == 3 and len(input_shape) == 3 and input_shape[0] == 1:
        if tuple(x.shape[1:]) == tuple(input_shape[1:]):
            return x.unsqueeze(1)
    if x.ndim != 2:
        return x
    if x.shape[1] != math.prod(input_shape):
        raise ValueError(
            f"The augmentation has input_shape={input_shape}, "
            f"{math.prod(input_shape)} values per row; the rows have "
            f"{x.shape[1]}. Set input_shape to the shape of one image."
        )
    return x.reshape(x.shape[0], *input_shape)


# The input_shape parameter of the augmentations, shared by their docstrings.
_input_shape_docstring = _Substitution(
    input_shape="""input_shape : tuple of int, default=(3, 32, 32)
        ``(channels, height, width)`` used to reshape flat rows ``(N,
        channels * height * width)``, and grey images ``(N, height, width)``
        when ``channels`` is 1; other input keeps its shape."""
)


@_input_shape_docstring
class CIFARAugment(nn.Module):
    """Pad, random crop, random horizontal flip and normalisation of a batch.

    In training mode each image of the batch ``(N, C, H, W)`` is padded with
    ``padding`` zeros on every side, cropped to ``crop_size`` at a random
    offset and flipped left-right with probability ``flip_prob``; in both
    modes the channels are then normalised with ``mean`` and ``std``. The
    crop and the flip are one indexing operation on the whole batch, on the
    batch's device, drawn from torch's generator of that device. Flat rows
    ``(N, C*H*W)`` are reshaped with ``input_shape``.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    padding : int, default=4
        Zeros added on each side before cropping.
    crop_size : int or None, default=None
        Side of the square crop; ``None`` keeps the input's size (height and
        width, of square images or not).
    flip_prob : float, default=0.5
        Probability of a horizontal flip.
    mean, std : sequence of float or None, default=CIFAR-10 statistics
        Per-channel normalisation; ``None`` skips it. The CIFAR-10 statistics
        of the papers' code, mean ``(0.4914, 0.4822, 0.4465)`` and std
        ``(0.2023, 0.1994, 0.2010)``, are those of pixel values in ``[0, 1]``:
        divide 8-bit images (the uint8 arrays of
        :func:`~ltlearn.datasets.load_cifar_lt`) by 255 first, as
        torchvision's ``ToTensor`` does in that code.
    {input_shape}

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.augment import CIFARAugment
    >>> aug = CIFARAugment()
    >>> aug(torch.rand(8, 3, 32, 32)).shape
    torch.Size([8, 3, 32, 32])
    """

    def __init__(
        self,
        padding=4,
        crop_size=None,
        flip_prob=0.5,
        mean=CIFAR10_MEAN,
        std=CIFAR10_STD,
        input_shape=(3, 32, 32),
    ):
        super().__init__()
        if not _whole(padding, 0):
            raise ValueError(f"padding must be a non-negative int; got {padding!r}.")
        if crop_size is not None and not _whole(crop_size, 1):
            raise ValueError(
                f"crop_size must be an int >= 1 or None; got {crop_size!r}."
            )
        _check_fraction("flip_prob", flip_prob)
        if (mean is None) != (std is None):
            raise ValueError("mean and std must be given together.")
        self.padding = int(padding)
        self.crop_size = None if crop_size is None else int(crop_size)
        self.flip_prob = float(flip_prob)
        self.input_shape = tuple(input_shape)
        if mean is not None:
            try:
                # copies: a read-only or reversed array would make torch warn
                # or fail, and the buffers must not follow later edits of
                # the caller's arrays
                given = tuple(
                    torch.as_tensor(
                        _writeable(_native_byte_order(value)), dtype=torch.float32
                    )
                    .view(1, -1, 1, 1)
                    .clone()
                    for value in (mean, std)
                )
            except (TypeError, ValueError, RuntimeError) as exc:
                raise ValueError(
                    "mean and std must hold numbers, one per channel; got "
                    f"mean={mean!r} and std={std!r}."
                ) from exc
            mean, std = given
            if mean.shape != std.shape:
                raise ValueError("mean and std must have the same length.")
            if not (torch.isfinite(mean).all() and torch.isfinite(std).all()):
                raise ValueError("mean and std must be finite.")
            if (std <= 0).any():
                raise ValueError("std must be positive.")
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("std", std, persistent=False)

    def extra_repr(self):
        """Settings shown by ``repr``: those set to other than their defaults.

        As scikit-learn prints an estimator, so that
        ``LongTailClassifier(augment=CIFARAugment(padding=8))`` does not print
        as the defaults do.

        Returns
        -------
        text : str
            The settings, comma separated.
        """
        normalisation = {
            # float32 buffers, shown with the fewest digits that tell their
            # float32 values apart (0.3, not 0.30000001192092896)
            name: None
            if value is None
            else tuple(
                float(str(np.float32(number))) for number in value.flatten().tolist()
            )
            for name, value in (("mean", self.mean), ("std", self.std))
        }
        settings = {
            "padding": self.padding,
            "crop_size": self.crop_size,
            "flip_prob": self.flip_prob,
            **normalisation,
            "input_shape": _plain_shape(self.input_shape),
        }
        defaults = inspect.signature(CIFARAugment).parameters
        return ", ".join(
            f"{name}={value!r}"
            for name, value in settings.items()
            if value != defaults[name].default
        )

    def crop_flip(self, x):
        """Random crop and flip of a batch (no normalisation).

        Parameters
        ----------
        x : torch.Tensor of shape (N, C, H, W)
            The images.

        Returns
        -------
        x_new : torch.Tensor of shape (N, C, crop_size, crop_size)
            The cropped and flipped images; of shape ``(N, C, H, W)`` when
            ``crop_size`` is ``None``.
        """
        n, c, h, w = x.shape
        # None keeps the input's size, non-square images included.
        height, width = (self.crop_size,) * 2 if self.crop_size else (h, w)
        if height > h + 2 * self.padding or width > w + 2 * self.padding:
            raise ValueError(
                f"crop_size {self.crop_size} exceeds the padded image "
                f"{h + 2 * self.padding}x{w + 2 * self.padding}."
            )
        device = x.device
        padded = F.pad(x, (self.padding,) * 4) if self.padding else x
        top = torch.randint(0, h + 2 * self.padding - height + 1, (n, 1), device=device)
        left = torch.randint(0, w + 2 * self.padding - width + 1, (n, 1), device=device)
        rows = top + torch.arange(height, device=device)
        # float32 draws whatever torch's default dtype: the same flips.
        flip = torch.rand(n, 1, device=device, dtype=torch.float32) < self.flip_prob
        ar = torch.arange(width, device=device)
        cols = left + torch.where(flip, ar.flip(0), ar)
        batch = torch.arange(n, device=device)[:, None, None, None]
        chan = torch.arange(c, device=device)[None, :, None, None]
        return padded[batch, chan, rows[:, None, :, None], cols[:, None, None, :]]

    def forward(self, x):
        """Augment in training mode, normalise in both modes.

        Parameters
        ----------
        x : torch.Tensor of shape (N, C, H, W) or (N, C * H * W)
            The images (of floats when ``mean`` is given), or flat rows that
            ``input_shape`` reshapes.

        Returns
        -------
        x_new : torch.Tensor of shape (N, C, H', W')
            The images, cropped to ``crop_size`` in training mode.
        """
        x = _unflatten(x, self.input_shape)
        if x.ndim != 4:
            grey = ""
            if x.ndim == 3:
                grey = (
                    " Grey images (N, height, width) need "
                    f"input_shape=(1, {x.shape[1]}, {x.shape[2]})."
                )
            raise ValueError(
                f"CIFARAugment expects images (N, C, H, W) or flat rows; got shape "
                f"{tuple(x.shape)}.{grey}"
            )
        if self.mean is not None and not x.is_floating_point():
            # mean and std cast to the integers of x: 0, and every value inf
            raise TypeError(
                f"CIFARAugment normalises float images; got a {x.dtype} "
                "tensor. Convert it first: x.float() / 255 for 8-bit pixels "
                "(the default mean and std are of pixel values in [0, 1])."
            )
        if self.mean is not None and x.shape[1] != self.mean.shape[1]:
            raise ValueError(
                f"CIFARAugment normalises {self.mean.shape[1]} channels (mean and "
                f"std); the images have {x.shape[1]}. Give mean and std of one "
                "value per channel, or None."
            )
        if self.training:
            x = self.crop_flip(x)
        if self.mean is not None:
            x = (x - self.mean.to(x)) / self.std.to(x)
        return x


@_input_shape_docstring
class TransformAugment(nn.Module):
    """Apply a batched transform (a torchvision v2 transform) in training mode.

    ``transform`` is called on the whole batch tensor; torchvision's ``v2``
    transforms accept batches and run on the batch's device, so
    ``torchvision.transforms.v2.RandomHorizontalFlip()`` or a ``Compose`` of
    such transforms works. At evaluation ``eval_transform`` (default:
    identity) is applied instead. torchvision is optional: any callable on a
    tensor is accepted.

    .. versionadded:: 0.1

    Parameters
    ----------
    transform : callable
        Called on the training batch ``(N, C, H, W)``.
    eval_transform : callable or None, default=None
        Called on evaluation batches; ``None`` leaves them unchanged, and
        ``transform`` must then keep the shape of the batch (a clear error
        otherwise, as the network would train and predict on other shapes).
    {input_shape}

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.augment import TransformAugment
    >>> aug = TransformAugment(lambda x: x.flip(-1))
    >>> aug(torch.ones(2, 3, 32, 32)).shape
    torch.Size([2, 3, 32, 32])
    """

    def __init__(self, transform, eval_transform=None, input_shape=(3, 32, 32)):
        super().__init__()
        if not callable(transform):
            raise TypeError(f"transform must be callable; got {transform!r}.")
        self.transform = transform
        self.eval_transform = eval_transform
        self.input_shape = tuple(input_shape)

    def extra_repr(self):
        """Settings shown by ``repr``: those set to other than their defaults.

        A transform that is a module (torchvision's) is shown as a child
        module, as PyTorch shows it; another callable is shown here.

        Returns
        -------
        text : str
            The settings, comma separated.
        """
        settings = [
            (name, value)
            for name, value in (
                ("transform", self.transform),
                ("eval_transform", self.eval_transform),
            )
            if value is not None and not isinstance(value, nn.Module)
        ]
        default_shape = inspect.signature(TransformAugment).parameters["input_shape"]
        if self.input_shape != default_shape.default:
            settings.append(("input_shape", _plain_shape(self.input_shape)))
        return ", ".join(f"{name}={value!r}" for name, value in settings)

    def forward(self, x):
        """Transform in training mode, ``eval_transform`` otherwise.

        Parameters
        ----------
        x : torch.Tensor of shape (N, C, H, W) or (N, C * H * W)
            The images, or flat rows that ``input_shape`` reshapes.

        Returns
        -------
        x_new : torch.Tensor
            What ``transform`` (or ``eval_transform``) returns; the images
            ``(N, C, H, W)`` unchanged in eval mode without
            ``eval_transform``.
        """
        x = _unflatten(x, self.input_shape)
        if not self.training:
            return x if self.eval_transform is None else self.eval_transform(x)
        out = self.transform(x)
        if (
            self.eval_transform is None
            and torch.is_tensor(out)
            and out.shape != x.shape
        ):
            # The network would train on one shape and predict on another.
            raise ValueError(
                f"The augmentation transform changed the training batch from "
                f"shape {tuple(x.shape)} to {tuple(out.shape)}, while "
                f"evaluation batches keep theirs. Give a transform that keeps "
                f"the shape (the networks of ltlearn.deep.modules take images "
                f"of the fitted shape), or, for a network that takes any "
                f"size, TransformAugment(transform, eval_transform=...) with "
                f"an evaluation transform of the same output shape."
            )
        return out


class Augmented(nn.Module):
    """A network preceded by an augmentation module.

    The augmentation acts in training mode only (normalisation, if any, in
    both); ``features`` and ``classifier`` of ``module`` stay reachable so
    callbacks that retrain the head keep working.

    .. versionadded:: 0.1

    Parameters
    ----------
    augment : torch.nn.Module
        For example :class:`CIFARAugment`.
    module : torch.nn.Module
        The network, for example :class:`~ltlearn.deep.modules.ResNet32`.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.augment import Augmented, CIFARAugment
    >>> from ltlearn.deep.modules import ResNet32
    >>> net = Augmented(CIFARAugment(), ResNet32(3072, 10))
    >>> net(torch.rand(4, 3, 32, 32)).shape
    torch.Size([4, 10])
    """

    def __init__(self, augment, module):
        super().__init__()
        self.augment = augment
        self.module = module

    @property
    def classifier(self):
        """The last layer of ``module``, which maps features to logits."""
        return self.module.classifier

    def features(self, x):
        """Features of the augmented (or, in eval mode, normalised) batch.

        Parameters
        ----------
        x : torch.Tensor
            The input of ``augment``, as in :meth:`forward`.

        Returns
        -------
        features : torch.Tensor of shape (N, n_features_out)
            ``module.features`` of the augmented batch.
        """
        return self.module.features(self.augment(x))

    def forward(self, x):
        """Logits of the augmented (or, in eval mode, normalised) batch.

        Parameters
        ----------
        x : torch.Tensor
            The input of ``augment``: images ``(N, C, H, W)``, or flat rows
            that it reshapes.

        Returns
        -------
        logits : torch.Tensor of shape (N, n_classes)
            The output of ``module`` on the augmented batch, one score per
            class.
        """
        return self.module(self.augment(x))
