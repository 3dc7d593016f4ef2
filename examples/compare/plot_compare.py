"""
=============================================
Comparing methods with ``ltlearn compare``
=============================================

``ltlearn compare`` cross-validates named methods on several data sets, prints a
table of mean scores and ranks, and writes a report with plots. It is a command
line program; here it runs on three small embedded data sets with four methods
and three folds, through the same entry point the ``ltlearn`` command uses.
From a shell, the same run is::

    ltlearn compare --datasets ecoli1 glass4 digits_lt \\
        --methods plain class_weight logit_adjustment plugin --cv 3

Without ``--datasets`` and ``--methods`` it runs every method that can run on
the default collection, which takes a few minutes.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from ltlearn.cli import main

workdir = Path(tempfile.mkdtemp())
output = workdir / "ltlearn-results"
main(
    [
        "compare",
        "--datasets",
        "ecoli1",
        "glass4",
        "digits_lt",
        "--methods",
        "plain",
        "class_weight",
        "logit_adjustment",
        "plugin",
        "--cv",
        "3",
        "--n-jobs",
        "1",
        "--no-progress",
        "--output",
        str(output),
    ]
)

# %%
# The output directory holds ``results.csv`` (one row per fit: scores, times,
# per-class recall), ``report.md``, the plots and ``.lock``, the file that
# keeps a second run from writing there at the same time. Running the same
# command again would reuse every finished fit.
print(sorted(p.name for p in output.iterdir()))
print((output / "results.csv").read_text(encoding="utf-8").splitlines()[0])

# %%
# The report's plots: the recall of each class against its number of training
# rows, per data set, and the rank of each method on each data set.
for name in ("recall_vs_frequency.png", "ranks.png"):
    image = plt.imread(output / "plots" / name)
    fig, ax = plt.subplots(figsize=(image.shape[1] / 110, image.shape[0] / 110))
    ax.imshow(image)
    ax.set_axis_off()
    fig.tight_layout(pad=0)
plt.show()

# %%
# The example's output directory is temporary; a directory of your own keeps
# the results, and a later run there reuses them.
shutil.rmtree(workdir)
