"""Callbacks that monitor a validation score a fit without a split never has."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

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


def _records_own_scores(obj):
    """Whether ``obj``, a callback or a network, is of a class of the user's.

    Such a class may record any score; the callbacks (and the classifier)
    of skorch and ltlearn record only the scores their parameters name.
    """
    package = type(obj).__module__.partition(".")[0]
    return package not in ("skorch", "ltlearn")


def _monitors(net):
    """The ``(name, monitor)`` of the callbacks of ``net`` that read a history key."""
    for name, callback in net.callbacks_:
        monitor = getattr(callback, "monitor", None)
        if isinstance(monitor, str) and _reads_monitor(callback):
            yield name, monitor


def _scoring_names(net, validation=False, rising=False):
    """The history keys that the scoring callbacks of ``net`` record.

    Under the name they record: ``EpochScoring("f1")`` records "f1", its
    ``name`` None. With ``validation``, only those of the validation part;
    with ``rising``, only those better when higher (``lower_is_better=False``).
    """
    return {
        getattr(callback, "name_", None) or callback.name
        for _, callback in net.callbacks_
        if isinstance(callback, _SCORING)
        and not (validation and callback.on_train)
        and not (rising and callback.lower_is_better)
    }


def _has_validation_data(net):
    """Whether the ``train_split`` of ``net`` gives validation data."""
    return net.train_split is not None and net.train_split is not False


def _refuse_skorch_accuracy_monitor(net):
    """Refuse a monitor of skorch's ``valid_acc``: ``net`` records ``valid_bacc``.

    skorch's ``NeuralNetClassifier`` records its validation accuracy as
    ``valid_acc``: ``EarlyStopping(monitor="valid_acc")`` failed after the
    first epoch with "Key 'valid_acc' was not found in history", and
    ``Checkpoint(monitor="valid_acc_best")`` asked for validation data
    that a split gave. A subclass of the user's may record ``valid_acc``
    itself (in its ``on_epoch_end``, say). Without a split, the message
    says that ``valid_bacc`` needs one too.
    """
    if _records_own_scores(net):
        return
    if "valid_acc" in _scoring_names(net):
        return
    for name, monitor in _monitors(net):
        if monitor.removesuffix("_best") != "valid_acc":
            continue
        message = (
            f"The callback {name!r} monitors {monitor!r}, which "
            f"{type(net).__name__} does not record: its validation score "
            "is the balanced accuracy 'valid_bacc' (skorch's "
            "NeuralNetClassifier records the accuracy 'valid_acc'). Monitor "
            f"{monitor.replace('valid_acc', 'valid_bacc')!r}, or add "
            "EpochScoring('accuracy', name='valid_acc', lower_is_better=False) "
            f"to callbacks before {name!r} (the callbacks run in their order, "
            "and it reads the score that the ones before it wrote)"
        )
        if _has_validation_data(net):
            raise ValueError(message + ".")
        raise ValueError(
            f"{message}, with validation data: train_split={net.train_split!r} "
            "trains on all the data; give "
            "train_split=skorch.dataset.ValidSplit(5, stratified=True). Or "
            "monitor a score of the training, such as 'train_loss'."
        )


def _refuse_validation_monitors(net):
    """Refuse a callback of ``net`` monitoring a validation score it cannot have.

    ``train_split=None`` (the default, unlike skorch's) leaves no
    validation data: skorch's ``EarlyStopping()`` failed after the first
    epoch with ``KeyError: "Key 'valid_loss' was not found in history."``.
    A monitor of skorch's ``valid_acc`` is refused too, split or not.
    """
    if any(_records_own_scores(callback) for _, callback in net.callbacks_):
        # A callback of the user's may record any score from data of its
        # own, valid_loss included: the monitor is left to find it.
        return
    _refuse_skorch_accuracy_monitor(net)
    if _has_validation_data(net):
        return
    # The scores written only with validation data: skorch's loss, and
    # those of the scoring callbacks on the validation part.
    scores = {"valid_loss", "valid_bacc"} | _scoring_names(net, validation=True)
    for name, monitor in _monitors(net):
        if monitor.removesuffix("_best") in scores:
            raise ValueError(
                f"The callback {name!r} monitors {monitor!r}, but "
                f"{type(net).__name__} has no validation data: "
                f"train_split={net.train_split!r} trains on all the data. Give "
                "train_split=skorch.dataset.ValidSplit(5, stratified=True), "
                "or a monitor of the training, such as 'train_loss'."
            )


def _waits_for_a_fall(callback, monitor):
    """How ``callback`` takes a lower ``monitor`` as better, if it does.

    ``(setting, what it does, the fix)``: ``lower_is_better=True`` for
    skorch's ``EarlyStopping`` (its default, made for losses),
    ``mode='min'`` for an ``LRScheduler`` of torch's ``ReduceLROnPlateau``
    (torch's default, among the scheduler's keywords); None otherwise.
    """
    if isinstance(callback, LRScheduler):
        if getattr(callback, "mode", "min") != "min":
            return None
        fix = f"LRScheduler(policy=ReduceLROnPlateau, monitor={monitor!r}, mode='max')"
        return "mode='min'", "lowers the learning rate of", fix
    if not getattr(callback, "lower_is_better", False):
        return None
    fix = f"{type(callback).__name__}(monitor={monitor!r}, lower_is_better=False)"
    return "lower_is_better=True", "stops", fix


def _warn_monitor_direction(net):
    """Warn when a callback waits for a score of ``net`` to fall that rises.

    skorch's ``EarlyStopping`` takes ``lower_is_better=True`` by default,
    made for losses: ``EarlyStopping(monitor="valid_bacc")`` stopped the
    fit after ``patience`` epochs of a rising balanced accuracy, with no
    message, and ``load_best=True`` restored the worst epoch. torch's
    ``ReduceLROnPlateau`` takes ``mode="min"`` by default: under skorch's
    ``LRScheduler`` it cut the learning rate every ``patience + 1`` epochs
    while the balanced accuracy rose, down to ``min_lr``. A scoring
    callback of skorch or ltlearn says with its own ``lower_is_better``
    which way its score improves.
    """
    rising = _scoring_names(net, rising=True)
    callbacks = dict(net.callbacks_)
    for name, monitor in _monitors(net):
        falling = monitor in rising and _waits_for_a_fall(callbacks[name], monitor)
        if not falling:
            continue
        setting, harm, fix = falling
        warnings.warn(
            f"The callback {name!r} monitors {monitor!r} with {setting}, but "
            "that score is better when higher: it counts each rise as a "
            f"worsening and {harm} a network that is still improving. Give "
            f"{fix}.",
            UserWarning,
            stacklevel=4,
        )
