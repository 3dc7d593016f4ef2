"""Metadata routing of the meta-estimators, with scikit-learn's public API."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn import get_config
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping

# The end of the error on an estimator whose fit takes no sample_weight.
ROUTING_ADVICE = (
    " Or enable metadata routing (sklearn.set_config("
    "enable_metadata_routing=True)): the weights then reach only the "
    "estimators that request them with set_fit_request(sample_weight=True), "
    "such as a step of a Pipeline."
)


def routing_enabled():
    """Whether ``sklearn.set_config(enable_metadata_routing=True)`` is on."""
    return get_config()["enable_metadata_routing"]


def fit_router(owner, estimators):
    """A router of ``owner``, which consumes its own ``fit`` metadata.

    ``estimators`` is a list of ``(name, estimator)``: the ``fit`` metadata
    each requests is routed to its ``fit`` (``process_routing`` then gives
    them under ``routed[name].fit``).
    """
    router = MetadataRouter(owner=owner).add_self_request(owner)
    for name, estimator in estimators:
        router.add(
            **{name: estimator},
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
    return router


class EstimatorFitRoutingMixin:
    """``get_metadata_routing`` of a meta-estimator around one ``estimator``."""

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the ``fit`` of ``estimator``; the
            classifier itself consumes ``sample_weight``.
        """
        return fit_router(self, [("estimator", self.estimator)])
