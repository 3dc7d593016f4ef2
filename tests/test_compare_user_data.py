"""Tests of ``ltlearn compare`` on the user's own files: how columns are read."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import errno
import os
import re
import sys
import warnings

import joblib
import numpy as np
import pytest

from ltlearn._compare._data import CompareError, _parse_numbers, make_preprocessor
from ltlearn._compare._results import lock_output
from ltlearn._compare._runner import _describe
from ltlearn._compare._user_table import (
    _check_target_column,
    _feature_columns,
    load_table,
)
from ltlearn.cli import main
from tests.test_cli import _compare_args

pd = pytest.importorskip("pandas")


def _frame(n=60):
    rng = np.random.RandomState(0)
    label = np.where(rng.rand(n) < 0.3, "fraud", "ok")
    return pd.DataFrame(
        {
            "amount": rng.normal(100, 20, n) + 40 * (label == "fraud"),
            "shop": rng.choice(["a", "b", "c"], n),
            "label": label,
        }
    )


def _write(tmp_path, frame, name="data.csv", **params):
    path = tmp_path / name
    frame.to_csv(path, index=False, **params)
    return path


def _compare(tmp_path, path, *args):
    data = ["--data", str(path), "--target", "label"]
    return main(_compare_args(tmp_path, *data, *args))


def test_identifier_and_row_number_columns_are_left_out_with_a_note(tmp_path):
    # An ID column was ordinal-encoded and a row number (the index pandas
    # writes) used as a number, and nothing said so.
    frame = _frame()
    frame.insert(0, "tx_id", [f"T{i:04d}" for i in range(len(frame))])
    frame["when"] = pd.date_range("2024-01-01", periods=len(frame), freq="h")
    frame["when"] = frame["when"].astype(str)
    path = tmp_path / "data.csv"
    frame.to_csv(path)  # with the index, read back as "Unnamed: 0"
    dataset = load_table(path, "label")
    assert list(dataset.X.columns) == ["amount", "shop"]
    assert dataset.preprocessing["numeric"] == ["amount"]
    (note,) = dataset.notes
    assert "'Unnamed: 0', 'tx_id', 'when'" in note and "one distinct value" in note


def test_a_file_of_identifiers_only_is_a_clear_error(tmp_path):
    # Every feature left out as an identifier: nothing to fit on.
    labels = ["a", "b"] * 6
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(12)], "label": labels})
    path = _write(tmp_path, frame)
    message = "data.csv has no usable column besides 'label': Not used as feature"
    with pytest.raises(CompareError, match=message):
        load_table(path, "label")


@pytest.mark.parametrize(
    "name, dropped",
    [
        ("customer_id", True),
        ("customerId", True),
        ("ID", True),
        ("index", True),
        ("paid", False),
        ("COVID", False),
    ],
)
def test_distinct_integers_named_as_an_identifier_are_left_out(tmp_path, name, dropped):
    # Random customer numbers, one per row, were used as a number.
    frame = _frame()
    frame[name] = np.random.RandomState(0).permutation(10**6)[: len(frame)]
    dataset = load_table(_write(tmp_path, frame), "label")
    assert (name not in dataset.X.columns) is dropped


@pytest.mark.parametrize("start", [2**60, -(2**62), 2**64 - 200])
def test_distinct_64_bit_identifiers_are_left_out(tmp_path, start):
    # Ids a few apart beyond 2**53 were compared as floats, which rounded
    # them equal: the column was used as a feature, with a note that its
    # values were shared by several rows.
    frame = _frame()
    frame["customer_id"] = [start + 3 * i for i in range(len(frame))]
    path = _write(tmp_path, frame)
    dataset = load_table(path, "label")
    assert "customer_id" not in dataset.X.columns
    assert not any("shared by several rows" in note for note in dataset.notes)


def test_an_infinite_value_among_distinct_whole_numbers_is_named(tmp_path):
    # A column of distinct whole numbers and an infinite value failed with
    # "OverflowError: cannot convert float infinity to integer".
    frame = _frame()
    frame["amount"] = [float(i) for i in range(len(frame) - 1)] + [np.inf]
    path = _write(tmp_path, frame)
    with pytest.raises(CompareError, match="Column 'amount' .* 1 infinite value"):
        load_table(path, "label")


@pytest.mark.parametrize("start", [2015, 60, -4])
def test_distinct_consecutive_numbers_that_are_not_row_numbers_are_kept(
    tmp_path, start
):
    # A file of 10 rows with a year (or weight) column 2015 ... 2024, shuffled
    # or not, lost it as "one distinct value per row".
    frame = _frame(10).assign(label=["fraud", "ok"] * 5)
    frame["year"] = start + np.random.RandomState(0).permutation(10)
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.preprocessing["numeric"] == ["amount", "year"]
    assert dataset.notes == []
    frame["year"] = np.arange(1, 11)  # row numbers counting from 1
    assert "year" not in load_table(_write(tmp_path, frame), "label").X.columns


def test_repeated_categories_and_ordinary_numbers_are_kept(tmp_path):
    frame = _frame()
    frame["count"] = np.arange(len(frame)) % 7  # integers, not row numbers
    frame["city"] = [f"c{i % 25}" for i in range(len(frame))]
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.notes == []
    assert dataset.preprocessing["numeric"] == ["amount", "count"]
    assert dataset.preprocessing["one_hot"] == ["shop"]
    assert dataset.preprocessing["ordinal"] == ["city"]


def test_unlabelled_rows_are_noted(tmp_path):
    # Labels -1/0/1: the -1 rows became unlabelled without a word.
    frame = _frame()
    frame["label"] = np.where(frame["label"] == "fraud", 1, 0)
    frame.loc[:2, "label"] = -1
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.n_unlabelled == 3
    (note,) = dataset.notes
    assert "3 row(s) whose target is '-1' are unlabelled" in note
    assert "--unlabelled none" in note


def test_notes_are_printed_and_in_the_report(tmp_path, capsys):
    frame = _frame()
    frame.insert(0, "tx_id", [f"T{i:04d}" for i in range(len(frame))])
    path = _write(tmp_path, frame)
    model = tmp_path / "model.joblib"
    assert _compare(tmp_path, path, "--save-best", str(model)) == 0
    err = capsys.readouterr().err
    assert "ltlearn compare: note: data: Not used as feature(s): 'tx_id'" in err
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "Not used as feature(s): 'tx_id'" in report
    # The saved model takes the file's columns, the identifier included.
    predicted = joblib.load(model).predict(frame.drop(columns="label"))
    assert set(predicted) <= {"fraud", "ok"}


@pytest.mark.parametrize(
    "name, sep", [("data.csv", ";"), ("data.csv", "\t"), ("data.csv.gz", ";")]
)
def test_semicolon_and_tab_separated_files_are_read(tmp_path, name, sep):
    # They were read as one column: "Target column 'label' is not in data.csv.
    # Its columns are: amount;shop;label."
    path = _write(tmp_path, _frame(), name, sep=sep)
    dataset = load_table(path, "label")
    assert list(dataset.X.columns) == ["amount", "shop"]
    assert dataset.preprocessing["numeric"] == ["amount"]


@pytest.mark.parametrize(
    "name, module, program",
    [("data.csv.xz", "lzma", "unxz"), ("data.csv.bz2", "bz2", "bunzip2")],
)
def test_a_compression_this_python_cannot_read_is_named(
    tmp_path, monkeypatch, name, module, program
):
    # A Python built without liblzma: "ModuleNotFoundError: No module named
    # '_lzma'" was a traceback (bz2 alike).
    path = _write(tmp_path, _frame(), name)
    monkeypatch.setitem(sys.modules, module, None)  # import fails
    message = (
        f"--data {name} is compressed, and this Python cannot read it: its "
        f"{module} module does not import"
    )
    with pytest.raises(CompareError, match=re.escape(message)) as info:
        load_table(path, "label")
    assert str(info.value).endswith(f"({program} {name}) and give the result.")


def test_a_parquet_file_without_pyarrow_is_one_line_naming_it(tmp_path, monkeypatch):
    # pandas' five lines ("Unable to find a usable engine; ...", "Trying to
    # import the above resulted in these errors: ...") were the message.
    path = tmp_path / "data.parquet"
    _frame().to_parquet(path)
    for module in ("pyarrow", "pyarrow.parquet", "fastparquet"):
        monkeypatch.setitem(sys.modules, module, None)  # import fails
    with pytest.raises(CompareError) as info:
        load_table(path, "label")
    message = str(info.value)
    assert message.startswith(
        "Reading data.parquet needs pyarrow: pip install --upgrade pyarrow ("
    )
    assert "\n" not in message


@pytest.mark.parametrize(
    "sep, names",
    [
        # Excel writes "Betrag (EUR, netto)" unquoted in a ';' file: the
        # header was split on the comma ("Target column 'label' is not in").
        (";", ["Betrag (EUR, netto)", "shop", "label"]),
        (",", ["a;b", "shop", "label"]),
        ("|", ["amount", "shop", "label"]),
    ],
)
def test_the_separator_is_the_one_that_splits_every_row_alike(tmp_path, sep, names):
    frame = _frame().set_axis(names, axis=1)
    if sep == ",":
        frame["shop"] = frame["shop"] + ";x"  # a ';' inside the text
    path = _write(tmp_path, frame, sep=sep)
    dataset = load_table(path, "label")
    assert list(dataset.X.columns) == names[:2]
    assert dataset.preprocessing["numeric"] == names[:1]


def test_a_header_line_longer_than_the_csv_field_limit_is_read(tmp_path):
    # A line that a candidate separator does not split is one field longer
    # than the csv module's limit: "_csv.Error: field larger than field limit
    # (131072)", a traceback for a table of some 10,000 numeric columns.
    # Here 1,000 long names make a header line of about 137,000 characters.
    rng = np.random.default_rng(0)
    names = [f"{'probe_set_' * 13}{i:05d}" for i in range(1_000)]
    frame = pd.DataFrame(rng.random((6, len(names))).round(3), columns=names)
    frame["label"] = ["a", "b"] * 3
    path = _write(tmp_path, frame)
    dataset = load_table(path, "label")
    assert list(dataset.X.columns) == names
    assert list(dataset.y) == [0, 1] * 3


def test_the_columns_of_a_wide_table_are_typed_in_linear_time(monkeypatch):
    # 20,000 columns took 34 s: each name was counted over the whole header
    # (looking for repeats), and each column was put back into the frame one at
    # a time, splitting its block of columns, both quadratic in the columns.
    class Header(list):
        calls = 0

        def count(self, value):
            Header.calls += 1
            return super().count(value)

    names = [f"g{i}" for i in range(300)]
    header = Header([*names, "label", "g1"])
    assert _check_target_column("label", [*names, "label"], header, "t.csv") == ["g1"]
    assert Header.calls <= 2
    replaced = []
    setitem = pd.DataFrame.__setitem__
    monkeypatch.setattr(
        pd.DataFrame,
        "__setitem__",
        lambda frame, key, value: replaced.append(key) or setitem(frame, key, value),
    )
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((8, 300)).astype(np.float32), columns=names)
    X["flag"], X["shop"] = [True, False] * 4, list("abcabcab")
    replaced.clear()
    X_typed, numeric, _, categorical, _ = _feature_columns(X, "t.csv")
    assert len(replaced) <= 1
    assert numeric == [*names, "flag"] and categorical == {"shop": 3}
    assert list(X_typed.columns) == list(X.columns)
    assert (X_typed.dtypes[numeric] == np.float64).all()
    np.testing.assert_array_equal(X_typed[names], X[names])
    assert X["flag"].dtype == bool  # the caller's frame is left as it was


def test_the_preprocessing_selects_the_columns_of_a_wide_table_by_position(
    monkeypatch,
):
    # Each fit looked up every column name with list.index in scikit-learn's
    # ColumnTransformer, quadratic in the columns: 6 s a fit at 20,000.
    from sklearn.compose import ColumnTransformer, _column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    keys = []
    find = _column_transformer._get_column_indices
    monkeypatch.setattr(
        _column_transformer,
        "_get_column_indices",
        lambda X, key: keys.append(key) or find(X, key),
    )
    names = [f"g{i}" for i in range(300)]
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((8, 300)), columns=names)
    X["shop"] = list("abcabcab")
    spec = {"kind": "columns", "numeric": names, "one_hot": ["shop"], "ordinal": []}
    [(_, encode)] = make_preprocessor(spec)
    Xt = encode.fit_transform(X)
    assert keys and all(isinstance(k, int) for key in keys for k in key)
    by_name = ColumnTransformer(
        [
            ("numeric", make_pipeline(StandardScaler()), names),
            ("one_hot", OneHotEncoder(sparse_output=False), ["shop"]),
        ]
    )
    np.testing.assert_array_equal(Xt, by_name.fit_transform(X))
    # a fitted one still selects a frame's columns by name
    np.testing.assert_array_equal(encode.transform(X.iloc[:, ::-1]), Xt)
    assert list(encode.get_feature_names_out()[:2]) == ["numeric__g0", "numeric__g1"]
    # the recipe fingerprint still names the columns, as with the list of names
    assert "['g0', 'g1'," in _describe(encode) and "'g299']]" in _describe(encode)
    swapped = {**spec, "numeric": names[1:], "one_hot": ["g0"]}
    assert _describe(make_preprocessor(swapped)[0][1]) != _describe(encode)


def test_a_repeated_target_after_a_name_with_a_line_break_is_refused(tmp_path):
    # The header was its first line only: 'a', 'b' (then 'c", label, label').
    path = tmp_path / "data.csv"
    path.write_text('a,"b\nc",label,label\n' + "1,x,p,p\n2,y,q,q\n" * 3)
    with pytest.raises(CompareError, match="Column 'label' appears 2 times"):
        load_table(path, "label")


def test_a_ragged_semicolon_file_is_named_a_csv_file(tmp_path):
    # It was "not a well-formed TSV file".
    path = tmp_path / "data.csv"
    path.write_text("a;b;label\n1;2;x\n3;4;y;5\n1;2;x\n")
    with pytest.raises(CompareError, match="not a well-formed CSV file: .* line 3"):
        load_table(path, "label")


def test_a_repeated_target_column_is_refused(tmp_path):
    # The copy "label.1" was a feature holding the target: 0.997 balanced
    # accuracy, without a word.
    frame = _frame()
    frame["copy"] = frame["label"]
    path = _write(
        tmp_path, frame.set_axis(["amount", "shop", "label", "label"], axis=1)
    )
    with pytest.raises(CompareError, match="Column 'label' appears 2 times"):
        load_table(path, "label")


def test_a_repeated_feature_name_is_noted(tmp_path):
    frame = _frame()
    frame.insert(1, "copy", frame["amount"] * 2)
    path = _write(
        tmp_path, frame.set_axis(["amount", "amount", "shop", "label"], axis=1)
    )
    dataset = load_table(path, "label")
    assert list(dataset.X.columns) == ["amount", "amount.1", "shop"]
    assert "'amount' appear more than once" in dataset.notes[0]
    assert dataset.notes[0].endswith("the repeats are read as 'amount.1'.")


def test_the_note_on_repeated_names_gives_the_names_pandas_read(tmp_path):
    # It said "read as NAME.1, NAME.2, ...", but pandas read the second 'a'
    # as 'a.2' (the file has its own 'a.1') and empty names as 'Unnamed: N'.
    path = tmp_path / "data.csv"
    rows = "".join(f"{i},{i % 3},{i % 5},{i % 7},{'xy'[i % 2]}\n" for i in range(12))
    path.write_text(",a,a,a.1,label\n" + rows)
    dataset = load_table(path, "label")
    assert dataset.notes[0] == (
        "Column name(s) 'a' appear more than once in the header; the repeats "
        "are read as 'a.2'."
    )
    path.write_text(",a,,a.1,label\n" + rows)
    assert load_table(path, "label").notes[0] == (
        "Column name(s) '' appear more than once in the header; the repeats "
        "are read as 'Unnamed: 2'."
    )


def test_the_note_on_many_repeated_names_is_short(tmp_path):
    # Every repeated name was listed: a note of 12,000 characters for 1,000
    # gene names written twice, in the console and report.md.
    names = [f"gene_{i}" for i in range(300)] * 2
    frame = pd.DataFrame(np.zeros((4, 600)), columns=names)
    frame["label"] = ["x", "y"] * 2
    note = load_table(_write(tmp_path, frame), "label").notes[0]
    assert note == (
        f"Column name(s) {', '.join(map(repr, names[:10]))}, ... (300 in all) "
        "appear more than once in the header; the repeats are read as "
        f"{', '.join(repr(f'{name}.1') for name in names[:10])}, ... (300 in all)."
    )


def test_a_missing_target_lists_at_most_fifty_columns(tmp_path):
    frame = pd.DataFrame(np.zeros((3, 200)), columns=[f"f{i}" for i in range(200)])
    frame["label"] = [0, 1, 0]
    with pytest.raises(CompareError, match=r"f48, f49, \.\.\. \(201 columns\)\.$"):
        load_table(_write(tmp_path, frame), "labl")


def _amounts_as_text(frame):
    frame = frame.astype({"amount": object})
    frame["amount"] = [f"{1000 * v:,.2f}" for v in frame["amount"]]
    frame.loc[[3, 7], "amount"] = "?"
    return frame


def test_numbers_written_as_text_are_numbers_with_a_note(tmp_path):
    # "1,234.50" (quoted in the CSV) and "?" made the column text, which was
    # one-hot or ordinal encoded without a word.
    path = _write(tmp_path, _amounts_as_text(_frame()))
    dataset = load_table(path, "label")
    assert dataset.preprocessing["numeric"] == []
    assert dataset.preprocessing["numeric_text"] == ["amount"]
    assert dataset.preprocessing["one_hot"] == ["shop"]
    (note,) = dataset.notes
    assert note == (
        "Numbers written as text, parsed into numbers: 'amount' (thousands "
        "separated by commas, e.g. '82,090.67'; '?' read as missing)."
    )


def test_percentages_are_numbers(tmp_path):
    # "12.5%" made the column text: distinct on each row of a small file, it
    # was dropped as an identifier; else ordinal-encoded as "100%" < "9%".
    frame = _frame(12).assign(label=["fraud", "ok"] * 6)
    rates = np.random.RandomState(0).uniform(0, 100, 12).round(1)
    frame["rate"] = [f"{v}%" for v in rates]
    frame.loc[3, "rate"] = "n/a"
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.preprocessing["numeric_text"] == ["rate"]
    (note,) = dataset.notes
    assert f"percentages as fractions, e.g. '{rates[0]}%'" in note
    expected = np.where(np.arange(12) == 3, np.nan, rates / 100)
    parsed = _parse_numbers(dataset.X[["rate"]])[:, 0]
    np.testing.assert_allclose(parsed, expected)


def test_numbers_as_text_in_an_object_column_are_read_without_warning(
    pandas_infer_string,
):
    # A saved model reads each new batch of Python strings ("12%"): with pandas
    # 2.1 to 2.3 under future.infer_string, each batch gave pandas'
    # FutureWarning "Dtype inference on a pandas object ... is deprecated".
    X = pd.DataFrame({"rate": pd.Series(["12%", "7", "12%", None], dtype=object)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = _parse_numbers(X)[:, 0]
    np.testing.assert_allclose(parsed, [0.12, 7.0, 0.12, np.nan])


def test_a_model_is_saved_for_labels_that_are_fractional_numbers(tmp_path):
    # The comparison fits label codes, but --save-best refitted the recipe on
    # the labels 0.5 and 1.5, which scikit-learn reads as a regression target:
    # a traceback ("Unknown label type: continuous") and no model saved.
    frame = _frame()
    frame["label"] = np.where(frame["label"] == "fraud", 0.5, 1.5)
    model = tmp_path / "model.joblib"
    assert _compare(tmp_path, _write(tmp_path, frame), "--save-best", str(model)) == 0
    model = joblib.load(model)
    np.testing.assert_array_equal(model.classes_, [0.5, 1.5])
    predicted = model.predict(frame.drop(columns="label"))
    assert set(predicted) == {0.5, 1.5}
    assert np.mean(predicted == frame["label"]) > 0.7


def test_a_saved_model_parses_numbers_written_as_text(tmp_path):
    frame = _amounts_as_text(_frame())
    model = tmp_path / "model.joblib"
    assert _compare(tmp_path, _write(tmp_path, frame), "--save-best", str(model)) == 0
    model = joblib.load(model)
    new = frame.drop(columns="label")
    as_numbers = new.assign(amount=_frame()["amount"] * 1000)
    np.testing.assert_array_equal(model.predict(new), model.predict(as_numbers))
    # A batch where the column is empty (pandas reads it as float NaN) failed
    # with "Can only use .str accessor with string values".
    empty = new.iloc[:2].assign(amount=np.nan)
    np.testing.assert_array_equal(
        model.predict(empty), model.predict(empty.assign(amount="?"))
    )
    with pytest.raises(ValueError, match=r"'amount' .* '1O0' \(row 2"):
        model.predict(new.assign(amount=["5", "6", "1O0", *new["amount"][3:]]))


def test_a_saved_model_parses_text_in_a_column_of_numbers(tmp_path):
    # A new batch with "?" or "1,234" in a column of numbers of the file is
    # read by pandas as text: the saved model failed with scikit-learn's
    # "Cannot use median strategy with non-numeric data", no column named.
    from ltlearn.recipes._registry import RECIPES

    frame = _frame().assign(flag=lambda frame: frame["amount"] > 110)
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.preprocessing["numeric"] == ["amount", "flag"]
    context = dataset.context("balanced_accuracy")
    model = RECIPES["plain"].pipeline(0, context, dataset.preprocessing)
    model.fit(dataset.X, dataset.y)
    rows = dataset.X.iloc[:3]
    as_text = rows.assign(amount=["?", "1,234.5", "98.25"])
    as_numbers = rows.assign(amount=[np.nan, 1234.5, 98.25])
    np.testing.assert_array_equal(
        model.predict_proba(as_text), model.predict_proba(as_numbers)
    )
    # booleans beside an empty cell, which pandas reads as objects, as before
    flags = rows.assign(flag=np.array([True, np.nan, False], dtype=object))
    np.testing.assert_array_equal(
        model.predict_proba(flags),
        model.predict_proba(rows.assign(flag=[1.0, np.nan, 0.0])),
    )
    with pytest.raises(ValueError, match=r"'amount' .* '1O0' \(row 1"):
        model.predict(rows.assign(amount=["5", "1O0", "7"]))


@pytest.mark.parametrize(
    "cells, match",
    [
        (
            ["12..5", "1O0"],
            r"'amount' of data.csv holds numbers, but 2 cell\(s\) are not "
            r"\('12..5' on row 0, '1O0' on row 1",
        ),
        (None, r"'amount' of data.csv holds numbers with a decimal comma \('"),
        # "0,125" was read as 125 with thousands separated by commas.
        (
            [f"0,{i:03d}" for i in range(100, 160)],
            r"'amount' of data.csv holds numbers with a decimal comma \('0,100'",
        ),
    ],
)
def test_numbers_with_typos_are_a_clear_error(tmp_path, cells, match):
    frame = _frame().astype({"amount": object})
    if cells is None:
        frame["amount"] = [f"{v:.1f}".replace(".", ",") for v in _frame()["amount"]]
    else:
        frame.loc[: len(cells) - 1, "amount"] = cells
    with pytest.raises(CompareError, match=match):
        load_table(_write(tmp_path, frame, sep=";"), "label")


@pytest.mark.parametrize("cell", ["\u0661\u0662", "\uff11\uff12"])
def test_digits_other_than_ascii_are_not_numbers(tmp_path, cell):
    # pandas reads "١٢" or "１２" as text, not as 12: such a cell among numbers
    # written as text was taken for a number and became NaN, imputed as if
    # missing, where any other text is named as an error.
    with pytest.raises(ValueError, match=rf"'amount' .* '{cell}' \(row 1"):
        _parse_numbers(pd.DataFrame({"amount": ["1,234.5", cell, "7"]}))
    frame = _amounts_as_text(_frame())
    frame.loc[1, "amount"] = cell
    with pytest.raises(CompareError, match=rf"not \('{cell}' on row 1"):
        load_table(_write(tmp_path, frame), "label")


def test_a_column_of_digits_other_than_ascii_is_categories(tmp_path):
    # pandas reads a column of "١٢"-like cells as text: it was taken for
    # numbers written as text, every cell NaN, with a note that it was parsed.
    arabic = str.maketrans("0123456789", "".join(map(chr, range(0x660, 0x66A))))
    frame = _frame()
    frame["amount"] = [str(10 + i % 25).translate(arabic) for i in range(len(frame))]
    dataset = load_table(_write(tmp_path, frame), "label")
    assert "numeric_text" not in dataset.preprocessing
    assert "amount" in dataset.preprocessing["ordinal"]
    assert not any("parsed into numbers" in note for note in dataset.notes)


def test_text_with_a_few_numbers_stays_categorical(tmp_path):
    frame = _frame()
    frame.loc[:9, "shop"] = [str(i) for i in range(10)]
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.preprocessing["one_hot"] == ["shop"]
    assert dataset.notes == []


@pytest.mark.parametrize("marker", ["missing", "NA", ""])
def test_rows_without_a_target_are_unlabelled_on_request(tmp_path, marker):
    # Empty target cells could not be used as unlabelled rows: the error asked
    # to mark them with -1 in the file.
    frame = _frame().astype({"label": object})
    frame.loc[::3, "label"] = np.nan
    path = _write(tmp_path, frame)
    with pytest.raises(CompareError, match="pass --unlabelled missing"):
        load_table(path, "label")
    dataset = load_table(path, "label", unlabelled=marker)
    assert dataset.n_unlabelled == 20
    assert list(dataset.classes) == ["fraud", "ok"]
    assert "20 row(s) without a target are unlabelled" in dataset.notes[0]


@pytest.mark.parametrize("name", ["data.parquet", "data.csv"])
def test_a_nullable_integer_target_with_missing_values(tmp_path, name):
    # From Parquet, an Int64 target with missing values failed with "TypeError:
    # boolean value of NA is ambiguous" (pandas' NA in the unlabelled mask).
    pytest.importorskip("pyarrow")
    frame = _frame()
    frame["label"] = pd.array((frame["label"] == "fraud").astype(int), dtype="Int64")
    frame.loc[::3, "label"] = pd.NA
    frame.loc[1, "label"] = -1
    path = tmp_path / name
    frame.to_parquet(path) if name.endswith("parquet") else frame.to_csv(path)
    with pytest.raises(CompareError, match="has 20 missing value"):
        load_table(path, "label")
    dataset = load_table(path, "label", unlabelled="missing")
    assert dataset.n_unlabelled == 20
    assert np.count_nonzero(dataset.y == -1) == 20
    assert len(dataset.classes) == 3  # -1 is a label when missing cells mark rows


def test_a_second_run_into_the_same_output_at_once_is_refused(tmp_path, capsys):
    # Two runs at once both fitted every fold and wrote the report over each
    # other.
    path = _write(tmp_path, _frame())
    with lock_output(tmp_path / "out"):
        assert _compare(tmp_path, path) == 2
    assert "Another ltlearn compare is running in" in capsys.readouterr().err
    assert not (tmp_path / "out" / "results.csv").exists()
    assert _compare(tmp_path, path) == 0


def test_a_lock_file_removed_before_it_is_held_is_opened_again(tmp_path, monkeypatch):
    # A refused run removes the lock file it made: a run that had opened that
    # file held a lock no later run could see, and both ran in one directory.
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    lock = out / ".lock"
    lock.touch()
    flock = fcntl.flock

    def removed_first(fd, operation):
        if lock.exists() and not removed:
            lock.unlink()
            removed.append(fd)
        return flock(fd, operation)

    removed = []
    monkeypatch.setattr(fcntl, "flock", removed_first)
    with lock_output(out):
        assert removed and lock.exists()
        with pytest.raises(CompareError, match="Another ltlearn compare"):
            with lock_output(out):
                pass


def test_a_lock_file_whose_stat_and_fstat_disagree_is_taken(tmp_path, monkeypatch):
    # A file system whose stat and fstat of one file disagree must not make
    # the run open the lock file again forever.
    monkeypatch.setattr(os.path, "samestat", lambda a, b: False)
    with lock_output(tmp_path / "out"):
        assert (tmp_path / "out" / ".lock").exists()


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_an_output_that_cannot_be_locked_runs_with_a_warning(
    tmp_path, monkeypatch, capsys, code
):
    # A file system without flock (some NFS mounts) ended the run with a
    # traceback: OSError: [Errno 37] No locks available.
    import fcntl

    def refuse(*args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", refuse)
    assert _compare(tmp_path, _write(tmp_path, _frame())) == 0
    err = capsys.readouterr().err
    assert "warning: --output" in err and "cannot lock it" in err
    assert "Traceback" not in err
    assert (tmp_path / "out" / "results.csv").is_file()


@pytest.mark.parametrize(
    "error, status", [(KeyboardInterrupt, 130), (CompareError("bad"), 2)]
)
def test_the_output_is_unlocked_after_an_interrupt_or_an_error(
    tmp_path, monkeypatch, error, status
):
    from ltlearn._compare import _cli

    def stop(*args, **kwargs):
        with pytest.raises(CompareError, match="Another ltlearn compare"):
            with lock_output(tmp_path / "new" / "out"):
                pass
        raise error

    monkeypatch.setattr(_cli, "run_comparison", stop)
    path = _write(tmp_path, _frame())
    # An --output that does not exist yet is created, and locked, before the fits.
    assert (
        main(_compare_args(tmp_path / "new", "--data", str(path), "--target", "label"))
        == status
    )
    with lock_output(tmp_path / "new" / "out"):
        pass


def test_results_of_another_reading_of_the_columns_are_not_reused(
    tmp_path, monkeypatch
):
    # The same file read another way (a column parsed into numbers where it
    # was encoded as categories) reused the rows of the old reading.
    from ltlearn._compare import _data
    from ltlearn._compare._runner import run_comparison
    from ltlearn.recipes._registry import resolve_methods

    frame = _frame()
    frame["city"] = [f"c{i % 25}" for i in range(len(frame))]
    path = _write(tmp_path, frame)
    recipes, _ = resolve_methods(["plain"])

    def run():
        dataset = load_table(path, "label")
        params = {"cv": 2, "output": tmp_path / "out", "progress": False}
        return dataset, run_comparison([dataset], recipes, **params)

    before, first = run()
    assert first.n_reused == 0 and before.preprocessing["ordinal"] == ["city"]
    assert run()[1].n_reused == 2
    monkeypatch.setattr(_data, "_MAX_ONE_HOT", 30)
    after, second = run()
    assert after.preprocessing["one_hot"] == ["shop", "city"]
    assert second.n_reused == 0


def test_a_saved_model_takes_categories_that_pandas_reads_as_numbers(tmp_path):
    # A new batch whose codes are all digits ("7", "8") is read as integers:
    # the saved model failed with "ufunc 'isnan' not supported".
    frame = _frame()
    frame["code"] = np.array(["a", "b", "7", "8"])[np.arange(len(frame)) % 4]
    model = tmp_path / "model.joblib"
    path = _write(tmp_path, frame)
    assert _compare(tmp_path, path, "--save-best", str(model)) == 0
    model = joblib.load(model)
    rows = frame.drop(columns="label").iloc[[2, 3, 6, 7]]
    new = rows.assign(code=rows["code"].astype(int))
    np.testing.assert_array_equal(model.predict(new), model.predict(rows))
    with_missing = rows.assign(code=[7.0, 8.0, np.nan, 8.0])
    assert model.predict(with_missing).shape == (4,)


@pytest.mark.parametrize("method", ["plain", "smote"])
def test_codes_read_as_numbers_are_the_categories_of_the_file(tmp_path, method):
    # The file's codes "01", "02" beside "x" are text; a new batch of only
    # digit codes is read as 1, 2, which were ignored as unseen categories:
    # a row's prediction depended on the other rows of its batch.
    from ltlearn.recipes._registry import RECIPES

    frame = _frame()
    code = np.array(["01", "02", "x", "1.50"])[np.arange(len(frame)) % 4]
    frame["code"] = np.where(frame["label"] == "fraud", "01", code)
    dataset = load_table(_write(tmp_path, frame), "label")
    recipe = RECIPES[method]
    context = dataset.context("balanced_accuracy")
    model = recipe.pipeline(0, context, dataset.preprocessing)
    model.fit(dataset.X, dataset.y)
    rows = dataset.X.iloc[:8]
    batch = tmp_path / "batch.csv"
    numbers = rows[rows["code"] != "x"]
    numbers.to_csv(batch, index=False)
    read = pd.read_csv(batch)
    assert read["code"].dtype.kind == "f"  # 1, 2 and 1.5, not the text
    np.testing.assert_array_equal(
        model.predict_proba(read), model.predict_proba(numbers)
    )
    # a code of the file stays as it is; another number is still unseen
    one = model[:-1].transform(rows.assign(code=["1", "01", "2.0", "3"] * 2))
    seen = model[:-1].transform(rows.assign(code=["01", "01", "02", "x"] * 2))
    np.testing.assert_array_equal(one[:3], seen[:3])
    assert not np.array_equal(one[3], seen[3])


def test_boolean_codes_read_by_pandas_are_the_categories_of_the_file(tmp_path):
    # The file's codes "true", "false" beside "unknown" are text; a new batch
    # of only "true" and "false" is read as booleans, which were written
    # "True" and ignored as unseen categories.
    from ltlearn.recipes._registry import RECIPES

    frame = _frame()
    code = np.array(["true", "false", "unknown"])[np.arange(len(frame)) % 3]
    frame["verified"] = np.where(frame["label"] == "fraud", "true", code)
    dataset = load_table(_write(tmp_path, frame), "label")
    context = dataset.context("balanced_accuracy")
    model = RECIPES["plain"].pipeline(0, context, dataset.preprocessing)
    model.fit(dataset.X, dataset.y)
    rows = dataset.X.iloc[:9]
    booleans = rows[rows["verified"] != "unknown"]
    batch = tmp_path / "batch.csv"
    booleans.to_csv(batch, index=False)
    read = pd.read_csv(batch)
    assert read["verified"].dtype == bool
    np.testing.assert_array_equal(
        model.predict_proba(read), model.predict_proba(booleans)
    )


def test_categories_are_matched_only_to_what_pandas_reads_as_numbers():
    # A cell is matched to the category of the file that reads as the same
    # number only where pandas reads it as a number: "١٢", "１２" and
    # "12\xa0" stay text in a CSV cell, as does " true", but were matched to
    # the categories "12" and "true", other categories of the file.
    from ltlearn._compare._text_categories import _CategoriesAsText

    step = _CategoriesAsText().fit(pd.DataFrame({"code": ["12", "true", "x"]}))
    text = ["\u0661\u0662", "\uff11\uff12", "12\xa0", " true"]
    out = step.transform(pd.DataFrame({"code": text + ["012", " 12\t", "TRUE"]}))
    assert out[:, 0].tolist() == text + ["12", "12", "true"]


def test_categories_beyond_the_floats_are_not_matched_to_each_other():
    # "1e999" and "2e999" both read as infinity: neither is the other's
    # category.
    from ltlearn._compare._text_categories import _CategoriesAsText

    step = _CategoriesAsText().fit(pd.DataFrame({"code": ["1e999", "x"]}))
    out = step.transform(pd.DataFrame({"code": ["2e999", "1e999"]}))
    assert out[:, 0].tolist() == ["2e999", "1e999"]


def test_categories_as_text_of_text_and_of_numbers():
    from ltlearn._compare._data import _categories_as_text

    X = pd.DataFrame(
        {"text": ["x", None, np.nan, "7"], "codes": [7, 8.0, np.nan, 1.5]},
        dtype=object,
    )
    expected = [["x", "7"], [np.nan, "8"], [np.nan, np.nan], ["7", "1.5"]]
    out = _categories_as_text(X)
    assert out.dtype == object
    assert pd.DataFrame(out).equals(pd.DataFrame(np.array(expected, dtype=object)))


@pytest.mark.parametrize("dtype", [object, "string", "category", "float64"])
def test_repeated_cells_are_read_alike_and_missing_ones_stay_missing(dtype):
    # Columns are read once per distinct cell, then mapped back to the rows.
    from ltlearn._compare._data import _categories_as_text, _read_numbers

    if dtype == "float64":
        cells = [7.0, np.nan, -0.0, 1.5, 7.0, np.nan]
        numbers = [7.0, np.nan, -0.0, 1.5, 7.0, np.nan]
        wrong = [False] * 6
        text = ["7", np.nan, "0", "1.5", "7", np.nan]
    else:
        cells = [" 1,234 ", "?", "12%", "x", " 1,234 ", None, "-0", "(5)"]
        numbers = [1234, np.nan, 0.12, np.nan, 1234, np.nan, -0.0, np.nan]
        wrong = [False, False, False, True, False, False, False, True]
        text = [*cells[:5], np.nan, *cells[6:]]
    missing = [cell is None or cell == "?" or cell != cell for cell in cells]
    column = pd.Series(cells * 3, dtype=dtype)
    read = _read_numbers(column)
    np.testing.assert_array_equal(read[0], np.tile(numbers, 3))
    # "-0" is -0.0 as pandas.to_numeric reads it beside a missing cell
    np.testing.assert_array_equal(np.signbit(read[0]), np.signbit(np.tile(numbers, 3)))
    assert read[1].tolist() == missing * 3 and read[2].tolist() == wrong * 3
    out = _categories_as_text(column.to_frame())[:, 0]
    assert [repr(v) for v in out] == [repr(v) for v in text * 3]


def test_cells_that_hash_alike_but_read_differently_are_kept_apart():
    # 1, 1.0 and True are one key to a hash table; as categories they are
    # "1", "1" and "True", as numbers 1.0 and "True" is not one.
    from ltlearn._compare._data import _categories_as_text, _read_numbers

    column = pd.Series([1, 1.0, True, "1", None, -0.0, 0], dtype=object)
    text = _categories_as_text(column.to_frame())[:, 0]
    assert [repr(v) for v in text] == [
        "'1'",
        "'1'",
        "'True'",
        "'1'",
        "nan",
        "'0'",
        "'0'",
    ]
    numbers, missing, wrong = _read_numbers(column)
    np.testing.assert_array_equal(numbers, [1, 1, np.nan, 1, np.nan, -0.0, 0])
    assert np.signbit(numbers[5])
    assert wrong.tolist() == [False, False, True, False, False, False, False]
    assert missing.tolist() == [False, False, False, False, True, False, False]


def test_classes_that_differ_only_in_case_or_spaces_are_noted(tmp_path):
    frame = _frame()
    frame.loc[:9, "label"] = "Fraud "
    dataset = load_table(_write(tmp_path, frame), "label")
    assert list(dataset.classes) == ["Fraud ", "fraud", "ok"]
    (note,) = dataset.notes
    assert "Classes 'Fraud ', 'fraud' of 'label' differ only in case" in note


def test_classes_that_differ_only_in_unicode_form_are_noted(tmp_path):
    # "café" as one character or as "e" and an accent: two classes that look
    # the same, kept apart without a note.
    frame = _frame()
    frame["label"] = np.where(frame["label"] == "ok", "cafe\u0301", "caf\u00e9")
    frame.loc[:9, "label"] = "tea"
    dataset = load_table(_write(tmp_path, frame), "label")
    assert list(dataset.classes) == ["cafe\u0301", "caf\u00e9", "tea"]
    (note,) = dataset.notes
    assert "differ only in case, spaces or their Unicode characters" in note


@pytest.mark.parametrize("name", ["data.csv", "data.csv.gz"])
def test_integer_codes_that_read_as_one_number_are_kept_apart(tmp_path, name):
    # Product or diagnosis codes "0101", "101" and "00101" were read as the
    # number 101: three classes merged into one, silently (the saved model
    # predicted 101 for each).
    frame = _frame()
    codes = np.array(["0101", "101", "00101", "007", "-1"])
    frame["label"] = codes[np.arange(len(frame)) % 5]
    dataset = load_table(_write(tmp_path, frame, name), "label")
    assert list(dataset.classes) == ["00101", "007", "0101", "101"]
    assert np.bincount(dataset.y[dataset.y >= 0]).tolist() == [12, 12, 12, 12]
    assert (dataset.y == -1).sum() == 12  # "-1" still marks the unlabelled rows
    note = dataset.notes[-1]
    assert "Codes of 'label' that read as the same number ('00101', '0101', " in note


@pytest.mark.parametrize(
    "column, cells, shown",
    [
        ("label", lambda label: [["Aves", text] for text in label], "lists"),
        ("label", lambda label: [{"genus": text} for text in label], "structs"),
        ("path", lambda label: [[text, "x"] for text in label], "lists"),
    ],
)
def test_a_parquet_column_of_lists_or_structs_is_one_line(
    tmp_path, column, cells, shown
):
    # A taxonomy path stored as a list failed with a traceback, in pandas'
    # words: "unhashable type: 'numpy.ndarray'" for the target, "The truth
    # value of an array with more than one element is ambiguous" for a feature.
    pytest.importorskip("pyarrow")
    frame = _frame()
    frame[column] = cells(frame["label"])
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    message = f"--data data.parquet: column '{column}' holds {shown} (row 0, "
    with pytest.raises(CompareError, match=re.escape(message)):
        load_table(path, "label")


def test_a_parquet_column_of_number_lists_shows_plain_numbers(tmp_path):
    # pyarrow gives each list as a NumPy array: the row was shown as
    # "[np.int64(3), np.int64(17)]".
    pytest.importorskip("pyarrow")
    frame = _frame()
    frame["path"] = [[3, 17]] * len(frame)
    frame.to_parquet(tmp_path / "data.parquet")
    with pytest.raises(CompareError, match=re.escape("counting from 0: [3, 17])")):
        load_table(tmp_path / "data.parquet", "label")


def test_integer_codes_that_read_as_one_number_with_empty_targets(tmp_path):
    # With --unlabelled missing the column is read as floats: 101.0 for
    # " 101" and "0101" alike, and the empty cells stay unlabelled.
    frame = _frame()
    codes = np.array(["0101", " 101", "", "00101", "7"])
    frame["label"] = codes[np.arange(len(frame)) % 5]
    dataset = load_table(_write(tmp_path, frame), "label", unlabelled="missing")
    assert list(dataset.classes) == ["00101", "0101", "101", "7"]
    assert np.bincount(dataset.y + 1).tolist() == [12, 12, 12, 12, 12]
    assert "('00101', '0101', '101')" in dataset.notes[-1]


def test_integer_codes_read_as_numbers_are_unchanged(tmp_path):
    frame = _frame()
    frame["label"] = np.array(["007", "101", "12"])[np.arange(len(frame)) % 3]
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.classes.tolist() == [7, 12, 101]
    assert not any("Codes of" in note for note in dataset.notes)


def test_an_identifier_given_as_the_target_is_a_clear_error(tmp_path):
    # It said "Class 'T0000' ... has 1 labelled row(s) ... Lower --cv".
    frame = _frame()
    frame["tx_id"] = [f"T{i:04d}" for i in range(len(frame))]
    path = _write(tmp_path, frame)
    with pytest.raises(CompareError, match="a different value on each of its 60"):
        load_table(path, "tx_id")


def test_a_class_of_one_row_asks_to_drop_it_not_to_lower_cv(tmp_path):
    from ltlearn._compare._data import check_folds

    frame = _frame()
    frame.loc[0, "label"] = "rare"
    dataset = load_table(_write(tmp_path, frame), "label")
    with pytest.raises(CompareError, match="'rare' .* 1 labelled row.*drop or relabel"):
        check_folds(dataset, 2)


def test_a_class_of_two_rows_fills_two_folds_and_asks_to_lower_cv(tmp_path):
    from ltlearn._compare._data import check_folds

    frame = _frame()
    frame.loc[[0, 1], "label"] = "pair"
    dataset = load_table(_write(tmp_path, frame), "label")
    check_folds(dataset, 2)
    with pytest.raises(CompareError, match="'pair' .* 2 labelled row.*Lower --cv"):
        check_folds(dataset, 3)


def test_every_class_too_small_for_the_folds_is_listed_smallest_first(tmp_path):
    # Only the first class in sorted order was named: "Class 'a_pair' ... has
    # 2 labelled row(s) ... Lower --cv.", which cannot mend the class of one
    # row, and a table of many tiny classes took a rerun per class.
    from ltlearn._compare._data import check_folds

    frame = _frame()
    frame.loc[[0, 1], "label"] = "a_pair"
    frame.loc[2, "label"] = "z_single"
    dataset = load_table(_write(tmp_path, frame), "label")
    with pytest.raises(CompareError) as error:
        check_folds(dataset, 3)
    message = str(error.value)
    assert message.startswith("Class 'z_single' of target column 'label'")
    assert "drop or relabel" in message and "Lower --cv" not in message
    assert message.endswith(
        "2 classes have fewer than 3 labelled rows: 'z_single' (1), 'a_pair' (2)."
    )


def test_many_columns_make_one_short_note(tmp_path):
    frame = pd.DataFrame({f"f{i}": ["1", "2", "?", "4"] * 5 for i in range(30)})
    frame["label"] = ["a", "b"] * 10
    (note,) = load_table(_write(tmp_path, frame), "label").notes
    assert note.startswith("Numbers written as text, parsed into numbers: 'f0' (")
    assert note.endswith("'f9' ('?' read as missing), ... (30 in all).")


def test_a_damaged_results_file_is_one_warning_line(tmp_path, capsys):
    # Python's format showed the path of the module and its source line.
    path = _write(tmp_path, _frame())
    assert _compare(tmp_path, path) == 0
    results = tmp_path / "out" / "results.csv"
    results.write_bytes(results.read_bytes()[:-20])
    capsys.readouterr()
    assert _compare(tmp_path, path) == 0
    (line,) = [
        line for line in capsys.readouterr().err.splitlines() if "damaged" in line
    ]
    assert line.startswith("ltlearn compare: warning: ") and ".py" not in line
    assert "dropped 1 damaged or incomplete line(s) (line 5)" in line


def test_dates_read_as_categories_are_noted(tmp_path):
    frame = _frame()
    frame["day"] = [f"2024-03-{1 + i % 12:02d}" for i in range(len(frame))]
    frame.loc[0, "day"] = None  # a missing cell is not one more date
    frame["stamp"] = pd.Timestamp("2024-03-01") + pd.to_timedelta(
        np.arange(len(frame)) % 30, unit="h"
    )
    dataset = load_table(_write(tmp_path, frame), "label")
    assert dataset.preprocessing["one_hot"] == ["shop", "day"]
    assert dataset.preprocessing["ordinal"] == ["stamp"]
    (note,) = dataset.notes
    assert note.startswith("Dates read as categories: 'day' (12 dates), 'stamp' (30")


def test_a_file_name_with_a_line_break_is_reused_and_keeps_the_tables_whole(
    tmp_path, capsys
):
    # results.csv holds the name on one line: the rerun did not find its
    # rows, refitted everything and appended them again; and the Markdown
    # tables of the data sets broke at the line break.
    path = _write(tmp_path, _frame(), name="churn\nq3 | é.csv")
    assert _compare(tmp_path, path) == 0
    capsys.readouterr()
    assert _compare(tmp_path, path) == 0
    assert "0 fits run in 0 s, 4 reused" in capsys.readouterr().out
    out = tmp_path / "out"
    rows = pd.read_csv(out / "results.csv")
    assert len(rows) == 4
    assert set(rows["dataset"]) == {"churn q3 | é"}
    report = (out / "report.md").read_text(encoding="utf-8")
    # the table of scores and that of the data sets, each row on one line
    table_rows = [line for line in report.splitlines() if line.startswith("| churn")]
    assert len(table_rows) == 2
    assert all(row.endswith(" |") and "q3 \\| é" in row for row in table_rows)


@pytest.mark.parametrize(
    "write, message",
    [
        (
            lambda frame, path: frame.to_parquet(path),
            "data.csv is a Parquet file, not text: name it .parquet.",
        ),
        (
            lambda frame, path: frame.to_csv(path, compression="zip"),
            "data.csv is a zip archive (an Excel workbook?), not text",
        ),
        (
            lambda frame, path: frame.to_csv(path, compression="gzip"),
            "data.csv is gzip-compressed, not text: name it .csv.gz.",
        ),
    ],
)
def test_a_binary_file_named_csv_is_named_for_what_it_is(tmp_path, write, message):
    # "is not UTF-8 text (byte 0xc0 on line 1); save it as UTF-8".
    if "Parquet" in message:
        pytest.importorskip("pyarrow")
    path = tmp_path / "data.csv"
    write(_frame(), path)
    with pytest.raises(CompareError) as info:
        load_table(path, "label")
    assert str(info.value).startswith(f"--data {message}")


def test_a_latin1_csv_with_a_first_column_named_par1_is_not_called_parquet(tmp_path):
    # A Parquet file starts and ends with "PAR1"; a CSV whose first column is
    # named so, not in UTF-8, was "a Parquet file, not text: name it .parquet".
    path = tmp_path / "data.csv"
    frame = _frame().rename(columns={"amount": "PAR1"})
    frame.loc[0, "shop"] = "café"
    frame.to_csv(path, index=False, encoding="latin-1")
    with pytest.raises(CompareError, match=r"is not UTF-8 text \(byte 0xe9"):
        load_table(path, "label")


def _csv_keeps_trailing_nuls():
    """Whether this pandas's CSV reader keeps a trailing NUL (2.0 drops it)."""
    from io import StringIO

    return pd.read_csv(StringIO('label\n"ok\x00"\n'))["label"][0] == "ok\x00"


needs_nul_reader = pytest.mark.skipif(
    not _csv_keeps_trailing_nuls(),
    reason="this pandas drops trailing NULs while reading a CSV file",
)


@needs_nul_reader
def test_labels_that_differ_by_a_trailing_nul_are_kept_apart(tmp_path):
    # NumPy's fixed-width text drops trailing NULs: the classes "a\x00" and
    # "a" were merged into "a" without a word, in the comparison and in the
    # saved model.
    frame = _frame()
    frame["label"] = [("ok\x00" if v == "fraud" else "ok") for v in frame["label"]]
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False, quoting=1)
    assert load_table(path, "label").classes.tolist() == ["ok", "ok\x00"]
    model = tmp_path / "model.joblib"
    assert _compare(tmp_path, path, "--save-best", str(model)) == 0
    model = joblib.load(model)
    assert list(model.classes_) == ["ok", "ok\x00"]
    assert set(model.predict(frame.drop(columns="label"))) == {"ok", "ok\x00"}


@needs_nul_reader
def test_a_single_class_ending_with_a_nul_is_named_in_the_error(tmp_path):
    # Labels kept as Python strings for their trailing NUL failed the check
    # of a single class with "AttributeError: 'str' object has no attribute
    # 'item'", a traceback.
    frame = _frame()
    frame["label"] = "ok\x00"
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False, quoting=1)
    with pytest.raises(CompareError, match=r"a single class \('ok\\x00'\)"):
        load_table(path, "label")


@pytest.mark.parametrize("cell", ["NA", "None", "nan"])
def test_a_class_that_pandas_reads_as_missing_is_named_so(tmp_path, cell):
    # A class "NA" (North America) was reported as "missing value(s)" alone,
    # and the message offered --unlabelled missing, which would take the
    # class for unlabelled rows.
    frame = _frame()
    frame["label"] = frame["label"].replace("fraud", cell)
    with pytest.raises(CompareError, match="NA, N/A, NULL, None or nan, which pan"):
        load_table(_write(tmp_path, frame), "label")


@pytest.mark.parametrize(
    "column, hint",
    [
        (" y ", r"Did you mean ' y '\? Its columns"),
        ("labél", r"Did you mean 'labél'\? They look alike but differ in their Unic"),
    ],
)
def test_a_target_that_differs_by_spaces_or_unicode_form_is_suggested(
    tmp_path, column, hint
):
    # "Target column 'y' is not in data.csv. Its columns are: amount, shop,
    #  y ." gave no hint: the list hides the spaces, and "labél" typed as
    # "e" and an accent looks the same as the column's "é".
    path = _write(tmp_path, _frame().rename(columns={"label": column}))
    target = "y" if column.strip() == "y" else "labe\u0301l"
    with pytest.raises(CompareError, match=hint):
        load_table(path, target)


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in a name")
def test_control_characters_of_the_file_are_shown_as_escapes(tmp_path, capsys):
    # An escape sequence in the --data file's header or name was printed as
    # is: "\x1b[2J" cleared the terminal that showed the error, the report
    # or the results, and "\x1b]0;...\x07" retitled its window.
    frame = _frame().rename(columns={"shop": "shop\x1b[2J"})
    path = _write(tmp_path, frame, name="sales\x1b]0;x\x07.csv")
    with pytest.raises(CompareError) as info:
        load_table(path, "y")
    message = str(info.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "not in sales\\x1b]0;x\\x07.csv" in message
    assert "amount, shop\\x1b[2J, label." in message
    assert load_table(path, "label").name == "sales\\x1b]0;x\\x07"
    assert _compare(tmp_path, path) == 0
    out, err = capsys.readouterr()
    written = [
        (tmp_path / "out" / name).read_text("utf-8")
        for name in ("report.md", "results.csv")
    ]
    for text in [out, err, *written]:
        assert "\x1b" not in text and "\x07" not in text
    assert "sales\\\\x1b]0;x\\\\x07.csv |" in written[0]


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in a name")
@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty."),
        (b"x1,x2,label\n", "has a header but no rows."),
        (b"x1,x2,label\n1,2,0,9\n", "is not a well-formed CSV file: some rows"),
        (b"x1,caf\xe9,label\n", "is not UTF-8 text"),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_escapes(tmp_path, data, message):
    # "--data e\x1b[2J.csv is empty." printed the file's name as is, and the
    # escape sequence in it cleared the terminal that showed the error.
    path = tmp_path / "e\x1b[2J.csv"
    path.write_bytes(data)
    with pytest.raises(CompareError) as info:
        load_table(path, "label")
    assert str(info.value).startswith("--data e\\x1b[2J.csv ")
    assert message in str(info.value) and "\x1b" not in str(info.value)


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in a name")
def test_the_output_and_the_saved_model_are_named_with_escapes(tmp_path, capsys):
    # "Results: o\x1b[2J/results.csv", "Report: ..." and "Saved: ..." printed
    # the --output and --save-best paths as given, escape sequences included.
    path = _write(tmp_path, _frame())
    output = tmp_path / "o\x1b[2J"
    model = tmp_path / "m\x1b]0;x\x07.joblib"
    args = ["--output", str(output), "--save-best", str(model)]
    assert _compare(tmp_path, path, *args) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert f"Results: {tmp_path}/o\\x1b[2J/results.csv" in out
    assert f"Saved:   {tmp_path}/m\\x1b]0;x\\x07.joblib (" in out
    assert joblib.load(model).predict(_frame().drop(columns="label")).shape == (60,)


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in a name")
def test_the_results_file_of_the_output_is_named_with_escapes(tmp_path, capsys):
    # A rerun printed "2 of 4 fits already in o\x1b[2J/results.csv", and the
    # damaged-line warning, the foreign-file and not-a-file refusals named the
    # results file as is: the escape sequence cleared the terminal.
    path = _write(tmp_path, _frame())
    output = tmp_path / "o\x1b[2J"
    shown = f"{tmp_path}/o\\x1b[2J/results.csv"
    args = ["--output", str(output)]
    assert _compare(tmp_path, path, *args) == 0
    results = output / "results.csv"
    lines = results.read_text().splitlines(keepends=True)
    results.write_text("".join(lines[:-2]) + lines[-2][:10])  # cut off
    capsys.readouterr()
    args = _compare_args(tmp_path, "--data", str(path), "--target", "label", *args)
    args.remove("--no-progress")
    assert main(args) == 0
    err = capsys.readouterr().err
    assert f"warning: {shown}: dropped 1 damaged" in err
    assert f"2 of 4 fits already in {shown}; running the other 2." in err
    assert "\x1b" not in err
    results.write_text("a,b\n1,2\n")
    assert _compare(tmp_path, path, *args[1:]) == 2
    assert f"error: {shown} was not written by" in capsys.readouterr().err
    results.unlink()
    results.mkdir()
    assert _compare(tmp_path, path, "--output", str(output)) == 2
    assert f"error: {shown} is not a file;" in capsys.readouterr().err


@pytest.mark.parametrize("n_present, dropped", [(24, False), (30, True)])
def test_distinct_texts_in_fewer_than_half_the_rows_are_a_feature(
    tmp_path, n_present, dropped
):
    frame = _frame()
    frame["note"] = None
    frame.loc[: n_present - 1, "note"] = [f"n{i}" for i in range(n_present)]
    dataset = load_table(_write(tmp_path, frame), "label")
    assert ("note" not in dataset.X.columns) is dropped


def test_a_target_of_many_fractional_numbers_looks_continuous(tmp_path):
    frame = _frame(50)
    frame["label"] = 0.5 + np.arange(50) % 25
    path = _write(tmp_path, frame)
    with pytest.raises(CompareError, match="holds 25 distinct non-integer numbers"):
        load_table(path, "label")


def test_six_rows_without_a_target_are_listed_as_five_and_dots(tmp_path):
    frame = _frame().astype({"label": object})
    frame.loc[:5, "label"] = np.nan
    path = _write(tmp_path, frame)
    with pytest.raises(CompareError, match=r"\(rows 0, 1, 2, 3, 4, \.\.\., counting"):
        load_table(path, "label")


def test_an_unlabelled_value_with_a_space_marks_only_the_rows_so_written(tmp_path):
    # Classes that differ only in spaces are kept apart, by --unlabelled too.
    frame = _frame().astype({"label": object})
    frame.loc[:3, "label"] = "fraud "
    dataset = load_table(_write(tmp_path, frame), "label", unlabelled="fraud ")
    assert dataset.n_unlabelled == 4
    assert list(dataset.classes) == ["fraud", "ok"]
