"""Scorers for ``GridSearchCV(scoring=...)`` on imbalanced data."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from copy import deepcopy

from imblearn.metrics import geometric_mean_score
from sklearn.metrics import (
    balanced_accuracy_score,
    f1_score,
    get_scorer_names,
    make_scorer,
)
from sklearn.utils._param_validation import StrOptions, validate_params

from ltlearn.metrics._classification import (
    _SHOT_THRESHOLD_CONSTRAINTS,
    _check_shot_thresholds,
    _shot_accuracy,
)
from ltlearn.metrics._label_checks import _check_no_missing_labels, _check_y_train
from ltlearn.utils._docstring import _shot_thresholds_docstring, _Substitution

# The metric and the keyword arguments of each named scorer. pos_label=None, as
# in scikit-learn's "f1_macro": these scores average over the classes, and the
# scorer's default pos_label=1 is refused for binary labels without a 1
# ("neg"/"pos").
_SCORERS = {
    "balanced_accuracy": (balanced_accuracy_score, {}),
    "geometric_mean": (geometric_mean_score, {"pos_label": None}),
    "macro_f1": (f1_score, {"average": "macro", "pos_label": None}),
}
# scikit-learn's names of the same scorers.
_SCORER_ALIASES = {"f1_macro": "macro_f1"}


def _make_named_scorer(name):
    """A new scorer of ``_SCORERS[name]``, without any metadata request."""
    metric, kwargs = _SCORERS[name]
    return make_scorer(metric, **kwargs)


balanced_accuracy_scorer = _make_named_scorer("balanced_accuracy")
geometric_mean_scorer = _make_named_scorer("geometric_mean")
macro_f1_scorer = _make_named_scorer("macro_f1")


def _shot_score(y_true, y_pred, *, group, sample_weight=None, **params):
    # sample_weight is named: scikit-learn reads the signature to decide
    # whether a search or a multimetric scorer passes the weights on
    return _shot_accuracy(
        y_true, y_pred, groups=(group,), sample_weight=sample_weight, **params
    )[group]


@validate_params(
    {
        "y_train": ["array-like"],
        "group": [StrOptions({"many", "medium", "few"})],
        **_SHOT_THRESHOLD_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
@_Substitution(shot_thresholds=_shot_thresholds_docstring)
def make_shot_scorer(y_train, *, group="few", many_threshold=100, few_threshold=20):
    """Make a scorer of many-, medium- or few-shot accuracy.

    The groups are fixed once, from the class counts of ``y_train`` (the
    whole training set), so that every cross-validation fold scores the same
    classes.

    Parameters
    ----------
    y_train : array-like of shape (n_samples,)
        Labels of the whole training set.
    group : {{"many", "medium", "few"}}, default="few"
        The group whose accuracy is scored.
    {shot_thresholds}

    Returns
    -------
    scorer : callable
        A scorer ``scorer(estimator, X, y, sample_weight=None)``, greater is
        better.

    See Also
    --------
    ltlearn.metrics.shot_accuracy : The metric itself.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from ltlearn.datasets import load_digits_lt
    >>> from ltlearn.metrics import make_shot_scorer
    >>> X, _, y, _ = load_digits_lt(imbalance_ratio=10, random_state=0,
    ...                             return_X_y=True)
    >>> scorer = make_shot_scorer(y, many_threshold=50, few_threshold=30)
    >>> scores = cross_val_score(LogisticRegression(max_iter=500), X, y, cv=3,
    ...                          scoring=scorer)
    >>> scores.shape
    (3,)
    """
    # checked here, not in every fold, where cross-validation would turn the
    # error into NaN scores
    _check_shot_thresholds(many_threshold, few_threshold)
    # missing labels named as shot_accuracy names them, not as a mix of
    # strings and numbers ("'a' and None") or scikit-learn's NaN
    _check_no_missing_labels(y_train=y_train)
    # a copy: the caller's array may change after the scorer is made (under
    # the array API dispatch, an array of its own library, such as a torch
    # tensor, which has no copy method)
    y_train = _check_y_train(y_train)
    y_train = y_train.copy() if hasattr(y_train, "copy") else deepcopy(y_train)
    return make_scorer(
        _shot_score,
        y_train=y_train,
        group=group,
        many_threshold=many_threshold,
        few_threshold=few_threshold,
    )


@validate_params({"name": [str]}, prefer_skip_nested_validation=True)
def get_scorer(name):
    """Get one of ltlearn's scorers by name.

    Parameters
    ----------
    name : {"balanced_accuracy", "geometric_mean", "macro_f1", "f1_macro"}
        The scorer's name; ``"f1_macro"``, scikit-learn's name of the
        macro-F1, is ``"macro_f1"`` (the post-hoc rules' ``scoring`` takes
        both names too).

    Returns
    -------
    scorer : callable
        A scorer ``scorer(estimator, X, y)``, greater is better; a new one
        at each call, as :func:`sklearn.metrics.get_scorer` gives, without
        the metadata requests set on another: a ``set_score_request`` on
        :data:`~ltlearn.metrics.geometric_mean_scorer` does not reach it.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ltlearn.metrics import get_scorer
    >>> X, y = make_classification(weights=[0.9], random_state=0)
    >>> model = LogisticRegression().fit(X, y)
    >>> bool(0 <= get_scorer("geometric_mean")(model, X, y) <= 1)
    True
    """
    try:
        # made anew, as scikit-learn's get_scorer copies scorers of its own: a
        # metadata request (set_score_request) set on the scorer returned, or
        # on the module's geometric_mean_scorer, must not reach another's
        return _make_named_scorer(_SCORER_ALIASES.get(name, name))
    except KeyError:
        # a name of scikit-learn's ("roc_auc", "average_precision", "f1") is
        # sent there: ltlearn's get_scorer holds only its own
        peer = (
            f" {name!r} is a scorer of scikit-learn's: use "
            f"sklearn.metrics.get_scorer({name!r}) (or scoring={name!r})."
            if name in get_scorer_names()
            else ""
        )
        raise ValueError(
            f"Unknown scorer {name!r}; choose one of "
            f"{sorted([*_SCORERS, *_SCORER_ALIASES])}, or make a "
            f"few-shot scorer with make_shot_scorer(y_train).{peer}"
        ) from None
