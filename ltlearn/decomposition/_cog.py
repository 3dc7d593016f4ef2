"""COG and COG-OS: classification using local clustering."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import replace
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
)
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ltlearn.decomposition._model_selection import _checked_split
from ltlearn.decomposition._pairwise import _as_linear_svcs
from ltlearn.decomposition._subclasses import (
    _check_estimator,
    _decompose,
    _default_clusterer,
    _default_estimator,
    _keeps_rows,
    _kmeans_ready,
    _n_clusters_per_class,
    _phase_three_estimator,
    _refuse_pairwise,
    _replication_rule,
    _SubclassLearner,
)
from ltlearn.utils._docstring import (
    _feature_attributes_docstring,
    _random_state_docstring,
    _Substitution,
    _X_predict_docstring,
)
from ltlearn.utils._fitted import unfitted_on_error
from ltlearn.utils._random import draw_seeds
from ltlearn.utils._validation import check_classification_y, column_or_1d_y


def _estimator_has(attr, strategies):
    """Whether ``attr`` is offered; an ``AttributeError`` says why not.

    Once fitted, the strategy is that of the fitted model: ``strategy`` set
    since takes effect at the next fit.
    """

    def check(self):
        model = vars(self).get("_model")
        strategy = self.strategy
        if model is not None:
            strategy = "direct" if model.pairwise is None else "min-max"
        if strategy not in strategies:  # as SVC's "when probability=False"
            raise AttributeError(f"{attr} is not available when strategy={strategy!r}")
        if attr == "decision_function" and strategy == "min-max":
            return True
        fitted = hasattr(self, "estimator_")  # its AttributeError says why not
        getattr(self.estimator_ if fitted else self._unfitted_estimator(), attr)
        return True

    return check


@_Substitution(
    random_state=_random_state_docstring,
    feature_attributes=_feature_attributes_docstring,
)
class COGClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Classification using local clustering (COG and COG-OS).

    COG decomposes every large class into sub-classes with a clustering run
    *within* that class (phase I), optionally over-samples the rare classes
    (phase II, COG-OS), fits ``estimator`` on the sub-class labels (phase
    III) and maps its predictions back to the original classes (phase IV).
    A large class made of several modes around a rare class is rarely
    linearly separable from it as a whole, but each of its sub-classes often
    is, so a linear model trained pairwise becomes adequate.

    .. versionadded:: 0.1

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier of phase III; it must implement ``fit`` and
        ``predict``, and ``decision_function`` or ``predict_proba`` for the
        ``"min-max"`` strategy. ``None`` means :class:`~sklearn.svm.LinearSVC`
        for ``"min-max"`` and ``OneVsOneClassifier(LinearSVC())`` for
        ``"direct"``. Tune it through ``estimator__<param>`` once given
        (``COGClassifier(LinearSVC())``): ``None`` has no parameters to set.

        Under ``"min-max"``, a ``LinearSVC`` of the default ``loss``,
        ``penalty``, ``multi_class`` and ``class_weight`` on dense data of at
        most 200 features is not fitted pair by pair: all its pairs are solved
        at once by a finite Newton method, on the objective of liblinear and
        with the stopping rule of its primal solver (``C``, ``fit_intercept``,
        ``intercept_scaling``, ``tol`` and ``max_iter`` are honoured), and
        ``estimators_`` holds ``LinearSVC`` objects with these solutions,
        saving the per-fit overhead of many small problems.

    n_clusters : "auto", int or dict, default="auto"
        Number of sub-classes of each class, ``K(i)``.

        - ``"auto"``: sub-classes of about the size of the smallest class,
          but of at least 200 rows: ``K(i) = round(n_i / max(n_min, 200))``,
          between 1 and 10. Classes of fewer than 300 rows stay whole.
        - int: the number of sub-classes of the largest class; every other
          class gets ``max(1, round(n_clusters * n_i / n_max))`` so that
          sub-classes keep about the same size. ``1`` splits nothing: COG is
          then its estimator (with the weights of phase II) on two classes or
          with ``"direct"``; on more, ``"min-max"`` fits it per pair of
          classes, a one-vs-one model that can predict otherwise.
        - dict ``{{label: K}}``: the number of sub-classes of each class;
          classes absent from the dict stay whole.

        ``K(i)`` is reduced to the number of rows of the class, and clusters
        that come out empty are dropped, so ``n_clusters_`` may be
        smaller than asked. Whether splitting pays off depends on the data:
        ``split_cv`` checks it on held-out folds.

    oversample : None, "replicate", dict or sampler object, default=None
        Phase II. ``None`` is COG: the sub-class problem is learned as is.
        The other values select COG-OS:

        - ``"replicate"``: the rows of class ``i`` count
          ``r(i) = n_max / n_i`` times, so that every class weighs as much as
          the largest one.
        - dict ``{{label: r}}``: the rows of each listed class count ``r``
          times (a number >= 1); other classes once.
        - an imbalanced-learn compatible sampler (an object with
          ``fit_resample``, e.g. :class:`imblearn.over_sampling.SMOTE` or
          ltlearn's ``SMOTE``): a clone resamples the sub-class problem, the
          sub-class labels being its targets. Its ``random_state`` is seeded
          from ``random_state`` when it is ``None``. It must accept the sizes
          of the sub-classes (SMOTE needs ``k_neighbors + 1`` rows in each).

        Rates are passed as ``sample_weight``, rescaled to a mean of 1 over
        the training rows (so ``"replicate"`` weighs the classes as
        ``class_weight="balanced"`` does and ``C`` keeps its meaning), when
        the estimator's ``fit`` accepts it; otherwise each row is copied
        ``round(r)`` times.

    strategy : {{"min-max", "direct"}}, default="min-max"
        How phase III learns the sub-class problem.

        - ``"min-max"``: a clone of ``estimator`` is fitted for every pair of
          sub-classes of *different* classes, on the rows of the two
          sub-classes; pairs within one class are skipped, as their boundary
          never changes the predicted class. A sub-class scores its worst
          pairwise score against the sub-classes of the other classes, a
          class the best score of its sub-classes (the min-max combination of
          Lu and Ito [3]_): a rare class between two sub-classes is the
          intersection of two half-spaces, a linear boundary each.
        - ``"direct"``: ``estimator`` is fitted once on the sub-class labels,
          as the paper's phase III states; it then needs a multi-class
          strategy that can isolate a sub-class lying between others (one-vs-
          one or a joint multi-class model, not one-vs-rest).

    split_cv : int, cross-validation generator, iterable or None, default=None
        Check on held-out folds that the split pays off. When phase I splits a
        class, phases II and III are cross-validated twice on the training
        data: with the sub-classes of phase I (the clusters are reused, not
        recomputed per fold) and with the classes whole. The sub-classes are
        kept only when their mean gain in balanced accuracy over the folds
        exceeds its standard error (the one-standard-error rule; with two
        folds, a gain on both); otherwise every class stays whole, as with
        ``n_clusters=1``. The model of the classes whole is first fitted on all
        the rows: when it already classifies every training row right, the
        split has nothing to correct and the classes stay whole without
        cross-validation. With the batched ``LinearSVC`` pairs (see
        ``estimator``) the sub-class model is fitted on all the rows along with
        it, both start the fold fits, all solved in one batch, and the chosen
        one is kept without a refit; with another estimator the check costs
        about ``split_cv`` extra fits of each model. A collection of data sets
        gains: splitting helps data with several modes per class and hurts
        noisy data with a tiny rare class (measured on the embedded KEEL sets).

        - ``None``: no check; the split of phase I is used as it is.
        - int: the number of folds of a
          :class:`~sklearn.model_selection.StratifiedKFold` with shuffling,
          seeded from ``random_state``. The check is skipped, with a
          warning, when a class has fewer rows than folds.
        - other splits, as for :func:`~sklearn.model_selection.check_cv`; not a
          splitter by groups, as :meth:`fit` takes no groups (pass its splits).
          Each training fold must hold a row of every class (an error names
          the class otherwise).

    clusterer : estimator object, default=None
        The clustering run within each class; it must implement
        ``fit_predict`` and take an ``n_clusters`` parameter, set to ``K(i)``
        on a clone for each class. ``None`` means
        :class:`~sklearn.cluster.KMeans` with ``n_init=1``. Its
        ``random_state`` is seeded from ``random_state``.

    n_jobs : int, default=None
        Number of jobs that fit the models of phase III in parallel with
        :class:`joblib.Parallel`, as
        :class:`~sklearn.multiclass.OneVsOneClassifier` does: the pair models
        of ``"min-max"`` and, with ``split_cv``, the models of the folds.
        ``None`` means 1 unless in a :obj:`joblib.parallel_backend` context,
        ``-1`` means using all processors. The batched ``LinearSVC`` pairs
        (see ``estimator``) are solved together whatever ``n_jobs``. The
        fitted model does not depend on it. A fit stopped by an error or an
        interrupt (Ctrl-C), in a job or not, leaves the classifier not
        fitted.

    {random_state}
        It seeds the clusterer, the folds of an int ``split_cv``, and every
        ``random_state`` left ``None`` of the estimator and of the sampler
        (those of the models inside them included).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The original class labels.

    n_classes_ : int
        Number of classes, as :class:`~sklearn.multiclass.OneVsOneClassifier`
        gives it.

        .. versionadded:: 0.1

    estimator_ : estimator object
        ``"direct"`` only: the estimator fitted on the sub-class problem; its
        ``classes_`` are sub-class indices ``0 .. n_subclasses_ - 1``.

    estimators_ : list of estimator objects
        ``"min-max"`` only: the estimator fitted on each pair of
        ``pairs_``, its positive class being the second sub-class (a
        ``LinearSVC`` holding the batched solution, see ``estimator``).

    pairs_ : ndarray of shape (n_pairs, 2)
        ``"min-max"`` only: the sub-class indices of each pair of sub-classes
        of different classes that both kept rows through the sampler.

    clusterers_ : dict
        The fitted clusterer of each class split into more than one
        sub-class, keyed by class label.

    n_clusters_ : ndarray of shape (n_classes,)
        The number of sub-classes of each class after dropping empty
        clusters.

    n_subclasses_ : int
        The total number of sub-classes.

    subclass_to_class_ : ndarray of shape (`n_subclasses_`,)
        The original class label of each sub-class. Sub-classes are numbered
        class by class, in the order of ``classes_``.

    subclass_counts_ : ndarray of shape (`n_subclasses_`,)
        The number of training rows of each sub-class, before phase II.

    split_scores_ : ndarray of shape (2, n_splits) or None
        The balanced accuracy on each held-out fold of ``split_cv``, with the
        classes whole (row 0) and with the sub-classes of phase I (row 1);
        ``None`` when no check ran: ``split_cv=None``, no class split, a
        class smaller than the folds, or the classes whole already told
        apart on every training row, in which case the split has nothing to
        correct and the classes stay whole. When the classes were kept
        whole, ``n_clusters_`` is all ones and ``clusterers_`` is
        empty.

    replicate_rates_ : ndarray of shape (`n_subclasses_`,) or None
        How many times the rows of each sub-class count in phase III (all
        ones for COG) before the rescaling to a mean weight of 1; ``None``
        when ``oversample`` is a sampler.

    sampler_ : sampler object or None
        The fitted clone of the sampler when ``oversample`` is one, else
        ``None``.

    {feature_attributes}

    See Also
    --------
    sklearn.multiclass.OneVsOneClassifier : A pairwise strategy over all
        pairs, the default of ``"direct"``.
    imblearn.ensemble.BalancedBaggingClassifier : Re-balancing with a sampler
        inside an ensemble.

    Notes
    -----
    :meth:`predict` follows the paper: the sub-class of the best score is
    predicted and mapped to its class, which equals the argmax of
    :meth:`decision_function`, the best sub-class score of each class. With
    ``"direct"``, :meth:`predict_proba` sums the probabilities of the
    sub-classes of each class, so a class made of many sub-classes collects
    more mass: its argmax can differ from :meth:`predict`, which weighs the
    rare class against each sub-class on its own. ``"min-max"`` combines
    scores, not probabilities, and has no :meth:`predict_proba`.

    COG on its own keeps a rare class as heavy as one sub-class of a large
    class; it favours precision on the rare class. ``"replicate"`` gives the
    rare class the weight of the whole large class, which is the balanced
    accuracy choice. The papers do not publish exact rules for ``K(i)`` and
    ``r(j)``: ``"auto"`` and ``"replicate"`` are ltlearn's, chosen by balanced
    accuracy on the embedded KEEL sets.

    :meth:`fit` takes no ``sample_weight`` (passing one raises a
    ``TypeError``, as for scikit-learn estimators without it): the number of
    sub-classes, the clustering, the replication rates, a sampler and the
    split check all count rows, and a sampler cannot weigh them. Repeat rows
    for integer weights, or weigh whole classes with ``oversample``.

    References
    ----------
    .. [1] J. Wu, H. Xiong, J. Chen, "COG: local decomposition for rare class
       analysis", Data Mining and Knowledge Discovery 20(2), 191-220, 2010.
    .. [2] J. Wu, H. Xiong, P. Wu, J. Chen, "Local decomposition for rare
       class analysis", KDD 2007, 814-823.
    .. [3] B.-L. Lu, M. Ito, "Task decomposition and module combination based
       on class relations: a modular neural network for pattern
       classification", IEEE Transactions on Neural Networks 10(5),
       1244-1256, 1999.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.decomposition import COGClassifier
    >>> X, y = make_classification(n_samples=500, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> cog = COGClassifier(n_clusters=4, oversample="replicate",
    ...                     random_state=0).fit(X, y)
    >>> cog.classes_
    array([0, 1])
    >>> cog.n_clusters_
    array([4, 1])
    >>> cog.subclass_counts_
    array([112, 102, 138,  97,  51])
    >>> cog.pairs_
    array([[0, 4],
           [1, 4],
           [2, 4],
           [3, 4]])
    >>> cog.predict(X[:5])
    array([0, 0, 0, 1, 1])

    Checked on held-out folds, this split does not pay off, so the classes
    stay whole:

    >>> checked = COGClassifier(n_clusters=4, oversample="replicate",
    ...                         split_cv=3, random_state=0).fit(X, y)
    >>> checked.split_scores_.round(3)
    array([[0.672, 0.816, 0.772],
           [0.659, 0.761, 0.668]])
    >>> checked.n_clusters_
    array([1, 1])
    """

    _parameter_constraints: dict = {
        # predict is checked in fit, and the scores of the pairs once fitted,
        # as OneVsOneClassifier does: a StackingClassifier with its default
        # final estimator has them only then
        "estimator": [HasMethods(["fit"]), None],
        "n_clusters": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            dict,
        ],
        "oversample": [
            None,
            StrOptions({"replicate"}),
            dict,
            HasMethods(["fit_resample"]),
        ],
        "strategy": [StrOptions({"min-max", "direct"})],
        "split_cv": ["cv_object"],
        "clusterer": [HasMethods(["fit_predict", "set_params"]), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_clusters="auto",
        oversample=None,
        strategy="min-max",
        split_cv=None,
        clusterer=None,
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_clusters = n_clusters
        self.oversample = oversample
        self.strategy = strategy
        self.split_cv = split_cv
        self.clusterer = clusterer
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _uses_sampler(self):
        return self.oversample is not None and not isinstance(
            self.oversample, (str, dict)
        )

    def _unfitted_estimator(self):
        """The given estimator, or the default of the strategy."""
        if self.estimator is None:
            return _default_estimator(self.strategy)
        return self.estimator

    @unfitted_on_error("_model")
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the sub-class model on the local clusters of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training input samples.

        y : array-like of shape (n_samples,)
            The target values (class labels).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if y is not None:  # validate_data names a missing y
            check_classification_y(y if hasattr(y, "toarray") else np.asarray(y))
            y = column_or_1d_y(y)
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32]
        )
        X = _kmeans_ready(X)
        if self.estimator is not None:
            _check_estimator(self.estimator)
        if self.clusterer is not None:
            _refuse_pairwise(
                self.clusterer, "clusterer", "COG clusters the rows of each class"
            )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        counts = np.bincount(y_index, minlength=self.classes_.size)
        rng = check_random_state(self.random_state)

        # Phase I: local clustering within each class.
        subclass, subclass_class, self.clusterers_ = _decompose(
            X,
            y_index,
            self.classes_,
            _n_clusters_per_class(self.n_clusters, self.classes_, counts),
            self.clusterer,
            rng,
        )
        sampler_seed, estimator_seed = draw_seeds(rng, 2)
        # Phases II (COG-OS: over-sample the rare classes) and III.
        learner = _SubclassLearner(
            self.strategy,
            _phase_three_estimator(self.estimator, self.strategy, estimator_seed),
            class_rates=None
            if self._uses_sampler()
            else _replication_rule(self.oversample, self.classes_),
            sampler=self.oversample if self._uses_sampler() else None,
            sampler_seed=sampler_seed,
            n_jobs=self.n_jobs,
        )

        # Phases II-III on held-out folds, with and without the sub-classes
        self.split_scores_, split, model = _checked_split(
            self.split_cv, learner, X, y, subclass, subclass_class, rng
        )
        if not split:
            subclass, subclass_class = y_index, np.arange(self.classes_.size)
            self.clusterers_ = {}

        self.n_classes_ = self.classes_.size
        self.subclass_to_class_ = self.classes_[subclass_class]
        self.n_subclasses_ = subclass_class.size
        self.n_clusters_ = np.bincount(subclass_class, minlength=self.classes_.size)
        self.subclass_counts_ = np.bincount(subclass, minlength=self.n_subclasses_)

        # Phases II-III on all the rows, unless the check already fitted them.
        if model is None:
            problem = learner.prepare(X, subclass, subclass_class, counts)
            model = learner.fit([problem])[0]
        self.sampler_ = model.sampler
        self.replicate_rates_ = model.replicate_rates
        if model.pairwise is None:
            self.estimator_ = model.estimator
            stale = ("pairs_", "estimators_")
        else:
            pairwise = _as_linear_svcs(model.pairwise, learner.estimator)
            model = replace(model, pairwise=pairwise)
            self.pairs_, self.estimators_ = pairwise.pairs, pairwise.estimators
            stale = ("estimator_",)
        for name in stale:  # those of a previous fit with the other strategy
            vars(self).pop(name, None)
        self._model = model
        return self

    def _validate_for_predict(self, X):
        """Check that the model is fitted and validate ``X`` as in ``fit``."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )
        # as in fit: the estimator was fitted on rows whose entries were summed
        return _kmeans_ready(X)

    @_Substitution(X=_X_predict_docstring)
    def predict(self, X):
        """Predict the best sub-class of each sample and map it to its class.

        {X}

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predicted classes.
        """
        X = self._validate_for_predict(X)
        return self.classes_[self._model.predict_index(X)]

    @available_if(_estimator_has("predict_proba", {"direct"}))
    @_Substitution(X=_X_predict_docstring)
    def predict_proba(self, X):
        """Class probabilities: the sum of the probabilities of the sub-classes.

        Only available with ``strategy="direct"`` and an inner estimator that
        has ``predict_proba``.

        {X}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        X = self._validate_for_predict(X)
        return self._model.class_proba(X, self.classes_.size)

    @available_if(_estimator_has("predict_proba", {"direct"}))
    @_Substitution(X=_X_predict_docstring)
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of :meth:`predict_proba`.

        Available when :meth:`predict_proba` is.

        {X}

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of
            ``classes_``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_estimator_has("decision_function", {"direct", "min-max"}))
    @_Substitution(X=_X_predict_docstring)
    def decision_function(self, X):
        """Score of each class: the best score of its sub-classes.

        With ``"min-max"``, a sub-class scores its worst score over its pairs
        in ``pairs_``, ``-inf`` in none (a sub-class the sampler removed); with
        ``"direct"``, the inner estimator's score (only available when it has
        ``decision_function``).

        {X}

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            The score of each class, in the order of ``classes_``. For
            binary problems, a 1-D array, positive for ``classes_[1]``: half
            the score of ``classes_[1]`` minus that of ``classes_[0]``, which
            is the inner score itself when neither class is split.
        """
        X = self._validate_for_predict(X)
        return self._model.decision_function(X, self.classes_.size)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator = self._unfitted_estimator()
        clusterer = _default_clusterer() if self.clusterer is None else self.clusterer
        sparse = get_tags(estimator).input_tags.sparse
        sparse = sparse and get_tags(clusterer).input_tags.sparse
        if self._uses_sampler():
            sparse = sparse and get_tags(self.oversample).input_tags.sparse
        tags.input_tags.sparse = sparse
        # a precomputed matrix: "direct" alone fits on all the rows (see fit),
        # with no sampler and no rates that copy them
        tags.input_tags.pairwise = (
            self.strategy == "direct"
            and self.split_cv is None
            and _keeps_rows(estimator, self.oversample)
            and get_tags(estimator).input_tags.pairwise
        )
        return tags
