"""``--save-best``: refit the best recipe of a comparison on all the data, save it."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import errno
import os
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _estimator_has, check_is_fitted

from ltlearn._compare._data import CompareError
from ltlearn._compare._report import PLOTS_DIR, report_paths
from ltlearn._compare._results import (
    LOCK_FILE,
    RESULTS_FILE,
    refuse_read_only,
    replacing,
)
from ltlearn._compare._runner import _take
from ltlearn._compare._stats import rank_common
from ltlearn._compare._target import (
    _label_codes,
    _marks_missing,
    _rows_text,
    _unlabelled_mask,
)
from ltlearn.recipes._registry import RECIPES
from ltlearn.utils._fitted import unfitted_on_error

# A --save-best name that does not exist yet (the model is new), or under a
# file, which the check of its folders names.
_MISSING = (errno.ENOENT, errno.ENOTDIR)


def _model_has(method):
    """Whether the fitted ``model_``, or else ``estimator``, has ``method``.

    As scikit-learn's meta-estimators offer a method: a model without
    ``predict_proba`` (the min-max COG of ``cog``) gives none, so that the
    scorers call the ``decision_function`` it has.
    """
    return _estimator_has(method, delegates=("model_", "estimator"))


class _LabelDecodingClassifier(ClassifierMixin, BaseEstimator):
    """Fit on the labels of the file, predict them; the inner model sees codes.

    Wraps the semi-supervised recipes for ``--save-best``: they learn from the
    unlabelled rows, which need the integer marker -1 whatever the labels are.
    ``fit`` takes the labels as in the file, the unlabelled rows marked by
    ``unlabelled`` (as ``--unlabelled`` marks them), so that the saved model
    is refitted like the others. Also wraps the other recipes on labels that
    scikit-learn takes for a regression target (numbers such as 1.5 and 2.5),
    which the comparison fits as codes too; ``fit`` refuses marked rows for
    a model that does not learn from them (whose classes take their code).

    Parameters
    ----------
    estimator : estimator object
        Fitted on ``X`` and the codes of the labels (-1: unlabelled).
    unlabelled : str, default="-1"
        The target value of the unlabelled rows, as ``--unlabelled`` takes it.
    """

    def __init__(self, estimator, unlabelled="-1"):
        self.estimator = estimator
        self.unlabelled = unlabelled

    @unfitted_on_error()
    def fit(self, X, y):
        import pandas as pd

        target = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y))
        mask = _unlabelled_mask(target, self.unlabelled)
        missing = target.isna().to_numpy() & ~mask
        if missing.any():
            # they would be a class "nan"
            raise ValueError(
                f"y holds {int(missing.sum())} missing label(s) "
                f"({_rows_text(np.flatnonzero(missing))}) that "
                f"unlabelled={self.unlabelled!r} does not mark. Fill them, or "
                "set_params(unlabelled='missing') to learn from them as "
                "unlabelled rows."
            )
        codes, self.classes_ = _label_codes(target[~mask], mask)
        model = clone(self.estimator).fit(X, codes)
        if mask.any() and -1 in getattr(model, "classes_", ()):
            # a supervised model takes the code of the unlabelled rows, -1,
            # for a class, which predict would give as the last label
            raise ValueError(
                f"The model does not learn from unlabelled rows: the "
                f"{int(mask.sum())} row(s) that unlabelled={self.unlabelled!r} "
                "marks would be a class of their own. Give their labels, or "
                "leave them out of X and y."
            )
        self.model_ = model
        return self

    def predict(self, X):
        check_is_fitted(self)
        return self.classes_[np.asarray(self.model_.predict(X), dtype=int)]

    @available_if(_model_has("predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self)
        return self.model_.predict_proba(X)

    @available_if(_model_has("predict_log_proba"))
    def predict_log_proba(self, X):
        check_is_fitted(self)
        return self.model_.predict_log_proba(X)

    @available_if(_model_has("decision_function"))
    def decision_function(self, X):
        # the codes of the inner model are the indices of classes_: its
        # binary scores are positive for classes_[1], its columns in order
        check_is_fitted(self)
        return self.model_.decision_function(X)


def _file_target(dataset):
    """The target of ``dataset`` as its file holds it, the unlabelled rows marked.

    Read by the rule of the file reader (:func:`_unlabelled_mask`,
    :func:`_label_codes`), it gives back the codes and the classes of
    ``dataset``: text labels are text, numbers and booleans keep their type
    in pandas' nullable arrays next to a missing or numeric marker.
    """
    import pandas as pd

    labels = dataset.classes[np.maximum(dataset.y, 0)]
    unlabelled = dataset.y < 0
    if labels.dtype.kind in "OSU":
        target = pd.Series(labels.astype(object), dtype=object)
    else:
        target = pd.Series(pd.array(labels))  # Int64, Float64, boolean
    if unlabelled.any():
        marker = dataset.unlabelled
        if _marks_missing(marker):
            marker = None
        elif target.dtype != object:
            marker = float(marker)  # the reader compares numbers as numbers
        target[unlabelled] = marker
    return target


def check_save_best(datasets, path, output):
    """``--save-best`` refits on one data set, and ``path`` can be a file.

    Checked before the comparison runs, so that a typo does not cost it; nor
    the data nor a file the comparison writes in ``output``.
    """
    if len(datasets) != 1:
        raise CompareError(
            "--save-best refits the best recipe on one data set: give --data "
            f"FILE or a single --datasets name (got {len(datasets)} data sets)."
        )
    path = Path(path)
    for option, name in (("--save-best", path), ("--output", output)):
        try:
            os.stat(name)
        except OSError as exc:
            # A loop of symbolic links: resolving it was a RuntimeError. A
            # --save-best name the system refuses otherwise (too long, say)
            # was named without the option, or only once every fit had run
            # where pathlib's is_dir takes the error for a missing file.
            unusable = option == "--save-best" and exc.errno not in _MISSING
            if exc.errno == errno.ELOOP or unusable:
                raise CompareError(f"{option} {str(name)!r}: {exc.strerror}.") from None
    output = Path(output).resolve()
    if path.resolve() == output / PLOTS_DIR:
        # A new folder: the model failed to replace it once every fit had run.
        # One that exists is no mere directory: the file it would advise,
        # OUT/plots/model.joblib, is refused below.
        raise CompareError(
            f"--save-best {str(path)!r} is the folder of the plots the "
            "comparison writes in --output; give another file name, e.g. "
            "model.joblib."
        )
    if path.is_dir():
        raise CompareError(
            f"--save-best {str(path)!r} is a directory; give a file name, e.g. "
            f"{str(path / 'model.joblib')!r}."
        )
    data = datasets[0]
    if data.target is not None and path.resolve() == Path(data.source).resolve():
        # A model written over the data would destroy them.
        raise CompareError(
            f"--save-best {str(path)!r} is the --data file; give another file "
            "name, e.g. model.joblib."
        )
    written = [output / RESULTS_FILE, output / LOCK_FILE, *report_paths(output)]
    if path.resolve() in written or output / PLOTS_DIR in path.resolve().parents:
        # The model would replace the record of the fits, the lock of the
        # directory, or the report.
        raise CompareError(
            f"--save-best {str(path)!r} is a file the comparison writes in "
            "--output; give another file name, e.g. model.joblib."
        )
    refuse_read_only(
        path,
        f"--save-best {str(path)!r}: the file is read-only; give another file "
        "name or make it writable.",
    )
    target = os.path.realpath(path)
    if path.is_symlink() and not os.path.isdir(os.path.dirname(target)):
        # The model is written through the link: it failed once every fit
        # had run, naming a temporary file there.
        raise CompareError(
            f"--save-best {str(path)!r} is a symbolic link to {target!r}, in "
            "a directory that does not exist."
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CompareError(
                    f"--save-best {str(path)!r}: {str(parent)!r} is a file, not "
                    "a directory."
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise CompareError(
                    f"--save-best {str(path)!r}: cannot write in {str(parent)!r} "
                    "(permission denied or a read-only file system)."
                )
            break


def save_best(summary, comparison, dataset, path):
    """Refit the best recipe, with its preprocessing, on all of ``dataset``.

    Parameters
    ----------
    summary : Summary
        The aggregate of the comparison on ``dataset``.
    comparison : Comparison
        The run (its seed and scoring build the recipe).
    dataset : Dataset
        The data the comparison ran on.
    path : path-like
        Where the model goes, with :func:`joblib.dump`.

    Returns
    -------
    name : str
        The recipe that was saved.
    """
    import joblib

    ranking = rank_common(summary, comparison.skipped)
    if ranking.best is None:
        if dataset.name in summary.unscored and not summary.errors:
            # Every fit ran, without a few-shot class to score: "no recipe ran
            # successfully" sent users after failures there were none of.
            raise CompareError(
                f"--save-best: no recipe has a few-shot accuracy on "
                f"{dataset.name}: no class has fewer than {summary.few_threshold} "
                "training rows (--few-threshold); nothing saved."
            )
        raise CompareError("--save-best: no recipe ran successfully; nothing saved.")
    recipe = RECIPES[ranking.best]
    context = dataset.context(comparison.config["scoring"])
    seed = comparison.config["seed"]
    model = recipe.pipeline(seed, context, dataset.preprocessing)
    if recipe.semi_supervised:
        model = _LabelDecodingClassifier(model, dataset.unlabelled)
        model.fit(dataset.X, _file_target(dataset))
    else:
        rows = dataset.labelled
        labels = dataset.classes[dataset.y[rows]]
        if type_of_target(labels) == "continuous":
            # Fractional numbers: classifiers refuse them ("Unknown label
            # type: continuous"); the inner model learns their codes.
            model = _LabelDecodingClassifier(model, "none")
        model.fit(_take(dataset.X, rows), labels)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temporary:
        joblib.dump(model, temporary)
    return recipe.name
