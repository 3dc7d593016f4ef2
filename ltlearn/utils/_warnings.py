"""The ``stacklevel`` at which a warning names the user's line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import os
import sys

import joblib
import sklearn

import ltlearn

# A warning raised in these packages is about the call the user made into
# them: a pipeline's fit (imbalanced-learn's calls the samplers through
# joblib.Memory), a grid search or the estimator itself. imbalanced-learn is
# found, not imported: it imports pytest and most of scikit-learn, a third
# of a second that ltlearn.datasets and ltlearn.semi_supervised do not need
# (and, not installed, it has no frame to skip).
_LIBRARY_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (
        ltlearn.__file__,
        sklearn.__file__,
        getattr(importlib.util.find_spec("imblearn"), "origin", None),
        joblib.__file__,
    )
    if path is not None
)
# And the packages ltlearn.deep runs on: a LongTailClassifier's fit goes
# through skorch's fit loop and torch's DataLoader. They are skipped once
# imported (a frame of theirs on the stack means they are), never imported.
_DEEP_PACKAGES = ("skorch", "torch")


def _library_dirs():
    dirs = list(_LIBRARY_DIRS)
    for name in _DEEP_PACKAGES:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path is not None:
            dirs.append(os.path.dirname(path) + os.sep)
    return tuple(dirs)


def external_stacklevel():
    """The ``stacklevel`` of ``warnings.warn`` that points past the libraries.

    Counted from the function that calls this one (level 1) outward to the
    first frame outside ltlearn, scikit-learn, imbalanced-learn, joblib and,
    once imported, skorch and torch: the user's line, whether it calls the
    estimator, a pipeline or a search around it, however deep the warning is
    raised. Python 3.12's ``skip_file_prefixes`` of ``warnings.warn`` does
    the same.
    """
    library_dirs = _library_dirs()
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        library_dirs
    ):
        frame = frame.f_back
        level += 1
    return level
