"""
=========================================
SMOTE, and partial rebalancing of a tail
=========================================

:class:`~ltlearn.over_sampling.SMOTE` places each synthetic row on the segment
between a row of a class and one of its nearest neighbours in the same class.
The first plot shows it on a small two-class problem. The second shows, on a
long tail, the class sizes that full balancing and the two partial strategies,
:class:`~ltlearn.over_sampling.PowerSamplingStrategy` and
:class:`~ltlearn.over_sampling.EffectiveNumberSamplingStrategy`, ask for, and
the balanced accuracy of a logistic regression trained after each of them.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score

from ltlearn.datasets import make_long_tailed_classification
from ltlearn.over_sampling import (
    SMOTE,
    EffectiveNumberSamplingStrategy,
    PowerSamplingStrategy,
)

# %%
# Synthetic rows on two classes
# -----------------------------
X, y = make_classification(
    n_samples=200,
    n_features=2,
    n_informative=2,
    n_redundant=0,
    n_clusters_per_class=1,
    weights=[0.9],
    class_sep=0.8,
    random_state=0,
)
X_res, y_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
new = slice(len(X), None)  # the synthetic rows come after the original ones

fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(*X[y == 0].T, s=10, c="0.7", label="majority")
ax.scatter(*X[y == 1].T, s=25, c="C3", label="minority")
ax.scatter(*X_res[new].T, s=12, marker="x", c="C0", label="synthetic")
ax.set_title(f"{np.bincount(y)} rows become {np.bincount(y_res)}")
ax.legend()
fig.tight_layout()

# %%
# Partial rebalancing of a long tail
# ----------------------------------
# Twenty classes from 200 down to 4 training rows.
data = make_long_tailed_classification(
    n_classes=20, imbalance_ratio=50, n_max=200, random_state=0
)
strategies = {
    "none": None,
    "power, q=0.5": PowerSamplingStrategy(q=0.5),
    "effective number": EffectiveNumberSamplingStrategy(beta=0.99),
    "full ('auto')": "auto",
}
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
scores = {}
for name, strategy in strategies.items():
    steps = [LogisticRegression(max_iter=2000)]
    if strategy is None:
        counts = data.class_counts
    else:
        sampler = SMOTE(sampling_strategy=strategy, k_neighbors=3, random_state=0)
        _, y_res = sampler.fit_resample(data.X_train, data.y_train)
        counts = np.bincount(y_res)
        steps.insert(0, sampler)
    model = make_pipeline(*steps).fit(data.X_train, data.y_train)
    scores[name] = balanced_accuracy_score(data.y_test, model.predict(data.X_test))
    left.plot(counts, marker="o", ms=3, label=name)
    print(
        f"{name:>16}: {counts.sum():5d} training rows, balanced accuracy "
        f"{scores[name]:.3f}"
    )
left.set_yscale("log")
left.set_xlabel("class")
left.set_ylabel("training rows after resampling")
left.legend(fontsize=8)
right.barh(list(scores), list(scores.values()))
right.set_xlim(min(scores.values()) - 0.05, max(scores.values()) + 0.02)
right.invert_yaxis()
right.set_xlabel("balanced accuracy (balanced test set)")
fig.tight_layout()
plt.show()
