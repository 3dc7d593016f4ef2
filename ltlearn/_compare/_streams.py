"""The null device in place of a standard stream of the command line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import os


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
