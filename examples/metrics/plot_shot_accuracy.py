"""
===========================================
Many-, medium- and few-shot accuracy
===========================================

On a long tail, the accuracy is dominated by the head classes. The shot
accuracies of :func:`~ltlearn.metrics.shot_accuracy` and the per-class
:func:`~ltlearn.metrics.imbalance_report` show where a classifier fails. Here a
logistic regression is trained on a synthetic 30-class long tail, with and
without class weights, and evaluated on a balanced test set.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from ltlearn.datasets import make_long_tailed_classification
from ltlearn.metrics import imbalance_report, shot_accuracy

data = make_long_tailed_classification(
    n_classes=30, imbalance_ratio=50, n_max=200, random_state=0
)
print(f"training class sizes: {data.class_counts[0]} to {data.class_counts[-1]}")

models = {
    "plain": LogisticRegression(max_iter=2000),
    "class weights": LogisticRegression(max_iter=2000, class_weight="balanced"),
}
recalls, shots = {}, {}
for name, model in models.items():
    y_pred = model.fit(data.X_train, data.y_train).predict(data.X_test)
    report = imbalance_report(
        data.y_test, y_pred, y_train=data.y_train, output_dict=True
    )
    recalls[name] = [report["classes"][c]["recall"] for c in data.classes]
    shots[name] = shot_accuracy(data.y_test, y_pred, y_train=data.y_train)
    print(
        f"{name:>13}: accuracy {accuracy_score(data.y_test, y_pred):.3f}, "
        f"balanced accuracy {balanced_accuracy_score(data.y_test, y_pred):.3f}, "
        + ", ".join(f"{k} {v:.3f}" for k, v in shots[name].items())
    )

# %%
# Per-class recall against training size, and the three shot groups.
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
for name, recall in recalls.items():
    left.plot(data.class_counts, recall, "o", ms=4, label=name)
left.set_xscale("log")
left.set_xlabel("training rows of the class")
left.set_ylabel("test recall")
left.legend()
groups = ["many", "medium", "few"]
width = 0.38
for i, (name, scores) in enumerate(shots.items()):
    right.bar(np.arange(3) + i * width, [scores[g] for g in groups], width, label=name)
right.set_xticks(np.arange(3) + width / 2, groups)
right.set_ylabel("accuracy")
right.set_title("shot accuracy")
fig.tight_layout()
plt.show()
