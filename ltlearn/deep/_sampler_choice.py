"""The samplers that ``sampler=`` takes: the names, and torch's that misread labels."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import functools

import torch

from ltlearn.deep.samplers import (
    ClassBalancedSampler,
    InstanceBalancedSampler,
    ProgressivelyBalancedSampler,
    SquareRootSampler,
)

_SAMPLERS = {
    "instance": InstanceBalancedSampler,
    "class_balanced": ClassBalancedSampler,
    "square_root": SquareRootSampler,
    "progressive": ProgressivelyBalancedSampler,
}


# torch's samplers whose first parameter is not the rows to draw from: called
# as sampler(labels), they would read the integer labels as something else
_LABELS_MISREAD = (
    (
        torch.utils.data.WeightedRandomSampler,
        "as its weights",
        "class 0 would never be drawn",
    ),
    (
        torch.utils.data.SubsetRandomSampler,
        "as the row numbers to draw",
        "only the first rows (as many as the classes) would be drawn",
    ),
)


def _check_sampler_factory(factory):
    """Refuse a torch sampler class that would misread the labels.

    A callable sampler is called as ``sampler(labels, **sampler_params)``:
    torch's ``WeightedRandomSampler`` would take the integer labels as its
    weights and never draw class 0, ``SubsetRandomSampler`` as the rows to
    draw. A subclass with an ``__init__`` of its own (that makes the weights
    from the labels, say) is the user's to write, and is taken.
    """
    name = getattr(factory, "__name__", None)
    if isinstance(factory, functools.partial) and not factory.args:
        name = f"functools.partial({getattr(factory.func, '__name__', '...')}, ...)"
        factory = factory.func
    if not isinstance(factory, type):
        return
    for cls, taken_as, result in _LABELS_MISREAD:
        if issubclass(factory, cls) and factory.__init__ is cls.__init__:
            raise ValueError(
                f"sampler={name} would take the integer labels of the training "
                f"rows {taken_as} (a callable sampler is called as "
                f"sampler(labels, **sampler_params)), so that {result}. Use "
                "sampler='class_balanced' (rows weighed by the inverse of their "
                "class count, as WeightedRandomSampler with those weights), or a "
                "callable that makes the sampler from the labels, e.g. "
                "sampler=lambda labels: WeightedRandomSampler(weights[labels], "
                "len(labels))."
            )
