"""The user's CSV or Parquet file as a data set of ``ltlearn compare``.

Reads the header first (separator, repeated names), types each column
(numbers, numbers written as text, categories, identifiers left out) and
notes what was done, for the run and the report.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
from collections import Counter
from pathlib import Path

import numpy as np

from ltlearn._compare._data import (
    CompareError,
    Dataset,
    _category_texts,
    _close,
    _columns_spec,
    _read_numbers,
    utf8_text,
)
from ltlearn._compare._groups import read_groups
from ltlearn._compare._results import one_line, visible
from ltlearn._compare._table_file import _column_as_written, _read_table
from ltlearn._compare._target import (
    _class_codes,
    _codes_as_written,
    _rows_text,
    _target_notes,
    _unlabelled_rows,
)
from ltlearn.utils._listing import first_listed

# A decimal comma: 0,125 (a column of them is refused, not misread)
_DECIMAL_COMMA = r"[+-]?\d*,\d+"
# A date, alone or with a time: 2024-01-31, 2024/1/31, 31/01/2024, 1.31.2024
_DATE = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})(?:[ T]|$)"


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
        if present.size != values.size:
            return False
        if pd.api.types.is_integer_dtype(values):
            # as they are: float64 rounds integers beyond 2**53 (64-bit ids),
            # making distinct ones equal
            numbers = present.to_numpy()
        else:
            numbers = present.to_numpy(dtype=np.float64)
            if not np.all(numbers == np.round(numbers)):
                return False
        if np.unique(numbers).size != numbers.size:
            return False
        # taken from 0 or 1 only, ``high - low`` does not overflow; an infinite
        # ``high`` is no row number (and is refused by the caller)
        low, high = numbers.min(), numbers.max()
        row_numbers = low in (0, 1) and high - low == numbers.size - 1
        return row_numbers or _named_as_identifier(values.name)
    return present.nunique() == present.size


def _numbers_as_text(values, column, file_name, parsed):
    """Whether a text column holds numbers; a few typos among them are an error.

    Numbers with thousands separators ("1,234.5") or percent signs ("12%")
    and cells such as "?" or "-" (missing) make pandas read a column of
    numbers as text, which would then be encoded as categories. Such a column
    is parsed into numbers inside the model (see :func:`_parse_numbers`), with
    a note. A column of numbers but for a few cells, or of numbers with a
    decimal comma, stops the run with the cells named.
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


def _feature_columns(X, file_name):
    """Type the feature columns of a user's table.

    Returns the table to fit on, its numeric columns, those of numbers written
    as text, ``{column: number of categories}`` of the categorical ones, and
    the notes to show the user on what was done with the columns.
    """
    import pandas as pd

    numeric, numeric_text, categorical, notes = [], [], {}, []
    identifiers, parsed, dates = [], [], []
    # The columns changed are put back at once: replaced one at a time, each
    # split the frame's block of columns, a cost quadratic in their number.
    changed = {}
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_bool_dtype(values):
            changed[column] = values.astype(np.float64)
            numeric.append(column)
        elif pd.api.types.is_numeric_dtype(values) and _identifies_rows(values):
            identifiers.append(column)
        elif pd.api.types.is_numeric_dtype(values):
            changed[column] = values.astype(np.float64)
            numeric.append(column)
            infinite = np.flatnonzero(np.isinf(changed[column].to_numpy()))
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
            as_text = pd.Series(_category_texts(values), index=X.index, dtype=object)
            changed[column] = as_text
            categorical[column] = as_text.nunique(dropna=True)
            present = pd.Series(as_text.dropna().unique(), dtype=object)
            if present.size and present.str.match(_DATE).all():
                dates.append(f"{column!r} ({categorical[column]} dates)")
    X = pd.DataFrame(
        {column: changed.get(column, X[column]) for column in X.columns},
        index=X.index,
    ).set_axis(X.columns, axis=1)
    if dates:
        notes.append(
            f"Dates read as categories: {first_listed(dates)}; derive numbers "
            "from them in the file (day of the week, age) if time matters."
        )
    if parsed:
        notes.append(
            f"Numbers written as text, parsed into numbers: {first_listed(parsed)}."
        )
    if identifiers:
        X = X.drop(columns=identifiers)
        notes.append(
            f"Not used as feature(s): {first_listed(map(repr, identifiers))}, one "
            "distinct value per row (an identifier, a row number or a time "
            "stamp): such a column tells nothing about new rows."
        )
    return X, numeric, numeric_text, categorical, notes


def _check_column(column, columns, header, file_name, *, named, holding):
    """Refuse a ``column`` that is not among ``columns``, or stands more than
    once in ``header`` (its copies would be features holding ``holding``);
    ``named`` is how the message names it."""
    if column not in columns:
        shown = ", ".join(map(visible, columns[:50]))
        if len(columns) > 50:
            shown += f", ... ({len(columns)} columns)"
        raise CompareError(
            f"{named} is not in {file_name}.{_close(column, columns)} "
            f"Its columns are: {shown}."
        )
    if header is not None and header.count(column) > 1:
        raise CompareError(
            f"Column {column!r} appears {header.count(column)} times in the header "
            f"of {file_name}: the other copies would be features holding "
            f"{holding}. Rename or drop them."
        )


def _check_target_column(target, columns, header, file_name):
    """The names repeated in the header, once ``target`` is known to be a column.

    An error where ``target`` is not among ``columns``, or stands more than
    once in ``header`` (its copies would be features holding the target).
    """
    named = f"Target column {target!r}"
    _check_column(target, columns, header, file_name, named=named, holding="the target")
    counts = Counter(header or ())  # header.count per name was quadratic
    return [column for column, count in counts.items() if count > 1]


def _repeats_note(repeated, header, columns):
    """The note on the names ``repeated`` in ``header``, and what pandas named
    their repeats among ``columns``: ``a.1``, but ``a.2`` where ``a.1`` is
    taken and ``Unnamed: 3`` for an empty name."""
    how = "NAME.1, NAME.2, ..."
    if len(header) == len(columns):
        repeats, first = set(repeated), {}  # where each name stands first
        renamed = [
            column
            for i, (name, column) in enumerate(zip(header, columns))
            if name in repeats and first.setdefault(name, i) != i
        ]
        how = first_listed(map(repr, renamed))
    return (
        f"Column name(s) {first_listed(map(repr, repeated))} appear more than "
        f"once in the header; the repeats are read as {how}."
    )


def _repeated_identifiers_note(X):
    """The note on the features of ``X`` named as identifiers (``patient_id``).

    Such a column with one distinct value per row was left out (see
    :func:`_feature_columns`); with repeated values it is a feature, and its
    rows may be the records of one unit (the visits of a patient), which
    row-wise folds put on both sides. None where there is none.
    """
    named = [column for column in X.columns if _named_as_identifier(column)]
    if not named:
        return None
    return (
        f"Used as feature(s), though named as an identifier: "
        f"{first_listed(map(repr, named))}, a value shared by several rows. If "
        "the rows that share a value belong together (the visits of one "
        "patient), give --groups COLUMN: the folds then keep them together, "
        "and the column is not a feature."
    )


def load_table(path, target, *, unlabelled="-1", groups=None):
    """Load the user's CSV or Parquet file as a :class:`Dataset`.

    What ``ltlearn compare --data FILE --target COLUMN`` reads. Numeric
    columns, and those of numbers written as text, are imputed (median) and
    scaled; identifiers are left out; other columns are categorical: one-hot
    encoded up to ``_MAX_ONE_HOT`` categories, ordinal-encoded beyond, a
    missing value being a category of its own (see :func:`_feature_columns`,
    whose notes the data set keeps).

    Parameters
    ----------
    path : path-like
        The file: ``.csv``, ``.tsv`` (compressed or not) or ``.parquet``.
    target : str
        The label column (``--target``).
    unlabelled : str, default="-1"
        Rows whose target equals it (is missing, for one of
        ``_MISSING_MARKERS``; ``"none"``: no row) are unlabelled, for the
        semi-supervised recipes (``--unlabelled``).
    groups : str, default=None
        The column that says which rows belong together (``--groups``): a
        patient, a customer, a site. The folds of
        :func:`~ltlearn._compare._runner.run_comparison` then keep the rows of
        each value together, as scikit-learn's ``StratifiedGroupKFold`` does,
        and the column is not a feature (nor is it needed by a model fitted on
        ``X``). A missing value in it is an error that names the rows.

    Returns
    -------
    dataset : Dataset
        ``X`` the feature columns, ``y`` the class codes (-1: unlabelled),
        ``groups`` the group codes (None without ``groups``), ``notes`` what
        was done with the columns.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from ltlearn._compare._runner import run_comparison
    >>> from ltlearn._compare._user_table import load_table
    >>> from ltlearn.recipes._registry import RECIPES
    >>> visits = pd.DataFrame({
    ...     "patient_id": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
    ...     "age": [61, 62, 45, 45, 70, 71, 38, 39, 55, 56, 66, 67],
    ...     "sick": ["y", "y", "n", "n", "y", "y", "n", "n", "n", "n", "y", "y"],
    ... })
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "visits.csv"
    ...     visits.to_csv(path, index=False)
    ...     data = load_table(path, "sick", groups="patient_id")
    >>> list(data.X.columns), data.groups
    (['age'], array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]))
    >>> comparison = run_comparison([data], [RECIPES["plain"]], cv=3, progress=False)
    >>> len(comparison.rows)
    3
    """
    frame, header = _read_table(path)  # says so when pandas is missing
    target, unlabelled = utf8_text(target), utf8_text(unlabelled)
    # The name the rows of results.csv hold, so that a rerun finds them.
    name = visible(one_line(utf8_text(Path(path).stem)))
    file_name = visible(utf8_text(Path(path).name))
    columns = [str(column) for column in frame.columns]
    frame.columns = columns
    repeated = _check_target_column(target, columns, header, file_name)
    codes, groups_note, besides = None, None, repr(target)
    if groups is not None:
        groups = utf8_text(groups)
        named = f"Group column {groups!r} (--groups)"
        _check_column(
            groups, columns, header, file_name, named=named, holding="the groups"
        )
        codes, groups_note = read_groups(frame, groups, target, file_name)
        besides = f"{target!r} and the groups {groups!r}"
    y_raw = frame[target]
    X = frame.drop(columns=[target] if groups is None else [target, groups])
    if X.shape[1] == 0:
        raise CompareError(f"{file_name} has no column besides {besides}.")
    unlabelled_mask = _unlabelled_rows(y_raw, target, unlabelled)
    codes_note = None
    if y_raw.dtype.kind in "iuf":  # "0101" and "101" would be one class
        written = _column_as_written(path, columns.index(target))
        y_raw, codes_note = _codes_as_written(y_raw, written, unlabelled_mask, target)
    y, classes = _class_codes(y_raw, unlabelled_mask, target, unlabelled)
    X, numeric, numeric_text, categorical, notes = _feature_columns(X, file_name)
    if repeated:
        notes.insert(0, _repeats_note(repeated, header, columns))
    if X.shape[1] == 0:
        raise CompareError(
            f"{file_name} has no usable column besides {besides}: " + " ".join(notes)
        )
    if groups is None:
        groups_note = _repeated_identifiers_note(X)
    if groups_note is not None:
        notes.append(groups_note)
    notes += _target_notes(classes, target, unlabelled_mask, unlabelled)
    if codes_note is not None:
        notes.append(codes_note)
    spec = _columns_spec(numeric, categorical, numeric_text, text_categories=True)
    return Dataset(
        name,
        X,
        y,
        classes,
        spec,
        source=str(path),
        target=target,
        notes=notes,
        unlabelled=unlabelled,
        groups=codes,
        groups_column=groups,
    )
