"""The null device in place of a standard stream of the command line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import errno
import os
import stat
import sys


def null_onto(fd):
    """Point the descriptor ``fd`` at the null device.

    For a stream whose reader went away (``ltlearn compare | head -1``),
    whose text then goes nowhere, and for a standard descriptor that was
    closed (``>&-``), which the first file opened would otherwise take.
    """
    null = os.open(os.devnull, os.O_RDWR)
    if null == fd:  # fd was closed: the null device took its place
        return
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def reader_gone(exc, stream):
    """Whether ``exc``, raised writing ``stream``, says that its reader went away.

    A ``BrokenPipeError``; on Windows, whose C library reports a write to a
    pipe without a reader as ``EINVAL`` (CPython issue 79935; pip reads it
    so too), an ``OSError`` "[Errno 22] Invalid argument" on a pipe, of no
    file name (an error of a file the command opened names it).
    """
    if isinstance(exc, BrokenPipeError):
        return True
    if sys.platform != "win32" or getattr(exc, "errno", None) != errno.EINVAL:
        return False
    if getattr(exc, "filename", None) is not None:
        return False
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False
