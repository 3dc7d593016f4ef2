"""Tests of the papers' training schedules."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.datasets import make_classification  # noqa: E402

from ltlearn.deep import LongTailClassifier  # noqa: E402
from ltlearn.deep.callbacks import DeferredReweighting  # noqa: E402
from ltlearn.deep.schedules import (  # noqa: E402
    WarmupStepLR,
    first_decay_epoch,
    training_schedule,
)


def test_warmup_step_rule_is_the_ldam_code():
    rule = WarmupStepLR()
    lrs = [0.1 * rule(e) for e in range(200)]
    np.testing.assert_allclose(lrs[:5], [0.02, 0.04, 0.06, 0.08, 0.1])
    assert lrs[159] == pytest.approx(0.1) and lrs[160] == pytest.approx(1e-3)
    assert lrs[179] == pytest.approx(1e-3) and lrs[180] == pytest.approx(1e-5)
    kps = training_schedule("kps")["callbacks"][0][1].kwargs["lr_lambda"]
    assert (kps(160), kps(180)) == (0.1, 0.01)
    with pytest.raises(ValueError, match="same length"):
        WarmupStepLR(milestones=(1,), factors=())
    # a fraction of an epoch was truncated silently (2.5 warmed up over 2)
    assert WarmupStepLR(warmup=2.0, milestones=(4.0,), factors=(0.1,))(1) == 1.0
    with pytest.raises(ValueError, match="warmup must be an int >= 0; got 2.5"):
        WarmupStepLR(warmup=2.5)
    with pytest.raises(ValueError, match="milestones must be ints"):
        WarmupStepLR(milestones=(160.5, 180))
    with pytest.raises(ValueError, match=r"milestones must increase; got \(180, 160\)"):
        WarmupStepLR(milestones=(180, 160))


@pytest.mark.parametrize("factor", [-0.1, float("nan"), float("inf"), "a", None])
def test_warmup_step_rule_refuses_a_factor_that_is_not_a_finite_number(factor):
    # A negative factor trained silently with a negative learning rate, NaN and
    # infinity ended in "the training diverged", "a" and None failed in float().
    with pytest.raises(ValueError, match="factors must be finite numbers >= 0"):
        WarmupStepLR(milestones=(1, 2), factors=(0.1, factor))


def test_warmup_step_rule_takes_factors_of_torch_or_numpy():
    rule = WarmupStepLR(milestones=(1, 2), factors=(torch.tensor(0.1), np.float32(0)))
    assert rule.factors == (pytest.approx(0.1), 0.0)


@pytest.mark.parametrize("to", [torch.tensor, np.int64, float])
def test_warmup_and_milestones_of_torch_or_numpy_are_epochs(to):
    # torch integers were refused as "not an int", as fractions are
    rule = WarmupStepLR(warmup=to(5), milestones=(to(160), to(180)))
    assert (rule.warmup, rule.milestones) == (5, (160, 180))
    assert [rule(e) for e in (0, 170, 190)] == [0.2, 0.01, 0.0001]


def test_full_budget_presets_are_the_papers_epochs():
    (_, lr_cb), (_, drw) = training_schedule("ldam_drw")["callbacks"]
    rule = lr_cb.kwargs["lr_lambda"]
    assert (rule.warmup, rule.milestones) == (5, (160, 180))
    assert drw.start_epoch == 160


def test_budget_scaling_rounds_to_the_nearest_epoch():
    # 160 and 180 of 200 are 5.6 and 6.3 of 7
    rule = training_schedule("vs", 7)["callbacks"][0][1].kwargs["lr_lambda"]
    assert rule.milestones == (6, 7)
    assert first_decay_epoch("vs", 7) == 6


def test_presets_scale_and_override():
    params = training_schedule("ldam_drw", max_epochs=20)
    assert params["optimizer"] is torch.optim.SGD
    assert (params["optimizer__momentum"], params["optimizer__weight_decay"]) == (
        0.9,
        2e-4,
    )
    (_, lr_cb), (_, drw) = params["callbacks"]
    rule = lr_cb.kwargs["lr_lambda"]
    assert (rule.warmup, rule.milestones) == (1, (16, 18))
    assert isinstance(drw, DeferredReweighting) and drw.start_epoch == 16
    assert first_decay_epoch("ldam_drw", 20) == 16
    # Short budgets keep the two decays apart: 160 and 180 of 200 both
    # rounded to 4 of 5, and the first decay was skipped.
    for max_epochs, milestones in ((5, (4, 5)), (8, (6, 7)), (1, (1, 2))):
        rule = training_schedule("vs", max_epochs)["callbacks"][0][1]
        assert rule.kwargs["lr_lambda"].milestones == milestones
    rule = training_schedule("vs", 5)["callbacks"][0][1].kwargs["lr_lambda"]
    assert [rule(epoch) for epoch in range(5)] == [1.0, 1.0, 1.0, 1.0, 0.01]
    assert len(training_schedule("vs")["callbacks"]) == 1
    assert training_schedule("cb", lr=0.05, batch_size=64)["lr"] == 0.05
    # The KPS code trains with batches of 64, the other recipes with 128.
    assert training_schedule("kps")["batch_size"] == 64
    assert training_schedule("kps", batch_size=128)["batch_size"] == 128
    assert {training_schedule(name)["batch_size"] for name in ("ldam_drw", "cb")} == {
        128
    }
    with pytest.raises(ValueError, match="Unknown schedule"):
        training_schedule("adam")
    with pytest.raises(ValueError, match="max_epochs"):
        training_schedule("cb", max_epochs=0)
    # first_decay_epoch gave 1 for any budget below one epoch.
    for max_epochs in (0, -5, 2.5):
        with pytest.raises(ValueError, match="max_epochs must be an int >= 1; got "):
            first_decay_epoch("cb", max_epochs=max_epochs)


@pytest.mark.parametrize("max_epochs", ["x", None, float("inf"), float("nan"), True])
def test_schedule_refuses_a_budget_that_is_not_an_int(max_epochs):
    # A string, None or a non-finite float said "invalid literal for int()",
    # raised a TypeError or an OverflowError from int() instead; the message
    # is that of the other counts (WarmupStepLR's warmup, the samplers').
    for function in (training_schedule, first_decay_epoch):
        with pytest.raises(ValueError, match="max_epochs must be an int >= 1; got "):
            function("cb", max_epochs=max_epochs)


@pytest.mark.parametrize("to", [torch.tensor, np.int64, float])
def test_schedule_budget_of_torch_or_numpy_is_epochs(to):
    # A torch integer passed the check, then failed in round() ("type
    # Tensor doesn't define __round__ method").
    params = training_schedule("ldam_drw", max_epochs=to(20))
    rule = params["callbacks"][0][1].kwargs["lr_lambda"]
    assert type(params["max_epochs"]) is int and params["max_epochs"] == 20
    assert (rule.warmup, rule.milestones) == (1, (16, 18))
    assert params["callbacks"][1][1].start_epoch == 16
    assert first_decay_epoch("ldam_drw", max_epochs=to(20)) == 16


def test_schedule_drives_the_classifier():
    torch.set_num_threads(1)
    X, y = make_classification(
        n_samples=120, weights=[0.8, 0.2], random_state=0, n_features=8
    )
    clf = LongTailClassifier(
        criterion="ldam",
        module__hidden_sizes=(8,),
        random_state=0,
        **training_schedule("ldam_drw", max_epochs=10, batch_size=32),
    ).fit(X, y)
    group_lr = clf.optimizer_.param_groups[0]["lr"]
    assert group_lr == pytest.approx(0.1 * 1e-4)  # after epoch 9 of 10 (x0.0001)
    assert clf.history[:, "reweighted"] == [False] * 8 + [True] * 2
    # The rate of each epoch, stepped once per epoch (not per batch: 4 of
    # them here): 10 of 200 epochs scale the warm-up to 1 epoch and the
    # milestones 160 and 180 to 8 and 9, after which 0.1 is multiplied by
    # 0.01, then 0.0001.
    expected = [0.1] * 8 + [0.1 * 1e-2, 0.1 * 1e-4]
    assert clf.history[:, "event_lr"] == pytest.approx(expected)


def test_another_optimizer_keeps_only_the_settings_it_takes():
    # training_schedule("cb", optimizer=AdamW) kept SGD's momentum, and the
    # fit failed with "AdamW.__init__() got an unexpected keyword argument".
    params = training_schedule("cb", max_epochs=2, optimizer=torch.optim.AdamW)
    assert "optimizer__momentum" not in params
    assert params["optimizer__weight_decay"] == 2e-4
    params = training_schedule("cb", optimizer=torch.optim.Adagrad)
    assert "optimizer__momentum" not in params
    assert training_schedule("cb")["optimizer__momentum"] == 0.9
    X = np.arange(40, dtype=np.float32).reshape(20, 2) / 40
    y = np.array([0] * 14 + [1] * 6)
    clf = LongTailClassifier(**training_schedule("vs", 2, optimizer=torch.optim.AdamW))
    assert isinstance(clf.fit(X, y).optimizer_, torch.optim.AdamW)
