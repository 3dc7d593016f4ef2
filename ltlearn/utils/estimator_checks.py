"""ltlearn's own contract checks, run over every public estimator.

They complement scikit-learn's and imbalanced-learn's estimator checks with
what ltlearn promises its users: the caller's arrays are never modified, the
same ``random_state`` gives the same result, bad input fails with an error
that names the problem, string labels and pandas input work, and samplers
return exactly the class counts their ``sampling_strategy`` asks for.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from collections import Counter

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.utils import get_tags

__all__ = [
    "check_clear_errors",
    "check_does_not_modify_input",
    "check_one_sample_class",
    "check_resampled_counts",
    "check_same_random_state_same_result",
    "check_string_labels_and_pandas",
]


def _make_data(n_samples=150, n_classes=3, random_state=0):
    weights = [0.6, 0.3, 0.1] if n_classes == 3 else None
    X, y = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        weights=weights,
        class_sep=1.5,
        random_state=random_state,
    )
    return X, y


def _is_sampler(estimator):
    return hasattr(estimator, "fit_resample")


def _outputs(estimator, X, y):
    """Fit a clone of ``estimator`` and return what it produces on ``X``."""
    est = clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if _is_sampler(est):
            X_res, y_res = est.fit_resample(X, y)
            return {"X_res": X_res, "y_res": y_res}
        est.fit(X, y)
        outputs = {}
        for method in ("predict", "predict_proba", "decision_function", "transform"):
            if hasattr(est, method):
                outputs[method] = getattr(est, method)(X)
    return outputs


def _assert_same(first, second, name):
    for key in first:
        a, b = np.asarray(first[key]), np.asarray(second[key])
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(
                a, b, err_msg=f"{name}.{key} differs between two identical runs"
            )
        else:
            np.testing.assert_array_equal(
                a, b, err_msg=f"{name}.{key} differs between two identical runs"
            )


def check_does_not_modify_input(estimator):
    """Fitting and predicting leave the caller's ``X`` and ``y`` as they were."""
    name = type(estimator).__name__
    X, y = _make_data()
    X_copy, y_copy = X.copy(), y.copy()
    _outputs(estimator, X, y)
    np.testing.assert_array_equal(X, X_copy, err_msg=f"{name} modified X in place")
    np.testing.assert_array_equal(y, y_copy, err_msg=f"{name} modified y in place")


def check_same_random_state_same_result(estimator):
    """Two fits with the same integer ``random_state`` give the same output."""
    name = type(estimator).__name__
    X, y = _make_data()
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    _assert_same(_outputs(est, X, y), _outputs(est, X, y), name)


def _raises_naming(func, pattern, what):
    import re

    try:
        func()
    except ValueError as exc:
        if not re.search(pattern, str(exc), flags=re.IGNORECASE):
            raise AssertionError(
                f"{what}: the ValueError does not name the problem "
                f"(expected /{pattern}/): {exc}"
            ) from exc
        return
    raise AssertionError(f"{what}: no ValueError was raised")


def check_clear_errors(estimator):
    """Bad input raises a ValueError whose message names the problem.

    Covered: NaN and infinity in ``X`` (unless the estimator accepts NaN), a
    single class, a 1-D ``X``, ``X`` and ``y`` of different lengths.
    """
    name = type(estimator).__name__
    X, y = _make_data()
    est = clone(estimator)
    fit = est.fit_resample if _is_sampler(est) else est.fit

    if not get_tags(est).input_tags.allow_nan:
        X_nan = X.copy()
        X_nan[3, 1] = np.nan
        _raises_naming(lambda: fit(X_nan, y), r"nan", f"{name} with NaN in X")
    X_inf = X.copy()
    X_inf[3, 1] = np.inf
    _raises_naming(lambda: fit(X_inf, y), r"inf", f"{name} with infinity in X")
    _raises_naming(
        lambda: fit(X, np.zeros_like(y)), r"class", f"{name} with a single class"
    )
    _raises_naming(
        lambda: fit(X[:, 0], y), r"2D|1D|one-dimensional|reshape", f"{name} on 1-D X"
    )
    _raises_naming(
        lambda: fit(X, y[:-5]),
        r"inconsistent|number of samples|length",
        f"{name} with len(X) != len(y)",
    )


def check_one_sample_class(estimator):
    """A class with a single sample is handled, or refused with a clear error.

    Fitting either succeeds (a warning is allowed) and, for a classifier,
    predicts only known labels, or raises a ValueError that names the class.
    """
    name = type(estimator).__name__
    X, y = _make_data()
    y = y.copy()
    rare = np.flatnonzero(y == 2)
    y[rare[1:]] = 0  # class 2 keeps a single sample
    est = clone(estimator)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if _is_sampler(est):
                _, y_res = est.fit_resample(X, y)
                assert set(np.unique(y_res)) <= {0, 1, 2}
            else:
                est.fit(X, y)
                assert set(np.unique(est.predict(X))) <= {0, 1, 2}
    except ValueError as exc:
        if "class" not in str(exc).lower():
            raise AssertionError(
                f"{name} with a one-sample class: the ValueError does not name "
                f"the class: {exc}"
            ) from exc


def check_string_labels_and_pandas(estimator):
    """String labels and a pandas DataFrame in give labels and frames back."""
    import pandas as pd

    name = type(estimator).__name__
    X, y = _make_data()
    labels = np.array(["cat", "dog", "emu"], dtype=object)
    y_str = pd.Series(labels[y], name="animal")
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if _is_sampler(est):
            X_res, y_res = est.fit_resample(X_df, y_str)
            assert isinstance(X_res, pd.DataFrame), f"{name} did not return a frame"
            assert list(X_res.columns) == list(X_df.columns)
            assert set(np.unique(np.asarray(y_res))) <= set(labels)
            return
        est.fit(X_df, y_str)
        assert list(est.classes_) == list(labels), f"{name}.classes_ != labels"
        y_pred = est.predict(X_df)
        assert set(np.unique(np.asarray(y_pred))) <= set(labels), (
            f"{name}.predict returned labels it was not trained on"
        )
        if hasattr(est, "predict_proba"):
            proba = est.predict_proba(X_df)
            assert proba.shape == (len(X_df), len(labels))


def check_resampled_counts(estimator):
    """A sampler returns exactly the class counts ``sampling_strategy_`` asks for.

    imbalanced-learn's own count checks only run for subclasses of its bases,
    so ltlearn asserts them itself, for the default strategy and a dict.
    """
    if not _is_sampler(estimator):
        return
    name = type(estimator).__name__
    X, y = _make_data(n_samples=300)
    before = Counter(y)
    strategies = ["auto", {0: before[0], 2: before[0]}]
    for strategy in strategies:
        est = clone(estimator).set_params(sampling_strategy=strategy)
        _, y_res = est.fit_resample(X, y)
        after = Counter(y_res)
        sampling_type = getattr(est, "_sampling_type", "over-sampling")
        for label, n_before in before.items():
            asked = est.sampling_strategy_.get(label)
            if asked is None:
                expected = n_before
            elif sampling_type == "over-sampling":
                expected = n_before + asked
            else:
                expected = asked
            assert after[label] == expected, (
                f"{name}(sampling_strategy={strategy!r}): class {label} has "
                f"{after[label]} samples, {expected} were asked"
            )
