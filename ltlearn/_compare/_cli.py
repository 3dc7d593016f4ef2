"""The ``ltlearn compare`` command; its options are in ``_options.py``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import re
import sys
import time
import warnings
from concurrent.futures import BrokenExecutor, CancelledError
from pickle import PicklingError

from ltlearn._compare._data import (
    DEFAULT_DATASETS,
    DIGITS,
    CompareError,
    available_datasets,
    load_embedded,
)
from ltlearn._compare._options import _names
from ltlearn._compare._report import write_report
from ltlearn._compare._results import RESULTS_FILE, lock_output, visible
from ltlearn._compare._runner import check_backend, run_comparison
from ltlearn._compare._save import check_save_best, save_best
from ltlearn._compare._streams import WrappedStream, null_onto, wrapped_streams
from ltlearn._compare._summary import summarize
from ltlearn._compare._tables import format_table
from ltlearn._compare._target import _marks_nothing
from ltlearn._compare._user_table import load_table
from ltlearn.recipes._registry import EXCLUDED, RECIPES, resolve_methods
from ltlearn.utils._interrupts import terminating_as_interrupt


def _unavailable(skipped):
    """Lines naming the recipes that cannot run here, and the extra they need."""
    by_reason = {}
    for name, reason in skipped.items():
        if name in RECIPES:  # not a recipe:model variant that does not exist
            by_reason.setdefault(reason, []).append(name)
    lines = []
    for reason, names in by_reason.items():
        line = f"Not run here: {', '.join(names)} ({reason})"
        if any(RECIPES[name].deep for name in names):
            line += "; pip install 'ltlearn[deep]' adds them"
        lines.append(line + ".")
    return lines


def _list():
    print("methods:")
    width = max(map(len, RECIPES))
    for name, recipe in RECIPES.items():
        reason = recipe.unavailable()
        extra = ""
        if reason is not None:
            extra = f"  [unavailable: {reason}]"
        elif recipe.semi_supervised:
            extra = "  [needs unlabelled rows]"
        elif recipe.peer:
            extra = "  [peer]"
        print(f"  {name:<{width}}  {recipe.summary}{extra}")
    print("\nnot built (recipe:model):")
    for (family, model), why in EXCLUDED.items():
        print(f"  {family}:{model}  {why}")
    print("\ndefault data sets: " + ", ".join(DEFAULT_DATASETS))
    # `ltlearn datasets` lists the KEEL sets only, not the digits.
    n_keel = len(available_datasets()) - len(DIGITS)
    print(
        f"embedded data sets: {', '.join(DIGITS)} and {n_keel} KEEL data sets "
        "(`ltlearn datasets` lists them)."
    )
    return 0


def _load(args):
    if args.data is not None:
        if args.datasets:
            raise CompareError("Give either --data or --datasets, not both.")
        if args.target is None:
            raise CompareError("--data needs --target COLUMN, the label column.")
        if args.unlabelled is None:
            return [load_table(args.data, args.target, groups=args.groups)]
        dataset = load_table(
            args.data, args.target, unlabelled=args.unlabelled, groups=args.groups
        )
        if dataset.n_unlabelled == 0 and not _marks_nothing(args.unlabelled):
            # A mistyped marker made the rows it meant a class, without a word.
            classes = ", ".join(map(repr, dataset.classes[:10].tolist()))
            more = ", ..." if dataset.classes.size > 10 else ""
            dataset.notes.append(
                f"--unlabelled {args.unlabelled!r} marks no row: every row is "
                f"labelled, with the classes {classes}{more} of "
                f"{args.target!r}."
            )
        return [dataset]
    for option in ("target", "unlabelled"):
        if getattr(args, option) is not None:
            raise CompareError(f"--{option} goes with --data FILE.")
    if args.groups is not None:
        raise CompareError(
            "--groups goes with --data FILE: the rows of the embedded data sets "
            "have no groups."
        )
    names = _names(args.datasets)
    if names == []:
        # --datasets "" (an unset shell variable) ran the default data sets.
        raise CompareError("Nothing to run: --datasets names no data set.")
    names = names or list(DEFAULT_DATASETS)
    return [load_embedded(name) for name in dict.fromkeys(names)]


def compare_command(args):
    """Run ``ltlearn compare``; return the exit status."""
    if args.list:
        return _list()
    # Holds the lock of the output directory until the report is written.
    with contextlib.ExitStack() as stack:
        stack.enter_context(_outliving_readers())
        stack.enter_context(warnings.catch_warnings())
        warnings.showwarning = _show_warning
        # A scheduler's SIGTERM stops the run as a Ctrl-C does, with the
        # status of a process ended by that signal (143).
        terminated = stack.enter_context(terminating_as_interrupt())
        status = _compare(args, stack)
        if status == 130 and terminated:
            status = 128 + terminated[0]
        return _stream_errors(args, status)


class _Dropping(WrappedStream):
    """A standard stream whose text goes to the null device once it fails.

    As after ``ltlearn compare | head -1``: its ``write`` and ``flush`` no
    longer raise ``BrokenPipeError``. Nor an error of the file it writes
    (a full disk, a file too large, an I/O error): the first is kept in
    ``error``, for the command to end with it.
    """

    error = None

    def failed(self, exc):
        if not isinstance(exc, BrokenPipeError) and self.error is None:
            self.error = exc
        with contextlib.suppress(OSError, ValueError):
            null_onto(self._stream.fileno())


_STREAM_NAMES = {"stdout": "standard output", "stderr": "standard error"}


def _stream_errors(args, status):
    """``status``, or 2 where stdout or stderr could not be written; it says so.

    The run goes on when they fail (``> log`` on a full disk): the progress
    bar stopped the fits, and the table the report, with a traceback or no
    word at all. What is held back in them is written first. Called within
    :func:`_outliving_readers`: both streams are ``_Dropping``.
    """
    failed = []
    for name, words in _STREAM_NAMES.items():
        stream = getattr(sys, name)
        stream.flush()
        if stream.error is not None:
            failed.append((words, stream.error))
    for words, exc in failed:
        message = (
            f"ltlearn compare: error: cannot write to the {words}: {_why(exc)}; "
            "what it printed from then on is lost."
        )
        if status == 0:
            message += (
                " The run finished: its results and report are in "
                + visible(args.output)
                + (
                    f", its model in {visible(args.save_best)}."
                    if args.save_best
                    else "."
                )
            )
        print(message, file=sys.stderr)
    return status or (2 if failed else 0)


def _outliving_readers():
    """Let the comparison go on when the reader of stdout or stderr goes away.

    What the command prints sums up the files it writes: a reader that
    stopped early (``| head -1``, a pager quit) ended the run at its next
    line, with status 0, before the fits, the report or ``--save-best``
    were written.
    """
    return wrapped_streams(_Dropping)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one line of the command, not Python's two with the source."""
    print(f"ltlearn compare: warning: {message}", file=sys.stderr)


def _why(exc):
    """An ``OSError`` in words, with the file it names if any."""
    why = exc.strerror or str(exc)
    return f"{why} ({visible(exc.filename)})" if exc.filename else why


def _worker_ended(exc):
    """A worker process that ended during a fit, in words, with its exit code."""
    codes = re.search(r"exit codes of the workers are \{(.*?)\}", str(exc))
    code = f" (exit code {codes.group(1)})" if codes else ""
    return (
        f"a worker process ended during a fit{code}: killed, for instance by "
        "the system for lack of memory, or crashed"
    )


def _unsent(exc):
    """The system's error by which joblib could not send a fit to the workers.

    loky writes the arrays of over 1 MB to files in joblib's temporary
    folder (``JOBLIB_TEMP_FOLDER``, else ``/dev/shm`` or the system's), which
    the workers map: a full disk there ended the run in a ``PicklingError``
    ("Could not pickle the task to send it to the workers"), whose cause
    holds the system's error as text only. None where it holds none, or
    where the error is not one of writing an array there (an object of the
    task whose pickling failed).
    """
    # loky's text of the error is quoted: '\n"""\nTraceback ... \n"""'
    text = str(exc.__cause__ or "")
    if "_memmapping_reducer" not in text:
        return None
    lines = text.strip().strip('"').strip().splitlines()
    match = lines and re.fullmatch(r"\w+: \[Errno \d+\] (.+)", lines[-1].strip())
    return match.group(1) if match else None


def _worker_errors(backend):
    """The errors by which ``backend`` stops when a worker ends during a fit.

    loky's ``TerminatedWorkerError`` is a ``BrokenExecutor``; Dask cancels a
    fit whose data was lost with its worker, or gives up on one whose workers
    all ended (``KilledWorker``).
    """
    if backend != "dask":
        return BrokenExecutor
    from distributed import KilledWorker  # importable: check_backend passed

    return (BrokenExecutor, CancelledError, KilledWorker)


class _Exit(Exception):
    """The command stops with exit status ``status``; its message is printed."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def _compare(args, stack):
    """Fit, print the table, write the report, save the best model; the exit status."""
    try:
        comparison, datasets, skipped, elapsed = _fit(args, stack)
        summary = summarize(comparison, few_threshold=args.few_threshold)
        print(format_table(summary, comparison.config, skipped=comparison.skipped))
        for line in _unavailable(skipped):
            print(line)
        report = _write_report_or_exit(args, comparison, summary)
        _print_done(comparison, elapsed, report)
        if args.save_best:
            _save_best_or_exit(args, summary, comparison, datasets[0])
    except _Exit as exit_:
        return exit_.status
    return 0


def _prepare(args):
    """The recipes, those skipped and why, and the data sets, their notes printed.

    Checks ``--save-best`` before any fit.
    """
    recipes, skipped = resolve_methods(_names(args.methods), models=_names(args.models))
    datasets = _load(args)
    for dataset in datasets:
        for note in dataset.notes:
            print(f"ltlearn compare: note: {dataset.name}: {note}", file=sys.stderr)
    if args.save_best:
        check_save_best(datasets, args.save_best, args.output)
    return recipes, skipped, datasets


def _rerun(output):
    """Where the finished fits are, if any, and how to go on."""
    path = f"{output}/{RESULTS_FILE}"
    try:
        with open(path, "rb") as results:  # the header and at least one row
            recorded = results.read().count(b"\n") > 1
    except OSError:
        recorded = False
    if not recorded:
        return "No fit was recorded; run the same command again to start."
    return (
        f"The finished fits are in {visible(path)}; run the same command again "
        "to go on."
    )


def _fit(args, stack):
    """Run the fits, holding the lock of the output directory in ``stack``.

    Returns the comparison, the data sets, the recipes skipped and the seconds
    the fits took; an error or an interrupt is printed and ends the command.
    """
    backend = args.backend
    if backend is None:
        backend = "dask" if args.scheduler else "loky"
    writing = False
    try:
        # The options first: a backend refused after reading a large file,
        # or never where every fit was reused, cost a wait or went unsaid.
        check_backend(backend, args.scheduler)
        recipes, skipped, datasets = _prepare(args)
        writing = True
        stack.enter_context(lock_output(args.output))
        start = time.perf_counter()
        comparison = run_comparison(
            datasets,
            recipes,
            cv=args.cv,
            scoring=args.scoring,
            seed=args.seed,
            n_jobs=args.n_jobs,
            backend=backend,
            scheduler=args.scheduler,
            output=args.output,
            progress=not args.no_progress,
            skipped=skipped,
        )
    except CompareError as exc:
        print(f"ltlearn compare: error: {exc}", file=sys.stderr)
        raise _Exit(2) from None
    except OSError as exc:
        if not writing:
            # Reading --data, or a --save-best name the system refuses.
            print(f"ltlearn compare: error: {_why(exc)}.", file=sys.stderr)
            raise _Exit(2) from None
        # A full disk or a lost mount while the rows are appended: the rows
        # written so far are whole (a cut-off one is dropped on the rerun).
        print(
            f"ltlearn compare: error: cannot write in {visible(args.output)}: "
            f"{_why(exc)}. {_rerun(args.output)}",
            file=sys.stderr,
        )
        raise _Exit(2) from None
    except KeyboardInterrupt:
        if not writing:
            # Reading --data or checking the options: no fit has run.
            print("\nInterrupted before any fit; nothing was written.", file=sys.stderr)
            raise _Exit(130) from None
        print(f"\nInterrupted. {_rerun(args.output)}", file=sys.stderr)
        raise _Exit(130) from None
    except PicklingError as exc:
        why = _unsent(exc)
        if why is None:
            raise
        print(
            f"ltlearn compare: error: cannot hand the data to the worker "
            f"processes: {why}. joblib writes them to its temporary folder: make "
            "room there, set JOBLIB_TEMP_FOLDER to a folder with room, or use "
            f"--n-jobs 1. {_rerun(args.output)}",
            file=sys.stderr,
        )
        raise _Exit(2) from None
    except _worker_errors(backend) as exc:
        # A fit killed its worker (the system's out-of-memory killer, a crash
        # in compiled code); the rows written so far are whole.
        print(
            f"ltlearn compare: error: {_worker_ended(exc)}. {_rerun(args.output)}",
            file=sys.stderr,
        )
        raise _Exit(2) from None
    return comparison, datasets, skipped, time.perf_counter() - start


def _write_report_or_exit(args, comparison, summary):
    """Write the report; its path. An error or an interrupt ends the command."""
    try:
        return write_report(comparison, summary, fmt=args.report)
    except OSError as exc:
        print(
            "ltlearn compare: error: cannot write the report in "
            f"{visible(args.output)}: "
            f"{_why(exc)}. The results are in "
            f"{visible(comparison.output / RESULTS_FILE)}.",
            file=sys.stderr,
        )
        raise _Exit(2) from None
    except KeyboardInterrupt:
        # Every fit is done: a rerun reuses them all and writes the report.
        print(
            f"\nInterrupted while writing the report (an earlier report is left "
            f"as it was). Every fit is in {visible(comparison.output / RESULTS_FILE)}"
            "; run the same command again to write the report.",
            file=sys.stderr,
        )
        raise _Exit(130) from None


def _print_done(comparison, elapsed, report):
    """How many fits ran, and where the results and the report are."""
    n_run = len(comparison.rows) - comparison.n_reused
    message = f"\n{n_run} fits run in {elapsed:.0f} s"
    if comparison.n_reused:
        message += f", {comparison.n_reused} reused from {RESULTS_FILE}"
    print(message + ".")
    print(f"Results: {visible(comparison.output / RESULTS_FILE)}")
    print(f"Report:  {visible(report)}")


def _save_best_or_exit(args, summary, comparison, dataset):
    """Refit the best recipe on ``dataset`` and save it as ``--save-best``."""
    try:
        name = save_best(summary, comparison, dataset, args.save_best)
    except CompareError as exc:
        print(f"ltlearn compare: error: {exc}", file=sys.stderr)
        raise _Exit(2) from None
    except OSError as exc:
        print(
            f"ltlearn compare: error: cannot save --save-best "
            f"{visible(args.save_best)}: {_why(exc)}; nothing saved.",
            file=sys.stderr,
        )
        raise _Exit(2) from None
    except KeyboardInterrupt:
        print(
            f"\nInterrupted while refitting for --save-best: nothing saved "
            f"(an earlier {visible(args.save_best)} is left as it was). The report "
            "is written; run the same command again to save the model.",
            file=sys.stderr,
        )
        raise _Exit(130) from None
    print(f"Saved:   {visible(args.save_best)} ({name}, refitted on all the data)")
