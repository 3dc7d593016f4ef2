"""Post-hoc logit adjustment: subtract tau * log(prior) from the logits."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ltlearn.post_hoc._base import (
    _TIE_WINDOW,
    _adjusted_log_proba,
    _BasePostHocClassifier,
    _check_prior_counts,
    _log_proba,
    _post_hoc_docstring,
)
from ltlearn.post_hoc._rule_scores import (
    _SCORINGS,
    _check_scoring,
    _ranked,
    _score_codes,
)
from ltlearn.post_hoc._trained_adjustment import _warn_adjusting_twice
from ltlearn.utils._class_order import _in_class_order
from ltlearn.utils._validation import real_values, summable_weights

# The values of tau that tau="auto" tries.
_TAU_GRID = np.round(np.arange(0.0, 3.01, 0.1), 2)

# Why tau="auto" around a given prior needs samples of every class in y.
_SCORED_TAUS = (
    "for tau='auto' to score the values of tau it tries on them (the prior "
    "given is not estimated from y). Fit on rows of every class, or give a "
    "numeric tau."
)


def _adjusted_argmax(proba, log_proba, log_weights):
    """``argmax(_adjusted_log_proba(proba, log_weights), axis=1)``, cheaper.

    ``log_proba`` is ``_log_proba(proba)``. The normalisation subtracts from
    each row of ``log_proba + log_weights`` its maximum, then the log of a
    sum between 1 and ``n_classes``: rounding keeps the order of two values
    of the row or makes them equal, which it can only where they differ by a
    few ulps of that log. The rows are normalised (for the argmax predict
    takes) only where two values are that close without being equal; the
    exponentials of the normalisation cost more than the plain argmax.
    """
    shifted = log_proba + log_weights
    pred = np.argmax(shifted, axis=1)
    top = np.take_along_axis(shifted, pred[:, None], axis=1)
    close = _TIE_WINDOW * max(1.0, np.log(proba.shape[1]))
    within = shifted >= top - close
    # one value a row, its maximum, unless some are close, equal or NaN
    if np.count_nonzero(within) != pred.size:
        near = within & (shifted < top)
        if near.any() or np.isnan(top).any():
            return np.argmax(_adjusted_log_proba(proba, log_weights), axis=1)
    return pred


@_post_hoc_docstring
class LogitAdjustedClassifier(_BasePostHocClassifier):
    """Post-hoc logit adjustment of a classifier's probabilities.

    Predicts ``argmax_k log p_k(x) - tau * log prior_k`` (Menon et al., 2021):
    the class probabilities of ``estimator`` are divided by the class prior
    raised to ``tau`` and renormalised. ``tau=1`` is the Bayes rule for the
    balanced error when ``p`` is calibrated; ``tau=0`` is the plain argmax.
    ``tau="auto"`` picks ``tau`` on out-of-fold probabilities for
    ``scoring``.

    .. versionadded:: 0.1

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``fit`` and ``predict_proba``, trained on the natural
        class distribution. Wrap an already fitted classifier in
        :class:`~sklearn.frozen.FrozenEstimator` to use it without refitting.

    tau : float or "auto", default=1.0
        Strength of the adjustment, ``tau >= 0``. ``"auto"`` tries
        ``0, 0.1, ..., 3`` on out-of-fold probabilities and keeps the best for
        ``scoring`` (the value closest to 1 among ties).

    prior : "train", array-like of shape (n_classes,) or dict, default="train"
        The class prior ``pi``: the class frequencies of the training labels
        (weighted by ``sample_weight`` when ``fit`` gets it), or given in the
        order of ``classes_`` (normalised to sum to one). A dict, or a pandas
        Series indexed by the classes (``y.value_counts()``), is read by
        class label; a Series whose index names some classes but not each
        once is refused. It is the prior that the probabilities of
        ``estimator`` carry, which the rule divides out, not the prior of the
        data to predict: for a deployment prior ``q``, ``prior=pi / q``
        with ``tau=1`` multiplies them by ``q / pi`` (see the
        :ref:`User Guide <post_hoc_deployment_prior>`). Around a
        ``FrozenEstimator``, ``"train"`` is the class mix of the rows given
        to :meth:`fit`: where it is not that of the rows the model was
        trained on (a later month), give the latter (see the
        :ref:`User Guide <post_hoc_time_order>`).

    scoring : {{"balanced_accuracy", "geometric_mean", "f1", "f1_macro", \
            "macro_f1"}} or callable, default="balanced_accuracy"
        The metric that ``tau="auto"`` maximises; ``"f1"`` is the F1 score of
        ``classes_[1]`` (binary only); ``"f1_macro"``, or ``"macro_f1"`` as
        :func:`~ltlearn.metrics.get_scorer` names it, the mean F1 over the
        classes. A callable is a metric
        ``score(y_true, y_pred) -> float``, greater is better; a ``tau`` it
        scores NaN ranks below every other, as in ``GridSearchCV``. Unused
        for a numeric ``tau``.

    cv : int, cross-validation generator, iterable or None, default=5
        Splits for the out-of-fold probabilities of ``tau="auto"``; an int is
        the number of folds of a :class:`~sklearn.model_selection.StratifiedKFold`,
        and ``None`` is 5 of them, as in scikit-learn.
        The test folds must cover each sample exactly once, as for
        :func:`~sklearn.model_selection.cross_val_predict`: shuffled or
        repeated splits (``ShuffleSplit``, ``RepeatedStratifiedKFold``), a
        float and ``TimeSeriesSplit`` (:ref:`rows in time order
        <post_hoc_time_order>`) are refused. Unused for a numeric ``tau`` or a
        ``FrozenEstimator``, whose probabilities on the training data are
        used instead (give it rows the classifier was not trained on, a
        validation split). A splitter by groups gets them from :meth:`fit` with
        metadata routing enabled only.
        {cv_small_classes}

    store_cv_results : bool, default=False
        Whether to keep the out-of-fold score of every ``tau`` that
        ``tau="auto"`` tries in ``cv_results_``, as
        :class:`~sklearn.model_selection.TunedThresholdClassifierCV` keeps the
        score of every threshold. Unused for a numeric ``tau``, which is not
        searched: ``cv_results_`` is then ``None``.

        .. versionadded:: 0.1

    Attributes
    ----------
    {fitted_estimator}

    prior_ : ndarray of shape (n_classes,)
        The class prior used.

    tau_ : float
        The ``tau`` used.

    best_score_ : float or None
        The out-of-fold ``scoring`` of ``tau_`` when ``tau="auto"``, else
        ``None``.

    cv_results_ : dict of ndarray or None
        Set when ``store_cv_results=True``: ``{{"tau": ..., "scores": ...}}``,
        the values of ``tau`` tried and their out-of-fold ``scoring`` (as
        the ``"thresholds"`` and ``"scores"`` of
        :class:`~sklearn.model_selection.TunedThresholdClassifierCV`);
        ``None`` for a numeric ``tau``, which is not searched.

    {input_features}

    See Also
    --------
    ThresholdMovingClassifier : Reweight by misclassification costs.
    PluginClassifier : Learn the weights that optimise a metric.

    Notes
    -----
    Logit adjustment is threshold-moving with class costs proportional to
    ``prior ** -tau`` (Zhou and Liu's rule, as Menon et al. note). The
    training-time variant, a logit-adjusted loss, lives in
    :mod:`ltlearn.deep`. The two add up: a
    :class:`~ltlearn.deep.LongTailClassifier` trained with the
    logit-adjusted, balanced softmax or VS loss (its own ``tau``, 1 by
    default) already predicts the prior-compensated rule, and a numeric
    ``tau`` adjusts its logits a second time; ``fit`` warns when the two
    exceed 1, the balanced rule. It warns likewise around another post-hoc
    rule or a :class:`~ltlearn.ensemble.PluginEnsembleClassifier`, whose
    probabilities are already reweighted.

    ``predict_proba`` returns ``p_k(x) * prior_k ** -tau`` renormalised, the
    softmax of the adjusted logits, so that ``predict`` is its argmax.

    {cross_fit_notes}

    {logit_adjustment_references}

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ltlearn.post_hoc import LogitAdjustedClassifier
    >>> X, y = make_classification(n_samples=300, n_classes=3, n_informative=4,
    ...                            weights=[0.7, 0.2, 0.1], random_state=0)
    >>> clf = LogitAdjustedClassifier(LogisticRegression(), tau=1.0).fit(X, y)
    >>> clf.prior_.round(2)
    array([0.7, 0.2, 0.1])
    >>> clf.predict(X[:4]).tolist() == clf.predict_proba(X[:4]).argmax(1).tolist()
    True
    """

    _parameter_constraints: dict = {
        **_BasePostHocClassifier._parameter_constraints,
        "tau": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "prior": [StrOptions({"train"}), "array-like", dict],
        "scoring": [StrOptions(set(_SCORINGS)), callable],
        "cv": ["cv_object"],
        "store_cv_results": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        tau=1.0,
        prior="train",
        scoring="balanced_accuracy",
        cv=5,
        store_cv_results=False,
    ):
        self.estimator = estimator
        self.tau = tau
        self.prior = prior
        self.scoring = scoring
        self.cv = cv
        self.store_cv_results = store_cv_results

    def _check_prior(self, counts, weighted):
        n_classes = self.classes_.size
        if isinstance(self.prior, str):
            _check_prior_counts(counts, self.classes_, weighted)
            return counts / counts.sum()
        prior = real_values(
            _in_class_order(self.prior, self.classes_, "prior"), "prior"
        )
        if prior.shape != (n_classes,):
            raise ValueError(
                f"prior has shape {prior.shape}; it must hold one value per class, "
                f"shape ({n_classes},), in the order of classes_ "
                f"{self.classes_.tolist()!r}."
            )
        if not np.all(np.isfinite(prior)) or np.any(prior <= 0):
            raise ValueError(
                f"prior must hold finite, positive values; got {prior.tolist()!r}."
            )
        prior = summable_weights(prior)  # values near the largest float: scaled
        with np.errstate(under="ignore"):
            prior = prior / prior.sum()
        tiny = np.flatnonzero(prior < np.finfo(np.float64).tiny)
        if tiny.size:  # its log, then the adjusted probabilities, are not floats
            raise ValueError(
                f"prior of class {self.classes_.tolist()[tiny[0]]!r} is "
                f"{prior[tiny[0]]:.3g} of the sum of prior, less than the "
                f"smallest float {np.finfo(np.float64).tiny:.3g}; give values "
                f"less far apart."
            )
        return prior

    def _fit_weights(self, X, y, codes, counts, sample_weight, params):
        weighted = sample_weight is not None
        self.prior_ = self._check_prior(counts, weighted)
        vars(self).pop("cv_results_", None)  # that of an earlier fit
        if self.tau != "auto":
            self.tau_ = float(self.tau)
            _warn_adjusting_twice(self.estimator_, "tau", self.prior_, self.tau_)
            self.best_score_ = None
            if self.store_cv_results:
                self.cv_results_ = None
            return
        _check_scoring(self.scoring, self.classes_.size)
        # the prior was given (a prior learned from y checked its counts)
        _check_prior_counts(counts, self.classes_, weighted, _SCORED_TAUS)
        proba = self._oof_proba(
            X, y, codes, self.cv, params, "tau='auto'", sample_weight
        )
        codes, proba, sample_weight = self._search_rows(codes, proba, sample_weight)
        log_prior = np.log(self.prior_)
        log_proba = _log_proba(proba)
        # each rule as predict applies it, normalised in log space: the plain
        # sum log p - tau log prior breaks ties of p_j / prior_j ** tau (KNN
        # or tree probabilities, a prior in simple ratios) another way
        scores = np.array(
            [
                _score_codes(
                    self.scoring,
                    codes,
                    _adjusted_argmax(proba, log_proba, -tau * log_prior),
                    counts,
                    self.classes_,
                    sample_weight,
                )
                for tau in _TAU_GRID
            ]
        )
        ranked = np.array([_ranked(score) for score in scores])
        ties = np.flatnonzero(ranked >= ranked.max() - 1e-12)
        best = ties[np.argmin(np.abs(_TAU_GRID[ties] - 1.0))]
        self.tau_ = float(_TAU_GRID[best])
        self.best_score_ = float(scores[best])
        if self.store_cv_results:
            self.cv_results_ = {"tau": _TAU_GRID.copy(), "scores": scores}

    def _class_log_weights(self):
        return -self.tau_ * np.log(self.prior_)
