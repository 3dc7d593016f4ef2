"""Which loader reads the batches: ``SliceLoader``, or torch's ``DataLoader``.

``SliceLoader`` cuts the batches of in-memory data from tensors moved to the
device once; options that only ``DataLoader`` takes (``num_workers``,
``pin_memory``, ``collate_fn``...) make the batches a ``DataLoader``'s.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

import torch
from torch.utils.data import DataLoader, Sampler

from ltlearn.deep.samplers import SliceLoader

_SLICE_OPTIONS = inspect.signature(SliceLoader).parameters
_DATALOADER_OPTIONS = inspect.signature(DataLoader).parameters


def _slice_kwargs(kwargs):
    """The options ``kwargs`` that ``SliceLoader`` takes, or None.

    An option of ``DataLoader`` that ``SliceLoader`` does not take
    (``num_workers``, ``pin_memory``, ``collate_fn``, ``generator``...) is
    dropped at ``DataLoader``'s default value; another value needs a
    ``DataLoader`` (None).
    """
    kept = {}
    for key, value in kwargs.items():
        if key in _SLICE_OPTIONS:
            kept[key] = value
            continue
        default = _DATALOADER_OPTIONS.get(key)
        if default is None or default.default is inspect.Parameter.empty:
            return None
        if value is not default.default and value != default.default:
            return None
    return kept


def _check_no_device(name, kwargs):
    """Refuse ``device``, an option of ``SliceLoader``, with a ``DataLoader``'s.

    ``torch.utils.data.DataLoader`` takes no ``device``: it would refuse it
    with an error that names neither the parameter nor the other options.
    """
    device = kwargs.get("device")
    if device is None:
        return
    torch_only = [
        f"{name}__{key}={value!r}"
        for key, value in kwargs.items()
        if _slice_kwargs({key: value}) is None
    ]
    raise ValueError(
        f"{name}__device={device!r} is an option of SliceLoader, which cuts "
        f"batches from tensors moved once; with {', '.join(torch_only)}, torch's "
        "DataLoader reads the batches instead, and it takes no device (skorch "
        "moves each batch to the network's device). Leave one or the other unset."
    )


class _Shuffled(Sampler):
    """A new order every epoch from torch's global generator, as ``SliceLoader``'s.

    ``shuffle=True`` of a ``DataLoader`` draws another order (from its own
    generator); this one keeps the batches of ``SliceLoader(shuffle=True)``.
    """

    def __init__(self, n_samples):
        self.n_samples = n_samples

    def __iter__(self):
        return iter(torch.randperm(self.n_samples).tolist())

    def __len__(self):
        return self.n_samples


def _loader_for_options(name, kwargs, n_samples):
    """``SliceLoader`` and the options it takes, or ``DataLoader`` and its own.

    ``name`` (``"iterator_train"``, ``"iterator_valid"``) names the options
    in the errors; ``kwargs`` are the options, ``batch_size`` resolved.

    Returns
    -------
    iterator : type
        ``SliceLoader`` or ``torch.utils.data.DataLoader``.
    kwargs : dict
        Its options.
    """
    slice_kwargs = _slice_kwargs(kwargs)
    if slice_kwargs is not None:
        return SliceLoader, slice_kwargs
    _check_no_device(name, kwargs)
    kwargs = {key: value for key, value in kwargs.items() if key != "device"}
    if (
        kwargs.get("shuffle")
        and kwargs.get("sampler") is None
        and kwargs.get("generator") is None
    ):
        # The same batches as SliceLoader's; a generator of the user's draws
        # the order, as in a DataLoader.
        del kwargs["shuffle"]
        kwargs["sampler"] = _Shuffled(n_samples)
    return DataLoader, kwargs
