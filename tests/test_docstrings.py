"""numpydoc validation of every public object's docstring."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import importlib.util
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import ltlearn  # noqa: E402

# Errors that fail the test: a parameter left undocumented, no Returns
# section, no Examples section, and a summary that is missing.
_CHECKED_ERRORS = {"PR01", "PR02", "RT01", "EX01", "SS01", "GL08"}
_SKIPPED_MODULES = {"__version__", "show_versions"}  # the latter: in utils


def _public_objects():
    for subpackage in ltlearn.__all__:
        if subpackage in _SKIPPED_MODULES:
            continue
        if subpackage == "deep" and importlib.util.find_spec("skorch") is None:
            continue  # the optional deep extra is absent
        module = importlib.import_module(f"ltlearn.{subpackage}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                yield f"ltlearn.{subpackage}.{name}"


@pytest.mark.parametrize("qualname", sorted(set(_public_objects())))
def test_docstring(qualname):
    result = numpydoc_validate.validate(qualname)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code in _CHECKED_ERRORS
    ]
    assert not errors, f"{qualname}:\n" + "\n".join(errors)
