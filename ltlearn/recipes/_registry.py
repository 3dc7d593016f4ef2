"""The registry of named recipes that ``ltlearn compare`` can run."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
from dataclasses import dataclass, field
from functools import partial

from ltlearn._compare._data import CompareError, _close, make_preprocessor
from ltlearn._compare._options import MODELS
from ltlearn.recipes._factories import (
    _balanced_bagging,
    _brf,
    _class_weight,
    _cog,
    _cog_os,
    _crest,
    _crest_plus,
    _deep_balanced_softmax,
    _deep_ce,
    _deep_focal,
    _deep_ldam_drw,
    _deep_logit_adjusted,
    _easy_ensemble,
    _logit_adjustment,
    _plain,
    _plugin,
    _recommended,
    _rusboost,
    _smote,
    _threshold_moving,
    _tuned_threshold,
)

_MODEL_NAMES = {
    "lr": "logistic regression",
    "rf": "random forest",
    "hgb": "histogram gradient boosting",
    "mlp": "MLP",
}


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
    model : str or None
        The base model (a key of ``MODELS``), None for a fixed estimator.
    peer : bool
        The recipe is another library's method, run for comparison.
    binary_only : bool
        The estimator supports two classes only.
    native_categorical : bool
        The recipe takes the categorical columns as codes and encodes them
        itself (see :meth:`pipeline`).
    """

    name: str
    summary: str
    factory: object = field(repr=False)
    requires: tuple = ()
    semi_supervised: bool = False
    deep: bool = False
    model: str = None
    peer: bool = False
    binary_only: bool = False
    native_categorical: bool = False

    def missing(self):
        """Why the recipe cannot run here, or None when it can."""
        for requirement in self.requires:
            module_name, _, attribute = requirement.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                return f"{module_name} cannot be imported ({exc})"
            except Exception as exc:  # an install that fails in its own way
                # torch's OSError for a shared library it cannot load, skorch's
                # AttributeError under python -OO: the other recipes run. A
                # fault of ltlearn's own modules is a bug, not a missing extra.
                if module_name.partition(".")[0] == "ltlearn":
                    raise
                return f"{module_name} cannot be imported ({type(exc).__name__}: {exc})"
            if attribute and not hasattr(module, attribute):
                return f"{module_name}.{attribute} does not exist"
        return None

    def unavailable(self):
        """Why the recipe cannot run here and what adds it, or None when it can."""
        reason = self.missing()
        if reason is not None and self.deep:
            reason += ". Install the deep extra: pip install 'ltlearn[deep]'"
        return reason

    def build(self, random_state, context):
        """The steps of this recipe, after the preprocessing."""
        return self.factory(random_state, dict(context))

    def pipeline(self, random_state, context, preprocessing):
        """The preprocessing of ``make_preprocessor`` then this recipe."""
        from imblearn.pipeline import Pipeline

        steps = make_preprocessor(
            preprocessing, native_categorical=self.native_categorical
        )
        return Pipeline(steps + self.build(random_state, context))


_DEEP = ("torch", "skorch", "ltlearn.deep:LongTailClassifier")

# The rebalancing recipes that cross with the base models:
# (name, summary, factory, requires, semi_supervised).
_FAMILIES = [
    ("plain", "{model}, no rebalancing", _plain, (), False),
    ("class_weight", '{model} with class_weight="balanced"', _class_weight, (), False),
    (
        "smote",
        "SMOTE over-sampling (SMOTE-NC on categorical columns), then {model}",
        _smote,
        ("ltlearn.over_sampling:SMOTE",),
        False,
    ),
    (
        "cog",
        "COG: k-means sub-classes within each class, {model}",
        _cog,
        ("ltlearn.decomposition:COGClassifier",),
        False,
    ),
    (
        "cog_os",
        "COG-OS: COG with the rare classes replicated, {model}",
        _cog_os,
        ("ltlearn.decomposition:COGClassifier",),
        False,
    ),
    (
        "threshold_moving",
        "threshold-moving with balanced costs on {model}",
        _threshold_moving,
        ("ltlearn.post_hoc:ThresholdMovingClassifier",),
        False,
    ),
    (
        "logit_adjustment",
        "post-hoc logit adjustment (tau=1) of {model}",
        _logit_adjustment,
        ("ltlearn.post_hoc:LogitAdjustedClassifier",),
        False,
    ),
    (
        "plugin",
        "plug-in rule consistent for the chosen scoring, {model}",
        _plugin,
        ("ltlearn.post_hoc:PluginClassifier",),
        False,
    ),
    (
        "crest",
        "CReST self-training on the unlabelled rows, {model}",
        _crest,
        ("ltlearn.semi_supervised:CReSTClassifier",),
        True,
    ),
    (
        "crest_plus",
        "CReST+ (distribution alignment), {model}",
        _crest_plus,
        ("ltlearn.semi_supervised:CReSTClassifier",),
        True,
    ),
]

# The recipe that fits a base model without rebalancing where
# ``plain:<model>`` is not built.
_PLAIN_AS = {"mlp": "deep_ce"}

# Combinations of a recipe and a base model that are not built, and why.
EXCLUDED = {
    ("plain", "mlp"): f"the same as {_PLAIN_AS['mlp']}",
    ("class_weight", "mlp"): "the MLP rebalances in its loss: see deep_logit_adjusted, "
    "deep_balanced_softmax and deep_ldam_drw",
    ("cog", "mlp"): "one MLP already learns non-convex classes; sub-classes add "
    "nothing but output units",
    ("cog_os", "mlp"): "one MLP already learns non-convex classes; sub-classes add "
    "nothing but output units",
    ("crest", "mlp"): "self-training refits the MLP every generation, too slow for "
    "a comparison",
    ("crest_plus", "mlp"): "self-training refits the MLP every generation, too "
    "slow for a comparison",
    ("cog", "rf"): "trees already split non-convex classes; k-means sub-classes "
    "only fragment them",
    ("cog", "hgb"): "trees already split non-convex classes; k-means sub-classes "
    "only fragment them",
    ("cog_os", "rf"): "trees already split non-convex classes; k-means sub-classes "
    "only fragment them",
    ("cog_os", "hgb"): "trees already split non-convex classes; k-means sub-classes "
    "only fragment them",
}


# The families whose factory encodes the categorical columns itself.
_NATIVE_CATEGORICAL = {"smote"}


def _recipe_name(family, model):
    return family if model == "lr" else f"{family}:{model}"


def _crossed():
    recipes = []
    for model in MODELS:
        for family, summary, factory, requires, semi in _FAMILIES:
            if (family, model) in EXCLUDED:
                continue
            recipes.append(
                Recipe(
                    _recipe_name(family, model),
                    summary.format(model=_MODEL_NAMES[model]),
                    partial(factory, model),
                    requires=requires + (_DEEP if model == "mlp" else ()),
                    semi_supervised=semi,
                    deep=model == "mlp",
                    model=model,
                    native_categorical=family in _NATIVE_CATEGORICAL,
                )
            )
    return recipes


_DEEP_LOSSES = [
    ("deep_ce", "MLP with cross-entropy", _deep_ce),
    ("deep_focal", "MLP with the focal loss", _deep_focal),
    ("deep_logit_adjusted", "MLP with the logit-adjusted loss", _deep_logit_adjusted),
    (
        "deep_balanced_softmax",
        "MLP with the balanced softmax loss",
        _deep_balanced_softmax,
    ),
    (
        "deep_ldam_drw",
        "MLP with the LDAM loss and deferred re-weighting",
        _deep_ldam_drw,
    ),
]

_PEERS = [
    (
        "brf",
        "imbalanced-learn BalancedRandomForestClassifier (100 trees, "
        "sampling_strategy='all', replacement, no bootstrap)",
        _brf,
        False,
    ),
    (
        "easy_ensemble",
        "imbalanced-learn EasyEnsembleClassifier (10 AdaBoost learners)",
        _easy_ensemble,
        False,
    ),
    ("rusboost", "imbalanced-learn RUSBoostClassifier", _rusboost, False),
    (
        "balanced_bagging",
        "imbalanced-learn BalancedBaggingClassifier",
        _balanced_bagging,
        False,
    ),
    (
        "tuned_threshold",
        "scikit-learn TunedThresholdClassifierCV(LogisticRegression(), "
        "scoring='balanced_accuracy')",
        _tuned_threshold,
        True,
    ),
]

_ALL = [
    Recipe(
        "recommended",
        "ltlearn's recommended classifier: averaged random-forest, extra-trees "
        "and logistic probabilities with the decision rule of the chosen scoring",
        _recommended,
        requires=("ltlearn.post_hoc:PluginClassifier",),
    ),
    *_crossed(),
    *(
        Recipe(name, summary, factory, requires=_DEEP, deep=True)
        for name, summary, factory in _DEEP_LOSSES
    ),
    *(
        Recipe(name, summary, factory, peer=True, binary_only=binary_only)
        for name, summary, factory, binary_only in _PEERS
    ),
]

RECIPES = {recipe.name: recipe for recipe in _ALL}

# ``ltlearn compare`` crosses the rebalancing recipes with these models unless
# told otherwise; the other models are opt-in with ``--models`` (they multiply
# the run time). The recommended recipe, the MLP losses and the peers always run.
DEFAULT_MODELS = ("lr",)


def _unknown_model(model, name=None):
    """The message for an unknown ``model`` (of the crossed recipe ``name``)."""
    where = "" if name is None else f" in {name!r}"
    return (
        f"Unknown model {model!r}{where}; the models are: "
        f"{', '.join(MODELS)}.{_close(model, MODELS)}"
    )


def _model_as_recipe(name, crossing):
    """What to name instead of ``name`` when it is a base model, or "".

    ``crossing`` is how the caller runs the recipes on a model
    (``--models hgb``, ``model='hgb'``).
    """
    model = name.strip().lower()
    if model not in MODELS:
        return ""
    alone = _PLAIN_AS.get(model, _recipe_name("plain", model))
    return (
        f" {name!r} is a base model, not a recipe: {alone} fits it without "
        f"rebalancing, and {crossing.format(model=model)} runs the "
        "rebalancing recipes on it."
    )


def resolve_methods(names=None, models=None):
    """Pick recipes by name.

    Parameters
    ----------
    names : list of str or None
        Recipe names. ``None`` picks every recipe that can run here on the
        chosen models, with the recommended recipe and the peers.
    models : list of str or None
        Base models when ``names`` is None (default: ``DEFAULT_MODELS``).
        With ``names``, each named rebalancing recipe runs on each of these
        models that it has a variant for (``plain`` with ``["lr", "rf"]``
        gives ``plain`` and ``plain:rf``); the fixed estimators and the
        names with a model (``plain:hgb``) run as they are.

    Returns
    -------
    recipes : list of Recipe
        In registry order.
    skipped : dict
        ``{name: reason}`` for the recipes left out because they cannot run.

    Raises
    ------
    CompareError
        For an unknown name (the message lists the known ones), a named
        recipe that cannot run here, or an empty ``models``.
    """
    if models is not None:
        if not models:
            # --models "" (an unset shell variable) left out every rebalancing
            # recipe without a word, or named "the models ;" with --methods.
            raise CompareError(
                f"--models names no model; give some of {', '.join(MODELS)} "
                "(default: lr)."
            )
        unknown = [model for model in models if model not in MODELS]
        if unknown:
            raise CompareError(_unknown_model(unknown[0]))
    if names is None:
        chosen_models = set(DEFAULT_MODELS if models is None else models)
        recipes, skipped = [], {}
        for recipe in RECIPES.values():
            if recipe.model is not None and recipe.model not in chosen_models:
                continue
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
            f"{', '.join(RECIPES)}.{_close(unknown[0], RECIPES)}"
            f"{_model_as_recipe(unknown[0], '--models {model}')}"
        )
    skipped = {}
    if models is not None:
        names, skipped = _cross_with_models(names, models)
    chosen = []
    for name in dict.fromkeys(names):
        recipe = RECIPES[name]
        reason = recipe.unavailable()
        if reason is not None:
            raise CompareError(f"Method {name!r} cannot run here: {reason}.")
        chosen.append(recipe)
    order = list(RECIPES)
    return sorted(chosen, key=lambda recipe: order.index(recipe.name)), skipped


def _runs_as_is(name):
    """Whether ``name`` takes no model: a fixed estimator, or its model named."""
    return RECIPES[name].model is None or ":" in name


def _cross_with_models(names, models):
    """The named recipes on each of ``models``; the variants that do not exist."""
    if all(_runs_as_is(name) for name in names):
        # --methods brf --models rf ran brf alone, --models unused and unsaid.
        raise CompareError(
            f"--models {' '.join(models)} applies to none of the --methods "
            f"{' '.join(names)}: recommended, the MLP losses, the peers and a "
            "name with its model (plain:rf) run as they are. Name a rebalancing "
            "recipe without a model, such as plain or smote, or leave out --models."
        )
    crossed, skipped = [], {}
    for name in names:
        if _runs_as_is(name):
            crossed.append(name)
            continue
        variants = {model: _recipe_name(name, model) for model in models}
        found = [variant for variant in variants.values() if variant in RECIPES]
        if not found:
            raise CompareError(
                f"Method {name!r} has no variant on the models "
                f"{', '.join(models)}; see --list for the recipes of each model."
            )
        crossed += found
        for model, variant in variants.items():
            if variant not in RECIPES:
                skipped[variant] = f"{name} has no variant on {model}"
    return crossed, skipped
