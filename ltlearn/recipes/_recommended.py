"""The recommended classifier: the default answer for imbalanced tabular data."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause


def recommended_classifier(random_state=None, scoring="balanced_accuracy"):
    """Build the unfitted classifier behind the ``recommended`` recipe.

    A :class:`~ltlearn.ensemble.PluginEnsembleClassifier` with its default
    models: a random forest, bootstrapped extra trees and a logistic
    regression, fitted on the natural class distribution, whose averaged
    class probabilities are reweighted halfway (on the log scale) between the
    inverse class prior, the Bayes rule for the balanced error on calibrated
    probabilities, and the weights that maximise ``scoring`` on out-of-bag
    and cross-fitted probabilities of the training rows.

    The features are expected to be numeric and scaled (the preprocessing of
    a recipe is fitted before this step).

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seeds the models and the cross-fitting folds.

    scoring : {"balanced_accuracy", "geometric_mean", "f1", "f1_macro"}, \
            default="balanced_accuracy"
        The metric the decision rule targets.

    Returns
    -------
    classifier : estimator object
        An unfitted classifier.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.recipes._recommended import recommended_classifier
    >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    >>> clf = recommended_classifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """
    from ltlearn.ensemble import PluginEnsembleClassifier

    return PluginEnsembleClassifier(scoring=scoring, random_state=random_state)
