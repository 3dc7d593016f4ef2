"""
=====================================
Long-tailed and imbalanced data sets
=====================================

:func:`~ltlearn.datasets.make_long_tailed` subsamples labelled data to the
class-size profiles of the long-tail literature, and
:func:`~ltlearn.datasets.list_keel` describes the 110 real imbalanced data sets
that ship with ltlearn.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Exponential and step profiles
# -----------------------------
# With ``C`` classes and imbalance ratio ``IF``, the exponential profile keeps
# ``n_max * IF ** (-i / (C - 1))`` rows of class ``i``; the step profile keeps
# ``n_max`` rows of the first half of the classes and ``n_max / IF`` of the
# others.
import matplotlib.pyplot as plt
import numpy as np

from ltlearn.datasets import list_keel, make_long_tailed

rng = np.random.RandomState(0)
X = rng.normal(size=(20 * 500, 2))
y = np.repeat(np.arange(20), 500)

fig, ax = plt.subplots(figsize=(6, 3.5))
for profile in ("exponential", "step"):
    for ratio in (10, 100):
        _, y_lt = make_long_tailed(
            X, y, imbalance_ratio=ratio, profile=profile, random_state=0
        )
        ax.plot(np.bincount(y_lt), marker="o", ms=3, label=f"{profile}, IF={ratio}")
ax.set_yscale("log")
ax.set_xlabel("class")
ax.set_ylabel("training rows")
ax.set_title("Long-tailed profiles of 20 classes of 500 rows")
ax.legend()
fig.tight_layout()

# %%
# The embedded KEEL data sets
# ---------------------------
# Every set is binary, the minority class labelled 1. Their imbalance ratios
# span two orders of magnitude.
keel = list_keel(details=True)
sizes = np.array([row["n_samples"] for row in keel])
ratios = np.array([row["imbalance_ratio"] for row in keel])
print(f"{len(keel)} data sets, {sizes.min()} to {sizes.max()} rows")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.scatter(sizes, ratios, s=12)
for row in keel:
    if row["name"] in ("ecoli1", "glass4", "pima", "yeast4", "abalone19"):
        ax.annotate(row["name"], (row["n_samples"], row["imbalance_ratio"]))
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("rows")
ax.set_ylabel("imbalance ratio")
ax.set_title("The embedded imbalanced data sets")
fig.tight_layout()
plt.show()
