"""A value that a context variable holds for the length of a ``with`` block."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause


class ScopedValue:
    """Within it, ``variable`` holds ``value``; on exit, what it held before.

    A context variable, not an attribute of the estimator: a call in another
    thread (its own context) sees its own value, and a block nested in
    another gives the outer value back on exit. A class, not
    ``contextlib.contextmanager``, so that a subclass's ``__exit__`` can warn
    at the caller's line, past the frames of ltlearn.

    Parameters
    ----------
    variable : contextvars.ContextVar
        The variable, whose default is its value outside any block.
    value : object
        What it holds within the block.
    """

    def __init__(self, variable, value):
        self.variable = variable
        self.value = value

    def __enter__(self):
        self.token = self.variable.set(self.value)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.variable.reset(self.token)
