"""ltlearn.deep uses skorch and torch through their public API only."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

import ltlearn.deep  # noqa: E402

DEEP = Path(ltlearn.deep.__file__).parent

# Private names of skorch or torch that ltlearn.deep may touch, each with the
# reason no public one does the job. Keep it short.
ALLOWED = {
    # skorch lists every attribute not ending in "_" as a parameter, its
    # bookkeeping set of the names to validate included; get_params drops
    # that key (a string, not an attribute access) so that scikit-learn's
    # clone and set_params checks see the constructor's parameters only.
    "_params_to_validate": "dropped from get_params as a key; never read",
    # The default callbacks (no validation scores without a split, no log at
    # verbose=0): skorch's own NeuralNetClassifier overrides this property,
    # and its get_params(deep=True) reads the property directly, so the
    # public get_default_callbacks alone would list callbacks the net does
    # not have.
    "def _default_callbacks": "skorch's subclass hook, read by get_params",
    # The loss that compile=True wraps in torch's OptimizedModule, which is
    # not an instance of the loss's class; torch has no public accessor, and
    # skorch unwraps it the same way (_infer_predict_nonlinearity).
    "_orig_mod": "the compiled loss's own module, for isinstance checks",
    # The schedulers that torch's SequentialLR and ChainedScheduler step, and
    # SequentialLR's switch epochs: a parameter group added mid-fit (cRT with
    # its own lr, LWS) needs an entry in each, and torch has no accessor.
    "_schedulers": "the inner schedulers of a composite, given the new group",
    "_milestones": "which inner scheduler of a SequentialLR sets the lr now",
    # The metadata torch keeps beside a state dict's entries (each module's
    # version, read by its load hooks), renamed with the entries when a state
    # saved with compile=True loads without it or the other way round.
    "_metadata": "a state dict's per-module metadata, renamed with its keys",
}


def _own_private_names(trees):
    """Private names that ltlearn.deep defines itself (functions, classes,
    attributes it assigns)."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {name for name in names if name.startswith("_")}


def _private_uses(trees):
    """(file, line, name) of private attributes read, methods overridden and
    names imported from skorch or torch."""
    skorch_net = set(dir(skorch.NeuralNetClassifier))
    torch_module = set(dir(torch.nn.Module))
    own = _own_private_names(trees.values())
    uses = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                name = node.attr
                if name.startswith("_") and not name.startswith("__"):
                    if name not in own or name in skorch_net | torch_module:
                        uses.append((path.name, node.lineno, name))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    name = getattr(item, "name", "")
                    private = name.startswith("_") and not name.startswith("__")
                    if private and name in skorch_net | torch_module:
                        uses.append((path.name, item.lineno, f"def {name}"))
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in ("skorch", "torch"):
                    for alias in node.names:
                        if alias.name.startswith("_"):
                            uses.append((path.name, node.lineno, alias.name))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in skorch_net and node.value.startswith("_"):
                    uses.append((path.name, node.lineno, node.value))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                # getattr(obj, "_name") reads a private attribute as well
                name = node.args[1].value
                if name.startswith("_") and not name.startswith("__"):
                    if name not in own or name in skorch_net | torch_module:
                        uses.append((path.name, node.lineno, name))
    return uses


def test_no_private_skorch_or_torch_attribute_is_used():
    trees = {path: ast.parse(path.read_text()) for path in sorted(DEEP.glob("*.py"))}
    uses = [use for use in _private_uses(trees) if use[2] not in ALLOWED]
    assert not uses, (
        "ltlearn.deep touches private skorch/torch names (use the public API, "
        f"or add the name to ALLOWED with the reason): {uses}"
    )


def test_the_scan_finds_private_access():
    source = (
        "class Net(NeuralNetClassifier):\n"
        "    def _set_training(self, training):\n"
        "        self._modules\n"
        "        net._initialize_criterion()\n"
        "        getattr(scheduler, '_schedulers', None)\n"
        "from torch.nn.modules.loss import _Loss\n"
    )
    uses = _private_uses({Path("x.py"): ast.parse(source)})
    assert {use[2] for use in uses} == {
        "def _set_training",
        "_modules",
        "_initialize_criterion",
        "_schedulers",
        "_Loss",
    }
