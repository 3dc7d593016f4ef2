"""Deep long-tailed learning with PyTorch and skorch (the ``deep`` extra).

:class:`LongTailClassifier` is a skorch classifier whose loss, sampling and
schedules handle long-tailed classes; :mod:`ltlearn.deep.losses`,
:mod:`ltlearn.deep.modules`, :mod:`ltlearn.deep.samplers` and
:mod:`ltlearn.deep.callbacks` hold its parts, usable on their own.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.deep import callbacks, losses, modules, samplers
from ltlearn.deep.net import LongTailClassifier

__all__ = ["LongTailClassifier", "callbacks", "losses", "modules", "samplers"]
