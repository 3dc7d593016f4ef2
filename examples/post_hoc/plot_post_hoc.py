"""
=======================================================
Moving the decision of a trained classifier
=======================================================

A logistic regression trained on long-tailed digits (imbalance ratio 50)
predicts the head digits too often. The post-hoc estimators of
:mod:`ltlearn.post_hoc` keep its training and change only the decision:
threshold-moving with balanced costs, logit adjustment, and the plug-in rule
for the balanced accuracy. They are compared with class weights, which change
the training instead.

The two rarest digits have 3 and 2 training rows, so the plug-in rule, which
learns its class weights on out-of-fold probabilities, uses 2 folds.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ltlearn.datasets import load_digits_lt
from ltlearn.post_hoc import (
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)

X_train, X_test, y_train, y_test = load_digits_lt(
    imbalance_ratio=50, random_state=0, return_X_y=True
)
print("training rows per digit:", np.bincount(y_train).tolist())


def base(**params):
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, **params))


models = {
    "plain": base(),
    "class weights": base(class_weight="balanced"),
    "threshold-moving": ThresholdMovingClassifier(base()),
    "logit adjustment": LogitAdjustedClassifier(base()),
    "plug-in": PluginClassifier(base(), cv=2),
}
scores, recalls = {}, {}
for name, model in models.items():
    y_pred = model.fit(X_train, y_train).predict(X_test)
    scores[name] = balanced_accuracy_score(y_test, y_pred)
    recalls[name] = recall_score(y_test, y_pred, average=None)
    print(f"{name:>16}: balanced accuracy {scores[name]:.3f}")

# %%
# Balanced accuracy, and the recall of each digit (0 is the head class).
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.barh(list(scores), list(scores.values()))
left.set_xlim(min(scores.values()) - 0.05, 1)
left.invert_yaxis()
left.set_xlabel("balanced accuracy")
for name, recall in recalls.items():
    right.plot(np.arange(10), recall, marker="o", ms=3, label=name)
right.set_xticks(range(10))
right.set_xlabel("digit (training rows decrease to the right)")
right.set_ylabel("test recall")
right.legend(fontsize=8)
fig.tight_layout()

# %%
# The adjusted probabilities still sum to one, and ``predict`` is their argmax.
proba = models["logit adjustment"].predict_proba(X_test[:3])
print(
    proba.sum(axis=1),
    proba.argmax(axis=1),
    models["logit adjustment"].predict(X_test[:3]),
)
plt.show()
