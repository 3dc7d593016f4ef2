"""Training schedules for long-tailed data, as skorch callbacks.

Deferred re-weighting and re-sampling switch the loss weights or the sampler
late in training; classifier retraining (cRT, LWS) freezes the
representation and re-trains the last layer; tau-normalisation rescales the
last layer after training. They change the running
:class:`~ltlearn.deep.net.LongTailClassifier` in place (never through
``set_params``, which would rebuild the optimiser and lose its state).

``start_epoch`` is the number of epochs trained before the switch: an
integer, or a float in ``[0, 1]`` read as a fraction of ``max_epochs``,
rounded. A fraction in ``(0, 1)`` that rounds to 0 (no epoch before the
switch) warns at the start of a ``fit`` or of a first ``partial_fit``; one
that rounds to ``max_epochs`` (no epoch after it) warns in a ``fit`` only,
as a ``partial_fit`` schedule goes on over the calls after it. The
epochs are counted from the start of the last ``fit`` (warm-start fits
included) and go on over the ``partial_fit`` calls after it (the net's
``schedule_start_``; from the first epoch of ``history`` for a net without
it), so that each schedule switches once, at its epoch, and stays switched
to the end of the schedule, even where a ``max_epochs`` set between the
``partial_fit`` calls moves a fractional ``start_epoch`` past the epochs
trained. The sampler is changed through the net's public
``set_train_sampler`` hook.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

# The callbacks are defined in private modules by job. _ScaleOutput, imported
# as itself, stays importable here, where it was defined: the pickle of a
# classifier saved during the LWS epochs of ClassifierRetraining names it.
from ltlearn.deep._decoupling import ClassifierRetraining, TauNormalization
from ltlearn.deep._decoupling import _ScaleOutput as _ScaleOutput
from ltlearn.deep._deferred import DeferredResampling, DeferredReweighting

__all__ = [
    "ClassifierRetraining",
    "DeferredResampling",
    "DeferredReweighting",
    "TauNormalization",
]
