"""Data sets for ``ltlearn compare``: the embedded default and the user's files."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import difflib
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# The embedded default: a spread of KEEL sets (imbalance ratios from about 2 to
# 73, two hundred to two thousand rows) and long-tailed digits, with and without
# unlabelled rows. Chosen so that the whole default comparison, deep recipes
# included, runs in a few minutes on two cores (abalone19, with 4,174 rows, alone
# doubled it).
DEFAULT_KEEL = (
    "ecoli1",
    "glass4",
    "pima",
    "vehicle0",
    "yeast4",
    "abalone-20_vs_8-9-10",
)
DIGITS = ("digits_lt", "digits_lt_semi")
DEFAULT_DATASETS = (*DEFAULT_KEEL, *DIGITS)

# One-hot encode a categorical column with at most this many categories;
# ordinal-encode the others.
_MAX_ONE_HOT = 20


def _columns_spec(numeric, categorical, numeric_text=(), text_categories=False):
    """The ``preprocessing`` spec of numeric and categorical columns.

    ``categorical`` maps each categorical column to its number of categories,
    which chooses one-hot (up to ``_MAX_ONE_HOT``) or ordinal encoding;
    ``numeric_text`` are columns of numbers written as text (see
    :func:`_parse_numbers`); with ``text_categories`` the categories are
    compared as text (those of a user's table).
    """
    spec = {"kind": "columns", "numeric": list(numeric), "one_hot": [], "ordinal": []}
    if text_categories:
        spec["text_categories"] = True
    if numeric_text:
        spec["numeric_text"] = list(numeric_text)
    for column, n_categories in categorical.items():
        spec["one_hot" if n_categories <= _MAX_ONE_HOT else "ordinal"].append(column)
    return spec


# Cells that mean "no value" in a column of numbers, besides those pandas reads
# as missing ("", "NA", "NaN", "null", ...).
_MISSING_TEXT = {"?", "-", "--", "na", "n/a", "nan", "null", "none", "missing"}
# A number, its thousands possibly separated by commas: 1234.5, 1,234.5, -.5, 1e-3
# (not 0,125: a decimal comma)
_NUMBER = r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?|\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_COMMA = r"[+-]?\d*,\d+"
# A date, alone or with a time: 2024-01-31, 2024/1/31, 31/01/2024, 1.31.2024
_DATE = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})(?:[ T]|$)"


def _read_numbers(values):
    """Numbers written as text: ``(numbers, missing, not_numbers)``.

    ``numbers`` is float with NaN where a cell is missing or not a number;
    the masks say which cells are missing (empty or a text such as "?") and
    which hold text that is not a number. A percentage ("12.5%") is a
    fraction (0.125).
    """
    import pandas as pd

    text = pd.Series(np.asarray(values, dtype=object), dtype=object)
    text = text.map(lambda v: v if pd.isna(v) else str(v).strip())
    if text.isna().all():  # no text for the .str methods (a batch of empty cells)
        return (
            np.full(len(text), np.nan),
            np.ones(len(text), bool),
            np.zeros(len(text), bool),
        )
    missing = (text.isna() | text.str.lower().isin(_MISSING_TEXT)).to_numpy()
    percent = text.str.endswith("%").fillna(False).to_numpy(dtype=bool)
    text = text.where(~percent, text.str[:-1].str.rstrip())
    number = text.str.fullmatch(_NUMBER).fillna(False).to_numpy(dtype=bool)
    numbers = pd.to_numeric(
        text.where(number & ~missing).str.replace(",", "", regex=False),
        errors="coerce",
    ).to_numpy(dtype=np.float64, copy=True)
    numbers[percent] /= 100
    return numbers, missing, ~missing & ~number


def _category_text(value):
    """A category as text: missing stays NaN, 7.0 is "7" as in the file."""
    import pandas as pd

    if pd.isna(value):
        return np.nan
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _categories_as_text(X):
    """The categorical columns of a user's table as text (a preprocessing step)."""
    import pandas as pd

    frame = X if hasattr(X, "columns") else pd.DataFrame(X)
    columns = []
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j].astype(object)
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            # Text already (the table of every fit): no call per cell, which
            # took 0.34 s per fit and per predict on 100,000 rows x 5 columns.
            columns.append(values.where(values.notna(), np.nan))
        else:
            columns.append(values.map(_category_text))
    return np.column_stack(columns) if columns else np.empty((len(frame), 0), object)


def _parse_numbers(X):
    """The columns of numbers written as text, as floats (a preprocessing step).

    A cell that is neither a number nor missing is an error that names it:
    the column was read as numbers, and a new typo must not pass unnoticed.
    """
    import pandas as pd

    frame = X if hasattr(X, "columns") else pd.DataFrame(X)
    out = np.empty(frame.shape, dtype=np.float64)
    for j, column in enumerate(frame.columns):
        out[:, j], _, wrong = _read_numbers(frame.iloc[:, j])
        if wrong.any():
            i = np.flatnonzero(wrong)[0]
            raise ValueError(
                f"Column {column!r} holds numbers, but {frame.iloc[i, j]!r} (row "
                f"{i}, counting from 0) is not a number."
            )
    return out


class CompareError(ValueError):
    """A problem with what the user asked for, reported without a traceback."""


@dataclass
class Dataset:
    """A classification problem ready for cross-validation.

    ``y`` holds integer codes ``0 .. n_classes - 1`` into ``classes``, and -1
    for the unlabelled rows. ``preprocessing`` describes the columns (see
    :func:`make_preprocessor`); it is a plain dict so that it travels to remote
    workers.
    """

    name: str
    X: object
    y: np.ndarray
    classes: np.ndarray
    preprocessing: dict = field(default_factory=lambda: {"kind": "numeric"})
    source: str = ""
    target: str = None
    notes: list = field(default_factory=list)

    @property
    def labelled(self):
        return np.flatnonzero(self.y >= 0)

    @property
    def n_unlabelled(self):
        return int(np.count_nonzero(self.y < 0))

    @property
    def n_categorical(self):
        spec = self.preprocessing
        if spec["kind"] == "numeric":
            return 0
        return len(spec["one_hot"]) + len(spec["ordinal"])

    def info(self):
        counts = np.bincount(self.y[self.y >= 0], minlength=self.classes.size)
        return {
            "name": self.name,
            "n_samples": int(self.y.size),
            "n_features": int(self.X.shape[1]),
            "n_categorical": self.n_categorical,
            "n_classes": int(self.classes.size),
            "imbalance_ratio": float(counts.max() / max(counts.min(), 1)),
            "n_unlabelled": self.n_unlabelled,
            "source": self.source,
            "notes": list(self.notes),
        }

    def context(self, scoring):
        """What a recipe may know of the data when it builds its steps.

        ``categorical`` (present only when the data have categorical columns)
        gives the number of one-hot and of ordinal columns; in the output of
        ``make_preprocessor(..., native_categorical=True)`` they follow the
        numeric columns in that order.
        """
        context = {
            "scoring": scoring,
            "n_classes": int(self.classes.size),
            "n_features": int(self.X.shape[1]),
        }
        if self.n_categorical:
            spec = self.preprocessing
            context["categorical"] = [len(spec["one_hot"]), len(spec["ordinal"])]
        return context

    def fingerprint(self):
        """A short hash of the data, so that stale results are never reused."""
        digest = hashlib.sha1()
        if hasattr(self.X, "columns"):
            import pandas as pd

            digest.update(repr(list(self.X.columns)).encode())
            digest.update(pd.util.hash_pandas_object(self.X, index=False).values)
        else:
            digest.update(np.ascontiguousarray(self.X).tobytes())
        digest.update(np.ascontiguousarray(self.y).tobytes())
        return digest.hexdigest()[:12]


def make_preprocessor(spec, *, native_categorical=False):
    """The steps that precede every recipe: impute, scale, encode.

    A list of ``(name, transformer)`` for an imbalanced-learn Pipeline (which
    refuses a nested Pipeline as an intermediate step), fitted inside each
    training fold. With ``native_categorical``, the categorical columns are
    left as one integer code per column (-1 for a missing value, -2 for a
    category unseen in training), after the numeric ones, the one-hot columns
    first: a recipe that handles categories itself (SMOTE-NC) encodes them
    after its own step.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        OneHotEncoder,
        OrdinalEncoder,
        StandardScaler,
    )

    def impute():
        return SimpleImputer(strategy="median", keep_empty_features=True)

    if spec["kind"] == "numeric":
        return [("impute", impute()), ("scale", StandardScaler())]
    transformers = []
    if spec["numeric"]:
        numeric = make_pipeline(impute(), StandardScaler())
        transformers.append(("numeric", numeric, spec["numeric"]))
    if spec.get("numeric_text"):
        parse = FunctionTransformer(_parse_numbers, feature_names_out="one-to-one")
        numeric = make_pipeline(parse, impute(), StandardScaler())
        transformers.append(("numeric_text", numeric, spec["numeric_text"]))

    def encode(encoder):
        # The categories of a user's table are text, whatever type pandas
        # reads a new batch of rows as (7 where the training file had "7").
        if not spec.get("text_categories"):
            return encoder
        text = FunctionTransformer(_categories_as_text, feature_names_out="one-to-one")
        return make_pipeline(text, encoder)

    categorical = spec["one_hot"] + spec["ordinal"]
    if native_categorical and categorical:
        codes = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-2,
            encoded_missing_value=-1,
        )
        transformers.append(("categorical", encode(codes), categorical))
        return [("encode", ColumnTransformer(transformers))]
    if spec["one_hot"]:
        one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        transformers.append(("one_hot", encode(one_hot), spec["one_hot"]))
    if spec["ordinal"]:
        ordinal = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            encoded_missing_value=-1,
        )
        ordinal = make_pipeline(encode(ordinal), StandardScaler())
        transformers.append(("ordinal", ordinal, spec["ordinal"]))
    return [("encode", ColumnTransformer(transformers))]


def _encode_labels(y_raw, unlabelled_mask):
    classes, codes = np.unique(y_raw[~unlabelled_mask], return_inverse=True)
    y = np.full(y_raw.size, -1, dtype=np.int64)
    y[~unlabelled_mask] = codes
    return y, classes


def _load_digits(name):
    from sklearn.datasets import load_digits

    from ltlearn.datasets import load_digits_lt, make_long_tailed

    if name == "digits_lt":
        data = load_digits_lt(imbalance_ratio=10, random_state=0)
        return Dataset(
            name,
            data.X_train,
            data.y_train.astype(np.int64),
            np.arange(10),
            source="ltlearn.datasets.load_digits_lt(imbalance_ratio=10)",
        )
    # digits_lt_semi: digits made long-tailed, then 60% of each class unlabelled
    X, y = load_digits(return_X_y=True)
    X, y = make_long_tailed(X, y, imbalance_ratio=10, random_state=0)
    rng = np.random.RandomState(0)
    y = y.astype(np.int64)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        y[members[: int(0.6 * members.size)]] = -1
    return Dataset(
        name,
        X,
        y,
        np.arange(10),
        source="digits, long-tailed (imbalance 10), 60% of each class unlabelled",
    )


def _keel_names():
    try:
        from ltlearn.datasets import list_keel
    except ImportError:
        return []
    return list(list_keel())


def available_datasets():
    """Names that ``--datasets`` accepts."""
    return [*DIGITS, *_keel_names()]


def _close(name, candidates):
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    return f" Did you mean {', '.join(map(repr, close))}?" if close else ""


def load_embedded(name):
    """Load a data set shipped with ltlearn by name."""
    if name in DIGITS:
        return _load_digits(name)
    keel = _keel_names()
    if name not in keel:
        raise CompareError(
            f"Unknown data set {name!r}.{_close(name, [*DIGITS, *keel])} "
            "`ltlearn datasets` lists the embedded ones; use --data FILE "
            "--target COLUMN for your own."
        )
    from ltlearn.datasets import load_keel

    data = load_keel(name)
    y = np.asarray(data.target)
    y_codes, classes = _encode_labels(y, np.zeros(y.size, dtype=bool))
    X = np.asarray(data.data, dtype=np.float64)
    spec = {"kind": "numeric"}
    if data.categories:
        # Nominal features are integer codes: categorical columns, encoded as
        # those of the user's files are.
        names = list(data.feature_names)
        nominal = {
            names.index(feature): len(categories)
            for feature, categories in data.categories.items()
        }
        numeric = [i for i in range(X.shape[1]) if i not in nominal]
        spec = _columns_spec(numeric, nominal)
    return Dataset(name, X, y_codes, classes, spec, source="KEEL")


_OPENERS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


def _split(lines, sep):
    """The field counts of the records in ``lines`` split on ``sep``."""
    import csv

    try:
        return [len(record) for record in csv.reader(lines, delimiter=sep)]
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
    import csv
    import importlib

    suffixes = [suffix.lower() for suffix in path.suffixes]
    default = "\t" if ".tsv" in suffixes else ","
    if suffixes[-1:] == [".zip"]:
        return default, None
    opener = open
    if suffixes[-1] in _OPENERS:
        opener = importlib.import_module(_OPENERS[suffixes[-1]]).open
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
    splits = {sep: next(csv.reader(lines, delimiter=sep), []) for sep in candidates}
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


def _read_table(path):
    try:
        import pandas as pd
    except ImportError:
        raise CompareError(
            "--data needs pandas (and pyarrow for Parquet): pip install pandas pyarrow"
        ) from None
    path = Path(path)
    if path.is_dir():
        raise CompareError(f"--data {str(path)!r} is a directory, not a file.")
    if not path.is_file():
        raise CompareError(f"--data {str(path)!r}: no such file.")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        read, kind = pd.read_parquet, "a Parquet file"
    elif suffix in (".csv", ".txt", ".tsv", ".gz", ".zip", ".bz2", ".xz"):
        sep, header = _header(path)

        def read(path):
            # index_col=False: rows with one field more than the header would
            # otherwise turn the first column into the index, silently.
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return pd.read_csv(path, sep=sep, index_col=False)

        kind = "a TSV file" if sep == "\t" else "a CSV file"
    else:
        raise CompareError(
            f"--data {path.name}: unknown file type {suffix!r}; give a .csv, .tsv "
            "or .parquet file."
        )
    try:
        frame = read(path)
    except ImportError as exc:
        raise CompareError(f"Reading {path.name} needs pyarrow: {exc}") from None
    except pd.errors.EmptyDataError:
        raise CompareError(f"--data {path.name} is empty.") from None
    except pd.errors.ParserWarning:
        raise CompareError(
            f"--data {path.name} is not a well-formed {kind[2:]}: some rows have "
            "more fields than its header."
        ) from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        raise CompareError(
            f"--data {path.name} is not a well-formed {kind[2:]}: {detail}"
        ) from None
    except UnicodeDecodeError as exc:
        where = ""
        if suffix in (".csv", ".txt", ".tsv"):
            data = path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                line = data.count(b"\n", 0, error.start) + 1
                where = f" on line {line}"
        raise CompareError(
            f"--data {path.name} is not UTF-8 text (byte "
            f"{exc.object[exc.start]:#04x}{where}); save it as UTF-8."
        ) from None
    except PermissionError:
        raise CompareError(f"--data {path.name}: permission denied.") from None
    except Exception as exc:  # pyarrow, zlib, zipfile: each raises its own
        message = str(exc).strip().splitlines()
        raise CompareError(
            f"--data {path.name} cannot be read as {kind}: {type(exc).__name__}"
            f"{': ' + message[0] if message else ''}"
        ) from None
    if frame.shape[0] == 0:
        raise CompareError(f"--data {path.name} has a header but no rows.")
    if suffix in (".parquet", ".pq"):
        header = [str(column) for column in frame.columns]
    return frame, header


def _rows_text(rows):
    """``rows 3, 8, ..., counting from 0``: the first five of ``rows``."""
    shown = ", ".join(str(i) for i in rows[:5]) + (", ..." if rows.size > 5 else "")
    return f"rows {shown}, counting from 0"


# --unlabelled values that mean the rows without a target (pandas reads an
# empty cell, "NA" or "NaN" as missing).
_MISSING_MARKERS = {"missing", "", "na", "nan", "n/a", "null"}


def _unlabelled_mask(target, marker):
    import pandas as pd

    if marker is None or str(marker).lower() == "none":
        return np.zeros(len(target), dtype=bool)
    if str(marker).strip().lower() in _MISSING_MARKERS:
        return target.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(target):
        try:
            value = float(marker)
        except ValueError:
            return np.zeros(len(target), dtype=bool)
        return (target == value).to_numpy()
    return (target.astype(str) == str(marker)).to_numpy()


def _named_as_identifier(name):
    """``id``, ``customer_id``, ``customerId``, ``UUID``; not ``paid`` nor ``COVID``."""
    name = str(name).strip()
    lower = name.lower()
    return bool(
        lower in {"id", "uuid", "guid", "index", "key", "rowid"}
        or re.search(r"[_\s.-](id|uuid|guid)$", lower)
        or re.search(r"[a-z](Id|ID)$", name)
    )


def _identifies_rows(values):
    """Whether a column holds one distinct value per row, as an identifier does.

    Such a column says nothing about new rows: in each test fold every value
    is unseen. A numeric column counts when its values are distinct integers
    that are row numbers (consecutive from 0 or 1, such as the index pandas
    writes as "Unnamed: 0") or named as an identifier (``customer_id``); not
    other consecutive integers (the years 2015 to 2024 of a small file).
    """
    import pandas as pd

    present = values.dropna()
    if present.size < 2 or present.size < values.size / 2:
        return False
    if pd.api.types.is_numeric_dtype(values):
        numbers = present.to_numpy(dtype=np.float64)
        if present.size != values.size or not np.all(numbers == np.round(numbers)):
            return False
        if np.unique(numbers).size != numbers.size:
            return False
        low, high = numbers.min(), numbers.max()
        row_numbers = low in (0, 1) and high - low == numbers.size - 1
        return row_numbers or _named_as_identifier(values.name)
    return present.nunique() == present.size


def _numbers_as_text(values, column, file_name, parsed):
    """Whether a text column holds numbers; a few typos among them are an error.

    Numbers with thousands separators ("1,234.5") or percent signs ("12%")
    and cells such as "?" or "-" (missing) make pandas read a column of
    numbers as text, which would
    then be encoded as categories. Such a column is parsed into numbers
    inside the model (see :func:`_parse_numbers`), with a note. A column of
    numbers but for a few cells, or of numbers with a decimal comma, stops the
    run with the cells named.
    """
    _, missing, wrong = _read_numbers(values)
    n_numbers = int(np.count_nonzero(~missing & ~wrong))
    n_wrong = int(np.count_nonzero(wrong))
    if n_wrong:
        text = values[wrong].astype(str).str.strip()
        rows = np.flatnonzero(wrong)
        shown = ", ".join(
            f"{value!r} on row {row}" for value, row in zip(text[:3], rows[:3])
        )
        if text.str.fullmatch(_DECIMAL_COMMA).all():
            raise CompareError(
                f"Column {column!r} of {file_name} holds numbers with a decimal "
                f"comma ({shown}, counting from 0); write them with a decimal "
                "point (1.5), or they would be read as categories."
            )
        if n_numbers < 9 * n_wrong:
            return False  # text, with some numbers among it
        raise CompareError(
            f"Column {column!r} of {file_name} holds numbers, but {n_wrong} "
            f"cell(s) are not ({shown}{', ...' if n_wrong > 3 else ''}, counting "
            "from 0). Correct them, or leave them empty: missing values are "
            "imputed."
        )
    if n_numbers == 0:
        return False
    written = values[~missing].astype(str).str.strip()
    parts = []
    separated = written[written.str.contains(",", regex=False)]
    if separated.size:
        parts.append(f"thousands separated by commas, e.g. {separated.iloc[0]!r}")
    percentages = written[written.str.endswith("%")]
    if percentages.size:
        parts.append(f"percentages as fractions, e.g. {percentages.iloc[0]!r}")
    markers = sorted(
        set(values[missing].dropna().astype(str).str.strip()) - {""}, key=str
    )
    if markers:
        parts.append(f"{', '.join(map(repr, markers))} read as missing")
    how = f" ({'; '.join(parts)})" if parts else ""
    parsed.append(f"{column!r}{how}")
    return True


def _first_names(names, limit=10):
    """The first ``limit`` of ``names`` joined, with how many there are."""
    names = list(names)
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _feature_columns(X, file_name):
    """Type the feature columns of a user's table.

    Returns the table to fit on, its numeric columns, those of numbers written
    as text, ``{column: number of categories}`` of the categorical ones, and
    the notes to show the user on what was done with the columns.
    """
    import pandas as pd

    numeric, numeric_text, categorical, notes = [], [], {}, []
    identifiers, parsed, dates = [], [], []
    X = X.copy()
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_bool_dtype(values):
            X[column] = values.astype(np.float64)
            numeric.append(column)
        elif pd.api.types.is_numeric_dtype(values) and _identifies_rows(values):
            identifiers.append(column)
        elif pd.api.types.is_numeric_dtype(values):
            X[column] = values.astype(np.float64)
            numeric.append(column)
            infinite = np.flatnonzero(np.isinf(X[column].to_numpy()))
            if infinite.size:
                raise CompareError(
                    f"Column {column!r} of {file_name} has {infinite.size} "
                    f"infinite value(s) ({_rows_text(infinite)}). Replace them, "
                    "or leave those cells empty: missing values are imputed."
                )
        elif _numbers_as_text(values, column, file_name, parsed):
            numeric_text.append(column)
        elif _identifies_rows(values):
            identifiers.append(column)
        else:
            as_text = values.astype(object).map(_category_text)
            X[column] = as_text.astype(object)
            categorical[column] = as_text.nunique(dropna=True)
            present = as_text.dropna()
            if present.size and present.str.match(_DATE).all():
                dates.append(f"{column!r} ({categorical[column]} dates)")
    if dates:
        notes.append(
            f"Dates read as categories: {_first_names(dates)}; derive numbers "
            "from them in the file (day of the week, age) if time matters."
        )
    if parsed:
        notes.append(
            f"Numbers written as text, parsed into numbers: {_first_names(parsed)}."
        )
    if identifiers:
        X = X.drop(columns=identifiers)
        notes.append(
            f"Not used as feature(s): {_first_names(map(repr, identifiers))}, one "
            "distinct value per row (an identifier, a row number or a time "
            "stamp): such a column tells nothing about new rows."
        )
    return X, numeric, numeric_text, categorical, notes


def load_table(path, target, *, unlabelled="-1"):
    """Load the user's CSV or Parquet file as a :class:`Dataset`.

    Numeric columns are imputed (median) and scaled; other columns are
    categorical: one-hot encoded up to 20 categories, ordinal-encoded beyond,
    a missing value being a category of its own. Rows whose target equals
    ``unlabelled`` are unlabelled (for the semi-supervised recipes).
    """
    import pandas as pd

    frame, header = _read_table(path)
    name = Path(path).stem
    columns = [str(column) for column in frame.columns]
    frame.columns = columns
    if target not in columns:
        hint = _close(target, columns)
        shown = ", ".join(columns[:50])
        if len(columns) > 50:
            shown += f", ... ({len(columns)} columns)"
        raise CompareError(
            f"Target column {target!r} is not in {Path(path).name}.{hint} "
            f"Its columns are: {shown}."
        )
    repeated = [
        column for column in dict.fromkeys(header or ()) if header.count(column) > 1
    ]
    if target in repeated:
        raise CompareError(
            f"Column {target!r} appears {header.count(target)} times in the header "
            f"of {Path(path).name}: the other copies would be features holding "
            "the target. Rename or drop them."
        )
    y_raw = frame[target]
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise CompareError(f"{Path(path).name} has no column besides {target!r}.")
    unlabelled_mask = _unlabelled_mask(y_raw, unlabelled)
    missing = y_raw.isna().to_numpy() & ~unlabelled_mask
    if missing.any():
        rows = np.flatnonzero(missing)
        raise CompareError(
            f"Target column {target!r} has {rows.size} missing value(s) "
            f"({_rows_text(rows)}). Drop or fill those rows, or pass "
            "--unlabelled missing to use them as unlabelled rows."
        )
    labels = y_raw[~unlabelled_mask]
    if pd.api.types.is_float_dtype(labels):
        values = labels.to_numpy()
        if not np.all(values == np.round(values)) and np.unique(values).size > 20:
            raise CompareError(
                f"Target column {target!r} holds {np.unique(values).size} distinct "
                "non-integer numbers: it looks continuous, and a comparison needs "
                "class labels."
            )
    y_values = labels.to_numpy()
    if y_values.dtype == object:
        y_values = y_values.astype(str)
    full = np.empty(len(y_raw), dtype=y_values.dtype)
    full[~unlabelled_mask] = y_values
    y, classes = _encode_labels(full, unlabelled_mask)
    n_labelled = int(np.count_nonzero(~unlabelled_mask))
    if classes.size == n_labelled > 2:
        raise CompareError(
            f"Target column {target!r} holds a different value on each of its "
            f"{n_labelled} labelled rows: it is not a class label (an identifier?)."
        )
    if classes.size < 2:
        shown = repr(classes[0].item() if classes.size else None)
        hint = ""
        if unlabelled_mask.any():
            hint = (
                f" {int(unlabelled_mask.sum())} row(s) whose target is "
                f"{unlabelled!r} count as unlabelled; if that is a class, pass "
                "--unlabelled none."
            )
        raise CompareError(
            f"Target column {target!r} has a single class ({shown}) among the "
            f"labelled rows; a comparison needs at least 2.{hint}"
        )
    X, numeric, numeric_text, categorical, notes = _feature_columns(X, Path(path).name)
    if repeated:
        notes.insert(
            0,
            f"Column name(s) {', '.join(map(repr, repeated))} appear more than "
            "once in the header; the repeats are read as NAME.1, NAME.2, ...",
        )
    if X.shape[1] == 0:
        raise CompareError(
            f"{Path(path).name} has no usable column besides {target!r}: "
            + " ".join(notes)
        )
    alike = {}
    for label in classes:
        if isinstance(label, str):
            alike.setdefault(label.strip().lower(), []).append(str(label))
    for labels in alike.values():
        if len(labels) > 1:
            notes.append(
                f"Classes {', '.join(map(repr, labels))} of {target!r} differ "
                "only in case or spaces; they are kept apart as different classes."
            )
    if unlabelled_mask.any():
        which = f"whose target is {unlabelled!r}"
        hint = " (--unlabelled none if that is a class)"
        if str(unlabelled).strip().lower() in _MISSING_MARKERS:
            which, hint = "without a target", ""
        notes.append(
            f"{int(unlabelled_mask.sum())} row(s) {which} are unlabelled: only "
            "the semi-supervised methods learn from them, and they are never "
            f"scored{hint}."
        )
    spec = _columns_spec(numeric, categorical, numeric_text, text_categories=True)
    return Dataset(
        name, X, y, classes, spec, source=str(path), target=target, notes=notes
    )


def check_folds(dataset, cv):
    """Refuse a number of folds that a class cannot fill."""
    counts = np.bincount(dataset.y[dataset.y >= 0], minlength=dataset.classes.size)
    small = np.flatnonzero(counts < cv)
    if small.size:
        i = small[0]
        label = dataset.classes[i]
        label = label.item() if hasattr(label, "item") else label
        where = f"data set {dataset.name!r}"
        if dataset.target is not None:
            where = f"target column {dataset.target!r} in {where}"
        fix = "Lower --cv."
        if counts[i] < 2:
            fix = (
                "Cross-validation needs at least 2 rows of each class: drop or "
                "relabel the rows of the smaller classes."
            )
        raise CompareError(
            f"Class {label!r} of {where} has {counts[i]} "
            f"labelled row(s); --cv {cv} needs at least {cv} per class. {fix}"
        )
