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


def _warn_rule_twice(estimator, rule, tau, prior):
    """Warn when ``rule`` adjusts again the probabilities of a post-hoc rule.

    As after a prior-adjusting loss: past 1 in all (the balanced rule), the
    adjusted logits over-predict rare classes.
    """
    model, trained = _rule_adjusting_prior(estimator, prior)
    if model is not None and trained + tau > 1 + 1e-9:
        warnings.warn(
            f"The estimator is a {type(model).__name__}, whose class weights "
            f"adjust the logits by {trained:.3g} * log(prior); {rule} adjusts "
            f"them by {tau:g} * log(prior) more, {trained + tau:.3g} in all, "
            "past the 1 of the balanced rule, and over-predicts the rare "
            f"classes. Wrap the model that the {type(model).__name__} "
            "adjusts, or lower one of the two.",
            UserWarning,
            stacklevel=external_stacklevel(),
        )


def _warn_adjusting_twice(estimator, rule, prior, tau=1.0):
    """Warn when ``rule``, a logit adjustment by ``tau``, and ``estimator``'s pass 1.

    ``estimator``'s adjustment: that of its loss, or that of the post-hoc rule
    it is, measured against ``prior``, the class prior of ``rule``. Past 1
    (the balanced rule), the adjusted logits over-predict rare classes.
    A ``tau`` of 0 adjusts nothing a second time: no warning, whatever
    ``estimator``'s own adjustment.
    """
    if tau == 0:
        return
    _warn_rule_twice(estimator, rule, tau, prior)
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
