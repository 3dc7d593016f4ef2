"""
======================================================
Self-training on long-tailed data: CReST and CReST+
======================================================

Long-tailed digits (imbalance ratio 50) with 70% of the training labels
hidden. Plain self-training (scikit-learn's
:class:`~sklearn.semi_supervised.SelfTrainingClassifier`) adds confident
predictions as pseudo-labels, which favour the frequent digits.
:class:`~ltlearn.semi_supervised.CReSTClassifier` keeps a larger share of the
predictions of the rare digits, and CReST+ also aligns the predicted class
distribution. All of them wrap the same logistic regression and are scored on a
balanced test set, averaged over five draws of the data, since with one or two
labelled images of the rarest digits a single draw is noisy.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.semi_supervised import SelfTrainingClassifier

from ltlearn.datasets import load_digits_lt
from ltlearn.semi_supervised import CReSTClassifier


def hide_labels(y, fraction_kept, rng):
    """Keep ``fraction_kept`` of the labels of each class (at least one)."""
    y = y.copy()
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        y[rows[max(1, round(fraction_kept * rows.size)) :]] = -1
    return y


base = LogisticRegression(max_iter=2000)
models = {
    "labelled rows only": base,
    "self-training": SelfTrainingClassifier(base),
    "CReST": CReSTClassifier(base),
    "CReST+": CReSTClassifier(base, distribution_alignment=True),
}
scores = {name: [] for name in models}
recalls = {name: [] for name in models}
for seed in range(5):
    data = load_digits_lt(imbalance_ratio=50, random_state=seed)
    y = hide_labels(data.y_train, 0.3, np.random.RandomState(seed))
    for name, model in models.items():
        if name == "labelled rows only":
            model.fit(data.X_train[y >= 0], y[y >= 0])
        else:
            model.fit(data.X_train, y)  # unlabelled rows carry -1
        y_pred = model.predict(data.X_test)
        scores[name].append(balanced_accuracy_score(data.y_test, y_pred))
        recalls[name].append(recall_score(data.y_test, y_pred, average=None))

print("labelled rows per digit:", np.bincount(y[y >= 0], minlength=10).tolist())
for name, values in scores.items():
    print(f"{name:>18}: balanced accuracy {np.mean(values):.3f} ± {np.std(values):.3f}")

# %%
# The per-digit recall, averaged over the draws: digit 0 is the head class,
# digit 9 the tail.
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, recall in recalls.items():
    ax.plot(np.arange(10), np.mean(recall, axis=0), marker="o", ms=4, label=name)
ax.set_xticks(range(10))
ax.set_xlabel("digit (training rows decrease to the right)")
ax.set_ylabel("test recall")
ax.legend()
fig.tight_layout()

# %%
# How many pseudo-labels CReST+ took for each digit in each generation of the
# last draw (generation 0 fits the labelled rows only), and the share of the
# rows predicted as each digit that it keeps: 0.30 for digits 0 and 1, more
# for rarer ones. A class alone at the bottom of the ranking would keep every
# row predicted as it; here digits 8 and 9 both have one labelled row, share a
# rank and keep 0.87.
print(models["CReST+"].pseudo_label_counts_)
print(models["CReST+"].sampling_rates_.round(2))
plt.show()
