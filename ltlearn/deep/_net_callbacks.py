"""LongTailClassifier's callbacks beside skorch's handling of them.

The check of the ``callbacks`` given, the log and the progress bar matched
to ``verbose`` and ``progress_bar`` at each training run, and the state of
the callbacks kept over ``set_params``.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from contextvars import ContextVar
from numbers import Integral

import numpy as np
from skorch.callbacks import BatchScoring, EpochScoring, PrintLog

from ltlearn.deep._progress import _epoch_progress_bar

# The default callbacks built under some settings only: the validation
# scores with validation data, the bar with progress_bar, the log with
# verbose (skorch builds its valid_loss, valid_acc and print_log always).
_SOMETIMES_BUILT = ("valid_loss", "valid_bacc", "progress_bar", "print_log")

# The classifier whose scoring callback runs now (see notify), kept out of
# the classifier: a copy, a pickle or get_params taken meanwhile has none.
_SCORING_NET = ContextVar("_SCORING_NET", default=None)


class _CallbacksMixin:
    """The callbacks of :class:`LongTailClassifier`, checked and kept.

    Mixed into the classifier; its ``_check_params``, ``set_params`` and
    training run call these.
    """

    def _check_callbacks(self):
        """Refuse an item of ``callbacks`` that skorch cannot build, naming it.

        skorch fails on it in ``initialize`` with an error that names neither
        the parameter nor the item (``'int' object has no attribute
        'set_params'``).
        """
        for item in self.callbacks if isinstance(self.callbacks, list) else []:
            named = isinstance(item, (tuple, list))
            if named and (len(item) != 2 or not isinstance(item[0], str)):
                valid = False
            else:
                callback = item[1] if named else item
                valid = (
                    isinstance(callback, type)
                    or (named and callback is None)
                    or (
                        hasattr(callback, "initialize")
                        and hasattr(callback, "set_params")
                    )
                )
            if not valid:
                raise ValueError(
                    f"The 'callbacks' parameter of {type(self).__name__} takes "
                    "skorch callbacks (instances or classes) and (name, callback) "
                    f"pairs; got {item!r}."
                )

    def _progress_bar(self):
        """The bar that ``progress_bar`` asks for, or ``None``."""
        if not (isinstance(self.progress_bar, (bool, np.bool_)) and self.progress_bar):
            return None
        # skorch's "auto" total is len(dataset) / batch_size, which a
        # sampler drawing num_samples rows per epoch, or batches of
        # iterator_train__batch_sampler, change: the bar then counts the
        # batches of the previous epoch.
        counted = (
            "num_samples" in self.get_params_for("sampler")
            or "batch_sampler" in self._batch_options()
        )
        return _epoch_progress_bar(counted)

    def _prints_log(self):
        """Whether ``verbose`` asks for the table of the training history."""
        return not isinstance(self.verbose, Integral) or bool(self.verbose)

    def notify(self, method_name, **cb_kwargs):
        """Call the hook ``method_name`` of the classifier and its callbacks.

        As skorch's ``notify``, except that skorch's scoring callbacks
        (``EpochScoring``, ``BatchScoring``) see ``classes_`` as the label
        codes ``0 .. n_classes - 1``: they score the label-encoded targets
        of the fit, and scikit-learn's scorers find the column of their
        ``pos_label`` in ``classes_``. With the labels there,
        ``EpochScoring("average_precision")`` scored the probability of the
        label 1 against the code 1 (the label 2 for labels 1 and 2), and
        failed for string labels ("pos_label=1 is not a valid label").

        Parameters
        ----------
        method_name : str
            The hook, such as ``"on_epoch_end"``.
        **cb_kwargs : dict
            Passed on to the hook of the classifier and of each callback.
        """
        getattr(self, method_name)(self, **cb_kwargs)
        for _, callback in self.callbacks_:
            hook = getattr(callback, method_name)
            if not isinstance(callback, (EpochScoring, BatchScoring)):
                hook(self, **cb_kwargs)
                continue
            token = _SCORING_NET.set(self)
            try:
                hook(self, **cb_kwargs)
            finally:
                _SCORING_NET.reset(token)

    def _scoring_codes(self):
        """Whether a scoring callback of this classifier runs (``notify``)."""
        return _SCORING_NET.get() is self

    def _match_output_callbacks(self):
        """Give the training run the table and the bar asked for now.

        The network is built with a ``PrintLog`` only when ``verbose`` asks
        for it, and with the bar of ``progress_bar``; ``PrintLog`` reads
        ``verbose`` at each epoch, the bar nothing. After ``set_params``,
        ``partial_fit`` (or a ``warm_start`` fit) trained further without the
        table or the bar asked for, or with the bar turned off. A callback
        of the user's named ``progress_bar`` or ``print_log``, or set (or
        turned off with ``None``) by ``callbacks__progress_bar`` or
        ``callbacks__print_log``, is left as it is, and nothing is added to
        ``callbacks="disable"``; one set so but not built yet is added when
        asked for, as ``initialize`` builds it. The bar goes before the
        table, the table last, as skorch orders them; each takes its
        ``callbacks__<name>__*`` parameters, as ``initialize`` gives them.
        """
        if isinstance(self.callbacks, str) and self.callbacks == "disable":
            return
        listed = {
            item[0] for item in self.callbacks or [] if isinstance(item, (tuple, list))
        }
        set_here = {
            name: vars(self)[f"callbacks__{name}"]
            for name in ("progress_bar", "print_log")
            if f"callbacks__{name}" in vars(self)
        }
        callbacks = self.callbacks_
        if "progress_bar" not in listed:
            asked = self._progress_bar()
            bar = set_here.get("progress_bar", asked)
            if asked is None and "progress_bar" not in set_here:
                callbacks[:] = [item for item in callbacks if item[0] != "progress_bar"]
            elif (
                asked is not None
                and bar is not None
                and "progress_bar" not in dict(callbacks)
            ):
                logs = [
                    i for i, (_, cb) in enumerate(callbacks) if isinstance(cb, PrintLog)
                ]
                at = logs[0] if logs else len(callbacks)
                bar = self._built_output_callback("progress_bar", bar)
                callbacks.insert(at, ("progress_bar", bar))
        log = set_here.get("print_log", PrintLog)
        if (
            "print_log" not in listed
            and log is not None
            and self._prints_log()
            and "print_log" not in dict(callbacks)
            and not any(isinstance(callback, PrintLog) for _, callback in callbacks)
        ):
            log = self._built_output_callback("print_log", log)
            callbacks.append(("print_log", log))

    def _built_output_callback(self, name, callback):
        """``callback`` (an instance or a class) built as ``initialize`` builds it.

        Given its ``callbacks__<name>__*`` parameters, and initialised.
        """
        params = self.get_params_for(f"callbacks__{name}")
        if isinstance(callback, type):
            callback = callback(**params)
        else:
            callback.set_params(**params)
        return callback.initialize()

    def _callback_states(self, named):
        """The state of the callbacks not ``named`` by ``set_params``' parameters.

        skorch's ``set_params`` initialises every callback anew for a
        ``callbacks__*`` parameter of one of them; on an initialised
        classifier, that dropped what the others had learned of the fits so
        far (the loss's weights that ``DeferredReweighting`` restores at a
        warm-started refit). Returns the callbacks not ``named`` with a copy
        of their attributes, empty when no callback is initialised anew.
        """
        if not (named and self.initialized_):
            return []
        states = []
        for name, callback in getattr(self, "callbacks_", []):
            if name in named:
                continue
            try:
                states.append((name, callback, dict(vars(callback))))
            except TypeError:  # no instance attributes
                pass
        return states

    def _restore_callback_states(self, states):
        """Give back their state to the callbacks of :meth:`_callback_states`."""
        callbacks = dict(getattr(self, "callbacks_", []))
        for name, callback, state in states:
            if callbacks.get(name) is callback:
                vars(callback).clear()
                vars(callback).update(state)

    def _initialize_named_callbacks(self, named):
        """Initialise the callbacks ``named`` by ``set_params``, with their new values.

        skorch's ``set_params`` initialises the callbacks before it sets
        their parameters: on an initialised classifier, what a callback
        derives from them at initialisation (``LRScheduler``'s policy,
        ``PrintLog``'s ``keys_ignored``) stayed that of the old values for
        ``partial_fit`` and a ``warm_start`` fit, a callback set by
        ``callbacks__<name>`` (an instance or a class) was not initialised,
        and one turned off with ``None`` failed at training.
        """
        if not (named and self.initialized_):
            return
        callbacks = []
        for name, callback in getattr(self, "callbacks_", []):
            if name in named:
                if callback is None:  # turned off, as initialize leaves it out
                    continue
                if isinstance(callback, type):  # built, as initialize does
                    callback = callback(**self.get_params_for(f"callbacks__{name}"))
                callback.initialize()
            callbacks.append((name, callback))
        self.callbacks_ = callbacks

    def _unbuilt_default_callbacks(self, params):
        """The ``callbacks__<name>(__<param>)`` of ``params`` of no built default.

        Those naming a default callback that the settings now leave out
        (``callbacks__print_log=None`` with ``verbose=0``): skorch's
        ``set_params`` finds no such callback and raises, where ``__init__``
        keeps them for when the callback is built.
        """
        built = {name for name, _ in getattr(self, "callbacks_", None) or []}
        return {
            key: value
            for key, value in params.items()
            if key.startswith("callbacks__")
            and key.split("__")[1] in _SOMETIMES_BUILT
            and key.split("__")[1] not in built
        }

    def _check_callback_names(self, params, error):
        """Explain ``error`` by a ``callbacks__<name>`` of no callback.

        skorch's ``set_params`` splits such a key in two and fails with "not
        enough values to unpack"; skorch's ``valid_acc`` is ``valid_bacc``
        here, so ``callbacks__valid_acc=None`` met it. The callbacks are
        built as skorch's ``set_params`` built them, after the other
        parameters (``train_split`` decides the default ones).
        """
        keys = [
            key
            for key in params
            if key.startswith("callbacks__")
            and "__" not in key.removeprefix("callbacks__")
        ]
        if not keys:
            return
        names = []
        if not (isinstance(self.callbacks, str) and self.callbacks == "disable"):
            self.initialize_callbacks()
            names = [name for name, _ in self.callbacks_]
        for key in keys:
            if key.removeprefix("callbacks__") not in names:
                raise ValueError(
                    f"{key!r} names no callback of this {type(self).__name__}; "
                    f"its callbacks are {names}."
                ) from error
