"""Tests of the training schedules: DRW, DRS, cRT, LWS and tau-normalisation."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import PredefinedSplit  # noqa: E402
from skorch.callbacks import (  # noqa: E402
    Callback,
    Checkpoint,
    EarlyStopping,
    Freezer,
    LRScheduler,
    WarmRestartLR,
)
from skorch.dataset import ValidSplit  # noqa: E402

from ltlearn.deep import LongTailClassifier  # noqa: E402
from ltlearn.deep._loss_base import _effective_number_weights  # noqa: E402
from ltlearn.deep._stages import _start  # noqa: E402
from ltlearn.deep.callbacks import (  # noqa: E402
    ClassifierRetraining,
    DeferredResampling,
    DeferredReweighting,
    TauNormalization,
)
from ltlearn.deep.modules import MLP  # noqa: E402
from ltlearn.deep.samplers import ClassBalancedSampler, SquareRootSampler  # noqa: E402
from ltlearn.deep.schedules import training_schedule  # noqa: E402
from tests.deep.test_training_loop import _OnItsDevice  # noqa: E402

FAST = dict(max_epochs=3, batch_size=32, module__hidden_sizes=(16,), random_state=0)


@pytest.fixture(scope="module")
def data():
    """200 rows, 4 features, 3 classes of 140/40/20 samples."""
    return make_classification(
        n_samples=200,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.7, 0.2, 0.1],
        flip_y=0,
        random_state=0,
    )


class _Record(Callback):
    """Record, at each epoch start, what the callbacks under test changed."""

    def initialize(self):
        self.weights_, self.optimizers_, self.samplers_, self.params_ = [], [], [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        weight = getattr(net.criterion_, "weight", None)
        self.weights_.append(None if weight is None else weight.clone())
        self.optimizers_.append(net.optimizer_)
        self.samplers_.append(type(net.train_sampler_.sampler))

    def on_epoch_end(self, net, **kwargs):
        self.params_.append(
            {k: v.detach().clone() for k, v in net.module_.named_parameters()}
        )


@pytest.mark.parametrize("loss", ["ce", "ldam", "logit_adjusted", "focal"])
def test_drw_switches_weights_in_place_and_keeps_the_optimizer(data, loss):
    X, y = data
    record = _Record()
    clf = LongTailClassifier(
        criterion=loss,
        callbacks=[DeferredReweighting(start_epoch=1, beta=0.99), record],
        **FAST,
    ).fit(X, y)
    expected = _effective_number_weights(np.bincount(y), 0.99)
    assert clf.history[:, "reweighted"] == [False, True, True]
    for weight in record.weights_[1:]:
        np.testing.assert_allclose(weight.numpy(), expected, rtol=1e-6)
    if record.weights_[0] is not None:
        torch.testing.assert_close(record.weights_[0], torch.ones(3))
    assert all(opt is clf.optimizer_ for opt in record.optimizers_)
    # the AdamW state survived the switch: its step counts every batch
    state = clf.optimizer_.state[next(clf.module_.parameters())]
    assert int(state["step"]) == 3 * int(np.ceil(len(y) / 32))


@pytest.mark.parametrize(
    "loss, as_weight",
    [("ce", torch.tensor), ("focal", torch.tensor), ("focal", np.float32)],
)
def test_drw_leaves_the_callers_weight_as_it_was(data, loss, as_weight):
    # torch's losses keep a weight tensor as given; DRW writes the weights
    # in place, into the criterion's own copy.
    X, y = data
    weight = as_weight([1.0, 2.0, 3.0])
    clf = LongTailClassifier(
        criterion=loss,
        criterion__weight=weight,
        callbacks=[DeferredReweighting(start_epoch=2)],
        **FAST,
    ).fit(X, y)
    np.testing.assert_array_equal(np.asarray(weight), [1.0, 2.0, 3.0])
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.fit(X, y).predict_proba(X), proba)


@pytest.mark.parametrize("loss", ["ce", "focal"])
def test_drw_writes_its_weights_on_the_device_of_the_module(data, loss):
    # device=None moves nothing: a module that moves its input to its own
    # device gives its logits there; the weights DRW wrote into a loss
    # without any went to the CPU ("Tensor on device cpu is not on the
    # expected device meta!"). The meta device computes no values: the fit
    # stops at the first loss read.
    X, y = data
    clf = LongTailClassifier(
        module=_OnItsDevice(X.shape[1], 3).to("meta"),
        criterion=loss,
        device=None,
        max_epochs=1,
        callbacks=[DeferredReweighting(start_epoch=0)],
    )
    with pytest.raises(NotImplementedError, match="meta"):
        clf.fit(X, y)
    assert clf.criterion_.weight.device.type == "meta"


@pytest.mark.parametrize(
    "start_epoch, flags",
    [
        (0.0, [True] * 4),
        (0.5, [False] * 2 + [True] * 2),
        (1.0, [False] * 4),
        (4, [False] * 4),
    ],
)
def test_start_epoch_is_an_int_or_a_fraction_of_max_epochs(data, start_epoch, flags):
    X, y = data
    clf = LongTailClassifier(
        callbacks=[DeferredReweighting(start_epoch=start_epoch)],
        **{**FAST, "max_epochs": 4},
    ).fit(X, y)
    assert clf.history[:, "reweighted"] == flags


@pytest.mark.parametrize(
    "callback", [DeferredReweighting, DeferredResampling, ClassifierRetraining]
)
def test_a_fraction_rounding_to_an_empty_stage_warns(data, callback):
    # The default 0.8 of 2 epochs rounds to 2: no epoch after the switch; 0.5
    # of 1 epoch rounds to 0: none before it.
    X, y = data
    fast = {**FAST, "module__hidden_sizes": (4,), "batch_size": 100}
    key = {
        DeferredReweighting: "reweighted",
        DeferredResampling: "resampled",
        ClassifierRetraining: "retraining",
    }[callback]
    for start_epoch, max_epochs, match, flags in [
        (0.8, 2, "after 2 epochs, at the end of training: no epoch", [False] * 2),
        (0.5, 1, "before the first epoch: no epoch trains before", [True]),
    ]:
        clf = LongTailClassifier(
            callbacks=[callback(start_epoch=start_epoch)],
            **{**fast, "max_epochs": max_epochs},
        )
        with pytest.warns(UserWarning, match=match):
            clf.fit(X, y)
        assert clf.history[:, key] == flags
    # Asked for (1.0, an int), or a partial_fit going on: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for start_epoch in (1.0, 2):
            LongTailClassifier(
                callbacks=[callback(start_epoch=start_epoch)],
                **{**fast, "max_epochs": 2},
            ).fit(X, y)
        clf.set_params(max_epochs=2).partial_fit(X, y)


def test_a_partial_fit_chain_switching_after_its_first_call_does_not_warn(data):
    # 0.8 of max_epochs=1 switches after the first partial_fit: the calls
    # after it train the second stage.
    X, y = data
    clf = LongTailClassifier(
        callbacks=[DeferredReweighting()], **{**FAST, "max_epochs": 1}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for _ in range(2):
            clf.partial_fit(X, y)
    assert clf.history[:, "reweighted"] == [False, True]


@pytest.mark.parametrize(
    "callback, error, match",
    [
        (DeferredReweighting(start_epoch=1.5), ValueError, "fraction of max_epochs"),
        (DeferredReweighting(start_epoch=-1), ValueError, "start_epoch must be >= 0"),
        (DeferredReweighting(start_epoch="late"), TypeError, "start_epoch must be"),
        (DeferredReweighting(beta=2.0), ValueError, "beta must be in"),
        (DeferredReweighting(beta=None), ValueError, "beta must be in"),
        (ClassifierRetraining("ncm"), ValueError, "method must be"),
        (ClassifierRetraining(lr=-1.0), ValueError, "lr must be"),
        (DeferredResampling(sampler="balanced"), ValueError, "sampler must be one"),
        (DeferredResampling(sampler=None), ValueError, "sampler must be one"),
        (ClassifierRetraining(sampler="sqrt"), ValueError, "sampler must be one"),
        (TauNormalization(tau=-1.0), ValueError, "tau must be"),
        # infinite: NaN probabilities, every row predicted as the first class
        (TauNormalization(tau=float("inf")), ValueError, "tau must be a finite"),
        (ClassifierRetraining(lr=float("inf")), ValueError, "lr must be a finite"),
    ],
)
def test_bad_callback_parameters_are_named(data, callback, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        LongTailClassifier(callbacks=[callback], **FAST).fit(X, y)


@pytest.mark.parametrize("compiled", [False, True])
def test_drw_needs_a_weighted_loss(data, compiled):
    # compiled, the message named torch's wrapper, OptimizedModule
    X, y = data

    class Unweighted(torch.nn.Module):
        def forward(self, logits, target):
            return torch.nn.functional.cross_entropy(logits, target)

    compiling = {"compile": True, "compile__backend": "eager"} if compiled else {}
    with pytest.raises(ValueError, match="'weight' buffer; Unweighted has none"):
        LongTailClassifier(
            criterion=Unweighted(),
            callbacks=[DeferredReweighting()],
            **compiling,
            **FAST,
        ).fit(X, y)


def test_drw_uses_the_counts_of_the_training_part(data):
    X, y = data
    clf = LongTailClassifier(
        callbacks=[DeferredReweighting(start_epoch=0, beta=1.0)],
        train_split=ValidSplit(4, stratified=True),
        **FAST,
    ).fit(X, y)
    inverse = 1 / clf.class_counts_
    np.testing.assert_allclose(
        clf.criterion_.weight.numpy(), inverse / inverse.sum() * 3, rtol=1e-6
    )
    assert clf.class_counts_.sum() == 150


def test_drw_rebuilt_by_set_params_sets_the_weights_back_in_a_warm_fit(data):
    # set_params of one of its parameters builds the callback anew, which
    # had not switched: the warm fit kept the weights of the last switch in
    # the epochs before the new one, another network than without it.
    X, y = data

    def fitted():
        drw = DeferredReweighting(start_epoch=2)
        return LongTailClassifier(
            callbacks=[("drw", drw)], warm_start=True, **FAST
        ).fit(X, y)

    clf, same = fitted(), fitted()
    same.set_params(callbacks__drw__beta=0.9999)
    for net in (clf, same):
        net.fit(X, y)
    assert same.history[:, "train_loss"] == clf.history[:, "train_loss"]
    np.testing.assert_array_equal(same.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "first, then", [(None, [1.0, 5.0, 5.0]), ([2.0, 1.0, 1.0], None)]
)
def test_drw_sets_back_the_weights_of_a_loss_rebuilt_between_fits(data, first, then):
    # set_params(criterion__weight=...) between warm fits rebuilds the loss:
    # the epochs before the new switch train with its weights; they had the
    # weights of the loss before the last switch.
    X, y = data
    record = _Record()
    clf = LongTailClassifier(
        criterion__weight=None if first is None else torch.tensor(first),
        callbacks=[DeferredReweighting(start_epoch=2), record],
        warm_start=True,
        **FAST,
    ).fit(X, y)
    clf.set_params(criterion__weight=None if then is None else torch.tensor(then))
    clf.fit(X, y)
    weights = [None if w is None else w.tolist() for w in record.weights_]
    assert weights[:2] == [first, first] and weights[3:5] == [then, then]
    assert clf.history[:, "reweighted"] == [False, False, True] * 2


def test_drw_counts_a_class_not_seen_yet_as_the_loss_does(data):
    # In partial_fit a class of classes= not seen yet counts as one sample;
    # DRW raised "Class 2 has 0 samples" at its switch epoch.
    X, y = data
    clf = LongTailClassifier(
        criterion="ldam", callbacks=[DeferredReweighting(start_epoch=1)], **FAST
    ).partial_fit(X[y != 2], y[y != 2], classes=[0, 1, 2])
    counts = np.bincount(y[y != 2], minlength=3).clip(min=1)
    expected = _effective_number_weights(counts, 0.9999)
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), expected, rtol=1e-6)
    # In fit an empty class is refused before training, not at the switch.
    drw = LongTailClassifier(
        classes=[0, 1, 2, 3], callbacks=[DeferredReweighting(start_epoch=2)], **FAST
    )
    with pytest.raises(ValueError, match="Class 3 has 0 samples in y; the re-w"):
        drw.fit(X, y)
    assert len(drw.history) == 0


def test_drs_swaps_the_sampler(data):
    X, y = data
    record = _Record()
    clf = LongTailClassifier(
        callbacks=[DeferredResampling(start_epoch=2, sampler="square_root"), record],
        **FAST,
    ).fit(X, y)
    assert clf.history[:, "resampled"] == [False, False, True]
    assert record.samplers_[-1] is SquareRootSampler
    assert record.samplers_[0] is not SquareRootSampler


class _SamplerEpochs(Callback):
    """Record the epoch that the training sampler draws each epoch at."""

    def initialize(self):
        self.epochs_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.epochs_.append(getattr(net.train_sampler_.sampler, "epoch", None))


@pytest.mark.parametrize(
    "schedule",
    [
        DeferredResampling(start_epoch=2, sampler="progressive"),
        ClassifierRetraining("crt", start_epoch=2, sampler="progressive"),
    ],
)
def test_a_progressive_sampler_swapped_in_goes_on_at_the_current_epoch(data, schedule):
    # The swapped-in sampler drew its first epoch as epoch 0 (natural), then
    # jumped to epoch 3: its schedule skipped epochs 1 and 2.
    X, y = data
    record = _SamplerEpochs()
    params = {**FAST, "max_epochs": 4}
    LongTailClassifier(callbacks=[schedule, record], **params).fit(X, y)
    assert record.epochs_ == [None, None, 2, 3]


def _changed(before, after):
    return {name for name in before if not torch.equal(before[name], after[name])}


def test_crt_retrains_only_the_reinitialised_last_layer(data):
    X, y = data
    record = _Record()
    clf = LongTailClassifier(
        callbacks=[ClassifierRetraining("crt", start_epoch=1), record],
        **{**FAST, "max_epochs": 3},
    ).fit(X, y)
    assert clf.history[:, "retraining"] == [False, True, True]
    assert _changed(record.params_[0], record.params_[2]) == {
        "classifier.weight",
        "classifier.bias",
    }
    assert record.samplers_[1] is ClassBalancedSampler
    assert all(p.requires_grad for p in clf.module_.parameters())
    assert clf.predict(X).shape == (len(X),)


class _RecordEpochs(Callback):
    """Record ``read(net)`` at each epoch's start and end."""

    def __init__(self, read):
        self.read = read

    def initialize(self):
        self.begin_, self.end_ = [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.begin_.append(self.read(net))

    def on_epoch_end(self, net, **kwargs):
        self.end_.append(self.read(net))


def _head_and_state(net):
    """The last layer, and whether the optimiser holds a state for it."""
    head = net.module_.classifier
    state = any(p in net.optimizer_.state for p in head.parameters())
    return head.weight.detach().clone(), head.bias.detach().clone(), state


def test_crt_starts_the_last_layer_anew_without_its_momentum(data):
    # As the reference code's second stage, a new run with a new optimiser:
    # the last layer is drawn anew (torch's Linear init, within
    # 1 / sqrt(fan_in) = 1 / sqrt(16)), and SGD has no momentum left for it.
    X, y = data
    record = _RecordEpochs(_head_and_state)
    LongTailClassifier(
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        callbacks=[ClassifierRetraining("crt", start_epoch=2), record],
        **FAST,
    ).fit(X, y)
    trained_weight, trained_bias, had_momentum = record.end_[1]
    weight, bias, has_momentum = record.begin_[2]
    assert had_momentum and not has_momentum
    assert not torch.equal(weight, trained_weight)
    assert not torch.equal(bias, trained_bias)
    assert weight.abs().max() <= 0.25 and bias.abs().max() <= 0.25


class _ZeroingSGD(torch.optim.SGD):
    """SGD whose ``zero_grad`` keeps zero gradients instead of dropping them."""

    def zero_grad(self, set_to_none=False):
        super().zero_grad(set_to_none=False)


@pytest.mark.parametrize("method", ["crt", "lws"])
def test_the_frozen_representation_stays_with_an_optimizer_zeroing_gradients(
    data, method
):
    # A frozen parameter gets no gradient; one left from the last step would
    # be zeroed, not dropped, by such an optimiser, whose weight decay and
    # momentum would then move the representation.
    X, y = data
    record = _Record()
    LongTailClassifier(
        optimizer=_ZeroingSGD,
        optimizer__momentum=0.9,
        optimizer__weight_decay=0.01,
        callbacks=[ClassifierRetraining(method, start_epoch=1), record],
        **FAST,
    ).fit(X, y)
    assert not any(name.startswith("body.") for name in _changed(*record.params_[::2]))


def test_crt_says_when_the_last_layer_is_frozen(data):
    # With the last layer frozen by skorch's Freezer, nothing trained after
    # the switch and the fit failed with "element 0 of tensors does not
    # require grad and does not have a grad_fn".
    X, y = data
    crt = ClassifierRetraining("crt", start_epoch=2)
    for callbacks in ([Freezer("classifier.*"), crt], [crt, Freezer("classifier.*")]):
        clf = LongTailClassifier(callbacks=callbacks, **FAST)
        with pytest.raises(ValueError, match="'classifier', whose parameters are all"):
            clf.fit(X, y)
        assert all(p.requires_grad for p in clf.module_.body.parameters())
    # Frozen elsewhere, the retraining runs.
    clf = LongTailClassifier(callbacks=[Freezer("body.0.*"), crt], **FAST).fit(X, y)
    assert clf.history[:, "retraining"] == [False, False, True]


def test_crt_with_its_own_learning_rate_restores_the_optimizer(data):
    X, y = data
    clf = LongTailClassifier(
        callbacks=[ClassifierRetraining("crt", start_epoch=1, lr=0.1)], **FAST
    ).fit(X, y)
    groups = clf.optimizer_.param_groups
    assert len(groups) == 1
    assert len(groups[0]["params"]) == len(list(clf.module_.parameters()))


class _RecordGroups(Callback):
    """Record, at each epoch end, the options of the optimiser's groups."""

    def initialize(self):
        self.groups_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.groups_.append(
            [
                (len(group["params"]), group["lr"], group["weight_decay"])
                for group in net.optimizer_.param_groups
            ]
        )


def test_crt_with_its_own_learning_rate_keeps_the_options_of_each_group(data):
    # The last layer's per-group options stay in the groups of the retraining
    # (its weight and bias, in two groups, each with its own weight decay).
    X, y = data
    record = _RecordGroups()
    LongTailClassifier(
        optimizer=torch.optim.SGD,
        optimizer__weight_decay=0.1,
        optimizer__param_groups=[
            ("classifier.weight", {"weight_decay": 0.01}),
            ("classifier.bias", {"weight_decay": 0.0}),
        ],
        callbacks=[ClassifierRetraining("crt", start_epoch=1, lr=0.5), record],
        **FAST,
    ).fit(X, y)
    assert record.groups_[0] == [(1, 1e-3, 0.01), (1, 1e-3, 0.0), (2, 1e-3, 0.1)]
    assert record.groups_[1][3:] == [(1, 0.5, 0.01), (1, 0.5, 0.0)]
    assert [n for n, _, _ in record.groups_[1]] == [0, 0, 2, 1, 1]


def test_lws_learns_class_scales_and_folds_them_into_the_layer(data):
    X, y = data
    record = _Record()
    clf = LongTailClassifier(
        callbacks=[ClassifierRetraining("lws", start_epoch=1, lr=0.1), record],
        **FAST,
    ).fit(X, y)
    before = record.params_[0]
    assert not _changed(before, record.params_[2])  # frozen while scales learn
    after = {k: v.detach() for k, v in clf.module_.named_parameters()}
    assert _changed(before, after) == {"classifier.weight", "classifier.bias"}
    # each class's weight vector and bias are scaled by the same factor f_j
    scales = after["classifier.weight"].norm(dim=1) / before["classifier.weight"].norm(
        dim=1
    )
    torch.testing.assert_close(
        after["classifier.weight"], before["classifier.weight"] * scales[:, None]
    )
    torch.testing.assert_close(
        after["classifier.bias"], before["classifier.bias"] * scales
    )
    assert not torch.allclose(scales, torch.ones(3))
    assert len(clf.optimizer_.param_groups) == 1
    assert not clf.module_.classifier._forward_hooks


def _logits_of(X):
    """A function of the network: its logits of the rows ``X``."""

    def logits(net):
        module = net.module_
        training = module.training
        module.train(False)
        with torch.no_grad():
            out = module(torch.as_tensor(X, dtype=torch.float32))
        module.train(training)
        return out

    return logits


def test_lws_starts_from_scales_of_one(data):
    # The scales f_j start at 1 (the reference code's init): the switch
    # leaves the logits f_j * (w_j x + b_j) as the representation epochs left
    # them, and only the retraining steps move them.
    X, y = data
    record = _RecordEpochs(_logits_of(X[:20]))
    LongTailClassifier(
        callbacks=[ClassifierRetraining("lws", start_epoch=1), record], **FAST
    ).fit(X, y)
    torch.testing.assert_close(record.begin_[1], record.end_[0], rtol=0, atol=0)
    assert not torch.equal(record.end_[1], record.begin_[1])


@pytest.mark.parametrize("restore", [EarlyStopping, Checkpoint])
@pytest.mark.parametrize("first", [True, False])
def test_lws_refuses_callbacks_that_restore_the_best_epoch(
    data, tmp_path, restore, first
):
    # The scales are not in the network's state_dict: the model restored at
    # the end of training was the best epoch's weights times the last
    # epoch's scales, or without the best epoch's scales.
    X, y = data
    kwargs = {"dirname": str(tmp_path)} if restore is Checkpoint else {}
    callbacks = [restore(load_best=True, **kwargs), ClassifierRetraining("lws", 1)]
    clf = LongTailClassifier(
        callbacks=callbacks if first else callbacks[::-1],
        train_split=ValidSplit(4, stratified=True),
        **FAST,
    )
    match = rf"'lws'\) cannot be combined with {restore.__name__}\(load_best=True\)"
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    # load_best=False and cRT are accepted.
    callbacks[0].set_params(load_best=False)
    clf.fit(X, y)
    callbacks[0].set_params(load_best=True)
    callbacks[1].set_params(method="crt")
    clf.fit(X, y)


def test_retraining_in_a_group_of_its_own_refuses_lbfgs(data):
    # L-BFGS takes one parameter group: LWS and cRT with its own lr failed
    # at the switch with torch's bare "Expected exactly one param_group".
    X, y = data
    fast = dict(FAST, max_epochs=2, optimizer=torch.optim.LBFGS)
    for method, lr in (("lws", None), ("crt", 0.1)):
        clf = LongTailClassifier(
            callbacks=[ClassifierRetraining(method, start_epoch=1, lr=lr)], **fast
        )
        with pytest.raises(ValueError, match="torch.optim.LBFGS takes a single"):
            clf.fit(X, y)
    clf = LongTailClassifier(callbacks=[ClassifierRetraining("crt", 1)], **fast)
    assert clf.fit(X, y).history[:, "retraining"] == [False, True]


class _RecordLr(Callback):
    """Record the learning rate of each parameter group at each epoch start."""

    def initialize(self):
        self.lrs_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.lrs_.append([group["lr"] for group in net.optimizer_.param_groups])


@pytest.mark.parametrize("method", ["crt", "lws"])
def test_retraining_with_its_own_group_follows_the_papers_lr_schedule(data, method):
    # training_schedule's LambdaLR failed at its next step on the group that
    # LWS (or cRT with its own lr) adds: "zip() argument 2 is shorter".
    X, y = data
    record = _RecordLr()
    params = training_schedule("cb", max_epochs=6)
    params["callbacks"] += [
        ("retrain", ClassifierRetraining(method, start_epoch=2, lr=0.5)),
        ("record", record),
    ]
    clf = LongTailClassifier(module__hidden_sizes=(16,), random_state=0, **params)
    clf.fit(X, y)
    assert clf.history[:, "retraining"] == [False] * 2 + [True] * 4
    rule = params["callbacks"][0][1].kwargs["lr_lambda"]
    for epoch, lrs in enumerate(record.lrs_):
        assert lrs[0] == pytest.approx(0.1 * rule(epoch))
        if epoch >= 2:  # the retraining group: its lr on the same schedule
            assert len(lrs) == 2
            assert lrs[-1] == pytest.approx(0.5 * rule(epoch))
    assert len(clf.optimizer_.param_groups) == 1
    clf.partial_fit(X, y)  # a later fit builds its scheduler anew
    assert len(clf.optimizer_.param_groups) == 1


@pytest.mark.parametrize(
    "scheduler",
    [
        ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2)),
        ("OneCycleLR", dict(max_lr=0.2, total_steps=5)),
        ("WarmRestartLR", dict(min_lr=0.001, max_lr=0.1, base_period=1)),
    ],
)
def test_retraining_group_follows_cyclic_schedules(data, scheduler):
    # CyclicLR keeps max_lrs per group ("zip() argument 2 is shorter"), as
    # skorch's WarmRestartLR keeps min_lr and max_lr, and OneCycleLR writes
    # max_lr... into each group (KeyError: 'max_lr').
    X, y = data
    name, kwargs = scheduler
    policy = getattr(torch.optim.lr_scheduler, name, None) or WarmRestartLR
    record = _RecordLr()
    callbacks = [
        ("lr", LRScheduler(policy, **kwargs)),
        ("retrain", ClassifierRetraining("crt", start_epoch=2, lr=0.05)),
        ("record", record),
    ]
    clf = LongTailClassifier(callbacks=callbacks, **{**FAST, "max_epochs": 5})
    clf.fit(X, y)
    retraining = [lrs[-1] for lrs in record.lrs_[2:]]
    assert all(len(lrs) == 2 for lrs in record.lrs_[2:])
    assert len(set(retraining)) > 1  # its lr moves with the schedule
    assert len(clf.optimizer_.param_groups) == 1


def _sequential(optimizer, last_epoch=-1):
    # skorch passes last_epoch, -1 in a new fit.
    lr_scheduler = torch.optim.lr_scheduler
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.5, total_iters=2)
    decay = lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.5**epoch)
    return lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[2])


def _chained(optimizer, last_epoch=-1):
    lr_scheduler = torch.optim.lr_scheduler
    return lr_scheduler.ChainedScheduler(
        [
            lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.9**epoch),
            lr_scheduler.ExponentialLR(optimizer, gamma=0.8),
        ]
    )


# The epoch from which the retraining group has the others' factor: in a
# chain it starts at the LambdaLR's, without the ExponentialLR's of that step.
@pytest.mark.parametrize("policy, first", [(_sequential, 3), (_chained, 4)])
@pytest.mark.parametrize("method", ["crt", "lws"])
def test_retraining_group_follows_the_schedulers_of_a_composite(
    data, policy, first, method
):
    # The LambdaLR that a SequentialLR or ChainedScheduler steps kept one
    # entry a group: "zip() argument 2 is shorter than argument 1".
    X, y = data
    record = _RecordLr()
    callbacks = [
        ("lr", LRScheduler(policy)),
        ("retrain", ClassifierRetraining(method, start_epoch=3, lr=0.05)),
        ("record", record),
    ]
    clf = LongTailClassifier(callbacks=callbacks, **{**FAST, "max_epochs": 6})
    clf.fit(X, y)
    assert clf.history[:, "retraining"] == [False] * 3 + [True] * 3
    assert all(len(lrs) == 2 for lrs in record.lrs_[3:])
    for lrs in record.lrs_[first:]:
        assert lrs[1] / 0.05 == pytest.approx(lrs[0] / clf.lr)
    assert len(clf.optimizer_.param_groups) == 1


def test_retraining_needs_a_suitable_last_layer(data):
    X, y = data
    with pytest.raises(ValueError, match="has no layer 'head'"):
        LongTailClassifier(callbacks=[ClassifierRetraining(head="head")], **FAST).fit(
            X, y
        )
    with pytest.raises(ValueError, match="LWS needs a torch.nn.Linear"):
        LongTailClassifier(
            criterion="ldam", callbacks=[ClassifierRetraining("lws")], **FAST
        ).fit(X, y)
    with pytest.raises(ValueError, match="Tau-normalisation needs a torch.nn.Linear"):
        LongTailClassifier(
            criterion="ldam", callbacks=[TauNormalization()], **FAST
        ).fit(X, y)


@pytest.mark.parametrize("callback", [ClassifierRetraining, TauNormalization])
def test_a_last_layer_that_is_not_linear_is_named_with_the_callback(data, callback):
    # The message said "classifier retraining needs ..." for TauNormalization.
    X, y = data
    name = callback.__name__
    clf = LongTailClassifier(callbacks=[callback(head="body")], **FAST)
    with pytest.raises(ValueError, match=f"is a Sequential; {name} needs a torch"):
        clf.fit(X, y)


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0])
def test_tau_normalisation_rescales_the_class_weights(data, tau):
    X, y = data
    plain = LongTailClassifier(**FAST).fit(X, y).module_.classifier
    callback = TauNormalization(tau=tau)
    clf = LongTailClassifier(callbacks=[callback], **FAST).fit(X, y)
    head = clf.module_.classifier
    norms = plain.weight.norm(dim=1, keepdim=True)
    torch.testing.assert_close(head.weight, plain.weight / norms**tau)
    torch.testing.assert_close(head.bias, torch.zeros(3))
    assert callback.tau_ == tau


def test_tau_normalisation_is_refused_before_a_load_best_callback(data, tmp_path):
    # A callback that loads the best parameters at the end of training, after
    # TauNormalization in callbacks, brought back the last layer as it was
    # (norms not 1, bias not 0) while the history recorded "tau".
    X, y = data
    split = ValidSplit(4, stratified=True)
    for callback in (
        EarlyStopping(patience=1, load_best=True),
        Checkpoint(load_best=True, dirname=str(tmp_path)),
    ):
        clf = LongTailClassifier(
            callbacks=[TauNormalization(), callback], train_split=split, **FAST
        )
        name = type(callback).__name__
        with pytest.raises(ValueError, match=rf"before .*\({name}\(load_best=True"):
            clf.fit(X, y)
        clf = LongTailClassifier(
            callbacks=[callback, TauNormalization()], train_split=split, **FAST
        ).fit(X, y)
        norms = clf.module_.classifier.weight.norm(dim=1)
        torch.testing.assert_close(norms, torch.ones(3))


def test_tau_normalisation_is_refused_before_lws(data):
    # ClassifierRetraining("lws") after TauNormalization in callbacks folded
    # its class scales into the normalised last layer (norms [1.46, 2.48] for
    # tau=1), while the history recorded "tau".
    X, y = data
    lws = ClassifierRetraining("lws", start_epoch=2, lr=1.0)
    clf = LongTailClassifier(callbacks=[TauNormalization(), lws], **FAST)
    with pytest.raises(ValueError, match=r"before .*\(ClassifierRetraining\('lws'\)"):
        clf.fit(X, y)
    clf = LongTailClassifier(callbacks=[lws, TauNormalization()], **FAST).fit(X, y)
    norms = clf.module_.classifier.weight.norm(dim=1)
    torch.testing.assert_close(norms, torch.ones(3))


def test_tau_normalisation_auto_picks_tau_on_the_validation_part(data):
    X, y = data
    callback = TauNormalization(tau="auto")
    LongTailClassifier(
        callbacks=[callback], train_split=ValidSplit(4, stratified=True), **FAST
    ).fit(X, y)
    assert callback.tau_ in np.round(np.linspace(0, 2, 21), 2)
    assert callback.valid_ is None
    with pytest.raises(ValueError, match="set train_split"):
        LongTailClassifier(callbacks=[TauNormalization(tau="auto")], **FAST).fit(X, y)


def test_tau_normalisation_auto_picks_the_best_tau_of_the_rule(data):
    # Kang et al.'s rule w_j / ||w_j|| ** tau, scored by hand on the features
    # of the validation rows with the weights recorded before the callback:
    # the tau chosen has the best balanced accuracy of the grid.
    X, y = data

    class Before(Callback):
        def on_train_end(self, net, **kwargs):
            self.weight_ = net.module_.classifier.weight.detach().clone()

    before, callback = Before(), TauNormalization(tau="auto")
    fold = np.r_[np.full(150, -1), np.zeros(50)]
    clf = LongTailClassifier(
        callbacks=[before, callback],
        train_split=ValidSplit(PredefinedSplit(fold)),
        **FAST,
    ).fit(X, y)
    features = []
    hook = clf.module_.classifier.register_forward_hook(
        lambda module, inputs, output: features.append(inputs[0].detach())
    )
    clf.forward(X[150:].astype(np.float32))
    hook.remove()
    features = torch.cat(features).numpy().astype(np.float64)
    weight = before.weight_.numpy().astype(np.float64)
    norms = np.linalg.norm(weight, axis=1, keepdims=True)
    grid = np.round(np.linspace(0, 2, 21), 2)
    scores = [
        balanced_accuracy_score(y[150:], (features @ (weight / norms**t).T).argmax(1))
        for t in grid
    ]
    assert max(scores) > min(scores)  # the choice matters on these rows
    # the first best of the grid, as numpy's argmax
    assert callback.tau_ == grid[int(np.argmax(scores))]


def test_tau_normalisation_auto_weighs_the_validation_rows(data):
    # tau="auto" scored the validation part without its sample_weight, which
    # the validation loss applies: rows of weight 0 chose tau (2.0 for 0.2).
    X, y = data
    noise = np.random.RandomState(0).randn(60, X.shape[1])
    fold = np.r_[np.full(150, -1), np.zeros(50)]

    def auto_tau(X, y, sample_weight, fold):
        callback = TauNormalization(tau="auto")
        split = ValidSplit(PredefinedSplit(fold))
        LongTailClassifier(callbacks=[callback], train_split=split, **FAST).fit(
            X, y, sample_weight=sample_weight
        )
        return callback.tau_

    clean = auto_tau(X, y, np.ones(200), fold)
    padded = auto_tau(
        np.vstack([X, noise]),
        np.r_[y, np.full(60, 1)],
        np.r_[np.ones(200), np.zeros(60)],
        np.r_[fold, np.zeros(60)],
    )
    assert padded == clean
    with pytest.raises(ValueError, match="no validation row of positive"):
        auto_tau(X, y, np.r_[np.ones(150), np.zeros(50)], fold)


def _no_validation(dataset, y=None, **fit_params):
    return dataset, None


def _empty_validation(dataset, y=None, **fit_params):
    return dataset, torch.utils.data.Subset(dataset, [])


def test_tau_normalisation_auto_says_when_no_epoch_ran(data):
    # With max_epochs=0 there is no validation epoch to choose tau on; the
    # error said that no labelled validation data were found.
    X, y = data
    callback = TauNormalization(tau="auto")
    clf = LongTailClassifier(
        callbacks=[callback],
        train_split=ValidSplit(4, stratified=True),
        **{**FAST, "max_epochs": 0},
    )
    with pytest.raises(ValueError, match=r"no epoch ran \(max_epochs=0\)"):
        clf.fit(X, y)
    # A train_split that holds out no row: it said that no "labelled"
    # validation data were found.
    clf = LongTailClassifier(
        callbacks=[callback], train_split=_no_validation, **{**FAST, "max_epochs": 1}
    )
    with pytest.raises(ValueError, match="train_split=<function _no_validation"):
        clf.fit(X, y)
    # One that holds out a part of no row, the validation scores left out: it
    # said "torch.cat(): expected a non-empty list of Tensors".
    clf.set_params(
        train_split=_empty_validation,
        callbacks__valid_bacc=None,
        callbacks__valid_loss=None,
    )
    with pytest.raises(ValueError, match="_empty_validation at .* held out no row"):
        clf.fit(X, y)
    # What the callback counts is no parameter: it clones as before.
    assert clone(callback).get_params() == {"tau": "auto", "head": "classifier"}


def test_callbacks_work_on_a_nested_head(data):
    X, y = data

    class Wrapped(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.net = MLP(n_features, n_classes, hidden_sizes=(8,))

        def forward(self, x):
            return self.net(x)

    clf = LongTailClassifier(
        Wrapped,
        callbacks=[ClassifierRetraining("crt", start_epoch=1, head="net.classifier")],
        max_epochs=2,
    ).fit(X, y)
    assert clf.history[:, "retraining"] == [False, True]


class _BiasAtFirstBatch(Callback):
    """Keep the last-layer bias at the start of each epoch."""

    def initialize(self):
        self.biases_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.biases_.append(net.module_.classifier.bias.detach().clone())


@pytest.mark.parametrize("loss_type", ["sigmoid", "softmax"])
def test_crt_restarts_a_sigmoid_class_balanced_head_at_the_prior(data, loss_type):
    # A built network starts the bias of a sigmoid CB loss at -log(C - 1);
    # cRT's re-initialisation reset it to torch's random default instead.
    X, y = data
    record = _BiasAtFirstBatch()
    LongTailClassifier(
        criterion="class_balanced",
        criterion__loss_type=loss_type,
        callbacks=[ClassifierRetraining("crt", start_epoch=1), record],
        **{**FAST, "max_epochs": 2},
    ).fit(X, y)
    retrained = record.biases_[1].numpy()
    if loss_type == "sigmoid":
        np.testing.assert_allclose(retrained, -np.log(len(np.unique(y)) - 1))
    else:
        assert np.ptp(retrained) > 0  # torch's random initialisation


def test_crt_restarts_the_head_of_a_compiled_sigmoid_loss_at_the_prior(data):
    # compile=True wraps the loss in torch's OptimizedModule, which is not an
    # instance of ClassBalancedLoss: cRT left torch's random bias.
    X, y = data
    record = _BiasAtFirstBatch()
    LongTailClassifier(
        criterion="class_balanced",
        criterion__loss_type="sigmoid",
        callbacks=[ClassifierRetraining("crt", start_epoch=1), record],
        compile=True,
        compile__backend="eager",
        **{**FAST, "max_epochs": 2},
    ).fit(X, y)
    retrained = record.biases_[1].numpy()
    np.testing.assert_allclose(retrained, -np.log(len(np.unique(y)) - 1))


def test_crt_reinitialises_the_head_once_across_partial_fit(data):
    X, y = data
    resets = []
    clf = LongTailClassifier(
        callbacks=[ClassifierRetraining("crt", start_epoch=2)],
        **{**FAST, "max_epochs": 3},
    )
    clf.partial_fit(X, y)
    head = clf.module_.classifier
    original = head.reset_parameters
    head.reset_parameters = lambda: resets.append(True) or original()
    body_before = [p.detach().clone() for p in clf.module_.body.parameters()]
    clf.partial_fit(X, y)  # epochs 4-6: past the switch, frozen, no re-init
    assert clf.history[:, "retraining"] == [False, False, True, True, True, True]
    assert not resets
    for before, after in zip(body_before, clf.module_.body.parameters()):
        torch.testing.assert_close(before, after)
    assert all(p.requires_grad for p in clf.module_.parameters())


def test_a_longer_budget_between_partial_fits_does_not_switch_back(data):
    # start_epoch=0.5 of 4 epochs switched after 2; max_epochs=10 moved the
    # switch to 5, so that the 5th epoch ran unweighted, on the instance
    # sampler, with the representation trainable, and cRT re-initialised its
    # retrained head at the 6th
    X, y = data
    clf = LongTailClassifier(
        callbacks=[
            DeferredReweighting(start_epoch=0.5),
            DeferredResampling(start_epoch=0.5),
            ClassifierRetraining("crt", start_epoch=0.5, sampler=None),
        ],
        **{**FAST, "max_epochs": 4},
    )
    clf.partial_fit(X, y)
    body_before = [p.detach().clone() for p in clf.module_.body.parameters()]
    clf.set_params(max_epochs=10)
    clf.partial_fit(X, y)  # epochs 5-14
    switched = [False, False] + [True] * 12
    for key in ("reweighted", "resampled", "retraining"):
        assert clf.history[:, key] == switched
    for before, after in zip(body_before, clf.module_.body.parameters()):
        torch.testing.assert_close(before, after)


def test_a_warm_start_fit_runs_the_schedules_again_once(data):
    X, y = data
    record = _Record()
    clf = LongTailClassifier(
        warm_start=True,
        callbacks=[DeferredReweighting(start_epoch=2, beta=0.99), record],
        **FAST,
    ).fit(X, y)
    clf.fit(X, y)
    assert clf.schedule_start_ == 3
    assert clf.history[:, "reweighted"] == [False, False, True] * 2
    # The refit starts unweighted again: the loss's own weights (none for
    # torch's CrossEntropyLoss) come back.
    assert record.weights_[0] is None and record.weights_[3] is None
    expected = _effective_number_weights(np.bincount(y), 0.99)
    np.testing.assert_allclose(record.weights_[5].numpy(), expected, rtol=1e-6)
    # partial_fit continues the schedule of the last fit: still reweighted.
    clf.partial_fit(X, y)
    assert clf.history[-3:, "reweighted"] == [True, True, True]


def test_the_callbacks_need_the_public_sampler_hook():
    from skorch import NeuralNetClassifier

    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    net = NeuralNetClassifier(
        MLP,
        module__n_features=4,
        module__n_classes=2,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        train_split=None,
        callbacks=[DeferredResampling(start_epoch=1)],
    )
    with pytest.raises(TypeError, match="no set_train_sampler"):
        net.fit(X.astype(np.float32), y)


class _StopAt(Callback):
    """Raise at the start of epoch ``epoch``; record the frozen parameters."""

    def __init__(self, epoch=None):
        self.epoch = epoch

    def initialize(self):
        self.frozen_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("stopped")
        frozen = [n for n, p in net.module_.named_parameters() if not p.requires_grad]
        self.frozen_.append(frozen)


def _stopped_while_retraining(data, method, record, frozen=()):
    """Fit a module instance, stopped by ``record`` while retraining.

    The parameters named in ``frozen`` are frozen before the fit. Returns the
    module and the classifier.
    """
    X, y = data
    torch.manual_seed(0)
    module = MLP(n_features=4, n_classes=3, hidden_sizes=(16,))
    for name, param in module.named_parameters():
        if name in frozen:
            param.requires_grad_(False)
    clf = LongTailClassifier(
        module=module,
        **{k: v for k, v in FAST.items() if not k.startswith("module__")},
        callbacks=[
            ("rt", ClassifierRetraining(method=method, start_epoch=1)),
            ("record", record),
        ],
    )
    with pytest.raises(RuntimeError, match="stopped"):
        clf.fit(X, y)
    return module, clf


def _stopped_while_retraining_then_refit(data, method, frozen=()):
    """Fit a module instance, stopped at epoch 3 while retraining, then refit.

    The parameters named in ``frozen`` are frozen before the first fit.
    """
    record = _StopAt(epoch=3)
    module, clf = _stopped_while_retraining(data, method, record, frozen)
    assert record.frozen_[1]  # retraining when it stopped
    record.epoch = None
    clf.fit(*data)
    assert clf.module_ is module
    return module, record


@pytest.mark.parametrize("method", ["crt", "lws"])
def test_a_fit_stopped_while_retraining_leaves_no_frozen_layer_or_scale(data, method):
    # A fit stopped during the retraining epochs left the network frozen and,
    # with LWS, its last layer scaled by a hook: a module instance, which the
    # next fit reuses, kept them, so that fit did not train its representation
    # and every prediction went through the stale scales.
    module, record = _stopped_while_retraining_then_refit(data, method)
    assert record.frozen_[0] == []  # the representation epoch trains it all
    assert not module.classifier._forward_hooks
    assert all(p.requires_grad for p in module.parameters())


class _StopAtKeepingTheHead(_StopAt):
    """``_StopAt`` that keeps the last layer's weight at each epoch start."""

    def on_epoch_begin(self, net, **kwargs):
        self.head_ = net.module_.classifier.weight.detach().clone()
        super().on_epoch_begin(net, **kwargs)


@pytest.mark.parametrize("method", ["crt", "lws"])
def test_a_fit_stopped_while_retraining_gives_the_module_back_at_once(data, method):
    # The stopped fit left the module instance frozen and (LWS) scaled until
    # the next fit of the same callback: another classifier given the module
    # trained no frozen layer and predicted through the stale scales.
    stop = _StopAtKeepingTheHead(epoch=3)  # after a retraining epoch
    module, _ = _stopped_while_retraining(data, method, stop)
    assert stop.frozen_[1]  # retraining when it stopped
    assert not module.classifier._forward_hooks
    # LWS's scales of the stopped fit are dropped, not folded into the layer.
    assert torch.equal(module.classifier.weight, stop.head_)
    assert all(p.requires_grad for p in module.parameters())
    other = LongTailClassifier(module=module, max_epochs=1, random_state=0)
    record = _StopAt()
    other.set_params(callbacks=[("record", record)]).fit(*data)
    assert other.module_ is module and record.frozen_ == [[]]


@pytest.mark.parametrize("method", ["crt", "lws"])
def test_retraining_keeps_the_layers_frozen_before_the_fit(data, method):
    # The end of training, and the reset after a fit stopped while
    # retraining, made every parameter trainable, those the user had frozen
    # too: only the callback's own freezing is undone.
    module, record = _stopped_while_retraining_then_refit(
        data, method, frozen=["body.0.weight"]
    )
    assert record.frozen_[0] == ["body.0.weight"]
    assert len(record.frozen_[1]) == (2 if method == "crt" else 4)
    frozen = [n for n, p in module.named_parameters() if not p.requires_grad]
    assert frozen == ["body.0.weight"]


def test_a_fractional_start_epoch_is_that_fraction_of_max_epochs():
    # 0.29 * 100 is 28.999999999999996 in floating point
    assert _start(0.29, SimpleNamespace(max_epochs=100)) == 29
    assert _start(0.8, SimpleNamespace(max_epochs=7)) == 6
    assert _start(3, SimpleNamespace(max_epochs=7)) == 3
