"""Ctrl-C during ``ltlearn compare``: nothing half-done kept, nothing done lost."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import CancelledError
from contextlib import nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from pickle import PicklingError
from types import SimpleNamespace

import pytest

from ltlearn._compare._results import read_results
from ltlearn.cli import main
from ltlearn.recipes._registry import RECIPES
from tests.test_cli import _compare_args, _csv

ROOT = Path(__file__).resolve().parents[1]

# The child runs the command line after wrapping one method: its first call
# once the results file holds k rows marks a file and sleeps, so that the
# signal arrives during that call.
_CHILD = """\
import functools, importlib, pathlib, sys, time

module, qualname, results, k, marker = sys.argv[1:6]
owner, name = qualname.split(".")
cls = getattr(importlib.import_module(module), owner)
original = getattr(cls, name)
results, marker = pathlib.Path(results), pathlib.Path(marker)


@functools.wraps(original)
def paused(self, *args, **kwargs):
    if not marker.exists() and results.exists():
        if results.read_bytes().count(b"\\n") == 1 + int(k):
            marker.touch()
            time.sleep(60)
    return original(self, *args, **kwargs)


setattr(cls, name, paused)
from ltlearn.cli import main

sys.exit(main(sys.argv[6:]))
"""


def _args(tmp_path, output, method):
    data = _csv(tmp_path, n=40)
    return _compare_args(
        tmp_path,
        *("--data", str(data), "--target", "label", "--methods", method),
        *("--output", str(tmp_path / output)),
    )


def _interrupt(tmp_path, pause, results, args, sig=signal.SIGINT, k=1):
    """Run the command in a child, send ``sig`` during the paused call.

    The call is paused once the results file holds ``k`` rows.
    """
    marker = tmp_path / "fitting"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    env["OMP_NUM_THREADS"] = "1"
    child_args = [*pause, str(results), str(k), str(marker), *args]
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *child_args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the fit never started"
            time.sleep(0.02)
        child.send_signal(sig)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    return child.returncode, out, err


def _without_timings(rows):
    return [{k: v for k, v in r.items() if not k.endswith("_time")} for r in rows]


@pytest.mark.parametrize(
    "method, pause",
    [
        ("plain", ("sklearn.linear_model", "LogisticRegression.fit")),
        # skorch's fit loop catches KeyboardInterrupt: the fit must not count.
        ("deep_ce", ("ltlearn.deep", "LongTailClassifier.train_step")),
    ],
    ids=["classical", "deep"],
)
def test_ctrl_c_keeps_the_finished_fits_and_the_rerun_matches_a_clean_run(
    tmp_path, capsys, method, pause
):
    if RECIPES[method].missing() is not None:
        pytest.skip(RECIPES[method].missing())
    n_finished = 1
    assert main(_args(tmp_path, "clean", method)) == 0
    clean = read_results(tmp_path / "clean" / "results.csv")
    assert len(clean) == 2 and all(r["status"] == "ok" for r in clean)

    args = _args(tmp_path, "resumed", method)
    path = tmp_path / "resumed" / "results.csv"
    status, out, err = _interrupt(tmp_path, pause, path, args)
    assert status == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        f"Interrupted. The finished fits are in {tmp_path / 'resumed'}/results.csv; "
        "run the same command again to go on."
    ]
    finished = read_results(path)
    assert _without_timings(finished) == _without_timings(clean[:n_finished])

    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert re.search(
        rf"\b{2 - n_finished} fits run in \d+ s, {n_finished} reused from", out
    )
    resumed = read_results(path)
    assert resumed[:n_finished] == finished  # reused as they were, timings included
    assert _without_timings(resumed) == _without_timings(clean)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize(
    "method, pause, sig",
    [
        ("plain", ("sklearn.linear_model", "LogisticRegression.fit"), "SIGTERM"),
        ("plain", ("sklearn.linear_model", "LogisticRegression.fit"), "SIGHUP"),
        # The network's fit re-raises the KeyboardInterrupt a SIGTERM raises.
        ("deep_ce", ("ltlearn.deep", "LongTailClassifier.train_step"), "SIGTERM"),
    ],
    ids=["classical-sigterm", "classical-sighup", "deep-sigterm"],
)
def test_a_scheduler_sigterm_stops_as_ctrl_c_with_the_signal_status(
    tmp_path, capsys, method, pause, sig
):
    # A batch scheduler's time limit (SIGTERM) killed the run where it was:
    # no message, joblib's workers and temporary files left behind.
    if RECIPES[method].missing() is not None:
        pytest.skip(RECIPES[method].missing())
    sig = getattr(signal, sig)
    assert main(_args(tmp_path, "clean", method)) == 0
    clean = read_results(tmp_path / "clean" / "results.csv")

    args = _args(tmp_path, "resumed", method)
    path = tmp_path / "resumed" / "results.csv"
    status, out, err = _interrupt(tmp_path, pause, path, args, sig=sig)
    assert status == 128 + sig, err
    assert err.strip().splitlines() == [
        f"Interrupted. The finished fits are in {tmp_path / 'resumed'}/results.csv; "
        "run the same command again to go on."
    ]
    assert _without_timings(read_results(path)) == _without_timings(clean[:1])
    capsys.readouterr()
    assert main(args) == 0
    assert _without_timings(read_results(path)) == _without_timings(clean)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_a_sigterm_while_writing_the_report_leaves_no_temporary_file(tmp_path):
    # The drafts of the plots and the report's temporary file stayed in the
    # output directory, and no rerun removed them.
    args = _args(tmp_path, "out", "plain")
    output = tmp_path / "out"
    assert main(args) == 0
    before = sorted(output.rglob("*"))
    # The report's text is the first file written with write_text.
    pause = ("pathlib", "Path.write_text")
    status, out, err = _interrupt(
        tmp_path, pause, output / "results.csv", args, sig=signal.SIGTERM, k=2
    )
    assert status == 143, err
    assert "Interrupted while writing the report" in err
    assert sorted(output.rglob("*")) == before


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _cut_off(path, *args, **kwargs):
    Path(path).write_bytes(b"partial")
    _no_space()


@pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts the open descriptors"
)
def test_a_full_disk_at_the_header_leaves_no_descriptor_open(
    tmp_path, monkeypatch, capsys
):
    # The new results file stayed open in the caller's process when its
    # header could not be written.
    args = _args(tmp_path, "out", "plain")
    before = set(os.listdir("/proc/self/fd"))
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", _no_space)
        assert main(args) == 2
    assert "No space left on device" in capsys.readouterr().err
    # Only a new one counts: a garbage collection may close others.
    assert not set(os.listdir("/proc/self/fd")) - before


def test_a_stop_before_any_fit_says_none_was_recorded(tmp_path, monkeypatch, capsys):
    # A disk full from the start, or Ctrl-C during the first fit, said "The
    # finished fits are in OUT/results.csv", though none had finished.
    args = _args(tmp_path, "out", "plain")
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", _no_space)
        assert main(args) == 2
    none = "No fit was recorded; run the same command again to start.\n"
    assert capsys.readouterr().err.endswith(f"No space left on device. {none}")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("ltlearn._compare._cli.run_comparison", interrupted)
        assert main(args) == 130
        assert capsys.readouterr().err == f"\nInterrupted. {none}"


class _MinuteClock:
    """A clock a minute later at each reading, for the report's time."""

    minutes = 0

    @classmethod
    def now(cls, tz=None):
        cls.minutes += 1
        return datetime(2026, 1, 1, tzinfo=tz) + timedelta(minutes=cls.minutes)


def test_a_full_disk_keeps_the_results_report_and_model_whole(
    tmp_path, monkeypatch, capsys
):
    # A full disk while a row was appended ended with a traceback; while the
    # report or --save-best was written it left a cut-off file in its place
    # (and --save-best a traceback).
    import joblib

    # each run of the report in another minute: the test failed when the
    # clock passed a minute between runs
    monkeypatch.setattr("ltlearn._compare._report.datetime", _MinuteClock)

    data = ["--data", str(_csv(tmp_path, n=40)), "--target", "label"]
    model = tmp_path / "model.joblib"
    args = _compare_args(tmp_path, *data, "--save-best", str(model))
    assert main(args) == 0
    out = tmp_path / "out"
    before = {path: path.read_bytes() for path in (out / "results.csv", model)}
    report = (out / "report.md").read_bytes()
    plots = {path: path.read_bytes() for path in (out / "plots").glob("*")}
    capsys.readouterr()

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", _no_space)
        assert main([*args, "--methods", "smote"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert f"The finished fits are in {out}/results.csv;" in err
    assert (out / "results.csv").read_bytes() == before[out / "results.csv"]

    write_text = Path.write_text

    def report_full(self, *args, **kwargs):
        if self.name.endswith("report.md"):
            _cut_off(self)
        return write_text(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_text", report_full)
        assert main(args) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert (out / "report.md").read_bytes() == report

    with monkeypatch.context() as patch:
        patch.setattr(joblib, "dump", lambda model, path: _cut_off(path))
        assert main(args) == 2
    err = capsys.readouterr().err
    assert "cannot save --save-best" in err and "nothing saved" in err
    assert model.read_bytes() == before[model]
    names = [path.name for path in [*out.iterdir(), *tmp_path.iterdir()]]
    assert not [name for name in names if name.startswith(".tmp")]
    # that run wrote its report (the model is saved after it): its time is
    # that of the run, another minute when the clock passed one since
    report = (out / "report.md").read_bytes()
    plots = {path: path.read_bytes() for path in (out / "plots").glob("*")}

    # The plots come with the plot extra.
    Figure = pytest.importorskip("matplotlib.figure").Figure
    with monkeypatch.context() as patch:
        patch.setattr(Figure, "savefig", lambda figure, path, **kwargs: _cut_off(path))
        assert main(args) == 2
    err = capsys.readouterr().err
    assert "cannot write the report" in err and "No space left" in err
    # No cut-off plot is left: the previous report keeps its own plots.
    assert {path: path.read_bytes() for path in (out / "plots").iterdir()} == plots
    assert (out / "report.md").read_bytes() == report
    names = [path.name for path in [*out.iterdir(), *(out / "plots").iterdir()]]
    assert not [name for name in names if name.startswith(".tmp")]


@pytest.mark.parametrize("step", ["folder", "draw", "copy"])
def test_a_full_disk_names_the_plot_not_its_draft(tmp_path, monkeypatch, capsys, step):
    # A full disk while a plot was drawn, or copied beside the previous one,
    # named its draft in a temporary folder removed since
    # ("OUT/plots/.tmpk3j2x9a1/ranks.png"), or its hidden copy there; while
    # that folder was made, the folder.
    Figure = pytest.importorskip("matplotlib.figure").Figure
    data = ["--data", str(_csv(tmp_path, n=40)), "--target", "label"]

    def full(*names):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *names)

    if step == "folder":
        monkeypatch.setattr(
            tempfile, "mkdtemp", lambda suffix, prefix, dir: full(f"{dir}/.tmpk3j2")
        )
    elif step == "draw":
        monkeypatch.setattr(Figure, "savefig", lambda fig, path, **_: full(str(path)))
    else:
        copyfile = shutil.copyfile

        def copy(source, target, **kwargs):
            if Path(target).name.endswith("ranks.png"):
                full(str(source), None, str(target))  # as sendfile's error
            return copyfile(source, target, **kwargs)

        monkeypatch.setattr(shutil, "copyfile", copy)
    assert main(_compare_args(tmp_path, *data)) == 2
    plots = tmp_path / "out" / "plots"
    named = {"folder": "", "draw": r"/\w+\.png", "copy": r"/ranks\.png"}[step]
    assert re.search(
        rf"No space left on device \({re.escape(str(plots))}{named}\)\. "
        "The results are in",
        capsys.readouterr().err,
    )
    assert not [path for path in plots.rglob("*") if path.name.startswith(".tmp")]


@pytest.mark.parametrize("fault", [OSError, KeyboardInterrupt])
def test_a_failed_report_keeps_the_previous_report_with_its_own_plots(
    tmp_path, monkeypatch, capsys, fault
):
    # The plots were renamed into place one by one before the report: a full
    # disk or an interrupt at the report's rename (or at its flush to the
    # disk) left the previous report beside this comparison's plots.
    pytest.importorskip("matplotlib")
    data = ["--data", str(_csv(tmp_path, n=40)), "--target", "label"]
    assert main(_compare_args(tmp_path, *data, "--methods", "plain")) == 0
    out = tmp_path / "out"
    before = {path: path.read_bytes() for path in out.rglob("*.*") if path.is_file()}
    capsys.readouterr()
    replace, failed = os.replace, []

    def failing(source, target, *args, **kwargs):
        if Path(target).name == "report.md" and not failed:
            failed.append(target)
            raise (
                fault()
                if fault is KeyboardInterrupt
                else OSError(errno.ENOSPC, "No space")
            )
        return replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    status = main(_compare_args(tmp_path, *data))
    assert status == (130 if fault is KeyboardInterrupt else 2)
    after = {path: path.read_bytes() for path in out.rglob("*.*") if path.is_file()}
    del before[out / "results.csv"], after[out / "results.csv"]
    assert after == before
    assert not [path for path in out.rglob("*") if path.name.startswith(".tmp")]


def test_a_full_temporary_folder_of_joblib_says_so(tmp_path, monkeypatch, capsys):
    # With --n-jobs above 1, loky writes the arrays over 1 MB to files in
    # joblib's temporary folder, for its workers: a full disk there ended the
    # run in a traceback of some sixty lines ending in "PicklingError: Could
    # not pickle the task to send it to the workers", the system's error in
    # the middle of it.
    import joblib

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("joblib._memmapping_reducer.dump", full)
    args = _compare_args(tmp_path, "--data", str(_csv(tmp_path)), "--target", "label")
    args[args.index("--n-jobs") + 1] = "2"
    with joblib.parallel_config(max_nbytes=100):  # the test's data as large ones
        assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "ltlearn compare: error: cannot hand the data to the worker processes: "
        "No space left on device. joblib writes them to its temporary folder: "
        "make room there, set JOBLIB_TEMP_FOLDER to a folder with room, or use "
        "--n-jobs 1. "
    )
    assert "Traceback" not in err


def test_a_task_that_cannot_be_pickled_is_not_a_full_temporary_folder(
    tmp_path, monkeypatch
):
    # An OSError while a part of the task other than its arrays was pickled
    # (not written to joblib's temporary folder) was read as that folder
    # having no room.
    import joblib

    from ltlearn._compare import _runner

    class Unpicklable:
        def __call__(self, *args):
            return _run_one(*args)

        def __reduce__(self):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "/x")

    _run_one = _runner._run_one
    monkeypatch.setattr(_runner, "_run_one", Unpicklable())
    args = _compare_args(tmp_path, "--data", str(_csv(tmp_path)), "--target", "label")
    args[args.index("--n-jobs") + 1] = "2"
    with joblib.parallel_config(max_nbytes=100), pytest.raises(PicklingError):
        main(args)


def test_a_worker_killed_during_a_fit_says_so_and_keeps_the_finished_fits(
    tmp_path, monkeypatch, capsys
):
    # A worker killed during a fit (the out-of-memory killer, a crash in
    # compiled code) ended the command with joblib's TerminatedWorkerError
    # and its traceback, not a word of the fits kept.
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    from ltlearn._compare._results import ResultsFile

    write = ResultsFile.write

    def killed_after_one(self, row):
        write(self, row)
        # as loky words it when the next fit's worker is gone
        raise TerminatedWorkerError(
            "A worker process managed by the executor was unexpectedly "
            "terminated.\n\nThe exit codes of the workers are {SIGKILL(-9)}\n"
        )

    monkeypatch.setattr(ResultsFile, "write", killed_after_one)
    assert main(_args(tmp_path, "out", "plain")) == 2
    path = tmp_path / "out" / "results.csv"
    assert capsys.readouterr().err == (
        "ltlearn compare: error: a worker process ended during a fit (exit code "
        "SIGKILL(-9)): killed, for instance by the system for lack of memory, "
        f"or crashed. The finished fits are in {path}; run the same command "
        "again to go on.\n"
    )
    assert [row["fold"] for row in read_results(path)] == [0]


def _killed_worker():
    from distributed import KilledWorker

    return KilledWorker("fit", SimpleNamespace(address="tcp://127.0.0.1:1"), 3)


@pytest.mark.parametrize(
    "error",
    [
        # the fit's data lost with its worker
        lambda: CancelledError("batch cancelled for reason: already forgotten."),
        # every worker that tried the fit ended
        _killed_worker,
    ],
    ids=["data lost", "every worker ended"],
)
def test_a_dask_worker_killed_during_a_fit_says_so(
    tmp_path, monkeypatch, capsys, error
):
    # With --backend dask it ended with distributed's traceback.
    pytest.importorskip("distributed")
    from ltlearn._compare import _runner
    from ltlearn._compare._results import ResultsFile

    write = ResultsFile.write

    def killed_after_one(self, row):
        write(self, row)
        raise error()

    # The fits run here, not on a local cluster.
    monkeypatch.setattr(_runner, "_backend", lambda *args: nullcontext(1))
    monkeypatch.setattr(ResultsFile, "write", killed_after_one)
    args = _args(tmp_path, "out", "plain") + ["--backend", "dask"]
    assert main(args) == 2
    path = tmp_path / "out" / "results.csv"
    assert capsys.readouterr().err == (
        "ltlearn compare: error: a worker process ended during a fit: killed, for "
        "instance by the system for lack of memory, or crashed. The finished fits "
        f"are in {path}; run the same command again to go on.\n"
    )
    assert [row["fold"] for row in read_results(path)] == [0]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_a_sigterm_handler_of_the_caller_is_kept_and_decides(tmp_path, monkeypatch):
    # Called from a program with its own SIGTERM handler (one that only notes
    # the signal), the run went on; it must neither stop it nor be replaced.
    from sklearn.linear_model import LogisticRegression

    received = []

    def own(signum, frame):
        received.append(signum)

    fit = LogisticRegression.fit

    def signalled_fit(self, *args, **kwargs):
        if not received:
            os.kill(os.getpid(), signal.SIGTERM)
        return fit(self, *args, **kwargs)

    previous = signal.signal(signal.SIGTERM, own)
    try:
        monkeypatch.setattr(LogisticRegression, "fit", signalled_fit)
        assert main(_args(tmp_path, "out", "plain")) == 0
        assert signal.getsignal(signal.SIGTERM) is own
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert received == [signal.SIGTERM]
    assert len(read_results(tmp_path / "out" / "results.csv")) == 2
