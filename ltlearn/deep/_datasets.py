"""Reading a training set: the items and labels of a torch Dataset or arrays."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from numbers import Number

import numpy as np
import torch
from skorch.dataset import Dataset as SkorchDataset
from torch.utils.data import Dataset, IterableDataset, Subset

from ltlearn.deep.samplers import (
    _dataset_tensors,
    _subset_rows,
)
from ltlearn.utils._validation import _writeable

_NUMPY_FLOATS = (torch.float16, torch.float32, torch.float64)


def _readable(value):
    """A torch tensor as a NumPy array: detached, on the CPU, of a NumPy dtype.

    scikit-learn's checks convert with ``np.asarray``, which fails on a
    tensor that requires grad, one on a GPU and a bfloat16 one; under its
    array API dispatch they would keep a tensor and fail on NumPy's
    ``float32``. The array shares the tensor's memory where it can, as
    ``np.asarray`` does; anything that is not a tensor is returned as it is.
    """
    if not torch.is_tensor(value):
        return value
    value = value.detach().cpu()
    if value.is_floating_point() and value.dtype not in _NUMPY_FLOATS:
        value = value.float()  # bfloat16, float8: no NumPy dtype
    return value.numpy()


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
        x = torch.as_tensor(_writeable(x), dtype=torch.float32)
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

    Reads in-memory datasets (see ``_dataset_tensors``), the classifier's
    own ``_ItemDataset`` and a skorch Dataset with a transform of its own
    built from the arrays (the labels it was given, see
    ``_items_in_row_order``), through any ``Subset``; the weights are None
    when there are none.
    """
    if isinstance(dataset, Subset):
        return _subset_rows(dataset, _labels_and_weights)
    given = getattr(dataset, "_ltlearn_labels", None)
    if given is not None:
        return given
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


def _items_in_row_order(dataset, y):
    """Whether item ``i`` of ``dataset`` is made from row ``i`` of ``y``.

    True of a skorch ``Dataset`` (a subclass with a ``transform`` of its
    own, say) that keeps skorch's ``__getitem__`` and ``__len__`` and holds
    ``y`` as given; another class may reorder, leave out or relabel its
    items, whose labels are then not known without reading them.
    """
    kind = type(dataset)
    return (
        isinstance(dataset, SkorchDataset)
        and kind.__getitem__ is SkorchDataset.__getitem__
        and kind.__len__ is SkorchDataset.__len__
        and getattr(dataset, "y", None) is y
        and len(dataset) == len(y)
    )


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
    x = torch.as_tensor(_writeable(x))
    if x.ndim == 0:
        raise ValueError(
            f"Item {i} of the Dataset has a scalar input; each input needs at "
            "least one dimension (features, or channels x height x width)."
        )
    return x


def _checked_input(x, i, shape):
    """The input of item ``i`` as a tensor of ``shape`` (any if None), finite.

    Inputs of varying length (token sequences padded by a ``collate_fn``, as
    skorch trains on) are refused with the advice to pad them in the Dataset:
    the fitted input shape is checked at predict and read by the augmentation.

    Finite as the network reads it, in float32: a float64 value beyond
    float32's range becomes infinite there, as scikit-learn's check of an
    array says. Floating inputs are returned as float32; integers (8-bit
    images), always finite there, as they are, unconverted.
    """
    x = _as_input(x, i)
    if shape is not None and tuple(x.shape) != shape:
        raise ValueError(
            f"Item {i} of the Dataset has an input of shape {tuple(x.shape)}, "
            f"item 0 one of shape {shape}; every input must have the same shape. "
            "Pad inputs of varying length (sequences) to one length in the "
            "Dataset: LongTailClassifier reads every item's shape, so a "
            "collate_fn that pads the batches does not stand in for it."
        )
    if x.is_floating_point():
        x = x.to(torch.float32)
        if not torch.isfinite(x).all():
            raise ValueError(
                f"Item {i} of the Dataset has an input with NaN or infinity, or "
                "a value too large for float32."
            )
    return x


def _as_label(y, i):
    """The label of item ``i`` as a Python scalar."""
    y = _readable(y) if isinstance(y, torch.Tensor) else np.asarray(y)
    if y.ndim != 0:
        raise ValueError(
            f"Item {i} of the Dataset has a label of shape {y.shape}; each "
            "label must be a scalar."
        )
    return y.item()


def _is_pair(item):
    return isinstance(item, (tuple, list)) and len(item) == 2


def _item_kind(item):
    """What an item is, with its number of values when it is a sequence."""
    kind = f"a {type(item).__name__}"
    if isinstance(item, (tuple, list)):
        kind += f" of {len(item)} value{'' if len(item) == 1 else 's'}"
    return kind


def _read_labelled_dataset(dataset):
    """Labels, input shape and value range of a dataset of ``(x, y)`` items.

    Every item is read once: its input must be a finite tensor or array of
    the same shape as the others, its label a scalar. The range is the
    lowest and highest input value (for the pixel-scale warning).
    """
    _check_map_style(dataset, "fit")
    labels = []
    shape = None
    low, high = math.inf, -math.inf
    for i in range(len(dataset)):
        item = dataset[i]
        if not _is_pair(item):
            raise ValueError(
                f"Item {i} of the Dataset is {_item_kind(item)}, not an (x, y) "
                "pair: fit needs the labels. Give a Dataset of (x, y) items, "
                "arrays X and y, or skorch's SliceDataset(dataset) as X and "
                "SliceDataset(dataset, idx=1) as y."
            )
        x = _checked_input(item[0], i, shape)
        shape = tuple(x.shape)
        if x.numel():
            # One pass for both (half the time of min() and max()).
            lowest, highest = torch.aminmax(x)
            low, high = min(low, lowest.item()), max(high, highest.item())
        labels.append(_as_label(item[1], i))
    return np.asarray(labels), shape, (low, high)


def _peek_input(dataset):
    """Whether items are ``(x, y)`` pairs, and the shape of the first input."""
    _check_map_style(dataset, "predict")
    item = dataset[0]
    if isinstance(item, (tuple, list)) and len(item) != 2:
        raise ValueError(
            f"Item 0 of the Dataset is a {type(item).__name__} of {len(item)} "
            "values; LongTailClassifier takes items x or (x, y). Give a "
            "Dataset of such items (or a skorch SliceDataset of the inputs)."
        )
    pairs = _is_pair(item)
    return pairs, tuple(_as_input(item[0] if pairs else item, 0).shape)


def _map_input(X, func):
    """``func`` applied to a batch of input, or to its ``"X"`` entry."""
    if isinstance(X, Mapping) and "X" in X:
        return {**X, "X": func(X["X"])}
    return func(X)
