"""The target column of the user's file in ``ltlearn compare``.

Which rows are unlabelled (``--unlabelled``), the class codes of the others
and the errors and notes on the classes they hold.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import unicodedata

import numpy as np

from ltlearn._compare._data import CompareError, _encode_labels, _folded


def _rows_text(rows):
    """``rows 3, 8, ..., counting from 0``: the first five of ``rows``."""
    shown = ", ".join(str(i) for i in rows[:5]) + (", ..." if rows.size > 5 else "")
    return f"rows {shown}, counting from 0"


# --unlabelled values that mean the rows without a target (pandas reads an
# empty cell, "NA" or "NaN" as missing).
_MISSING_MARKERS = {"missing", "", "na", "nan", "n/a", "null"}


def _marks_missing(marker):
    """Whether the --unlabelled value ``marker`` means the rows without a target."""
    return str(marker).strip().lower() in _MISSING_MARKERS


def _marks_nothing(marker):
    """Whether the --unlabelled value ``marker`` marks no row (``none``)."""
    return str(marker).lower() == "none"


def _marked_rows(marker):
    """How the messages name the rows the --unlabelled value ``marker`` marks."""
    return (
        "without a target" if _marks_missing(marker) else f"whose target is {marker!r}"
    )


def _unlabelled_mask(target, marker):
    import pandas as pd

    if _marks_nothing(marker):
        return np.zeros(len(target), dtype=bool)
    if _marks_missing(marker):
        return target.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(target):
        try:
            value = float(marker)
        except ValueError:
            return np.zeros(len(target), dtype=bool)
        # a nullable target (Int64, from Parquet) compares as NA where missing
        return (target == value).fillna(False).to_numpy(dtype=bool)
    return (target.astype(str) == str(marker)).to_numpy()


def _label_codes(labels, unlabelled_mask):
    """The codes of the rows (-1: unlabelled) and the classes.

    ``labels`` holds the targets of the labelled rows, in order; text labels
    are compared as text.
    """
    import pandas as pd

    values = labels.to_numpy()
    if values.dtype == object:
        # NumPy's fixed-width text drops trailing NULs: "a\x00" would be "a".
        if any(str(label).endswith("\x00") for label in pd.unique(values)):
            values = np.array([str(value) for value in values], dtype=object)
        else:
            values = values.astype(str)
    full = np.empty(unlabelled_mask.size, dtype=values.dtype)
    full[~unlabelled_mask] = values
    return _encode_labels(full, unlabelled_mask)


def _unlabelled_rows(y_raw, target, unlabelled):
    """The mask of the unlabelled rows; an error where another row has no target."""
    unlabelled_mask = _unlabelled_mask(y_raw, unlabelled)
    missing = y_raw.isna().to_numpy() & ~unlabelled_mask
    if missing.any():
        rows = np.flatnonzero(missing)
        raise CompareError(
            f"Target column {target!r} has {rows.size} missing value(s) "
            f"({_rows_text(rows)}): empty cells, or in a CSV file cells such "
            "as NA, N/A, NULL, None or nan, which pandas reads as missing (a "
            "class so named needs another name). Drop or fill those rows, or "
            "pass --unlabelled missing to use them as unlabelled rows."
        )
    return unlabelled_mask


def _codes_as_written(y_raw, written, unlabelled_mask, target):
    """The target as written where integer codes read as one number.

    pandas reads ``"0101"``, ``"101"`` and ``"00101"`` (product or diagnosis
    codes) as the number 101, which would merge three classes. Where labelled
    rows hold such codes, the target is their text, stripped as pandas strips
    numbers: ``(target, note)``; otherwise ``(y_raw, None)``. ``written`` is
    the column as text (None for a Parquet file, which keeps its types).
    """
    import pandas as pd

    if written is None:
        return y_raw, None
    labelled = ~unlabelled_mask
    # Each distinct (number, text) pair once: a row at a time took longer
    # than reading the file.
    pairs = pd.DataFrame(
        {"number": y_raw[labelled].to_numpy(), "text": written[labelled].to_numpy()}
    ).drop_duplicates()
    text = pairs["text"].astype(str).str.strip()
    integer = text.str.fullmatch(r"[+-]?\d+").to_numpy(dtype=bool)
    texts = {}
    for number, code in zip(pairs["number"][integer], text[integer]):
        texts.setdefault(number, set()).add(code)
    merged = [sorted(codes) for codes in texts.values() if len(codes) > 1]
    if not merged:
        return y_raw, None
    shown = "; ".join(", ".join(map(repr, codes)) for codes in merged[:3])
    note = (
        f"Codes of {target!r} that read as the same number ({shown}"
        f"{'; ...' if len(merged) > 3 else ''}) are kept apart as different "
        "classes: the target is read as text, as written."
    )
    return written.str.strip(), note


def _class_codes(y_raw, unlabelled_mask, target, unlabelled):
    """The codes of the rows (-1: unlabelled) and the classes of the target.

    An error where the labelled rows do not hold class labels: many distinct
    non-integer numbers, a different value on each row, or a single class.
    """
    import pandas as pd

    labels = y_raw[~unlabelled_mask]
    if pd.api.types.is_float_dtype(labels):
        values = labels.to_numpy()
        if not np.all(values == np.round(values)) and np.unique(values).size > 20:
            raise CompareError(
                f"Target column {target!r} holds {np.unique(values).size} distinct "
                "non-integer numbers: it looks continuous, and a comparison needs "
                "class labels. Bin it into classes in the file (pandas.cut with "
                "labels, such as 'low' and 'high'), or fit a regressor to predict "
                "the value."
            )
    y, classes = _label_codes(labels, unlabelled_mask)
    n_labelled = int(np.count_nonzero(~unlabelled_mask))
    if classes.size == n_labelled > 2:
        raise CompareError(
            f"Target column {target!r} holds a different value on each of its "
            f"{n_labelled} labelled rows: it is not a class label (an identifier?)."
        )
    if classes.size < 2:
        hint = ""
        if unlabelled_mask.any():
            hint = (
                f" {int(unlabelled_mask.sum())} row(s) {_marked_rows(unlabelled)} "
                "count as unlabelled"
            )
            hint += (
                "."
                if _marks_missing(unlabelled)
                else "; if that is a class, pass --unlabelled none."
            )
        if classes.size == 0:  # every row is marked unlabelled
            raise CompareError(
                f"Target column {target!r} has no labelled row; a comparison "
                f"needs labelled rows of at least 2 classes.{hint}"
            )
        raise CompareError(
            f"Target column {target!r} has a single class "
            f"({classes.tolist()[0]!r}) among the labelled rows; a comparison "
            f"needs at least 2.{hint}"
        )
    return y, classes


def _target_notes(classes, target, unlabelled_mask, unlabelled):
    """Notes on the classes alike but for case, spaces or Unicode form, and on
    unlabelled rows."""
    notes = []
    alike = {}
    for label in classes:
        if isinstance(label, str):
            alike.setdefault(_folded(label), []).append(str(label))
    for labels in alike.values():
        if len(labels) > 1:
            how = "only in case or spaces"
            forms = {unicodedata.normalize("NFC", label) for label in labels}
            if len(forms) < len(labels):
                how = (
                    "only in case, spaces or their Unicode characters (an "
                    "accented letter as one character or as a letter and an "
                    "accent, which look alike)"
                )
            notes.append(
                f"Classes {', '.join(map(repr, labels))} of {target!r} differ "
                f"{how}; they are kept apart as different classes."
            )
    if unlabelled_mask.any():
        hint = (
            ""
            if _marks_missing(unlabelled)
            else " (--unlabelled none if that is a class)"
        )
        notes.append(
            f"{int(unlabelled_mask.sum())} row(s) {_marked_rows(unlabelled)} are "
            "unlabelled: only the semi-supervised methods learn from them, and "
            f"they are never scored{hint}."
        )
    return notes
