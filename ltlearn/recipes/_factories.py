"""The factories of the recipes: the steps each one adds after preprocessing."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

# Every recipe is a factory that imports its estimator when called, so that the
# registry loads without torch, and a recipe whose estimator is not installed
# is reported as unavailable instead of breaking the others. A factory takes the
# random state and a context dict (``scoring``, ``n_features``, ``n_classes``)
# and returns the steps that follow the preprocessing in an imbalanced-learn
# Pipeline. User input only ever selects a key of ``RECIPES``.

# The deep recipes train a small MLP for a fixed, modest number of epochs: the
# comparison is meant to run on a laptop CPU in minutes.
_DEEP_EPOCHS = 30


def _base(model, random_state, **params):
    """The base classifier of a rebalancing recipe."""
    if model == "rf":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=100, random_state=random_state, **params
        )
    if model == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=random_state, **params)
    if model == "mlp":
        from ltlearn.deep import LongTailClassifier

        return LongTailClassifier(
            criterion="ce", max_epochs=_DEEP_EPOCHS, random_state=random_state, **params
        )
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=random_state, **params)


def _plain(model, random_state, context):
    return [("classifier", _base(model, random_state))]


def _class_weight(model, random_state, context):
    return [("classifier", _base(model, random_state, class_weight="balanced"))]


def _smote(model, random_state, context):
    from ltlearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    n_one_hot, n_ordinal = context.get("categorical", (0, 0))
    if not n_one_hot + n_ordinal:
        return [
            ("sampler", SMOTE(random_state=random_state)),
            ("classifier", _base(model, random_state)),
        ]
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    # The categorical columns arrive as codes after the numeric ones (see
    # ``make_preprocessor(native_categorical=True)``): SMOTE-NC draws their
    # synthetic categories from the neighbours instead of interpolating
    # one-hot columns, and they are encoded afterwards.
    n_features = context["n_features"]
    first = n_features - n_one_hot - n_ordinal
    one_hot = list(range(first, first + n_one_hot))
    ordinal = list(range(first + n_one_hot, n_features))
    if first == 0:
        sampler = SMOTEN(random_state=random_state)
    else:
        sampler = SMOTENC(one_hot + ordinal, random_state=random_state)
    encode = ColumnTransformer(
        [
            (
                "one_hot",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                one_hot,
            ),
            ("ordinal", StandardScaler(), ordinal),
        ],
        remainder="passthrough",
    )
    return [
        ("sampler", sampler),
        ("encode_categories", encode),
        ("classifier", _base(model, random_state)),
    ]


def _cog(model, random_state, context, oversample=None):
    from ltlearn.decomposition import COGClassifier

    params = {} if oversample is None else {"oversample": oversample}
    return [
        (
            "classifier",
            COGClassifier(
                _base(model, random_state), random_state=random_state, **params
            ),
        )
    ]


def _cog_os(model, random_state, context):
    return _cog(model, random_state, context, oversample="replicate")


def _threshold_moving(model, random_state, context):
    from ltlearn.post_hoc import ThresholdMovingClassifier

    return [
        (
            "classifier",
            ThresholdMovingClassifier(
                _base(model, random_state), cost_matrix="balanced"
            ),
        )
    ]


def _logit_adjustment(model, random_state, context):
    from ltlearn.post_hoc import LogitAdjustedClassifier

    return [
        ("classifier", LogitAdjustedClassifier(_base(model, random_state), tau=1.0))
    ]


_PLUGIN_SCORING = {
    "balanced_accuracy": "balanced_accuracy",
    "geometric_mean": "geometric_mean",
    "macro_f1": "f1_macro",
    # Few-shot accuracy has no consistent plug-in rule of its own; balanced
    # accuracy weighs every class equally, which is what it rewards.
    "few_shot_accuracy": "balanced_accuracy",
}


def _plugin(model, random_state, context):
    from ltlearn.post_hoc import PluginClassifier

    scoring = _PLUGIN_SCORING[context["scoring"]]
    return [
        (
            "classifier",
            PluginClassifier(_base(model, random_state), scoring=scoring, cv=3),
        )
    ]


def _crest(model, random_state, context, distribution_alignment=False):
    from ltlearn.semi_supervised import CReSTClassifier

    return [
        (
            "classifier",
            CReSTClassifier(
                _base(model, random_state),
                distribution_alignment=distribution_alignment,
                random_state=random_state,
            ),
        )
    ]


def _crest_plus(model, random_state, context):
    return _crest(model, random_state, context, distribution_alignment=True)


def _recommended(random_state, context):
    from ltlearn.recipes._recommended import recommended_classifier

    scoring = _PLUGIN_SCORING[context["scoring"]]
    return [
        (
            "classifier",
            recommended_classifier(random_state=random_state, scoring=scoring),
        )
    ]


def _brf(random_state, context):
    from imblearn.ensemble import BalancedRandomForestClassifier

    return [
        (
            "classifier",
            BalancedRandomForestClassifier(
                n_estimators=100,
                sampling_strategy="all",
                replacement=True,
                bootstrap=False,
                random_state=random_state,
            ),
        )
    ]


def _easy_ensemble(random_state, context):
    from imblearn.ensemble import EasyEnsembleClassifier

    return [
        (
            "classifier",
            EasyEnsembleClassifier(n_estimators=10, random_state=random_state),
        )
    ]


def _rusboost(random_state, context):
    from imblearn.ensemble import RUSBoostClassifier

    return [("classifier", RUSBoostClassifier(random_state=random_state))]


def _balanced_bagging(random_state, context):
    from imblearn.ensemble import BalancedBaggingClassifier

    return [("classifier", BalancedBaggingClassifier(random_state=random_state))]


def _tuned_threshold(random_state, context):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import TunedThresholdClassifierCV

    return [
        (
            "classifier",
            TunedThresholdClassifierCV(
                LogisticRegression(max_iter=1000, random_state=random_state),
                scoring="balanced_accuracy",
                random_state=random_state,
            ),
        )
    ]


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
