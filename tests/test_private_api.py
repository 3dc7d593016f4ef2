"""ltlearn uses its dependencies' private helpers only where listed here.

A private module or name of scikit-learn, imbalanced-learn, skorch, torch...
can change or go without a deprecation. Each one that ltlearn uses is listed
with the reason no public one does the job; a new one fails these tests until
it is listed (or replaced by a public one). ``tests/deep/test_private_access.py``
checks, besides, every private attribute that ``ltlearn.deep`` reads.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
import functools
import importlib
import inspect
import pkgutil
from pathlib import Path

import ltlearn

PACKAGE = Path(ltlearn.__file__).parent

DEPENDENCIES = {
    "dask",
    "distributed",
    "imblearn",
    "joblib",
    "matplotlib",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "skorch",
    "sklearn",
    "sklearn_compat",
    "threadpoolctl",
    "torch",
}

# Private modules and names imported from the dependencies, with the reason.
# A module's entry covers every name imported from it.
ALLOWED_IMPORTS = {
    "sklearn.base._fit_context": (
        "scikit-learn's parameter validation and nested-validation skip at "
        "fit; no public equivalent, imbalanced-learn's estimators use it too"
    ),
    "sklearn.utils._param_validation": (
        "Interval, StrOptions, HasMethods, validate_params...: the constraints "
        "of _parameter_constraints; no public module, imbalanced-learn imports "
        "the same"
    ),
    "sklearn.utils._safe_indexing": (
        "rows of arrays, sparse matrices, lists and DataFrames alike; "
        "documented in scikit-learn's API reference (as private), no public "
        "equivalent"
    ),
    "sklearn.utils.metaestimators._safe_split": (
        "the cross-fitting splits, pairwise kernels included, as "
        "cross_val_predict takes them; no public equivalent"
    ),
    "sklearn.utils.validation._estimator_has": (
        "available_if's check on the fitted or unfitted estimator, as "
        "scikit-learn's meta-estimators use it; no public equivalent"
    ),
    "sklearn.utils._openmp_helpers._openmp_effective_n_threads": (
        "the threads of scikit-learn's own brute-force search; imported in a "
        "try block that falls back to the processors"
    ),
    "sklearn.utils._repr_html.estimator._VisualBlock": (
        "the ensemble's HTML display; imported in a try block that falls back "
        "to the default display"
    ),
    "sklearn_compat.utils._dataframe.is_pandas_df": (
        "moved between scikit-learn 1.7 and 1.8; imbalanced-learn's SMOTE "
        "imports it from sklearn-compat too"
    ),
    "sklearn_compat.utils._indexing._get_column_indices": (
        "SMOTENC's categorical_features as names, masks or indices; "
        "imbalanced-learn's SMOTENC imports it from sklearn-compat too"
    ),
}

# Private methods and attributes of the dependencies' classes that ltlearn's
# classes override, define or call (as self._x or super()._x), or read on a
# dependency's class, with the reason.
ALLOWED_HOOKS = {
    "_parameter_constraints": (
        "scikit-learn's developer convention, read by _fit_context and "
        "validate_parameter_constraints"
    ),
    "_fit_resample": "imbalanced-learn's documented hook of a new sampler",
    "_sampling_type": "imbalanced-learn's documented attribute of a sampler",
    "_check_X_y": (
        "imbalanced-learn's input check of fit_resample; extended (integer and "
        "boolean columns) by SMOTE, SMOTENC and SMOTEN"
    ),
    "_sampling_strategy_docstring": (
        "imbalanced-learn's text of sampling_strategy, shared by its samplers"
    ),
    "_default_callbacks": (
        "skorch's subclass hook, read by get_params (see "
        "tests/deep/test_private_access.py)"
    ),
}


@functools.cache
def _nodes(tree):
    """Every node of ``tree``, walked once."""
    return tuple(ast.walk(tree))


def _private(name):
    return name.startswith("_") and not name.startswith("__")


@functools.cache
def _trees():
    return {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _imported_private(trees):
    """{dotted name: first place} of the private modules and names imported
    from the dependencies, and of the names read on a dependency's module."""
    found = {}
    for path, tree in trees.items():
        where = f"{path.relative_to(PACKAGE.parent)}:"
        for node in _nodes(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                parts = node.module.split(".")
                if parts[0] not in DEPENDENCIES:
                    continue
                for alias in node.names:
                    if _private(alias.name) or any(map(_private, parts)):
                        name = f"{node.module}.{alias.name}"
                        found.setdefault(name, f"{where}{node.lineno}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] in DEPENDENCIES and any(map(_private, parts)):
                        found.setdefault(alias.name, f"{where}{node.lineno}")
    return found


def _dependency_names(tree):
    """Names bound in a module by an import from a dependency."""
    names = set()
    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DEPENDENCIES:
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] in DEPENDENCIES:
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def _subclasses(cls):
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


def _hooks(trees):
    """{name: first place} of the dependencies' private class attributes that
    ltlearn's classes define or call, or that ltlearn reads on their classes.

    A class counts with its ltlearn subclasses, so that a mixin's
    ``self._x`` reads the dependency's ``_x`` of the classes that use it.
    """
    found = {}
    for info in pkgutil.walk_packages(ltlearn.__path__, "ltlearn."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency is missing
            continue
        path = Path(module.__file__)
        tree = trees[path]
        where = f"{path.relative_to(PACKAGE.parent)}:"
        imported = _dependency_names(tree)
        for node in _nodes(tree):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported
            ):
                found.setdefault(node.attr, f"{where}{node.lineno}")
        for node in tree.body:
            cls = getattr(module, getattr(node, "name", ""), None)
            if not isinstance(node, ast.ClassDef) or not inspect.isclass(cls):
                continue
            theirs, ours = set(), set()
            for sub in _subclasses(cls):
                for owner in sub.__mro__:
                    names = {name for name in vars(owner) if _private(name)}
                    if owner.__module__.split(".")[0] in DEPENDENCIES:
                        theirs |= names
                    elif owner.__module__.split(".")[0] == "ltlearn":
                        ours |= names
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defined = [item.name]
                else:
                    targets = getattr(item, "targets", [getattr(item, "target", 0)])
                    defined = [t.id for t in targets if isinstance(t, ast.Name)]
                for name in defined:
                    if name in theirs:
                        found.setdefault(name, f"{where}{item.lineno}")
            for sub in ast.walk(node):
                if not isinstance(sub, ast.Attribute) or sub.attr not in theirs:
                    continue
                owner = ast.unparse(sub.value)
                if owner == "super()" or (owner == "self" and sub.attr not in ours):
                    found.setdefault(sub.attr, f"{where}{sub.lineno}")
    return found


def _allowed(name):
    return any(
        name == entry or name.startswith(f"{entry}.") for entry in ALLOWED_IMPORTS
    )


def test_private_imports_of_dependencies_are_listed():
    found = _imported_private(_trees())
    unlisted = {name: where for name, where in found.items() if not _allowed(name)}
    assert not unlisted, (
        f"Private names of a dependency imported: {unlisted}. Use a public "
        "equivalent, or add each to ALLOWED_IMPORTS with the reason."
    )
    stale = {
        entry
        for entry in ALLOWED_IMPORTS
        if not any(name == entry or name.startswith(f"{entry}.") for name in found)
    }
    assert not stale, f"No longer imported; remove from ALLOWED_IMPORTS: {stale}"


def test_private_hooks_of_dependencies_are_listed():
    found = _hooks(_trees())
    unlisted = {
        name: where for name, where in found.items() if name not in ALLOWED_HOOKS
    }
    assert not unlisted, (
        f"Private attributes of a dependency's classes used: {unlisted}. Use a "
        "public equivalent, or add each to ALLOWED_HOOKS with the reason."
    )
    # skorch's hook is found only where skorch is installed.
    stale = set(ALLOWED_HOOKS) - set(found) - {"_default_callbacks"}
    assert not stale, f"No longer used; remove from ALLOWED_HOOKS: {stale}"


def test_the_guards_find_what_they_look_for():
    # Both forms of a private import are found, and an unlisted one is not
    # allowed (each listed one is found in ltlearn: see the stale checks).
    source = (
        "from sklearn.utils._testing import assert_allclose\n"
        "import sklearn.utils._testing\n"
    )
    found = _imported_private({PACKAGE / "probe.py": ast.parse(source)})
    assert set(found) == {
        "sklearn.utils._testing.assert_allclose",
        "sklearn.utils._testing",
    }
    assert not _allowed("sklearn.utils._testing.assert_allclose")
    assert _allowed("sklearn.utils._param_validation.Interval")
