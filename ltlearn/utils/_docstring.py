"""Docstring fragments shared by ltlearn's estimators.

Filled in with :class:`_Substitution`; each fragment is indented as a
parameter, an attribute or a whole section (``*_references_docstring``) of a
class docstring, ``_X_predict_docstring`` as the Parameters section of a
method.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re


class _Substitution:
    """Fill the ``{name}`` fields of a docstring, as
    :class:`imblearn.utils.Substitution` does, at any indentation.

    A fragment is written indented as the docstring is in the source: 4 spaces
    for a function or class, 8 for a method (one level per part of the
    object's ``__qualname__``). Python 3.13 removes that indentation from
    docstrings when it compiles them; each fragment's lines are moved to the
    indentation of its field's line, so that on every Python a fragment of
    several parameters stays several parameters. A docstring of ``None``
    (``python -OO``) stays ``None``.
    """

    def __init__(self, **fragments):
        self.fragments = fragments

    def __call__(self, obj):
        doc = obj.__doc__
        if not doc:
            return obj
        depth = sum(part != "<locals>" for part in obj.__qualname__.split("."))
        written = "\n" + " " * 4 * depth
        fragments = {}
        for name, text in self.fragments.items():
            field = re.search(rf"^([ \t]*){{{name}}}", doc, flags=re.MULTILINE)
            at = written if field is None else "\n" + field.group(1)
            fragments[name] = (
                text.replace(written, at) if isinstance(text, str) else text
            )
        obj.__doc__ = doc.format(**fragments)
        return obj


_random_state_docstring = """\
random_state : int, RandomState instance or None, default=None
        Controls the randomization of the algorithm. Pass an int for
        reproducible output across multiple function calls."""

_per_class_random_state_docstring = f"""\
{_random_state_docstring}
        Each class draws from its own stream, derived from ``random_state``
        and the class label."""

_sampling_strategy_attribute_docstring = """\
sampling_strategy_ : dict
        Dictionary containing the information to sample the dataset. The keys
        corresponds to the class labels from which to sample and the values
        are the number of samples to sample."""

_feature_names_docstring = """\
feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit`. Defined only when `X` has feature
        names that are all strings."""

_feature_attributes_docstring = f"""\
n_features_in_ : int
        Number of features in the input dataset.

    {_feature_names_docstring}"""

# For a meta-estimator that hands ``X`` to its model without reading it: a
# list of texts for a vectorising pipeline has no columns to count, and
# scikit-learn's validate_data then sets no n_features_in_.
_meta_feature_attributes_docstring = f"""\
n_features_in_ : int
        Number of features in the input dataset; not set when ``X`` has no
        columns to count, such as a list of texts for a pipeline that
        vectorises them.

    {_feature_names_docstring}"""

_smote_references_docstring = """\
References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique," Journal of Artificial
       Intelligence Research, 16, 321-357, 2002."""

_shot_thresholds_docstring = """\
many_threshold : int, default=100
        A class with more training samples than this is many-shot.
    few_threshold : int, default=20
        A class with fewer training samples than this is few-shot."""

# The Parameters section (``X`` alone) of ``predict``, ``predict_proba``,
# ``predict_log_proba`` and ``decision_function`` of an estimator that accepts
# sparse input; put ``{X}`` in place of the method's Parameters section and
# decorate the method with ``_Substitution(X=_X_predict_docstring)``.
_X_predict_docstring = """\
Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples."""

_logit_adjustment_references_docstring = """\
References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and
       S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021."""

_ldam_references_docstring = """\
References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga and T. Ma, "Learning
       Imbalanced Datasets with Label-Distribution-Aware Margin Loss",
       NeurIPS 2019."""

_decoupling_references_docstring = """\
References
    ----------
    .. [1] B. Kang, S. Xie, M. Rohrbach, Z. Yan, A. Gordo, J. Feng and
       Y. Kalantidis, "Decoupling Representation and Classifier for
       Long-Tailed Recognition", ICLR 2020."""

# The Parameters section (``estimator``) and the Examples section of a check
# of ``ltlearn.utils.estimator_checks``: put ``{parameters}`` and
# ``{examples}`` in its docstring and decorate it with ``_check_docstring``.
_check_parameters_docstring = """\
Parameters
    ----------
    estimator : estimator object
        The estimator to check, unfitted. The check fits clones of it and
        leaves ``estimator`` as it was."""

_CHECK_EXAMPLE_ESTIMATORS = {
    "sampler": (
        ["from ltlearn.over_sampling import SMOTE"],
        "SMOTE(random_state=0)",
    ),
    "classifier": (
        [
            "from sklearn.linear_model import LogisticRegression",
            "from ltlearn.post_hoc import LogitAdjustedClassifier",
        ],
        "LogitAdjustedClassifier(LogisticRegression())",
    ),
}


def _check_docstring(example_on):
    """Fill the ``{parameters}`` and ``{examples}`` fields of a check.

    The example runs the check on a cheap estimator: ``SMOTE`` for
    ``example_on="sampler"``, a post-hoc rule around a logistic regression
    for ``example_on="classifier"``.
    """
    imports, estimator = _CHECK_EXAMPLE_ESTIMATORS[example_on]

    def decorate(check):
        name = check.__name__
        lines = [
            *imports,
            f"from ltlearn.utils.estimator_checks import {name}",
            f"{name}({estimator})",
        ]
        examples = "Examples\n    --------" + "".join(
            f"\n    >>> {line}" for line in lines
        )
        return _Substitution(parameters=_check_parameters_docstring, examples=examples)(
            check
        )

    return decorate
