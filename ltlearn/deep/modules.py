"""Networks for long-tailed learning: an MLP, a small CNN and ResNet-32.

Each network takes ``n_features`` and ``n_classes`` (which
:class:`~ltlearn.deep.net.LongTailClassifier` fills in from the data at fit),
accepts flat rows as well as image-shaped input, exposes ``features(x)`` (the
penultimate representation) and keeps its last layer as ``classifier``, which
the decoupled-retraining callbacks re-train or re-scale. ``head="cosine"``
makes that layer a :class:`NormedLinear` cosine classifier, as LDAM and KPS
expect.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import nn

from ltlearn.utils._docstring import _ldam_references_docstring, _Substitution
from ltlearn.utils._validation import _as_int

__all__ = ["MLP", "NormedLinear", "ResNet32", "SmallCNN"]


def _make_head(in_features, n_classes, head):
    if head == "linear":
        return nn.Linear(in_features, n_classes)
    if head == "cosine":
        return NormedLinear(in_features, n_classes)
    raise ValueError(f"head must be 'linear' or 'cosine'; got {head!r}.")


def _check_sizes(name, n_features, n_classes):
    if n_features is None or n_classes is None:
        raise ValueError(
            f"{name} needs n_features and n_classes; LongTailClassifier infers "
            "them from the data at fit, otherwise pass module__n_features and "
            "module__n_classes."
        )
    if n_classes < 1 or n_features < 1:
        raise ValueError(
            f"{name} needs n_features >= 1 and n_classes >= 1; got "
            f"n_features={n_features}, n_classes={n_classes}."
        )


def _check_widths(name, param, widths):
    """The widths of the layers as a tuple; refuse what is not ints >= 1.

    torch fails on them later, naming neither the network nor the parameter
    (``'int' object is not iterable`` for ``hidden_sizes=64``), or builds a
    layer of no unit.
    """
    try:
        checked = tuple(_as_int(w) for w in widths)
    except TypeError:
        checked = None
    if checked is None or not all(w is not None and w >= 1 for w in checked):
        raise ValueError(
            f"{name} needs {param} as a sequence of ints >= 1, one per layer "
            f"(module__{param}=(64,) for one layer); got {widths!r}."
        )
    return checked


def _image_shape(name, n_features, input_shape, in_channels):
    """The ``(channels, height, width)`` of one image."""
    if input_shape is not None:
        shape = tuple(input_shape) if isinstance(input_shape, Iterable) else ()
        shape = tuple(_as_int(s, whole=True) for s in shape)
        if None in shape:
            shape = ()  # 8.5 was truncated to 8, 64 was not iterable
        if len(shape) == 2:
            # a grey image, as LongTailClassifier reads (n_samples, H, W)
            shape = (1, *shape)
        if len(shape) != 3 or math.prod(shape) != n_features:
            raise ValueError(
                f"{name}: input_shape {input_shape} does not hold n_features="
                f"{n_features} values as (channels, height, width)."
            )
        return shape
    channels = _as_int(in_channels)
    if channels is None or channels < 1:
        # it failed in the division below (by zero, or of a float)
        raise ValueError(f"{name} needs in_channels >= 1, an int; got {in_channels!r}.")
    in_channels = channels
    side = math.isqrt(n_features // in_channels)
    if side * side * in_channels != n_features:
        raise ValueError(
            f"{name}: n_features={n_features} is not in_channels={in_channels} "
            "square images; pass input_shape=(channels, height, width)."
        )
    return (in_channels, side, side)


# F.normalize divides by max(||x||, eps) with this eps: a row of a smaller
# norm is not normalised (an all-zero row stays zero).
_NORMALIZE_EPS = 1e-12


def _unit_rows(x, eps: float = _NORMALIZE_EPS):
    """``x`` with each row divided by its norm, for rows of any finite size.

    ``F.normalize`` squares the values: a row of values beyond about 1e19
    (float32) has an infinite norm and became zeros, and a row of norm below
    ``1e-12`` was divided by ``1e-12`` instead of its norm. Such rows are
    first divided by their largest absolute value, which leaves their
    direction as it is; the other rows are normalised as they are, to the
    same values (and gradients), and an all-zero row stays zero.

    ``eps`` is an argument, not read from the module's constant, so that
    TorchScript compiles the function (``torch.jit.script`` of a network
    with a cosine head).
    """
    with torch.no_grad():
        norm = torch.linalg.vector_norm(x, dim=1, keepdim=True)
        largest = x.abs().amax(dim=1, keepdim=True)
        # 1 (an exact division) for the ordinary rows and the all-zero ones;
        # a division, not a product with the inverse, which overflows for
        # the largest value of a row of subnormal floats
        ordinary = (torch.isfinite(norm) & (norm > eps)) | (largest == 0)
        divisor = torch.where(ordinary, 1.0, largest)
    # in x's dtype, so that a float16 row is normalised in float16 (its
    # gradients unchanged) whatever dtype autocast gives the divisor
    return F.normalize(x / divisor.to(x.dtype), dim=1, eps=eps)


@_Substitution(ldam_references=_ldam_references_docstring)
class NormedLinear(nn.Module):
    """Cosine classifier: cosines between the features and the class weights.

    ``logits[:, j] = <x / ||x||, w_j / ||w_j||>``, in ``[-1, 1]``, with no bias;
    the normalised last layer of LDAM. Pair it with a loss that scales the
    logits, such as :class:`~ltlearn.deep.losses.LDAMLoss`.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    in_features : int
        Size of the input features.
    out_features : int
        Number of classes.

    Attributes
    ----------
    weight : torch.nn.Parameter of shape (out_features, in_features)
        One weight vector per class, as in ``torch.nn.Linear``.

    {ldam_references}

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.modules import NormedLinear
    >>> layer = NormedLinear(4, 3)
    >>> cosines = layer(torch.randn(5, 4))
    >>> bool(cosines.abs().max() <= 1.0)
    True
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights: uniform in ``[-1, 1]``, each row of unit norm."""
        with torch.no_grad():
            self.weight.uniform_(-1.0, 1.0)
            self.weight.div_(self.weight.norm(dim=1, keepdim=True).clamp(min=1e-12))

    def forward(self, x):
        """Return the cosine logits.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            The features.

        Returns
        -------
        logits : torch.Tensor of shape (n_samples, out_features)
            The cosines.
        """
        return F.linear(_unit_rows(x), F.normalize(self.weight, dim=1))

    def extra_repr(self):
        """Settings shown by ``repr``.

        Returns
        -------
        text : str
            The settings, comma separated.
        """
        return f"in_features={self.in_features}, out_features={self.out_features}"


# Entries shared by the networks' docstrings.
_module_docstring = _Substitution(
    head="""head : {"linear", "cosine"}, default="linear"
        The last layer: ``torch.nn.Linear`` or :class:`NormedLinear`.""",
    classifier_attribute="""classifier : torch.nn.Module
        The last layer.""",
)


class _Backbone(nn.Module):
    """A network whose logits are its ``classifier`` applied to ``features``."""

    def forward(self, x):
        """Return the logits.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features) or (n_samples, C, H, W)
            The input, as :meth:`features` takes it.

        Returns
        -------
        logits : torch.Tensor of shape (n_samples, n_classes)
            The class scores.
        """
        return self.classifier(self.features(x))


class _ImageBackbone(_Backbone):
    """A convolutional network that reshapes flat rows to ``input_shape_``."""

    def __init__(self, n_features, n_classes, input_shape, in_channels):
        super().__init__()
        name = type(self).__name__
        _check_sizes(name, n_features, n_classes)
        self.input_shape_ = _image_shape(name, n_features, input_shape, in_channels)

    def _check_values_per_sample(self, x, n_values: int):
        """Refuse a batch whose samples do not hold ``n_values`` values.

        The reshape of :meth:`features` would make other samples of their
        values (4 images of 16x16 from one of 32x32), or fail naming neither
        shape.
        """
        given = 1
        for size in x.shape[1:]:
            given *= size
        if x.dim() > 1 and given != n_values:
            raise ValueError(
                f"The network reads images of shape {self.input_shape_}, "
                f"{n_values} values each; the input of shape {list(x.shape)} "
                f"has {given} values a sample. Give it images of that size (an "
                "augmentation must keep it), or build the network for another "
                "with input_shape=(channels, height, width)."
            )

    def features(self, x):
        """Return the globally pooled feature maps of the last stage.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features) or (n_samples, C, H, W)
            Flat rows are reshaped to ``input_shape_``; each sample must
            hold its ``channels * height * width`` values.

        Returns
        -------
        features : torch.Tensor of shape (n_samples, n_channels)
            One value per channel of the last stage.
        """
        channels, height, width = self.input_shape_
        # A trace records the sizes of its example input (the check warned).
        if not torch.jit.is_tracing():
            self._check_values_per_sample(x, channels * height * width)
        return self._pooled(x.reshape(-1, channels, height, width))


@_module_docstring
class MLP(_Backbone):
    """Multi-layer perceptron for tabular data.

    Hidden blocks ``Linear -> ReLU (-> Dropout)`` followed by the
    ``classifier`` layer. Image-shaped input is flattened.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    n_features : int, default=None
        Number of input features; inferred at fit by
        :class:`~ltlearn.deep.net.LongTailClassifier`.
    n_classes : int, default=None
        Number of classes; inferred at fit.
    hidden_sizes : tuple of int, default=(128, 128)
        Width of each hidden layer; ``()`` gives a linear model.
    dropout : float, default=0.0
        Dropout probability after each hidden layer.
    {head}

    Attributes
    ----------
    body : torch.nn.Sequential
        The hidden layers.
    {classifier_attribute}

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.modules import MLP
    >>> net = MLP(n_features=4, n_classes=3, hidden_sizes=(8,))
    >>> net(torch.randn(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        n_features=None,
        n_classes=None,
        *,
        hidden_sizes=(128, 128),
        dropout=0.0,
        head="linear",
    ):
        super().__init__()
        _check_sizes("MLP", n_features, n_classes)
        hidden_sizes = _check_widths("MLP", "hidden_sizes", hidden_sizes)
        layers = []
        size = n_features
        for width in hidden_sizes:
            layers += [nn.Linear(size, width), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            size = width
        self.body = nn.Sequential(*layers)
        self.classifier = _make_head(size, n_classes, head)

    def features(self, x):
        """Return the penultimate representation.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features) or (n_samples, ...)
            The input; extra dimensions are flattened.

        Returns
        -------
        features : torch.Tensor of shape (n_samples, hidden_sizes[-1])
            The output of the last hidden layer.
        """
        return self.body(x.flatten(1))


def _conv_bn(in_channels, out_channels):
    return [
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


@_module_docstring
class SmallCNN(_ImageBackbone):
    """A small convolutional network for small grey or colour images.

    Each stage is two ``3x3 conv -> BatchNorm -> ReLU`` layers and a ``2x2``
    max-pooling; global average pooling then feeds the ``classifier``. Two
    stages suit 8x8 digits and 28x28 images alike.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    n_features : int, default=None
        Number of values per image; inferred at fit by
        :class:`~ltlearn.deep.net.LongTailClassifier`.
    n_classes : int, default=None
        Number of classes; inferred at fit.
    input_shape : tuple of int, default=None
        ``(channels, height, width)`` of an image, or ``(height, width)`` of
        a grey one. ``None`` infers square images with ``in_channels``
        channels from ``n_features`` (64 -> 8x8, 784 -> 28x28).
    in_channels : int, default=1
        Channels of the images when ``input_shape`` is None.
    channels : tuple of int, default=(32, 64)
        Output channels of each stage. Each stage halves the images: they
        need at least ``2 ** len(channels)`` pixels a side.
    {head}

    Attributes
    ----------
    input_shape_ : tuple of int
        The ``(channels, height, width)`` used to reshape flat rows.
    body : torch.nn.Sequential
        The convolutional stages and the pooling.
    {classifier_attribute}

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.modules import SmallCNN
    >>> net = SmallCNN(n_features=64, n_classes=10, channels=(8, 16))
    >>> net.input_shape_
    (1, 8, 8)
    >>> net(torch.randn(5, 64)).shape
    torch.Size([5, 10])
    """

    def __init__(
        self,
        n_features=None,
        n_classes=None,
        *,
        input_shape=None,
        in_channels=1,
        channels=(32, 64),
        head="linear",
    ):
        super().__init__(n_features, n_classes, input_shape, in_channels)
        channels = _check_widths("SmallCNN", "channels", channels)
        side = min(self.input_shape_[1:])
        if side < 2 ** len(channels):
            # Each stage's 2x2 max-pooling halves the images (rounding down):
            # torch fails at the first batch with "Output size is too small".
            raise ValueError(
                f"SmallCNN halves the images once per stage (one per entry of "
                f"channels={tuple(channels)}), so they need at least "
                f"{2 ** len(channels)} pixels a side; these are "
                f"{self.input_shape_[1]}x{self.input_shape_[2]}. Pass fewer "
                "channels (module__channels)."
            )
        layers = []
        size = self.input_shape_[0]
        for width in channels:
            layers += _conv_bn(size, width) + _conv_bn(width, width)
            layers.append(nn.MaxPool2d(2))
            size = width
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.body = nn.Sequential(*layers)
        self.classifier = _make_head(size, n_classes, head)

    def _pooled(self, images):
        return self.body(images)


class _BasicBlock(nn.Module):
    """CIFAR ResNet block with the parameter-free "option A" shortcut."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride = stride
        self.pad = planes - in_planes

    def _shortcut(self, x):
        if self.stride == 1 and self.pad == 0:
            return x
        x = x[:, :, :: self.stride, :: self.stride]
        half = self.pad // 2
        return F.pad(x, (0, 0, 0, 0, half, self.pad - half))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self._shortcut(x))


@_module_docstring
class ResNet32(_ImageBackbone):
    """ResNet-32 for 32x32 images, the backbone of the CIFAR-LT literature.

    Three stages of five basic blocks (16, 32 and 64 channels, option-A
    shortcuts, 0.46M parameters), global average pooling and the
    ``classifier``, with Kaiming-normal initialisation. ``head="cosine"`` is the
    normalised last layer that LDAM uses.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    n_features : int, default=None
        Number of values per image; inferred at fit by
        :class:`~ltlearn.deep.net.LongTailClassifier`.
    n_classes : int, default=None
        Number of classes; inferred at fit.
    input_shape : tuple of int, default=None
        ``(channels, height, width)`` of an image, or ``(height, width)`` of
        a grey one; ``None`` infers square images with ``in_channels``
        channels (3072 -> 3x32x32).
    in_channels : int, default=3
        Channels of the images when ``input_shape`` is None.
    {head}

    Attributes
    ----------
    input_shape_ : tuple of int
        The ``(channels, height, width)`` used to reshape flat rows.
    {classifier_attribute}

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Deep Residual Learning for
       Image Recognition", CVPR 2016.

    Examples
    --------
    >>> import torch
    >>> from ltlearn.deep.modules import ResNet32
    >>> net = ResNet32(n_features=3 * 32 * 32, n_classes=10, head="cosine")
    >>> net(torch.randn(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        n_features=None,
        n_classes=None,
        *,
        input_shape=None,
        in_channels=3,
        head="linear",
    ):
        super().__init__(n_features, n_classes, input_shape, in_channels)
        self.conv1 = nn.Conv2d(self.input_shape_[0], 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        stages = []
        in_planes = 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(5):
                blocks.append(_BasicBlock(in_planes, planes, stride if i == 0 else 1))
                in_planes = planes
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.classifier = _make_head(64, n_classes, head)
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(module.weight)

    def _pooled(self, images):
        out = F.relu(self.bn1(self.conv1(images)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return F.adaptive_avg_pool2d(out, 1).flatten(1)
