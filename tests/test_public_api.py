"""The public API: every estimator is exported, none is a base class."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import importlib.util
import inspect
import os
import re
import runpy
import subprocess
import sys
import types
from pathlib import Path

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


def test_all_estimators_type_filter_classifier_and_transformer():
    classifiers = dict(all_estimators(type_filter="classifier"))
    assert {"COGClassifier", "PluginClassifier"} <= set(classifiers)
    assert all(hasattr(cls, "predict") for cls in classifiers.values())
    transformers = dict(all_estimators(type_filter="transformer"))
    assert all(hasattr(cls, "transform") for cls in transformers.values())
    for kind in (classifiers, transformers):
        assert "SMOTE" not in kind
    both = dict(all_estimators(type_filter=["classifier", "transformer"]))
    assert both == {**classifiers, **transformers}


def test_import_ltlearn_does_not_import_torch():
    # Nor does any public subpackage but ltlearn.deep (the README's promise).
    code = (
        "import importlib, sys, ltlearn;"
        "[importlib.import_module(f'ltlearn.{name}') for name in ltlearn.__all__"
        " if name not in ('deep', '__version__', 'show_versions')];"
        "ltlearn.utils.all_estimators.__doc__;"
        "loaded = {'torch', 'skorch', 'matplotlib', 'dask'} & set(sys.modules);"
        "assert not loaded, f'{loaded} imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_datasets_and_semi_supervised_do_not_import_imblearn():
    # imbalanced-learn imports pytest and most of scikit-learn, a third of a
    # second: ltlearn.utils imported it only to find its directory.
    code = (
        "import sys, ltlearn.datasets, ltlearn.semi_supervised;"
        "ltlearn.datasets.list_keel();"
        "assert 'imblearn' not in sys.modules, 'imblearn was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# The packages named by HIDDEN not installed: not found, as a missing package
# is not.
_WITHOUT = """
import importlib.machinery, sys

class _Hidden(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            return None
        return super().find_spec(name, path, target)

sys.meta_path = [
    _Hidden if finder is importlib.machinery.PathFinder else finder
    for finder in sys.meta_path
]
"""
_WITHOUT_DEEP_EXTRA = _WITHOUT.replace("HIDDEN", '("torch", "skorch")')


def test_without_imblearn_the_error_names_it():
    # ltlearn.utils found imbalanced-learn's folder for the warnings'
    # stacklevel, and failed without it on "'NoneType' object has no
    # attribute 'origin'"; ltlearn.datasets does not need it.
    code = _WITHOUT.replace("HIDDEN", '("imblearn",)') + (
        "import ltlearn.datasets\n"
        "assert ltlearn.datasets.list_keel()\n"
        "try:\n"
        "    import ltlearn.over_sampling\n"
        "except ModuleNotFoundError as exc:\n"
        "    assert exc.name == 'imblearn', exc\n"
        "else:\n"
        "    raise AssertionError('ltlearn.over_sampling imported without imblearn')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_star_import_and_help_without_the_deep_extra():
    # Both import every name of ltlearn.__all__, and raised the ImportError of
    # ltlearn.deep ("ltlearn.deep needs PyTorch and skorch") without it.
    code = _WITHOUT_DEEP_EXTRA + (
        "import pydoc\n"
        "import ltlearn\n"
        "from ltlearn import *\n"
        "assert 'deep' not in ltlearn.__all__ and 'deep' not in dir(ltlearn)\n"
        "assert over_sampling.SMOTE and show_versions\n"
        "assert 'show_versions' in pydoc.render_doc(ltlearn)\n"
        "try:\n"
        "    ltlearn.deep\n"
        "except ImportError as exc:\n"
        "    assert 'deep' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('ltlearn.deep imported without torch')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _docs_conf(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # conf.py prepends the root
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    path = Path(__file__).resolve().parents[1] / "docs" / "conf.py"
    return types.SimpleNamespace(**runpy.run_path(str(path)))


def _public_modules():
    public = set()
    for name in ltlearn.__all__:
        if name in ("__version__", "show_versions"):
            continue
        if name == "deep" and not all(
            importlib.util.find_spec(extra) for extra in ("torch", "skorch")
        ):
            continue
        module = importlib.import_module(f"ltlearn.{name}")
        public.add(module.__name__)
        for member in module.__all__:
            if inspect.ismodule(getattr(module, member)):
                public.add(f"{module.__name__}.{member}")
    return public


def test_docs_build_checks_every_public_module(monkeypatch, caplog):
    # The check of docs/conf.py, which fails the documentation build on a
    # public name missing from the API pages, left out ltlearn.ensemble,
    # ltlearn.recipes, ltlearn.deep.augment and ltlearn.deep.schedules.
    pytest.importorskip("sphinx")
    conf = _docs_conf(monkeypatch)
    checked = {name for names in conf.PUBLIC.values() for name in names}
    public = _public_modules()
    assert public <= checked, f"not checked: {sorted(public - checked)}"
    # Every public name is on its page today (data such as
    # ltlearn.deep.schedules.SCHEDULES in a ``.. data::`` directive).
    with caplog.at_level("WARNING"):
        conf._check_api_pages(None)
    assert not [record.getMessage() for record in caplog.records]


def test_docs_link_the_methods_of_long_tail_classifier_mixins_to_source(monkeypatch):
    # Methods that LongTailClassifier takes from its mixins in
    # ltlearn/deep/_net_*.py (set_params, load_params...) had no "[source]"
    # link on its API page: viewcode tagged them as _ParamsMixin.set_params.
    pytest.importorskip("sphinx")
    pytest.importorskip("skorch")
    from ltlearn.deep import LongTailClassifier

    conf = _docs_conf(monkeypatch)
    linked = 0
    for name in dir(LongTailClassifier):
        method = getattr(LongTailClassifier, name)
        module = getattr(method, "__module__", None) or ""
        if not module.startswith("ltlearn.deep._net_"):
            continue
        _, tags = conf._find_source(None, module)
        kind, start, end = tags[f"LongTailClassifier.{name}"]
        lines, first = inspect.getsourcelines(method)  # from its decorators
        assert kind == "def" and first <= start < end <= first + len(lines)
        linked += 1
    assert linked >= 6  # set_params, load_params, initialize_module...
    assert conf._find_source(None, "ltlearn.deep.net") is None  # viewcode's own


def test_every_public_module_is_a_link_target_of_the_docs():
    # :mod:`ltlearn.deep` and the like rendered as text, not links: the API
    # pages declared the modules with ``:no-index:`` or ``currentmodule``.
    api = Path(__file__).resolve().parents[1] / "docs" / "api"
    text = "\n".join(path.read_text(encoding="utf-8") for path in api.glob("*.rst"))
    declared = set(re.findall(r"^\.\. module:: (\S+)$", text, re.MULTILINE))
    for name, options in re.findall(
        r"^\.\. automodule:: (\S+)\n((?:   .*\n)*)", text, re.MULTILINE
    ):
        if ":no-index:" not in options:
            declared.add(name)
    missing = _public_modules() - declared
    assert not missing, f"no module target on the API pages: {sorted(missing)}"
