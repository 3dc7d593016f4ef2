"""The contract checks on refused input: clear errors and tiny classes."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.utils import get_tags

from ltlearn.utils._docstring import _check_docstring
from ltlearn.utils._test_common.fitting import (
    is_sampler,
    make_data,
    takes_labels,
)


def _raises_naming(func, pattern, what):
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


@_check_docstring("sampler")
def check_clear_errors(estimator):
    """Check that bad input raises a ValueError whose message names the problem.

    Covered: NaN and infinity in ``X`` (unless the estimator accepts NaN), a
    single class, a 1-D ``X``, an empty ``X`` (no rows), ``X`` without
    features, ``X`` and ``y`` of different lengths.

    {parameters}

    Raises
    ------
    AssertionError
        If a bad input raises no ``ValueError``, or one whose message
        does not name the problem. Another exception raised by the
        estimator propagates.

    See Also
    --------
    check_one_sample_class : Tiny classes are handled, or refused by name.

    {examples}
    """
    name = type(estimator).__name__
    X, y = make_data()
    est = clone(estimator)
    fit = est.fit_resample if is_sampler(est) else est.fit

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
        lambda: fit(X[:0], y[:0]), r"0 sample|empty", f"{name} on an empty X"
    )
    _raises_naming(
        lambda: fit(X[:, :0], y),
        r"0 feature|no feature",
        f"{name} on X without features",
    )
    _raises_naming(
        lambda: fit(X, y[:-5]),
        r"inconsistent|number of samples|length",
        f"{name} with len(X) != len(y)",
    )


@_check_docstring("classifier")
def check_one_sample_class(estimator):
    """Check that classes of one and two samples are handled or refused by name.

    The rare class is labelled 7. Fitting either succeeds (a warning is
    allowed) and then a sampler returns only known labels and a classifier
    predicts only known labels, with finite probabilities summing to 1; or it
    raises a ValueError that names the rare class (its label, 7). Estimators
    that are neither classifiers nor samplers are not concerned.

    {parameters}

    Raises
    ------
    AssertionError
        If the fit raises a ``ValueError`` that does not name the rare
        class, or the estimator returns labels it was not given or
        probabilities that are not finite or do not sum to 1.

    See Also
    --------
    check_clear_errors : Bad input raises an error that names the problem.

    {examples}
    """
    if not takes_labels(estimator):
        return
    name = type(estimator).__name__
    X, y = make_data()
    for size in (1, 2):
        y_small = np.where(y == 2, 7, y)
        rare = np.flatnonzero(y_small == 7)
        y_small[rare[size:]] = 0  # class 7 keeps ``size`` samples
        est = clone(estimator)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                if is_sampler(est):
                    _, y_res = est.fit_resample(X, y_small)
                    assert set(np.unique(y_res)) <= {0, 1, 7}
                    continue
                est.fit(X, y_small)
                assert set(np.unique(est.predict(X))) <= {0, 1, 7}, (
                    f"{name} with a class of {size}: unknown labels predicted"
                )
                if hasattr(est, "predict_proba"):
                    proba = est.predict_proba(X)
                    assert np.isfinite(proba).all(), f"{name}: non-finite proba"
                    np.testing.assert_allclose(
                        proba.sum(axis=1), 1.0, rtol=1e-6, err_msg=name
                    )
        except ValueError as exc:
            if not re.search(r"\b7\b", str(exc)):
                raise AssertionError(
                    f"{name} with a class of {size} samples: the ValueError does "
                    f"not name the class (7): {exc}"
                ) from exc
