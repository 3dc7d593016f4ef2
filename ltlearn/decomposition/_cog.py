"""COG and COG-OS: classification using local clustering."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from itertools import combinations
from numbers import Integral, Real

import numpy as np
from imblearn.utils import Substitution
from scipy import sparse
from sklearn import config_context
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.multiclass import OneVsOneClassifier
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from ltlearn.decomposition._squared_hinge import _fit_squared_hinge
from ltlearn.utils._docstring import _random_state_docstring
from ltlearn.utils._validation import check_classification_y

_MAX_SEED = np.iinfo(np.int32).max

# "auto" never makes sub-classes smaller than this, so that every pairwise
# linear boundary is learned from enough rows (chosen on the KEEL collection,
# see benchmarks/bench_cog.py).
_AUTO_MIN_SUBCLASS_SIZE = 200
# "auto" never splits a class into more sub-classes than this: one model is
# fitted per pair of sub-classes of different classes.
_AUTO_MAX_CLUSTERS = 10
# split_cv fits the pairs of a plain LinearSVC all at once on dense data up to
# this many features; the Hessian of each pair is dense.
_BATCHED_MAX_FEATURES = 200


def _default_estimator(strategy):
    if strategy == "min-max":
        return LinearSVC()
    return OneVsOneClassifier(LinearSVC())


def _binary_score(estimator, X):
    """Score of the positive class of a fitted binary classifier."""
    if hasattr(estimator, "decision_function"):
        return np.asarray(estimator.decision_function(X), dtype=np.float64).ravel()
    return np.asarray(estimator.predict_proba(X), dtype=np.float64)[:, 1] - 0.5


def _fit_weighted(estimator, X, y, rates, scale=None):
    """Fit ``estimator`` with rows counted ``rates`` times.

    The rates become ``sample_weight`` divided by ``scale`` (by default their
    mean) when ``fit`` accepts it, else each row is copied ``round(rate)``
    times.
    """
    if rates is None:
        return estimator.fit(X, y)
    if has_fit_parameter(estimator, "sample_weight"):
        scale = rates.mean() if scale is None else scale
        return estimator.fit(X, y, sample_weight=rates / scale)
    rows = np.repeat(np.arange(y.size), np.rint(rates).astype(np.intp))
    return estimator.fit(X[rows], y[rows])


def _pair_scores(fitted, X):
    """Score of the second sub-class of each pair, shape (n_samples, n_pairs).

    ``fitted`` holds either the fitted ``estimators_`` or, from the batched
    solver, the ``linear_pairs`` weights and intercepts.
    """
    if "estimators_" in fitted:
        return np.column_stack([_binary_score(e, X) for e in fitted["estimators_"]])
    pairs = fitted["linear_pairs"]
    return X @ pairs["coef"].T + pairs["intercept"]


def _min_max_scores(pairs, pair_scores, n_subclasses):
    """Score of each sub-class: its worst score over its pairs.

    A sub-class that is in no pair scores ``-inf``.
    """
    scores = np.full((pair_scores.shape[0], n_subclasses), np.inf)
    for (a, b), score in zip(pairs, pair_scores.T):
        np.minimum(scores[:, b], score, out=scores[:, b])
        np.minimum(scores[:, a], -score, out=scores[:, a])
    paired = np.zeros(n_subclasses, dtype=bool)
    paired[np.ravel(pairs)] = True
    scores[:, ~paired] = -np.inf
    return scores


def _squared_hinge_params(estimator, Xs):
    """``LinearSVC`` parameters when the batched solver can fit its pairs.

    The solver reproduces ``LinearSVC`` with the L2 penalty, the squared
    hinge loss and no class weights on dense data (every array of ``Xs``) of
    at most ``_BATCHED_MAX_FEATURES`` features; otherwise ``None``.
    """
    if type(estimator) is not LinearSVC or any(sparse.issparse(X) for X in Xs):
        return None
    params = estimator.get_params()
    if (
        Xs[0].shape[1] > _BATCHED_MAX_FEATURES
        or params["penalty"] != "l2"
        or params["loss"] != "squared_hinge"
        or params["class_weight"] is not None
    ):
        return None
    names = ("C", "fit_intercept", "intercept_scaling", "tol", "max_iter")
    return {key: params[key] for key in names}


def _pair_start(fitted, present, pairs):
    """Starting points for ``pairs`` of the sub-classes ``present``.

    ``fitted`` holds the batched solutions of all the sub-classes; each pair
    starts from the solution of the same two sub-classes there.
    """
    index = {tuple(pair): k for k, pair in enumerate(fitted["pairs_"].tolist())}
    raw = fitted["linear_pairs"]["raw"]
    return raw[[index[(present[a], present[b])] for a, b in pairs]]


def _solved_linear_svc(estimator, coef, intercept, n_iter):
    """A clone of the ``LinearSVC`` ``estimator`` fitted to a batched solution.

    It holds what ``fit`` would set on a pair problem (classes 0 and 1).
    """
    svc = clone(estimator)
    svc.classes_ = np.array([0, 1])
    svc.coef_ = coef[None, :]
    svc.intercept_ = np.array([intercept]) if svc.fit_intercept else 0.0
    svc.n_features_in_ = coef.size
    svc.n_iter_ = int(n_iter)
    return svc


def _balanced_accuracy(y_true, y_pred, n_classes):
    """Mean recall over the classes of ``y_true`` (integer class indices)."""
    total = np.bincount(y_true, minlength=n_classes)
    hits = np.bincount(y_true[y_true == y_pred], minlength=n_classes)
    present = total > 0
    return float(np.mean(hits[present] / total[present]))


def _pays_off(gains):
    """Whether the mean of ``gains`` exceeds its standard error.

    The one-standard-error rule: a split whose gain on held-out folds is
    within noise keeps the simpler model.
    """
    if gains.size < 2:
        return bool(gains.mean() > 0)
    return bool(gains.mean() > gains.std(ddof=1) / np.sqrt(gains.size))


def _default_clusterer():
    return KMeans(n_init=1)


def _auto_n_clusters(counts):
    """``K(i)`` for sub-classes of about the size of the smallest class.

    The target size is that of the smallest class, at least
    ``_AUTO_MIN_SUBCLASS_SIZE``; class ``i`` gets ``round(n_i / size)``
    sub-classes, at least 1 and at most ``_AUTO_MAX_CLUSTERS``.
    """
    size = max(int(counts.min()), _AUTO_MIN_SUBCLASS_SIZE)
    n_clusters = np.rint(counts / size).astype(np.intp)
    return np.clip(n_clusters, 1, _AUTO_MAX_CLUSTERS)


def _auto_replicate_rates(counts):
    """``r(i) = n_max / n_i``: every class weighs as much as the largest one."""
    return counts.max() / counts


def _estimator_has(attr, strategies):
    """Whether ``attr`` is offered: a listed strategy and an estimator with it."""

    def check(self):
        if self.strategy not in strategies:
            return False
        if attr == "decision_function" and self.strategy == "min-max":
            return True
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self._unfitted_estimator(), attr)

    return check


@Substitution(random_state=_random_state_docstring)
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
        ``"direct"``. Tune it through ``estimator__<param>``.

        Under ``"min-max"``, a ``LinearSVC`` with the squared hinge loss, the
        L2 penalty and no class weights (the default) on dense data of at
        most 200 features is not fitted pair by pair: all its pairs are
        solved at once by a finite Newton method, on the objective of
        liblinear and with the stopping rule of its primal solver (``C``,
        ``fit_intercept``, ``intercept_scaling``, ``tol`` and ``max_iter``
        are honoured), and :attr:`estimators_` holds ``LinearSVC`` objects
        with these solutions. This saves the per-fit overhead of many small
        problems.

    n_clusters : "auto", int or dict, default="auto"
        Number of sub-classes of each class, ``K(i)``.

        - ``"auto"``: sub-classes of about the size of the smallest class,
          but of at least 200 rows: ``K(i) = round(n_i / max(n_min, 200))``,
          between 1 and 10. Classes of fewer than 300 rows stay whole.
        - int: the number of sub-classes of the largest class; every other
          class gets ``max(1, round(n_clusters * n_i / n_max))`` so that
          sub-classes keep about the same size. ``1`` splits nothing: COG is
          then its estimator (with the weights of phase II).
        - dict ``{{label: K}}``: the number of sub-classes of each class;
          classes absent from the dict stay whole.

        ``K(i)`` is reduced to the number of rows of the class, and clusters
        that come out empty are dropped, so :attr:`n_clusters_` may be
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
        Check on held-out folds that the split pays off. When phase I splits
        a class, phases II and III are cross-validated twice on the training
        data: with the sub-classes of phase I (the clusters are reused, not
        recomputed per fold) and with the classes whole. The sub-classes are
        kept only when their mean gain in balanced accuracy over the folds
        exceeds its standard error (the one-standard-error rule; with two
        folds, a gain on both); otherwise every class stays whole and COG is
        its estimator (with the weights of phase II). The model of the
        classes whole is first fitted on all the rows: when it already
        classifies every training row right, the split has nothing to
        correct and the classes stay whole without cross-validation. With
        the batched ``LinearSVC`` pairs (see ``estimator``) the sub-class
        model is fitted on all the rows along with it, both start the fold
        fits, all solved in one batch, and the chosen one is kept without a
        refit; with another estimator the check costs about ``split_cv``
        extra fits of each model. A collection of data sets gains: splitting
        helps data with several modes per class and hurts noisy data with a
        tiny rare class (see ``benchmarks/bench_cog.py``).

        - ``None``: no check; the split of phase I is used as it is.
        - int: the number of folds of a
          :class:`~sklearn.model_selection.StratifiedKFold` with shuffling,
          seeded from ``random_state``. The check is skipped when a class has
          fewer rows than folds.
        - a cross-validation generator or an iterable of (train, test)
          splits, as for :func:`~sklearn.model_selection.check_cv`.

    clusterer : estimator object, default=None
        The clustering run within each class; it must implement
        ``fit_predict`` and take an ``n_clusters`` parameter, set to ``K(i)``
        on a clone for each class. ``None`` means
        :class:`~sklearn.cluster.KMeans` with ``n_init=1``. Its
        ``random_state`` is seeded from ``random_state``.

    {random_state}
        It seeds the clusterer, the sampler (when its own ``random_state`` is
        ``None``), the default estimator and the folds of an int
        ``split_cv``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The original class labels.

    estimator_ : estimator object
        ``"direct"`` only: the estimator fitted on the sub-class problem; its
        ``classes_`` are sub-class indices ``0 .. n_subclasses_ - 1``.

    estimators_ : list of estimator objects
        ``"min-max"`` only: the estimator fitted on each pair of
        :attr:`pairs_`, its positive class being the second sub-class (a
        ``LinearSVC`` holding the batched solution, see ``estimator``).

    pairs_ : ndarray of shape (n_pairs, 2)
        ``"min-max"`` only: the sub-class indices of each pair of sub-classes
        of different classes.

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
        class by class, in the order of :attr:`classes_`.

    subclass_counts_ : ndarray of shape (`n_subclasses_`,)
        The number of training rows of each sub-class, before phase II.

    split_scores_ : ndarray of shape (2, n_splits) or None
        The balanced accuracy on each held-out fold of ``split_cv``, with the
        classes whole (row 0) and with the sub-classes of phase I (row 1);
        ``None`` when no check ran: ``split_cv=None``, no class split, a
        class smaller than the folds, or the classes whole already told
        apart on every training row, in which case the split has nothing to
        correct and the classes stay whole. When the classes were kept
        whole, :attr:`n_clusters_` is all ones and :attr:`clusterers_` is
        empty.

    replicate_rates_ : ndarray of shape (`n_subclasses_`,) or None
        How many times the rows of each sub-class count in phase III (all
        ones for COG) before the rescaling to a mean weight of 1; ``None``
        when ``oversample`` is a sampler.

    sampler_ : sampler object or None
        The fitted clone of the sampler when ``oversample`` is one, else
        ``None``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

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
    ``r(j)``: ``"auto"`` and ``"replicate"`` are ltlearn's, measured in
    ``benchmarks/bench_cog.py``.

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
        "estimator": [HasMethods(["fit", "predict"]), None],
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
        random_state=None,
    ):
        self.estimator = estimator
        self.n_clusters = n_clusters
        self.oversample = oversample
        self.strategy = strategy
        self.split_cv = split_cv
        self.clusterer = clusterer
        self.random_state = random_state

    def _wanted_n_clusters(self, counts):
        """``K(i)`` for each class from ``n_clusters``, capped by the class size."""
        if isinstance(self.n_clusters, str):
            wanted = _auto_n_clusters(counts)
        elif isinstance(self.n_clusters, dict):
            wanted = np.ones(counts.size, dtype=np.intp)
            index = self._class_index(self.n_clusters, "n_clusters")
            for label, k in self.n_clusters.items():
                if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
                    raise ValueError(
                        f"n_clusters[{label!r}] must be an int >= 1; got {k!r}."
                    )
                wanted[index[label]] = k
        else:
            wanted = np.rint(self.n_clusters * counts / counts.max()).astype(np.intp)
            wanted = np.maximum(wanted, 1)
        return np.minimum(wanted, counts)

    def _class_index(self, mapping, name):
        """Map the labels of a user dict to class indices, refusing unknown ones."""
        index = {}
        for label in mapping:
            found = np.flatnonzero(self.classes_ == label)
            if found.size == 0:
                raise ValueError(
                    f"{name} names the class {label!r}, which is not in y; the "
                    f"classes are {self.classes_.tolist()!r}."
                )
            index[label] = found[0]
        return index

    def _unfitted_estimator(self):
        """The given estimator, or the default of the strategy."""
        if self.estimator is None:
            return _default_estimator(self.strategy)
        return self.estimator

    def _make_clusterer(self, n_clusters, seed):
        clusterer = (
            _default_clusterer() if self.clusterer is None else clone(self.clusterer)
        )
        params = clusterer.get_params()
        if "n_clusters" not in params:
            raise ValueError(
                f"clusterer {type(clusterer).__name__} has no n_clusters "
                "parameter; COGClassifier sets it to the number of sub-classes "
                "of each class."
            )
        clusterer.set_params(n_clusters=int(n_clusters))
        if "random_state" in params:
            clusterer.set_params(random_state=seed)
        return clusterer

    def _decompose(self, X, y_index, counts, rng):
        """Phase I: cluster each class; return the sub-class of every row."""
        wanted = self._wanted_n_clusters(counts)
        subclass = np.empty(y_index.size, dtype=np.intp)
        subclass_class = []
        self.clusterers_ = {}
        for i, label in enumerate(self.classes_.tolist()):
            rows = np.flatnonzero(y_index == i)
            seed = rng.randint(_MAX_SEED)  # drawn for every class: stable streams
            if wanted[i] <= 1:
                subclass[rows] = len(subclass_class)
                subclass_class.append(i)
                continue
            clusterer = self._make_clusterer(wanted[i], seed)
            with warnings.catch_warnings():
                # Duplicated rows can leave fewer distinct clusters than asked;
                # the empty ones are dropped just below.
                warnings.simplefilter("ignore", ConvergenceWarning)
                labels = np.asarray(clusterer.fit_predict(X[rows]))
            found, labels = np.unique(labels, return_inverse=True)
            subclass[rows] = len(subclass_class) + labels
            subclass_class.extend([i] * found.size)
            self.clusterers_[label] = clusterer
        return subclass, np.asarray(subclass_class, dtype=np.intp)

    def _replicate_rates(self, counts, subclass_class):
        """``r`` of each sub-class: how many times its rows count."""
        if self.oversample is None:
            return np.ones(subclass_class.size)
        if isinstance(self.oversample, str):
            return _auto_replicate_rates(counts)[subclass_class]
        class_rates = np.ones(counts.size)
        index = self._class_index(self.oversample, "oversample")
        for label, rate in self.oversample.items():
            if (
                not isinstance(rate, Real)
                or isinstance(rate, bool)
                or not np.isfinite(rate)
                or rate < 1
            ):
                raise ValueError(
                    f"oversample[{label!r}] must be a replication rate >= 1; "
                    f"got {rate!r}."
                )
            class_rates[index[label]] = rate
        return class_rates[subclass_class]

    def _resample(self, X, subclass, seed):
        """Phase II with a sampler: resample the sub-class problem."""
        sampler = clone(self.oversample)
        params = sampler.get_params()
        if params.get("random_state", 0) is None:
            sampler.set_params(random_state=seed)
        try:
            X_res, y_res = sampler.fit_resample(X, subclass)
        except ValueError as exc:
            raise ValueError(
                f"The sampler {type(sampler).__name__} failed on the sub-class "
                f"problem (sub-class sizes {np.bincount(subclass).tolist()}): "
                f"{exc} Use fewer sub-classes (n_clusters) or a sampler that "
                "accepts smaller groups."
            ) from exc
        return sampler, X_res, np.asarray(y_res)

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
            check_classification_y(np.asarray(y))
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32]
        )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        counts = np.bincount(y_index, minlength=self.classes_.size)
        rng = check_random_state(self.random_state)

        # Phase I: local clustering within each class.
        subclass, subclass_class = self._decompose(X, y_index, counts, rng)
        sampler_seed, estimator_seed = rng.randint(_MAX_SEED, size=2)
        if self.estimator is None:
            key = (
                "estimator__random_state"
                if self.strategy == "direct"
                else "random_state"
            )
            estimator = self._unfitted_estimator().set_params(**{key: estimator_seed})
        else:
            estimator = clone(self.estimator)
        if self.strategy == "min-max" and not (
            hasattr(estimator, "decision_function")
            or hasattr(estimator, "predict_proba")
        ):
            raise ValueError(
                f"The min-max strategy scores each pair of sub-classes, but "
                f"{type(estimator).__name__} has neither decision_function nor "
                "predict_proba; use strategy='direct' or another estimator."
            )

        # Does splitting pay off? Phases II-III on held-out folds, with and
        # without the sub-classes; keep the classes whole unless it does.
        self.split_scores_, fitted = None, None
        whole = np.arange(self.classes_.size)
        if self.split_cv is not None and subclass_class.size > whole.size:
            cv = self._split_cv(counts, rng.randint(_MAX_SEED))
            if cv is not None:
                self.split_scores_, full = self._split_scores(
                    X, y_index, subclass, subclass_class, cv, estimator, sampler_seed
                )
                split = self.split_scores_ is not None and _pays_off(
                    self.split_scores_[1] - self.split_scores_[0]
                )
                if not split:
                    subclass, subclass_class = y_index, whole
                    self.clusterers_ = {}
                fitted = full[int(split)]

        self._subclass_class = subclass_class
        self.subclass_to_class_ = self.classes_[subclass_class]
        self.n_subclasses_ = subclass_class.size
        self.n_clusters_ = np.bincount(subclass_class, minlength=self.classes_.size)
        self.subclass_counts_ = np.bincount(subclass, minlength=self.n_subclasses_)

        # Phases II (COG-OS: over-sample the rare classes) and III, unless
        # the check already fitted them on all the rows.
        if fitted is None:
            fitted, prepared = self._prepare_subclasses(
                X, subclass, subclass_class, counts, sampler_seed
            )
            self._fit_runs([(fitted, prepared)], estimator)
        if "linear_pairs" in fitted:
            pairs = fitted.pop("linear_pairs")
            fitted["estimators_"] = [
                _solved_linear_svc(estimator, *solution)
                for solution in zip(pairs["coef"], pairs["intercept"], pairs["n_iter"])
            ]
        for name, value in fitted.items():
            setattr(self, name, value)
        return self

    def _split_cv(self, counts, seed):
        """The folds that check the split, or None when a class is too small."""
        if isinstance(self.split_cv, Integral):
            if counts.min() < self.split_cv:
                return None
            return StratifiedKFold(self.split_cv, shuffle=True, random_state=seed)
        return check_cv(self.split_cv, classifier=True)

    def _split_scores(
        self, X, y_index, subclass, subclass_class, cv, estimator, sampler_seed
    ):
        """Balanced accuracy on each held-out fold of ``cv``, shape (2, n_splits).

        Row 0 keeps the classes whole, row 1 uses the sub-classes. The model
        of the classes whole is fitted on all the rows first: when it
        classifies every training row right, the split has nothing to
        correct and the scores are ``None``. Otherwise the models of every
        fold and both rows are fitted in one batch. With the batched solver,
        the sub-class model is fitted on all the rows along with the whole
        one, and both start the fold fits. Also returns the models fitted on
        all the rows, whole and split, each ``None`` when not fitted, so that
        the chosen one needs no refit.
        """
        n_classes = self.classes_.size
        variants = [(y_index, np.arange(n_classes)), (subclass, subclass_class)]
        counts = np.bincount(y_index, minlength=n_classes)
        batched = self.strategy == "min-max" and _squared_hinge_params(estimator, [X])
        full = [
            self._prepare_subclasses(X, labels, owners, counts, sampler_seed)
            for labels, owners in variants[: 2 if batched else 1]
        ]
        self._fit_runs(full, estimator)
        fitted_full = [fitted for fitted, _ in full] + [None] * (2 - len(full))
        if np.array_equal(
            self._predict_index(fitted_full[0], variants[0][1], X), y_index
        ):
            return None, fitted_full
        warm = len(full) == 2 and all("linear_pairs" in f for f, _ in full)
        folds = list(cv.split(X, y_index))
        runs, starts = [], []
        for v, (labels, owners) in enumerate(variants):
            for train, test in folds:
                # Sub-classes without a row in this training fold are left out.
                present, fold_labels = np.unique(labels[train], return_inverse=True)
                fold_counts = np.bincount(y_index[train], minlength=n_classes)
                fitted, prepared = self._prepare_subclasses(
                    X[train], fold_labels, owners[present], fold_counts, sampler_seed
                )
                runs.append((fitted, prepared, owners[present], test))
                if warm:
                    starts.append(_pair_start(full[v][0], present, fitted["pairs_"]))
        self._fit_runs([run[:2] for run in runs], estimator, starts if warm else None)
        scores = [
            _balanced_accuracy(
                y_index[test], self._predict_index(fitted, owners, X[test]), n_classes
            )
            for fitted, _, owners, test in runs
        ]
        return np.reshape(scores, (2, len(folds))), fitted_full

    def _prepare_subclasses(self, X, subclass, subclass_class, counts, seed):
        """Phase II on one sub-class problem, and the pairs of phase III.

        Returns the fitted attributes so far and the training set of phase
        III: rows ``"X"``, labels ``"y"``, replication ``"rates"`` (or
        ``None``) and, for ``"min-max"``, the ``"problems"`` of the pairs:
        their rows, which rows are the second sub-class, and their rates,
        to be divided by ``"scale"`` as sample weights.
        """
        fitted = {"sampler_": None, "replicate_rates_": None}
        X_fit, y_fit, rates = X, subclass, None
        if self.oversample is not None and not isinstance(self.oversample, (str, dict)):
            fitted["sampler_"], X_fit, y_fit = self._resample(X, subclass, seed)
        else:
            fitted["replicate_rates_"] = self._replicate_rates(counts, subclass_class)
            if np.any(fitted["replicate_rates_"] != 1):
                rates = fitted["replicate_rates_"][subclass]
        prepared = {"X": X_fit, "y": y_fit, "rates": rates}
        if self.strategy == "min-max":
            fitted["pairs_"] = np.array(
                [
                    (a, b)
                    for a, b in combinations(range(subclass_class.size), 2)
                    if subclass_class[a] != subclass_class[b]
                ],
                dtype=np.intp,
            ).reshape(-1, 2)
            prepared["scale"] = None if rates is None else rates.mean()
            prepared["problems"] = []
            for a, b in fitted["pairs_"]:
                rows = np.flatnonzero((y_fit == a) | (y_fit == b))
                prepared["problems"].append(
                    (rows, y_fit[rows] == b, None if rates is None else rates[rows])
                )
        return fitted, prepared

    def _fit_runs(self, runs, estimator, starts=None):
        """Phase III of each prepared problem of ``runs``, (fitted, prepared) pairs.

        With ``"min-max"`` and a ``LinearSVC`` that the batched solver
        reproduces, the pairs of all the runs are solved together and each
        ``fitted`` gets their ``"linear_pairs"`` (a dict of the ``"coef"``,
        ``"intercept"``, ``"n_iter"`` and ``"raw"`` solutions of
        :func:`_fit_squared_hinge`); otherwise a clone of ``estimator`` is
        fitted per run. ``starts`` gives the batched solver a starting point
        (``"raw"``) for the pairs of each run.
        """
        params = self.strategy == "min-max" and _squared_hinge_params(
            estimator, [prepared["X"] for _, prepared in runs]
        )
        if not params:
            for fitted, prepared in runs:
                self._fit_prepared(fitted, prepared, clone(estimator))
            return
        problems = [
            (
                prepared["X"],
                rows,
                positive,
                None if rates is None else rates / prepared["scale"],
            )
            for _, prepared in runs
            for rows, positive, rates in prepared["problems"]
        ]
        init = None if starts is None else np.vstack(starts)
        solution = _fit_squared_hinge(problems, init=init, **params)
        start = 0
        for fitted, _ in runs:
            stop = start + len(fitted["pairs_"])
            fitted["linear_pairs"] = {
                name: part[start:stop]
                for name, part in zip(("coef", "intercept", "n_iter", "raw"), solution)
            }
            start = stop

    def _fit_prepared(self, fitted, prepared, estimator):
        """Phase III: fit ``estimator`` on a prepared problem into ``fitted``."""
        if self.strategy == "direct":
            fitted["estimator_"] = _fit_weighted(
                estimator, prepared["X"], prepared["y"], prepared["rates"]
            )
            return fitted
        X_fit, scale = prepared["X"], prepared["scale"]
        estimators = []
        for k, (rows, positive, rates) in enumerate(prepared["problems"]):
            # X is validated and every clone has the parameters of the first:
            # skip the checks that would repeat for each pair.
            with config_context(assume_finite=True, skip_parameter_validation=k > 0):
                estimators.append(
                    _fit_weighted(
                        clone(estimator),
                        X_fit[rows],
                        positive.astype(np.intp),
                        rates,
                        scale,
                    )
                )
        fitted["estimators_"] = estimators
        return fitted

    def _predict_index(self, fitted, subclass_class, X):
        """Class index predicted by the fitted attributes in the dict ``fitted``."""
        if self.strategy == "direct":
            subclass = np.asarray(fitted["estimator_"].predict(X), dtype=int)
            return subclass_class[subclass]
        scores = _min_max_scores(
            fitted["pairs_"], _pair_scores(fitted, X), subclass_class.size
        )
        return subclass_class[scores.argmax(axis=1)]

    def _validate_for_predict(self, X):
        """Check that the model is fitted and validate ``X`` as in ``fit``."""
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )

    def _class_of_columns(self):
        """Class index of each column of the inner estimator's outputs."""
        return self._subclass_class[np.asarray(self.estimator_.classes_, dtype=int)]

    def _class_scores(self, X):
        """Score of each class: the best score of its sub-classes.

        Returns the scores and, for a binary ``"direct"`` problem whose
        sub-classes are the classes, the inner 1-D score (else ``None``).
        """
        if self.strategy == "min-max":
            scores = _min_max_scores(
                self.pairs_, _pair_scores(vars(self), X), self.n_subclasses_
            )
            columns = self._subclass_class
        else:
            scores = np.asarray(self.estimator_.decision_function(X))
            columns = self._class_of_columns()
            if scores.ndim == 1:
                # Two sub-classes: the sub-class problem is the class problem.
                if self.classes_.size == 2 and columns.tolist() == [0, 1]:
                    return None, scores
                scores = np.column_stack([-scores, scores])
        class_scores = np.full((scores.shape[0], self.classes_.size), -np.inf)
        for i in range(self.classes_.size):
            mine = columns == i
            if mine.any():
                class_scores[:, i] = scores[:, mine].max(axis=1)
        return class_scores, None

    def predict(self, X):
        """Predict the best sub-class of each sample and map it to its class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The predicted classes.
        """
        X = self._validate_for_predict(X)
        index = self._predict_index(vars(self), self._subclass_class, X)
        return self.classes_[index]

    @available_if(_estimator_has("predict_proba", {"direct"}))
    def predict_proba(self, X):
        """Class probabilities: the sum of the probabilities of the sub-classes.

        Only available with ``strategy="direct"`` and an inner estimator that
        has ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of :attr:`classes_`.
        """
        X = self._validate_for_predict(X)
        subclass_proba = self.estimator_.predict_proba(X)
        columns = self._class_of_columns()
        membership = np.zeros((columns.size, self.classes_.size))
        membership[np.arange(columns.size), columns] = 1.0
        return subclass_proba @ membership

    @available_if(_estimator_has("predict_proba", {"direct"}))
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of :meth:`predict_proba`.

        Only available with ``strategy="direct"`` and an inner estimator that
        has ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of
            :attr:`classes_`.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_estimator_has("decision_function", {"direct", "min-max"}))
    def decision_function(self, X):
        """Score of each class: the best score of its sub-classes.

        With ``"min-max"``, a sub-class scores its worst pairwise score
        against the sub-classes of the other classes; with ``"direct"``, the
        inner estimator's score (only available when it has
        ``decision_function``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            The score of each class, in the order of :attr:`classes_`. For
            binary problems, a 1-D array, positive for ``classes_[1]``: half
            the score of ``classes_[1]`` minus that of ``classes_[0]``, which
            is the inner score itself when neither class is split.
        """
        X = self._validate_for_predict(X)
        class_scores, inner = self._class_scores(X)
        if inner is not None:
            return inner
        if self.classes_.size == 2:
            return (class_scores[:, 1] - class_scores[:, 0]) / 2
        return class_scores

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator = self._unfitted_estimator()
        clusterer = _default_clusterer() if self.clusterer is None else self.clusterer
        sparse = get_tags(estimator).input_tags.sparse
        sparse = sparse and get_tags(clusterer).input_tags.sparse
        if self.oversample is not None and not isinstance(self.oversample, (str, dict)):
            sparse = sparse and get_tags(self.oversample).input_tags.sparse
        tags.input_tags.sparse = sparse
        return tags
