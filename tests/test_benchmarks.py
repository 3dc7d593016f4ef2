"""The command lines and helpers of the scripts in benchmarks/."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(path.stem for path in BENCHMARKS.glob("bench_*.py"))


@pytest.fixture
def bench(monkeypatch):
    """Import a benchmark script by name, as ``python benchmarks/NAME.py`` does.

    A script sets thread variables of the environment when it is imported
    (``OMP_NUM_THREADS=1`` for the libraries it loads next): the environment
    is put back after the test, so that they reach no later test.
    """
    monkeypatch.syspath_prepend(str(BENCHMARKS))

    def load(name):
        if name in ("bench_deep", "bench_deep_rules", "bench_cifar_lt"):
            pytest.importorskip("torch")  # the deep extra
            pytest.importorskip("skorch")
        return importlib.import_module(name)

    with mock.patch.dict(os.environ):
        yield load


@pytest.mark.parametrize("name", SCRIPTS)
def test_help(bench, name, monkeypatch, capsys):
    module = bench(name)
    monkeypatch.setattr(sys, "argv", [f"{name}.py", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        module.main()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {name}.py")
    assert " ".join(module.__doc__.splitlines()[0].split()[:3]) in " ".join(out.split())
    assert "option_strings" not in out  # what an unescaped % in a help prints


@pytest.mark.parametrize(
    "name, argv, message",
    [
        ("bench_cifar_lt", ["--methods", "ce,nosuch"], "--methods: unknown ['nosuch']"),
        ("bench_cifar_lt", ["--dataset", "cifar1000"], "argument --dataset"),
        ("bench_cifar_lt", ["--device", "gpu"], "--device: Expected one of cpu"),
        (
            "bench_cifar_lt",
            ["--root", "/nonexistent_ltlearn"],
            "--root: /nonexistent_ltlearn/cifar-10-batches-py/data_batch_1 not found",
        ),
        (
            "bench_cifar_lt",
            ["--root", "/nonexistent_ltlearn", "--n-max", "50"],
            "--n-max: must be at least 100, the imbalance ratio, got 50",
        ),
        ("bench_cifar_lt", ["--n-max", "99"], "--n-max: must be at least 100"),
        ("bench_cifar_lt", ["--seed", "-1"], "--seed: must be in [0, 2**32 - 1]"),
        ("bench_cifar_lt", ["--seed", str(2**32)], "--seed: must be in [0, 2**32"),
        ("bench_cifar_lt", ["--seed", "1.5"], "--seed: not a whole number: '1.5'"),
        ("bench_deep_rules", ["--datasets", "IF50"], "--datasets: unknown ['IF50']"),
        ("bench_deep_rules", ["--seeds", "0"], "--seeds: must be at least 1, got 0"),
        ("bench_deep_rules", ["--first-seed", "-1"], "--first-seed: must be 0 or"),
        (
            "bench_deep_rules",
            ["--first-seed", str(2**32 - 1), "--seeds", "2"],
            "--first-seed: the last seed, 4294967296, must be at most 2**32 - 1",
        ),
        ("bench_deep", ["--rounds", "-1"], "--rounds: must be at least 1, got -1"),
        ("bench_deep", ["--epoch-scale", "inf"], "--epoch-scale: must be a finite"),
        ("bench_post_hoc", ["--seeds", "0"], "--seeds: must be at least 1"),
        ("bench_post_hoc", ["--sets", "3"], "--sets: only with --part search"),
        (
            "bench_post_hoc",
            ["--part", "classes", "--seeds", "3"],
            "--seeds: only with --part multiclass or all",
        ),
        ("bench_keel", ["--quick", "--repeats", "0"], "--repeats: must be at least 1"),
        ("bench_keel", ["--folds", "1"], "--folds: cross-validation needs at least 2"),
        ("bench_keel", ["--quick", "--half", "odd"], "--half: not with --quick"),
        ("bench_keel", ["--n-jobs", "0"], "--n-jobs: 0 runs nothing"),
        (
            "bench_keel",
            ["--quick", "--sections", "keel", "--methods", "lr_balanced"]
            + ["--cache", "/nonexistent_ltlearn/results.csv"],
            "--cache: /nonexistent_ltlearn/results.csv cannot be written (no writable "
            "folder /nonexistent_ltlearn)",
        ),
        ("bench_cog", ["--repeats", "two"], "invalid positive_int value: 'two'"),
        ("bench_smote", ["--repeat", "0"], "--repeat: must be at least 1"),
        ("bench_smotenc", ["--minority", "1.5"], "--minority: must lie in (0, 0.5)"),
        ("bench_smotenc", ["--rows", "0"], "--rows: must be at least 1"),
        ("bench_cifar_lt", ["--epochs", "0"], "--epochs: must be at least 1"),
        ("bench_cog", ["--sets", "glass1", "nosuch"], "--sets: unknown ['nosuch']"),
        ("bench_cog", ["--quick", "--sets", "glass1"], "not with --quick"),
        ("bench_cog", ["--quick", "--all"], "--all: only with the default list"),
        (
            "bench_cog",
            ["--predict-scale", "10", "--quick", "--repeats", "1"],
            "--predict-scale: runs alone, not with --quick --repeats",
        ),
        ("bench_smotenc", ["--keel", "--datasets", "glass1"], "['glass1'] are not"),
        ("bench_smotenc", ["--datasets", "german"], "--datasets: only with --keel"),
        ("bench_smotenc", ["--models", "rf"], "--models: only with --keel"),
        ("bench_smote", ["--budget", "-1"], "--budget: must be 0 or more, got -1.0"),
        ("bench_smote", ["--budget", "nan"], "--budget: must be 0 or more, got nan"),
        ("bench_compare_load", ["--rows", "1"], "--rows: must be at least 2, got 1"),
        ("bench_latency", ["--repeat", "0"], "--repeat: must be at least 1, got 0"),
        (
            "bench_latency",
            ["--cases", "SMOTE", "nosuch"],
            "--cases: unknown ['nosuch']; choose among ['ThresholdMovingClassifier',",
        ),
    ],
)
def test_bad_flag_is_a_usage_error(bench, name, argv, message, capsys):
    """A bad flag stops the script before any work, with one line naming it."""
    with pytest.raises(SystemExit) as exit_info:
        bench(name).main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage:")
    assert message in err.splitlines()[-1]


# The functions of a script that do its work, replaced in the tests of its
# usage errors so that a run that goes on fails at once.
WORK = {
    "bench_deep": ["run_predict", "run_quality", "run_speed"],
    "bench_smotenc": ["run_keel", "_run"],
    "bench_cifar_lt": ["synthetic_cifar_lt", "plain_loop"],
    "bench_keel": ["run_keel", "run_long_tail"],
    "bench_cog": ["time_predict_scale", "_evaluate"],
}


@pytest.mark.parametrize(
    "name, argv, message",
    [
        ("bench_deep", ["--predict", "10", "--seeds", "2"], "--predict: runs alone"),
        ("bench_deep", ["--skip-quality", "--skip-speed"], "nothing left to run"),
        (
            "bench_deep",
            ["--skip-quality", "--datasets", "IF10", "--epoch-scale", "2"],
            "--epoch-scale --datasets: the quality tables, not with --skip-quality",
        ),
        ("bench_deep", ["--skip-speed", "--rounds", "3"], "--rounds: the speed table"),
        (
            "bench_smotenc",
            ["--keel", "--rows", "5", "--minority", "0.3"],
            "--rows --minority: the generated data, not with --keel",
        ),
        ("bench_smotenc", ["--keel", "--min=0.05"], "--minority: the generated data"),
        (
            "bench_cog",
            ["--predict-scale", "10", "--sets", "--repeats", "5"],
            "--predict-scale: runs alone, not with --sets --repeats",
        ),
        (
            "bench_cifar_lt",
            ["--dataset", "cifar100", "--n-max", "100"],
            "--dataset: a data set of --root, not with the synthetic data",
        ),
        (
            "bench_cifar_lt",
            ["--dataset", "cifar100", "--root", "/nonexistent", "--synthetic"],
            "--dataset: a data set of --root, not with the synthetic data",
        ),
        (
            "bench_keel",
            ["--sections", "digits_lt", "long_tail", "--half", "odd", "--folds", "3"],
            "--half --folds: the KEEL section, not with --sections digits_lt long_tail",
        ),
        (
            "bench_keel",
            ["--quick", "--sections", "digits_lt", "--repeats", "2"],
            "--repeats: the KEEL section, not with --sections digits_lt",
        ),
    ],
)
def test_option_the_run_ignores_is_a_usage_error(bench, name, argv, message, capsys):
    """An option that the chosen run would ignore stops the script before any work."""
    module = bench(name)
    with mock.patch.multiple(
        module,
        **{work: mock.Mock(side_effect=AssertionError(work)) for work in WORK[name]},
    ):
        with pytest.raises(SystemExit) as exit_info:
            module.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err.splitlines()[-1]


def test_smotenc_worker_failure_shows_its_error(bench, monkeypatch, capsys):
    """A failed worker process stops the run with the worker's own traceback."""
    module = bench("bench_smotenc")

    def failed_run(args, **kwargs):
        return subprocess.CompletedProcess(args, 1, "", "ValueError: n_neighbors\n")

    monkeypatch.setattr(module.subprocess, "run", failed_run)
    with pytest.raises(SystemExit, match="the imblearn worker failed on 10 rows"):
        module._run("imblearn", 10, 0.05)
    assert "ValueError: n_neighbors" in capsys.readouterr().err


def test_compare_load_worker_failure_shows_its_error(bench, tmp_path, capsys):
    """It failed with "CalledProcessError: ... returned non-zero exit status 1"."""
    module = bench("bench_compare_load")
    missing = tmp_path / "table_20.csv"
    with pytest.raises(SystemExit, match="the load_table worker failed on table_20"):
        module._peak_in_subprocess("load_table", missing)
    assert "table_20.csv': no such file" in capsys.readouterr().err


def test_keel_cache_line_cut_short(bench, tmp_path):
    """A cache line cut short is not read back, nor run into by the next row."""
    module = bench("bench_keel")
    path = tmp_path / "cache.csv"

    def row(dataset):
        return dict(
            protocol="1x2",
            dataset=dataset,
            method="brf",
            config="abc",
            balanced_accuracy=0.75,
            g_mean=0.5,
            fit_seconds=0.25,
        )

    module._append(str(path), row("glass4"))
    module._append(str(path), row("haberman"))
    text = path.read_bytes()
    path.write_bytes(text[: -len(b"0.25,\r\n")])  # killed within fit_seconds
    module._append(str(path), row("pima"))
    assert set(module.read_cache(str(path), "1x2")) == {
        ("glass4", "brf"),
        ("pima", "brf"),
    }
    # a complete line whose newline was lost is read back, error-free
    path.write_bytes(text[: -len(b"\r\n")])
    module._append(str(path), row("pima"))
    rows = module.read_cache(str(path), "1x2")
    assert len(rows) == 3
    assert all(r["error"] == "" and r["fit_seconds"] == 0.25 for r in rows.values())


def test_keel_cache_rows_of_another_method_are_left_alone(bench, tmp_path):
    """Cached rows of a method or a set the script no longer has are not read."""
    module = bench("bench_keel")
    path = tmp_path / "cache.csv"
    for dataset, method in [("glass4", "lr_weighted"), ("no_such_set", "brf")]:
        module._append(
            str(path),
            dict(protocol="1x2", dataset=dataset, method=method, config="abc")
            | dict(balanced_accuracy=0.75, g_mean=0.5, fit_seconds=0.25),
        )

    def evaluate(name, method, n_repeats, n_splits):
        scores = dict(balanced_accuracy=0.5, g_mean=0.5, fit_seconds=0.1)
        return dict(dataset=name, method=method, error="") | scores

    with mock.patch.object(module, "evaluate_keel", evaluate):
        rows = module.run_keel(["glass4"], ["brf"], 1, 2, n_jobs=1, cache=str(path))
    assert list(rows) == [("glass4", "brf")]
    assert len(module.read_cache(str(path), "1x2")) == 3  # the others kept


def test_keel_cache_row_has_the_config_of_the_code_it_ran(bench, monkeypatch, tmp_path):
    """A source edited while a row runs does not make the row look done."""
    module = bench("bench_keel")
    path = tmp_path / "cache.csv"
    versions = ["numpy 1"]
    monkeypatch.setattr(module, "_versions", lambda: versions[-1])

    def evaluate(name, method, n_repeats, n_splits):
        versions.append("numpy 2")  # the code changes while the row runs
        scores = dict(balanced_accuracy=0.5, g_mean=0.5, fit_seconds=0.1)
        return dict(dataset=name, method=method, error="") | scores

    monkeypatch.setattr(module, "evaluate_keel", evaluate)
    module.run_keel(["glass4"], ["brf"], 1, 2, n_jobs=1, cache=str(path))
    (row,) = module.read_cache(str(path), "1x2").values()
    assert row["config"] != module._config("glass4", "brf")  # it runs again


def test_keel_cache_row_of_a_failed_fit_cut_short_runs_again(bench, tmp_path):
    """A cut inside or before the error of a failed fit does not look done.

    Such a row was read back as finished: with its message cut short, or,
    cut just before it, as a fit that ran, with NaN scores in the table.
    """
    module = bench("bench_keel")
    path = tmp_path / "cache.csv"
    common = dict(protocol="1x2", method="smote_lr", config="abc")
    scores = dict(balanced_accuracy=0.75, g_mean=0.5, fit_seconds=0.25)
    module._append(str(path), dict(common, dataset="glass4", **scores))
    module._append(str(path), dict(common, dataset="pima", error="ValueError: k"))
    failed = dict(common, dataset="haberman", error="ValueError: a, b")
    module._append(str(path), failed)
    text = path.read_bytes()
    assert len(module.read_cache(str(path), "1x2")) == 3
    for cut in (b'a, b"\r\n', b'"ValueError: a, b"\r\n'):
        path.write_bytes(text[: -len(cut)])
        assert set(module.read_cache(str(path), "1x2")) == {
            ("glass4", "smote_lr"),
            ("pima", "smote_lr"),
        }
        module._append(str(path), dict(common, dataset="iris", error="E"))
        assert ("haberman", "smote_lr") not in module.read_cache(str(path), "1x2")
    # the line end alone lost: the error may be whole or not, so it runs again
    path.write_bytes(text[: -len(b"\r\n")])
    assert ("haberman", "smote_lr") not in module.read_cache(str(path), "1x2")
    path.write_bytes(text[: -len(b"\n")])  # only its \n: the row is whole
    assert module.read_cache(str(path), "1x2")["haberman", "smote_lr"]["error"] == (
        "ValueError: a, b"
    )
    # cut inside a character of the message: it ran into UnicodeDecodeError
    module._append(str(path), dict(common, dataset="iris", error="k ≥ 6"))
    path.write_bytes(path.read_bytes()[: -len(b" 6\r\n") - 1])  # inside "≥"
    assert ("iris", "smote_lr") not in module.read_cache(str(path), "1x2")
    assert len(module.read_cache(str(path), "1x2")) == 3
    assert module.cache_problem(str(path)) is None


def test_keel_cache_header_cut_short_is_written_again(bench, tmp_path):
    """A cache whose first write was cut inside its header keeps later rows.

    The rows were appended under the cut header and never read back, so
    every run fitted them all again.
    """
    module = bench("bench_keel")
    path = tmp_path / "cache.csv"
    header = ",".join(module.CACHE_FIELDS)
    for text in ("", header + "\r\n", header + "\r", "protocol,dataset,met"):
        path.write_text(text, newline="")
        assert module.cache_problem(str(path)) is None, text
    row = dict(protocol="1x2", dataset="glass4", method="brf", config="abc")
    scores = dict(balanced_accuracy=0.75, g_mean=0.5, fit_seconds=0.25)
    module._append(str(path), dict(row, **scores))
    module._append(str(path), dict(row, dataset="pima", error="E"))
    assert set(module.read_cache(str(path), "1x2")) == {
        ("glass4", "brf"),
        ("pima", "brf"),
    }


def test_keel_cache_config_follows_library_versions(bench, monkeypatch):
    """Rows cached under another scikit-learn are run again, not reused."""
    module = bench("bench_keel")
    config = module._config("glass4", "lr_balanced")
    assert module._config("glass4", "lr_balanced") == config
    assert module._config("glass4", "lr_balanced") != module._config("glass4", "brf")
    monkeypatch.setattr(module, "_versions", lambda: "scikit-learn 0.0")
    assert module._config("glass4", "lr_balanced") != config


def test_keel_cache_config_follows_the_helpers_of_a_class(bench, monkeypatch):
    """A change in a module the recipe's class imports reruns its rows.

    The plug-in search lives in ``post_hoc/_search.py``, which
    ``PluginEnsembleClassifier``'s module imports; rows cached before a
    change there were reused as done.
    """
    module = bench("bench_keel")
    helpers = module._ltlearn_modules("ltlearn.ensemble._plugin_ensemble")
    assert "ltlearn.post_hoc._search" in helpers
    assert "ltlearn.deep.net" not in helpers  # only what it imports
    config = module._config("glass4", "recommended")
    brf = module._config("glass4", "brf")
    getsource = module.inspect.getsource

    def edited(obj):
        text = getsource(obj)
        if getattr(obj, "__name__", "") == "ltlearn.post_hoc._search":
            text += "\n# edited\n"
        return text

    monkeypatch.setattr(module.inspect, "getsource", edited)
    assert module._config("glass4", "recommended") != config
    assert module._config("glass4", "brf") == brf


def test_missing_extra_is_one_line(bench, monkeypatch):
    """A benchmark whose optional peer is not installed says which extra it needs."""
    common = bench("_common")
    common.require("deep", "numpy")  # installed: nothing happens
    with pytest.raises(SystemExit) as exit_info:
        common.require("deep", "numpy", "no_such_module_ltlearn")
    assert exit_info.value.code == (
        "This benchmark needs no_such_module_ltlearn, not installed here: "
        "pip install 'ltlearn[deep]'"
    )


def test_deep_quick_keeps_the_flags_given(bench, monkeypatch):
    """--quick sets the defaults; the flags given still apply."""
    module = bench("bench_deep")
    calls = []
    monkeypatch.setattr(
        module, "run_quality", lambda *args: calls.append(args) or ({}, {})
    )
    monkeypatch.setattr(module, "run_speed", lambda **kw: calls.append(kw))
    monkeypatch.setattr(module, "time_resnet32_gpu", lambda **kw: None)
    module.main(["--quick", "--datasets", "synthetic", "--rounds", "3"])
    assert calls == [
        (range(1), 0.1, ["synthetic 100-class IF100"]),
        {"epochs": 1, "repeat": 3},
    ]
    calls.clear()
    module.main(["--skip-speed", "--seeds", "2"])
    datasets = ["digits-LT IF10", "digits-LT IF50", "digits-LT IF50 shifted"]
    assert calls == [(range(2), 1.0, [*datasets, "synthetic 100-class IF100"])]


def test_deep_predict_few_rows_keeps_the_classes(bench, capsys):
    """--predict N below the 20,000 training rows times the 1,000 classes."""
    module = bench("bench_deep")
    module.torch.set_num_threads(1)
    module.run_predict(100)
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("## predict_proba on 100 rows of 1000 classes")
    header = [cell.strip() for cell in lines[start + 2].split("|")]
    for line in lines[start + 4 : start + 6]:
        row = dict(zip(header, (cell.strip() for cell in line.split("|"))))
        assert float(row["output MiB"]) == pytest.approx(
            100 * 1000 * 4 / 2**20, rel=1e-3
        )
        if row["predict_proba"] == "plain PyTorch loop":
            # the reference against itself, whatever its (small) peak
            assert float(row["memory ratio"]) == 1


def test_keel_quick_runs_the_sections_asked(bench, monkeypatch):
    module = bench("bench_keel")
    calls = []
    monkeypatch.setattr(module, "run_long_tail", lambda *args: calls.append(args))
    argv = "--quick --sections long_tail --methods lr_balanced".split()
    module.main([*argv, "--cache", ""])
    assert calls == [("long_tail", ["lr_balanced", "brf"], [0], 1)]


def test_keel_a_method_named_twice_is_one_column(bench, monkeypatch):
    """A method named twice in --methods runs once and ranks once."""
    module = bench("bench_keel")
    scores = {"brf": [0.9, 0.8, 0.7], "lr_balanced": [0.8, 0.9, 0.6]}

    def run_keel(names, methods, *args, **kwargs):
        return {
            (name, method): {
                "balanced_accuracy": scores[method][i],
                "g_mean": scores[method][i],
                "fit_seconds": 1.0,
                "error": "",
            }
            for i, name in enumerate(names)
            for method in methods
        }

    monkeypatch.setattr(module, "run_keel", run_keel)
    argv = "--quick --sections keel --methods lr_balanced lr_balanced".split()
    table = module.main([*argv, "--cache", ""])["keel"]["quick"]
    assert [row["method"] for row in table] == ["brf", "lr_balanced"]
    # brf is first on two of the three sets: ranks 1, 2, 1
    assert table[0]["mean rank"] == pytest.approx(4 / 3)


def test_smotenc_keel_a_set_named_twice_is_one_row(bench, monkeypatch):
    module = bench("bench_smotenc")
    calls = []
    monkeypatch.setattr(module, "run_keel", lambda names, model: calls.append(names))
    monkeypatch.setattr(module, "print_keel", lambda rows, model: None)
    module.main(["--keel", "--datasets", "german", "flare-F", "german"])
    assert calls == [["german", "flare-F"]]


def test_cog_a_set_named_twice_runs_once(bench, monkeypatch, capsys):
    module = bench("bench_cog")
    runs = []

    def evaluate(X, y, n_repeats, seed):
        runs.append(len(y))
        return {m: {"ba": 0.5, "f1": 0.5, "time": 1.0} for m in module.METHODS}

    monkeypatch.setattr(module, "_evaluate", evaluate)
    module.main("--sets glass1 glass4 glass1 --repeats 1 --no-digits".split())
    assert len(runs) == 2
    assert "## All 2 data sets" in capsys.readouterr().out


def test_smotenc_keel_a_model_named_twice_runs_once(bench, monkeypatch):
    module = bench("bench_smotenc")
    calls = []
    monkeypatch.setattr(module, "run_keel", lambda names, model: calls.append(model))
    monkeypatch.setattr(module, "print_keel", lambda rows, model: None)
    module.main(["--keel", "--datasets", "german", "--models", "lr", "rf", "lr"])
    assert calls == ["lr", "rf"]


def _table_row(out, header, line):
    """The cells of line ``line`` of ``out`` by the names on line ``header``."""
    lines = out.splitlines()
    names = [cell.strip() for cell in lines[header].split("|")]
    return dict(zip(names, (cell.strip() for cell in lines[line].split("|"))))


def test_post_hoc_multiclass_gains_are_in_points(bench, monkeypatch, capsys):
    module = bench("bench_post_hoc")
    makers = {"plain LR": module.MULTICLASS["plain LR"]}
    makers["balanced LR"] = module.MULTICLASS["balanced LR"]
    monkeypatch.setattr(module, "MULTICLASS", makers)
    module.bench_multiclass(quick=True, n_seeds=1)
    row = _table_row(capsys.readouterr().out, 3, 6)
    assert row["estimator"] == "balanced LR"
    gain = float(row["BA - plain (points)"])
    assert gain > 1  # points, not a fraction
    assert float(row["min BA gain (points)"]) == pytest.approx(gain, abs=1e-3)


def test_post_hoc_search_of_one_set_has_no_standard_error(bench, monkeypatch, capsys):
    """``--sets 1`` printed nan as the standard error of one difference."""
    module = bench("bench_post_hoc")

    def one_set(sets, makers, metrics, n_splits):
        scores = {"PluginClassifier": [0.7], "TunedThresholdCV": [0.6]}
        results = {
            name: {"score": [value], "BA": [value]} for name, [value] in scores.items()
        }
        return results, dict.fromkeys(makers, 0.1), 1

    monkeypatch.setattr(module, "_cross_validate", one_set)
    module.bench_search(quick=True, n_sets=1)
    row = _table_row(capsys.readouterr().out, 3, 5)
    assert row["estimator"] == "PluginClassifier"
    assert float(row["exact - grid (points)"]) == pytest.approx(10)
    assert row["+- 2 s.e."] == "-"


def test_smotenc_keel_summary_names_its_time_ratio(bench, capsys):
    module = bench("bench_smotenc")
    rows = [
        {"data set": f"d{i}", "categorical": 1}
        | {
            f"{way} {what}": 0.8
            for way in ("smote-nc", "smote one-hot")
            for what in ("BA", "G")
        }
        | {"smote-nc s": 3.0, "smote one-hot s": 1.0}
        for i in range(2)
    ]
    module.print_keel(rows, "lr")
    header, _, summary = capsys.readouterr().out.splitlines()[-3:]
    cells = dict(zip(header.split("|"), summary.split("|")))
    cells = {key.strip(): value for key, value in cells.items()}
    assert float(cells["fit s smote-nc / one-hot"]) == 3.0  # smote-nc's 3 s over 1


def test_smotenc_keel_wilcoxon_p_value_leaves_the_ties_out(bench, capsys):
    # d5 ties up to rounding error (0.1 + 0.2 + 0.3 against 0.6) and the
    # differences of a tenth take one rank: the p-value is that of the
    # differences of 1, 1, -1, 4 and 1 tenths, whatever the SciPy (1.11 took
    # the normal approximation when a zero was passed)
    from scipy.stats import wilcoxon

    module = bench("bench_smotenc")
    ours = [0.3, 0.7, 0.5, 0.9, 0.2, 0.1 + 0.2 + 0.3]
    theirs = [0.2, 0.6, 0.6, 0.5, 0.1, 0.6]
    rows = [
        {"data set": f"d{i}", "categorical": 1, "smote-nc s": 1.0}
        | {"smote one-hot s": 1.0, "smote-nc BA": a, "smote one-hot BA": b}
        | {"smote-nc G": a, "smote one-hot G": b}
        for i, (a, b) in enumerate(zip(ours, theirs))
    ]
    module.print_keel(rows, "lr")
    header, _, summary = capsys.readouterr().out.splitlines()[-3:]
    cells = dict(zip(header.split("|"), summary.split("|")))
    cells = {key.strip(): value.strip() for key, value in cells.items()}
    assert cells["W/T/L"] == "4/1/1"
    p_value = wilcoxon([1, 1, -1, 4, 1]).pvalue
    assert float(cells["Wilcoxon p"]) == pytest.approx(p_value, abs=5e-4)


def test_print_table_cells(bench, capsys):
    common = bench("_common")
    assert common.format_cell(None) == "-"
    assert common.format_cell(np.float64(2 / 3)) == "0.6667"
    common.print_table([{"method": "ce", "few": None}], ["method", "few", "top1"])
    assert capsys.readouterr().out.splitlines()[-1].split() == ["ce", "|", "-", "|"]


def test_peak_ratio_counts_small_peaks_as_one_mib(bench):
    common = bench("_common")
    assert common.peak_ratio(0.2, 0.5) == 1  # two peaks too small to measure
    assert common.peak_ratio(0.0, 0.0) == 1  # a row against itself
    assert common.peak_ratio(6.0, 0.5) == 6
    assert common.peak_ratio(0.5, 4.0) == 0.25


def test_wilcoxon_p_leaves_out_the_differences_of_rounding_error(bench):
    from scipy.stats import wilcoxon

    common = bench("_common")
    differences = common.paired_differences(
        [0.6, 0.9, 0.5], [0.1 + 0.2 + 0.3, 0.8, 0.7]
    )
    np.testing.assert_array_equal(differences, [0, 0.1, -0.2])
    assert common.wilcoxon_p(differences) == wilcoxon([0.1, -0.2]).pvalue
    assert common.wilcoxon_p(differences[:1]) == 1.0  # ties only


def test_smotenc_memory_ratio_counts_small_peaks_as_one_mib(bench, monkeypatch, capsys):
    """The documented rule: a peak under 1 MiB counts as 1 MiB, on both sides."""
    module = bench("bench_smotenc")
    peaks = {"ltlearn": 0.5, "imblearn": 0.2}
    monkeypatch.setattr(
        module,
        "_run",
        lambda method, n_rows, minority: {
            "seconds": 1.0,
            "peak": peaks[method],
            "rows": n_rows,
        },
    )
    module.main(["--rows", "100"])
    header, _, row = capsys.readouterr().out.splitlines()[-3:]
    cells = dict(zip(header.split("|"), row.split("|")))
    assert float({k.strip(): v for k, v in cells.items()}["mem ratio"]) == 1


@pytest.mark.parametrize("error", [ValueError, MemoryError])
def test_keel_only_a_failure_of_the_method_is_a_row(bench, monkeypatch, error):
    module = bench("bench_keel")

    class Failing:
        def fit(self, X, y):
            raise error("cannot fit")

    monkeypatch.setattr(module, "make_pipeline", lambda *args, **kwargs: Failing())
    if error is MemoryError:
        with pytest.raises(MemoryError):
            module.evaluate_keel("glass4", "brf", 1, 2)
    else:
        row = module.evaluate_keel("glass4", "brf", 1, 2)
        assert row["error"] == "ValueError: cannot fit"


def test_keel_wilcoxon_p_value_is_that_of_the_differences_w_t_l_counts(bench):
    # d5 is a tie in W/T/L (0.1 + 0.2 + 0.3 against 0.6) but was a difference
    # in the test, and the differences of a tenth took four ranks: p = 0.156,
    # where the differences of 1, 1, -1, 4 and 1 tenths give 0.3125.
    from scipy.stats import wilcoxon

    module = bench("bench_keel")
    ours = [0.3, 0.7, 0.5, 0.9, 0.2, 0.1 + 0.2 + 0.3]
    reference = [0.2, 0.6, 0.6, 0.5, 0.1, 0.6]
    rows = {}
    for i, scores in enumerate(zip(ours, reference)):
        for method, score in zip(["recommended", "brf"], scores):
            rows[f"d{i}", method] = {
                "balanced_accuracy": score,
                "g_mean": score,
                "fit_seconds": 1.0,
                "error": "",
            }
    names = [f"d{i}" for i in range(6)]
    table, _, _ = module.keel_table(rows, names, ["recommended", "brf"])
    assert table[0]["W/T/L vs brf"] == "4/1/1"
    assert table[0]["Wilcoxon p"] == pytest.approx(wilcoxon([1, 1, -1, 4, 1]).pvalue)


@pytest.mark.parametrize("function", ["evaluate_keel", "_scores"])
def test_keel_cache_config_follows_the_evaluation(bench, monkeypatch, function):
    """Rows cached before a change of the folds, seeds or scores run again."""
    module = bench("bench_keel")
    config = module._config("glass4", "brf")
    getsource = module.inspect.getsource

    def edited(obj):
        text = getsource(obj)
        return text + "# edited\n" if obj is getattr(module, function) else text

    monkeypatch.setattr(module.inspect, "getsource", edited)
    assert module._config("glass4", "brf") != config


def test_keel_cache_config_follows_the_data(bench, monkeypatch):
    """Rows cached for other rows of a data set are run again, not reused."""
    module = bench("bench_keel")
    module._data.cache_clear()
    config = module._config("glass4", "brf")
    data = module.load_embedded("glass4")
    X = data.X.copy()
    X[0, 0] += 1.0
    changed = SimpleNamespace(X=X, y=data.y, preprocessing=data.preprocessing)
    monkeypatch.setattr(module, "load_embedded", lambda name: changed)
    module._data.cache_clear()
    try:
        assert module._config("glass4", "brf") != config
    finally:
        module._data.cache_clear()


def test_smotenc_peak_counts_memory_freed_before():
    """Memory freed before the fit and used again by it counts in its peak."""
    if not os.access("/proc/self/clear_refs", os.W_OK):
        pytest.skip("the resident high-water mark cannot be reset here")
    # In a fresh process: in the suite's, other threads (and the heap the
    # earlier tests left) move the resident size while the call runs.
    code = (
        "import numpy as np, bench_smotenc as m\n"
        "np.ones(80 * 2**17).sum()  # 80 MiB: raises the high-water mark, then freed\n"
        "total, peak = m.peak_rss_mib(lambda: np.ones(40 * 2**17).sum())\n"
        "print(total, peak)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCHMARKS), *sys.path])}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    total, peak = map(float, out.stdout.split())
    assert total == 40 * 2**17
    assert 35 < peak < 80


def test_smotenc_peak_in_mib_on_macos(bench, monkeypatch):
    """``ru_maxrss`` is in bytes on macOS (KiB on Linux): both read as MiB."""
    module = bench("bench_smotenc")
    usage = SimpleNamespace(ru_maxrss=None)
    fake = SimpleNamespace(RUSAGE_SELF=0, getrusage=lambda who: usage)
    monkeypatch.setitem(sys.modules, "resource", fake)
    for platform, maxrss in [("darwin", 3 * 2**20), ("linux", 3 * 2**10)]:
        monkeypatch.setattr(sys, "platform", platform)
        usage.ru_maxrss = maxrss
        assert module._maxrss_mib() == 3


def test_smotenc_runs_without_the_resource_module(bench, monkeypatch, capsys):
    """Without ``resource`` and ``/proc`` (Windows): times measured, peaks NaN."""
    monkeypatch.setitem(sys.modules, "resource", None)  # ``import resource`` fails
    monkeypatch.delitem(sys.modules, "bench_smotenc", raising=False)
    module = bench("bench_smotenc")

    def no_proc(path, *args, **kwargs):
        if str(path).startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(module, "open", no_proc, raising=False)  # the script's
    module.main(["--worker", "ltlearn", "--rows", "200"])  # as _run starts it
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result["seconds"] > 0 and np.isnan(result["peak"])
    monkeypatch.setattr(module, "_run", lambda method, n_rows, minority: result)
    module.main(["--rows", "200"])
    header, _, row = capsys.readouterr().out.splitlines()[-3:]
    cells = {k.strip(): v.strip() for k, v in zip(header.split("|"), row.split("|"))}
    assert cells["mem ratio"] == "nan" and cells["ratio"] != "nan"


def test_post_hoc_classes_part_prints_a_row_per_number_of_classes(bench, capsys):
    bench("bench_post_hoc").main(["--part", "classes", "--quick"])
    out = capsys.readouterr().out
    assert "## Number of classes" in out
    rows = [line.split("|") for line in out.splitlines() if line[:3] in ("10 ", "100")]
    assert [int(row[0]) for row in rows] == [10, 100]
    assert all(int(row[1]) == 2000 and float(row[4]) > 0 for row in rows)


def test_cifar_n_max_reaches_the_loader(bench, monkeypatch):
    """--n-max with --root sets the largest class of the CIFAR-LT set read."""
    module = bench("bench_cifar_lt")
    import ltlearn.datasets

    calls = []

    def loader(root, **kwargs):
        calls.append(kwargs)
        raise KeyboardInterrupt  # stop before any training

    monkeypatch.setattr(ltlearn.datasets, "load_cifar_lt", loader)
    for argv, n_max in [([], None), (["--n-max", "300"], 300)]:
        with pytest.raises(KeyboardInterrupt):
            module.main(["--root", "cifar", "--methods", "ce", *argv])
        assert calls.pop()["n_max"] == n_max


def test_cifar_a_method_named_twice_runs_once(bench, monkeypatch, capsys):
    """A method named twice in --methods is trained once and is one row."""
    module = bench("bench_cifar_lt")

    class Model:
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    monkeypatch.setattr(module, "plain_loop", lambda *args: 1.0)
    monkeypatch.setattr(module, "make_classifier", lambda *args: Model())
    module.main(["--methods", "ce,vs,ce", "--n-max", "100"])
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("10 epochs"))
    methods = [line.split("|")[0].strip() for line in lines[start + 3 :]]
    assert methods == ["ce", "vs"]


def test_deep_rules_a_data_set_named_twice_runs_once(bench, monkeypatch, capsys):
    """A data set named twice in --datasets is trained and printed once."""
    module = bench("bench_deep_rules")
    fits = []

    def fit_recipe(params, X, y, epochs, seed):
        fits.append(seed)
        return SimpleNamespace(predict=lambda X: np.zeros(len(X), dtype=int))

    monkeypatch.setattr(module, "_fit_recipe", fit_recipe)
    module.main(["--seeds", "1", "--datasets", "digits-LT IF50,digits-LT IF50"])
    assert len(fits) == 2 * len(module.SCHEDULE)  # AdamW and SGD, one seed
    assert capsys.readouterr().out.count("The goals") == 1


@pytest.mark.parametrize("device", ["cpu", "cpu:0"])
def test_cifar_cpu_device_trains_on_one_thread(bench, monkeypatch, device):
    """Any spelling of the CPU device trains on one torch thread."""
    module = bench("bench_cifar_lt")
    torch = module.torch
    model = SimpleNamespace(predict=lambda X: np.zeros(len(X), dtype=int))
    model.fit = lambda X, y: model
    monkeypatch.setattr(module, "plain_loop", lambda *args: 1.0)
    monkeypatch.setattr(module, "make_classifier", lambda *args: model)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        module.main(["--device", device, "--methods", "ce", "--n-max", "100"])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"a,b,target\r\n1,2,0\r\n", "is not a cache of this script"),
        (b"\xa3\x00\xff" * 10, "is not a cache of this script"),
        # a first line that starts the header is a cut header only when
        # nothing follows it: rows went under these, never read back
        (b"\r\nnotes\r\n", "is not a cache of this script"),
        (b"protocol\r\n2x5\r\n", "is not a cache of this script"),
        (None, "cannot be read"),
    ],
)
def test_keel_cache_that_is_not_one_is_a_usage_error(
    bench, tmp_path, capsys, content, message
):
    """A --cache that is no cache stops the run, before any fit, unchanged.

    Rows were appended to another CSV file; a file that is not text, or a
    folder, ended in a traceback.
    """
    module = bench("bench_keel")
    path = tmp_path / "cache.csv"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    argv = ["--quick", "--sections", "keel", "--methods", "lr_balanced"]
    with pytest.raises(SystemExit) as exit_info:
        module.main([*argv, "--cache", str(path)])
    assert exit_info.value.code == 2
    assert f"--cache: {path} {message}" in capsys.readouterr().err
    if content is not None:
        assert path.read_bytes() == content


@pytest.mark.parametrize("n_rows", [2, 20])
def test_compare_load_small_table_has_both_classes(bench, tmp_path, n_rows):
    """``--rows 20`` ran into "Target column 'label' has a single class"."""
    pd = pytest.importorskip("pandas")
    module = bench("bench_compare_load")
    module.make_table(tmp_path / "table.csv", n_rows)
    labels = pd.read_csv(tmp_path / "table.csv")["label"]
    assert sorted(set(labels)) == ["fraud", "ok"]


def test_latency_times_each_method_on_1_and_100_rows_against_the_peer(bench, capsys):
    """A row per method and number of rows, the peer's time and the ratio beside."""
    module = bench("bench_latency")
    module.main(["--repeat", "2", "--cases", "PluginClassifier", "SMOTE"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("case "))
    rows = [_table_row(out, header, i) for i in range(header + 2, header + 9)]
    methods = ["predict", "predict_proba", "decision_function"]
    assert [(row["method"], row["rows"]) for row in rows[:6]] == [
        (method, n_rows) for method in methods for n_rows in ("1", "100")
    ]
    assert {row["case"] for row in rows[:6]} == {"PluginClassifier"}
    assert rows[6]["case"] == "SMOTE" and rows[6]["method"] == "fit_resample"
    for row in rows:
        ours, peer = float(row["ltlearn us"]), float(row["peer us"])
        assert ours > 0 and peer > 0
        assert float(row["ratio"]) == pytest.approx(ours / peer, rel=1e-2)


def test_latency_peers_wrap_the_same_model(bench):
    """Each peer does the prediction work of its case: same model, same output."""
    module = bench("bench_latency")
    cases = ["COGClassifier", "recipe cog", "LongTailClassifier"]
    if importlib.util.find_spec("skorch") is None:
        cases.remove("LongTailClassifier")
    seen = []
    for name, model, _, peer, X in module._cases(cases):
        seen.append(name)
        if "cog" in name.lower():
            inner = {type(est) for est in model.estimators_}
            assert {type(est) for est in peer.estimators_} == inner
        else:  # the same batches, and the softmax of the network's
            assert peer.batch_size == model.batch_size
            np.testing.assert_allclose(
                peer.predict_proba(X[:40]), model.predict_proba(X[:40]), rtol=1e-6
            )
    assert seen == cases
