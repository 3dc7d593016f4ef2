"""LongTailClassifier: a skorch classifier with long-tail losses and samplers."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import inspect
import math
import os
import threading
import warnings
from collections.abc import Mapping
from contextlib import contextmanager, nullcontext
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from scipy.sparse import issparse
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import balanced_accuracy_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import TransformerTags
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch import NeuralNetClassifier
from skorch.callbacks import (
    EpochScoring,
    EpochTimer,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import Dataset as _SkorchDataset
from skorch.dataset import ValidSplit, unpack_data
from skorch.exceptions import NotInitializedError
from skorch.helper import SliceDataset
from skorch.utils import is_dataset, to_device, to_numpy, to_tensor
from torch import nn
from torch.utils.data import TensorDataset

from ltlearn.deep._data import (
    _SAMPLERS,
    _accepts,
    _BatchesMixin,
    _count_classes,
)
from ltlearn.deep._datasets import (
    _is_checked,
    _ItemDataset,
    _labels_and_weights,
    _peek_input,
    _read_labelled_dataset,
    _readable,
)
from ltlearn.deep._loop import _BatchLoopMixin
from ltlearn.deep._monitors import _has_validation_data, _refuse_validation_monitors
from ltlearn.deep._progress import _epoch_progress_bar
from ltlearn.deep._split_checks import (
    _refuse_a_class_left_out,
    _refuse_a_class_of_one,
)
from ltlearn.deep._step_errors import _n_outputs_message
from ltlearn.deep.callbacks import ClassifierRetraining
from ltlearn.deep.losses import (
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    KPSLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    VSLoss,
    _start_at_prior,
    _uncompiled,
)
from ltlearn.deep.modules import MLP, NormedLinear, _ImageBackbone
from ltlearn.deep.samplers import (
    SliceLoader,
    _dataset_tensors,
)
from ltlearn.utils._class_order import _in_class_order, _is_pandas
from ltlearn.utils._docstring import _Substitution
from ltlearn.utils._interrupts import record_interrupts
from ltlearn.utils._random import _MAX_SEED, draw_seeds
from ltlearn.utils._validation import (
    _writeable,
    check_classes,
    check_classification_y,
    check_sample_weight,
    column_or_1d_y,
)
from ltlearn.utils._warnings import external_stacklevel

__all__ = ["LongTailClassifier"]

# Held by a fit seeded from random_state: torch has one generator per process.
# Reentrant, for a seeded fit started inside another one (a callback's).
_SEEDED_FIT_LOCK = threading.RLock()


# The classifiers in a block seeded from their random_state, per thread, each
# with the seed that random_state gives a first fit: a call nested in it
# (initialize inside fit) draws on from the block's seed.
_SEEDED_HERE = threading.local()
# What a fit changes before its validation split, which may refuse the data.
_COUNT_ATTRIBUTES = ("class_counts_", "_counts_before_", "_incremental_")


def _free_seeded_fit_lock():
    """Give a forked process a free lock and no seeded block of its own.

    A process forked (``multiprocessing``'s ``"fork"``) while another thread
    was in a seeded fit would wait for ever at its own first seeded fit; one
    forked from within a seeded fit would take a fit of the same classifier
    for a nested call, and leave it unseeded.
    """
    global _SEEDED_FIT_LOCK, _SEEDED_HERE
    _SEEDED_FIT_LOCK = threading.RLock()
    _SEEDED_HERE = threading.local()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_free_seeded_fit_lock)

_LOSSES = {
    "ce": nn.CrossEntropyLoss,
    "focal": FocalLoss,
    "class_balanced": ClassBalancedLoss,
    "ldam": LDAMLoss,
    "logit_adjusted": LogitAdjustedLoss,
    "balanced_softmax": BalancedSoftmaxLoss,
    "vs": VSLoss,
    "kps": KPSLoss,
}


def _copied_array(value):
    """A copy of a NumPy array or of a tensor without gradient; else ``value``.

    A tensor that requires a gradient (an ``nn.Parameter`` to learn) is
    passed as it is.
    """
    if torch.is_tensor(value) and not value.requires_grad:
        return value.clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def _read_by_label(name, value, classes):
    """A pandas ``criterion__<name>`` indexed by the class labels, by class index.

    The losses read per-class values (``class_counts``, ``weight``) by class
    index; a Series indexed by the labels of ``y`` (``y.value_counts()``, in
    the order of the counts) is read by label instead, as the post-hoc rules
    read their priors. Anything else, or anything before the classes are
    known (``classes`` is None), is returned as it is.
    """
    if name not in ("class_counts", "weight") or classes is None:
        return value
    if not _is_pandas(value):
        return value
    return _in_class_order(value, classes, f"criterion__{name}")


def _in_float32(module):
    """Cast ``module``'s floating parameters and buffers to float32, in place.

    The network trains in float32; a module or loss that ltlearn builds
    follows torch's default dtype, which a user may have set to float64
    (``torch.set_default_dtype``). Nothing changes under the default float32.
    """
    if isinstance(module, nn.Module) and torch.get_default_dtype() != torch.float32:
        module.to(torch.float32)
    return module


def _at_least_float32(output):
    """A floating tensor of lower precision than float32 cast to float32.

    Outputs of a network run under the caller's ``torch.autocast`` (bfloat16
    or float16) give float32 probabilities, as
    :meth:`LongTailClassifier.transform` gives float32 features: NumPy has no
    bfloat16, and float16 probabilities sum to one only to three digits.
    Anything else is returned as it is.
    """
    if torch.is_tensor(output) and output.is_floating_point():
        return output.to(torch.promote_types(output.dtype, torch.float32))
    return output


def _first_output(output):
    """The first output of a module returning a tuple, as skorch's ``predict_proba``.

    Anything else is returned as it is.
    """
    return output[0] if isinstance(output, tuple) else output


def _softmax(logits, scale=1.0):
    """Softmax over the last axis of ``scale * logits``, in float32 at least."""
    logits = _at_least_float32(logits)
    if scale != 1.0:
        logits = logits * scale
    return torch.softmax(logits, dim=-1)


def _stack_batches(batches, n_rows):
    """The arrays of ``batches`` stacked, as ``np.concatenate`` would.

    Each batch is written into one array of ``n_rows`` rows as it comes, so
    that the outputs are not held twice (a list of batches, then their
    concatenation): 1.5 GB for 200,000 rows of 1,000 float32 classes.
    """
    out, start = None, 0
    for batch in batches:
        if out is None:
            out = np.empty((n_rows, *batch.shape[1:]), dtype=batch.dtype)
        out[start : start + len(batch)] = batch
        start += len(batch)
    if out is None:  # no batch: concatenate's error
        return np.concatenate([], axis=0)
    if start != n_rows:
        raise RuntimeError(f"The batches hold {start} rows, not {n_rows}.")
    return out


def _balanced_accuracy(net, X, y):
    """Balanced accuracy of ``net`` on skorch's (label-encoded) validation data."""
    y_pred = net.predict_proba(X).argmax(axis=1)
    return balanced_accuracy_score(np.asarray(y), y_pred)


def _load_unset_buffers(module, state_dict, prefix, *args, given):
    """Load-state-dict pre-hook: make room for buffers that ``module`` has as None.

    A loss's ``weight`` is a buffer that may be ``None`` (torch's
    ``CrossEntropyLoss()``) until a callback writes class weights into it
    (``DeferredReweighting``); the state saved after that holds the weights,
    which ``load_state_dict`` would refuse as unexpected in a loss built
    anew. The other way round, a state saved before that (a skorch
    ``Checkpoint(load_best=True)`` of an epoch before the switch) has no
    such buffer: a buffer that the loss takes as ``None`` by default
    (``weight=None``), that ``given``, the loss's parameters, does not set
    to a value (``criterion__weight``) and that the state lacks is set back
    to ``None``, as it was saved, where ``load_state_dict`` refused it as
    missing.
    """
    saved = module.state_dict(keep_vars=True)  # the persistent ones, set
    for name, _ in list(module.named_buffers(recurse=False)):
        if (
            name in saved
            and prefix + name not in state_dict
            and given.get(name) is None
            and _default_is_none(type(module), name)
        ):
            setattr(module, name, None)
    for key, value in state_dict.items():
        name = key[len(prefix) :]
        if (
            not key.startswith(prefix)
            or "." in name
            or not isinstance(value, torch.Tensor)
            or name in vars(module)
            or getattr(module, name, 0) is not None
        ):
            continue
        try:
            module.register_buffer(name, torch.empty_like(value))
        except KeyError:  # a parameter or a submodule set to None
            pass


def _load_across_compile(module, state_dict, prefix, *args):
    """Load-state-dict pre-hook: read a state saved with another ``compile``.

    ``compile=True`` wraps the module and the loss in torch's
    ``OptimizedModule``, whose state names each entry ``_orig_mod.<name>``:
    the files that ``save_params`` wrote with it failed to load into a
    classifier without it, and the other way round, with torch's "Missing
    key(s)" and "Unexpected key(s)" error, which does not name ``compile``.
    On the module that loads the state (``prefix`` empty), the entries and
    their metadata take the prefix when ``module`` is compiled and none has
    it, or lose it when ``module`` is not and all have it.
    """
    compiled = isinstance(getattr(module, "_orig_mod", None), nn.Module)
    keys = list(state_dict)
    wrapped = [key.startswith("_orig_mod.") for key in keys]
    if prefix or not keys or (any(wrapped) if compiled else not all(wrapped)):
        return
    for key in keys:
        renamed = f"_orig_mod.{key}" if compiled else key.removeprefix("_orig_mod.")
        state_dict[renamed] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    for key in list(metadata or ()):
        if compiled:  # "" is the wrapper's, "_orig_mod" the module's
            metadata[f"_orig_mod.{key}".rstrip(".")] = metadata[key]
        elif key == "_orig_mod" or key.startswith("_orig_mod."):
            metadata[key.removeprefix("_orig_mod").removeprefix(".")] = metadata[key]


def _default_is_none(factory, name):
    """Whether ``factory`` takes a parameter ``name`` whose default is ``None``."""
    try:
        parameter = inspect.signature(factory).parameters.get(name)
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is None


def _predefined(split):
    """The validation Dataset of skorch's ``predefined_split``, else None.

    The user made it, labels and all, before the fit; the datasets another
    split makes from those it is given hold the label codes already.
    """
    if isinstance(split, partial):
        return split.keywords.get("valid_ds")
    return None


def _check_image_layout(shape):
    """Refuse samples of ``shape`` that are not ``(C, H, W)`` images by name.

    ltlearn's image networks read ``(channels, height, width)``: a batch of
    ``(N, 32, 32, 3)`` images would train, silently, as 32 channels of 32x3
    images (or fail deep in a pooling layer), and samples of more axes were
    refused as an ``input_shape`` the user had not given.
    """
    if len(shape) != 3:
        raise ValueError(
            f"X has samples of shape {shape}; the network reads images of "
            "shape (channels, height, width), or grey ones of shape (height, "
            "width). Reshape X to (n_samples, channels, height, width), or "
            "pass module__input_shape=(channels, height, width) to read each "
            "sample so."
        )
    height, width, channels = shape
    if channels in (1, 3, 4) and min(height, width) > 4:
        raise ValueError(
            f"The images have shape {shape}, which looks like (height, width, "
            f"channels); the network reads (channels, height, width), here "
            f"{height} channels of {width}x{channels} images. Transpose them: "
            "X.transpose(0, 3, 1, 2) for a NumPy array, X.permute(0, 3, 1, 2) "
            "for a torch tensor, x.permute(2, 0, 1) of each item of a Dataset; "
            "or pass module__input_shape to keep this layout."
        )


def _refuse_unsupported_X(X):
    """Refuse a torch ``DataLoader`` or a dict given as ``X``, saying why.

    The classifier batches its input itself; a loader failed with an error
    about ``y`` (fit) or ``float()`` (predict), which named neither. A dict
    of several inputs (skorch's keyword arguments of ``forward``) failed in
    ``float()`` too.
    """
    if isinstance(X, torch.utils.data.DataLoader):
        raise ValueError(
            "X is a torch DataLoader; LongTailClassifier makes its own batches. "
            "Pass the loader's Dataset (X.dataset) instead, and options of the "
            "DataLoader as iterator_train__* and iterator_valid__* parameters "
            "(iterator_train__num_workers=2, say)."
        )
    # A DOK sparse matrix is a dict too: it gets scikit-learn's sparse message.
    if isinstance(X, Mapping) and not issparse(X):
        advice = "Join the inputs into one array and split it in the module's forward."
        if "sample_weight" in X:
            # skorch's way of passing sample weights, which fit takes itself.
            advice = (
                "Pass the weights as fit(X, y, sample_weight=...) instead, "
                "and the input as X."
            )
        raise TypeError(
            f"X is a {type(X).__name__} of inputs "
            f"({', '.join(map(repr, X))}); LongTailClassifier takes one input: "
            f"an array, a pandas DataFrame or a torch Dataset of (x, y) items. "
            f"{advice}"
        )


# The last parameter and the result of ``fit`` and ``partial_fit``, shared by
# their docstrings.
_fit_docstring = _Substitution(
    fit_params="""**fit_params : dict
            Passed to the module's ``forward`` and to ``train_split``.""",
    fit_returns="""Returns
        -------
        self : LongTailClassifier
            The fitted classifier.""",
)


# The Parameters section (the input alone) of the prediction methods, shared by
# their docstrings.
_X_or_dataset_docstring = _Substitution(
    X_predict="""Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...) \
                or torch.utils.data.Dataset
            The input, or a map-style Dataset (or skorch ``SliceDataset``) of
            ``x`` or ``(x, y)`` items (``y`` is ignored)."""
)


class LongTailClassifier(
    TransformerMixin, _BatchesMixin, _BatchLoopMixin, NeuralNetClassifier
):
    """Neural network classifier for long-tailed data, built on skorch.

    A :class:`skorch.NeuralNetClassifier` whose loss, sampling and
    prediction handle imbalanced classes. It takes arrays (or pandas
    frames) and any labels, or a torch ``Dataset`` of ``(x, y)`` items; at
    fit it validates ``X``, label-encodes ``y``, counts the classes of the
    training part (after skorch's internal validation split, if any) into
    ``class_counts_``, builds the loss from them, and trains ``module`` on
    batches sliced from in-memory tensors (or read from the Dataset),
    augmented on the device if ``augment`` says so. ``predict`` returns the
    original labels and ``predict_proba`` a softmax of the logits for every
    loss (the module's own probabilities with ``torch.nn.NLLLoss``).

    Deferred re-weighting, deferred re-sampling and decoupled classifier
    retraining are callbacks of :mod:`ltlearn.deep.callbacks`.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLP
        The network. A class (or function) is called with the ``module__*``
        parameters plus, when it accepts them and they are not given,
        ``n_features`` and ``n_classes`` learned from the data,
        ``input_shape`` for image-shaped ``X`` and ``head="cosine"`` when the
        criterion expects cosine logits (its ``cosine_logits`` attribute is
        true: :class:`~ltlearn.deep.losses.LDAMLoss` and
        :class:`~ltlearn.deep.losses.KPSLoss`, given by name, class or
        instance). The network trains in float32: a module that is built
        is cast to float32 whatever torch's default dtype; an instance is
        used as is (of another dtype, it must cast the float32 batches).
    criterion : str or torch.nn.Module class or instance, default="ce"
        The training loss, on logits and integer targets, as skorch's
        ``criterion`` (``torch.nn.NLLLoss`` as in skorch: on the module's
        probabilities, whose log it takes; a module ending in a softmax, not
        a ``LogSoftmax``):

        - ``"ce"``: ``torch.nn.CrossEntropyLoss``;
        - ``"focal"``: :class:`~ltlearn.deep.losses.FocalLoss`;
        - ``"class_balanced"``: :class:`~ltlearn.deep.losses.ClassBalancedLoss`;
        - ``"ldam"``: :class:`~ltlearn.deep.losses.LDAMLoss`;
        - ``"logit_adjusted"``: :class:`~ltlearn.deep.losses.LogitAdjustedLoss`;
        - ``"balanced_softmax"``:
          :class:`~ltlearn.deep.losses.BalancedSoftmaxLoss`;
        - ``"vs"``: :class:`~ltlearn.deep.losses.VSLoss`;
        - ``"kps"``: :class:`~ltlearn.deep.losses.KPSLoss`.

        A class receives the ``criterion__*`` parameters and, if it takes
        them and they are not given, the ``class_counts`` of the training
        part; a criterion with a ``set_class_counts`` method (every
        count-based loss of :mod:`ltlearn.deep.losses`) follows the counts
        as they change (validation split, ``partial_fit``). A
        ``criterion__class_counts`` or ``criterion__weight`` given as a pandas
        Series indexed by the classes (``y.value_counts()``) is read by class
        label, as the post-hoc rules read their priors.
        ``criterion__*`` parameters are tuned like any other (GridSearchCV);
        the loss gets its own copy of each array or tensor among them (a
        tensor that requires a gradient is passed as it is). An instance is
        used as is, as the module's: what a fit changes in it (the weights
        :class:`~ltlearn.deep.callbacks.DeferredReweighting` writes, a
        learned parameter) stays for the next fit. Give a name or class with
        ``criterion__*`` for refits that start from the same loss.
    sampler : {"instance", "class_balanced", "square_root", "progressive"} \
            or callable, default="instance"
        How training batches are drawn: every sample once per epoch
        (shuffled), every class equally often, classes in proportion to the
        square root of their counts, or progressively from natural to
        balanced over ``max_epochs`` (see :mod:`ltlearn.deep.samplers`). A
        callable is called as ``sampler(labels, **sampler_params)`` with the
        integer labels of the training part and the ``sampler__*``
        parameters, and returns a ``torch.utils.data.Sampler``.
        ``iterator_train__sampler``, ``iterator_train__batch_sampler`` or
        ``iterator_train__shuffle=True`` draws the batches in its place;
        they go with the default ``"instance"`` only (another sampler, or
        ``sampler__*``, is refused with them, as torch refuses a sampler
        with ``shuffle=True``). ``iterator_train__shuffle=False``, skorch's
        default, changes nothing: ``sampler`` still draws the batches, and
        ``"instance"`` shuffles; ``sampler=torch.utils.data.SequentialSampler``
        keeps the order of the rows.
    augment : {"cifar"}, torch.nn.Module, callable or None, default=None
        On-the-fly augmentation of the training batches, done on the whole
        batch on the network's device (no loop over images), after the batch
        is moved there and before the module sees it:

        - ``None``: none;
        - ``"cifar"``: the CIFAR recipe of the long-tail literature, a zero
          padding of 4, a random crop back to the image size and a random
          horizontal flip, then a per-channel normalisation with the CIFAR-10
          statistics of pixel values in ``[0, 1]`` (divide 8-bit images by
          255)
          (:class:`~ltlearn.deep.augment.CIFARAugment`, whose parameters
          are set with ``augment__*``, e.g. ``augment__padding=2``); needs
          images of three channels;
        - a :class:`~ltlearn.deep.augment.CIFARAugment` or
          :class:`~ltlearn.deep.augment.TransformAugment`, used as given (a
          copy);
        - any other callable on a batch tensor ``(N, C, H, W)``, such as a
          torchvision ``transforms.v2`` transform (torchvision is optional),
          wrapped in :class:`~ltlearn.deep.augment.TransformAugment` (a copy
          of a ``torch.nn.Module``).

        Validation, prediction and :meth:`transform` batches are not
        augmented; they go through the module's evaluation mode
        (``CIFARAugment`` normalises them, a wrapped transform leaves them
        unchanged), that of the last training: ``augment`` and
        ``augment__*`` set on a fitted classifier take effect at its next
        fit. The random crops and flips come from torch's generator
        of the device, seeded by ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds torch inside ``torch.random.fork_rng`` for each fit, so that
        the same integer gives the same network on the CPU with the same
        number of torch threads, and torch's global random state is left as
        it was. Some of torch's CPU kernels (the gradient of a linear layer)
        add up in another order on another number of threads, which
        changes the last bits and then the network: set
        ``torch.set_num_threads`` to compare fits, and note that joblib's
        worker processes (``GridSearchCV(n_jobs=2)``) start torch on
        ``cpu_count() // n_jobs`` threads. It also seeds the validation
        part of a ``skorch.dataset.ValidSplit`` with a float ``cv`` and no
        ``random_state`` of its own (with an int, the same part at each
        ``partial_fit`` and warm-started fit), as scikit-learn's
        ``MLPClassifier`` seeds its ``early_stopping`` split. ``None`` uses
        torch's global generator, as skorch does.
        torch's generator is shared by the threads of a process: fits with
        ``random_state`` set run one at a time in threads (joblib's
        ``"threading"`` backend), processes (its default ``"loky"``) run
        them side by side. A fit without ``random_state``, or other torch
        code that draws random numbers, in another thread meanwhile draws
        from the generator a seeded fit set, which then gives another
        network.
    progress_bar : bool, default=False
        Show a ``tqdm`` progress bar for each epoch (needs ``tqdm``). With
        ``sampler__num_samples``, its total is the number of batches of the
        previous epoch. Set on a fitted classifier, it applies to the epochs
        that ``partial_fit`` or a ``warm_start`` fit train further.
    optimizer : torch.optim.Optimizer class, default=torch.optim.AdamW
        The optimiser; its parameters are set with ``optimizer__*``. Adam and
        AdamW run torch's fused implementation unless ``optimizer__fused``
        or ``optimizer__foreach`` is given (see :meth:`initialize_optimizer`).
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=30
        Number of epochs of each fit.
    batch_size : int, default=128
        Samples per batch; ``-1`` uses the whole data.
    train_split : callable or None, default=None
        The internal validation split of skorch, e.g.
        ``skorch.dataset.ValidSplit(5, stratified=True)``. ``None`` trains on
        all the data: long-tailed data can rarely spare a fifth of their
        rarest classes. With a split, the class counts, the loss and the
        sampler are built from the training part only, and the history
        records ``valid_loss`` and the balanced accuracy ``valid_bacc``
        (skorch's ``NeuralNetClassifier`` records the accuracy
        ``valid_acc``: a callback monitoring ``"valid_acc"`` is refused
        unless a scoring callback records it, or a callback or subclass of
        the user's may). ``skorch.helper.predefined_split(dataset)`` takes a
        Dataset of ``(x, y)`` items labelled as ``y`` is, checked as one
        given to fit.
        A callback that monitors a validation score (skorch's
        ``EarlyStopping()`` and ``Checkpoint()`` by default) needs a split:
        without one it is refused before training, unless a callback of
        the user's (which may record that score itself) is given. A
        stratified split with a float ``cv`` (scikit-learn's
        ``StratifiedShuffleSplit``) needs 2 samples of every class: an error
        names the class otherwise. A split whose training part holds no
        sample of a class of ``y`` is refused by name too: ``ValidSplit(5)``
        (an unshuffled ``KFold``, not stratified) validates on the first
        fifth of the rows, whole classes where the rows are sorted by class.
    iterator_train : callable, default=SliceLoader
        Builds the training batches from the dataset; the default slices
        in-memory tensors. ``torch.utils.data.DataLoader`` also works, and
        is used instead of the default when an option only it takes is
        given (``iterator_train__num_workers``, ``__pin_memory``,
        ``__collate_fn``...).
    iterator_valid : callable, default=SliceLoader
        Builds the batches for validation and prediction.
    predict_nonlinearity : "auto", callable or None, default="auto"
        Maps the module's output to probabilities. ``"auto"`` is a softmax
        of the logits times the loss's ``logit_scale`` (``s`` for LDAM and
        KPS, one otherwise), and the identity with ``torch.nn.NLLLoss``,
        whose module gives probabilities (skorch's convention: the loss is
        the NLL of their log). ``None`` is the identity, as in skorch:
        ``predict_proba`` then gives the module's output itself (the logits
        of a module that gives logits, which are no probabilities).
    verbose : int, default=0
        ``1`` prints a table of the training history (skorch's ``PrintLog``
        callback is left out at ``0``); set on a fitted classifier, it
        applies to the epochs that ``partial_fit`` or a ``warm_start`` fit
        train further.
    device : str, torch.device or None, default="cpu"
        Where the network runs: ``"cpu"``, ``"cuda"`` (checked at fit: a
        clear error without a CUDA device), ``"auto"`` (CUDA when torch finds
        a device, else the CPU; ``get_params`` keeps ``"auto"``) or ``None``
        (no moves).
    amp : bool, default=False
        Automatic mixed precision for the training steps: the forward pass
        and the loss run under :class:`torch.autocast`, the loss on the
        logits cast to float32. On CUDA in float16, the backward pass
        scaled by a :class:`torch.amp.GradScaler` (``grad_scaler_``); on the
        CPU in bfloat16, which needs no scaling (faster on processors with
        bfloat16 instructions, slower on others). Other devices warn and
        train in float32. Validation and prediction run in float32.
    callbacks : list, "disable" or None, default=None
        skorch callbacks, added to the default ones (``"disable"`` turns
        them all off); their parameters are set with ``callbacks__*``.
    warm_start : bool, default=False
        Train a fitted network further at the next :meth:`fit` instead of
        initialising it anew.
    classes : array-like of shape (n_classes,) or None, default=None
        All the labels (a list, a tuple or an array; a set, which has no
        order, is refused as in scikit-learn); ``None`` learns them from
        ``y``.
    dataset : torch.utils.data.Dataset class or instance, \
            default=skorch.dataset.Dataset
        skorch's dataset of the arrays; its parameters are set with
        ``dataset__*``. A class is called as skorch calls it, with ``X`` and
        the label codes; of a subclass of skorch's ``Dataset`` that keeps its
        ``__getitem__`` (a ``transform`` of its own), ``sampler`` and
        ``class_counts_`` take item ``i`` to be of the class of ``y[i]``.
        Another class's labels are not read: it trains with
        ``iterator_train__shuffle=True`` only.
    compile : bool, default=False
        Compile the module and the criterion with ``torch.compile``.
    use_caching : bool or "auto", default="auto"
        Let skorch's scoring callbacks reuse the predictions of an epoch.
    torch_load_kwargs : dict or None, default=None
        Keyword arguments of ``torch.load`` when loading saved parameters.
    loss : str or torch.nn.Module class or instance
        Deprecated name of ``criterion`` (and ``loss__*`` of
        ``criterion__*``). Given with a ``criterion`` other than the default
        ``"ce"``, or ``loss__<name>`` with ``criterion__<name>``, it is
        refused: the two name one loss.

        .. deprecated:: 0.1
           ``loss`` was renamed ``criterion`` in 0.1 and will be removed in
           0.3.
    **kwargs : dict
        The prefixed parameters ``module__*``, ``criterion__*``, ``sampler__*``,
        ``augment__*``, ``optimizer__*``, ``iterator_train__*``,
        ``iterator_valid__*``, ``callbacks__*``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, as given in ``y``.
    class_counts_ : ndarray of shape (n_classes,)
        Number of samples of each class in the training part (their total
        ``sample_weight`` when weights are given), added up over the
        ``partial_fit`` calls since the network was initialised.
    label_encoder_ : sklearn.preprocessing.LabelEncoder
        Maps the labels to the integer targets of the loss.
    input_shape_ : tuple of int
        Shape of one sample of ``X``.
    n_features_in_ : int
        Number of features: ``X.shape[1]``, the columns of a table (the
        channels of images of shape (n, C, H, W); the height of images of
        shape (n, H, W)).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    module_ : torch.nn.Module
        The trained network, in evaluation mode after a fit. It maps float32
        batches to logits (probabilities with ``torch.nn.NLLLoss``) whose
        argmax indexes ``classes_`` as ``predict`` does; with
        ``augment="cifar"`` or a ``CIFARAugment``, ``predict`` normalises
        the batches before they reach the network, which ``module_`` alone
        does not do (see the User Guide for serving it).
    criterion_ : torch.nn.Module
        The loss built from ``criterion``.
    optimizer_ : torch.optim.Optimizer
        The optimiser.
    train_sampler_ : torch.utils.data.Sampler
        The sampler of the last fit (its ``sampler`` attribute holds the
        sampler built from ``sampler``); callbacks change it with
        :meth:`set_train_sampler`.
    schedule_start_ : int
        Number of epochs in ``history_`` before the last ``fit``: the
        schedules of :mod:`ltlearn.deep.callbacks` count their epochs from
        there, over that ``fit`` and the ``partial_fit`` calls after it.
    history_ : skorch.history.History
        The training history, per epoch and batch.
    grad_scaler_ : torch.amp.GradScaler or None
        The gradient scaler of mixed-precision training on CUDA
        (``amp=True``), made at the first training step of a new history
        and kept over warm-start fits and ``partial_fit``; ``None`` otherwise
        (``amp=False``, or ``amp=True`` on the CPU, whose bfloat16 steps
        need no scaling).

    See Also
    --------
    ltlearn.deep.callbacks.DeferredReweighting : Re-weight the loss late.
    ltlearn.deep.callbacks.ClassifierRetraining : cRT and LWS.
    ltlearn.deep.callbacks.TauNormalization : Normalise the classifier.

    Notes
    -----
    In-memory data are batched by
    :class:`~ltlearn.deep.samplers.SliceLoader`, which costs a few percent
    over a hand-written PyTorch loop where skorch's default ``DataLoader``
    costs tens of percent. With ``device="cuda"`` the in-memory data are
    moved to the device once per fit (when they take at most half of its
    free memory, else a batch at a time), and batches are cut there; the
    batches of another Dataset are moved one at a time.

    Unlike skorch's ``NeuralNet``, an interrupted fit (SIGINT, Ctrl-C)
    propagates the ``KeyboardInterrupt``, and it or a fit that fails (an
    error in a callback, the loss or a batch) leaves the classifier not
    fitted. A callback that stops the training by raising
    ``KeyboardInterrupt`` (skorch's ``EarlyStopping``) ends the fit as in
    skorch.

    Unless a callback has a batch-level hook (``on_batch_begin``,
    ``on_batch_end`` or ``on_grad_computed``) that acts on them, the batches
    of an epoch run without notifying the callbacks and their losses are
    written into their history rows when the epoch's batches end, from one
    transfer: no host synchronisation per batch on a GPU (see
    :meth:`run_single_epoch`). A learning-rate schedule stepped per epoch
    and a validation score do not act on the training batches. The history
    is the same as skorch's.

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.deep import LongTailClassifier
    >>> torch.set_num_threads(1)
    >>> X, y = make_classification(
    ...     n_samples=300, n_classes=3, n_informative=4, weights=[0.8, 0.15, 0.05],
    ...     random_state=0)
    >>> clf = LongTailClassifier(
    ...     criterion="logit_adjusted", max_epochs=5, random_state=0).fit(X, y)
    >>> clf.class_counts_
    array([240,  45,  15])
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    prefixes_ = [*NeuralNetClassifier.prefixes_, "sampler", "augment", "loss"]

    _parameter_constraints: dict = {
        "module": [callable],
        "criterion": [StrOptions(set(_LOSSES)), callable],
        # TODO(0.3): remove
        "loss": [
            Hidden(StrOptions({"deprecated"})),
            StrOptions(set(_LOSSES)),
            callable,
        ],
        "sampler": [StrOptions(set(_SAMPLERS)), callable],
        "augment": [StrOptions({"cifar"}), callable, None],
        "random_state": ["random_state"],
        "progress_bar": ["boolean"],
        "optimizer": [callable],
        "lr": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        # Integral: a NumPy -1 (from a grid given as an array) is -1 too
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            Options(Integral, {-1}),
        ],
        "train_split": [callable, None, Options(bool, {False})],
        "iterator_train": [callable],
        "iterator_valid": [callable],
        "predict_nonlinearity": [StrOptions({"auto"}), callable, None],
        "verbose": ["verbose"],
        "callbacks": [list, StrOptions({"disable"}), None],
        "warm_start": ["boolean"],
        "device": [StrOptions({"auto"}), str, torch.device, None],
        "amp": ["boolean"],
        "compile": ["boolean"],
        "use_caching": [StrOptions({"auto"}), "boolean"],
        "torch_load_kwargs": [dict, None],
        "dataset": [callable, torch.utils.data.Dataset],
        "classes": ["array-like", None],
    }

    def __init__(
        self,
        module=MLP,
        *,
        criterion="ce",
        sampler="instance",
        augment=None,
        random_state=None,
        progress_bar=False,
        optimizer=torch.optim.AdamW,
        lr=1e-3,
        max_epochs=30,
        batch_size=128,
        train_split=None,
        iterator_train=SliceLoader,
        iterator_valid=SliceLoader,
        predict_nonlinearity="auto",
        verbose=0,
        device="cpu",
        amp=False,
        callbacks=None,
        warm_start=False,
        classes=None,
        dataset=_SkorchDataset,
        compile=False,
        use_caching="auto",
        torch_load_kwargs=None,
        loss="deprecated",
        **kwargs,
    ):
        # skorch's other parameters are named here, with skorch's defaults,
        # so that scikit-learn's repr (print_changed_only) shows only those
        # set to another value.
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            predict_nonlinearity=predict_nonlinearity,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            warm_start=warm_start,
            classes=classes,
            dataset=dataset,
            compile=compile,
            use_caching=use_caching,
            torch_load_kwargs=torch_load_kwargs,
            **kwargs,
        )
        self.loss = loss
        self.amp = amp
        self.sampler = sampler
        self.augment = augment
        self.random_state = random_state
        self.progress_bar = progress_bar

    @property
    def device(self):
        """The device of the network, ``"auto"`` resolved."""
        device = vars(self).get("device", "cpu")
        if isinstance(device, str) and device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        return device

    @device.setter
    def device(self, value):
        vars(self)["device"] = value

    def __setstate__(self, state):
        # skorch maps the pickled tensors to ``state["device"]``: resolve
        # "auto" on the machine that unpickles, and keep "auto" as the value.
        device = state.get("device")
        auto = isinstance(device, str) and device == "auto"
        if auto:
            state = {**state, "device": "cuda" if torch.cuda.is_available() else "cpu"}
        super().__setstate__(state)
        if auto:
            vars(self)["device"] = "auto"

    def get_params(self, deep=True, **kwargs):
        """Get the parameters of this classifier.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of the callbacks.
        **kwargs : dict
            Passed to skorch's ``get_params``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values, as given to ``__init__``
            or ``set_params`` (``device="auto"`` unresolved).
        """
        params = super().get_params(deep=deep, **kwargs)
        # skorch lists every attribute not ending in "_", its bookkeeping of
        # the names to validate included; __init__ rebuilds that from kwargs.
        params.pop("_params_to_validate", None)
        # set by set_output (not __init__); clone copies it apart, as skorch
        # leaves out set_fit_request's _metadata_request
        params.pop("_sklearn_output_config", None)
        if "device" in params:
            params["device"] = vars(self).get("device", "cpu")
        return params

    # scikit-learn's repr: the parameters set to other than their defaults,
    # as a Pipeline prints it, fitted or not; skorch's lists the module only
    # (the built network once initialised, which ``module_`` prints).
    __repr__ = BaseEstimator.__repr__

    def _check_params(self):
        """Validate the parameters and the device before a fit.

        skorch's own check of the prefixed names (``module__*``...) runs in
        ``initialize``, once the prefixes are registered.
        """
        if not get_config()["skip_parameter_validation"]:
            validate_parameter_constraints(
                self._parameter_constraints,
                self.get_params(deep=False),
                caller_name=type(self).__name__,
            )
        if self.classes is not None:
            check_classes(self.classes)
        self._check_callbacks()
        # Before training: a refused warm start or partial_fit keeps the
        # fitted network.
        self._sampler_replaced()
        device = self.device
        if device is None:
            return
        try:
            kind = torch.device(device).type
        except RuntimeError as exc:  # "Expected one of cpu, cuda, ..."
            raise ValueError(
                f"The 'device' parameter of {type(self).__name__} is not a "
                f"device torch knows: {exc} (got {device!r})."
            ) from exc
        if kind == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"{type(self).__name__}(device={device!r}): torch finds no "
                "CUDA device (torch.cuda.is_available() is False). Use "
                "device='cpu', or device='auto' for CUDA when available."
            )
        if self.amp and kind not in ("cuda", "cpu"):
            warnings.warn(
                f"{type(self).__name__}(amp=True) has mixed precision on CUDA "
                f"and the CPU only; device={device!r} trains in float32.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )

    def _check_callbacks(self):
        """Refuse an item of ``callbacks`` that skorch cannot build, naming it.

        skorch fails on it in ``initialize`` with an error that names neither
        the parameter nor the item (``'int' object has no attribute
        'set_params'``).
        """
        for item in self.callbacks if isinstance(self.callbacks, list) else []:
            named = isinstance(item, (tuple, list))
            if named and (len(item) != 2 or not isinstance(item[0], str)):
                valid = False
            else:
                callback = item[1] if named else item
                valid = (
                    isinstance(callback, type)
                    or (named and callback is None)
                    or (
                        hasattr(callback, "initialize")
                        and hasattr(callback, "set_params")
                    )
                )
            if not valid:
                raise ValueError(
                    f"The 'callbacks' parameter of {type(self).__name__} takes "
                    "skorch callbacks (instances or classes) and (name, callback) "
                    f"pairs; got {item!r}."
                )

    def initialize(self):
        """Build the network, its loss, its optimiser and its callbacks.

        As skorch's ``initialize``, which ``fit`` calls; it also warns when
        the renamed ``loss`` parameter is given. Called on its own, it draws
        the initial weights as a fit does: from ``random_state`` if set,
        leaving torch's global random state as it was. On a fitted
        classifier it builds a new network for the classes and the input
        shape fitted, as a new classifier's ``initialize()`` with
        ``classes`` and ``module__n_features`` does: the next
        ``partial_fit`` counts the classes anew in ``class_counts_``, and
        the schedules of :mod:`ltlearn.deep.callbacks` count the epochs of
        the new history (``schedule_start_`` is 0).

        Returns
        -------
        self : LongTailClassifier
            The initialised classifier.
        """
        # the counts and the schedule of the network replaced
        for name in ("class_counts_", "_counts_before_"):
            vars(self).pop(name, None)
        if "schedule_start_" in vars(self):
            self.schedule_start_ = 0
        return self._initialize()

    def _initialize(self):
        """``initialize`` for ``fit``, which has counted the classes of its data."""
        self._warn_renamed_loss()
        # a new network: its batches are augmented as augment is now set
        vars(self).pop("_augment_trained_", None)
        with self._torch_rng():
            return super().initialize()

    def _uses_renamed_loss(self):
        """Whether ``loss`` or ``loss__*`` is given."""
        given = not (isinstance(self.loss, str) and self.loss == "deprecated")
        return given or bool(self.get_params_for("loss"))

    def _warn_renamed_loss(self):
        """Warn, once per call of the user, that ``loss`` is now ``criterion``.

        Called by ``initialize``, by ``fit`` and ``partial_fit`` when they
        train an initialised network further, and by ``set_params`` on an
        initialised classifier; not where the criterion is built: one fit
        builds it, or reads it, up to four times.
        """
        # TODO(0.3): remove ``loss`` and ``loss__*``.
        if self._uses_renamed_loss():
            warnings.warn(
                "'loss' was renamed 'criterion' in 0.1 and will be removed in "
                "0.3: use criterion=... and criterion__* instead of loss=... "
                "and loss__*.",
                FutureWarning,
                stacklevel=external_stacklevel(),
            )

    def _criterion_and_params(self):
        """The criterion to build and its parameters, ``loss`` resolved.

        Per-class parameters given as a pandas Series indexed by the class
        labels are read by label (:func:`_read_by_label`). ``loss`` with a
        ``criterion`` other than the default, or one parameter given as both
        ``loss__*`` and ``criterion__*``, is refused rather than either one
        dropped.
        """
        criterion = self.criterion
        kwargs = self.get_params_for("criterion")
        if self._uses_renamed_loss():
            renamed = self.get_params_for("loss")
            if not (isinstance(self.loss, str) and self.loss == "deprecated"):
                if not (isinstance(criterion, str) and criterion == "ce"):
                    raise ValueError(
                        f"loss={self.loss!r} and criterion={criterion!r} are both "
                        "given; 'loss' is the deprecated name of 'criterion': "
                        "give criterion only."
                    )
                criterion = self.loss
            both = sorted(set(renamed) & set(kwargs))
            if both:
                raise ValueError(
                    f"loss__{both[0]} and criterion__{both[0]} are both given; "
                    "'loss__*' is the deprecated name of 'criterion__*': give "
                    f"criterion__{both[0]} only."
                )
            kwargs = {**renamed, **kwargs}
        classes = self.classes_ if self._n_classes() is not None else None
        return criterion, {
            name: _read_by_label(name, value, classes) for name, value in kwargs.items()
        }

    @property
    def _default_callbacks(self):
        # Per-batch callbacks cost time on small networks: the validation
        # scores come only with a validation split, the log only when printed.
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
        ]
        if _has_validation_data(self):
            callbacks += [
                ("valid_loss", PassthroughScoring(name="valid_loss")),
                (
                    "valid_bacc",
                    EpochScoring(
                        _balanced_accuracy, name="valid_bacc", lower_is_better=False
                    ),
                ),
            ]
        bar = self._progress_bar()
        if bar is not None:
            callbacks.append(("progress_bar", bar))
        if self._prints_log():
            callbacks.append(("print_log", PrintLog()))
        return callbacks

    def _progress_bar(self):
        """The bar that ``progress_bar`` asks for, or ``None``."""
        if not (isinstance(self.progress_bar, (bool, np.bool_)) and self.progress_bar):
            return None
        # skorch's "auto" total is len(dataset) / batch_size, which a
        # sampler drawing num_samples rows per epoch, or batches of
        # iterator_train__batch_sampler, change: the bar then counts the
        # batches of the previous epoch.
        counted = (
            "num_samples" in self.get_params_for("sampler")
            or "batch_sampler" in self._batch_options()
        )
        return _epoch_progress_bar(counted)

    def _prints_log(self):
        """Whether ``verbose`` asks for the table of the training history."""
        return not isinstance(self.verbose, Integral) or bool(self.verbose)

    def _match_output_callbacks(self):
        """Give the training run the table and the bar asked for now.

        The network is built with a ``PrintLog`` only when ``verbose`` asks
        for it, and with the bar of ``progress_bar``; ``PrintLog`` reads
        ``verbose`` at each epoch, the bar nothing. After ``set_params``,
        ``partial_fit`` (or a ``warm_start`` fit) trained further without the
        table or the bar asked for, or with the bar turned off. A callback
        of the user's named ``progress_bar`` or ``print_log``, or set (or
        turned off with ``None``) by ``callbacks__progress_bar`` or
        ``callbacks__print_log``, is left as it is, and nothing is added to
        ``callbacks="disable"``. The bar goes before the table, the table
        last, as skorch orders them.
        """
        if isinstance(self.callbacks, str) and self.callbacks == "disable":
            return
        user = {
            item[0] for item in self.callbacks or [] if isinstance(item, (tuple, list))
        }
        user.update(
            name
            for name in ("progress_bar", "print_log")
            if f"callbacks__{name}" in vars(self)
        )
        callbacks = self.callbacks_
        if "progress_bar" not in user:
            bar = self._progress_bar()
            if bar is None:
                callbacks[:] = [item for item in callbacks if item[0] != "progress_bar"]
            elif "progress_bar" not in dict(callbacks):
                logs = [
                    i for i, (_, cb) in enumerate(callbacks) if isinstance(cb, PrintLog)
                ]
                at = logs[0] if logs else len(callbacks)
                callbacks.insert(at, ("progress_bar", bar.initialize()))
        if (
            "print_log" not in user
            and self._prints_log()
            and not any(isinstance(callback, PrintLog) for _, callback in callbacks)
        ):
            callbacks.append(("print_log", PrintLog().initialize()))

    @contextmanager
    def _torch_rng(self, offset=0):
        """Seed torch from ``random_state`` without touching its global state.

        torch's generator is the process's: seeded fits in several threads
        take turns, or each would draw from the others' seeds and restore
        the global state another one saved. Within such a block of this
        classifier (``initialize`` inside ``fit``), the draws go on.
        """
        seeded = vars(_SEEDED_HERE).setdefault("seeds", {})
        if self.random_state is None or id(self) in seeded:
            yield
            return
        first = int(draw_seeds(self.random_state))
        seed = (first + offset) % _MAX_SEED
        on_cpu = str(self.device).startswith("cpu")
        with _SEEDED_FIT_LOCK, torch.random.fork_rng(devices=[] if on_cpu else None):
            torch.manual_seed(seed)
            try:
                seeded[id(self)] = first
                yield
            finally:
                seeded.pop(id(self), None)

    def _check_input_ndim(self, X):
        """Refuse an array of other shape than the fitted images' by name.

        scikit-learn's check compares ``X.shape[1]`` with ``n_features_in_``
        (the channels of an image), which names neither shape; a single image
        is told to be given as a batch of one, as scikit-learn tells a single
        row to be reshaped. A list of arrays is read by its shape too.
        """
        fitted = getattr(self, "input_shape_", None)
        if fitted is None or len(fitted) < 2:
            return
        shape = getattr(X, "shape", None)
        if shape is None and isinstance(X, (list, tuple)):
            try:
                shape = np.shape(X)
            except ValueError:  # ragged: scikit-learn's check names it
                return
        if shape is None:
            return
        shape = tuple(shape)
        if len(shape) == len(fitted) + 1:
            self._check_input_shape(shape[1:])
            return
        hint = ""
        if shape == fitted:
            hint = " Use X[np.newaxis] if it is a single sample."
        raise ValueError(
            f"X has shape {shape}, but {type(self).__name__} was fitted "
            f"on samples of shape {fitted}: X must be of shape "
            f"(n_samples, {', '.join(map(str, fitted))}).{hint}"
        )

    def _check_input_shape(self, shape):
        fitted = getattr(self, "input_shape_", None)
        if fitted is not None and tuple(shape) != fitted:
            raise ValueError(
                f"X has samples of shape {tuple(shape)}, but "
                f"{type(self).__name__} was fitted on samples of shape {fitted}."
            )

    def _check_X(self, X, *, reset):
        """Validate the input of predict; a Dataset's items are checked lazily.

        An in-memory dataset (``TensorDataset``, skorch ``Dataset`` over
        arrays, a ``Subset`` of one) is validated as its input array; another
        map-style Dataset of ``x`` or ``(x, y)`` items has its first input's
        shape checked and is wrapped to give the network float32 batches,
        each input checked (shape, finite) as it is read.
        """
        _refuse_unsupported_X(X)
        if isinstance(X, SliceDataset):
            # skorch's indexable view of a Dataset, read as a Dataset of
            # inputs (scikit-learn's cross-validation slices it).
            pairs, shape = _peek_input(X)
            self._check_input_shape(shape)
            return _ItemDataset(X, pairs=pairs, shape=shape)
        if is_dataset(X):
            tensors = _dataset_tensors(X)
            if tensors is None or isinstance(tensors[0], dict):
                pairs, shape = _peek_input(X)
                self._check_input_shape(shape)
                return _ItemDataset(X, pairs=pairs, shape=shape)
            X = _readable(tensors[0]).numpy()
        X = _readable(X)
        if not reset:
            self._check_input_ndim(X)
        X = validate_data(self, X, reset=reset, allow_nd=True, dtype=np.float32)
        self._check_input_shape(X.shape[1:])
        return _writeable(X)

    def _read_dataset(self, X, y, *, reset):
        """Input and labels of a Dataset given to fit, read once.

        Returns arrays ``(X, y)`` for an in-memory dataset, so that it trains
        as arrays do, else the dataset and the labels of its items (checked:
        same input shape, finite, scalar labels).
        """
        if y is not None:
            raise ValueError(
                "y must be None when X is a torch Dataset: the labels come from "
                "its (x, y) items."
            )
        tensors = _dataset_tensors(X)
        if tensors is not None and not isinstance(tensors[0], dict):
            X_tensor, y = tensors
            if y is None:
                raise ValueError(
                    f"The {type(X).__name__} given to fit has no labels: fit "
                    "needs a Dataset of (x, y) items."
                )
            return _readable(X_tensor).numpy(), _readable(y).numpy(), None
        y, shape, value_range = self._read_items(X)
        self._warn_unscaled_pixels(None, value_range)
        if reset:
            self.n_features_in_ = shape[0]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            self._check_input_shape(shape)
        return X, y, shape

    def _read_items(self, dataset):
        """Labels, input shape and value range of the ``(x, y)`` items."""
        if self.random_state is None:
            return _read_labelled_dataset(dataset)
        # Random transforms in the items draw from torch's generator: leave
        # the global one as it was, as the training does.
        with torch.random.fork_rng(devices=[]):
            return _read_labelled_dataset(dataset)

    def _unseen_labels(self, y):
        """The labels of ``y`` that are not among ``classes_``, as a list.

        LabelEncoder fails on labels of another type than the classes
        ("invalid literal for int()" for text after integers).
        """
        fitted_classes = set(self.classes_.tolist())
        return [v for v in np.unique(y).tolist() if v not in fitted_classes]

    def _encoded_valid(self, dataset):
        """A validation Dataset of the user's, its labels encoded as in training.

        skorch's ``predefined_split`` gives the Dataset as it is: it is checked
        as a Dataset given to fit, and its labels become the codes of
        ``classes_`` that the loss and ``valid_bacc`` compare with. An
        in-memory one becomes a ``TensorDataset`` of float32 inputs (sliced
        into batches, as the training data are), another one is wrapped; the
        user's Dataset is left as it is.
        """
        tensors = _dataset_tensors(dataset)
        if tensors is not None and tensors[1] is None:
            raise ValueError(
                f"The {type(dataset).__name__} of predefined_split has no "
                "labels: the validation needs a Dataset of (x, y) items."
            )
        in_memory = tensors is not None and not isinstance(tensors[0], dict)
        if in_memory:
            X = check_array(
                _readable(tensors[0]).numpy(),
                allow_nd=True,
                dtype=np.float32,
                input_name="X",
            )
            labels, shape = column_or_1d_y(_readable(tensors[1]).numpy()), X.shape[1:]
        else:
            labels, shape, _ = self._read_items(dataset)
        self._check_input_shape(shape)
        unseen = self._unseen_labels(labels)
        if unseen:
            raise ValueError(
                f"The validation Dataset holds labels {unseen!r} that are not "
                f"among the classes {self.classes_.tolist()!r} of the training data."
            )
        codes = torch.as_tensor(self.label_encoder_.transform(labels).astype(np.int64))
        if in_memory:
            valid = TensorDataset(torch.as_tensor(_writeable(X)), codes)
            valid._ltlearn_checked = True  # predict_proba need not check it again
            return valid
        return _ItemDataset(dataset, pairs=True, labels=codes)

    def _check_X_y(self, X, y, *, reset, classes=None, sample_weight=None, warm=False):
        """Validate ``X``, ``y`` and ``sample_weight``; label-encode ``y``.

        Counts the classes into ``class_counts_``: those of this data for a
        first fit, added to the previous counts when ``reset`` is false. A
        warm-start fit (``warm``) keeps the fitted input shape and classes,
        as ``reset=False`` does, and needs every class in ``y`` (as
        scikit-learn's ``MLPClassifier(warm_start=True)``) unless ``classes``
        gives them; its counts are those of this data.
        """
        _refuse_unsupported_X(X)
        dataset_shape = None
        if isinstance(X, SliceDataset) and y is not None:
            # skorch's pairs of a SliceDataset's inputs and their labels
            # (it checks they are as many), read as any (x, y) Dataset.
            X, y = _SkorchDataset(X, y), None
        if is_dataset(X):
            X, y, dataset_shape = self._read_dataset(X, y, reset=reset)
        if y is None:
            validate_data(self, X, y)  # raises: the target is required
        X, y = _readable(X), _readable(y)
        given = classes if classes is not None else self.classes
        # One class is enough when the classes are known (given, or fitted).
        known = given is not None or not reset
        check_classification_y(np.asarray(y), min_classes=1 if known else 2)
        if dataset_shape is None:
            if not reset:
                self._check_input_ndim(X)
            y = column_or_1d_y(y)
            X, y = validate_data(
                self, X, y, reset=reset, allow_nd=True, dtype=np.float32
            )
            X = _writeable(X)
            self._warn_unscaled_pixels(X)
            if not reset:
                self._check_input_shape(X.shape[1:])
        if warm:
            seen = np.unique(y)
            if self.classes is None:
                same = np.array_equal(seen, self.classes_)
            else:  # y may lack some of the given classes, as in a first fit
                given = np.unique(np.asarray(self.classes))
                same = (
                    np.array_equal(given, self.classes_) and np.isin(seen, given).all()
                )
            if not same:
                raise ValueError(
                    f"warm_start=True can only be used where y has the same "
                    f"classes as in the previous fit. Previously got "
                    f"{self.classes_.tolist()!r}, y has {seen.tolist()!r}."
                )
        if reset:
            encoder = LabelEncoder()
            if given is not None:
                encoder.fit(np.asarray(given))
                unknown = np.setdiff1d(np.unique(y), encoder.classes_)
                if unknown.size:
                    raise ValueError(
                        f"y holds labels {unknown.tolist()!r} that are not in "
                        f"classes={encoder.classes_.tolist()!r}."
                    )
            else:
                encoder.fit(y)
            self.label_encoder_ = encoder
            self.input_shape_ = dataset_shape or tuple(X.shape[1:])
        else:
            unseen = self._unseen_labels(y)
            if unseen:
                raise ValueError(
                    f"y holds previously unseen labels {unseen!r}; the classes "
                    f"are {self.classes_.tolist()!r}. partial_fit trains the "
                    "fitted network further on the same classes; fit starts anew."
                )
        y = self.label_encoder_.transform(y).astype(np.int64)
        self._check_draws_of_rows(len(y))
        if sample_weight is not None:
            sample_weight = self._check_sample_weight(_readable(sample_weight), y)
        counts = _count_classes(y, sample_weight, len(self.classes_))
        # none after initialize() on a fitted classifier: counted anew
        before = 0 if reset or warm else vars(self).get("class_counts_", 0)
        self._counts_before_ = before
        self.class_counts_ = self._counts_before_ + counts
        if dataset_shape is not None:
            # The labels and weights travel with the items.
            X = _ItemDataset(
                X,
                pairs=True,
                labels=torch.as_tensor(y),
                sample_weight=None
                if sample_weight is None
                else torch.as_tensor(sample_weight),
            )
            sample_weight = None
        return X, y, sample_weight

    def _n_classes(self):
        try:
            return len(self.classes_)
        except AttributeError:
            return None

    def _n_features(self):
        shape = getattr(self, "input_shape_", None)
        return None if shape is None else math.prod(shape)

    def _class_counts_for_loss(self, loss_name):
        """The class counts for a loss; ``loss_name`` names it in the errors.

        A class name (``"LDAMLoss"``) is said as it is; another name, a
        criterion's (``"'ldam'"``) or a rule's (``"re-weighted"``), as
        ``"the ... loss"``.
        """
        loss = loss_name if loss_name.endswith("Loss") else f"the {loss_name} loss"
        counts = getattr(self, "class_counts_", None)
        if counts is None:
            n_classes = self._n_classes()
            if n_classes is None:
                raise ValueError(
                    f"{loss[0].upper()}{loss[1:]} needs the class counts: fit "
                    "the classifier, or pass classes=... or "
                    "criterion__class_counts=..."
                )
            return np.ones(n_classes)
        empty = np.flatnonzero(counts == 0)
        if empty.size and getattr(self, "_incremental_", False):
            # partial_fit: a class of ``classes`` not seen yet counts as one.
            return np.where(counts > 0, counts, 1)
        if empty.size:
            label = self.classes_.tolist()[empty[0]]
            where = (
                "in the training part of the internal validation split"
                if self.train_split
                else "in y"
            )
            raise ValueError(
                f"Class {label!r} has 0 samples {where}; {loss} needs training "
                "samples of every class (of positive total sample_weight when "
                "weights are given)."
            )
        return counts

    def _criterion_factory(self):
        criterion, kwargs = self._criterion_and_params()
        factory = _LOSSES[criterion] if isinstance(criterion, str) else criterion
        return criterion, factory, kwargs

    def initialize_module(self):
        """Build ``module_``, filling in the sizes learned from the data.

        A module class that takes ``head`` gets ``head="cosine"`` when the
        criterion (name, class or instance) has a true ``cosine_logits``.
        With the sigmoid or focal form of
        :class:`~ltlearn.deep.losses.ClassBalancedLoss`, the bias of a built
        module's linear ``classifier`` starts at ``-log(n_classes - 1)`` (each
        sigmoid at the prior ``1 / n_classes``, as in the paper's code).

        Returns
        -------
        self : LongTailClassifier
            The classifier with ``module_`` set.
        """
        kwargs = self.get_params_for("module")
        module = self.module
        if not isinstance(module, nn.Module):
            inferred = {
                "n_features": self._n_features(),
                "n_classes": self._n_classes(),
            }
            shape = getattr(self, "input_shape_", ())
            if len(shape) > 1:
                # grey images get their channel axis; other samples are
                # passed as they are
                inferred["input_shape"] = (1, *shape) if len(shape) == 2 else shape
            _, factory, criterion_kwargs = self._criterion_factory()
            if getattr(factory, "cosine_logits", False):
                inferred["head"] = "cosine"
            for name, value in inferred.items():
                if name not in kwargs and value is not None and _accepts(module, name):
                    kwargs[name] = value
            if (
                isinstance(module, type)
                and issubclass(module, _ImageBackbone)
                and kwargs.get("input_shape") is shape
            ):
                # ltlearn's networks read (channels, height, width); a custom
                # module taking input_shape reads the layout its author chose.
                _check_image_layout(shape)
        self.module_ = self.initialized_instance(module, kwargs)
        if not isinstance(module, nn.Module):
            _in_float32(self.module_)
            head = getattr(self.module_, "classifier", None)
            _start_at_prior(head, factory, criterion_kwargs, self._n_classes())
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """Build ``optimizer_`` from ``optimizer`` and ``optimizer__*``.

        As skorch's, except that :class:`torch.optim.Adam` and
        :class:`torch.optim.AdamW` (the default) use torch's fused
        implementation (``fused=True``) when the parameters allow it and
        neither ``optimizer__fused`` nor ``optimizer__foreach`` is given:
        the same update, each parameter's in one fused kernel rather than a
        sequence of tensor operations, measured 10-30% faster per step than
        torch's default implementation for the MLPs of
        :mod:`ltlearn.deep.modules` on the CPU, and as fast for ResNet-32.
        SGD keeps torch's default, which was as fast or faster. A torch
        without a fused kernel for the parameters' device falls back to its
        default too.

        Parameters
        ----------
        triggered_directly : None
            Deprecated in skorch; passed on.

        Returns
        -------
        self : LongTailClassifier
            The classifier with ``optimizer_`` set.
        """
        kwargs = self.get_params_for("optimizer")
        if (
            self.optimizer in (torch.optim.Adam, torch.optim.AdamW)
            and "fused" not in kwargs
            and "foreach" not in kwargs
        ):
            args, kwargs = self.get_params_for_optimizer(
                "optimizer", self.get_all_learnable_params()
            )
            groups = [dict(group) for group in args[0]]
            if all(
                param.is_floating_point() and param.device.type in ("cpu", "cuda")
                for group in groups
                for param in group["params"]
            ):
                try:
                    self.optimizer_ = self.optimizer(groups, fused=True, **kwargs)
                    return self
                except (RuntimeError, ValueError):
                    # Options fused does not take (differentiable=True, say):
                    # torch's default implementation.
                    pass
        return super().initialize_optimizer(triggered_directly)

    def initialize_criterion(self):
        """Build ``criterion_`` from ``criterion`` and the class counts.

        Returns
        -------
        self : LongTailClassifier
            The classifier with ``criterion_`` set.
        """
        criterion, factory, kwargs = self._criterion_factory()
        # The criterion gets its own copy of each array parameter (a
        # ``criterion__weight`` tensor): torch's losses keep a tensor as
        # given, and DeferredReweighting writes the weights in place.
        kwargs = {name: _copied_array(value) for name, value in kwargs.items()}
        if isinstance(factory, nn.Module):
            self.criterion_ = self.initialized_instance(factory, kwargs)
            self._follow_class_counts()
        else:
            if "class_counts" not in kwargs and _accepts(factory, "class_counts"):
                name = (
                    repr(criterion) if isinstance(criterion, str) else factory.__name__
                )
                kwargs["class_counts"] = self._class_counts_for_loss(name)
            self.criterion_ = _in_float32(factory(**kwargs))
        self._warn_scaled_linear_logits()
        return self

    def _warn_scaled_linear_logits(self):
        """Warn when a cosine-margin loss scales the logits of a linear head.

        LDAM and KPS multiply cosines (in ``[-1, 1]``) by ``s``; a module
        without a :class:`~ltlearn.deep.modules.NormedLinear` gives them
        unbounded logits, which ``s`` blows up and next to which the margins
        mean nothing.
        """
        criterion = getattr(self, "criterion_", None)
        module = getattr(self, "module_", None)
        if not getattr(criterion, "cosine_logits", False) or module is None:
            return
        if (
            not isinstance(self.module, nn.Module)
            and _accepts(self.module, "head")
            and "head" not in self.get_params_for("module")
        ):
            # The next fit builds it with head="cosine" (module_ is the last
            # fit's when set_params changes only the criterion).
            return
        scale = float(getattr(criterion, "logit_scale", 1.0))
        if scale == 1.0 or any(isinstance(m, NormedLinear) for m in module.modules()):
            return
        warnings.warn(
            f"{type(_uncompiled(criterion)).__name__} expects cosine logits (a "
            f"NormedLinear last layer) and multiplies them by s={scale:g}; "
            f"{type(_uncompiled(module)).__name__} has no NormedLinear, so its "
            "unbounded logits are scaled up and the margins mean little. Give a "
            "module class that takes head (those of ltlearn.deep.modules), a "
            "NormedLinear last layer, or criterion__s=1.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )

    def _follow_class_counts(self):
        """Give ``class_counts_`` to a criterion that follows them.

        Returns whether the criterion took them (it has ``set_class_counts``
        and ``criterion__class_counts`` is not given).
        """
        set_class_counts = getattr(self.criterion_, "set_class_counts", None)
        if set_class_counts is None or "class_counts" in self._criterion_factory()[2]:
            return False
        if getattr(self, "class_counts_", None) is not None:
            name = type(_uncompiled(self.criterion_)).__name__
            set_class_counts(self._class_counts_for_loss(name))
        return True

    def _seeded_split(self, split):
        """``split``, seeded from ``random_state`` if it is an unseeded shuffle.

        skorch's ``ValidSplit`` with a float ``cv`` shuffles with its own
        ``random_state``, numpy's global generator when it is ``None``. Within
        a seeded fit, a copy draws from the seed that ``random_state`` gives a
        first fit instead: with an int, each ``partial_fit`` validates on the
        rows of the first.
        """
        cv = getattr(split, "cv", None)
        if (
            self.random_state is None
            or not isinstance(split, ValidSplit)
            or split.random_state is not None
            or not isinstance(cv, Real)
            or float(cv).is_integer()
        ):
            return split
        split = copy.copy(split)
        first = vars(_SEEDED_HERE).get("seeds", {}).get(id(self))
        split.random_state = (
            torch.initial_seed() % _MAX_SEED if first is None else first
        )
        return split

    def get_split_datasets(self, X, y=None, **fit_params):
        """Split off skorch's validation part; count the classes of the rest.

        The class counts of the training part replace those of the whole
        data in ``class_counts_`` (added to the earlier counts in a later
        ``partial_fit``), and the loss follows them, before any training
        step.

        Parameters
        ----------
        X : array-like or torch.utils.data.Dataset
            The input data.
        y : array-like, default=None
            The integer targets.
        **fit_params : dict
            Passed to ``train_split``.

        Returns
        -------
        dataset_train : torch.utils.data.Dataset
            The training part.
        dataset_valid : torch.utils.data.Dataset or None
            The validation part.
        """
        split = self.train_split
        self.train_split = self._seeded_split(split)
        try:
            # Refused before training starts: see _unfitted_on_error.
            _refuse_a_class_of_one(split, y, self.classes_)
            dataset_train, dataset_valid = super().get_split_datasets(
                X, y, **fit_params
            )
            if dataset_valid is not None and dataset_valid is _predefined(split):
                dataset_valid = self._encoded_valid(dataset_valid)
            labelled = _labels_and_weights(dataset_train)
            n_classes = self._n_classes()
            counted = labelled is not None and n_classes is not None
            if counted:
                labels, weights = labelled
                labels = labels.cpu().numpy()
                if dataset_valid is not None:
                    _refuse_a_class_left_out(
                        y, labels, self.classes_, getattr(self, "_counts_before_", 0)
                    )
        except Exception:
            self._split_refused = True
            raise
        finally:
            self.train_split = split
        for dataset in (dataset_train, dataset_valid):
            if dataset is not None:
                # Its targets are label codes: predict gives codes on it.
                dataset._ltlearn_codes = True
        if counted:
            counts = _count_classes(labels, weights, n_classes)
            self.class_counts_ = getattr(self, "_counts_before_", 0) + counts
        # The loss follows the counts: in place when it can, else rebuilt.
        if not self._follow_class_counts():
            _, factory, kwargs = self._criterion_factory()
            if "class_counts" not in kwargs and _accepts(factory, "class_counts"):
                self.initialize_criterion()
                criterion = to_device(self.criterion_, self.device)
                self.criterion_ = self.torch_compile(criterion, name="criterion")
        return dataset_train, dataset_valid

    def _train(self, X, y, sample_weight, fit_params):
        """Run the callbacks and the epochs; an interrupt propagates.

        skorch's ``partial_fit`` swallows ``KeyboardInterrupt`` and returns a
        half-trained network as if the fit had finished. Here an interrupt
        (SIGINT, Ctrl-C) propagates and ``on_train_end`` is not called (the
        caller marks the classifier not fitted, see
        :meth:`_unfitted_on_error`); as after an error, a classifier
        retraining is undone: the layers it froze are trainable again and
        LWS's scales are dropped. A ``KeyboardInterrupt``
        raised without a SIGINT is a callback stopping the training, as
        skorch's ``EarlyStopping`` does: the fit ends there, as in skorch.
        """
        _refuse_validation_monitors(self)
        self._match_output_callbacks()
        self._resume_lr_schedules()
        if sample_weight is not None:
            X = {"X": X, "sample_weight": sample_weight}
        self.notify("on_train_begin", X=X, y=y)
        try:
            with record_interrupts() as signals:
                try:
                    self.fit_loop(X, y, **fit_params)
                except KeyboardInterrupt:
                    if signals:
                        raise
            self._check_finite_weights()
        except BaseException:
            # No on_train_end: the classifier retraining, which froze and
            # scaled the module (an instance outlives the fit), is undone here.
            for _, callback in self.callbacks_:
                if isinstance(callback, ClassifierRetraining):
                    callback._end_stopped_fit()
            raise
        self.notify("on_train_end", X=X, y=y)
        # Leave the fitted network in evaluation mode, where every prediction
        # puts it, so that predicting does not change the fitted estimator
        # (its pickle, joblib.hash) and a fit's last batch is not its state.
        for part in (self.module_, self.criterion_):
            if isinstance(part, nn.Module):
                part.train(False)
        return self

    def _resume_lr_schedules(self):
        """Give the optimiser's groups the lr that resumed lr schedules start from.

        skorch's ``LRScheduler`` builds its scheduler at each fit with
        ``last_epoch`` the epochs of ``history``, and torch's schedulers then
        read each group's ``initial_lr``, which a scheduler built at epoch 0
        sets: an optimiser rebuilt since (``set_params`` of ``optimizer``,
        ``optimizer__param_groups``, ``criterion__*`` or ``module__*``) had
        none, and ``partial_fit`` or a warm start failed with torch's
        ``KeyError``. Its groups start from their own lr, as at epoch 0: a
        schedule computed from the epoch (``LambdaLR``, skorch's
        ``WarmRestartLR``) gives the lr it gives without the rebuild, while
        one that steps the current lr (``StepLR``, ``MultiStepLR``,
        ``ExponentialLR``, ``CosineAnnealingLR``) goes on from the new
        optimiser's lr, without the decay of the epochs before.
        (``OneCycleLR`` also reads keys of its own, which it writes at epoch
        0 only.)
        """
        if len(self.history) and any(
            isinstance(callback, LRScheduler) for _, callback in self.callbacks_
        ):
            for group in self.optimizer_.param_groups:
                group.setdefault("initial_lr", group["lr"])

    @contextmanager
    def _unfitted_on_error(self, kept=None):
        """Mark the classifier not fitted when the block fails or is interrupted.

        As :func:`~ltlearn.utils._fitted.unfitted_on_error` does for the other
        estimators, in skorch's terms: ``initialized_`` is false, so that
        ``check_is_fitted`` fails and the next ``fit`` or ``partial_fit``
        starts afresh; ``history_`` keeps the epochs that ran. A fitted
        classifier whose validation split refuses the data, before any
        training step (``partial_fit``, a warm start), stays fitted instead,
        with the attributes in ``kept`` (those before the call) put back.
        """
        vars(self).pop("_split_refused", None)
        try:
            yield
        except BaseException:  # an interrupt too
            if not vars(self).pop("_split_refused", False) or kept is None:
                self.initialized_ = False
                raise
            for name in _COUNT_ATTRIBUTES:
                vars(self).pop(name, None)
            vars(self).update(kept)
            raise

    @contextmanager
    def _training_block(self, resume, kept):
        """The block in which ``fit`` and ``partial_fit`` build or resume, and train.

        Seeded from ``random_state``: a network resumed (a warm start, a
        ``partial_fit`` after the first) draws on from the epochs trained. A
        failure leaves the classifier as :meth:`_unfitted_on_error` says,
        with ``kept`` the counts to put back.
        """
        offset = len(self.history) if resume else 0
        with self._unfitted_on_error(kept), self._torch_rng(offset):
            yield

    def _build_or_resume(self, resume):
        """Initialise the network, or warn of a renamed loss of one resumed."""
        if resume:
            self._warn_renamed_loss()
        else:
            self._initialize()

    def _kept_counts(self):
        """The attributes of :data:`_COUNT_ATTRIBUTES` set, to put back."""
        return {
            name: vars(self)[name] for name in _COUNT_ATTRIBUTES if name in vars(self)
        }

    def set_params(self, **params):
        """Set the parameters of this classifier.

        As skorch's: ``criterion`` and ``criterion__*`` on an initialised
        classifier rebuild ``criterion_`` and ``optimizer_`` (a loss or
        network instance is taken before initialisation too, where skorch's
        refuses it, so that ``GridSearchCV`` searches over instances), and
        ``optimizer__*`` and ``lr`` change the running optimiser. Unlike
        skorch's, ``optimizer__*`` is also kept for the next fit (and
        ``get_params`` and ``clone``), and ``optimizer`` and
        ``optimizer__param_groups`` on an initialised classifier rebuild
        ``optimizer_`` (skorch's refuses the first, as
        ``iterator_train__*``, ``iterator_valid__*`` and ``dataset__*``, which
        take effect at the next fit), so that the parameters of
        :func:`~ltlearn.deep.schedules.training_schedule` can be set on a
        fitted classifier. ``sampler``, ``sampler__*``, ``augment`` and
        ``augment__*`` take effect at the next fit. A network rebuilt here
        (``module``, ``module__*`` or ``compile`` on an initialised
        classifier, as in skorch) draws its weights as :meth:`initialize`
        does: from ``random_state`` if set. ``callbacks__<name>__*`` on an
        initialised classifier initialises the callbacks named anew, as
        skorch's; the others given as instances in ``callbacks`` keep their
        state (skorch's starts them all anew; the default callbacks and
        those given as classes are still built anew).

        Parameters
        ----------
        **params : dict
            Parameter names mapped to their new values.

        Returns
        -------
        self : LongTailClassifier
            This classifier.
        """
        own = [
            key
            for key in params
            if key.split("__", 1)[0] in ("sampler", "augment", "loss")
        ]
        for key in own:
            setattr(self, key, params.pop(key))
        if not self.initialized_ and "callbacks" in params:
            # skorch rebuilds the callbacks set before here, to route
            # ``callbacks__*``, and so raises after an invalid value; as a
            # parameter given to __init__, that is refused at fit
            # (scikit-learn's set_params takes any).
            callbacks = params.pop("callbacks")
            own.append("callbacks")
            try:
                super().set_params(callbacks=callbacks)
            except (TypeError, ValueError, AttributeError):
                vars(self)["callbacks"] = callbacks
                vars(self).pop("callbacks_", None)
        if not self.initialized_:
            # skorch refuses a torch module instance as the value of
            # ``module`` or ``criterion`` before initialisation (it takes
            # them for components set outside ``initialize``); the
            # constructor, and hence clone, take them.
            for key in ("module", "criterion"):
                if isinstance(params.get(key), nn.Module):
                    vars(self)[key] = params.pop(key)
                    own.append(key)
        if self.initialized_ and any(key.startswith("loss") for key in own):
            # TODO(0.3): remove with ``loss``; rebuild as for ``criterion``.
            self._warn_renamed_loss()
            params.setdefault("criterion", self.criterion)
        # skorch's set_params writes optimizer__param_groups into each group
        # of the running optimiser, as an option, which leaves its groups as
        # they were: the optimiser is rebuilt with them, as for ``optimizer``.
        new_optimizer = ("optimizer", "optimizer__param_groups")
        rebuild = self.initialized_ and any(key in params for key in new_optimizer)
        if self.initialized_:
            # skorch's set_params finds no part to rebuild for these once
            # initialised, and raises; they are read at initialisation.
            later = [
                key
                for key in params
                if key in new_optimizer
                or key.split("__", 1)[0]
                in ("iterator_train", "iterator_valid", "dataset")
            ]
            for key in later:
                setattr(self, key, params.pop(key))
            own += later
            # skorch sets optimizer__* on the running optimiser only; a new
            # fit (and clone) would lose them.
            for key, value in params.items():
                if key.startswith("optimizer__") and not key.startswith(
                    "optimizer__param_groups__"
                ):
                    vars(self)[key] = value
        if "random_state" in params:  # it seeds the parts rebuilt below
            self.random_state = params.pop("random_state")
            own.append("random_state")
        # skorch rebuilds the parts of an initialised classifier whose
        # parameters change (the network for ``compile`` too): the network
        # draws its weights as in initialize.
        rebuilt = self.initialized_ and any(
            key.split("__", 1)[0] in ("module", "criterion", "compile")
            for key in params
        )
        if params or not own:
            # the callbacks set or set anew: callbacks__<name>(__<param>)
            named = {
                key.split("__")[1] for key in params if key.startswith("callbacks__")
            }
            states = self._callback_states(named)
            try:
                with self._torch_rng() if rebuilt else nullcontext():
                    try:
                        super().set_params(**params)
                    except ValueError as exc:
                        self._check_callback_names(params, exc)
                        raise
            finally:  # skorch initialised them all before failing too
                self._restore_callback_states(states)
            self._initialize_named_callbacks(named)
        if rebuild:
            self.initialize_optimizer()
        return self

    def _callback_states(self, named):
        """The state of the callbacks not ``named`` by ``set_params``' parameters.

        skorch's ``set_params`` initialises every callback anew for a
        ``callbacks__*`` parameter of one of them; on an initialised
        classifier, that dropped what the others had learned of the fits so
        far (the loss's weights that ``DeferredReweighting`` restores at a
        warm-started refit). Returns the callbacks not ``named`` with a copy
        of their attributes, empty when no callback is initialised anew.
        """
        if not (named and self.initialized_):
            return []
        states = []
        for name, callback in getattr(self, "callbacks_", []):
            if name in named:
                continue
            try:
                states.append((name, callback, dict(vars(callback))))
            except TypeError:  # no instance attributes
                pass
        return states

    def _restore_callback_states(self, states):
        """Give back their state to the callbacks of :meth:`_callback_states`."""
        callbacks = dict(getattr(self, "callbacks_", []))
        for name, callback, state in states:
            if callbacks.get(name) is callback:
                vars(callback).clear()
                vars(callback).update(state)

    def _initialize_named_callbacks(self, named):
        """Initialise the callbacks ``named`` by ``set_params``, with their new values.

        skorch's ``set_params`` initialises the callbacks before it sets
        their parameters: on an initialised classifier, what a callback
        derives from them at initialisation (``LRScheduler``'s policy,
        ``PrintLog``'s ``keys_ignored``) stayed that of the old values for
        ``partial_fit`` and a ``warm_start`` fit, a callback set by
        ``callbacks__<name>`` (an instance or a class) was not initialised,
        and one turned off with ``None`` failed at training.
        """
        if not (named and self.initialized_):
            return
        callbacks = []
        for name, callback in getattr(self, "callbacks_", []):
            if name in named:
                if callback is None:  # turned off, as initialize leaves it out
                    continue
                if isinstance(callback, type):  # built, as initialize does
                    callback = callback(**self.get_params_for(f"callbacks__{name}"))
                callback.initialize()
            callbacks.append((name, callback))
        self.callbacks_ = callbacks

    def _check_callback_names(self, params, error):
        """Explain ``error`` by a ``callbacks__<name>`` of no callback.

        skorch's ``set_params`` splits such a key in two and fails with "not
        enough values to unpack"; skorch's ``valid_acc`` is ``valid_bacc``
        here, so ``callbacks__valid_acc=None`` met it. The callbacks are
        built as skorch's ``set_params`` built them, after the other
        parameters (``train_split`` decides the default ones).
        """
        keys = [
            key
            for key in params
            if key.startswith("callbacks__")
            and "__" not in key.removeprefix("callbacks__")
        ]
        if not keys:
            return
        names = []
        if not (isinstance(self.callbacks, str) and self.callbacks == "disable"):
            self.initialize_callbacks()
            names = [name for name, _ in self.callbacks_]
        for key in keys:
            if key.removeprefix("callbacks__") not in names:
                raise ValueError(
                    f"{key!r} names no callback of this {type(self).__name__}; "
                    f"its callbacks are {names}."
                ) from error

    def load_params(
        self,
        f_params=None,
        f_optimizer=None,
        f_criterion=None,
        f_history=None,
        checkpoint=None,
        use_safetensors=False,
        **kwargs,
    ):
        """Load the module, optimiser, criterion and history, as skorch's.

        A criterion state with class weights that the criterion built anew
        has as ``None`` (those that
        :class:`~ltlearn.deep.callbacks.DeferredReweighting` writes into
        ``torch.nn.CrossEntropyLoss``) is loaded, where skorch's refuses it,
        so that a skorch ``Checkpoint`` taken after the switch is resumed
        with ``LoadInitState``; a state saved before the switch, without
        them, sets them back to ``None`` (``Checkpoint(load_best=True)`` of
        an earlier epoch), unless they were given (``criterion__weight``);
        ``device="auto"`` stays ``"auto"``. The module and the criterion
        load a state saved with another ``compile``, whose entries torch
        names with (``compile=True``) or without the prefix ``_orig_mod.``.

        Parameters
        ----------
        f_params, f_optimizer, f_criterion, f_history : file-like or str, \
                default=None
            The files to load; ``None`` loads nothing of that part.
        checkpoint : skorch.callbacks.Checkpoint, default=None
            A checkpoint to load from (the ``f_*`` given take precedence).
        use_safetensors : bool, default=False
            Read the files with ``safetensors``.
        **kwargs : dict
            Files of other modules (``f_<name>``), as in skorch.
        """
        if checkpoint is not None and not self.initialized_:
            self.initialize()
        device = vars(self).get("device")
        criterion = getattr(self, "criterion_", None)
        handles = [
            part.register_load_state_dict_pre_hook(_load_across_compile)
            for part in (getattr(self, "module_", None), criterion)
            if isinstance(part, nn.Module)
        ]
        if isinstance(criterion, nn.Module):
            # On the loss itself, which compile=True wraps with its buffers.
            hook = partial(_load_unset_buffers, given=self._criterion_and_params()[1])
            handles.append(
                _uncompiled(criterion).register_load_state_dict_pre_hook(hook)
            )
        try:
            super().load_params(
                f_params=f_params,
                f_optimizer=f_optimizer,
                f_criterion=f_criterion,
                f_history=f_history,
                checkpoint=checkpoint,
                use_safetensors=use_safetensors,
                **kwargs,
            )
        finally:
            for handle in handles:
                handle.remove()
            # skorch writes the device it maps the tensors to.
            if isinstance(device, str) and device == "auto":
                vars(self)["device"] = "auto"

    def check_is_fitted(self, attributes=None, *args, **kwargs):
        """Raise unless the network is built and its last fit finished.

        Parameters
        ----------
        attributes : list of str, default=None
            The attributes a fitted classifier has; ``module_`` by default.
        *args, **kwargs
            Passed to :func:`sklearn.utils.validation.check_is_fitted`.

        Raises
        ------
        skorch.exceptions.NotInitializedError
            When the network is not built, or its last fit failed or was
            interrupted.
        """
        super().check_is_fitted(attributes, *args, **kwargs)
        if not self.initialized_:
            raise NotInitializedError(
                f"This {type(self).__name__} instance is not fitted: its last "
                "fit failed or was interrupted. Call 'fit' again."
            )

    def __sklearn_is_fitted__(self):
        # scikit-learn's check_is_fitted asks this method, so that it follows
        # check_is_fitted above. skorch has it from 1.3.1 on only (1.2 has
        # none, and then the attributes skorch sets when it is built count as
        # fitted; 1.3.0's returns None, which reads as not fitted).
        try:
            self.check_is_fitted()
        except NotInitializedError:
            return False
        return True

    def _check_sample_weight(self, sample_weight, y):
        """Per-row weights, checked as ltlearn's estimators check them, in float32."""
        sample_weight = check_sample_weight(sample_weight, len(y))
        largest = float(sample_weight.max())
        if largest > float(np.finfo(np.float32).max):
            raise ValueError(
                f"sample_weight holds {largest!r}, too large for float32, the "
                "precision the network trains in."
            )
        sample_weight = sample_weight.astype(np.float32)
        if not sample_weight.any():
            raise ValueError(
                "sample_weight rounds to zero in float32, the precision the "
                f"network trains in (the largest weight is {largest!r})."
            )
        return sample_weight

    @_fit_docstring
    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Initialise the network and train it on ``(X, y)``.

        With ``warm_start=True`` a fitted network is trained further, on
        data of the same input shape and the same classes, and the
        schedules of :mod:`ltlearn.deep.callbacks` start again, counting the
        epochs of this fit. An error or a ``KeyboardInterrupt`` stops the
        fit and propagates; the classifier is then not fitted (``history_``
        keeps the epochs that ran). A warm start refuses invalid input before
        it trains, and then keeps its fitted network, as :meth:`partial_fit`;
        as there, its draws (the batches, the augmentation) go on from the
        epochs trained, seeded by ``random_state`` and their number, and do
        not repeat those of the warm fit before.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...) \
                or torch.utils.data.Dataset
            The training input; image-shaped arrays are accepted. A map-style
            torch ``Dataset`` of ``(x, y)`` items (``x`` a tensor or an
            array, ``y`` a label of any type) is read once for its labels,
            which are label-encoded as ``y`` is; the items must all have
            inputs of the same shape. An in-memory one (``TensorDataset``,
            a ``Subset`` of one) trains exactly as its arrays would; another
            is batched by a ``torch.utils.data.DataLoader``
            (``iterator_train__num_workers`` and the like apply). A skorch
            ``SliceDataset`` of inputs, with its labels in ``y``, is read as
            such a Dataset (scikit-learn's cross-validation slices it).
        y : array-like of shape (n_samples,), default=None
            The labels, of any type; None when ``X`` is a Dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row, on its loss: the loss of a
            batch is the weighted mean of its per-row losses (weights times
            the loss's class weights, as in torch), that is the loss of its
            rows repeated as many times as their integer weights, so that
            in expectation over the batches integer weights train as
            repeated rows, with the default ``sampler="instance"``. The
            other samplers draw the classes and the rows by their numbers
            of rows, not their weights, which then weigh the rows drawn: a
            class of heavier rows takes more of the loss than of the draws
            (``"class_balanced"``, with a class of 20 rows of weight 5
            beside 100 rows of weight 1, gives it 83% of the loss, against
            50% for the repeated rows). ``class_counts_`` then holds the
            total weight of each class, which count-based losses use.
            Needs a loss with a ``reduction`` attribute (every loss of
            :mod:`ltlearn.deep.losses` and of ``torch.nn``).
        {fit_params}

        {fit_returns}
        """
        warm = bool(self.warm_start) and self.initialized_
        # A warm start refuses invalid input before it trains, and keeps the
        # fitted network, as partial_fit does.
        with nullcontext() if warm else self._unfitted_on_error():
            self._check_params()
            if warm:  # its callbacks are those that train
                _refuse_validation_monitors(self)
            fitted = warm and hasattr(self, "label_encoder_")
            kept = self._kept_counts() if fitted else None
            X, y, sample_weight = self._check_X_y(
                X, y, reset=not fitted, sample_weight=sample_weight, warm=fitted
            )
        self._incremental_ = False
        # A warm start draws on from the epochs trained, as partial_fit does.
        with self._training_block(warm, kept):
            self._build_or_resume(warm)
            self.schedule_start_ = len(self.history)
            return self._train(X, y, sample_weight, fit_params)

    @_fit_docstring
    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Train for ``max_epochs`` more epochs without re-initialising.

        The first call initialises the network, with the labels of
        ``classes`` if given (``y`` may then lack some of them: until a class
        has samples, count-based losses count it as one); a network
        initialised already (``initialize()`` then ``load_params``) is
        trained further, as in skorch. ``class_counts_``
        adds up the counts of every call and the loss follows them. The
        schedules of :mod:`ltlearn.deep.callbacks` go on counting epochs
        from the last ``fit`` (or the first ``partial_fit``), so that each
        acts once, at its epoch. An error or a ``KeyboardInterrupt`` in the
        training stops it and propagates; the classifier is then not fitted
        (its network half-trained). Invalid input is refused before, and
        leaves it as it was, as scikit-learn's ``partial_fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...) \
                or torch.utils.data.Dataset
            The training input, or a Dataset of ``(x, y)`` items as in
            :meth:`fit`.
        y : array-like of shape (n_samples,), default=None
            The labels; None when ``X`` is a Dataset.
        classes : array-like of shape (n_classes,), default=None
            All the labels, for the first call (a list, a tuple or an array;
            a set, which has no order, is refused as in scikit-learn); a later
            call may repeat them, but not change them.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row, as in :meth:`fit`.
        {fit_params}

        {fit_returns}
        """
        self._check_params()
        # As skorch's: an initialised network (``initialize()`` then
        # ``load_params``, say) is trained further, not rebuilt; the labels
        # are learned at its first partial_fit.
        initialized = self.initialized_
        if initialized:  # refused before the counts change
            _refuse_validation_monitors(self)
        first = not (initialized and hasattr(self, "label_encoder_"))
        kept = None if first else self._kept_counts()
        if classes is not None:
            check_classes(classes)
        if not first and classes is not None:
            # As scikit-learn's partial_fit: later classes must be the same.
            if not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={np.asarray(classes).tolist()!r} is not the same as "
                    f"on the first call to partial_fit, {self.classes_.tolist()!r}."
                )
        X, y, sample_weight = self._check_X_y(
            X,
            y,
            reset=first,
            classes=classes if first else None,
            sample_weight=sample_weight,
        )
        self._incremental_ = True
        with self._training_block(initialized, kept):
            self._build_or_resume(initialized)
            if first:
                self.schedule_start_ = 0
            return self._train(X, y, sample_weight, fit_params)

    @_X_or_dataset_docstring
    def predict_proba(self, X):
        """Probability of each class.

        Of a module that returns a tuple, from its first output, as skorch's
        ``predict_proba``.

        {X_predict}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns ordered as ``classes_``.
        """
        if not _is_checked(X):  # skorch's internal scoring passes its datasets
            check_is_fitted(self)
            X = self._check_X(X, reset=False)
        nonlinearity = self.predict_nonlinearity
        auto = isinstance(nonlinearity, str) and nonlinearity == "auto"
        if auto and not isinstance(_uncompiled(self.criterion_), nn.NLLLoss):
            # "auto": a softmax of the logits times the loss's logit scale.
            scale = float(getattr(self.criterion_, "logit_scale", 1.0))

            def probabilities(out):
                return _softmax(out, scale)

        else:
            # torch's NLLLoss: skorch's convention, the module gives the
            # probabilities (get_loss takes their log), which "auto" keeps.
            # As skorch's predict_proba ("auto" and None: the identity), the
            # probabilities in float32 at least.
            def probabilities(out):
                if callable(nonlinearity):
                    out = nonlinearity(out)
                return _at_least_float32(out)

        proba = _stack_batches(
            (
                to_numpy(probabilities(_first_output(out)))
                for out in self.forward_iter(X, training=False)
            ),
            len(X),
        )
        self._check_n_outputs(proba)
        return proba

    def _check_n_outputs(self, proba):
        """Refuse a module without one output per class of ``classes_``."""
        n_classes = len(self.classes_)
        if proba.ndim != 2 or proba.shape[1] != n_classes:
            raise ValueError(
                _n_outputs_message(proba.shape[1:], type(self).__name__, n_classes)
            )

    @_X_or_dataset_docstring
    def transform(self, X):
        """Penultimate-layer features of the network.

        The output of the module's ``features`` method (the layer before
        ``classifier`` for the modules of :mod:`ltlearn.deep.modules`),
        computed in evaluation mode, in batches of ``batch_size`` on the
        network's device, so that the network can feed another step of a
        pipeline, such as a post-hoc or classical classifier.

        {X_predict}

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            The features, float32.
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        features = self._features_method()
        self.module_.train(False)
        batches = (
            features(to_tensor(unpack_data(batch)[0], device=self.device))
            .cpu()
            .float()
            .numpy()
            for batch in self.get_iterator(self.get_dataset(X), training=False)
        )
        with torch.no_grad():
            # each batch written into the output as it comes, as in predict_proba
            return _stack_batches(batches, len(X))

    def _features_method(self):
        features = getattr(self.module_, "features", None)
        if not callable(features):
            raise AttributeError(
                f"{type(self).__name__}.transform needs a module with a "
                f"features(x) method returning the penultimate layer; "
                f"{type(_uncompiled(self.module_)).__name__} has none."
            )
        return features

    def get_feature_names_out(self, input_features=None):
        """Names of the features that :meth:`transform` returns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored, except that it must match ``feature_names_in_`` when
            that is set, and have ``n_features_in_`` names otherwise.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"longtailclassifier0"``, ``"longtailclassifier1"``, ...
        """
        check_is_fitted(self)
        names_in = getattr(self, "feature_names_in_", None)
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            if names_in is not None and not np.array_equal(input_features, names_in):
                raise ValueError("input_features is not equal to feature_names_in_")
            if len(input_features) != self.n_features_in_:  # as scikit-learn's
                raise ValueError(
                    "input_features should have length equal to number of "
                    f"features ({self.n_features_in_}), got {len(input_features)}"
                )
        features = self._features_method()
        self.module_.train(False)
        with torch.no_grad():
            sample = torch.zeros(
                (1, *self.input_shape_), device=self.device, dtype=torch.float32
            )
            n_features_out = features(sample).shape[1]
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(n_features_out)], dtype=object)

    @_X_or_dataset_docstring
    def predict(self, X):
        """Predict the class of each sample.

        {X_predict}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The most probable labels, from ``classes_``; on the training and
            validation datasets of a fit, which skorch's ``EpochScoring``
            callbacks score and whose targets are the label-encoded ones,
            their codes.
        """
        indices = self.predict_proba(X).argmax(axis=1)
        if getattr(X, "_ltlearn_codes", False):
            # skorch's EpochScoring compares them with its dataset's targets.
            return indices
        return self.classes_[indices]

    @property
    def classes_(self):
        encoder = getattr(self, "label_encoder_", None)
        if encoder is not None:
            return encoder.classes_
        if self.classes is not None and len(self.classes):
            return np.asarray(self.classes)
        raise AttributeError(
            f"{type(self).__name__} has no attribute 'classes_' before fit: "
            "fit it, or give classes=... (all the labels) to a classifier "
            "built with initialize(), as to load saved parameters into it."
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # images of shape (n_samples, height, width) train as documented
        tags.input_tags.three_d_array = True
        # transform gives float32 features, whatever the dtype of X.
        tags.transformer_tags = TransformerTags(preserves_dtype=["float32"])
        return tags
