"""Fast instances of every public estimator for the common harness."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.linear_model import LogisticRegression

from ltlearn.utils.discovery import all_estimators

# Constructor arguments suitable for the test suite, which uses small data and
# must run quickly. Keyed by class name so that ``ltlearn.deep`` (an optional
# extra) is referenced without being imported. One entry per estimator.
INIT_PARAMS = {
    "SMOTE": dict(random_state=0),
    # the last column categorical: scikit-learn's checks put NaN and infinity
    # in column 0, which SMOTENC must refuse in a continuous column
    "SMOTENC": dict(categorical_features=[-1], random_state=0),
    "SMOTEN": dict(random_state=0),
    "COGClassifier": dict(
        n_clusters=3, oversample="replicate", split_cv=3, random_state=0
    ),
    "CReSTClassifier": dict(estimator=LogisticRegression(), max_iter=2),
    "ThresholdMovingClassifier": dict(estimator=LogisticRegression()),
    "LogitAdjustedClassifier": dict(estimator=LogisticRegression()),
    "PluginClassifier": dict(estimator=LogisticRegression(), cv=3),
    "PluginEnsembleClassifier": dict(estimators=[("lr", LogisticRegression())], cv=3),
    "LongTailClassifier": dict(max_epochs=20, batch_size=32, lr=0.02, random_state=0),
}

# Checks known to fail, with the reason, per class name. An entry is written
# once here, never as a skip inside a test.
EXPECTED_FAILED_CHECKS = {
    "SMOTENC": {
        "check_samplers_string": (
            "the check's data is a single string column; SMOTE-NC needs a numeric "
            "column and says to use SMOTEN (tests/over_sampling/test_smotenc.py)."
        ),
    },
    "LongTailClassifier": {
        "check_no_attributes_set_in_init": (
            "skorch's NeuralNet.__init__ sets history_, initialized_ and "
            "virtual_params_ (its warm-start and virtual-parameter bookkeeping); "
            "LongTailClassifier subclasses NeuralNetClassifier and inherits it."
        ),
        "check_sample_weight_equivalence_to_repeats": (
            "Minibatch SGD: the repeated rows make more, and other, batches per "
            "epoch than the weighted rows, so the two fits agree only in "
            "expectation (91% of the predictions with the fast parameters). The "
            "weighted loss equals the loss on repeated rows step for step with "
            "full-batch gradient descent, tested per criterion in tests/deep."
        ),
        "check_sample_weight_equivalence_on_dense_data": (
            "Training runs in float32 over shuffled mini-batches: the weighted "
            "fit matches the fit on repeated rows to float32 rounding (relative "
            "differences of about 1e-6), above the check's float64 tolerance. "
            "The exact equivalence on a full batch is tested for every loss in "
            "tests/deep/test_net.py."
        ),
    },
    "PluginEnsembleClassifier": {
        "check_sample_weight_equivalence_to_repeats": (
            "The tuned half of the rule is learned on cross-fitted probabilities: "
            "folds drawn over repeated rows put copies of a row on both sides of "
            "a split, so the held-out probabilities, and the weights tuned on "
            "them, differ from the weighted fit's (10% of the probabilities "
            "differ by more than 0.05 on the check's data). With refinement=0 "
            "the rule is exactly that of the repeated rows, tested in "
            "tests/ensemble/test_plugin_ensemble.py."
        ),
    },
    "CReSTClassifier": {
        "check_classifiers_classes": (
            "-1 marks unlabelled rows (scikit-learn's semi-supervised convention) "
            "and the check fits labels {-1, 1}; scikit-learn spares its own "
            "semi-supervised estimators by name (_choose_check_classifiers_labels)."
            " String labels are tested in tests/semi_supervised/test_crest.py."
        ),
    },
}


def _tested_estimators():
    """Yield one instance of each public estimator with fast parameters."""
    for name, cls in all_estimators():
        yield cls(**INIT_PARAMS.get(name, {}))


def _expected_failed_checks(estimator):
    """The checks ``estimator`` is known to fail, mapped to the reason."""
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})
