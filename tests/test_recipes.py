"""The public recipe registry, ltlearn.recipes."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
from dataclasses import replace

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score

from ltlearn.recipes import list_recipes, make_recipe
from ltlearn.recipes._registry import EXCLUDED, RECIPES, resolve_methods


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=150, n_features=5, weights=[0.85], random_state=0
    )


def test_list_recipes_starts_with_recommended_and_has_models_and_peers():
    names = list_recipes()
    assert names[0] == "recommended"
    assert len(names) == len(set(names))
    for name in ("plugin", "plugin:rf", "class_weight:hgb", "brf", "tuned_threshold"):
        assert name in names
    for family, model in EXCLUDED:
        assert f"{family}:{model}" not in names
        # make_recipe(family, model=model) is refused by this same entry
        assert RECIPES[family].model == "lr"
    peers = {n for n in names if RECIPES[n].peer}
    assert peers == {
        "brf",
        "easy_ensemble",
        "rusboost",
        "balanced_bagging",
        "tuned_threshold",
    }


@pytest.mark.parametrize(
    "name, model",
    [
        ("recommended", "lr"),
        ("plain", "lr"),
        ("class_weight", "hgb"),
        ("class_weight", "rf"),
        ("plugin", "rf"),
        ("logit_adjustment", "hgb"),
        ("smote", "rf"),
        ("brf", "lr"),
    ],
)
def test_make_recipe_returns_an_unfitted_estimator_that_fits(data, name, model):
    X, y = data
    X_before = X.copy()
    estimator = make_recipe(name, model=model, random_state=0)
    assert not hasattr(estimator, "classes_")
    clone(estimator)
    y_pred = estimator.fit(X, y).predict(X)
    assert balanced_accuracy_score(y, y_pred) > 0.6
    np.testing.assert_array_equal(X, X_before)
    again = make_recipe(name, model=model, random_state=0).fit(X, y)
    np.testing.assert_array_equal(y_pred, again.predict(X))
    # every random step is seeded: the probabilities are the same too (a
    # forest predicts its training rows alike whatever rows SMOTE adds)
    np.testing.assert_array_equal(estimator.predict_proba(X), again.predict_proba(X))


@pytest.mark.parametrize("name", list_recipes())
def test_every_recipe_builds_an_unfitted_estimator_that_clones(name):
    if RECIPES[name].missing() is not None:
        pytest.skip(f"{name} cannot be built here: {RECIPES[name].missing()}")
    estimator = make_recipe(name, random_state=0)
    copy = clone(estimator)
    assert repr(copy) == repr(estimator)
    assert copy.get_params().keys() == estimator.get_params().keys()


def test_make_recipe_without_a_dependency_names_the_extra(monkeypatch):
    # "torch cannot be imported" said what was missing, not what installs it,
    # as ltlearn compare --methods deep_ce and import ltlearn.deep do.
    absent = replace(RECIPES["deep_ce"], requires=("ltlearn_absent_module",))
    monkeypatch.setitem(RECIPES, "deep_ce", absent)
    with pytest.raises(ImportError) as info:
        make_recipe("deep_ce")
    assert str(info.value) == (
        "Recipe 'deep_ce' cannot be built here: ltlearn_absent_module cannot be "
        "imported (No module named 'ltlearn_absent_module'). Install the deep "
        "extra: pip install 'ltlearn[deep]'."
    )


def test_a_dependency_that_fails_to_load_leaves_its_recipes_out(
    monkeypatch, failing_import
):
    # An OSError (or skorch's AttributeError under python -OO) went through:
    # ltlearn compare --list and the default comparison ended in a traceback,
    # although only the deep recipes need torch.
    error = OSError("libc10.so: cannot open shared object file")
    failing_import("ltlearn_broken_module", error)
    broken = replace(RECIPES["deep_ce"], requires=("ltlearn_broken_module",))
    monkeypatch.setitem(RECIPES, "deep_ce", broken)
    reason = (
        "ltlearn_broken_module cannot be imported (OSError: libc10.so: cannot "
        "open shared object file)"
    )
    recipes, skipped = resolve_methods(None, None)
    assert skipped["deep_ce"] == reason
    assert "plain" in [recipe.name for recipe in recipes]
    with pytest.raises(ImportError, match=re.escape(reason)):
        make_recipe("deep_ce")


def test_a_fault_of_an_ltlearn_module_is_not_a_missing_extra(
    monkeypatch, failing_import
):
    # Any error of an ltlearn module a recipe needs left the recipe out as
    # "cannot be imported", with "pip install 'ltlearn[deep]' adds them".
    failing_import("ltlearn._broken_module", NameError("name 'nn' is not defined"))
    broken = replace(RECIPES["deep_ce"], requires=("ltlearn._broken_module",))
    monkeypatch.setitem(RECIPES, "deep_ce", broken)
    with pytest.raises(NameError, match="'nn' is not defined"):
        resolve_methods(None, None)
    with pytest.raises(NameError, match="'nn' is not defined"):
        make_recipe("deep_ce")


def test_make_recipe_uses_the_model_and_a_pipeline_for_samplers():
    smote = make_recipe("smote", model="hgb")
    assert isinstance(smote, Pipeline)
    assert type(smote[-1]).__name__ == "HistGradientBoostingClassifier"
    assert make_recipe("class_weight", model="hgb").class_weight == "balanced"
    assert type(make_recipe("plugin", model="rf").estimator).__name__ == (
        "RandomForestClassifier"
    )
    assert repr(make_recipe("plugin:rf")) == repr(make_recipe("plugin", model="rf"))
    brf = make_recipe("brf")
    assert (brf.n_estimators, brf.sampling_strategy, brf.replacement) == (
        100,
        "all",
        True,
    )
    assert brf.bootstrap is False
    assert make_recipe("tuned_threshold").scoring == "balanced_accuracy"


@pytest.mark.parametrize(
    "name, parameter, value",
    [
        ("cog", "oversample", None),
        ("cog_os", "oversample", "replicate"),
        ("threshold_moving", "cost_matrix", "balanced"),
        ("logit_adjustment", "tau", 1.0),
        ("crest", "distribution_alignment", False),
        ("crest_plus", "distribution_alignment", True),
    ],
)
def test_recipes_set_the_parameters_of_their_summaries(name, parameter, value):
    # "COG-OS: COG with the rare classes replicated", "threshold-moving with
    # balanced costs", "post-hoc logit adjustment (tau=1)", "CReST+ (distribution
    # alignment)"
    assert make_recipe(name).get_params()[parameter] == value


def test_ldam_drw_recipe_reweights_the_last_fifth_of_the_epochs():
    pytest.importorskip("skorch")
    (callback,) = make_recipe("deep_ldam_drw").callbacks
    assert callback.start_epoch == 0.8


def test_the_mlp_of_the_crossed_recipes_is_that_of_deep_ce():
    # plain:mlp is left out as "the same as deep_ce": the crossed recipes
    # wrap that very network
    pytest.importorskip("skorch")
    base = make_recipe("plugin", model="mlp", random_state=0).estimator
    assert repr(base) == repr(make_recipe("deep_ce", random_state=0))


@pytest.mark.parametrize("n_numeric", [0, 1, 2])
def test_smote_on_category_codes_marks_the_columns_of_the_codes(n_numeric):
    # the codes of 2 one-hot and 1 ordinal column follow the numeric columns
    # (make_preprocessor(native_categorical=True)); without numeric columns
    # SMOTE-N, which takes categorical columns only
    context = {"categorical": (2, 1), "n_features": n_numeric + 3}
    steps = RECIPES["smote"].build(0, context)
    assert [name for name, _ in steps] == [
        "sampler",
        "encode_categories",
        "classifier",
    ]
    sampler, encode = steps[0][1], steps[1][1]
    if n_numeric:
        assert type(sampler).__name__ == "SMOTENC"
        assert sampler.categorical_features == [n_numeric, n_numeric + 1, n_numeric + 2]
    else:
        assert type(sampler).__name__ == "SMOTEN"
    columns = {name: cols for name, _, cols in encode.transformers}
    assert columns == {
        "one_hot": [n_numeric, n_numeric + 1],
        "ordinal": [n_numeric + 2],
    }


def test_make_recipe_scoring_reaches_the_plugin_rule():
    assert make_recipe("plugin", scoring="macro_f1").scoring == "f1_macro"


@pytest.mark.parametrize("name", ["plugin", "recommended"])
def test_make_recipe_takes_scikit_learn_name_of_macro_f1(name):
    # "f1_macro", the name the post-hoc rules and get_scorer take, is the
    # recipes' "macro_f1"
    recipe = make_recipe(name, scoring="f1_macro")
    assert recipe.scoring == "f1_macro"
    assert repr(recipe) == repr(make_recipe(name, scoring="macro_f1"))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "nope"}, "Unknown recipe 'nope'"),
        ({"name": "plain", "model": "svm"}, "Unknown model 'svm'"),
        # a crossed name with an unknown model was "Unknown recipe 'plain:svm'"
        # followed by the 41 names; the model list was a tuple's repr; no
        # close name was suggested, as the command line does
        ({"name": "plain:svm"}, r"^Unknown model 'svm' in 'plain:svm'; the mod"),
        # a recipe of a fixed estimator has no variant on any model
        ({"name": "deep_ce:svm"}, r"^Unknown recipe 'deep_ce:svm'.*'deep_ce'"),
        ({"name": "recommended:x"}, r"^Unknown recipe 'recommended:x'"),
        ({"name": "plain", "model": "RF"}, r"models are: lr, rf, hgb, mlp\. Did yo"),
        ({"name": "plugn"}, r"Did you mean 'plugin', 'plugin:rf', 'plugin:mlp'\?$"),
        # a base model given as the recipe listed the 41 names and nothing more
        ({"name": "hgb"}, r"'hgb' is a base model, not a recipe: plain:hgb fits "),
        ({"name": "mlp"}, r": deep_ce fits it .* model='mlp' runs the rebalancing"),
        ({"name": "plain", "scoring": "accuracy"}, "Unknown scoring"),
        ({"name": "cog", "model": "rf"}, "not built on model 'rf': trees"),
        ({"name": "cog:rf"}, "not built on model 'rf': trees"),
        # the crossed name wins over model, as for the names that are built
        ({"name": "cog:mlp", "model": "hgb"}, "not built on model 'mlp': one MLP"),
        ({"name": "plain", "random_state": "a"}, "random_state"),
        ({"name": ["plain"]}, "'name' parameter"),
    ],
)
def test_make_recipe_errors_name_the_problem(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_recipe(**kwargs)


def test_default_methods_put_recommended_first_with_peers_and_no_forest_crosses():
    recipes, _ = resolve_methods(None)
    names = [recipe.name for recipe in recipes]
    assert names[0] == "recommended"
    assert {"brf", "easy_ensemble", "rusboost", "balanced_bagging"} <= set(names)
    assert not any(name.endswith((":rf", ":hgb")) for name in names)
    rf, _ = resolve_methods(None, models=["rf"])
    rf_names = [recipe.name for recipe in rf]
    assert "plugin:rf" in rf_names and "plugin" not in rf_names
    assert "recommended" in rf_names and "brf" in rf_names


def test_unknown_model_is_refused_by_name():
    from ltlearn._compare._data import CompareError

    with pytest.raises(CompareError, match="Unknown model 'svm'"):
        resolve_methods(None, models=["svm"])


@pytest.mark.parametrize("names", [None, ["plain"]])
def test_models_that_name_no_model_are_refused(names):
    from ltlearn._compare._data import CompareError

    # --models "" (an unset shell variable) dropped every rebalancing recipe
    # of the default selection without a word.
    with pytest.raises(CompareError, match="--models names no model; give some of"):
        resolve_methods(names, models=[])


@pytest.mark.parametrize(
    "names", [["brf"], ["recommended", "tuned_threshold"], ["plain:rf"]]
)
def test_models_that_apply_to_none_of_the_named_recipes_are_refused(names):
    from ltlearn._compare._data import CompareError

    # --methods brf --models rf ran brf alone, without a word on --models.
    with pytest.raises(
        CompareError, match=f"--models hgb applies to none of the --methods {names[0]}"
    ):
        resolve_methods(names, models=["hgb"])


def test_models_cross_the_named_recipes():
    from ltlearn._compare._data import CompareError

    # --methods plain brf --models lr rf: --models was silently not applied.
    recipes, skipped = resolve_methods(["plain", "brf"], models=["lr", "rf"])
    assert [recipe.name for recipe in recipes] == ["plain", "plain:rf", "brf"]
    assert skipped == {}
    # A name with a model runs as it is; a variant that is not built is said.
    recipes, skipped = resolve_methods(["plain:rf", "cog"], models=["lr", "hgb"])
    assert [recipe.name for recipe in recipes] == ["cog", "plain:rf"]
    assert skipped == {"cog:hgb": "cog has no variant on hgb"}
    with pytest.raises(CompareError, match="'cog' has no variant on the models rf"):
        resolve_methods(["cog"], models=["rf"])


def test_a_method_named_twice_runs_once():
    # a name given twice, or given both crossed and by --models
    recipes, _ = resolve_methods(["smote", "plain", "smote"])
    assert [recipe.name for recipe in recipes] == ["plain", "smote"]
    recipes, _ = resolve_methods(["plain", "plain:rf"], models=["lr", "rf"])
    assert [recipe.name for recipe in recipes] == ["plain", "plain:rf"]


def test_compare_list_shows_peers_and_the_combinations_not_built(capsys):
    from ltlearn.cli import main

    assert main(["compare", "--list"]) == 0
    out = capsys.readouterr().out
    assert "plugin:hgb" in out and "[peer]" in out
    assert "cog:rf  trees already split non-convex classes" in out
    assert out.index("recommended") < out.index("plain")


def test_compare_list_names_the_extra_of_a_recipe_that_cannot_run(monkeypatch, capsys):
    # --list marked a deep recipe "[unavailable: torch cannot be imported
    # (...)]" without the extra that adds it, which make_recipe and
    # compare --methods name.
    from ltlearn.cli import main

    absent = replace(RECIPES["deep_ce"], requires=("ltlearn_absent_module",))
    monkeypatch.setitem(RECIPES, "deep_ce", absent)
    assert main(["compare", "--list"]) == 0
    line = next(
        line for line in capsys.readouterr().out.splitlines() if "deep_ce " in line
    )
    assert line.endswith(
        "[unavailable: ltlearn_absent_module cannot be imported (No module named "
        "'ltlearn_absent_module'). Install the deep extra: pip install "
        "'ltlearn[deep]']"
    )
