"""Callbacks that monitor a validation score a fit without a split never has."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from skorch.callbacks import BatchScoring, EpochScoring, LRScheduler, PassthroughScoring

# skorch's callbacks that score the training or the validation part.
_SCORING = (EpochScoring, BatchScoring, PassthroughScoring)


def _reads_monitor(callback):
    """Whether ``callback`` reads the history key of its ``monitor`` each epoch.

    skorch's ``LRScheduler`` reads it only for ``ReduceLROnPlateau`` (its
    ``monitor`` defaults to ``"train_loss"`` for every policy).
    """
    if not isinstance(callback, LRScheduler):
        return True
    policy = getattr(callback, "policy_", callback.policy)
    if isinstance(policy, str):
        policy = getattr(torch.optim.lr_scheduler, policy, None)
    return isinstance(policy, type) and issubclass(
        policy, torch.optim.lr_scheduler.ReduceLROnPlateau
    )


def _records_own_scores(callback):
    """Whether ``callback`` is of a class of the user's, which may record any score.

    The callbacks of skorch and ltlearn record only the scores their
    parameters name.
    """
    package = type(callback).__module__.partition(".")[0]
    return package not in ("skorch", "ltlearn")


def _refuse_validation_monitors(net):
    """Refuse a callback of ``net`` monitoring a validation score it cannot have.

    ``train_split=None`` (the default, unlike skorch's) leaves no
    validation data: skorch's ``EarlyStopping()`` failed after the first
    epoch with ``KeyError: "Key 'valid_loss' was not found in history."``.
    """
    if net.train_split is not None and net.train_split is not False:
        return
    if any(_records_own_scores(callback) for _, callback in net.callbacks_):
        # A callback of the user's may record any score from data of its
        # own, valid_loss included: the monitor is left to find it.
        return
    # The scores written only with validation data: skorch's loss, and
    # those of the scoring callbacks on the validation part, under the name
    # they record (``EpochScoring("f1")`` records "f1", its ``name`` None).
    scores = {"valid_loss", "valid_bacc"} | {
        getattr(callback, "name_", None) or callback.name
        for _, callback in net.callbacks_
        if isinstance(callback, _SCORING) and not callback.on_train
    }
    for name, callback in net.callbacks_:
        monitor = getattr(callback, "monitor", None)
        if not (isinstance(monitor, str) and _reads_monitor(callback)):
            continue
        if monitor.removesuffix("_best") in scores:
            raise ValueError(
                f"The callback {name!r} monitors {monitor!r}, but "
                f"{type(net).__name__} has no validation data: "
                f"train_split={net.train_split!r} trains on all the data. Give "
                "train_split=skorch.dataset.ValidSplit(5, stratified=True), "
                "or a monitor of the training, such as 'train_loss'."
            )
