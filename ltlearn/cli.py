"""The ``ltlearn`` command line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import codecs
import contextlib
import difflib
import os
import re
import sys

import ltlearn
from ltlearn._compare._data import DIGITS
from ltlearn._compare._options import add_compare_parser
from ltlearn._compare._streams import WrappedStream, broken_pipes, null_onto


def _cmd_datasets(args):
    from ltlearn.datasets import list_keel

    rows = list_keel(details=True)
    needle = (args.name or "").lower()
    # The long-tailed digits are made, not read: no row, but named, as
    # "no data set name contains 'digits'" sent users away from them.
    digits = [name for name in DIGITS if needle in name]
    also = (
        f"the long-tailed digits: {' and '.join(digits)} "
        f"(`ltlearn compare --datasets {digits[0]}`)."
        if digits
        else ""
    )
    if args.name:
        n_sets = len(rows)
        rows = [row for row in rows if needle in row["name"].lower()]
        if not rows:
            if also:
                print(f"No KEEL data set name contains {args.name!r}; {also}")
                return 0
            print(
                f"ltlearn datasets: no data set name contains {args.name!r}; "
                f"'ltlearn datasets' lists all {n_sets}.",
                file=sys.stderr,
            )
            return 1
    header = (
        f"{'name':<34} {'n_samples':>9} {'n_features':>10} {'classes':>7} {'IR':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['name']:<34} {row['n_samples']:>9} {row['n_features']:>10} "
            f"{row['n_classes']:>7} {row['imbalance_ratio']:>8.2f}"
        )
    sets = "data set" if len(rows) == 1 else "data sets"
    print(f"\n{len(rows)} {sets}; load one with ltlearn.datasets.load_keel(name).")
    if also:
        print(f"Also {also}")
    return 0


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="ltlearn",
        description="Learning from imbalanced and long-tailed data.",
    )
    parser.add_argument(
        "--version", action="version", version=f"ltlearn {ltlearn.__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    datasets = commands.add_parser(
        "datasets", help="list the imbalanced data sets shipped with ltlearn"
    )
    datasets.add_argument(
        "name", nargs="?", default=None, help="show only names containing this text"
    )
    datasets.set_defaults(func=_cmd_datasets, command_parser=datasets)

    compare = add_compare_parser(commands)
    compare.set_defaults(command_parser=compare)
    return parser


# scikit-learn's names (and the usual ones) of options ``compare`` names
# otherwise: "--random-state 3" was refused without a hint.
_SYNONYMS = {
    "random-state": "seed",
    "folds": "cv",
    "n-folds": "cv",
    "n-splits": "cv",
    "format": "report",
    "recipes": "methods",
    "jobs": "n-jobs",
}


def _parse(parser, argv):
    """Parse ``argv``; an unknown option is refused by its command's parser.

    argparse refuses it from the ``ltlearn`` parser, with the usage of
    ``ltlearn`` rather than that of ``ltlearn compare``, and suggests nothing
    for ``--n_jobs``.
    """
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = getattr(args, "command_parser", parser)
        message = f"unrecognized arguments: {' '.join(unknown)}"
        # The names without their dashes, which made "--verbose" close to
        # "--save-best" and "--" to "--cv".
        options = re.findall(r"--([\w-]+)", command.format_usage())
        for word in unknown:
            name = word.split("=")[0].lstrip("-")
            close = difflib.get_close_matches(name, options, n=1)
            synonym = _SYNONYMS.get(name.lower().replace("_", "-"))
            if synonym in options:
                close = [synonym]
            if word.startswith("-") and close:
                message += f" (did you mean --{close[0]}?)"
                break
        command.error(message)
    return args


_ANY_TEXT = "ltlearn.backslashreplace"


def _escape_any(error):
    """Write back the bytes the locale could not decode; escape other text.

    The bytes kept as lone surrogates are written as they were (as
    ``surrogateescape`` does), any other text that the encoding cannot
    write is backslash-escaped (as ``backslashreplace`` does).

    Under ``LC_ALL=C`` without UTF-8 mode, stdout writes a file name from the
    command line back byte for byte, but a data set name read from a UTF-8
    file was a ``UnicodeEncodeError``.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    data = b"".join(
        bytes([ord(char) - 0xDC00])
        if "\udc80" <= char <= "\udcff"
        else char.encode("ascii", "backslashreplace")
        for char in text
    )
    return data, error.end


codecs.register_error(_ANY_TEXT, _escape_any)


# What a stream's errors become within ``main``: a stream that writes back
# the bytes the locale could not decode (Python's choice under ``LC_ALL=C``)
# goes on doing so; one that refuses them (``PYTHONIOENCODING=ascii``, stdout
# under ``LANG=en_US.UTF-8``) escapes them, as Python's stderr does.
_PRINTING = {"strict": "backslashreplace", "surrogateescape": _ANY_TEXT}


@contextlib.contextmanager
def _printing_any_text():
    """Let stdout write what its encoding cannot, as Python's stderr does.

    Under ``PYTHONIOENCODING=ascii`` or a terminal of another encoding, a
    path such as ``--output résultats`` is printed ``r\\xe9sultats``; it was a
    ``UnicodeEncodeError`` after every fit had run. Bytes of the command line
    that the locale could not decode are written back as they were where the
    stream did so already. The streams are given back as they were: ``main``
    may be called from Python.
    """
    changed = {
        stream: stream.errors
        for stream in (sys.stdout, sys.stderr)
        if getattr(stream, "errors", None) in _PRINTING
        and hasattr(stream, "reconfigure")
    }
    for stream, errors in changed.items():
        stream.reconfigure(errors=_PRINTING[errors])
    try:
        yield
    finally:
        for stream, errors in changed.items():
            # A stream closed or gone (its reader left) is left as it is.
            with contextlib.suppress(OSError, ValueError):
                stream.reconfigure(errors=errors)


def _flush_stdout():
    """Write what stdout holds; there is none when it was closed (``>&-``)."""
    if sys.stdout is not None:
        sys.stdout.flush()


def _drop_stdout():
    """Send what stdout still holds to the null device: its reader is gone."""
    null_onto(sys.stdout.fileno())


@contextlib.contextmanager
def _standard_streams():
    """Give the command a null device for each standard stream that is closed.

    Started with ``>&-`` or ``2>&-``, the command had descriptors 1 and 2
    free: the first files it opened took them (``OUTPUT/.lock`` and
    ``results.csv``), so that anything written to the standard error of the
    process or of a worker went into the results. Python had no
    ``sys.stdout`` (or ``sys.stderr``) either: the progress bar and the
    parallel fits (loky flushes ``sys.stdout`` to start a worker) ended in an
    ``AttributeError``, with status 1 and no report. What is opened here is
    closed, and the streams are given back, on the way out.
    """
    opened = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null_onto(fd)
            # As a standard stream is: the parallel fits' workers have it.
            os.set_inheritable(fd, True)
            opened.append(fd)
    missing = {
        name: open(os.devnull, mode, encoding="utf-8")
        for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w"))
        if getattr(sys, name) is None
    }
    for name, stream in missing.items():
        setattr(sys, name, stream)
    try:
        yield
    finally:
        for name, stream in missing.items():
            setattr(sys, name, None)
            stream.close()
        for fd in opened:
            os.close(fd)


class _KeptError(WrappedStream):
    """stdout, which keeps the error of its own write or flush, then raises it.

    So that ``_run`` tells an error of writing stdout (``ltlearn datasets >
    log`` on a full disk) from one of the command.
    """

    error = None

    def failed(self, exc):
        self.error = exc
        raise exc


@contextlib.contextmanager
def _kept_stdout_errors():
    """Within, ``sys.stdout`` keeps the error of its writes (``_KeptError``)."""
    stdout = sys.stdout
    sys.stdout = _KeptError(stdout)
    try:
        yield
    finally:
        sys.stdout = stdout


def main(argv=None):
    """Run the ``ltlearn`` command line; return the exit status."""
    with _standard_streams(), _printing_any_text(), broken_pipes():
        with _kept_stdout_errors():
            return _run(argv)


def _run(argv):
    """``main``, within the streams it prints to."""
    parser = _build_parser()
    status = 0
    try:
        try:
            args = _parse(parser, argv)
            if getattr(args, "func", None) is None:
                parser.print_help()
                status = 2
            else:
                status = args.func(args)
        except SystemExit:
            # --help and --version: argparse exits with their text unwritten.
            _flush_stdout()
            raise
        except BaseException:
            # An error or a Ctrl-C the command did not handle: a reader gone
            # away must not replace its traceback, or status 130, by status 0.
            try:
                _flush_stdout()
            except BrokenPipeError:
                _drop_stdout()
            raise
        # Here, not at exit, where a reader gone away (``ltlearn datasets |
        # head -1``) made Python print "Exception ignored ... BrokenPipeError"
        # and exit with 120.
        _flush_stdout()
    except KeyboardInterrupt:
        print("\nltlearn: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``ltlearn datasets | head``): stop quietly.
        _drop_stdout()
    except OSError as exc:
        if exc is not getattr(sys.stdout, "error", None):
            raise
        # ``ltlearn datasets > log`` on a full disk ended in a traceback, and
        # what stdout held in "Exception ignored" at exit.
        _drop_stdout()
        print(
            f"ltlearn: error: cannot write to the standard output: "
            f"{exc.strerror or exc}.",
            file=sys.stderr,
        )
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
