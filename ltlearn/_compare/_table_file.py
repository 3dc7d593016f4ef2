"""Reading the user's table file: its separator, header and frame.

The separator and the header's names as written, the reader of its suffix
(compressed text, Parquet), and one-line errors for what cannot be read.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import stat
import warnings
from pathlib import Path

import numpy as np

from ltlearn._compare._data import CompareError
from ltlearn._compare._results import visible

# The module that reads each compression, and the program that undoes it.
_OPENERS = {
    ".gz": ("gzip", "gunzip"),
    ".bz2": ("bz2", "bunzip2"),
    ".xz": ("lzma", "unxz"),
}


def _opener(path):
    """The ``open`` of the module that reads the compression of ``path``.

    A Python built without a compression library (without liblzma, say) has
    the module but cannot import it: "No module named '_lzma'" was a
    traceback, or was said to need pyarrow.
    """
    import importlib

    name = visible(path.name)
    module, program = _OPENERS[path.suffix.lower()]
    try:
        return importlib.import_module(module).open
    except ImportError as exc:
        raise CompareError(
            f"--data {name} is compressed, and this Python cannot read it: "
            f"its {module} module does not import ({exc}). Decompress the file "
            f"({program} {name}) and give the result."
        ) from None


def _split(lines, sep):
    """The field counts of the records in ``lines`` split on ``sep``."""
    import csv

    try:
        return [len(record) for record in csv.reader(lines, delimiter=sep)]
    except csv.Error:
        return []


def _first_record(lines, sep):
    """The fields of the first record of ``lines`` split on ``sep``.

    Empty when ``sep`` cannot split it: a line of thousands of columns that
    ``sep`` does not separate is one field longer than the ``csv`` module's
    limit (128 KiB), which it refuses.
    """
    import csv

    try:
        return next(csv.reader(lines, delimiter=sep), [])
    except csv.Error:
        return []


def _header(path):
    """The field separator of a text table and the names of its header.

    The separator is a comma, a semicolon, a tab or a bar (a ``.tsv`` file: a
    tab): the one that splits the header and the first rows into the same
    number of fields, the most fields if several do (a comma on a tie). Where
    none does, a comma unless the header line holds none. The names are as
    written (pandas renames a repeated name ``name.1``); None when the file
    cannot be opened here (a zip archive), and then the separator is a comma.
    """
    suffixes = [suffix.lower() for suffix in path.suffixes]
    default = "\t" if ".tsv" in suffixes else ","
    if suffixes[-1:] == [".zip"]:
        return default, None
    opener = open
    if suffixes[-1] in _OPENERS:
        opener = _opener(path)
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
            lines = [handle.readline(1 << 20) for _ in range(20)]
    except Exception:  # reported by pandas when it reads the file
        return default, None
    lines = [line for line in lines if line.strip()]
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1] or lines  # a row cut by the limit
    candidates = [default] if default == "\t" else [",", ";", "\t", "|"]
    # The first record: a quoted name may hold a line break.
    splits = {sep: _first_record(lines, sep) for sep in candidates}
    regular = [
        sep
        for sep in candidates
        if len(splits[sep]) > 1 and len(set(_split(lines, sep))) == 1
    ]
    if regular:
        best = max(regular, key=lambda sep: len(splits[sep]))
    elif len(splits[default]) > 1:
        best = default
    else:
        best = max(candidates, key=lambda sep: len(splits[sep]))
    return best, splits[best]


def _check_file(path):
    """An error unless ``path`` names a regular file.

    A name the system cannot look up is refused with the system's words: a
    loop of symbolic links was "no such file".
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise CompareError(f"--data {str(path)!r}: no such file.") from None
    except OSError as exc:
        raise CompareError(f"--data {str(path)!r}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        raise CompareError(f"--data {str(path)!r} is a directory, not a file.")
    if not stat.S_ISREG(mode):
        raise CompareError(
            f"--data {str(path)!r} is not a regular file (a pipe or a device); "
            "save the table to a CSV or Parquet file."
        )


def _reader(path):
    """How to read ``path``, by its suffix: ``(read, kind, header)``.

    ``read(path)`` returns the frame, ``kind`` names the file in messages
    ("a CSV file"), ``header`` holds the names of a text table's header as
    written (see :func:`_header`; None for Parquet). An error for a suffix
    that names no table.
    """
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):

        def read(path):
            # From the open file: pyarrow encodes a file name in UTF-8, which
            # fails for the bytes the locale could not decode (LC_ALL=C:
            # --data données.parquet), where open() gives them back.
            with open(path, "rb") as handle:
                return pd.read_parquet(handle)

        return read, "a Parquet file", None
    if suffix in (".csv", ".txt", ".tsv", ".gz", ".zip", ".bz2", ".xz"):
        sep, header = _header(path)

        def read(path):
            # index_col=False: rows with one field more than the header would
            # otherwise turn the first column into the index, silently.
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return pd.read_csv(path, sep=sep, index_col=False)

        return read, "a TSV file" if sep == "\t" else "a CSV file", header
    raise CompareError(
        f"--data {visible(path.name)}: unknown file type {suffix!r}; give a .csv, .tsv "
        "or .parquet file."
    )


def _not_utf8(path, exc):
    """The error for a text table that is not UTF-8, ``exc`` the decoding error.

    A binary file named as text (Parquet, zip, gzip) is named by its first
    bytes; otherwise the message gives the byte and its line.
    """
    name = visible(path.name)
    where = ""
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        data = path.read_bytes()
        for magic, what in _BINARY_KINDS.items():
            # A Parquet file ends with its magic too: a Latin-1 CSV whose
            # first column is named "PAR1" is not one.
            if data.startswith(magic) and (
                magic != _PARQUET or data[4:].endswith(magic)
            ):
                # "save it as UTF-8" was no advice for a Parquet file.
                return CompareError(f"--data {name} is {what}.")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            where = f" on line {line}"
    return CompareError(
        f"--data {name} is not UTF-8 text (byte "
        f"{exc.object[exc.start]:#04x}{where}); save it as UTF-8."
    )


def _read_table(path):
    """The user's table as a frame, and the names of its header as written."""
    try:
        import pandas as pd
    except ImportError:
        raise CompareError(
            "--data needs pandas (and pyarrow for Parquet): pip install pandas pyarrow"
        ) from None
    path = Path(path)
    # The name as shown: its control characters as escapes.
    name = visible(path.name)
    _check_file(path)
    read, kind, header = _reader(path)
    try:
        frame = read(path)
    except ImportError as exc:
        # pandas says it in five lines, the advice on its fourth
        detail = str(exc).strip().splitlines()[0]
        raise CompareError(
            f"Reading {name} needs pyarrow: pip install --upgrade pyarrow ({detail})"
        ) from None
    except pd.errors.EmptyDataError:
        raise CompareError(f"--data {name} is empty.") from None
    except pd.errors.ParserWarning:
        raise CompareError(
            f"--data {name} is not a well-formed {kind[2:]}: some rows have "
            "more fields than its header."
        ) from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        raise CompareError(
            f"--data {name} is not a well-formed {kind[2:]}: {visible(detail)}"
        ) from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None
    except PermissionError:
        raise CompareError(f"--data {name}: permission denied.") from None
    except Exception as exc:  # pyarrow, zlib, zipfile: each raises its own
        message = str(exc).strip().splitlines()
        raise CompareError(
            f"--data {name} cannot be read as {kind}: {type(exc).__name__}"
            f"{': ' + visible(message[0]) if message else ''}"
        ) from None
    if frame.shape[0] == 0:
        raise CompareError(f"--data {name} has a header but no rows.")
    if path.suffix.lower() in (".parquet", ".pq"):
        header = [str(column) for column in frame.columns]
        _check_single_values(frame, name)
    return frame, header


def _column_as_written(path, position):
    """The cells of column ``position`` of a text table as text, or None.

    None for Parquet, whose columns keep their types. pandas reads a column of
    integer codes as numbers, ``"0101"`` and ``"101"`` as 101; read as text,
    they stay apart. Called after :func:`_read_table` has read the file.
    """
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        return None
    sep, _ = _header(path)
    column = pd.read_csv(path, sep=sep, index_col=False, usecols=[position], dtype=str)
    return column.iloc[:, 0]


# The nested cells of a Parquet file: pyarrow gives a list as an array, a
# struct as a dict.
_NESTED = (list, tuple, np.ndarray, dict)


def _check_single_values(frame, name):
    """An error naming the first column of lists or structs of a Parquet file.

    Each cell is read as one number or one category; pandas cannot compare
    a list (a taxonomy path such as ``["Aves", "Passer"]``) with another.
    """
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object:
            continue
        nested = values.map(lambda value: isinstance(value, _NESTED))
        if nested.any():
            row = int(np.argmax(nested.to_numpy()))
            value = values.iloc[row]
            kind = "structs" if isinstance(value, dict) else "lists"
            # tolist: [3, 17], where NumPy shows [np.int64(3), np.int64(17)]
            shown = value.tolist() if isinstance(value, np.ndarray) else value
            raise CompareError(
                f"--data {name}: column {visible(str(column))!r} holds {kind} "
                f"(row {row}, counting from 0: {visible(repr(shown))[:80]}), "
                "not one value per cell. Join each into one text (a path "
                "such as 'Aves/Passer' for a label) or spread it over columns."
            )


# Binary files named .csv, by their first bytes (a Parquet file also ends
# with its own).
_PARQUET = b"PAR1"
_BINARY_KINDS = {
    _PARQUET: "a Parquet file, not text: name it .parquet",
    b"PK\x03\x04": (
        "a zip archive (an Excel workbook?), not text: save the sheet as CSV, "
        "or name a zipped CSV .zip"
    ),
    b"\x1f\x8b": "gzip-compressed, not text: name it .csv.gz",
}
