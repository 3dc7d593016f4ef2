import numpy as np
import pandas as pd
import pytest
from sklearn.utils.multiclass import unique_labels

from ltlearn.metrics import _classification, imbalance_report, shot_accuracy
from ltlearn.metrics._string_labels import _string_classes, _string_label_codes

WORDS = np.array(["b", "a", "é", "ab", " a", "A", "zz", "Ω", "a b", "10", "9"])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("dtype", [object, str])
def test_string_classes_are_those_of_unique_labels(seed, dtype):
    rng = np.random.RandomState(seed)
    arrays = [WORDS[rng.randint(0, n, 50)].astype(dtype) for n in (3, 7, WORDS.size)]
    np.testing.assert_array_equal(_string_classes(*arrays), unique_labels(*arrays))
    codes = _string_label_codes(*arrays)
    ordered = unique_labels(*arrays)
    for values, code in zip(arrays, codes):
        np.testing.assert_array_equal(ordered[code], values)


@pytest.mark.parametrize(
    "values",
    [
        np.array([1, 2, 1]),
        np.array(["a", 1], dtype=object),
        np.array([b"a", b"b"], dtype=object),
        np.array(["a", "b\x00"], dtype=object),
        np.array([], dtype=object),
        np.array([["a"], ["b"]], dtype=object),
        ["a", "b"],
        pd.Series(["a", "b"]),
    ],
)
def test_only_arrays_of_strings_are_coded(values):
    assert _string_classes(values, values) is None
    assert _string_label_codes(values, values) is None


def _without_codes(monkeypatch):
    monkeypatch.setattr(_classification, "_string_classes", lambda *a: None)
    monkeypatch.setattr(_classification, "_string_label_codes", lambda *a: None)


@pytest.mark.parametrize("seed", range(4))
def test_reports_of_coded_strings_are_those_of_scikit_learn(seed, monkeypatch):
    rng = np.random.RandomState(seed)
    y_true = WORDS[rng.randint(0, 6, 80)].astype(object)
    y_pred = WORDS[rng.randint(0, 7, 80)].astype(object)
    y_train = WORDS[rng.choice(6, 300, p=[0.5, 0.2, 0.15, 0.1, 0.04, 0.01])]
    weights = rng.rand(80)
    calls = [
        lambda: imbalance_report(y_true, y_pred, output_dict=True),
        lambda: imbalance_report(
            y_true, y_pred, y_train=y_train, sample_weight=weights
        ),
        lambda: imbalance_report(y_true, y_pred, labels=["a", "b", "Ω", "q"]),
        lambda: shot_accuracy(y_true, y_pred, y_train=y_train, sample_weight=weights),
    ]
    used = []

    def spy(*arrays):
        codes = _string_label_codes(*arrays)
        used.append(codes is not None)
        return codes

    monkeypatch.setattr(_classification, "_string_label_codes", spy)
    coded = [call() for call in calls]
    assert all(used) and len(used) == len(calls)
    _without_codes(monkeypatch)
    assert [repr(call()) for call in calls] == [repr(result) for result in coded]
