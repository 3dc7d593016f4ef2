"""The warnings of one fit, recorded apart from those of fits in other threads."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import sys
import threading
import warnings

# The list of each thread recording its warnings, by thread identifier.
_RECORDING = {}
# The caller's warning state, saved by the first block and put back by the
# last one (a ``warnings.catch_warnings``).
_SAVED = []
_LOCK = threading.Lock()


def _recorder(previous):
    """A ``warnings.showwarning`` that adds each warning to its thread's list.

    A warning of a thread that records nothing goes to the only recording
    list when there is one (a thread that the fit started), and otherwise to
    ``previous``, where it went before.
    """

    def record(message, category, filename, lineno, file=None, line=None):
        caught = _RECORDING.get(threading.get_ident())
        if caught is None:
            recording = list(_RECORDING.values())
            if len(recording) != 1:
                previous(message, category, filename, lineno, file, line)
                return
            (caught,) = recording
        caught.append(
            warnings.WarningMessage(message, category, filename, lineno, file, line)
        )

    return record


@contextlib.contextmanager
def record_warnings():
    """Yield the list of every warning raised in the calling thread in the block.

    As ``warnings.catch_warnings(record=True)`` with the ``"always"`` filter,
    for blocks that run in several threads at once (a Dask worker runs a fit
    on each of its threads). The filters and ``showwarning`` are the
    process's, not the thread's: blocks of ``catch_warnings`` that overlap
    sent one fit's warnings to another's list, and, ended in another order
    than they began, left their filter and a dead list in place for good.
    Here the first block sets them, the last one puts the caller's back, and
    each warning goes to the list of its thread.
    """
    if getattr(sys.flags, "context_aware_warnings", False):
        # Python 3.14's warnings by context: catch_warnings is the thread's own.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield caught
        return
    caught = []
    thread = threading.get_ident()
    with _LOCK:
        if not _RECORDING:
            previous = warnings.showwarning
            saved = warnings.catch_warnings()
            saved.__enter__()
            _SAVED.append(saved)
            warnings.simplefilter("always")
            warnings.showwarning = _recorder(previous)
        # a block in a block of the same thread records on its own, as
        # nested catch_warnings do, and then gives the outer one back its list
        outer = _RECORDING.get(thread)
        _RECORDING[thread] = caught
    try:
        yield caught
    finally:
        with _LOCK:
            if outer is None:
                del _RECORDING[thread]
            else:
                _RECORDING[thread] = outer
            if not _RECORDING:
                _SAVED.pop().__exit__(None, None, None)
