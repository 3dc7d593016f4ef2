"""The public API: every estimator is exported, none is a base class."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import subprocess
import sys

import pytest

import ltlearn
from ltlearn.utils import all_estimators


def test_no_base_class_is_public():
    assert all(not name.startswith("Base") for name, _ in all_estimators())


@pytest.mark.parametrize("name, cls", all_estimators())
def test_estimator_is_exported_by_its_subpackage(name, cls):
    subpackage = ".".join(cls.__module__.split(".")[:2])
    module = importlib.import_module(subpackage)
    assert name in module.__all__, f"{name} is missing from {subpackage}.__all__"


@pytest.mark.parametrize("name", ltlearn.__all__)
def test_top_level_names_resolve(name):
    if name == "deep":
        pytest.importorskip("torch")
        pytest.importorskip("skorch")
    assert getattr(ltlearn, name) is not None


def test_all_estimators_type_filter():
    samplers = all_estimators(type_filter="sampler")
    assert all(hasattr(cls, "fit_resample") for _, cls in samplers)
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators(type_filter="regressor")
    # neither a str nor a list: the same message, as scikit-learn gives, not
    # "TypeError: 'int' object is not iterable"
    with pytest.raises(ValueError, match=r"type_filter must be one of .*got \[1\]"):
        all_estimators(type_filter=1)
    # any collection of kinds, as before that check (a set was refused with it)
    for kinds in ({"sampler"}, ("sampler",), (kind for kind in ["sampler"])):
        assert all_estimators(type_filter=kinds) == samplers


def test_import_ltlearn_does_not_import_torch():
    code = (
        "import sys, ltlearn, ltlearn.datasets, ltlearn.metrics, ltlearn.utils;"
        "ltlearn.utils.all_estimators.__doc__;"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
