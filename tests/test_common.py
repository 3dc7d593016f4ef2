"""The common harness: every public estimator against three sets of checks."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import joblib
import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.utils.estimator_checks import (
    estimator_checks_generator as imblearn_checks_generator,
)
from sklearn.utils.estimator_checks import (
    _get_check_estimator_ids,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from ltlearn.utils import all_estimators
from ltlearn.utils._test_common.fitting import (
    data_for,
    fit_or_resample,
    is_sampler,
    make_data,
    predictions,
    seeded_clone,
)
from ltlearn.utils._test_common.instance_generator import (
    INIT_PARAMS,
    _expected_failed_checks,
    _tested_estimators,
)
from ltlearn.utils.estimator_checks import (
    check_clear_errors,
    check_does_not_modify_input,
    check_global_state_untouched,
    check_label_types,
    check_one_sample_class,
    check_pandas_extension_dtypes,
    check_pickle_round_trip,
    check_predict_is_argmax_of_proba,
    check_resampled_counts,
    check_same_random_state_same_result,
    check_sample_weight_equivalence_to_repeats,
    check_sparse_input,
    check_string_labels_and_pandas,
)

ESTIMATORS = list(_tested_estimators())
LTLEARN_CHECKS = [
    check_does_not_modify_input,
    check_same_random_state_same_result,
    check_clear_errors,
    check_one_sample_class,
    check_label_types,
    check_string_labels_and_pandas,
    check_pandas_extension_dtypes,
    check_sparse_input,
    check_pickle_round_trip,
    check_sample_weight_equivalence_to_repeats,
    check_resampled_counts,
    check_predict_is_argmax_of_proba,
    check_global_state_untouched,
]


@sklearn_parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# imbalanced-learn's parametrize_with_checks gives pytest a generator, which
# pytest deprecates (a PytestRemovedIn10Warning): its checks are listed here.
IMBLEARN_CHECKS = [
    estimator_check
    for estimator in ESTIMATORS
    for estimator_check in imblearn_checks_generator(
        estimator,
        expected_failed_checks=_expected_failed_checks(estimator),
        mark="xfail",
    )
]


@pytest.mark.parametrize(
    "estimator, check", IMBLEARN_CHECKS, ids=_get_check_estimator_ids
)
def test_imblearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("check", LTLEARN_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_get_check_estimator_ids)
def test_ltlearn_contract(estimator, check, request):
    expected = _expected_failed_checks(estimator)
    if check.__name__ in expected:
        # The check still runs: one that starts to pass fails the test, so
        # that its entry in the expected failures is removed.
        request.applymarker(
            pytest.mark.xfail(
                reason=expected[check.__name__], raises=AssertionError, strict=True
            )
        )
    check(estimator)


def test_every_estimator_has_fast_params():
    """A new estimator enters the harness with fast parameters."""
    missing = [name for name, _ in all_estimators() if name not in INIT_PARAMS]
    assert not missing, f"add fast parameters to INIT_PARAMS for {missing}"


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_get_check_estimator_ids)
def test_a_memory_mapped_fitted_estimator_predicts_and_fits_again(estimator, tmp_path):
    """``joblib.load(mmap_mode="r")`` gives read-only fitted arrays.

    Predicting, resampling and a second fit never write into them, and give
    what the estimator gave before it was saved.
    """
    X, y = make_data()
    est = seeded_clone(estimator)
    path = tmp_path / "fitted.joblib"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit_or_resample(est, X, y)
        joblib.dump(est, path)
        loaded = joblib.load(path, mmap_mode="r")
        if is_sampler(est):
            for first, second in zip(est.fit_resample(X, y), loaded.fit_resample(X, y)):
                np.testing.assert_array_equal(first, second)
            return
        expected = predictions(est, X)
        for refit in (False, True):
            if refit:
                loaded.fit(X, y)
            for method, output in predictions(loaded, X).items():
                np.testing.assert_array_equal(output, expected[method], err_msg=method)
        if hasattr(loaded, "partial_fit"):
            joblib.load(path, mmap_mode="r").partial_fit(X, y)


# Options that change which fitted attributes an estimator stores, two sets
# per estimator (the ones the fast parameters leave out are the defaults).
_STORAGE_OPTIONS = {
    "SMOTE": ({"skip_noise": True}, {"skip_noise": False}),
    "SMOTENC": ({"categorical_features": [-1]}, {"categorical_features": [0, -1]}),
    "COGClassifier": (
        {"strategy": "min-max", "oversample": "replicate"},
        {"strategy": "direct", "oversample": RandomOverSampler(random_state=0)},
    ),
    "CReSTClassifier": (
        {"selection": "top", "threshold": None},
        {"selection": "random", "threshold": 0.5},
    ),
    "LogitAdjustedClassifier": (
        {"tau": "auto", "store_cv_results": True},
        {"tau": 1.0, "store_cv_results": False},
    ),
    "PluginClassifier": ({"refine": "always"}, {"refine": "never"}),
    "PluginEnsembleClassifier": ({"refinement": 0.5}, {"refinement": 0.0}),
    "LongTailClassifier": (
        {"criterion": "ldam", "max_epochs": 2},
        {"criterion": "ce", "max_epochs": 2},
    ),
}


def _same_state(first, second):
    """Whether two fitted attributes hold the same: arrays and plain values by
    value, other objects (fitted models, histories) by type."""
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return np.array_equal(np.asarray(first), np.asarray(second))
    if type(first) is not type(second):
        return False
    if type(first) is dict:
        return first.keys() == second.keys() and all(
            _same_state(first[key], second[key]) for key in first
        )
    if type(first) in (list, tuple):
        return len(first) == len(second) and all(map(_same_state, first, second))
    if first is None or isinstance(first, (bool, int, float, str, np.generic)):
        return first == second
    return True


@pytest.mark.parametrize("reverse", [False, True], ids=["frame_first", "array_first"])
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_get_check_estimator_ids)
def test_refit_with_other_options_keeps_nothing_of_the_earlier_fit(estimator, reverse):
    """``set_params`` and a refit on other data store what a fresh fit stores.

    The first fit is on a DataFrame of named columns and three classes, the
    second on an array of two classes (or the other way round), each with
    its own options: no attribute of the first fit (``feature_names_in_``,
    ``cv_results_``, the models of another ``strategy``...) stays beside
    those of the second, and their values and predictions are a fresh fit's.
    """
    pytest.importorskip("pandas")
    options = _STORAGE_OPTIONS.get(type(estimator).__name__, ({}, {}))
    fits = [(options[0], data_for(estimator, 3, frame=True))]
    fits.append((options[1], data_for(estimator, 2)))
    if reverse:
        fits.reverse()
    (first_options, first_data), (options, (X, y)) = fits
    refitted = seeded_clone(estimator).set_params(**first_options)
    fresh = seeded_clone(estimator).set_params(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_or_resample(refitted, *first_data)
        fit_or_resample(refitted.set_params(**options), X, y)
        fit_or_resample(fresh, X, y)
    stale = sorted(set(vars(refitted)) ^ set(vars(fresh)))
    assert not stale, f"attributes of one fit only: {stale}"
    differ = [
        name
        for name, value in vars(fresh).items()
        if name.endswith("_") and not _same_state(vars(refitted)[name], value)
    ]
    assert not differ, f"attributes differing from a fresh fit: {differ}"
    if not is_sampler(fresh):
        expected = predictions(fresh, X)
        for method, output in predictions(refitted, X).items():
            np.testing.assert_allclose(output, expected[method], err_msg=method)
