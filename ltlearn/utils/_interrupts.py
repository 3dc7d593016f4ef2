"""Tell an interrupt (SIGINT, Ctrl-C) from a ``KeyboardInterrupt`` that code raises."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
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
