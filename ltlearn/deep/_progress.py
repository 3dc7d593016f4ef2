"""The progress bar of ``LongTailClassifier(progress_bar=True)``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import warnings

from skorch.callbacks import ProgressBar

from ltlearn.utils._warnings import external_stacklevel


@functools.cache
def _no_notebook_widget():
    """Whether tqdm's notebook widget cannot be drawn; warns once if so.

    tqdm's notebook bar raises "ImportError: IProgress not found" at its
    first update when ipywidgets is missing; ``tqdm.notebook`` finds that out
    once, when it is imported.
    """
    from tqdm import TqdmWarning, notebook

    if notebook.IProgress is not None:
        return False
    warnings.warn(
        "IProgress not found: progress_bar=True draws tqdm's text bar on "
        "stderr, not its notebook widget. Please update jupyter and ipywidgets.",
        TqdmWarning,
        stacklevel=external_stacklevel(),
    )
    return True


def _epoch_progress_bar(counted):
    """skorch's ``ProgressBar``, with a total counted or computed.

    skorch draws tqdm's notebook widget in a Jupyter kernel; where the
    widget cannot be drawn (ipywidgets missing), tqdm's text bar is drawn on
    stderr instead, after a warning, rather than the fit failing at its
    first epoch with "ImportError: IProgress not found".
    """
    bar = ProgressBar(batches_per_epoch="count" if counted else "auto")
    if bar.in_ipynb() and _no_notebook_widget():
        bar.detect_notebook = False
    return bar
