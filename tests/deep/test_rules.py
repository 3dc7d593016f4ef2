"""Tests of KPS with gradient adjustment and VS with TLA/ADRW."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.datasets import make_classification  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from ltlearn.deep import (  # noqa: E402
    GradientAdjustment,
    KPSGALoss,
    LongTailClassifier,
    TruncatedReweighting,
    VSTLALoss,
)
from ltlearn.deep.losses import KPSLoss, VSLoss  # noqa: E402

COUNTS = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]


def test_kps_ga_scales_match_the_kps_code():
    loss = KPSGALoss(COUNTS)
    # KPS code: clamp(s * reversed s_list, s, 50); s_list = log(50 n / n_min) / log 50
    s_list = np.log(50 * np.array(COUNTS) / 50) / np.log(50)
    expected = np.clip(15 * s_list[::-1], 15, 50)
    # the closed form log(50 n_max / n_j) / log 50 equals the reversal up to the
    # int() truncation of the class sizes (exact for an exact exponential profile)
    np.testing.assert_allclose(loss.sample_scales.numpy(), expected, rtol=2e-3)
    closed = 15 * np.log(50 * 5000 / np.array(COUNTS)) / np.log(50)
    np.testing.assert_allclose(loss.sample_scales.numpy(), closed, rtol=1e-5)
    assert loss.sample_scales[0] == 15 and loss.sample_scales[-1] == pytest.approx(
        32.66, abs=0.01
    )
    np.testing.assert_allclose(
        KPSGALoss(COUNTS, max_scale=20).sample_scales.max().item(), 20
    )
    with pytest.raises(ValueError, match="max_scale"):
        KPSGALoss(COUNTS, max_scale=10)


@pytest.mark.parametrize("max_scale", [float("nan"), "50", None])
def test_kps_ga_refuses_a_max_scale_that_is_not_a_number(max_scale):
    # NaN passed the comparison with s and made every GA scale NaN: the
    # training failed at the GA epoch as if it had diverged.
    with pytest.raises(ValueError, match="max_scale must be a number >= s"):
        KPSGALoss(COUNTS, max_scale=max_scale)


@pytest.mark.parametrize(
    "max_scale",
    [Fraction(20), np.array(20.0), torch.tensor(20.0)],
    ids=lambda v: type(v).__name__,
)
def test_kps_ga_takes_a_max_scale_of_another_number_type(max_scale):
    # a Fraction failed building the GA scales: "can't convert np.ndarray of
    # type numpy.object_"
    loss = KPSGALoss(COUNTS, max_scale=max_scale)
    assert type(loss.max_scale) is float
    torch.testing.assert_close(
        loss.sample_scales, KPSGALoss(COUNTS, max_scale=20.0).sample_scales
    )


def test_kps_ga_takes_an_infinite_max_scale():
    loss = KPSGALoss(COUNTS, max_scale=float("inf"))
    np.testing.assert_allclose(
        loss.sample_scales.numpy(), KPSGALoss(COUNTS).sample_scales.numpy()
    )


def test_kps_ga_forward_before_and_after():
    torch.manual_seed(0)
    cos = torch.rand(6, 10) * 2 - 1
    y = torch.tensor([0, 9, 3, 9, 1, 5])
    loss = KPSGALoss(COUNTS)
    torch.testing.assert_close(loss(cos, y), KPSLoss(COUNTS)(cos, y))
    loss.gradient_adjusted = True
    u = cos * loss.radii
    u[torch.arange(6), y] -= loss.margins[y]
    expected = F.cross_entropy(loss.sample_scales[y][:, None] * u, y)
    torch.testing.assert_close(loss(cos, y), expected)


def test_vs_tla_phases():
    torch.manual_seed(0)
    z = torch.randn(8, 10)
    y = torch.tensor([0, 9, 3, 9, 1, 5, 2, 8])
    loss = VSTLALoss(COUNTS, gamma=0.2, tau=1.2, nu=0.15)
    torch.testing.assert_close(loss(z, y), VSLoss(COUNTS, gamma=0.2, tau=1.2)(z, y))
    pi = np.array(COUNTS) / sum(COUNTS)
    alpha = 10 * pi**-0.15 / (pi**-0.15).sum()
    np.testing.assert_allclose(loss.adrw_weights.numpy(), alpha, rtol=1e-5)
    assert loss.adrw_weights.sum().item() == pytest.approx(10)
    loss.truncated = True
    offsets = torch.as_tensor(1.2 * np.log(pi), dtype=torch.float32)
    expected = F.cross_entropy(
        z + offsets, y, weight=torch.as_tensor(alpha, dtype=torch.float32)
    )
    torch.testing.assert_close(loss(z, y), expected)
    assert torch.all(VSTLALoss(COUNTS, nu=0).adrw_weights == 1)
    # phase 1 defaults to the authors' CIFAR-LT setting: gamma 0.05, tau 1
    default = VSTLALoss(COUNTS)
    torch.testing.assert_close(default(z, y), VSLoss(COUNTS, gamma=0.05)(z, y))
    with pytest.raises(ValueError, match="nu"):
        VSTLALoss(COUNTS, nu=-1)


def _fit_two_phase(loss, callback, max_epochs, **params):
    """A small classifier trained with ``loss`` and the phase ``callback``."""
    torch.set_num_threads(1)
    X, y = make_classification(
        n_samples=100, weights=[0.8, 0.2], n_features=6, random_state=0
    )
    clf = LongTailClassifier(
        criterion=loss,
        max_epochs=max_epochs,
        batch_size=32,
        module__hidden_sizes=(8,),
        random_state=0,
        callbacks=[callback],
        **params,
    )
    return clf.fit(X, y), X


@pytest.mark.parametrize(
    "loss, callback, column",
    [
        (KPSGALoss, GradientAdjustment(start_epoch=2), "gradient_adjusted"),
        (VSTLALoss, TruncatedReweighting(start_epoch=0.5), "truncated"),
    ],
)
def test_callbacks_switch_the_phase(loss, callback, column):
    clf, X = _fit_two_phase(loss, callback, max_epochs=4)
    assert clf.history[:, column] == [False, False, True, True]
    assert getattr(clf.criterion_, column) is True
    assert clf.predict(X).shape == (100,)


@pytest.mark.parametrize(
    "loss, callback, column",
    [
        (KPSGALoss, GradientAdjustment, "gradient_adjusted"),
        (VSTLALoss, TruncatedReweighting, "truncated"),
    ],
)
def test_a_fraction_rounding_to_an_empty_phase_warns(loss, callback, column):
    # 0.8 of 2 epochs rounds to 2: the second phase never runs.
    with pytest.warns(UserWarning, match="at the end of training: no epoch trains"):
        clf, _ = _fit_two_phase(loss, callback(start_epoch=0.8), max_epochs=2)
    assert clf.history[:, column] == [False, False]


@pytest.mark.parametrize(
    "loss, callback, column",
    [
        (KPSGALoss, GradientAdjustment, "gradient_adjusted"),
        (VSTLALoss, TruncatedReweighting, "truncated"),
    ],
)
def test_callbacks_switch_the_phase_of_a_compiled_loss(loss, callback, column):
    # compile=True wraps the loss in torch's OptimizedModule, which is not an
    # instance of the loss's class: the callbacks refused it with "got
    # OptimizedModule".
    plain, _ = _fit_two_phase(loss, callback(start_epoch=1), max_epochs=2)
    compiled, _ = _fit_two_phase(
        loss,
        callback(start_epoch=1),
        max_epochs=2,
        compile=True,
        compile__backend="eager",
    )
    assert compiled.history[:, column] == [False, True]
    # The second phase is the one that ran: the losses of the plain loss.
    np.testing.assert_allclose(
        compiled.history[:, "train_loss"], plain.history[:, "train_loss"], rtol=1e-5
    )


def test_callback_refuses_another_loss():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    clf = LongTailClassifier(
        criterion="kps", max_epochs=1, callbacks=[GradientAdjustment(start_epoch=0)]
    )
    with pytest.raises(TypeError, match="KPSGALoss"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="start_epoch"):
        LongTailClassifier(
            criterion=VSTLALoss, callbacks=[TruncatedReweighting(start_epoch=2.5)]
        ).fit(X, y)
