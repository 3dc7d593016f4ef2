"""LongTailClassifier's training run, which ``fit`` and ``partial_fit`` share.

The validation split and the class counts of the training part, the run of
the callbacks and the epochs, learning-rate schedules resumed, and the
classifier left not fitted (or as it was) when the run fails.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from skorch import NeuralNet
from skorch.callbacks import LRScheduler
from skorch.utils import to_device
from torch import nn

from ltlearn.deep._data import _accepts, _count_classes
from ltlearn.deep._datasets import _labels_and_weights
from ltlearn.deep._monitors import (
    _refuse_validation_monitors,
    _warn_monitor_direction,
)
from ltlearn.deep._split_checks import _refuse_a_class_left_out, _refuse_a_class_of_one
from ltlearn.deep.callbacks import ClassifierRetraining
from ltlearn.utils._interrupts import record_interrupts
from ltlearn.utils._scoped import ScopedValue

# What a fit changes before its validation split, which may refuse the data.
_COUNT_ATTRIBUTES = ("class_counts_", "_counts_before_", "_incremental_")

# The classifier whose fit (or first partial_fit) has just counted the classes
# of its data, while that fit builds the network through ``initialize``: its
# ``initialize`` keeps those counts. A context variable, not an attribute, so
# that a copy made there, or a fit in another thread, counts anew.
_COUNTED_BY_FIT = ContextVar("_COUNTED_BY_FIT", default=None)

# skorch 1.4 routes the fit parameters (metadata routing) by the method called,
# which its ``fit_loop`` takes as ``_routing_method``; 1.2 and 1.3 have none.
_FIT_LOOP_PARAMETERS = inspect.signature(NeuralNet.fit_loop).parameters
_ROUTES_BY_METHOD = "_routing_method" in _FIT_LOOP_PARAMETERS


def _predefined(split):
    """The validation Dataset of skorch's ``predefined_split``, else None.

    The user made it, labels and all, before the fit; the datasets another
    split makes from those it is given hold the label codes already.
    """
    if isinstance(split, partial):
        return split.keywords.get("valid_ds")
    return None


class _TrainingMixin:
    """The training run of :class:`LongTailClassifier`.

    Mixed into the classifier before skorch's ``NeuralNet``, whose methods
    of the same names it overrides.
    """

    def get_split_datasets(self, X, y=None, **fit_params):
        """Split off skorch's validation part; count the classes of the rest.

        The class counts of the training part replace those of the whole
        data in ``class_counts_`` (added to the earlier counts in a later
        ``partial_fit``), and the loss follows them, before any training
        step.

        Parameters
        ----------
        X : array-like or torch.utils.data.Dataset
            The input data.
        y : array-like, default=None
            The integer targets.
        **fit_params : dict
            Passed to ``train_split``.

        Returns
        -------
        dataset_train : torch.utils.data.Dataset
            The training part.
        dataset_valid : torch.utils.data.Dataset or None
            The validation part.
        """
        split = self.train_split
        self.train_split = self._seeded_split(split)
        try:
            # Refused before training starts: see _unfitted_on_error.
            _refuse_a_class_of_one(split, y, self.classes_)
            dataset_train, dataset_valid = super().get_split_datasets(
                X, y, **fit_params
            )
            if dataset_valid is not None and dataset_valid is _predefined(split):
                dataset_valid = self._encoded_valid(dataset_valid)
            labelled = _labels_and_weights(dataset_train)
            n_classes = self._n_classes()
            counted = labelled is not None and n_classes is not None
            if counted:
                labels, weights = labelled
                labels = labels.cpu().numpy()
                if dataset_valid is not None:
                    _refuse_a_class_left_out(
                        y, labels, self.classes_, getattr(self, "_counts_before_", 0)
                    )
        except Exception:
            self._split_refused = True
            raise
        finally:
            self.train_split = split
        for dataset in (dataset_train, dataset_valid):
            if dataset is not None:
                # Its targets are label codes: predict gives codes on it.
                dataset._ltlearn_codes = True
        if counted:
            counts = _count_classes(labels, weights, n_classes)
            self.class_counts_ = getattr(self, "_counts_before_", 0) + counts
        # The loss follows the counts: in place when it can, else rebuilt.
        if not self._follow_class_counts():
            _, factory, kwargs = self._criterion_factory()
            if "class_counts" not in kwargs and _accepts(factory, "class_counts"):
                self.initialize_criterion()
                criterion = to_device(self.criterion_, self.device)
                self.criterion_ = self.torch_compile(criterion, name="criterion")
        return dataset_train, dataset_valid

    def _train(self, X, y, sample_weight, fit_params):
        """Run the callbacks and the epochs; an interrupt propagates.

        skorch's ``partial_fit`` swallows ``KeyboardInterrupt`` and returns a
        half-trained network as if the fit had finished. Here an interrupt
        (SIGINT, Ctrl-C) propagates and ``on_train_end`` is not called (the
        caller marks the classifier not fitted, see
        :meth:`_unfitted_on_error`); as after an error, a classifier
        retraining is undone: the layers it froze are trainable again and
        LWS's scales are dropped. A ``KeyboardInterrupt``
        raised without a SIGINT is a callback stopping the training, as
        skorch's ``EarlyStopping`` does: the fit ends there, as in skorch.
        """
        _refuse_validation_monitors(self)
        _warn_monitor_direction(self)
        self._match_output_callbacks()
        self._resume_lr_schedules()
        if sample_weight is not None:
            X = {"X": X, "sample_weight": sample_weight}
        self.notify("on_train_begin", X=X, y=y)
        # the first training step looks at the module's outputs
        vars(self)["_outputs_unchecked"] = True
        try:
            with record_interrupts() as signals:
                try:
                    self.fit_loop(X, y, **self._routing(), **fit_params)
                except KeyboardInterrupt:
                    if signals:
                        raise
                finally:
                    vars(self).pop("_outputs_unchecked", None)
            self._check_finite_weights()
        except BaseException:
            # No on_train_end: the classifier retraining, which froze and
            # scaled the module (an instance outlives the fit), is undone here;
            # LWS's scales are dropped, not folded into the last layer.
            for _, callback in self.callbacks_:
                if isinstance(callback, ClassifierRetraining):
                    callback._reset()
            raise
        self.notify("on_train_end", X=X, y=y)
        # Leave the fitted network in evaluation mode, where every prediction
        # puts it, so that predicting does not change the fitted estimator
        # (its pickle, joblib.hash) and a fit's last batch is not its state.
        for part in (self.module_, self.criterion_):
            if isinstance(part, nn.Module):
                part.train(False)
        return self

    def _routing(self):
        """The method whose metadata requests route the fit parameters.

        ``partial_fit``'s for ``partial_fit`` (``set_partial_fit_request``),
        as in skorch; ``fit``'s otherwise.
        """
        if not _ROUTES_BY_METHOD:
            return {}
        return {"_routing_method": "partial_fit" if self._incremental_ else "fit"}

    def _resume_lr_schedules(self):
        """Give the optimiser's groups the lr that resumed lr schedules start from.

        skorch's ``LRScheduler`` builds its scheduler at each fit with
        ``last_epoch`` the epochs of ``history``, and torch's schedulers then
        read each group's ``initial_lr``, which a scheduler built at epoch 0
        sets: an optimiser rebuilt since (``set_params`` of ``optimizer``,
        ``optimizer__param_groups``, ``criterion__*`` or ``module__*``) had
        none, and ``partial_fit`` or a warm start failed with torch's
        ``KeyError``. Its groups start from their own lr, as at epoch 0: a
        schedule computed from the epoch (``LambdaLR``, skorch's
        ``WarmRestartLR``) gives the lr it gives without the rebuild, while
        one that steps the current lr (``StepLR``, ``MultiStepLR``,
        ``ExponentialLR``, ``CosineAnnealingLR``) goes on from the new
        optimiser's lr, without the decay of the epochs before.
        (``OneCycleLR`` also reads keys of its own, which it writes at epoch
        0 only.)
        """
        if len(self.history) and any(
            isinstance(callback, LRScheduler) for _, callback in self.callbacks_
        ):
            for group in self.optimizer_.param_groups:
                group.setdefault("initial_lr", group["lr"])

    @contextmanager
    def _unfitted_on_error(self, kept=None):
        """Mark the classifier not fitted when the block fails or is interrupted.

        As :func:`~ltlearn.utils._fitted.unfitted_on_error` does for the other
        estimators, in skorch's terms: ``initialized_`` is false, so that
        ``check_is_fitted`` fails and the next ``fit`` or ``partial_fit``
        starts afresh; ``history_`` keeps the epochs that ran. A fitted
        classifier whose validation split refuses the data, before any
        training step (``partial_fit``, a warm start), stays fitted instead,
        with the attributes in ``kept`` (those before the call) put back.
        """
        vars(self).pop("_split_refused", None)
        try:
            yield
        except BaseException:  # an interrupt too
            if not vars(self).pop("_split_refused", False) or kept is None:
                self.initialized_ = False
                raise
            for name in _COUNT_ATTRIBUTES:
                vars(self).pop(name, None)
            vars(self).update(kept)
            raise

    @contextmanager
    def _training_block(self, resume, kept):
        """The block in which ``fit`` and ``partial_fit`` build or resume, and train.

        Seeded from ``random_state``: a network resumed (a warm start, a
        ``partial_fit`` after the first) draws on from the epochs trained. A
        failure leaves the classifier as :meth:`_unfitted_on_error` says,
        with ``kept`` the counts to put back.
        """
        offset = len(self.history) if resume else 0
        with self._unfitted_on_error(kept), self._torch_rng(offset):
            yield

    def _build_or_resume(self, resume):
        """Initialise the network, or warn of a renamed loss of one resumed."""
        if resume:
            self._warn_renamed_loss()
            return
        # through initialize, as skorch's fit and partial_fit, so that a
        # subclass's initialize runs; it keeps the counts just made
        with ScopedValue(_COUNTED_BY_FIT, self):
            self.initialize()

    def _kept_counts(self):
        """The attributes of :data:`_COUNT_ATTRIBUTES` set, to put back."""
        return {
            name: vars(self)[name] for name in _COUNT_ATTRIBUTES if name in vars(self)
        }
