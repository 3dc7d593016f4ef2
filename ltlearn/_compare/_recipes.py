"""The registry of named recipes that ``ltlearn compare`` can run."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
from dataclasses import dataclass, field

from ltlearn._compare._data import CompareError

# Every recipe is a factory that imports its estimator when called, so that the
# registry loads without torch, and a recipe whose estimator is not installed
# is reported as unavailable instead of breaking the others. A factory takes the
# random state and a context dict (``scoring``, ``n_features``, ``n_classes``)
# and returns the steps that follow the preprocessing in an imbalanced-learn
# Pipeline. User input only ever selects a key of ``RECIPES``.

# The deep recipes train a small MLP for a fixed, modest number of epochs: the
# comparison is meant to run on a laptop CPU in minutes.
_DEEP_EPOCHS = 30


def _base(random_state, **params):
    """The classifier that every classical recipe builds on."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=random_state, **params)


def _plain(random_state, context):
    return [("classifier", _base(random_state))]


def _class_weight(random_state, context):
    return [("classifier", _base(random_state, class_weight="balanced"))]


def _smote(random_state, context):
    from ltlearn.over_sampling import SMOTE

    return [
        ("sampler", SMOTE(random_state=random_state)),
        ("classifier", _base(random_state)),
    ]


def _cog(random_state, context):
    from ltlearn.decomposition import COGClassifier

    return [
        ("classifier", COGClassifier(_base(random_state), random_state=random_state))
    ]


def _cog_os(random_state, context):
    from ltlearn.decomposition import COGClassifier

    return [
        (
            "classifier",
            COGClassifier(
                _base(random_state), oversample="replicate", random_state=random_state
            ),
        )
    ]


def _threshold_moving(random_state, context):
    from ltlearn.post_hoc import ThresholdMovingClassifier

    return [
        (
            "classifier",
            ThresholdMovingClassifier(_base(random_state), cost_matrix="balanced"),
        )
    ]


def _logit_adjustment(random_state, context):
    from ltlearn.post_hoc import LogitAdjustedClassifier

    return [("classifier", LogitAdjustedClassifier(_base(random_state), tau=1.0))]


_PLUGIN_SCORING = {
    "balanced_accuracy": "balanced_accuracy",
    "geometric_mean": "geometric_mean",
    "macro_f1": "f1_macro",
    # Few-shot accuracy has no consistent plug-in rule of its own; balanced
    # accuracy weighs every class equally, which is what it rewards.
    "few_shot_accuracy": "balanced_accuracy",
}


def _plugin(random_state, context):
    from ltlearn.post_hoc import PluginClassifier

    scoring = _PLUGIN_SCORING[context.get("scoring", "balanced_accuracy")]
    return [
        (
            "classifier",
            PluginClassifier(_base(random_state), scoring=scoring, cv=3),
        )
    ]


def _crest(random_state, context, distribution_alignment=False):
    from ltlearn.semi_supervised import CReSTClassifier

    return [
        (
            "classifier",
            CReSTClassifier(
                _base(random_state),
                distribution_alignment=distribution_alignment,
                random_state=random_state,
            ),
        )
    ]


def _crest_plus(random_state, context):
    return _crest(random_state, context, distribution_alignment=True)


def _deep(loss, random_state, **params):
    from ltlearn.deep import LongTailClassifier

    return [
        (
            "classifier",
            LongTailClassifier(
                criterion=loss,
                max_epochs=_DEEP_EPOCHS,
                random_state=random_state,
                **params,
            ),
        )
    ]


def _deep_ce(random_state, context):
    return _deep("ce", random_state)


def _deep_focal(random_state, context):
    return _deep("focal", random_state)


def _deep_logit_adjusted(random_state, context):
    return _deep("logit_adjusted", random_state)


def _deep_balanced_softmax(random_state, context):
    return _deep("balanced_softmax", random_state)


def _deep_ldam_drw(random_state, context):
    from ltlearn.deep.callbacks import DeferredReweighting

    # LDAM-DRW: the LDAM margins throughout, class-balanced weights for the last
    # fifth of the epochs (160 of 200 in the paper).
    return _deep("ldam", random_state, callbacks=[DeferredReweighting(start_epoch=0.8)])


@dataclass(frozen=True)
class Recipe:
    """A named way to fit a classifier on imbalanced data.

    Parameters
    ----------
    name : str
        The name users type.
    summary : str
        One line for listings and reports.
    factory : callable
        ``factory(random_state, context) -> list of (name, step)``.
    requires : tuple of str
        ``"module"`` or ``"module:attribute"`` that must import.
    semi_supervised : bool
        The recipe needs unlabelled rows and runs only on data that has them.
    deep : bool
        The recipe needs the ``deep`` extra.
    """

    name: str
    summary: str
    factory: object = field(repr=False)
    requires: tuple = ()
    semi_supervised: bool = False
    deep: bool = False

    def missing(self):
        """Why the recipe cannot run here, or None when it can."""
        for requirement in self.requires:
            module_name, _, attribute = requirement.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                return f"{module_name} cannot be imported ({exc})"
            if attribute and not hasattr(module, attribute):
                return f"{module_name}.{attribute} does not exist"
        return None

    def build(self, random_state, context):
        """The steps of this recipe, after the preprocessing."""
        return self.factory(random_state, dict(context))


_DEEP = ("torch", "skorch", "ltlearn.deep:LongTailClassifier")

_ALL = [
    Recipe("plain", "logistic regression, no rebalancing", _plain),
    Recipe(
        "class_weight",
        'logistic regression with class_weight="balanced"',
        _class_weight,
    ),
    Recipe(
        "smote",
        "SMOTE over-sampling, then logistic regression",
        _smote,
        requires=("ltlearn.over_sampling:SMOTE",),
    ),
    Recipe(
        "cog",
        "COG: k-means sub-classes within each class, logistic regression",
        _cog,
        requires=("ltlearn.decomposition:COGClassifier",),
    ),
    Recipe(
        "cog_os",
        "COG-OS: COG with the rare classes replicated to the weight of the largest",
        _cog_os,
        requires=("ltlearn.decomposition:COGClassifier",),
    ),
    Recipe(
        "threshold_moving",
        "threshold-moving with balanced costs on logistic regression",
        _threshold_moving,
        requires=("ltlearn.post_hoc:ThresholdMovingClassifier",),
    ),
    Recipe(
        "logit_adjustment",
        "post-hoc logit adjustment (tau=1) of logistic regression",
        _logit_adjustment,
        requires=("ltlearn.post_hoc:LogitAdjustedClassifier",),
    ),
    Recipe(
        "plugin",
        "plug-in rule consistent for the chosen scoring, logistic regression",
        _plugin,
        requires=("ltlearn.post_hoc:PluginClassifier",),
    ),
    Recipe(
        "crest",
        "CReST self-training on the unlabelled rows, logistic regression",
        _crest,
        requires=("ltlearn.semi_supervised:CReSTClassifier",),
        semi_supervised=True,
    ),
    Recipe(
        "crest_plus",
        "CReST+ (distribution alignment), logistic regression",
        _crest_plus,
        requires=("ltlearn.semi_supervised:CReSTClassifier",),
        semi_supervised=True,
    ),
    Recipe(
        "deep_ce",
        "MLP with cross-entropy",
        _deep_ce,
        requires=_DEEP,
        deep=True,
    ),
    Recipe(
        "deep_focal",
        "MLP with the focal loss",
        _deep_focal,
        requires=_DEEP,
        deep=True,
    ),
    Recipe(
        "deep_logit_adjusted",
        "MLP with the logit-adjusted loss",
        _deep_logit_adjusted,
        requires=_DEEP,
        deep=True,
    ),
    Recipe(
        "deep_balanced_softmax",
        "MLP with the balanced softmax loss",
        _deep_balanced_softmax,
        requires=_DEEP,
        deep=True,
    ),
    Recipe(
        "deep_ldam_drw",
        "MLP with the LDAM loss and deferred re-weighting",
        _deep_ldam_drw,
        requires=_DEEP,
        deep=True,
    ),
]

RECIPES = {recipe.name: recipe for recipe in _ALL}


def resolve_methods(names=None):
    """Pick recipes by name.

    Parameters
    ----------
    names : list of str or None
        Recipe names. ``None`` picks every recipe that can run here.

    Returns
    -------
    recipes : list of Recipe
        In registry order.
    skipped : dict
        ``{name: reason}`` for the recipes left out because they cannot run.

    Raises
    ------
    CompareError
        For an unknown name (the message lists the known ones), or a named
        recipe that cannot run here.
    """
    if names is None:
        recipes, skipped = [], {}
        for recipe in RECIPES.values():
            reason = recipe.missing()
            if reason is None:
                recipes.append(recipe)
            else:
                skipped[recipe.name] = reason
        return recipes, skipped

    unknown = [name for name in names if name not in RECIPES]
    if unknown:
        raise CompareError(
            f"Unknown method {unknown[0]!r}; the known methods are: "
            f"{', '.join(RECIPES)}."
        )
    chosen = []
    for name in dict.fromkeys(names):
        recipe = RECIPES[name]
        reason = recipe.missing()
        if reason is not None:
            hint = ""
            if recipe.deep:
                hint = " Install the deep extra: pip install 'ltlearn[deep]'."
            raise CompareError(f"Method {name!r} cannot run here: {reason}.{hint}")
        chosen.append(recipe)
    order = list(RECIPES)
    return sorted(chosen, key=lambda recipe: order.index(recipe.name)), {}
