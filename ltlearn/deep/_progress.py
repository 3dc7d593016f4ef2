"""The progress bar of ``LongTailClassifier(progress_bar=True)``."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from skorch.callbacks import ProgressBar


def _notebook_bar():
    """Whether tqdm draws its notebook widget here, as ``tqdm.auto`` decides.

    In a Jupyter kernel with ipywidgets, yes; without ipywidgets (tqdm.auto
    warns once that "IProgress" is not found), in a console or in a
    qtconsole or Spyder kernel, tqdm's text bar is drawn on stderr.
    """
    import tqdm.auto  # noqa: F401  (makes the choice, once per process)
    from tqdm import autonotebook, std

    return autonotebook.tqdm is not std.tqdm


def _epoch_progress_bar(counted):
    """skorch's ``ProgressBar``, with a total counted or computed.

    skorch's own detection draws the notebook widget in any Jupyter kernel,
    and so failed at the first epoch in one without ipywidgets
    (``ImportError: IProgress not found``).
    """
    return ProgressBar(
        batches_per_epoch="count" if counted else "auto",
        detect_notebook=_notebook_bar(),
    )
