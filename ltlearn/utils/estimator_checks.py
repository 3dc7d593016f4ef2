"""ltlearn's own contract checks, run over every public estimator.

They complement scikit-learn's and imbalanced-learn's estimator checks with
what ltlearn promises its users: the caller's arrays (``X``, ``y``,
``sample_weight``, array parameters such as cost matrices) are never
modified, the same ``random_state`` gives the same result, bad input fails
with an error that names the problem, tiny classes are handled or refused by
name, string, boolean, negative and float labels and pandas input work
(nullable, pyarrow and category dtypes too; a missing label is refused),
sparse input works where the estimator's tags declare it, a fitted estimator
pickles and predicting leaves it unchanged, integer ``sample_weight`` acts as
repeated rows, and samplers return exactly the class counts their
``sampling_strategy`` asks for.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import random
import re
import sys
import warnings
from collections import Counter

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.utils import get_tags

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
    extension_frame,
    fit_or_resample,
    is_sampler,
    make_data,
    outputs,
    predictions,
    takes_labels,
)

__all__ = [
    "assert_predict_is_argmax_of_proba",
    "check_clear_errors",
    "check_does_not_modify_input",
    "check_global_state_untouched",
    "check_label_types",
    "check_one_sample_class",
    "check_pandas_extension_dtypes",
    "check_pickle_round_trip",
    "check_predict_is_argmax_of_proba",
    "check_resampled_counts",
    "check_same_random_state_same_result",
    "check_sample_weight_equivalence_to_repeats",
    "check_sparse_input",
    "check_string_labels_and_pandas",
]


def check_does_not_modify_input(estimator):
    """Fitting and predicting leave every array of the caller as it was.

    Covered: ``X``, ``y``, ``sample_weight`` (where ``fit`` takes it), the
    rows predicted on, and the array parameters (a ``cost_matrix`` parameter
    is given an array for the purpose).
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


def check_same_random_state_same_result(estimator):
    """Two fits with the same integer ``random_state`` give the same output."""
    name = type(estimator).__name__
    X, y = make_data()
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    assert_same(outputs(est, X, y), outputs(est, X, y), name)


def check_global_state_untouched(estimator):
    """A seeded fit leaves the caller's global state as it was.

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


def check_clear_errors(estimator):
    """Bad input raises a ValueError whose message names the problem.

    Covered: NaN and infinity in ``X`` (unless the estimator accepts NaN), a
    single class, a 1-D ``X``, an empty ``X`` (no rows), ``X`` without
    features, ``X`` and ``y`` of different lengths.
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


def check_one_sample_class(estimator):
    """Classes of one and of two samples are handled, or refused by name.

    The rare class is labelled 7. Fitting either succeeds (a warning is
    allowed) and then a sampler returns only known labels and a classifier
    predicts only known labels, with finite probabilities summing to 1; or it
    raises a ValueError that names the rare class (its label, 7). Estimators
    that are neither classifiers nor samplers are not concerned.
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


_LABELS = {
    "str": np.array(["cat", "dog", "emu"]),
    "negative": np.array([-3, -2, 5]),
    "float": np.array([-2.0, 0.0, 3.0]),
    "bool": np.array([False, True]),
}


def check_label_types(estimator):
    """String, boolean, negative and float labels are kept as they are.

    A classifier's ``classes_`` are the labels, and its predictions are
    labels of the same dtype kind; a sampler returns labels of the dtype of
    ``y``. Float labels are whole numbers, as scikit-learn requires of
    class labels. Estimators that are neither classifiers nor samplers are
    not concerned.
    """
    if not takes_labels(estimator):
        return
    name = type(estimator).__name__
    for kind, labels in _LABELS.items():
        X, y = make_data(n_classes=len(labels))
        y_lab = labels[y]
        est = clone(estimator)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            resampled = fit_or_resample(est, X, y_lab)
            out = resampled[1] if resampled is not None else est.predict(X)
        out = np.asarray(out)
        assert set(out.tolist()) <= set(labels.tolist()), (
            f"{name} with {kind} labels returned labels it was not given"
        )
        assert out.dtype.kind == y_lab.dtype.kind, (
            f"{name} with {kind} labels returned dtype {out.dtype}"
        )
        if resampled is None:
            assert list(est.classes_) == list(labels), (
                f"{name}.classes_ != {kind} labels"
            )


def check_string_labels_and_pandas(estimator):
    """String labels and a pandas DataFrame in give labels and frames back.

    A sampler returns a DataFrame with the columns of ``X`` and a Series with
    the name of ``y``; a classifier keeps the column names in
    ``feature_names_in_`` and predicts on a frame without a feature-name
    warning. Estimators that are neither classifiers nor samplers are not
    concerned.
    """
    import pandas as pd

    if not takes_labels(estimator):
        return
    name = type(estimator).__name__
    X, y = make_data()
    labels = np.array(["cat", "dog", "emu"], dtype=object)
    y_str = pd.Series(labels[y], name="animal")
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if is_sampler(est):
            X_res, y_res = est.fit_resample(X_df, y_str)
            assert isinstance(X_res, pd.DataFrame), f"{name} did not return a frame"
            assert list(X_res.columns) == list(X_df.columns)
            assert isinstance(y_res, pd.Series), f"{name} did not return a Series"
            assert y_res.name == "animal", f"{name} lost the name of y"
            assert set(np.unique(np.asarray(y_res))) <= set(labels)
            return
        est.fit(X_df, y_str)
    assert list(est.feature_names_in_) == list(X_df.columns), (
        f"{name}.feature_names_in_ != the columns of X"
    )
    assert list(est.classes_) == list(labels), f"{name}.classes_ != labels"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*feature names.*")
        y_pred = est.predict(X_df)
        proba = est.predict_proba(X_df) if hasattr(est, "predict_proba") else None
    assert set(np.unique(np.asarray(y_pred))) <= set(labels), (
        f"{name}.predict returned labels it was not trained on"
    )
    if proba is not None:
        assert proba.shape == (len(X_df), len(labels))


def check_pandas_extension_dtypes(estimator):
    """Nullable, pyarrow and category pandas dtypes work as NumPy arrays do.

    ``X`` is a DataFrame of nullable ``Float64`` and ``double[pyarrow]``
    columns on a shuffled index, and ``y`` a Series of ``string[pyarrow]``,
    then ``category``, labels on an index of its own: rows match by position,
    as in scikit-learn, never by index. A classifier predicts what it
    predicts from the NumPy data (labels of object dtype), whatever the index
    of the rows at predict; a sampler returns the rows it returns from the
    NumPy data, in a DataFrame of the columns and dtypes of ``X`` and a Series
    of the dtype and name of ``y``. A ``y`` with a missing label (``pd.NA``)
    is refused with a ValueError that says so. Estimators that
    are neither classifiers nor samplers are not concerned.
    """
    import pandas as pd

    if not takes_labels(estimator):
        return
    name = type(estimator).__name__
    X, y = make_data()
    labels = np.array(["cat", "dog", "emu"], dtype=object)
    X_df = extension_frame(X)
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    expected = outputs(est, X, labels[y])
    for dtype in ("string[pyarrow]", "category"):
        if dtype.endswith("[pyarrow]") and "double[pyarrow]" not in X_df.dtypes.values:
            continue  # no pyarrow
        index = np.arange(y.size)[::-1]  # not that of X
        y_s = pd.Series(labels[y], dtype=dtype, name="animal", index=index)
        found = outputs(est, X_df, y_s, X_test=X_df.set_axis(X_df.index[::-1]))
        if is_sampler(est):
            X_res, y_res = found["X_res"], found["y_res"]
            assert list(X_res.dtypes) == list(X_df.dtypes), (
                f"{name} changed the dtypes of X: {list(X_res.dtypes)}"
            )
            assert y_res.dtype == y_s.dtype and y_res.name == "animal", (
                f"{name} with y of dtype {dtype} returned {y_res.dtype}"
            )
            np.testing.assert_allclose(
                X_res.to_numpy(dtype=float), expected["X_res"], err_msg=name
            )
            np.testing.assert_array_equal(np.asarray(y_res), expected["y_res"])
            continue
        for method, output in found.items():
            output = np.asarray(output)
            assert output.dtype == np.asarray(expected[method]).dtype, (
                f"{name}.{method} with y of dtype {dtype} returned {output.dtype}"
            )
            assert_same({method: output}, expected, f"{name} on pandas input")
    y_na = pd.Series(labels[y], dtype="string").mask(np.arange(y.size) == 5)
    fit = clone(est).fit_resample if is_sampler(est) else clone(est).fit
    _raises_naming(lambda: fit(X_df, y_na), r"missing", f"{name} with pd.NA in y")


def check_sparse_input(estimator):
    """Sparse ``X`` gives what dense ``X`` gives, where the tags declare it.

    For an estimator whose ``input_tags.sparse`` is True: from CSR and CSC
    input a sampler returns a sparse matrix of the same format, equal to its
    dense output; from CSR input a classifier predicts the same labels (on at
    least 95% of the rows: solvers may round differently) and probabilities
    that sum to 1.
    """
    from scipy import sparse

    if not get_tags(estimator).input_tags.sparse:
        return
    name = type(estimator).__name__
    X, y = make_data()
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    dense = outputs(est, X, y)
    # a sampler must keep the format; a classifier is fit on CSR only (speed)
    for fmt in ("csr", "csc") if is_sampler(est) else ("csr",):
        X_sp = sparse.csr_matrix(X) if fmt == "csr" else sparse.csc_matrix(X)
        found = outputs(est, X_sp, y)
        if is_sampler(est):
            assert sparse.issparse(found["X_res"]), f"{name} returned dense X"
            assert found["X_res"].format == fmt, f"{name} changed the format"
            np.testing.assert_allclose(
                found["X_res"].toarray(), dense["X_res"], rtol=1e-6, err_msg=name
            )
            np.testing.assert_array_equal(found["y_res"], dense["y_res"])
            continue
        agree = np.mean(np.asarray(found["predict"]) == np.asarray(dense["predict"]))
        assert agree >= 0.95, (
            f"{name} on {fmt} input agrees with dense input on {agree:.0%} of rows"
        )
        if "predict_proba" in found:
            np.testing.assert_allclose(
                found["predict_proba"].sum(axis=1), 1.0, rtol=1e-6, err_msg=name
            )


def check_pickle_round_trip(estimator):
    """A fitted estimator pickles, and the copy gives the same output.

    A classifier's copy predicts as the original, whose pickle predicting
    leaves as it was; a sampler's copy keeps its fitted attributes and
    resamples as the original does.
    """
    name = type(estimator).__name__
    X, y = make_data()
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
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


def check_sample_weight_equivalence_to_repeats(estimator):
    """Integer ``sample_weight`` gives what repeating the rows gives.

    Only for classifiers whose ``fit`` takes ``sample_weight``. Weights of 0
    to 3, heavier on the rare class, so that a rule that ignores them moves;
    predictions on new rows must agree on at least 95% of them and the
    probabilities within 0.05 (cross-validated rules see different folds of
    the repeated rows, and solvers stop at a tolerance).
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
    est = clone(estimator)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
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


def check_resampled_counts(estimator):
    """A sampler returns exactly the class counts ``sampling_strategy_`` asks for.

    imbalanced-learn's own count checks only run for subclasses of its bases,
    so ltlearn asserts them itself, for the default strategy and a dict (for
    an under-sampler, one that keeps the rarest class's count of the others).
    A cleaning sampler, whose counts depend on the data, is not concerned, nor
    is one that cleans after resampling and keeps ``sampling_strategy_`` as
    given instead of a dict of counts (imbalanced-learn's ``SMOTEENN``).
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


def check_predict_is_argmax_of_proba(estimator):
    """A classifier with ``predict_proba`` predicts its most probable class.

    Fitted on small three-class data; estimators without ``predict_proba``
    (samplers included) are not concerned.
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
