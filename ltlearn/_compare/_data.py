"""Data sets for ``ltlearn compare``: the data set type, the embedded sets and
the preprocessing; the user's files are read in ``_user_table.py``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import difflib
import hashlib
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from ltlearn._compare._columns import _column_transformer

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
# (not 0,125: a decimal comma). Its digits are ASCII: pandas reads no other
# digits ("١٢", "１２") as a number, and such a cell became NaN, as if missing.
_NUMBER = (
    r"[+-]?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+\.?[0-9]*|\.[0-9]+)"
    r"(?:[eE][+-]?[0-9]+)?"
)


def _distinct(values):
    """The distinct cells of a column and where each cell is among them.

    Returns ``(codes, uniques)``: ``uniques`` an object array of the distinct
    cells that are not missing, ``codes`` each cell's index into it (-1 where
    missing), so that what is computed on ``uniques`` once is mapped back to
    the cells by ``codes``: text columns repeat their values, and a Python
    call per cell took seconds on a million rows. ``codes`` is None and
    ``uniques`` holds every cell where equal cells may read differently (a
    column of Python objects mixing 1, 1.0 and True, which hash as equal).
    Floats are told apart by their bits: 0.0 and -0.0 are equal, but "-0.0"
    is read as -0.0.
    """
    import pandas as pd

    values = values if isinstance(values, pd.Series) else pd.Series(values)
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        floats = values.to_numpy()
        present = ~np.isnan(floats)
        codes = np.full(floats.size, -1, dtype=np.intp)
        bits, uniques = pd.factorize(floats[present].view(f"i{dtype.itemsize}"))
        codes[present] = bits
        return codes, uniques.view(dtype).astype(object)
    if pd.api.types.is_object_dtype(dtype):
        text = pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    else:
        text = isinstance(dtype, pd.StringDtype)
    if not text and not (isinstance(dtype, np.dtype) and dtype.kind in "biumM"):
        return None, np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques.astype(object), dtype=object)


def _per_cell(codes, distinct, missing):
    """``distinct`` (computed on the distinct cells) for each cell; ``missing``
    where the cell is missing (code -1)."""
    if codes is None:
        return distinct
    return np.append(distinct, np.asarray(missing, dtype=distinct.dtype))[codes]


def _read_numbers(values):
    """Numbers written as text: ``(numbers, missing, not_numbers)``.

    ``numbers`` is float with NaN where a cell is missing or not a number;
    the masks say which cells are missing (empty or a text such as "?") and
    which hold text that is not a number. A percentage ("12.5%") is a
    fraction (0.125). Each distinct cell is read once (see :func:`_distinct`).
    """
    import pandas as pd

    codes, cells = _distinct(values)
    if codes is None:
        text = pd.Series(cells, dtype=object)
        text = text.map(lambda v: v if pd.isna(v) else str(v).strip())
    else:  # none missing
        text = pd.Series([str(cell).strip() for cell in cells], dtype=object)
    if text.isna().all():  # no text for the .str methods (a batch of empty cells)
        size = len(cells) if codes is None else len(codes)
        return np.full(size, np.nan), np.ones(size, bool), np.zeros(size, bool)
    missing = (text.isna() | text.str.lower().isin(_MISSING_TEXT)).to_numpy()
    percent = text.str.endswith("%", na=False).to_numpy(dtype=bool)
    if percent.any():
        text = text.copy()
        text[percent] = text[percent].str[:-1].str.rstrip()
    number = text.str.fullmatch(_NUMBER, na=False).to_numpy(dtype=bool)
    numbers = text.where(number & ~missing).str.replace(",", "", regex=False)
    if codes is not None and (codes < 0).any():
        # to_numeric reads "-0" as 0 among integers, as -0.0 beside a missing
        # cell: the missing cells of the column are among the distinct ones.
        numbers = pd.concat([numbers, pd.Series([np.nan], dtype=object)])
    numbers = pd.to_numeric(numbers, errors="coerce").to_numpy(
        dtype=np.float64, copy=True
    )[: len(text)]
    numbers[percent] /= 100
    wrong = ~missing & ~number
    return (
        _per_cell(codes, numbers, np.nan),
        _per_cell(codes, missing, True),
        _per_cell(codes, wrong, False),
    )


def _category_text(value):
    """A category as text: missing stays NaN, 7.0 is "7" as in the file."""
    import pandas as pd

    if pd.isna(value):
        return np.nan
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _category_texts(values):
    """A column of categories as text (see :func:`_category_text`): an object
    array, NaN where missing. Text stays as it is; other cells are written
    once per distinct value (see :func:`_distinct`)."""
    import pandas as pd

    values = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        values = values.astype(object)
        return np.asarray(values.where(values.notna(), np.nan), dtype=object)
    codes, cells = _distinct(values)
    texts = np.array([_category_text(cell) for cell in cells], dtype=object)
    return _per_cell(codes, texts, np.nan)


def _categories_as_text(X):
    """The categorical columns of a user's table as text (see the preprocessing
    step ``_CategoriesAsText``)."""
    import pandas as pd

    frame = X if hasattr(X, "columns") else pd.DataFrame(X)
    columns = [_category_texts(frame.iloc[:, j]) for j in range(frame.shape[1])]
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


# What pandas.api.types.infer_dtype says of a column that holds some text.
_TEXT_KINDS = ("string", "mixed", "mixed-integer")


def _numbers_of_batch(X):
    """The numeric columns of a user's table as numbers (a preprocessing step).

    A column that a new batch holds as text, because pandas read a "?" or a
    "1,234" among its numbers, is read as the file reads numbers written as
    text (see :func:`_parse_numbers`); the other columns are left as they are
    (booleans beside an empty cell, which pandas reads as objects, included).
    """
    import pandas as pd

    if not hasattr(X, "columns"):
        return X
    text = [
        column
        for column in X.columns
        if not pd.api.types.is_numeric_dtype(X[column].dtype)
        and pd.api.types.infer_dtype(X[column], skipna=True) in _TEXT_KINDS
    ]
    if not text:
        return X
    X = X.copy()
    for column, numbers in zip(text, _parse_numbers(X[text]).T):
        X[column] = numbers
    return X


def utf8_text(text):
    """``text`` with the bytes the locale could not decode read as UTF-8.

    Where the locale cannot decode a command line or a file name (``LC_ALL=C``
    without UTF-8 mode), Python keeps each such byte as a lone surrogate
    (:pep:`383`): ``--target été`` then names no column of a UTF-8 file, and
    such text cannot be written in the UTF-8 results and report. Those bytes
    are read as UTF-8 (one that is not, as U+FFFD); other text, and what is
    not text, is returned as it is.
    """
    if not isinstance(text, str):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class CompareError(ValueError):
    """A problem with what the user asked for, reported without a traceback."""


@dataclass
class Dataset:
    """A classification problem ready for cross-validation.

    ``y`` holds integer codes ``0 .. n_classes - 1`` into ``classes``, and -1
    for the unlabelled rows, whose target is ``unlabelled`` in the source (a
    value of ``--unlabelled``). ``preprocessing`` describes the columns (see
    :func:`make_preprocessor`); it is a plain dict so that it travels to remote
    workers. ``groups`` holds the group of each row (integer codes of the
    column ``groups_column``, ``--groups``), which the folds keep together;
    None when the rows are not grouped.
    """

    name: str
    X: object
    y: np.ndarray
    classes: np.ndarray
    preprocessing: dict = field(default_factory=lambda: {"kind": "numeric"})
    source: str = ""
    target: str = None
    notes: list = field(default_factory=list)
    unlabelled: str = "-1"
    groups: np.ndarray = None
    groups_column: str = None

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
            "groups": self.groups_column,
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
        """A short hash of the data, so that stale results are never reused.

        Of the groups too, where the rows are grouped: the folds follow them.
        """
        digest = hashlib.sha1()
        if hasattr(self.X, "columns"):
            import pandas as pd

            digest.update(repr(list(self.X.columns)).encode())
            digest.update(pd.util.hash_pandas_object(self.X, index=False).values)
        else:
            digest.update(np.ascontiguousarray(self.X).tobytes())
        digest.update(np.ascontiguousarray(self.y).tobytes())
        if self.groups is not None:
            digest.update(b"groups")
            digest.update(np.ascontiguousarray(self.groups, dtype=np.int64).tobytes())
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
        steps = [impute(), StandardScaler()]
        if spec.get("text_categories"):  # a user's table: see _numbers_of_batch
            read = FunctionTransformer(
                _numbers_of_batch, feature_names_out="one-to-one"
            )
            steps.insert(0, read)
        transformers.append(("numeric", make_pipeline(*steps), spec["numeric"]))
    if spec.get("numeric_text"):
        parse = FunctionTransformer(_parse_numbers, feature_names_out="one-to-one")
        numeric = make_pipeline(parse, impute(), StandardScaler())
        transformers.append(("numeric_text", numeric, spec["numeric_text"]))

    def encode(encoder):
        # The categories of a user's table are text, whatever type pandas
        # reads a new batch of rows as (7 where the training file had "7"),
        # and a code read as a number or a boolean matched to the category of
        # the file that reads as it (1 where the file had "01").
        if not spec.get("text_categories"):
            return encoder
        from ltlearn._compare._text_categories import _CategoriesAsText

        return make_pipeline(_CategoriesAsText(), encoder)

    categorical = spec["one_hot"] + spec["ordinal"]
    if native_categorical and categorical:
        codes = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-2,
            encoded_missing_value=-1,
        )
        transformers.append(("categorical", encode(codes), categorical))
        return [("encode", _column_transformer(transformers))]
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
    return [("encode", _column_transformer(transformers))]


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
    from ltlearn.datasets import list_keel

    return list_keel()


def available_datasets():
    """Names that ``--datasets`` accepts."""
    return [*DIGITS, *_keel_names()]


def _folded(name):
    """``name`` without case, surrounding spaces, nor a choice of Unicode form."""
    return unicodedata.normalize("NFC", str(name)).strip().casefold()


def _close(name, candidates):
    # The names equal but for case, surrounding spaces or Unicode form first:
    # difflib found nothing for a short one ("--models LR", "RF"), for a
    # column " y " (the list of columns does not show its spaces) nor for
    # "é" typed as "e" and an accent, which looks the same.
    same = [c for c in candidates if _folded(c) == _folded(name)]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    close = (same + [c for c in close if c not in same])[:3]
    if not close:
        return ""
    hint = f" Did you mean {', '.join(map(repr, close))}?"
    if unicodedata.normalize("NFC", str(close[0])) == unicodedata.normalize(
        "NFC", str(name)
    ):
        hint += (
            " They look alike but differ in their Unicode characters (an "
            "accented letter as one character or as a letter and an accent)."
        )
    return hint


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


def check_folds(dataset, cv):
    """Refuse a number of folds that a class cannot fill.

    The smallest such class is named first; with several, all are listed
    with their counts (the first ten), so that a table of many classes is
    mended in one go. Where the rows are grouped (``--groups``), a class
    counts the groups that hold its labelled rows, since a test fold takes
    whole groups: scikit-learn's ``StratifiedGroupKFold`` would leave the
    class out of some test folds (out of the training rows of one, for a
    class in a single group) without a word.
    """
    if dataset.groups is None:
        counts = np.bincount(dataset.y[dataset.y >= 0], minlength=dataset.classes.size)
        has, need, few = "{} labelled row(s)", "", "labelled rows"
        fix_one = "at least 2 rows of each class"
    else:
        from ltlearn._compare._groups import groups_per_class

        counts = groups_per_class(dataset, cv)
        has = f"labelled rows in {{}} group(s) of {dataset.groups_column!r}"
        need = (
            ": a test fold takes whole groups, and one without the class "
            "cannot score it"
        )
        few = "groups"
        fix_one = (
            "each class in at least 2 groups (the rows of a class in one "
            "group are all in one test fold, with none to train on)"
        )
    small = np.flatnonzero(counts < cv)
    if small.size:
        small = small[np.argsort(counts[small], kind="stable")]
        labels = [
            label.item() if hasattr(label, "item") else label
            for label in dataset.classes[small]
        ]
        i = small[0]
        where = f"data set {dataset.name!r}"
        if dataset.target is not None:
            where = f"target column {dataset.target!r} in {where}"
        fix = "Lower --cv."
        if counts[i] < 2:
            fix = (
                f"Cross-validation needs {fix_one}: drop or relabel the rows of "
                "the smaller classes."
            )
        others = ""
        if small.size > 1:
            # here, not at the top: ltlearn.utils imports scikit-learn, which
            # `ltlearn --help` does not need
            from ltlearn.utils._listing import first_listed

            listed = (f"{label!r} ({counts[k]})" for label, k in zip(labels, small))
            others = (
                f" {small.size} classes have fewer than {cv} {few}: "
                f"{first_listed(listed)}."
            )
        raise CompareError(
            f"Class {labels[0]!r} of {where} has {has.format(counts[i])}; "
            f"--cv {cv} needs at least {cv} per class{need}. {fix}{others}"
        )
