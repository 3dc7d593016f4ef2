"""Discovery of ltlearn's public estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from operator import itemgetter

from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

_TYPE_FILTERS = ("classifier", "sampler", "transformer")


def _is_of_type(cls, kind):
    if kind == "classifier":
        return issubclass(cls, ClassifierMixin)
    if kind == "sampler":
        return hasattr(cls, "fit_resample")
    return issubclass(cls, TransformerMixin)


def all_estimators(type_filter=None):
    """List the public estimators of ltlearn.

    Walks every public module of the package and collects the classes that
    derive from scikit-learn's ``BaseEstimator`` and appear in an ``__all__``.
    ``ltlearn.deep`` is included only when its extra (torch, skorch) is
    installed.

    Parameters
    ----------
    type_filter : {"classifier", "sampler", "transformer"} or list of such str, \
            default=None
        Keep only the estimators of these kinds. ``None`` keeps them all.

    Returns
    -------
    estimators : list of tuple
        Sorted ``(name, class)`` pairs.

    Examples
    --------
    >>> from ltlearn.utils import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> all(not name.startswith("Base") for name in names)
    True
    """
    import ltlearn

    found = {}
    for module_info in pkgutil.walk_packages(ltlearn.__path__, prefix="ltlearn."):
        parts = module_info.name.split(".")
        if any(part.startswith("_") or part == "tests" for part in parts[1:]):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except ImportError as exc:
            if parts[1] == "deep":  # the optional ``deep`` extra is absent
                continue
            raise ImportError(f"Could not import {module_info.name}: {exc}") from exc
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and obj.__module__.startswith("ltlearn.")
                and not name.startswith(("_", "Base"))
            ):
                found[name] = obj

    estimators = sorted(found.items(), key=itemgetter(0))
    if type_filter is None:
        return estimators
    if isinstance(type_filter, str) or not isinstance(type_filter, Iterable):
        kinds = [type_filter]
    else:  # a list, or any other collection of them (a tuple, a set)
        kinds = list(type_filter)
    unknown = [kind for kind in kinds if kind not in _TYPE_FILTERS]
    if unknown:
        raise ValueError(
            f"type_filter must be one of {_TYPE_FILTERS} or a list of them; got "
            f"{unknown!r}."
        )
    return [
        (name, cls)
        for name, cls in estimators
        if any(_is_of_type(cls, kind) for kind in kinds)
    ]
