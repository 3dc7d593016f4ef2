"""Averaged probabilities of diverse models, with a held-out plug-in rule."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, get_tags
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, validate_data

from ltlearn.ensemble._models import (
    _default_models_of_tags,
    _fit_model,
    _held_out_proba,
    _is_dropped,
    _is_prefit,
    _models_of_classes,
    _NamedModelsMixin,
    _refuse_no_proba,
    _uses_oob,
)
from ltlearn.post_hoc._base import (
    _adjusted_log_proba,
    _check_prior_counts,
    _mended_proba,
)
from ltlearn.post_hoc._cross_fit import (
    _OOF_PURPOSE,
    _check_folds,
    _partition_folds,
)
from ltlearn.post_hoc._rule_scores import _SCORINGS, _check_scoring
from ltlearn.post_hoc._search import _coordinate_ascent
from ltlearn.utils._class_counts import _plain, single_sample_note
from ltlearn.utils._docstring import _Substitution, _X_predict_docstring
from ltlearn.utils._fitted import unfitted_on_error
from ltlearn.utils._listing import LISTED, first_listed
from ltlearn.utils._random import draw_seeds
from ltlearn.utils._routing import (
    check_fit_params_routed,
    fit_router,
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
    class_counts,
    column_or_1d_y,
    summable_weights,
)
from ltlearn.utils._warnings import external_stacklevel

# Most sweeps of the coordinate search over the class weights (as in
# PluginClassifier); it usually stops after two or three.
_MAX_SWEEPS = 10


def _classes_mismatch(name, model_classes, classes):
    """Why the classes of the model ``name`` are not ``classes``, those of y.

    A few classes are listed whole; with more, their counts and the classes
    that one has and the other lacks, as lists of hundreds of labels that
    differ by one hide the difference.
    """
    if max(model_classes.size, classes.size) <= LISTED:
        return (
            f"The model {name!r} predicts probabilities of the classes "
            f"{model_classes.tolist()!r}, but y holds the classes "
            f"{classes.tolist()!r}"
        )
    model, wanted = model_classes.tolist(), classes.tolist()
    in_model, in_y = set(model), set(wanted)
    lacks = [label for label in wanted if label not in in_model]
    extra = [label for label in model if label not in in_y]
    differences = []
    if lacks:
        differences.append(f"it lacks {first_listed(map(repr, lacks))}")
    if extra:
        differences.append(f"y lacks {first_listed(map(repr, extra))}")
    difference = "; ".join(differences) or "in another order"
    return (
        f"The model {name!r} predicts probabilities of {model_classes.size} "
        f"classes, but y holds {classes.size} ({difference})"
    )


class PluginEnsembleClassifier(ClassifierMixin, _NamedModelsMixin, BaseEstimator):
    """Average the probabilities of diverse models, then apply a plug-in rule.

    Each model is fitted on the natural class distribution and the class
    probabilities are averaged. The decision is ``argmax_k w_k p_k(x)``,
    where the class weights ``w`` are the geometric mean, with exponent
    ``refinement``, of the inverse class prior (the Bayes rule for the
    balanced error when the probabilities are calibrated) and the weights
    that maximise ``scoring`` on held-out probabilities of the training rows:
    the out-of-bag probabilities of the bagged models (free to compute) and
    cross-fitted probabilities of the others.

    The default models, a random forest, bootstrapped extra trees and a
    logistic regression, expect numeric, scaled features.

    Read more in the :ref:`User Guide <post_hoc>`.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples, default=None
        The models whose probabilities are averaged, each under a name by
        which its parameters are set and tuned (``<name>__<parameter>``, as
        in :class:`~sklearn.ensemble.VotingClassifier`); ``"drop"`` in place
        of a model leaves it out, as there (a search can then compare subsets
        of the models). A model whose ``oob_score`` parameter is true (a
        bagged forest) provides out-of-bag probabilities; every other one is
        cross-fitted with ``cv`` folds. ``None`` uses
        ``RandomForestClassifier(50)``,
        ``ExtraTreesClassifier(50, bootstrap=True)`` (both fully grown, with
        out-of-bag scores, each tree drawing at most 1000 rows) and
        ``LogisticRegression(max_iter=1000)``. ``X`` may hold NaN when
        every model accepts it (e.g. ``HistGradientBoostingClassifier``). A
        prefit model wrapped in :class:`~sklearn.frozen.FrozenEstimator` is
        used as it is, never refitted (nor given ``sample_weight``): its
        probabilities on the training rows stand for held-out ones, and it
        must predict the classes of ``y``. The rule assumes probabilities of
        the natural class distribution: a model with
        ``class_weight="balanced"`` (or trained on resampled data) already
        shifts them, and the rule would shift them twice.

    refinement : float in [0, 1], default=0.5
        How far the class weights move from the inverse prior (0) to those
        tuned on held-out probabilities (1), on the log scale.

    scoring : {"balanced_accuracy", "geometric_mean", "f1", "f1_macro", \
            "macro_f1"}, default="balanced_accuracy"
        The metric the tuned weights maximise; ``"f1"`` is the F1 score of
        ``classes_[1]`` (binary only); ``"f1_macro"``, or ``"macro_f1"`` as
        :func:`~ltlearn.metrics.get_scorer` names it, the mean F1 over the
        classes. Unused with ``refinement=0``.

    cv : int, cross-validation generator, iterable or None, default=3
        Folds for the held-out probabilities of the models without
        out-of-bag scores. An integer means stratified folds, shuffled with
        ``random_state``, as many as the smallest class allows; with a class
        of a single sample, the weights are not refined (a warning names the
        class) unless these models are prefit (needing no folds). ``None`` is
        scikit-learn's default splitter, 5 unshuffled stratified folds, taken
        as the other splits are (not the default ``cv=3``). Other splits must
        keep a sample of every class in every training fold (but for prefit
        models); an error names the class otherwise. Their test folds must
        cover each sample exactly once, as for
        :func:`~sklearn.model_selection.cross_val_predict`: shuffled or
        repeated splits (``ShuffleSplit``, ``RepeatedStratifiedKFold``), a
        float and ``TimeSeriesSplit`` (:ref:`rows in time order
        <post_hoc_time_order>`) are refused. With ``sample_weight``, only the
        samples of positive weight count, for the smallest class and in the
        training folds. A splitter by groups gets them from :meth:`fit` with
        metadata routing enabled only. Unused with ``refinement=0``.

    random_state : int, RandomState instance or None, default=None
        Seeds the default models and the folds of an int ``cv``; a splitter
        or a model that you give keeps its own ``random_state``.

    n_jobs : int, default=None
        The number of models fitted at the same time, and then of models
        cross-fitted at the same time, by :class:`joblib.Parallel`, as in
        :class:`~sklearn.ensemble.VotingClassifier`. ``None`` means 1 unless
        in a :obj:`joblib.parallel_backend` context; -1 means all the
        processors. The result does not depend on it.

        .. versionadded:: 0.1

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted models, without those dropped (``"drop"``), as in
        :class:`~sklearn.ensemble.VotingClassifier`.

    named_estimators_ : :class:`~sklearn.utils.Bunch`
        The fitted models by name (those of ``estimators``, or ``"rf"``,
        ``"et"`` and ``"lr"`` for the default models; a dropped model is
        ``"drop"``), as :class:`~sklearn.ensemble.VotingClassifier` gives
        them.

        .. versionadded:: 0.1

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    prior_ : ndarray of shape (n_classes,)
        Class frequencies of the training labels (weighted by
        ``sample_weight`` when it is given).

    weights_ : ndarray of shape (n_classes,)
        The class weights of the decision rule, summing to one.

    oob_proba_ : ndarray of shape (n_samples, n_classes) or None
        The held-out averaged probabilities of the training rows; ``None``
        when the weights are not refined (``refinement=0``, or a class of a
        single sample with a model cross-fitted on an int ``cv``).

    n_features_in_ : int
        Number of features seen during fit; not set when ``X`` has no columns
        to count, such as a list of texts for models that vectorise them.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    ltlearn.post_hoc.PluginClassifier : The plug-in rule on one model.
    ltlearn.post_hoc.LogitAdjustedClassifier : The inverse-prior rule alone.

    Notes
    -----
    Averaging a forest and a linear model gives probabilities that are both
    sharp and smooth; the inverse-prior rule on them is already close to the
    best rule, and the held-out search corrects what remains of the forests'
    miscalibration. Shrinking between the two (``refinement=0.5``) was better
    than either alone on the embedded KEEL sets.

    The default forests are fully grown (``min_samples_leaf=1``): on the KEEL
    sets the design was chosen on (those at even positions of
    :func:`~ltlearn.datasets.list_keel`), leaves of at least three rows in the
    random forest lowered the mean balanced accuracy (five repeats of 2-fold
    cross-validation) from 0.880 to 0.878 at the same fit time. Twice as many
    trees gained nothing there and cost 1.6 times the fit time of a balanced
    random forest of 100 trees, which the default stays below.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.ensemble import PluginEnsembleClassifier
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = PluginEnsembleClassifier(random_state=0).fit(X, y)
    >>> clf.weights_.shape
    (2,)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimators": [list, None],
        "refinement": [Interval(Real, 0, 1, closed="both")],
        "scoring": [StrOptions(set(_SCORINGS))],
        "cv": ["cv_object"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimators=None,
        *,
        refinement=0.5,
        scoring="balanced_accuracy",
        cv=3,
        random_state=None,
        n_jobs=None,
    ):
        self.estimators = estimators
        self.refinement = refinement
        self.scoring = scoring
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_params(self, models, sample_weight, fit_params):
        """The ``fit`` parameters of each model, by name, and of ``cv.split``.

        Without metadata routing every model gets ``sample_weight`` (and must
        accept it), but a prefit one (``FrozenEstimator``), which is not
        refitted. With routing, a given model gets what it requests, and so
        does the splitter; the default models, which no user can set a
        request on, get the weights the ensemble gets.
        """
        if not routing_enabled():
            advice = "so fit without it or use models that do."
            params = {
                name: unrouted_sample_weight(model, sample_weight, advice)
                for name, model in models
            }
            return params, {}
        routed = routed_fit_params(self, sample_weight, fit_params)
        if self.estimators is not None:
            params = {name: dict(routed[name].fit) for name, _ in models}
        elif sample_weight is None:
            params = {name: {} for name, _ in models}
        else:  # the default models take the weights in every fit
            params = {name: {"sample_weight": sample_weight} for name, _ in models}
        return params, split_params(routed)

    @unfitted_on_error()
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the models and learn the class weights of the decision rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as the models accept it (a DataFrame is passed
            to them as it is).

        y : array-like of shape (n_samples,)
            Target labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights of the class prior and of the held-out search,
            passed to the ``fit`` of every model. With metadata routing
            enabled, a model of ``estimators`` gets them only if it requests
            them (``set_fit_request(sample_weight=True)``); the default
            models always do.

        **fit_params : dict
            Only with metadata routing enabled: further parameters of the
            ``fit`` of the models of ``estimators``, each getting those it
            requests, and of the ``split`` of a ``cv`` splitter (``groups``
            for a group splitter).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        check_fit_params_routed(self, fit_params)
        # X goes to the models as it is, as in VotingClassifier: a DataFrame
        # keeps its column names and dtypes for a pipeline that selects
        # columns or a model that reads categories; each model checks it.
        X, y = indexable_rows(X, y)
        validate_data(self, X, skip_check_array=True)
        check_classification_y(y)
        y = column_or_1d_y(y)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, y.shape[0])
        self.classes_, codes = np.unique(y, return_inverse=True)
        n_classes = self.classes_.size
        _check_scoring(self.scoring, n_classes)
        counts = class_counts(codes, np.arange(n_classes))
        rule_weight = summable_weights(sample_weight)  # the models get sample_weight
        weighted = np.bincount(codes, weights=rule_weight, minlength=n_classes)
        _check_prior_counts(weighted, self.classes_, sample_weight is not None)
        self.prior_ = weighted / weighted.sum()
        cv_seed = draw_seeds(self.random_state)

        models = self._models(y.shape[0])
        fit_params, split = self._fit_params(models, sample_weight, fit_params)
        cv = self._folds(models, X, codes, split, rule_weight)
        self._fit_models(models, X, y, fit_params)
        # every model checked before the folds are fitted
        held_out = None
        if self.refinement > 0:
            held_out = _held_out_proba(
                models, self.estimators_, X, y, codes, fit_params, cv, cv_seed,
                self.classes_, self.prior_, rule_weight, self.n_jobs,
            )  # fmt: skip
        self._fit_class_weights(
            held_out, codes, counts, weighted, sample_weight, rule_weight
        )
        return self

    def _folds(self, models, X, codes, split, rule_weight):
        """The ``cv`` of the held-out probabilities of the models.

        ``cv`` as given, but a splitter's folds when a model is cross-fitted:
        drawn once for every model, checked to train on every class (unless prefit).
        """
        cv = self.cv
        cross_fit = self.refinement > 0 and not all(
            _uses_oob(model) for _, model in models
        )
        if cross_fit and not isinstance(cv, Integral):
            refuse_group_splitter(cv, "cv", type(self).__name__, routes=True)
            # the folds, drawn once for every model, each training on every class
            cv = _partition_folds(
                check_cv(cv, codes, classifier=True).split(X, codes, **split),
                codes.size,
                _OOF_PURPOSE,
            )
            if not all(_uses_oob(m) or _is_prefit(m) for _, m in models):
                _check_folds(
                    cv, codes, self.classes_, self.cv, "the held-out probabilities",
                    rule_weight,
                )  # fmt: skip
        return cv

    def _fit_models(self, models, X, y, fit_params):
        """Fit the models; set ``estimators_`` and ``named_estimators_``."""
        # on the labels, as a parameter naming them (a class_weight dict)
        # expects; n_jobs models at a time, as in VotingClassifier
        fitted_models = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_model)(model, X, y, fit_params[name]) for name, model in models
        )
        for (name, _), fitted in zip(models, fitted_models):
            self._check_model_classes(name, fitted)
        self.estimators_ = fitted_models
        # a dropped model stays under its name as "drop", as in VotingClassifier
        remaining = iter(self.estimators_)
        self.named_estimators_ = Bunch(
            **{
                name: model if _is_dropped(model) else next(remaining)
                for name, model in self._named_models() or models
            }
        )

    def _fit_class_weights(
        self, held_out, codes, counts, weighted, sample_weight, rule_weight
    ):
        """Set ``weights_`` and ``oob_proba_`` from the held-out probabilities.

        ``held_out`` is ``None`` when ``refinement`` is 0 or an int ``cv``
        cannot cross-fit; ``counts`` and ``weighted`` are the class counts of
        the rows and the class totals of ``rule_weight``, the summable
        ``sample_weight``.
        """
        n_classes = self.classes_.size
        start = (1.0 / self.prior_) / np.sum(1.0 / self.prior_)
        self.weights_ = start
        self.oob_proba_ = None
        if held_out is not None:
            self.oob_proba_ = held_out
            # degenerate rows as predict_proba takes them
            proba = _mended_proba(self.oob_proba_)
            y_codes, search_weight = codes, None
            if sample_weight is not None:
                # the search counts each row as its weight; zero-weight rows
                # do not count at all (and all rows kept need no copy)
                keep = sample_weight > 0
                if not keep.all():
                    proba, y_codes = proba[keep], codes[keep]
                counts, search_weight = weighted, rule_weight[keep]
            tuned, _ = _coordinate_ascent(
                proba, y_codes, counts, start, self.scoring, self.classes_,
                coords=range(n_classes), max_iter=_MAX_SWEEPS,
                sample_weight=search_weight,
            )  # fmt: skip
            weights = start ** (1 - self.refinement) * tuned**self.refinement
            self.weights_ = weights / weights.sum()
        elif self.refinement > 0:  # an int cv and a class of a single sample
            counted = codes if sample_weight is None else codes[sample_weight > 0]
            n_rows = np.bincount(counted, minlength=n_classes)
            smallest = int(np.argmin(n_rows))
            of = "" if sample_weight is None else " of positive weight"
            warnings.warn(
                f"Class {_plain(self.classes_[smallest])!r} has 1 sample{of} in y; "
                f"the held-out probabilities of a model without out-of-bag "
                f"scores need at least 2 samples of every class, so the class "
                f"weights are not refined: weights_ is the inverse class prior, "
                f"as with refinement=0. Add samples of the class, drop it, or "
                f"use only models with out-of-bag scores or prefit ones."
                f"{single_sample_note(self.classes_, n_rows, of)}",
                UserWarning,
                stacklevel=external_stacklevel(),
            )

    def _check_model_classes(self, name, fitted):
        """Refuse a model without probabilities or not over the classes of ``y``.

        The models are fitted on the labels of ``y``, as a prefit model (in a
        ``FrozenEstimator``) holds them.
        """
        # checked once fitted, as VotingClassifier does: a StackingClassifier
        # with its default final estimator has predict_proba only then
        if not hasattr(fitted, "predict_proba"):
            _refuse_no_proba(name, fitted)
        classes = np.asarray(getattr(fitted, "classes_", []))
        if not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"{_classes_mismatch(name, classes, self.classes_)}; the "
                "ensemble averages probabilities of the classes of y."
            )

    def _average_proba(self, X):
        """The mean of the models' probabilities, as ``np.mean(..., axis=0)``.

        Probabilities of float64 are summed in order as each model gives
        them, so that one model's are held beside the sum, not all of them
        and then their stack (7 times the output's memory with three models,
        against 3). A first model of another dtype (a network's float32)
        takes ``np.mean``'s path, which sums in that dtype; a later model of
        a type wider than float64, or of another shape, makes it start again
        on that path (whose error refuses models of different shapes, which
        the sum would broadcast).
        """
        check_is_fitted(self)
        # each model checks X, its feature names and number of features
        first, *others = _models_of_classes(self)
        total = np.asarray(first.predict_proba(X))
        if total.dtype != np.float64:
            return np.mean([total, *(est.predict_proba(X) for est in others)], axis=0)
        total = total.copy()  # a model may return an array it holds
        for est in others:
            proba = np.asarray(est.predict_proba(X))
            if proba.shape != total.shape or not np.can_cast(proba.dtype, np.float64):
                return np.mean([e.predict_proba(X) for e in self.estimators_], axis=0)
            total += proba
            del proba  # not held while the next model predicts
        total /= len(self.estimators_)
        return total

    @_Substitution(X=_X_predict_docstring)
    def predict_proba(self, X):
        """Averaged class probabilities reweighted by ``weights_``.

        {X}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Reweighted probabilities, renormalised per row; ``predict`` is
            their argmax.
        """
        log_proba = self.predict_log_proba(X)
        return np.exp(log_proba, out=log_proba)

    @_Substitution(X=_X_predict_docstring)
    def predict_log_proba(self, X):
        """Logarithm of the reweighted class probabilities.

        As :class:`~imblearn.ensemble.BalancedRandomForestClassifier` and the
        post-hoc classifiers offer it; computed in log space, so that a
        probability of 0 gives ``-inf`` without a warning.

        .. versionadded:: 0.1

        {X}

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, columns in the order of ``classes_``.
        """
        proba = self._average_proba(X)
        return _adjusted_log_proba(proba, np.log(self.weights_))

    @_Substitution(X=_X_predict_docstring)
    def predict(self, X):
        """Predict the class of largest reweighted probability.

        {X}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the ``fit`` of every model of
            ``estimators`` and to the ``split`` of a ``cv`` splitter; the
            ensemble itself consumes ``sample_weight`` (and hands it to the
            default models).
        """
        models = [item for item in self._named_models() if not _is_dropped(item[1])]
        return fit_router(self, models, cv=self.cv)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        models = self.estimators
        if models is None:  # the default forests and logistic regression
            models = _default_models_of_tags()

        def model_tags(tag, combine):
            return bool(
                isinstance(models, list)
                and models
                and all(isinstance(item, tuple) and len(item) == 2 for item in models)
                and combine(
                    # not a model: refused by name in fit
                    hasattr(model, "fit") and getattr(get_tags(model).input_tags, tag)
                    for _, model in models
                    if not _is_dropped(model)
                )
            )

        # X goes to the models as it is: missing values or a sparse matrix
        # pass when every model accepts them (missing values are refused by
        # the default logistic regression)
        tags.input_tags.allow_nan = model_tags("allow_nan", all)
        tags.input_tags.sparse = model_tags("sparse", all)
        # a precomputed kernel or distance matrix of one model: scikit-learn's
        # splitters then cut its columns too, as the cross-fitting does
        tags.input_tags.pairwise = model_tags("pairwise", any)
        return tags
