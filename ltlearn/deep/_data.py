"""Input handling of LongTailClassifier: datasets, labels and batch transforms."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from numbers import Number

import numpy as np
import torch
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch.utils.data import Dataset, IterableDataset, Sampler, Subset

from ltlearn.deep.samplers import _dataset_tensors, _epoch_indices, _subset_rows


def _count_classes(labels, sample_weight, n_classes):
    """Rows (or total ``sample_weight``) of each class."""
    if sample_weight is None:
        return np.bincount(np.asarray(labels), minlength=n_classes)
    return np.bincount(
        np.asarray(labels), weights=np.asarray(sample_weight), minlength=n_classes
    )


@dataclass(eq=False, repr=False)
class _ItemDataset(Dataset):
    """A map-style dataset whose items become ``(x, target)`` for the network.

    ``x`` is the item's input (the first of an ``(x, y)`` pair, or the item
    itself) as float32, with its ``sample_weight`` in a dict when given;
    ``target`` is the label-encoded label read at fit, or 0 when there is
    none (prediction).
    """

    dataset: Dataset
    _: KW_ONLY
    pairs: bool
    labels: torch.Tensor | None = None
    sample_weight: torch.Tensor | None = None
    # Given for prediction: each input is checked as it is read (at fit,
    # every item was checked when the labels were read).
    shape: tuple | None = None

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        item = self.dataset[i]
        x = item[0] if self.pairs else item
        if self.shape is not None:
            x = _checked_input(x, i, self.shape)
        x = torch.as_tensor(x, dtype=torch.float32)
        if self.sample_weight is not None:
            x = {"X": x, "sample_weight": self.sample_weight[i]}
        target = self.labels[i] if self.labels is not None else torch.tensor(0)
        return x, target


def _is_checked(dataset):
    """Whether ``dataset`` was made by the classifier (no validation needed)."""
    while isinstance(dataset, Subset):
        dataset = dataset.dataset
    return isinstance(dataset, _ItemDataset) or getattr(
        dataset, "_ltlearn_checked", False
    )


def _labels_and_weights(dataset):
    """Integer labels and per-row weights of a training dataset, or None.

    Reads in-memory datasets (see ``_dataset_tensors``) and the classifier's
    own ``_ItemDataset``, through any ``Subset``; the weights are None when
    there are none.
    """
    if isinstance(dataset, Subset):
        return _subset_rows(dataset, _labels_and_weights)
    if isinstance(dataset, _ItemDataset):
        if dataset.labels is None:
            return None
        return dataset.labels, dataset.sample_weight
    tensors = _dataset_tensors(dataset)
    if tensors is None or tensors[1] is None:
        return None
    X, labels = tensors
    weights = X["sample_weight"] if isinstance(X, dict) else None
    return labels, weights


def _check_map_style(dataset, method):
    """Refuse what cannot be indexed: samplers and splits need ``dataset[i]``."""
    if isinstance(dataset, IterableDataset) or not hasattr(dataset, "__len__"):
        raise TypeError(
            f"LongTailClassifier.{method} takes a map-style torch Dataset (with "
            f"__len__ and __getitem__); {type(dataset).__name__} is not one."
        )
    if len(dataset) == 0:
        raise ValueError(f"The Dataset given to {method} is empty.")


def _as_input(x, i):
    """The input ``x`` of item ``i`` as a tensor, or a clear error."""
    if not isinstance(x, (torch.Tensor, np.ndarray, np.generic, Number)):
        raise TypeError(
            f"Item {i} of the Dataset has an input of type {type(x).__name__}; "
            "LongTailClassifier needs a tensor or an array (give the dataset a "
            "transform that returns tensors)."
        )
    x = torch.as_tensor(x)
    if x.ndim == 0:
        raise ValueError(
            f"Item {i} of the Dataset has a scalar input; each input needs at "
            "least one dimension (features, or channels x height x width)."
        )
    return x


def _checked_input(x, i, shape):
    """The input of item ``i`` as a finite tensor of ``shape`` (any if None)."""
    x = _as_input(x, i)
    if shape is not None and tuple(x.shape) != shape:
        raise ValueError(
            f"Item {i} of the Dataset has an input of shape {tuple(x.shape)}, "
            f"item 0 one of shape {shape}; every input must have the same shape."
        )
    if x.is_floating_point() and not torch.isfinite(x).all():
        raise ValueError(f"Item {i} of the Dataset has an input with NaN or infinity.")
    return x


def _as_label(y, i):
    """The label of item ``i`` as a Python scalar."""
    y = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if y.ndim != 0:
        raise ValueError(
            f"Item {i} of the Dataset has a label of shape {y.shape}; each "
            "label must be a scalar."
        )
    return y.item()


def _is_pair(item):
    return isinstance(item, (tuple, list)) and len(item) == 2


def _read_labelled_dataset(dataset):
    """Labels and input shape of a dataset of ``(x, y)`` items, read once.

    Every item is read: its input must be a finite tensor or array of the
    same shape as the others, its label a scalar.
    """
    _check_map_style(dataset, "fit")
    labels = []
    shape = None
    for i in range(len(dataset)):
        item = dataset[i]
        if not _is_pair(item):
            raise ValueError(
                f"Item {i} of the Dataset is a {type(item).__name__}, not an "
                "(x, y) pair: fit needs the labels. Give a Dataset of (x, y) "
                "items, or arrays X and y."
            )
        x = _checked_input(item[0], i, shape)
        shape = tuple(x.shape)
        labels.append(_as_label(item[1], i))
    return np.asarray(labels), shape


def _peek_input(dataset):
    """Whether items are ``(x, y)`` pairs, and the shape of the first input."""
    _check_map_style(dataset, "predict")
    item = dataset[0]
    pairs = _is_pair(item)
    return pairs, tuple(_as_input(item[0] if pairs else item, 0).shape)


def _map_input(X, func):
    """``func`` applied to a batch of input, or to its ``"X"`` entry."""
    if isinstance(X, Mapping) and "X" in X:
        return {**X, "X": func(X["X"])}
    return func(X)


@dataclass(eq=False, repr=False)
class _AugmentedLoader:
    """The batches of ``loader``, their input moved to ``device`` and augmented.

    ``augment`` is put in training or evaluation mode at each pass over the
    batches, so that the same module crops and flips training batches and
    only normalises the others.
    """

    loader: object
    augment: torch.nn.Module
    device: object
    training: bool

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        self.augment.train(self.training)
        for batch in self.loader:
            Xi, yi = unpack_data(batch)
            with torch.no_grad():
                Xi = _map_input(
                    Xi, lambda x: self.augment(to_tensor(x, device=self.device))
                )
            yield Xi, yi


class _SamplerSlot(Sampler):
    """Holds the training sampler so that callbacks can swap it mid-fit.

    A ``DataLoader`` refuses a new sampler once built; the slot stays, its
    ``sampler`` changes.
    """

    def __init__(self, sampler, labels):
        self.sampler = sampler
        self.labels = labels

    def sample_indices(self):
        return _epoch_indices(self.sampler)

    def __iter__(self):
        return iter(self.sampler)

    def __len__(self):
        return len(self.sampler)
