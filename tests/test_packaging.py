"""The distributions: what the wheel and the sdist carry, and whether they run."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import ltlearn
from ltlearn.datasets import list_keel

ROOT = Path(__file__).resolve().parents[1]

# What a checkout holds that no distribution carries (git, virtual environments,
# build outputs, caches, the generated documentation, compare's results).
_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".ci",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.py[cod]",
    ".pytest_cache",
    ".ruff_cache",
    "_build",
    "auto_examples",
    "generated",
    "sg_execution_times.rst",
    "ltlearn-results",
)
# Folders of the checkout that the sdist carries whole (the tests read the others).
_SDIST_FOLDERS = ("ltlearn", "tests", "benchmarks", "tools", "examples", "docs")
_SDIST_FILES = ("LICENSE", "README.md", "conftest.py", "pyproject.toml", "setup.cfg")
_BENCH_OUTPUT = "benchmarks/bench_keel_results.csv"


def _files(top):
    """The files below ``top``, as paths relative to its parent, with ``/``."""
    return {
        path.relative_to(top.parent).as_posix()
        for path in top.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """The source tree, copied, and the sdist and wheel built from it."""
    pytest.importorskip("setuptools", minversion="77")  # the build backend
    tmp = tmp_path_factory.mktemp("dists")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    # The output of bench_keel.py, as in a checkout where it ran (git ignores it).
    (source / _BENCH_OUTPUT).write_text("dataset,method,score\n")
    out = tmp / "out"
    code = (
        "import sys, setuptools.build_meta as backend; out = sys.argv[1];"
        "backend.build_sdist(out); backend.build_wheel(out)"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return source, sdist, wheel


@pytest.mark.slow
def test_wheel_carries_the_package_its_data_and_license(dists):
    source, _, wheel = dists
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"ltlearn-{ltlearn.__version__}.dist-info"
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        license_text = archive.read(f"{info}/licenses/LICENSE").decode()
    # Every module and data file, nothing else: no tests, benchmarks or caches.
    assert {name for name in names if not name.startswith(info)} == _files(
        source / "ltlearn"
    )
    data = {name for name in names if name.startswith("ltlearn/datasets/data/keel/")}
    assert len({name for name in data if name.endswith(".npz")}) == len(list_keel())
    assert "ltlearn/datasets/data/keel/keel_index.csv" in data
    assert "ltlearn/datasets/descr/keel.rst" in names

    assert license_text == (ROOT / "LICENSE").read_text()
    for field in (
        "License-Expression: BSD-3-Clause",
        "License-File: LICENSE",
        "Description-Content-Type: text/markdown",
        "Requires-Python: >=3.10",
        "Provides-Extra: deep",
    ):
        assert field in metadata.splitlines()
    assert "ltlearn = ltlearn.cli:main" in entry_points


@pytest.mark.slow
def test_sdist_carries_what_the_tests_read(dists):
    source, sdist, _ = dists
    top = f"ltlearn-{ltlearn.__version__}/"
    with tarfile.open(sdist) as archive:
        names = {member.name.removeprefix(top) for member in archive if member.isfile()}
    expected = set(_SDIST_FILES)
    for folder in _SDIST_FOLDERS:
        expected |= _files(source / folder)
    assert expected - names == {_BENCH_OUTPUT}  # all but the benchmark's output
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


@pytest.mark.slow
def test_unpacked_wheel_runs_outside_the_checkout(dists, tmp_path):
    # The wheel's own files, away from the checkout: the command line lists
    # the data sets and a loader reads one, from the package data alone (one
    # interpreter for both, to keep the test short).
    _, _, wheel = dists
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    code = (
        "import ltlearn; from ltlearn.cli import main;"
        "from ltlearn.datasets import load_keel; main(['datasets']);"
        "X, y = load_keel('ecoli1', return_X_y=True);"
        "print(ltlearn.__file__, X.shape, load_keel('ecoli1').DESCR[:20])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{len(list_keel())} data sets" in result.stdout
    assert f"{site / 'ltlearn' / '__init__.py'} (336, 7)" in result.stdout


# Run with -c, before the code under test: torch and skorch cannot be imported,
# as without the deep extra. (``sys.modules['torch'] = None`` would not do: SciPy
# then fails on getattr(None, 'Tensor').)
_WITHOUT_DEEP = """
import sys
from importlib.abc import MetaPathFinder

class Absent(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("torch", "skorch"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Absent())
"""


def test_deep_without_its_extra_names_the_extra():
    code = _WITHOUT_DEEP + (
        "try:\n    import ltlearn.deep\nexcept ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "No module named" in result.stdout
    assert "pip install 'ltlearn[deep]'" in result.stdout


# The default selection of recipes, of which only two run, to keep it short.
_TWO_RECIPES = """
from ltlearn._compare import _cli
resolve = _cli.resolve_methods

def two(names, models):
    recipes, skipped = resolve(names, models)
    return [r for r in recipes if r.name in ("plain", "class_weight")], skipped

_cli.resolve_methods = two
from ltlearn.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_compare_without_the_deep_extra_says_what_it_leaves_out(tmp_path):
    # The default comparison runs the other recipes and says which it left out
    # and which extra adds them.
    from ltlearn.recipes._registry import RECIPES

    args = ["compare", "--datasets", "zoo-3", "--cv", "2", "--n-jobs", "1"]
    args += ["--no-progress", "--output", str(tmp_path / "out")]
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_DEEP + _TWO_RECIPES, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    # The deep recipes of the default run (the MLP variants need --models mlp).
    deep = [
        name for name, recipe in RECIPES.items() if recipe.deep and not recipe.model
    ]
    (line,) = [line for line in out.splitlines() if line.startswith("Not run here")]
    assert line == (
        f"Not run here: {', '.join(deep)} (torch cannot be imported (No module "
        "named 'torch')); pip install 'ltlearn[deep]' adds them."
    )
    assert "class_weight" in out and "deep_ce " not in out


def test_version_directives_name_no_version_after_this_one():
    # ``loss`` was said to be renamed in 0.2 (removed in 0.4) and a parameter
    # added in 0.2, while the package is 0.1: what a docstring or a warning
    # dates must be this release or an earlier one.
    import re

    from packaging.version import Version

    release = Version(Version(ltlearn.__version__).base_version)
    pattern = re.compile(
        r"(?:versionadded|versionchanged|deprecated)::\s*(\d+\.\d+)"
        r"|renamed '\w+' in (\d+\.\d+)"
    )
    dated = []
    for path in sorted((ROOT / "ltlearn").rglob("*.py")):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            version = next(group for group in match.groups() if group)
            dated.append((path.name, version))
    assert dated, "no dated directive found: the pattern is out of date"
    late = [(name, v) for name, v in dated if Version(v) > release]
    assert not late, f"dated after {release}: {late}"


def test_user_guide_dates_deprecations_as_the_code_does():
    # The deep guide said ``loss=`` was the name before 0.2 and would be
    # removed in 0.4, while the warning and the docstring say 0.1 and 0.3.
    import re

    from packaging.version import Version

    release = Version(Version(ltlearn.__version__).base_version)
    removed = re.compile(r"removed\s+in\s+(\d+\.\d+)")
    before = re.compile(r"before\s+version\s+(\d+\.\d+)")
    in_code = set()
    for path in (ROOT / "ltlearn").rglob("*.py"):
        in_code.update(removed.findall(path.read_text(encoding="utf-8")))
    assert in_code, "no deprecation found: the pattern is out of date"
    in_guide, late = set(), []
    for path in sorted((ROOT / "docs" / "user_guide").rglob("*.rst")):
        text = path.read_text(encoding="utf-8")
        in_guide.update((path.name, v) for v in removed.findall(text))
        late += [(path.name, v) for v in before.findall(text) if Version(v) > release]
    assert in_guide, "no deprecation found in the user guide"
    assert {v for _, v in in_guide} <= in_code, (in_guide, in_code)
    assert not late, f"dated after {release}: {late}"
