"""Tests of LongTailClassifier's training loop: the history, the hooks, amp."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import signal
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402
from skorch.callbacks import (  # noqa: E402
    Callback,
    EpochScoring,
    GradientNormClipping,
    LRScheduler,
)
from skorch.dataset import ValidSplit  # noqa: E402
from torch import nn  # noqa: E402

from ltlearn.deep import LongTailClassifier, _loop  # noqa: E402
from ltlearn.deep.callbacks import (  # noqa: E402
    ClassifierRetraining,
    DeferredReweighting,
)
from ltlearn.deep.modules import MLP  # noqa: E402
from ltlearn.deep.schedules import training_schedule  # noqa: E402
from ltlearn.utils._interrupts import (  # noqa: E402
    record_interrupts,
    terminating_as_interrupt,
)

FAST = dict(max_epochs=3, batch_size=32, module__hidden_sizes=(16,), random_state=0)
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


class _BatchEnd(Callback):
    """A callback with a batch-level hook: the net then runs skorch's loop."""

    def initialize(self):
        self.losses_ = []
        return self

    def on_batch_end(self, net, training=False, **kwargs):
        # skorch's loop has recorded this batch's loss as a float already.
        if training:
            self.losses_.append(net.history[-1, "batches", -1, "train_loss"])


class _GradSeen(Callback):
    """Record, for each batch, whether every parameter has a gradient."""

    def initialize(self):
        self.calls_ = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.calls_.append(all(p.grad is not None for _, p in named_parameters))


def _callback(clf, cls):
    """The callback of class ``cls`` of a fitted ``clf``."""
    return next(cb for _, cb in clf.callbacks_ if isinstance(cb, cls))


def _rows(history):
    """The history without the epoch durations."""
    return [{k: v for k, v in row.items() if k != "dur"} for row in history]


@pytest.mark.parametrize("criterion", ["ce", "focal", "ldam"])
@pytest.mark.parametrize("split", [None, ValidSplit(3, stratified=True)])
def test_history_is_that_of_skorchs_loop(imbalanced_multiclass, criterion, split):
    # Without batch-level hooks the batches run without notifying the
    # callbacks and their rows are written at the end of the epoch; with one
    # (a no-op on_batch_end), skorch's own loop runs. Same histories.
    X, y = imbalanced_multiclass
    params = dict(FAST, criterion=criterion, train_split=split)
    lean = LongTailClassifier(**params).fit(X, y)
    hooked = LongTailClassifier(**params, callbacks=[_BatchEnd()]).fit(X, y)
    assert _rows(lean.history) == _rows(hooked.history)
    keys = ["train_loss", "valid_loss"] if split else ["train_loss"]
    for key in keys:
        prefix = key.split("_")[0]
        for row in lean.history:
            batches = row["batches"]
            losses = [b[key] for b in batches if key in b]
            assert losses
            sizes = [b[f"{prefix}_batch_size"] for b in batches if key in b]
            assert all(type(value) is float for value in losses)
            assert len(losses) == row[f"{prefix}_batch_count"]
            assert row[key] == pytest.approx(np.average(losses, weights=sizes))
    np.testing.assert_array_equal(lean.predict_proba(X), hooked.predict_proba(X))
    # The batch losses the callback read during the epochs are those kept.
    kept = [b.get("train_loss") for row in lean.history for b in row["batches"]]
    assert _callback(hooked, _BatchEnd).losses_ == [
        value for value in kept if value is not None
    ]


@pytest.fixture
def reads(monkeypatch):
    """Counts of the tensor reads to the host: ``item`` and ``tolist`` calls."""
    calls = {"item": 0, "tolist": 0}

    def counting(name):
        method = getattr(torch.Tensor, name)

        def wrapper(self, *args, **kwargs):
            calls[name] += 1
            return method(self, *args, **kwargs)

        return wrapper

    for name in calls:
        monkeypatch.setattr(torch.Tensor, name, counting(name))
    return calls


def test_no_loss_is_read_per_batch(imbalanced_multiclass, reads):
    # The batch losses come back from the device once per epoch (tolist),
    # never one by one (item), unless a callback has a batch-level hook.
    X, y = imbalanced_multiclass
    params = dict(FAST, optimizer=torch.optim.SGD, lr=0.1)
    clf = LongTailClassifier(**params).fit(X, y)
    n_batches = sum(clf.history[:, "train_batch_count"])
    assert n_batches == 3 * 13
    assert reads == {"item": 0, "tolist": 3}

    reads.update(item=0, tolist=0)
    LongTailClassifier(**params, callbacks=[_BatchEnd()]).fit(X, y)
    assert reads["item"] == n_batches  # skorch's loop: one per batch


def test_a_validation_score_keeps_the_training_batches_unnotified(
    imbalanced_multiclass, reads
):
    # The validation score (EpochScoring, on_train=False) caches the
    # predictions of the validation batches only: those run skorch's loop,
    # the training batches do not. A score on the training batches sends
    # them to skorch's loop too, with the same history.
    X, y = imbalanced_multiclass
    split = ValidSplit(3, stratified=True)
    params = dict(FAST, optimizer=torch.optim.SGD, lr=0.1, train_split=split)
    clf = LongTailClassifier(**params).fit(X, y)
    assert "valid_bacc" in clf.history[-1]
    assert reads["item"] == sum(clf.history[:, "valid_batch_count"])

    reads["item"] = 0
    train_score = EpochScoring("accuracy", on_train=True, name="train_acc")
    scored = LongTailClassifier(**params, callbacks=[train_score]).fit(X, y)
    n_batches = sum(scored.history[:, "train_batch_count"]) + sum(
        scored.history[:, "valid_batch_count"]
    )
    assert reads["item"] == n_batches
    rows = [
        {k: v for k, v in r.items() if "train_acc" not in k} for r in scored.history
    ]
    assert _rows(rows) == _rows(clf.history)
    assert all(0 <= acc <= 1 for acc in scored.history[:, "train_acc"])


def _lr_steps(step_every):
    return LRScheduler(
        torch.optim.lr_scheduler.StepLR, step_size=5, gamma=0.5, step_every=step_every
    )


def test_an_epoch_scheduler_keeps_the_batches_unnotified(imbalanced_multiclass, reads):
    # skorch's LRScheduler has an on_batch_end that does nothing unless it
    # steps per batch: the papers' schedules (stepped per epoch) keep the
    # loop without per-batch reads; a scheduler stepped per batch gets
    # skorch's loop, and its learning rate moves batch by batch.
    X, y = imbalanced_multiclass
    params = dict(FAST, optimizer=torch.optim.SGD, lr=0.1)
    recipe = training_schedule("cb", max_epochs=3, batch_size=32)
    recipe = dict(recipe, module__hidden_sizes=(16,), random_state=0)
    clf = LongTailClassifier(**recipe).fit(X, y)
    assert clf._runs_without_batch_hooks()
    assert not reads["item"]
    hooked = LongTailClassifier(
        **dict(recipe, callbacks=[*recipe["callbacks"], _BatchEnd()])
    ).fit(X, y)
    assert _rows(clf.history) == _rows(hooked.history)
    np.testing.assert_array_equal(clf.predict_proba(X), hooked.predict_proba(X))

    reads["item"] = 0
    by_epoch = LongTailClassifier(**params, callbacks=[_lr_steps("epoch")]).fit(X, y)
    assert not reads["item"]
    assert by_epoch.optimizer_.param_groups[0]["lr"] == 0.1  # 3 epochs < 5
    by_batch = LongTailClassifier(**params, callbacks=[_lr_steps("batch")]).fit(X, y)
    n_batches = sum(by_batch.history[:, "train_batch_count"])
    assert reads["item"] == n_batches  # skorch's loop
    assert by_batch.optimizer_.param_groups[0]["lr"] == 0.1 * 0.5 ** (n_batches // 5)


def test_on_grad_computed_sees_the_gradients(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(**FAST, callbacks=[_GradSeen()]).fit(X, y)
    calls = _callback(clf, _GradSeen).calls_
    assert len(calls) == sum(clf.history[:, "train_batch_count"])
    assert all(calls)
    # skorch's gradient clipping works through the hook.
    clipped = LongTailClassifier(
        **FAST, callbacks=[GradientNormClipping(gradient_clip_value=1e-3)]
    ).fit(X, y)
    plain = LongTailClassifier(**FAST).fit(X, y)
    assert clipped.history[-1, "train_loss"] != plain.history[-1, "train_loss"]


class _Scales(Callback):
    """Record the LWS scales of ``lws`` at the end of each epoch."""

    def __init__(self, lws):
        self.lws = lws

    def on_epoch_end(self, net, **kwargs):
        scales = self.lws.scales_
        net.history.record("scales", None if scales is None else scales.tolist())


def test_on_grad_computed_sees_the_parameters_a_callback_adds(imbalanced_multiclass):
    # The LWS scales are trained by the optimiser but belong to no module:
    # GradientNormClipping did not clip them, and they moved as unclipped
    # by up to 1.15 instead of less than 1e-3.
    X, y = imbalanced_multiclass
    lws = ClassifierRetraining("lws", start_epoch=1, lr=1.0)
    clip = GradientNormClipping(gradient_clip_value=1e-8)
    for callbacks in ([lws, _Scales(lws), clip], [lws, _Scales(lws)]):
        clf = LongTailClassifier(
            **FAST, optimizer=torch.optim.SGD, callbacks=callbacks
        ).fit(X, y)
        moved = np.abs(np.asarray(clf.history[-1, "scales"]) - 1).max()
        assert (moved < 1e-3) == (clip in callbacks)


def test_an_optimiser_with_a_closure_trains(imbalanced_multiclass):
    # L-BFGS calls the step's closure many times: skorch's closure path.
    X, y = imbalanced_multiclass
    for amp in (False, True):
        clf = LongTailClassifier(
            **dict(FAST, max_epochs=2), optimizer=torch.optim.LBFGS, lr=0.1, amp=amp
        ).fit(X, y)
        assert np.all(np.isfinite(clf.history[:, "train_loss"]))
        assert clf.score(X, y) > 0.6


@pytest.mark.parametrize("partial", [False, True])
def test_a_fit_in_the_callers_no_grad_block_trains(imbalanced_multiclass, partial):
    # torch's optimisers run skorch's closure with gradients on; the step
    # after the backward pass failed there ("element 0 of tensors does not
    # require grad").
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(**dict(FAST, max_epochs=2))
    expected = clone(clf).fit(X, y).predict_proba(X)
    with torch.no_grad():
        clf.partial_fit(X, y) if partial else clf.fit(X, y)
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    if not partial:
        np.testing.assert_array_equal(clf.predict_proba(X), expected)


class _StopAfter(nn.Module):
    """An MLP whose forward gets Ctrl-C (SIGINT) or ``signum`` at its n-th call."""

    def __init__(self, n_features, n_classes, n_calls, signum=signal.SIGINT):
        super().__init__()
        self.mlp = MLP(n_features, n_classes, hidden_sizes=(8,))
        self.n_calls = n_calls
        self.signum = signum
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        if self.calls == self.n_calls:
            signal.raise_signal(self.signum)  # Python's handler raises
        return self.mlp(x)


def test_a_step_counts_the_batches_of_its_epoch_in_the_history(imbalanced_multiclass):
    # skorch's recipe of gradient accumulation: an optimiser step every
    # second batch, counted in history[-1, "batches"]. Without batch hooks
    # the rows were written at the end of the epoch: the count was 0 at
    # every batch, and the network stepped at each one (39 steps, not 18).
    X, y = imbalanced_multiclass

    class Accumulating(LongTailClassifier):
        def train_step(self, batch, **fit_params):
            n_batches = len(self.history[-1, "batches"])  # 1 at the first
            self.history.record_batch("n_batches", n_batches)
            step = self.train_step_single(batch, **fit_params)
            if n_batches % 2 == 0:
                self.optimizer_.step()
                self.optimizer_.zero_grad()
                self.n_steps_ += 1
            return step

    clf = Accumulating(**FAST)
    clf.n_steps_ = 0
    clf.fit(X, y)
    assert clf.n_steps_ == 3 * (13 // 2)
    for row in clf.history:
        assert [b["n_batches"] for b in row["batches"]] == list(range(1, 14))
        assert all(type(b["train_loss"]) is float for b in row["batches"])
        assert [b["train_batch_size"] for b in row["batches"]] == [32] * 12 + [16]


def test_a_failure_after_a_step_leaves_no_batch_row_without_its_loss(
    imbalanced_multiclass, monkeypatch
):
    # The rows are started before the steps: a failure once a step has run
    # (reading the losses, counting a batch) drops the rows left without loss.
    X, y = imbalanced_multiclass

    class SeveralLosses(LongTailClassifier):
        def train_step(self, batch, **fit_params):
            step = super().train_step(batch, **fit_params)
            return {**step, "loss": step["loss"].repeat(2)}

    clf = SeveralLosses(**FAST)
    with pytest.raises(ValueError, match="must be a single value"):
        clf.fit(X, y)
    assert clf.history[-1, "batches"] == []

    batch_len, n_calls = _loop._batch_len, []

    def failing_batch_len(batch):
        n_calls.append(1)
        if len(n_calls) == 3:
            raise RuntimeError("no length")
        return batch_len(batch)

    monkeypatch.setattr(_loop, "_batch_len", failing_batch_len)
    clf = LongTailClassifier(**FAST)
    with pytest.raises(RuntimeError, match="no length"):
        clf.fit(X, y)
    assert [sorted(b) for b in clf.history[-1, "batches"]] == [
        ["train_batch_size", "train_loss"]
    ] * 2


def test_an_interrupt_keeps_the_batches_that_ran(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(
        _StopAfter, module__n_calls=16, max_epochs=3, batch_size=32, random_state=0
    )
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    # 13 batches an epoch: the second ran 2 batches before the 16th call.
    batches = clf.history[-1, "batches"]
    assert [b["train_batch_size"] for b in batches] == [32, 32]
    assert all(type(b["train_loss"]) is float for b in batches)
    assert "train_loss" not in clf.history[-1]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_a_sigterm_in_a_fit_of_ltlearn_compare_stops_it_as_a_ctrl_c(
    imbalanced_multiclass,
):
    # ``ltlearn compare`` turns a SIGTERM into a KeyboardInterrupt and records
    # the interrupts of each fit. The network's fit did not see it as a
    # signal and took it for a callback stopping the training: the fit went
    # on to its end (on_train_end) and the run stopped only after it.
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(
        _StopAfter,
        module__n_calls=16,
        module__signum=signal.SIGTERM,
        max_epochs=3,
        batch_size=32,
        random_state=0,
    )
    with terminating_as_interrupt() as terminated, record_interrupts() as seen:
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    assert terminated == seen == [signal.SIGTERM]
    assert len(clf.history) == 2 and "train_loss" not in clf.history[-1]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_amp_parameter(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(**FAST)
    assert clf.get_params()["amp"] is False
    assert clone(clf.set_params(amp=True)).amp is True
    with pytest.raises(InvalidParameterError, match="amp"):
        LongTailClassifier(**FAST, amp="yes").fit(X, y)


class _Dtypes(Callback):
    """Record the dtype of the module's output at each forward pass."""

    def initialize(self):
        self.dtypes_ = []
        return self

    def on_train_begin(self, net, **kwargs):
        self.handle_ = net.module_.register_forward_hook(
            lambda module, inputs, output: self.dtypes_.append(output.dtype)
        )

    def on_train_end(self, net, **kwargs):
        self.handle_.remove()


@pytest.mark.parametrize("criterion", ["ce", "focal", "class_balanced", "kps"])
def test_amp_on_the_cpu_trains_in_bfloat16(imbalanced_multiclass, criterion):
    X, y = imbalanced_multiclass
    params = dict(FAST, max_epochs=10, criterion=criterion)
    full = LongTailClassifier(**params, callbacks=[_Dtypes()]).fit(X, y)
    mixed = LongTailClassifier(**params, amp=True, callbacks=[_Dtypes()]).fit(X, y)
    assert set(_callback(full, _Dtypes).dtypes_) == {torch.float32}
    assert set(_callback(mixed, _Dtypes).dtypes_) == {torch.bfloat16}
    assert getattr(mixed, "grad_scaler_", None) is None  # no scaling in bfloat16
    # The loss is computed in float32 on the bfloat16 logits: close to float32.
    np.testing.assert_allclose(
        mixed.history[:, "train_loss"], full.history[:, "train_loss"], rtol=0.05
    )
    proba = mixed.predict_proba(X)
    assert proba.dtype == np.float32  # predictions in float32
    assert mixed.score(X, y) >= full.score(X, y) - 0.05


def test_grad_scaler_is_none_after_a_fit_of_no_epoch(imbalanced_multiclass):
    # fit with max_epochs=0 left no grad_scaler_: AttributeError, where the
    # documentation says None
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(**dict(FAST, max_epochs=0)).fit(X, y)
    assert clf.grad_scaler_ is None
    clf.set_params(max_epochs=1).fit(X, y)
    assert clf.grad_scaler_ is None  # no scaling on the CPU


def test_amp_warns_on_other_devices(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(**FAST, device="meta", amp=True)
    # The meta device computes no values: the fit stops at the first loss read.
    with pytest.warns(UserWarning, match="float32"):
        with pytest.raises(NotImplementedError, match="meta"):
            clf.fit(X, y)


class _OnItsDevice(nn.Module):
    """A linear layer that moves its input to the device of its weights."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.classifier = nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.classifier(x.to(self.classifier.weight.device))


@pytest.mark.parametrize("criterion", ["ce", "focal"])
def test_a_weighted_loss_is_computed_on_the_device_of_the_logits(
    imbalanced_multiclass, criterion
):
    # device=None moves nothing: a module that moves its input to its own
    # device gives its logits there, and the loss took the targets there,
    # except with sample_weight, whose targets and weights stayed on the CPU
    # ("Tensor on device meta is not on the expected device cpu!"). The meta
    # device computes no values: both fits stop at the first loss read.
    X, y = imbalanced_multiclass
    for sample_weight in (None, np.linspace(0.5, 2.0, len(y))):
        clf = LongTailClassifier(
            module=_OnItsDevice(X.shape[1], 4).to("meta"),
            criterion=criterion,
            device=None,
            max_epochs=1,
        )
        with pytest.raises(NotImplementedError, match="meta"):
            clf.fit(X, y, sample_weight=sample_weight)


@CUDA
def test_amp_on_cuda_scales_the_gradients(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(
        **dict(FAST, max_epochs=10), device="cuda", amp=True, callbacks=[_Dtypes()]
    ).fit(X, y)
    assert set(_callback(clf, _Dtypes).dtypes_) == {torch.float16}
    assert isinstance(clf.grad_scaler_, torch.amp.GradScaler)
    assert clf.grad_scaler_.get_scale() > 0
    assert clf.score(X, y) > 0.8
    with pytest.raises(ValueError, match="closure"):
        LongTailClassifier(
            **FAST, device="cuda", amp=True, optimizer=torch.optim.LBFGS
        ).fit(X, y)


class _SyncCount(Callback):
    """Count the synchronising CUDA calls of each epoch (torch warns of each)."""

    def initialize(self):
        self.counts_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.catcher_ = warnings.catch_warnings(record=True)
        self.records_ = self.catcher_.__enter__()
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")

    def on_epoch_end(self, net, **kwargs):
        torch.cuda.set_sync_debug_mode("default")
        self.catcher_.__exit__(None, None, None)
        self.counts_.append(
            sum("synchroniz" in str(record.message) for record in self.records_)
        )


@CUDA
def test_no_host_synchronisation_per_batch_on_cuda(imbalanced_multiclass):
    # skorch's loop reads each batch's loss; without batch-level hooks (an
    # LRScheduler stepped per epoch has none) the losses are read once per
    # epoch.
    X, y = imbalanced_multiclass
    counts = {}
    cases = (
        ("lean", []),
        ("scheduled", [_lr_steps("epoch")]),
        ("hooked", [_BatchEnd()]),
    )
    for name, extra in cases:
        clf = LongTailClassifier(
            **FAST, device="cuda", callbacks=[_SyncCount(), *extra]
        ).fit(X, y)
        counts[name] = _callback(clf, _SyncCount).counts_
    # The losses of the 13 batches of an epoch: 13 reads against one
    # transfer (which torch may count twice: the copy and the wait).
    n_batches = 13
    for lean, scheduled, hooked in zip(*counts.values()):
        assert hooked - lean >= n_batches - 2, counts
        assert hooked - scheduled >= n_batches - 2, counts


class _Notified(LongTailClassifier):
    """A subclass overriding notify: it sees every batch hook, as in skorch."""

    def notify(self, method_name, **cb_kwargs):
        self.hooks_.append(method_name)
        super().notify(method_name, **cb_kwargs)


def test_an_overridden_notify_gets_every_hook(imbalanced_multiclass):
    X, y = imbalanced_multiclass
    clf = _Notified(**FAST)
    clf.hooks_ = []
    clf.fit(X, y)
    n_batches = sum(clf.history[:, "train_batch_count"])
    for hook in ("on_batch_begin", "on_grad_computed", "on_batch_end"):
        assert clf.hooks_.count(hook) == n_batches
    lean = LongTailClassifier(**FAST).fit(X, y)
    assert _rows(clf.history) == _rows(lean.history)


@pytest.mark.parametrize("criterion", ["ce", "focal", "ldam"])
@pytest.mark.parametrize("amp", [False, True])
def test_a_loss_per_sample_is_a_clear_error(imbalanced_multiclass, criterion, amp):
    # reduction="none" gives one loss per sample: torch's backward failed with
    # "grad can be implicitly created only for scalar outputs".
    X, y = imbalanced_multiclass
    clf = LongTailClassifier(
        criterion=criterion, criterion__reduction="none", amp=amp, **FAST
    )
    with pytest.raises(ValueError, match=r"reduction='none'\); training needs one"):
        clf.fit(X, y)
    assert not clf.initialized_


@pytest.mark.parametrize("shape", [(1,), (1, 1)])
def test_a_loss_of_one_value_in_any_shape_trains(imbalanced_multiclass, shape):
    # torch's backward takes a loss of one value whatever its shape; the
    # check of a loss per sample refused a criterion's loss of shape (1,).
    X, y = imbalanced_multiclass

    class ShapedLoss(nn.CrossEntropyLoss):
        def forward(self, logits, target):
            return super().forward(logits, target).reshape(shape)

    clf = LongTailClassifier(criterion=ShapedLoss, **FAST).fit(X, y)
    plain = LongTailClassifier(criterion=nn.CrossEntropyLoss, **FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))


def test_a_loss_per_sample_without_reduction_is_a_clear_error(imbalanced_multiclass):
    X, y = imbalanced_multiclass

    class PerSampleLoss(nn.Module):
        def forward(self, logits, target):
            return nn.functional.cross_entropy(logits, target, reduction="none")

    with pytest.raises(ValueError, match=r"PerSampleLoss .* Make it return a single"):
        LongTailClassifier(criterion=PerSampleLoss, **FAST).fit(X, y)


@pytest.mark.parametrize("gives", ["item", "pair"])
def test_a_loss_that_is_not_a_tensor_is_a_clear_error(imbalanced_multiclass, gives):
    # it failed with "'float' object has no attribute 'backward'" ('tuple')
    X, y = imbalanced_multiclass

    class LossOfNoTensor(nn.CrossEntropyLoss):
        def forward(self, logits, target):
            loss = super().forward(logits, target)
            return loss.item() if gives == "item" else (loss, logits.shape[0])

    found = "float" if gives == "item" else "tuple"
    match = rf"LossOfNoTensor gives a training loss of type {found}; .* torch tensor"
    clf = LongTailClassifier(criterion=LossOfNoTensor, **FAST)
    with pytest.raises(TypeError, match=match):
        clf.fit(X, y)


class _CastLogits(MLP):
    """An MLP whose forward returns its logits in ``logits_dtype``."""

    def __init__(self, n_features, n_classes, *, hidden_sizes, logits_dtype):
        super().__init__(n_features, n_classes, hidden_sizes=hidden_sizes)
        self.logits_dtype = logits_dtype

    def forward(self, x):
        return super().forward(x).to(self.logits_dtype)


@pytest.mark.parametrize("logits_dtype", [torch.float64, torch.bfloat16])
@pytest.mark.parametrize("weighted", ["deferred", "criterion"])
def test_logits_of_another_dtype_train_with_class_weights(
    imbalanced_multiclass, logits_dtype, weighted
):
    # torch's CrossEntropyLoss refuses logits of another dtype than its
    # weight: a module returning float64 logits failed with "expected scalar
    # type Double but found Float" once DeferredReweighting wrote its weights.
    X, y = imbalanced_multiclass
    if weighted == "deferred":
        params = dict(callbacks=[DeferredReweighting(start_epoch=1)])
    else:
        params = dict(criterion=nn.CrossEntropyLoss(weight=torch.rand(4) + 0.5))
    clf = LongTailClassifier(
        module=_CastLogits, module__logits_dtype=logits_dtype, **params, **FAST
    ).fit(X, y)
    if logits_dtype == torch.float64:  # the float32 network's fit, to rounding
        params = {key: clone(value, safe=False) for key, value in params.items()}
        plain = LongTailClassifier(module=MLP, **params, **FAST).fit(X, y)
        np.testing.assert_allclose(
            clf.predict_proba(X), plain.predict_proba(X), rtol=1e-5, atol=1e-7
        )
    assert np.isfinite(clf.history[:, "train_loss"]).all()


class _OneLogit(nn.Module):
    """A binary network of one logit per sample, shape ``(batch,)``."""

    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return self.linear(x)[:, 0]


@pytest.mark.parametrize(
    "criterion, module",
    [(nn.BCEWithLogitsLoss, MLP), (nn.BCELoss, MLP), (nn.BCEWithLogitsLoss, _OneLogit)],
)
def test_binary_cross_entropy_on_class_indices_is_a_clear_error(
    imbalanced_multiclass, criterion, module
):
    # torch's "Target size ... must be the same as input size" or "result
    # type Float can't be cast to the desired output type Long" named
    # neither the targets the classifier gives nor the fix.
    X, y = imbalanced_multiclass
    y = (y == 3).astype(int)
    params = {**FAST, "module": module, "criterion": criterion}
    if module is _OneLogit:
        del params["module__hidden_sizes"]
    clf = LongTailClassifier(**params)
    with pytest.raises(ValueError, match="takes float targets .* criterion='ce'"):
        clf.fit(X, y)
    assert not clf.initialized_


class _TwoOutputs(nn.Module):
    """A network of two outputs whatever the number of classes."""

    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 2)

    def forward(self, x):
        return self.linear(x)


@pytest.mark.parametrize("criterion", ["ce", "focal"])
def test_a_module_of_fewer_outputs_than_classes_is_named(
    imbalanced_multiclass, criterion
):
    # torch's cross-entropy failed with "IndexError: Target 2 is out of
    # bounds.", naming neither the module nor the fix
    X, y = imbalanced_multiclass
    params = {**FAST, "module": _TwoOutputs, "criterion": criterion}
    del params["module__hidden_sizes"]
    clf = LongTailClassifier(**params)
    with pytest.raises(
        ValueError, match=r"outputs of shape \(2,\) per sample; .* has 4 classes"
    ):
        clf.fit(X, y)


def test_an_index_error_of_a_loss_of_the_user_is_its_own(imbalanced_multiclass):
    class Picky(nn.CrossEntropyLoss):
        def forward(self, logits, target):
            raise IndexError("Picky's own")

    with pytest.raises(IndexError, match="^Picky's own$"):
        LongTailClassifier(criterion=Picky, **FAST).fit(*imbalanced_multiclass)


def test_binary_cross_entropy_of_class_indices_trains(imbalanced_multiclass):
    # A subclass that turns the class indices into float targets is the
    # user's: it trains as before.
    X, y = imbalanced_multiclass
    y = (y == 3).astype(int)

    class IndexBCE(nn.BCEWithLogitsLoss):
        def forward(self, logits, target):
            return super().forward(logits[:, 1] - logits[:, 0], target.float())

    clf = LongTailClassifier(criterion=IndexBCE, **FAST).fit(X, y)
    assert np.isfinite(clf.history[:, "train_loss"]).all()


def test_an_error_of_a_binary_cross_entropy_subclass_is_its_own(imbalanced_multiclass):
    # The subclass takes class indices: its own error was reworded as torch's
    # binary cross-entropy refusing them.
    X, y = imbalanced_multiclass

    class CheckedBCE(nn.BCEWithLogitsLoss):
        def forward(self, logits, target):
            raise ValueError("CheckedBCE needs two classes")

    with pytest.raises(ValueError, match="^CheckedBCE needs two classes$"):
        LongTailClassifier(criterion=CheckedBCE, **FAST).fit(X, y)


def test_a_mock_callback_is_notified_of_every_batch(imbalanced_multiclass):
    # skorch's tests (and users') pass Mock(spec=Callback): its hooks are made
    # on the instance, not its class, and the fit failed with "type object
    # 'Mock' has no attribute 'on_batch_begin'".
    from unittest.mock import Mock

    X, y = imbalanced_multiclass
    callback = Mock(spec=Callback)
    callback.get_params.return_value = {}
    callback.set_params = lambda **kwargs: callback
    clf = LongTailClassifier(callbacks=[("mock", callback)], **FAST).fit(X, y)
    n_batches = 3 * -(-len(X) // 32)
    assert callback.on_batch_begin.call_count == n_batches
    assert callback.on_batch_end.call_count == n_batches
    assert callback.on_epoch_end.call_count == 3
    assert callback.on_batch_end.call_args_list[0][0][0] is clf
