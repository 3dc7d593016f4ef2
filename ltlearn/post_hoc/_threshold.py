"""Threshold-moving: rescale class probabilities by misclassification costs."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _estimator_has, check_is_fitted

from ltlearn.post_hoc._base import (
    _TIE_WINDOW,
    _BasePostHocClassifier,
    _check_prior_counts,
    _finite_scores,
    _mended_proba,
    _post_hoc_docstring,
)
from ltlearn.post_hoc._trained_adjustment import _warn_adjusting_twice
from ltlearn.utils._class_order import _axis_positions, _in_class_order, _is_pandas
from ltlearn.utils._validation import model_proba, real_values


def _check_cost_matrix(cost_matrix, classes, y, sample_weight=None):
    """Return the ``(n_classes, n_classes)`` cost matrix and the class costs."""
    n_classes = classes.size
    off_diagonal = 1.0 - np.eye(n_classes)
    if isinstance(cost_matrix, str):  # "balanced": cost n / (K n_k)
        cost_matrix = compute_class_weight(
            "balanced", classes=classes, y=y, sample_weight=sample_weight
        )

    costs = _in_class_order(cost_matrix, classes, "cost_matrix")
    costs = real_values(costs, "cost_matrix")  # a copy: never the caller's
    if costs.shape not in ((n_classes,), (n_classes, n_classes)):
        raise ValueError(
            f"cost_matrix has shape {costs.shape}; with {n_classes} classes, "
            f"{classes.tolist()!r}, it must be ({n_classes}, {n_classes}) (rows: "
            f"true class, columns: predicted class) or ({n_classes},) (one cost "
            "per true class)."
        )
    negative = costs < 0
    if costs.ndim == 2:
        # a gain of a correct prediction (a negative diagonal) is told below
        # how to write it, as a non-zero diagonal is
        np.fill_diagonal(negative, False)
    refused = ~np.isfinite(costs) | negative
    if refused.any():
        # the first refused cost: (true class,) or (true, predicted class)
        where = tuple(np.argwhere(refused)[0])
        labels = [classes.tolist()[i] for i in where]
        place = (
            f"class {labels[0]!r}"
            if costs.ndim == 1
            else f"true class {labels[0]!r} predicted as {labels[1]!r}"
        )
        raise ValueError(
            "cost_matrix must hold finite, non-negative costs; got "
            f"{costs[where]:g} for {place}."
        )
    if costs.ndim == 1:
        costs = costs[:, None] * off_diagonal
    elif np.any(np.diag(costs) != 0):
        advice = _one_axis_labelled(cost_matrix, classes) or (
            "subtract from each row its diagonal entry (cost_matrix - "
            "np.diag(cost_matrix)[:, None]): that shifts the expected cost of "
            "every decision on a sample by the same amount, so no decision "
            "changes."
        )
        raise ValueError(
            "cost_matrix must have a zero diagonal: a correct prediction costs "
            f"nothing. Got the diagonal {np.diag(costs).tolist()!r}; {advice}"
        )
    with np.errstate(over="ignore"):  # refused by "rescale" only
        class_costs = costs.sum(axis=1)
    free = np.flatnonzero(class_costs == 0)
    if free.size:
        raise ValueError(
            f"Class {classes.tolist()[free[0]]!r} has zero misclassification cost in "
            f"cost_matrix, so it would never be predicted; give it a positive "
            f"cost."
        )
    return costs, class_costs


def _one_axis_labelled(cost_matrix, classes):
    """Why a DataFrame labelled by the classes on one axis only was misread.

    Its other axis is read by position, in the order of ``classes_``: a
    matrix whose two axes were written in one order other than that of
    ``classes_`` (``"low"``, ``"medium"``, ``"high"`` against the sorted
    ``"high"``, ``"low"``, ``"medium"``) then has costs on its diagonal, which
    subtracting the diagonal would hide. Returns the advice, or ``""`` for
    anything else, such as a labelled axis already in the order of
    ``classes_``, whose diagonal is the one given.
    """
    if not (_is_pandas(cost_matrix) and hasattr(cost_matrix, "columns")):
        return ""
    labels = classes.tolist()
    positions = _axis_positions(cost_matrix, labels, "cost_matrix")
    by_position = [name for name, where in positions.items() if where is None]
    if len(by_position) != 1:
        return ""
    (other,) = by_position
    (named,) = set(positions) - {other}
    if positions[named] == list(range(len(labels))):  # read as by position
        return ""
    return (
        f"the {named} of cost_matrix {'holds' if named == 'index' else 'hold'} "
        f"the classes and its {other} "
        f"{'does' if other == 'index' else 'do'} not, so that its {other} "
        f"{'is' if other == 'index' else 'are'} read by position, in the order "
        f"of classes_ {labels!r}; label its {other} by the classes too."
    )


@_post_hoc_docstring
class ThresholdMovingClassifier(_BasePostHocClassifier):
    """Move the decision thresholds of a classifier by misclassification costs.

    Threshold-moving (Zhou and Liu, 2006) leaves the training of
    ``estimator`` alone and rescales its class probabilities at prediction
    time: the probability of class ``i`` is multiplied by the cost of
    misclassifying a sample of class ``i``, ``sum_c cost_matrix[i, c]``, and
    renormalised; the prediction is the largest rescaled probability. Costly
    (rare) classes become easier to predict.

    .. versionadded:: 0.1

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``fit`` and ``predict_proba``, trained on the natural
        class distribution (its probabilities are rescaled). Wrap an already
        fitted classifier in :class:`~sklearn.frozen.FrozenEstimator` to use it
        without refitting.

    cost_matrix : "balanced", array-like of shape (n_classes, n_classes) \
            or (n_classes,), or dict, default="balanced"
        Misclassification costs, rows and entries in the order of
        ``classes_``, the sorted labels (``"high"``, ``"low"``, ``"medium"``
        for ordered text labels); a dict of one cost per class, a pandas
        Series indexed by the classes or a DataFrame indexed or labelled by
        them is read by class label (an index that names some classes but not
        each once is refused; an axis of a DataFrame that does not hold the
        classes is read by position, so label both). A matrix holds at
        ``[i, j]`` the cost of predicting class ``j`` for a sample of class
        ``i`` (zero diagonal); a vector holds the cost of misclassifying each
        class. ``"balanced"`` sets the cost of class ``k`` to ``n_samples /
        (n_classes * n_k)`` from the training labels, i.e. inversely
        proportional to its prior, which targets the balanced accuracy (with
        ``sample_weight``, ``n_samples`` and ``n_k`` are sums of weights).

    decision : {{"rescale", "expected_cost"}}, default="rescale"
        The decision rule.

        - ``"rescale"``: Zhou and Liu's threshold-moving, the class
          probabilities multiplied by the class costs (the row sums of the
          cost matrix) and renormalised; ``predict`` is their argmax.
        - ``"expected_cost"``: the class of least expected cost,
          ``argmin_j sum_i p_i(x) cost_matrix[i, j]``, the Bayes decision for
          any cost matrix when the probabilities are calibrated.
          ``predict_proba`` then returns the probabilities of ``estimator_``
          unchanged, as :class:`~sklearn.model_selection.FixedThresholdClassifier`
          does, and ``predict`` is not always their argmax.

        Both rules agree when the cost of a mistake depends only on the true
        class (a cost vector, ``"balanced"``) and for any binary cost matrix.

    Attributes
    ----------
    {fitted_estimator}

    cost_matrix_ : ndarray of shape (n_classes, n_classes)
        The cost matrix used.

    class_costs_ : ndarray of shape (n_classes,)
        The cost of each class, the row sums of ``cost_matrix_``: the weights
        of the class probabilities.

    {input_features}

    See Also
    --------
    LogitAdjustedClassifier : Reweight by a power of the class prior.
    PluginClassifier : Learn the weights that optimise a metric.
    sklearn.model_selection.FixedThresholdClassifier : Binary fixed threshold.

    Notes
    -----
    The ``"rescale"`` rule is the Bayes decision (least expected cost)
    whenever the cost of a mistake depends only on the true class,
    ``cost_matrix[i, j] = c_i`` for ``j != i``, and for any binary cost
    matrix: class 1 is predicted when ``p_1(x) > C[0, 1] / (C[0, 1] +
    C[1, 0])``. For other multiclass matrices it is Zhou and Liu's
    approximation, which reduces each row to its sum; ``"expected_cost"``
    gives the exact Bayes decision there. Costs proportional to
    ``prior ** -tau`` give post-hoc logit adjustment
    (:class:`LogitAdjustedClassifier`); the ``"balanced"`` costs are its
    ``tau=1``, so that a :class:`~ltlearn.deep.LongTailClassifier` trained
    with the logit-adjusted, balanced softmax or VS loss, which already
    compensates the prior, would be adjusted a second time (``fit`` warns).

    With ``"rescale"``, ``predict_proba`` returns the rescaled probabilities,
    so that ``predict`` is their argmax.

    References
    ----------
    .. [1] Z.-H. Zhou and X.-Y. Liu, "Training cost-sensitive neural networks
       with methods addressing the class imbalance problem", IEEE Transactions
       on Knowledge and Data Engineering, 18(1):63-77, 2006.

    {binary_examples_opening}
    >>> from ltlearn.post_hoc import ThresholdMovingClassifier
    >>> clf = ThresholdMovingClassifier(LogisticRegression()).fit(X, y)
    >>> clf.class_costs_.round(2)
    array([0.56, 5.  ])
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints: dict = {
        **_BasePostHocClassifier._parameter_constraints,
        "cost_matrix": [StrOptions({"balanced"}), "array-like", dict],
        "decision": [StrOptions({"rescale", "expected_cost"})],
    }

    def __init__(self, estimator, *, cost_matrix="balanced", decision="rescale"):
        self.estimator = estimator
        self.cost_matrix = cost_matrix
        self.decision = decision

    def _fit_weights(self, X, y, codes, counts, sample_weight, params):
        if isinstance(self.cost_matrix, str):
            _check_prior_counts(counts, self.classes_, sample_weight is not None)
            _warn_adjusting_twice(
                self.estimator_, 'cost_matrix="balanced"', counts / counts.sum()
            )
        self.cost_matrix_, self.class_costs_ = _check_cost_matrix(
            self.cost_matrix, self.classes_, y, sample_weight
        )
        if self.decision == "rescale":
            self._refuse_infinite_class_costs()

    def _refuse_infinite_class_costs(self):
        """Refuse ``decision="rescale"`` of class costs past the largest float.

        At fit, and at prediction, which reads ``decision`` as it is then
        set (by ``set_params`` after the fit, say).
        """
        infinite = np.flatnonzero(np.isinf(self.class_costs_))
        if infinite.size:
            raise ValueError(
                f"The costs of class {self.classes_.tolist()[infinite[0]]!r} in "
                "cost_matrix sum to more than the largest float, which "
                'decision="rescale" multiplies the probabilities by; scale '
                "cost_matrix down (the decisions depend only on the ratios of "
                'the costs), or use decision="expected_cost".'
            )

    def _class_log_weights(self):
        if self.decision == "expected_cost":  # the probabilities unchanged
            return np.zeros(self.classes_.size)
        self._refuse_infinite_class_costs()
        return np.log(self.class_costs_)

    @_post_hoc_docstring
    def predict_proba(self, X):
        """Rescaled class probabilities, whose argmax is ``predict``.

        With ``decision="rescale"``, the probabilities of ``estimator_``
        multiplied by ``class_costs_`` and renormalised to sum to one per row
        (in log space). With ``decision="expected_cost"``, the probabilities
        of ``estimator_`` unchanged; ``predict`` is then the class of least
        expected cost, not always their argmax.

        {samples}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        return super().predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    @_post_hoc_docstring
    def decision_function(self, X):
        """Decision scores consistent with ``predict``.

        {decision_available}

        With ``decision="rescale"``: binary, the log-odds of the rescaled
        probabilities, ``log predict_proba(X)[:, 1] - log
        predict_proba(X)[:, 0]`` (the log-odds of ``estimator_`` plus
        ``log(class_costs_[1] / class_costs_[0])``); multiclass,
        ``predict_log_proba(X)``.

        With ``decision="expected_cost"``: binary, the expected cost of
        predicting ``classes_[0]`` minus that of predicting ``classes_[1]``,
        ``p_1(x) cost_matrix_[1, 0] - p_0(x) cost_matrix_[0, 1]``, how much
        cheaper ``classes_[1]`` is; multiclass, the negated expected cost of
        predicting each class, ``-(p(x) @ cost_matrix_)``.

        Binary scores are positive exactly where ``classes_[1]`` is predicted
        and rank the samples as the probabilities of ``classes_[1]`` do, so
        the ``"roc_auc"`` scorer, which calls ``decision_function`` first,
        gives the value it gives with ``predict_proba`` (up to samples whose
        probabilities round to the same float, 1.0 say, which the scores may
        still tell apart, or the reverse: ``"expected_cost"`` scores of
        probabilities of class ``classes_[1]`` near 0 round to the same
        float). Multiclass scores have ``predict`` as their argmax. Every
        score is finite, as scikit-learn's metrics require: an infinite one
        (a probability of 0) is given as ``1.3e154`` (the square root of the
        largest float), of its sign, and an expected cost beyond half the
        largest float as half the largest float.

        {samples}

        {decision_scores}
        """
        if self.decision == "rescale":
            return super().decision_function(X)
        # costs may reach the largest float: clipped only there
        return _finite_scores(-self._expected_costs(X), np.finfo(float).max / 2)

    def _expected_costs(self, X):
        """The expected cost of predicting each class, ``p(x) @ cost_matrix_``.

        Costs equal in exact arithmetic can end an ulp or two apart (a
        probability at the threshold of a binary matrix: ``0.4 * 3`` and
        ``0.6 * 2``): those within ``_TIE_WINDOW`` of a row's least are set to
        it, a tie, on which ``argmin`` picks the first class, as the
        ``"rescale"`` rule does.
        """
        check_is_fitted(self)
        # the probabilities of predict_proba
        proba = _mended_proba(model_proba(self.estimator_, X, self.classes_))
        costs = proba @ self.cost_matrix_
        least = costs.min(axis=1, keepdims=True)
        tied = costs <= least + _TIE_WINDOW * least  # costs are not negative
        return np.where(tied, least, costs)

    def _predict_codes(self, X):
        if self.decision == "rescale":
            return super()._predict_codes(X)
        return np.argmin(self._expected_costs(X), axis=1)
