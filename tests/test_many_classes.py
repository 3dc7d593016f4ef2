"""Many classes and classes of one to three rows, across the estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.naive_bayes import GaussianNB

from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.over_sampling import SMOTE, SMOTEN, SMOTENC


def _tail(sizes, n_features=3, seed=0):
    """Rows of classes ``0 .. K-1`` of the given sizes, one cluster each."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(sizes)), sizes)
    X = rng.normal(size=(y.size, n_features)) + y[:, None]
    return X, y


def test_plugin_ensemble_warns_that_a_class_of_one_row_stops_the_refinement():
    # The weights were silently left at the inverse prior, and oob_proba_ at
    # None, whatever refinement asked for.
    X, y = _tail([30, 20, 10, 1])
    clf = PluginEnsembleClassifier([("nb", GaussianNB())], refinement=1.0, cv=3)
    with pytest.warns(UserWarning, match="Class 3 has 1 sample in y.*not refined"):
        clf.fit(X, y)
    expected = (1 / clf.prior_) / np.sum(1 / clf.prior_)
    np.testing.assert_allclose(clf.weights_, expected)
    assert clf.oob_proba_ is None
    # two rows are enough: the folds are as many as the smallest class allows
    X, y = _tail([30, 20, 10, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert clf.fit(X, y).oob_proba_ is not None


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(random_state=0), SMOTENC([2], random_state=0), SMOTEN(random_state=0)],
    ids=["SMOTE", "SMOTENC", "SMOTEN"],
)
def test_classes_too_small_for_the_neighbours_make_one_warning(sampler):
    # A long tail of 1000 classes gave several hundred warnings, one a class.
    sizes = [40] + [4] * 6 + [1, 1]
    X, y = _tail(sizes)
    X[:, 2] = np.arange(y.size) % 3
    if isinstance(sampler, SMOTEN):
        X = X.round().astype(int)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        sampler.fit_resample(X, y)
    (warning,) = [w for w in record if issubclass(w.category, UserWarning)]
    assert warning.filename == __file__  # the caller's line
    message = str(warning.message)
    assert message.startswith(
        "8 classes are too small for the neighbours asked for. Class 7 has 1 "
        "sample; SMOTE needs at least 2 to interpolate. Its sample is "
        "duplicated 39 times. Class 8 has 1 sample;"
    )
    assert "Class 1 has 4 samples; k_neighbors=5 needs at least 6." in message
    assert message.endswith("And 5 more classes.")


@pytest.mark.parametrize("n_small", [2, 3])
def test_a_few_classes_too_small_are_counted_and_all_quoted(n_small):
    # from two classes on, one warning counts them; up to three are all quoted
    X, y = _tail([40] + [4] * n_small)
    with pytest.warns(UserWarning) as record:
        SMOTE(random_state=0).fit_resample(X, y)
    (message,) = [str(w.message) for w in record]
    assert message.startswith(
        f"{n_small} classes are too small for the neighbours asked for. "
    )
    assert message.count("k_neighbors=5 needs at least 6") == n_small
    assert "more classes" not in message


@pytest.mark.parametrize("target", [3, -1])
def test_a_dict_target_below_its_class_count_names_the_class(target):
    # imbalanced-learn's message named no class ("Originally, there is 4
    # samples and 3 samples are asked."), and for a negative target quoted
    # the whole dict.
    X, y = _tail([40] + [4] * 29)
    labels = np.array([f"species_{i:02d}" for i in range(30)])
    strategy = dict.fromkeys(labels, 40)
    strategy["species_17"] = target
    with pytest.raises(ValueError) as error:
        SMOTE(sampling_strategy=strategy, k_neighbors=2).fit_resample(X, labels[y])
    message = str(error.value)
    assert message == (
        f"sampling_strategy asks for {target} samples of class 'species_17', "
        "which has 4; over-sampling keeps every sample, so a class's target "
        "must be at least its count."
    )


def test_a_dict_target_below_its_count_leaves_the_earlier_checks_first():
    # Checked before imbalanced-learn's own checks, a target below its count
    # hid an invalid parameter, NaN in X and an absent class.
    X, y = _tail([20, 6, 4])
    below = {1: 5}
    with pytest.raises(ValueError, match="'k_neighbors' parameter of SMOTE"):
        SMOTE(sampling_strategy=below, k_neighbors="two").fit_resample(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTE(sampling_strategy=below, k_neighbors=2).fit_resample(X_nan, y)
    with pytest.raises(ValueError, match=r"The \{7\} target class is/are not"):
        SMOTE(sampling_strategy={7: 9, 2: 1}, k_neighbors=2).fit_resample(X, y)
    with pytest.raises(ValueError, match="5 samples of class 1, which has 6;"):
        SMOTE(sampling_strategy=below, k_neighbors=2).fit_resample(X, y)


def test_a_dict_target_below_its_count_is_named_for_a_column_vector_y():
    # A y of shape (n, 1) got imbalanced-learn's message, which names no class.
    X, y = _tail([20, 6, 4])
    with pytest.raises(ValueError, match="5 samples of class 1, which has 6;"):
        SMOTE(sampling_strategy={1: 5}, k_neighbors=2).fit_resample(X, y[:, None])
