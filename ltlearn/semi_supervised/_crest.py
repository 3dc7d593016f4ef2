"""CReST and CReST+: class-rebalancing self-training around any classifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
)
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ltlearn.semi_supervised._generations import (
    _can_stall,
    _check_estimator,
    _fit_generation,
    _same_pick,
    _training_set,
)
from ltlearn.semi_supervised._labels import (
    _checked_fit_data,
    _LabelInteger,
    _labelled_class_counts,
    _labelled_rows,
)
from ltlearn.semi_supervised._selection import (
    _align_distribution,
    _sampling_rates,
    _select,
    _temperature,
)
from ltlearn.utils._docstring import (
    _meta_feature_attributes_docstring,
    _Substitution,
)
from ltlearn.utils._fitted import unfitted_on_error
from ltlearn.utils._metaestimators import delegated_method
from ltlearn.utils._routing import (
    ROUTING_ADVICE,
    EstimatorFitRoutingMixin,
    check_fit_params_routed,
    routed_fit_params,
    routing_enabled,
)
from ltlearn.utils._validation import (
    check_fit_takes_sample_weight,
    check_sample_weight,
    model_proba,
)

__all__ = ["CReSTClassifier"]


@_Substitution(feature_attributes=_meta_feature_attributes_docstring)
class CReSTClassifier(
    EstimatorFitRoutingMixin, ClassifierMixin, MetaEstimatorMixin, BaseEstimator
):
    """Class-rebalancing self-training (CReST and CReST+).

    A semi-supervised meta-estimator for long-tailed data. Like
    :class:`~sklearn.semi_supervised.SelfTrainingClassifier` it learns from
    rows whose label is unknown, but it counters the bias of pseudo-labels
    towards the frequent classes: the rarer a class is in the labelled rows,
    the larger the share of the rows predicted as that class that are taken as
    pseudo-labels.

    Training runs in generations. Generation 0 fits a clone of ``estimator``
    on the labelled rows. Each later generation predicts every unlabelled row
    with the previous generation's model and, for each class, keeps the most
    confident fraction ``mu`` of the rows predicted as that class; a fresh
    clone is then fitted on the original labelled rows plus these
    pseudo-labelled rows. The pseudo-labelled set is rebuilt from scratch in
    every generation, it does not accumulate. With the classes ranked by
    decreasing labelled count ``N_1 >= N_2 >= ... >= N_L``, the class of rank
    ``l`` keeps ``mu_l = (N_(L+1-l) / N_1) ** alpha`` of its predictions: the
    most frequent class the smallest fraction ``(N_L / N_1) ** alpha``, the
    rarest class all of them. Classes with equal labelled counts share the
    first of their ranks, so they get equal rates; when the rarest classes
    tie, they all keep the rate of the first of them, below 1 (with counts
    ``[100, 10, 10]``, ``mu = 0.1 ** alpha`` for every class).

    CReST+ (``distribution_alignment=True``) first aligns the predicted class
    distribution of the unlabelled rows with the labelled class distribution
    raised to a temperature ``t`` and renormalised: each row of probabilities
    is multiplied by ``target / p_model`` (``p_model`` is the mean prediction
    over the unlabelled rows) and renormalised before the pseudo-labels are
    chosen. ``t`` decreases linearly from 1 at generation 0 to
    ``final_temperature`` at the last generation, so later generations aim at
    a flatter class distribution; generation 0 fits the labelled rows only,
    so the first alignment uses the temperature of generation 1. Alignment
    assumes that the unlabelled rows follow the labelled class distribution.

    .. versionadded:: 0.1

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``fit`` and ``predict_proba``. Each generation fits
        a fresh clone of it; the last one is stored in ``estimator_``. A
        :class:`~sklearn.frozen.FrozenEstimator`, never refitted, is refused.

    max_iter : int, default=6
        The number of generations, that is of models fitted. ``max_iter=1``
        is a plain supervised fit on the labelled rows; each further
        generation is one round of pseudo-labelling. ``None``, which
        :class:`~sklearn.semi_supervised.SelfTrainingClassifier` takes for
        "until no new pseudo-label is added", is refused: each generation
        chooses again among all the unlabelled rows, so none is used up.

    alpha : float, default=1/3
        The exponent of the keep rates ``mu``. 0 keeps every prediction of
        every class (plain self-training on all the unlabelled rows); larger
        values keep fewer predictions of the frequent classes. The official
        code's ``alpha=3`` is this ``alpha=1/3``.

    distribution_alignment : bool, default=False
        Whether to align the predicted class distribution before choosing
        pseudo-labels (CReST+).

    final_temperature : float, default=0.5
        The alignment temperature of the last generation; only used when
        ``distribution_alignment=True``. 1 aligns every generation with the
        labelled class distribution, 0 with the uniform one.

    selection : {{"top", "random"}}, default="top"
        How the rows predicted as a class are kept. ``"top"`` keeps the
        ``floor(mu * n)`` most confident of the ``n`` rows, as the official
        code does; ``"random"`` keeps each of them with probability ``mu``,
        the paper's stochastic update.

    threshold : float or None, default=None
        Confidence that a pseudo-label needs: only the rows whose largest
        (aligned, for CReST+) probability is at least ``threshold`` are
        candidates, and the keep rate ``mu`` applies to the candidates of
        each class. ``None`` makes every unlabelled row a candidate, as the
        official code's selection does (its FixMatch training thresholds
        pseudo-labels at 0.95 inside each generation).

    unlabeled_value : int or str, default=-1
        The label that marks an unlabelled row, -1 as in scikit-learn. With
        string labels, store ``y`` with dtype object and mark unlabelled rows
        with the integer -1, or pass a string here. The string
        ``str(unlabeled_value)``, ``"-1"`` by default, marks them too, in an
        array of strings (NumPy turns -1 into ``"-1"`` there) and among
        labels of dtype object (a pandas column of strings read from a
        file). A string that writes an int, ``"-1"`` as a command line or a
        config file gives it, marks the rows of that int as well. A missing
        label (NaN, None, ``pd.NA``) does not mark a row unlabelled: it is
        refused, with the rows that hold one.

    classes : array-like of shape (n_classes,), default=None
        The labels the data is known to hold (a list, a tuple or an array;
        a set, which has no order, is refused). When given, each of them needs
        at least one labelled row and no labelled row may hold another label;
        a class without a labelled row is otherwise silently unknown to the
        model, which can never predict it.

    random_state : int, RandomState instance or None, default=None
        Controls the draws of ``selection="random"``. Set the inner
        estimator's own ``random_state`` for a reproducible inner fit.

    verbose : bool, default=False
        Print the number of pseudo-labels per class in each generation.

    Attributes
    ----------
    estimator_ : estimator object
        The model of the last generation.

    classes_ : ndarray of shape (n_classes,)
        The labels seen in the labelled rows, taken from ``estimator_``.

    class_counts_ : ndarray of shape (n_classes,)
        The number of labelled rows of each class (their total
        ``sample_weight`` when ``fit`` gets it).

    sampling_rates_ : ndarray of shape (n_classes,)
        The keep rate ``mu`` of each class.

    transduction_ : ndarray of shape (n_samples,)
        The labels used to fit ``estimator_``: the given labels, the
        pseudo-labels of the last generation, and ``unlabeled_value`` for the
        rows left out of it.

    labeled_iter_ : ndarray of shape (n_samples,)
        0 for a row labelled in ``y``; for an unlabelled row, the last
        generation whose training set held it as pseudo-labelled, or -1 if
        none did. The rows of the final fit are those where it is 0 or
        ``n_iter_ - 1``.

    pseudo_label_counts_ : ndarray of shape (`n_iter_`, n_classes)
        ``pseudo_label_counts_[g, k]`` is the number of rows pseudo-labelled
        as ``classes_[k]`` in the training set of generation ``g`` (their
        total weight when ``fit`` gets ``sample_weight``); row 0, the
        supervised generation, is zero.

    n_iter_ : int
        The number of generations fitted, from 1 to ``max_iter``.

    termination_condition_ : {{"max_iter", "no_change", "all_labeled"}}
        Why fitting stopped.

        - ``"max_iter"``: ``max_iter`` generations were fitted.
        - ``"no_change"``: a generation chose the same pseudo-labels as the
          one before (with ``sample_weight``, kept with the same weights up
          to rounding), so every later generation would repeat it. Only checked
          when nothing else changes between generations: with
          ``selection="top"`` and without a temperature schedule.
        - ``"all_labeled"``: ``y`` held no unlabelled row (of positive
          ``sample_weight``, when ``fit`` gets it); a single supervised fit
          was made. Unlike in
          :class:`~sklearn.semi_supervised.SelfTrainingClassifier`, having
          pseudo-labelled every unlabelled row does not end the fit.

    {feature_attributes}

    See Also
    --------
    sklearn.semi_supervised.SelfTrainingClassifier : Self-training that keeps
        every prediction above a confidence threshold, whatever its class.

    Notes
    -----
    The original method trains a FixMatch network in each generation and
    aligns distributions inside that training; here any classifier with
    ``predict_proba`` is fitted on the labelled and pseudo-labelled rows,
    and the alignment acts on the predictions from which pseudo-labels are
    chosen. The official code ranks classes by the known imbalance profile;
    here the labelled counts stand for it, as in the USB re-implementation.

    References
    ----------
    .. [1] C. Wei, K. Sohn, C. Mellina, A. Yuille and F. Yang, "CReST: A
       Class-Rebalancing Self-Training Framework for Imbalanced
       Semi-Supervised Learning", CVPR 2021.
       https://arxiv.org/abs/2102.09559

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ltlearn.semi_supervised import CReSTClassifier
    >>> X, y = make_classification(n_samples=300, n_classes=3, n_informative=4,
    ...                            weights=[0.7, 0.2, 0.1], random_state=0)
    >>> y_semi = y.copy()
    >>> y_semi[np.random.RandomState(0).rand(300) < 0.8] = -1  # 80% unlabelled
    >>> clf = CReSTClassifier(LogisticRegression(), distribution_alignment=True)
    >>> clf.fit(X, y_semi)
    CReSTClassifier(distribution_alignment=True, estimator=LogisticRegression())
    >>> clf.class_counts_
    array([40, 11,  8])
    >>> clf.sampling_rates_.round(2)
    array([0.58, 0.65, 1.  ])
    >>> clf.pseudo_label_counts_.shape
    (6, 3)
    >>> clf.predict(X[:5])
    array([1, 0, 0, 2, 0])
    """

    _parameter_constraints: dict = {
        # predict_proba is checked once fitted, as in scikit-learn's
        # SelfTrainingClassifier: a StackingClassifier with its default final
        # estimator has it only then
        "estimator": [HasMethods(["fit"])],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "distribution_alignment": ["boolean"],
        "final_temperature": [Interval(Real, 0, None, closed="left")],
        "selection": [StrOptions({"top", "random"})],
        "threshold": [Interval(Real, 0, 1, closed="both"), None],
        "unlabeled_value": [_LabelInteger(), str],
        "classes": ["array-like", None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # the metadata of these methods go to those of estimator, as in
    # scikit-learn's SelfTrainingClassifier
    _routed_methods = (
        "fit",
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    )

    def __init__(
        self,
        estimator,
        *,
        max_iter=6,
        alpha=1 / 3,
        distribution_alignment=False,
        final_temperature=0.5,
        selection="top",
        threshold=None,
        unlabeled_value=-1,
        classes=None,
        random_state=None,
        verbose=False,
    ):
        self.estimator = estimator
        self.max_iter = max_iter
        self.alpha = alpha
        self.distribution_alignment = distribution_alignment
        self.final_temperature = final_temperature
        self.selection = selection
        self.threshold = threshold
        self.unlabeled_value = unlabeled_value
        self.classes = classes
        self.random_state = random_state
        self.verbose = verbose

    @unfitted_on_error()
    @_fit_context(
        # CReSTClassifier.estimator is not validated yet
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the generations of self-training on ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training input samples, labelled and unlabelled.

        y : array-like of shape (n_samples,)
            The labels; unlabelled rows hold ``unlabeled_value`` (-1).

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, passed to the ``fit`` of ``estimator`` in
            every generation (a pseudo-labelled row with its weight), which
            must accept them; with metadata routing enabled, only if it
            requests them (``set_fit_request(sample_weight=True)``). The
            labelled class counts (and so the keep
            rates and the alignment prior) are sums of weights, each of
            which must be positive, and
            ``selection="top"`` keeps a fraction of the weight predicted as
            each class; unlabelled rows of weight 0 are never
            pseudo-labelled. With integer weights and ``selection="top"``,
            the fit is that of the rows repeated as many times. The weight
            kept per class is rounded down to a whole number, so weights
            scaled to fractions of 1 (summing to 1, say) can keep no
            pseudo-label at all.

        **fit_params : dict
            Only with metadata routing enabled: further parameters of the
            ``fit`` of ``estimator``, as it requests them. Those of one value
            per row are taken on the rows of each generation.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _check_estimator(self.estimator)
        X, y, unlabeled = _checked_fit_data(self, X, y)
        rng = check_random_state(self.random_state)

        labeled_rows = np.flatnonzero(~unlabeled)
        unlabeled_rows = np.flatnonzero(unlabeled)
        fit_params, fit_weight = self._routed_fit_params(sample_weight, fit_params)
        if sample_weight is not None:
            sample_weight = self._check_sample_weight(
                sample_weight, labeled_rows, y.shape[0]
            )
            # unlabelled rows of weight 0 would change nothing
            unlabeled_rows = unlabeled_rows[sample_weight[unlabeled_rows] > 0]
            labeled_weight = sample_weight[labeled_rows]
            unlabeled_weight = sample_weight[unlabeled_rows]
        else:
            labeled_weight = unlabeled_weight = None
        estimator = _fit_generation(
            self.estimator,
            X,
            y,
            labeled_rows,
            labeled_weight if fit_weight else None,
            fit_params,
        )
        self.class_counts_ = _labelled_class_counts(
            y[labeled_rows], estimator.classes_, labeled_weight
        )
        self.sampling_rates_ = _sampling_rates(self.class_counts_, self.alpha)

        self.transduction_ = y.copy()
        self.labeled_iter_ = np.full(y.shape[0], -1, dtype=np.intp)
        self.labeled_iter_[labeled_rows] = 0
        estimator, pseudo_label_counts = self._pseudo_label_generations(
            X,
            y,
            estimator,
            (labeled_rows, unlabeled_rows),
            (labeled_weight, unlabeled_weight),
            fit_weight,
            fit_params,
            rng,
        )
        self.estimator_ = estimator
        self.classes_ = estimator.classes_
        self.pseudo_label_counts_ = np.vstack(pseudo_label_counts)
        self.n_iter_ = len(pseudo_label_counts)
        return self

    def _routed_fit_params(self, sample_weight, fit_params):
        """The ``fit_params`` of the estimator, and whether it takes the weights."""
        check_fit_params_routed(self, fit_params)
        fit_weight = sample_weight is not None  # does the estimator get them?
        if routing_enabled():
            routed = routed_fit_params(self, sample_weight, fit_params)
            fit_params = dict(routed.estimator.fit)
            # the estimator takes the weights of the rows only when it requests
            # sample_weight itself; weights it requests under another name
            # (an alias) are per-row metadata as any other, taken on the rows
            fit_weight = (
                sample_weight is not None
                and fit_params.get("sample_weight") is sample_weight
            )
            if fit_weight:
                del fit_params["sample_weight"]
        return fit_params, fit_weight

    def _pseudo_label_generations(
        self, X, y, estimator, rows, weights, fit_weight, fit_params, rng
    ):
        """Fit the generations after the supervised one, fitted as ``estimator``.

        ``rows`` are the labelled and unlabelled rows, ``weights`` their
        weights (both ``None`` without ``sample_weight``). Sets
        ``termination_condition_`` and, for each generation fitted,
        ``transduction_`` and ``labeled_iter_``. Returns the last model and
        the pseudo-label counts of every generation.
        """
        labeled_rows, unlabeled_rows = rows
        labeled_weight, unlabeled_weight = weights
        classes = estimator.classes_
        prior = self.class_counts_ / self.class_counts_.sum()
        pseudo_label_counts = [
            np.zeros(classes.size, dtype=np.intp if labeled_weight is None else float)
        ]
        if not unlabeled_rows.size:
            self.termination_condition_ = "all_labeled"
            return estimator, pseudo_label_counts
        self.termination_condition_ = "max_iter"
        X_unlabeled = _safe_indexing(X, unlabeled_rows)
        can_stall = _can_stall(
            self.selection, self.distribution_alignment, self.final_temperature
        )
        # generation 0 picked no row, so kept no weight
        nothing = np.empty(0, dtype=np.intp)
        previous = (nothing, nothing, np.empty(0) if fit_weight else None)
        for generation in range(1, self.max_iter):
            picked, label_index, picked_weight = self._pseudo_labels(
                estimator, X_unlabeled, generation, prior, unlabeled_weight, rng
            )
            # the same rows may be kept with other parts of their weights
            pick = (picked, label_index, picked_weight if fit_weight else None)
            if can_stall and _same_pick(pick, previous):
                self.termination_condition_ = "no_change"
                break
            previous = pick

            transduction, train_rows, train_weight = _training_set(
                y,
                classes,
                labeled_rows,
                unlabeled_rows[picked],
                label_index,
                (labeled_weight, picked_weight) if fit_weight else None,
            )
            estimator = _fit_generation(
                self.estimator, X, transduction, train_rows, train_weight, fit_params
            )
            self.transduction_ = transduction
            self.labeled_iter_[unlabeled_rows[picked]] = generation
            counts = np.bincount(
                label_index, weights=picked_weight, minlength=classes.size
            )
            pseudo_label_counts.append(counts)
            if self.verbose:
                print(
                    f"Generation {generation}: {picked.size} pseudo-labels, "
                    f"per class {counts.tolist()}."
                )
        return estimator, pseudo_label_counts

    def _pseudo_labels(self, estimator, X_unlabeled, generation, prior, weight, rng):
        """The rows of ``X_unlabeled`` that ``generation`` pseudo-labels.

        The previous generation's ``estimator`` predicts them, aligned with
        ``prior`` for CReST+. Returns the rows each class keeps at its rate,
        their class indices and weights (``None`` without ``weight``).
        """
        proba = model_proba(estimator, X_unlabeled)
        if self.distribution_alignment:
            temperature = _temperature(
                generation, self.max_iter, self.final_temperature
            )
            proba = _align_distribution(proba, prior, temperature, weight)
        rates = self.sampling_rates_
        return _select(proba, rates, self.selection, rng, weight, self.threshold)

    def _check_sample_weight(self, sample_weight, labeled_rows, n_samples):
        """Validate ``sample_weight`` and check that the estimator takes it.

        With metadata routing the estimator's request decides instead.
        """
        sample_weight = check_sample_weight(sample_weight, n_samples)
        if not routing_enabled():
            check_fit_takes_sample_weight(
                self.estimator,
                "so CReSTClassifier cannot fit it with the weights; use an "
                "estimator that accepts them." + ROUTING_ADVICE,
            )
        if not sample_weight[labeled_rows].sum() > 0:
            raise ValueError(
                "The labelled rows have a total sample_weight of 0: no class "
                "would count."
            )
        return sample_weight

    def _validate_for_predict(self, X):
        check_is_fitted(self)
        return X  # checked by the estimator, as in fit

    predict = delegated_method(
        "CReSTClassifier",
        "predict",
        "Predict the class of each row of ``X``.",
        "y : ndarray of shape (n_samples,)",
        "The predicted labels.",
    )
    predict_proba = delegated_method(
        "CReSTClassifier",
        "predict_proba",
        "Predict the class probabilities of each row of ``X``.",
        "proba : ndarray of shape (n_samples, n_classes)",
        "The probabilities, columns in the order of ``classes_``.",
    )
    predict_log_proba = delegated_method(
        "CReSTClassifier",
        "predict_log_proba",
        "Predict the log class probabilities of each row of ``X``.",
        "log_proba : ndarray of shape (n_samples, n_classes)",
        "The log probabilities, columns in the order of ``classes_``.",
    )
    decision_function = delegated_method(
        "CReSTClassifier",
        "decision_function",
        "Compute the decision function of the last generation's model.",
        "scores : ndarray of shape (n_samples,) or (n_samples, n_classes)",
        "The decision function of ``estimator_``.",
    )

    def score(self, X, y, sample_weight=None):
        """Return the mean accuracy on the labelled rows of ``X`` and ``y``.

        Rows marked with ``unlabeled_value`` have no label to compare the
        prediction with; they are left out, so that ``cross_val_score`` and
        ``GridSearchCV`` with their default scoring score the labelled rows
        of each test fold. A named ``scoring`` reads ``y`` as it is: keep
        the unlabelled rows out of its test folds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,)
            True labels for ``X``; unlabelled rows hold ``unlabeled_value``.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)`` on the labelled rows.
        """
        check_is_fitted(self)
        X, y, sample_weight = _labelled_rows(X, y, sample_weight, self.unlabeled_value)
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator).input_tags
        tags.input_tags.sparse = inner.sparse
        tags.input_tags.allow_nan = inner.allow_nan
        return tags
