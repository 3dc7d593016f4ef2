"""The standard streams of the command line: the null device, broken pipes."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
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


def _windows():
    """Whether this is Windows, where a pipe without a reader gives ``EINVAL``."""
    return sys.platform == "win32"


def _reader_gone(exc, stream):
    """Whether ``exc``, raised writing ``stream``, is Windows' broken pipe.

    Windows' C library reports a write to a pipe without a reader as
    ``EINVAL`` (CPython issue 79935), which Python raises as "OSError: [Errno
    22] Invalid argument", not as ``BrokenPipeError``. An ``EINVAL`` of a
    stream that is no pipe (a file, the console) is an error.
    """
    if not _windows() or getattr(exc, "errno", None) != errno.EINVAL:
        return False
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


class WrappedStream:
    """``stream``, whose errors of ``write`` and ``flush`` go to :meth:`failed`.

    Every other attribute is the stream's. A subclass's ``failed`` raises
    an error of its own, or returns where the text is to count as written.
    """

    def __init__(self, stream):
        self._stream = stream

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def failed(self, exc):
        """Handle ``exc``, the ``OSError`` of a write or flush: raise it."""
        raise exc

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as exc:
            self.failed(exc)
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except OSError as exc:
            self.failed(exc)


class _PipeErrors(WrappedStream):
    """``stream``, whose write to a pipe without a reader raises ``BrokenPipeError``.

    Only an error of its own ``write`` or ``flush`` is read so, as
    ``subprocess`` reads ``EINVAL`` only from its writes to a child's stdin
    and pip only from its writes to stdout: an ``EINVAL`` of anything else
    the command does stays an error.
    """

    def failed(self, exc):
        if not isinstance(exc, BrokenPipeError) and _reader_gone(exc, self._stream):
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)) from exc
        raise exc


@contextlib.contextmanager
def wrapped_streams(wrapper):
    """Within, ``sys.stdout`` and ``sys.stderr`` are ``wrapper(stream)``."""
    streams = {name: getattr(sys, name) for name in ("stdout", "stderr")}
    for name, stream in streams.items():
        setattr(sys, name, wrapper(stream))
    try:
        yield
    finally:
        for name, stream in streams.items():
            setattr(sys, name, stream)


def broken_pipes():
    """On Windows, stdout and stderr raise ``BrokenPipeError`` once their reader left.

    As elsewhere, so that a reader gone away (``ltlearn compare | more``
    quit early) is read as such; nothing changes on other systems.
    """
    return wrapped_streams(_PipeErrors) if _windows() else contextlib.nullcontext()
