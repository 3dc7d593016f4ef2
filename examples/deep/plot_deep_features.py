"""
=====================================================
Network features for a classical long-tail classifier
=====================================================

:meth:`~ltlearn.deep.LongTailClassifier.transform` returns the penultimate
layer of a trained network, so that the network can be the first step of a
pipeline. Here an MLP trained with plain cross-entropy on long-tailed digits
(imbalance ratio 50) feeds a logistic regression wrapped in a
:class:`~ltlearn.post_hoc.PluginClassifier`, which chooses per-class weights
of its probabilities for the balanced accuracy on out-of-fold probabilities.
Needs the ``deep`` extra.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
import torch
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.preprocessing import StandardScaler

from ltlearn.datasets import load_digits_lt
from ltlearn.deep import LongTailClassifier
from ltlearn.post_hoc import PluginClassifier

torch.set_num_threads(1)
X_train, X_test, y_train, y_test = load_digits_lt(
    imbalance_ratio=50, random_state=0, return_X_y=True
)
print("training rows per digit:", np.bincount(y_train).tolist())


def network():
    return LongTailClassifier(
        module__hidden_sizes=(64,), max_epochs=30, batch_size=64, random_state=0
    )


# %%
# The network alone, and the network's 64 features fed to the plug-in rule.
models = {
    "network": Pipeline([("scale", StandardScaler()), ("net", network())]),
    "network features + plug-in": Pipeline(
        [
            ("scale", StandardScaler()),
            ("net", network()),
            (
                "plugin",
                PluginClassifier(
                    LogisticRegression(max_iter=1000),
                    scoring="balanced_accuracy",
                    cv=2,
                ),
            ),
        ]
    ),
}
scores, recalls = {}, {}
for name, model in models.items():
    y_pred = model.fit(X_train, y_train).predict(X_test)
    scores[name] = balanced_accuracy_score(y_test, y_pred)
    recalls[name] = recall_score(y_test, y_pred, average=None)
    print(f"{name:>26}: balanced accuracy {scores[name]:.3f}")

net = models["network features + plug-in"].named_steps["net"]
print("features:", net.get_feature_names_out()[:3], "...")

# %%
# The recall of each digit, side by side: the logistic regression on the
# network's features, with the plug-in rule's class weights, raises the recall
# of the tail digits 7 to 9, which the network alone mostly misses.
fig, ax = plt.subplots(figsize=(7, 3.5))
width = 0.4
for offset, (name, recall) in zip((-width / 2, width / 2), recalls.items()):
    ax.bar(np.arange(10) + offset, recall, width, label=f"{name} ({scores[name]:.2f})")
ax.set_xticks(range(10))
ax.set_xlabel("digit (training rows decrease to the right)")
ax.set_ylabel("test recall")
ax.legend(title="model (balanced accuracy)", fontsize=8, loc="lower left")
fig.tight_layout()
plt.show()
