"""Long-tailed CIFAR-10/100 from a local copy in the CIFAR python format."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import pickle
from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ltlearn.utils._class_counts import _plain, check_min_class_counts

_FOLDERS = {"cifar10": "cifar-10-batches-py", "cifar100": "cifar-100-python"}
_FILES = {
    "cifar10": ([f"data_batch_{i}" for i in range(1, 6)], ["test_batch"]),
    "cifar100": (["train"], ["test"]),
}
_LABEL_KEYS = {"cifar10": b"labels", "cifar100": b"fine_labels"}
_N_CLASSES = {"cifar10": 10, "cifar100": 100}
_N_MAX = {"cifar10": 5000, "cifar100": 500}
# An image row holds 3 x 32 x 32 uint8 values.
_N_VALUES = 3 * 32 * 32
# The only globals a CIFAR python batch refers to: numpy's array and scalar
# reconstruction (under numpy 1's and numpy 2's module names; _frombuffer
# from protocol 5) and the bytes of a protocol 2 file written by Python 3.
_BATCH_GLOBALS = frozenset(
    [("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")]
    + [
        (f"numpy.{core}.{module}", name)
        for core in ("core", "_core")
        for module, name in (
            ("multiarray", "_reconstruct"),
            ("multiarray", "scalar"),
            ("numeric", "_frombuffer"),
        )
    ]
)


class _ForeignGlobalError(pickle.UnpicklingError):
    """A pickle refers to a global that a CIFAR python batch does not hold."""


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that refuses every global a CIFAR python batch does not hold.

    A pickle may name any callable to be run on load (``os.system``); a
    batch file is data, so only numpy's array reconstruction is allowed.
    """

    def find_class(self, module, name):
        if (module, name) not in _BATCH_GLOBALS:
            raise _ForeignGlobalError(f"{module}.{name}")
        return super().find_class(module, name)


def _entry(batch, key, path, dataset):
    """``batch[key]``, under its bytes or its str name."""
    for name in (key, key.decode()):
        if name in batch:
            return batch[name]
    found = ", ".join(sorted(repr(k) for k in batch)) or "none"
    raise ValueError(
        f"{path} has no {key.decode()!r} entry (its keys: {found}); a {dataset} "
        f"batch holds 'data' and {_LABEL_KEYS[dataset].decode()!r}."
    )


def _load_batch(path, dataset):
    """The images and labels of one batch file, checked against each other."""
    try:
        with open(path, "rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
    except (OSError, MemoryError):  # the file's or the machine's, not the format's
        raise
    except _ForeignGlobalError as exc:
        raise ValueError(
            f"{path} is not a CIFAR python batch: its pickle calls {exc}, and a "
            "batch holds only numpy arrays, lists and bytes. It was not loaded "
            "(unpickling it could run code)."
        ) from None
    except Exception as exc:  # unpickling fails in many ways on a foreign file
        raise ValueError(
            f"{path} could not be read as a CIFAR python batch ({exc}); it "
            "must be a pickled dict."
        ) from exc
    if not isinstance(batch, dict):
        raise ValueError(
            f"{path} holds a {type(batch).__name__}, not the dict of a CIFAR "
            "python batch."
        )
    data = np.asarray(_entry(batch, b"data", path, dataset))
    labels = np.asarray(_entry(batch, _LABEL_KEYS[dataset], path, dataset))
    if data.ndim != 2 or data.shape[1] != _N_VALUES:
        raise ValueError(
            f"{path}: 'data' has shape {data.shape}; a CIFAR batch holds one row "
            f"of {_N_VALUES} values (3 x 32 x 32) per image."
        )
    if labels.ndim != 1 or labels.shape[0] != data.shape[0]:
        raise ValueError(
            f"{path} holds {data.shape[0]} images and {labels.size} labels; a "
            "CIFAR batch has one label per image."
        )
    n_classes = _N_CLASSES[dataset]
    valid = np.zeros(labels.shape, dtype=bool)
    if labels.dtype.kind in "iuf":
        valid = np.isin(labels, np.arange(n_classes))
    if not valid.all():
        raise ValueError(
            f"{path} holds the label {_plain(labels[~valid][0])!r}; the labels of "
            f"{dataset} are the integers 0 to {n_classes - 1}."
        )
    if data.dtype != np.uint8 and data.size:
        if data.dtype.kind not in "iuf" or not (
            np.all(data == np.round(data)) and data.min() >= 0 and data.max() <= 255
        ):
            raise ValueError(
                f"{path}: 'data' holds {data.dtype} values that are not pixel "
                "values (integers 0 to 255)."
            )
    return data.astype(np.uint8, copy=False), labels.astype(np.int64, copy=False)


def _raise_unreadable(path):
    """Raise the system's error where ``path`` exists but cannot be looked up.

    A folder without permission to enter it was said to lack the file.
    """
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass


def _read(folder, names, dataset):
    images, labels = [], []
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            _raise_unreadable(path)
            raise FileNotFoundError(
                f"{path} not found: load_cifar_lt reads a local copy of "
                f"{dataset} in the CIFAR python format (folder "
                f"{_FOLDERS[dataset]!r}); it downloads nothing."
            )
        data, y = _load_batch(path, dataset)
        images.append(data)
        labels.append(y)
    X = np.concatenate(images).reshape(-1, 3, 32, 32)
    return X, np.concatenate(labels)


def _cifar_folder(root, dataset):
    """The folder of the batch files: ``root`` itself or its CIFAR sub-folder."""
    folder = os.path.expanduser(os.fspath(root))
    nested = os.path.join(folder, _FOLDERS[dataset])
    # by name first (normpath keeps "." and ".." as given): the folder itself
    # if it is called so, otherwise its sub-folder of that name
    if os.path.basename(os.path.normpath(folder)) == _FOLDERS[dataset]:
        by_name, other = folder, nested
    else:
        by_name, other = nested, folder
    # the other one when only it holds the first batch file: the extracted
    # folder renamed or given as ".", or a folder of that name around it
    first = _FILES[dataset][0][0]
    if not os.path.isfile(os.path.join(by_name, first)) and os.path.isfile(
        os.path.join(other, first)
    ):
        return other
    return by_name


def _cifar_lt_counts(n_max, n_classes, imbalance_ratio, profile):
    # The LDAM code's arithmetic (imb_factor = 1 / IF, int() truncation), so
    # the class sizes match the published training sets exactly; "exp" is
    # that code's name of the exponential profile.
    factor = 1.0 / imbalance_ratio
    if profile in ("exponential", "exp"):
        return [
            int(n_max * factor ** (i / (n_classes - 1.0))) for i in range(n_classes)
        ]
    half = n_classes // 2
    return [n_max] * half + [int(n_max * factor)] * (n_classes - half)


@validate_params(
    {
        "root": [str, os.PathLike],
        "dataset": [StrOptions({"cifar10", "cifar100"})],
        "imbalance_ratio": [Interval(Real, 1, None, closed="left")],
        "profile": [StrOptions({"exponential", "exp", "step"})],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both")],
        "n_max": [Interval(Integral, 1, None, closed="left"), None],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar_lt(
    root,
    *,
    dataset="cifar10",
    imbalance_ratio=100,
    profile="exponential",
    random_state=0,
    n_max=None,
    return_X_y=False,
):
    """Load long-tailed CIFAR-10/100 (CIFAR-LT) from a local copy.

    Reads the python version of CIFAR (``cifar-10-batches-py`` or
    ``cifar-100-python``, which the user downloads; nothing is downloaded) and
    builds the long-tailed training set of the LDAM code used by the CB, LDAM,
    VS and KPS papers: class ``i`` keeps
    ``int(n_max * (1 / imbalance_ratio) ** (i / (C - 1)))`` images
    (``profile="exponential"``; ``n_max`` is 5000 for CIFAR-10 and 500 for CIFAR-100)
    or, with ``profile="step"``, the first ``C // 2`` classes keep ``n_max``
    and the others ``int(n_max * (1 / imbalance_ratio))`` (at least one).
    Which images: a
    ``numpy.random.RandomState(random_state)`` shuffles the indices of each
    class in turn (class 0 first) and the first ones are kept, in that
    order, as the reference code does (``random_state=0`` gives its
    training sets). The test set is the original balanced one.

    Read more in the :ref:`User Guide <datasets>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    root : str or path-like
        Folder holding ``cifar-10-batches-py`` / ``cifar-100-python``, or that
        folder itself (under any name: the folder holding the batch files);
        a leading ``~`` is the home directory, as in the ``root`` of
        torchvision's datasets.
    dataset : {"cifar10", "cifar100"}, default="cifar10"
        Which CIFAR.
    imbalance_ratio : float, default=100
        Ratio of the largest to the smallest training class, from 1 to
        ``n_max`` (the smallest class keeps
        ``int(n_max * (1 / imbalance_ratio))`` images, at least one: computed
        so, ``n_max=98`` with ``imbalance_ratio=49`` keeps 1 image, not 2).
    profile : {"exponential", "exp", "step"}, default="exponential"
        How the class sizes decay, as in
        :func:`~ltlearn.datasets.make_long_tailed`; ``"exp"``, the reference
        code's name, is the same exponential profile.
    random_state : int, default=0
        Seed of the per-class shuffles.
    n_max : int, default=None
        Size of the largest class; ``None`` for the papers' 5000 (CIFAR-10)
        or 500 (CIFAR-100).
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X_train`` and ``X_test`` (uint8 images of shape ``(n, 3, 32, 32)``;
        divide them by 255 for the ``augment="cifar"`` of
        :class:`~ltlearn.deep.LongTailClassifier`, whose normalisation
        expects pixel values in ``[0, 1]``),
        ``y_train``, ``y_test``, ``classes`` (the labels ``0 .. C - 1``),
        ``class_counts`` (training size of each class),
        ``train_indices`` (rows of the original training set kept) and
        ``DESCR``.
    (X_train, X_test, y_train, y_test) : tuple of ndarray
        When ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If a batch file is missing; the message names it.
    ValueError
        If a batch file is not a CIFAR python batch (a pickled dict whose
        ``data`` and labels, under bytes or str keys, hold one row of 3072
        pixel values and one label in ``0..C-1`` per image; a pickle that
        calls anything but numpy's array reconstruction, such as
        ``os.system``, is refused by name before it runs), if a class has
        fewer than ``n_max`` training images, or if ``imbalance_ratio``
        exceeds ``n_max``.

    Examples
    --------
    >>> from ltlearn.datasets._cifar import _cifar_lt_counts
    >>> _cifar_lt_counts(5000, 10, 100, "exponential")
    [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    """
    folder = _cifar_folder(root, dataset)
    classes = np.arange(_N_CLASSES[dataset])
    if n_max is None:
        n_max = _N_MAX[dataset]
    counts = _cifar_lt_counts(n_max, classes.size, imbalance_ratio, profile)
    if imbalance_ratio > n_max:
        raise ValueError(
            f"imbalance_ratio={imbalance_ratio} leaves class {counts.index(0)} "
            f"with no image (n_max={n_max}); the smallest class keeps "
            "int(n_max * (1 / imbalance_ratio)) images, so imbalance_ratio can "
            "be at most n_max."
        )
    # int() of n_max / n_max computed as n_max * (1 / n_max) may round just
    # below 1 (n_max=49): that class keeps its one image
    counts = [max(count, 1) for count in counts]
    train_files, test_files = _FILES[dataset]
    X, y = _read(folder, train_files, dataset)
    X_test, y_test = _read(folder, test_files, dataset)
    available = np.bincount(y, minlength=classes.size)
    check_min_class_counts(
        classes,
        available,
        n_max,
        unit="images",
        where=" in the training files",
        needs=f"n_max={n_max} needs {n_max} of every class. Are the files complete?",
    )
    rng = np.random.RandomState(random_state)
    keep = []
    for label, n_keep in zip(classes, counts):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        keep.append(members[:n_keep])
    keep = np.concatenate(keep)
    bunch = Bunch(
        X_train=X[keep],
        y_train=y[keep],
        X_test=X_test,
        y_test=y_test,
        classes=classes,
        class_counts=np.asarray(counts),
        train_indices=keep,
        DESCR=(
            f"{dataset}-LT: {keep.size} training images, imbalance ratio "
            f"{imbalance_ratio} ({profile} profile), balanced test set of "
            f"{y_test.size} images."
        ),
    )
    if return_X_y:
        return bunch.X_train, bunch.X_test, bunch.y_train, bunch.y_test
    return bunch
