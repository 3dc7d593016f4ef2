"""Tests of the ``ltlearn`` command line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import errno
import io
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ltlearn
import ltlearn.cli
from ltlearn._compare import _streams
from ltlearn._compare._options import _names
from ltlearn._compare._results import read_results, replacing, replacing_together
from ltlearn.cli import _build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def _csv(tmp_path, n=60):
    rng = np.random.RandomState(0)
    y = (rng.rand(n) < 0.3).astype(int)
    lines = ["x1,x2,colour,label"]
    for i in range(n):
        colour = ["red", "green", ""][i % 3]  # an empty cell is a missing value
        lines.append(f"{rng.normal(2 * y[i]):.3f},{rng.normal():.3f},{colour},{y[i]}")
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _compare_args(tmp_path, *args):
    # --methods adds names when given again: one in args replaces these.
    methods = [] if "--methods" in args else ["--methods", "plain,class_weight"]
    return [
        "compare",
        *methods,
        "--cv",
        "2",
        "--n-jobs",
        "1",
        "--no-progress",
        "--output",
        str(tmp_path / "out"),
        *args,
    ]


def _compare(tmp_path, *args):
    return main(_compare_args(tmp_path, *args))


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert ltlearn.__version__ in capsys.readouterr().out
    assert main([]) == 2
    assert "compare" in capsys.readouterr().out


def test_python_dash_m_runs_the_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "ltlearn", "compare", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--methods", "--backend", "--scheduler", "--report", "--data"):
        assert option in result.stdout


# Runs main() on the arguments, then prints the scikit-learn and
# imbalanced-learn modules it imported.
_HEAVY_MODULES = """
import sys
from ltlearn.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'imblearn'}))
"""


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["compare", "--help"], ["compare", "--cv", "1"], ["bogus"]],
)
def test_help_and_argument_errors_import_no_scikit_learn(args):
    # They took about 1.6 s: scikit-learn and imbalanced-learn were imported
    # before argparse answered. The command imports them when it runs.
    result = subprocess.run(
        [sys.executable, "-c", _HEAVY_MODULES, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "[]"
    assert "usage: ltlearn" in result.stdout + result.stderr


def test_datasets_lists_the_embedded_sets(capsys):
    assert main(["datasets", "ecoli"]) == 0
    out = capsys.readouterr().out
    assert "ecoli1" in out and "n_samples" in out and "glass4" not in out


def test_datasets_without_a_match_says_so(capsys):
    # it printed an empty table and "0 data sets" with status 0
    assert main(["datasets", "no-such-set"]) == 1
    captured = capsys.readouterr()
    assert "no data set name contains 'no-such-set'" in captured.err
    assert captured.out == ""
    assert main(["datasets", "ecoli1"]) == 0
    assert "\n1 data set;" in capsys.readouterr().out


def test_compare_list_shows_methods_and_default_data(capsys):
    assert main(["compare", "--list"]) == 0
    out = capsys.readouterr().out
    assert "class_weight" in out and "digits_lt" in out
    # It said "112 embedded data sets in all; `ltlearn datasets` lists them",
    # which lists the 110 KEEL sets.
    n_keel = re.search(r"and (\d+) KEEL data sets \(`ltlearn datasets`", out)
    assert main(["datasets"]) == 0
    assert f"\n{n_keel.group(1)} data sets;" in capsys.readouterr().out


def test_datasets_names_the_long_tailed_digits(capsys):
    # "no data set name contains 'digits'" (status 1), though --datasets
    # digits_lt runs them; the listing did not name them either.
    assert main(["datasets", "digits"]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "No KEEL data set name contains 'digits'; the long-tailed digits: "
        "digits_lt and digits_lt_semi (`ltlearn compare --datasets digits_lt`).\n"
    )
    assert captured.err == ""
    assert main(["datasets"]) == 0
    assert capsys.readouterr().out.endswith(
        "Also the long-tailed digits: digits_lt and digits_lt_semi "
        "(`ltlearn compare --datasets digits_lt`).\n"
    )
    assert main(["datasets", "ecoli1"]) == 0
    assert "digits" not in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_compare_on_a_user_csv_writes_results_and_report(tmp_path, capsys, fmt):
    path = _csv(tmp_path)
    assert (
        _compare(tmp_path, "--data", str(path), "--target", "label", "--report", fmt)
        == 0
    )
    out = capsys.readouterr().out
    assert "mean rank" in out and "class_weight" in out
    report = tmp_path / "out" / f"report.{fmt}"
    assert f"Report:  {report}" in out
    assert report.exists() and (tmp_path / "out" / "results.csv").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--methods", "plain", "eval(input())"],
            "Unknown method 'eval(input())'; the known methods are: recommended, ",
        ),
        (["--target", "label"], "--target goes with --data"),
        # It was ignored: the embedded data sets have no such rows.
        (["--unlabelled", "missing"], "--unlabelled goes with --data"),
        (["--datasets", "no_such_set"], "Unknown data set 'no_such_set'"),
        # It ran the eight default data sets.
        (["--datasets", ""], "Nothing to run: --datasets names no data set."),
        (["--datasets", " , "], "Nothing to run: --datasets names no data set."),
        (
            ["--data", "data.csv", "--datasets", "ecoli1"],
            "Give either --data or --datasets, not both.",
        ),
        (["--data", "data.csv"], "--data needs --target COLUMN, the label column."),
        (["--data", "no_such.csv", "--target", "y"], "'no_such.csv': no such file."),
        (
            ["--backend", "loky", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler needs --backend dask",
        ),
    ],
)
def test_compare_refuses_bad_requests_with_a_message(tmp_path, capsys, args, message):
    assert _compare(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("ltlearn compare: error:")
    assert message in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--methods", ""], "Nothing to run: no method was chosen."),
        (["--cv", "1000"], "--cv 1000 needs at least 1000 per class"),
    ],
)
def test_a_run_refused_after_the_lock_leaves_no_directory_or_lock(
    tmp_path, capsys, args, message
):
    # They left OUTPUT created, with a .lock in it and nothing else.
    args = ["--datasets", "ecoli1", *args]
    assert _compare(tmp_path, *args, "--output", str(tmp_path / "a" / "b")) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    # An existing directory keeps its files, and gets no lock.
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert _compare(tmp_path, *args) == 2
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    "target, message",
    [
        ("labels", "Target column 'labels' is not in data.csv"),
        ("colour", "Target column 'colour' has 20 missing value(s)"),
    ],
)
def test_compare_bad_target_names_the_column(tmp_path, capsys, target, message):
    path = _csv(tmp_path)
    assert _compare(tmp_path, "--data", str(path), "--target", target) == 2
    assert message in capsys.readouterr().err


def test_compare_argument_checks(capsys):
    for args in (["--cv", "1"], ["--n-jobs", "0"], ["--scoring", "accuracy"]):
        with pytest.raises(SystemExit) as info:
            main(["compare", *args])
        assert info.value.code == 2
    assert "invalid" in capsys.readouterr().err
    # A seed numpy refuses was a traceback once the data were loaded.
    for seed in ("-1", str(2**32)):
        with pytest.raises(SystemExit) as info:
            main(["compare", "--seed", seed])
        assert info.value.code == 2
        assert "--seed: must be in [0, 2**32 - 1]" in capsys.readouterr().err


def test_compare_few_threshold_below_one_is_refused(capsys):
    # No class has fewer than 0 training rows: no class would be few-shot.
    with pytest.raises(SystemExit) as info:
        main(["compare", "--few-threshold", "0"])
    assert info.value.code == 2
    assert "--few-threshold: must be at least 1, got 0" in capsys.readouterr().err


def test_compare_rerun_reuses_the_finished_fits(tmp_path, capsys):
    path = _csv(tmp_path)
    args = ("--data", str(path), "--target", "label")
    assert _compare(tmp_path, *args) == 0
    assert "4 fits run" in capsys.readouterr().out
    assert _compare(tmp_path, *args) == 0
    out = capsys.readouterr().out
    assert re.search(r"\b0 fits run in \d+ s, 4 reused from results.csv", out)


def _write(tmp_path, name, data):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.csv", b"", r"empty.csv is empty\.$"),
        ("header.csv", b"x1,x2,label\n", "header.csv has a header but no rows"),
        (
            "extra.csv",
            b"x1,x2,label\n1,2,0,9\n3,4,1,9\n",
            "extra.csv is not a well-formed CSV file: some rows have more fields",
        ),
        (
            "ragged.csv",
            b"x1,x2,label\n1,2,0\n3,4,1,9\n",
            "ragged.csv is not a well-formed CSV file: .*Expected 3 fields in line 3",
        ),
        (
            "latin1.csv",
            "x1,x2,label\n1,caf\u00e9,0\n".encode("latin-1"),
            r"latin1.csv is not UTF-8 text \(byte 0xe9 on line 2\); save it as UTF-8",
        ),
        (
            "broken.parquet",
            b"not parquet",
            "broken.parquet cannot be read as a Parquet file",
        ),
        ("folder.csv", None, "'.*folder.csv' is a directory, not a file"),
        ("data.json", b"{}", "unknown file type '.json'"),
    ],
)
def test_compare_unreadable_data_is_one_line_and_status_2(
    tmp_path, capsys, name, data, message
):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    path = _write(tmp_path, name, data)
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert re.search(f"^ltlearn compare: error: --data .*{message}", captured.err)


def test_compare_data_without_pandas_says_what_to_install(
    tmp_path, capsys, monkeypatch
):
    # pandas comes with the tests extra, not with the package.
    path = _csv(tmp_path)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    err = capsys.readouterr().err
    assert err == (
        "ltlearn compare: error: --data needs pandas (and pyarrow for Parquet): "
        "pip install pandas pyarrow\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_compare_data_that_is_a_pipe_is_not_no_such_file(tmp_path, capsys):
    # A FIFO (or /dev/null) was reported as "no such file", though it exists.
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    err = capsys.readouterr().err
    assert "pipe.csv' is not a regular file (a pipe or a device)" in err


def test_compare_data_that_is_a_symbolic_link_loop_says_so(tmp_path, capsys):
    # It was reported as "no such file", though the name is there.
    path = tmp_path / "loop.csv"
    path.symlink_to(path)
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    err = capsys.readouterr().err
    assert err.endswith("loop.csv': Too many levels of symbolic links.\n")


def test_compare_save_best_where_nothing_can_be_written_is_refused_first(
    tmp_path, capsys, monkeypatch
):
    # A --save-best in a read-only directory failed only after the whole
    # comparison had run.
    locked = tmp_path / "locked"
    locked.mkdir()
    access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != locked and access(path, mode)
    )
    model = locked / "new" / "model.joblib"
    args = ["--data", str(_csv(tmp_path)), "--target", "label"]
    assert _compare(tmp_path, *args, "--save-best", str(model)) == 2
    err = capsys.readouterr().err
    assert "cannot write in" in err and "locked'" in err
    assert not (tmp_path / "out").exists()


def test_compare_data_permission_denied_is_one_line(tmp_path, capsys, monkeypatch):
    pd = pytest.importorskip("pandas")
    path = _csv(tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pd, "read_csv", denied)
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    err = capsys.readouterr().err
    assert err == "ltlearn compare: error: --data data.csv: permission denied.\n"


@pytest.mark.parametrize(
    "output, message",
    [
        ("out", r"--output '.*out' is a file, not a directory"),
        ("out/sub", r"--output '.*sub': cannot create the directory \(Not a dir"),
    ],
)
def test_compare_output_that_is_a_file_is_refused(tmp_path, capsys, output, message):
    path = _csv(tmp_path)
    (tmp_path / "out").write_text("not a directory")
    args = ("--data", str(path), "--target", "label")
    assert _compare(tmp_path, *args, "--output", str(tmp_path / output)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.search(f"^ltlearn compare: error: {message}", err)
    assert (tmp_path / "out").read_text() == "not a directory"


def test_compare_output_that_cannot_be_looked_up_is_refused(tmp_path, capsys):
    # A name too long, or a directory above it without permission, was an
    # OSError: "cannot write in ...: File name too long (...). No fit was
    # recorded; run the same command again to start."
    path = _csv(tmp_path)
    output = tmp_path / ("x" * 300)
    args = ("--data", str(path), "--target", "label", "--output", str(output))
    assert _compare(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.endswith("': cannot use the directory (File name too long).\n")
    assert "again" not in err


def test_compare_lock_file_of_another_user_is_taken(tmp_path, capsys, monkeypatch):
    # A .lock that a run of another user made in a shared directory (not
    # writable by this one) was an OSError that said to run again.
    from ltlearn._compare import _results

    (tmp_path / "out").mkdir()
    lock = tmp_path / "out" / ".lock"
    lock.touch()
    opened = os.open

    def shared(path, flags, *args, **kwargs):
        writing = flags & (os.O_WRONLY | os.O_RDWR) and not flags & os.O_EXCL
        if Path(path) == lock and writing:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opened(path, flags, *args, **kwargs)

    monkeypatch.setattr(_results.os, "open", shared)
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args) == 0
    assert (tmp_path / "out" / "report.md").exists()
    monkeypatch.undo()
    # A lock file that cannot be opened is named.
    lock.unlink()
    lock.mkdir()
    assert _compare(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "out': cannot open its lock file .lock (Is a directory); remove it, "
        "or choose another directory.\n"
    )


def test_compare_read_only_results_file_is_named(tmp_path, capsys, monkeypatch):
    # It said "permission denied; choose a directory you can write to" of
    # a directory the user can write to.
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args) == 0
    results = tmp_path / "out" / "results.csv"
    access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != results and access(path, mode)
    )
    assert _compare(tmp_path, *args, "--methods", "smote") == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "out': results.csv is read-only; make it writable, or choose another "
        "directory.\n"
    )


@pytest.mark.parametrize(
    "save_best, message",
    [
        ("models", r"--save-best '.*models' is a directory; give a file name"),
        ("data.csv/m.joblib", r"--save-best .*'.*data.csv' is a file, not a dir"),
        # It overwrote the user's data with the pickled model.
        ("data.csv", r"--save-best '.*data.csv' is the --data file"),
        # It overwrote the record of the fits (or the report) with the model.
        ("out/results.csv", r"--save-best '.*results.csv' is a file the comp"),
        ("out/report.md", r"--save-best '.*report.md' is a file the comp"),
        # The model replaced the lock of the directory, which a second run
        # then locked (a file other than the one the first run holds).
        ("out/.lock", r"--save-best '.*/out/.lock' is a file the comp"),
        # It failed once every fit had run: "Is a directory (out/plots)".
        ("out/plots", r"--save-best '.*/out/plots' is the folder of the plots"),
    ],
)
def test_compare_save_best_that_cannot_be_a_file_is_refused_first(
    tmp_path, capsys, save_best, message
):
    # It was a traceback once every fit had run.
    path = _csv(tmp_path)
    (tmp_path / "models").mkdir()
    args = ("--data", str(path), "--target", "label")
    assert _compare(tmp_path, *args, "--save-best", str(tmp_path / save_best)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.search(f"^ltlearn compare: error: {message}", err)
    assert not (tmp_path / "out").exists()


def test_compare_save_best_plots_folder_of_an_earlier_run_is_refused(tmp_path, capsys):
    # Once a run had written out/plots, --save-best out/plots was refused as
    # a directory with the advice "e.g. '.../out/plots/model.joblib'", a file
    # that was then refused as one the comparison writes.
    (tmp_path / "out" / "plots").mkdir(parents=True)
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    save_best = str(tmp_path / "out" / "plots")
    assert _compare(tmp_path, *args, "--save-best", save_best) == 2
    err = capsys.readouterr().err
    assert "/out/plots' is the folder of the plots" in err
    assert "model.joblib'" not in err and err.count("\n") == 1


def test_compare_save_best_link_to_a_missing_directory_is_refused_first(
    tmp_path, capsys
):
    # It failed once every fit had run: "cannot save --save-best ...: No such
    # file or directory (.../gone/.tmp1234-5678abcd.model.joblib)".
    link = tmp_path / "model.joblib"
    link.symlink_to(tmp_path / "gone" / "model.joblib")
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args, "--save-best", str(link)) == 2
    err = capsys.readouterr().err
    assert err.endswith("/gone/model.joblib', in a directory that does not exist.\n")
    assert not (tmp_path / "out").exists()
    # A link to a new file in a directory that exists is written through.
    (tmp_path / "gone").mkdir()
    assert _compare(tmp_path, *args, "--save-best", str(link)) == 0
    assert link.is_symlink() and (tmp_path / "gone" / "model.joblib").exists()


@pytest.mark.parametrize("name", ["loop", "loop/model.joblib"])
def test_compare_save_best_symbolic_link_loop_says_so(tmp_path, capsys, name):
    # It was a RuntimeError ("Symlink loop from ..."), with a traceback.
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    save_best = str(tmp_path / name)
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args, "--save-best", save_best) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"{save_best}': Too many levels of symbolic links.\n")
    assert not (tmp_path / "out").exists()


def test_compare_save_best_name_the_system_refuses_names_the_option(tmp_path, capsys):
    # It said "File name too long (aaa...joblib)." without the option, and
    # where pathlib's is_dir takes the error for a missing file, every fit
    # ran before the model could not be written.
    save_best = str(tmp_path / ("a" * 300 + ".joblib"))
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args, "--save-best", save_best) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"--save-best {save_best!r}: File name too long.\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["loop", "loop/out"])
def test_compare_save_best_output_in_a_symbolic_link_loop_says_so(
    tmp_path, capsys, name
):
    # It was a RuntimeError ("Symlink loop from ..."), with a traceback; the
    # same --output without --save-best was refused with a message.
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    output = str(tmp_path / name)
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    save_best = str(tmp_path / "model.joblib")
    assert _compare(tmp_path, *args, "--output", output, "--save-best", save_best) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"--output {output!r}: Too many levels of symbolic links.\n")


@pytest.mark.parametrize("step", ["write_report", "save_best"])
def test_compare_interrupted_after_the_fits_says_what_is_kept(
    tmp_path, capsys, monkeypatch, step
):
    # Ctrl-C while the report was written or the best model refitted printed
    # only "ltlearn: interrupted.", as if the fits were lost.
    from ltlearn._compare import _cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, step, interrupted)
    model = tmp_path / "model.joblib"
    args = ("--data", str(_csv(tmp_path)), "--target", "label", "--save-best")
    assert _compare(tmp_path, *args, str(model)) == 130
    err = capsys.readouterr().err
    results = tmp_path / "out" / "results.csv"
    assert "Interrupted while" in err and "run the same command again" in err
    assert (str(results) in err) == (step == "write_report")
    assert len(read_results(results)) == 4  # 2 methods, 2 folds: all kept
    assert not model.exists()


def test_compare_interrupted_while_loading_says_no_fit_ran(
    tmp_path, capsys, monkeypatch
):
    # Ctrl-C while --data was read said "The finished fits are in
    # .../results.csv" although no fit had run and there was no such file.
    from ltlearn._compare import _cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "load_table", interrupted)
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args) == 130
    err = capsys.readouterr().err
    assert err == "\nInterrupted before any fit; nothing was written.\n"
    assert not (tmp_path / "out").exists()


def test_compare_report_that_cannot_be_written_is_one_line(tmp_path, capsys):
    # A directory where the report goes: a traceback once every fit had run.
    (tmp_path / "out" / "report.md").mkdir(parents=True)
    args = ("--data", str(_csv(tmp_path)), "--target", "label")
    assert _compare(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot write the report" in err and "report.md" in err
    assert len(read_results(tmp_path / "out" / "results.csv")) == 4


def test_compare_results_of_another_program_are_refused(tmp_path, capsys):
    path = _csv(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "results.csv").write_text("a,b\n1,2\n")
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "its columns differ" in err


def test_a_quoted_tilde_is_the_home_directory(tmp_path, monkeypatch, capsys):
    # --output "~/results" (quoted, so the shell leaves it) made a directory
    # named "~" in the working directory; --data and --save-best read and
    # wrote there too.
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    data = _csv(home, n=40)
    args = [
        *_compare_args(tmp_path, "--data", f"~/{data.name}", "--target", "label"),
        *("--output", "~/results", "--save-best", "~/model.joblib"),
    ]
    assert main(args) == 0
    assert (home / "results" / "results.csv").is_file()
    assert (home / "model.joblib").is_file()
    assert list(work.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_compare_writes_through_links_and_keeps_modes(tmp_path, capsys):
    # The report, plots and --save-best went through a temporary file that
    # replaced a symbolic link by a regular file and took the umask's mode
    # instead of the one the user had given the file.
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "report.md").write_text("old")
    (shared / "model.joblib").write_text("old")
    (shared / "model.joblib").chmod(0o604)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").symlink_to(shared / "report.md")
    (tmp_path / "model.joblib").symlink_to(shared / "model.joblib")
    args = ["--data", str(_csv(tmp_path)), "--target", "label"]
    model = str(tmp_path / "model.joblib")
    assert _compare(tmp_path, *args, "--save-best", model) == 0
    capsys.readouterr()
    assert (out / "report.md").is_symlink()
    assert (tmp_path / "model.joblib").is_symlink()
    report = (shared / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# ltlearn compare")
    assert (shared / "model.joblib").stat().st_mode & 0o777 == 0o604
    assert sorted(path.name for path in shared.iterdir()) == [
        "model.joblib",
        "report.md",
    ]


def test_replacing_gives_each_write_its_own_file(tmp_path):
    # The temporary name was .tmpPID.NAME: two writes of one file at once in a
    # process (or two hosts with one pid on a shared file system) wrote into
    # the same temporary file.
    path = tmp_path / "report.md"
    with replacing(path) as first, replacing(path) as second:
        assert first != second and first.name.endswith(".report.md")
        first.write_text("first")
        second.write_text("second")
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_replacing_puts_the_data_on_disk_before_the_name(tmp_path, monkeypatch):
    # Reports, plots and the saved model were renamed over the old file
    # without an fsync: after a power loss the new name could hold no data.
    events = []
    replace = os.replace
    monkeypatch.setattr(
        os, "fsync", lambda fd: events.append(("fsync", os.fstat(fd).st_size))
    )
    monkeypatch.setattr(
        os, "replace", lambda *paths: events.append(("replace",)) or replace(*paths)
    )
    path = tmp_path / "report.md"
    with replacing(path) as temporary:
        temporary.write_text("report")
    assert events == [("fsync", len("report")), ("replace",)]
    assert path.read_text() == "report"


def _refuse_links(source, target):
    raise OSError(errno.EPERM, os.strerror(errno.EPERM))


def _old_files(folder):
    """Three files beside a report, and the paths of a report with its plots."""
    paths = [folder / name for name in ("a.png", "gone.png", "new.png", "report.md")]
    for path in paths[:2] + paths[3:]:
        path.write_text(f"old {path.name}")
    return paths


def _replace_together(paths):
    """Replace ``paths`` by new files, but the second one, which is removed."""
    with replacing_together(paths) as temporaries:
        for temporary in temporaries:
            temporary.write_text("new")
        temporaries[1].unlink()


def _assert_old(folder, paths):
    assert sorted(p.name for p in folder.iterdir()) == [
        "a.png",
        "gone.png",
        "report.md",
    ]
    assert [paths[i].read_text() for i in (0, 1, 3)] == [
        "old a.png",
        "old gone.png",
        "old report.md",
    ]


@pytest.mark.parametrize("links", [True, False], ids=["links", "no-links"])
def test_replacing_together_puts_back_what_it_replaced(tmp_path, monkeypatch, links):
    # A report and its plots replaced one by one: a failure at the last rename
    # left the new plots beside the previous report.
    if not links:  # a file system without hard links: the backups are copies
        monkeypatch.setattr(os, "link", _refuse_links)
    paths = _old_files(tmp_path)
    replace = os.replace

    def full(source, target):
        if Path(target).name == "report.md" and Path(source).read_text() == "new":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source))
        return replace(source, target)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space") as info:
        _replace_together(paths)  # gone.png is removed
    assert info.value.filename == str(paths[3])
    _assert_old(tmp_path, paths)
    monkeypatch.setattr(os, "replace", replace)
    _replace_together(paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.png",
        "new.png",
        "report.md",
    ]
    assert {p.read_text() for p in tmp_path.iterdir()} == {"new"}


def test_replacing_together_puts_back_the_mode_without_hard_links(
    tmp_path, monkeypatch
):
    # Without hard links the backups were copies of the data only: a file put
    # back after a failure had the umask's mode instead of its own.
    monkeypatch.setattr(os, "link", _refuse_links)
    paths = _old_files(tmp_path)
    for path in paths[:2] + paths[3:]:
        path.chmod(0o604)
    replace = os.replace

    def full(source, target):
        if Path(target).name == "report.md":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source))
        return replace(source, target)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space"):
        _replace_together(paths)
    _assert_old(tmp_path, paths)
    assert {p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {0o604}


@pytest.mark.parametrize("links", [True, False], ids=["links", "no-links"])
def test_replacing_together_cut_short_while_backing_up_leaves_no_backup(
    tmp_path, monkeypatch, links
):
    # The backups made before a failure (a full disk while copying one) or
    # an interrupt were left beside the report as hidden .tmp files.
    paths = _old_files(tmp_path)
    made = []

    def link(source, target):
        if made:
            raise KeyboardInterrupt
        made.append(target)
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY))

    def copy(source, target, **kwargs):
        if made:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        made.append(target)
        Path(target).write_text("a copy")

    if links:
        monkeypatch.setattr(os, "link", link)
    else:
        monkeypatch.setattr(os, "link", _refuse_links)
        monkeypatch.setattr(shutil, "copyfile", copy)
    with pytest.raises(KeyboardInterrupt if links else OSError):
        _replace_together(paths)
    assert len(made) == 1
    _assert_old(tmp_path, paths)


def test_replacing_together_puts_back_all_through_a_second_interrupt(
    tmp_path, monkeypatch
):
    # A Ctrl-C while the replaced files were put back stopped there, and the
    # backups of the rest were removed: the new plots beside the old report.
    paths = _old_files(tmp_path)
    replace, calls = os.replace, []

    def failing(source, target):
        calls.append(Path(target).name)
        if calls == ["a.png", "new.png", "report.md"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source))
        if calls[3:] == ["report.md", "gone.png"]:  # putting back gone.png
            raise KeyboardInterrupt
        return replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(KeyboardInterrupt):
        _replace_together(paths)
    _assert_old(tmp_path, paths)


@pytest.mark.parametrize("step", ["new file", "backup", "copy"])
def test_replacing_together_names_the_file_not_its_temporary(
    tmp_path, monkeypatch, step
):
    # A full disk while the new file beside a.png was made, while its backup
    # was made (a file system without hard links), or while a copy was
    # written into it, named that hidden file (".tmp1234-5f3a2b1c.a.png"),
    # which the error leaves no trace of.
    paths = _old_files(tmp_path)
    made, open_ = [], os.open

    def full(name, flags, *args, **kwargs):
        if flags & os.O_EXCL:
            made.append(name)
            if Path(name).name.endswith(".a.png") and len(made) > skipped:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(name))
        return open_(name, flags, *args, **kwargs)

    skipped = 4 if step == "backup" else 0  # the new files come first
    monkeypatch.setattr(os, "link", _refuse_links)
    if step != "copy":
        monkeypatch.setattr(os, "open", full)
    with pytest.raises(OSError, match="No space") as info:
        with replacing_together(paths) as temporaries:
            for temporary in temporaries:
                temporary.write_text("new")
            if step == "copy":  # as shutil.copyfile names the two files
                source = str(tmp_path / "draft.png")
                raise OSError(
                    errno.ENOSPC,
                    os.strerror(errno.ENOSPC),
                    source,
                    None,
                    str(temporaries[0]),
                )
    assert info.value.filename == str(paths[0])
    _assert_old(tmp_path, paths)


def test_replacing_writes_a_file_its_owner_cannot_read(tmp_path):
    # The fsync before the rename opened the new file for reading and
    # writing, with the mode of the old one: a write-only report was refused.
    path = tmp_path / "report.md"
    path.write_text("old")
    path.chmod(0o200)
    if os.access(path, os.R_OK):
        pytest.skip("this user reads a file of mode 0o200")
    with replacing(path) as temporary:
        temporary.write_text("new")
    assert path.stat().st_mode & 0o777 == 0o200
    path.chmod(0o600)
    assert path.read_text() == "new"


def test_compare_data_the_system_refuses_is_not_a_write_error(tmp_path, capsys):
    # An --data name too long for the file system was reported as "cannot
    # write in OUT ... the finished fits are in OUT/results.csv", though
    # nothing had been written.
    path = tmp_path / ("a" * 300 + ".csv")
    assert _compare(tmp_path, "--data", str(path), "--target", "label") == 2
    err = capsys.readouterr().err
    assert err.startswith("ltlearn compare: error: ")
    assert err.count("\n") == 1 and "cannot write" not in err
    assert not (tmp_path / "out").exists()


def test_compare_keeps_a_read_only_model_and_report(tmp_path, capsys, monkeypatch):
    # Written through a temporary file renamed over them, a --save-best model
    # and a report the user had made read-only were replaced (writing into
    # them, as before, was refused).
    model = tmp_path / "model.joblib"
    model.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("keep")
    access = os.access
    read_only = {os.path.realpath(path) for path in (model, out / "report.md")}

    def fake_access(path, mode):
        if os.path.realpath(path) in read_only and mode & os.W_OK:
            return False
        return access(path, mode)

    monkeypatch.setattr(os, "access", fake_access)
    args = ["--data", str(_csv(tmp_path)), "--target", "label"]
    assert _compare(tmp_path, *args, "--save-best", str(model)) == 2
    assert "the file is read-only" in capsys.readouterr().err
    assert not (out / "results.csv").exists()  # refused before the fits
    assert _compare(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert "cannot write the report" in err and "Permission denied" in err
    assert model.read_text() == "keep"
    assert (out / "report.md").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize(
    "option, value", [("--cv", "x"), ("--seed", "1.5"), ("--n-jobs", "all")]
)
def test_compare_a_number_that_is_not_one_is_named(capsys, option, value):
    # argparse said "invalid _folds value: 'x'", naming a private function.
    with pytest.raises(SystemExit) as info:
        main(["compare", option, value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: not a whole number: {value!r}" in err
    assert "_" not in err.splitlines()[-1].split(":", 2)[-1]


@pytest.mark.parametrize("option", ["--output", "--save-best", "--data"])
def test_compare_an_empty_path_is_refused(tmp_path, monkeypatch, capsys, option):
    # --output "" wrote results.csv and the report in the current directory,
    # --save-best "" saved nothing, both without a word.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["compare", "--datasets", "glass4", "--methods", "plain", option, ""])
    assert info.value.code == 2
    assert f"argument {option}: an empty name" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_compare_an_empty_scheduler_is_refused(tmp_path, monkeypatch, capsys):
    # --scheduler "" (an unset shell variable) said "--scheduler needs
    # --backend dask", the backend --scheduler chooses, with no --backend given.
    monkeypatch.chdir(tmp_path)
    args = ["--datasets", "glass4", "--methods", "plain", "--scheduler", ""]
    with pytest.raises(SystemExit) as info:
        main(["compare", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --scheduler: an empty address" in err
    assert "--backend" not in err.splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


def test_compare_prints_a_path_the_terminal_cannot_encode(tmp_path, monkeypatch):
    # Under PYTHONIOENCODING=ascii the "Results:" line was a UnicodeEncodeError
    # after every fit had run.
    import io

    try:
        os.fsencode("résultats")
    except UnicodeEncodeError:
        pytest.skip("the file system encoding cannot name 'résultats'")
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)
    path = _csv(tmp_path)
    output = tmp_path / "résultats"
    args = ["--data", str(path), "--target", "label", "--output", str(output)]
    assert _compare(tmp_path, *args) == 0
    stdout.flush()
    assert "r\\xe9sultats" in stdout.buffer.getvalue().decode("ascii")
    assert (output / "results.csv").exists()


def test_compare_names_the_locale_cannot_decode_are_read_as_utf8(tmp_path, capsys):
    # Under LC_ALL=C without UTF-8 mode, "--data données.csv --target classé"
    # reaches Python with lone surrogates for the non-ASCII bytes: the target
    # named no column, and the data set name was a UnicodeEncodeError when
    # the first row was written to results.csv.
    path = _csv(tmp_path)
    text = path.read_text(encoding="utf-8").replace(",label", ",classé")
    # The name as the file system holds it, whatever the locale.
    data = os.fsdecode(os.path.join(os.fsencode(tmp_path), "données.csv".encode()))
    Path(data).write_bytes(text.encode("utf-8"))

    def undecoded(argument):
        return os.fsencode(argument).decode("ascii", "surrogateescape")

    target = "classé".encode().decode("ascii", "surrogateescape")
    args = ["--data", undecoded(data), "--target", target]
    assert _compare(tmp_path, *args) == 0
    assert {row["dataset"] for row in read_results(tmp_path / "out/results.csv")} == {
        "données"
    }
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| données |" in report and "données.csv" in report
    assert _compare(tmp_path, *args) == 0  # the rerun finds its fits
    assert "4 reused from results.csv" in capsys.readouterr().out


def test_compare_reads_a_parquet_file_the_locale_cannot_name(tmp_path):
    # pyarrow encodes a file name in UTF-8: "--data données.parquet" under
    # LC_ALL=C without UTF-8 mode, or a Latin-1 name under a UTF-8 locale,
    # was "cannot be read as a Parquet file: UnicodeEncodeError: 'utf-8'
    # codec can't encode character '\udce9' ...: surrogates not allowed".
    pytest.importorskip("pyarrow")
    import io

    import pandas as pd

    buffer = io.BytesIO()
    pd.read_csv(_csv(tmp_path)).to_parquet(buffer)
    # The name as the file system holds it, whatever the locale.
    name = os.path.join(os.fsencode(tmp_path), b"donn\xe9es.parquet")
    Path(os.fsdecode(name)).write_bytes(buffer.getvalue())
    args = ["--data", os.fsdecode(name), "--target", "label"]
    assert _compare(tmp_path, *args) == 0
    rows = read_results(tmp_path / "out/results.csv")
    assert {row["dataset"] for row in rows} == {"donn\ufffdes"}


def test_main_writes_back_the_bytes_the_locale_could_not_decode(monkeypatch):
    # With an ASCII locale, stdout writes the undecoded bytes of a file name
    # back (surrogateescape) but any other text such as "données", read from
    # a UTF-8 file, was a UnicodeEncodeError.
    import io

    from ltlearn import cli

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="surrogateescape")
    monkeypatch.setattr(sys, "stdout", stdout)
    with cli._printing_any_text():
        print("sortie \udcc3\udca9/results.csv: donn\xe9es")
    stdout.flush()
    assert stdout.errors == "surrogateescape"
    assert stdout.buffer.getvalue() == b"sortie \xc3\xa9/results.csv: donn\\xe9es\n"


@pytest.mark.parametrize("errors", ["strict", "backslashreplace"])
def test_main_escapes_the_undecoded_bytes_where_the_stream_refused_them(
    monkeypatch, errors
):
    # Under PYTHONIOENCODING=ascii (or on stderr), an output folder named by
    # the byte 0xe9 that the locale could not decode was printed with the
    # escape "sortie\udce9", as Python's stderr does; it became that raw
    # byte, on a stream declared ASCII.
    import io

    from ltlearn import cli

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors=errors)
    monkeypatch.setattr(sys, "stdout", stdout)
    with cli._printing_any_text():
        print("sortie\udce9/results.csv: donn\xe9es")
    stdout.flush()
    assert stdout.errors == errors
    assert stdout.buffer.getvalue() == b"sortie\\udce9/results.csv: donn\\xe9es\n"


def test_main_gives_the_streams_back_as_they_were(monkeypatch):
    # main() called from Python left stdout writing backslash escapes for
    # the rest of the process.
    import io

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["datasets", "glass4"]) == 0
    assert stdout.errors == "strict"
    assert "glass4" in stdout.buffer.getvalue().decode("ascii")


@pytest.mark.parametrize(
    "args, status", [(["--version"], 0), (["compare", "--help"], 0), ([], 2)]
)
def test_a_reader_gone_away_is_no_error(args, status):
    # The output was written when Python exited, too late for main() to catch
    # the BrokenPipeError: "Exception ignored ... BrokenPipeError", status 120.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with subprocess.Popen(
        [sys.executable, "-m", "ltlearn", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:  # closes its stderr
        process.stdout.close()  # the reader leaves before the first line
        err = process.stderr.read().decode()
    assert process.wait() == status
    assert err == ""
    # With stdout closed, Python has no sys.stdout: nothing to flush (argparse
    # then prints --version on stderr).
    closed = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "ltlearn", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert closed.returncode == status and "Error" not in closed.stderr


@pytest.mark.parametrize(
    "error, status, last",
    [
        ("RuntimeError('a bug')", 1, "RuntimeError: a bug"),
        ("KeyboardInterrupt", 130, "ltlearn: interrupted."),
    ],
)
def test_a_reader_gone_away_hides_no_error(error, status, last):
    # The output left in stdout's buffer was written while the error was on
    # its way: the BrokenPipeError replaced it, silently, with status 0.
    code = (
        "import sys, ltlearn.cli\n"
        "def datasets(args):\n"
        "    print('a line the reader never reads')\n"
        f"    raise {error}\n"
        "ltlearn.cli._cmd_datasets = datasets\n"
        "sys.exit(ltlearn.cli.main(['datasets']))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        process.stdout.close()
        err = process.stderr.read().decode()
    assert process.wait() == status
    assert err.splitlines()[-1] == last and "BrokenPipeError" not in err


@pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts the open descriptors"
)
def test_a_reader_gone_away_leaves_no_descriptor_open(monkeypatch):
    # main() called from Python left open the descriptor of the null device
    # that stdout was sent to, one more on each call.
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    with open(write_end, "w", encoding="utf-8") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        before = set(os.listdir("/proc/self/fd"))
        assert main(["datasets", "glass4"]) == 0
        # Only a new one counts: a garbage collection may close others.
        assert not set(os.listdir("/proc/self/fd")) - before
        monkeypatch.undo()


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_compare_outlives_a_reader_gone_away(tmp_path, monkeypatch, stream):
    # ``ltlearn compare | head -1`` (or ``2>&1 | head -1``) ended the run at
    # its next line, with status 0: on stdout, before the report and
    # --save-best (where stdout is not held back, as under PYTHONUNBUFFERED);
    # on stderr (the progress bar), before any fit.
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    gone = open(write_end, "w", buffering=1, encoding="utf-8")
    assert _compare_into(tmp_path, monkeypatch, stream, gone) == 0


def _compare_into(tmp_path, monkeypatch, stream, replacement):
    """The status of ``ltlearn compare --save-best`` with ``sys.<stream>`` replaced.

    Checks that ``replacement`` is given back (then closed), and that the
    results, the report and the model are written.
    """
    model = tmp_path / "model.joblib"
    args = ["--data", str(_csv(tmp_path)), "--target", "label"]
    args = _compare_args(tmp_path, *args, "--save-best", str(model))
    args.remove("--no-progress")
    monkeypatch.setattr(sys, stream, replacement)
    try:
        status = main(args)
        assert getattr(sys, stream) is replacement  # given back
    finally:
        monkeypatch.undo()
        _close(replacement)
    out = tmp_path / "out"
    assert len(read_results(out / "results.csv")) == 4
    assert (out / "report.md").exists() and (out / "plots").is_dir()
    assert model.exists()
    return status


class _FailingDescriptor(io.RawIOBase):
    """The descriptor ``fd``, whose writes fail with ``error`` while :meth:`fails`."""

    error = errno.EINVAL

    def writable(self):
        return True

    def fileno(self):
        return self.fd

    def fails(self):
        return True

    def write(self, data):
        if self.fails():
            raise OSError(self.error, os.strerror(self.error))
        return os.write(self.fd, data)


class _FailingFile(_FailingDescriptor):
    """A file whose writes fail with ``error`` until it is the null device.

    As a standard stream sent to a file on a full disk (``ENOSPC``), over
    its size limit (``EFBIG``) or on a failing device (``EIO``).
    """

    def __init__(self, path, error):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT)
        self.error = error

    def fails(self):
        return not os.path.samestat(os.fstat(self.fd), os.stat(os.devnull))

    def close(self):
        if not self.closed:
            os.close(self.fd)
        super().close()


@pytest.mark.parametrize(
    "stream, error, line_buffering",
    [
        ("stdout", errno.ENOSPC, False),
        ("stdout", errno.EIO, True),
        ("stderr", errno.EFBIG, True),
        ("stderr", errno.ENOSPC, False),
    ],
)
def test_compare_outlives_a_standard_stream_that_fails(
    tmp_path, monkeypatch, capsys, stream, error, line_buffering
):
    # ``ltlearn compare > log`` with log on a full disk ended after the fits
    # in a traceback (OSError: [Errno 28] No space left on device), without
    # the report or --save-best; ``2> log`` (the progress bar) stopped the
    # fits at once, with status 1 and no word. Now the run goes on, and ends
    # with status 2 and the error.
    failing = io.TextIOWrapper(
        io.BufferedWriter(_FailingFile(tmp_path / "log", error)),
        encoding="utf-8",
        line_buffering=line_buffering,
    )
    assert _compare_into(tmp_path, monkeypatch, stream, failing) == 2
    out, model = tmp_path / "out", tmp_path / "model.joblib"
    captured = capsys.readouterr()
    if stream == "stdout":
        assert captured.err.splitlines()[-1] == (
            f"ltlearn compare: error: cannot write to the standard output: "
            f"{os.strerror(error)}; what it printed from then on is lost. The run "
            f"finished: its results and report are in {out}, its model in {model}."
        )
    else:
        assert captured.out.splitlines()[-1].startswith(f"Saved:   {model}")


@pytest.mark.parametrize("args", [["datasets"], ["compare", "--list"]])
@pytest.mark.parametrize("line_buffering", [False, True])
def test_a_listing_into_a_failing_stdout_says_so_in_one_line(
    tmp_path, monkeypatch, capsys, args, line_buffering
):
    # ``ltlearn datasets > log`` on a full disk ended in a traceback ending in
    # "OSError: [Errno 28] No space left on device", status 1.
    failing = io.TextIOWrapper(
        io.BufferedWriter(_FailingFile(tmp_path / "log", errno.ENOSPC)),
        encoding="utf-8",
        line_buffering=line_buffering,
    )
    monkeypatch.setattr(sys, "stdout", failing)
    try:
        status = main(args)
        assert sys.stdout is failing  # given back
        failing.flush()  # what it held went to the null device
    finally:
        monkeypatch.undo()
        _close(failing)
    assert status == 2
    assert capsys.readouterr().err == (
        "ltlearn: error: cannot write to the standard output: "
        f"{os.strerror(errno.ENOSPC)}.\n"
    )


def test_an_error_of_the_command_is_not_taken_for_one_of_stdout(monkeypatch):
    def fails(args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "elsewhere")

    monkeypatch.setattr(ltlearn.cli, "_cmd_datasets", fails)
    with pytest.raises(OSError, match="elsewhere"):
        main(["datasets"])


class _WindowsPipe(_FailingDescriptor):
    """The descriptor of a pipe, written as on Windows.

    Windows' C library gives ``EINVAL`` for a write to a pipe whose reader
    left, which Python raises as "OSError: [Errno 22] Invalid argument", not
    as ``BrokenPipeError``. Once the descriptor points elsewhere (the null
    device), it writes.
    """

    def __init__(self, reader_alive):
        self.read_end, self.fd = os.pipe()
        if not reader_alive:
            os.close(self.read_end)
            self.read_end = None

    def fails(self):
        return self.read_end is None and stat.S_ISFIFO(os.fstat(self.fd).st_mode)

    def close(self):
        if not self.closed:
            os.close(self.fd)
            if self.read_end is not None:
                os.close(self.read_end)
        super().close()


def _windows_pipe(reader_alive=False, line_buffering=True):
    """A text stream on a :class:`_WindowsPipe`, buffered as Python's stdout."""
    raw = _WindowsPipe(reader_alive)
    return io.TextIOWrapper(
        io.BufferedWriter(raw), encoding="utf-8", line_buffering=line_buffering
    )


def _close(stream):
    """Close ``stream``, whose last flush may fail (its reader left)."""
    with contextlib.suppress(OSError):
        stream.close()


@pytest.fixture
def windows(monkeypatch):
    """The command line runs as on Windows, where its pipes give ``EINVAL``."""
    monkeypatch.setattr(_streams, "_windows", lambda: True)


@pytest.mark.parametrize("line_buffering", [False, True])
def test_a_reader_gone_away_on_windows_is_no_error(
    windows, monkeypatch, capsys, line_buffering
):
    # ``ltlearn datasets | more`` quit early: on Windows the write fails with
    # EINVAL, which ended the command with "OSError: [Errno 22] Invalid
    # argument" and a traceback. (Line-buffered, the first line fails within
    # the command; else the flush at its end.)
    gone = _windows_pipe(line_buffering=line_buffering)
    monkeypatch.setattr(sys, "stdout", gone)
    try:
        assert main(["datasets"]) == 0
        assert sys.stdout is gone  # given back
    finally:
        monkeypatch.undo()
        _close(gone)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("filename", [None, "a:b"])
def test_an_einval_of_the_command_is_raised_on_windows(windows, monkeypatch, filename):
    # Only a write to a pipe whose reader left is a reader gone away: an
    # EINVAL of anything else the command does ("[WinError 87] The parameter
    # is incorrect", a file name Windows refuses) is an error, and what the
    # command printed before it reaches the reader.
    def fails(args):
        print("listed")
        raise OSError(errno.EINVAL, "Invalid argument", filename)

    monkeypatch.setattr(ltlearn.cli, "_cmd_datasets", fails)
    pipe = _windows_pipe(reader_alive=True, line_buffering=False)
    monkeypatch.setattr(sys, "stdout", pipe)
    try:
        with pytest.raises(OSError, match="Invalid argument") as raised:
            main(["datasets"])
        assert raised.type is OSError and raised.value.filename == filename
        assert os.read(pipe.buffer.raw.read_end, 100) == b"listed\n"
    finally:
        monkeypatch.undo()
        _close(pipe)


def test_an_einval_on_a_pipe_is_an_error_elsewhere(monkeypatch, capsys):
    # Linux and macOS report a reader gone away as a broken pipe: an EINVAL
    # there is an error of the stream, which ends the command with status 2.
    monkeypatch.setattr(_streams, "_windows", lambda: False)
    gone = _windows_pipe()
    monkeypatch.setattr(sys, "stdout", gone)
    try:
        assert main(["datasets"]) == 2
    finally:
        monkeypatch.undo()
        _close(gone)
    assert capsys.readouterr().err == (
        "ltlearn: error: cannot write to the standard output: Invalid argument.\n"
    )
    assert not _streams._reader_gone(OSError(errno.EINVAL, "x"), io.StringIO())


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_compare_outlives_a_reader_gone_away_on_windows(
    tmp_path, monkeypatch, windows, stream
):
    # ``ltlearn compare | more`` quit early: on Windows the next line ended the
    # run with "OSError: [Errno 22] Invalid argument", before the report and
    # --save-best.
    assert _compare_into(tmp_path, monkeypatch, stream, _windows_pipe()) == 0


def test_compare_with_its_standard_streams_closed(tmp_path):
    # Python had no sys.stdout and sys.stderr: the progress bar (and loky, to
    # start the workers of --n-jobs 2) ended the run in an AttributeError,
    # with status 1 and no report; the first files opened took descriptors 1
    # and 2, so that what the process wrote to them went into results.csv.
    path = _csv(tmp_path)
    args = _compare_args(tmp_path, "--data", str(path), "--target", "label")
    args.remove("--no-progress")
    args[args.index("--n-jobs") + 1] = "2"
    code = (  # a library that writes to the standard error during the fits
        "import os, sys, ltlearn.cli\n"
        "from ltlearn._compare._runner import _Progress\n"
        "update = _Progress.update\n"
        "def noisy(self, label):\n"
        "    os.write(2, b'a warning of a library')\n"
        "    update(self, label)\n"
        "_Progress.update = noisy\n"
        "status = ltlearn.cli.main(sys.argv[1:])\n"
        "def closed(fd):\n"
        "    try:\n"
        "        os.fstat(fd)\n"
        "    except OSError:\n"
        "        return True\n"
        "    return False\n"
        "# the streams and their descriptors are given back, closed\n"
        "given_back = sys.stdout is None and sys.stderr is None\n"
        "sys.exit(status if given_back and all(map(closed, (0, 1, 2))) else 3)\n"
    )
    closed = subprocess.run(
        ["sh", "-c", 'exec "$@" <&- >&- 2>&-', "sh", sys.executable, "-c", code] + args,
        cwd=ROOT,
    )
    assert closed.returncode == 0
    out = tmp_path / "out"
    assert len(read_results(out / "results.csv")) == 4
    assert (out / "report.md").exists()
    assert (out / ".lock").read_bytes() == b""


def test_compare_help_gives_every_default():
    # --seed did not say that it defaults to 0.
    import argparse

    from ltlearn._compare._options import add_compare_parser

    compare = add_compare_parser(argparse.ArgumentParser().add_subparsers())
    for action in compare._actions:
        if action.default not in (None, argparse.SUPPRESS) and not isinstance(
            action.default, bool
        ):
            assert f"default: {action.default}" in action.help, action.dest
    # --methods said "default: every one that can run here", but the recipes
    # on a model that --models does not name (plain:rf, ...) do not run.
    (methods,) = (action for action in compare._actions if action.dest == "methods")
    assert "the recipes on the --models" in methods.help


def test_an_unknown_option_is_refused_by_its_command(capsys):
    # "usage: ltlearn [-h] [--version] COMMAND ..." and no suggestion.
    with pytest.raises(SystemExit) as info:
        main(["compare", "--n_jobs", "2"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: ltlearn compare")
    assert "unrecognized arguments: --n_jobs 2 (did you mean --n-jobs?)" in err
    with pytest.raises(SystemExit):
        main(["datasets", "a", "b"])
    err = capsys.readouterr().err
    assert err.startswith("usage: ltlearn datasets")
    assert err.endswith("error: unrecognized arguments: b\n")


@pytest.mark.parametrize(
    "words, hint",
    [
        (["--n_jobs=2"], " (did you mean --n-jobs?)"),
        (["--outputs", "out"], " (did you mean --output?)"),
        # "did you mean --save-best?", "--list?" and "--cv?".
        (["--verbose"], ""),
        (["--quiet"], ""),
        (["--", "x"], ""),
    ],
)
def test_an_unknown_option_gets_no_far_fetched_suggestion(capsys, words, hint):
    with pytest.raises(SystemExit):
        main(["compare", "--list", *words])
    err = capsys.readouterr().err
    assert err.endswith(f"unrecognized arguments: {' '.join(words)}{hint}\n")


@pytest.mark.parametrize("n_jobs", ["1000", "-1", "-2"])
def test_compare_starts_no_more_workers_than_fits(
    tmp_path, capsys, monkeypatch, n_jobs
):
    # loky starts every worker at once: --n-jobs 1000 started 1000 processes,
    # and the default -1 one per core (-2: all but one), here 64 for 4 fits.
    import joblib._parallel_backends

    from ltlearn._compare import _runner

    monkeypatch.setattr(joblib._parallel_backends, "cpu_count", lambda **kw: 64)
    asked = []
    backend = _runner._backend

    def recording(name, scheduler, n_jobs):
        asked.append(n_jobs)
        return backend(name, scheduler, 1)

    monkeypatch.setattr(_runner, "_backend", recording)
    args = _compare_args(tmp_path, "--data", str(_csv(tmp_path)), "--target", "label")
    args[args.index("--n-jobs") + 1] = n_jobs
    assert main(args) == 0
    assert asked == [4]  # 2 methods x 2 folds


@pytest.mark.parametrize(
    "args, hint",
    [
        (["--methods", "plian"], "Did you mean 'plain', 'plugin', 'plain:rf'?"),
        (["--methods", "plain", "--models", "rff"], "Did you mean 'rf'?"),
    ],
)
def test_compare_a_misspelt_method_or_model_gets_a_suggestion(capsys, args, hint):
    # Only the list of the 41 known methods; a misspelt data set had a hint.
    assert main(["compare", "--datasets", "glass4", *args]) == 2
    assert capsys.readouterr().err.rstrip().endswith(hint)


def test_names_given_again_add_to_the_first():
    # --methods plain --methods smote ran smote alone, without a word; the
    # same for --datasets and --models.
    args = _build_parser().parse_args(
        ["compare", "--datasets", "glass4", "--datasets", "ecoli1,pima"]
        + ["--methods", "plain", "--methods", "smote", "--models", "lr"]
        + ["--models", "rf"]
    )
    assert _names(args.datasets) == ["glass4", "ecoli1", "pima"]
    assert _names(args.methods) == ["plain", "smote"]
    assert _names(args.models) == ["lr", "rf"]


def test_data_given_twice_is_refused(tmp_path, capsys):
    # --data a.csv --data b.csv compared b.csv alone, without a word.
    first, second = _csv(tmp_path), tmp_path / "other.csv"
    second.write_text(first.read_text())
    args = ["--data", str(first), "--data", str(second), "--target", "label"]
    with pytest.raises(SystemExit) as info:
        _compare(tmp_path, *args)
    assert info.value.code == 2
    assert f"--data: given twice ({first}, then {second})" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    # The same file twice is one file.
    again = ["--data", str(tmp_path / "." / first.name)]
    assert _compare(tmp_path, *args[:2], *again, "--target", "label") == 0


def test_save_best_without_a_few_shot_class_says_why(tmp_path, capsys):
    # "--save-best: no recipe ran successfully", though every fit ran: no
    # class was few-shot, so no recipe had a score to rank.
    args = ["--data", str(_csv(tmp_path)), "--target", "label"]
    args += ["--scoring", "few_shot_accuracy", "--few-threshold", "1"]
    model = tmp_path / "model.joblib"
    assert _compare(tmp_path, *args, "--save-best", str(model)) == 2
    err = capsys.readouterr().err
    assert err == (
        "ltlearn compare: error: --save-best: no recipe has a few-shot accuracy "
        "on data: no class has fewer than 1 training rows (--few-threshold); "
        "nothing saved.\n"
    )
    assert not model.exists()


def test_a_method_run_on_no_data_set_is_not_ranked_with_the_reason(tmp_path, capsys):
    # "Not ranked: crest, no score on any data set." as if it had failed: the
    # data have no unlabelled rows, and the table did not say so.
    args = ["--data", str(_csv(tmp_path)), "--target", "label"]
    assert _compare(tmp_path, *args, "--methods", "plain", "crest") == 0
    assert (
        "Not ranked: crest, no score on any data set (semi-supervised, it runs "
        "only on data with unlabelled rows; not run on data).\n"
    ) in capsys.readouterr().out


def test_an_unlabelled_marker_that_marks_no_row_is_noted(tmp_path, capsys):
    # A mistyped --unlabelled made the rows it meant a class, without a word.
    path = _csv(tmp_path)
    path.write_text(path.read_text().replace(",0\n", ",-1\n", 3))
    args = ["--data", str(path), "--target", "label", "--unlabelled", "unknown"]
    assert _compare(tmp_path, *args) == 0
    assert (
        "ltlearn compare: note: data: --unlabelled 'unknown' marks no row: every "
        "row is labelled, with the classes -1, 0, 1 of 'label'.\n"
    ) in capsys.readouterr().err
    assert "marks no row" in (tmp_path / "out" / "report.md").read_text()
    # "none" says that every row is labelled: not noted.
    assert _compare(tmp_path, *args[:4], "--unlabelled", "none") == 0
    assert "marks no row" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "words, meant",
    [
        (["--random-state", "3"], "--seed"),
        (["--random_state=3"], "--seed"),
        (["--folds", "3"], "--cv"),
        (["--n_splits", "3"], "--cv"),
        (["--format", "html"], "--report"),
        (["--recipes", "plain"], "--methods"),
    ],
)
def test_an_option_named_as_scikit_learn_names_it_gets_a_hint(capsys, words, meant):
    # "unrecognized arguments: --random-state 3", without a hint.
    with pytest.raises(SystemExit) as info:
        main(["compare", "--list", *words])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(f"arguments: {' '.join(words)} (did you mean {meant}?)\n")


@pytest.mark.parametrize(
    "args, hint",
    [
        (["--models", "LR"], "Did you mean 'lr'?"),
        (["--methods", "PLAIN"], "Did you mean 'plain'?"),
        (["--datasets", "GLASS4"], "Did you mean 'glass4'?"),
    ],
)
def test_a_name_in_another_case_gets_a_hint(capsys, args, hint):
    # "Unknown model 'LR'; the models are: lr, rf, hgb, mlp." without a hint,
    # which difflib gives for longer names only.
    assert main(["compare", "--methods", "plain", *args]) == 2
    assert hint in capsys.readouterr().err


def test_compare_takes_every_seed_of_numpy():
    parser = _build_parser()
    assert parser.parse_args(["compare", "--seed", str(2**32 - 1)]).seed == 2**32 - 1
    with pytest.raises(SystemExit):
        parser.parse_args(["compare", "--seed", str(2**32)])


def test_compare_loads_the_default_data_sets_and_each_named_one_once(monkeypatch):
    from ltlearn._compare import _cli
    from ltlearn._compare._data import DEFAULT_DATASETS

    monkeypatch.setattr(_cli, "load_embedded", lambda name: name)
    parser = _build_parser()
    args = parser.parse_args(["compare"])
    assert _cli._load(args) == list(DEFAULT_DATASETS)
    # the default data sets that the user guide names
    assert DEFAULT_DATASETS == (
        *("ecoli1", "glass4", "pima", "vehicle0", "yeast4", "abalone-20_vs_8-9-10"),
        *("digits_lt", "digits_lt_semi"),
    )
    args = parser.parse_args(["compare", "--datasets", "pima,ecoli1", "pima"])
    assert _cli._load(args) == ["pima", "ecoli1"]


def test_compare_scheduler_without_backend_chooses_dask(monkeypatch, tmp_path, capsys):
    from ltlearn._compare import _cli
    from ltlearn._compare._data import CompareError

    asked = []

    def check_backend(backend, scheduler):
        asked.append((backend, scheduler))
        raise CompareError("checked")

    monkeypatch.setattr(_cli, "check_backend", check_backend)
    argv = ["compare", "--scheduler", "tcp://127.0.0.1:1", "--output", str(tmp_path)]
    assert main(argv) == 2
    assert asked == [("dask", "tcp://127.0.0.1:1")]
    assert "error: checked" in capsys.readouterr().err


def test_compare_data_set_imbalance_ratio_is_largest_over_smallest_class():
    from ltlearn._compare._data import Dataset

    y = np.array([0] * 12 + [1] * 6 + [2] * 3 + [-1] * 5)
    dataset = Dataset("d", np.zeros((y.size, 2)), y, np.arange(3), source="test")
    info = dataset.info()
    assert info["imbalance_ratio"] == 4.0
    assert (info["n_samples"], info["n_unlabelled"]) == (26, 5)


def test_compare_unlabelled_none_in_any_case_marks_no_row():
    pd = pytest.importorskip("pandas")
    from ltlearn._compare._target import _unlabelled_mask

    target = pd.Series(["none", "None", "NONE", "a"])
    for marker in ("none", "None", "NONE"):
        assert not _unlabelled_mask(target, marker).any()


def test_compare_refuses_a_target_of_three_distinct_rows_as_an_identifier():
    pd = pytest.importorskip("pandas")
    from ltlearn._compare._data import CompareError
    from ltlearn._compare._target import _class_codes

    target = pd.Series(["a", "b", "c"])
    with pytest.raises(CompareError, match="different value on each of its 3"):
        _class_codes(target, np.zeros(3, dtype=bool), "y", "-1")
