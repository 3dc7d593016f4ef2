"""What a user of the peer libraries finds on ltlearn's estimators too."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.metadata
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from imblearn.ensemble import BalancedRandomForestClassifier
from imblearn.metrics import classification_report_imbalanced
from imblearn.over_sampling import SMOTENC as ImblearnSMOTENC
from joblib import parallel_backend
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, get_scorer, roc_auc_score
from sklearn.model_selection import (
    FixedThresholdClassifier,
    TunedThresholdClassifierCV,
)
from sklearn.multiclass import OneVsOneClassifier
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.tree import DecisionTreeClassifier

import ltlearn
from ltlearn.datasets import load_keel
from ltlearn.decomposition import COGClassifier
from ltlearn.ensemble import PluginEnsembleClassifier
from ltlearn.metrics import imbalance_report
from ltlearn.over_sampling import SMOTENC
from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)
from ltlearn.semi_supervised import CReSTClassifier
from ltlearn.utils import show_versions
from ltlearn.utils._show_versions import _DEPENDENCIES, _OPTIONAL_DEPENDENCIES

# ----------------------------------------------------------------------------
# show_versions, as sklearn.show_versions and imblearn.show_versions


def test_show_versions_lists_ltlearn_and_every_dependency(capsys):
    show_versions()
    out = capsys.readouterr().out
    assert f"ltlearn: {ltlearn.__version__}" in out
    for package in [*_DEPENDENCIES, *_OPTIONAL_DEPENDENCIES]:
        assert f"{package}: " in out
    # the optional dependencies of the extras, named as the user installs them
    for package in ["torch", "skorch", "matplotlib", "pandas", "scikit-learn"]:
        installed = importlib.metadata.version(package)
        assert f"{package}: {installed}" in out
    assert "System:" in out and f"python: {sys.version.split()[0]}" in out
    assert "threadpoolctl info:" in out


def test_show_versions_lists_follow_the_installed_requirements():
    # written out, as scikit-learn's: each requirement of ltlearn, and of its
    # deep, plot and distributed extras, is listed
    required, optional = set(), set()
    for requirement in importlib.metadata.requires("ltlearn"):
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower()
        extra = re.search(r"extra == ['\"](\w+)['\"]", requirement)
        if extra is None:
            required.add(name)
        elif extra.group(1) in ("deep", "plot", "distributed"):
            optional.add(name)
    assert required and required <= set(_DEPENDENCIES)
    assert optional == {"torch", "skorch", "matplotlib", "dask"}
    assert optional <= set(_OPTIONAL_DEPENDENCIES)


def test_show_versions_top_level_is_the_utils_function():
    assert ltlearn.show_versions is show_versions
    assert "show_versions" in ltlearn.__all__ and "show_versions" in dir(ltlearn)


def test_show_versions_prints_none_for_a_missing_package(capsys, monkeypatch):
    real_version = importlib.metadata.version

    def version(package):
        if package == "torch":
            raise importlib.metadata.PackageNotFoundError(package)
        return real_version(package)

    monkeypatch.setattr("ltlearn.utils._show_versions.version", version)
    show_versions()
    out = capsys.readouterr().out
    assert "torch: None" in out
    assert f"skorch: {real_version('skorch')}" in out


def test_show_versions_github_markup(capsys):
    show_versions(github=True)
    out = capsys.readouterr().out
    assert out.startswith("<details>\n<summary>System, Dependency Information")
    assert out.rstrip().endswith("</details>")
    assert f"* ltlearn         : `{ltlearn.__version__}`" in out
    assert "**Optional dependencies**" in out
    assert "threadpoolctl info" not in out


def test_show_versions_does_not_import_torch():
    code = (
        "import sys, ltlearn; ltlearn.show_versions();"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert "torch: " in result.stdout


# ----------------------------------------------------------------------------
# decision_function on the post-hoc classifiers, as FixedThresholdClassifier
# and TunedThresholdClassifierCV offer it

POST_HOC = [
    ThresholdMovingClassifier(LogisticRegression()),
    ThresholdMovingClassifier(LogisticRegression(), decision="expected_cost"),
    LogitAdjustedClassifier(LogisticRegression(), cv=3),
    PluginClassifier(LogisticRegression(), cv=3),
]
POST_HOC_IDS = ["rescale", "expected_cost", "logit_adjusted", "plugin"]


class _ScoredTree(DecisionTreeClassifier):
    """A tree with a decision_function: probabilities of 0 and 1, and scores."""

    def decision_function(self, X):
        proba = self.predict_proba(X)
        return proba[:, 1] if proba.shape[1] == 2 else proba


@pytest.mark.parametrize("clf", POST_HOC, ids=POST_HOC_IDS)
@pytest.mark.parametrize("inner", [LogisticRegression(), _ScoredTree()])
def test_decision_function_binary_sign_is_predict(clf, inner, imbalanced_binary):
    X, y = imbalanced_binary
    y = np.where(y == 1, "yes", "no")
    clf = clone(clf).set_params(estimator=inner).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (X.shape[0],)
    # a tree's probabilities of 0 and 1 give +-1.3e154, not infinities
    assert np.all(np.isfinite(scores))
    assert_array_equal(clf.classes_[(scores > 0).astype(int)], clf.predict(X))


@pytest.mark.parametrize("clf", POST_HOC, ids=POST_HOC_IDS)
@pytest.mark.parametrize("inner", [LogisticRegression(), _ScoredTree()])
def test_decision_function_multiclass_argmax_is_predict(
    clf, inner, imbalanced_multiclass
):
    X, y = imbalanced_multiclass
    clf = clone(clf).set_params(estimator=inner).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (X.shape[0], 4)
    assert np.all(np.isfinite(scores))
    assert_array_equal(clf.classes_[np.argmax(scores, axis=1)], clf.predict(X))


@pytest.mark.parametrize("clf", POST_HOC, ids=POST_HOC_IDS)
@pytest.mark.parametrize(
    "inner", [LogisticRegression(), _ScoredTree(max_depth=4, random_state=0)]
)
def test_decision_function_keeps_roc_auc(clf, inner, imbalanced_binary):
    # a tree gives probabilities of 0 and 1, hence scores of +-1.3e154
    X, y = imbalanced_binary
    X_train, y_train, X_test, y_test = X[:200], y[:200], X[200:], y[200:]
    clf = clone(clf).set_params(estimator=inner).fit(X_train, y_train)
    proba = clf.predict_proba(X_test)[:, 1]
    scores = clf.decision_function(X_test)
    # the "roc_auc" scorer calls decision_function first; scikit-learn's
    # check that the scores are finite sums them: no overflow warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        auc_scorer = get_scorer("roc_auc")(clf, X_test, y_test)
    assert auc_scorer == pytest.approx(roc_auc_score(y_test, proba), abs=1e-12)
    assert auc_scorer == pytest.approx(
        roc_auc_score(y_test, clf.estimator_.predict_proba(X_test)[:, 1]), abs=1e-12
    )
    # the scores sort the samples as the probabilities of class 1 do
    assert np.all(np.diff(proba[np.argsort(scores, kind="stable")]) >= 0)


@pytest.mark.parametrize(
    "clf",
    [clf for clf in POST_HOC if clf.get_params().get("decision") != "expected_cost"],
    ids=["rescale", "logit_adjusted", "plugin"],
)
def test_decision_function_of_zero_probabilities_sums_finite(clf):
    # a fully grown tree: probabilities of 0 and 1, scores of +-1.3e154.
    # scikit-learn checks that scores are finite by summing them: sums that
    # reached +inf and -inf (half the largest float each) warned
    data = load_keel("ecoli1")
    X, y = data.data, data.target
    inner = _ScoredTree(random_state=0)
    clf = clone(clf).set_params(estimator=inner).fit(X[::2], y[::2])
    scores = clf.decision_function(X[1::2])
    assert np.isfinite(scores.sum()) and np.abs(scores).max() > 1e150
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        auc = get_scorer("roc_auc")(clf, X[1::2], y[1::2])
    assert auc == roc_auc_score(y[1::2], clf.predict_proba(X[1::2])[:, 1])


@pytest.mark.parametrize("clf", POST_HOC, ids=POST_HOC_IDS)
def test_no_decision_function_over_a_model_of_probabilities_only(
    clf, imbalanced_binary
):
    # as FixedThresholdClassifier: a tree has no scores, so that scikit-learn's
    # scorers and CalibratedClassifierCV read predict_proba (a sigmoid fitted
    # to the +-1.3e154 of a tree's probabilities of 0 and 1 calibrated badly)
    X, y = imbalanced_binary
    clf = clone(clf).set_params(estimator=DecisionTreeClassifier(max_depth=4))
    assert not hasattr(clf, "decision_function")
    clf.fit(X[:200], y[:200])
    assert not hasattr(clf, "decision_function")
    auc = get_scorer("roc_auc")(clf, X[200:], y[200:])
    assert auc == roc_auc_score(y[200:], clf.predict_proba(X[200:])[:, 1])


def test_decision_function_rescale_is_shifted_log_odds(
    imbalanced_binary, imbalanced_multiclass
):
    X, y = imbalanced_binary
    clf = ThresholdMovingClassifier(LogisticRegression()).fit(X, y)
    inner = clf.estimator_
    log_odds = inner.decision_function(X)  # LogisticRegression's logit
    shift = np.log(clf.class_costs_[1] / clf.class_costs_[0])
    assert_allclose(clf.decision_function(X), log_odds + shift, rtol=1e-7)
    X, y = imbalanced_multiclass
    clf = LogitAdjustedClassifier(LogisticRegression(), cv=3).fit(X, y)
    assert_allclose(clf.decision_function(X), clf.predict_log_proba(X))


def test_decision_function_expected_cost_is_negated_cost(
    imbalanced_multiclass, imbalanced_binary
):
    X, y = imbalanced_multiclass
    costs = np.array([[0, 1, 4, 1], [8, 0, 1, 2], [2, 9, 0, 5], [1, 1, 20, 0]])
    clf = ThresholdMovingClassifier(
        LogisticRegression(), cost_matrix=costs, decision="expected_cost"
    ).fit(X, y)
    expected_cost = clf.estimator_.predict_proba(X) @ costs
    assert_allclose(clf.decision_function(X), -expected_cost)
    # the matrix is not a cost per true class: the rules disagree somewhere
    rescale = clone(clf).set_params(decision="rescale").fit(X, y)
    assert np.any(rescale.predict(X) != clf.predict(X))

    X, y = imbalanced_binary
    clf = ThresholdMovingClassifier(
        LogisticRegression(), cost_matrix=[[0, 1], [5, 0]], decision="expected_cost"
    ).fit(X, y)
    proba = clf.estimator_.predict_proba(X)
    assert_allclose(clf.decision_function(X), 5 * proba[:, 1] - proba[:, 0])


def test_threshold_moving_matches_fixed_threshold_classifier(imbalanced_binary):
    # cost C[0, 1] = 1, C[1, 0] = 4: class 1 when p_1 > 1 / (1 + 4)
    X, y = imbalanced_binary
    inner = LogisticRegression().fit(X, y)
    ours = ThresholdMovingClassifier(
        FrozenEstimator(inner), cost_matrix=[[0, 1], [4, 0]]
    ).fit(X, y)
    theirs = FixedThresholdClassifier(
        FrozenEstimator(inner), threshold=0.2, response_method="predict_proba"
    ).fit(X, y)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    # scikit-learn's decision_function is the inner model's, unthresholded;
    # ltlearn's is shifted to the rule, so that its sign is the prediction
    proba = inner.predict_proba(X)[:, 1]
    assert_allclose(theirs.decision_function(X), inner.decision_function(X))
    assert_allclose(
        ours.decision_function(X), np.log(proba / (1 - proba)) - np.log(0.25)
    )


def test_decision_function_unfitted_and_wrong_features(imbalanced_binary):
    X, y = imbalanced_binary
    clf = PluginClassifier(LogisticRegression(), cv=3)
    with pytest.raises(NotFittedError):
        clf.decision_function(X)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.decision_function(X[:, :3])


# ----------------------------------------------------------------------------
# fitted attributes the peers have


def test_plugin_ensemble_named_estimators_and_log_proba(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    models = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
    ]
    ens = PluginEnsembleClassifier(models, cv=3, random_state=0).fit(X, y)
    voting = VotingClassifier(models, voting="soft").fit(X, y)
    assert list(ens.named_estimators_) == list(voting.named_estimators_)
    for name, fitted in zip(ens.named_estimators_, ens.estimators_):
        assert ens.named_estimators_[name] is fitted
        assert ens.named_estimators_[name] is not dict(models)[name]
    assert ens.named_estimators_.tree.get_depth() <= 3
    # predict_log_proba, as BalancedRandomForestClassifier has it
    brf = BalancedRandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    with np.errstate(divide="ignore"):  # its trees' probabilities of 0
        assert brf.predict_log_proba(X).shape == ens.predict_log_proba(X).shape
    assert_allclose(np.exp(ens.predict_log_proba(X)), ens.predict_proba(X))
    assert_array_equal(
        ens.classes_[np.argmax(ens.predict_log_proba(X), axis=1)], ens.predict(X)
    )


def test_plugin_ensemble_default_named_estimators(imbalanced_binary):
    X, y = imbalanced_binary
    ens = PluginEnsembleClassifier(random_state=0, refinement=0).fit(X, y)
    assert list(ens.named_estimators_) == ["rf", "et", "lr"]
    assert ens.named_estimators_.lr is ens.estimators_[2]


def test_smotenc_n_features_as_imblearn(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    X = X.copy()
    X[:, 0] = np.digitize(X[:, 0], [-1, 0, 1])
    ours = SMOTENC(categorical_features=[0], random_state=0)
    theirs = ImblearnSMOTENC(categorical_features=[0], random_state=0)
    ours.fit_resample(X, y)
    theirs.fit_resample(X, y)
    assert ours.n_features_ == theirs.n_features_ == ours.n_features_in_ == 6


def test_cog_n_classes_as_one_vs_one(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    cog = COGClassifier(n_clusters=2, random_state=0).fit(X, y)
    ovo = OneVsOneClassifier(LogisticRegression()).fit(X, y)
    assert cog.n_classes_ == ovo.n_classes_ == 4


# ----------------------------------------------------------------------------
# imbalance_report's target_names, as classification_report_imbalanced's


def test_imbalance_report_target_names_as_classification_report(
    imbalanced_multiclass,
):
    X, y = imbalanced_multiclass
    y_pred = LogisticRegression().fit(X, y).predict(X)
    names = ["head", "body", "tail", "tip"]
    ours = imbalance_report(y, y_pred, target_names=names, output_dict=True)
    plain = imbalance_report(y, y_pred, output_dict=True)
    theirs = classification_report(y, y_pred, target_names=names, output_dict=True)
    imblearn_text = classification_report_imbalanced(y, y_pred, target_names=names)
    for label, name in zip([0, 1, 2, 3], names):
        assert ours["classes"][name] == plain["classes"][label]
        assert ours["classes"][name]["recall"] == theirs[name]["recall"]
        assert name in imblearn_text
    # rows ordered as without names: by support, the names following labels
    assert list(ours["classes"]) == [names[k] for k in plain["classes"]]
    text = imbalance_report(y, y_pred, target_names=names, y_train=y)
    assert [line.split()[0] for line in text.splitlines()[1:5]] == [
        "head",
        "body",
        "tail",
        "tip",
    ]
    # in the order of labels when they are given
    named = imbalance_report(
        y, y_pred, labels=[3, 0], target_names=["tip", "head"], output_dict=True
    )
    assert named["classes"]["tip"] == plain["classes"][3]


@pytest.mark.parametrize(
    "target_names, match",
    [
        (["a", "b"], "target_names has 2 names for 4 classes"),
        (["a", "b", "c", "a"], "target_names repeats a name"),
    ],
)
def test_imbalance_report_refuses_bad_target_names(
    target_names, match, imbalanced_multiclass
):
    _, y = imbalanced_multiclass
    with pytest.raises(ValueError, match=match):
        imbalance_report(y, y, target_names=target_names)


# ----------------------------------------------------------------------------
# CReSTClassifier counts generations; SelfTrainingClassifier rounds


def test_crest_counts_one_more_than_self_training(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    y = y.copy()
    y[::2] = -1
    crest = CReSTClassifier(
        LogisticRegression(), max_iter=4, selection="random", random_state=0
    ).fit(X, y)
    self_training = SelfTrainingClassifier(
        LogisticRegression(), criterion="k_best", k_best=20, max_iter=3
    ).fit(X, y)
    for model in (crest, self_training):
        assert model.termination_condition_ == "max_iter"
        assert_array_equal(np.unique(model.labeled_iter_), [-1, 0, 1, 2, 3])
        assert np.all(model.labeled_iter_[y != -1] == 0)
    assert crest.n_iter_ == self_training.n_iter_ + 1 == 4


# ----------------------------------------------------------------------------
# cv_results_ of tau="auto", as TunedThresholdClassifierCV(store_cv_results=True)


def test_logit_adjusted_store_cv_results(imbalanced_binary):
    X, y = imbalanced_binary
    clf = LogitAdjustedClassifier(
        LogisticRegression(), tau="auto", cv=3, store_cv_results=True
    ).fit(X, y)
    tuned = TunedThresholdClassifierCV(
        LogisticRegression(), cv=3, thresholds=5, store_cv_results=True
    ).fit(X, y)
    assert set(tuned.cv_results_) == {"thresholds", "scores"}
    results = clf.cv_results_
    assert set(results) == {"tau", "scores"}
    assert results["tau"].shape == results["scores"].shape == (31,)
    assert_allclose(results["tau"][[0, 10, -1]], [0.0, 1.0, 3.0])
    assert clf.best_score_ == results["scores"].max()
    assert results["scores"][results["tau"] == clf.tau_][0] == clf.best_score_
    # the scores vary with tau: the plain argmax (tau=0) is not the best
    assert results["scores"][0] < clf.best_score_
    # a numeric tau is not searched; without the flag, no attribute
    clf.set_params(tau=1.0).fit(X, y)
    assert clf.cv_results_ is None
    clf.set_params(tau="auto", store_cv_results=False).fit(X, y)
    assert not hasattr(clf, "cv_results_")


# ----------------------------------------------------------------------------
# n_jobs of PluginEnsembleClassifier, as VotingClassifier's


def test_plugin_ensemble_n_jobs_gives_the_same_rule(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    models = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
        ("forest", RandomForestClassifier(30, oob_score=True, random_state=0)),
    ]
    one = PluginEnsembleClassifier(models, cv=3, random_state=0).fit(X, y)
    # threads: no process start-up on a busy machine; the same code path
    with parallel_backend("threading", n_jobs=2):
        two = PluginEnsembleClassifier(models, cv=3, random_state=0, n_jobs=2)
        two.fit(X, y)
    assert_allclose(two.weights_, one.weights_)
    assert_allclose(two.oob_proba_, one.oob_proba_)
    assert_allclose(two.predict_proba(X), one.predict_proba(X))
    assert list(two.named_estimators_) == ["lr", "tree", "forest"]
    with pytest.raises(ValueError, match="n_jobs"):
        PluginEnsembleClassifier(models, n_jobs="all").fit(X, y)
