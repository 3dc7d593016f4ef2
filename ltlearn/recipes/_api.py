"""Public access to the named recipes."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.utils._param_validation import validate_params

from ltlearn._compare._data import _close
from ltlearn.metrics._scorer import _SCORER_ALIASES
from ltlearn.recipes._factories import _PLUGIN_SCORING
from ltlearn.recipes._registry import (
    EXCLUDED,
    MODELS,
    RECIPES,
    _model_as_recipe,
    _recipe_name,
    _unknown_model,
)


def list_recipes():
    """The names of every recipe, the recommended one first.

    A recipe crossed with a base model other than logistic regression is
    named ``"recipe:model"`` (``"plugin:rf"``); the peers from other libraries
    (``"brf"``, ``"easy_ensemble"``, ...) are included. Recipes whose
    optional dependencies are missing are listed too; building one raises.

    Returns
    -------
    names : list of str
        The names :func:`make_recipe` and ``ltlearn compare --methods``
        accept.

    Examples
    --------
    >>> from ltlearn.recipes import list_recipes
    >>> list_recipes()[:3]
    ['recommended', 'plain', 'class_weight']
    >>> "plugin:rf" in list_recipes()
    True
    """
    return list(RECIPES)


@validate_params(
    {
        "name": [str],
        "model": [str],
        "random_state": ["random_state"],
        "scoring": [str],
    },
    prefer_skip_nested_validation=True,
)
def make_recipe(name, *, model="lr", random_state=None, scoring="balanced_accuracy"):
    """Build a named recipe as an unfitted estimator.

    The estimator expects numeric features that are already preprocessed
    (imputed, scaled, one-hot encoded): ``ltlearn compare`` fits its own
    preprocessing before it, and so should you, e.g. in a pipeline after a
    :class:`~sklearn.compose.ColumnTransformer`.

    Parameters
    ----------
    name : str
        A name from :func:`list_recipes`: ``"recommended"``, a rebalancing
        recipe (``"plugin"``, ``"smote"``, ...), a peer (``"brf"``, ...) or a
        crossed name such as ``"plugin:rf"``.
    model : {"lr", "rf", "hgb", "mlp"}, default="lr"
        The base model of a rebalancing recipe: logistic regression, random
        forest, histogram gradient boosting or the MLP of
        :class:`ltlearn.deep.LongTailClassifier` (``deep`` extra). Ignored by
        the recipes with a fixed estimator (``recommended``, the peers, the
        ``deep_*`` losses) and when ``name`` already names a model.
    random_state : int, RandomState instance or None, default=None
        Seeds every random step of the recipe.
    scoring : {"balanced_accuracy", "geometric_mean", "macro_f1", \
            "f1_macro", "few_shot_accuracy"}, default="balanced_accuracy"
        The metric the decision rule of ``recommended`` and ``plugin``
        targets; ``"f1_macro"``, scikit-learn's name of the macro-F1 (which
        the post-hoc rules' ``scoring`` takes too), is ``"macro_f1"``;
        ``"few_shot_accuracy"`` uses the balanced-accuracy rule, which weighs
        every class equally as that metric does. The other recipes do not use
        it: ``tuned_threshold`` tunes its threshold for balanced accuracy
        whatever ``scoring`` says.

    Returns
    -------
    estimator : estimator object
        An imbalanced-learn :class:`~imblearn.pipeline.Pipeline` when the
        recipe resamples, otherwise the classifier itself.

    Raises
    ------
    ValueError
        For an unknown name, model or scoring, or a combination of recipe and
        model that is not built (the message says why).
    ImportError
        When an optional dependency of the recipe is missing; the message
        names the extra that installs it.

    See Also
    --------
    list_recipes : The names.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.recipes import make_recipe
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = make_recipe("smote", model="rf", random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape
    (4,)
    """
    from imblearn.pipeline import Pipeline

    if model not in MODELS:
        raise ValueError(_unknown_model(model))
    scoring = _SCORER_ALIASES.get(scoring, scoring)
    if scoring not in _PLUGIN_SCORING:
        raise ValueError(
            f"Unknown scoring {scoring!r}; choose one of "
            f"{(*_PLUGIN_SCORING, *_SCORER_ALIASES)}."
        )
    # the recipe and the model asked for: a crossed name ("cog:rf") names both,
    # and then model is ignored
    family, _, named_model = name.partition(":")
    crossed = family in RECIPES and RECIPES[family].model == "lr"
    if named_model and crossed and named_model not in MODELS:
        raise ValueError(_unknown_model(named_model, name))
    asked = (family, named_model) if named_model else (name, model)
    if asked in EXCLUDED:  # every excluded family is a recipe on "lr"
        raise ValueError(
            f"Recipe {asked[0]!r} is not built on model {asked[1]!r}: "
            f"{EXCLUDED[asked]}."
        )
    if name not in RECIPES:
        raise ValueError(
            f"Unknown recipe {name!r}; list_recipes() gives the names: "
            f"{', '.join(RECIPES)}.{_close(name, RECIPES)}"
            f"{_model_as_recipe(name, 'model={model!r}')}"
        )
    recipe = RECIPES[name]
    if recipe.model == "lr" and model != "lr":
        recipe = RECIPES[_recipe_name(name, model)]
    reason = recipe.unavailable()
    if reason is not None:
        raise ImportError(f"Recipe {recipe.name!r} cannot be built here: {reason}.")
    steps = recipe.build(random_state, {"scoring": scoring})
    if len(steps) == 1:
        return steps[0][1]
    return Pipeline(steps)
