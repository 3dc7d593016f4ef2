"""Metadata routing of the meta-estimators, with scikit-learn's public API."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from collections.abc import Mapping

from scipy.sparse import issparse
from sklearn import get_config
from sklearn.frozen import FrozenEstimator
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
)

from ltlearn.utils._validation import check_fit_takes_sample_weight

# The end of the error on an estimator whose fit takes no sample_weight.
ROUTING_ADVICE = (
    " Or enable metadata routing (sklearn.set_config("
    "enable_metadata_routing=True)): the weights then reach only the "
    "estimators that request them with set_fit_request(sample_weight=True), "
    "such as a step of a Pipeline; another step that accepts them, such as a "
    "StandardScaler, must decline them with "
    "set_fit_request(sample_weight=False)."
)


def routing_enabled():
    """Whether ``sklearn.set_config(enable_metadata_routing=True)`` is on."""
    return get_config()["enable_metadata_routing"]


def unrouted_sample_weight(estimator, sample_weight, advice):
    """The ``fit`` parameters that carry ``sample_weight`` to ``estimator``.

    For a meta-estimator without metadata routing: none for no weights or a
    prefit ``FrozenEstimator`` (which is not refitted); else
    ``{"sample_weight": sample_weight}``, once ``estimator.fit`` is checked
    to take them (``advice``, then :data:`ROUTING_ADVICE`, end the error).
    """
    if sample_weight is None or isinstance(estimator, FrozenEstimator):
        return {}
    check_fit_takes_sample_weight(estimator, advice + ROUTING_ADVICE)
    return {"sample_weight": sample_weight}


def check_fit_params_routed(owner, fit_params, method="fit"):
    """Refuse extra parameters of ``method`` unless metadata routing is enabled.

    As scikit-learn's meta-estimators do: which model gets them is only
    defined by the requests of the models.
    """
    if fit_params and not routing_enabled():
        raise ValueError(
            f"{type(owner).__name__}.{method} got {sorted(fit_params)!r}; "
            f"extra {method} parameters are only routed to the models with "
            f"metadata routing enabled (sklearn.set_config("
            f"enable_metadata_routing=True), then set_{method}_request on the "
            f"models that take them)."
        )


def _one_per_row(value, n_samples):
    """Whether ``value`` holds one value per sample, as a fit parameter.

    An array, series, frame or sparse matrix of ``n_samples`` values along
    its first axis, or a sized and indexable container of ``n_samples`` items
    (a list, tuple, range, pyarrow array...), as scikit-learn's
    cross-validation splits fit parameters; a string, bytes, a mapping and a
    scalar are passed whole, whatever their length.
    """
    shape = getattr(value, "shape", None)
    if shape is not None:
        return len(shape) > 0 and shape[0] == n_samples
    if isinstance(value, (str, bytes, Mapping)):
        return False
    return (
        hasattr(value, "__len__")
        and hasattr(value, "__getitem__")
        and len(value) == n_samples
    )


def take_rows(fit_params, rows, n_samples):
    """``fit_params`` on ``rows``: those of one value per sample are indexed.

    A value of ``n_samples`` values (``_one_per_row``) is taken on ``rows``:
    a sequence as a list, a sparse matrix that cannot be indexed by rows
    (COO, DIA, BSR) as CSR, as scikit-learn's cross-validation takes them;
    any other value is passed as it is.
    """
    taken = {}
    for key, value in fit_params.items():
        if not _one_per_row(value, n_samples):
            taken[key] = value
            continue
        if issparse(value) and value.format in ("coo", "dia", "bsr"):
            value = value.tocsr()
        taken[key] = _safe_indexing(value, rows)
    return taken


def fit_router(owner, estimators, cv=None, methods=("fit",)):
    """A router of ``owner``, which consumes its own ``fit`` metadata.

    ``estimators`` is a list of ``(name, estimator)``: the metadata of each
    of ``methods`` that it requests is routed to its method of that name
    (``process_routing`` then gives those of ``fit`` under
    ``routed[name].fit``). The metadata that the splitter ``cv`` requests
    (``groups`` for a group splitter) go to its ``split``, under
    ``routed.cv.split``, as in scikit-learn's cross-validated estimators.
    """
    router = MetadataRouter(owner=owner).add_self_request(owner)
    for name, estimator in estimators:
        mapping = MethodMapping()
        for method in methods:
            mapping.add(caller=method, callee=method)
        router.add(**{name: estimator}, method_mapping=mapping)
    if cv is not None:
        router.add(
            cv=cv, method_mapping=MethodMapping().add(caller="fit", callee="split")
        )
    return router


def refuse_group_splitter(cv, param, owner, routes=False):
    """Refuse a splitter by groups (``GroupKFold``...) that gets no groups.

    ``cv`` is the ``param`` of the estimator named ``owner``, whose ``fit``
    takes no groups, or (``routes``) passes them to ``cv.split`` only with
    metadata routing enabled: nothing is refused then.
    """
    if routes and routing_enabled():
        return
    if not get_routing_for_object(cv).consumes("split", ["groups"]):
        return
    name = type(cv).__name__
    if routes:
        problem = "passes it no groups without metadata routing"
        advice = (
            "enable it (sklearn.set_config(enable_metadata_routing=True)) and "
            "fit(X, y, groups=groups), or pass its splits"
        )
    else:
        problem, advice = "takes no groups", "pass its splits instead"
    raise ValueError(
        f"{param} is a {name}, which splits by groups, but {owner}.fit "
        f"{problem}; {advice}: {param}=list(cv.split(X, y, groups)) with your "
        f"{name} as cv."
    )


def routed_fit_params(owner, sample_weight, fit_params):
    """``process_routing(owner, "fit", ...)``, with ``sample_weight`` only if given.

    scikit-learn validates every key it is given, ``sample_weight=None``
    too: where nothing takes the weights (``owner`` declining them with
    ``set_fit_request(sample_weight=False)``, and no model requesting
    them), a fit without any weight failed with "got unexpected
    argument(s) {'sample_weight'}, which are not routed to any object".
    """
    params = dict(fit_params)
    if sample_weight is not None:
        params["sample_weight"] = sample_weight
    # process_routing itself is not called: given no metadata at all, it
    # returns a stand-in that `"cv" in routed` (split_params) never finishes
    # testing, as its item lookup answers every index.
    router = get_routing_for_object(owner)
    router.validate_metadata(params=params, method="fit")
    return router.route_params(params=params, caller="fit")


def split_params(routed):
    """The ``split`` metadata of ``process_routing``'s result (none without cv)."""
    return dict(routed.cv.split) if "cv" in routed else {}


class EstimatorFitRoutingMixin:
    """``get_metadata_routing`` of a meta-estimator around one ``estimator``.

    A ``cv`` parameter, when the estimator has one, is the splitter. The
    metadata of the methods in ``_routed_methods`` go to the methods of the
    estimator of the same name.
    """

    _routed_methods = ("fit",)

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the ``fit`` of ``estimator`` (and, with
            a ``cv`` parameter, to the ``split`` of the splitter, e.g.
            ``groups``); the classifier itself consumes ``sample_weight``.
        """
        return fit_router(
            self,
            [("estimator", self.estimator)],
            cv=getattr(self, "cv", None),
            methods=self._routed_methods,
        )
