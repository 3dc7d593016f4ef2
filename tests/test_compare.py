"""Tests of ``ltlearn compare``: registry, data, runner, backends and report."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
import io
import json
import math
import signal
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from ltlearn._compare import _results, _runner
from ltlearn._compare._data import (
    CompareError,
    Dataset,
    check_folds,
    load_embedded,
)
from ltlearn._compare._recorded_warnings import record_warnings
from ltlearn._compare._report import write_report
from ltlearn._compare._results import ResultsFile, read_results
from ltlearn._compare._runner import run_comparison
from ltlearn._compare._summary import _few_shot, summarize
from ltlearn._compare._tables import format_table
from ltlearn._compare._user_table import load_table
from ltlearn.metrics import shot_accuracy
from ltlearn.recipes._registry import RECIPES, Recipe, resolve_methods
from ltlearn.utils._global_state import first_torch_step, global_state

pd = pytest.importorskip("pandas")

METHODS = ["plain", "class_weight"]


def _tiny(name="tiny", n_samples=120, weights=(0.75, 0.25), unlabelled=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=len(weights),
        n_clusters_per_class=1,
        weights=list(weights),
        random_state=0,
    )
    y = y.astype(np.int64)
    if unlabelled:
        y[np.random.RandomState(0).permutation(y.size)[:unlabelled]] = -1
    return Dataset(name, X, y, np.arange(len(weights)))


def _run(tmp_path=None, datasets=None, methods=METHODS, **params):
    recipes, _ = resolve_methods(methods)
    params.setdefault("cv", 2)
    params.setdefault("progress", False)
    return run_comparison(
        datasets or [_tiny()],
        recipes,
        output=tmp_path,
        **params,
    )


def _scores(comparison):
    return {
        (r["dataset"], r["method"], r["fold"]): (
            r["balanced_accuracy"],
            r["geometric_mean"],
            r["macro_f1"],
            r["class_recall"],
        )
        for r in comparison.rows
    }


@pytest.mark.parametrize(
    "name", ["svm", "__import__('os').system('true')", "plain; rm -rf /", "PLAIN"]
)
def test_unknown_method_is_refused_with_the_known_names(name):
    with pytest.raises(CompareError, match="Unknown method") as info:
        resolve_methods(["plain", name])
    for known in RECIPES:
        assert known in str(info.value)


@pytest.mark.parametrize("name, alone", [("hgb", "plain:hgb"), ("LR", "plain")])
def test_a_model_named_as_a_method_is_refused_with_what_to_name(name, alone):
    # --methods hgb listed the 41 known methods and nothing more
    with pytest.raises(CompareError, match="Unknown method") as info:
        resolve_methods([name])
    model = name.lower()
    assert str(info.value).endswith(
        f" {name!r} is a base model, not a recipe: {alone} fits it without "
        f"rebalancing, and --models {model} runs the rebalancing recipes on it."
    )


def test_registry_names_are_plain_identifiers_with_factories():
    for name, recipe in RECIPES.items():
        assert all(part.isidentifier() for part in name.split(":"))
        assert name == recipe.name
        assert callable(recipe.factory)


def test_default_selection_reports_what_cannot_run(monkeypatch):
    missing = Recipe(
        "missing",
        "needs a package",
        RECIPES["plain"].factory,
        requires=("ltlearn_no_such_module",),
    )
    monkeypatch.setitem(RECIPES, "missing", missing)
    recipes, skipped = resolve_methods(None)
    assert "missing" not in [r.name for r in recipes]
    assert "ltlearn_no_such_module" in skipped["missing"]
    with pytest.raises(CompareError, match="cannot run here"):
        resolve_methods(["missing"])


@pytest.mark.parametrize("name", [n for n, r in RECIPES.items() if not r.deep])
def test_every_available_recipe_builds_and_fits(name):
    recipe = RECIPES[name]
    if recipe.missing() is not None:
        pytest.skip(f"{name}: {recipe.missing()}")
    dataset = _tiny(unlabelled=40 if recipe.semi_supervised else 0)
    comparison = _run(datasets=[dataset], methods=[name])
    assert [r["status"] for r in comparison.rows] == ["ok", "ok"], [
        r["error"] for r in comparison.rows
    ]


@pytest.mark.parametrize("name", [n for n, r in RECIPES.items() if r.deep])
def test_deep_recipe_fits(name):
    recipe = RECIPES[name]
    if recipe.missing() is not None:
        pytest.skip(recipe.missing())
    comparison = _run(methods=[name])
    assert [r["status"] for r in comparison.rows] == ["ok", "ok"], [
        r["error"] for r in comparison.rows
    ]


def test_a_run_in_the_callers_process_leaves_its_global_state_alone():
    # torch's threads were set to 1 for a deep fit and left so in the caller.
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        first_torch_step()  # torch's own lazy imports, not the run's doing
        before = global_state()
        comparison = _run(methods=["plain", "deep_ce"], n_jobs=1)
        assert {r["status"] for r in comparison.rows} == {"ok"}
        after = global_state()
        assert after["torch.get_num_threads()"] == 2
        assert [key for key in before if before[key] != after[key]] == []
    finally:
        torch.set_num_threads(threads)


def test_results_are_written_and_a_rerun_skips_finished_fits(tmp_path, monkeypatch):
    first = _run(tmp_path)
    rows = read_results(tmp_path / "results.csv")
    assert len(rows) == len(first.rows) == 4
    assert {(r["method"], r["fold"]) for r in rows} == {
        (m, f) for m in METHODS for f in range(2)
    }

    def refuse(*args, **kwargs):
        raise AssertionError("a finished fit was run again")

    monkeypatch.setattr(_runner, "fit_and_score", refuse)
    second = _run(tmp_path)
    assert _scores(second) == _scores(first)
    assert len(read_results(tmp_path / "results.csv")) == 4


def _cut_last_row(path):
    """The file's bytes, and where its last row starts."""
    data = path.read_bytes()
    return data, data.rstrip(b"\n").rfind(b"\n") + 1


def _without_timings(rows):
    return [{k: v for k, v in r.items() if not k.endswith("_time")} for r in rows]


def test_a_results_file_cut_at_any_byte_of_its_last_row_keeps_whole_rows(
    tmp_path, monkeypatch
):
    _run(tmp_path)
    # The durability of a write is the disk's business, not this test's.
    monkeypatch.setattr(_results.os, "fsync", lambda fd: None)
    path = tmp_path / "results.csv"
    clean, start = _cut_last_row(path)
    rows = read_results(path)
    assert len(rows) == 4
    for end in range(start, len(clean) + 1):
        path.write_bytes(clean[:end])
        results = ResultsFile(path)
        if start < end < len(clean):
            with pytest.warns(RuntimeWarning, match=r"dropped 1 damaged .*line 5"):
                kept = results.read()
        else:
            kept = results.read()
        assert kept == rows[: 4 if end == len(clean) else 3]
        with results as writer:
            for row in rows[len(kept) :]:
                writer.write(row)
        # No byte of the cut row is left: the file is the clean one again.
        assert path.read_bytes() == clean


def test_the_results_file_is_appended_to_in_binary_mode(tmp_path, monkeypatch):
    # On Windows, os.open without O_BINARY writes every "\n" as "\r\n": the
    # appended rows ended in CRLF, mixed with the LF of a repaired file
    binary = 1 << 29  # a flag no platform here has, removed before opening
    opened = []
    real_open = _results.os.open

    def recording_open(path, flags, *args):
        opened.append(flags)
        return real_open(path, flags & ~binary, *args)

    monkeypatch.setattr(_results.os, "O_BINARY", binary, raising=False)
    monkeypatch.setattr(_results.os, "open", recording_open)
    path = tmp_path / "results.csv"
    with ResultsFile(path) as writer:
        writer.write({"dataset": "a", "method": "plain", "fold": 0})
    assert opened and all(flags & binary for flags in opened)
    assert path.read_bytes().count(b"\r") == 0


def test_each_row_is_on_the_disk_before_the_next_fit(tmp_path, monkeypatch):
    # A row counts as done once written: a power loss after it must not
    # leave a results file without it, so each write ends in an fsync.
    synced = []
    real_fsync = _results.os.fsync

    def recording_fsync(fd):
        synced.append(_results.os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(_results.os, "fsync", recording_fsync)
    path = tmp_path / "results.csv"
    sizes = []
    with ResultsFile(path) as writer:
        sizes.append(path.stat().st_size)  # the header
        for fold in range(2):
            writer.write({"dataset": "a", "method": "plain", "fold": fold})
            sizes.append(path.stat().st_size)
    assert synced == sizes


@pytest.mark.parametrize("cut", [1, 2, 100, -2, -1])
def test_a_cut_off_last_row_is_fitted_again_and_the_rerun_matches(
    tmp_path, monkeypatch, cut
):
    first = _run(tmp_path)
    path = tmp_path / "results.csv"
    clean, start = _cut_last_row(path)
    path.write_bytes(clean[: (start if cut > 0 else len(clean)) + cut])
    calls = []
    original = _runner.fit_and_score

    def counting(*args, **kwargs):
        calls.append((args[3], args[4].tolist()))
        return original(*args, **kwargs)

    monkeypatch.setattr(_runner, "fit_and_score", counting)
    with pytest.warns(RuntimeWarning, match="damaged or incomplete"):
        second = _run(tmp_path)
    assert len(calls) == 1
    assert _scores(second) == _scores(first)
    assert _without_timings(read_results(path)) == _without_timings(first.rows)
    monkeypatch.setattr(_runner, "fit_and_score", original)
    third = _run(tmp_path)  # the repaired file reads without a warning
    assert third.n_reused == 4


def test_damaged_rows_inside_the_file_are_dropped_and_fitted_again(tmp_path):
    first = _run(tmp_path)
    path = tmp_path / "results.csv"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b",ok,", b",ok,,", 1)  # one field too many
    lines[2] = lines[2].replace(b",60,", b",6x,", 1)  # not a number
    lines[3] = lines[3][:40] + b"\xff" + lines[3][41:]  # not UTF-8
    path.write_bytes(b"\n".join(lines))
    with pytest.warns(RuntimeWarning, match=r"dropped 3 .*line 2, 3, 4\)"):
        assert len(read_results(path)) == 1
    with pytest.warns(RuntimeWarning, match="dropped 3"):
        second = _run(tmp_path)
    assert second.n_reused == 1
    assert _scores(second) == _scores(first)
    assert len(read_results(path)) == 4


@pytest.mark.parametrize(
    "field, value",
    [
        (None, "1"),
        ("status", "done"),
        ("fit_time", ""),
        ("predict_time", ""),
        ("class_recall", '{"recall": {}}'),
        ("class_recall", "{recall"),
    ],
    ids=[
        "a field too many",
        "unknown status",
        "no fit time",
        "no predict time",
        "recalls without training counts",
        "recalls that are not JSON",
    ],
)
def test_a_row_that_fails_a_check_of_the_reading_is_dropped(tmp_path, field, value):
    # Each check on its own: such a row (a field after the last column, a
    # status other than ok or error, a finished fit without its times or its
    # training counts) is not one this version wrote whole; its fit runs again.
    _run(tmp_path)
    path = tmp_path / "results.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = next(csv.reader([lines[2]]))
    assert row[_results.FIELDS.index("status")] == "ok"
    if field is None:
        row.append(value)
    else:
        row[_results.FIELDS.index(field)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    lines[2] = buffer.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(RuntimeWarning, match=r"dropped 1 damaged .*\(line 3\)"):
        assert len(read_results(path)) == 3


def test_results_rows_are_one_line_each_whatever_the_messages(tmp_path, monkeypatch):
    def broken(random_state, context):
        raise RuntimeError('a message with "quotes", commas\r\nand a second line')

    monkeypatch.setitem(RECIPES, "broken", Recipe("broken", "fails", broken))
    _run(tmp_path, methods=["broken"])
    path = tmp_path / "results.csv"
    assert path.read_bytes().count(b"\n") == 3
    rows = read_results(path)
    assert [r["error"] for r in rows] == [
        'RuntimeError: a message with "quotes", commas'
    ] * 2


def test_line_breaks_and_tabs_are_never_printed_or_written_raw():
    # A carriage return ends a line in a CSV reader and in Markdown, and in a
    # printed path it rewrites the terminal's line: rows and cells hold
    # spaces, printed names show escapes (a no-break space stays).
    assert _results.one_line("a\rb\nc\r\n") == "a b c  "
    shown = _results.visible("out\rput\nname\tx\x1b[2J\u00a0y")
    assert shown == "out\\rput\\nname\\tx\\x1b[2J\u00a0y"


def test_a_results_file_cut_inside_its_header_holds_no_row(tmp_path):
    # A crash while the header was written: no fit was recorded, and the
    # file is not one of another program.
    path = tmp_path / "results.csv"
    path.write_bytes(_results._HEADER.encode()[:10])
    results = ResultsFile(path)
    assert results.read() == []
    with results:
        pass
    assert path.read_bytes() == _results._HEADER.encode() + b"\n"


@pytest.mark.parametrize("change", [{"seed": 1}, {"scoring": "macro_f1"}])
def test_results_of_another_configuration_are_not_reused(tmp_path, change):
    _run(tmp_path)
    second = _run(tmp_path, **change)
    assert all(r["seed"] == change.get("seed", 0) for r in second.rows)
    assert len(read_results(tmp_path / "results.csv")) == 8


def test_results_of_changed_data_are_not_reused(tmp_path):
    # A data set of the same name whose values changed (a file edited
    # between two runs) is fitted again, not scored from the old rows.
    _run(tmp_path)
    changed = _tiny()
    changed.X[0, 0] += 1.0
    second = _run(tmp_path, datasets=[changed])
    assert second.n_reused == 0
    assert len(read_results(tmp_path / "results.csv")) == 8


def test_same_seed_same_numbers_and_folds_are_stratified():
    dataset = _tiny()
    first, second = _run(datasets=[dataset]), _run(datasets=[dataset])
    assert _scores(first) == _scores(second)
    half = np.bincount(dataset.y) / 2
    for row in first.rows:
        counts = json.loads(row["class_recall"])["train_count"]
        assert np.all(np.abs(np.asarray(counts) - half) <= 0.5)


class _WarnsInTurn(ClassifierMixin, BaseEstimator):
    """Warns with its tag once every fit of ``barrier`` has begun."""

    def __init__(self, tag="", barrier=None):
        self.tag = tag
        self.barrier = barrier

    def fit(self, X, y):
        self.barrier.wait(10)
        warnings.warn(f"the fit {self.tag} warns", UserWarning)
        self.barrier.wait(10)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_fits_in_threads_record_their_own_warnings(monkeypatch):
    """A Dask worker runs a fit on each thread: each row has its fit's warnings.

    Overlapping ``catch_warnings(record=True)`` blocks sent both warnings to
    one row and none to the other.
    """
    barrier = threading.Barrier(2)
    for tag in "ab":
        step = _WarnsInTurn(tag, barrier)
        recipe = Recipe(
            tag, "warns", lambda random_state, context, step=step: [("model", step)]
        )
        monkeypatch.setitem(RECIPES, f"warns_{tag}", recipe)
    dataset = _tiny()
    train, test = np.arange(80), np.arange(80, 120)
    filters, showwarning = list(warnings.filters), warnings.showwarning

    def fit(tag):
        row = _runner.fit_and_score(
            dataset.X,
            dataset.y,
            dataset.preprocessing,
            f"warns_{tag}",
            train,
            test,
            0,
            dataset.context("balanced_accuracy"),
        )
        return row["warnings"]

    with ThreadPoolExecutor(2) as executor:
        caught = list(executor.map(fit, "ab"))
    assert caught == ["UserWarning: the fit a warns", "UserWarning: the fit b warns"]
    assert warnings.filters == filters
    assert warnings.showwarning is showwarning


def test_recorded_warnings_nest_as_catch_warnings():
    filters, showwarning = list(warnings.filters), warnings.showwarning
    with record_warnings() as outer:
        with record_warnings() as inner:
            warnings.warn("inner", UserWarning)
        warnings.warn("outer", UserWarning)
    assert [str(w.message) for w in inner] == ["inner"]
    assert [str(w.message) for w in outer] == ["outer"]
    assert warnings.filters == filters
    assert warnings.showwarning is showwarning


def test_a_failing_fit_is_recorded_and_retried(tmp_path, monkeypatch):
    def broken(random_state, context):
        raise RuntimeError("this recipe is broken")

    monkeypatch.setitem(RECIPES, "broken", Recipe("broken", "fails", broken))
    comparison = _run(tmp_path, methods=["plain", "broken"])
    errors = [r for r in comparison.rows if r["status"] == "error"]
    assert len(errors) == 2
    assert errors[0]["error"] == "RuntimeError: this recipe is broken"
    summary = summarize(comparison)
    assert len(summary.errors) == 2
    assert "2 fit(s) failed" in format_table(summary, comparison.config)
    rerun = _run(tmp_path, methods=["plain", "broken"])
    assert len(read_results(tmp_path / "results.csv")) == 6
    assert len(rerun.rows) == 4


class _Warns(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        warnings.warn("this model warns", UserWarning)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_the_table_says_how_many_fits_raised_warnings(monkeypatch):
    """The warnings recorded in results.csv are counted where the table is read.

    They were only in the 'warnings' column: the table and the report did
    not say that any fit had warned.
    """
    recipe = Recipe("warns", "warns", lambda random_state, context: [("m", _Warns())])
    monkeypatch.setitem(RECIPES, "warns", recipe)
    comparison = _run(methods=["plain", "warns"])
    table = format_table(summarize(comparison), comparison.config)
    assert table.endswith(
        "\n\n2 fit(s) raised warnings; see the 'warnings' column of results.csv."
    )
    plain = _run(methods=["plain"])
    assert "warnings" not in format_table(summarize(plain), plain.config)

    def broken(random_state, context):
        raise RuntimeError("this recipe is broken")

    # Beside the failed fits, in the same paragraph.
    monkeypatch.setitem(RECIPES, "broken", Recipe("broken", "fails", broken))
    both = _run(methods=["plain", "warns", "broken"])
    assert format_table(summarize(both), both.config).endswith(
        "\n\n2 fit(s) failed; see the report and the 'error' column of "
        "results.csv.\n2 fit(s) raised warnings; see the 'warnings' column of "
        "results.csv."
    )


def test_dask_cluster_gives_the_same_numbers_as_the_local_run():
    distributed = pytest.importorskip("distributed")
    local = _run()
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
        host="127.0.0.1",
        protocol="tcp",
    ) as cluster:
        remote = _run(backend="dask", scheduler=cluster.scheduler_address)
    assert _scores(remote) == _scores(local)


def test_ray_backend_without_ray_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(CompareError, match="ray.*pip install"):
        _run(backend="ray")


@pytest.mark.parametrize(
    "scheduler, message",
    [("foo", "missing port number"), ("notaproto://x:1", "unknown address scheme")],
)
def test_a_scheduler_address_dask_cannot_read_is_a_clear_error(scheduler, message):
    # The ValueError of dask.distributed was a traceback.
    pytest.importorskip("distributed")
    with pytest.raises(
        CompareError, match=f"Dask scheduler at '{scheduler}'.*{message}"
    ):
        _run(backend="dask", scheduler=scheduler)


def test_scheduler_needs_the_dask_backend():
    with pytest.raises(CompareError, match="--scheduler needs --backend dask"):
        _run(backend="loky", scheduler="tcp://127.0.0.1:8786")


@pytest.mark.parametrize(
    "backend, scheduler, message",
    [
        ("ray", None, "--backend ray needs ray"),
        ("loky", "tcp://127.0.0.1:8786", "--scheduler needs --backend dask"),
    ],
)
def test_a_rerun_of_reused_fits_refuses_the_backend_as_the_first_run(
    tmp_path, monkeypatch, backend, scheduler, message
):
    # With every fit in results.csv, no backend was started, and the options
    # the first run refused were taken without a word.
    monkeypatch.setitem(sys.modules, "ray", None)
    _run(tmp_path)
    with pytest.raises(CompareError, match=message):
        _run(tmp_path, backend=backend, scheduler=scheduler)


def test_semi_supervised_recipes_need_unlabelled_rows():
    recipe = RECIPES["crest"]
    if recipe.missing() is not None:
        pytest.skip(recipe.missing())
    labelled = _tiny("labelled")
    semi = _tiny("semi", unlabelled=40)
    comparison = _run(datasets=[labelled, semi], methods=["plain", "crest"])
    ran = {(r["dataset"], r["method"]) for r in comparison.rows}
    assert ran == {("labelled", "plain"), ("semi", "plain"), ("semi", "crest")}
    assert "unlabelled" in comparison.skipped["crest"]
    # Supervised recipes train on the labelled rows of the fold only.
    n_train = {r["method"]: r["n_train"] for r in comparison.rows if r["fold"] == 0}
    assert n_train["plain"] == n_train["crest"] == 40


def test_only_semi_supervised_methods_on_labelled_data_is_refused():
    if RECIPES["crest"].missing() is not None:
        pytest.skip(RECIPES["crest"].missing())
    with pytest.raises(CompareError, match="need data with unlabelled rows"):
        _run(methods=["crest"])


def _write_table(tmp_path, frame, suffix=".csv"):
    path = tmp_path / f"data{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


def _frame(n=80):
    rng = np.random.RandomState(0)
    label = np.where(rng.rand(n) < 0.25, "churned", "stayed")
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n) + 8 * (label == "churned"),
            "plan": rng.choice(["basic", "pro", "team"], n),
            "city": [f"city{i % 30}" for i in range(n)],
            "active": rng.rand(n) < 0.5,
            "label": label,
        }
    )
    frame.loc[[1, 5, 9], "age"] = np.nan
    frame.loc[[2, 4], "plan"] = None
    return frame


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_user_table_with_categories_and_missing_values(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    dataset = load_table(_write_table(tmp_path, _frame(), suffix), "label")
    assert list(dataset.classes) == ["churned", "stayed"]
    assert dataset.preprocessing["numeric"] == ["age", "active"]
    assert dataset.preprocessing["one_hot"] == ["plan"]
    assert dataset.preprocessing["ordinal"] == ["city"]
    comparison = _run(datasets=[dataset])
    assert all(r["status"] == "ok" for r in comparison.rows), [
        r["error"] for r in comparison.rows
    ]


@pytest.mark.parametrize(
    "edit, target, match",
    [
        (lambda f: f, "labl", r"Target column 'labl' is not in data.csv.*'label'"),
        (
            lambda f: f.assign(label=f["label"].where(f.index != 3)),
            "label",
            r"Target column 'label' has 1 missing value.*rows 3",
        ),
        (
            lambda f: f.assign(label="stayed"),
            "label",
            r"Target column 'label' has a single class \('stayed'\)",
        ),
        (
            lambda f: f.assign(label=np.linspace(0, 1, len(f))),
            "label",
            r"Target column 'label' .*looks continuous",
        ),
        (lambda f: f[["label"]], "label", r"no column besides 'label'"),
    ],
)
def test_bad_target_is_a_clear_error_naming_the_column(tmp_path, edit, target, match):
    path = _write_table(tmp_path, edit(_frame()))
    with pytest.raises(CompareError, match=match):
        load_table(path, target)


def test_continuous_target_error_says_what_to_do(tmp_path):
    # a skewed amount (a claim, a rainfall): bins of it, or a regressor
    amounts = np.exp(np.random.RandomState(0).normal(size=len(_frame())))
    path = _write_table(tmp_path, _frame().assign(label=amounts))
    with pytest.raises(CompareError, match="looks continuous") as error:
        load_table(path, "label")
    assert "pandas.cut" in str(error.value)
    assert "regressor" in str(error.value)


@pytest.mark.parametrize(
    "labels, unlabelled, match",
    [
        (
            "-1",
            "-1",
            r"'label' has no labelled row; .* 80 row\(s\) whose target is '-1' "
            r"count as unlabelled; if that is a class, pass --unlabelled none",
        ),
        (None, "missing", r"'label' has no labelled row; .* 80 row\(s\) without a"),
        (
            ["stayed"] * 79 + [None],
            "missing",
            r"single class \('stayed'\) .* 1 row\(s\) without a target count as "
            r"unlabelled\.$",
        ),
    ],
    ids=["all_marked", "all_missing", "one_class_and_missing"],
)
def test_a_target_of_unlabelled_rows_is_named_as_such(
    tmp_path, labels, unlabelled, match
):
    # A target whose rows were all marked unlabelled was said to have "a
    # single class (None)"; rows without a target counted as "whose target
    # is 'missing'", with the advice to pass --unlabelled none if that is a
    # class.
    path = _write_table(tmp_path, _frame().assign(label=labels))
    with pytest.raises(CompareError, match=match):
        load_table(path, "label", unlabelled=unlabelled)


def test_an_infinite_feature_is_a_clear_error_naming_the_column(tmp_path):
    # Before, every fit failed on it and the run ended with status 0.
    frame = _frame()
    frame.loc[[6, 7], "age"] = [np.inf, -np.inf]
    with pytest.raises(CompareError, match=r"Column 'age' of data.csv has 2 inf.*6, 7"):
        load_table(_write_table(tmp_path, frame), "label")


def test_a_class_too_small_for_the_folds_is_named(tmp_path):
    frame = _frame()
    frame.loc[:2, "label"] = "rare"
    dataset = load_table(_write_table(tmp_path, frame), "label")
    with pytest.raises(CompareError, match=r"Class 'rare' of target column 'label'"):
        check_folds(dataset, 5)


def test_unlabelled_rows_of_a_user_table(tmp_path):
    frame = _frame()
    frame["label"] = (frame["label"] == "churned").astype(int)
    frame.loc[::4, "label"] = -1
    dataset = load_table(_write_table(tmp_path, frame), "label")
    assert dataset.n_unlabelled == 20
    assert list(dataset.classes) == [0, 1]


def test_minus_one_as_a_class_needs_unlabelled_none(tmp_path):
    frame = _frame()
    frame["label"] = np.where(frame["label"] == "churned", 1, -1)
    path = _write_table(tmp_path, frame)
    with pytest.raises(CompareError, match="pass --unlabelled none"):
        load_table(path, "label")
    dataset = load_table(path, "label", unlabelled="none")
    assert dataset.n_unlabelled == 0
    assert list(dataset.classes) == [-1, 1]


def test_unknown_embedded_dataset_suggests_names():
    with pytest.raises(CompareError, match=r"Unknown data set 'digits_l'.*digits_lt"):
        load_embedded("digits_l")


def test_embedded_digits_load():
    semi = load_embedded("digits_lt_semi")
    assert semi.n_unlabelled > 0 and semi.classes.size == 10
    counts = np.bincount(semi.y[semi.y >= 0])
    assert counts.min() >= 5 and counts.max() / counts.min() > 5
    # as documented: 60% of each class unlabelled, an imbalance ratio of 10
    assert semi.n_unlabelled / semi.y.size == pytest.approx(0.6, abs=0.01)
    digits = load_embedded("digits_lt").info()
    assert digits["imbalance_ratio"] == pytest.approx(10, abs=0.5)


def test_few_shot_score_matches_shot_accuracy():
    rng = np.random.RandomState(0)
    y_train = np.repeat([0, 1, 2, 3], [150, 60, 12, 5])
    y_true = np.repeat([0, 1, 2, 3], 10)
    y_pred = np.where(rng.rand(40) < 0.7, y_true, 0)
    recall = [float(np.mean(y_pred[y_true == c] == c)) for c in range(4)]
    row = {
        "class_recall": json.dumps(
            {"train_count": np.bincount(y_train).tolist(), "recall": recall}
        )
    }
    expected = shot_accuracy(y_true, y_pred, y_train=y_train)["few"]
    assert _few_shot(row, 20) == pytest.approx(expected)


def test_summary_ranks_and_table():
    comparison = _run(datasets=[_tiny("a"), _tiny("b", weights=(0.6, 0.4))])
    summary = summarize(comparison)
    for dataset in ("a", "b"):
        assert sorted(summary.ranks[dataset].values()) in ([1.0, 2.0], [1.5, 1.5])
    table = summary.method_table()
    assert [r["mean_rank"] for r in table] == sorted(r["mean_rank"] for r in table)
    for row in table:
        means = [summary.mean[(d, row["method"])] for d in ("a", "b")]
        assert row["mean"] == pytest.approx(np.mean(means))
    text = format_table(summary, comparison.config)
    assert "mean rank" in text and all(m in text for m in METHODS)


def test_few_shot_scoring_without_few_shot_classes_is_reported():
    comparison = _run(scoring="few_shot_accuracy")
    summary = summarize(comparison, few_threshold=2)
    assert summary.unscored == ["tiny"]
    assert "no few-shot class" in format_table(summary, comparison.config)


def test_few_shot_table_and_report_say_which_classes_are_few_shot(tmp_path):
    # --few-threshold changes every few-shot number, but neither the table
    # nor the report said which threshold gave them.
    pytest.importorskip("matplotlib")
    comparison = _run(tmp_path, scoring="few_shot_accuracy")
    summary = summarize(comparison, few_threshold=50)
    defined = (
        "few-shot accuracy (mean recall of the classes of fewer than 50 training rows)"
    )
    assert format_table(summary, comparison.config).startswith(
        f"{defined}, 2-fold cross-validation"
    )
    report = write_report(comparison, summary).read_text(encoding="utf-8")
    assert f"Scoring: {defined};" in report
    other = summarize(comparison, scoring="balanced_accuracy")
    assert "training rows" not in format_table(other, comparison.config)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_with_plots(tmp_path, fmt):
    pytest.importorskip("matplotlib")
    comparison = _run(tmp_path)
    path = write_report(comparison, summarize(comparison), fmt=fmt)
    assert path == tmp_path / f"report.{fmt}"
    text = path.read_text(encoding="utf-8")
    for plot in ("recall_vs_frequency.png", "ranks.png"):
        assert (tmp_path / "plots" / plot).stat().st_size > 0
        assert f"plots/{plot}" in text
    assert "class_weight" in text


def test_a_rerun_into_the_directory_leaves_no_report_of_another_comparison(
    tmp_path,
):
    # report.html of a first comparison went on showing its tables with the
    # plots of a later one written as report.md, and a plot the later one
    # did not draw stayed.
    pytest.importorskip("matplotlib")
    datasets = [_tiny(), _tiny("tiny2", weights=(0.6, 0.4))]
    first = _run(tmp_path, datasets=datasets, methods=["plain", "class_weight"])
    write_report(first, summarize(first), fmt="html")
    assert (tmp_path / "plots" / "critical_difference.png").exists()
    second = _run(tmp_path, datasets=[_tiny("other")], methods=["plain"])
    md = write_report(second, summarize(second), fmt="md").read_text(encoding="utf-8")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for text in (md, html):
        assert "other" in text and "class_weight" not in text
    assert not (tmp_path / "plots" / "critical_difference.png").exists()


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_a_report_cut_short_leaves_the_previous_one_with_its_own_plots(
    tmp_path, monkeypatch, error
):
    # The plots were replaced one by one before the report: an interrupt or
    # a failure on the way left the previous report showing the first plots
    # of the later comparison, and without those it had not drawn yet.
    Figure = pytest.importorskip("matplotlib.figure").Figure
    datasets = [_tiny(), _tiny("tiny2", weights=(0.6, 0.4))]
    first = _run(tmp_path, datasets=datasets, methods=["plain"])
    write_report(first, summarize(first), fmt="html")
    before = {path: path.read_bytes() for path in tmp_path.rglob("*.*")}
    second = _run(tmp_path, datasets=datasets, methods=["plain", "class_weight"])
    savefig, calls = Figure.savefig, []

    def fails_second(figure, path, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise error
        return savefig(figure, path, **kwargs)

    monkeypatch.setattr(Figure, "savefig", fails_second)
    with pytest.raises(error):
        write_report(second, summarize(second), fmt="html")
    before.pop(tmp_path / "results.csv")
    after = {path: path.read_bytes() for path in tmp_path.rglob("*.*")}
    after.pop(tmp_path / "results.csv")
    assert after == before
    assert not list(tmp_path.rglob(".tmp*"))


def test_a_long_file_name_the_system_takes_is_written(tmp_path):
    # The temporary file beside it is named ".tmp<pid>-<hex>.<name>", 14
    # bytes and the process id longer: with a name of 235 to 241 bytes or
    # more, which the system takes, --save-best failed with "File name too
    # long" after the whole comparison.
    import joblib

    path = tmp_path / ("m" * 240 + ".joblib.gz")
    with _results.replacing(path) as temporary:
        assert temporary.name.endswith(".gz")
        joblib.dump([1, 2], temporary)
    assert joblib.load(path) == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_report_without_matplotlib_omits_plots_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    comparison = _run(tmp_path)
    text = write_report(comparison, summarize(comparison)).read_text(encoding="utf-8")
    assert "Plots omitted: matplotlib is not installed" in text
    assert not (tmp_path / "plots").exists()


def test_a_rerun_without_matplotlib_leaves_no_plot_of_the_earlier_comparison(
    tmp_path, monkeypatch
):
    # The plots of a first comparison stayed in plots/ beside a later report
    # that said "Plots omitted", and passed for the later comparison's.
    pytest.importorskip("matplotlib")
    datasets = [_tiny(), _tiny("tiny2", weights=(0.6, 0.4))]
    first = _run(tmp_path, datasets=datasets, methods=["plain", "class_weight"])
    write_report(first, summarize(first))
    assert (tmp_path / "plots" / "critical_difference.png").exists()
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    second = _run(tmp_path, datasets=[_tiny("other")], methods=["plain"])
    text = write_report(second, summarize(second)).read_text(encoding="utf-8")
    assert "Plots omitted: matplotlib is not installed" in text
    assert not list((tmp_path / "plots").iterdir())


def test_report_where_matplotlib_fails_to_import_says_why(tmp_path, failing_import):
    # A ValueError of matplotlib's import (an MPLBACKEND it refuses) was a
    # traceback after every fit, and no report was written.
    refused = "Key backend: 'nonsense' is not a valid value for backend"
    failing_import("matplotlib", ValueError(refused))
    comparison = _run(tmp_path)
    text = write_report(comparison, summarize(comparison)).read_text(encoding="utf-8")
    assert (
        "Plots omitted: matplotlib cannot be imported here (ValueError: Key "
        "backend: 'nonsense' is not a valid value for backend)." in text
    )
    assert not (tmp_path / "plots").exists()


def test_progress_counter_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    _run(progress=True)
    assert "[4/4]" in capsys.readouterr().err


def test_results_csv_has_one_row_per_fit_with_its_metrics(tmp_path):
    _run(tmp_path)
    with (tmp_path / "results.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    for row in rows:
        assert 0 <= float(row["balanced_accuracy"]) <= 1
        assert not math.isnan(float(row["fit_time"]))


def test_results_of_a_changed_recipe_are_not_reused(tmp_path, monkeypatch):
    from ltlearn.recipes._factories import _base

    _run(tmp_path, methods=["plain"])

    def stronger(random_state, context):
        return [("classifier", _base("lr", random_state, C=0.01))]

    monkeypatch.setitem(RECIPES, "plain", Recipe("plain", "changed", stronger))
    second = _run(tmp_path, methods=["plain"])
    assert len(read_results(tmp_path / "results.csv")) == 4
    assert len({r["recipe"] for r in read_results(tmp_path / "results.csv")}) == 2
    assert len(second.rows) == 2


def test_results_under_another_scikit_learn_are_not_reused(tmp_path, monkeypatch):
    # Only the ltlearn version was in the key: rows fitted before an upgrade
    # of scikit-learn were reused and ranked with rows fitted after it.
    from ltlearn.utils import _show_versions

    _run(tmp_path, methods=["plain"])
    _runner._versions.cache_clear()
    version = _show_versions.version
    monkeypatch.setattr(
        _show_versions,
        "version",
        lambda name: "0.0" if name == "scikit-learn" else version(name),
    )
    try:
        second = _run(tmp_path, methods=["plain"])
    finally:
        _runner._versions.cache_clear()
    assert second.n_reused == 0
    assert len(read_results(tmp_path / "results.csv")) == 4


def test_summary_does_not_depend_on_the_order_fits_finished_in():
    comparison = _run(datasets=[_tiny("a"), _tiny("b", weights=(0.6, 0.4))])
    expected = summarize(comparison)
    comparison.rows = comparison.rows[::-1]
    shuffled = summarize(comparison)
    assert shuffled.ranks == expected.ranks
    assert shuffled.mean == expected.mean


class _InterruptedFit(ClassifierMixin, BaseEstimator):
    """Gets SIGINT in fit, then swallows it, raises it or turns it into an error."""

    def __init__(self, then="swallow"):
        self.then = then

    def fit(self, X, y):
        try:
            # raise_signal delivers SIGINT to this (the main) thread, where
            # Python runs the handler; os.kill may hand it to another thread.
            signal.raise_signal(signal.SIGINT)
            time.sleep(10)  # not reached: the handler's KeyboardInterrupt
        except KeyboardInterrupt as exc:
            if self.then == "raise":
                raise
            if self.then == "error":
                raise RuntimeError("the fit was stopped") from exc
            # "swallow": return half-trained, as skorch's NeuralNet.fit does
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("then", ["swallow", "raise", "error"])
def test_an_interrupted_fit_is_never_recorded_and_the_interrupt_propagates(
    tmp_path, monkeypatch, then
):
    def interrupted(random_state, context):
        return [("classifier", _InterruptedFit(then))]

    monkeypatch.setitem(RECIPES, "stops", Recipe("stops", "interrupted", interrupted))
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, methods=["plain", "stops"])
    assert time.perf_counter() - start < 10
    rows = read_results(tmp_path / "results.csv")
    assert [(r["method"], r["status"]) for r in rows] == [("plain", "ok")] * 2
    # The SIGINT handler in place before the run is back.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_embedded_nominal_features_are_categorical_columns():
    dataset = load_embedded("abalone-21_vs_8")
    assert dataset.preprocessing == {
        "kind": "columns",
        "numeric": list(range(1, 8)),
        "one_hot": [0],
        "ordinal": [],
    }
    assert dataset.info()["n_categorical"] == 1
    assert dataset.context("balanced_accuracy")["categorical"] == [1, 0]
    assert "categorical" not in load_embedded("ecoli1").context("balanced_accuracy")


def _smote_steps(dataset, name="smote"):
    """The fitted pipeline of the ``name`` recipe and the rows its sampler made."""
    recipe = RECIPES[name]
    model = recipe.pipeline(
        0, dataset.context("balanced_accuracy"), dataset.preprocessing
    )
    X, y = dataset.X, dataset.y
    model.fit(X, y)
    names = [name for name, _ in model.steps]
    codes = model[: names.index("sampler")].transform(X)
    X_res, y_res = model.named_steps["sampler"].fit_resample(codes, y)
    return model, X_res, y_res


def test_smote_recipe_uses_smotenc_on_the_category_codes(tmp_path):
    from ltlearn.over_sampling import SMOTENC

    dataset = load_table(_write_table(tmp_path, _frame(120)), "label")
    model, X_res, y_res = _smote_steps(dataset)
    assert type(model.named_steps["sampler"]) is SMOTENC
    # numeric columns (age, active) first, then plan (one-hot), then city
    assert model.named_steps["sampler"].categorical_features == [2, 3]
    codes = model.named_steps["encode"].transform(dataset.X)
    for column in (2, 3):
        for label in np.unique(y_res):
            seen = np.unique(codes[dataset.y == label, column])
            assert np.isin(X_res[y_res == label, column], seen).all()
    assert np.bincount(y_res).min() == np.bincount(y_res).max()
    # plan's 3 categories and its missing value one-hot, city scaled, then
    # the 2 numeric columns
    encoded = model.named_steps["encode_categories"].transform(X_res)
    assert encoded.shape[1] == 4 + 1 + 2
    assert (np.sort(np.unique(encoded[:, :4])) == [0.0, 1.0]).all()
    assert (encoded[:, :4].sum(axis=1) == 1).all()
    # an unseen category at predict time is ignored, as by the one-hot path
    unseen = dataset.X.assign(plan="enterprise")
    assert model.predict(unseen).shape == (len(unseen),)


def test_smote_recipe_on_only_categorical_columns_uses_smoten():
    from ltlearn.over_sampling import SMOTEN

    dataset = load_embedded("car-good")
    model, X_res, y_res = _smote_steps(dataset, "smote:rf")
    assert type(model.named_steps["sampler"]) is SMOTEN
    codes = model.named_steps["encode"].transform(dataset.X)
    for column in range(codes.shape[1]):
        assert np.isin(X_res[:, column], np.unique(codes[:, column])).all()


def test_numeric_data_keep_plain_smote():
    from ltlearn.over_sampling import SMOTE

    dataset = _tiny()
    model, _, _ = _smote_steps(dataset)
    assert type(model.named_steps["sampler"]) is SMOTE
    assert "encode_categories" not in model.named_steps


def test_report_says_where_smote_nc_ran(tmp_path):
    dataset = load_table(_write_table(tmp_path, _frame(120)), "label")
    comparison = _run(tmp_path / "out", datasets=[dataset, _tiny()], methods=["smote"])
    assert all(r["status"] == "ok" for r in comparison.rows)
    text = write_report(comparison, summarize(comparison)).read_text(encoding="utf-8")
    assert "SMOTE-NC" in text
    assert "smote: on the data sets with categorical columns (data (2))" in text
    assert "| categorical |" in text


def test_report_of_numeric_data_does_not_mention_smote_nc(tmp_path):
    comparison = _run(tmp_path, methods=["smote"])
    text = write_report(comparison, summarize(comparison)).read_text(encoding="utf-8")
    assert "data sets with categorical columns" not in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"methods": []}, "no method was chosen"),
        ({"cv": 1000}, "needs at least 1000 per class"),
    ],
)
def test_run_comparison_refused_creates_no_output_directory(tmp_path, params, message):
    # The directory was created before the methods and the folds were checked.
    with pytest.raises(CompareError, match=message):
        _run(tmp_path / "out", **params)
    assert not (tmp_path / "out").exists()
