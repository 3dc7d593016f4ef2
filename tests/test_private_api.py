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
import importlib.util
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
    "sklearn.utils.validation._num_samples": (
        "the rows of any X (array, list, DataFrame, sparse matrix), which a "
        "wrapped model's predict_proba must match; check_consistent_length "
        "has no count to name in the post-hoc rules' own message"
    ),
    "sklearn.utils._openmp_helpers._openmp_effective_n_threads": (
        "the threads of scikit-learn's own brute-force search; imported in a "
        "try block that falls back to the processors"
    ),
    "sklearn.utils._repr_html.estimator._VisualBlock": (
        "the ensemble's HTML display; imported in its _sk_visual_block_, not "
        "with the module, so that if it moves scikit-learn's display catches "
        "the error and shows the ensemble alone"
    ),
    "sklearn_compat.utils._dataframe.is_pandas_df": (
        "moved between scikit-learn 1.7 and 1.8; imbalanced-learn's SMOTE "
        "imports it from sklearn-compat too (0.14.0 from its own copy of "
        "sklearn-compat)"
    ),
    "sklearn_compat.utils._indexing._get_column_indices": (
        "SMOTENC's categorical_features as names, masks or indices; "
        "imbalanced-learn's SMOTENC imports it from sklearn-compat too (0.14.0 "
        "from its own copy of sklearn-compat)"
    ),
}

# Private methods and attributes of the dependencies' classes that ltlearn's
# classes override, define or call (as self._x or super()._x), or that ltlearn
# reads on a dependency's class or on any object, with the reason.
ALLOWED_HOOKS = {
    "_parameter_constraints": (
        "scikit-learn's developer convention, read by _fit_context and "
        "validate_parameter_constraints; COGClassifier reads LinearSVC's to "
        "validate the LinearSVC whose pairs it solves without LinearSVC.fit, "
        "as fit would (no public way to validate parameters without fitting)"
    ),
    "_fit_resample": (
        "the abstract method of imbalanced-learn's SamplerMixin that each "
        "sampler defines and fit_resample calls"
    ),
    "_sampling_type": (
        "set by imbalanced-learn's BaseOverSampler; SMOTE passes it to "
        "check_sampling_strategy, as fit_resample does, to name the class "
        "whose target in a refused sampling_strategy is below its count"
    ),
    "_check_X_y": (
        "imbalanced-learn's input check of fit_resample; extended (integer and "
        "boolean columns) by SMOTE, SMOTENC and SMOTEN"
    ),
    "_sampling_strategy_docstring": (
        "imbalanced-learn's text of sampling_strategy, shared by its samplers"
    ),
    "_sk_visual_block_": (
        "scikit-learn's HTML display of the ensemble's models side by side, "
        "as of its VotingClassifier; on any error of it, scikit-learn shows "
        "the ensemble alone"
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


@functools.cache
def _is_module(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # a name defined in a module, or one not installed
        return False


def _dependency_names(tree):
    """{name: (dotted name, whether a module)} of the names a module binds by
    importing from a dependency (``import a.b`` binds the module ``a``)."""
    names = {}
    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in DEPENDENCIES:
                    dotted = alias.name if alias.asname else root
                    names[alias.asname or root] = (dotted, True)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] in DEPENDENCIES:
                for alias in node.names:
                    dotted = f"{node.module}.{alias.name}"
                    names[alias.asname or alias.name] = (dotted, None)
    return names


def _module_read(names, name):
    """The dotted name of ``name`` if it is a dependency's module, else None.

    Whether a name imported from a module is a module itself is asked of the
    import system only here, for the names that a private attribute is read
    on.
    """
    dotted, module = names.get(name, (None, False))
    if module is None:
        module = _is_module(dotted)
    return dotted if module else None


def _outer_chains(tree):
    """(node, [name, attr, ...]) of the longest attribute chains on a name
    (``a.b._c`` but not its part ``a.b``)."""
    inner = {id(node.value) for node in _nodes(tree) if isinstance(node, ast.Attribute)}
    for node in _nodes(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            parts, value = [], node
            while isinstance(value, ast.Attribute):
                parts.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                yield node, [value.id, *parts]


def _imported_private(trees):
    """{dotted name: first place} of the private modules and names imported
    from the dependencies, and of those read on a dependency's module."""
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
        names = _dependency_names(tree)
        for node, chain in _outer_chains(tree):
            if not any(map(_private, chain[1:])):
                continue
            module = _module_read(names, chain[0])
            if module:
                # sklearn.utils._safe_indexing, up to its last private part
                parts = [*module.split("."), *chain[1:]]
                last = max(i for i, part in enumerate(parts) if _private(part))
                found.setdefault(".".join(parts[: last + 1]), f"{where}{node.lineno}")
    return found


def _own_names(trees):
    """Private names that ltlearn defines: functions, classes, and the
    attributes (``setattr`` included) and variables it assigns."""
    names = set()
    for tree in trees:
        for node in _nodes(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif _accessor(node) == "setattr":
                names.add(getattr(node.args[1], "value", ""))
    return {name for name in names if isinstance(name, str) and _private(name)}


def _accessor(node):
    """ "getattr", "hasattr", "setattr" or "delattr" of a call of one with a
    name, else None."""
    if isinstance(node, ast.Call) and len(node.args) > 1:
        name = getattr(node.func, "id", None)
        if name in {"getattr", "hasattr", "setattr", "delattr"}:
            return name
    return None


def _private_reads(tree, own, *, deep):
    """(name, line) of the private attributes a module reads on a dependency's
    class or function, and, outside ``ltlearn.deep`` (which
    ``tests/deep/test_private_access.py`` checks), those of any other object
    that ltlearn does not define itself (``self.nn_._fit_X``,
    ``getattr(estimator, "_x")``). Those read on a dependency's module are
    the imports' (``_imported_private``)."""
    names = _dependency_names(tree)
    others = {
        (alias.asname or alias.name).split(".")[0]
        for node in _nodes(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    for node in _nodes(tree):
        if _accessor(node):
            name = getattr(node.args[1], "value", None)
            if isinstance(name, str) and _private(name) and name not in own:
                if not deep:
                    yield name, node.lineno
            continue
        if not isinstance(node, ast.Attribute) or not _private(node.attr):
            continue
        if isinstance(node.ctx, ast.Store):
            continue
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in names:
            if not _module_read(names, root.id):
                yield node.attr, node.lineno
        elif isinstance(root, ast.Name) and root.id in others:
            continue  # the standard library's or ltlearn's own
        elif node.attr not in own and not deep:
            yield node.attr, node.lineno


def _subclasses(cls):
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


def _hooks(trees):
    """{name: first place} of the dependencies' private class attributes that
    ltlearn's classes define or call, and of the private attributes that
    ltlearn reads on a dependency's class or on other objects.

    A class counts with its ltlearn subclasses, so that a mixin's
    ``self._x`` reads the dependency's ``_x`` of the classes that use it.
    """
    found = {}
    own = _own_names(trees.values())
    for info in pkgutil.walk_packages(ltlearn.__path__, "ltlearn."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency is missing
            continue
        path = Path(module.__file__)
        tree = trees[path]
        where = f"{path.relative_to(PACKAGE.parent)}:"
        for name, line in _private_reads(
            tree, own, deep=path.relative_to(PACKAGE).parts[0] == "deep"
        ):
            found.setdefault(name, f"{where}{line}")
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
                    # scikit-learn looks its _sk_ hooks up on any estimator
                    # (_sk_visual_block_): no base class defines them.
                    if name in theirs or name.startswith(("_sk_", "_skl_")):
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
        f"Private names of a dependency imported or read on its modules: "
        f"{unlisted}. Use a public "
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
        f"Private attributes of a dependency's classes or objects used: "
        f"{unlisted}. Use a "
        "public equivalent, or add each to ALLOWED_HOOKS with the reason."
    )
    # skorch's hook is found only where skorch is installed.
    stale = set(ALLOWED_HOOKS) - set(found) - {"_default_callbacks"}
    assert not stale, f"No longer used; remove from ALLOWED_HOOKS: {stale}"


def test_the_guards_find_what_they_look_for():
    # Every form of a private import, and of a private name read on a
    # dependency's module, is found under its dotted name; an unlisted one is
    # not allowed (each listed one is found in ltlearn: see the stale checks).
    source = (
        "from sklearn.utils._testing import assert_allclose\n"
        "import sklearn.utils._testing\n"
        "import sklearn\n"
        "import sklearn.utils as su\n"
        "from sklearn import utils\n"
        "sklearn.utils.validation._check_sample_weight(None, X)\n"
        "su._safe_indexing(X, [0])\n"
        "utils._print_elapsed_time\n"
    )
    found = _imported_private({PACKAGE / "probe.py": ast.parse(source)})
    assert set(found) == {
        "sklearn.utils._testing.assert_allclose",
        "sklearn.utils._testing",
        "sklearn.utils.validation._check_sample_weight",
        "sklearn.utils._safe_indexing",
        "sklearn.utils._print_elapsed_time",
    }
    assert not _allowed("sklearn.utils._testing.assert_allclose")
    assert _allowed("sklearn.utils._param_validation.Interval")
    assert _allowed("sklearn.utils._safe_indexing")

    # Private attributes read on a dependency's class and on other objects,
    # but not those of the standard library, of a module, or ltlearn's own.
    source = (
        "import sys\n"
        "import sklearn.utils as su\n"
        "from sklearn.base import BaseEstimator\n"
        "BaseEstimator._get_param_names()\n"
        "self.nn_._fit_X\n"
        "getattr(estimator, '_n_features_out', None)\n"
        "sys._getframe(1)\n"
        "su._safe_indexing\n"
        "self._own\n"
    )
    reads = dict(_private_reads(ast.parse(source), {"_own"}, deep=False))
    assert set(reads) == {"_get_param_names", "_fit_X", "_n_features_out"}
