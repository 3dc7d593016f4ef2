"""COG's sub-class problem: clustering within classes, over-sampling, learning."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.multiclass import OneVsOneClassifier
from sklearn.svm import LinearSVC
from sklearn.utils import get_tags
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import column_or_1d, has_fit_parameter

from ltlearn.decomposition._pairwise import (
    _batched_params,
    _fit_pairwise,
    _fit_weighted,
    _has_pair_score,
    _min_max_scores,
    _one_vs_one_scores,
    _PairwiseModel,
    _refuse_no_pair_score,
    _subclass_pairs,
)
from ltlearn.decomposition._resampled import _pairs_with_rows, _resampled_subclasses
from ltlearn.over_sampling._small_classes import _ClassesOfCaller
from ltlearn.utils._metaestimators import refuse_frozen
from ltlearn.utils._random import draw_seeds, seed_unset
from ltlearn.utils._sparse import downcast_sparse_indices, sum_duplicate_entries
from ltlearn.utils._validation import may_have_method, model_proba

# "auto" never makes sub-classes smaller than this, so that every pairwise
# linear boundary is learned from enough rows (chosen on the embedded KEEL
# collection, by balanced accuracy under 5x2 cross-validation).
_AUTO_MIN_SUBCLASS_SIZE = 200
# "auto" never splits a class into more sub-classes than this: one model is
# fitted per pair of sub-classes of different classes.
_AUTO_MAX_CLUSTERS = 10

# A message lists the sizes of at most this many sub-classes; more are summed
# up, the smallest named.
_LISTED_SIZES = 20


def _kmeans_ready(X):
    """``X`` as ``KMeans`` reads it right, in fit and predict alike.

    Its entries stored twice summed (else the row norms are wrong) and its
    64-bit indices made 32-bit where they fit (else it is refused).
    """
    return downcast_sparse_indices(sum_duplicate_entries(X))


def _auto_n_clusters(counts):
    """``K(i)`` for sub-classes of about the size of the smallest class.

    The target size is that of the smallest class, at least
    ``_AUTO_MIN_SUBCLASS_SIZE``; class ``i`` gets ``round(n_i / size)``
    sub-classes, at least 1 and at most ``_AUTO_MAX_CLUSTERS``.
    """
    size = max(int(counts.min()), _AUTO_MIN_SUBCLASS_SIZE)
    n_clusters = np.rint(counts / size).astype(np.intp)
    return np.clip(n_clusters, 1, _AUTO_MAX_CLUSTERS)


def _class_index(classes, mapping, name):
    """Map the labels of a user dict to class indices, refusing unknown ones."""
    index = {}
    for label in mapping:
        found = np.flatnonzero(classes == label)
        if found.size == 0:
            raise ValueError(
                f"{name} names the class {label!r}, which is not in y; the "
                f"classes are {classes.tolist()!r}."
            )
        index[label] = found[0]
    return index


def _n_clusters_per_class(n_clusters, classes, counts):
    """``K(i)`` of each class from ``n_clusters``, capped by the class size.

    ``n_clusters`` is ``"auto"``, the number of sub-classes of the largest
    class (the others in proportion) or a dict ``{label: K}``; ``counts``
    holds the number of rows of each class of ``classes``.
    """
    if isinstance(n_clusters, str):
        wanted = _auto_n_clusters(counts)
    elif isinstance(n_clusters, dict):
        wanted = np.ones(counts.size, dtype=np.intp)
        index = _class_index(classes, n_clusters, "n_clusters")
        for label, k in n_clusters.items():
            if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
                raise ValueError(
                    f"n_clusters[{label!r}] must be an int >= 1; got {k!r}."
                )
            wanted[index[label]] = k
    else:
        wanted = np.rint(n_clusters * counts / counts.max()).astype(np.intp)
        wanted = np.maximum(wanted, 1)
    return np.minimum(wanted, counts)


def _default_clusterer():
    return KMeans(n_init=1)


def _make_clusterer(clusterer, n_clusters, seed):
    """A clone of ``clusterer`` (or the default) set to ``n_clusters``, seeded."""
    clusterer = _default_clusterer() if clusterer is None else clone(clusterer)
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


def _cluster_labels(fitted, X):
    """``fitted.fit_predict(X)``, refused unless one label per row of ``X``."""
    labels = np.asarray(fitted.fit_predict(X))
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"{type(fitted).__name__}.fit_predict returned labels of shape "
            f"{labels.shape}; for the {X.shape[0]} rows of a class it must be "
            f"({X.shape[0]},), one cluster label per row."
        )
    return labels


def _decompose(X, y_index, classes, n_clusters, clusterer, rng):
    """Phase I: cluster each class into ``n_clusters[i]`` sub-classes.

    Returns the sub-class of every row, the class index of each sub-class
    and the fitted clusterer of each class split in more than one, keyed by
    class label. Sub-classes are numbered class by class; clusters that come
    out empty are dropped.
    """
    subclass = np.empty(y_index.size, dtype=np.intp)
    subclass_class, clusterers = [], {}
    for i, label in enumerate(classes.tolist()):
        rows = np.flatnonzero(y_index == i)
        seed = draw_seeds(rng)  # drawn for every class: stable streams
        if n_clusters[i] <= 1:
            subclass[rows] = len(subclass_class)
            subclass_class.append(i)
            continue
        fitted = _make_clusterer(clusterer, n_clusters[i], seed)
        with warnings.catch_warnings():
            # Duplicated rows can leave fewer distinct clusters than asked;
            # the empty ones are dropped just below.
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = _cluster_labels(fitted, X[rows])
        found, labels = np.unique(labels, return_inverse=True)
        subclass[rows] = len(subclass_class) + labels
        subclass_class.extend([i] * found.size)
        clusterers[label] = fitted
    return subclass, np.asarray(subclass_class, dtype=np.intp), clusterers


def _replication_rule(oversample, classes):
    """The rule of :func:`_class_rates` from ``oversample``, checked.

    ``None`` and ``"replicate"`` stay as they are; a dict ``{label: r}``
    becomes the rate of each class of ``classes`` (1 for those absent).
    """
    if not isinstance(oversample, dict):
        return oversample
    class_rates = np.ones(classes.size)
    index = _class_index(classes, oversample, "oversample")
    for label, rate in oversample.items():
        if (
            not isinstance(rate, Real)
            or isinstance(rate, bool)
            or not math.isfinite(rate)  # np.isfinite refuses a Fraction
            or rate < 1
        ):
            raise ValueError(
                f"oversample[{label!r}] must be a replication rate >= 1; got {rate!r}."
            )
        class_rates[index[label]] = rate
    return class_rates


def _class_rates(rule, counts):
    """How many times the rows of each class count in phase III.

    ``rule`` is ``None`` (once), ``"replicate"`` (``r(i) = n_max / n_i``:
    every class weighs as much as the largest one) or the rate of each class.
    """
    if rule is None:
        return np.ones(counts.size)
    if isinstance(rule, str):
        return counts.max() / counts
    return rule


def _sizes_text(sizes):
    """The sub-class ``sizes`` for a message: all of a few, else a summary.

    Hundreds of sub-classes (one a class at least) would make a message of
    hundreds of numbers; the range is given instead, and the smallest
    sub-classes, which a sampler fails on, by number.
    """
    if sizes.size <= _LISTED_SIZES:
        return f"sub-class sizes {sizes.tolist()}"
    smallest = np.argsort(sizes, kind="stable")[:_LISTED_SIZES]
    named = ", ".join(f"{k} ({sizes[k]})" for k in smallest.tolist())
    return (
        f"sub-class sizes from {sizes.min()} to {sizes.max()} over "
        f"{sizes.size} sub-classes; the smallest: {named}, ..."
    )


def _resample(sampler, X, subclass, seed):
    """Phase II with a sampler: resample the sub-class problem with a clone."""
    sampler = seed_unset(clone(sampler), seed)
    sizes = np.bincount(subclass)
    try:
        # ltlearn's over-samplers name the small sub-classes as such
        with _ClassesOfCaller(
            "sub-class",
            "These are COGClassifier's sub-classes, the classes of its sampler "
            "(subclass_to_class_ maps them to the labels of y).",
        ):
            X_res, y_res = sampler.fit_resample(X, subclass)
    except ValueError as exc:
        advice = (
            "Use fewer sub-classes (n_clusters) or a sampler that accepts "
            "smaller groups."
        )
        strategy = sampler.get_params().get("sampling_strategy")
        if isinstance(strategy, Mapping) and not all(
            key in range(sizes.size) for key in strategy
        ):
            # keyed by the labels of y, a dict names no sub-class, or others
            advice = (
                f"The sampler's classes are the sub-classes 0 to "
                f"{sizes.size - 1} (subclass_to_class_ maps them to the labels "
                "of y), which its sampling_strategy dict must name; a string "
                "or a callable strategy needs no names."
            )
        elif isinstance(strategy, Real) and sizes.size > 2:
            # a ratio of two classes, refused for more by imbalanced-learn
            advice = (
                f"The sampler's classes are the {sizes.size} sub-classes, not "
                "the classes of y: give a string (e.g. 'auto'), a callable, or "
                f"a dict of the sub-classes 0 to {sizes.size - 1} "
                "(subclass_to_class_ maps them to the labels of y)."
            )
        raise ValueError(
            f"The sampler {type(sampler).__name__} failed on the sub-class "
            f"problem ({_sizes_text(sizes)}): {exc} {advice}"
        ) from exc
    X_res, y_res = _resampled_subclasses(sampler, X_res, y_res, sizes.size)
    return sampler, X_res, y_res


def _default_estimator(strategy):
    """The estimator of phase III when none is given."""
    if strategy == "min-max":
        return LinearSVC()
    return OneVsOneClassifier(LinearSVC())


def _refuse_no_predict(estimator):
    raise ValueError(
        f"COGClassifier needs a classifier as estimator; "
        f"{type(estimator).__name__} has no predict."
    )


# the kinds of scikit-learn estimators (their estimator_type tag) that
# predict something else than the labels they are fitted on
_NOT_CLASSIFIERS = {
    "regressor": "a regressor",
    "clusterer": "a clusterer",
    "outlier_detector": "an outlier detector",
    "density_estimator": "a density estimator",
}


def _check_estimator(estimator):
    """Refuse a given ``estimator`` that phase III cannot fit and use."""
    kind = _NOT_CLASSIFIERS.get(get_tags(estimator).estimator_type)
    if kind is not None:
        raise ValueError(
            f"COGClassifier needs a classifier as estimator; "
            f"{type(estimator).__name__} is {kind}, whose "
            f"predictions are not sub-class labels."
        )
    if not may_have_method(estimator, "predict"):
        _refuse_no_predict(estimator)  # else checked once fitted
    refuse_frozen(
        estimator,
        "COGClassifier",
        "on sub-class labels (each pair of sub-classes with 'min-max')",
        "predict",
    )


def _refuse_pairwise(model, role, rows):
    """Refuse a ``model`` on a precomputed kernel or distance matrix.

    Its ``pairwise`` tag says so: such a model needs the columns of the very
    rows it is fitted on, and ``rows`` says which other rows of ``X`` COG
    gives it. It failed on them with an error about a matrix that was not
    given, or clustered them without a word.
    """
    if hasattr(model, "__sklearn_tags__") and get_tags(model).input_tags.pairwise:
        advice = (
            " and a clusterer that takes them"
            if role == "clusterer"
            else ", or use strategy='direct', split_cv=None and no oversample (or "
            "rates, for an estimator whose fit takes sample_weight), which fit "
            "the estimator on all the rows"
        )
        raise ValueError(
            f"COGClassifier cannot use the {role} {type(model).__name__}, which "
            "takes a precomputed kernel or distance matrix (its pairwise tag): "
            f"{rows}, with all the columns of X. Give X as features{advice}."
        )


def _keeps_rows(estimator, oversample):
    """Whether phase II leaves ``estimator`` the rows of ``X`` as they are.

    A sampler changes them; rates (``"replicate"`` or a dict) copy them
    unless the ``fit`` of ``estimator`` takes them as ``sample_weight``.
    """
    if oversample is None:
        return True
    if isinstance(oversample, (str, dict)):
        return has_fit_parameter(estimator, "sample_weight")
    return False


def _phase_three_estimator(estimator, strategy, seed):
    """A clone of ``estimator`` for phase III, or the default seeded by ``seed``.

    The min-max strategy needs a score for each pair: ``decision_function``
    or ``predict_proba``.
    """
    if estimator is None:
        key = "estimator__random_state" if strategy == "direct" else "random_state"
        estimator = _default_estimator(strategy).set_params(**{key: seed})
    else:  # its random_state left None, as the sampler's
        estimator = seed_unset(clone(estimator), seed)
    if strategy == "min-max" and not _has_pair_score(estimator, may_have_method):
        _refuse_no_pair_score(estimator)  # else checked once fitted
    return estimator


@dataclass(frozen=True, eq=False)
class _SubclassProblem:
    """The training set of phase III for one sub-class problem.

    Rows ``X`` with sub-class labels ``y``, counted ``rates`` times (``None``
    for once each); ``subclass_class`` maps the sub-classes to class indices.
    Phase II left the fitted ``sampler`` or the ``replicate_rates`` of the
    sub-classes, and ``pairs`` (min-max only) lists the pairs to fit.
    """

    X: object
    y: np.ndarray
    rates: np.ndarray | None
    subclass_class: np.ndarray
    sampler: object | None = None
    replicate_rates: np.ndarray | None = None
    pairs: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class _SubclassModel:
    """Phases II and III fitted on one sub-class problem.

    ``estimator`` is the model of ``"direct"``, ``pairwise`` that of
    ``"min-max"``; ``sampler`` and ``replicate_rates`` are as in
    :class:`_SubclassProblem`.
    """

    subclass_class: np.ndarray
    sampler: object | None
    replicate_rates: np.ndarray | None
    estimator: object | None = None
    pairwise: _PairwiseModel | None = None

    def predict_index(self, X):
        """The class index predicted for each row of ``X``."""
        if self.pairwise is None:
            scores = _one_vs_one_scores(self.estimator, X)
            if scores is None:
                # a column of labels, as CatBoost's multiclass predict gives,
                # is one label a row
                subclass = column_or_1d(self.estimator.predict(X))
            elif scores.ndim == 1:
                subclass = self.estimator.classes_[(scores > 0).astype(int)]
            else:
                subclass = self.estimator.classes_[scores.argmax(axis=1)]
            return self.subclass_class[np.asarray(subclass, dtype=int)]
        scores = _min_max_scores(self.pairwise, X, self.subclass_class.size)
        return self.subclass_class[scores.argmax(axis=1)]

    def _class_of_columns(self):
        """Class index of each column of the outputs of ``estimator``."""
        return self.subclass_class[np.asarray(self.estimator.classes_, dtype=int)]

    def decision_function(self, X, n_classes):
        """Score of each class: the best score of its sub-classes.

        With two classes, a 1-D score positive for the second: half the
        difference of the class scores, or the inner score itself when the
        sub-classes of ``"direct"`` are the classes.
        """
        if self.pairwise is not None:
            scores = _min_max_scores(self.pairwise, X, self.subclass_class.size)
            columns = self.subclass_class
        else:
            scores = _one_vs_one_scores(self.estimator, X)
            if scores is None:
                scores = np.asarray(self.estimator.decision_function(X))
            columns = self._class_of_columns()
            if scores.ndim == 1:
                # Two sub-classes: the sub-class problem is the class problem.
                if n_classes == 2 and columns.tolist() == [0, 1]:
                    return scores
                scores = np.column_stack([-scores, scores])
        class_scores = np.full((scores.shape[0], n_classes), -np.inf)
        for i in range(n_classes):
            mine = columns == i
            if mine.any():
                class_scores[:, i] = scores[:, mine].max(axis=1)
        if n_classes == 2:
            return (class_scores[:, 1] - class_scores[:, 0]) / 2
        return class_scores

    def class_proba(self, X, n_classes):
        """Probability of each class: the sum of those of its sub-classes.

        The rows are divided by their sums: a sum of sub-class probabilities
        may round above 1 (``1 + 2e-16``, or ``1 + 5e-8`` from float32
        ones), which scikit-learn's ``log_loss`` refuses; a probability
        divided by a sum of non-negative terms that includes it is at most 1.
        """
        subclass_proba = model_proba(self.estimator, X)
        columns = self._class_of_columns()
        membership = np.zeros((columns.size, n_classes))
        membership[np.arange(columns.size), columns] = 1.0
        proba = subclass_proba @ membership
        total = proba.sum(axis=1, keepdims=True)
        return np.divide(proba, total, out=proba, where=total > 0)


@dataclass(frozen=True, eq=False)
class _SubclassLearner:
    """Phases II and III of COG with the parameters of one fit.

    ``strategy`` is ``"min-max"`` or ``"direct"``, ``estimator`` the
    (seeded) model of phase III. Phase II resamples with ``sampler`` (seeded
    by ``sampler_seed`` when its own ``random_state`` is ``None``) or, without
    one, counts the rows of each class ``class_rates`` times (see
    :func:`_class_rates`). ``n_jobs`` jobs fit the models that are fitted
    one by one.
    """

    strategy: str
    estimator: object
    class_rates: str | np.ndarray | None = None
    sampler: object | None = None
    sampler_seed: int | None = None
    n_jobs: int | None = None

    def batched(self, Xs):
        """Whether phase III solves its pairs in one batch on the arrays ``Xs``."""
        return self.strategy == "min-max" and bool(_batched_params(self.estimator, Xs))

    def prepare(self, X, subclass, subclass_class, counts):
        """Phase II on the sub-class problem, and the pairs of phase III.

        ``counts`` holds the number of rows of each class.
        """
        sampler = replicate_rates = rates = None
        X_fit, y_fit = X, subclass
        if self.sampler is not None:
            sampler, X_fit, y_fit = _resample(
                self.sampler, X, subclass, self.sampler_seed
            )
            if y_fit.shape[0] != subclass.shape[0]:
                _refuse_pairwise(
                    self.estimator,
                    "estimator",
                    "the sampler of oversample changes the rows",
                )
        else:
            replicate_rates = _class_rates(self.class_rates, counts)[subclass_class]
            if np.any(replicate_rates != 1):
                rates = replicate_rates[subclass]
                if not has_fit_parameter(self.estimator, "sample_weight"):
                    _refuse_pairwise(
                        self.estimator,
                        "estimator",
                        "its fit takes no sample_weight, so oversample copies "
                        "the rows of the classes it weighs",
                    )
        pairs = _subclass_pairs(subclass_class) if self.strategy == "min-max" else None
        if pairs is not None and sampler is not None:
            pairs = _pairs_with_rows(sampler, pairs, y_fit, subclass_class.size)
        if pairs is not None and pairs.shape[0] > 1:
            _refuse_pairwise(
                self.estimator,
                "estimator",
                "'min-max' fits it on the rows of each pair of sub-classes",
            )
        return _SubclassProblem(
            X_fit, y_fit, rates, subclass_class, sampler, replicate_rates, pairs
        )

    def fit(self, problems, starts=None):
        """Phase III on each of ``problems``; one :class:`_SubclassModel` each.

        ``starts`` gives the batched solver of the min-max pairs a starting
        point for the pairs of each problem.
        """
        if self.strategy == "direct":
            estimators = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_weighted)(clone(self.estimator), p.X, p.y, p.rates)
                for p in problems
            )
            if not hasattr(estimators[0], "predict"):
                # its class offers predict conditionally (a Pipeline ending
                # in a transformer): checked once fitted
                _refuse_no_predict(estimators[0])
            return [
                _SubclassModel(
                    p.subclass_class, p.sampler, p.replicate_rates, estimator=e
                )
                for p, e in zip(problems, estimators)
            ]
        pairwise = _fit_pairwise(problems, self.estimator, self.n_jobs, starts)
        return [
            _SubclassModel(p.subclass_class, p.sampler, p.replicate_rates, pairwise=m)
            for p, m in zip(problems, pairwise)
        ]
