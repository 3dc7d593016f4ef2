"""Input handling of LongTailClassifier: datasets, labels, samplers and batches."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import inspect
import warnings
from dataclasses import dataclass
from numbers import Number

import numpy as np
import torch
from skorch.dataset import unpack_data
from skorch.utils import is_dataset, to_device, to_tensor
from torch.utils.data import Sampler

from ltlearn.deep._datasets import (
    _items_in_row_order,
    _labels_and_weights,
    _map_input,
)
from ltlearn.deep._loader_options import _loader_for_options
from ltlearn.deep._loss_base import _uncompiled
from ltlearn.deep._margin_losses import _prior_adjusting_loss
from ltlearn.deep._reweighting_losses import ClassBalancedLoss
from ltlearn.deep._sampler_choice import _SAMPLERS, _check_sampler_factory
from ltlearn.deep.augment import (
    CIFAR10_MEAN,
    CIFAR10_STD,
    CIFARAugment,
    TransformAugment,
)
from ltlearn.deep.samplers import (
    ClassBalancedSampler,
    SliceLoader,
    _ClassSampler,
    _dataset_tensors,
    _epoch_indices,
)
from ltlearn.utils._warnings import external_stacklevel


def _accepts(func, name, *, or_kwargs=False):
    """Whether ``func`` (a class or function) has a parameter called ``name``.

    With ``or_kwargs``, also whether it takes ``**kwargs``, which may pass
    ``name`` on (a subclass of a loss that takes it).
    """
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or (
        or_kwargs and any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    )


def _length(sized):
    """``len(sized)``, or ``None`` for an object without a length (a sampler)."""
    try:
        return len(sized)
    except TypeError:
        return None


def _count_classes(labels, sample_weight, n_classes):
    """Rows (or total ``sample_weight``) of each class."""
    if sample_weight is None:
        return np.bincount(np.asarray(labels), minlength=n_classes)
    return np.bincount(
        np.asarray(labels), weights=np.asarray(sample_weight), minlength=n_classes
    )


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
        self.labels = labels
        self.set_sampler(sampler)

    def set_sampler(self, sampler):
        """Draw from ``sampler``, built over ``labels``.

        ltlearn's samplers keep a copy of the labels they draw from: the
        slot keeps that copy in place of its own, so that a fitted
        classifier holds (and pickles) the training labels once.
        """
        self.sampler = sampler
        own = getattr(sampler, "labels", None)
        if (
            isinstance(sampler, _ClassSampler)
            and own.dtype == self.labels.dtype
            and torch.equal(own, self.labels)
        ):
            self.labels = own

    def sample_indices(self):
        return _epoch_indices(self.sampler, n_rows=len(self.labels))

    def __iter__(self):
        return iter(self.sample_indices().tolist())

    def __len__(self):
        return len(self.sampler)


def _cifar10_statistics(augment):
    """Whether the ``CIFARAugment`` ``augment`` normalises with CIFAR-10's."""
    if augment.mean is None:
        return False
    return all(
        torch.equal(stat.detach().cpu().flatten(), torch.tensor(default))
        for stat, default in ((augment.mean, CIFAR10_MEAN), (augment.std, CIFAR10_STD))
    )


class _BatchesMixin:
    """The batches of :class:`LongTailClassifier`: samplers, loaders, augmentation.

    Mixed into the classifier before skorch's ``NeuralNet``, whose methods
    of the same names it overrides.
    """

    def _make_sampler(self, labels, sampler=None):
        """Build a training sampler over ``labels`` (the training part)."""
        own = sampler is None
        sampler = self.sampler if own else sampler
        kwargs = self.get_params_for("sampler") if own else {}
        factory = _SAMPLERS[sampler] if isinstance(sampler, str) else sampler
        _check_sampler_factory(factory)
        if _accepts(factory, "n_epochs") and "n_epochs" not in kwargs:
            kwargs["n_epochs"] = max(self.max_epochs, 1)  # max_epochs=0 trains none
        if not isinstance(sampler, str):
            # a copy: on the CPU the labels are the training targets, which a
            # callable of the user's writing into its argument rewrote
            labels = labels.clone() if torch.is_tensor(labels) else np.array(labels)
        built = factory(labels, **kwargs)
        self._warn_over_balancing(built)
        return built

    def _warn_over_balancing(self, sampler):
        """Warn when a prior-compensating loss meets a class-balanced sampler.

        The loss already adds ``tau * log(prior)`` to the logits, or weights
        class ``j`` by the inverse of its effective number of samples
        (``ClassBalancedLoss``, ``beta > 0``); balanced batches compensate the
        prior a second time, which weights class ``j`` by about
        ``1 / n_j ** 2`` and hurts (Ren et al., 2020).
        """
        if not isinstance(sampler, ClassBalancedSampler):
            return
        criterion = _uncompiled(getattr(self, "criterion_", None))
        if _prior_adjusting_loss(criterion) is not None:
            how = ""
        elif isinstance(criterion, ClassBalancedLoss) and criterion.beta > 0:
            how = " (its weights approach 1 / n_j as beta approaches 1)"
        else:
            return
        warnings.warn(
            f"{type(criterion).__name__} already compensates the class prior"
            f"{how}; with a class-balanced sampler it is compensated twice "
            "(each class weighted by about 1 / n_j ** 2), which over-balances "
            "towards the rare classes. Use sampler='instance', or the plain "
            "cross-entropy with the class-balanced sampler.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )

    def set_train_sampler(self, sampler):
        """Swap the sampler of the running fit, from the next epoch on.

        The hook of the schedules of :mod:`ltlearn.deep.callbacks`: the new
        sampler draws from the labels of the training part.

        Parameters
        ----------
        sampler : {"instance", "class_balanced", "square_root", \
                "progressive"} or callable
            As the ``sampler`` parameter (its ``sampler__*`` parameters are
            not applied).

        Returns
        -------
        self : LongTailClassifier
            This classifier.
        """
        slot = getattr(self, "train_sampler_", None)
        if not isinstance(slot, _SamplerSlot):
            given = [f"iterator_train__{key}" for key in self._batch_options()]
            options = " and ".join(given) or (
                "iterator_train__sampler, iterator_train__batch_sampler or "
                "iterator_train__shuffle"
            )
            raise ValueError(
                f"The training sampler cannot be changed: set {options} to None "
                "to let LongTailClassifier build it."
            )
        slot.set_sampler(self._make_sampler(slot.labels, sampler))
        # An epoch-aware sampler swapped in mid-fit starts at this epoch.
        self._set_sampler_epoch(slot.sampler)
        return self

    def get_dataset(self, X, y=None):
        """The dataset of ``X`` (and ``y``); a Dataset is used as it is.

        Parameters
        ----------
        X : array-like or torch.utils.data.Dataset
            The input data, validated.
        y : array-like, default=None
            The integer targets.

        Returns
        -------
        dataset : torch.utils.data.Dataset
            The dataset.
        """
        if is_dataset(X):
            return X
        dataset = super().get_dataset(X, y)
        # Made here from validated data: predict_proba need not check it again.
        dataset._ltlearn_checked = True
        if y is not None and _items_in_row_order(dataset, y):
            if _labels_and_weights(dataset) is None:
                # A skorch Dataset with a transform of its own, built from
                # the arrays: item i is transform(X[i], y[i]), labelled y[i],
                # which the sampler and the class counts read.
                weights = X.get("sample_weight") if isinstance(X, dict) else None
                dataset._ltlearn_labels = (
                    torch.as_tensor(np.asarray(y)),
                    None if weights is None else torch.as_tensor(weights),
                )
        return dataset

    def forward_iter(self, X, training=False, device="cpu"):
        """The module's output on ``X``, a batch at a time, in the rows' order.

        As skorch's ``forward_iter``; with ``training=True`` the module runs
        in training mode (dropout on, batch statistics) on batches of
        ``iterator_train`` taken in the order of the rows: neither
        ``sampler`` nor the ``iterator_train__shuffle``, ``__sampler``,
        ``__batch_sampler`` and ``__drop_last`` options draw them (they would
        repeat, leave out or reorder rows, and ``sampler`` needs labels), and
        ``augment`` gives them the input of prediction (the normalisation of
        ``CIFARAugment``, no random crops or flips).

        Parameters
        ----------
        X : array-like or torch.utils.data.Dataset
            The input data.
        training : bool, default=False
            Whether the module runs in training mode.
        device : str or torch.device, default="cpu"
            Where each batch's output is put.

        Yields
        ------
        y_pred : torch.Tensor
            The output of the module on a batch.
        """
        if not training:
            yield from super().forward_iter(X, training=False, device=device)
            return
        loader = self._loader(self.get_dataset(X), True, in_order=True)
        augment = self._make_augment(training=False)
        if augment is not None:
            loader = _AugmentedLoader(loader, augment, self.device, False)
        for batch in loader:
            y_pred = self.evaluation_step(batch, training=True)
            yield to_device(y_pred, device=device)

    def _warn_unscaled_pixels(self, X, value_range=None):
        """Warn when the CIFAR-10 statistics would normalise pixels beyond ``[0, 1]``.

        The default mean and std of ``augment="cifar"`` (``augment__mean``
        not given) and of a ``CIFARAugment`` given as ``augment`` are those
        of pixel values in ``[0, 1]``; 8-bit images (0-255) or images
        already normalised would be normalised again into values of the
        wrong scale, silently. Other statistics are the user's, of the scale
        of their data. ``value_range``, the lowest and highest values of a
        Dataset's inputs, replaces those of ``X``.
        """
        augment = self.augment
        if isinstance(augment, str) and augment == "cifar":
            if "mean" in self.get_params_for("augment"):
                # Statistics of the user's own (None: no normalisation), of
                # whatever scale the user chose.
                return
            given, way_out = "augment='cifar'", "pass augment__mean=None and "
            way_out += "augment__std=None"
        elif isinstance(augment, CIFARAugment) and _cifar10_statistics(augment):
            given = "augment=CIFARAugment(...)"
            way_out = "give CIFARAugment mean=None and std=None"
        else:
            return
        if value_range is None:
            value_range = (float(X.min()), float(X.max())) if X.size else (0, 0)
        low, high = value_range
        if low < 0.0 or high > 1.0:
            warnings.warn(
                f"{given} normalises with the CIFAR-10 statistics of "
                f"pixel values in [0, 1]; the input holds values from {low:g} to "
                f"{high:g}. Divide 8-bit images by 255, or {way_out} for "
                "images already normalised.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )

    def _augment_settings(self, training):
        """``augment`` and its ``augment__*`` parameters, for these batches.

        Training batches take them as set, and they are kept. The other
        batches (validation, ``predict``, ``transform``) take those of the
        last training, whose evaluation mode (the normalisation of
        ``CIFARAugment``) the network learned to read its input through:
        ``augment`` set on a fitted classifier takes effect at its next fit,
        as ``sampler`` does. A network never trained here (``initialize``
        then ``load_params``) takes them as set.
        """
        if training:
            self._augment_trained_ = (self.augment, self.get_params_for("augment"))
        trained = getattr(self, "_augment_trained_", None)
        if trained is None:
            return self.augment, self.get_params_for("augment")
        return trained

    def _augment_input_shape(self, augment):
        """The shape of one input, for the augmentation ``augment``.

        That of the fitted data. A network built by ``initialize`` and given
        its weights by ``load_params`` was never fitted here: the image
        networks of :mod:`~ltlearn.deep.modules` hold the shape of their
        images (``module__input_shape``), and flat rows have
        ``module__n_features`` values (not enough for ``augment="cifar"``,
        which needs images).
        """
        shape = getattr(self, "input_shape_", None)
        if shape is None:
            shape = getattr(getattr(self, "module_", None), "input_shape_", None)
        if shape is None and not isinstance(augment, str):
            n_features = self.get_params_for("module").get("n_features")
            shape = None if n_features is None else (n_features,)
        if shape is None:
            raise ValueError(
                f"augment={augment!r} needs the shape of the input, and this "
                f"{type(self).__name__} was not fitted: fit it, or build it "
                "before load_params with an image network of "
                "ltlearn.deep.modules and module__input_shape=(channels, "
                "height, width)."
            )
        return tuple(shape)

    def _make_augment(self, training=True):
        """The augmentation module of ``augment``, on the device, or None."""
        augment, params = self._augment_settings(training)
        if augment is None:
            return None
        if isinstance(augment, str):  # "cifar"
            shape = self._augment_input_shape(augment)
            if len(shape) != 3 or shape[0] != 3:
                raise ValueError(
                    f"augment='cifar' needs images of 3 channels, (n_samples, 3, "
                    f"height, width); X has samples of shape {shape}. For other "
                    "images give augment=CIFARAugment(mean=..., std=..., "
                    "input_shape=(channels, height, width)), of one mean and std "
                    "per channel (or None)."
                )
            augment = CIFARAugment(**{"input_shape": shape, **params})
        elif isinstance(augment, (CIFARAugment, TransformAugment)):
            augment = copy.deepcopy(augment)
        else:
            if isinstance(augment, torch.nn.Module):
                # A copy, as above: the batches switch its training mode and
                # the device moves it, which must leave the parameter as
                # given (predict would change the fitted classifier).
                augment = copy.deepcopy(augment)
            # Flat rows stay flat; images keep their shape.
            shape = self._augment_input_shape(augment)
            augment = TransformAugment(augment, input_shape=shape)
        return to_device(augment, self.device)

    def _data_device(self, dataset):
        """Where the tensors of an in-memory dataset go before batching.

        The network's device when the data take at most half of its free
        memory (the whole training set is then moved once per fit instead of
        a batch at a time); None (left where they are) otherwise.
        """
        device = self.device
        if device is None or torch.device(device).type == "cpu":
            return None
        if torch.device(device).type == "cuda":
            X, y = _dataset_tensors(dataset)
            parts = [*(X.values() if isinstance(X, dict) else [X]), y]
            nbytes = sum(t.nbytes for t in parts if t is not None)
            if 2 * nbytes > torch.cuda.mem_get_info(torch.device(device))[0]:
                return None
        return device

    def _loader(self, dataset, training, sampler=None, in_order=False):
        """skorch's iterator of ``dataset``, and where its tensors go.

        With ``in_order``, every row once, in order: the options of
        ``iterator_*`` that would draw (``shuffle``, ``sampler``,
        ``batch_sampler``) or drop rows (``drop_last``) are left out.

        ``SliceLoader`` slices in-memory data, moved to the device at once;
        another dataset, or options that only torch's ``DataLoader`` honours
        (``num_workers``, ``pin_memory``, ``collate_fn``...) with the default
        ``SliceLoader``, fall back to it, given its own generator (seeded
        from ``random_state``) so that it leaves torch's global one as it is.
        """
        name = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(name)
        if sampler is not None:
            kwargs.pop("shuffle", None)
            kwargs["sampler"] = sampler
        if in_order:
            for key in ("shuffle", "sampler", "batch_sampler", "drop_last"):
                kwargs.pop(key, None)
        iterator = getattr(self, name)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        in_memory = _dataset_tensors(dataset) is not None
        if iterator is SliceLoader and in_memory:
            # Options that only a DataLoader takes: the default loader gives
            # way to one. A subclass gets every option, to take or refuse.
            iterator, kwargs = _loader_for_options(name, kwargs, len(dataset))
        if isinstance(iterator, type) and issubclass(iterator, SliceLoader):
            if not in_memory:
                iterator = torch.utils.data.DataLoader
            elif "device" not in kwargs:
                kwargs["device"] = self._data_device(dataset)
        if iterator is torch.utils.data.DataLoader and self.random_state is not None:
            if "generator" not in kwargs:
                kwargs["generator"] = torch.Generator().manual_seed(
                    torch.initial_seed()
                )
        return iterator(dataset, **kwargs)

    def _batch_options(self):
        """The ``iterator_train__*`` options given that draw the training batches.

        Among ``sampler``, ``batch_sampler`` (given unless None) and
        ``shuffle`` (given when true), in that order, without their prefix.
        """
        kwargs = self.get_params_for("iterator_train")
        given = [
            key for key in ("sampler", "batch_sampler") if kwargs.get(key) is not None
        ]
        if kwargs.get("shuffle"):
            given.append("shuffle")
        return given

    def _sampler_replaced(self):
        """Whether ``iterator_train__*`` draws the batches in place of ``sampler``.

        ``iterator_train__shuffle=True``, ``iterator_train__sampler`` or
        ``iterator_train__batch_sampler`` replaces ``sampler``; only the
        default (each sample once per epoch, shuffled) goes without saying,
        as torch refuses a ``sampler`` with ``shuffle=True`` or a
        ``batch_sampler``: another is refused here.
        """
        options = self._batch_options()
        if not options:
            return False
        own = self.get_params_for("sampler")
        if isinstance(self.sampler, str) and self.sampler == "instance" and not own:
            kwargs = self.get_params_for("iterator_train")
            batch_size = kwargs.get("batch_size", self.batch_size)
            if "batch_sampler" in options and batch_size != 1:
                raise ValueError(
                    "iterator_train__batch_sampler draws batches of its own size; "
                    "torch's DataLoader takes it with a batch size of 1 only: pass "
                    "iterator_train__batch_size=1 (batch_size=1 would also predict "
                    f"one row at a time; got {batch_size})."
                )
            return True
        given = f"iterator_train__{options[0]}"
        if options[0] == "shuffle":
            given += "=True"
        what = f"sampler={self.sampler!r}" if not own else "the sampler__* parameters"
        raise ValueError(
            f"{what} and {given} are mutually exclusive: {given} would draw "
            f"the training batches in its place. Leave {given.partition('=')[0]} "
            f"unset to train with {what}, or keep sampler='instance' (without "
            f"sampler__* parameters) to train with {given}."
        )

    def _check_draws(self, n_drawn, batch_size=None):
        """Refuse ``drop_last`` when an epoch of ``n_drawn`` samples has no batch.

        ``iterator_train__drop_last=True`` drops the whole epoch when it
        draws fewer samples than ``batch_size``; skorch and torch would fit
        nothing, silently, and return the network as it was. With
        ``max_epochs=0`` no epoch is drawn.
        """
        kwargs = self.get_params_for("iterator_train")
        if not kwargs.get("drop_last") or self.max_epochs == 0:
            return
        if batch_size is None:
            batch_size = kwargs.get("batch_size", self.batch_size)
        if batch_size == -1 or n_drawn >= batch_size:
            return
        raise ValueError(
            f"No training batch: an epoch draws {n_drawn} samples, fewer than "
            f"batch_size={batch_size}, and iterator_train__drop_last=True drops "
            "that incomplete batch, so the network would not train. Lower "
            "batch_size, or leave iterator_train__drop_last unset."
        )

    def _check_draws_of_rows(self, n_rows):
        """:meth:`_check_draws` for data of ``n_rows``, before any split.

        An epoch draws ``sampler__num_samples`` or the length of
        ``iterator_train__sampler`` when given, else at most ``n_rows`` (the
        training part of a split holds fewer), so that input too small is
        refused before it changes the classifier. A callable ``sampler``
        may draw any number: it is checked once built, in
        :meth:`get_iterator`.
        """
        sampler = self.get_params_for("iterator_train").get("sampler")
        if sampler is None and not isinstance(self.sampler, str):
            return
        if sampler is None:
            n_drawn = self.get_params_for("sampler").get("num_samples") or n_rows
        else:
            n_drawn = _length(sampler)
        if isinstance(n_drawn, Number):  # not None: a sampler without a length
            self._check_draws(n_drawn)

    def get_iterator(self, dataset, training=False):
        """Batches of ``dataset``; training batches come from ``sampler``.

        In-memory data are sliced by ``SliceLoader`` from tensors moved to
        the network's device once (not a batch at a time), other datasets
        are read by a ``DataLoader``; ``augment`` then acts on the batches.

        Parameters
        ----------
        dataset : torch.utils.data.Dataset
            The data.
        training : bool, default=False
            Whether the batches are for training.

        Returns
        -------
        iterator : iterable
            The batches, ``(X, y)`` tuples.
        """
        replaced = training and self._sampler_replaced()
        if replaced:
            # No sampler of this fit: the one of an earlier fit must not
            # take the callbacks' swaps (set_train_sampler) as if it drew.
            vars(self).pop("train_sampler_", None)
        if not training or replaced:
            loader = self._loader(dataset, training)
        else:
            labelled = _labels_and_weights(dataset)
            if labelled is None:
                raise ValueError(
                    f"sampler={self.sampler!r} needs the labels of the training "
                    f"data; {type(dataset).__name__} does not expose them. Pass "
                    "iterator_train__shuffle=True (and sampler='instance') to "
                    "train without a sampler."
                )
            labels = labelled[0].cpu()
            slot = _SamplerSlot(self._make_sampler(labels), labels)
            self.train_sampler_ = slot
            loader = self._loader(dataset, True, sampler=slot)
        if training:
            sampler = getattr(loader, "sampler", None)
            n_drawn = _length(dataset if sampler is None else sampler)
            if n_drawn is not None:
                self._check_draws(n_drawn, getattr(loader, "batch_size", None))
        augment = self._make_augment(training)
        if augment is None:
            return loader
        return _AugmentedLoader(loader, augment, self.device, training)

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Start a history row; tell an epoch-aware sampler the epoch.

        Parameters
        ----------
        net : LongTailClassifier
            This classifier.
        dataset_train : torch.utils.data.Dataset, default=None
            The training part.
        dataset_valid : torch.utils.data.Dataset, default=None
            The validation part.
        **kwargs : dict
            Unused.
        """
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)
        slot = getattr(self, "train_sampler_", None)
        self._set_sampler_epoch(getattr(slot, "sampler", None))

    def _set_sampler_epoch(self, sampler):
        """Tell ``sampler`` the current epoch, if it has ``set_epoch``."""
        set_epoch = getattr(sampler, "set_epoch", None)
        if set_epoch is not None:
            # Counted as the schedules count: from the start of the last fit.
            set_epoch(len(self.history) - 1 - getattr(self, "schedule_start_", 0))
