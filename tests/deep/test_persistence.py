"""Tests of LongTailClassifier saved, loaded, resumed and re-parametrised."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from skorch.callbacks import Callback, Checkpoint, LoadInitState  # noqa: E402

from ltlearn.deep import LongTailClassifier  # noqa: E402
from ltlearn.deep.callbacks import (  # noqa: E402
    ClassifierRetraining,
    DeferredReweighting,
)
from ltlearn.deep.losses import FocalLoss  # noqa: E402
from ltlearn.deep.modules import MLP  # noqa: E402
from ltlearn.deep.schedules import training_schedule  # noqa: E402

FAST = dict(batch_size=32, module__hidden_sizes=(8,), random_state=0)
# torch.compile's tracing without code generation: fast, no C compiler.
COMPILED = dict(compile=True, compile__backend="eager")


def _loaded(clf, tmp_path, **params):
    """A new classifier built with ``initialize()``, then ``clf``'s files loaded."""
    files = dict(
        f_params=tmp_path / "params.pt",
        f_optimizer=tmp_path / "optimizer.pt",
        f_criterion=tmp_path / "criterion.pt",
        f_history=tmp_path / "history.json",
    )
    clf.save_params(**files)
    new = LongTailClassifier(
        module__n_features=clf.n_features_in_, classes=clf.classes_, **params
    ).initialize()
    new.load_params(**files)
    return new


def test_partial_fit_trains_a_loaded_network_further(imbalanced_multiclass, tmp_path):
    # skorch's recipe: initialize(), load_params, partial_fit goes on from the
    # loaded weights and history (it re-initialised them).
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(max_epochs=2, **FAST).fit(X, y)
    new = _loaded(clf, tmp_path, max_epochs=0, **FAST)
    new.partial_fit(X, y)
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))
    assert len(new.history) == 2
    new.set_params(max_epochs=1).partial_fit(X, y)
    assert len(new.history) == 3
    np.testing.assert_array_equal(new.class_counts_, np.bincount(y) * 2)


def test_predicting_with_a_loaded_network_without_classes_says_to_give_them(
    imbalanced_multiclass, tmp_path
):
    # skorch's recipe without classes: it said "no attribute 'classes_'
    # before fit", of a classifier built and loaded.
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(max_epochs=1, **FAST).fit(X, y)
    clf.save_params(f_params=tmp_path / "params.pt")
    new = LongTailClassifier(
        module__n_features=X.shape[1], module__n_classes=len(clf.classes_), **FAST
    ).initialize()
    new.load_params(f_params=tmp_path / "params.pt")
    with pytest.raises(AttributeError, match=r"or give classes=\.\.\. \(all the"):
        new.predict(X)
    new.set_params(classes=clf.classes_)
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))


def test_a_loaded_network_given_unsorted_classes_predicts_the_fitted_labels(
    imbalanced_multiclass, tmp_path
):
    # The fit sorts the labels (output j is the j-th sorted label); built with
    # initialize(), classes_ kept the order given, so the same classes=["d",
    # "c", "a", "b"] as the fitted classifier's predicted other labels.
    X, y = imbalanced_multiclass
    labels = np.array(["a", "b", "c", "d"])[y]
    params = dict(classes=["d", "c", "a", "b"], module__n_features=X.shape[1], **FAST)
    clf = LongTailClassifier(max_epochs=2, **params).fit(X, labels)
    clf.save_params(f_params=tmp_path / "params.pt")
    new = LongTailClassifier(**params).initialize()
    new.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_array_equal(new.classes_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(new.predict(X), clf.predict(X))


def test_classes_given_as_a_column_are_read_as_fit_reads_them(imbalanced_multiclass):
    # a column of labels, which fit takes: classes_ of a classifier built with
    # initialize() was that column (predict gave a column of labels), and
    # once sorted it warned "A column-vector y was passed" at each use.
    X, _ = imbalanced_multiclass
    classes = np.array([["d"], ["c"], ["a"], ["b"]])
    clf = LongTailClassifier(classes=classes, module__n_features=X.shape[1], **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.initialize()
        np.testing.assert_array_equal(clf.classes_, ["a", "b", "c", "d"])
        assert clf.predict(X).shape == (X.shape[0],)


@pytest.mark.parametrize("compiling", [{}, COMPILED], ids=["plain", "compiled"])
def test_load_params_takes_the_weights_deferred_reweighting_wrote(
    imbalanced_multiclass, tmp_path, compiling
):
    # CrossEntropyLoss() has weight=None; after the DRW switch the saved
    # criterion holds the weights, which torch refused as unexpected (also
    # with compile=True, whose wrapper hid the loss's buffers).
    X, y = imbalanced_multiclass
    params = dict(
        max_epochs=2,
        callbacks=[DeferredReweighting(start_epoch=1)],
        **compiling,
        **FAST,
    )
    clf = LongTailClassifier(**params).fit(X, y)
    new = _loaded(clf, tmp_path, **params)
    torch.testing.assert_close(new.criterion_.weight, clf.criterion_.weight)
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))


@pytest.mark.filterwarnings("ignore:'loss' was renamed:FutureWarning")
@pytest.mark.parametrize(
    "weight, prefix",
    [
        (None, "criterion"),
        ([1.0, 2.0, 3.0, 4.0], "criterion"),
        ([1.0, 2.0, 3.0, 4.0], "loss"),
    ],
)
def test_a_warm_fit_of_a_loaded_network_sets_the_reweighting_back(
    imbalanced_multiclass, tmp_path, weight, prefix
):
    # The loaded loss holds the weights of the switch; the new schedule of a
    # warm fit trains its first epochs with the loss's own weights, as the
    # classifier that was saved does: the same network, bit for bit. Those
    # of the deprecated loss__weight were lost: the epochs ran unweighted.
    X, y = imbalanced_multiclass

    def params():
        weights = None if weight is None else torch.tensor(weight)
        return dict(
            max_epochs=3,
            callbacks=[DeferredReweighting(start_epoch=2)],
            **{f"{prefix}__weight": weights},
            warm_start=True,
            **FAST,
        )

    clf = LongTailClassifier(**params()).fit(X, y)
    new = _loaded(clf, tmp_path, **params())
    for net in (clf, new):
        net.fit(X, y)
    assert new.history[:, "reweighted"] == clf.history[:, "reweighted"]
    assert new.history[:, "train_loss"] == clf.history[:, "train_loss"]
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "saved, loaded", [(COMPILED, {}), ({}, COMPILED)], ids=["compiled", "plain"]
)
def test_load_params_reads_files_saved_with_another_compile(
    imbalanced_multiclass, tmp_path, saved, loaded
):
    # compile=True names the entries of the module's and the loss's state
    # "_orig_mod.<name>": files saved with it failed to load without it, and
    # the other way round, with torch's "Missing key(s)" error.
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(criterion="ldam", max_epochs=1, **saved, **FAST)
    new = _loaded(clf.fit(X, y), tmp_path, criterion="ldam", **loaded, **FAST)
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))
    torch.testing.assert_close(new.criterion_.margins, clf.criterion_.margins)


class _WithoutWeight(torch.nn.Module):
    """A loss with no ``weight`` at all."""

    def forward(self, logits, y):
        return torch.nn.functional.cross_entropy(logits, y)


def test_load_params_still_refuses_a_buffer_the_loss_does_not_have(
    imbalanced_multiclass, tmp_path
):
    # Only a buffer the loss has as None is made room for: a loss without
    # one is a genuine mismatch, torch's error.
    X, y = imbalanced_multiclass
    params = dict(max_epochs=2, callbacks=[DeferredReweighting(start_epoch=1)], **FAST)
    clf = LongTailClassifier(**params).fit(X, y)
    clf.save_params(f_criterion=tmp_path / "criterion.pt")
    new = LongTailClassifier(
        module__n_features=clf.n_features_in_,
        classes=clf.classes_,
        **{**params, "criterion": _WithoutWeight},
    ).initialize()
    with pytest.raises(RuntimeError, match='Unexpected key.*"weight"'):
        new.load_params(f_criterion=tmp_path / "criterion.pt")
    assert "weight" not in vars(new.criterion_)["_buffers"]


@pytest.mark.parametrize("given", [{}, {"criterion__weight": None}, COMPILED])
def test_checkpoint_load_best_before_the_reweighting_switch(
    imbalanced_multiclass, tmp_path, given
):
    # The best epoch's state was saved before DRW wrote the weights into
    # CrossEntropyLoss(): torch refused it as missing "weight" at the end,
    # also with the default criterion__weight=None given (a grid's value),
    # or with compile=True.
    X, y = imbalanced_multiclass
    checkpoint = Checkpoint(
        monitor=lambda net: len(net.history) == 1, dirname=tmp_path, load_best=True
    )
    clf = LongTailClassifier(
        max_epochs=3,
        train_split=None,
        callbacks=[
            ("drw", DeferredReweighting(start_epoch=2)),
            ("checkpoint", checkpoint),
        ],
        **FAST,
        **given,
    ).fit(X, y)
    assert clf.criterion_.weight is None
    assert len(clf.history) == 1
    clf.predict(X)


def test_load_params_keeps_refusing_to_drop_the_weight_given_to_the_loss(
    imbalanced_multiclass, tmp_path
):
    # A state saved without "weight" would drop the class weights of
    # criterion__weight: torch's "Missing key" error, not an unweighted loss.
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(max_epochs=1, **FAST).fit(X, y)
    clf.save_params(f_criterion=tmp_path / "criterion.pt")
    weight = torch.tensor([1.0, 2.0, 4.0, 8.0])  # one per class
    new = LongTailClassifier(
        module__n_features=clf.n_features_in_,
        classes=clf.classes_,
        criterion__weight=weight,
        **FAST,
    ).initialize()
    with pytest.raises(RuntimeError, match='Missing key.*"weight"'):
        new.load_params(f_criterion=tmp_path / "criterion.pt")
    torch.testing.assert_close(new.criterion_.weight, weight)


def test_checkpoint_resumes_after_the_reweighting_switch(
    imbalanced_multiclass, tmp_path
):
    # A skorch Checkpoint taken after the switch is resumed with LoadInitState
    # and the schedule goes on at the epoch where it stopped.
    X, y = imbalanced_multiclass

    def make(load):
        checkpoint = Checkpoint(monitor=None, dirname=tmp_path)
        callbacks = [("checkpoint", checkpoint)]
        if load:
            callbacks.append(("load", LoadInitState(checkpoint)))
        callbacks.append(("drw", DeferredReweighting(start_epoch=2)))
        return LongTailClassifier(max_epochs=3, callbacks=callbacks, **FAST)

    make(load=False).fit(X, y)
    resumed = make(load=True).fit(X, y)
    assert resumed.history[:, "reweighted"] == [False, False, True] + [True] * 3


def test_load_params_keeps_device_auto(imbalanced_multiclass, tmp_path):
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(max_epochs=1, device="auto", **FAST).fit(X, y)
    new = _loaded(clf, tmp_path, max_epochs=1, device="auto", **FAST)
    assert new.get_params()["device"] == "auto"
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))


def test_set_params_of_a_training_schedule_on_a_fitted_classifier(
    imbalanced_multiclass,
):
    # skorch's set_params raised "Something went wrong" for optimizer=...
    # on an initialised net, and kept optimizer__* on the running optimiser
    # only: a refit or a clone lost them.
    X, y = imbalanced_multiclass
    params = training_schedule("vs", max_epochs=2)
    fitted = LongTailClassifier(max_epochs=1, **FAST).fit(X, y)
    fitted.set_params(**params, iterator_train__shuffle=True)
    assert isinstance(fitted.optimizer_, torch.optim.SGD)
    assert fitted.optimizer_.param_groups[0]["momentum"] == 0.9
    fitted.set_params(optimizer__weight_decay=0.01)
    assert fitted.optimizer_.param_groups[0]["weight_decay"] == 0.01
    assert clone(fitted).get_params()["optimizer__weight_decay"] == 0.01
    fitted.fit(X, y)
    assert fitted.optimizer_.param_groups[0]["weight_decay"] == 0.01
    fresh = LongTailClassifier(
        **{**FAST, **params, "optimizer__weight_decay": 0.01},
        iterator_train__shuffle=True,
    ).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), fresh.predict_proba(X))


class _PickleAt(Callback):
    """Pickle the net at the end of epoch ``epoch``; raise at the next if told."""

    def __init__(self, epoch, fail=False):
        self.epoch = epoch
        self.fail = fail

    def on_epoch_begin(self, net, **kwargs):
        if self.fail and len(net.history) == self.epoch + 1:
            raise RuntimeError("stop")

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            self.pickled_ = pickle.dumps(net)


@pytest.mark.parametrize("method", ["crt", "lws"])
def test_training_on_from_the_retraining_epochs(imbalanced_multiclass, method):
    # A net pickled during the retraining epochs kept its frozen parameters
    # (and the LWS hook) through a warm-start fit; it is now refused clearly.
    # A fit stopped by an exception there is ended, then trained on.
    X, y = imbalanced_multiclass
    saver = _PickleAt(2, fail=True)
    retraining = ClassifierRetraining(method, start_epoch=1, lr=0.01)
    clf = LongTailClassifier(max_epochs=3, callbacks=[retraining, saver], **FAST)
    with pytest.raises(RuntimeError, match="stop"):
        clf.fit(X, y)
    saver.fail = False
    clf.partial_fit(X, y)
    assert all(p.requires_grad for p in clf.module_.parameters())
    assert len(clf.optimizer_.param_groups) == 1
    restored = pickle.loads(saver.pickled_)
    assert restored.predict(X).shape == y.shape
    with pytest.raises(ValueError, match="saved during the retraining epochs"):
        restored.set_params(warm_start=True).fit(X, y)


def test_grid_search_over_loss_and_network_instances(imbalanced_multiclass):
    # skorch's set_params refused a torch module instance before
    # initialisation: GridSearchCV over criterion instances failed.
    X, y = imbalanced_multiclass
    grid = {
        "criterion": [FocalLoss(gamma=0.0), FocalLoss(gamma=2.0)],
        "module": [MLP(n_features=6, n_classes=4, hidden_sizes=(8,))],
    }
    net = LongTailClassifier(max_epochs=1, batch_size=64, random_state=0)
    search = GridSearchCV(net, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert search.best_estimator_.criterion_ is not grid["criterion"][0]
    fitted = LongTailClassifier(max_epochs=1).fit(X, y)
    fitted.set_params(criterion=FocalLoss(gamma=2.0))
    assert fitted.criterion_.gamma == 2.0


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_predicting_does_not_change_the_fitted_classifier(
    imbalanced_multiclass, method
):
    # The fit used to leave the network in training mode and the first
    # predict switched it to evaluation mode, so that the pickle of a fitted
    # classifier changed when it predicted.
    X, y = imbalanced_multiclass
    clf = getattr(LongTailClassifier(max_epochs=2, **FAST), method)(X, y)
    assert not clf.module_.training and not clf.criterion_.training
    fitted = pickle.dumps(clf)
    proba = clf.predict_proba(X)
    clf.predict(X[:1])
    clf.transform(X[:3])
    assert pickle.dumps(clf) == fitted
    np.testing.assert_array_equal(pickle.loads(fitted).predict_proba(X), proba)
    # Training further runs in training mode and ends in evaluation mode.
    clf.set_params(max_epochs=1).partial_fit(X, y)
    assert not clf.module_.training
    assert not np.array_equal(clf.predict_proba(X), proba)


@pytest.mark.parametrize(
    "augment", ["cifar", lambda x: x.flip(-1)], ids=["cifar", "callable"]
)
def test_a_loaded_image_network_predicts_through_its_augment(augment, tmp_path):
    # Built with initialize() and load_params, the classifier has no fitted
    # input shape: the augmentation reads the network's (it raised an
    # AttributeError on input_shape_).
    from ltlearn.deep.modules import SmallCNN

    rng = np.random.RandomState(0)
    X = rng.rand(30, 3, 8, 8).astype(np.float32)
    y = np.arange(30) % 3
    params = dict(
        max_epochs=1,
        batch_size=16,
        train_split=None,
        augment=augment,
        module__channels=(4,),
        random_state=0,
    )
    clf = LongTailClassifier(SmallCNN, **params).fit(X, y)
    clf.save_params(f_params=tmp_path / "params.pt")
    new = LongTailClassifier(
        SmallCNN,
        module__n_features=X[0].size,
        module__input_shape=clf.input_shape_,
        classes=clf.classes_,
        **params,
    ).initialize()
    new.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_allclose(new.predict_proba(X), clf.predict_proba(X), atol=1e-6)


def test_a_loaded_network_without_an_input_shape_names_it_for_augment_cifar(
    tmp_path,
):
    X = np.random.RandomState(0).rand(30, 3, 8, 8).astype(np.float32)
    y = np.arange(30) % 3
    params = dict(max_epochs=1, train_split=None, augment="cifar", **FAST)
    clf = LongTailClassifier(**params).fit(X, y)
    clf.save_params(f_params=tmp_path / "params.pt")
    new = LongTailClassifier(
        module__n_features=X[0].size, classes=clf.classes_, **params
    ).initialize()
    new.load_params(f_params=tmp_path / "params.pt")
    with pytest.raises(ValueError, match="needs the shape of the input.*input_shape"):
        new.predict(X)


def test_a_loaded_flat_network_predicts_through_a_callable_augment(tmp_path):
    # Built with initialize() and load_params, an MLP holds no input shape:
    # a callable augment reads the rows' size from module__n_features.
    rng = np.random.RandomState(0)
    X, y = rng.rand(30, 5).astype(np.float32), np.arange(30) % 3
    params = dict(max_epochs=1, train_split=None, augment=lambda x: 2 * x, **FAST)
    clf = LongTailClassifier(**params).fit(X, y)
    clf.save_params(f_params=tmp_path / "params.pt")
    new = LongTailClassifier(
        module__n_features=X.shape[1], classes=clf.classes_, **params
    ).initialize()
    new.load_params(f_params=tmp_path / "params.pt")
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))


class _SoftmaxMLP(MLP):
    """An MLP ending in a softmax, for ``torch.nn.NLLLoss`` (skorch's convention)."""

    def forward(self, x):
        return torch.softmax(super().forward(x), dim=-1)


@pytest.mark.parametrize(
    "params",
    [
        dict(criterion="ldam"),
        dict(criterion="kps"),
        dict(criterion="ce"),
        dict(module=_SoftmaxMLP, criterion=torch.nn.NLLLoss),
    ],
)
def test_trim_for_prediction_keeps_the_probabilities(imbalanced_multiclass, params):
    # skorch's trim_for_prediction drops the loss, which predict_nonlinearity
    # "auto" read: the probabilities of LDAM and KPS lost their logit scale
    # (by 0.7), those of NLLLoss were a softmax of probabilities; and fit
    # failed on criterion=None in the parameter checks, leaving the
    # classifier not fitted (skorch's keeps predicting).
    from skorch.exceptions import SkorchTrainingImpossibleError

    X, y = imbalanced_multiclass
    clf = LongTailClassifier(max_epochs=2, **FAST, **params).fit(X, y)
    proba = clf.predict_proba(X)
    clf.trim_for_prediction()
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), proba)
    for method in (clf.fit, clf.partial_fit):
        with pytest.raises(SkorchTrainingImpossibleError, match="trimmed"):
            method(X, y)
        np.testing.assert_array_equal(clf.predict_proba(X), proba)
