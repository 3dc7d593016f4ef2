"""What a user of the peer libraries finds on ltlearn's estimators too."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.metadata
import subprocess
import sys

import ltlearn
from ltlearn.utils import show_versions
from ltlearn.utils._show_versions import _DEPENDENCIES, _OPTIONAL_DEPENDENCIES

# ----------------------------------------------------------------------------
# show_versions, as sklearn.show_versions and imblearn.show_versions


def test_show_versions_lists_ltlearn_and_every_dependency(capsys):
    show_versions()
    out = capsys.readouterr().out
    assert f"ltlearn: {ltlearn.__version__}" in out
    for package in [*_DEPENDENCIES, *_OPTIONAL_DEPENDENCIES]:
        assert f"{package}: " in out
    # the optional dependencies of the extras, named as the user installs them
    for package in ["torch", "skorch", "matplotlib", "pandas", "scikit-learn"]:
        installed = importlib.metadata.version(package)
        assert f"{package}: {installed}" in out
    assert "System:" in out and f"python: {sys.version.split()[0]}" in out
    assert "threadpoolctl info:" in out


def test_show_versions_top_level_is_the_utils_function():
    assert ltlearn.show_versions is show_versions
    assert "show_versions" in ltlearn.__all__ and "show_versions" in dir(ltlearn)


def test_show_versions_prints_none_for_a_missing_package(capsys, monkeypatch):
    real_version = importlib.metadata.version

    def version(package):
        if package == "torch":
            raise importlib.metadata.PackageNotFoundError(package)
        return real_version(package)

    monkeypatch.setattr("ltlearn.utils._show_versions.version", version)
    show_versions()
    out = capsys.readouterr().out
    assert "torch: None" in out
    assert f"skorch: {real_version('skorch')}" in out


def test_show_versions_github_markup(capsys):
    show_versions(github=True)
    out = capsys.readouterr().out
    assert out.startswith("<details>\n<summary>System, Dependency Information")
    assert out.rstrip().endswith("</details>")
    assert f"* ltlearn         : `{ltlearn.__version__}`" in out
    assert "**Optional dependencies**" in out
    assert "threadpoolctl info" not in out


def test_show_versions_does_not_import_torch():
    code = (
        "import sys, ltlearn; ltlearn.show_versions();"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert "torch: " in result.stdout
