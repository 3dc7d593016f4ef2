"""Class-aware index samplers and a batch loader that slices in-memory tensors.

The samplers draw class ``j`` with probability ``p_j`` proportional to
``n_j ** q`` and then one of its samples uniformly: ``q=1`` is the natural
(instance-balanced) distribution, ``q=1/2`` square-root sampling and ``q=0``
class-balanced sampling; progressively-balanced sampling moves from the first
to the last over the epochs. They are ordinary ``torch.utils.data.Sampler``
objects, so they also drop into a ``DataLoader``; one epoch draws as many
samples as the data holds.

:class:`SliceLoader` serves batches of in-memory data by indexing whole
tensors, which is much faster than a ``DataLoader`` that collates one sample
at a time.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral

import numpy as np
import torch
from skorch.dataset import Dataset
from torch.utils.data import Sampler, Subset, TensorDataset

from ltlearn.utils._docstring import _decoupling_references_docstring, _Substitution
from ltlearn.utils._validation import _check_count, _writeable

__all__ = [
    "ClassBalancedSampler",
    "InstanceBalancedSampler",
    "ProgressivelyBalancedSampler",
    "SliceLoader",
    "SquareRootSampler",
]


def _as_labels(labels):
    """``labels`` as a new int64 tensor on the CPU, checked.

    A copy, never the caller's array or tensor: the class counts are taken
    once, so a sampler that followed later edits of the labels would draw
    from the edited labels with the counts of the first ones.
    """
    if not torch.is_tensor(labels):
        labels = np.asarray(labels)
        if labels.dtype.kind not in "biufc":  # torch's TypeError names no input
            raise ValueError(
                "labels must be integer class indices; got an array of dtype "
                f"{labels.dtype}. Encode class names as indices, e.g. with "
                "sklearn.preprocessing.LabelEncoder."
            )
        labels = _writeable(labels)  # a pandas column's values are read-only
    labels = torch.as_tensor(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D; got shape {tuple(labels.shape)}.")
    if labels.numel() == 0:
        raise ValueError("labels is empty; there is nothing to sample.")
    if labels.is_floating_point() or labels.is_complex():
        raise ValueError("labels must be integer class indices.")
    if int(labels.min()) < 0:
        raise ValueError("labels must be non-negative class indices.")
    return labels.cpu().to(torch.int64, copy=True)


def _check_generator(generator):
    """``generator``, a ``torch.Generator`` or None; refuse anything else.

    torch refuses another source only when the first epoch is drawn, with an
    error of its ``randperm`` or ``multinomial``: numpy's generators and
    integer seeds are refused here, when the sampler is made.
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    raise ValueError(
        f"generator must be a torch.Generator or None; got {generator!r}. The "
        "samplers draw with torch, not numpy: pass "
        "torch.Generator().manual_seed(seed) for a seeded stream."
    )


# The Parameters, Attributes and References sections of the class samplers,
# shared by their docstrings; the progressive sampler adds its own entries
# between the pieces.
_LABELS_PARAMETER = """labels : array-like of shape (n_samples,)
        Integer class index of each sample; the sampler keeps a copy."""
_DRAW_PARAMETERS = """num_samples : int, default=None
        Draws per epoch; ``None`` draws ``n_samples``.
    generator : torch.Generator, default=None
        Source of randomness; ``None`` uses torch's global generator. Another
        object (a numpy generator, an int seed) is refused."""
_COUNTS_ATTRIBUTE = """class_counts : torch.Tensor of shape (max(labels) + 1,)
        Number of samples of each label in ``labels``."""
_sampler_docstring = _Substitution(
    sampler_parameters=f"""Parameters
    ----------
    {_LABELS_PARAMETER}
    {_DRAW_PARAMETERS}

    Attributes
    ----------
    {_COUNTS_ATTRIBUTE}""",
    labels_parameter=_LABELS_PARAMETER,
    draw_parameters=_DRAW_PARAMETERS,
    counts_attribute=_COUNTS_ATTRIBUTE,
    decoupling_references=_decoupling_references_docstring,
)


class _ClassSampler(Sampler):
    """Draw a class with probability ``class_probabilities()``, then a sample."""

    # The exponent ``q`` of ``p_j`` proportional to ``n_j ** q``, set by each
    # sampler that draws from a fixed power of the counts.
    _power: float

    def __init__(self, labels, *, num_samples=None, generator=None):
        self.labels = _as_labels(labels)
        self.class_counts = torch.bincount(self.labels)
        if num_samples is not None:
            num_samples = _check_count("num_samples", num_samples)
        self.num_samples = num_samples
        self.generator = _check_generator(generator)

    def _power_probabilities(self, q):
        counts = self.class_counts.to(torch.float64)
        present = counts > 0
        probabilities = torch.zeros_like(counts)
        probabilities[present] = counts[present] ** q
        return probabilities / probabilities.sum()

    def class_probabilities(self):
        """Probability of drawing each class, indexed by label.

        Returns
        -------
        probabilities : torch.Tensor of shape (max(labels) + 1,)
            ``n_j ** q / sum_k n_k ** q`` with the sampler's ``q`` (1 for
            instance-balanced, 1/2 for square-root and 0 for class-balanced
            sampling); zero for labels absent from ``labels``.
        """
        return self._power_probabilities(self._power)

    def __len__(self):
        return self.labels.numel() if self.num_samples is None else self.num_samples

    def sample_indices(self):
        """Draw the indices of one epoch.

        Returns
        -------
        indices : torch.Tensor of shape (len(self),)
            Indices into ``labels``, drawn with replacement.
        """
        probabilities = self.class_probabilities()
        sample_weight = (probabilities / self.class_counts.clamp(min=1))[self.labels]
        return torch.multinomial(
            sample_weight, len(self), replacement=True, generator=self.generator
        )

    def __iter__(self):
        return iter(self.sample_indices().tolist())


@_sampler_docstring
class InstanceBalancedSampler(_ClassSampler):
    """Instance-balanced sampling: every sample once per epoch, shuffled.

    The natural distribution (``p_j`` proportional to ``n_j``) drawn without
    replacement, that is a random permutation; with ``num_samples`` above the
    number of samples, draws are made with replacement.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    {sampler_parameters}

    See Also
    --------
    ClassBalancedSampler : Every class equally often.

    Examples
    --------
    >>> from ltlearn.deep.samplers import InstanceBalancedSampler
    >>> sampler = InstanceBalancedSampler([0, 0, 0, 1])
    >>> sorted(sampler)
    [0, 1, 2, 3]
    """

    _power = 1.0

    def sample_indices(self):
        """Draw the indices of one epoch.

        Returns
        -------
        indices : torch.Tensor of shape (len(self),)
            A random permutation (with replacement beyond ``n_samples``).
        """
        n = self.labels.numel()
        if len(self) <= n:
            return torch.randperm(n, generator=self.generator)[: len(self)]
        return super().sample_indices()


@_sampler_docstring
class ClassBalancedSampler(_ClassSampler):
    """Class-balanced sampling: pick a class uniformly, then one of its samples.

    ``p_j = 1 / C`` over the classes present in ``labels``, drawn with
    replacement (the ``q=0`` member of the decoupling paper's family).

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    {sampler_parameters}

    See Also
    --------
    SquareRootSampler : Half-way between natural and balanced.

    {decoupling_references}

    Examples
    --------
    >>> from ltlearn.deep.samplers import ClassBalancedSampler
    >>> sampler = ClassBalancedSampler([0] * 90 + [1] * 10)
    >>> sampler.class_probabilities()
    tensor([0.5000, 0.5000], dtype=torch.float64)
    """

    _power = 0.0


@_sampler_docstring
class SquareRootSampler(_ClassSampler):
    """Square-root sampling: ``p_j`` proportional to ``sqrt(n_j)``.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    {sampler_parameters}

    See Also
    --------
    InstanceBalancedSampler : The natural distribution.
    ClassBalancedSampler : Every class equally often.

    {decoupling_references}

    Examples
    --------
    >>> from ltlearn.deep.samplers import SquareRootSampler
    >>> sampler = SquareRootSampler([0] * 9 + [1])
    >>> sampler.class_probabilities()
    tensor([0.7500, 0.2500], dtype=torch.float64)
    """

    _power = 0.5


@_sampler_docstring
class ProgressivelyBalancedSampler(_ClassSampler):
    """Progressively-balanced sampling: from natural to class-balanced.

    At epoch ``t`` (counted from zero) of ``n_epochs``,
    ``p_j(t) = (1 - t / n_epochs) * n_j / N + (t / n_epochs) / C``.
    :class:`~ltlearn.deep.net.LongTailClassifier` calls :meth:`set_epoch` at
    the start of each epoch; a plain training loop calls it itself.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    {labels_parameter}
    n_epochs : int
        Length of the schedule, ``T``.
    {draw_parameters}

    Attributes
    ----------
    {counts_attribute}
    epoch : int
        The current epoch ``t``, set by :meth:`set_epoch`; starts at 0.

    {decoupling_references}

    Examples
    --------
    >>> from ltlearn.deep.samplers import ProgressivelyBalancedSampler
    >>> sampler = ProgressivelyBalancedSampler([0] * 9 + [1], n_epochs=2)
    >>> sampler.class_probabilities()
    tensor([0.9000, 0.1000], dtype=torch.float64)
    >>> sampler.set_epoch(1)
    >>> sampler.class_probabilities()
    tensor([0.7000, 0.3000], dtype=torch.float64)
    """

    def __init__(self, labels, n_epochs, *, num_samples=None, generator=None):
        super().__init__(labels, num_samples=num_samples, generator=generator)
        self.n_epochs = _check_count("n_epochs", n_epochs, whole=True)
        self.epoch = 0

    def set_epoch(self, epoch):
        """Set the epoch that the next draws belong to.

        Parameters
        ----------
        epoch : int
            Epoch index, from zero; values past ``n_epochs`` stay balanced.
        """
        self.epoch = epoch

    def class_probabilities(self):
        """Probability of drawing each class, indexed by label.

        Returns
        -------
        probabilities : torch.Tensor of shape (max(labels) + 1,)
            The interpolation between natural and balanced at ``epoch``.
        """
        t = min(max(self.epoch / self.n_epochs, 0.0), 1.0)
        return (1.0 - t) * self._power_probabilities(1.0) + t * (
            self._power_probabilities(0.0)
        )


def _dataset_tensors(dataset):
    """``(X, y)`` tensors of an in-memory dataset, or None if it is not one.

    Understands skorch's ``Dataset`` (``.X``, ``.y``) unless a subclass changes
    how items are made or its labels are text or objects, ``TensorDataset``
    and a ``Subset`` of either; ``y`` is None when the dataset has no target.
    """
    if isinstance(dataset, Subset):
        return _subset_rows(dataset, _dataset_tensors)
    if isinstance(dataset, TensorDataset):
        tensors = dataset.tensors
        if len(tensors) not in (1, 2):
            return None
        return tensors[0], tensors[1] if len(tensors) == 2 else None
    if not isinstance(dataset, Dataset):
        return None
    cls = type(dataset)
    if cls.transform is not Dataset.transform or cls.__getitem__ is not (
        Dataset.__getitem__
    ):
        return None
    X, y = dataset.X, getattr(dataset, "y", None)
    arrays = (np.ndarray, torch.Tensor)
    if isinstance(X, dict) and X and all(isinstance(v, arrays) for v in X.values()):
        X = {key: torch.as_tensor(_writeable(value)) for key, value in X.items()}
    elif isinstance(X, arrays):
        X = torch.as_tensor(_writeable(X))
    else:
        return None
    if y is not None and not isinstance(y, arrays):
        return None
    if isinstance(y, np.ndarray) and y.dtype.kind not in "biufc":
        # Text or object labels: no tensor holds them; read item by item.
        return None
    return X, None if y is None else torch.as_tensor(_writeable(y))


def _apply(X, func):
    """``func`` of a tensor, or of each tensor of a dict."""
    if isinstance(X, dict):
        return {key: func(value) for key, value in X.items()}
    return func(X)


def _take(X, batch):
    """Rows ``batch`` of a tensor or of a dict of tensors."""
    return _apply(X, lambda value: value[batch])


def _subset_rows(subset, read):
    """What ``read`` gives for ``subset.dataset``, cut to the rows of ``subset``.

    ``read`` returns None or a tuple of tensors (or dicts of tensors, or
    None); each is indexed by the subset's indices.
    """
    inner = read(subset.dataset)
    if inner is None:
        return None
    indices = torch.as_tensor(np.asarray(subset.indices), dtype=torch.int64)
    return tuple(None if part is None else _take(part, indices) for part in inner)


def _checked_indices(drawn, n_rows):
    """The indices ``drawn`` by a sampler in one epoch, as a tensor.

    A sampler draws row numbers of the training part: one integer in
    ``[0, n_rows)`` per sample. Anything else (no index, a batch of indices
    as from a ``BatchSampler``, floats, negative or too large numbers) is
    refused, which torch's indexing would otherwise take for other rows.
    """
    if not drawn:
        raise ValueError(
            "The sampler drew no index in this epoch; it must yield the row "
            "numbers of the training part at every epoch (a generator or an "
            "iterator is exhausted after one epoch: return a "
            "torch.utils.data.Sampler)."
        )
    try:
        indices = torch.as_tensor(drawn)
    except (TypeError, ValueError, RuntimeError):
        indices = None
    if (
        indices is None
        or indices.ndim != 1
        or indices.is_floating_point()
        or indices.is_complex()
        or indices.dtype == torch.bool
    ):
        raise ValueError(
            "The sampler must yield one integer row number at a time; it "
            f"yielded {drawn[0]!r}. A sampler of batches (such as "
            "torch.utils.data.BatchSampler) goes to "
            "iterator_train__batch_sampler instead."
        )
    indices = indices.to(torch.int64)
    low, high = int(indices.min()), int(indices.max())
    if low < 0 or high >= n_rows:
        bad = low if low < 0 else high
        raise ValueError(
            f"The sampler yielded the index {bad}, outside the {n_rows} rows "
            f"of the training part (indices in [0, {n_rows - 1}])."
        )
    return indices


def _epoch_indices(sampler, n_rows=None):
    """The indices of one epoch of ``sampler``, as a tensor.

    ltlearn's own samplers draw them with ``sample_indices``; those of
    another sampler are checked as row numbers of ``n_rows`` rows when it is
    given (:func:`_checked_indices`).
    """
    sample_indices = getattr(sampler, "sample_indices", None)
    if sample_indices is not None:
        return sample_indices()
    drawn = list(iter(sampler))
    if n_rows is not None:
        return _checked_indices(drawn, n_rows)
    return torch.as_tensor(drawn, dtype=torch.int64)


def _n_rows(X):
    return len(next(iter(X.values()))) if isinstance(X, dict) else len(X)


class SliceLoader:
    """Batches of in-memory data, cut from whole tensors.

    A drop-in for ``torch.utils.data.DataLoader`` (as skorch's
    ``iterator_train`` and ``iterator_valid``) when the data are arrays held in
    memory: each batch is one indexing operation on the full tensor instead of
    one ``__getitem__`` per sample and a collate. Batches are ``(X, y)``
    tuples, ``y`` None when the dataset has no target; as a ``DataLoader``'s,
    they are copies of the rows, so that a module writing into its input
    leaves the data as they are.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    dataset : skorch.dataset.Dataset, torch.utils.data.TensorDataset or Subset
        In-memory data: a skorch ``Dataset`` over arrays or tensors, a
        ``TensorDataset``, or a ``Subset`` of one (as skorch's internal
        validation split makes).
    batch_size : int, default=128
        Samples per batch.
    shuffle : bool, default=False
        Draw a new random order every epoch (with torch's global
        generator). Exclusive with ``sampler``.
    sampler : torch.utils.data.Sampler, default=None
        Gives the indices of each epoch. A ``sample_indices()`` method, as
        the samplers of this module have, is used when present.
    drop_last : bool, default=False
        Drop the last incomplete batch.
    device : str, torch.device or None, default=None
        Move the data there once, here, so that batches are cut on that
        device (the indices of an epoch are moved with one copy); ``None``
        leaves them where they are.

        .. versionadded:: 0.1

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from ltlearn.deep.samplers import SliceLoader
    >>> data = TensorDataset(torch.arange(10.0)[:, None], torch.arange(10))
    >>> [len(X) for X, y in SliceLoader(data, batch_size=4)]
    [4, 4, 2]
    """

    def __init__(
        self,
        dataset,
        batch_size=128,
        shuffle=False,
        sampler=None,
        drop_last=False,
        device=None,
    ):
        tensors = _dataset_tensors(dataset)
        if tensors is None:
            raise TypeError(
                f"SliceLoader needs in-memory data (a skorch Dataset over arrays, "
                f"a TensorDataset or a Subset of one); got {type(dataset).__name__}. "
                "Use torch.utils.data.DataLoader for other datasets."
            )
        if not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1; got {batch_size!r}.")
        if shuffle and sampler is not None:
            raise ValueError("sampler and shuffle=True are mutually exclusive.")
        self.dataset = dataset
        X, y = tensors
        if device is not None:
            X = _apply(X, lambda value: value.to(device))
            y = None if y is None else y.to(device)
        self.X, self.y = X, y
        self.device = device
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.sampler = sampler
        self.drop_last = drop_last

    def _indices(self):
        if self.sampler is not None:
            return _epoch_indices(self.sampler)
        if self.shuffle:
            return torch.randperm(_n_rows(self.X))
        return None

    def _n_draws(self):
        return _n_rows(self.X) if self.sampler is None else len(self.sampler)

    def __len__(self):
        n = self._n_draws()
        return (
            n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        )

    def __iter__(self):
        indices = self._indices()
        if indices is not None and self.device is not None:
            indices = indices.to(self.device)
        n = _n_rows(self.X) if indices is None else len(indices)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            if indices is None:
                # copies, as a DataLoader's batches are: views of the data
                # let a module that writes into its input (a first
                # ``nn.ReLU(inplace=True)``) write into it, the caller's
                # array among them
                rows = slice(start, start + self.batch_size)
                X_batch = _apply(_take(self.X, rows), torch.clone)
                yield X_batch, None if self.y is None else self.y[rows].clone()
            else:
                batch = indices[start : start + self.batch_size]
                yield _take(self.X, batch), None if self.y is None else self.y[batch]
