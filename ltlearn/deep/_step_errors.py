"""The errors of a training step of LongTailClassifier that name their fix.

torch's own messages on a module of another dtype, float indices, a binary
loss, a module of fewer outputs than classes, a batch of one sample under
BatchNorm, a loss of one value per sample or a diverged fit name neither the
cause nor the fix;
these turn them into errors that do. A loss of logits given a softmax's
probabilities trains without an error: a warning says so.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings
from contextlib import contextmanager

import torch
from skorch.dataset import get_len
from torch import nn

from ltlearn.deep._loss_base import _LongTailLoss, _uncompiled
from ltlearn.utils._warnings import external_stacklevel


def _batch_len(batch):
    """Rows of a batch, as skorch's ``get_len`` of its input counts them."""
    if isinstance(batch, (tuple, list)):
        target = batch[1] if len(batch) > 1 else None
        # A tensor of targets gives the count at once; skorch's get_len
        # inspects the input, about 1% of a small network's step under cProfile.
        if torch.is_tensor(target) and target.ndim:
            return target.shape[0]
        return get_len(batch[0])
    return get_len(batch)


# torch's messages on mixed dtypes: "mat1 and mat2 must have the same dtype",
# "Input type (float) and bias type (double)", "expect parameter to have
# scalar type of Float", "prelu: Type promoting not supported".
_DTYPE_ERROR = re.compile(r"\bd?type\b", re.IGNORECASE)


def _explain_module_dtype(error, module):
    """A clear error for a module whose parameters are not float32.

    The batches are float32, the precision the network trains in; torch's
    message ("mat1 and mat2 must have the same dtype") names neither the
    module's dtype nor the fix. A module that casts its input works as is.
    Only torch's errors about types are explained ("same dtype", "bias type",
    "scalar type", "Type promoting"): any other error of the module (a shape
    that does not match, say) passes unchanged, as do the subclasses of
    RuntimeError (torch's out-of-memory error).
    """
    if type(error) is not RuntimeError or not _DTYPE_ERROR.search(str(error)):
        return error
    dtypes = {
        str(param.dtype).removeprefix("torch.")
        for param in module.parameters()
        if param.is_floating_point() and param.dtype != torch.float32
    }
    if not dtypes:
        return error
    return TypeError(
        f"The module has {', '.join(sorted(dtypes))} parameters and receives "
        "float32 batches, the precision LongTailClassifier trains in: convert "
        "it with module.float() (a module instance is used as is), or cast the "
        f"input in its forward. (torch: {error})"
    )


# torch's messages on float indices: nn.Embedding and nn.EmbeddingBag
# ("argument #1 'indices' ... Long, Int; but got torch.FloatTensor"),
# F.one_hot ("only applicable to index tensor of type LongTensor"),
# index_select, gather and scatter ("Expected dtype int32 or int64 for index",
# "int32/int64"), take ("Expected a long tensor for index"), take_along_dim
# ("dtype of indices should be Long") and a tensor indexed by one (an
# IndexError, "tensors used as indices must be long, int, byte or bool").
_FLOAT_INDICES = re.compile(
    r"'indices'.*\bLong\b.*FloatTensor|index tensor of type Long"
    r"|Expected dtype int32.*for index|Expected a long tensor for index"
    r"|dtype of indices should be Long|tensors used as indices must be long"
)


def _explain_float_indices(error, method="forward"):
    """A clear error for a module that indexes with its float32 batches.

    The classifier reads ``X`` as float32, as it documents, so token ids
    given as integers reach an ``nn.Embedding`` as floats (skorch passes
    integer arrays as they are); torch's message names neither the cast nor
    the fix. The float tensor may be the module's own (a buffer of column
    positions, say), so the error names the input as the likely one only.
    Only torch's errors about index dtypes are explained; ``method``
    is the module's method that casts them, ``"forward"`` or, for
    ``transform``, ``"features"``.
    """
    if type(error) not in (RuntimeError, IndexError):
        return error
    if not _FLOAT_INDICES.search(str(error)):
        return error
    where = "forward" if method == "forward" else f"{method} (transform calls it)"
    return TypeError(
        "The module indexes with a float tensor: its input, say (an "
        "nn.Embedding of token ids), as LongTailClassifier gives it float32 "
        "batches, reading X as float32, integers included. Cast the indices "
        f"to long in the module's {where}, e.g. self.embedding(x.long()) "
        "(exact for ids below 2**24). "
        f"(torch: {error})"
    )


@contextmanager
def _float_indices_explained(method):
    """Turn torch's errors on float indices in the block into clear ones.

    Parameters
    ----------
    method : str
        The module's method that the block calls, named by the error.

    Yields
    ------
    None
    """
    try:
        yield
    except (RuntimeError, IndexError) as error:
        explained = _explain_float_indices(error, method)
        if explained is error:
            raise
        raise explained from error


def _explain_binary_loss(error, criterion):
    """A clear error for torch's binary cross-entropy refusing the targets.

    ``BCEWithLogitsLoss`` and ``BCELoss`` take float targets of the shape of
    the module's output; the classifier's are class indices of shape
    ``(batch,)``, for one logit per class. torch's message ("Target size
    ... must be the same as input size", "result type Float can't be cast to
    the desired output type Long") names neither. Only torch's own losses
    and error types are explained: a subclass of the loss may take class
    indices, and its errors are its own.
    """
    loss = type(_uncompiled(criterion))
    if type(error) not in (ValueError, RuntimeError) or loss not in (
        nn.BCEWithLogitsLoss,
        nn.BCELoss,
    ):
        return error
    return ValueError(
        f"{loss.__name__} takes float targets of the "
        "shape of the module's output; LongTailClassifier trains on one logit "
        "per class and the class index of each sample, as "
        "torch.nn.CrossEntropyLoss takes them. Use criterion='ce' (two classes "
        "give two logits: a softmax over them is the binary logistic model), "
        f"or a loss that takes class indices. (torch: {error})"
    )


def _explain_too_few_outputs(error, y_pred, n_classes, name):
    """A clear error for a module of fewer outputs than the classes.

    torch's cross-entropy (of ``"ce"`` and ``"focal"``) then meets a class
    index past the module's last output, and its ``IndexError`` ("Target 2
    is out of bounds.") names neither the module nor the fix; the losses of
    :mod:`ltlearn.deep.losses` name the shape themselves. A module of more
    outputs than classes trains, and is refused at predict. Only torch's
    error type is explained: a loss's own exception classes are its own.
    """
    if (
        type(error) is not IndexError
        or not torch.is_tensor(y_pred)
        or y_pred.ndim != 2
        or y_pred.shape[1] >= n_classes
    ):
        return error
    message = _n_outputs_message(y_pred.shape[1:], name, n_classes)
    return ValueError(f"{message} (torch: {error})")


def _n_outputs_message(per_sample, name, n_classes):
    """The message of a module without one output per class.

    ``per_sample`` is the shape of its output for one sample; ``name`` that
    of the classifier, of ``n_classes`` classes.
    """
    return (
        f"The module gives outputs of shape {tuple(per_sample)} per sample; "
        f"{name} has {n_classes} classes. Give a module with one output per "
        "class: replace the last layer of a module instance (a pretrained "
        "network, say), and leave module__n_classes of a module class to the "
        "data."
    )


def _explain_single_sample_batch(error, batch, batch_size, param="batch_size"):
    """A clear error for BatchNorm refusing a training batch of one sample.

    torch's message names neither the batch nor the fix; the last batch of an
    epoch has one sample whenever the draws of an epoch are one more than a
    multiple of ``batch_size``, and every batch has at ``batch_size=1``
    (``None`` when a batch sampler of the user's sizes the batches), given
    by the parameter ``param``.
    """
    if "Expected more than 1 value per channel" not in str(error):
        return error
    if _batch_len(batch) != 1:
        return error
    if batch_size == 1:
        return ValueError(
            f"{param}=1 gives training batches of a single sample, which the "
            "module's BatchNorm cannot normalise in training mode. Set "
            f"{param} to 2 or more. (torch: {error})"
        )
    return ValueError(
        "A training batch holds a single sample, which the module's "
        "BatchNorm cannot normalise in training mode: the last batch of an "
        "epoch has one sample when the samples drawn per epoch are one more "
        "than a multiple of batch_size. Pass iterator_train__drop_last=True "
        f"to drop that batch, or change batch_size. (torch: {error})"
    )


def _diverged(what, amp, criterion=None):
    """The error of a fit that diverged: ``what`` (a loss or the weights).

    With torch's ``NLLLoss`` a module giving log-probabilities (a last
    ``LogSoftmax``, PyTorch's own pairing) has a NaN loss from the first
    batch: the loss takes the log of the module's output, as skorch's.
    """
    hint = ", or amp=False" if amp else ""
    if isinstance(_uncompiled(criterion), nn.NLLLoss):
        hint += (
            ". torch.nn.NLLLoss takes the log of the module's output, which must "
            "be probabilities (skorch's convention): a module ending in "
            "LogSoftmax gives a NaN loss. End it with a softmax, or give its "
            "logits with criterion='ce'"
        )
    return ValueError(
        f"{what}: the training diverged, and the network is not fitted. Use a "
        f"smaller lr, scale the input (e.g. with StandardScaler){hint}."
    )


def _not_a_tensor(loss, criterion):
    """The error of a training loss that is not a tensor (a float, a tuple).

    Its backward pass would fail with "'float' object has no attribute
    'backward'".
    """
    return TypeError(
        f"The criterion {type(_uncompiled(criterion)).__name__} gives a training "
        f"loss of type {type(loss).__name__}; training needs a torch tensor of "
        "one value, computed from the module's output. Make it return that "
        "tensor (a Python float of it, as from .item(), has no gradient)."
    )


def _not_a_scalar(loss, criterion):
    """The error of a training loss of one value per sample, not one per batch.

    torch's backward pass would fail with "grad can be implicitly created
    only for scalar outputs".
    """
    reduction = getattr(criterion, "reduction", None)
    if reduction is None:
        setting, remedy = "", "Make it return a single value."
    else:
        setting = f" (it has reduction={reduction!r})"
        remedy = "Give it reduction='mean' or 'sum'."
    return ValueError(
        f"The criterion {type(_uncompiled(criterion)).__name__} gives a training "
        f"loss of shape {tuple(loss.shape)}{setting}; training needs one loss "
        f"per batch. {remedy}"
    )


def _warn_probabilities(y_pred, criterion, predict_nonlinearity):
    """Warn when a loss of logits is given a softmax's probabilities.

    skorch's modules end in a softmax for its default ``NLLLoss`` (its
    ``skorch.toy.MLPModule`` does); with ``"ce"`` or a loss of
    :mod:`ltlearn.deep.losses`, which take logits, such a module trains on
    its probabilities as logits and, with ``predict_nonlinearity="auto"``,
    ``predict_proba`` gives a softmax of them, flattened towards the
    uniform, without an error. Read from the output of a fit's first
    training batch: every row non-negative and summing to 1.
    """
    loss = _uncompiled(criterion)
    if (
        not isinstance(loss, (nn.CrossEntropyLoss, _LongTailLoss))
        or not torch.is_tensor(y_pred)
        or y_pred.ndim != 2
        or y_pred.shape[1] < 2
        or not y_pred.is_floating_point()
        or y_pred.is_meta  # no values to read
    ):
        return
    with torch.no_grad():
        tolerance = max(1e-4, 8 * torch.finfo(y_pred.dtype).eps)
        out = y_pred.detach().float()
        summed = (out.sum(dim=1) - 1).abs() <= tolerance
        if not bool((out >= 0).all() & summed.all()):
            return
    flattened = ""
    if isinstance(predict_nonlinearity, str) and predict_nonlinearity == "auto":
        flattened = (
            ", and predict_proba gives a softmax of them, flattened towards the uniform"
        )
    warnings.warn(
        f"The module gives probabilities (its outputs are non-negative and "
        f"each row sums to 1, as a softmax's), and the criterion "
        f"{type(loss).__name__} takes logits: the network trains on those "
        f"probabilities as logits{flattened}. End the module without its "
        "softmax (skorch's MLPModule: output_nonlin=None), or pass "
        "criterion=torch.nn.NLLLoss, skorch's default, which takes probabilities.",
        UserWarning,
        stacklevel=external_stacklevel(),
    )
