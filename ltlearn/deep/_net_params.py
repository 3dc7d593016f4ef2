"""LongTailClassifier's parameters: checked, resolved and set.

The checks of the parameters and the device before a fit, the deprecated
``loss`` resolved into ``criterion`` (with per-class values given by label),
and ``set_params`` on a classifier initialised or not.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from contextlib import nullcontext

import torch
from sklearn import get_config
from sklearn.utils._param_validation import (
    InvalidParameterError,
    validate_parameter_constraints,
)
from torch import nn
from torch.utils.data import Sampler

from ltlearn.utils._class_order import _in_class_order, _is_pandas
from ltlearn.utils._validation import check_classes
from ltlearn.utils._warnings import external_stacklevel


def _read_by_label(name, value, classes):
    """A pandas ``criterion__<name>`` indexed by the class labels, by class index.

    The losses read per-class values (``class_counts``, ``weight``) by class
    index; a Series indexed by the labels of ``y`` (``y.value_counts()``, in
    the order of the counts) is read by label instead, as the post-hoc rules
    read their priors. Anything else, or anything before the classes are
    known (``classes`` is None), is returned as it is.
    """
    if name not in ("class_counts", "weight") or classes is None:
        return value
    if not _is_pandas(value):
        return value
    return _in_class_order(value, classes, f"criterion__{name}")


class _ParamsMixin:
    """The parameters of :class:`LongTailClassifier`: checked, resolved, set.

    Mixed into the classifier before skorch's ``NeuralNet``, whose methods
    of the same names it overrides.
    """

    def _check_params(self):
        """Validate the parameters and the device before a fit.

        skorch's own check of the prefixed names (``module__*``...) runs in
        ``initialize``, once the prefixes are registered.
        """
        if isinstance(self.sampler, Sampler) and not callable(self.sampler):
            raise InvalidParameterError(
                f"The 'sampler' parameter of {type(self).__name__} takes a name "
                "or a callable sampler(labels, **sampler_params), not a torch "
                f"sampler: got a {type(self.sampler).__name__} instance. Give "
                "a sampler made for the training rows as iterator_train__sampler "
                "(with the default sampler='instance'), or use "
                "sampler='class_balanced' for batches drawn with every class "
                "equally likely."
            )
        if not get_config()["skip_parameter_validation"]:
            validate_parameter_constraints(
                self._parameter_constraints,
                self.get_params(deep=False),
                caller_name=type(self).__name__,
            )
        if self.classes is not None:
            check_classes(self.classes)
        self._check_callbacks()
        # Before training: a refused warm start or partial_fit keeps the
        # fitted network.
        self._sampler_replaced()
        device = self.device
        if device is None:
            return
        try:
            kind = torch.device(device).type
        except RuntimeError as exc:  # "Expected one of cpu, cuda, ..."
            raise ValueError(
                f"The 'device' parameter of {type(self).__name__} is not a "
                f"device torch knows: {exc} (got {device!r})."
            ) from exc
        if kind == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"{type(self).__name__}(device={device!r}): torch finds no "
                "CUDA device (torch.cuda.is_available() is False). Use "
                "device='cpu', or device='auto' for CUDA when available."
            )
        if self.amp and kind not in ("cuda", "cpu"):
            warnings.warn(
                f"{type(self).__name__}(amp=True) has mixed precision on CUDA "
                f"and the CPU only; device={device!r} trains in float32.",
                UserWarning,
                stacklevel=external_stacklevel(),
            )

    def _uses_renamed_loss(self):
        """Whether ``loss`` or ``loss__*`` is given."""
        given = not (isinstance(self.loss, str) and self.loss == "deprecated")
        return given or bool(self.get_params_for("loss"))

    def _warn_renamed_loss(self):
        """Warn, once per call of the user, that ``loss`` is now ``criterion``.

        Called by ``initialize``, by ``fit`` and ``partial_fit`` when they
        train an initialised network further, and by ``set_params`` on an
        initialised classifier; not where the criterion is built: one fit
        builds it, or reads it, up to four times.
        """
        # TODO(0.3): remove ``loss`` and ``loss__*``.
        if self._uses_renamed_loss():
            warnings.warn(
                "'loss' was renamed 'criterion' in 0.1 and will be removed in "
                "0.3: use criterion=... and criterion__* instead of loss=... "
                "and loss__*.",
                FutureWarning,
                stacklevel=external_stacklevel(),
            )

    def _criterion_and_params(self):
        """The criterion to build and its parameters, ``loss`` resolved.

        Per-class parameters given as a pandas Series indexed by the class
        labels are read by label (:func:`_read_by_label`). ``loss`` with a
        ``criterion`` other than the default, or one parameter given as both
        ``loss__*`` and ``criterion__*``, is refused rather than either one
        dropped.
        """
        criterion = self.criterion
        kwargs = self.get_params_for("criterion")
        if self._uses_renamed_loss():
            renamed = self.get_params_for("loss")
            if not (isinstance(self.loss, str) and self.loss == "deprecated"):
                if not (isinstance(criterion, str) and criterion == "ce"):
                    raise ValueError(
                        f"loss={self.loss!r} and criterion={criterion!r} are both "
                        "given; 'loss' is the deprecated name of 'criterion': "
                        "give criterion only."
                    )
                criterion = self.loss
            both = sorted(set(renamed) & set(kwargs))
            if both:
                raise ValueError(
                    f"loss__{both[0]} and criterion__{both[0]} are both given; "
                    "'loss__*' is the deprecated name of 'criterion__*': give "
                    f"criterion__{both[0]} only."
                )
            kwargs = {**renamed, **kwargs}
        classes = self.classes_ if self._n_classes() is not None else None
        return criterion, {
            name: _read_by_label(name, value, classes) for name, value in kwargs.items()
        }

    def set_params(self, **params):
        """Set the parameters of this classifier.

        As skorch's: ``criterion`` and ``criterion__*`` on an initialised
        classifier rebuild ``criterion_`` and ``optimizer_`` (a loss or
        network instance is taken before initialisation too, where skorch's
        refuses it, so that ``GridSearchCV`` searches over instances), and
        ``optimizer__*`` and ``lr`` change the running optimiser. Unlike
        skorch's, ``optimizer__*`` is also kept for the next fit (and
        ``get_params`` and ``clone``), and ``optimizer`` and
        ``optimizer__param_groups`` on an initialised classifier rebuild
        ``optimizer_`` (skorch's refuses the first, as
        ``iterator_train__*``, ``iterator_valid__*`` and ``dataset__*``, which
        take effect at the next fit), so that the parameters of
        :func:`~ltlearn.deep.schedules.training_schedule` can be set on a
        fitted classifier. ``sampler``, ``sampler__*``, ``augment`` and
        ``augment__*`` take effect at the next fit. A network rebuilt here
        (``module``, ``module__*`` or ``compile`` on an initialised
        classifier, as in skorch) draws its weights as :meth:`initialize`
        does: from ``random_state`` if set. ``callbacks__<name>__*`` on an
        initialised classifier initialises the callbacks named anew, as
        skorch's; the others given as instances in ``callbacks`` keep their
        state (skorch's starts them all anew; the default callbacks and
        those given as classes are still built anew).

        Parameters
        ----------
        **params : dict
            Parameter names mapped to their new values.

        Returns
        -------
        self : LongTailClassifier
            This classifier.
        """
        own = [
            key
            for key in params
            if key.split("__", 1)[0] in ("sampler", "augment", "loss")
        ]
        for key in own:
            setattr(self, key, params.pop(key))
        if not self.initialized_ and "callbacks" in params:
            # skorch rebuilds the callbacks set before here, to route
            # ``callbacks__*``, and so raises after an invalid value; as a
            # parameter given to __init__, that is refused at fit
            # (scikit-learn's set_params takes any).
            callbacks = params.pop("callbacks")
            own.append("callbacks")
            try:
                super().set_params(callbacks=callbacks)
            except (TypeError, ValueError, AttributeError):
                vars(self)["callbacks"] = callbacks
                vars(self).pop("callbacks_", None)
        if not self.initialized_:
            # skorch refuses a torch module instance as the value of
            # ``module`` or ``criterion`` before initialisation (it takes
            # them for components set outside ``initialize``); the
            # constructor, and hence clone, take them.
            for key in ("module", "criterion"):
                if isinstance(params.get(key), nn.Module):
                    vars(self)[key] = params.pop(key)
                    own.append(key)
        if self.initialized_ and any(key.startswith("loss") for key in own):
            # TODO(0.3): remove with ``loss``; rebuild as for ``criterion``.
            self._warn_renamed_loss()
            params.setdefault("criterion", self.criterion)
        # skorch's set_params writes optimizer__param_groups into each group
        # of the running optimiser, as an option, which leaves its groups as
        # they were: the optimiser is rebuilt with them, as for ``optimizer``.
        new_optimizer = ("optimizer", "optimizer__param_groups")
        rebuild = self.initialized_ and any(key in params for key in new_optimizer)
        if self.initialized_:
            # skorch's set_params finds no part to rebuild for these once
            # initialised, and raises; they are read at initialisation.
            later = [
                key
                for key in params
                if key in new_optimizer
                or key.split("__", 1)[0]
                in ("iterator_train", "iterator_valid", "dataset")
            ]
            for key in later:
                setattr(self, key, params.pop(key))
            own += later
            # skorch sets optimizer__* on the running optimiser only; a new
            # fit (and clone) would lose them.
            for key, value in params.items():
                if key.startswith("optimizer__") and not key.startswith(
                    "optimizer__param_groups__"
                ):
                    vars(self)[key] = value
        if "random_state" in params:  # it seeds the parts rebuilt below
            self.random_state = params.pop("random_state")
            own.append("random_state")
        # skorch rebuilds the parts of an initialised classifier whose
        # parameters change (the network for ``compile`` too): the network
        # draws its weights as in initialize.
        rebuilt = self.initialized_ and any(
            key.split("__", 1)[0] in ("module", "criterion", "compile")
            for key in params
        )
        if params or not own:
            # the callbacks set or set anew: callbacks__<name>(__<param>)
            named = {
                key.split("__")[1] for key in params if key.startswith("callbacks__")
            }
            states = self._callback_states(named)
            try:
                with self._torch_rng() if rebuilt else nullcontext():
                    try:
                        self._set_skorch_params(params)
                    except ValueError:
                        unbuilt = self._unbuilt_default_callbacks(params)
                        if not unbuilt:
                            raise
                        # kept, as __init__ keeps them, for when it is built
                        vars(self).update(unbuilt)
                        self._set_skorch_params(
                            {k: v for k, v in params.items() if k not in unbuilt}
                        )
            finally:  # skorch initialised them all before failing too
                self._restore_callback_states(states)
            self._initialize_named_callbacks(named)
        if rebuild:
            self.initialize_optimizer()
        return self

    def _set_skorch_params(self, params):
        """skorch's ``set_params``; a callback of no such name is explained."""
        try:
            super().set_params(**params)
        except ValueError as exc:
            self._check_callback_names(params, exc)
            raise
