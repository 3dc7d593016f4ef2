"""The models of ``PluginEnsembleClassifier``: defaults, fits, names.

The default models, a model's fit and its held-out probabilities, and the
models of ``estimators``: checked and cloned for a fit, as parameters by name
(as scikit-learn's ``VotingClassifier`` gives them) and in the HTML display.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.parallel import Parallel, delayed

from ltlearn.post_hoc._cross_fit import _cross_fit_proba, _int_cv_folds
from ltlearn.utils._metaestimators import no_proba_advice
from ltlearn.utils._random import draw_seeds
from ltlearn.utils._validation import may_have_method

# Trees per forest of the default ensemble, and the most rows each tree draws:
# the two forests together then cost about what one balanced random forest of
# 100 trees costs to fit, on small and large data alike.
_DEFAULT_TREES = 50
_MAX_BOOTSTRAP = 1000


def _default_estimators(random_state, n_samples):
    """A random forest, bootstrapped extra trees and a logistic regression."""
    seeds = draw_seeds(random_state, 3)
    max_samples = _MAX_BOOTSTRAP if n_samples > _MAX_BOOTSTRAP else None
    return [
        (
            "rf",
            RandomForestClassifier(
                n_estimators=_DEFAULT_TREES,
                max_samples=max_samples,
                oob_score=True,
                random_state=seeds[0],
            ),
        ),
        (
            "et",
            ExtraTreesClassifier(
                n_estimators=_DEFAULT_TREES,
                bootstrap=True,
                max_samples=max_samples,
                oob_score=True,
                random_state=seeds[1],
            ),
        ),
        ("lr", LogisticRegression(max_iter=1000, random_state=seeds[2])),
    ]


@functools.cache
def _default_models_of_tags():
    """The default models, built once, for the tags of the ensemble.

    The ensemble's tags follow its models', and ``check_is_fitted`` reads
    them at each prediction: building the models, and the ``RandomState``
    their seeds are drawn from, took 0.1 ms a call. Never fitted nor given
    out.
    """
    return _default_estimators(0, 1)


def _fit_model(model, X, y, params):
    """A fitted clone of ``model``, fitted on the labels of ``y``."""
    with warnings.catch_warnings():
        # rows without an out-of-bag estimate are handled by _oob_proba
        warnings.filterwarnings("ignore", "Some inputs do not have OOB")
        return clone(model).fit(X, y, **params)


def _cross_fitted_proba(
    model, X, y, codes, params, cv, cv_seed, classes, sample_weight=None
):
    """Probabilities of the training rows from clones that did not see them.

    ``None`` when an int ``cv`` leaves fewer than two folds, but for a prefit
    model (``_is_prefit``), whose probabilities on all rows serve then. With
    ``sample_weight``, the samples of an int ``cv``'s class counts, and of
    each training fold, are those of positive weight.
    """
    if isinstance(cv, Integral):
        counted = codes if sample_weight is None else codes[sample_weight > 0]
        n_splits = min(cv, int(np.bincount(counted).min()))
        if n_splits < 2 and _is_prefit(model):  # not fitted on the folds
            rows = np.arange(codes.size)
            folds = [(rows, rows)]  # one fold: its probabilities on all rows
            return _cross_fit_proba(model, X, y, folds, params, classes=classes)
        if n_splits < 2:
            return None
        splitter = StratifiedKFold(n_splits, shuffle=True, random_state=cv_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if not isinstance(cv, Integral):  # the partition of the ensemble's _folds
            folds = cv
        elif sample_weight is None:
            folds = list(splitter.split(X, y))
        else:
            folds = _int_cv_folds(
                splitter, X, codes, codes, classes, "the held-out probabilities",
                sample_weight, {},
            )  # fmt: skip
        return _cross_fit_proba(model, X, y, folds, params, classes=classes)


def _oob_proba(fitted, prior):
    """The out-of-bag probabilities of a bagged model's training rows.

    A row in every bootstrap sample has no out-of-bag estimate: NaN in a
    bagging classifier's ``oob_decision_function_``, zeros in a forest's.
    It takes the class ``prior``.
    """
    proba = np.asarray(fitted.oob_decision_function_, dtype=float)
    missing = ~np.all(np.isfinite(proba), axis=1) | ~np.any(proba, axis=1)
    if missing.any():
        proba = proba.copy()  # the model's own attribute stays as it is
        proba[missing] = prior
    return proba


def _held_out_proba(
    models, fitted_models, X, y, codes, fit_params, cv, cv_seed, classes, prior,
    sample_weight, n_jobs,
):  # fmt: skip
    """The mean held-out probabilities of the models' training rows.

    Out-of-bag for the bagged models (``fitted_models``, in the order of
    ``models``), cross-fitted for the others (``n_jobs`` at a time); ``None``
    when an int ``cv`` cannot cross-fit (a class of a single sample; with
    ``sample_weight``, of a single sample of positive weight). The mean sums
    the models' probabilities in order, as ``np.mean(..., axis=0)`` of them,
    without stacking them in one more array of ``n_models`` times their size.
    """
    crossed = Parallel(n_jobs=n_jobs)(
        delayed(_cross_fitted_proba)(
            model,
            X,
            y,
            codes,
            fit_params[name],
            cv,
            cv_seed,
            classes,
            sample_weight,
        )  # fmt: skip
        for name, model in models
        if not _uses_oob(model)
    )
    crossed = iter(crossed)
    held_out = [
        _oob_proba(fitted, prior) if _uses_oob(model) else next(crossed)
        for (_, model), fitted in zip(models, fitted_models)
    ]
    if any(proba is None for proba in held_out):
        return None
    total = np.array(held_out[0], dtype=float)
    for proba in held_out[1:]:
        total += proba
    total /= len(held_out)
    return total


def _is_prefit(estimator):
    """Whether ``estimator`` is prefit (a ``FrozenEstimator``), never refitted.

    Its probabilities on the training rows stand for held-out ones, so that
    it needs no folds.
    """
    return isinstance(estimator, FrozenEstimator)


def _uses_oob(estimator):
    """Whether ``estimator`` computes out-of-bag probabilities when fitted."""
    params = estimator.get_params(deep=False)
    return bool(params.get("oob_score")) and params.get("bootstrap", True)


def _is_dropped(model):
    """Whether ``model`` is ``"drop"``, a model left out as in VotingClassifier."""
    return isinstance(model, str) and model == "drop"


def _refuse_no_proba(name, model):
    raise ValueError(
        f"The estimator {name!r} has no predict_proba; the ensemble averages "
        f"class probabilities: {no_proba_advice(model)}."
    )


def _refuse_default_model_params(params):
    """Name the problem of setting a default model by name.

    With ``estimators=None`` the default models are built at fit, so
    ``rf__n_estimators`` has no model to set; scikit-learn's message
    ("Invalid parameter 'rf'") hides that they show as
    ``named_estimators_.rf`` once fitted.
    """
    defaults = [name for name, _ in _default_models_of_tags()]
    for key in params:
        name = key.split("__")[0]
        if name in defaults:
            raise ValueError(
                f"Cannot set {key!r}: with estimators=None the default models "
                f"{defaults!r} are built at fit and are not parameters. Give "
                f"the models as estimators to set or tune them, e.g. "
                f"estimators=[('rf', RandomForestClassifier(oob_score=True)), "
                f"('lr', LogisticRegression())]."
            )


class _NamedModelsMixin:
    """The (name, model) items of ``estimators``: checked, and as parameters."""

    def _named_models(self):
        """The (name, model) items of ``estimators`` (none when not a list)."""
        if not isinstance(self.estimators, list):
            return []
        return [
            item
            for item in self.estimators
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
        ]

    def _models(self, n_samples):
        """The (name, unfitted clone) of every model, ``estimators`` checked.

        The default models when ``estimators`` is None, drawn from
        ``random_state`` for ``n_samples`` rows.
        """
        if self.estimators is None:
            return _default_estimators(self.random_state, n_samples)
        if not self.estimators:
            raise ValueError("estimators is empty; give at least one model.")
        names = set()
        for item in self.estimators:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise ValueError(
                    f"estimators must be a list of (name, estimator) tuples; "
                    f"got {item!r}."
                )
            if (
                not isinstance(item[0], str)
                or "__" in item[0]
                or item[0] in self.get_params(deep=False)
            ):
                raise ValueError(
                    f"The name {item[0]!r} of a model must be a string without "
                    f"'__' and not a parameter of the ensemble (the models' "
                    f"parameters are set as <name>__<parameter>)."
                )
            if not (_is_dropped(item[1]) or hasattr(item[1], "fit")):
                raise ValueError(
                    f"The model {item[0]!r} of estimators is {item[1]!r}; give an "
                    "estimator with fit and predict_proba, or 'drop' to leave it "
                    "out."
                )
            if not _is_dropped(item[1]) and not may_have_method(
                item[1], "predict_proba"
            ):
                _refuse_no_proba(item[0], item[1])  # else checked once fitted
            if item[0] in names:
                raise ValueError(
                    f"The name {item[0]!r} is given to more than one of "
                    f"estimators; names must be unique."
                )
            names.add(item[0])
        models = [
            (name, clone(est)) for name, est in self.estimators if not _is_dropped(est)
        ]
        if not models:
            raise ValueError(
                "All estimators are dropped; at least one is required to be a model."
            )
        return models

    # get_params/set_params by model name: what scikit-learn's composites get
    # from its private _BaseComposition, written here on the public API.
    def get_params(self, deep=True):
        """Get parameters of this estimator.

        Parameters
        ----------
        deep : bool, default=True
            If True, also list each model of ``estimators`` under its name
            and its parameters as ``<name>__<parameter>``, as
            :class:`~sklearn.ensemble.VotingClassifier` does, so that a
            search such as ``GridSearchCV`` tunes them.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=False)
        if deep:
            for name, model in self._named_models():
                params[name] = model
                if hasattr(model, "get_params"):
                    for key, value in model.get_params(deep=True).items():
                        params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Parameters
        ----------
        **params : keyword arguments
            Parameters of the ensemble; ``<name>=model`` replaces the model
            of that name in ``estimators``, ``<name>__<parameter>=value``
            sets a parameter of it.

        Returns
        -------
        self : PluginEnsembleClassifier
            This estimator.
        """
        if "estimators" in params:
            super().set_params(estimators=params.pop("estimators"))
        if self.estimators is None:
            _refuse_default_model_params(params)
        names = [name for name, _ in self._named_models()]
        if any(name in params for name in names):
            self.estimators = [
                (item[0], params.pop(item[0]))
                if isinstance(item, tuple) and item[0] in params
                else item
                for item in self.estimators
            ]
        return super().set_params(**params)

    def _sk_visual_block_(self):
        # the HTML display shows the models side by side, as scikit-learn's
        # VotingClassifier does; the default ones (estimators=None) are drawn
        # in fit, so the ensemble is then shown alone. scikit-learn has no
        # public API for this: its private _VisualBlock is imported here, not
        # with the module, so that if it moves (it did in 1.7) only the
        # display falls back, to the ensemble alone (estimator_html_repr
        # catches any error of _sk_visual_block_), and ltlearn still imports.
        from sklearn.utils._repr_html.estimator import _VisualBlock

        models = self._named_models()
        if not models:
            return _VisualBlock(
                "single", self, names=type(self).__name__, name_details=str(self)
            )
        names, estimators = zip(*models)
        return _VisualBlock("parallel", estimators, names=names)
