"""Tests of the long-tail losses against their formulas."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import warnings
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

import torch.nn.functional as F  # noqa: E402

from ltlearn.deep import KPSGALoss, VSTLALoss  # noqa: E402
from ltlearn.deep._loss_base import _effective_number_weights  # noqa: E402
from ltlearn.deep.losses import (  # noqa: E402
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    KPSLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    VSLoss,
)
from tests.post_hoc.test_logit_adjustment import _LabelledArray  # noqa: E402

# CIFAR-10-LT at imbalance 100: the counts of the reference code, and the test
# vectors computed from it (reference sheet, sections 4.3, 4.4, 4.8, 4.9).
CIFAR10_LT_100 = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]

COUNT_LOSSES = [
    ClassBalancedLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    BalancedSoftmaxLoss,
    VSLoss,
    KPSLoss,
]
ALL_LOSSES = [lambda counts: FocalLoss(gamma=2.0), *COUNT_LOSSES]


def _data(n_classes=4, n_samples=6, seed=0):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(n_samples, n_classes, generator=gen, dtype=torch.float64)
    target = torch.arange(n_samples) % n_classes
    return logits, target


def _np_log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _np_ce(z, y):
    """Per-sample cross-entropy, in numpy."""
    return -_np_log_softmax(z)[np.arange(len(y)), y]


def test_effective_number_weights_match_reference_vector():
    weights = _effective_number_weights(CIFAR10_LT_100, 0.9999)
    expected = [0.0506, 0.0769, 0.1211, 0.1950, 0.3188, 0.5246, 0.8683, 1.4426,
                2.4092, 3.9927]  # fmt: skip
    np.testing.assert_allclose(weights, expected, atol=1e-4)


@pytest.mark.parametrize(
    "beta, ratio", [(0.9, 2.44), (0.99, 20.3), (0.999, 78.9), (0.9999, 97.6)]
)
def test_effective_number_tail_head_ratio_on_cifar100_lt(beta, ratio):
    # The reference's CIFAR-100-LT IF100 ratios of the tail to the head weight.
    counts = [int(500 * 0.01 ** (i / 99)) for i in range(100)]
    weights = _effective_number_weights(counts, beta)
    assert weights[-1] / weights[0] == pytest.approx(ratio, rel=5e-3)


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.99, 0.999, 0.9999, 1.0])
def test_effective_number_weights_formula_and_sum(beta):
    counts = np.array([500, 60, 7, 1])
    weights = _effective_number_weights(counts, beta)
    if beta == 1.0:
        expected = 1.0 / counts
    else:
        expected = (1 - beta) / (1 - beta ** counts.astype(float))
    np.testing.assert_allclose(weights, expected / expected.sum() * 4, rtol=1e-10)
    assert weights.sum() == pytest.approx(4.0)


def test_effective_number_weights_refuse_bad_beta_and_empty_class():
    with pytest.raises(ValueError, match="beta must be in"):
        _effective_number_weights([3, 1], 1.5)
    with pytest.raises(ValueError, match="Class 1 has 0 samples"):
        _effective_number_weights([3, 0], 0.9)


@pytest.mark.parametrize("beta", [None, "0.9", float("nan"), np.array([0.5, 0.9])])
def test_class_balanced_loss_refuses_beta_that_is_not_a_number(beta):
    # A beta that is not a number gave Python's "'<=' not supported between
    # instances of 'float' and 'NoneType'", naming neither beta nor the loss.
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\]; got "):
        ClassBalancedLoss([3, 1], beta=beta)


def test_class_balanced_loss_refuses_an_unknown_loss_type():
    with pytest.raises(ValueError, match="loss_type must be 'softmax', 'sigmoid' or"):
        ClassBalancedLoss([3, 1], loss_type="hinge")


@pytest.mark.parametrize(
    "class_counts, match",
    [
        (None, "^ClassBalancedLoss needs class_counts"),
        ([3, 0], "^Class 1 has 0 samples; ClassBalancedLoss needs at least one"),
    ],
)
def test_class_balanced_loss_errors_name_the_loss(class_counts, match):
    # They named "The effective-number weighting", capitalised mid-sentence,
    # where set_class_counts and the other losses name the loss.
    with pytest.raises(ValueError, match=match):
        ClassBalancedLoss(class_counts)


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
@pytest.mark.parametrize(
    "make, kind",
    [(set, "set"), (frozenset, "frozenset"), (lambda v: iter(v), "list_iterator")],
)
def test_losses_refuse_unordered_class_counts_by_name(make_loss, make, kind):
    # scikit-learn's "array-like" takes a set; it has no order, and NumPy made
    # a 0-d object array of it: "float() argument must be ... not 'set'"
    with pytest.raises(ValueError, match=rf"^class_counts should be .* {kind}"):
        make_loss(make([30, 10, 3]))
    loss = make_loss([30, 10, 3])
    with pytest.raises(ValueError, match=rf"^class_counts should be .* {kind}"):
        loss.set_class_counts(make([30, 10, 3]))


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_class_counts_in_a_series_are_read_by_class_index(make_loss):
    # y.value_counts() is in the order of the counts: read by position, class
    # 0 took the largest count
    pd = pytest.importorskip("pandas")
    counts = pd.Series(np.repeat([0, 1, 2], [5, 50, 20])).value_counts()
    assert counts.index.tolist() != [0, 1, 2]
    expected = make_loss([5, 50, 20])
    for loss in (make_loss(counts), make_loss([1, 1, 1]).set_class_counts(counts)):
        for name, buffer in expected.named_buffers():
            assert torch.equal(dict(loss.named_buffers())[name], buffer), name


def test_weight_in_a_series_is_read_by_class_index():
    pd = pytest.importorskip("pandas")
    weight = pd.Series([3.0, 1.0, 2.0], index=[2, 0, 1])
    expected = torch.tensor([1.0, 2.0, 3.0])
    assert torch.equal(FocalLoss(weight=weight).weight, expected)
    assert torch.equal(LDAMLoss([30, 10, 3], weight=weight).weight, expected)


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda counts, **kw: FocalLoss(gamma=2.0, **kw),
        *[loss for loss in COUNT_LOSSES if loss is not ClassBalancedLoss],
    ],
)
def test_weight_and_counts_in_a_labelled_array_are_read_by_position(make_loss):
    # An xarray DataArray has a loc, read as a pandas object's: it failed
    # with "'DataArray' object has no attribute 'index'", and torch read a
    # weight as a sequence of 0-d arrays ("len() of unsized object").
    counts, weight = [40, 9, 3, 1], [0.5, 1.0, 2.0, 4.0]
    logits, target = _data()
    expected = make_loss(counts, weight=np.array(weight))(logits, target)
    got = make_loss(_LabelledArray(counts), weight=_LabelledArray(weight))
    torch.testing.assert_close(got(logits, target), expected)


def test_focal_loss_refuses_a_weight_of_more_than_one_axis():
    # A column of three weights on three classes failed when called with
    # "FocalLoss has 3 class weights; the logits have 3 classes."
    with pytest.raises(ValueError, match=r"1-D sequence; got shape \(3, 1\)"):
        FocalLoss(weight=np.ones((3, 1)))


def test_focal_loss_keeps_a_copy_of_a_weight_array():
    # A float32 array (not one of another dtype) was the loss's buffer, so
    # that deferred re-weighting wrote its weights into the caller's array.
    for dtype in (np.float32, np.float64):
        weight = np.array([1.0, 2.0, 3.0], dtype=dtype)
        FocalLoss(weight=weight).weight.mul_(2)
        np.testing.assert_array_equal(weight, [1.0, 2.0, 3.0])
    # a float32 tensor is kept as given, as torch's losses keep it
    weight = torch.tensor([1.0, 2.0, 3.0])
    assert FocalLoss(weight=weight).weight is weight


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda weight: FocalLoss(weight=weight),
        lambda weight: LDAMLoss([30, 10, 3], weight=weight),
    ],
)
def test_losses_refuse_an_unordered_weight_by_name(make_loss):
    weight = {1.0, 2.0, 3.0}
    with pytest.raises(ValueError, match=r"^weight should be .* set.*order of the"):
        make_loss(weight)
    with pytest.raises(ValueError, match=r"^weight should be .* dict_values"):
        make_loss(dict(enumerate(weight)).values())


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0])
def test_focal_loss_matches_formula(gamma):
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    ce = _np_ce(z, y)
    expected = np.mean((1 - np.exp(-ce)) ** gamma * ce)
    loss = FocalLoss(gamma=gamma)(logits, target)
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def test_focal_loss_gamma_zero_is_cross_entropy():
    logits, target = _data()
    torch.testing.assert_close(
        FocalLoss(gamma=0.0)(logits, target), F.cross_entropy(logits, target)
    )


def test_focal_loss_detach_modulator_changes_only_the_gradient():
    logits, target = _data()
    attached = logits.clone().requires_grad_()
    detached = logits.clone().requires_grad_()
    loss_a = FocalLoss(gamma=2.0)(attached, target)
    loss_d = FocalLoss(gamma=2.0, detach_modulator=True)(detached, target)
    torch.testing.assert_close(loss_a, loss_d)
    loss_a.backward()
    loss_d.backward()
    assert not torch.allclose(attached.grad, detached.grad)


@pytest.mark.parametrize("loss_type", ["softmax", "sigmoid", "focal"])
@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_class_balanced_loss_matches_formula(loss_type, gamma):
    counts = np.array([40, 9, 3, 1])
    beta = 0.99
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    alpha = (1 - beta) / (1 - beta**counts)
    alpha = alpha / alpha.sum() * 4
    if loss_type == "softmax":
        per_sample = _np_ce(z, y)
    else:
        sign = np.where(np.eye(4)[y] == 1, 1.0, -1.0)
        z_t = sign * z
        p_t = 1 / (1 + np.exp(-z_t))
        terms = -np.log(p_t)
        if loss_type == "focal":
            terms = (1 - p_t) ** gamma * terms
        per_sample = terms.sum(axis=1)
    expected = np.sum(alpha[y] * per_sample) / np.sum(alpha[y])
    loss = ClassBalancedLoss(counts, beta=beta, loss_type=loss_type, gamma=gamma)
    assert float(loss(logits, target)) == pytest.approx(expected, rel=1e-6)


def test_class_balanced_weights_change_the_loss():
    logits, target = _data()
    balanced = ClassBalancedLoss([40, 9, 3, 1], beta=0.999, reduction="none")
    plain = ClassBalancedLoss([40, 9, 3, 1], beta=0.0, reduction="none")
    ratio = balanced(logits, target) / plain(logits, target)
    torch.testing.assert_close(ratio.float(), balanced.weight[target])
    torch.testing.assert_close(plain.weight, torch.ones(4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "make_loss",
    [
        lambda weight, reduction: FocalLoss(0.0, weight, reduction),
        lambda weight, reduction: FocalLoss(2.0, weight, reduction),
        *(
            lambda weight, reduction, loss=loss: loss(
                [40, 9, 3, 1], weight=weight, reduction=reduction
            )
            for loss in COUNT_LOSSES[1:]
        ),
    ],
    ids=["FocalLoss-gamma0", "FocalLoss-gamma2"]
    + [loss.__name__ for loss in COUNT_LOSSES[1:]],
)
def test_a_weight_to_learn_gets_the_gradient_of_the_weighted_loss(make_loss, reduction):
    # The weighted loss of torch's formula, differentiated by hand: a weight
    # that requires a gradient is neither detached nor refused.
    logits, target = _data()
    weight = torch.nn.Parameter(torch.tensor([1.0, 2.0, 0.5, 3.0]))
    loss = make_loss(weight, reduction)(logits, target).sum()
    (gradient,) = torch.autograd.grad(loss, weight)
    expected_weight = weight.detach().clone().requires_grad_()
    per_sample = make_loss(None, "none")(logits, target).detach()
    sample_weight = expected_weight.double()[target]
    expected = (sample_weight * per_sample).sum()
    if reduction == "mean":
        expected = expected / sample_weight.sum()
    (expected_gradient,) = torch.autograd.grad(expected, expected_weight)
    assert float(expected_gradient.abs().max()) > 0
    torch.testing.assert_close(gradient, expected_gradient)
    torch.testing.assert_close(loss.detach(), expected.detach())


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda weight: FocalLoss(weight=weight),
        lambda weight: LDAMLoss([40, 9, 3, 1], weight=weight),
    ],
    ids=["FocalLoss", "LDAMLoss"],
)
def test_a_float64_weight_to_learn_is_kept_and_the_loss_clones(make_loss):
    # A float32 copy of a float64 weight to learn was a non-leaf tensor, which
    # copy.deepcopy (and so clone of a classifier holding the loss) refused.
    from sklearn.base import clone

    from ltlearn.deep import LongTailClassifier

    weight = torch.nn.Parameter(torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=torch.float64))
    loss = make_loss(weight)
    assert loss.weight is weight
    copied = copy.deepcopy(loss)
    torch.testing.assert_close(copied.weight, weight)
    assert copied.weight is not weight
    criterion = clone(LongTailClassifier(criterion=loss)).criterion
    torch.testing.assert_close(criterion.weight, weight)
    logits, target = _data()
    torch.testing.assert_close(copied(logits, target), loss(logits, target))


def test_ldam_margins_match_reference_vector():
    margins = LDAMLoss(CIFAR10_LT_100, max_m=0.5).margins
    expected = [0.1581, 0.1797, 0.2042, 0.2321, 0.2638, 0.2998, 0.3407, 0.3872,
                0.4405, 0.5000]  # fmt: skip
    np.testing.assert_allclose(margins.numpy(), expected, atol=1e-4)


@pytest.mark.parametrize("s", [1.0, 30.0])
def test_ldam_loss_matches_formula(s):
    counts = np.array([81, 16, 1, 1])
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    m = counts**-0.25 * (0.5 / counts.min() ** -0.25)
    z_m = z - np.eye(4)[y] * m[y][:, None]
    expected = _np_ce(s * z_m, y).mean()
    loss = LDAMLoss(counts, max_m=0.5, s=s)(logits, target)
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    assert LDAMLoss(counts, s=s).logit_scale == s


@pytest.mark.parametrize("tau", [0.0, 1.0, 1.5])
def test_logit_adjusted_loss_matches_formula(tau):
    counts = np.array([50, 20, 5, 1])
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    expected = _np_ce(z + tau * np.log(counts / counts.sum()), y).mean()
    loss = LogitAdjustedLoss(counts, tau=tau)(logits, target)
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def test_balanced_softmax_matches_formula_and_logit_adjustment():
    counts = np.array([50, 20, 5, 1])
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    expected = -np.log(
        counts[y] * np.exp(z[np.arange(6), y]) / (counts * np.exp(z)).sum(axis=1)
    ).mean()
    loss = BalancedSoftmaxLoss(counts)(logits, target)
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    torch.testing.assert_close(loss, LogitAdjustedLoss(counts, tau=1.0)(logits, target))


def test_vs_loss_buffers_match_reference_vectors():
    loss = VSLoss(CIFAR10_LT_100, gamma=0.2, tau=1.0)
    np.testing.assert_allclose(
        loss.scales.numpy(),
        [1.0, 0.9027, 0.8148, 0.7356, 0.6639, 0.5994, 0.5411, 0.4884, 0.4406, 0.3981],
        atol=1e-4,
    )
    np.testing.assert_allclose(
        loss.offsets.numpy(),
        [
            -0.9087,
            -1.4206,
            -1.9326,
            -2.4440,
            -2.9567,
            -3.4675,
            -3.9792,
            -4.4915,
            -5.0071,
            -5.5139,
        ],  # fmt: skip
        atol=1e-4,
    )


@pytest.mark.parametrize("gamma, tau", [(0.3, 1.0), (0.2, 1.2), (0.0, 1.0)])
def test_vs_loss_matches_formula(gamma, tau):
    counts = np.array([50, 20, 5, 1])
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    adjusted = z * (counts / counts.max()) ** gamma + tau * np.log(
        counts / counts.sum()
    )
    expected = _np_ce(adjusted, y).mean()
    loss = VSLoss(counts, gamma=gamma, tau=tau)(logits, target)
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    if gamma == 0.0:
        torch.testing.assert_close(
            loss, LogitAdjustedLoss(counts, tau=tau)(logits, target)
        )


def test_kps_buffers_match_reference_vectors():
    loss = KPSLoss(CIFAR10_LT_100, max_m=0.2)
    np.testing.assert_allclose(
        loss.radii.numpy(),
        [2.1772, 2.0463, 1.9155, 1.7847, 1.6537, 1.5231, 1.3923, 1.2614, 1.1296, 1.0],
        atol=1e-4,
    )
    assert float(loss.margins[0]) == pytest.approx(0.0919, abs=1e-4)
    assert float(loss.margins[-1]) == pytest.approx(0.2, abs=1e-6)


def test_kps_loss_matches_formula_whatever_the_class_order():
    counts = np.array([1, 50, 5, 20])
    logits, target = _data()
    z, y = logits.numpy(), target.numpy()
    radii = np.log(50 * counts / counts.min()) / np.log(50)
    c_m = np.log(50 * counts.max())
    margins = 0.2 * (c_m - np.log(counts)) / (c_m - np.log(counts.min()))
    adjusted = 15.0 * (radii * z - np.eye(4)[y] * margins[y][:, None])
    expected = _np_ce(adjusted, y).mean()
    loss = KPSLoss(counts, max_m=0.2, s=15.0)
    assert float(loss(logits, target)) == pytest.approx(expected, rel=1e-6)
    assert int(loss.margins.argmax()) == 0  # the rarest class, wherever it is


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_weighted_mean_divides_by_the_batch_weights(make_loss):
    counts = [40, 9, 3, 1]
    logits, target = _data()
    weight = torch.tensor([0.5, 1.0, 2.0, 4.0])
    if make_loss is ClassBalancedLoss:
        loss = make_loss(counts, beta=0.0)
        loss.weight.copy_(weight)
        per_sample = make_loss(counts, beta=0.0, reduction="none")(logits, target)
    else:
        loss = make_loss(counts, weight=weight)
        per_sample = make_loss(counts, reduction="none")(logits, target)
    w = weight.double()[target]
    expected = (w * per_sample).sum() / w.sum()
    torch.testing.assert_close(loss(logits, target), expected)


@pytest.mark.parametrize("make_loss", ALL_LOSSES)
@pytest.mark.parametrize("scale", [1e4, 1e6])
def test_losses_are_finite_with_huge_logits_and_tiny_classes(make_loss, scale):
    counts = [10_000, 1, 1, 2]
    loss = make_loss(counts)
    logits = torch.tensor(
        [[scale, -scale, 0.0, 1.0], [-scale, scale, 0.0, 0.0], [scale, 0, 0, -scale]],
        requires_grad=True,
    )
    target = torch.tensor([0, 2, 3])
    value = loss(logits, target)
    value.backward()
    assert torch.isfinite(value)
    assert torch.isfinite(logits.grad).all()


def test_focal_gradient_is_finite_when_the_sample_is_certain():
    logits = torch.tensor([[40.0, -40.0]], requires_grad=True)
    FocalLoss(gamma=0.5)(logits, torch.tensor([0])).backward()
    assert torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_losses_refuse_an_empty_class(make_loss):
    with pytest.raises(ValueError, match="Class 2 has 0 samples"):
        make_loss([5, 3, 0])


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_losses_take_class_counts_as_a_tensor_and_check_them(make_loss):
    # NumPy warned that the tensor's __array__ takes no copy keyword.
    logits, target = _data(n_classes=3)
    counts = torch.tensor([5.0, 3.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given = make_loss(counts)
        given.set_class_counts(counts.flip(0))
    expected = make_loss([1, 3, 5])
    assert torch.equal(given(logits, target), expected(logits, target))
    for counts in (torch.tensor([[5.0, 3.0, 1.0]]), torch.tensor([])):
        with pytest.raises(ValueError, match="1-D sequence with one count per"):
            make_loss(counts)
    for value in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="class_counts must be finite"):
            make_loss(torch.tensor([5.0, value, 1.0]))


@pytest.mark.parametrize("make_loss", COUNT_LOSSES[1:])  # ClassBalanced: no weight
def test_losses_refuse_a_weight_of_another_number_of_classes(make_loss):
    with pytest.raises(ValueError, match=r"one value per class \(3\); got shape"):
        make_loss([5, 3, 1], weight=[1.0, 2.0])


@pytest.mark.parametrize(
    "make_loss",
    [lambda weight: FocalLoss(weight=weight)]
    + [
        lambda weight, loss=loss: loss([5, 3, 1], weight=weight)
        for loss in COUNT_LOSSES[1:]
    ],
)
@pytest.mark.parametrize("make", [list, np.array, torch.tensor])
def test_losses_refuse_a_weight_that_is_not_finite_or_real(make_loss, make):
    # A NaN or infinite weight trained into a NaN loss, which the classifier
    # reported as a diverged training with advice on the learning rate; a
    # complex one lost its imaginary part with a warning only.
    for value, shown in ((float("nan"), "nan"), (float("inf"), "inf")):
        with pytest.raises(
            ValueError, match=rf"finite float32 values; got {shown} at index 1"
        ):
            make_loss(make([1.0, value, 2.0]))
    with pytest.raises(ValueError, match="weight must hold real numbers"):
        make_loss(make([1.0, 2j, 2.0]))
    # a float64 weight past float32's range is infinite once cast
    with pytest.raises(ValueError, match="got inf at index 0"):
        make_loss(np.array([1e300, 1.0, 1.0]))


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_losses_refuse_logits_of_the_wrong_width(make_loss):
    with pytest.raises(ValueError, match="expects logits of shape"):
        make_loss([5, 3, 1])(torch.zeros(2, 4), torch.tensor([0, 1]))


@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0])
def test_focal_loss_refuses_weights_of_the_wrong_length(gamma):
    # Four weights on three classes were silently cut to three (gamma > 0).
    for weight in ([1.0, 2.0], [1.0, 2.0, 3.0, 4.0]):
        loss = FocalLoss(gamma=gamma, weight=weight)
        with pytest.raises(ValueError, match=f"{len(weight)} class weights"):
            loss(torch.zeros(2, 3), torch.tensor([0, 1]))


@pytest.mark.parametrize("make_loss", ALL_LOSSES)
@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_reductions(make_loss, reduction):
    logits, target = _data()
    loss = make_loss([40, 9, 3, 1])
    loss.reduction = reduction
    value = loss(logits, target)
    loss.reduction = "none"
    per_sample = loss(logits, target)
    assert per_sample.shape == (6,)
    if reduction == "sum":
        torch.testing.assert_close(value, per_sample.sum())


def _second_phase(loss, flag):
    setattr(loss, flag, True)
    return loss


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda counts, w: FocalLoss(gamma=0.0, weight=w),
        lambda counts, w: FocalLoss(gamma=2.0, weight=w),
        lambda counts, w: ClassBalancedLoss(counts, loss_type="sigmoid"),
        lambda counts, w: ClassBalancedLoss(counts, loss_type="focal", gamma=2.0),
        lambda counts, w: LDAMLoss(counts, weight=w),
        lambda counts, w: LogitAdjustedLoss(counts, weight=w),
        lambda counts, w: BalancedSoftmaxLoss(counts, weight=w),
        lambda counts, w: VSLoss(counts, weight=w),
        lambda counts, w: KPSLoss(counts, weight=w),
        lambda counts, w: _second_phase(
            KPSGALoss(counts, weight=w), "gradient_adjusted"
        ),
        lambda counts, w: _second_phase(VSTLALoss(counts, weight=w), "truncated"),
        lambda counts, w: LDAMLoss(counts, weight=w.clone().requires_grad_()),
    ],
)
@pytest.mark.parametrize("n_samples", [3, 7])
def test_uint8_targets_give_the_loss_of_int64_targets(make_loss, n_samples):
    # torch's cross-entropy takes uint8 targets. Indexing the class weights or
    # margins by them selected by mask: the weights of other classes on a
    # batch of as many samples as classes (FocalLoss(gamma=2.0, weight=w)
    # gave 0.56 for 0.70), an IndexError ("The shape of the mask [7]") else.
    logits, _ = _data(n_classes=3, n_samples=n_samples)
    logits.requires_grad_()
    target = torch.tensor([1, 2, 1, 1, 2, 0, 1][:n_samples])
    weight = torch.tensor([1.0, 2.0, 3.0])
    values = []
    for dtype in (torch.int64, torch.uint8):
        value = make_loss([6, 3, 1], weight)(logits, target.to(dtype))
        (gradient,) = torch.autograd.grad(value, logits)
        values.append((value, gradient))
    torch.testing.assert_close(values[1], values[0], rtol=0, atol=0)


@pytest.mark.parametrize(
    "make_loss",
    [
        *ALL_LOSSES,
        lambda counts: ClassBalancedLoss(counts, loss_type="sigmoid"),
        lambda counts: _second_phase(KPSGALoss(counts), "gradient_adjusted"),
    ],
)
@pytest.mark.parametrize(
    "dtype, name",
    [
        (torch.bool, "Bool"),
        (torch.int8, "Char"),
        (torch.int16, "Short"),
        (torch.float32, "Float"),
        (torch.float64, "Double"),
    ],
)
def test_targets_of_other_dtypes_are_refused_in_the_words_of_torch(
    make_loss, dtype, name
):
    # The margin losses failed with "The shape of the mask [6] at index 0
    # does not match the shape of the indexed tensor [4]" (bool) or "tensors
    # used as indices must be long, int, byte or bool tensors", the sigmoid
    # class-balanced loss with "gather(): Expected dtype int32/int64".
    logits, target = _data()
    target = target > 0 if dtype == torch.bool else target.to(dtype)
    with pytest.raises(
        RuntimeError, match=f"target dtype to be Long or Byte, but got {name}"
    ):
        make_loss([40, 9, 3, 1])(logits, target)


# a loss of each scalar setting, made with the value given, and its name
SETTINGS = [
    (lambda v: FocalLoss(gamma=v), "gamma"),
    (lambda v: ClassBalancedLoss([3, 1], loss_type="focal", gamma=v), "gamma"),
    (lambda v: LDAMLoss([3, 1], max_m=v), "max_m"),
    (lambda v: LDAMLoss([3, 1], s=v), "s"),
    (lambda v: LogitAdjustedLoss([3, 1], tau=v), "tau"),
    (lambda v: VSLoss([3, 1], gamma=v), "gamma"),
    (lambda v: VSLoss([3, 1], tau=v), "tau"),
    (lambda v: KPSLoss([3, 1], base=v), "base"),
    (lambda v: KPSLoss([3, 1], s=v), "s"),
    (lambda v: VSTLALoss([3, 1], nu=v), "nu"),
]


@pytest.mark.parametrize("make_loss, name", SETTINGS)
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_settings_are_refused(make_loss, name, value):
    # they passed the range checks and ended the training with a NaN loss
    # blamed on the learning rate
    with pytest.raises(ValueError, match=f"^{name} must be a finite number"):
        make_loss(value)


@pytest.mark.parametrize("make_loss, name", SETTINGS)
@pytest.mark.parametrize(
    "value",
    [np.array(2.0), torch.tensor(2.0), Fraction(2)],
    ids=lambda v: type(v).__name__,
)
def test_settings_of_another_number_type_act_as_floats(make_loss, name, value):
    # a 0-d array, a tensor or a Fraction was kept and failed in forward
    # ("Can't call numpy() on Tensor that requires grad", "unsupported
    # operand type(s) for *")
    logits, target = _data(n_classes=2)
    loss = make_loss(value)
    z, z_expected = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    value_loss, expected = loss(z, target), make_loss(2.0)(z_expected, target)
    torch.testing.assert_close(value_loss, expected)
    value_loss.backward()
    expected.backward()
    torch.testing.assert_close(z.grad, z_expected.grad)
    assert type(getattr(loss, name)) is float


@pytest.mark.parametrize("make_loss, name", SETTINGS)
def test_settings_given_as_numpy_integers_stay_integers(make_loss, name):
    # as floats, they showed as 2.0 in the loss's repr where the int shows 2
    loss = make_loss(np.int64(2))
    assert type(getattr(loss, name)) is int
    assert repr(loss) == repr(make_loss(2))


@pytest.mark.parametrize(
    "loss, shown",
    [
        (FocalLoss(detach_modulator=True), "detach_modulator=True"),
        (ClassBalancedLoss([3, 1], loss_type="focal", gamma=2.0), "gamma=2.0"),
        (KPSLoss([3, 1], base=10.0), "base=10.0"),
    ],
)
def test_repr_shows_the_settings_that_change_the_loss(loss, shown):
    # These three printed as the same loss with the default setting.
    assert shown in repr(loss)


def test_bad_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction must be one of"):
        LogitAdjustedLoss([3, 1], reduction="avg")


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_count_buffers_follow_the_module(make_loss):
    loss = make_loss([5, 3, 1]).to(torch.float64)
    state = loss.state_dict()
    assert "class_counts" in state and "weight" in state
    assert all(value.dtype == torch.float64 for value in state.values())


@pytest.mark.parametrize("make_loss", COUNT_LOSSES)
def test_set_class_counts_equals_a_loss_built_from_the_new_counts(make_loss):
    loss = make_loss([10, 5, 1, 2])
    buffers = {name: id(buf) for name, buf in loss.named_buffers()}
    assert loss.set_class_counts([3, 30, 7, 1]) is loss
    fresh = make_loss([3, 30, 7, 1])
    for name, buf in fresh.named_buffers():
        torch.testing.assert_close(getattr(loss, name), buf)
    # In place: the buffers stay the same tensors (a module's .to() and a
    # state_dict keep working).
    assert {name: id(buf) for name, buf in loss.named_buffers()} == buffers
    z, y = _data()
    torch.testing.assert_close(loss(z.float(), y), fresh(z.float(), y))
    with pytest.raises(ValueError, match="has 4 classes; got 3 class counts"):
        loss.set_class_counts([1, 2, 3])


@pytest.mark.parametrize("loss", [LDAMLoss, KPSLoss])
def test_cosine_margin_losses_refuse_a_zero_scale(loss):
    # s = 0 would make every logit 0: s must be > 0
    with pytest.raises(ValueError, match=r"s must be a finite number > 0; got 0"):
        loss([10, 5, 2], s=0)


def test_class_balanced_loss_default_beta():
    counts = [100, 10, 1]
    loss = ClassBalancedLoss(counts)
    assert loss.beta == 0.9999
    np.testing.assert_allclose(
        loss.weight.numpy(), _effective_number_weights(counts, 0.9999), rtol=1e-6
    )


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda counts, **kw: FocalLoss(gamma=2.0, **kw),
        *[loss for loss in COUNT_LOSSES if loss is not ClassBalancedLoss],
    ],
)
def test_big_endian_weight_is_read_as_native(make_loss):
    # A weight array of the other byte order (read from a big-endian file)
    # failed with torch's "given numpy array has byte order different from
    # the native byte order".
    counts, weight = [40, 9, 3, 1], np.array([0.5, 1.0, 2.0, 4.0])
    logits, target = _data()
    native = make_loss(counts, weight=weight)(logits, target)
    swapped = make_loss(counts, weight=weight.astype(">f8"))(logits, target)
    torch.testing.assert_close(swapped, native)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "make_loss",
    [
        lambda counts, **kw: FocalLoss(gamma=2.0, **kw),
        *[loss for loss in COUNT_LOSSES if loss is not ClassBalancedLoss],
    ],
)
def test_reversed_and_read_only_weight_and_counts(make_loss, dtype):
    # Reversed views (negative strides) of the weight or the counts failed
    # with torch's "At least one stride in the given numpy array is
    # negative"; read-only ones (a memory map) made torch warn.
    counts, weight = [40, 9, 3, 1], [0.5, 1.0, 2.0, 4.0]
    logits, target = _data()
    expected = make_loss(counts, weight=np.array(weight))(logits, target)
    reversed_counts = np.array(counts[::-1], dtype=dtype)[::-1]
    reversed_weight = np.array(weight[::-1], dtype=dtype)[::-1]
    got = make_loss(reversed_counts, weight=reversed_weight)(logits, target)
    torch.testing.assert_close(got, expected)
    read_only_counts = np.array(counts, dtype=dtype)
    read_only_weight = np.array(weight, dtype=dtype)
    read_only_counts.flags.writeable = False
    read_only_weight.flags.writeable = False
    got = make_loss(read_only_counts, weight=read_only_weight)(logits, target)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("dtype", ["Float64", "Int64"])
@pytest.mark.parametrize(
    "make_loss",
    [lambda counts, **kw: FocalLoss(gamma=2.0, **kw), BalancedSoftmaxLoss],
)
def test_weight_in_a_pandas_series_of_an_extension_dtype(make_loss, dtype):
    # The byte-order check read a Series' dtypes (its one dtype) as a frame's
    # and failed with "'Float64Dtype' object has no attribute 'items'".
    pd = pytest.importorskip("pandas")
    counts, weight = [40, 9, 3, 1], [1, 2, 3, 4]
    logits, target = _data()
    native = make_loss(counts, weight=np.array(weight))(logits, target)
    series = make_loss(counts, weight=pd.Series(weight, dtype=dtype))
    torch.testing.assert_close(series(logits, target), native)
