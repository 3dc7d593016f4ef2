"""
=================================================
COG: a linear model on a multi-modal majority
=================================================

The majority class below is made of three groups around a small minority
class. No straight line separates the minority from the majority as a whole,
so a linear classifier, even with class weights, does poorly. But each majority
group is *nearly* linearly separable from the minority (a straight line
misplaces only a few of their rows):
:class:`~ltlearn.decomposition.COGClassifier` splits the majority class into
sub-classes with k-means, fits the same linear model on each pair of a
majority sub-class and the minority class, and predicts the minority where it
wins against every majority sub-class (the "min-max" combination). COG-OS
(``oversample="replicate"``) also weighs the minority rows as much as the
whole majority class.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

from ltlearn.decomposition import COGClassifier

rng = np.random.RandomState(0)
centres = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 3.5]])
majority = np.concatenate([c + rng.normal(scale=0.9, size=(200, 2)) for c in centres])
minority = rng.normal(scale=0.7, size=(40, 2)) + [0.0, 0.5]
X = np.concatenate([majority, minority])
y = np.concatenate([np.zeros(len(majority), int), np.ones(len(minority), int)])
X_train, X_test, y_train, y_test = train_test_split(
    X, y, stratify=y, test_size=0.5, random_state=0
)

models = {
    "logistic regression, class weights": LogisticRegression(class_weight="balanced"),
    "COG": COGClassifier(
        LogisticRegression(max_iter=1000), n_clusters=3, random_state=0
    ),
    "COG-OS": COGClassifier(
        LogisticRegression(max_iter=1000),
        n_clusters=3,
        oversample="replicate",
        random_state=0,
    ),
}

fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    model.fit(X_train, y_train)
    score = balanced_accuracy_score(y_test, model.predict(X_test))
    DecisionBoundaryDisplay.from_estimator(
        model, X, response_method="predict", alpha=0.3, ax=ax, cmap="coolwarm"
    )
    ax.scatter(*X_test.T, c=y_test, s=10, cmap="coolwarm", edgecolor="k", lw=0.2)
    ax.set_title(f"{name}\nbalanced accuracy {score:.2f}", fontsize=10)
fig.tight_layout()

# %%
# The fitted sub-class structure: how many sub-classes each class became and
# how many training rows each holds. ``n_clusters=3`` asks for three
# sub-classes of the largest class, one per group. The default, ``"auto"``,
# aims at sub-classes of about the size of the smallest class but of at least
# 200 rows: it cuts these 300 majority rows in two, fewer sub-classes than
# groups, and scores lower.
cog = models["COG"]
print("sub-classes per class:", cog.n_clusters_.tolist())
print("rows per sub-class:", cog.subclass_counts_.tolist())
auto = COGClassifier(LogisticRegression(max_iter=1000), random_state=0)
auto.fit(X_train, y_train)
score = balanced_accuracy_score(y_test, auto.predict(X_test))
print(f'n_clusters="auto": {auto.n_clusters_.tolist()}, balanced accuracy {score:.2f}')
plt.show()
