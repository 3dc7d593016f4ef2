"""The contract checks on results: weights, resampled counts, predictions."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from collections import Counter

import numpy as np
from sklearn.base import clone, is_classifier

from ltlearn.utils._docstring import _check_docstring
from ltlearn.utils._test_common.fitting import (
    accepts_sample_weight,
    is_sampler,
    make_data,
    outputs,
    seeded_clone,
)


@_check_docstring("classifier")
def check_sample_weight_equivalence_to_repeats(estimator):
    """Check that integer ``sample_weight`` gives what repeating the rows gives.

    Only for classifiers whose ``fit`` takes ``sample_weight``. Weights of 0
    to 3, heavier on the rare class, so that a rule that ignores them moves;
    predictions on new rows must agree on at least 95% of them and the
    probabilities within 0.05 (cross-validated rules see different folds of
    the repeated rows, and solvers stop at a tolerance).

    {parameters}

    Raises
    ------
    AssertionError
        If the predictions agree on fewer than 95% of the rows, or the
        probabilities differ by more than 0.05.

    See Also
    --------
    check_does_not_modify_input : ``sample_weight`` itself is left as it was.

    {examples}
    """
    if not (accepts_sample_weight(estimator) and is_classifier(estimator)):
        return
    name = type(estimator).__name__
    X, y = make_data(n_samples=200)
    X_new, _ = make_data(n_samples=100, random_state=1)
    rng = np.random.default_rng(0)
    weights = np.where(y == 2, rng.integers(2, 4, len(y)), rng.integers(0, 2, len(y)))
    weights[np.flatnonzero(y == 0)[:3]] = 1  # no class left without weight
    weights[np.flatnonzero(y == 1)[:3]] = 1
    est = seeded_clone(estimator)
    weighted = outputs(est, X, y, sample_weight=weights * 1.0, X_test=X_new)
    repeated = outputs(
        est, np.repeat(X, weights, 0), np.repeat(y, weights), None, X_new
    )
    agree = np.mean(weighted["predict"] == repeated["predict"])
    assert agree >= 0.95, (
        f"{name}: fit with sample_weight and fit on repeated rows agree on "
        f"{agree:.0%} of the predictions"
    )
    if "predict_proba" in weighted:
        np.testing.assert_allclose(
            weighted["predict_proba"],
            repeated["predict_proba"],
            atol=0.05,
            err_msg=f"{name}: sample_weight is not equivalent to repeated rows",
        )


@_check_docstring("sampler")
def check_resampled_counts(estimator):
    """Check that a sampler returns the class counts ``sampling_strategy_`` asks.

    imbalanced-learn's own count checks only run for subclasses of its bases,
    so ltlearn asserts them itself, for the default strategy and a dict (for
    an under-sampler, one that keeps the rarest class's count of the others).
    A cleaning sampler, whose counts depend on the data, is not concerned, nor
    is one that cleans after resampling and keeps ``sampling_strategy_`` as
    given instead of a dict of counts (imbalanced-learn's ``SMOTEENN``).

    {parameters}

    Raises
    ------
    AssertionError
        If a class of the resampled ``y`` has another count than the
        one asked; the message names the class and both counts.

    See Also
    --------
    check_label_types : A sampler returns the labels it was given.

    {examples}
    """
    if not is_sampler(estimator):
        return
    sampling_type = getattr(estimator, "_sampling_type", "over-sampling")
    if sampling_type not in ("over-sampling", "under-sampling"):
        return
    name = type(estimator).__name__
    X, y = make_data(n_samples=300)
    before = Counter(y)
    if sampling_type == "over-sampling":
        counts = {0: before[0], 2: before[0]}
    else:
        counts = {0: before[2], 1: before[2]}
    for strategy in ["auto", counts]:
        est = clone(estimator).set_params(sampling_strategy=strategy)
        _, y_res = est.fit_resample(X, y)
        if not isinstance(est.sampling_strategy_, dict):
            return  # no counts asked: SMOTEENN, SMOTETomek
        after = Counter(y_res)
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


def assert_predict_is_argmax_of_proba(classifier, X):
    """Assert that a fitted ``classifier`` predicts its most probable class.

    ``classifier.predict(X)`` must equal
    ``classifier.classes_[argmax(classifier.predict_proba(X), axis=1)]``.

    Parameters
    ----------
    classifier : estimator object
        A fitted classifier with ``predict_proba`` and ``classes_``.
    X : array-like of shape (n_samples, n_features)
        The samples to predict.

    Raises
    ------
    AssertionError
        If a prediction is not the class of highest probability.

    See Also
    --------
    check_predict_is_argmax_of_proba : The same promise, checked on small data.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ltlearn.utils.estimator_checks import assert_predict_is_argmax_of_proba
    >>> X, y = make_classification(n_samples=100, weights=[0.9], random_state=0)
    >>> classifier = LogisticRegression().fit(X, y)
    >>> assert_predict_is_argmax_of_proba(classifier, X)
    """
    proba = np.asarray(classifier.predict_proba(X))
    np.testing.assert_array_equal(
        classifier.predict(X),
        classifier.classes_[proba.argmax(axis=1)],
        err_msg=(
            f"{type(classifier).__name__}.predict is not the class of highest "
            "predict_proba"
        ),
    )


@_check_docstring("classifier")
def check_predict_is_argmax_of_proba(estimator):
    """Check that a classifier with ``predict_proba`` predicts its likeliest class.

    Fitted on small three-class data; estimators without ``predict_proba``
    (samplers included) are not concerned.

    {parameters}

    Raises
    ------
    AssertionError
        If a prediction on the training rows is not the class of highest
        probability.

    See Also
    --------
    assert_predict_is_argmax_of_proba : The assertion, on a fitted classifier.

    {examples}
    """
    est = clone(estimator)
    if is_sampler(est) or not hasattr(est, "predict_proba"):
        return
    X, y = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        est.fit(X, y)
        if hasattr(est, "predict_proba"):  # may depend on the fitted model
            assert_predict_is_argmax_of_proba(est, X)
