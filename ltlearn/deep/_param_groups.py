"""Parameter groups added to a running optimiser, and its lr schedulers told of them."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from bisect import bisect_right

import numpy as np
import torch


def _lr_schedulers(net):
    """The torch schedulers that skorch's ``LRScheduler`` callbacks step on the net.

    Each comes with whether it sets the lr now: those that a
    ``SequentialLR`` or a ``ChainedScheduler`` steps come too, and of a
    ``SequentialLR`` only the one of the current epoch does.
    """
    for _, callback in getattr(net, "callbacks_", ()):
        scheduler = getattr(callback, "lr_scheduler_", None)
        if getattr(scheduler, "optimizer", None) is net.optimizer_:
            yield from _with_inner_schedulers(scheduler, True)


def _with_inner_schedulers(scheduler, current):
    """``scheduler`` and those it steps, each with whether it sets the lr now.

    torch keeps a composite's schedulers and milestones private (no public
    accessor; both are listed in ``tests/deep/test_private_access.py``).
    """
    yield scheduler, current
    if isinstance(scheduler, torch.optim.lr_scheduler.SequentialLR):
        active = bisect_right(scheduler._milestones, scheduler.last_epoch)
        for i, child in enumerate(scheduler._schedulers):  # one at a time
            yield from _with_inner_schedulers(child, current and i == active)
    elif isinstance(scheduler, torch.optim.lr_scheduler.ChainedScheduler):
        for child in scheduler._schedulers:  # each steps
            yield from _with_inner_schedulers(child, current)


def _schedule_new_group(net, group):
    """Let the running lr schedulers drive ``group``, added to the optimiser mid-fit.

    torch's schedulers keep one entry per parameter group (``base_lrs``,
    ``lr_lambdas``...) from when they were built, and ``LambdaLR`` (that of
    :func:`~ltlearn.deep.schedules.training_schedule`) fails at its next step
    on a group added later (``CyclicLR`` and skorch's ``WarmRestartLR`` too,
    and ``OneCycleLR`` lacks the keys it writes into each group), as do the
    schedulers that a ``SequentialLR`` or ``ChainedScheduler`` steps. The group
    gets its own lr as its base lr and the rule of the last group (its entries,
    and the keys a scheduler wrote into it); under a ``LambdaLR`` it starts at
    the schedule's current factor times its base lr, as the other groups are,
    and a chainable scheduler (``StepLR``...) decays it from its own lr on.
    skorch's ``LRScheduler`` builds its scheduler anew at each fit, after the
    group is removed.
    """
    group.setdefault("initial_lr", group["lr"])
    for key, value in net.optimizer_.param_groups[-2].items():
        # The keys schedulers add (OneCycleLR's max_lr, min_lr...); the
        # optimiser's own are already set.
        group.setdefault(key, value)
    for scheduler, current in _lr_schedulers(net):
        if hasattr(scheduler, "base_lrs"):
            scheduler.base_lrs.append(group["initial_lr"])
        for name in (
            "lr_lambdas",
            "min_lrs",
            "max_lrs",
            "base_momentums",
            "max_momentums",
        ):
            values = getattr(scheduler, name, None)
            if isinstance(values, list) and values:
                values.append(values[-1])
        for name in ("min_lr", "max_lr"):
            # skorch's WarmRestartLR keeps them as arrays, one entry a group.
            values = getattr(scheduler, name, None)
            if isinstance(values, np.ndarray) and values.ndim == 1 and values.size:
                setattr(scheduler, name, np.append(values, values[-1]))
        if current and isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR):
            group["lr"] = group["initial_lr"] * scheduler.lr_lambdas[-1](
                scheduler.last_epoch
            )


def _groups_taken_out(optimizer, params, lr):
    """The parameter groups of ``params``, taken out of ``optimizer``'s, at ``lr``.

    One group for each of ``optimizer``'s that holds some of ``params``, with
    its options (a weight decay or momentum set for it through skorch's
    ``optimizer__param_groups``) and ``lr`` as its learning rate; those of
    ``params`` in no group come in a last group of the optimiser's defaults.
    """
    groups = []
    left = dict.fromkeys(params)
    for group in optimizer.param_groups:
        taken = [p for p in group["params"] if p in left]
        if not taken:
            continue
        group["params"] = [p for p in group["params"] if p not in left]
        options = {key: group[key] for key in optimizer.defaults if key in group}
        groups.append({**options, "params": taken, "lr": lr})
        for p in taken:
            left.pop(p)
    if left:
        groups.append({"params": list(left), "lr": lr})
    return groups
