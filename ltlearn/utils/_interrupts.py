"""Interrupts (SIGINT, Ctrl-C) and failed fits: record them, leave no half fit."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import functools
import signal
import threading


@contextlib.contextmanager
def record_interrupts():
    """Yield a list to which each SIGINT received in the block is added.

    Python's handler still raises ``KeyboardInterrupt``; the record catches an
    interrupt that the code in the block swallowed and returned from, and
    tells an interrupt from a ``KeyboardInterrupt`` that code raises (skorch's
    ``EarlyStopping`` stops a fit so). Signals reach the main thread only,
    and Python's handler only when it (or another callable) is installed:
    otherwise nothing is recorded, nor does a SIGINT raise anything.
    """
    seen = []
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(
        previous
    ):
        yield seen
        return

    def handler(signum, frame):
        seen.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


def unfitted_on_failure(*private):
    """Decorate a ``fit`` to leave its estimator not fitted when it fails.

    A fit stopped by an interrupt (SIGINT, Ctrl-C, in the caller or in a
    parallel job) or an error would leave the attributes it had set beside
    those of a previous fit, a mix that ``check_is_fitted`` takes for a
    fitted model. Every fitted attribute (ending in ``_``) and the ``private``
    ones are removed before the exception propagates.
    """

    def decorate(fit):
        @functools.wraps(fit)
        def wrapper(estimator, *args, **kwargs):
            try:
                return fit(estimator, *args, **kwargs)
            except BaseException:
                for name in [
                    name
                    for name in vars(estimator)
                    if (name.endswith("_") and not name.startswith("__"))
                    or name in private
                ]:
                    delattr(estimator, name)
                raise

        return wrapper

    return decorate
