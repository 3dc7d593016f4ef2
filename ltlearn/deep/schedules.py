"""The training schedules of the CIFAR-LT papers as named presets.

:func:`training_schedule` returns the parameters of
:class:`~ltlearn.deep.LongTailClassifier` (optimizer, learning rate, batch
size, epochs and callbacks) that reproduce a paper's recipe: SGD with
momentum 0.9 and weight decay 2e-4, lr 0.1, batches of 128 (64 for KPS), a
linear warm-up over the first 5 of 200 epochs and a step decay, with
deferred re-weighting switched on at the first decay where the recipe has
it. Shorter budgets scale every epoch of the recipe; every part can be
overridden.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from skorch.callbacks import LRScheduler

from ltlearn.deep._data import _accepts
from ltlearn.deep.callbacks import DeferredReweighting
from ltlearn.utils._validation import _as_int, _check_count

__all__ = ["SCHEDULES", "WarmupStepLR", "first_decay_epoch", "training_schedule"]

#: The recipes: epochs of the 200-epoch original, decay factors, DRW and,
#: where it is not 128, the batch size.
SCHEDULES = {
    # LDAM code cifar_train.py: x0.01 after 160, x0.0001 after 180, warm-up 5.
    "ldam_drw": {"milestones": (160, 180), "factors": (1e-2, 1e-4), "drw": True},
    "cb": {"milestones": (160, 180), "factors": (1e-2, 1e-4), "drw": False},
    "vs": {"milestones": (160, 180), "factors": (1e-2, 1e-4), "drw": False},
    # KPS demo cifar_train.py: x0.1 after 160, x0.01 after 180, batches of 64.
    "kps": {
        "milestones": (160, 180),
        "factors": (1e-1, 1e-2),
        "drw": False,
        "batch_size": 64,
    },
}
_BASE_EPOCHS = 200
_WARMUP_EPOCHS = 5


def _check_factors(factors):
    """The decay factors as floats; refuse one that is not a finite number >= 0.

    A negative factor makes the learning rate negative (the optimiser then
    climbs the loss), and a NaN or infinite one ends the training with a NaN
    loss.
    """
    values = []
    for factor in factors:
        try:
            value = float(factor)
        except (TypeError, ValueError, RuntimeError):  # not a single number
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"factors must be finite numbers >= 0; got {tuple(factors)!r}."
            )
        values.append(value)
    return tuple(values)


class WarmupStepLR:
    """Learning-rate factor of a linear warm-up followed by a step decay.

    Called with the 0-based epoch ``e`` (as ``torch.optim.lr_scheduler.LambdaLR``
    does), it returns ``(e + 1) / warmup`` for ``e < warmup``, then the factor of
    the last milestone passed (``e + 1 > milestone``), else 1: the LDAM code's
    rule. Picklable, unlike a lambda.

    .. versionadded:: 0.1

    Parameters
    ----------
    warmup : int, default=5
        Epochs of linear warm-up.
    milestones : sequence of int, default=(160, 180)
        Epochs after which the factors apply.
    factors : sequence of float, default=(0.01, 0.0001)
        Factor of the base learning rate after each milestone (finite and
        >= 0).

    Examples
    --------
    >>> from ltlearn.deep.schedules import WarmupStepLR
    >>> f = WarmupStepLR(warmup=5, milestones=(160, 180), factors=(1e-2, 1e-4))
    >>> [f(0), f(4), f(159), f(160), f(180)]
    [0.2, 1.0, 1.0, 0.01, 0.0001]
    """

    def __init__(self, warmup=5, milestones=(160, 180), factors=(1e-2, 1e-4)):
        if len(milestones) != len(factors):
            raise ValueError("milestones and factors must have the same length.")
        if list(milestones) != sorted(milestones):
            raise ValueError(f"milestones must increase; got {milestones!r}.")
        warmup = _check_count("warmup", warmup, low=0, whole=True)
        epochs = tuple(_as_int(milestone, whole=True) for milestone in milestones)
        if None in epochs:
            raise ValueError(f"milestones must be ints; got {milestones!r}.")
        self.warmup = warmup
        self.milestones = epochs
        self.factors = _check_factors(factors)

    def __call__(self, epoch):
        if epoch < self.warmup:
            return (epoch + 1) / self.warmup
        factor = 1.0
        for milestone, value in zip(self.milestones, self.factors):
            if epoch + 1 > milestone:
                factor = value
        return factor

    def __repr__(self):
        return (
            f"WarmupStepLR(warmup={self.warmup}, milestones={self.milestones}, "
            f"factors={self.factors})"
        )


def _scaled(epoch, max_epochs):
    return max(1, round(epoch * max_epochs / _BASE_EPOCHS))


def _scaled_milestones(milestones, max_epochs):
    """The milestones scaled to ``max_epochs``, kept strictly increasing.

    Rounding would merge them for short budgets (160 and 180 of 200 both
    give 4 of 5), and the first decay would never apply.
    """
    scaled = []
    for milestone in milestones:
        epoch = _scaled(milestone, max_epochs)
        scaled.append(max(epoch, scaled[-1] + 1) if scaled else epoch)
    return tuple(scaled)


def _check(name, max_epochs):
    """``max_epochs`` as an int; refuse an unknown recipe or a budget below 1."""
    if name not in SCHEDULES:
        raise ValueError(
            f"Unknown schedule {name!r}; choose one of {sorted(SCHEDULES)}."
        )
    return _check_count("max_epochs", max_epochs, whole=True)


def training_schedule(name, max_epochs=200, **overrides):
    """Parameters of :class:`~ltlearn.deep.LongTailClassifier` for a paper's recipe.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    name : {"ldam_drw", "cb", "vs", "kps"}
        The recipe. All use SGD (momentum 0.9, weight decay 2e-4), lr 0.1,
        batches of 128 (64 for ``"kps"``, as the KPS code) and a linear
        warm-up over 5 of 200 epochs.
        ``"ldam_drw"``, ``"cb"`` and ``"vs"`` multiply the lr by 0.01 after
        epoch 160 and by 0.0001 after 180; ``"kps"`` by 0.1 and 0.01.
        ``"ldam_drw"`` also switches on
        :class:`~ltlearn.deep.callbacks.DeferredReweighting` at the first
        decay.
    max_epochs : int, default=200
        Training budget; the warm-up, the milestones and the DRW epoch are
        scaled by ``max_epochs / 200`` (at least 1 epoch each, and the
        second milestone at least one epoch after the first). The warm-up
        factor is ``(e + 1) / warmup`` per epoch, so below 60 epochs (a
        warm-up of one epoch) the first epoch already runs at the full
        rate: there is no warm-up left.
    **overrides
        Replace any returned parameter (``lr=0.05``,
        ``optimizer__weight_decay=5e-4``, ``batch_size=64``, ``callbacks=...``).
        Another ``optimizer`` keeps the recipe's ``optimizer__momentum`` and
        ``optimizer__weight_decay`` only if it takes them (``AdamW`` keeps
        the weight decay, not the momentum).

    Returns
    -------
    params : dict
        Keyword arguments for ``LongTailClassifier`` (or ``set_params``). The
        callbacks are named ``"lr_schedule"`` and, with DRW, ``"drw"``;
        :func:`first_decay_epoch` gives the epoch of the first decay (the
        DRW and ``T0`` epoch).

    Examples
    --------
    >>> from ltlearn.deep.schedules import training_schedule
    >>> params = training_schedule("ldam_drw", max_epochs=20)
    >>> params["lr"], params["batch_size"], params["max_epochs"]
    (0.1, 128, 20)
    >>> [name for name, _ in params["callbacks"]]
    ['lr_schedule', 'drw']
    """
    max_epochs = _check(name, max_epochs)
    recipe = SCHEDULES[name]
    milestones = _scaled_milestones(recipe["milestones"], max_epochs)
    rule = WarmupStepLR(
        warmup=_scaled(_WARMUP_EPOCHS, max_epochs),
        milestones=milestones,
        factors=recipe["factors"],
    )
    callbacks = [
        ("lr_schedule", LRScheduler(torch.optim.lr_scheduler.LambdaLR, lr_lambda=rule))
    ]
    if recipe["drw"]:
        callbacks.append(("drw", DeferredReweighting(start_epoch=milestones[0])))
    params = {
        "optimizer": torch.optim.SGD,
        "lr": 0.1,
        "optimizer__momentum": 0.9,
        "optimizer__weight_decay": 2e-4,
        "batch_size": recipe.get("batch_size", 128),
        "max_epochs": max_epochs,
        "callbacks": callbacks,
    }
    optimizer = overrides.get("optimizer", params["optimizer"])
    for key in ("optimizer__momentum", "optimizer__weight_decay"):
        # SGD's settings, which another optimiser may not take.
        if not _accepts(optimizer, key.split("__")[1]):
            del params[key]
    params.update(overrides)
    return params


def first_decay_epoch(name, max_epochs=200):
    """The 0-based epoch of a recipe's first lr decay (its DRW / T0 epoch).

    .. versionadded:: 0.1

    Parameters
    ----------
    name : str
        A key of :data:`SCHEDULES`.
    max_epochs : int, default=200
        Training budget.

    Returns
    -------
    epoch : int
        First epoch trained with the decayed learning rate.

    Examples
    --------
    >>> from ltlearn.deep.schedules import first_decay_epoch
    >>> first_decay_epoch("vs"), first_decay_epoch("vs", max_epochs=20)
    (160, 16)
    """
    max_epochs = _check(name, max_epochs)
    return _scaled(SCHEDULES[name]["milestones"][0], max_epochs)
