"""The results file of ``ltlearn compare``: whole rows only, validated on reading."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import csv
import errno
import io
import json
import math
import os
import secrets
import shutil
import stat
import unicodedata
import warnings
from pathlib import Path

from ltlearn._compare._data import CompareError, utf8_text

METRICS = ("balanced_accuracy", "geometric_mean", "macro_f1")
RESULTS_FILE = "results.csv"
# The file whose ``flock`` holds the output directory for one run.
LOCK_FILE = ".lock"

FIELDS = [
    "dataset",
    "method",
    "fold",
    "cv",
    "seed",
    "scoring",
    "data",
    "recipe",
    "status",
    *METRICS,
    "fit_time",
    "predict_time",
    "n_train",
    "n_test",
    "class_recall",
    "warnings",
    "error",
]
_FLOATS = (*METRICS, "fit_time", "predict_time")
_INTS = ("fold", "cv", "seed", "n_train", "n_test")
_HEADER = ",".join(FIELDS)
# The longest file name most file systems take, in bytes.
_NAME_MAX = 255
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def check_output(output):
    """Refuse an ``--output`` that cannot hold the results; create it if needed.

    A name the system cannot look up (a directory above it without
    permission, a name too long) is refused in one line: it was an
    ``OSError`` that said to run the same command again.
    """
    output = Path(output)
    try:
        _check_output(output)
    except OSError as exc:
        raise CompareError(
            f"--output {str(output)!r}: cannot use the directory "
            f"({exc.strerror or exc})."
        ) from None
    return output / RESULTS_FILE


def _check_output(output):
    """:func:`check_output`, whose look-ups may raise an ``OSError``."""
    if output.exists() and not output.is_dir():
        raise CompareError(
            f"--output {str(output)!r} is a file, not a directory; give a directory "
            "for the results and the report."
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CompareError(
            f"--output {str(output)!r}: cannot create the directory "
            f"({exc.strerror or exc})."
        ) from None
    path = output / RESULTS_FILE
    if path.exists() and not path.is_file():
        raise CompareError(
            f"{visible(path)} is not a file; choose another --output directory."
        )
    if not os.access(output, os.W_OK):
        raise CompareError(
            f"--output {str(output)!r}: permission denied; choose a directory you "
            "can write to."
        )
    # It said the directory was not writable.
    refuse_read_only(
        path,
        f"--output {str(output)!r}: {RESULTS_FILE} is read-only; make it "
        "writable, or choose another directory.",
    )


def refuse_read_only(path, message):
    """Raise ``message`` where ``path`` exists and cannot be written.

    Checked before the fits: a file the run would write at its end failed
    only once every fit had run.
    """
    if path.exists() and not os.access(path, os.W_OK):
        raise CompareError(message)


def _missing(output):
    """The directories of ``output`` that do not exist yet, the innermost first.

    A name that cannot be looked up counts as missing (``os.path.exists``):
    :func:`check_output` then says why.
    """
    missing = []
    path = Path(output).absolute()
    while not os.path.exists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def _remove_unused(lock, created):
    """Remove ``lock`` and the directories ``created``, innermost first, if empty."""
    with contextlib.suppress(OSError):
        lock.unlink()
    for directory in created:
        try:
            directory.rmdir()
        except OSError:  # not empty: a file of the user's, or of another run
            break


def _open_lock(lock, output):
    """Open the lock file that a run made before; its descriptor.

    Read-only where it is another user's (a shared directory): ``flock``
    needs no more. One that cannot be opened (a directory) is refused by
    name; the ``OSError`` said to run the same command again.
    """
    try:
        try:
            return os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:
            return os.open(lock, os.O_RDONLY)
    except OSError as exc:
        raise CompareError(
            f"--output {str(output)!r}: cannot open its lock file {lock.name} "
            f"({exc.strerror or exc}); remove it, or choose another directory."
        ) from None


def _lock(fcntl, lock, output):
    """Open and lock the file ``lock``; its descriptor, and whether it made it.

    A run that writes no results removes a lock file it made (see
    :func:`lock_output`): a run that opened that file before it went locks a
    file no other run can see, so it opens the new one (three times at
    most: a file system whose ``stat`` and ``fstat`` disagree keeps the last).
    """
    for attempt in range(3):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            ours = True
        except FileExistsError:
            fd = _open_lock(lock, output)
            ours = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise CompareError(
                f"Another ltlearn compare is running in {str(output)!r}; wait "
                "for it to finish, or choose another --output directory."
            ) from None
        except OSError as exc:
            # ENOLCK, EOPNOTSUPP...: the run itself needs no lock.
            warnings.warn(
                f"--output {str(output)!r}: cannot lock it ({exc.strerror or exc}); "
                "going on unlocked, so do not start another run there until "
                "this one ends.",
                RuntimeWarning,
                stacklevel=4,
            )
            return fd, False
        try:
            if attempt == 2 or os.path.samestat(os.fstat(fd), os.stat(lock)):
                return fd, ours
        except FileNotFoundError:
            pass
        os.close(fd)


@contextlib.contextmanager
def lock_output(output):
    """Hold the output directory for one run; a second one at once is refused.

    Two runs into one directory would fit the same folds twice and write the
    report over each other. The lock (``flock`` on ``OUTPUT/.lock``) goes with
    the process, so a killed run never leaves the directory locked. Where
    ``fcntl`` is missing (Windows) nothing is locked; where the file system
    refuses locks (some network file systems) the run goes on with a warning.
    A run that writes no results (one refused after the lock is taken)
    removes the lock file and the directories it created.
    """
    created = _missing(output)
    path = check_output(output)
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    lock = path.with_name(LOCK_FILE)
    fd, ours = _lock(fcntl, lock, output)
    try:
        yield
    finally:
        if ours and not path.exists():
            # Removed while still locked: a run that opened it before finds it
            # gone once it holds it, and opens the one a later run makes.
            _remove_unused(lock, created)
        os.close(fd)


def _sync(path):
    """Put ``path``'s data on the disk (``fsync``) before it takes a name.

    Renamed first, a power loss could leave the new name on a file of no
    data, where the previous file was whole. Opened for writing only: the
    mode copied from the old file may not let its owner read it.
    """
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_name(target):
    """A free name beside ``target`` that ends as it does (its extension at least)."""
    name = f".tmp{os.getpid()}-{secrets.token_hex(4)}"
    if len(os.fsencode(f"{name}.{target.name}")) <= _NAME_MAX:
        return target.with_name(f"{name}.{target.name}")
    return target.with_name(name + target.suffix)  # a long name: its extension


def _new_file(target):
    """Create an empty file of a new name beside ``target`` (``O_EXCL``)."""
    while True:
        temporary = _new_name(target)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(temporary, _NEW, 0o666))
            return temporary


def _backup(target):
    """A new name beside ``target`` for its data: a hard link, else a copy."""
    while True:
        backup = _new_name(target)
        try:
            os.link(target, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            backup = _new_file(target)
            try:
                shutil.copy(target, backup)  # its mode too, for putting back
            except BaseException:
                backup.unlink(missing_ok=True)
                raise
            return backup


def _put_back(pairs):
    """Put each ``(target, backup)`` back: the backup's data, or no file for None.

    A ``Ctrl-C`` while they are put back (a second one, say) is raised once
    all are: cut short, it left the new files beside the old ones.
    """
    interrupt = None
    for target, backup in pairs:
        while True:
            try:
                with contextlib.suppress(OSError):
                    if backup is None:
                        target.unlink(missing_ok=True)
                    else:
                        os.replace(backup, target)
                break
            except KeyboardInterrupt as exc:  # done or not: try again
                interrupt = exc
    if interrupt is not None:
        raise interrupt


def named(exc, path):
    """The ``OSError`` ``exc``, naming ``path``: the file the user knows.

    Not a file made on the way (a temporary one, a backup, a plot's draft),
    which the error leaves no trace of.
    """
    return OSError(exc.errno, exc.strerror, str(path))


@contextlib.contextmanager
def naming(path):
    """Within, an ``OSError`` names ``path`` (``named``)."""
    try:
        yield
    except OSError as exc:
        raise named(exc, path) from None


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``; it replaces ``path`` on success.

    A crash or a full disk while the file is written leaves the previous
    ``path`` (or none), never a cut-off one; the temporary file is removed.
    Its data is flushed to the disk before the rename, so that a power loss
    does not leave the name on an empty file either.
    Its name ends as ``path`` does (with its extension at least, where the
    name would be too long), since :func:`joblib.dump` compresses by the
    extension, and is new (``O_EXCL``), so that two writers never share
    it. A symbolic link is written through, as an ``open`` would, and the
    new file keeps the mode of the one it replaces (else the umask's); a
    read-only file is refused.
    """
    with replacing_together([path]) as (temporary,):
        yield temporary


@contextlib.contextmanager
def replacing_together(paths):
    """Yield a temporary path beside each of ``paths``; they replace them together.

    As :func:`replacing`, for files that go together (a report and its
    plots): every temporary file is flushed to the disk before the first
    rename, and a failure or an interrupt while they are renamed puts back
    the files replaced already, so that ``paths`` are left all new or all as
    they were. A temporary file that the block removes removes its path.
    """
    paths = [Path(path) for path in paths]
    targets = [Path(os.path.realpath(path)) for path in paths]
    for path, target in zip(paths, targets):
        if target.exists() and not os.access(target, os.W_OK):
            # A file made read-only is kept, as an open() for writing would.
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    temporaries, backups, renamed = [], [], []
    try:
        for path, target in zip(paths, targets):
            with naming(path):
                temporaries.append(_new_file(target))
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temporaries[-1], stat.S_IMODE(os.stat(target).st_mode))
        yield list(temporaries)
        for temporary in temporaries:
            if temporary.exists():
                _sync(temporary)
        if len(targets) > 1:  # one rename needs nothing put back
            for path, target in zip(paths, targets):  # each one kept to be
                with naming(path):  # removed if cut short
                    backups.append(_backup(target) if target.exists() else None)
        for target, temporary in zip(targets, temporaries):
            renamed.append(target)  # put back even if cut short here
            if temporary.exists():
                os.replace(temporary, target)
            else:
                target.unlink(missing_ok=True)
    except BaseException as exc:
        _put_back(zip(renamed[::-1], backups[: len(renamed)][::-1]))
        for path, temporary in zip(paths, temporaries):
            names = (getattr(exc, "filename", None), getattr(exc, "filename2", None))
            if isinstance(exc, OSError) and str(temporary) in names:
                # Name the file the user knows, not the temporary one (a
                # copy's target is its second name).
                raise named(exc, path) from None
        raise
    finally:
        for name in [*temporaries, *backups]:
            if name is not None:
                with contextlib.suppress(OSError):
                    name.unlink(missing_ok=True)


def _parse_line(line):
    """The row of one complete line, or None when the line is damaged."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.endswith("\r"):
        text = text[:-1]
    try:
        values = next(csv.reader([text]), None)
    except csv.Error:
        return None
    if values is None or len(values) != len(FIELDS):
        return None
    row = dict(zip(FIELDS, values))
    try:
        for name in _INTS:
            row[name] = int(row[name])
        for name in _FLOATS:
            row[name] = float(row[name]) if row[name] else math.nan
    except ValueError:
        return None
    if row["status"] not in ("ok", "error"):
        return None
    if row["status"] == "ok":
        try:
            recall = json.loads(row["class_recall"])
        except ValueError:
            return None
        if not isinstance(recall, dict) or {"train_count", "recall"} - set(recall):
            return None
        if math.isnan(row["fit_time"]) or math.isnan(row["predict_time"]):
            return None
    return row


def visible(text):
    """``text`` (or a path) with its control and format characters as escapes.

    The names a ``--data`` file gives (its name, its header) are shown so,
    and the paths the user gives (``--output``, ``--save-best``):
    an escape sequence in them rewrote the terminal that printed them, and
    the fonts of the plots have no glyph for a control character. Spaces
    stay as they are (a no-break space, or the narrow one of macOS's time
    stamps in file names).
    """
    return "".join(
        char
        if char.isprintable() or unicodedata.category(char) == "Zs"
        else char.encode("unicode_escape").decode()
        for char in str(text)
    )


def one_line(text):
    """``text`` with its line breaks made spaces, as a row of the CSV holds it."""
    return text.replace("\r", " ").replace("\n", " ")


def _format_line(row):
    """One row as one CSV line; line breaks inside values become spaces."""
    buffer = io.StringIO()
    values = []
    for name in FIELDS:
        value = row.get(name, "")
        values.append(one_line("" if value is None else str(value)))
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return utf8_text(buffer.getvalue()).encode("utf-8")


class ResultsFile:
    """The results CSV of an output directory.

    Rows are appended one at a time, each with a single write followed by a
    flush and an ``fsync``, so a crash leaves at most a cut-off last line. On
    reading, every line is validated (number of fields, numbers, status,
    per-class recall, line end); a damaged line is dropped with a warning, so
    its fit runs again, and before the first append the file is rewritten to
    its valid rows, so nothing is appended after a cut-off line.

    With ``path=None`` it reads and writes nothing.
    """

    def __init__(self, path):
        self.path = None if path is None else Path(path)
        self._lines = []
        self._damaged = False
        self._fd = None

    def read(self):
        """Validate the file; return its rows (a missing file has none)."""
        self._lines, self._damaged = [], False
        if self.path is None or not self.path.exists():
            return []
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise CompareError(
                f"Cannot read {visible(self.path)}: {exc.strerror or exc}."
            ) from None
        if not data:
            return []
        lines = data.split(b"\n")
        header = lines[0].rstrip(b"\r")
        if len(lines) == 1 and _HEADER.encode().startswith(header):
            # Cut off inside the header: no row was written yet.
            self._damaged = True
            return []
        if header != _HEADER.encode():
            raise CompareError(
                f"{visible(self.path)} was not written by this version of "
                "ltlearn compare (its columns differ); choose another --output "
                "directory."
            )
        rows, dropped = [], []
        complete, tail = lines[1:-1], lines[-1]
        for number, line in enumerate(complete, start=2):
            row = _parse_line(line)
            if row is None:
                dropped.append(number)
            else:
                rows.append(row)
                self._lines.append(line.rstrip(b"\r") + b"\n")
        if tail:
            dropped.append(len(lines))
        if dropped:
            self._damaged = True
            shown = ", ".join(map(str, dropped[:5])) + (
                ", ..." if len(dropped) > 5 else ""
            )
            warnings.warn(
                f"{visible(self.path)}: dropped {len(dropped)} damaged or "
                f"incomplete line(s) (line {shown}); those fits will run again.",
                RuntimeWarning,
                stacklevel=2,
            )
        return rows

    def __enter__(self):
        if self.path is None:
            return self
        if self._damaged:
            # Rewrite to the valid rows through a temporary file, so that a
            # crash now leaves either the old file or the repaired one.
            with replacing(self.path) as temporary:
                temporary.write_bytes(_HEADER.encode() + b"\n" + b"".join(self._lines))
            self._damaged = False
        new = not self.path.exists() or self.path.stat().st_size == 0
        # binary, as the file's other writers: in Windows' text mode every
        # "\n" would be written as "\r\n"
        append = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        self._fd = os.open(self.path, append, 0o666)
        if new:
            try:
                self._write(_HEADER.encode() + b"\n")
            except BaseException:
                # A full disk: no ``with`` block runs, nor ``__exit__``.
                self.__exit__(None, None, None)
                raise
        return self

    def _write(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)

    def write(self, row):
        """Append one finished row."""
        if self._fd is not None:
            self._write(_format_line(row))

    def __exit__(self, *exc_info):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def read_results(path):
    """The valid rows of a results CSV (a missing file has none)."""
    return ResultsFile(path).read()
