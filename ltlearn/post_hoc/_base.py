"""Base of the post-hoc classifiers: fitting, cross-fitting and reweighting."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _estimator_has,
    check_is_fitted,
    has_fit_parameter,
)

from ltlearn.post_hoc._cross_fit import (
    _OOF_PURPOSE,
    _check_folds,
    _cross_fit_proba,
    _int_cv_folds,
    _partition_folds,
)
from ltlearn.utils._class_counts import _listed_labels
from ltlearn.utils._docstring import (
    _logit_adjustment_references_docstring,
    _Substitution,
)
from ltlearn.utils._fitted import unfitted_on_error
from ltlearn.utils._routing import (
    EstimatorFitRoutingMixin,
    refuse_group_splitter,
    routed_fit_params,
    routing_enabled,
    split_params,
    unrouted_sample_weight,
)
from ltlearn.utils._rows import indexable_rows
from ltlearn.utils._validation import (
    check_classification_y,
    check_sample_weight,
    column_or_1d_y,
    model_proba,
    summable_weights,
)

# Docstring fragments shared by the post-hoc classifiers (``_Substitution``),
# indented as in a class docstring (``_samples_docstring``: the Parameters
# section of a method).
_fitted_estimator_docstring = """\
estimator_ : estimator object
        The fitted ``estimator`` (the ``FrozenEstimator`` itself if one was
        given).

    classes_ : ndarray of shape (n_classes,)
        The class labels, those of ``estimator_``."""

_input_features_docstring = """\
n_features_in_ : int
        Number of features seen during fit (when ``estimator_`` exposes it).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when ``X`` has string column
        names and ``estimator_`` exposes them."""

_cross_fit_notes_docstring = """\
With ``sample_weight``, the prior and the metrics of the out-of-fold
    search are weighted, a row counting as its weight and a row of weight 0
    not at all. Integer weights then give the rule of the rows repeated as
    many times whenever the out-of-fold probabilities agree: when ``cv``
    keeps the copies of a row in one fold (pass such splits as ``cv``). With
    an int ``cv`` the folds are drawn over the rows, whereas folds drawn over
    repeated rows would split copies between training and held-out parts,
    so the two rules can differ slightly.

    Out-of-fold probabilities need every class in every training fold: a
    class of a single sample, or splits that leave a class out of a training
    fold, raise an error naming the class."""

_samples_docstring = """\
Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples, as ``estimator`` accepts them."""

_decision_scores_docstring = """\
Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Binary: one score per sample, positive where ``classes_[1]`` is
            predicted. Multiclass: one column per class, in the order of
            ``classes_``."""

_binary_examples_opening_docstring = """\
Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)"""

# The cross-fitted rules' cv and the classes of few samples.
_cv_small_classes_docstring = """\
Every training fold must hold a sample of every class: an int takes
    a class of fewer samples than folds (its stratified folds keep one in
    every training fold) but not a class of a single sample, which an
    error names, as it names the class that other splits leave out of a
    training fold. An int needs a class of at least as many samples as
    folds (an error says how many folds the classes allow)."""

# When the post-hoc rules offer decision_function.
_decision_available_docstring = """\
Available when ``estimator`` has a ``decision_function``, as in
        scikit-learn's ``FixedThresholdClassifier``; a model of probabilities
        only (a tree, naive Bayes) gives no scores, so that scikit-learn's
        scorers and ``CalibratedClassifierCV`` read ``predict_proba``."""

_post_hoc_docstring = _Substitution(
    decision_available=_decision_available_docstring,
    binary_examples_opening=_binary_examples_opening_docstring,
    fitted_estimator=_fitted_estimator_docstring,
    input_features=_input_features_docstring,
    cross_fit_notes=_cross_fit_notes_docstring,
    cv_small_classes=_cv_small_classes_docstring,
    samples=_samples_docstring,
    decision_scores=_decision_scores_docstring,
    logit_adjustment_references=_logit_adjustment_references_docstring,
)


# Values of the blocks of rows of _adjusted_log_proba (8 MB of float64).
_BLOCK_VALUES = 2**20

# Relative window of two log-probabilities that rounding alone may set apart
# (an ulp or two of each other; 8 ulps with a margin): values within it are
# ties, snapped to the largest, and logit adjustment's argmax shortcut takes
# the full path for rows within it, so the two must use the same window.
_TIE_WINDOW = 8 * np.finfo(float).eps

# The score of a probability of 0 in ``decision_function``, for -inf. Finite
# scores, log-probabilities and their differences, stay within a few
# thousand; a sum of this bound over any number of rows stays finite, so
# that scikit-learn's check that scores are finite (a sum) does not overflow
# and warn, as it does for scores near the largest float.
_LOG_SCORE_BOUND = float(np.sqrt(np.finfo(np.float64).max))


# How far below zero a probability may be rounded: the tolerance above one of
# scikit-learn's CalibratedClassifierCV. Further below, the model is broken.
_ROUNDING = 1e-5


def _mended_proba(proba):
    """A classifier's probabilities as float, degenerate rows mended.

    A probability rounded below zero (``-1e-17``, down to ``-1e-5``) counts
    as zero, and a row of zeros as uniform, as scikit-learn's
    ``CalibratedClassifierCV`` normalises it: ``log`` would give NaN in the
    first case, and a row of ``-inf``, which cannot be normalised, in the
    second. A probability further below zero is refused; NaN stays NaN.
    ``proba`` is never modified, and returned as it is when no row needs
    mending.
    """
    proba = np.asarray(proba, dtype=float)
    bad = np.flatnonzero((proba.min(axis=1) < 0) | (proba.max(axis=1) == 0))
    if not bad.size:
        return proba
    rows = proba[bad]  # no NaN: min or max would be NaN
    if rows.min() < -_ROUNDING:
        raise ValueError(
            f"The classifier's predict_proba returned a probability of "
            f"{rows.min():.3g}: probabilities must not be negative (values "
            f"down to {-_ROUNDING:g} are taken as zero, rounded)."
        )
    rows = np.maximum(rows, 0.0)
    rows[rows.sum(axis=1) == 0] = 1.0 / proba.shape[1]
    proba = proba.copy()
    proba[bad] = rows
    return proba


def _log_proba(proba):
    """``log(proba)`` of a classifier's probabilities, degenerate rows mended.

    See ``_mended_proba``.
    """
    with np.errstate(divide="ignore"):
        return np.log(_mended_proba(proba))


def _adjusted_log_proba(proba, log_weights):
    """Rows of ``log(proba) + log_weights``, normalised in log space.

    Working in log space, the rows sum to one (once exponentiated) for any
    weights, however far apart: multiplying the probabilities by the weights
    would underflow to rows of zeros.
    """
    log_proba = _log_proba(proba)
    log_proba += log_weights
    row_max = log_proba.max(axis=1, keepdims=True)
    log_proba -= np.where(np.isfinite(row_max), row_max, 0.0)
    step = max(1, _BLOCK_VALUES // max(log_proba.shape[1], 1))
    if log_proba.flags.c_contiguous:
        # The sums of the exponentials a block of rows at a time: no temporary
        # array of the size of proba (1e5 rows of 1000 classes: 0.8 GB). Each
        # row is summed as in one call; other layouts sum in another order.
        norm = np.empty((log_proba.shape[0], 1))
        for start in range(0, log_proba.shape[0], step):
            block = slice(start, start + step)
            norm[block] = np.exp(log_proba[block]).sum(axis=1, keepdims=True)
    else:
        norm = np.exp(log_proba).sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        top = -np.log(norm)  # the largest value of each row, once normalised
    log_proba += top
    for start in range(0, log_proba.shape[0], step):
        block = slice(start, start + step)
        _tie_as_rounded(log_proba[block], top[block])
    return log_proba


def _tie_as_rounded(log_proba, top):
    """Make equal, in place, the top log-probabilities of equal probabilities.

    ``top`` is the largest value of each row. Two classes whose adjusted
    probabilities are equal in exact arithmetic (KNN or tree probabilities,
    weights in the ratios of the class counts: ``0.2 * 3.5 == 0.4 * 1.75``,
    or a probability equal to the threshold of a binary rule) can end an ulp
    or two apart in log space, equal or not once exponentiated: the rule
    then picked the later class or the first by rounding, so that two rules
    equal in exact arithmetic (the balanced costs of threshold-moving and
    logit adjustment with ``tau=1``) predicted differently. Values within
    ``_TIE_WINDOW`` of the row's largest are set to it, so that all pick the
    first, as ``argmax`` does on a tie.
    """
    close = _TIE_WINDOW * np.maximum(1.0, np.abs(top))
    within = log_proba >= top - close  # the largest value itself included
    rows = np.flatnonzero(np.count_nonzero(within, axis=1) > 1)
    if rows.size:
        log_proba[rows] = np.where(within[rows], top[rows], log_proba[rows])


def _finite_scores(scores, bound):
    """Decision scores from log-probabilities or negated costs, all finite.

    Two columns give one score, the second column minus the first, positive
    exactly where the second column is larger (two equal columns, including
    two of ``-inf``, give 0, as ``argmax`` picks the first). Scores beyond
    ``bound``, infinite ones, become ``bound``, of their sign, which keeps
    every row's argmax and the binary signs and ranks (ties included) while
    no finite score reaches ``bound``: scikit-learn's metrics refuse infinite
    scores.
    """
    if scores.shape[1] == 2:
        first, second = scores[:, 0], scores[:, 1]
        with np.errstate(invalid="ignore"):
            scores = np.where(first == second, 0.0, second - first)
    return np.clip(scores, -bound, bound)


def _refuse_unrouted_groups(rule, fit_params):
    """Refuse ``fit(X, y, groups=...)`` for a ``cv`` by groups without routing.

    ``GridSearchCV`` takes the groups so; a rule passes them to the fit of its
    estimator, which failed with "got an unexpected keyword argument
    'groups'": the refusal names the ``cv`` that would need them.
    """
    cv = getattr(rule, "cv", None)
    if (
        "groups" in fit_params
        and hasattr(cv, "split")
        and not isinstance(rule.estimator, FrozenEstimator)
        and not has_fit_parameter(rule.estimator, "groups")
    ):
        refuse_group_splitter(cv, "cv", type(rule).__name__, routes=True)


def _check_prior_counts(
    counts, classes, weighted=False, purpose="to estimate its prior."
):
    """Refuse a class of ``classes`` that has no sample (or no weight) in ``y``.

    With weights, refuse also a class whose share of the total weight is
    below the smallest normal float (``2.2e-308``): its prior, or the inverse
    of it, is not a float. ``purpose`` ends the refusal: what the samples of
    every class are needed for.
    """
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        label = classes.tolist()[empty[0]]
        if weighted:
            raise ValueError(
                f"Class {label!r} has a total sample_weight of 0; every "
                f"class of the estimator needs samples of positive weight "
                f"{purpose}"
            )
        raise ValueError(
            f"Class {label!r} has 0 samples in y; every class of the "
            f"estimator needs samples {purpose}"
        )
    if not weighted:
        return
    with np.errstate(under="ignore"):
        share = counts / counts.sum()
    tiny = np.flatnonzero(share < np.finfo(np.float64).tiny)
    if tiny.size:
        # the share, not the weights, which may have been scaled
        label, part = classes.tolist()[tiny[0]], share[tiny[0]]
        raise ValueError(
            f"Class {label!r} holds {part:.3g} of the total sample_weight, "
            f"less than the smallest float {np.finfo(np.float64).tiny:.3g}, "
            f"so its prior (and the inverse of it) is not a float. Give the "
            f"classes weights less far apart."
        )


class _BasePostHocClassifier(
    EstimatorFitRoutingMixin, ClassifierMixin, MetaEstimatorMixin, BaseEstimator
):
    """Fit an estimator, then predict ``argmax_k w_k p_k(x)``.

    Subclasses learn the class weights ``w`` in ``_fit_weights`` and return
    their logarithms from ``_class_log_weights``; the base fits
    ``estimator_`` (or keeps a ``FrozenEstimator`` as it is), computes
    out-of-fold probabilities on demand, and serves ``predict_proba`` as the
    reweighted probabilities, normalised in log space, so that ``predict`` is
    exactly their argmax.

    ``fit`` takes ``sample_weight``: the inner estimator is fitted with it,
    and the class counts, priors and out-of-fold metrics are weighted, a row
    counting as its weight (a zero-weight row not at all).
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
    }

    def __init__(self, estimator):
        self.estimator = estimator

    def _fit_estimator(self, X, y, sample_weight, fit_params):
        """Fit ``estimator_`` and set ``classes_`` and the input attributes.

        Returns the class codes of ``y`` and the (weighted) class counts.
        """
        if isinstance(self.estimator, FrozenEstimator):
            self.estimator_ = self.estimator
            check_is_fitted(self.estimator.estimator)
        else:
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = np.asarray(self.estimator_.classes_)
        unknown = np.setdiff1d(y, self.classes_)  # of the distinct labels
        if unknown.size:
            raise ValueError(
                f"y holds the labels {_listed_labels(unknown)}, which the "
                "estimator does not predict (its classes_ are "
                f"{_listed_labels(self.classes_)})."
            )
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
            elif name in vars(self):
                delattr(self, name)
        sorter = np.argsort(self.classes_)
        codes = sorter[np.searchsorted(self.classes_, y, sorter=sorter)]
        counts = np.bincount(codes, weights=sample_weight, minlength=self.classes_.size)
        return codes, counts

    def _oof_proba(self, X, y, codes, cv, params, purpose, sample_weight=None):
        """Out-of-fold probabilities, columns in ``classes_`` order.

        ``params.fit`` are the ``fit`` parameters of ``estimator``,
        ``params.split`` those of the splitter's ``split``. A frozen estimator
        is not refitted: its probabilities on ``X`` (data it was not trained
        on, presumably) serve as they are. Degenerate rows are mended as in
        ``predict_proba`` (``_mended_proba``), so that the searches see them
        as the rule will.
        """
        if isinstance(self.estimator_, FrozenEstimator):
            return _mended_proba(model_proba(self.estimator_, X))
        splitter = check_cv(cv, y, classifier=True)
        with warnings.catch_warnings():
            # a class with fewer samples than folds: checked just below
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            if cv is None or isinstance(cv, Integral):  # StratifiedKFold
                folds = _int_cv_folds(
                    splitter, X, y, codes, self.classes_, purpose,
                    sample_weight, params.split,
                )  # fmt: skip
            else:
                refuse_group_splitter(cv, "cv", type(self).__name__, routes=True)
                folds = _partition_folds(
                    splitter.split(X, y, **params.split), codes.size, _OOF_PURPOSE
                )
                _check_folds(folds, codes, self.classes_, cv, purpose, sample_weight)
        proba = _cross_fit_proba(
            self.estimator, X, y, folds, params.fit, classes=self.classes_
        )
        return _mended_proba(proba)

    @unfitted_on_error()
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the estimator and learn the decision rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as ``estimator`` accepts it.

        y : array-like of shape (n_samples,)
            Target labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples: passed to the ``fit`` of ``estimator``
            (when metadata routing is enabled, only if it requests them), and
            used for the class counts, priors and out-of-fold metrics of the
            rule, where a sample counts as its weight. With integer weights,
            the rule is that of the samples repeated as many times, given the
            same fitted estimator (and, for a cross-validated rule, folds that
            keep the copies of a sample together; not for the held-out check
            of a multiclass ``PluginClassifier(refine="auto")``, which splits
            the rows).

        **fit_params : dict
            Parameters passed to the ``fit`` method of ``estimator`` (routed
            when metadata routing is enabled; then those that a ``cv``
            splitter requests, e.g. ``groups``, go to its ``split``).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X, y = indexable_rows(X, y)
        check_classification_y(y)
        y = column_or_1d_y(y)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, y.shape[0])
        split = {}
        if routing_enabled():
            routed = routed_fit_params(self, sample_weight, fit_params)
            fit_params, split = routed.estimator.fit, split_params(routed)
        else:
            _refuse_unrouted_groups(self, fit_params)
            advice = (
                "so the estimator cannot be fitted with the weights; use an "
                "estimator that accepts them."
            )
            weights = unrouted_sample_weight(self.estimator, sample_weight, advice)
            fit_params = {**fit_params, **weights}
        sample_weight = summable_weights(sample_weight)  # the estimator has them
        codes, counts = self._fit_estimator(X, y, sample_weight, fit_params)
        params = Bunch(fit=fit_params, split=split)
        self._fit_weights(X, y, codes, counts, sample_weight, params)
        return self

    def _search_rows(self, codes, proba, sample_weight):
        """The rows that count in a search: those of positive weight."""
        if sample_weight is None:
            return codes, proba, None
        keep = sample_weight > 0
        if keep.all():  # no copy of proba
            return codes, proba, sample_weight
        return codes[keep], proba[keep], sample_weight[keep]

    def _adjusted_log_proba(self, X):
        check_is_fitted(self)
        return _adjusted_log_proba(
            model_proba(self.estimator_, X, self.classes_), self._class_log_weights()
        )

    @_post_hoc_docstring
    def predict_proba(self, X):
        """Adjusted class probabilities, whose argmax is ``predict``.

        The probabilities of ``estimator_`` multiplied by the learned class
        weights and renormalised to sum to one per row (in log space, so that
        no weight underflows).

        {samples}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Adjusted probabilities, columns in the order of ``classes_``.
        """
        log_proba = self._adjusted_log_proba(X)
        return np.exp(log_proba, out=log_proba)

    @_post_hoc_docstring
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of ``predict_proba``.

        {samples}

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, computed in log space.
        """
        return self._adjusted_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    @_post_hoc_docstring
    def decision_function(self, X):
        """Decision scores consistent with ``predict``.

        {decision_available}

        Binary: the log-odds of the adjusted probabilities, ``log
        predict_proba(X)[:, 1] - log predict_proba(X)[:, 0]``, i.e. the
        log-odds of ``estimator_`` shifted by the log-ratio of the learned
        class weights. A positive score means ``classes_[1]`` is predicted;
        the scores rank the samples as the probabilities of class
        ``classes_[1]`` (of ``estimator_`` and of ``predict_proba``) do, so
        the ``"roc_auc"`` scorer, which calls ``decision_function`` first,
        gives the value it gives with ``predict_proba`` (up to samples whose
        probabilities round to the same float, 1.0 say, which the scores may
        still tell apart).

        Multiclass: ``predict_log_proba(X)``, the logarithm of the adjusted
        probabilities, whose argmax is ``predict``.

        A probability of 0 (or 1) would give an infinite score: it is given
        as ``1.3e154`` (the square root of the largest float), of the sign of
        the infinity, instead, so that every score is finite, as
        scikit-learn's metrics require.

        {samples}

        {decision_scores}
        """
        return _finite_scores(self._adjusted_log_proba(X), _LOG_SCORE_BOUND)

    @_post_hoc_docstring
    def predict(self, X):
        """Predict the class of largest adjusted probability.

        {samples}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, ``classes_[argmax(predict_proba(X), axis=1)]``
            (with ``decision="expected_cost"`` of
            :class:`~ltlearn.post_hoc.ThresholdMovingClassifier`, the classes
            of least expected cost).
        """
        codes = self._predict_codes(X)  # checks first that self is fitted
        return self.classes_[codes]

    def _predict_codes(self, X):
        """Index in ``classes_`` of the class predicted for each row of ``X``."""
        return np.argmax(self._adjusted_log_proba(X), axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        # a precomputed kernel or distance matrix: scikit-learn's splitters
        # then cut its columns too, as the cross-fitting does
        tags.input_tags.pairwise = inner.input_tags.pairwise
        return tags
