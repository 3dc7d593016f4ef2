"""numpydoc validation of every public object's docstring."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import importlib.util
import inspect
import pkgutil
import re

import numpy as np
import pytest
from imblearn.over_sampling.base import BaseOverSampler

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import ltlearn  # noqa: E402
from ltlearn.utils._test_common.fitting import (  # noqa: E402
    data_for,
    fit_or_resample,
)
from ltlearn.utils._test_common.instance_generator import (  # noqa: E402
    _tested_estimators,
)

# Errors that fail the test: a parameter left undocumented, no Returns
# section, no Examples section, and a summary that is missing.
_CHECKED_ERRORS = {"PR01", "PR02", "RT01", "EX01", "SS01", "GL08"}


def _public_modules():
    # Every module of ltlearn without a leading underscore in its path:
    # the subpackages and the public modules in them, such as
    # ``ltlearn.deep.losses`` and ``ltlearn.utils.estimator_checks``.
    for info in pkgutil.walk_packages(ltlearn.__path__, "ltlearn."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        if (
            info.name.startswith("ltlearn.deep")
            and importlib.util.find_spec("skorch") is None
        ):
            continue  # the optional deep extra is absent
        yield importlib.import_module(info.name)


def _public_objects():
    # The classes and functions in a public module's ``__all__``, each under
    # the first path that lists it (``ltlearn.deep`` before ``ltlearn.deep.net``).
    seen = set()
    for module in _public_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    yield f"{module.__name__}.{name}"


def _numpydoc_errors(qualname, codes):
    """numpydoc's errors of ``codes`` on the docstring of ``qualname``."""
    result = numpydoc_validate.validate(qualname)
    return [f"{code}: {message}" for code, message in result["errors"] if code in codes]


@pytest.mark.parametrize("qualname", sorted(set(_public_objects())))
def test_docstring(qualname):
    errors = _numpydoc_errors(qualname, _CHECKED_ERRORS)
    assert not errors, f"{qualname}:\n" + "\n".join(errors)


# Attributes that LongTailClassifier inherits from skorch's NeuralNet, whose
# own documentation describes them.
_SKORCH_ATTRIBUTES = {
    "callbacks_",
    "classes_inferred_",
    "cuda_dependent_attributes_",
    "init_context_",
    "initialized_",
    "prefixes_",
    "virtual_params_",
}


def _fitted_attributes_data(estimator):
    """Small data, a DataFrame of string column names, that ``estimator`` takes."""
    pytest.importorskip("pandas")
    if type(estimator).__name__ == "LongTailClassifier":
        estimator.set_params(max_epochs=2)
    return data_for(estimator, frame=True)


@pytest.mark.parametrize(
    "estimator", list(_tested_estimators()), ids=lambda est: type(est).__name__
)
def test_fitted_attributes_documented(estimator):
    # Every public attribute that fit sets is in the Attributes section, and
    # one that fit leaves None is documented as possibly None.
    from numpydoc.docscrape import ClassDoc

    X, y = _fitted_attributes_data(estimator)
    fit_or_resample(estimator, X, y)
    documented = {
        name.strip(): attribute.type
        for attribute in ClassDoc(type(estimator))["Attributes"]
        for name in attribute.name.split(",")
    }
    fitted = {
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("_")
    }
    if type(estimator).__name__ == "LongTailClassifier":
        fitted -= _SKORCH_ATTRIBUTES
    assert not fitted - set(documented), sorted(fitted - set(documented))
    never_none = {
        name: documented[name]
        for name in fitted
        if getattr(estimator, name) is None and "None" not in documented[name]
    }
    assert not never_none, never_none


def _text_classifiers():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from ltlearn.ensemble import PluginEnsembleClassifier
    from ltlearn.post_hoc import (
        LogitAdjustedClassifier,
        PluginClassifier,
        ThresholdMovingClassifier,
    )
    from ltlearn.semi_supervised import CReSTClassifier

    pipe = make_pipeline(CountVectorizer(), LogisticRegression())
    return [
        CReSTClassifier(pipe),
        PluginEnsembleClassifier([("text", pipe)]),
        LogitAdjustedClassifier(pipe),
        PluginClassifier(pipe, cv=3),
        ThresholdMovingClassifier(pipe),
    ]


@pytest.mark.parametrize(
    "estimator", _text_classifiers(), ids=lambda est: type(est).__name__
)
def test_attributes_a_list_of_texts_leaves_unset_are_documented_so(estimator):
    # The meta-estimators hand a list of texts to a vectorising pipeline: it
    # has no columns to count, so n_features_in_ is not set, and an
    # Attributes entry says when its attribute is set.
    from numpydoc.docscrape import ClassDoc

    X = ["good", "bad", "fine", "awful", "great", "poor"] * 5
    y = np.array([1, 0, 1, 0, 1, 0] * 5)
    if type(estimator).__name__ == "CReSTClassifier":
        y[::5] = -1
    estimator.fit(X, y)
    unset = {
        name.strip(): " ".join(attribute.desc)
        for attribute in ClassDoc(type(estimator))["Attributes"]
        for name in attribute.name.split(",")
        if not hasattr(estimator, name.strip())
    }
    assert "n_features_in_" in unset
    unconditional = [
        name
        for name, description in unset.items()
        if not re.search(r"\b(when|only)\b", description, re.IGNORECASE)
    ]
    assert not unconditional, unconditional


@pytest.mark.parametrize("qualname", sorted(set(_public_objects())))
def test_no_attr_role_to_fitted_attribute(qualname):
    # The Attributes sections render as lists, not as attribute entries
    # (numpydoc_attributes_as_param_list): an :attr: role on a fitted
    # attribute links nowhere; the docstrings write ``name_`` instead.
    module_name, name = qualname.rsplit(".", 1)
    obj = getattr(importlib.import_module(module_name), name)
    members = [obj]
    if inspect.isclass(obj):
        members += [
            member
            for _, member in inspect.getmembers(obj, inspect.isfunction)
            if member.__module__.startswith("ltlearn.")
        ]
    roles = {
        role
        for member in members
        for role in re.findall(r":attr:`~?[\w.]*_`", inspect.getdoc(member) or "")
    }
    assert not roles, sorted(roles)


def _attribute_names(cls):
    from numpydoc.docscrape import ClassDoc

    return {
        name.strip()
        for attribute in ClassDoc(cls)["Attributes"]
        for name in attribute.name.split(",")
    }


def _public_classes():
    for qualname in sorted(set(_public_objects())):
        module_name, name = qualname.rsplit(".", 1)
        obj = getattr(importlib.import_module(module_name), name)
        if inspect.isclass(obj):
            yield obj


@pytest.mark.parametrize("cls", list(_public_classes()), ids=lambda cls: cls.__name__)
def test_attributes_of_public_bases_documented(cls):
    # A public class that extends another lists the attributes its public
    # base documents (KPSGALoss those of KPSLoss), which it holds too.
    documented = _attribute_names(cls)
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("ltlearn.") and not base.__name__.startswith("_"):
            missing = _attribute_names(base) - documented
            assert not missing, f"{base.__name__}: {sorted(missing)}"


def _public_methods():
    # The public methods and properties that ltlearn defines on its public
    # classes (not those inherited from scikit-learn, skorch or torch).
    for cls in _public_classes():
        for name, member in inspect.getmembers(cls):
            if name.startswith("_"):
                continue
            static = inspect.getattr_static(cls, name)
            function = static.fget if isinstance(static, property) else member
            if inspect.isfunction(function) and function.__module__.startswith(
                "ltlearn."
            ):
                yield f"{cls.__module__}.{cls.__name__}.{name}"


@pytest.mark.parametrize("qualname", sorted(set(_public_methods())))
def test_method_docstring(qualname):
    # A public method names its parameters, and a property has a docstring.
    # The samplers' fit and fit_resample take imbalanced-learn's docstrings,
    # which leave out **params: that gap alone is let through, for them only.
    module_name, class_name, name = qualname.rsplit(".", 2)
    cls = getattr(importlib.import_module(module_name), class_name)
    imblearn_method = getattr(BaseOverSampler, name, None)
    borrowed = (
        imblearn_method is not None
        and getattr(cls, name).__doc__ == imblearn_method.__doc__
    )
    errors = [
        error
        for error in _numpydoc_errors(qualname, {"PR01", "PR02", "GL08"})
        if not (borrowed and error == "PR01: Parameters {'**params'} not documented")
    ]
    assert not errors, f"{qualname}:\n" + "\n".join(errors)
