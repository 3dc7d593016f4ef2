"""Sphinx configuration of the ltlearn documentation."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))
# Examples that use torch run on one thread; the machines are small.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import ltlearn  # noqa: E402

project = "ltlearn"
author = "The ltlearn developers"
copyright = "The ltlearn developers"
release = ltlearn.__version__
version = re.sub(r"\.dev.*$", "", release)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/**/*.ipynb"]
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc, autosummary and numpydoc -----------------------------------------
autosummary_generate = True
# The class template documents inherited members too; ``_skip_member`` keeps
# those ltlearn defines (a public estimator's ``fit`` written once in a private
# base) and leaves scikit-learn's, imbalanced-learn's, skorch's and torch's to
# their own documentation.
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"ltlearn {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"install": [], "whats_new": []}
html_show_sourcelink = False

# -- the gallery ---------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
}

# -- every public name is documented --------------------------------------------
# The API pages list names by hand (reviewable, in a chosen order); this check
# turns a name exported by an ``__all__`` but absent from them into a warning,
# which fails the build under ``-W``.
PUBLIC = {
    "datasets": ["ltlearn.datasets"],
    "metrics": ["ltlearn.metrics"],
    "utils": ["ltlearn.utils"],
    "over_sampling": ["ltlearn.over_sampling"],
    "decomposition": ["ltlearn.decomposition"],
    "semi_supervised": ["ltlearn.semi_supervised"],
    "post_hoc": ["ltlearn.post_hoc"],
    "ensemble": ["ltlearn.ensemble"],
    "recipes": ["ltlearn.recipes"],
    "deep": [
        "ltlearn.deep",
        "ltlearn.deep.losses",
        "ltlearn.deep.modules",
        "ltlearn.deep.callbacks",
        "ltlearn.deep.samplers",
        "ltlearn.deep.augment",
        "ltlearn.deep.schedules",
    ],
}


def _check_api_pages(app):
    from sphinx.util import logging

    logger = logging.getLogger("ltlearn.api")
    for page, modules in PUBLIC.items():
        path = DOCS / "api" / f"{page}.rst"
        if not path.exists():
            logger.warning(f"docs/api/{page}.rst is missing", type="ltlearn")
            continue
        text = path.read_text(encoding="utf-8")
        for module_name in modules:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                logger.warning(f"cannot import {module_name}: {exc}", type="ltlearn")
                continue
            for name in getattr(module, "__all__", []):
                if isinstance(getattr(module, name, None), type(sys)):
                    continue  # a submodule, documented through its own names
                # an autosummary entry, or a ``.. data::`` directive
                entry = rf"^(\s+|\.\. data::\s+){re.escape(name)}\s*$"
                if not re.search(entry, text, re.MULTILINE):
                    logger.warning(
                        f"{module_name}.{name} is public but missing from "
                        f"docs/api/{page}.rst",
                        type="ltlearn",
                    )


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates ``set_{method}_request`` on every estimator for
    # metadata routing; their docstrings point into scikit-learn's own docs.
    if re.fullmatch(r"set_\w+_request", name):
        return True
    if what == "class" and not skip and not _defined_by_ltlearn(obj):
        return True
    return None


def _defined_by_ltlearn(member):
    """Whether ltlearn's code defines ``member`` (a method or a property)."""
    target = getattr(member, "fget", member)  # a property: its getter
    target = getattr(target, "__func__", target)  # a bound or class method
    module = getattr(target, "__module__", None)
    return module is None or module.split(".")[0] == "ltlearn"


# -- "[source]" links of LongTailClassifier's methods in its mixins -----------
# viewcode tags a method under the class that defines it: ``set_params``, which
# ``LongTailClassifier`` takes from ``_ParamsMixin`` in ``deep/_net_params.py``,
# is ``_ParamsMixin.set_params`` there, not ``LongTailClassifier.set_params``,
# the name on the API page, which then showed no link to the source.
def _find_source(app, modname):
    if not modname.startswith("ltlearn.deep._net_"):
        return None
    from sphinx.pycode import ModuleAnalyzer

    try:
        analyzer = ModuleAnalyzer.for_module(modname)
        analyzer.find_tags()
    except Exception:
        return None  # viewcode reports it in its own way
    tags = dict(analyzer.tags)
    for cls in _public_classes():
        for name in dir(cls):
            target = getattr(cls, name, None)
            target = getattr(target, "fget", target)  # a property: its getter
            target = getattr(target, "__func__", target)  # a class method
            owner = getattr(target, "__qualname__", "").rpartition(".")[0]
            defined_here = getattr(target, "__module__", None) == modname
            if defined_here and owner.startswith("_") and f"{owner}.{name}" in tags:
                tags.setdefault(f"{cls.__name__}.{name}", tags[f"{owner}.{name}"])
    if len(tags) == len(analyzer.tags):
        return None  # viewcode's own reading, and its check of the page's date
    return analyzer.code, tags


def _public_classes():
    for modules in PUBLIC.values():
        for module_name in modules:
            module = importlib.import_module(module_name)
            for name in getattr(module, "__all__", []):
                obj = getattr(module, name, None)
                if isinstance(obj, type):
                    yield obj


def setup(app):
    app.connect("builder-inited", _check_api_pages)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("viewcode-find-source", _find_source)
