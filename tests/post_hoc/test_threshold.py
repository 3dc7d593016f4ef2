"""Tests of ThresholdMovingClassifier."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)

LABELS = np.array(["ant", "bee", "cat", "dog"], dtype=object)


@pytest.mark.parametrize("target", ["binary", "multiclass"])
@pytest.mark.parametrize("string_labels", [False, True])
@pytest.mark.parametrize("cost_matrix", ["balanced", "vector", "matrix"])
def test_predict_is_argmax_of_adjusted_proba(
    target, string_labels, cost_matrix, imbalanced_binary, imbalanced_multiclass
):
    X, y = imbalanced_binary if target == "binary" else imbalanced_multiclass
    n_classes = np.unique(y).size
    if string_labels:
        y = LABELS[y]
    rng = np.random.default_rng(0)
    if cost_matrix == "vector":
        cost_matrix = rng.uniform(1, 5, n_classes)
    elif cost_matrix == "matrix":
        cost_matrix = rng.uniform(1, 5, (n_classes, n_classes))
        np.fill_diagonal(cost_matrix, 0)
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix).fit(
        X, y
    )
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    assert set(clf.classes_) == set(np.unique(y))


def test_balanced_costs_divide_probabilities_by_the_prior(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = ThresholdMovingClassifier(LogisticRegression()).fit(X, y)
    prior = np.bincount(y) / y.size
    np.testing.assert_allclose(clf.class_costs_ * prior, clf.class_costs_[0] * prior[0])
    raw = clf.estimator_.predict_proba(X)
    expected = raw / prior
    np.testing.assert_allclose(
        clf.predict_proba(X), expected / expected.sum(axis=1, keepdims=True)
    )
    np.testing.assert_array_equal(np.diag(clf.cost_matrix_), 0)


def test_class_costs_are_the_row_sums_of_the_cost_matrix(imbalanced_multiclass):
    # "balanced" is the cost vector n / (K n_k): the same matrix and class
    # costs as that vector given by hand, the row sums (K - 1) n / (K n_k)
    X, y = imbalanced_multiclass
    n_classes = np.unique(y).size
    balanced = ThresholdMovingClassifier(LogisticRegression()).fit(X, y)
    costs = y.size / (n_classes * np.bincount(y))
    by_vector = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=costs)
    by_vector.fit(X, y)
    np.testing.assert_allclose(balanced.cost_matrix_, by_vector.cost_matrix_)
    np.testing.assert_allclose(balanced.class_costs_, by_vector.class_costs_)
    np.testing.assert_allclose(balanced.class_costs_, balanced.cost_matrix_.sum(axis=1))
    np.testing.assert_allclose(balanced.class_costs_, (n_classes - 1) * costs)


def test_costs_by_label_are_read_in_the_order_of_classes(imbalanced_multiclass):
    # a Series or DataFrame labelled by the classes in another order was read
    # by position, giving each class another's cost; a dict failed in float()
    X, y = imbalanced_multiclass
    labels = np.array(["w", "x", "y", "z"], dtype=object)[y]
    costs = np.array([1.0, 2.0, 4.0, 8.0])
    matrix = costs[:, None] * (1 - np.eye(4)) + np.arange(16).reshape(4, 4) % 3
    np.fill_diagonal(matrix, 0)
    expected = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=matrix)
    expected.fit(X, labels)
    order = ["z", "x", "w", "y"]
    by_label = pd.Series(costs, index=["w", "x", "y", "z"])[order]
    frame = pd.DataFrame(
        matrix, index=["w", "x", "y", "z"], columns=["w", "x", "y", "z"]
    )
    for cost_matrix, result in (
        (by_label, costs[:, None] * (1 - np.eye(4))),
        (by_label.to_dict(), costs[:, None] * (1 - np.eye(4))),
        (frame.loc[order, order[::-1]], expected.cost_matrix_),
    ):
        clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
        np.testing.assert_array_equal(clf.fit(X, labels).cost_matrix_, result)
    with pytest.raises(ValueError, match="cost_matrix has no value for class 'z'"):
        clf.set_params(cost_matrix={"w": 1, "x": 1, "y": 1}).fit(X, labels)


def test_costs_indexed_by_some_of_the_classes_are_refused(imbalanced_multiclass):
    # such an index was read by position, giving classes the costs labelled
    # for others; an axis that holds the classes is read by label on its own
    X, y = imbalanced_multiclass
    y = y + 1
    matrix = 1 - np.eye(4)
    matrix[:, 0] = [0, 2, 3, 4]
    clf = ThresholdMovingClassifier(LogisticRegression())
    with pytest.raises(ValueError, match=r"indexed by \['4', '3'.*1 and '1'"):
        clf.set_params(cost_matrix=pd.Series([1, 2, 3, 4], index=list("4321"))).fit(
            X, y
        )
    with pytest.raises(ValueError, match=r"indexed by \[0\], which are not"):
        clf.set_params(cost_matrix=pd.DataFrame(matrix, index=[4, 3, 2, 0])).fit(X, y)
    with pytest.raises(ValueError, match="several values for class 4"):
        clf.set_params(
            cost_matrix=pd.Series([1, 2, 3, 4, 5], index=[1, 2, 3, 4, 4])
        ).fit(X, y)
    rows_labelled = pd.DataFrame(matrix[::-1], index=[4, 3, 2, 1])
    clf.set_params(cost_matrix=rows_labelled).fit(X, y)
    np.testing.assert_array_equal(clf.cost_matrix_, matrix)


def test_costs_of_boolean_classes_are_read_in_the_order_of_classes(
    imbalanced_multiclass,
):
    # pandas took the classes False and True for a boolean mask: a cost
    # vector or matrix, by position or labelled by the classes, shrank
    X, y = imbalanced_multiclass
    y = y == 0
    matrix = np.array([[0.0, 1.0], [3.0, 0.0]])
    labelled = pd.DataFrame(matrix[::-1, ::-1], index=[True, False], columns=[1, 0])
    for cost_matrix, expected in (
        (pd.Series([1.0, 3.0]), matrix),
        (pd.Series([3.0, 1.0], index=[True, False]), matrix),
        (pd.DataFrame(matrix), matrix),
        (labelled.set_axis([True, False], axis=1), matrix),
    ):
        clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
        np.testing.assert_array_equal(clf.fit(X, y).cost_matrix_, expected)


def test_cost_vector_equals_matrix_with_constant_rows(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    costs = np.array([1.0, 2.0, 4.0, 8.0])
    matrix = costs[:, None] * (1 - np.eye(4))
    by_vector = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=costs)
    by_matrix = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=matrix)
    np.testing.assert_allclose(
        by_vector.fit(X, y).predict_proba(X), by_matrix.fit(X, y).predict_proba(X)
    )


@pytest.mark.parametrize("costs", [(1.0, 1.0), (1.0, 9.0), (4.0, 1.0)])
def test_binary_costs_give_the_elkan_threshold(costs, imbalanced_binary):
    X, y = imbalanced_binary
    c01, c10 = costs  # cost of a false positive, of a false negative
    matrix = np.array([[0.0, c01], [c10, 0.0]])
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=matrix)
    clf.fit(X, y)
    p1 = clf.estimator_.predict_proba(X)[:, 1]
    expected = (p1 > c01 / (c01 + c10)).astype(int)
    np.testing.assert_array_equal(clf.predict(X), expected)


def test_expected_cost_decision_is_the_bayes_rule_of_a_general_cost_matrix(
    imbalanced_multiclass,
):
    # argmin_j sum_i p_i C[i, j], where the row sums of "rescale" differ
    X, y = imbalanced_multiclass
    costs = np.array(
        [
            [0.0, 1.0, 1.0, 9.0],
            [1.0, 0.0, 5.0, 1.0],
            [2.0, 2.0, 0.0, 2.0],
            [4.0, 1.0, 1.0, 0.0],
        ]
    )
    model = LogisticRegression().fit(X, y)
    exact = ThresholdMovingClassifier(
        FrozenEstimator(model), cost_matrix=costs, decision="expected_cost"
    ).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_array_equal(exact.predict(X), (proba @ costs).argmin(axis=1))
    np.testing.assert_allclose(exact.predict_proba(X), proba)
    rescaled = ThresholdMovingClassifier(FrozenEstimator(model), cost_matrix=costs)
    assert np.any(rescaled.fit(X, y).predict(X) != exact.predict(X))


@pytest.mark.parametrize(
    "target, cost_matrix",
    [
        ("binary", "balanced"),
        ("multiclass", "balanced"),
        ("binary", "vector"),
        ("multiclass", "vector"),
        ("binary", [[0.0, 1.0], [6.0, 0.0]]),
    ],
)
def test_expected_cost_decision_equals_rescaling_for_class_costs(
    target, cost_matrix, imbalanced_binary, imbalanced_multiclass
):
    X, y = imbalanced_binary if target == "binary" else imbalanced_multiclass
    if cost_matrix == "vector":
        cost_matrix = np.arange(1.0, np.unique(y).size + 1)
    model = LogisticRegression().fit(X, y)
    rules = [
        ThresholdMovingClassifier(
            FrozenEstimator(model), cost_matrix=cost_matrix, decision=decision
        ).fit(X, y)
        for decision in ("rescale", "expected_cost")
    ]
    np.testing.assert_array_equal(rules[0].predict(X), rules[1].predict(X))


@pytest.mark.parametrize(
    "cost_matrix, match",
    [
        (np.ones(3), r"shape \(3,\)"),
        (np.ones((2, 3)), r"shape \(2, 3\)"),
        (-np.ones(4), "non-negative"),
        (np.array([1.0, np.nan, 1.0, 1.0]), "finite"),
        (np.array([1.0, np.inf, 1.0, 1.0]), "finite"),
        (np.ones((4, 4)), "zero diagonal"),
        (np.array([1.0, 0.0, 1.0, 1.0]), "Class 1 has zero misclassification cost"),
        (np.array([1.0, 0.0, 1.0, 0.0]), "Class 1 has zero misclassification cost"),
    ],
)
def test_invalid_cost_matrix_is_refused(cost_matrix, match, imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "cost_matrix",
    [np.array([1, 1 + 5j, 1, 1]), [1, 1, 2 + 1j, 1], {0: 1, 1: 1, 2: 1, 3: 1j}],
)
def test_complex_cost_matrix_is_refused(cost_matrix, imbalanced_multiclass):
    # NumPy's cast to float dropped the imaginary part (a cost 1 + 5j counted
    # as 1) with only a ComplexWarning; Python complex numbers failed in float()
    X, y = imbalanced_multiclass
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
    with pytest.raises(ValueError, match="^cost_matrix must hold real numbers"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "cost_matrix, error",
    [
        ([[0, 1, 1, 1], [1, 0, 1], [1, 1, 0, 1], [1, 1, 1, 0]], ValueError),
        ([1, "one", 1, 1], ValueError),
        ({k: {j: float(k != j) for j in range(4)} for k in range(4)}, TypeError),
    ],
)
def test_cost_matrix_of_no_numbers_is_refused_by_name(
    cost_matrix, error, imbalanced_multiclass
):
    # Rows of different lengths, a word or a dict of rows failed with
    # NumPy's message alone ("setting an array element with a sequence",
    # "float() argument must be ... not 'dict'"), which named no parameter
    X, y = imbalanced_multiclass
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
    with pytest.raises(error, match="^cost_matrix must hold numbers: "):
        clf.fit(X, y)


def test_class_costs_beyond_the_largest_float(imbalanced_multiclass):
    # Row sums that overflow gave rows of NaN with "rescale" (log(inf)) and
    # a RuntimeWarning with "expected_cost", whose decision stays finite.
    X, y = imbalanced_multiclass
    costs = 1.0 - np.eye(4)
    costs[1, 2:] = 1e308
    rescale = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=costs)
    with pytest.raises(ValueError, match='class 1 in cost_matrix sum to more.*"expe'):
        rescale.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        expected = clone(rescale).set_params(decision="expected_cost").fit(X, y)
        pred = expected.predict(X)
    proba = expected.estimator_.predict_proba(X)
    np.testing.assert_array_equal(pred, np.argmin(proba @ costs, axis=1))


def test_rescale_set_after_the_fit_refuses_infinite_class_costs(
    imbalanced_multiclass,
):
    # decision is read at prediction: "rescale" set after an "expected_cost"
    # fit of costs that the "rescale" fit refuses gave rows of NaN
    X, y = imbalanced_multiclass
    costs = 1.0 - np.eye(4)
    costs[1, 2:] = 1e308
    clf = ThresholdMovingClassifier(
        LogisticRegression(), cost_matrix=costs, decision="expected_cost"
    ).fit(X, y)
    clf.set_params(decision="rescale")
    match = 'class 1 in cost_matrix sum to more.*"expected_cost"'
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        with pytest.raises(ValueError, match=match):
            getattr(clf, method)(X)
    with pytest.raises(ValueError, match=match):
        clf.predict(X)
    clf.set_params(decision="expected_cost")
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))


def test_expected_cost_decision_function_is_the_documented_score(
    imbalanced_binary, imbalanced_multiclass
):
    # Binary: p_1 C[1, 0] - p_0 C[0, 1], positive exactly where classes_[1]
    # is predicted; multiclass: -(p @ C), half the largest float at most.
    X, y = imbalanced_binary
    costs = np.array([[0.0, 1.0], [4.0, 0.0]])
    clf = ThresholdMovingClassifier(
        LogisticRegression(), cost_matrix=costs, decision="expected_cost"
    ).fit(X, y)
    proba = clf.estimator_.predict_proba(X)
    scores = clf.decision_function(X)
    np.testing.assert_allclose(scores, 4.0 * proba[:, 1] - proba[:, 0])
    np.testing.assert_array_equal(scores > 0, clf.predict(X) == clf.classes_[1])

    X, y = imbalanced_multiclass
    costs = 1.0 - np.eye(4)
    costs[:3, 3] = 1.5e308  # expected costs of class 3 beyond half the maximum
    clf = clone(clf).set_params(cost_matrix=costs).fit(X, y)
    proba = clf.estimator_.predict_proba(X)
    bound = np.finfo(float).max / 2
    scores = clf.decision_function(X)
    assert np.any(scores[:, 3] == -bound)
    np.testing.assert_allclose(scores, np.maximum(-(proba @ costs), -bound), rtol=1e-12)


def test_cost_matrix_of_the_caller_is_not_modified(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    costs = np.arange(1.0, 5.0)
    copy = costs.copy()
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=costs).fit(X, y)
    clf.cost_matrix_ *= 2
    np.testing.assert_array_equal(costs, copy)


def test_frozen_estimator_is_not_refitted(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    model = LogisticRegression().fit(X[:200], y[:200])
    coef = model.coef_.copy()
    clf = ThresholdMovingClassifier(FrozenEstimator(model)).fit(X[200:], y[200:])
    assert clf.estimator_.estimator is model
    np.testing.assert_array_equal(model.coef_, coef)
    prior = np.bincount(y[200:]) / y[200:].size
    expected = model.predict_proba(X) / prior
    np.testing.assert_array_equal(
        clf.predict(X), model.classes_[expected.argmax(axis=1)]
    )
    assert clf.n_features_in_ == X.shape[1]


@pytest.mark.parametrize(
    "rule", [ThresholdMovingClassifier, LogitAdjustedClassifier, PluginClassifier]
)
def test_frozen_pipeline_that_selects_its_columns(rule, imbalanced_binary):
    # the model's own predict decides which columns it takes, as in
    # CalibratedClassifierCV and FixedThresholdClassifier
    X, y = imbalanced_binary
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    select = ColumnTransformer([("keep", "passthrough", ["x0", "x1"])])
    model = make_pipeline(select, LogisticRegression()).fit(frame, y)
    wider = frame.assign(extra=0.0)[["extra", *frame.columns[::-1]]]
    clf = rule(FrozenEstimator(model)).fit(wider, y)
    expected = rule(FrozenEstimator(model)).fit(frame, y).predict_proba(frame)
    np.testing.assert_array_equal(clf.predict_proba(wider), expected)


@pytest.mark.parametrize(
    "rule",
    [
        ThresholdMovingClassifier,
        partial(ThresholdMovingClassifier, decision="expected_cost"),
        LogitAdjustedClassifier,
        PluginClassifier,
    ],
)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_frozen_model_refitted_on_other_labels_is_refused_by_name(rule, method):
    # a loop that retrains the model in place after the rule's fit: with the
    # same number of classes its columns were read as the old labels
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    y = np.repeat(["ant", "bee"], [60, 30])
    model = LogisticRegression().fit(X, y)
    clf = rule(FrozenEstimator(model)).fit(X, y)
    expected = getattr(clf, method)(X)
    model.fit(X, np.where(y == "bee", "cat", y))
    with pytest.raises(
        ValueError,
        match=r"classes_ of the estimator are now \['ant', 'cat'\], not the "
        r"\['ant', 'bee'\] of this fit: the model was fitted again since",
    ):
        getattr(clf, method)(X)
    model.fit(X, y)  # the same classes again: the rule reads it as before
    np.testing.assert_array_equal(getattr(clf, method)(X), expected)


@pytest.mark.parametrize(
    "rule",
    [
        partial(ThresholdMovingClassifier, cost_matrix=[1, 1]),
        partial(LogitAdjustedClassifier, tau=0.0),
    ],
)
def test_frozen_model_unfitted_since_says_it_is_not_fitted(rule):
    # a failed refit in place leaves an ltlearn model without classes_: its
    # own predict_proba says so, not an AttributeError of the classes check
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    y = np.repeat(["ant", "bee"], [60, 30])
    model = PluginClassifier(LogisticRegression()).fit(X, y)
    clf = rule(FrozenEstimator(model)).fit(X, y)
    with pytest.raises(ValueError, match="1 class"):
        model.fit(X, np.full(90, "ant"))
    with pytest.raises(NotFittedError, match="PluginClassifier instance is not"):
        clf.predict(X)


def test_clone_keeps_the_parameters():
    clf = ThresholdMovingClassifier(LogisticRegression(C=0.5), cost_matrix=[1, 2])
    params = clone(clf).get_params()
    assert params["estimator__C"] == 0.5
    assert params["cost_matrix"] == [1, 2]


class _KnnLikeProba(ClassifierMixin, BaseEstimator):
    """A model whose every row of probabilities is that of a 5-neighbour vote."""

    def fit(self, X, y):
        self.classes_ = np.arange(4)
        return self

    def predict_proba(self, X):
        return np.tile([0.2, 0.2, 0.2, 0.4], (len(X), 1))


class _GivenProba(ClassifierMixin, BaseEstimator):
    """A model of 3 classes whose ``predict_proba`` returns ``proba``."""

    def __init__(self, proba=None):
        self.proba = proba

    def fit(self, X, y):
        self.classes_ = np.arange(3)
        return self

    def predict_proba(self, X):
        return np.asarray(self.proba, dtype=float)


def test_expected_cost_mends_the_probabilities_as_rescale_does():
    # A row of zeros is uniform and a rounding below zero is zero; a
    # probability further below zero is refused.
    y = np.repeat(np.arange(3), 10)
    X = np.zeros((y.size, 1))
    costs = np.array([[0.0, 1.0, 1.0], [5.0, 0.0, 1.0], [5.0, 1.0, 0.0]])
    proba = np.array([[0.0, 0.0, 0.0], [0.6, 0.4 + 1e-17, -1e-17]])
    given = proba.copy()
    model = FrozenEstimator(_GivenProba(proba).fit(X, y))
    clf = ThresholdMovingClassifier(
        model, cost_matrix=costs, decision="expected_cost"
    ).fit(X, y)
    mended = np.array([[1 / 3, 1 / 3, 1 / 3], [0.6, 0.4 + 1e-17, 0.0]])
    np.testing.assert_array_equal(clf.predict(X[:2]), np.argmin(mended @ costs, axis=1))
    # mended in a copy: the array the model returned (its own) is left as it is
    np.testing.assert_array_equal(proba, given)
    model = FrozenEstimator(_GivenProba([[1.5, 0.0, -0.5]]).fit(X, y))
    with pytest.raises(ValueError, match="must not be negative"):
        clone(clf).set_params(estimator=model).fit(X, y).predict(X[:1])


def test_predict_is_argmax_of_proba_on_a_tie_of_rescaled_probabilities():
    # The balanced costs 1.75, 0.39, 3.5, 1.75 tie classes 2 and 3 (0.2 * 3.5
    # == 0.4 * 1.75): log space put class 3 an ulp above class 2, whose
    # probabilities are equal floats, so predict gave 3 and the argmax of
    # predict_proba 2. (Whether the two probabilities come out as equal floats
    # depends on NumPy's exp, so the test asserts only the promise.)
    y = np.repeat(np.arange(4), [20, 90, 10, 20])
    X = np.zeros((y.size, 1))
    model = FrozenEstimator(_KnnLikeProba().fit(X, y))
    clf = ThresholdMovingClassifier(model).fit(X, y)
    argmax = clf.predict_proba(X[:1]).argmax(axis=1).tolist()
    assert argmax == [2]
    assert clf.predict(X[:1]).tolist() == argmax
    assert clf.predict_log_proba(X[:1]).argmax(axis=1).tolist() == argmax


class _VoteProba(ClassifierMixin, BaseEstimator):
    """A binary model whose probability of class 1 is the first feature."""

    def fit(self, X, y):
        self.classes_ = np.arange(2)
        return self

    def predict_proba(self, X):
        return np.column_stack([1 - X[:, 0], X[:, 0]])

    def decision_function(self, X):  # so that the rules have one too
        return X[:, 0] - 0.5


@pytest.mark.parametrize(
    "costs", [[[0, 1], [4, 0]], [[0, 1], [3, 0]], [[0, 2], [3, 0]]]
)
def test_a_probability_at_the_threshold_is_a_tie(costs):
    # votes of 4 or 5 neighbours: p_1(x) = 0.2, 0.25 or 0.4 is the threshold
    # C[0, 1] / (C[0, 1] + C[1, 0]) of the Notes, p_1(x) > threshold, and a
    # tie of w_0 p_0 and w_1 p_1; rounding in log space predicted class 1
    # there for the last two costs, class 0 for the first
    votes = np.array([0.0, 0.2, 0.25, 0.4, 0.6, 0.75, 0.8, 1.0])
    X, y = np.tile(votes, 25)[:, None], np.repeat([0, 1], [160, 40])
    model = FrozenEstimator(_VoteProba().fit(X, y))
    threshold = costs[0][1] / (costs[0][1] + costs[1][0])
    clf = ThresholdMovingClassifier(model, cost_matrix=costs).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), (X[:, 0] > threshold).astype(int))
    # the balanced costs, 1 / prior with prior 0.8 and 0.2: the rule of
    # logit adjustment with tau=1 and of the balanced-accuracy plug-in rule
    balanced = ThresholdMovingClassifier(model).fit(X, y).predict(X)
    np.testing.assert_array_equal(balanced, (X[:, 0] > 0.2).astype(int))
    adjusted = LogitAdjustedClassifier(model).fit(X, y).predict(X)
    np.testing.assert_array_equal(balanced, adjusted)
    np.testing.assert_array_equal(
        balanced, PluginClassifier(model).fit(X, y).predict(X)
    )


@pytest.mark.parametrize(
    "costs", [[[0, 2], [3, 0]], [[0, 3], [7, 0]], [[0, 5], [2, 0]]]
)
def test_an_expected_cost_tie_predicts_the_first_class(costs):
    # p_1(x) at the threshold: 0.4 * 3 and 0.6 * 2 ended an ulp apart, so
    # that "expected_cost" predicted class 1 where "rescale" predicts class 0
    votes = np.array([0.0, 0.3, 0.4, 5 / 7, 0.8, 1.0])
    X, y = np.tile(votes, 10)[:, None], np.tile([0, 1], 30)
    model = FrozenEstimator(_VoteProba().fit(X, y))
    threshold = costs[0][1] / (costs[0][1] + costs[1][0])
    clf = ThresholdMovingClassifier(model, cost_matrix=costs, decision="expected_cost")
    pred = clf.fit(X, y).predict(X)
    np.testing.assert_array_equal(pred, (X[:, 0] > threshold).astype(int))
    np.testing.assert_array_equal((clf.decision_function(X) > 0).astype(int), pred)


@pytest.mark.parametrize(
    "cost_matrix", [[[1.0, 2.0], [100.0, 5.0]], [[0.0, 1.0], [100.0, -50.0]]]
)
def test_cost_matrix_diagonal_refusal_says_how_to_shift_it(
    cost_matrix, imbalanced_binary
):
    # A cost or a gain on a correct decision was refused without saying what
    # to do, and a gain (a negative diagonal) as "cost_matrix must hold
    # finite, non-negative costs"; the row-shifted matrix decides the same
    X, y = imbalanced_binary
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
    with pytest.raises(ValueError, match=r"zero diagonal.*subtract from each row"):
        clf.fit(X, y)
    costs = np.asarray(cost_matrix)
    shifted = clf.set_params(cost_matrix=costs - np.diag(costs)[:, None]).fit(X, y)
    proba = shifted.estimator_.predict_proba(X)
    expected_cost = proba @ costs  # argmin_j sum_i p_i C[i, j], unshifted
    np.testing.assert_array_equal(shifted.predict(X), expected_cost.argmin(axis=1))


@pytest.mark.parametrize(
    "cost_matrix, where",
    [
        ([1.0, np.inf, 2.0], "inf for class 'b'"),
        ([1.0, 2.0, -1.0], "-1 for class 'c'"),
        (
            [[0, 1, np.nan], [1, 0, 1], [1, 1, 0]],
            "nan for true class 'a' predicted as 'c'",
        ),
        ([[0, 1, 1], [1, 0, -2], [1, 1, 0]], "-2 for true class 'b' predicted as 'c'"),
    ],
)
def test_cost_matrix_refusal_names_the_cost_and_its_classes(cost_matrix, where):
    # The refusal did not say which cost: the ratio of two value_counts()
    # Series, one of them missing a class, was NaN there without a word.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = np.array(["a", "b", "c"])[np.arange(60) % 3]
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=cost_matrix)
    with pytest.raises(ValueError, match=rf"non-negative costs; got {where}\."):
        clf.fit(X, y)
    deployed = pd.Series(["a", "b", "b"]).value_counts(normalize=True)
    trained = pd.Series(y).value_counts(normalize=True)
    clf.set_params(cost_matrix=deployed / trained)  # NaN for class "c"
    with pytest.raises(ValueError, match=r"got nan for class 'c'\."):
        clf.fit(X, y)


@pytest.mark.parametrize("labelled", ["index", "columns"])
def test_cost_frame_labelled_on_one_axis_names_the_other(labelled):
    # A DataFrame of ordered classes ("low" < "medium" < "high", sorted as
    # "high", "low", "medium") labelled on one axis only was read by label
    # there and by position on the other, and refused with the advice to
    # subtract its diagonal, which would have kept the misread costs
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    order = ["low", "medium", "high"]
    y = np.array(order)[np.arange(90) % 3]
    distance = np.abs(np.subtract.outer(np.arange(3), np.arange(3)))
    frame = pd.DataFrame(distance, **{labelled: order})
    other = "columns" if labelled == "index" else "index"
    clf = ThresholdMovingClassifier(LogisticRegression(), cost_matrix=frame)
    with pytest.raises(ValueError, match=rf"zero diagonal.*label its {other} by"):
        clf.fit(X, y)
    labelled_both = pd.DataFrame(distance, index=order, columns=order)
    rank = {"high": 2, "low": 0, "medium": 1}  # classes_ is sorted
    expected = [[abs(rank[a] - rank[b]) for b in sorted(order)] for a in sorted(order)]
    clf.set_params(cost_matrix=labelled_both).fit(X, y)
    np.testing.assert_array_equal(clf.cost_matrix_, expected)
    # a labelled axis in the order of classes_ reads as by position: a
    # non-zero diagonal is the one given, shifted as before
    given = pd.DataFrame(distance + 1, **{labelled: sorted(order)})
    with pytest.raises(ValueError, match=r"zero diagonal.*subtract from each row"):
        clf.set_params(cost_matrix=given).fit(X, y)


def test_cost_matrix_shape_refusal_names_the_classes():
    # Integer grades with one missing (0, 1, 2, 4): a distance matrix of the
    # five grades was refused without naming the four classes
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2))
    y = np.array([0, 1, 2, 4])[np.arange(80) % 4]
    grades = np.arange(5)
    clf = ThresholdMovingClassifier(
        LogisticRegression(), cost_matrix=np.abs(np.subtract.outer(grades, grades))
    )
    with pytest.raises(ValueError, match=r"with 4 classes, \[0, 1, 2, 4\], it must"):
        clf.fit(X, y)
