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
        (
            "np.bincount(smote.fit_resample(X_three, y_three)[1]).tolist()",
            [500, 250, 250],
        ),
        ("np.bincount(under.fit_resample(X_three, y_three)[1]).tolist()", [40, 40, 20]),
        ("series_scores", [0.72, 0.49]),
        (
            "list(wide_scores.values())",
            [0.53, 0.5, 0.8, 0.78, 0.91],
        ),
        (
            "pd.Series(size).value_counts().reindex(size.categories).tolist()",
            [255, 212, 33],
        ),
        (
            "pd.Series(size_res).value_counts().reindex(size.categories).tolist()",
            [255, 255, 255],
        ),
    ],
    "docs/user_guide/decomposition.rst": [
        ("cog.n_clusters_.tolist()", [3, 1]),
        ("cog.subclass_to_class_.tolist()", [0, 0, 0, 1]),
        ("cog_os.n_clusters_.tolist()", [1, 1]),
    ],
    "docs/user_guide/semi_supervised.rst": [
        ("crest.classes_.tolist()", list(range(10))),
        ("abs(crest.score(data.X_test, data.y_test) - 0.89) < 0.015", True),
        ("round(rule.score(data.X_test, data.y_test), 2)", 0.89),
        ("round(spreading.score(data.X_test, data.y_test), 2)", 0.79),
    ],
    "docs/user_guide/post_hoc.rst": [
        ("round(shifted.estimator_.score(X_new, y_new), 3)", 0.847),
        ("round(shifted.score(X_new, y_new), 3)", 0.913),
        ("[round(float(value), 2) for value in estimate]", [0.18, 0.32, 0.5]),
        ("month_scores", [0.531, 0.691, 0.741, 0.739]),
        ("round(float(y_last.mean()), 3), rules[2].tau_", (0.181, 1.6)),
        ("np.round(prior_past, 3).tolist()", [0.915, 0.085]),
        (
            "screening",
            {
                "roc_curve": [0.958, 0.26],
                "tuned": [0.925, 0.372],
                "youden rule": [0.783, 0.818],
                "youden roc": [0.733, 0.887],
            },
        ),
        ("round(float(youden_cut), 3)", 0.056),
        (
            "round(float(net_benefit), 3), round(float(treat_all), 3)",
            (0.022, -0.067),
        ),
        ("ppv_npv", {0.04: [0.365, 0.986], 0.01: [0.122, 0.997]}),
        (
            "saved",
            {
                "model": 0,
                "per row": 3852,
                "cost vector": 1694,
                "plug-in": 3118,
                "tuned": 2550,
            },
        ),
        ("round(float(mean_fraud)), round(float(profit_curve[99]))", (102, 3185)),
        ("int(y_eval[order][:100].sum()), int(flagged['per row'].sum())", (33, 350)),
        (
            "ordinal_scores",
            {
                "argmax": [0.381, 1.412],
                "distance": [0.359, 1.235],
                "distance / prior": [0.705, 0.898],
            },
        ),
        (
            "coverage",
            {
                "model": {
                    "new rows": [0.927, 0.84, 2.16],
                    "balanced": [0.833, 0.689, 2.47],
                    "per class": [0.929, 1.0, 8.57],
                },
                "adjusted": {
                    "new rows": [0.918, 0.84, 2.22],
                    "balanced": [0.857, 0.78, 2.41],
                    "per class": [0.935, 1.0, 8.66],
                },
            },
        ),
        ("pooled", [0.922, 0.953, 4.56]),
        ("logit_scores, tuned.tau_", ([0.714, 0.762, 0.769], 1.3)),
        (
            "np.array_equal(one_line, LogitAdjustedClassifier(given, "
            "prior=train_counts).fit(logits_val, y_val).predict(logits_eval))",
            True,
        ),
        ("np.bincount(y_cal)[-6:].tolist()", [8, 7, 6, 5, 5, 4]),
        ("oof_scores", {"model": (0.064, 0.886), "rule": (0.146, 0.867)}),
        (
            "[round(log_loss(y_gen[1500:], proba), 3) for proba in "
            "(ensemble.predict_proba(X_gen[1500:]), average)]",
            [0.219, 0.094],
        ),
        ("fault_scores", {"smote": 0.63, "score + smote": 0.974}),
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
        ("recall", {"a": 0.796, "b": 0.875, "c": 0.857}),
        ("intervals", {"a": [0.74, 0.85], "b": [0.75, 0.97], "c": [0.57, 1.0]}),
        ("synthetic", {"a": 2366, "b": 102}),
        ("group_within.value_counts().to_dict()", {"a": 3160, "b": 1736, "c": 572}),
        ("np.bincount(y_within).tolist()", [2734, 2734]),
        (
            "budget",
            {
                "lr": (0.456, 0.5, 0.5, 60),
                "class_weight": (0.144, 0.16, 0.16, 61),
                "smote": (0.173, 0.2, 0.2, 54),
                "rf": (0.589, 0.6, 0.6, 80),
            },
        ),
        ("forest_ties", (29, 7)),
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


# The Python calls of the resampling guide's table of R calls, with the counts
# of the R call on the guide's classes of 500, 60 and 20 samples (or 900 and
# 100): themis targets round(over_ratio * n_max) and floor(under_ratio *
# n_min) samples for each class below (above) it; DMwR's SMOTE makes
# floor(perc.over / 100) rows per minority row and draws perc.under / 100
# majority rows per new row; smotefamily's raises the smallest class to
# floor(n_rest / n_min) * n_min synthetic rows (dup_size = 0) or dup_size *
# n_min; mlr3's classbalancing repeats or drops rows to round(mean count) for
# every class.
_R_TABLE = [
    ("SMOTE()", (500, 60, 20), [500, 500, 500]),
    (
        "SMOTE(sampling_strategy=partial(over_ratio, ratio=0.5))",
        (500, 60, 20),
        [500, 250, 250],
    ),
    ("sampling_strategy=0.5", (900, 100), [900, 450]),
    (
        "RandomUnderSampler(sampling_strategy=partial(under_ratio, ratio=2))",
        (500, 60, 20),
        [40, 40, 20],
    ),
    ("RandomUnderSampler()", (500, 60, 20), [20, 20, 20]),
    ("RandomOverSampler()", (500, 60, 20), [500, 500, 500]),
    (
        "make_pipeline(SMOTE(sampling_strategy={1: 300}),"
        "RandomUnderSampler(sampling_strategy={0: 400}, replacement=True))",
        (900, 100),
        [400, 300],
    ),
    ("SMOTE(sampling_strategy={2: 560})", (500, 60, 20), [500, 60, 560]),
    ("SMOTE(sampling_strategy={2: 3 * 20})", (500, 60, 20), [500, 60, 60]),
    (
        "make_pipeline(RandomUnderSampler(sampling_strategy={0: 193}),"
        "RandomOverSampler(sampling_strategy={1: 193, 2: 193}))",
        (500, 60, 20),
        [193, 193, 193],
    ),
]


@pytest.mark.parametrize(("call", "counts", "expected"), _R_TABLE)
def test_the_table_of_r_calls_gives_their_counts(call, counts, expected):
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline
    from imblearn.under_sampling import RandomUnderSampler

    from ltlearn.over_sampling import SMOTE

    page = (ROOT / "docs" / "user_guide" / "resampling.rst").read_text()
    table = page[page.index("Coming from R") :]
    cells = re.sub(r"``\s*\n\s*``", "", table)  # a call over two lines
    assert f"``{call}``" in cells
    namespace = {}
    for block in _python_blocks(ROOT / "docs" / "user_guide" / "resampling.rst")[-1:]:
        exec(block, namespace)
    namespace.update(
        make_pipeline=make_pipeline,
        RandomOverSampler=RandomOverSampler,
        RandomUnderSampler=RandomUnderSampler,
        SMOTE=SMOTE,
    )
    if call.startswith("sampling_strategy="):
        call = f"SMOTE({call})"
    sampler = eval(call, namespace)
    for step in getattr(sampler, "steps", [(None, sampler)]):
        step[1].set_params(random_state=0)
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.random.RandomState(0).normal(size=(y.size, 2)) + y[:, None]
    assert np.bincount(sampler.fit_resample(X, y)[1]).tolist() == expected


@pytest.mark.skipif(not _HAS_DEEP, reason="needs the deep extra")
@pytest.mark.filterwarnings("ignore:A column-vector y was passed")
@pytest.mark.parametrize(
    "classes",
    [
        [5, 2, 9, 7],  # unsorted, 2 and 9 absent from y
        [2, 5, 5, 7, 9],  # a label given twice
        [[2], [5], [7], [9]],  # a column
        ["n02", "n05", "n07", "n09"],
    ],
)
def test_the_deep_guide_codes_of_y_for_given_classes(classes):
    # The codes of y that the deep guide gives make_shot_scorer when
    # classes names labels absent from y: those the classifier scores.
    import torch

    from ltlearn.deep import LongTailClassifier

    page = (ROOT / "docs" / "user_guide" / "deep.rst").read_text()
    prose = re.sub(r"\s*\n\s*", " ", page)
    expression = re.search(r"absent from ``y``, the codes are ``([^`]+)``", prose)[1]
    y = np.repeat(np.unique(classes)[[1, 2]], 3)  # the 2nd and 3rd labels
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    torch.set_num_threads(1)
    clf = LongTailClassifier(
        classes=classes, max_epochs=1, module__hidden_sizes=(), random_state=0
    ).fit(X, y)
    codes = eval(expression, {"np": np, "classes": classes, "y": y})
    assert (
        codes.tolist() == clf.label_encoder_.transform(y).tolist() == [1] * 3 + [2] * 3
    )
