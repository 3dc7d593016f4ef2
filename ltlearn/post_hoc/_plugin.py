"""Plug-in classifiers: decision rules for a metric, on class probabilities."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ltlearn.post_hoc._base import (
    _adjusted_log_proba,
    _BasePostHocClassifier,
    _check_prior_counts,
    _post_hoc_docstring,
)
from ltlearn.post_hoc._rule_scores import _SCORINGS, _check_scoring, _score_codes
from ltlearn.post_hoc._search import _coordinate_ascent, _validated_refinement
from ltlearn.post_hoc._trained_adjustment import _warn_adjusting_twice


def _clipped_threshold(threshold):
    """A threshold on ``p_1(x)`` within ``[1e-12, 1 - 1e-12]``, as a float."""
    return float(np.clip(threshold, 1e-12, 1 - 1e-12))


def _threshold_weights(threshold):
    """The class weights of the binary rule ``p_1(x) > threshold``."""
    return np.array([threshold, 1.0 - threshold])


@_post_hoc_docstring
class PluginClassifier(_BasePostHocClassifier):
    """Plug-in decision rule for an imbalance-aware metric, on probabilities.

    A plug-in classifier fits ``estimator`` once on the natural class
    distribution and predicts ``argmax_k w_k p_k(x)`` with class weights ``w``
    chosen for ``scoring``:

    - binary balanced accuracy: the closed form ``p_1(x) > pi_1``, the
      training prior of ``classes_[1]`` (Menon et al., 2013); no
      cross-validation is needed;
    - binary F1 of ``classes_[1]``: ``p_1(x) > F*/2`` with ``F*`` the best F1
      over thresholds on out-of-fold probabilities (Koyejo et al., 2014);
    - binary G-mean or macro-F1: the threshold that maximises the metric on
      out-of-fold probabilities (an exact search over all of them), strictly
      between two of their distinct values, so that tied probabilities (KNN
      or tree ones) all fall on one side; a callable: the best of at most 32
      of those thresholds, evenly spread, and of ``pi_1`` (where those are
      more rows apart than the rarer class has, also of the thresholds that
      flag 1, 2, 4, ... rows, or all but that many, short of the spacing);
    - multiclass: per-class weights learned on out-of-fold probabilities by
      coordinate ascent from ``w = 1 / prior`` (the balanced-accuracy plug-in
      rule, and the Bayes rule for it), each step an exact line search over
      one weight (for a callable, the best of at most 32 of its values,
      evenly spread, of those near either end where they are more rows apart
      than the rarest class has, and of the current one), which it leaves
      off every tie ``w_j p_j(x) = w_k p_k(x)`` of the rows. Narasimhan et
      al., 2015, show that the optimal rule for a metric of the confusion
      matrix minimises a linear loss of the probabilities: for the balanced
      accuracy and the G-mean, metrics of the recalls, a reweighted argmax;
      for the macro-F1, ``argmax_k a_k p_k(x) - b_k``, with an offset per
      class that the weights can only approximate (on Gaussian classes of
      exact probabilities, 0.001 to 0.002 of macro-F1 below that rule).
      The ascent stops where no single weight improves the score, which is
      not always the best reweighting: it can miss a rule that needs two
      weights moved at once. With ``refine="auto"`` the refinement is kept
      only as far as held-out rows support it (see ``refine``).

    The final model is ``estimator`` fitted on all the data.

    .. versionadded:: 0.1

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``fit`` and ``predict_proba``, trained on the natural
        class distribution (the rules assume calibrated probabilities). Wrap
        an already fitted classifier in
        :class:`~sklearn.frozen.FrozenEstimator` to use it without refitting;
        its probabilities on the training data then replace the out-of-fold
        ones, so fit the rule on rows the classifier was not trained on (a
        validation split).

    scoring : {{"balanced_accuracy", "geometric_mean", "f1", "f1_macro", \
            "macro_f1"}} or callable, default="balanced_accuracy"
        The metric to optimise. ``"geometric_mean"`` is the geometric mean of
        the per-class recalls; ``"f1"`` is the F1 score of ``classes_[1]``
        (binary only); ``"f1_macro"``, or ``"macro_f1"`` as
        :func:`~ltlearn.metrics.get_scorer` names it, the mean F1 over the
        classes. A callable is a metric ``score(y_true, y_pred) ->
        float``, greater is better (searched on a coarser grid; a rule it
        scores NaN ranks below every other, as in ``GridSearchCV``); when
        :meth:`fit` gets ``sample_weight``, it is called with the weights of
        the rows it scores, ``score(y_true, y_pred, sample_weight=...)``,
        such as the amounts of :ref:`costs per row <post_hoc_row_costs>`. A
        multiclass search calls it on the out-of-fold rows about 33 times
        per class in each sweep (about 50 on 10,000 rows where a class has
        fewer rows than those rules are apart): slow with hundreds of
        classes, where a named metric is updated from counts. Unused for
        multiclass targets with ``refine="never"``, whose weights stay
        ``1 / prior``.

    cv : int, cross-validation generator, iterable or None, default=5
        Splits for the out-of-fold probabilities; an int is the number of
        folds of a :class:`~sklearn.model_selection.StratifiedKFold`, and
        ``None`` is 5 of them, as in scikit-learn. The test folds must cover
        each sample exactly once, as for
        :func:`~sklearn.model_selection.cross_val_predict`: shuffled or
        repeated splits (``ShuffleSplit``, ``RepeatedStratifiedKFold``), a
        float and ``TimeSeriesSplit`` (:ref:`rows in time order
        <post_hoc_time_order>`) are refused. Unused for binary balanced
        accuracy, for multiclass targets with ``refine="never"`` and for a
        ``FrozenEstimator``, whose probabilities on the training data are
        used instead. A splitter by groups gets them from :meth:`fit` with
        metadata routing enabled only.
        {cv_small_classes}

    refine : {{"auto", "always", "never"}}, default="auto"
        How far the multiclass weights move from ``1 / prior`` to the weights
        refined on the out-of-fold probabilities: ``"always"`` all the way;
        ``"never"`` not at all (no cross-validation); ``"auto"`` as far as a
        held-out check supports: the out-of-fold rows are split in two
        stratified halves, weights refined on one half are shrunk towards the
        start by 0, 1/4, 1/2 or 1 and scored on the other, and the best
        shrinkage is kept only if its gain over the start exceeds twice its
        standard error over the per-class scores (for a callable, which gives
        no per-class scores: only if it gains on both halves). Refined
        weights overfit small classes, so ``"auto"`` often keeps the start. For
        ``"geometric_mean"``, a start that leaves a class unrecognised on
        both halves (a held-out G-mean of 0) gives way to the best shrinkage
        that recognises every class on both. Unused for binary targets.

    max_iter : int, default=10
        Most sweeps of the coordinate ascent over the classes. Unused for
        binary targets, whose threshold takes no sweeps, and with
        ``refine="never"``, which searches nothing.

    Attributes
    ----------
    {fitted_estimator}

    prior_ : ndarray of shape (n_classes,)
        The class frequencies of the training labels (weighted by
        ``sample_weight`` when ``fit`` gets it).

    weights_ : ndarray of shape (n_classes,)
        The class weights ``w`` of the rule ``argmax_k w_k p_k(x)``, summing
        to one.

    threshold_ : float or None
        Binary: the rule is ``p_1(x) > threshold_``, with
        ``threshold_ = weights_[0]``. ``None`` for multiclass.

    best_score_ : float or None
        The out-of-fold ``scoring`` of the rule; for binary F1, the best F1
        over thresholds ``F*`` (``threshold_ = F* / 2``). ``None`` when no
        out-of-fold probabilities were computed (binary balanced accuracy,
        multiclass targets with ``refine="never"``).

    refinement_ : float
        The fraction of the refinement kept, in [0, 1] (multiclass; 0 for a
        binary target): ``weights_`` is proportional to
        ``(1 / prior_) ** (1 - refinement_) * refined ** refinement_``.

    n_iter_ : int
        Sweeps of the coordinate ascent on all the out-of-fold rows or, when
        ``refine="auto"`` keeps none of it, the most sweeps on a half (0 for a
        binary target and ``refine="never"``).

    {input_features}

    See Also
    --------
    LogitAdjustedClassifier : Reweight by a power of the class prior.
    ThresholdMovingClassifier : Reweight by misclassification costs.
    sklearn.model_selection.TunedThresholdClassifierCV : Binary threshold
        search over cross-validated refits.

    Notes
    -----
    The binary balanced-accuracy rule needs a single fit of ``estimator``,
    against ``cv + 1`` fits for
    :class:`~sklearn.model_selection.TunedThresholdClassifierCV`, but it is
    the best threshold only when the probabilities are calibrated near
    ``pi_1``, which a model of the wrong form is not: a logistic regression
    on two Gaussian classes of unequal variances (1% positives, 32,000
    rows) keeps a balanced accuracy 0.012 below that of the best threshold
    on its probabilities (mean of 9 draws), where the searches of
    ``TunedThresholdClassifierCV`` and of
    :class:`LogitAdjustedClassifier` with ``tau="auto"`` lose 0.002 and
    0.001. An estimator trained on rebalanced data
    (``class_weight="balanced"``, a resampler in its pipeline,
    imbalanced-learn's balanced ensembles) already estimates the posteriors
    of balanced classes, so the rule on top corrects the prior twice; wrap
    one trained on the data as they are. A
    :class:`~ltlearn.deep.LongTailClassifier` trained with the
    logit-adjusted, balanced softmax or VS loss estimates them too: ``fit``
    warns where the weights are ``1 / prior`` unsearched (binary balanced
    accuracy, ``refine="never"``).

    ``predict_proba`` returns ``w_k p_k(x)`` renormalised, so that ``predict``
    is its argmax.

    {cross_fit_notes}

    A binary rule searched for ``"f1"``, ``"f1_macro"`` or a callable
    accepts a class of total weight 0 (its terms of the metric are 0); the
    other rules need its prior and refuse it.

    The held-out check of ``refine="auto"`` splits the rows in halves, a
    row going whole, with its weight, to one half, where the copies of a
    repeated row fall in either half: with integer weights, a multiclass
    rule is that of the repeated rows for ``refine="always"`` and
    ``"never"``, and for ``"auto"`` only when both checks keep the same
    fraction of the refinement (even with a ``FrozenEstimator``, whose
    probabilities are the same for both).

    References
    ----------
    .. [1] A. K. Menon, H. Narasimhan, S. Agarwal and S. Chawla, "On the
       statistical consistency of algorithms for binary classification under
       class imbalance", ICML 2013.
    .. [2] O. O. Koyejo, N. Natarajan, P. K. Ravikumar and I. S. Dhillon,
       "Consistent binary classification with generalized performance
       metrics", NeurIPS 2014.
    .. [3] H. Narasimhan, H. G. Ramaswamy, A. Saha and S. Agarwal, "Consistent
       multiclass algorithms for complex performance measures", ICML 2015.

    {binary_examples_opening}
    >>> from ltlearn.post_hoc import PluginClassifier
    >>> clf = PluginClassifier(LogisticRegression()).fit(X, y)
    >>> float(clf.threshold_)  # the prior of class 1
    0.1
    >>> clf = PluginClassifier(LogisticRegression(), scoring="f1", cv=3).fit(X, y)
    >>> bool(abs(clf.threshold_ - clf.best_score_ / 2) < 1e-12)
    True
    """

    _parameter_constraints: dict = {
        **_BasePostHocClassifier._parameter_constraints,
        "scoring": [StrOptions(set(_SCORINGS)), callable],
        "cv": ["cv_object"],
        "refine": [StrOptions({"auto", "always", "never"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        scoring="balanced_accuracy",
        cv=5,
        refine="auto",
        max_iter=10,
    ):
        self.estimator = estimator
        self.scoring = scoring
        self.cv = cv
        self.refine = refine
        self.max_iter = max_iter

    def _fit_weights(self, X, y, codes, counts, sample_weight, params):
        n_classes = self.classes_.size
        _check_scoring(self.scoring, n_classes)
        weighted = sample_weight is not None
        # A binary search over thresholds needs no prior: a class of zero
        # total weight is allowed there (its metric terms are zero).
        searched = n_classes == 2 and self.scoring not in (
            "balanced_accuracy",
            "geometric_mean",
        )
        if not searched:
            _check_prior_counts(counts, self.classes_, weighted)
        with np.errstate(under="ignore"):  # a share below 1e-308 of the weight
            self.prior_ = counts / counts.sum()
        if np.all(self.prior_ >= np.finfo(np.float64).tiny):
            start = (1.0 / self.prior_) / np.sum(1.0 / self.prior_)
        else:
            start = np.full(n_classes, 1.0 / n_classes)
        self.n_iter_ = 0
        self.refinement_ = 0.0
        self.best_score_ = None

        if n_classes == 2:
            if self.scoring == "balanced_accuracy":  # the prior's, unsearched
                _warn_adjusting_twice(
                    self.estimator_, 'scoring="balanced_accuracy"', self.prior_
                )
            self.threshold_ = self._fit_threshold(
                X, y, codes, counts, start, sample_weight, params
            )
            self.weights_ = _threshold_weights(self.threshold_)
            return

        self.threshold_ = None
        self.weights_ = start
        if self.refine == "never":
            _warn_adjusting_twice(self.estimator_, 'refine="never"', self.prior_)
            return
        proba = self._oof_proba(
            X, y, codes, self.cv, params, self._purpose(), sample_weight
        )
        codes, proba, sample_weight = self._search_rows(codes, proba, sample_weight)
        search = dict(
            coords=range(n_classes),
            max_iter=self.max_iter,
            sample_weight=sample_weight,
        )
        if self.refine == "always":
            self.refinement_ = 1.0
        else:
            self.refinement_, self.n_iter_ = _validated_refinement(
                proba, codes, counts, start, self.scoring, self.classes_, **search
            )
        if self.refinement_ > 0:
            refined, self.n_iter_ = _coordinate_ascent(
                proba, codes, counts, start, self.scoring, self.classes_, **search
            )
            weights = start ** (1 - self.refinement_) * refined**self.refinement_
            self.weights_ = weights / weights.sum()
        self.best_score_ = self._score_rule(
            self.weights_, proba, codes, counts, sample_weight
        )

    def _purpose(self):
        name = self.scoring if isinstance(self.scoring, str) else "callable"
        return f"the decision rule for scoring={name!r}"

    def _score_rule(self, weights, proba, codes, counts, sample_weight):
        """The ``scoring`` of the rule of class ``weights`` as predict applies it.

        In log space: where ``p_j w_j = p_k w_k`` (KNN or tree probabilities,
        weights in the ratios of the class counts), the product ``p * w`` of
        the search and the log space of predict break the tie by rounding,
        each its own way.
        """
        log_proba = _adjusted_log_proba(proba, np.log(weights))
        pred = np.argmax(log_proba, axis=1)
        return _score_codes(
            self.scoring, codes, pred, counts, self.classes_, sample_weight
        )

    def _fit_threshold(self, X, y, codes, counts, start, sample_weight, params):
        """The threshold on ``p_1(x)`` of the binary rule, within ``(0, 1)``."""
        if self.scoring == "balanced_accuracy":  # closed form: the prior
            return _clipped_threshold(self.prior_[1])
        proba = self._oof_proba(
            X, y, codes, self.cv, params, self._purpose(), sample_weight
        )
        codes, proba, sample_weight = self._search_rows(codes, proba, sample_weight)
        # An exact search over every distinct threshold of the pooled
        # out-of-fold probabilities, rather than delegating to scikit-learn's
        # TunedThresholdClassifierCV (per-fold scores on a grid of 100
        # thresholds): with the same 5 folds of a logistic regression, on 28
        # KEEL sets (bench_post_hoc.py --part search --sets 28), the held-out
        # metric is as good or better (G-mean +1.6 +- 2.8 points, 16 sets won
        # and 5 lost; F1 +1.4 +- 3.5; macro-F1 -0.7 +- 2.1) and the fit is
        # 17 to 25 times faster (no scorer call per threshold and fold).
        weights, _ = _coordinate_ascent(
            proba, codes, counts, start, self.scoring, self.classes_,
            coords=[1], max_iter=1, sample_weight=sample_weight,
        )  # fmt: skip
        if self.scoring == "f1":  # closed form: half the best F1, F* / 2
            pred = np.argmax(proba * weights, axis=1)
            self.best_score_ = _score_codes(
                self.scoring, codes, pred, counts, self.classes_, sample_weight
            )
            return _clipped_threshold(self.best_score_ / 2)
        threshold = _clipped_threshold(weights[0])  # the searched threshold
        self.best_score_ = self._score_rule(
            _threshold_weights(threshold), proba, codes, counts, sample_weight
        )
        return threshold

    def _class_log_weights(self):
        return np.log(self.weights_)
