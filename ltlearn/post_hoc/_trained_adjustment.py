"""A network trained with a loss that already adjusts its logits by the prior."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import warnings

from sklearn.frozen import FrozenEstimator

from ltlearn.utils._metaestimators import final_step
from ltlearn.utils._warnings import external_stacklevel


def _loss_adjusting_prior(estimator):
    """The training loss of ``estimator`` that adds the log-prior, or None.

    A :class:`~ltlearn.deep.LongTailClassifier` (alone, last in a pipeline or
    frozen) trained with the logit-adjusted, balanced softmax or VS loss
    (``tau != 0``) already predicts the prior-compensated rule.
    """
    estimator = final_step(estimator)
    while isinstance(estimator, FrozenEstimator):
        estimator = final_step(estimator.estimator)
    # loaded with the network, if there is one: torch is an optional dependency
    losses = sys.modules.get("ltlearn.deep._margin_losses")
    if losses is None:
        return None
    return losses._prior_adjusting_loss(getattr(estimator, "criterion_", None))


def _warn_adjusting_twice(estimator, rule, tau=1.0):
    """Warn when ``rule``, a logit adjustment by ``tau``, and the loss's add up past 1.

    Past 1 (the balanced rule), the adjusted logits over-predict rare classes.
    """
    loss = _loss_adjusting_prior(estimator)
    trained = float(getattr(loss, "tau", 1.0))
    if loss is not None and trained + tau > 1 + 1e-9:  # 0.3 + 0.7 is balanced
        warnings.warn(
            f"The estimator was trained with {type(loss).__name__}, which "
            f"adjusts the logits by {trained:g} * log(prior); {rule} adjusts "
            f"them by {tau:g} * log(prior) more, {trained + tau:g} in all, past "
            "the 1 of the balanced rule, and over-predicts the rare classes. "
            "Wrap an estimator trained without adjustment (criterion='ce'), or "
            "lower one of the two.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
