"""The Python examples of the README, the installation page and the user guide run."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sklearn

ROOT = Path(__file__).resolve().parents[1]
_HAS_DEEP = all(importlib.util.find_spec(name) for name in ("torch", "skorch"))
_HAS_PANDAS = importlib.util.find_spec("pandas") is not None

# The pages whose examples take more than a second or two.
_SLOW = {"docs/user_guide/deep.rst"}
# What the pages say their examples give, as (expression, value).
_EXPECTED = {
    "docs/user_guide/resampling.rst": [
        ("PowerSamplingStrategy(q=0.5)(y)", {0: 400, 1: 200, 2: 100}),
        (
            "round(float(calibrated.predict_proba(X_test)[:, 1].mean()), 3)",
            0.037,
        ),
        ("round(float(y_test.mean()), 3)", 0.035),
    ],
    "docs/user_guide/decomposition.rst": [
        ("cog.n_clusters_.tolist()", [3, 1]),
        ("cog.subclass_to_class_.tolist()", [0, 0, 0, 1]),
        ("cog_os.n_clusters_.tolist()", [1, 1]),
    ],
    "docs/user_guide/semi_supervised.rst": [
        ("crest.classes_.tolist()", list(range(10))),
        ("abs(crest.score(data.X_test, data.y_test) - 0.89) < 0.015", True),
    ],
    "docs/user_guide/post_hoc.rst": [
        ("round(shifted.estimator_.score(X_new, y_new), 3)", 0.847),
        ("round(shifted.score(X_new, y_new), 3)", 0.913),
        ("[round(float(value), 2) for value in estimate]", [0.18, 0.32, 0.5]),
        ("month_scores", [0.531, 0.691, 0.741, 0.739]),
        ("round(float(y_last.mean()), 3), rules[2].tau_", (0.181, 1.6)),
        ("np.round(prior_past, 3).tolist()", [0.915, 0.085]),
        (
            "ordinal_scores",
            {
                "argmax": [0.381, 1.412],
                "distance": [0.359, 1.235],
                "distance / prior": [0.705, 0.898],
            },
        ),
    ],
    "docs/user_guide/recipes.rst": [
        ("resampled[-1].is_categorical_.tolist()", [False, False, False, True]),
        ("boosted.estimator_.is_categorical_.tolist()", [False, False, False, True]),
        ("int(boosted.estimator_.n_iter_) < 100", True),
        ("result.importances_mean.argsort()[::-1][:2].tolist()", [1, 0]),
        (
            "noise_scores",
            {
                "plain": [0.869, 0.767, 0.844, 0.552],
                "class_weight": [0.936, 0.931, 0.906, 0.775],
                "smote": [0.937, 0.928, 0.906, 0.772],
                "logit_adjustment": [0.933, 0.93, 0.905, 0.776],
                "cog_os": [0.915, 0.92, 0.739, 0.675],
                "recommended": [0.918, 0.915, 0.917, 0.757],
                "smote, skip_noise": [0.928, 0.923, 0.939, 0.754],
                "smote + Tomek": [0.938, 0.928, 0.907, 0.77],
                "smote + ENN": [0.931, 0.928, 0.892, 0.771],
                "cog_os, split_cv=2": [0.936, 0.931, 0.906, 0.775],
            },
        ),
        (
            "np.bincount(smote_enn.fit_resample(X_copies, y_copies)[1], "
            "minlength=2).tolist()",
            [85, 0],
        ),
    ],
    "docs/user_guide/metrics_datasets.rst": [
        ("len(list_keel())", 110),
        ("lt.class_counts[[0, 50, 99]].tolist()", [200, 19, 2]),
        ("abs(top1 - 0.51) < 0.01", True),
        ("abs(top5 - 0.805) < 0.01", True),
        ("abs(top5_tail - 0.658) < 0.01", True),
        ("round(bacc, 2), round(sensitivity, 3)", (0.92, 0.875)),
        ("round(float(low), 2), round(float(high), 2)", (0.78, 1.0)),
    ],
}


def _python_blocks(path):
    """The ``python`` code blocks of a Markdown or reStructuredText file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    blocks = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.fullmatch(r"(\s*)\.\. code-block:: python\s*", line)
        if match is None:
            continue
        indent, body = len(match.group(1)), []
        for next_line in lines[i + 1 :]:
            if next_line.strip() and len(next_line) - len(next_line.lstrip()) <= indent:
                break
            body.append(next_line)
        blocks.append(textwrap.dedent("\n".join(body)).strip("\n") + "\n")
    return blocks


def _pages():
    pages = ["README.md", "docs/install.rst"]
    pages += [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "docs" / "user_guide").glob("*.rst"))
    ]
    for page in pages:
        blocks = _python_blocks(ROOT / page)
        if not blocks:
            continue
        marks = [pytest.mark.slow] if page in _SLOW else []
        if not _HAS_PANDAS and any("import pandas" in block for block in blocks):
            marks.append(pytest.mark.skip(reason="needs pandas"))
        if page == "docs/user_guide/deep.rst" and not _HAS_DEEP:
            marks.append(pytest.mark.skip(reason="needs the deep extra"))
        yield pytest.param(page, marks=marks, id=page)


def _write_customers(directory):
    """The files of the ``--save-best`` example: customers.csv, new_customers.csv."""
    rng = np.random.RandomState(0)
    y = rng.rand(90) < 0.3
    rows = [
        f"{1000 + i},{rng.normal(40, 10):.1f},{'abc'[i % 3]},"
        f"{rng.normal(2 * y[i]):.3f},{'yes' if y[i] else 'no'}"
        for i in range(y.size)
    ]
    header = "customer_id,age,plan,spend"
    (directory / "customers.csv").write_text(
        "\n".join([f"{header},churned", *rows]) + "\n"
    )
    (directory / "new_customers.csv").write_text(
        "\n".join([header, *(row.rsplit(",", 1)[0] for row in rows[:5])]) + "\n"
    )


def _prepare(page, directory, namespace, capsys):
    """What a page's examples take from the reader: files, images."""
    if page == "docs/user_guide/command_line.rst":
        from ltlearn.cli import main

        _write_customers(directory)
        argv = "compare --data customers.csv --target churned --save-best churn.joblib"
        argv += " --methods plain class_weight --cv 2 --n-jobs 1 --no-progress"
        assert main(argv.split()) == 0
        assert "Saved:   churn.joblib (" in capsys.readouterr().out
    if page == "docs/user_guide/deep.rst":
        import torch

        torch.set_num_threads(1)
        # The stand-in for the CIFAR images of the last image example.
        rng = np.random.RandomState(0)
        namespace["X_images"] = rng.rand(6, 3, 32, 32).astype(np.float32)
        namespace["y"] = np.array([0, 0, 0, 1, 1, 2])


@pytest.mark.parametrize("page", list(_pages()))
def test_examples_of_the_page_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the files they write (the deep guide's params)
    namespace = {"__name__": "__main__"}
    _prepare(page, tmp_path, namespace, capsys)
    # A page's examples run in order in one namespace, as in a session; the
    # global configuration they set (metadata routing) is restored after.
    with sklearn.config_context():
        for number, block in enumerate(_python_blocks(ROOT / page), start=1):
            code = compile(block, f"{page}, example {number}", "exec")
            exec(code, namespace)
    for expression, expected in _EXPECTED.get(page, []):
        assert eval(expression, namespace) == expected, expression


def test_install_commands_install_ltlearn_from_a_clone():
    # ltlearn is installed from a clone of its repository, or from the wheel
    # built there (the installation page); the front page had a reader ask pip
    # for "ltlearn[plot]", which it looks for on a package index instead.
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]
    pages += sorted((ROOT / "docs" / "user_guide").glob("*.rst"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for command in re.findall(r"pip install ([^\n`&]*)", text):
            names = [arg.strip("\"'") for arg in command.split()]
            by_name = [name for name in names if re.match(r"ltlearn\b", name)]
            assert not by_name, f"{page.name}: pip install {command}"
