"""Tests for COGClassifier: local-clustering class decomposition."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import re
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from imblearn import FunctionSampler
from imblearn.combine import SMOTETomek
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import EditedNearestNeighbours
from scipy import sparse
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, ClusterMixin, clone
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    IsolationForest,
    RandomForestClassifier,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import balanced_accuracy_score, log_loss
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    StratifiedKFold,
    cross_validate,
)
from sklearn.multiclass import OneVsOneClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.random_projection import GaussianRandomProjection
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils.validation import has_fit_parameter

from ltlearn.decomposition import COGClassifier, _pairwise, _subclasses
from ltlearn.decomposition._model_selection import _pays_off, _split_folds
from ltlearn.decomposition._subclasses import _auto_n_clusters
from ltlearn.over_sampling import SMOTE
from tests.over_sampling.test_smote import _with_split_entries


def _samplers():
    samplers = [ImblearnSMOTE(k_neighbors=3)]
    try:
        from ltlearn.over_sampling import SMOTE
    except ImportError:  # ltlearn's SMOTE not built yet
        return samplers
    return [*samplers, SMOTE(k_neighbors=3)]


def _exact_svc(**params):
    """A LinearSVC solved to a tight tolerance: batched and liblinear agree."""
    return LinearSVC(tol=1e-10, max_iter=100_000, **params)


def _two_sided(n_major=240, n_minor=24, random_state=0):
    """A rare class between two modes of the large class: not linearly separable."""
    rng = np.random.default_rng(random_state)
    centers = np.array([[-4.0, 0.0], [4.0, 0.0]])
    major = centers[rng.integers(0, 2, n_major)] + rng.normal(size=(n_major, 2))
    minor = rng.normal(scale=0.7, size=(n_minor, 2))
    X = np.vstack([major, minor])
    y = np.r_[np.zeros(n_major, dtype=int), np.ones(n_minor, dtype=int)]
    return X, y


class _PredictOnly(ClassifierMixin, BaseEstimator):
    """A classifier with neither decision_function nor predict_proba."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


class _CountedPredictOnly(_PredictOnly):
    """A ``_PredictOnly`` that counts its fits."""

    n_fits = 0

    def fit(self, X, y):
        type(self).n_fits += 1
        return super().fit(X, y)


class _GappedLabels(ClusterMixin, BaseEstimator):
    """A clusterer whose labels have gaps: clusters 0, 1 and 3 stay empty."""

    def __init__(self, n_clusters=2):
        self.n_clusters = n_clusters

    def fit_predict(self, X, y=None):
        return np.where(np.arange(X.shape[0]) % 2 == 0, 4, 2)


@pytest.mark.parametrize(
    "labels", [np.array([0, 1, 2]), np.array(["cat", "dog", "emu"], dtype=object)]
)
def test_classes_are_the_original_labels(imbalanced_multiclass, labels):
    X, y = imbalanced_multiclass
    y = labels[np.minimum(y, 2)]
    cog = COGClassifier(n_clusters=3, random_state=0).fit(X, y)
    assert list(cog.classes_) == list(labels)
    assert set(cog.predict(X)) <= set(labels)
    assert set(cog.subclass_to_class_) == set(labels)


@pytest.mark.parametrize(
    "counts, expected",
    [
        ([250, 30], [1, 1]),  # small classes stay whole
        ([900, 300, 20], [4, 2, 1]),  # sub-classes of at least 200 rows
        ([5000, 400], [10, 1]),  # at most 10 sub-classes
        ([2000, 1000, 500], [4, 2, 1]),  # sub-classes of the smallest class size
    ],
)
def test_auto_n_clusters_rule(counts, expected):
    assert _auto_n_clusters(np.array(counts)).tolist() == expected


def test_auto_leaves_small_data_to_the_estimator(imbalanced_binary):
    X, y = imbalanced_binary  # 270 and 30 rows: too few to split
    cog = COGClassifier(random_state=0).fit(X, y)
    assert cog.n_clusters_.tolist() == [1, 1]
    assert cog.clusterers_ == {}


def test_fitted_subclass_structure(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(n_clusters=5, random_state=0).fit(X, y)
    counts = np.bincount(y)
    assert cog.n_clusters_.tolist() == [5, 1]  # the rare class stays whole
    assert cog.n_subclasses_ == cog.n_clusters_.sum() == cog.subclass_counts_.size
    assert cog.subclass_counts_.sum() == y.size
    for i, label in enumerate(cog.classes_):
        mine = cog.subclass_to_class_ == label
        assert mine.sum() == cog.n_clusters_[i]
        assert cog.subclass_counts_[mine].sum() == counts[i]
    assert set(cog.clusterers_) == {0}
    assert cog.clusterers_[0].n_clusters == 5
    # min-max: one model per pair of sub-classes of different classes
    assert cog.pairs_.tolist() == [[j, 5] for j in range(5)]
    assert len(cog.estimators_) == 5
    assert not hasattr(cog, "estimator_")
    direct = COGClassifier(n_clusters=5, strategy="direct", random_state=0).fit(X, y)
    assert direct.estimator_.classes_.tolist() == list(range(direct.n_subclasses_))
    assert not hasattr(direct, "estimators_")


def test_the_clustering_of_a_class_does_not_depend_on_the_split_of_another():
    # Each class draws its seed, split or not: splitting class 0 leaves the
    # clustering of class 1 as it was.
    X, y = make_classification(
        n_samples=360, n_features=4, n_classes=3, n_informative=3,
        n_redundant=0, weights=[0.4, 0.4], random_state=0,
    )  # fmt: skip
    whole = COGClassifier(n_clusters={0: 1, 1: 3}, random_state=0).fit(X, y)
    split = COGClassifier(n_clusters={0: 2, 1: 3}, random_state=0).fit(X, y)
    assert set(whole.clusterers_) == {1} and set(split.clusterers_) == {0, 1}
    first, second = whole.clusterers_[1], split.clusterers_[1]
    assert first.random_state == second.random_state
    np.testing.assert_array_equal(first.labels_, second.labels_)


@pytest.mark.parametrize("first, then", [("min-max", "direct"), ("direct", "min-max")])
def test_refit_with_another_strategy_keeps_only_its_models(
    imbalanced_binary, first, then
):
    # A refit with the other strategy kept the models of the previous fit:
    # estimators_ and pairs_ beside a "direct" estimator_, or the reverse.
    X, y = imbalanced_binary
    cog = COGClassifier(n_clusters=3, strategy=first, random_state=0).fit(X, y)
    cog.set_params(strategy=then).fit(X, y)
    fresh = COGClassifier(n_clusters=3, strategy=then, random_state=0).fit(X, y)
    assert sorted(vars(cog)) == sorted(vars(fresh))
    assert hasattr(cog, "estimator_") == (then == "direct")
    assert hasattr(cog, "estimators_") == hasattr(cog, "pairs_") == (then == "min-max")


def test_strategy_set_after_fit_leaves_the_fitted_methods(imbalanced_binary):
    # The methods offered followed the strategy parameter, not the fitted
    # model: set_params(strategy="direct") on a min-max fit offered
    # predict_proba, which failed with "'NoneType' object has no attribute
    # 'predict_proba'", and the reverse hid that of a direct fit.
    X, y = imbalanced_binary
    cog = COGClassifier(LogisticRegression(), n_clusters=3, random_state=0)
    cog.fit(X, y).set_params(strategy="direct")
    assert not hasattr(cog, "predict_proba")
    cog.fit(X, y)
    proba = cog.predict_proba(X)
    cog.set_params(strategy="min-max")
    np.testing.assert_array_equal(cog.predict_proba(X), proba)


def test_min_max_pairs_only_join_different_classes(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    cog = COGClassifier(n_clusters={0: 3, 1: 2}, random_state=0).fit(X, y)
    owner = cog.subclass_to_class_
    assert cog.n_subclasses_ == 7
    assert len(cog.pairs_) == 7 * 6 // 2 - 3 - 1  # minus the pairs within 0 and 1
    assert all(owner[a] != owner[b] for a, b in cog.pairs_)


def test_int_n_clusters_splits_classes_in_proportion(imbalanced_multiclass):
    X, y = imbalanced_multiclass  # 200 / 120 / 60 / 20 rows
    cog = COGClassifier(n_clusters=10, random_state=0).fit(X, y)
    assert cog.n_clusters_.tolist() == [10, 6, 3, 1]


def test_dict_n_clusters_sets_each_class(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    cog = COGClassifier(n_clusters={0: 4, 2: 2}, random_state=0).fit(X, y)
    assert cog.n_clusters_.tolist() == [4, 1, 2, 1]
    assert sorted(cog.clusterers_) == [0, 2]


@pytest.mark.parametrize(
    "n_clusters, match",
    [({7: 2}, "class 7, which is not in y"), ({0: 0}, r"n_clusters\[0\] must be")],
)
def test_bad_dict_n_clusters_is_refused(imbalanced_binary, n_clusters, match):
    X, y = imbalanced_binary
    with pytest.raises(ValueError, match=match):
        COGClassifier(n_clusters=n_clusters).fit(X, y)


def test_n_clusters_larger_than_the_class_is_capped(imbalanced_binary):
    X, y = imbalanced_binary
    n_rare = np.count_nonzero(y == 1)
    cog = COGClassifier(n_clusters={1: 10 * n_rare}, random_state=0).fit(X, y)
    assert cog.n_clusters_[1] <= n_rare
    assert cog.subclass_counts_.min() >= 1


def test_empty_clusters_are_dropped_and_renumbered(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(n_clusters={0: 5}, clusterer=_GappedLabels(), random_state=0)
    cog.fit(X, y)
    assert cog.n_clusters_.tolist() == [2, 1]
    assert cog.subclass_to_class_.tolist() == [0, 0, 1]
    assert cog.pairs_.tolist() == [[0, 2], [1, 2]]


class _MisshapenLabels(ClusterMixin, BaseEstimator):
    """A clusterer whose fit_predict gives other than one label per row."""

    def __init__(self, n_clusters=2, shape="short"):
        self.n_clusters = n_clusters
        self.shape = shape

    def fit_predict(self, X, y=None):
        labels = np.arange(X.shape[0]) % self.n_clusters
        return {"short": labels[:-1], "column": labels[:, None], "none": None}[
            self.shape
        ]


@pytest.mark.parametrize(
    "shape, found", [("short", "({n},)"), ("column", "({n}, 1)"), ("none", "()")]
)
def test_a_clusterer_of_other_than_one_label_per_row_is_named(
    imbalanced_binary, shape, found
):
    X, y = imbalanced_binary
    n = np.count_nonzero(y == 0)
    found = found.format(n=n - 1 if shape == "short" else n)
    cog = COGClassifier(
        n_clusters={0: 2}, clusterer=_MisshapenLabels(shape=shape), random_state=0
    )
    match = re.escape(
        f"_MisshapenLabels.fit_predict returned labels of shape {found}; for the "
        f"{n} rows of a class it must be ({n},), one cluster label per row."
    )
    with pytest.raises(ValueError, match=match):
        cog.fit(X, y)


def test_duplicated_rows_give_fewer_clusters_without_warning():
    rng = np.random.default_rng(0)
    X = np.vstack(
        [np.repeat(rng.normal(size=(3, 2)), 20, axis=0), rng.normal(size=(6, 2)) + 3]
    )
    y = np.r_[np.zeros(60, dtype=int), np.ones(6, dtype=int)]
    cog = COGClassifier(n_clusters={0: 8}, random_state=0).fit(X, y)
    assert cog.n_clusters_[0] == 3
    assert cog.subclass_counts_.sum() == y.size


@pytest.mark.parametrize("oversample", [None, "replicate"])
def test_one_sample_class_is_learned(imbalanced_multiclass, oversample):
    X, y = imbalanced_multiclass
    y = y.copy()
    rare = np.flatnonzero(y == 3)
    y[rare[1:]] = 0
    cog = COGClassifier(n_clusters=4, oversample=oversample, random_state=0)
    cog.fit(X, y)
    assert cog.n_clusters_[3] == 1
    assert set(cog.predict(X)) <= {0, 1, 2, 3}


def test_replicate_gives_every_class_the_weight_of_the_largest(
    imbalanced_multiclass,
):
    X, y = imbalanced_multiclass
    cog = COGClassifier(n_clusters=4, oversample="replicate", random_state=0)
    cog.fit(X, y)
    counts = np.bincount(y)
    for i, label in enumerate(cog.classes_):
        rates = cog.replicate_rates_[cog.subclass_to_class_ == label]
        np.testing.assert_allclose(rates, counts.max() / counts[i])
    assert COGClassifier(random_state=0).fit(X, y).replicate_rates_.max() == 1


def test_replicate_without_split_is_the_class_weighted_estimator(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(_exact_svc(), n_clusters=1, oversample="replicate").fit(X, y)
    balanced = _exact_svc(class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(
        cog.decision_function(X), balanced.decision_function(X), atol=1e-6
    )


def test_unsplit_classes_beyond_two_are_a_model_per_pair_under_min_max(
    imbalanced_multiclass,
):
    # n_clusters=1 is the estimator itself with "direct"; with "min-max" it is
    # one model per pair of classes, each class scoring its worst pair
    X, y = imbalanced_multiclass
    own = LogisticRegression().fit(X, y)
    direct = COGClassifier(LogisticRegression(), n_clusters=1, strategy="direct")
    np.testing.assert_array_equal(direct.fit(X, y).predict(X), own.predict(X))
    cog = COGClassifier(LogisticRegression(), n_clusters=1).fit(X, y)
    worst = np.full((y.size, cog.classes_.size), np.inf)
    for a, b in cog.pairs_:
        rows = np.isin(y, cog.classes_[[a, b]])
        pair = LogisticRegression().fit(X[rows], y[rows] == cog.classes_[b])
        score = pair.decision_function(X)
        worst[:, b] = np.minimum(worst[:, b], score)
        worst[:, a] = np.minimum(worst[:, a], -score)
    np.testing.assert_array_equal(cog.predict(X), cog.classes_[worst.argmax(axis=1)])
    assert len(cog.estimators_) == 6
    assert (cog.predict(X) != own.predict(X)).any()


@pytest.mark.parametrize("strategy", ["min-max", "direct"])
def test_replication_is_a_weight_or_copies(imbalanced_binary, strategy):
    X, y = imbalanced_binary
    weights = np.where(y == 1, 3.0, 1.0)
    rows = np.repeat(np.arange(y.size), weights.astype(int))
    # LinearSVC takes sample_weight: the rows are weighted (rescaled to a mean
    # of 1), not copied
    weighted = COGClassifier(
        _exact_svc(), n_clusters={}, oversample={1: 3}, strategy=strategy
    ).fit(X, y)
    inner = weighted.estimators_[0] if strategy == "min-max" else weighted.estimator_
    expected = _exact_svc().fit(X, y, sample_weight=weights / weights.mean())
    np.testing.assert_allclose(inner.coef_, expected.coef_, atol=1e-6)
    # OneVsOneClassifier takes no sample_weight: the rows are copied
    copied = COGClassifier(
        OneVsOneClassifier(LinearSVC()),
        n_clusters={},
        oversample={1: 3},
        strategy="direct",
    ).fit(X, y)
    expected = OneVsOneClassifier(LinearSVC()).fit(X[rows], y[rows])
    np.testing.assert_allclose(
        copied.estimator_.estimators_[0].coef_, expected.estimators_[0].coef_
    )


@pytest.mark.parametrize("rate", [0.5, float("nan"), "3", True])
def test_bad_replication_rate_is_refused(imbalanced_binary, rate):
    X, y = imbalanced_binary
    with pytest.raises(ValueError, match="replication rate"):
        COGClassifier(oversample={1: rate}).fit(X, y)


@pytest.mark.parametrize(
    "rate", [Fraction(3), np.float32(3), np.int64(3)], ids=lambda r: type(r).__name__
)
def test_replication_rate_of_another_number_type(imbalanced_binary, rate):
    # a Fraction failed with "ufunc 'isfinite' not supported for the input types"
    X, y = imbalanced_binary
    expected = COGClassifier(oversample={1: 3}, random_state=0).fit(X, y)
    cog = COGClassifier(oversample={1: rate}, random_state=0).fit(X, y)
    np.testing.assert_array_equal(cog.replicate_rates_, expected.replicate_rates_)
    np.testing.assert_array_equal(cog.predict(X), expected.predict(X))
    with pytest.raises(ValueError, match="replication rate >= 1; got Fraction"):
        COGClassifier(oversample={1: Fraction(1, 2)}).fit(X, y)


def test_replication_rate_of_one_is_accepted(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(oversample={1: 1}, random_state=0).fit(X, y)
    np.testing.assert_array_equal(cog.replicate_rates_, 1.0)


def _forest():
    return RandomForestClassifier(n_estimators=5)  # random_state left None


def _unseeded_data():
    return make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3,
        n_clusters_per_class=2, weights=[0.6, 0.3], class_sep=0.5, random_state=3,
    )  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"estimator": _forest()},
        {"estimator": _forest(), "strategy": "direct"},
        {"estimator": Pipeline([("scale", StandardScaler()), ("tree", _forest())])},
        {"estimator": _forest(), "split_cv": 3, "oversample": "replicate"},
        {"oversample": SMOTETomek(smote=ImblearnSMOTE(k_neighbors=3))},
    ],
    ids=["estimator", "direct", "pipeline", "split_cv", "nested-sampler"],
)
def test_random_state_seeds_the_unseeded_models_given(params):
    # A random_state left None in the estimator or the sampler, nested ones
    # included, is seeded from random_state: the same fit twice gives the same
    # model (the estimator's was left unseeded, so each fit differed).
    X, y = _unseeded_data()
    first, second, other = (
        COGClassifier(n_clusters=2, random_state=seed, **params).fit(X, y)
        for seed in (0, 0, 1)
    )
    method = "predict_proba" if "strategy" in params else "decision_function"
    scores = [getattr(model, method)(X) for model in (first, second, other)]
    np.testing.assert_array_equal(scores[0], scores[1])
    assert not np.array_equal(scores[0], scores[2])
    for given in params.values():  # the user's models are left as they were
        if hasattr(given, "get_params"):
            assert all(
                value is None
                for key, value in given.get_params().items()
                if key.endswith("random_state")
            )


def test_random_state_leaves_a_frozen_step_alone():
    # A frozen step keeps its model, random_state None included (setting it
    # through the FrozenEstimator would raise); the forest after it is seeded.
    X, y = _unseeded_data()
    projection = GaussianRandomProjection(n_components=4).fit(X)
    components = projection.components_.copy()
    estimator = Pipeline(
        [("project", FrozenEstimator(projection)), ("tree", _forest())]
    )
    first, second = (
        COGClassifier(estimator, n_clusters=2, random_state=0).fit(X, y)
        for _ in range(2)
    )
    np.testing.assert_array_equal(
        first.decision_function(X), second.decision_function(X)
    )
    assert projection.random_state is None
    np.testing.assert_array_equal(projection.components_, components)


@pytest.mark.parametrize("sampler", _samplers(), ids=lambda s: type(s).__module__)
def test_sampler_resamples_the_subclass_problem(imbalanced_binary, sampler):
    X, y = imbalanced_binary
    cog = COGClassifier(n_clusters=3, oversample=sampler, random_state=0).fit(X, y)
    assert cog.replicate_rates_ is None
    assert cog.sampler_.random_state is not None  # seeded from random_state
    resampled = np.bincount(np.asarray(cog.sampler_.fit_resample(X, y)[1]))
    assert resampled[0] == resampled[1]
    again = COGClassifier(n_clusters=3, oversample=sampler, random_state=0).fit(X, y)
    np.testing.assert_allclose(cog.decision_function(X), again.decision_function(X))


def test_sampler_failure_names_the_subclasses(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(
        n_clusters={1: 10}, oversample=ImblearnSMOTE(k_neighbors=5), random_state=0
    )
    with pytest.raises(ValueError, match="sub-class sizes"):
        cog.fit(X, y)


def test_sampler_failure_sums_up_the_sizes_of_many_subclasses():
    # with 60 classes the message listed all 60 sub-class sizes (one per
    # class; hundreds with hundreds of classes)
    rng = np.random.RandomState(0)
    y = np.r_[np.repeat(np.arange(30), 8), np.arange(30, 60)]
    X = rng.normal(size=(y.size, 2))
    cog = COGClassifier(n_clusters=1, oversample=ImblearnSMOTE(k_neighbors=5))
    with pytest.raises(ValueError, match="failed on the sub-class problem") as info:
        cog.fit(X, y)
    message = str(info.value)
    assert "sub-class sizes from 1 to 8 over 60 sub-classes; the smallest: " in (
        message
    )
    assert "30 (1), 31 (1)" in message
    assert "[8, 8, 8" not in message
    assert len(message) < 600


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float64])
def test_sampler_labels_of_another_dtype_give_the_same_pairs(
    imbalanced_multiclass, dtype
):
    X, y = imbalanced_multiclass
    cast = FunctionSampler(func=lambda X, y: (X, y.astype(dtype)), validate=False)
    same = FunctionSampler(func=lambda X, y: (X, y), validate=False)
    cog = COGClassifier(n_clusters=3, oversample=cast, random_state=0).fit(X, y)
    expected = COGClassifier(n_clusters=3, oversample=same, random_state=0).fit(X, y)
    np.testing.assert_array_equal(cog.pairs_, expected.pairs_)
    np.testing.assert_array_equal(
        cog.decision_function(X), expected.decision_function(X)
    )


def _relabelled(X, y, how):
    """What a sampler of the user's returns in place of ``(X, y)``."""
    return {
        "shifted": (X, y + 100),
        "less_one": (X, y - 1),
        "other_text": (X, np.char.add("c", y.astype(str))),
        "other_objects": (X, np.char.add("c", y.astype(str)).astype(object)),
        "rows_added": (np.r_[X, X[:3]], y),
    }[how]


@pytest.mark.parametrize(
    "how, message",
    [
        ("shifted", "returned the label 10[0-9]+, which is none of the sub-classes"),
        ("less_one", "returned the label -1, which is none of the sub-classes 0 to"),
        ("other_text", "returned the label 'c[0-9]+', which is none of the sub-"),
        ("other_objects", "returned the label 'c[0-9]+', which is none of the"),
        ("rows_added", r"returned \d+ rows and labels of shape \(\d+,\); COG"),
    ],
)
@pytest.mark.parametrize("strategy", ["min-max", "direct"])
def test_a_sampler_that_relabels_the_subclasses_is_named(
    imbalanced_multiclass, how, message, strategy
):
    # min-max learned the labels less one without a word (a class never
    # predicted), text labels as one class, and ignored added rows
    X, y = imbalanced_multiclass
    sampler = FunctionSampler(func=_relabelled, kw_args={"how": how}, validate=False)
    cog = COGClassifier(
        n_clusters=3, oversample=sampler, strategy=strategy, random_state=0
    )
    with pytest.raises(ValueError, match="The sampler FunctionSampler " + message):
        cog.fit(X, y)


@pytest.mark.parametrize("strategy", ["min-max", "direct"])
@pytest.mark.parametrize("text", [str, bytes, object, "series"])
def test_a_sampler_giving_its_subclasses_as_text_fits_as_with_numbers(
    imbalanced_multiclass, text, strategy
):
    # min-max learned text labels as one class (objects: "'<' not supported
    # between instances of 'str' and 'int'")
    X, y = imbalanced_multiclass

    def as_text(X, y):
        labels = y.astype(str)
        if text == "series":
            return X, pd.Series(labels)
        return X, labels.astype(text if text is not str else "U")

    sampler = FunctionSampler(func=as_text, validate=False)
    same = FunctionSampler(func=lambda X, y: (X, y), validate=False)
    params = {"n_clusters": 4, "strategy": strategy, "random_state": 0}
    cog = COGClassifier(oversample=sampler, **params).fit(X, y)
    expected = COGClassifier(oversample=same, **params).fit(X, y)
    np.testing.assert_array_equal(
        cog.decision_function(X), expected.decision_function(X)
    )


def test_a_sampler_giving_a_column_of_labels_fits_as_with_a_vector(
    imbalanced_multiclass,
):
    # min-max failed with NumPy's "object too deep for desired array"
    X, y = imbalanced_multiclass
    column = FunctionSampler(func=lambda X, y: (X, y[:, None]), validate=False)
    same = FunctionSampler(func=lambda X, y: (X, y), validate=False)
    with pytest.warns(DataConversionWarning):
        cog = COGClassifier(n_clusters=3, oversample=column, random_state=0).fit(X, y)
    expected = COGClassifier(n_clusters=3, oversample=same, random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        cog.decision_function(X), expected.decision_function(X)
    )


@pytest.mark.parametrize("strategy", ["min-max", "direct"])
def test_a_sampler_giving_a_dataframe_fits_as_with_an_array(
    imbalanced_multiclass, strategy
):
    # min-max took its pairs' rows from the frame by label: pandas' KeyError
    # "None of [Index([0, 1, ...])] are in the [columns]"; direct fitted its
    # model on the frame, which warned at each predict that X has no names
    X, y = imbalanced_multiclass

    def scaled_over(output):
        scale = StandardScaler().set_output(transform=output)
        return Pipeline([("scale", scale), ("over", RandomOverSampler())])

    params = {"n_clusters": 3, "strategy": strategy, "random_state": 0}
    model = LogisticRegression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cog = COGClassifier(model, oversample=scaled_over("pandas"), **params)
        scores = cog.fit(X, y).decision_function(X)
    expected = COGClassifier(model, oversample=scaled_over("default"), **params)
    expected.fit(X, y)
    np.testing.assert_array_equal(scores, expected.decision_function(X))


def _without_last_subclass(X, y):
    return X[y != y.max()], y[y != y.max()]


@pytest.mark.parametrize("estimator", [None, LogisticRegression()])
@pytest.mark.parametrize("n_classes", [4, 2])
def test_a_sampler_removing_a_sub_class_leaves_its_pairs_out(
    imbalanced_binary, imbalanced_multiclass, estimator, n_classes
):
    # a model of each pair was fitted on one sub-class: LogisticRegression's
    # "needs samples of at least 2 classes ... only one class: np.int64(0)";
    # with two classes, the default model predicted class 0 for every row
    X, y = imbalanced_multiclass if n_classes == 4 else imbalanced_binary
    sampler = FunctionSampler(func=_without_last_subclass)
    cog = COGClassifier(estimator, n_clusters=3, oversample=sampler, random_state=0)
    if n_classes == 2:
        message = "The sampler FunctionSampler left rows of one class only: it "
        with pytest.raises(ValueError, match=message + r"removed every row of the "):
            cog.fit(X, y)
        return
    last = cog.fit(X, y).n_subclasses_ - 1
    assert last not in cog.pairs_ and len(cog.pairs_) == len(cog.estimators_)
    # never predicted, as by the model of "direct", which never saw it
    direct = clone(cog).set_params(strategy="direct").fit(X, y)
    assert cog.subclass_to_class_[last] not in cog.predict(X)
    assert cog.subclass_to_class_[last] not in direct.predict(X)


def test_a_cleaner_removing_a_sub_class_of_a_fold_fits_the_split_check():
    # EditedNearestNeighbours removed a sub-class whole from a fold of the
    # split check: LogisticRegression's "only one class" on a pair
    weights = [0.55, 0.25, 0.12, 0.08]
    X, y = make_classification(
        300,
        5,
        n_informative=4,
        n_redundant=0,
        n_classes=4,
        weights=weights,
        random_state=1,
    )
    params = {"oversample": EditedNearestNeighbours(), "split_cv": StratifiedKFold(3)}
    cog = COGClassifier(LogisticRegression(), n_clusters=3, random_state=0, **params)
    assert cog.fit(X, y).split_scores_.shape == (2, 3)


def test_random_oversampler_on_subclasses_balances_them(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    cog = COGClassifier(n_clusters=4, oversample=RandomOverSampler(), random_state=0)
    cog.fit(X, y)
    _, y_res = cog.sampler_.fit_resample(X, y)
    assert len(set(np.bincount(np.asarray(y_res)))) == 1


def test_predict_proba_sums_subclass_probabilities(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    cog = COGClassifier(
        LogisticRegression(), n_clusters=4, strategy="direct", random_state=0
    )
    proba = cog.fit(X, y).predict_proba(X)
    inner = cog.estimator_.predict_proba(X)
    for i, label in enumerate(cog.classes_):
        mine = cog.subclass_to_class_[cog.estimator_.classes_] == label
        np.testing.assert_allclose(proba[:, i], inner[:, mine].sum(axis=1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(cog.predict_log_proba(X), np.log(proba))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_proba_stays_within_zero_and_one(imbalanced_multiclass, dtype):
    # sums of sub-class probabilities rounded above 1 (1 + 5e-8 from the
    # float32 probabilities of a model fitted on float32 data), which
    # scikit-learn's log_loss refuses ("y_prob contains values greater than 1")
    X, y = imbalanced_multiclass
    X = X.astype(dtype)
    cog = COGClassifier(
        LogisticRegression(), n_clusters=4, strategy="direct", random_state=0
    )
    proba = cog.fit(X, y).predict_proba(X)
    assert proba.min() >= 0 and proba.max() <= 1
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert np.isfinite(log_loss(y, proba))


def test_predict_proba_needs_it_in_the_estimator(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(random_state=0)
    assert not hasattr(cog, "predict_proba")
    assert not hasattr(cog.fit(X, y), "predict_proba")
    assert hasattr(
        COGClassifier(LogisticRegression(), strategy="direct"), "predict_proba"
    )
    # min-max combines scores: no probabilities whatever the estimator
    assert not hasattr(COGClassifier(LogisticRegression()), "predict_proba")
    assert hasattr(COGClassifier(GaussianNB()), "decision_function")
    assert not hasattr(
        COGClassifier(GaussianNB(), strategy="direct"), "decision_function"
    )


@pytest.mark.parametrize("fitted", [False, True])
def test_missing_predict_proba_says_why(imbalanced_binary, fitted):
    # As SVC(probability=False), whose AttributeError is the cause of the
    # "has no attribute" one (shown in the traceback), COG says why it has
    # no predict_proba: the strategy, or the estimator's own reason. There
    # was no cause, so SelfTrainingClassifier(COGClassifier()) failed with
    # "This 'COGClassifier' has no attribute 'predict_proba'" alone.
    X, y = imbalanced_binary
    cases = {
        "is not available when strategy='min-max'": COGClassifier(random_state=0),
        "'SVC' has no attribute": COGClassifier(
            SVC(), strategy="direct", random_state=0
        ),
    }
    for reason, cog in cases.items():
        if fitted:
            cog.fit(X, y)
        with pytest.raises(AttributeError, match="no attribute 'predict_proba'") as e:
            cog.predict_proba(X)
        assert reason in str(e.value.__cause__)
    y_semi = np.where(np.arange(y.size) % 2, y, -1)
    with pytest.raises(AttributeError) as e:
        SelfTrainingClassifier(COGClassifier(random_state=0)).fit(X, y_semi)
    assert "strategy='min-max'" in str(e.value.__cause__)


@pytest.mark.parametrize("estimator", [None, LinearSVC()])
def test_decision_function_takes_the_best_subclass(imbalanced_multiclass, estimator):
    X, y = imbalanced_multiclass
    cog = COGClassifier(estimator, n_clusters=5, strategy="direct", random_state=0)
    cog.fit(X, y)
    scores = cog.decision_function(X)
    inner = cog.estimator_.decision_function(X)
    assert scores.shape == (y.size, 4)
    for i, label in enumerate(cog.classes_):
        mine = cog.subclass_to_class_ == label
        np.testing.assert_allclose(scores[:, i], inner[:, mine].max(axis=1))
    np.testing.assert_array_equal(cog.classes_[scores.argmax(axis=1)], cog.predict(X))


@pytest.mark.parametrize("estimator", [LinearSVC(), GaussianNB()])
def test_min_max_scores_a_subclass_by_its_worst_pair(imbalanced_multiclass, estimator):
    X, y = imbalanced_multiclass
    cog = COGClassifier(estimator, n_clusters=5, random_state=0).fit(X, y)
    subclass_scores = np.full((y.size, cog.n_subclasses_), np.inf)
    for (a, b), pair in zip(cog.pairs_, cog.estimators_):
        if hasattr(pair, "decision_function"):
            score = pair.decision_function(X)
        else:
            score = pair.predict_proba(X)[:, 1] - 0.5
        subclass_scores[:, b] = np.minimum(subclass_scores[:, b], score)
        subclass_scores[:, a] = np.minimum(subclass_scores[:, a], -score)
    scores = cog.decision_function(X)
    for i, label in enumerate(cog.classes_):
        mine = cog.subclass_to_class_ == label
        np.testing.assert_allclose(scores[:, i], subclass_scores[:, mine].max(axis=1))
    best = cog.subclass_to_class_[subclass_scores.argmax(axis=1)]
    np.testing.assert_array_equal(cog.predict(X), best)


@pytest.mark.parametrize(
    "strategy, estimator",
    [("min-max", None), ("min-max", LogisticRegression()), ("direct", None)],
)
@pytest.mark.parametrize("sparse_X", [False, True])
def test_linear_pairs_score_by_blocks_as_each_pair_does(
    imbalanced_multiclass, monkeypatch, strategy, estimator, sparse_X
):
    # Linear pairs score by one matrix product per block of pairs and rows;
    # with blocks of a few values, the outputs are those of each pair's own
    # decision_function, to rounding, and the predictions are the same.
    X, y = imbalanced_multiclass
    X = sparse.csr_matrix(X) if sparse_X else X
    cog = COGClassifier(estimator, strategy=strategy, n_clusters=4, random_state=0)
    cog.fit(X, y)
    if strategy == "min-max":
        assert _pairwise._stacked_linear(cog._model.pairwise) is not None
    else:
        assert _pairwise._one_vs_one_scores(cog.estimator_, X) is not None
    monkeypatch.setattr(_pairwise, "_SCORE_BLOCK_VALUES", 37)
    by_blocks = cog.decision_function(X), cog.predict(X)
    monkeypatch.setattr(_pairwise, "_stacked_linear", lambda model: None)
    scores, predictions = cog.decision_function(X), cog.predict(X)
    np.testing.assert_allclose(by_blocks[0], scores, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(by_blocks[1], predictions)


def test_min_max_needs_a_score(imbalanced_binary):
    X, y = imbalanced_binary
    with pytest.raises(ValueError, match="neither decision_function nor"):
        COGClassifier(_PredictOnly(), n_clusters=2).fit(X, y)
    cog = COGClassifier(_PredictOnly(), n_clusters=2, strategy="direct").fit(X, y)
    assert set(cog.predict(X)) <= {0, 1}


class _ColumnPredict(DecisionTreeClassifier):
    """A tree whose predict gives a column, as CatBoost's multiclass one does."""

    def predict(self, X):
        return super().predict(X).reshape(-1, 1)


def test_direct_predict_of_a_column_gives_one_label_per_row():
    X, y = make_classification(
        n_samples=200, n_classes=3, n_informative=4, weights=[0.6, 0.3, 0.1],
        random_state=0,
    )  # fmt: skip
    params = dict(n_clusters=3, strategy="direct", random_state=0)
    column = COGClassifier(_ColumnPredict(random_state=0), **params).fit(X, y)
    flat = COGClassifier(DecisionTreeClassifier(random_state=0), **params).fit(X, y)
    y_pred = column.predict(X)
    assert y_pred.shape == (X.shape[0],)
    np.testing.assert_array_equal(y_pred, flat.predict(X))


def test_a_scalar_y_is_refused_as_not_1d(imbalanced_binary):
    # It said "Unknown label type: unknown. Maybe you are trying to fit a
    # classifier, which expects discrete classes on a regression target with
    # continuous values."; scikit-learn's classifiers say it is not 1d.
    X, _ = imbalanced_binary
    with pytest.raises(ValueError, match=r"y should be a 1d array.*shape \(\)"):
        COGClassifier(n_clusters=2).fit(X, 1)


@pytest.mark.parametrize("strategy", ["min-max", "direct"])
@pytest.mark.parametrize("n_clusters", [{}, 4])
def test_binary_decision_function_is_1d_and_positive_for_second_class(
    n_clusters, strategy
):
    X, y = _two_sided()
    labels = np.array(["common", "rare"], dtype=object)
    cog = COGClassifier(n_clusters=n_clusters, strategy=strategy, random_state=0)
    cog.fit(X, labels[y])
    scores = cog.decision_function(X)
    assert scores.shape == (y.size,)
    np.testing.assert_array_equal(cog.predict(X), labels[(scores > 0).astype(int)])


def test_without_split_it_is_the_plain_estimator(imbalanced_binary):
    X, y = imbalanced_binary
    cog = COGClassifier(_exact_svc(), n_clusters={}).fit(X, y)
    plain = _exact_svc().fit(X, y)
    assert cog.n_subclasses_ == 2
    np.testing.assert_allclose(
        cog.decision_function(X), plain.decision_function(X), atol=1e-6
    )
    np.testing.assert_array_equal(cog.predict(X), plain.predict(X))
    default = COGClassifier(n_clusters={}).fit(X, y)
    np.testing.assert_array_equal(default.predict(X), plain.predict(X))


def test_direct_without_split_gives_the_inner_binary_score(imbalanced_binary):
    """Two sub-classes that are the classes: the inner 1-d score as it is."""
    X, y = imbalanced_binary
    cog = COGClassifier(_exact_svc(), n_clusters={}, strategy="direct").fit(X, y)
    assert cog.n_subclasses_ == 2
    scores = cog.decision_function(X)
    np.testing.assert_array_equal(scores, cog.estimator_.decision_function(X))
    np.testing.assert_array_equal(cog.predict(X), cog.classes_[(scores > 0) * 1])


@pytest.mark.parametrize("strategy", ["min-max", "direct"])
@pytest.mark.parametrize("oversample", [None, "replicate"])
def test_local_clusters_make_a_linear_model_adequate(oversample, strategy):
    X, y = _two_sided(random_state=0)
    X_test, y_test = _two_sided(random_state=1)
    plain = LinearSVC(class_weight="balanced").fit(X, y)
    cog = COGClassifier(
        n_clusters=4, oversample=oversample, strategy=strategy, random_state=0
    )
    plain_score = balanced_accuracy_score(y_test, plain.predict(X_test))
    cog_score = balanced_accuracy_score(y_test, cog.fit(X, y).predict(X_test))
    assert cog_score > plain_score + 0.2


def test_one_vs_rest_cannot_isolate_a_rare_class_between_subclasses():
    """Why the direct default is one-vs-one: each "rest" holds both sides."""
    X, y = _two_sided(random_state=0)
    X_test, y_test = _two_sided(random_state=1)
    scores = {}
    for name, estimator, strategy in [
        ("ovr", LinearSVC(), "direct"),
        ("ovo", None, "direct"),
        ("min-max", None, "min-max"),
    ]:
        cog = COGClassifier(
            estimator, n_clusters=4, strategy=strategy, random_state=0
        ).fit(X, y)
        scores[name] = balanced_accuracy_score(y_test, cog.predict(X_test))
    assert scores["ovo"] > scores["ovr"] + 0.2
    assert scores["min-max"] > scores["ovr"] + 0.2


def test_sparse_input_gives_the_dense_result(imbalanced_binary):
    # Dense pairs are solved in a batch, sparse ones by liblinear: the same
    # objective, solved to a tight tolerance.
    X, y = imbalanced_binary
    dense = COGClassifier(_exact_svc(), n_clusters=3, random_state=0).fit(X, y)
    csr = COGClassifier(_exact_svc(), n_clusters=3, random_state=0)
    csr.fit(sparse.csr_matrix(X), y)
    np.testing.assert_allclose(
        dense.decision_function(X),
        csr.decision_function(sparse.csr_matrix(X)),
        atol=1e-6,
    )


def _split_entries_data():
    """Three classes, dense and as a CSR matrix storing each entry twice."""
    rng = np.random.RandomState(4)
    X = rng.normal(size=(80, 8))
    X[rng.rand(*X.shape) < 0.5] = 0
    y = np.repeat([0, 1, 2], [40, 25, 15])
    return X, y, _with_split_entries(X, sparse.csr_matrix)


def test_sparse_entries_stored_twice_give_the_dense_clusters():
    # KMeans took the squared norm of a sparse row from its stored entries
    # (two halves: half the norm) and found other clusters
    X, y, X_split = _split_entries_data()
    data = X_split.data.copy()
    dense = COGClassifier(LogisticRegression(), n_clusters=4, random_state=0)
    split = COGClassifier(LogisticRegression(), n_clusters=4, random_state=0)
    dense.fit(X, y)
    split.fit(X_split, y)
    for label, clusterer in dense.clusterers_.items():
        labels = split.clusterers_[label].labels_
        np.testing.assert_array_equal(labels, clusterer.labels_)
    np.testing.assert_array_equal(split.predict(X_split), dense.predict(X))
    np.testing.assert_array_equal(X_split.data, data)


def test_sparse_entries_stored_twice_are_summed_at_predict():
    # the estimator was fitted on the summed rows but predicted on the rows
    # as stored: a neighbours model read half the norms and gave other classes
    X, y, X_split = _split_entries_data()
    data = X_split.data.copy()
    cog = COGClassifier(
        KNeighborsClassifier(3), n_clusters=3, strategy="direct", random_state=0
    )
    expected = cog.fit(X, y).predict(X)
    np.testing.assert_array_equal(cog.fit(X_split, y).predict(X_split), expected)
    np.testing.assert_array_equal(cog.predict_proba(X_split), cog.predict_proba(X))
    np.testing.assert_array_equal(X_split.data, data)


@pytest.mark.parametrize(
    "estimator", [LogisticRegression(), DecisionTreeClassifier(random_state=0)]
)
def test_sparse_array_of_64_bit_indices_is_clustered(estimator):
    # a csr_array keeps the int64 indices it is built from, which KMeans
    # (and a tree at predict) refused: "Only sparse matrices with 32-bit
    # integer indices are accepted", where a csr_matrix of the same data
    # was clustered
    X, y = _two_sided(n_major=60, n_minor=12)
    rows, cols = np.nonzero(X)
    X_sp = sparse.csr_array((X[rows, cols], (rows, cols)), shape=X.shape)
    assert X_sp.indices.dtype == np.int64
    dense = COGClassifier(estimator, n_clusters=3, random_state=0)
    cog = COGClassifier(estimator, n_clusters=3, random_state=0)
    cog.fit(X_sp, y)
    np.testing.assert_array_equal(cog.predict(X_sp), dense.fit(X, y).predict(X))
    assert X_sp.indices.dtype == np.int64 and X_sp.indptr.dtype == np.int64


@pytest.mark.parametrize("clusterer", [AgglomerativeClustering(), DBSCAN()])
def test_clusterer_needs_n_clusters(imbalanced_binary, clusterer):
    X, y = imbalanced_binary
    cog = COGClassifier(n_clusters=3, clusterer=clusterer, random_state=0)
    if "n_clusters" in clusterer.get_params():
        assert cog.fit(X, y).clusterers_[0].n_clusters == 3
    else:
        with pytest.raises(ValueError, match="no n_clusters parameter"):
            cog.fit(X, y)


def test_grid_search_over_n_clusters_and_inner_parameters(imbalanced_binary):
    X, y = imbalanced_binary
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("cog", COGClassifier(LinearSVC(), random_state=0)),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {"cog__n_clusters": [1, 3], "cog__estimator__C": [0.1, 1.0]},
        scoring="balanced_accuracy",
        cv=StratifiedKFold(3),
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    best = grid.best_estimator_.named_steps["cog"]
    C = grid.best_params_["cog__estimator__C"]
    assert all(pair.C == C for pair in best.estimators_)
    assert set(grid.predict(X)) <= {0, 1}


def _one_mode(n_major=240, n_minor=24, random_state=0):
    """A rare class beside a single-mode large class: a line separates them."""
    rng = np.random.default_rng(random_state)
    major = rng.normal(size=(n_major, 2)) + [-2.0, 0.0]
    minor = rng.normal(scale=0.7, size=(n_minor, 2)) + [2.0, 0.0]
    X = np.vstack([major, minor])
    y = np.r_[np.zeros(n_major, dtype=int), np.ones(n_minor, dtype=int)]
    return X, y


@pytest.mark.parametrize("strategy", ["min-max", "direct"])
def test_split_cv_keeps_a_split_that_pays_off(strategy):
    X, y = _two_sided(random_state=0)
    X_test, y_test = _two_sided(random_state=1)
    cog = COGClassifier(
        n_clusters=4,
        oversample="replicate",
        strategy=strategy,
        split_cv=3,
        random_state=0,
    ).fit(X, y)
    assert cog.split_scores_.shape == (2, 3)
    whole, split = cog.split_scores_.mean(axis=1)
    assert split > whole + 0.2
    assert cog.n_clusters_.tolist() == [4, 1]
    assert set(cog.clusterers_) == {0}
    assert balanced_accuracy_score(y_test, cog.predict(X_test)) > 0.9
    # the kept model is the one fitted without the check
    unchecked = COGClassifier(
        n_clusters=4, oversample="replicate", strategy=strategy, random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(
        cog.decision_function(X), unchecked.decision_function(X), atol=1e-8
    )


def test_split_cv_replicates_the_classes_of_each_training_fold():
    # the model of the classes whole on a fold is the one COG fits on its
    # training rows: each class replicated to the largest of those rows
    X, y = make_classification(
        300, 4, n_informative=2, n_redundant=0, weights=[0.85], flip_y=0.1,
        class_sep=0.5, random_state=2,
    )  # fmt: skip
    cv = StratifiedKFold(3)
    cog = COGClassifier(
        LogisticRegression(),
        n_clusters=3,
        strategy="direct",
        oversample="replicate",
        split_cv=cv,
        random_state=0,
    ).fit(X, y)
    expected = []
    for train, test in cv.split(X, y):
        counts = np.bincount(y[train])
        rates = (counts.max() / counts)[y[train]]
        model = LogisticRegression().fit(
            X[train], y[train], sample_weight=rates / rates.mean()
        )
        expected.append(balanced_accuracy_score(y[test], model.predict(X[test])))
    np.testing.assert_array_equal(cog.split_scores_[0], expected)


def test_split_cv_keeps_the_classes_whole_when_splitting_does_not_pay_off():
    X, y = _one_mode(random_state=0)
    cog = COGClassifier(
        n_clusters=4, oversample="replicate", split_cv=3, random_state=0
    ).fit(X, y)
    gains = cog.split_scores_[1] - cog.split_scores_[0]
    assert gains.mean() <= gains.std(ddof=1) / np.sqrt(3)
    assert cog.n_clusters_.tolist() == [1, 1]
    assert cog.n_subclasses_ == 2 and cog.clusterers_ == {}
    assert cog.subclass_counts_.tolist() == [240, 24]
    assert cog.pairs_.tolist() == [[0, 1]]
    balanced = LinearSVC(class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(
        cog.decision_function(X), balanced.decision_function(X), atol=1e-6
    )


@pytest.mark.parametrize(
    "gains, expected",
    [
        ([0.02, 0.03, 0.025], True),
        ([0.1, -0.05, 0.0], False),
        ([0.0, 0.0], False),
        ([0.01], True),
        ([-0.01], False),
        ([0.0], False),
        # mean 0.45 against a standard error of 0.55 (0.39 with ddof=0)
        ([-0.1, 1.0], False),
    ],
)
def test_split_pays_off_beyond_one_standard_error(gains, expected):
    assert _pays_off(np.array(gains)) is expected


def test_split_check_needs_as_many_rows_per_class_as_folds():
    # StratifiedKFold takes a class of exactly n_splits rows
    assert isinstance(_split_folds(3, np.array([3, 10]), 0), StratifiedKFold)
    assert _split_folds(3, np.array([2, 10]), 0) is None


def test_split_cv_takes_a_splitter_and_scores_each_fold():
    X, y = _two_sided(random_state=0)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    cog = COGClassifier(n_clusters=4, split_cv=cv, random_state=0).fit(X, y)
    assert cog.split_scores_.shape == (2, 4)
    # the whole-class model of each fold, scored by hand (liblinear's primal
    # solver is deterministic, so the seed of the inner LinearSVC is moot)
    expected = [
        balanced_accuracy_score(
            y[test], LinearSVC().fit(X[train], y[train]).predict(X[test])
        )
        for train, test in cv.split(X, y)
    ]
    np.testing.assert_allclose(cog.split_scores_[0], expected)


def test_split_cv_of_no_splits_is_named():
    # a generator of splits is used up by the first fit: a refit, or an
    # empty list, failed with "IndexError: list index out of range"
    X, y = _two_sided(random_state=0)
    cv = StratifiedKFold(3).split(X, y)
    cog = COGClassifier(n_clusters=4, split_cv=cv, random_state=0).fit(X, y)
    assert cog.split_scores_.shape == (2, 3)
    with pytest.raises(ValueError, match="split_cv gives no splits.*used up"):
        cog.fit(X, y)
    with pytest.raises(ValueError, match="split_cv gives no splits"):
        COGClassifier(n_clusters=4, split_cv=[], random_state=0).fit(X, y)


def test_split_cv_takes_folds_as_boolean_masks_and_names_folds_of_other_data():
    # as GridSearchCV does; both failed with an IndexError ("boolean index
    # did not match indexed array", "index 160 is out of bounds")
    X, y = _two_sided(random_state=0)
    folds = list(StratifiedKFold(3).split(X, y))
    expected = COGClassifier(n_clusters=4, split_cv=folds, random_state=0).fit(X, y)
    rows = np.arange(y.size)
    masks = [(np.isin(rows, train), np.isin(rows, test)) for train, test in folds]
    cog = COGClassifier(n_clusters=4, split_cv=masks, random_state=0).fit(X, y)
    np.testing.assert_array_equal(cog.split_scores_, expected.split_scores_)
    big = [(train + y.size, test) for train, test in folds]
    with pytest.raises(ValueError, match="split_cv gives the training part of fold 0"):
        cog.set_params(split_cv=big).fit(X, y)


def test_split_cv_refuses_a_fold_of_an_empty_test_part():
    # its balanced accuracy was NaN (NumPy's "Mean of empty slice"), so the
    # mean gain was NaN and the sub-classes were dropped without a word
    X, y = _two_sided(random_state=0)
    folds = list(StratifiedKFold(3).split(X, y))
    folds.append((np.arange(y.size), np.array([], dtype=int)))
    cog = COGClassifier(n_clusters=4, split_cv=folds, random_state=0)
    with pytest.raises(ValueError, match="split_cv gives fold 3 with an empty test"):
        cog.fit(X, y)


def test_split_cv_refuses_a_splitter_by_groups_and_takes_its_splits():
    X, y = _two_sided(random_state=0)
    groups = np.arange(y.size) % 6
    cog = COGClassifier(n_clusters=4, split_cv=GroupKFold(3), random_state=0)
    # fit takes no groups: scikit-learn's "groups should not be None" named
    # a parameter that could not be passed
    with pytest.raises(ValueError, match="GroupKFold, which splits by groups"):
        cog.fit(X, y)
    cog.set_params(split_cv=list(GroupKFold(3).split(X, y, groups)))
    assert cog.fit(X, y).split_scores_.shape == (2, 3)


@pytest.mark.parametrize("estimator", [None, LogisticRegression()])
def test_split_cv_refuses_a_training_fold_without_a_class(estimator):
    # splits whose training part misses a class: the default estimator
    # failed with "IndexError: list index out of range", another scored
    # models that cannot predict the class
    X, y = _two_sided(n_major=60, n_minor=6, random_state=0)
    labels = np.array(["major", "minor"])[y]
    minor, major = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    cv = [(np.r_[major[:30], minor], np.r_[major[30:]]), (major, minor)]
    cog = COGClassifier(estimator, n_clusters=4, split_cv=cv, random_state=0)
    match = "Class 'minor' has 6 rows in y, and training fold 1 of split_cv holds"
    with pytest.raises(ValueError, match=match):
        cog.fit(X, labels)
    cog.set_params(split_cv=[cv[0], (np.r_[major[30:], minor], major[:30])])
    assert cog.fit(X, labels).split_scores_.shape == (2, 2)


def test_split_cv_is_skipped_when_there_is_nothing_to_check(imbalanced_binary):
    X, y = imbalanced_binary  # "auto" keeps its 270 and 30 rows whole
    cog = COGClassifier(split_cv=3, random_state=0).fit(X, y)
    assert cog.split_scores_ is None and cog.n_clusters_.tolist() == [1, 1]
    X, y = _two_sided(n_minor=2)  # a class smaller than the folds
    match = (
        r"Class 1 has 2 rows in y, fewer than the 3 stratified folds of "
        r"split_cv=3, so the split of the classes is kept without the check "
        r"\(split_scores_ is None\); use split_cv=2 to check it\.$"
    )
    with pytest.warns(UserWarning, match=match):
        cog = COGClassifier(n_clusters=4, split_cv=3, random_state=0).fit(X, y)
    assert cog.split_scores_ is None and cog.n_clusters_.tolist() == [4, 1]
    assert COGClassifier(n_clusters=4).fit(X, y).split_scores_ is None
    with warnings.catch_warnings(record=True) as caught:  # the advice works
        warnings.simplefilter("always")
        COGClassifier(n_clusters=4, split_cv=2, random_state=0).fit(X, y)
    assert not [w for w in caught if "stratified folds of" in str(w.message)]
    X, y = _two_sided(n_minor=1)
    with pytest.warns(
        UserWarning, match="Class 1 has 1 row in y, .* or pass split_cv=None"
    ):
        COGClassifier(n_clusters=4, split_cv=2, random_state=0).fit(X, y)


def test_split_cv_is_reproducible_and_leaves_the_input_alone():
    X, y = _two_sided(random_state=0)
    X_copy, y_copy = X.copy(), y.copy()
    fits = [
        COGClassifier(
            n_clusters=4, oversample="replicate", split_cv=3, random_state=7
        ).fit(X, y)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(fits[0].split_scores_, fits[1].split_scores_)
    np.testing.assert_array_equal(
        fits[0].decision_function(X), fits[1].decision_function(X)
    )
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


@pytest.mark.parametrize(
    "params, shared",
    [
        ({}, True),
        ({"estimator": LogisticRegression(), "oversample": "replicate"}, True),
        ({"strategy": "direct"}, False),
    ],
    ids=["min-max", "min-max-replicate", "direct"],
)
def test_split_cv_copies_each_training_fold_once(monkeypatch, params, shared):
    """The whole and the split problems of a fold share its training rows.

    The min-max pairs copy their rows out of them; a copy of the rows per
    problem doubled the copies of X held by the check. A sampler or the
    estimator of "direct" gets the rows themselves: each problem keeps its
    own copy, which they may write into.
    """
    problems = []
    fit = _subclasses._SubclassLearner.fit

    def spy(self, batch, starts=None):
        problems.append(batch)
        return fit(self, batch, starts)

    monkeypatch.setattr(_subclasses._SubclassLearner, "fit", spy)
    X, y = _two_sided(random_state=0)
    cog = COGClassifier(n_clusters=4, split_cv=3, random_state=0, **params)
    cog.fit(X, y)
    assert cog.split_scores_.shape == (2, 3)
    folds = next(batch for batch in problems if len(batch) == 6)
    whole, split = folds[:3], folds[3:]
    for a, b in zip(whole, split):
        assert (a.X is b.X) is shared
        assert a.X.shape[0] < X.shape[0]
    assert len({id(p.X) for p in folds}) == (3 if shared else 6)


@pytest.mark.parametrize("sampler", _samplers())
def test_split_cv_resamples_each_fold(sampler):
    X, y = _two_sided(n_minor=60, random_state=0)
    cog = COGClassifier(
        n_clusters=4, oversample=sampler, split_cv=3, random_state=0
    ).fit(X, y)
    assert cog.split_scores_.shape == (2, 3)
    assert cog.sampler_ is not None


class _Liblinear(LinearSVC):
    """LinearSVC under another type: COGClassifier fits it pair by pair."""


@pytest.mark.parametrize("oversample", [None, "replicate", RandomOverSampler()])
def test_batched_pairs_match_pair_by_pair_fits(oversample):
    # A plain LinearSVC on dense data has its pairs solved together by the
    # finite Newton method; the same objective as liblinear, pair by pair.
    X, y = _two_sided(random_state=0)
    params = {"tol": 1e-10, "max_iter": 100_000}
    fits = [
        COGClassifier(
            estimator, n_clusters=4, oversample=oversample, split_cv=3, random_state=0
        ).fit(X, y)
        for estimator in (LinearSVC(**params), _Liblinear(**params))
    ]
    np.testing.assert_allclose(fits[0].split_scores_, fits[1].split_scores_)
    np.testing.assert_allclose(
        fits[0].decision_function(X), fits[1].decision_function(X), atol=1e-6
    )
    for batched, single in zip(fits[0].estimators_, fits[1].estimators_):
        assert type(batched) is LinearSVC
        np.testing.assert_allclose(batched.coef_, single.coef_, atol=1e-6)
        np.testing.assert_allclose(batched.intercept_, single.intercept_, atol=1e-6)


def test_batched_pairs_are_fitted_linear_svcs():
    X, y = _two_sided(random_state=0)
    cog = COGClassifier(n_clusters=4, random_state=0).fit(X, y)
    for (a, b), svc in zip(cog.pairs_, cog.estimators_):
        assert svc.coef_.shape == (1, 2) and svc.intercept_.shape == (1,)
        assert svc.classes_.tolist() == [0, 1] and svc.n_iter_ >= 1
        assert svc.n_features_in_ == 2
        np.testing.assert_array_equal(
            svc.predict(X), (svc.decision_function(X) > 0).astype(int)
        )
    restored = pickle.loads(pickle.dumps(cog))
    np.testing.assert_array_equal(
        restored.decision_function(X), cog.decision_function(X)
    )
    no_intercept = COGClassifier(
        LinearSVC(fit_intercept=False), n_clusters=4, random_state=0
    ).fit(X, y)
    assert all(svc.intercept_ == 0.0 for svc in no_intercept.estimators_)


def test_crammer_singer_pairs_are_fitted_by_liblinear():
    # Crammer and Singer's formulation is another objective than the batched
    # solver's, on two classes too: such a LinearSVC is fitted pair by pair.
    X, y = _two_sided(random_state=0)
    params = {"multi_class": "crammer_singer", "tol": 1e-10, "max_iter": 100_000}
    fits = [
        COGClassifier(estimator, n_clusters=4, random_state=0).fit(X, y)
        for estimator in (LinearSVC(**params), _Liblinear(**params))
    ]
    np.testing.assert_allclose(
        fits[0].decision_function(X), fits[1].decision_function(X), atol=1e-6
    )


@pytest.mark.parametrize(
    "params",
    [{"C": 0.0}, {"C": -1.0}, {"tol": -1.0}, {"fit_intercept": "yes"}, {"dual": "x"}],
)
def test_batched_pairs_validate_the_linear_svc(params):
    # LinearSVC.fit is not called for the batched pairs: its parameters are
    # refused as it refuses them (a grid over estimator__C holding 0, say),
    # not solved silently.
    X, y = _two_sided(random_state=0)
    name = next(iter(params))
    for data in (X, sparse.csr_array(X)):  # batched, then pair by pair
        cog = COGClassifier(LinearSVC(**params), n_clusters=4, random_state=0)
        with pytest.raises(ValueError, match=f"The '{name}' parameter of LinearSVC"):
            cog.fit(data, y)


def test_pairs_skip_validation_as_configured():
    # Under skip_parameter_validation=True no pair's LinearSVC is validated,
    # whichever way its pairs are fitted, as LinearSVC.fit skips it.
    X, y = _two_sided(random_state=0)
    fits = []
    for data in (X, sparse.csr_array(X)):  # batched, then pair by pair
        svc = LinearSVC(fit_intercept=1, tol=1e-10, max_iter=100_000)
        cog = COGClassifier(svc, n_clusters=4, random_state=0)
        with config_context(skip_parameter_validation=True):
            fits.append(cog.fit(data, y).decision_function(data))
    np.testing.assert_allclose(fits[0], fits[1], atol=1e-6)


@pytest.mark.parametrize("estimator", [None, _Liblinear(), LogisticRegression()])
def test_split_cv_keeps_separated_classes_whole_without_folds(estimator):
    # The rare class lies apart from both modes of the large class: the
    # classes whole are already told apart on every training row.
    rng = np.random.default_rng(0)
    major = np.array([[-4.0, 0.0], [4.0, 0.0]])[rng.integers(0, 2, 240)]
    X = np.vstack([major + rng.normal(size=(240, 2)), rng.normal(size=(24, 2)) + 9])
    y = np.r_[np.zeros(240, dtype=int), np.ones(24, dtype=int)]
    params = {"n_clusters": 4, "oversample": "replicate", "random_state": 0}
    cog = COGClassifier(estimator, split_cv=3, **params).fit(X, y)
    assert cog.split_scores_ is None
    assert cog.n_clusters_.tolist() == [1, 1] and cog.clusterers_ == {}
    assert np.all(cog.predict(X) == y)
    whole = COGClassifier(estimator, **{**params, "n_clusters": 1}).fit(X, y)
    np.testing.assert_allclose(
        cog.decision_function(X), whole.decision_function(X), atol=1e-8
    )


@pytest.mark.parametrize("strategy", ["direct", "min-max"])
def test_a_regressor_is_refused(imbalanced_multiclass, strategy):
    # "direct" used to truncate the regressor's predictions to sub-classes
    X, y = imbalanced_multiclass
    cog = COGClassifier(LinearRegression(), strategy=strategy, n_clusters=2)
    with pytest.raises(ValueError, match="LinearRegression is a regressor"):
        cog.fit(X, y)


@pytest.mark.parametrize("strategy", ["direct", "min-max"])
@pytest.mark.parametrize(
    "model, kind",
    [
        (KMeans(n_clusters=3, n_init=1, random_state=0), "a clusterer"),
        (IsolationForest(n_estimators=5, random_state=0), "an outlier detector"),
        (GaussianMixture(n_components=3, random_state=0), "a density estimator"),
    ],
)
def test_a_model_that_does_not_classify_is_refused(
    imbalanced_multiclass, strategy, model, kind
):
    # "direct" used to take the cluster, component or -1/1 outlier labels it
    # predicts, none learned from y, as sub-classes without a word
    X, y = imbalanced_multiclass
    cog = COGClassifier(model, strategy=strategy, n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match=f"{type(model).__name__} is {kind}"):
        cog.fit(X, y)


@pytest.mark.parametrize("strategy", ["direct", "min-max"])
def test_a_model_with_its_methods_once_fitted_is_taken(imbalanced_multiclass, strategy):
    # a StackingClassifier with its default final estimator has predict and
    # decision_function only once fitted: refused before, as
    # OneVsOneClassifier takes it
    X, y = imbalanced_multiclass
    stack = StackingClassifier([("nb", GaussianNB())], cv=2)
    cog = COGClassifier(stack, strategy=strategy, n_clusters=1, random_state=0)
    assert set(cog.fit(X, y).predict(X)) <= set(y)
    assert cog.decision_function(X).shape == (y.size, 4)


def test_scores_of_the_pairs_are_checked_once_fitted(imbalanced_multiclass):
    # a hard VotingClassifier offers predict_proba on its class only: it is
    # refused on the first pair's fitted model, before the other pairs' fits
    X, y = imbalanced_multiclass
    _CountedPredictOnly.n_fits = 0
    hard = VotingClassifier([("p", _CountedPredictOnly())], voting="hard")
    cog = COGClassifier(hard, n_clusters=2)
    with pytest.raises(ValueError, match="VotingClassifier has neither"):
        cog.fit(X, y)
    assert _CountedPredictOnly.n_fits == 1
    with pytest.raises(ValueError, match="StandardScaler has no predict"):
        COGClassifier(StandardScaler(), strategy="direct").fit(X, y)
    # a Pipeline offers predict once fitted, if its last step has it
    scaler = Pipeline([("scale", StandardScaler())])
    with pytest.raises(ValueError, match="Pipeline has no predict"):
        COGClassifier(scaler, strategy="direct").fit(X, y)


@pytest.mark.parametrize("strategy", ["direct", "min-max"])
def test_a_frozen_estimator_is_refused(imbalanced_multiclass, strategy):
    # a model that is never refitted predicts the classes, not sub-classes:
    # "min-max" failed in a broadcast, "direct" with an IndexError
    X, y = imbalanced_multiclass
    frozen = FrozenEstimator(LogisticRegression().fit(X, y + 3))
    cog = COGClassifier(frozen, strategy=strategy, n_clusters=2)
    with pytest.raises(ValueError, match="FrozenEstimator, never refitted"):
        cog.fit(X, y + 3)


@pytest.mark.parametrize("strategy", ["direct", "min-max"])
def test_a_pipeline_ending_in_a_frozen_estimator_is_refused(
    imbalanced_multiclass, strategy
):
    # its last step is never refitted either, and was not refused by name
    X, y = imbalanced_multiclass
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    pipe = Pipeline([("scale", StandardScaler()), ("model", frozen)])
    cog = COGClassifier(pipe, strategy=strategy, n_clusters=2)
    with pytest.raises(ValueError, match=r"\(the last step of its pipeline\), never"):
        cog.fit(X, y)
    # a frozen step before the last learns no label: taken
    scaler = FrozenEstimator(StandardScaler().fit(X))
    pipe = Pipeline([("scale", scaler), ("model", LogisticRegression())])
    COGClassifier(pipe, strategy=strategy, n_clusters=2).fit(X, y)


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(estimator=SVC(kernel="precomputed")), "estimator SVC"),
        (
            dict(
                estimator=Pipeline(
                    [("knn", KNeighborsClassifier(metric="precomputed"))]
                )
            ),
            "estimator Pipeline",
        ),
        (
            dict(
                estimator=SVC(kernel="precomputed"),
                strategy="direct",
                oversample=RandomOverSampler(random_state=0),
            ),
            "estimator SVC",
        ),
        (
            dict(estimator=SVC(kernel="precomputed"), strategy="direct", split_cv=2),
            "estimator SVC",
        ),
        (dict(clusterer=DBSCAN(metric="precomputed")), "clusterer DBSCAN"),
    ],
)
def test_a_model_on_a_precomputed_matrix_is_refused(
    imbalanced_multiclass, params, name
):
    # Where COG cuts the rows of X only (the clusters of a class, the pairs
    # of 'min-max', a sampler, the split check): an SVC failed with
    # "Precomputed matrix must be a square matrix. Input is a 224x400
    # matrix" for the 400x400 matrix given, and DBSCAN clustered the
    # non-square part of the distances without a word
    X, y = imbalanced_multiclass
    distances = euclidean_distances(X)
    cog = COGClassifier(**params, n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match=f"the {name}, which takes a precomputed"):
        cog.fit(distances, y)


def test_a_model_on_a_precomputed_matrix_fits_on_all_the_rows(imbalanced_multiclass):
    # 'direct' with no sampler and no split check fits the estimator on all
    # the rows: a precomputed kernel works there
    X, y = imbalanced_multiclass
    kernel = X @ X.T
    cog = COGClassifier(
        SVC(kernel="precomputed"), strategy="direct", n_clusters=2, random_state=0
    ).fit(kernel, y)
    assert cog.n_subclasses_ > cog.n_classes_
    assert balanced_accuracy_score(y, cog.predict(kernel)) > 0.8


def test_min_max_of_a_single_pair_takes_a_precomputed_kernel():
    # two classes kept whole make one pair, fitted on all the rows: the
    # binary SVC on the kernel itself
    X, y = make_classification(100, 2, n_informative=2, n_redundant=0, random_state=0)
    kernel = X @ X.T
    cog = COGClassifier(SVC(kernel="precomputed"), n_clusters=1).fit(kernel, y)
    svc = SVC(kernel="precomputed").fit(kernel, y)
    np.testing.assert_array_equal(cog.predict(kernel), svc.predict(kernel))


def test_direct_one_vs_one_predicts_a_score_of_zero_as_it_does():
    # OneVsOneClassifier predicts the first class where the score of its
    # single pair is 0, here at the origin, with no intercept
    X, y = make_classification(
        100, 2, n_informative=2, n_redundant=0, weights=[0.8], random_state=0
    )
    ovo = OneVsOneClassifier(LinearSVC(fit_intercept=False))
    cog = COGClassifier(ovo, strategy="direct", n_clusters=1).fit(X, y)
    origin = np.zeros((1, 2))
    assert cog.decision_function(origin).tolist() == [0.0]
    np.testing.assert_array_equal(cog.predict(origin), [0])
    np.testing.assert_array_equal(clone(ovo).fit(X, y).predict(origin), [0])


@pytest.mark.parametrize("oversample", ["replicate", {3: 4}])
def test_rates_that_copy_the_rows_of_a_precomputed_matrix_are_refused(
    imbalanced_multiclass, oversample
):
    # Rates copy the rows of X for an estimator whose fit takes no
    # sample_weight: a KNeighborsClassifier on distances failed with
    # "Precomputed matrix must be square. Input is a 809x400 matrix", and
    # the pairwise tag said that the model took the matrix.
    X, y = imbalanced_multiclass
    knn = KNeighborsClassifier(metric="precomputed")
    cog = COGClassifier(
        knn, strategy="direct", oversample=oversample, n_clusters=2, random_state=0
    )
    assert not get_tags(cog).input_tags.pairwise
    match = "the estimator KNeighborsClassifier, which takes a precomputed"
    with pytest.raises(ValueError, match=match):
        cog.fit(euclidean_distances(X), y)
    # an SVC takes the rates as sample_weight, on all the rows
    svc = clone(cog).set_params(estimator=SVC(kernel="precomputed"))
    assert get_tags(svc).input_tags.pairwise
    assert svc.fit(X @ X.T, y).predict(X @ X.T).shape == y.shape


def test_direct_on_a_precomputed_matrix_is_cut_by_cross_validation():
    # pairwise as its estimator with "direct" alone: cross-validation cut the
    # rows only and the SVC failed ("Input is a 40x60 matrix")
    X, y = make_classification(n_samples=60, weights=[0.7], random_state=0)
    kernel = X @ X.T
    svc = SVC(kernel="precomputed")
    model = COGClassifier(svc, strategy="direct", n_clusters=2, random_state=0)
    assert get_tags(model).input_tags.pairwise
    for params in [dict(strategy="min-max"), dict(split_cv=2)]:
        assert not get_tags(clone(model).set_params(**params)).input_tags.pairwise
    assert not get_tags(COGClassifier(strategy="direct")).input_tags.pairwise
    folds = list(KFold(3).split(X))
    scores = cross_validate(model, kernel, y, cv=folds, error_score="raise")
    for (train, test), score in zip(folds, scores["test_score"]):
        fitted = clone(model).fit(kernel[np.ix_(train, train)], y[train])
        assert score == fitted.score(kernel[np.ix_(test, train)], y[test])


def test_sample_weight_is_refused(imbalanced_multiclass):
    # Rows are counted by the clustering, the replication rates and the
    # split check: fit does not take sample_weight, as scikit-learn's
    # estimators without it, and says so by its signature.
    X, y = imbalanced_multiclass
    clf = COGClassifier(n_clusters=2, random_state=0)
    assert not has_fit_parameter(clf, "sample_weight")
    with pytest.raises(TypeError, match="unexpected keyword argument 'sample_weight'"):
        clf.fit(X, y, sample_weight=np.ones(y.size))


@pytest.mark.parametrize(
    "strategy, estimator",
    [
        ("min-max", LogisticRegression()),
        ("min-max", _Liblinear()),
        ("direct", OneVsOneClassifier(LogisticRegression())),
    ],
)
def test_n_jobs_fits_the_same_model(strategy, estimator):
    # The models fitted one by one (each pair of "min-max", each fold of the
    # split check) run under joblib: two jobs give the model of one.
    X, y = _two_sided(random_state=0)
    params = {"n_clusters": 4, "oversample": "replicate", "split_cv": 3}
    fits = [
        COGClassifier(
            estimator, strategy=strategy, n_jobs=n_jobs, random_state=0, **params
        ).fit(X, y)
        for n_jobs in (1, 2)
    ]
    assert fits[0].split_scores_ is not None
    np.testing.assert_array_equal(fits[0].split_scores_, fits[1].split_scores_)
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))
    np.testing.assert_array_equal(
        fits[0].decision_function(X), fits[1].decision_function(X)
    )
    for one, two in zip(*(getattr(fit, "estimators_", []) for fit in fits)):
        np.testing.assert_array_equal(one.coef_, two.coef_)


def test_n_jobs_is_validated(imbalanced_binary):
    with pytest.raises(ValueError, match="n_jobs"):
        COGClassifier(n_jobs="two").fit(*imbalanced_binary)


def test_a_sampler_dict_of_the_labels_of_y_is_told_the_sub_classes():
    # The advice was "Use fewer sub-classes (n_clusters) or a sampler that
    # accepts smaller groups", beside the sampler's "The {'rare'} target
    # class is/are not present in the data".
    rng = np.random.RandomState(0)
    X = rng.standard_normal((52, 2))
    y = np.repeat(["maj", "rare"], [40, 12])
    X[y == "rare", 0] += 2
    sampler = RandomOverSampler(sampling_strategy={"rare": 40})
    cog = COGClassifier(oversample=sampler, n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match="the sub-classes 0 to 2") as info:
        cog.fit(X, y)
    assert "fewer sub-classes" not in str(info.value)


def test_a_sampler_dict_of_the_sub_classes_keeps_the_advice_on_sizes():
    # A dict that names the sub-classes, failing on a sub-class too small for
    # the sampler's neighbours, was told to name the sub-classes.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((52, 2))
    y = np.repeat(["maj", "rare"], [46, 6])
    X[y == "rare", 0] += 2
    sampler = ImblearnSMOTE(sampling_strategy={2: 40}, k_neighbors=6)
    cog = COGClassifier(oversample=sampler, n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match="Use fewer sub-classes") as info:
        cog.fit(X, y)
    assert "must name" not in str(info.value)


def test_a_float_sampling_strategy_is_told_the_sub_classes():
    # A float strategy (a ratio of two classes) on a binary y split into
    # three sub-classes was told "Use fewer sub-classes (n_clusters) or a
    # sampler that accepts smaller groups", although no size was at fault.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((52, 2))
    y = np.repeat(["maj", "rare"], [40, 12])
    X[y == "rare", 0] += 2
    sampler = RandomOverSampler(sampling_strategy=0.5)
    cog = COGClassifier(oversample=sampler, n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match="the 3 sub-classes, not the") as info:
        cog.fit(X, y)
    assert "smaller groups" not in str(info.value)
    # with the classes whole, the sub-class problem is binary: the ratio works
    cog = COGClassifier(oversample=sampler, n_clusters=1, random_state=0).fit(X, y)
    assert set(cog.predict(X)) == {"maj", "rare"}


def test_huge_features_with_duplicated_rows_of_two_classes():
    # At 1e12 the Newton step's Hessian is singular in floating point (the
    # identity is lost in rounding and rows 0 and 1 are one point of two
    # classes): the fit takes the least-squares step instead of failing
    X = np.array(
        [
            [1.926, 2.371, 1.453],
            [1.926, 2.371, 1.453],
            [0.351, 5.384, 1.405],
            [3.468, -0.835, -1.252],
            [-5.827, -4.014, -1.391],
            [1.576, -3.706, -1.886],
            [-2.135, -2.127, -5.29],
            [0.248, -1.819, -1.495],
            [-3.223, -1.494, -5.061],
            [0.824, 1.624, -2.35],
            [-5.62, -1.092, 0.359],
            [1.572, 4.042, 0.608],
            [2.285, 4.502, 0.309],
            [1.774, 4.752, 0.016],
            [1.153, 5.851, 2.383],
            [1.849, 4.935, 1.088],
            [3.84, -1.337, 0.085],
        ]
    )
    y = np.array([0, 3, 0, 2, 5, 1, 4, 1, 4, 3, 5, 0, 0, 0, 0, 0, 2])
    cog = COGClassifier(
        n_clusters=1, oversample="replicate", split_cv=5, random_state=0
    )
    expected = cog.fit(X, y).predict(X)
    np.testing.assert_array_equal(cog.fit(X * 1e12, y).predict(X * 1e12), expected)


def test_the_batched_solver_names_the_max_iter_of_the_linear_svc():
    # It warned "The batched squared-hinge solver did not converge in 1
    # Newton iterations; increase max_iter", naming a solver the user never
    # chose and no parameter of COGClassifier.
    rng = np.random.RandomState(0)
    X, y = rng.randn(80, 3), np.repeat([0, 1], [60, 20])
    cog = COGClassifier(LinearSVC(max_iter=1), n_clusters=2, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cog.fit(X, y)
    (warning,) = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert "increase the estimator's max_iter (LinearSVC(max_iter=...))" in str(
        warning.message
    )
    assert warning.filename == __file__


def test_small_sub_classes_are_named_sub_classes_by_the_over_sampler():
    # ltlearn's SMOTE warned "11 classes are too small ... Class 9 has 1
    # sample", naming sub-class codes as classes of y (here 0 and 1).
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 3), np.repeat([0, 1], [40, 20])
    cog = COGClassifier(n_clusters=3, oversample=SMOTE(k_neighbors=12), random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cog.fit(X, y)
    (warning,) = [w for w in caught if "too small" in str(w.message)]
    message = str(warning.message)
    assert message.startswith("3 sub-classes are too small")
    assert "Sub-class 2 has 9 samples" in message and "Class " not in message
    assert "for this sub-class." in message
    assert message.endswith("(subclass_to_class_ maps them to the labels of y).")
    assert warning.filename == __file__
    with pytest.warns(UserWarning, match=r"^Class 1 has 3 samples.*this class\.$"):
        SMOTE(k_neighbors=5).fit_resample(X[:23], np.repeat([0, 1], [20, 3]))


@pytest.mark.parametrize("estimator", [None, LogisticRegression()])
def test_split_cv_warns_once_of_the_small_sub_classes_of_the_model_kept(estimator):
    # With split_cv, the sampler warned for each resampling: of the model of
    # the classes whole and of the folds of the check (8 warnings for one
    # fit, naming fold sub-classes of 8 samples that the classifier lacks).
    rng = np.random.RandomState(0)
    X = np.vstack(
        [rng.randn(30, 2) - [5, 0], rng.randn(30, 2) + [5, 0], rng.randn(12, 2)]
    )
    y = np.repeat([0, 1], [60, 12])
    sampler = SMOTE(k_neighbors=12, random_state=0)
    cog = COGClassifier(
        estimator, n_clusters=2, oversample=sampler, split_cv=3, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cog.fit(X, y)
    np.testing.assert_array_equal(cog.subclass_counts_, [30, 30, 12])
    (warning,) = [w for w in caught if "k_neighbors" in str(w.message)]
    assert str(warning.message).startswith("Sub-class 2 has 12 samples;")
    assert warning.filename == __file__
    # The split kept not, nor the folds' sub-classes: the classes are large.
    X, y = rng.randn(60, 3), np.repeat([0, 1], [40, 20])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cog.set_params(estimator=None).fit(X, y)
    assert cog.n_subclasses_ == 2
    assert not [w for w in caught if "k_neighbors" in str(w.message)]


class _ReversedProba(ClassifierMixin, BaseEstimator):
    """A logistic regression listing its classes in reverse order.

    Its ``predict_proba`` columns are in the order of its ``classes_``.
    """

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_[::-1].copy()
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)[:, ::-1]

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class _ReversedScores(_ReversedProba):
    """Its binary ``decision_function`` is positive for ``classes_[1]``."""

    def decision_function(self, X):
        scores = self.model_.decision_function(X)
        return -scores if scores.ndim == 1 else scores[:, ::-1]


@pytest.mark.parametrize("reversed_model", [_ReversedScores, _ReversedProba])
def test_min_max_reads_the_pairs_in_the_order_of_their_classes(reversed_model):
    # a pair model listing its classes as [1, 0] scored as if [0, 1]: every
    # pair inverted, a balanced accuracy of 0 where the plain model has 0.9
    X, y = make_classification(
        150, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
        weights=[0.6, 0.25, 0.15], random_state=0,
    )  # fmt: skip
    plain = COGClassifier(LogisticRegression(), n_clusters=2, random_state=0)
    plain.fit(X, y)
    reversed_ = clone(plain).set_params(estimator=reversed_model())
    reversed_.fit(X, y)
    np.testing.assert_array_equal(reversed_.predict(X), plain.predict(X))
    assert balanced_accuracy_score(y, plain.predict(X)) > 0.7


class _RowShort(LogisticRegression):
    """A logistic regression whose probabilities lack the last row."""

    def predict_proba(self, X):
        return super().predict_proba(X)[:-1]


def test_direct_refuses_a_predict_proba_of_another_shape():
    # the class probabilities came back a row short, silently
    X, y = make_classification(60, n_features=4, weights=[0.7], random_state=0)
    cog = COGClassifier(_RowShort(), strategy="direct", n_clusters=2, random_state=0)
    cog.fit(X, y)
    with pytest.raises(ValueError, match=r"shape \(59, 3\); for 60 samples"):
        cog.predict_proba(X)
