"""The recommended classifier: the default answer for imbalanced tabular data."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause


def recommended_classifier(random_state=None, scoring="balanced_accuracy"):
    """Build the unfitted classifier behind the ``recommended`` recipe.

    A random forest and a logistic regression are fitted on the natural class
    distribution; their class probabilities are averaged and divided by the
    class prior (post-hoc logit adjustment with ``tau=1``), which is the
    Bayes rule for the balanced error on calibrated probabilities.

    The features are expected to be numeric and scaled (the preprocessing of
    a recipe is fitted before this step).

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seeds the random forest and the logistic regression.

    scoring : str, default="balanced_accuracy"
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
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression

    from ltlearn.post_hoc import LogitAdjustedClassifier, PluginClassifier

    ensemble = VotingClassifier(
        [
            ("rf", RandomForestClassifier(n_estimators=100, random_state=random_state)),
            ("lr", LogisticRegression(max_iter=1000, random_state=random_state)),
        ],
        voting="soft",
    )
    if scoring == "balanced_accuracy":
        return LogitAdjustedClassifier(ensemble, tau=1.0)
    return PluginClassifier(ensemble, scoring=scoring, cv=3)
