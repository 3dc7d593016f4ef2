"""Docstring fragments shared by the prediction methods of ltlearn's estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

# The ``X`` parameter of ``predict``, ``predict_proba``, ``predict_log_proba``
# and ``decision_function`` of an estimator that accepts sparse input; put
# ``{X}`` in the method's Parameters section and decorate the method with
# ``imblearn.utils.Substitution(X=_X_predict_docstring)``.
_X_predict_docstring = """X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.""".rstrip()  # noqa: E501
