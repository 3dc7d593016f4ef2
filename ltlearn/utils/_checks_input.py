"""The contract checks on input types: labels, pandas and sparse input."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from unittest import SkipTest

import numpy as np
from sklearn.base import clone
from sklearn.utils import get_tags

from ltlearn.utils._checks_errors import _raises_naming
from ltlearn.utils._docstring import _check_docstring
from ltlearn.utils._test_common.fitting import (
    assert_same,
    extension_frame,
    fit_or_resample,
    is_sampler,
    make_data,
    outputs,
    seeded_clone,
    takes_labels,
)

_LABELS = {
    "str": np.array(["cat", "dog", "emu"]),
    "negative": np.array([-3, -2, 5]),
    "float": np.array([-2.0, 0.0, 3.0]),
    "bool": np.array([False, True]),
}


def _import_pandas(what):
    """pandas, or a ``SkipTest`` when it is not installed, as scikit-learn's checks.

    ``what`` ends the message: "pandas is not installed: not checking <what>".
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise SkipTest(f"pandas is not installed: not checking {what}") from exc
    return pd


@_check_docstring("sampler")
def check_label_types(estimator):
    """Check that string, boolean, negative and float labels are kept as they are.

    A classifier's ``classes_`` are the labels, and its predictions are
    labels of the same dtype kind; a sampler returns labels of the dtype of
    ``y``. Float labels are whole numbers, as scikit-learn requires of
    class labels. Estimators that are neither classifiers nor samplers are
    not concerned.

    {parameters}

    Raises
    ------
    AssertionError
        If the estimator returns labels it was not given, labels of
        another dtype kind, or ``classes_`` other than the labels.

    See Also
    --------
    check_string_labels_and_pandas : String labels with pandas input.
    check_pandas_extension_dtypes : Labels in pandas' extension dtypes.

    {examples}
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


@_check_docstring("sampler")
def check_string_labels_and_pandas(estimator):
    """Check that string labels and a DataFrame give labels and frames back.

    A sampler returns a DataFrame with the columns of ``X`` and a Series with
    the name of ``y``; a classifier keeps the column names in
    ``feature_names_in_`` and predicts on a frame without a feature-name
    warning. Estimators that are neither classifiers nor samplers are not
    concerned.

    {parameters}

    Raises
    ------
    AssertionError
        If the output loses the columns of ``X``, the name of ``y`` or
        the labels.
    AttributeError
        If a classifier fitted on the frame has no ``feature_names_in_``.
    UserWarning
        If predicting on the frame warns about feature names: the warning
        is raised as an error.
    unittest.SkipTest
        If pandas is not installed, as scikit-learn's pandas checks do
        (pytest reports the check as skipped).

    See Also
    --------
    check_label_types : Labels of other types, in NumPy arrays.
    check_pandas_extension_dtypes : Nullable, pyarrow and category dtypes.

    {examples}
    """
    if not takes_labels(estimator):
        return
    pd = _import_pandas("string labels in pandas input")
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


@_check_docstring("sampler")
def check_pandas_extension_dtypes(estimator):
    """Check that nullable, pyarrow and category dtypes work as NumPy arrays do.

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

    {parameters}

    Raises
    ------
    AssertionError
        If the output on pandas input differs from the output on the
        NumPy data, in values, dtypes or names, or a missing label is
        not refused with a ``ValueError`` that says so.
    unittest.SkipTest
        If pandas is not installed, as scikit-learn's pandas checks do
        (pytest reports the check as skipped).

    See Also
    --------
    check_string_labels_and_pandas : String labels in a NumPy-backed DataFrame.

    {examples}
    """
    if not takes_labels(estimator):
        return
    pd = _import_pandas("pandas extension dtypes")
    X, y = make_data()
    labels = np.array(["cat", "dog", "emu"], dtype=object)
    X_df = extension_frame(X)
    name = type(estimator).__name__
    est = seeded_clone(estimator)
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


@_check_docstring("sampler")
def check_sparse_input(estimator):
    """Check that sparse ``X`` gives what dense ``X`` gives, where the tags say so.

    For an estimator whose ``input_tags.sparse`` is True: from CSR and CSC
    input a sampler returns a sparse matrix of the same format, equal to its
    dense output; from CSR input a classifier predicts the same labels (on at
    least 95% of the rows: solvers may round differently) and probabilities
    that sum to 1.

    {parameters}

    Raises
    ------
    AssertionError
        If a sampler returns a dense matrix, another sparse format or
        other rows, or a classifier's predictions on sparse input
        differ from those on dense input on more than 5% of the rows or
        its probabilities do not sum to 1.

    See Also
    --------
    check_pandas_extension_dtypes : The same promise for pandas input.

    {examples}
    """
    from scipy import sparse

    if not get_tags(estimator).input_tags.sparse:
        return
    name = type(estimator).__name__
    X, y = make_data()
    est = seeded_clone(estimator)
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
