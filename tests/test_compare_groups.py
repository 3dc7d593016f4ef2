"""Tests of ``ltlearn compare --data FILE --groups COLUMN``: grouped folds."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import dataclasses

import joblib
import numpy as np
import pytest

from ltlearn._compare._data import CompareError, check_folds
from ltlearn._compare._runner import _folds, run_comparison
from ltlearn._compare._user_table import load_table
from ltlearn.cli import main
from ltlearn.recipes._registry import resolve_methods
from tests.test_cli import _compare_args

pd = pytest.importorskip("pandas")


def _visits(n_patients=24, visits=3, seed=0):
    """Visits of patients: the label is the patient's, ``patient_id`` repeats."""
    rng = np.random.RandomState(seed)
    patient = np.repeat(np.arange(100, 100 + n_patients), visits)
    label = np.where(np.arange(n_patients) % 3 == 0, "sick", "well")
    label = label[patient - 100]
    return pd.DataFrame(
        {
            "patient_id": patient,
            "age": rng.normal(50, 10, patient.size) + 10 * (label == "sick"),
            "ward": rng.choice(["a", "b", "c"], patient.size),
            "label": label,
        }
    )


def _write(tmp_path, frame, name="visits.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _compare(tmp_path, path, *args):
    data = ["--data", str(path), "--target", "label"]
    return main(_compare_args(tmp_path, *data, *args))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_grouped_folds_never_split_a_group(tmp_path, seed):
    # Rows of one patient fell in training and test folds: the score measured
    # how well a model recognises a patient, not how it does on new ones.
    frame = _visits()
    frame.loc[::7, "label"] = "-1"  # unlabelled visits, in some groups
    dataset = load_table(_write(tmp_path, frame), "label", groups="patient_id")
    groups = frame["patient_id"].to_numpy()
    folds = _folds(dataset, 3, seed)
    tested = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tested), dataset.labelled)
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        # every labelled and unlabelled row of the test fold's groups is out
        # of its training rows; the other unlabelled rows are in
        apart = np.isin(groups, groups[test])
        np.testing.assert_array_equal(np.sort(train), np.flatnonzero(~apart))
        assert set(dataset.y[test]) == {0, 1}
    # row-wise folds, without --groups, split the patients
    plain = load_table(_write(tmp_path, frame), "label")
    assert any(
        set(groups[train]) & set(groups[test]) for train, test in _folds(plain, 3, seed)
    )


@pytest.mark.parametrize("prefix", [None, "P", "category"])
def test_grouped_folds_are_those_of_stratified_group_kfold(tmp_path, prefix):
    # The groups were numbered in order of first appearance: on a file whose
    # patients do not come in the order of their ids, the folds differed from
    # StratifiedGroupKFold's given the column, as cross_validate(groups=) uses;
    # and scikit-learn 1.7's shuffle left them unstratified (a test fold
    # without 'sick'). A categorical column of Parquet was numbered in the
    # order of its categories, where scikit-learn sorts the values.
    from sklearn import __version__
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.utils.fixes import parse_version

    frame = _visits().sample(frac=1, random_state=0).reset_index(drop=True)
    path = tmp_path / "visits.csv"
    if prefix == "category":
        pytest.importorskip("pyarrow")
        ids = frame["patient_id"].astype(str)
        order = sorted(ids.unique(), reverse=True)
        frame["patient_id"] = pd.Categorical(ids, categories=order)
        path = tmp_path / "visits.parquet"
        frame.to_parquet(path)
    else:
        if prefix is not None:
            frame["patient_id"] = prefix + frame["patient_id"].astype(str)
        _write(tmp_path, frame)
    dataset = load_table(path, "label", groups="patient_id")
    for seed in (0, 1):
        folds = _folds(dataset, 3, seed)
        # 8 sick patients of 3 visits: 2 or 3 of them in each test fold
        sick = [
            np.count_nonzero(frame["label"].iloc[test] == "sick") for _, test in folds
        ]
        assert set(sick) <= {6, 9}
        if parse_version(__version__).release[:2] < (1, 8):
            continue
        splitter = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=seed)
        expected = splitter.split(frame, frame["label"], frame["patient_id"])
        for (train, test), (sk_train, sk_test) in zip(folds, expected, strict=True):
            np.testing.assert_array_equal(test, sk_test)
            np.testing.assert_array_equal(train, sk_train)


def test_the_group_column_is_not_a_feature_and_is_noted(tmp_path):
    dataset = load_table(_write(tmp_path, _visits()), "label", groups="patient_id")
    assert list(dataset.X.columns) == ["age", "ward"]
    assert dataset.preprocessing["numeric"] == ["age"]
    assert dataset.groups_column == "patient_id"
    np.testing.assert_array_equal(dataset.groups, np.repeat(np.arange(24), 3))
    (note,) = dataset.notes
    assert "'patient_id' together (24 groups in 72 rows)" in note
    assert "not a feature" in note


def test_a_repeated_column_named_as_an_identifier_suggests_groups(tmp_path):
    # A patient_id of repeated values was a feature of row-wise folds, with
    # no word: the rows of one patient were on both sides.
    path = _write(tmp_path, _visits().assign(visit=np.arange(72) % 3))
    (note,) = load_table(path, "label").notes
    assert "named as an identifier: 'patient_id'" in note
    assert "--groups COLUMN" in note and "'visit'" not in note
    # given --groups, the column is the groups
    (note,) = load_table(path, "label", groups="patient_id").notes
    assert "named as an identifier" not in note


@pytest.mark.parametrize(
    "change, groups, match",
    [
        (None, "patient", r"'patient' \(--groups\) is not in .*'patient_id'\?"),
        (None, "label", "--groups 'label' is the target column"),
        ("missing", "patient_id", r"2 missing value\(s\) \(rows 4, 9, counting"),
        ("repeated", "patient_id", "appears 2 times in the header"),
        ("only", "patient_id", "no column besides 'label' and the groups"),
    ],
)
def test_a_wrong_group_column_is_a_clear_error(tmp_path, change, groups, match):
    frame = _visits()
    if change == "missing":
        frame["patient_id"] = frame["patient_id"].astype(float)
        frame.loc[[4, 9], "patient_id"] = np.nan
    elif change == "repeated":
        frame.insert(3, "patient_id ", frame["patient_id"])
        frame.columns = [str(c).strip() for c in frame.columns]
    elif change == "only":
        frame = frame[["patient_id", "label"]]
    with pytest.raises(CompareError, match=match):
        load_table(_write(tmp_path, frame), "label", groups=groups)


@pytest.mark.parametrize(
    "n_patients, sick, match",
    [
        (4, [0], r"'patient_id' of data set 'visits' has 4 group\(s\) of labelled "),
        (24, [0, 1, 2], r"'sick' .* has labelled rows in 3 group\(s\) of "),
        (24, [0], r"in 1 group\(s\) .* needs each class in at least 2 groups"),
    ],
)
def test_too_few_groups_for_the_folds_is_a_clear_error(
    tmp_path, n_patients, sick, match
):
    # StratifiedGroupKFold leaves a class in fewer groups than folds out of
    # some test folds (out of the training rows of one, for a class in a
    # single group), without a warning.
    frame = _visits(n_patients)
    frame["label"] = np.where(
        frame["patient_id"].isin(100 + np.array(sick)), "sick", "well"
    )
    dataset = load_table(_write(tmp_path, frame), "label", groups="patient_id")
    with pytest.raises(CompareError, match=match):
        check_folds(dataset, 5)


def test_groups_without_a_data_file_is_an_error(tmp_path, capsys):
    args = _compare_args(tmp_path, "--datasets", "ecoli1", "--groups", "id")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--groups goes with --data FILE" in err and "no groups" in err


def test_results_of_other_groups_are_not_reused(tmp_path):
    # The same file and folds count with and without --groups (here a column
    # of one distinct value per row, not a feature either way): the rows
    # fitted on row-wise folds were reused for grouped ones.
    frame = _visits().assign(visit_id=[f"v{i}" for i in range(72)])
    path = _write(tmp_path, frame)
    recipes, _ = resolve_methods(["plain"])

    def run(groups):
        dataset = load_table(path, "label", groups=groups)
        params = {"cv": 2, "output": tmp_path / "out", "progress": False}
        return dataset, run_comparison([dataset], recipes, **params)

    plain, first = run(None)
    grouped, second = run("visit_id")
    assert list(plain.X.columns) == list(grouped.X.columns)
    assert first.n_reused == 0 and second.n_reused == 0
    assert run("visit_id")[1].n_reused == 2
    assert run(None)[1].n_reused == 2
    # another grouping of the same rows has another fingerprint
    other = dataclasses.replace(grouped, groups=np.arange(72) // 2)
    fingerprints = {d.fingerprint() for d in (plain, grouped, other)}
    assert len(fingerprints) == 3


def test_grouped_comparison_and_saved_model(tmp_path, capsys):
    frame = _visits()
    path = _write(tmp_path, frame)
    model = tmp_path / "model.joblib"
    assert (
        _compare(tmp_path, path, "--groups", "patient_id", "--save-best", str(model))
        == 0
    )
    out, err = capsys.readouterr()
    assert "note: visits: Folds keep the rows of each value of 'patient_id'" in err
    # the table said "2-fold cross-validation", as of row-wise folds
    assert "2-fold cross-validation grouped by 'patient_id', over" in out
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "2-fold stratified cross-validation grouped by 'patient_id', seed" in report
    # refitted on every row, without the group column; a batch with it or
    # without it (and with the target, as the file) is read alike
    model = joblib.load(model)
    assert "patient_id" not in model[0].feature_names_in_
    assert model[0].transform(frame.iloc[:2]).shape[0] == 2
    features = frame.drop(columns=["label", "patient_id"])
    np.testing.assert_array_equal(
        model.predict_proba(frame), model.predict_proba(features)
    )
    assert set(model.predict(features)) <= {"sick", "well"}


def test_a_test_fold_without_a_class_is_a_clear_error(tmp_path):
    # Groups of mixed classes: StratifiedGroupKFold left class 'a' out of a
    # test fold though it is in 3 groups for 3 folds, and that fold scored
    # the other class alone, without a word.
    frame = pd.DataFrame(
        {
            "unit": [0, 0, 1, 1, 2, 3],
            "x": [0.1, 0.5, 0.2, 0.9, 0.4, 0.7],
            "label": ["a", "b", "b", "a", "a", "b"],
        }
    )
    dataset = load_table(_write(tmp_path, frame), "label", groups="unit")
    check_folds(dataset, 3)
    match = r"Test fold 1 of data set 'visits' has no labelled row of class 'a'"
    with pytest.raises(CompareError, match=match):
        _folds(dataset, 3, 0)
