"""LongTailClassifier in scikit-learn's tools: repr, failed fits, cross_validate."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn import config_context  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.exceptions import FitFailedWarning, NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_validate  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import estimator_html_repr  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402
from skorch import NeuralNet  # noqa: E402
from skorch.callbacks import Callback, EarlyStopping, EpochTimer  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from ltlearn.deep import (  # noqa: E402
    GradientAdjustment,
    KPSGALoss,
    LongTailClassifier,
    TruncatedReweighting,
)
from ltlearn.deep.callbacks import ClassifierRetraining  # noqa: E402

FAST = dict(max_epochs=3, batch_size=32, module__hidden_sizes=(8,), random_state=0)


@pytest.fixture
def data(imbalanced_multiclass):
    """400 rows, 6 features, 4 classes (conftest)."""
    return imbalanced_multiclass


def _is_fitted(clf):
    try:
        check_is_fitted(clf)
    except NotFittedError:
        return False
    return True


def _user_set_html_params(estimator):
    """Names of the parameters that the HTML repr marks as set by the user."""
    rows = re.findall(
        r'<tr class="(user-set|default)">.*?copyToClipboard\(\'([^\']+)\'',
        estimator_html_repr(estimator),
        re.S,
    )
    return [name for kind, name in rows if kind == "user-set"]


def test_repr_lists_the_parameters_set_as_scikit_learns(data):
    # skorch's repr printed "<class ...>[uninitialized](module=MLP)", and in
    # a Pipeline scikit-learn's listed callbacks=None, classes=None, ... as set.
    clf = LongTailClassifier(lr=0.01)
    assert repr(clf) == "LongTailClassifier(lr=0.01)"
    assert repr(LongTailClassifier()) == "LongTailClassifier()"
    pipe = make_pipeline(StandardScaler(), clf)
    assert "('longtailclassifier', LongTailClassifier(lr=0.01))" in repr(pipe)
    grid = GridSearchCV(clf, {"max_epochs": [1, 2]})
    assert "estimator=LongTailClassifier(lr=0.01)" in repr(grid)
    set_params = dict(warm_start=True, classes=[0, 1, 2], callbacks=[])
    assert repr(LongTailClassifier(**set_params)) == (
        "LongTailClassifier(callbacks=[], classes=[0, 1, 2], warm_start=True)"
    )
    # ltlearn's callbacks print their parameters (not "<... object at 0x...>").
    clf = LongTailClassifier(callbacks=[ClassifierRetraining("lws", start_epoch=3)])
    expected = "callbacks=[ClassifierRetraining(method='lws', start_epoch=3)]"
    assert repr(clf) == f"LongTailClassifier({expected})" == repr(clone(clf))
    html = _user_set_html_params(pipe)
    assert "lr" in html
    assert not {"callbacks", "classes", "compile", "dataset"} & set(html)
    # Fitted, the repr is the same, as scikit-learn's.
    X, y = data
    fitted = LongTailClassifier(**FAST).fit(X, y)
    assert repr(fitted) == repr(LongTailClassifier(**FAST))
    assert repr(fitted).startswith("LongTailClassifier(batch_size=32,")


def test_repr_lists_the_parameters_of_the_two_phase_callbacks():
    # They printed "<ltlearn.deep._rules.GradientAdjustment object at 0x...>",
    # where the callbacks of ltlearn.deep.callbacks print their parameters.
    clf = LongTailClassifier(
        criterion=KPSGALoss, callbacks=[GradientAdjustment(start_epoch=2)]
    )
    assert "callbacks=[GradientAdjustment(start_epoch=2)]" in repr(clf)
    assert repr(clf) == repr(clone(clf))
    assert repr(GradientAdjustment()) == "GradientAdjustment()"
    assert repr(TruncatedReweighting(0.5)) == "TruncatedReweighting(start_epoch=0.5)"


def test_the_parameters_named_for_the_repr_are_skorchs(data):
    # Named in the signature, the parameters of skorch keep their values,
    # their routing to skorch and clone.
    clf = LongTailClassifier(warm_start=True, callbacks=[], use_caching=False)
    params = clf.get_params(deep=False)
    assert params["warm_start"] is True and params["use_caching"] is False
    assert params["callbacks"] == [] and params["compile"] is False
    assert clone(clf).get_params(deep=False).keys() == params.keys()
    clf.set_params(**params)
    assert clf.get_params(deep=False) == params


def test_set_output_keeps_the_classifier_cloneable(data):
    # set_output's configuration was listed by get_params: the clone of a
    # pipeline set to pandas output failed to fit ("__init__() got unexpected
    # argument(s) _sklearn_output_config"), so cross-validation failed too.
    pd = pytest.importorskip("pandas")
    X, y = data
    clf = LongTailClassifier(**FAST).set_output(transform="pandas")
    assert "_sklearn_output_config" not in clf.get_params()
    assert repr(clf) == repr(LongTailClassifier(**FAST))
    fresh = clone(clf).fit(X, y)
    assert isinstance(fresh.transform(X), pd.DataFrame)
    pipe = make_pipeline(clf, LogisticRegression()).set_output(transform="pandas")
    scores = cross_validate(pipe, X, y, cv=2, error_score="raise")["test_score"]
    assert scores.shape == (2,)


def test_the_named_defaults_are_those_of_the_installed_skorch():
    # Named in the signature, they would no longer follow a skorch that
    # changes one: this fails then (skorch 1.2 to 1.4 have the same).
    skorch = pytest.importorskip("skorch")
    ours = inspect.signature(LongTailClassifier).parameters
    theirs = {
        **inspect.signature(skorch.NeuralNet).parameters,
        **inspect.signature(skorch.NeuralNetClassifier).parameters,
    }
    names = ["callbacks", "classes", "compile", "dataset", "torch_load_kwargs"]
    for name in [*names, "use_caching", "warm_start"]:
        assert ours[name].default == theirs[name].default, name


def test_set_params_takes_any_callbacks_and_fit_refuses_invalid_ones(data):
    # Named in the signature, callbacks met scikit-learn's check that
    # set_params does not raise: skorch's built them there, and raised.
    X, y = data
    clf = LongTailClassifier(**FAST)
    for value in [-1, "helloworld", [1]]:
        clf.set_params(callbacks=value)
        assert clf.get_params(deep=False)["callbacks"] is value
    with pytest.raises(ValueError, match=r"'callbacks' parameter.*got 1\."):
        clf.fit(X, y)
    # An item skorch cannot build is named (skorch's error was "'int'
    # object has no attribute 'set_params'").
    for value in [[1], [("a", 1)], [("a", EarlyStopping, 3)]]:
        clf.set_params(callbacks=value)
        with pytest.raises(ValueError, match=re.escape(f"pairs; got {value[0]!r}.")):
            clf.fit(X, y)
    clf.set_params(callbacks="helloworld")
    with pytest.raises(ValueError, match="callbacks"):
        clf.fit(X, y)
    # Callbacks as skorch takes them: classes, instances, named pairs, None.
    stop = EarlyStopping(monitor="train_loss")
    clf.set_params(callbacks=[EpochTimer, ("stop", stop), ("unused", None)])
    assert _is_fitted(clf.fit(X, y))
    assert _is_fitted(clf.set_params(callbacks=[]).fit(X, y))


class _FailAt(Callback):
    """Raise at the start of epoch ``epoch`` (1-based, over the history)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("the epoch failed")


class _FailingLoss(torch.nn.Module):
    """Cross-entropy whose 20th batch (of the second epoch) raises."""

    def __init__(self):
        super().__init__()
        self.batches = 0

    def forward(self, logits, target):
        self.batches += 1
        if self.batches == 20:
            raise FloatingPointError("the loss failed")
        return torch.nn.functional.cross_entropy(logits, target)


@pytest.mark.parametrize(
    "params",
    [
        dict(callbacks=[_FailAt(2)]),
        dict(criterion=_FailingLoss),
        dict(callbacks=[ClassifierRetraining(start_epoch=1), _FailAt(2)]),
    ],
    ids=["callback", "loss", "crt"],
)
@pytest.mark.parametrize("refit", [False, True])
def test_a_failed_fit_leaves_the_classifier_not_fitted(data, params, refit):
    # A fit that failed in its second epoch left a half-trained network that
    # check_is_fitted took for fitted.
    X, y = data
    clf = LongTailClassifier(**FAST)
    if refit:
        clf.fit(X, y)
    with pytest.raises((RuntimeError, FloatingPointError)):
        clf.set_params(**params).fit(X, y)
    assert not clf.initialized_ and not _is_fitted(clf)
    assert len(clf.history) == 2  # it keeps the epochs that ran
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(NotFittedError, match="failed or was interrupted"):
        clf.check_is_fitted()
    # The next fit starts afresh, and every parameter is trainable again.
    clf.set_params(callbacks=None, criterion="ce").fit(X, y)
    assert _is_fitted(clf) and len(clf.history) == 3
    assert all(param.requires_grad for param in clf.module_.parameters())


def test_a_refit_on_invalid_input_leaves_the_classifier_not_fitted(data):
    # As every ltlearn estimator: the network of the previous fit is not kept.
    X, y = data
    clf = LongTailClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros_like(y))
    assert not _is_fitted(clf)


@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_a_failed_continued_training_leaves_the_classifier_not_fitted(data, method):
    # The network trained further is half-trained: neither the previous
    # model nor a new one.
    X, y = data
    fail = _FailAt(epoch=0)
    clf = LongTailClassifier(callbacks=[fail], **FAST)
    clf.fit(X, y)
    fail.epoch = 5  # the second epoch of the second call
    with pytest.raises(RuntimeError, match="the epoch failed"):
        if method == "warm_start":
            clf.set_params(warm_start=True).fit(X, y)
        else:
            clf.partial_fit(X, y)
    assert not _is_fitted(clf)
    fail.epoch = 0
    getattr(clf, "fit" if method == "warm_start" else method)(X, y)
    assert _is_fitted(clf) and len(clf.history) == 3  # started afresh


@pytest.mark.parametrize("method", ["fit", "warm_start", "partial_fit", "crt"])
def test_a_fit_whose_loss_is_not_finite_fails_not_fitted(data, method):
    # SGD with lr=1e6 on inputs of the order of 1e6 gave the train losses
    # [72212.8, nan, nan], NaN probabilities and class 0 everywhere, and
    # check_is_fitted passed; scikit-learn's MLPClassifier raises there.
    X, y = data
    X_large = (X * 1e6).astype(np.float32)
    params = dict(FAST, batch_size=-1, optimizer=torch.optim.SGD)
    clf = LongTailClassifier(**params)
    start = 0
    if method in ("warm_start", "partial_fit"):
        clf.set_params(max_epochs=1, warm_start=method == "warm_start").fit(X, y)
        clf.set_params(max_epochs=3)
        start = 1
    if method == "crt":
        clf.set_params(callbacks=[ClassifierRetraining(start_epoch=1)])
    clf.set_params(lr=1e6)
    with pytest.raises(ValueError, match=r"training loss of epoch \d+ is nan") as info:
        getattr(clf, "partial_fit" if method == "partial_fit" else "fit")(X_large, y)
    assert "smaller lr" in str(info.value) and "amp=False" not in str(info.value)
    assert not clf.initialized_ and not _is_fitted(clf)
    # It keeps the epochs that ran, up to the failed one, named in the error.
    epoch = int(re.search(r"epoch (\d+)", str(info.value)).group(1))
    assert clf.history[:, "epoch"] == list(range(1, epoch + 1)) and epoch > start
    assert np.isnan(clf.history[-1, "train_loss"])
    assert np.isfinite(clf.history[: epoch - 1, "train_loss"]).all()
    with pytest.raises(NotFittedError):
        clf.predict(X)
    # The same fit with a smaller lr trains as before.
    clf.set_params(lr=0.1, warm_start=False).fit(X, y)
    assert _is_fitted(clf) and np.isfinite(clf.history[:, "train_loss"]).all()


def test_weights_not_finite_after_the_last_step_fail_not_fitted(data):
    # One step on inputs of the order of 1e30: the epoch's loss, computed
    # before the step, is finite, but the step leaves weights of inf and NaN.
    X, y = data
    clf = LongTailClassifier(
        **dict(FAST, max_epochs=1, batch_size=-1, optimizer=torch.optim.SGD, lr=1e10)
    )
    with pytest.raises(ValueError, match="weights are not finite after epoch 1"):
        clf.fit((X * 1e30).astype(np.float32), y)
    assert np.isfinite(clf.history[-1, "train_loss"]) and not _is_fitted(clf)
    clf.set_params(lr=0.1).fit(X, y)
    assert _is_fitted(clf)


def test_a_non_finite_loss_under_amp_names_amp(data):
    # On the CPU amp trains in bfloat16; the loss checked is the unscaled
    # float32 loss of the logits.
    X, y = data
    clf = LongTailClassifier(
        **dict(FAST, batch_size=-1, optimizer=torch.optim.SGD, lr=1e6, amp=True)
    )
    with pytest.raises(ValueError, match="is nan.*amp=False"):
        clf.fit((X * 1e6).astype(np.float32), y)
    assert not _is_fitted(clf)


def test_partial_fit_refuses_invalid_input_and_stays_fitted(data):
    # As scikit-learn's partial_fit: nothing was trained, the model is kept.
    X, y = data
    clf = LongTailClassifier(**FAST).partial_fit(X, y)
    proba = clf.predict_proba(X)
    with pytest.raises(ValueError, match="previously unseen labels"):
        clf.partial_fit(X, y + 5)
    assert _is_fitted(clf)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize(
    "method, stratified, labels, match",
    [
        ("partial_fit", True, [0] * 10 + [3], "too few for the validation split"),
        ("partial_fit", False, [3] * 4 + [0] * 16, "holds none of them"),
        ("fit", True, [0, 1, 2] * 3 + [3], "too few for the validation split"),
    ],
)
def test_a_refused_validation_split_leaves_a_fitted_classifier_as_it_was(
    data, method, stratified, labels, match
):
    # The validation split of partial_fit, or of a warm start, refused the
    # data after the class counts were added up, and left the classifier
    # unfitted with the counts of the refused data.
    X, y = data
    split = ValidSplit(0.2 if stratified else 5, stratified=stratified)
    params = dict(FAST, max_epochs=1, classes=[0, 1, 2, 3], train_split=split)
    clf = LongTailClassifier(warm_start=method == "fit", **params)
    y_first = np.where(y == 3, 0, y) if not stratified else y
    getattr(clf, method)(X, y_first)
    counts, proba = clf.class_counts_.copy(), clf.predict_proba(X)
    with pytest.raises(ValueError, match=match):
        getattr(clf, method)(X[: len(labels)], np.asarray(labels))
    assert _is_fitted(clf)
    np.testing.assert_array_equal(clf.class_counts_, counts)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    # the next call trains as if the refused one had not been made
    again = LongTailClassifier(warm_start=method == "fit", **params)
    getattr(again, method)(X, y_first)
    getattr(clf, method)(X, y_first)
    getattr(again, method)(X, y_first)
    np.testing.assert_array_equal(clf.class_counts_, again.class_counts_)
    np.testing.assert_allclose(clf.predict_proba(X), again.predict_proba(X))


def test_cross_validate_returns_a_failed_fold_not_fitted(data):
    X, y = data

    class FailOnSmallFolds(Callback):
        def on_train_begin(self, net, X=None, y=None, **kwargs):
            if len(y) < 250:
                raise RuntimeError("too few rows")

    folds = [
        (np.arange(100, 400), np.arange(100)),
        (np.arange(200), np.arange(200, 400)),
    ]
    with pytest.warns(FitFailedWarning, match="1 fits failed"):
        result = cross_validate(
            LongTailClassifier(callbacks=[FailOnSmallFolds()], **FAST),
            X,
            y,
            cv=folds,
            error_score=np.nan,
            return_estimator=True,
        )
    assert np.isfinite(result["test_score"][0]) and np.isnan(result["test_score"][1])
    assert [_is_fitted(clf) for clf in result["estimator"]] == [True, False]


@pytest.mark.parametrize("nonlinearity", [123, "softmax"])
def test_an_invalid_predict_nonlinearity_set_after_the_fit_is_refused(
    data, nonlinearity
):
    # As skorch's: set after the fit (which validates it), it was taken for
    # None, and predict_proba returned the logits (negative "probabilities").
    X, y = data
    clf = LongTailClassifier(**FAST).fit(X, y)
    clf.set_params(predict_nonlinearity=nonlinearity)
    match = "predict_nonlinearity has to be a callable, 'auto' or None, got "
    for method in (clf.predict_proba, clf.predict):
        with pytest.raises(TypeError, match=match):
            method(X)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_predicting_before_fit_raises_skorchs_not_initialized_error(data, method):
    # As skorch's NeuralNetClassifier, whose users catch NotInitializedError:
    # it was scikit-learn's NotFittedError (its base class).
    from skorch.exceptions import NotInitializedError

    X, y = data
    with pytest.raises(NotInitializedError, match="not initialized yet"):
        getattr(LongTailClassifier(**FAST), method)(*(X, y)[: 1 + (method == "score")])


class _RecordsForward(torch.nn.Module):
    """A linear module that records the fit parameters its forward gets."""

    def __init__(self, n_features=2, n_classes=2):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)
        self.seen = []

    def forward(self, x, **kwargs):
        self.seen.append(sorted(kwargs))
        return self.linear(x)


@pytest.mark.skipif(
    "_routing_method" not in inspect.signature(NeuralNet.fit_loop).parameters,
    reason="skorch routes partial_fit's parameters by its own requests from 1.4 on",
)
def test_partial_fit_routes_the_parameters_partial_fit_requests(data):
    # With metadata routing, partial_fit routed by fit's requests, as fit:
    # the parameters set_partial_fit_request asked for were refused ("fit got
    # unexpected argument(s)"), those set_fit_request asked for were taken.
    import sklearn

    X, y = data
    foo = np.zeros(len(X))
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LongTailClassifier(_RecordsForward, max_epochs=1, random_state=0)
        clf.set_partial_fit_request(foo=True).partial_fit(X, y, foo=foo)
        assert clf.module_.seen and all(s == ["foo"] for s in clf.module_.seen)
        clf = LongTailClassifier(_RecordsForward, max_epochs=1, random_state=0)
        with pytest.raises(TypeError, match="partial_fit got unexpected"):
            clf.set_fit_request(foo=True).partial_fit(X, y, foo=foo)
        clf.fit(X, y, foo=foo)
        assert clf.module_.seen and all(s == ["foo"] for s in clf.module_.seen)


def test_tensors_are_read_as_arrays_under_array_api_dispatch(data, array_api_dispatch):
    # scikit-learn's checks kept the tensors under the dispatch and failed on
    # NumPy's float32: "asarray(): argument 'dtype' must be torch.dtype, not
    # type", in fit, partial_fit, predict and transform, where skorch's
    # NeuralNetClassifier takes tensors.
    X, y = data
    X_t, y_t = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    weights = torch.linspace(0.5, 2.0, len(y))
    with config_context(array_api_dispatch=False):
        expected = LongTailClassifier(**FAST).fit(X_t.numpy(), y)
        weighted = LongTailClassifier(**FAST).fit(
            X_t.numpy(), y, sample_weight=weights.numpy()
        )
    clf = LongTailClassifier(**FAST).fit(X_t, y_t)
    np.testing.assert_array_equal(clf.predict_proba(X_t), expected.predict_proba(X))
    np.testing.assert_array_equal(clf.predict(X_t), expected.predict(X))
    np.testing.assert_array_equal(clf.transform(X_t), expected.transform(X))
    clf = LongTailClassifier(**FAST).fit(X_t, y_t, sample_weight=weights)
    np.testing.assert_array_equal(clf.predict_proba(X), weighted.predict_proba(X))
    clf.partial_fit(X_t, y_t)
    assert len(clf.history) == 2 * FAST["max_epochs"]
    # after a step that gives tensors under the dispatch
    pipe = make_pipeline(PCA(n_components=4), LongTailClassifier(**FAST))
    assert torch.is_tensor(pipe[:-1].fit_transform(X_t))
    assert set(pipe.fit(X_t, y_t).predict(X_t).tolist()) <= set(y.tolist())
