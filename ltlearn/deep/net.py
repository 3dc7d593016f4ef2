"""LongTailClassifier: a skorch classifier with long-tail losses and samplers.

The class, its parameters, ``__init__`` and the methods a user calls. The
jobs these share are in private modules, each a mixin of the class:
``_net_params`` (the parameters, ``set_params``), ``_net_callbacks``,
``_net_inputs`` (``X``, ``y`` and Datasets read and checked), ``_net_build``
(module, criterion, optimizer), ``_net_seeding`` (``random_state``),
``_net_training`` (the validation split and the training run),
``_net_loading`` (``load_params``) and ``_net_outputs``; the batches are
``_data``'s, the training steps and epochs ``_loop``'s.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import balanced_accuracy_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import TransformerTags
from sklearn.utils._param_validation import Hidden, Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from skorch.callbacks import EpochScoring, EpochTimer, PassthroughScoring, PrintLog
from skorch.dataset import Dataset as _SkorchDataset
from skorch.dataset import unpack_data
from skorch.exceptions import NotInitializedError
from skorch.utils import to_numpy, to_tensor

from ltlearn.deep._data import _BatchesMixin
from ltlearn.deep._datasets import _is_checked
from ltlearn.deep._loop import _BatchLoopMixin
from ltlearn.deep._monitors import _has_validation_data, _refuse_validation_monitors
from ltlearn.deep._net_build import _LOSSES, _BuildMixin
from ltlearn.deep._net_callbacks import _CallbacksMixin
from ltlearn.deep._net_inputs import _InputsMixin
from ltlearn.deep._net_loading import _LoadingMixin
from ltlearn.deep._net_outputs import (
    _at_least_float32,
    _first_output,
    _OutputsMixin,
    _softmax,
    _stack_batches,
)
from ltlearn.deep._net_params import _ParamsMixin
from ltlearn.deep._net_seeding import _SeedingMixin
from ltlearn.deep._net_training import _COUNTED_BY_FIT, _TrainingMixin
from ltlearn.deep._sampler_choice import _SAMPLERS
from ltlearn.deep._step_errors import _float_indices_explained
from ltlearn.deep.modules import MLP
from ltlearn.deep.samplers import SliceLoader
from ltlearn.utils._docstring import _Substitution
from ltlearn.utils._validation import check_classes

__all__ = ["LongTailClassifier"]


# Here, where pickles of a classifier with a validation split find it (its
# ``valid_bacc`` callback scores with it).
def _balanced_accuracy(net, X, y):
    """Balanced accuracy of ``net`` on skorch's (label-encoded) validation data."""
    y_pred = net.predict_proba(X).argmax(axis=1)
    return balanced_accuracy_score(np.asarray(y), y_pred)


# The last parameter and the result of ``fit`` and ``partial_fit``, shared by
# their docstrings.
_fit_docstring = _Substitution(
    fit_params="""**fit_params : dict
            Passed to the module's ``forward`` and to ``train_split``.""",
    fit_returns="""Returns
        -------
        self : LongTailClassifier
            The fitted classifier.""",
)


# The Parameters section (the input alone) of the prediction methods, shared by
# their docstrings.
_X_or_dataset_docstring = _Substitution(
    X_predict="""Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...) \
                or torch.utils.data.Dataset
            The input, or a map-style Dataset (or skorch ``SliceDataset``) of
            ``x`` or ``(x, y)`` items (``y`` is ignored)."""
)


class LongTailClassifier(
    _ParamsMixin,
    _CallbacksMixin,
    _InputsMixin,
    _BuildMixin,
    _SeedingMixin,
    _TrainingMixin,
    _LoadingMixin,
    _OutputsMixin,
    TransformerMixin,
    _BatchesMixin,
    _BatchLoopMixin,
    NeuralNetClassifier,
):
    """Neural network classifier for long-tailed data, built on skorch.

    A :class:`skorch.NeuralNetClassifier` whose loss, sampling and
    prediction handle imbalanced classes. It takes arrays (or pandas
    frames) and any labels, or a torch ``Dataset`` of ``(x, y)`` items; at
    fit it validates ``X``, label-encodes ``y``, counts the classes of the
    training part (after skorch's internal validation split, if any) into
    ``class_counts_``, builds the loss from them, and trains ``module`` on
    batches sliced from in-memory tensors (or read from the Dataset),
    augmented on the device if ``augment`` says so. ``predict`` returns the
    original labels and ``predict_proba`` a softmax of the logits for every
    loss (the module's own probabilities with ``torch.nn.NLLLoss``).

    Deferred re-weighting, deferred re-sampling and decoupled classifier
    retraining are callbacks of :mod:`ltlearn.deep.callbacks`.

    Read more in the :ref:`User Guide <deep>`.

    .. versionadded:: 0.1

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLP
        The network. A class (or function) is called with the ``module__*``
        parameters plus, when it accepts them and they are not given,
        ``n_features`` and ``n_classes`` learned from the data,
        ``input_shape`` for image-shaped ``X`` and ``head="cosine"`` when the
        criterion expects cosine logits (its ``cosine_logits`` attribute is
        true: :class:`~ltlearn.deep.losses.LDAMLoss` and
        :class:`~ltlearn.deep.losses.KPSLoss`, given by name, class or
        instance). The network trains in float32: a module that is built
        is cast to float32 whatever torch's default dtype; an instance is
        used as is (of another dtype, it must cast the float32 batches).
    criterion : str or torch.nn.Module class or instance, default="ce"
        The training loss, on logits and integer targets, as skorch's
        ``criterion`` (``torch.nn.NLLLoss`` as in skorch: on the module's
        probabilities, whose log it takes; a module ending in a softmax, not
        a ``LogSoftmax``; a module that gives probabilities with a loss of
        logits is warned of at fit):

        - ``"ce"``: ``torch.nn.CrossEntropyLoss``;
        - ``"focal"``: :class:`~ltlearn.deep.losses.FocalLoss`;
        - ``"class_balanced"``: :class:`~ltlearn.deep.losses.ClassBalancedLoss`;
        - ``"ldam"``: :class:`~ltlearn.deep.losses.LDAMLoss`;
        - ``"logit_adjusted"``: :class:`~ltlearn.deep.losses.LogitAdjustedLoss`;
        - ``"balanced_softmax"``:
          :class:`~ltlearn.deep.losses.BalancedSoftmaxLoss`;
        - ``"vs"``: :class:`~ltlearn.deep.losses.VSLoss`;
        - ``"kps"``: :class:`~ltlearn.deep.losses.KPSLoss`.

        A class receives the ``criterion__*`` parameters and, if it takes
        them and they are not given, the ``class_counts`` of the training
        part; a criterion with a ``set_class_counts`` method (every
        count-based loss of :mod:`ltlearn.deep.losses`) follows the counts
        as they change (validation split, ``partial_fit``). A
        ``criterion__class_counts`` or ``criterion__weight`` given as a pandas
        Series indexed by the classes (``y.value_counts()``) is read by class
        label, as the post-hoc rules read their priors; given by position,
        they hold one value per class, in the order of ``classes_``, and
        another number of values is refused at fit. Pass ``classes`` with
        every label where a fit may lack a rare class (a cross-validation
        fold, a halving search's small subset); a loss that counts the
        classes of ``y`` still needs rows of each.
        ``criterion__*`` parameters are tuned like any other (GridSearchCV);
        the loss gets its own copy of each array or tensor among them (a
        tensor that requires a gradient is passed as it is). An instance is
        used as is, as the module's: what a fit changes in it (the weights
        :class:`~ltlearn.deep.callbacks.DeferredReweighting` writes, a
        learned parameter) stays for the next fit. Give a name or class with
        ``criterion__*`` for refits that start from the same loss.
    sampler : {"instance", "class_balanced", "square_root", "progressive"} \
            or callable, default="instance"
        How training batches are drawn: every sample once per epoch
        (shuffled), every class equally often, classes in proportion to the
        square root of their counts, or progressively from natural to
        balanced over ``max_epochs`` (see :mod:`ltlearn.deep.samplers`). A
        callable is called as ``sampler(labels, **sampler_params)`` with the
        integer labels of the training part and the ``sampler__*``
        parameters, and returns a ``torch.utils.data.Sampler``.
        ``iterator_train__sampler``, ``iterator_train__batch_sampler`` or
        ``iterator_train__shuffle=True`` draws the batches in its place;
        they go with the default ``"instance"`` only (another sampler, or
        ``sampler__*``, is refused with them, as torch refuses a sampler
        with ``shuffle=True``). ``iterator_train__shuffle=False``, skorch's
        default, changes nothing: ``sampler`` still draws the batches, and
        ``"instance"`` shuffles; ``sampler=torch.utils.data.SequentialSampler``
        keeps the order of the rows.
    augment : {"cifar"}, torch.nn.Module, callable or None, default=None
        On-the-fly augmentation of the training batches, done on the whole
        batch on the network's device (no loop over images), after the batch
        is moved there and before the module sees it:

        - ``None``: none;
        - ``"cifar"``: the CIFAR recipe of the long-tail literature, a zero
          padding of 4, a random crop back to the image size and a random
          horizontal flip, then a per-channel normalisation with the CIFAR-10
          statistics of pixel values in ``[0, 1]`` (divide 8-bit images by
          255)
          (:class:`~ltlearn.deep.augment.CIFARAugment`, whose parameters
          are set with ``augment__*``, e.g. ``augment__padding=2``); needs
          images of three channels;
        - a :class:`~ltlearn.deep.augment.CIFARAugment` or
          :class:`~ltlearn.deep.augment.TransformAugment`, used as given (a
          copy);
        - any other callable on a batch tensor ``(N, C, H, W)``, such as a
          torchvision ``transforms.v2`` transform (torchvision is optional),
          wrapped in :class:`~ltlearn.deep.augment.TransformAugment` (a copy
          of a ``torch.nn.Module``).

        Validation, prediction and :meth:`transform` batches are not
        augmented; they go through the module's evaluation mode
        (``CIFARAugment`` normalises them, a wrapped transform leaves them
        unchanged), that of the last training: ``augment`` and
        ``augment__*`` set on a fitted classifier take effect at its next
        fit. The random crops and flips come from torch's generator
        of the device, seeded by ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds torch inside ``torch.random.fork_rng`` for each fit, so that
        the same integer gives the same network on the CPU with the same
        number of torch threads, and torch's global random state is left as
        it was. Some of torch's CPU kernels (the gradient of a linear layer)
        add up in another order on another number of threads, which
        changes the last bits and then the network: set
        ``torch.set_num_threads`` to compare fits, and note that joblib's
        worker processes (``GridSearchCV(n_jobs=2)``) start torch on
        ``cpu_count() // n_jobs`` threads. It also seeds the validation
        part of a ``skorch.dataset.ValidSplit`` with a float ``cv`` and no
        ``random_state`` of its own (with an int, the same part at each
        ``partial_fit`` and warm-started fit), as scikit-learn's
        ``MLPClassifier`` seeds its ``early_stopping`` split. ``None`` uses
        torch's global generator, as skorch does.
        torch's generator is shared by the threads of a process: fits with
        ``random_state`` set run one at a time in threads (joblib's
        ``"threading"`` backend), processes (its default ``"loky"``) run
        them side by side. A fit without ``random_state``, or other torch
        code that draws random numbers, in another thread meanwhile draws
        from the generator a seeded fit set, which then gives another
        network.
    progress_bar : bool, default=False
        Show a ``tqdm`` progress bar for each epoch (needs ``tqdm``). With
        ``sampler__num_samples``, its total is the number of batches of the
        previous epoch. Set on a fitted classifier, it applies to the epochs
        that ``partial_fit`` or a ``warm_start`` fit train further.
    optimizer : torch.optim.Optimizer class, default=torch.optim.AdamW
        The optimiser; its parameters are set with ``optimizer__*``. Adam and
        AdamW run torch's fused implementation unless ``optimizer__fused``
        or ``optimizer__foreach`` is given (see :meth:`initialize_optimizer`).
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=30
        Number of epochs of each fit.
    batch_size : int, default=128
        Samples per batch; ``-1`` uses the whole data.
    train_split : callable or None, default=None
        The internal validation split of skorch, e.g.
        ``skorch.dataset.ValidSplit(5, stratified=True)``. ``None`` trains on
        all the data: long-tailed data can rarely spare a fifth of their
        rarest classes. With a split, the class counts, the loss and the
        sampler are built from the training part only, and the history
        records ``valid_loss`` and the balanced accuracy ``valid_bacc``
        (skorch's ``NeuralNetClassifier`` records the accuracy
        ``valid_acc``: a callback monitoring ``"valid_acc"`` is refused
        unless a scoring callback records it, or a callback or subclass of
        the user's may). ``skorch.helper.predefined_split(dataset)`` takes a
        Dataset of ``(x, y)`` items labelled as ``y`` is, checked as one
        given to fit.
        A callback that monitors a validation score (skorch's
        ``EarlyStopping()`` and ``Checkpoint()`` by default) needs a split:
        without one it is refused before training, unless a callback of
        the user's (which may record that score itself) is given. A
        stratified split with a float ``cv`` (scikit-learn's
        ``StratifiedShuffleSplit``) needs 2 samples of every class: an error
        names the class otherwise. A split whose training part holds no
        sample of a class of ``y`` is refused by name too: ``ValidSplit(5)``
        (an unshuffled ``KFold``, not stratified) validates on the first
        fifth of the rows, whole classes where the rows are sorted by class.
    iterator_train : callable, default=SliceLoader
        Builds the training batches from the dataset; the default slices
        in-memory tensors. ``torch.utils.data.DataLoader`` also works, and
        is used instead of the default when an option only it takes is
        given (``iterator_train__num_workers``, ``__pin_memory``,
        ``__collate_fn``...).
    iterator_valid : callable, default=SliceLoader
        Builds the batches for validation and prediction.
    predict_nonlinearity : "auto", callable or None, default="auto"
        Maps the module's output to probabilities. ``"auto"`` is a softmax
        of the logits times the loss's ``logit_scale`` (``s`` for LDAM and
        KPS, one otherwise), and the identity with ``torch.nn.NLLLoss``,
        whose module gives probabilities (skorch's convention: the loss is
        the NLL of their log). ``None`` is the identity, as in skorch:
        ``predict_proba`` then gives the module's output itself (the logits
        of a module that gives logits, which are no probabilities).
    verbose : int, default=0
        ``1`` prints a table of the training history (skorch's ``PrintLog``
        callback is left out at ``0``); set on a fitted classifier, it
        applies to the epochs that ``partial_fit`` or a ``warm_start`` fit
        train further.
    device : str, torch.device or None, default="cpu"
        Where the network runs: ``"cpu"``, ``"cuda"`` (checked at fit: a
        clear error without a CUDA device), ``"auto"`` (CUDA when torch finds
        a device, else the CPU; ``get_params`` keeps ``"auto"``) or ``None``
        (no moves).
    amp : bool, default=False
        Automatic mixed precision for the training steps: the forward pass
        and the loss run under :class:`torch.autocast`, the loss on the
        logits cast to float32. On CUDA in float16, the backward pass
        scaled by a :class:`torch.amp.GradScaler` (``grad_scaler_``); on the
        CPU in bfloat16, which needs no scaling (faster on processors with
        bfloat16 instructions, slower on others). Other devices warn and
        train in float32. Validation and prediction run in float32.
    callbacks : list, "disable" or None, default=None
        skorch callbacks, added to the default ones (``"disable"`` turns
        them all off); their parameters are set with ``callbacks__*``.
    warm_start : bool, default=False
        Train a fitted network further at the next :meth:`fit` instead of
        initialising it anew.
    classes : array-like of shape (n_classes,) or None, default=None
        All the labels (a list, a tuple or an array; a set, which has no
        order, is refused as in scikit-learn); ``None`` learns them from
        ``y``.
    dataset : torch.utils.data.Dataset class or instance, \
            default=skorch.dataset.Dataset
        skorch's dataset of the arrays; its parameters are set with
        ``dataset__*``. A class is called as skorch calls it, with ``X`` and
        the label codes; of a subclass of skorch's ``Dataset`` that keeps its
        ``__getitem__`` (a ``transform`` of its own), ``sampler`` and
        ``class_counts_`` take item ``i`` to be of the class of ``y[i]``.
        Another class's labels are not read: it trains with
        ``iterator_train__shuffle=True`` only.
    compile : bool, default=False
        Compile the module and the criterion with ``torch.compile``.
    use_caching : bool or "auto", default="auto"
        Let skorch's scoring callbacks reuse the predictions of an epoch.
    torch_load_kwargs : dict or None, default=None
        Keyword arguments of ``torch.load`` when loading saved parameters.
    loss : str or torch.nn.Module class or instance
        Deprecated name of ``criterion`` (and ``loss__*`` of
        ``criterion__*``). Given with a ``criterion`` other than the default
        ``"ce"``, or ``loss__<name>`` with ``criterion__<name>``, it is
        refused: the two name one loss.

        .. deprecated:: 0.1
           ``loss`` was renamed ``criterion`` in 0.1 and will be removed in
           0.3.
    **kwargs : dict
        The prefixed parameters ``module__*``, ``criterion__*``, ``sampler__*``,
        ``augment__*``, ``optimizer__*``, ``iterator_train__*``,
        ``iterator_valid__*``, ``callbacks__*``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, as given in ``y`` (or in ``classes``), sorted: the
        ``j``-th output of the network is the ``j``-th label. While skorch's
        ``EpochScoring`` or ``BatchScoring`` scores, the label codes
        ``0 .. n_classes - 1`` they score, which ``predict`` then gives.
    class_counts_ : ndarray of shape (n_classes,)
        Number of samples of each class in the training part (their total
        ``sample_weight`` when weights are given), added up over the
        ``partial_fit`` calls since the network was initialised.
    label_encoder_ : sklearn.preprocessing.LabelEncoder
        Maps the labels to the integer targets of the loss.
    input_shape_ : tuple of int
        Shape of one sample of ``X``.
    n_features_in_ : int
        Number of features: ``X.shape[1]``, the columns of a table (the
        channels of images of shape (n, C, H, W); the height of images of
        shape (n, H, W)).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    module_ : torch.nn.Module
        The trained network, in evaluation mode after a fit. It maps float32
        batches to logits (probabilities with ``torch.nn.NLLLoss``) whose
        argmax indexes ``classes_`` as ``predict`` does; with
        ``augment="cifar"`` or a ``CIFARAugment``, ``predict`` normalises
        the batches before they reach the network, which ``module_`` alone
        does not do (see the User Guide for serving it).
    criterion_ : torch.nn.Module
        The loss built from ``criterion``.
    optimizer_ : torch.optim.Optimizer
        The optimiser.
    train_sampler_ : torch.utils.data.Sampler
        The sampler of the last fit (its ``sampler`` attribute holds the
        sampler built from ``sampler``); callbacks change it with
        :meth:`set_train_sampler`.
    schedule_start_ : int
        Number of epochs in ``history_`` before the last ``fit``: the
        schedules of :mod:`ltlearn.deep.callbacks` count their epochs from
        there, over that ``fit`` and the ``partial_fit`` calls after it.
    history_ : skorch.history.History
        The training history, per epoch and batch.
    grad_scaler_ : torch.amp.GradScaler or None
        The gradient scaler of mixed-precision training on CUDA
        (``amp=True``), made at the first training step of a new history
        and kept over warm-start fits and ``partial_fit``; ``None`` otherwise
        (``amp=False``, or ``amp=True`` on the CPU, whose bfloat16 steps
        need no scaling).

    See Also
    --------
    ltlearn.deep.callbacks.DeferredReweighting : Re-weight the loss late.
    ltlearn.deep.callbacks.ClassifierRetraining : cRT and LWS.
    ltlearn.deep.callbacks.TauNormalization : Normalise the classifier.

    Notes
    -----
    In-memory data are batched by
    :class:`~ltlearn.deep.samplers.SliceLoader`, which costs a few percent
    over a hand-written PyTorch loop where skorch's default ``DataLoader``
    costs tens of percent. With ``device="cuda"`` the in-memory data are
    moved to the device once per fit (when they take at most half of its
    free memory, else a batch at a time), and batches are cut there; the
    batches of another Dataset are moved one at a time.

    Unlike skorch's ``NeuralNet``, an interrupted fit (SIGINT, Ctrl-C)
    propagates the ``KeyboardInterrupt``, and it or a fit that fails (an
    error in a callback, the loss or a batch) leaves the classifier not
    fitted. A callback that stops the training by raising
    ``KeyboardInterrupt`` (skorch's ``EarlyStopping``) ends the fit as in
    skorch.

    Unless a callback has a batch-level hook (``on_batch_begin``,
    ``on_batch_end`` or ``on_grad_computed``) that acts on them, the batches
    of an epoch run without notifying the callbacks and their losses are
    written into their history rows when the epoch's batches end, from one
    transfer: no host synchronisation per batch on a GPU (see
    :meth:`run_single_epoch`). A learning-rate schedule stepped per epoch
    and a validation score do not act on the training batches. The history
    is the same as skorch's.

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import make_classification
    >>> from ltlearn.deep import LongTailClassifier
    >>> torch.set_num_threads(1)
    >>> X, y = make_classification(
    ...     n_samples=300, n_classes=3, n_informative=4, weights=[0.8, 0.15, 0.05],
    ...     random_state=0)
    >>> clf = LongTailClassifier(
    ...     criterion="logit_adjusted", max_epochs=5, random_state=0).fit(X, y)
    >>> clf.class_counts_
    array([240,  45,  15])
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    prefixes_ = [*NeuralNetClassifier.prefixes_, "sampler", "augment", "loss"]

    _parameter_constraints: dict = {
        "module": [callable],
        "criterion": [StrOptions(set(_LOSSES)), callable],
        # TODO(0.3): remove
        "loss": [
            Hidden(StrOptions({"deprecated"})),
            StrOptions(set(_LOSSES)),
            callable,
        ],
        "sampler": [StrOptions(set(_SAMPLERS)), callable],
        "augment": [StrOptions({"cifar"}), callable, None],
        "random_state": ["random_state"],
        "progress_bar": ["boolean"],
        "optimizer": [callable],
        "lr": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        # Integral: a NumPy -1 (from a grid given as an array) is -1 too
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            Options(Integral, {-1}),
        ],
        "train_split": [callable, None, Options(bool, {False})],
        "iterator_train": [callable],
        "iterator_valid": [callable],
        "predict_nonlinearity": [StrOptions({"auto"}), callable, None],
        "verbose": ["verbose"],
        "callbacks": [list, StrOptions({"disable"}), None],
        "warm_start": ["boolean"],
        "device": [StrOptions({"auto"}), str, torch.device, None],
        "amp": ["boolean"],
        "compile": ["boolean"],
        "use_caching": [StrOptions({"auto"}), "boolean"],
        "torch_load_kwargs": [dict, None],
        "dataset": [callable, torch.utils.data.Dataset],
        "classes": ["array-like", None],
    }

    def __init__(
        self,
        module=MLP,
        *,
        criterion="ce",
        sampler="instance",
        augment=None,
        random_state=None,
        progress_bar=False,
        optimizer=torch.optim.AdamW,
        lr=1e-3,
        max_epochs=30,
        batch_size=128,
        train_split=None,
        iterator_train=SliceLoader,
        iterator_valid=SliceLoader,
        predict_nonlinearity="auto",
        verbose=0,
        device="cpu",
        amp=False,
        callbacks=None,
        warm_start=False,
        classes=None,
        dataset=_SkorchDataset,
        compile=False,
        use_caching="auto",
        torch_load_kwargs=None,
        loss="deprecated",
        **kwargs,
    ):
        # skorch's other parameters are named here, with skorch's defaults,
        # so that scikit-learn's repr (print_changed_only) shows only those
        # set to another value.
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            predict_nonlinearity=predict_nonlinearity,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            warm_start=warm_start,
            classes=classes,
            dataset=dataset,
            compile=compile,
            use_caching=use_caching,
            torch_load_kwargs=torch_load_kwargs,
            **kwargs,
        )
        self.loss = loss
        self.amp = amp
        self.sampler = sampler
        self.augment = augment
        self.random_state = random_state
        self.progress_bar = progress_bar

    @property
    def device(self):
        """The device of the network, ``"auto"`` resolved."""
        device = vars(self).get("device", "cpu")
        if isinstance(device, str) and device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        return device

    @device.setter
    def device(self, value):
        vars(self)["device"] = value

    def __setstate__(self, state):
        # skorch maps the pickled tensors to ``state["device"]``: resolve
        # "auto" on the machine that unpickles, and keep "auto" as the value.
        device = state.get("device")
        auto = isinstance(device, str) and device == "auto"
        if auto:
            state = {**state, "device": "cuda" if torch.cuda.is_available() else "cpu"}
        super().__setstate__(state)
        if auto:
            vars(self)["device"] = "auto"

    def get_params(self, deep=True, **kwargs):
        """Get the parameters of this classifier.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of the callbacks.
        **kwargs : dict
            Passed to skorch's ``get_params``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values, as given to ``__init__``
            or ``set_params`` (``device="auto"`` unresolved).
        """
        params = super().get_params(deep=deep, **kwargs)
        # skorch lists every attribute not ending in "_", its bookkeeping of
        # the names to validate included; __init__ rebuilds that from kwargs.
        params.pop("_params_to_validate", None)
        # set by set_output (not __init__); clone copies it apart, as skorch
        # leaves out set_fit_request's _metadata_request
        params.pop("_sklearn_output_config", None)
        if "device" in params:
            params["device"] = vars(self).get("device", "cpu")
        return params

    # scikit-learn's repr: the parameters set to other than their defaults,
    # as a Pipeline prints it, fitted or not; skorch's lists the module only
    # (the built network once initialised, which ``module_`` prints).
    __repr__ = BaseEstimator.__repr__

    def initialize(self):
        """Build the network, its loss, its optimiser and its callbacks.

        As skorch's ``initialize``, which ``fit`` and a first
        ``partial_fit`` call (a subclass's too); it also warns when the
        renamed ``loss`` parameter is given. Called on its own, it draws
        the initial weights as a fit does: from ``random_state`` if set,
        leaving torch's global random state as it was. On a fitted
        classifier it builds a new network for the classes and the input
        shape fitted, as a new classifier's ``initialize()`` with
        ``classes`` and ``module__n_features`` does: the next
        ``partial_fit`` counts the classes anew in ``class_counts_``, and
        the schedules of :mod:`ltlearn.deep.callbacks` count the epochs of
        the new history (``schedule_start_`` is 0).

        Returns
        -------
        self : LongTailClassifier
            The initialised classifier.
        """
        if _COUNTED_BY_FIT.get() is not self:
            # the counts and the schedule of the network replaced (fit and
            # partial_fit have just counted the classes of their data)
            for name in ("class_counts_", "_counts_before_"):
                vars(self).pop(name, None)
            if "schedule_start_" in vars(self):
                self.schedule_start_ = 0
        self._warn_renamed_loss()
        # a new network: its batches are augmented as augment is now set
        vars(self).pop("_augment_trained_", None)
        with self._torch_rng():
            return super().initialize()

    @property
    def _default_callbacks(self):
        # Per-batch callbacks cost time on small networks: the validation
        # scores come only with a validation split, the log only when printed.
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
        ]
        if _has_validation_data(self):
            callbacks += [
                ("valid_loss", PassthroughScoring(name="valid_loss")),
                (
                    "valid_bacc",
                    EpochScoring(
                        _balanced_accuracy, name="valid_bacc", lower_is_better=False
                    ),
                ),
            ]
        bar = self._progress_bar()
        if bar is not None:
            callbacks.append(("progress_bar", bar))
        if self._prints_log():
            callbacks.append(("print_log", PrintLog()))
        return callbacks

    def check_is_fitted(self, attributes=None, *args, **kwargs):
        """Raise unless the network is built and its last fit finished.

        Parameters
        ----------
        attributes : list of str, default=None
            The attributes a fitted classifier has; ``module_`` by default.
        *args, **kwargs
            Passed to :func:`sklearn.utils.validation.check_is_fitted`.

        Raises
        ------
        skorch.exceptions.NotInitializedError
            When the network is not built, or its last fit failed or was
            interrupted.
        """
        super().check_is_fitted(attributes, *args, **kwargs)
        if not self.initialized_:
            raise NotInitializedError(
                f"This {type(self).__name__} instance is not fitted: its last "
                "fit failed or was interrupted. Call 'fit' again."
            )

    def __sklearn_is_fitted__(self):
        # scikit-learn's check_is_fitted asks this method, so that it follows
        # check_is_fitted above. skorch has it from 1.3.1 on only (1.2 has
        # none, and then the attributes skorch sets when it is built count as
        # fitted; 1.3.0's returns None, which reads as not fitted).
        try:
            self.check_is_fitted()
        except NotInitializedError:
            return False
        return True

    @_fit_docstring
    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Initialise the network and train it on ``(X, y)``.

        With ``warm_start=True`` a fitted network is trained further, on
        data of the same input shape and the same classes, and the
        schedules of :mod:`ltlearn.deep.callbacks` start again, counting the
        epochs of this fit. An error or a ``KeyboardInterrupt`` stops the
        fit and propagates; the classifier is then not fitted (``history_``
        keeps the epochs that ran). A warm start refuses invalid input before
        it trains, and then keeps its fitted network, as :meth:`partial_fit`;
        as there, its draws (the batches, the augmentation) go on from the
        epochs trained, seeded by ``random_state`` and their number, and do
        not repeat those of the warm fit before.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...) \
                or torch.utils.data.Dataset
            The training input; image-shaped arrays are accepted. A map-style
            torch ``Dataset`` of ``(x, y)`` items (``x`` a tensor or an
            array, ``y`` a label of any type) is read once for its labels,
            which are label-encoded as ``y`` is; the items must all have
            inputs of the same shape. An in-memory one (``TensorDataset``,
            a ``Subset`` of one) trains exactly as its arrays would; another
            is batched by a ``torch.utils.data.DataLoader``
            (``iterator_train__num_workers`` and the like apply). A skorch
            ``SliceDataset`` of inputs, with its labels in ``y``, is read as
            such a Dataset (scikit-learn's cross-validation slices it).
        y : array-like of shape (n_samples,), default=None
            The labels, of any type; None when ``X`` is a Dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row, on its loss: the loss of a
            batch is the weighted mean of its per-row losses (weights times
            the loss's class weights, as in torch), that is the loss of its
            rows repeated as many times as their integer weights, so that
            in expectation over the batches integer weights train as
            repeated rows, with the default ``sampler="instance"``. The
            other samplers draw the classes and the rows by their numbers
            of rows, not their weights, which then weigh the rows drawn: a
            class of heavier rows takes more of the loss than of the draws
            (``"class_balanced"``, with a class of 20 rows of weight 5
            beside 100 rows of weight 1, gives it 83% of the loss, against
            50% for the repeated rows). ``class_counts_`` then holds the
            total weight of each class, which count-based losses use.
            Needs a loss with a ``reduction`` attribute (every loss of
            :mod:`ltlearn.deep.losses` and of ``torch.nn``).
        {fit_params}

        {fit_returns}
        """
        # A classifier trimmed by trim_for_prediction is refused in skorch's
        # words, and keeps predicting, as skorch's.
        self.check_training_readiness()
        warm = bool(self.warm_start) and self.initialized_
        # A warm start refuses invalid input before it trains, and keeps the
        # fitted network, as partial_fit does.
        with nullcontext() if warm else self._unfitted_on_error():
            self._check_params()
            if warm:  # its callbacks are those that train
                _refuse_validation_monitors(self)
            fitted = warm and hasattr(self, "label_encoder_")
            kept = self._kept_counts() if fitted else None
            X, y, sample_weight = self._check_X_y(
                X, y, reset=not fitted, sample_weight=sample_weight, warm=fitted
            )
        self._incremental_ = False
        # A warm start draws on from the epochs trained, as partial_fit does.
        with self._training_block(warm, kept):
            self._build_or_resume(warm)
            self.schedule_start_ = len(self.history)
            return self._train(X, y, sample_weight, fit_params)

    @_fit_docstring
    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Train for ``max_epochs`` more epochs without re-initialising.

        The first call initialises the network, with the labels of
        ``classes`` if given (``y`` may then lack some of them: until a class
        has samples, count-based losses count it as one); a network
        initialised already (``initialize()`` then ``load_params``) is
        trained further, as in skorch. ``class_counts_``
        adds up the counts of every call and the loss follows them. The
        schedules of :mod:`ltlearn.deep.callbacks` go on counting epochs
        from the last ``fit`` (or the first ``partial_fit``), so that each
        acts once, at its epoch. An error or a ``KeyboardInterrupt`` in the
        training stops it and propagates; the classifier is then not fitted
        (its network half-trained). Invalid input is refused before, and
        leaves it as it was, as scikit-learn's ``partial_fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...) \
                or torch.utils.data.Dataset
            The training input, or a Dataset of ``(x, y)`` items as in
            :meth:`fit`.
        y : array-like of shape (n_samples,), default=None
            The labels; None when ``X`` is a Dataset.
        classes : array-like of shape (n_classes,), default=None
            All the labels, for the first call (a list, a tuple or an array;
            a set, which has no order, is refused as in scikit-learn); a later
            call may repeat them, but not change them.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row, as in :meth:`fit`.
        {fit_params}

        {fit_returns}
        """
        self.check_training_readiness()  # trim_for_prediction, as in fit
        self._check_params()
        # As skorch's: an initialised network (``initialize()`` then
        # ``load_params``, say) is trained further, not rebuilt; the labels
        # are learned at its first partial_fit.
        initialized = self.initialized_
        if initialized:  # refused before the counts change
            _refuse_validation_monitors(self)
        first = not (initialized and hasattr(self, "label_encoder_"))
        kept = None if first else self._kept_counts()
        if classes is not None:
            check_classes(classes)
            # As scikit-learn's partial_fit: later classes must be the same.
            if not first and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={np.asarray(classes).tolist()!r} is not the same as "
                    f"on the first call to partial_fit, {self.classes_.tolist()!r}."
                )
        X, y, sample_weight = self._check_X_y(
            X,
            y,
            reset=first,
            classes=classes if first else None,
            sample_weight=sample_weight,
        )
        self._incremental_ = True
        with self._training_block(initialized, kept):
            self._build_or_resume(initialized)
            if first:
                self.schedule_start_ = 0
            return self._train(X, y, sample_weight, fit_params)

    @_X_or_dataset_docstring
    def predict_proba(self, X):
        """Probability of each class.

        Of a module that returns a tuple, from its first output, as skorch's
        ``predict_proba``.

        {X_predict}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns ordered as ``classes_``.
        """
        if not _is_checked(X):  # skorch's internal scoring passes its datasets
            # skorch's NotInitializedError (a NotFittedError), as skorch raises
            self.check_is_fitted()
            X = self._check_X(X)
        nonlinearity = self._checked_nonlinearity()
        auto = isinstance(nonlinearity, str) and nonlinearity == "auto"
        scale = self._auto_logit_scale() if auto else None
        if scale is not None:
            # "auto": a softmax of the logits times the loss's logit scale.

            def probabilities(out):
                return _softmax(out, scale)

        else:
            # torch's NLLLoss: skorch's convention, the module gives the
            # probabilities (get_loss takes their log), which "auto" keeps.
            # As skorch's predict_proba ("auto" and None: the identity), the
            # probabilities in float32 at least.
            def probabilities(out):
                if callable(nonlinearity):
                    out = nonlinearity(out)
                return _at_least_float32(out)

        proba = _stack_batches(
            (
                to_numpy(probabilities(_first_output(out)))
                for out in self.forward_iter(X, training=False)
            ),
            len(X),
            self,
        )
        self._check_n_outputs(proba)
        return proba

    @_X_or_dataset_docstring
    def transform(self, X):
        """Penultimate-layer features of the network.

        The output of the module's ``features`` method (the layer before
        ``classifier`` for the modules of :mod:`ltlearn.deep.modules`),
        computed in evaluation mode, in batches of ``batch_size`` on the
        network's device, so that the network can feed another step of a
        pipeline, such as a post-hoc or classical classifier.

        {X_predict}

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            The features, float32.
        """
        check_is_fitted(self)
        X = self._check_X(X)
        features = self._features_method()
        self.module_.train(False)
        batches = (
            features(to_tensor(unpack_data(batch)[0], device=self.device))
            .cpu()
            .float()
            .numpy()
            for batch in self.get_iterator(self.get_dataset(X), training=False)
        )
        with torch.no_grad(), _float_indices_explained("features"):
            # each batch written into the output as it comes, as in predict_proba
            return _stack_batches(batches, len(X), self)

    def get_feature_names_out(self, input_features=None):
        """Names of the features that :meth:`transform` returns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored, except that it must match ``feature_names_in_`` when
            that is set, and have ``n_features_in_`` names otherwise.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"longtailclassifier0"``, ``"longtailclassifier1"``, ...
        """
        check_is_fitted(self)
        names_in = getattr(self, "feature_names_in_", None)
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            if names_in is not None and not np.array_equal(input_features, names_in):
                raise ValueError("input_features is not equal to feature_names_in_")
            if len(input_features) != self.n_features_in_:  # as scikit-learn's
                raise ValueError(
                    "input_features should have length equal to number of "
                    f"features ({self.n_features_in_}), got {len(input_features)}"
                )
        features = self._features_method()
        self.module_.train(False)
        with torch.no_grad(), _float_indices_explained("features"):
            sample = torch.zeros(
                (1, *self.input_shape_), device=self.device, dtype=torch.float32
            )
            n_features_out = features(sample).shape[1]
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(n_features_out)], dtype=object)

    @_X_or_dataset_docstring
    def predict(self, X):
        """Predict the class of each sample.

        {X_predict}

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The most probable labels, from ``classes_``; on the training and
            validation datasets of a fit, which skorch's ``EpochScoring``
            callbacks score and whose targets are the label-encoded ones,
            their codes.
        """
        indices = self.predict_proba(X).argmax(axis=1)
        if getattr(X, "_ltlearn_codes", False):
            # skorch's EpochScoring compares them with its dataset's targets.
            return indices
        return self.classes_[indices]

    @property
    def classes_(self):
        """The class labels, sorted (see the Attributes section)."""
        encoder = getattr(self, "label_encoder_", None)
        if encoder is not None:
            if self._scoring_codes():
                # skorch's scoring callbacks score the label codes (notify)
                return np.arange(len(encoder.classes_))
            return encoder.classes_
        if self.classes is not None and len(self.classes):
            # sorted, as fit encodes them: output j is the j-th sorted label
            # (a column of labels, which fit takes, read without a warning)
            classes = column_or_1d(np.asarray(self.classes))
            return LabelEncoder().fit(classes).classes_
        raise AttributeError(
            f"{type(self).__name__} has no attribute 'classes_' before fit: "
            "fit it, or give classes=... (all the labels) to a classifier "
            "built with initialize(), as to load saved parameters into it."
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # images of shape (n_samples, height, width) train as documented
        tags.input_tags.three_d_array = True
        # transform gives float32 features, whatever the dtype of X.
        tags.transformer_tags = TransformerTags(preserves_dtype=["float32"])
        return tags
