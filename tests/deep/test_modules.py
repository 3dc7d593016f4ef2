"""Tests of the networks: shapes, image input, cosine head."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from torch import nn  # noqa: E402

from ltlearn.deep.modules import MLP, NormedLinear, ResNet32, SmallCNN  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


@pytest.mark.parametrize(
    "make, n_features, shape",
    [
        (lambda h: MLP(5, 3, hidden_sizes=(8, 8), head=h), 5, (5,)),
        (lambda h: SmallCNN(64, 3, channels=(4, 8), head=h), 64, (1, 8, 8)),
        (lambda h: SmallCNN(784, 3, channels=(4, 8), head=h), 784, (1, 28, 28)),
        (lambda h: ResNet32(3 * 32 * 32, 3, head=h), 3072, (3, 32, 32)),
    ],
)
@pytest.mark.parametrize("head", ["linear", "cosine"])
def test_networks_map_flat_and_image_input_to_logits(make, n_features, shape, head):
    net = make(head).eval()
    X = torch.randn(2, *shape)
    logits = net(X)
    assert logits.shape == (2, 3)
    torch.testing.assert_close(net(X.reshape(2, n_features)), logits)
    assert net.features(X).shape[0] == 2
    expected = nn.Linear if head == "linear" else NormedLinear
    assert type(net.classifier) is expected


def test_cosine_head_gives_cosines_without_bias():
    layer = NormedLinear(6, 4)
    x = torch.randn(10, 6)
    cosines = layer(x)
    assert cosines.abs().max() <= 1.0 + 1e-6
    torch.testing.assert_close(layer(3.0 * x), cosines)
    torch.testing.assert_close(layer.weight.norm(dim=1), torch.ones(4))
    assert not hasattr(layer, "bias")


@pytest.mark.parametrize("scale", [1e20, 1e-14, 1e-30])
def test_cosine_head_gives_cosines_of_features_of_any_size(scale):
    # F.normalize squares the features: beyond about 1e19 (float32) the norm
    # was infinite and the cosines all zero (LDAM then trained to uniform
    # probabilities), and below a norm of 1e-12 they were not normalised.
    layer = NormedLinear(6, 4)
    x = torch.randn(10, 6)
    x[0] = 0.0  # an all-zero row stays zero
    cosines = layer(x)
    torch.testing.assert_close(layer(scale * x), cosines)
    assert cosines[0].eq(0).all()
    # ordinary rows keep torch's normalisation exactly
    expected = nn.functional.linear(
        nn.functional.normalize(x, dim=1), nn.functional.normalize(layer.weight, dim=1)
    )
    assert torch.equal(cosines, expected)
    x = (scale * x).requires_grad_()
    layer(x)[:, 0].sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad[1:].abs().sum() > 0


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
@pytest.mark.parametrize(
    "make",
    [
        lambda h: MLP(64, 3, hidden_sizes=(8,), head=h),
        lambda h: SmallCNN(64, 3, channels=(4, 8), head=h),
    ],
)
@pytest.mark.parametrize("head", ["linear", "cosine"])
def test_networks_compile_with_torchscript(make, head):
    # The cosine head (LDAM, KPS) read a global constant and torch.finfo,
    # which TorchScript cannot compile: torch.jit.script of the network of a
    # fitted classifier failed, for serving it without Python.
    net = make(head).eval()
    X = torch.randn(5, 64)
    X[1] *= 1e20  # rows the cosine head rescales before normalising them
    X[2] *= 1e-30
    X[3] = 0.0
    scripted = torch.jit.script(net)
    torch.testing.assert_close(scripted(X), net(X))


class _Float32Reciprocal(torch.overrides.TorchFunctionMode):
    """``reciprocal`` in float32, as CUDA's autocast gives it."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in (torch.reciprocal, torch.Tensor.reciprocal):
            out = out.float()
        return out


def test_cosine_head_keeps_float16_features_in_float16():
    # Under CUDA's autocast the rescaling factor came out in float32: the
    # features were normalised in float32, which changed their float16
    # gradients (and here, without autocast's casts, F.linear failed).
    layer = NormedLinear(16, 4).half()
    features = torch.relu(torch.randn(32, 16)).half()
    x = features.clone().requires_grad_()
    with _Float32Reciprocal():
        cosines = layer(x)
    reference = features.clone().requires_grad_()
    expected = nn.functional.linear(
        nn.functional.normalize(reference, dim=1),
        nn.functional.normalize(layer.weight, dim=1),
    )
    assert cosines.dtype == torch.float16 and torch.equal(cosines, expected)
    gradient = torch.randn(32, 4).half()
    (cosines * gradient).sum().backward()
    (expected * gradient).sum().backward()
    assert torch.equal(x.grad, reference.grad)


def test_resnet32_has_the_reference_size():
    n_params = sum(p.numel() for p in ResNet32(3072, 10).parameters())
    assert 0.45e6 < n_params < 0.48e6


def test_mlp_without_hidden_layers_is_linear():
    net = MLP(4, 2, hidden_sizes=())
    assert isinstance(net.classifier, nn.Linear)
    assert len(net.body) == 0


@pytest.mark.parametrize("make", [MLP, SmallCNN, ResNet32])
def test_networks_ask_for_their_sizes(make):
    with pytest.raises(ValueError, match="needs n_features and n_classes"):
        make()
    with pytest.raises(ValueError, match="n_features >= 1 and n_classes >= 1; got "):
        make(n_features=64, n_classes=0)


def test_image_networks_refuse_shapes_they_cannot_infer():
    with pytest.raises(ValueError, match="not in_channels=1 square images"):
        SmallCNN(60, 2)
    with pytest.raises(ValueError, match="does not hold n_features=64"):
        SmallCNN(64, 2, input_shape=(1, 4, 4))
    # a fraction was truncated (8.5 x 7.5 read as 8 x 7), a single int or a
    # NaN failed in int(); in_channels 0 divided by zero, 2.5 failed in isqrt
    for shape in [(1, 8.5, 7.5), 64, (1, float("nan"), 8)]:
        with pytest.raises(ValueError, match="does not hold n_features=64"):
            SmallCNN(64, 2, input_shape=shape)
    for in_channels in [0, -1, 2.5, True]:
        with pytest.raises(ValueError, match="^SmallCNN needs in_channels >= 1"):
            SmallCNN(64, 2, in_channels=in_channels)
    assert SmallCNN(64, 2, input_shape=(1.0, 8, 8)).input_shape_ == (1, 8, 8)


@pytest.mark.parametrize("make", [SmallCNN, ResNet32])
def test_an_input_shape_of_two_sizes_is_a_grey_image(make):
    # LongTailClassifier's input_shape_ of grey images (n_samples, 8, 8),
    # which the guide passes as module__input_shape to load saved weights:
    # it "did not hold n_features=64 values".
    assert make(64, 2, input_shape=(8, 8)).input_shape_ == (1, 8, 8)
    with pytest.raises(ValueError, match="does not hold n_features=64"):
        make(64, 2, input_shape=(4, 4))


def test_small_cnn_refuses_images_too_small_for_its_stages():
    # torch failed at the first batch: "Given input size: (8x1x1). Calculated
    # output size: (8x0x0). Output size is too small".
    with pytest.raises(ValueError, match="at least 4 pixels a side; these are 3x3"):
        SmallCNN(9, 2)
    with pytest.raises(ValueError, match="at least 8 pixels a side; these are 8x4"):
        SmallCNN(32, 2, input_shape=(1, 8, 4), channels=(2, 2, 2))
    net = SmallCNN(9, 2, channels=(4,))  # one stage: 3x3 -> 1x1
    assert net(torch.randn(2, 9)).shape == (2, 2)
    assert SmallCNN(16, 2, channels=(2, 2)).eval()(torch.randn(1, 16)).shape == (1, 2)


@pytest.mark.parametrize("make", [SmallCNN, ResNet32])
def test_image_network_errors_name_the_network(make):
    name = make.__name__
    with pytest.raises(ValueError, match=f"^{name} needs n_features and n_classes"):
        make(n_classes=2)
    with pytest.raises(ValueError, match=f"^{name}: input_shape \\(1, 4, 4\\)"):
        make(64, 2, input_shape=(1, 4, 4))
    assert make(64, 2, input_shape=(1, 8, 8)).input_shape_ == (1, 8, 8)


@pytest.mark.filterwarnings("ignore:`torch.jit.trace")
@pytest.mark.filterwarnings("error::torch.jit.TracerWarning")
@pytest.mark.parametrize("make", [SmallCNN, ResNet32])
@pytest.mark.parametrize("side", [4, 16])
def test_images_of_another_size_are_refused_by_the_image_networks(make, side):
    # They were reshaped to the network's size: two 16x16 images gave the
    # logits of 8 samples of 8x8, and 4x4 ones torch's reshape error.
    net = make(3 * 8 * 8, 2, in_channels=3).eval()
    with pytest.raises(ValueError, match=r"images of shape \(3, 8, 8\), 192 values"):
        net(torch.randn(2, 3, side, side))
    assert net(torch.randn(2, 3, 8, 8)).shape == (2, 2)
    assert net(torch.randn(2, 192)).shape == (2, 2)
    traced = torch.jit.trace(net, torch.randn(2, 3, 8, 8))
    assert traced(torch.randn(5, 192)).shape == (5, 2)


@pytest.mark.parametrize("widths", [64, (0,), (8.5,), (-1,), (True,), None])
def test_layer_widths_that_are_not_positive_ints_are_refused(widths):
    # torch failed on them ("'int' object is not iterable", "Trying to create
    # tensor with negative dimension") or built a layer of no unit
    with pytest.raises(ValueError, match="^MLP needs hidden_sizes as a sequence"):
        MLP(4, 2, hidden_sizes=widths)
    with pytest.raises(ValueError, match="^SmallCNN needs channels as a sequence"):
        SmallCNN(64, 2, channels=widths)


def test_integer_scalars_of_numpy_and_torch_are_sizes():
    # a torch input_shape was said not to "hold n_features=64 values", and
    # torch integer widths and in_channels were refused; all built as ints
    np = pytest.importorskip("numpy")
    shape = torch.tensor([1, 8, 8])
    assert SmallCNN(64, 2, input_shape=shape).input_shape_ == (1, 8, 8)
    assert ResNet32(64, 2, input_shape=np.array([1, 8, 8])).input_shape_ == (1, 8, 8)
    assert SmallCNN(64, 2, in_channels=torch.tensor(1)).input_shape_ == (1, 8, 8)
    for widths in [torch.tensor([4, 8]), np.array([4, 8]), [np.int64(4), 8]]:
        torch.manual_seed(0)
        cnn = SmallCNN(64, 2, channels=widths)
        torch.manual_seed(0)
        expected = SmallCNN(64, 2, channels=(4, 8))
        x = torch.rand(3, 64)
        torch.testing.assert_close(cnn(x), expected(x))
    torch.manual_seed(0)
    mlp = MLP(4, 2, hidden_sizes=torch.tensor([8]))
    torch.manual_seed(0)
    expected = MLP(4, 2, hidden_sizes=(8,))
    torch.testing.assert_close(mlp(torch.ones(2, 4)), expected(torch.ones(2, 4)))


def test_unknown_head_is_refused():
    with pytest.raises(ValueError, match="head must be 'linear' or 'cosine'"):
        MLP(4, 2, head="arcface")


def test_dropout_is_only_active_in_training():
    net = MLP(4, 2, hidden_sizes=(64,), dropout=0.5)
    X = torch.randn(8, 4)
    net.eval()
    torch.testing.assert_close(net(X), net(X))
    net.train()
    assert not torch.allclose(net(X), net(X))
