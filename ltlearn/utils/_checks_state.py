"""The contract checks on state: arrays, random streams, the process, pickles."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import random
import sys
import warnings

import numpy as np
from sklearn.base import clone

from ltlearn.utils._docstring import _check_docstring
from ltlearn.utils._global_state import (
    first_torch_step,
    global_state,
    open_resources,
    reseed_global_streams,
    resources_left,
)
from ltlearn.utils._test_common.fitting import (
    accepts_sample_weight,
    assert_same,
    fit_or_resample,
    is_sampler,
    make_data,
    outputs,
    predictions,
    seeded_clone,
)


@_check_docstring("sampler")
def check_does_not_modify_input(estimator):
    """Check that fitting and predicting leave the caller's arrays as they were.

    Covered: ``X``, ``y``, ``sample_weight`` (where ``fit`` takes it), the
    rows predicted on, and the array parameters (a ``cost_matrix`` parameter
    is given an array for the purpose).

    {parameters}

    Raises
    ------
    AssertionError
        If an array differs from its copy taken before the fit; the
        message names the array.

    See Also
    --------
    check_global_state_untouched : The same promise for the process's global state.

    {examples}
    """
    name = type(estimator).__name__
    X, y = make_data()
    est = clone(estimator)
    if "cost_matrix" in est.get_params():
        est.set_params(cost_matrix=np.array([[0, 1, 1], [2, 0, 1], [3, 2, 0]], float))
    arrays = {"X": X, "y": y, "X_test": X[::3].copy()}
    if accepts_sample_weight(est):
        arrays["sample_weight"] = np.random.default_rng(0).integers(1, 4, len(y)) * 1.0
    params = {
        key: value
        for key, value in est.get_params(deep=False).items()
        if isinstance(value, np.ndarray)
    }
    copies = {key: value.copy() for key, value in {**arrays, **params}.items()}
    outputs(
        est, X, y, sample_weight=arrays.get("sample_weight"), X_test=arrays["X_test"]
    )
    for key, value in {**arrays, **params}.items():
        np.testing.assert_array_equal(
            value, copies[key], err_msg=f"{name} modified {key} in place"
        )


@_check_docstring("sampler")
def check_same_random_state_same_result(estimator):
    """Check that two fits with the same integer ``random_state`` agree.

    The ``random_state`` of the estimator, where it has one, is set to 0, and
    two clones are fitted on the same data: their predictions, probabilities
    and decision values (for a sampler, the resampled ``X`` and ``y``) must
    be equal, floats to a relative tolerance of 1e-7.

    {parameters}

    Raises
    ------
    AssertionError
        If the two fits give different outputs; the message names the
        output.

    See Also
    --------
    check_global_state_untouched : A seeded fit leaves the global streams alone.
    check_pickle_round_trip : A pickled copy gives the same output too.

    {examples}
    """
    name = type(estimator).__name__
    X, y = make_data()
    est = seeded_clone(estimator)
    assert_same(outputs(est, X, y), outputs(est, X, y), name)


@_check_docstring("sampler")
def check_global_state_untouched(estimator):
    """Check that a seeded fit leaves the caller's global state as it was.

    With an int ``random_state`` and with a ``RandomState`` instance (which
    the fit uses, as in scikit-learn: two fresh ``RandomState(0)`` give the
    same result), fitting and predicting (or resampling) draws nothing from
    numpy's, Python's or torch's global random generators and leaves
    ``warnings.filters``, scikit-learn's configuration, numpy's error
    handling and print options, the SIGINT and SIGTERM handlers, the working
    directory, ``sys.path``, the environment, the thread limits of the BLAS
    and OpenMP libraries, matplotlib's ``rcParams``, and torch's threads,
    default dtype, gradient mode and deterministic mode as they were; once
    the fitted estimator is deleted, no thread it started runs and no file
    it opened is open (counted where ``/proc/self/fd`` lists them, on Linux).
    The global streams are restored afterwards.

    {parameters}

    Raises
    ------
    AssertionError
        If a fit changed a piece of the global state, left a thread
        running or a file open (the message names them), or two fits
        with fresh ``RandomState(0)`` instances gave different outputs.

    See Also
    --------
    check_does_not_modify_input : The same promise for the caller's arrays.
    check_same_random_state_same_result : The same integer seed gives the same result.

    {examples}
    """
    name = type(estimator).__name__
    X, y = make_data()
    est = clone(estimator)
    if "random_state" not in est.get_params():
        seeds = [None]
    else:
        seeds = [0, np.random.RandomState(0), np.random.RandomState(0)]
    first_torch_step()
    torch = sys.modules.get("torch")
    saved = (
        np.random.get_state(),
        random.getstate(),
        None if torch is None else torch.get_rng_state(),
    )
    results = []
    try:
        for i, seed in enumerate(seeds):
            if seed is not None:
                est.set_params(random_state=seed)
            fitted = clone(est)
            reseed_global_streams(1000 + i)
            before, opened = global_state(), open_resources()
            # Not under catch_warnings, which would restore the filters.
            resampled = fit_or_resample(fitted, X, y)
            result = predictions(fitted, X)
            del fitted
            after, left = global_state(), resources_left(opened, open_resources())
            changed = [key for key in before if before[key] != after[key]]
            assert not changed, f"{name} (random_state={seed!r}) changed {changed}"
            assert not left, f"{name} (random_state={seed!r}) left {left}"
            if resampled is not None:
                result = {"X_res": resampled[0], "y_res": resampled[1]}
            results.append(result)
    finally:
        np.random.set_state(saved[0])
        random.setstate(saved[1])
        if torch is not None:
            torch.set_rng_state(saved[2])
    if len(results) == 3:
        assert_same(results[1], results[2], name)


@_check_docstring("classifier")
def check_pickle_round_trip(estimator):
    """Check that a fitted estimator pickles and its copy gives the same output.

    A classifier's copy predicts as the original, whose pickle predicting
    leaves as it was; a sampler's copy keeps its fitted attributes and
    resamples as the original does.

    {parameters}

    Raises
    ------
    AssertionError
        If the copy's type, fitted ``sampling_strategy_`` or output
        differs from the original's, or predicting changed the pickle
        of the original.

    See Also
    --------
    check_same_random_state_same_result : Two fits with one seed agree.

    {examples}
    """
    name = type(estimator).__name__
    X, y = make_data()
    est = seeded_clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit_or_resample(est, X, y)
        fitted = pickle.dumps(est, protocol=pickle.HIGHEST_PROTOCOL)
        copy = pickle.loads(fitted)
        assert type(copy) is type(est)
        if is_sampler(est):
            assert copy.sampling_strategy_ == est.sampling_strategy_, name
            first, second = est.fit_resample(X, y), copy.fit_resample(X, y)
            assert_same(
                {"X_res": first[0], "y_res": first[1]},
                {"X_res": second[0], "y_res": second[1]},
                name,
            )
            return
        assert_same(predictions(est, X), predictions(copy, X), name)
        assert pickle.dumps(est, protocol=pickle.HIGHEST_PROTOCOL) == fitted, name
