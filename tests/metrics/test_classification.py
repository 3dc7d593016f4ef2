"""Tests of ltlearn.metrics: shot accuracy, relative accuracy, the report."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import re
import tracemalloc
import warnings

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    balanced_accuracy_score,
    classification_report,
    f1_score,
    precision_recall_fscore_support,
    recall_score,
)

from ltlearn.metrics import _classification as classification_module
from ltlearn.metrics import (
    imbalance_report,
    make_shot_scorer,
    relative_accuracy,
    shot_accuracy,
)
from ltlearn.metrics._classification import _per_class_recall


def _long_tail_labels():
    y_train = np.repeat([0, 1, 2, 3], [150, 101, 100, 19])
    y_true = np.repeat([0, 1, 2, 3], 4)
    y_pred = y_true.copy()
    y_pred[[0, 4, 5, 8, 12, 13, 14]] = 9  # 3/4, 2/4, 3/4 and 1/4 right
    return y_train, y_true, y_pred


def test_shot_accuracy_is_macro_within_each_group():
    y_train, y_true, y_pred = _long_tail_labels()
    scores = shot_accuracy(y_true, y_pred, y_train=y_train)
    assert scores["many"] == pytest.approx((0.75 + 0.5) / 2)  # 150 and 101 > 100
    assert scores["medium"] == pytest.approx(0.75)  # 100 is medium
    assert scores["few"] == pytest.approx(0.25)  # 19 < 20


def test_shot_accuracy_is_the_mean_not_the_median_of_a_group():
    y_train = np.repeat([0, 1, 2, 3, 4], [150, 140, 130, 50, 5])
    y_true = np.repeat([0, 1, 2, 3, 4], 4)
    y_pred = y_true.copy()
    y_pred[9:12] = 9  # recalls 1, 1 and 0.25 in the many-shot group
    scores = shot_accuracy(y_true, y_pred, y_train=y_train)
    assert scores == {"many": pytest.approx(0.75), "medium": 1.0, "few": 1.0}


@pytest.mark.parametrize(
    "many, few, expected",
    [
        (100, 20, (0.625, 0.75, 0.25)),
        (149, 101, (0.75, 0.5, 0.5)),
        # equal thresholds: the medium group is the classes of exactly 100
        (100, 100, (0.625, 0.75, 0.25)),
    ],
)
def test_shot_accuracy_thresholds_are_parameters(many, few, expected):
    y_train, y_true, y_pred = _long_tail_labels()
    scores = shot_accuracy(
        y_true, y_pred, y_train=y_train, many_threshold=many, few_threshold=few
    )
    assert tuple(scores.values()) == pytest.approx(expected)


def test_shot_accuracy_sample_weight_counts_samples_as_their_weight():
    y_train, y_true, y_pred = _long_tail_labels()
    weights = np.random.default_rng(0).integers(0, 4, y_true.size)
    weights[[1, 6, 9, 15]] = 1  # every class keeps a sample of positive weight
    weighted = shot_accuracy(y_true, y_pred, y_train=y_train, sample_weight=weights)
    repeated = shot_accuracy(
        np.repeat(y_true, weights), np.repeat(y_pred, weights), y_train=y_train
    )
    assert weighted == pytest.approx(repeated)
    # a class whose samples all weigh 0 drops out of its group
    weights = np.ones(y_true.size)
    weights[y_true == 0] = 0
    scores = shot_accuracy(y_true, y_pred, y_train=y_train, sample_weight=weights)
    assert scores["many"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="sample_weight"):
        shot_accuracy(y_true, y_pred, y_train=y_train, sample_weight=weights[:3])


def test_shot_accuracy_takes_weights_whose_sum_overflows():
    # the weighted counts of a class overflowed to inf: its recall was NaN
    # (inf / inf, with a RuntimeWarning) or 0 (a finite count over inf)
    y_train = [0] * 150 + [1] * 50 + [2] * 5
    y_true, y_pred = [0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 2, 0]
    expected = shot_accuracy(y_true, y_pred, y_train=y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = shot_accuracy(
            y_true, y_pred, y_train=y_train, sample_weight=np.full(6, 1e308)
        )
    assert scores == expected == {"many": 1.0, "medium": 0.5, "few": 0.5}


def test_shot_accuracy_empty_group_is_nan_with_warning():
    y_train = np.repeat([0, 1], [200, 150])
    with pytest.warns(UserWarning, match="few-shot") as record:
        scores = shot_accuracy([0, 1], [0, 0], y_train=y_train)
    # the warning points at the caller, not into scikit-learn's validate_params
    assert {warning.filename for warning in record} == {__file__}
    assert math.isnan(scores["few"]) and math.isnan(scores["medium"])
    assert scores["many"] == 0.5


def test_shot_accuracy_empty_group_warns_undefined_metric():
    # An undefined score warns as scikit-learn's metrics do, so that the
    # filter users set for them covers it; it was a plain UserWarning.
    y_train = np.repeat([0, 1], [200, 150])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        scores = shot_accuracy([0, 1], [0, 0], y_train=y_train)
    assert math.isnan(scores["few"])


@pytest.mark.parametrize(
    "y_train, match",
    [
        ([0] * 200 + [1] * 50, r"No few-shot class \(fewer than few_threshold=20 "),
        ([0] * 50 + [1] * 5, r"No many-shot class \(more than many_threshold=100 "),
    ],
)
def test_shot_accuracy_empty_group_warning_names_its_threshold(y_train, match):
    # It said "No few-shot class occurs in y_true" when the thresholds left
    # the group without a class of y_train, whatever y_true held.
    with pytest.warns(UndefinedMetricWarning, match=match):
        shot_accuracy([0, 1], [0, 0], y_train=y_train)


@pytest.mark.parametrize("y_true", [[0, 1, 2], ["a", "b", "c"]])
def test_shot_accuracy_group_of_zero_weight_warns_of_the_weights(y_true):
    # A few-shot class of y_true whose samples all had weight 0 gave "No
    # few-shot class ... occurs in y_true", although it occurs there.
    y_train = np.repeat(y_true, [200, 30, 3])
    with pytest.warns(UndefinedMetricWarning) as record:
        scores = shot_accuracy(y_true, y_true, y_train=y_train, sample_weight=[1, 1, 0])
    assert math.isnan(scores["few"])
    (warning,) = record
    assert (
        "few-shot class (fewer than few_threshold=20 samples in y_train) "
        "has a sample of nonzero weight in y_true" in str(warning.message)
    )


def test_shot_scorer_warning_names_the_users_line():
    # A fixed stacklevel named ltlearn's scorer when shot_accuracy ran under
    # make_shot_scorer.
    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    model = DummyClassifier(strategy="constant", constant=0).fit(X, y)
    scorer = make_shot_scorer(np.repeat([0, 1], [200, 150]), group="few")
    with pytest.warns(UserWarning, match="few-shot") as record:
        assert math.isnan(scorer(model, X, y))
    assert {warning.filename for warning in record} == {__file__}


def test_shot_scorer_warns_only_of_its_own_group():
    # A scorer of the many-shot accuracy warned, at every fold, that the
    # medium- and few-shot accuracies it does not report were undefined.
    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    model = DummyClassifier(strategy="constant", constant=0).fit(X, y)
    scorer = make_shot_scorer(np.repeat([0, 1], [200, 150]), group="many")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert scorer(model, X, y) == 0.5


def test_shot_accuracy_refuses_unseen_labels():
    with pytest.raises(ValueError, match="unseen in y_train"):
        shot_accuracy([0, 7], [0, 7], y_train=[0, 0, 1])


@pytest.mark.parametrize("dtype", [str, object])
def test_shot_accuracy_refuses_unseen_string_labels(dtype):
    # Labels of strings are scored by their codes; an unseen one is refused
    # by name, as a number is.
    y = np.array(["a", "z"], dtype=dtype)
    with pytest.raises(ValueError, match=r"unseen in y_train: \['z'\]"):
        shot_accuracy(y, y, y_train=np.array(["a", "a", "b"], dtype=dtype))


@pytest.mark.parametrize(
    "check",
    [
        lambda y_train: shot_accuracy([0, 1], [0, 1], y_train=y_train),
        lambda y_train: imbalance_report([0, 1], [0, 1], y_train=y_train),
        make_shot_scorer,
    ],
)
def test_y_train_of_objects_that_are_no_labels_is_refused(check):
    # type_of_target reads them as "unknown", which no check before refuses
    with pytest.raises(ValueError, match="y_train must hold class labels; got unk"):
        check([{"a": 1}, {"b": 2}])


@pytest.mark.parametrize(
    "y_true, y_pred, y_train, match",
    [
        # it said "Unknown label type: (array([0.5, 1.5]), array(...))"
        ([0.5, 1.5], [0.5, 1.5], [0.5, 1.5], "y_true must hold class labels"),
        ([0, 1], [0.5, 1], [0, 1], "y_pred must hold class labels; got continuous"),
        ([0, 1], ["0", "1"], [0, 1], "Mix of label input types"),
        ([0, 1], [0, 1], ["0", "1"], "Mix of label input types"),
        # it said "Mix type of y not allowed", where make_shot_scorer names y_train
        ([0, 1], [0, 1], [0.5, 1.5], "y_train must hold class labels; got continuous"),
    ],
)
def test_shot_accuracy_refuses_what_classification_metrics_refuse(
    y_true, y_pred, y_train, match
):
    with pytest.raises(ValueError, match=match):
        shot_accuracy(y_true, y_pred, y_train=y_train)


@pytest.mark.parametrize(
    "y_true, y_train, match",
    [([], [0, 1], "y_true is empty"), ([0, 1], [], "y_train is empty")],
)
def test_shot_accuracy_refuses_empty_input(y_true, y_train, match):
    # as scikit-learn's metrics do, instead of NaN scores
    with pytest.raises(ValueError, match=match):
        shot_accuracy(y_true, y_true, y_train=y_train)


def test_shot_accuracy_refuses_inverted_thresholds():
    with pytest.raises(ValueError, match="few_threshold"):
        shot_accuracy([0], [0], y_train=[0], many_threshold=10, few_threshold=20)


def test_relative_accuracy_matches_the_survey_definition():
    # Softmax on ImageNet-LT in the survey: 45.5 / 57.3 -> 79.4.
    assert relative_accuracy(0.455, 0.573, 0.50) == pytest.approx(0.794, abs=1e-3)
    assert relative_accuracy(0.5, 0.4, 0.8) == pytest.approx(0.625)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_relative_accuracy_divides_in_float64_whatever_the_input_type(dtype):
    # Accuracies held as NumPy float32 or float16 (each exactly 0.5, 0.625 or
    # 0.75) give the value of the same Python floats, not a quotient rounded
    # to their own precision.
    accuracies = (0.5, 0.625, 0.75)
    expected = relative_accuracy(*accuracies)
    for i in range(3):
        given = [dtype(acc) if j == i else acc for j, acc in enumerate(accuracies)]
        result = relative_accuracy(*given)
        assert type(result) is float
        assert result == expected
    result = relative_accuracy(*(dtype(acc) for acc in accuracies))
    assert result == expected


def test_imbalance_report_agrees_with_reference_metrics(rng):
    y_true = rng.integers(0, 3, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 3, 200))
    y_train = np.repeat([0, 1, 2], [300, 60, 9])
    report = imbalance_report(y_true, y_pred, y_train=y_train, output_dict=True)
    assert report["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(y_true, y_pred)
    )
    assert report["geometric_mean"] == pytest.approx(
        geometric_mean_score(y_true, y_pred)
    )
    assert report["macro_f1"] == pytest.approx(
        f1_score(y_true, y_pred, average="macro")
    )
    assert list(report["classes"]) == [0, 1, 2]
    assert report["classes"][2]["train_count"] == 9
    assert report["classes"][1]["support"] == np.count_nonzero(y_true == 1)


def test_imbalance_report_scores_a_class_never_predicted_zero_silently():
    # precision of a class never predicted, and its F1, are 0 (not 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = imbalance_report([0, 0, 1, 1], [0, 0, 0, 0], output_dict=True)
    assert report["classes"][1] == {
        "support": 2,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"sample_weight": [0.0, 1.0, 2.0, 1.0]}, {"labels": [0, 1, 2, 3]}],
    ids=["plain", "weighted", "labels"],
)
def test_imbalance_report_leaves_the_warning_filters_alone(monkeypatch, params):
    """The scores run under the caller's filters and raise no warning.

    The filters are the process's, not the thread's: a report that silenced
    its scores' warnings hid those of other threads, and, called in several
    threads at once, could leave everything silenced for good.
    """
    seen = []

    def spy(*args, **kwargs):
        seen.append(list(warnings.filters))
        return precision_recall_fscore_support(*args, **kwargs)

    monkeypatch.setattr(classification_module, "precision_recall_fscore_support", spy)
    # a class never predicted (1), one predicted but never true (2)
    y_true, y_pred = [0, 0, 1, 1], [0, 2, 0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        filters = list(warnings.filters)
        report = imbalance_report(y_true, y_pred, output_dict=True, **params)
    assert seen == [filters]
    labels = params.get("labels")
    weights = params.get("sample_weight")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = f1_score(
            y_true, y_pred, labels=labels, sample_weight=weights, average="macro"
        )
        gmean = geometric_mean_score(
            y_true, y_pred, labels=labels, sample_weight=weights
        )
    assert report["macro_f1"] == expected
    assert report["geometric_mean"] == gmean == 0.0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sample_weight": [1.0, 0.5, 2.0, 1.0, 3.0, 0.0, 1.0, 2.0]},
        {"labels": [3, 0, 1, 2]},
        {"labels": [3, 0, 1, 2], "sample_weight": [1.0, 0.5, 2.0, 1.0, 3.0, 0, 1, 2]},
        {"y_train": [0, 0, 0, 1, 1, 2, 3, 4]},
    ],
    ids=["plain", "weighted", "labels", "labels-weighted", "y_train"],
)
def test_imbalance_report_counts_the_labels_once(monkeypatch, params):
    """One pass over the labels gives the per-class scores and their means.

    The macro recall and macro-F1 are the means of the per-class scores
    already computed, as scikit-learn's own scores average them: scoring the
    labels again for them cost one or two more passes over every label.
    """
    import sklearn.metrics._classification as sklearn_classification

    passes = []
    count = sklearn_classification.multilabel_confusion_matrix

    def spy(*args, **kwargs):
        passes.append(1)
        return count(*args, **kwargs)

    monkeypatch.setattr(sklearn_classification, "multilabel_confusion_matrix", spy)
    y_true = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 3, 2])
    report = imbalance_report(y_true, y_pred, output_dict=True, **params)
    assert len(passes) == 1
    monkeypatch.undo()
    labels = params.get("labels")
    weights = params.get("sample_weight")
    macro = {"labels": labels, "sample_weight": weights, "average": "macro"}
    assert report["macro_f1"] == f1_score(y_true, y_pred, **macro)
    if labels is not None:
        assert report["balanced_accuracy"] == recall_score(y_true, y_pred, **macro)
    else:
        assert report["balanced_accuracy"] == balanced_accuracy_score(
            y_true, y_pred, sample_weight=weights
        )


def test_imbalance_report_weighted_single_class_warns_nothing():
    """One class in y_true and y_pred, weighted: its 1 x 1 matrix unused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = imbalance_report(
            [0, 0], [0, 0], sample_weight=[1.0, 2.0], output_dict=True
        )
    assert report["balanced_accuracy"] == report["geometric_mean"] == 1.0


@pytest.mark.parametrize("labels", [None, [2, 0, 1]])
def test_imbalance_report_sample_weight_is_repeated_rows(rng, labels):
    y_true = rng.integers(0, 3, 60)
    y_pred = np.where(rng.random(60) < 0.6, y_true, rng.integers(0, 3, 60))
    weights = rng.integers(1, 4, 60)
    weighted = imbalance_report(
        y_true, y_pred, labels=labels, output_dict=True, sample_weight=weights
    )
    repeated = imbalance_report(
        np.repeat(y_true, weights),
        np.repeat(y_pred, weights),
        labels=labels,
        output_dict=True,
    )
    plain = imbalance_report(y_true, y_pred, labels=labels, output_dict=True)
    for name in ("balanced_accuracy", "geometric_mean", "macro_f1"):
        assert weighted[name] == pytest.approx(repeated[name])
        assert weighted[name] != pytest.approx(plain[name])
    assert list(weighted["classes"]) == list(repeated["classes"])
    for label, row in weighted["classes"].items():
        assert row == pytest.approx(repeated["classes"][label])
    text = imbalance_report(y_true, y_pred, sample_weight=weights * 0.5)
    assert f"{weights[y_true == 0].sum() * 0.5:.3f}" in text


@pytest.mark.parametrize("labels", [None, [1, 0]])
def test_imbalance_report_takes_weights_whose_sum_overflows(labels):
    # The weighted counts overflowed to inf: class 1 had a recall of 0 and a
    # precision of 1 (both 0.5), its F1 and the macro-F1 were NaN, and the
    # balanced accuracy was 0.5 (0.75), with RuntimeWarnings.
    y_true, y_pred = [0, 1, 1], [0, 0, 1]
    expected = imbalance_report(y_true, y_pred, labels=labels, output_dict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = imbalance_report(
            y_true,
            y_pred,
            labels=labels,
            output_dict=True,
            sample_weight=[1e308, 1e308, 1e308],
        )
    for name in ("balanced_accuracy", "geometric_mean", "macro_f1"):
        assert report[name] == pytest.approx(expected[name])
    for label, row in report["classes"].items():
        scores = {key: row[key] for key in ("precision", "recall", "f1")}
        assert scores == pytest.approx(
            {key: expected["classes"][label][key] for key in scores}
        )
    # the supports stay the total weights: inf beyond the largest float
    assert report["classes"][0]["support"] == 1e308
    assert report["classes"][1]["support"] == np.inf
    # a class of inf true positives: inf, where scikit-learn's support is
    # NaN (inf minus inf); a weight below 1e-308 times the largest is kept
    report = imbalance_report(
        [0, 0, 1], [0, 0, 1], sample_weight=[1e308, 1e308, 5e-324], output_dict=True
    )
    assert report["classes"][0]["support"] == np.inf
    assert report["classes"][1]["support"] == 5e-324


def test_imbalance_report_aggregates_ignore_classes_only_in_y_train():
    """y_train adds a row to the table, never a zero F1 to the macro-F1."""
    y_true, y_pred = [0, 0, 1, 1], [0, 1, 1, 1]
    plain = imbalance_report(y_true, y_pred, output_dict=True)
    report = imbalance_report(
        y_true, y_pred, y_train=[0] * 5 + [1] * 3 + [2] * 2, output_dict=True
    )
    assert list(report["classes"]) == [0, 1, 2]
    for name in ("balanced_accuracy", "geometric_mean", "macro_f1"):
        assert report[name] == pytest.approx(plain[name])
    assert report["macro_f1"] == pytest.approx(
        f1_score(y_true, y_pred, average="macro")
    )
    extra = imbalance_report(y_true, [0, 1, 1, 2], y_train=[0, 1, 2], output_dict=True)
    # class 2 has no true sample: the balanced accuracy leaves it out
    assert extra["balanced_accuracy"] == pytest.approx(0.5)


def test_imbalance_report_of_many_classes_builds_no_square_matrix():
    """The balanced accuracy of 2000 classes, without a 2000 x 2000 array."""
    rng = np.random.default_rng(0)
    y_true = np.repeat(np.arange(2000), 2)
    y_pred = np.where(rng.random(y_true.size) < 0.5, y_true, 0)
    tracemalloc.start()
    try:
        report = imbalance_report(y_true, y_pred, y_train=y_true, output_dict=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2000**2 * 8 / 4  # a quarter of one float64 square matrix
    assert report["balanced_accuracy"] == balanced_accuracy_score(y_true, y_pred)


def test_imbalance_report_aggregates_are_over_the_given_labels():
    y_true, y_pred = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    report = imbalance_report(y_true, y_pred, labels=[0, 1], output_dict=True)
    assert list(report["classes"]) == [0, 1]
    assert report["balanced_accuracy"] == pytest.approx((0.5 + 1.0) / 2)
    assert report["geometric_mean"] == pytest.approx(np.sqrt(0.5 * 1.0))
    assert report["macro_f1"] == pytest.approx(
        f1_score(y_true, y_pred, labels=[0, 1], average="macro")
    )


@pytest.mark.parametrize(
    "labels, match",
    [
        ([], "labels must list at least one class"),
        ([[0, 1]], r"labels should be a 1d array-like of labels, got .* \(1, 2\)"),
    ],
)
def test_imbalance_report_refuses_empty_or_2d_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        imbalance_report([0, 1], [0, 1], labels=labels)


@pytest.mark.parametrize("name", ["labels", "target_names"])
@pytest.mark.parametrize(
    "make, kind",
    [
        (set, "set"),
        (frozenset, "frozenset"),
        (lambda v: dict.fromkeys(v).keys(), "dict_keys"),
    ],
)
def test_imbalance_report_refuses_unordered_labels_by_name(name, make, kind):
    # scikit-learn's "array-like" constraint takes a set or a dict view; NumPy
    # makes a 0-d array of it, and target_names pair with labels by position
    values = [0, 1] if name == "labels" else ["no", "yes"]
    with pytest.raises(ValueError, match=rf"{name} should be an array-like .* {kind}"):
        imbalance_report([0, 1, 1], [0, 1, 0], **{name: make(values)})


@pytest.mark.parametrize(
    "y, labels, y_train, match",
    [
        # target names given as labels
        ([0, 0, 1, 1], ["healthy", "ill"], None, "labels holds strings"),
        (["a", "a", "b", "b"], [0, 1], None, "labels holds numbers"),
        (["a", "a", "b", "b"], [0, 1], ["a", "b"], "of y_true, y_pred and y_train"),
        # the first 5 classes shown, then "..."
        ([0, 1, 2, 3, 4, 5], ["a"], None, r"\(\[0, 1, 2, 3, 4, '...'\]\)"),
    ],
)
def test_imbalance_report_refuses_labels_of_another_type(y, labels, y_train, match):
    # No class of labels could occur: every row and aggregate was 0.000,
    # without a warning.
    with pytest.raises(ValueError, match=match):
        imbalance_report(y, y[::-1], labels=labels, y_train=y_train)
    # booleans are numbers, as in scikit-learn
    report = imbalance_report([True, False], [True, True], labels=[1, 0])
    assert "0.500" in report


def test_imbalance_report_labels_of_another_type_that_are_classes():
    # scikit-learn's scores take the label 1 for the class "1" (and "1" for
    # 1): labels of integers for classes read as text were refused with "no
    # class of labels occurs", where they gave scikit-learn's report.
    y_true = np.array(["0", "0", "1", "1", "2"])
    y_pred = np.array(["0", "1", "1", "1", "0"])
    report = imbalance_report(y_true, y_pred, labels=[2, 1], output_dict=True)
    expected = classification_report(
        y_true, y_pred, labels=[2, 1], output_dict=True, zero_division=0.0
    )
    assert list(report["classes"]) == [1, 2]
    for label in (1, 2):
        assert report["classes"][label]["f1"] == expected[str(label)]["f1-score"]
    assert report["macro_f1"] == expected["macro avg"]["f1-score"]
    # one label that is a class by its text suffices
    report = imbalance_report(y_true, y_pred, labels=[2, 7], output_dict=True)
    assert report["classes"][2]["f1"] == expected["2"]["f1-score"]
    report = imbalance_report(
        y_true.astype(int), y_pred.astype(int), labels=["1", "2"], output_dict=True
    )
    assert report["macro_f1"] == expected["macro avg"]["f1-score"]


def test_imbalance_report_counts_training_of_labels_of_another_type():
    # The scores took the label 1 for the class "1", the training counts
    # did not: every train_count was 0, and the rows were not ordered by it.
    y = np.array(["0", "1", "1", "2"])
    y_train = np.repeat(["0", "1", "2"], [1, 5, 3])
    report = imbalance_report(y, y, y_train=y_train, labels=[0, 1, 2], output_dict=True)
    counts = {label: row["train_count"] for label, row in report["classes"].items()}
    assert list(counts.items()) == [(1, 5), (2, 3), (0, 1)]
    report = imbalance_report(
        y.astype(int), y.astype(int), y_train=y_train.astype(int), labels=["2", "0"]
    )
    assert re.search(r"2 +3 .*\n +0 +1 ", report)


def test_imbalance_report_refuses_repeated_labels():
    # labels=[0, 0, 1] gave two rows, and class 0 counted twice in the
    # balanced accuracy (0.833 instead of 0.75)
    with pytest.raises(ValueError, match=r"labels lists \[0\] more than once"):
        imbalance_report([0, 1, 1], [0, 1, 0], labels=[0, 0, 1])
    # the check of repeats sorts labels: a mix of strings and numbers is
    # named, not "'<' not supported between instances of 'str' and 'int'"
    mixed = np.array([0, "a"], dtype=object)
    with pytest.raises(
        ValueError, match=r"labels mixes types that do not sort together: \[0, 'a'\]"
    ):
        imbalance_report([0, 1, 1], [0, 1, 0], labels=mixed)


@pytest.mark.parametrize("sample_weight", [None, []])
@pytest.mark.parametrize("y_train", [None, [0, 1]])
def test_imbalance_report_refuses_empty_y_true_by_name(sample_weight, y_train):
    # with empty weights, it said "sample_weight sums to zero"
    with pytest.raises(ValueError, match="y_true is empty"):
        imbalance_report([], [], y_train=y_train, sample_weight=sample_weight)


@pytest.mark.parametrize("labels", [None, [0, 1]])
@pytest.mark.parametrize(
    "y_train, match",
    [
        (["0", "1"], "Mix of label input types"),
        ([0.5, 1.5], "y_train must hold class labels; got continuous"),
        ([], "y_train is empty"),
    ],
)
def test_imbalance_report_refuses_y_train_of_another_label_type(y_train, match, labels):
    """String training labels against numeric ones would report both as classes.

    With ``labels`` they were not checked: every training count was 0. An
    empty ``y_train`` gave training counts of 0.
    """
    with pytest.raises(ValueError, match=match):
        imbalance_report([0, 1, 1], [0, 1, 1], y_train=y_train, labels=labels)


def test_imbalance_report_text_of_extreme_weighted_supports():
    # A support of 8e301 was printed with its 302 digits and 3 decimals, one
    # of 2e-299 as 0.000: exponent notation for them, decimals otherwise.
    y_true = np.array([0, 0, 0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 1, 1, 1])
    weights = np.where(y_true == 0, 2e301, 1e-299)
    lines = imbalance_report(y_true, y_pred, sample_weight=weights).splitlines()
    assert lines[1].split() == ["0", "8.000e+301", "1.000", "0.750", "0.857"]
    assert lines[2].split() == ["1", "2.000e-299", "0.000", "1.000", "0.000"]
    lines = imbalance_report(y_true, y_pred, sample_weight=weights * 1e-301).split()
    assert "8.000" in lines and "0.000" in lines  # 1e-600 is 0.0


@pytest.mark.parametrize("digits, support", [(0, 0.5), (6, 5e-7), (3, 1e16)])
def test_imbalance_report_text_support_at_the_exponent_bounds(digits, support):
    # A support that rounds to zero at `digits` decimals, or of 1e16 and more,
    # is written in exponent notation. A support of 0.5 at digits=0 (which
    # rounds to even) or of 5e-7 at digits=6 was printed as zero.
    y_true = np.array([0, 0, 1])
    weights = np.array([1.0, 1.0, support])
    text = imbalance_report(y_true, y_true, sample_weight=weights, digits=digits)
    supports = dict(line.split()[:2] for line in text.splitlines()[1:3])
    assert supports == {"0": f"{2:.{digits}f}", "1": f"{support:.{digits}e}"}


@pytest.mark.parametrize("digits", [0, 3, 6, 7, 12])
@pytest.mark.parametrize("y_train", [None, [0] * 5 + [1] * 2])
def test_imbalance_report_text_columns_align_at_every_digits(digits, y_train):
    # Cells in exponent notation (1.0000000e+16 at digits=7) or with many
    # decimals were wider than the 11 characters of the header: every column
    # ends where its header ends, and the aggregates under the second column.
    y_true = np.array([0, 0, 0, 1, 1, 1])
    y_pred = np.array([0, 0, 1, 1, 1, 0])
    weights = np.where(y_true == 0, 1e16, 1e-9)
    text = imbalance_report(
        y_true, y_pred, y_train=y_train, sample_weight=weights, digits=digits
    )
    table, aggregates = text.split("\n\n")
    lines = table.splitlines()
    ends = [[match.end() for match in re.finditer(r"\S+", line)] for line in lines]
    assert all(row == ends[0] for row in ends)
    second = ends[0][2]  # where the header's second column ends
    assert {len(line) for line in aggregates.splitlines()} == {second}
    assert f"{3e16:.{digits}e}" in lines[1].split()


@pytest.mark.parametrize("name", ["y_true", "y_pred"])
def test_imbalance_report_names_continuous_labels(name):
    # It said "Mix type of y not allowed, got types {...}", naming neither.
    labels = {"y_true": [0, 1, 0], "y_pred": [0, 1, 1], name: [0.1, 0.2, 0.1]}
    with pytest.raises(ValueError, match=f"{name} must hold class labels; got cont"):
        imbalance_report(**labels)


@pytest.mark.parametrize("metric", [shot_accuracy, imbalance_report])
@pytest.mark.parametrize("name", ["y_true", "y_pred", "y_train"])
@pytest.mark.parametrize(
    "values, kind",
    [
        (np.eye(3, dtype=int), "multilabel-indicator"),
        (np.full((3, 3), 1 / 3), "continuous-multioutput"),  # predict_proba
    ],
)
def test_metrics_name_2d_labels(metric, name, values, kind):
    # It said "y should be a 1d array, got an array of shape (3, 3) instead",
    # naming none of the arrays nor what they held.
    labels = {"y_true": [0, 1, 2], "y_pred": [0, 1, 1], "y_train": [0, 1, 2]}
    labels[name] = values
    y_train = labels.pop("y_train")
    match = f"{name} must hold class labels, one per sample; got {kind} values of "
    with pytest.raises(ValueError, match=re.escape(match + "shape (3, 3).")):
        metric(**labels, y_train=y_train)
    if name == "y_train":
        with pytest.raises(ValueError, match=re.escape(match)):
            make_shot_scorer(values)


def test_imbalance_report_text_orders_by_training_count():
    text = imbalance_report(
        ["b", "a", "a"], ["b", "a", "b"], y_train=["a"] * 2 + ["b"] * 5
    )
    lines = text.splitlines()
    assert "train_count" in lines[0]
    assert lines[1].split()[0] == "b" and lines[2].split()[0] == "a"
    assert "balanced_accuracy" in text


def test_metrics_refuse_mismatched_lengths():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        imbalance_report([0, 1], [0])


@pytest.mark.parametrize("metric", [shot_accuracy, imbalance_report])
@pytest.mark.parametrize("which", ["y_true", "y_pred", "y_train"])
def test_metrics_refuse_missing_labels_by_row(metric, which):
    # they failed in column_or_1d or np.unique: "boolean value of NA is
    # ambiguous", "'<' not supported between instances of 'str' and 'NoneType'"
    pd = pytest.importorskip("pandas")
    labels = {
        name: np.array(["a", "b"] * 4, dtype=object)
        for name in ("y_true", "y_pred", "y_train")
    }
    labels[which] = pd.Series(labels[which], dtype="string").mask(np.arange(8) == 5)
    with pytest.raises(ValueError, match=rf"^{which} holds 1 missing label .* row 5"):
        metric(**labels)
    labels[which] = [None, "a", "b", "a", "b", "a", "b", "a"]
    with pytest.raises(ValueError, match=rf"^{which} holds 1 missing label .* row 0"):
        metric(**labels)


def test_per_class_recall_ignores_samples_of_labels_not_listed():
    # Samples of labels outside `labels`, above the largest one included, are
    # neither counted nor hit, whatever the order of `labels`.
    y_true = np.array([0, 1, 1, 5, 5, -3])
    y_pred = np.array([0, 1, 0, 5, 1, -3])
    for labels, expected in [([0, 1], [1.0, 0.5]), ([1, 0], [0.5, 1.0])]:
        recall = _per_class_recall(y_true, y_pred, np.array(labels))
        np.testing.assert_array_equal(recall, expected)
