"""Tell an interrupt (SIGINT, Ctrl-C) from a ``KeyboardInterrupt`` that code raises."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import signal
import threading

# The signals that stop ``ltlearn compare`` as a Ctrl-C does: a batch
# scheduler's time limit or ``scancel`` (SIGTERM), a closed terminal (SIGHUP).
# SIGHUP is missing on Windows.
TERMINATIONS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

# While terminating_as_interrupt is in effect: the signals it turned into a
# KeyboardInterrupt, and the list to which it adds each one received.
_turned = ()
_received = []


@contextlib.contextmanager
def _handling(signals, make_handler):
    """Within, each of ``signals`` whose handler is a callable gets another.

    ``make_handler(previous)`` makes it; the previous handlers are put back
    on exit. Signals reach the main thread only: elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    try:
        for signum in signals:
            handler = signal.getsignal(signum)
            if callable(handler):
                previous[signum] = handler
                signal.signal(signum, make_handler(handler))
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def record_interrupts():
    """Yield a list to which each SIGINT received in the block is added.

    Python's handler still raises ``KeyboardInterrupt``; the record catches an
    interrupt that the code in the block swallowed and returned from, and
    tells an interrupt from a ``KeyboardInterrupt`` that code raises (skorch's
    ``EarlyStopping`` stops a fit so). Signals reach the main thread only,
    and Python's handler only when it (or another callable) is installed:
    otherwise nothing is recorded, nor does a SIGINT raise anything. A SIGTERM
    or SIGHUP is recorded too where :func:`terminating_as_interrupt` handles
    it; a handler of the caller's own for them is left to decide.
    """
    seen = []

    def recording(previous):
        def handler(signum, frame):
            seen.append(signum)
            previous(signum, frame)

        return handler

    # Those turned, whatever wraps them now: a record_interrupts inside
    # another (a network's fit in a fit of ``ltlearn compare``) records them.
    with _handling((signal.SIGINT, *_turned), recording):
        yield seen


def _as_interrupt(signum, frame):
    """Add ``signum`` to the signals received, raise ``KeyboardInterrupt``."""
    _received.append(signum)
    raise KeyboardInterrupt


@contextlib.contextmanager
def terminating_as_interrupt():
    """Within, a SIGTERM or SIGHUP raises ``KeyboardInterrupt``, as a Ctrl-C does.

    Their default action ends the process at once: worker processes were
    left running, joblib's temporary files were left behind, and nothing
    said where the finished work was. Only signals left to their default
    action are handled (one that ``nohup`` ignores stays ignored). Yields a
    list to which each one received is added.
    """
    global _turned, _received
    seen = []
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return
    turned = tuple(s for s in TERMINATIONS if signal.getsignal(s) is signal.SIG_DFL)
    outer = _turned, _received
    _turned, _received = turned, seen
    try:
        for signum in turned:
            signal.signal(signum, _as_interrupt)
        yield seen
    finally:
        for signum in turned:
            signal.signal(signum, signal.SIG_DFL)
        _turned, _received = outer
