"""An estimator whose loss or post-hoc rule already adjusts its logits by the prior."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import warnings

import numpy as np
from sklearn.frozen import FrozenEstimator

from ltlearn.post_hoc._base import _BasePostHocClassifier
from ltlearn.utils._metaestimators import final_step
from ltlearn.utils._warnings import external_stacklevel


def _final_model(estimator):
    """``estimator``'s model: the last step of a pipeline, unfrozen."""
    estimator = final_step(estimator)
    while isinstance(estimator, FrozenEstimator):
        estimator = final_step(estimator.estimator)
    return estimator


def _loss_adjusting_prior(estimator):
    """The training loss of ``estimator`` that adds the log-prior, or None.

    A :class:`~ltlearn.deep.LongTailClassifier` (alone, last in a pipeline or
    frozen) trained with the logit-adjusted, balanced softmax or VS loss
    (``tau != 0``) already predicts the prior-compensated rule.
    """
    estimator = _final_model(estimator)
    # loaded with the network, if there is one: torch is an optional dependency
    losses = sys.modules.get("ltlearn.deep._margin_losses")
    if losses is None:
        return None
    return losses._prior_adjusting_loss(getattr(estimator, "criterion_", None))


def _rule_adjusting_prior(estimator, prior):
    """The post-hoc rule ``estimator`` is, and how far it adjusts by ``prior``.

    One of ltlearn's post-hoc rules or a
    :class:`~ltlearn.ensemble.PluginEnsembleClassifier` (alone, last in a
    pipeline or frozen) returns probabilities already reweighted by its
    class weights ``w``: the amount is the slope of ``log w`` against
    ``-log(prior)``, ``tau_`` for a logit adjustment, 1 for the balanced
    costs and the inverse prior. ``(None, 0.0)`` for any other estimator.
    """
    model = _final_model(estimator)
    ensemble = sys.modules.get("ltlearn.ensemble._plugin_ensemble")
    if isinstance(model, _BasePostHocClassifier):
        log_weights = model._class_log_weights()
    elif ensemble is not None and isinstance(model, ensemble.PluginEnsembleClassifier):
        log_weights = np.log(model.weights_)
    else:
        return None, 0.0
    if not np.all(np.isfinite(log_weights)):  # a weight of 0: no slope
        return None, 0.0
    x = -np.log(prior)
    x = x - x.mean()
    scale = x @ x  # finite: the rules refuse a prior below the smallest float
    if scale == 0:  # a uniform prior: no adjustment
        return None, 0.0
    return model, float(x @ (log_weights - log_weights.mean()) / scale)


def _warn_adjusting_twice(estimator, rule, prior, tau=1.0):
    """Warn when ``rule``, a logit adjustment by ``tau``, and ``estimator``'s pass 1.

    ``estimator``'s adjustment: that of the post-hoc rule it is, measured
    against ``prior``, the class prior of ``rule``, or that of its loss (one
    estimator has at most one of the two). Past 1 (the balanced rule), the
    adjusted logits over-predict rare classes. A ``tau`` of 0 adjusts
    nothing a second time: no warning, whatever ``estimator``'s own
    adjustment.
    """
    if tau == 0:
        return
    model, trained = _rule_adjusting_prior(estimator, prior)
    if model is not None:
        name = type(model).__name__
        source = f"is a {name}, whose class weights adjust"
        shown = ".3g"
        instead = f"Wrap the model that the {name} adjusts"
    else:
        loss = _loss_adjusting_prior(estimator)
        if loss is None:
            return
        trained = float(getattr(loss, "tau", 1.0))
        source = f"was trained with {type(loss).__name__}, which adjusts"
        shown = "g"
        instead = "Wrap an estimator trained without adjustment (criterion='ce')"
    if trained + tau > 1 + 1e-9:  # 0.3 + 0.7 is balanced
        warnings.warn(
            f"The estimator {source} the logits by {trained:{shown}} * "
            f"log(prior); {rule} adjusts them by {tau:g} * log(prior) more, "
            f"{trained + tau:{shown}} in all, past the 1 of the balanced rule, "
            f"and over-predicts the rare classes. {instead}, or lower one of "
            "the two.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )
