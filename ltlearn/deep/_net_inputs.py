"""Reading and checking LongTailClassifier's inputs.

Arrays, pandas frames and torch Datasets given to ``fit``, ``partial_fit``
and the prediction methods (their shapes against the fitted ones), the
labels encoded and counted, the validation Dataset of ``predefined_split``,
and the per-row weights.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from collections.abc import Mapping

import numpy as np
import torch
from scipy.sparse import issparse
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_array, validate_data
from skorch.dataset import Dataset as _SkorchDataset
from skorch.helper import SliceDataset
from skorch.utils import is_dataset
from torch.utils.data import TensorDataset

from ltlearn.deep._data import _count_classes
from ltlearn.deep._datasets import (
    _ItemDataset,
    _peek_input,
    _read_labelled_dataset,
    _readable,
)
from ltlearn.deep.samplers import _dataset_tensors
from ltlearn.utils._validation import (
    _writeable,
    check_classification_y,
    check_sample_weight,
    column_or_1d_y,
)

# The advice of the refusals of several inputs.
_JOIN_INPUTS = "Join the inputs into one array and split it in the module's forward."


def _refuse_several_inputs(X, y):
    """Refuse a list or tuple of inputs of one row per label, saying why.

    skorch passes a list of arrays to ``forward`` as several inputs; read as
    one array, it held ``len(X)`` samples, and fit failed with scikit-learn's
    "inconsistent numbers of samples: [2, 150]", which named neither.
    """
    if not isinstance(X, (list, tuple)) or not X or y is None:
        return
    try:
        n_rows = len(y)
    except TypeError:  # a scalar y: scikit-learn's check names it
        return
    shapes = [getattr(part, "shape", None) for part in X]
    # 1-d parts are rows as much as inputs (rows of as many features as
    # labels): scikit-learn's "inconsistent numbers of samples" is right.
    if n_rows == len(X) or not all(
        shape is not None and len(shape) > 1 and shape[0] == n_rows for shape in shapes
    ):
        return
    inputs, advice = f"{len(X)} inputs", _JOIN_INPUTS
    if len(X) == 1:
        inputs, advice = "one input", "Pass its one input, X[0], as X."
    raise ValueError(
        f"X is a {type(X).__name__} of {inputs} of {n_rows} rows, one row per "
        "label of y; LongTailClassifier takes one input: an array, a pandas "
        f"DataFrame or a torch Dataset of (x, y) items. {advice}"
    )


def _shape_of_arrays(X):
    """The shape of a list of arrays of one shape, read without converting it.

    None for a list of anything else (rows of numbers, ragged arrays), which
    scikit-learn's check reads.
    """
    shapes = {tuple(getattr(part, "shape", ())) for part in X}
    if len(shapes) != 1 or not next(iter(shapes)):
        return None
    return (len(X), *shapes.pop())


def _refuse_unsupported_X(X):
    """Refuse a torch ``DataLoader`` or a dict given as ``X``, saying why.

    The classifier batches its input itself; a loader failed with an error
    about ``y`` (fit) or ``float()`` (predict), which named neither. A dict
    of several inputs (skorch's keyword arguments of ``forward``) failed in
    ``float()`` too.
    """
    if isinstance(X, torch.utils.data.DataLoader):
        raise ValueError(
            "X is a torch DataLoader; LongTailClassifier makes its own batches. "
            "Pass the loader's Dataset (X.dataset) instead, and options of the "
            "DataLoader as iterator_train__* and iterator_valid__* parameters "
            "(iterator_train__num_workers=2, say)."
        )
    # A DOK sparse matrix is a dict too: it gets scikit-learn's sparse message.
    if isinstance(X, Mapping) and not issparse(X):
        advice = _JOIN_INPUTS
        if "sample_weight" in X:
            # skorch's way of passing sample weights, which fit takes itself.
            advice = (
                "Pass the weights as fit(X, y, sample_weight=...) instead, "
                "and the input as X."
            )
        elif len(X.keys()) == 1:  # a SliceDict's len() is its rows'
            # skorch's DataFrameTransformer gives {"X": ...} for a frame of
            # numbers; a SliceDict of one array is one input too.
            advice = (
                f"Pass its one input, X[{next(iter(X))!r}], as X (a pandas "
                "DataFrame is read as it is, without skorch's "
                "DataFrameTransformer)."
            )
        raise TypeError(
            f"X is a {type(X).__name__} of inputs "
            f"({', '.join(map(repr, X))}); LongTailClassifier takes one input: "
            f"an array, a pandas DataFrame or a torch Dataset of (x, y) items. "
            f"{advice}"
        )


class _InputsMixin:
    """The input checks of :class:`LongTailClassifier`: ``X``, ``y``, weights.

    Mixed into the classifier; its ``fit``, ``partial_fit`` and prediction
    methods call these.
    """

    def _check_input_ndim(self, X):
        """Refuse an array of other shape than the fitted images' by name.

        scikit-learn's check compares ``X.shape[1]`` with ``n_features_in_``
        (the channels of an image), which names neither shape; a single image
        is told to be given as a batch of one, as scikit-learn tells a single
        row to be reshaped. A list of arrays is read by its shape too. After
        a fit on a table, an array of three dimensions or more (a list of
        several inputs, in skorch's way) is refused by its shape too, where
        scikit-learn's check said "X has 150 features" of its second one;
        a table of other columns, or a single row, gets scikit-learn's words.
        """
        fitted = getattr(self, "input_shape_", None)
        if fitted is None:
            return
        shape = getattr(X, "shape", None)
        if shape is None and isinstance(X, (list, tuple)):
            if len(fitted) < 2:
                shape = _shape_of_arrays(X)
            else:
                try:
                    shape = np.shape(X)
                except ValueError:  # ragged: scikit-learn's check names it
                    return
        if shape is None:
            return
        shape = tuple(shape)
        if len(fitted) < 2 and len(shape) <= 2:
            return
        if len(shape) == len(fitted) + 1:
            self._check_input_shape(shape[1:])
            return
        hint = ""
        if shape == fitted:
            hint = " Use X[np.newaxis] if it is a single sample."
        raise ValueError(
            f"X has shape {shape}, but {type(self).__name__} was fitted "
            f"on samples of shape {fitted}: X must be of shape "
            f"(n_samples, {', '.join(map(str, fitted))}).{hint}"
        )

    def _check_input_shape(self, shape):
        fitted = getattr(self, "input_shape_", None)
        if fitted is not None and tuple(shape) != fitted:
            raise ValueError(
                f"X has samples of shape {tuple(shape)}, but "
                f"{type(self).__name__} was fitted on samples of shape {fitted}."
            )

    def _check_X(self, X):
        """Validate the input of predict; a Dataset's items are checked lazily.

        An in-memory dataset (``TensorDataset``, skorch ``Dataset`` over
        arrays, a ``Subset`` of one) is validated as its input array; another
        map-style Dataset of ``x`` or ``(x, y)`` items has its first input's
        shape checked and is wrapped to give the network float32 batches,
        each input checked (shape, finite) as it is read.
        """
        _refuse_unsupported_X(X)
        if isinstance(X, SliceDataset):
            # skorch's indexable view of a Dataset, read as a Dataset of
            # inputs (scikit-learn's cross-validation slices it).
            pairs, shape = _peek_input(X)
            self._check_input_shape(shape)
            return _ItemDataset(X, pairs=pairs, shape=shape)
        if is_dataset(X):
            tensors = _dataset_tensors(X)
            if tensors is None or isinstance(tensors[0], dict):
                pairs, shape = _peek_input(X)
                self._check_input_shape(shape)
                return _ItemDataset(X, pairs=pairs, shape=shape)
            X = tensors[0]
        X = _readable(X)
        self._check_input_ndim(X)
        X = validate_data(self, X, reset=False, allow_nd=True, dtype=np.float32)
        self._check_input_shape(X.shape[1:])
        return _writeable(X)

    def _read_dataset(self, X, y, *, reset):
        """Input and labels of a Dataset given to fit, read once.

        Returns arrays ``(X, y)`` for an in-memory dataset, so that it trains
        as arrays do, else the dataset and the labels of its items (checked:
        same input shape, finite, scalar labels).
        """
        if y is not None:
            raise ValueError(
                "y must be None when X is a torch Dataset: the labels come from "
                "its (x, y) items."
            )
        tensors = _dataset_tensors(X)
        if tensors is not None and not isinstance(tensors[0], dict):
            X_tensor, y = tensors
            if y is None:
                raise ValueError(
                    f"The {type(X).__name__} given to fit has no labels: fit "
                    "needs a Dataset of (x, y) items."
                )
            return _readable(X_tensor), _readable(y), None
        y, shape, value_range = self._read_items(X)
        self._warn_unscaled_pixels(None, value_range)
        if reset:
            self.n_features_in_ = shape[0]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            self._check_input_shape(shape)
        return X, y, shape

    def _read_items(self, dataset):
        """Labels, input shape and value range of the ``(x, y)`` items."""
        if self.random_state is None:
            return _read_labelled_dataset(dataset)
        # Random transforms in the items draw from torch's generator: leave
        # the global one as it was, as the training does.
        with torch.random.fork_rng(devices=[]):
            return _read_labelled_dataset(dataset)

    def _unseen_labels(self, y):
        """The labels of ``y`` that are not among ``classes_``, as a list.

        LabelEncoder fails on labels of another type than the classes
        ("invalid literal for int()" for text after integers).
        """
        fitted_classes = set(self.classes_.tolist())
        return [v for v in np.unique(y).tolist() if v not in fitted_classes]

    def _encoded_valid(self, dataset):
        """A validation Dataset of the user's, its labels encoded as in training.

        skorch's ``predefined_split`` gives the Dataset as it is: it is checked
        as a Dataset given to fit, and its labels become the codes of
        ``classes_`` that the loss and ``valid_bacc`` compare with. An
        in-memory one becomes a ``TensorDataset`` of float32 inputs (sliced
        into batches, as the training data are), another one is wrapped; the
        user's Dataset is left as it is.
        """
        tensors = _dataset_tensors(dataset)
        if tensors is not None and tensors[1] is None:
            raise ValueError(
                f"The {type(dataset).__name__} of predefined_split has no "
                "labels: the validation needs a Dataset of (x, y) items."
            )
        in_memory = tensors is not None and not isinstance(tensors[0], dict)
        if in_memory:
            X = check_array(
                _readable(tensors[0]),
                allow_nd=True,
                dtype=np.float32,
                input_name="X",
            )
            labels, shape = column_or_1d_y(_readable(tensors[1])), X.shape[1:]
        else:
            labels, shape, _ = self._read_items(dataset)
        self._check_input_shape(shape)
        unseen = self._unseen_labels(labels)
        if unseen:
            raise ValueError(
                f"The validation Dataset holds labels {unseen!r} that are not "
                f"among the classes {self.classes_.tolist()!r} of the training data."
            )
        codes = torch.as_tensor(self.label_encoder_.transform(labels).astype(np.int64))
        if in_memory:
            valid = TensorDataset(torch.as_tensor(_writeable(X)), codes)
            valid._ltlearn_checked = True  # predict_proba need not check it again
            return valid
        return _ItemDataset(dataset, pairs=True, labels=codes)

    def _check_X_y(self, X, y, *, reset, classes=None, sample_weight=None, warm=False):
        """Validate ``X``, ``y`` and ``sample_weight``; label-encode ``y``.

        Counts the classes into ``class_counts_``: those of this data for a
        first fit, added to the previous counts when ``reset`` is false. A
        warm-start fit (``warm``) keeps the fitted input shape and classes,
        as ``reset=False`` does, and needs every class in ``y`` (as
        scikit-learn's ``MLPClassifier(warm_start=True)``) unless ``classes``
        gives them; its counts are those of this data.
        """
        _refuse_unsupported_X(X)
        _refuse_several_inputs(X, y)
        dataset_shape = None
        if isinstance(X, SliceDataset) and y is not None:
            # skorch's pairs of a SliceDataset's inputs and their labels
            # (it checks they are as many), read as any (x, y) Dataset.
            X, y = _SkorchDataset(X, y), None
        if is_dataset(X):
            X, y, dataset_shape = self._read_dataset(X, y, reset=reset)
        if y is None:
            validate_data(self, X, y)  # raises: the target is required
        X, y = _readable(X), _readable(y)
        given = classes if classes is not None else self.classes
        # One class is enough when the classes are known (given, or fitted).
        known = given is not None or not reset
        check_classification_y(
            y if issparse(y) else np.asarray(y), min_classes=1 if known else 2
        )
        if dataset_shape is None:
            if not reset:
                self._check_input_ndim(X)
            y = column_or_1d_y(y)
            X, y = validate_data(
                self, X, y, reset=reset, allow_nd=True, dtype=np.float32
            )
            X = _writeable(X)
            self._warn_unscaled_pixels(X)
            if not reset:
                self._check_input_shape(X.shape[1:])
        if warm:
            seen = np.unique(y)
            if self.classes is None:
                same = np.array_equal(seen, self.classes_)
            else:  # y may lack some of the given classes, as in a first fit
                given = np.unique(np.asarray(self.classes))
                same = (
                    np.array_equal(given, self.classes_) and np.isin(seen, given).all()
                )
            if not same:
                advice = ""
                if self.classes is None:
                    advice = (
                        " Set classes to every label before the first fit: "
                        "a fit may then lack some of them."
                    )
                raise ValueError(
                    f"warm_start=True can only be used where y has the same "
                    f"classes as in the previous fit. Previously got "
                    f"{self.classes_.tolist()!r}, y has {seen.tolist()!r}."
                    f"{advice}"
                )
        if reset:
            encoder = LabelEncoder()
            if given is not None:
                encoder.fit(np.asarray(given))
                unknown = np.setdiff1d(np.unique(y), encoder.classes_)
                if unknown.size:
                    raise ValueError(
                        f"y holds labels {unknown.tolist()!r} that are not in "
                        f"classes={encoder.classes_.tolist()!r}."
                    )
            else:
                encoder.fit(y)
            self.label_encoder_ = encoder
            self.input_shape_ = dataset_shape or tuple(X.shape[1:])
        else:
            unseen = self._unseen_labels(y)
            if unseen:
                raise ValueError(
                    f"y holds previously unseen labels {unseen!r}; the classes "
                    f"are {self.classes_.tolist()!r}. partial_fit trains the "
                    "fitted network further on the same classes; fit starts "
                    "anew. Give every label as classes (to the classifier, or "
                    "at the first call to partial_fit): a call may then lack "
                    "some of them."
                )
        y = self.label_encoder_.transform(y).astype(np.int64)
        self._check_draws_of_rows(len(y))
        if sample_weight is not None:
            sample_weight = self._check_sample_weight(_readable(sample_weight), y)
        counts = _count_classes(y, sample_weight, len(self.classes_))
        # none after initialize() on a fitted classifier: counted anew
        before = 0 if reset or warm else vars(self).get("class_counts_", 0)
        self._counts_before_ = before
        self.class_counts_ = self._counts_before_ + counts
        if dataset_shape is not None:
            # The labels and weights travel with the items.
            X = _ItemDataset(
                X,
                pairs=True,
                labels=torch.as_tensor(y),
                sample_weight=None
                if sample_weight is None
                else torch.as_tensor(sample_weight),
            )
            sample_weight = None
        return X, y, sample_weight

    def _check_sample_weight(self, sample_weight, y):
        """Per-row weights, checked as ltlearn's estimators check them, in float32."""
        sample_weight = check_sample_weight(sample_weight, len(y))
        largest = float(sample_weight.max())
        if largest > float(np.finfo(np.float32).max):
            raise ValueError(
                f"sample_weight holds {largest!r}, too large for float32, the "
                "precision the network trains in."
            )
        sample_weight = sample_weight.astype(np.float32)
        if not sample_weight.any():
            raise ValueError(
                "sample_weight rounds to zero in float32, the precision the "
                f"network trains in (the largest weight is {largest!r})."
            )
        return sample_weight
