"""Shared docstring fragments read the same on every Python."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

from ltlearn.utils._docstring import _shot_thresholds_docstring, _Substitution


def _scorer():
    """Score.

    Parameters
    ----------
    {shot_thresholds}

    Returns
    -------
    score : float
        The score, ``{{}}`` kept as braces.
    """


class _Model:
    def method(self):
        """Fit.

        Parameters
        ----------
        {shot_thresholds}
        """


_FILLED = """Score.

Parameters
----------
many_threshold : int, default=100
    A class with more training samples than this is many-shot.
few_threshold : int, default=20
    A class with fewer training samples than this is few-shot.

Returns
-------
score : float
    The score, ``{}`` kept as braces."""


def test_fragments_follow_their_field_indented_or_not():
    # Python 3.13 compiles docstrings without their indentation, older ones
    # keep it: a fragment of two parameters stays two parameters either way.
    fill = _Substitution(shot_thresholds=_shot_thresholds_docstring)
    template = _scorer.__doc__
    indented = fill(_scorer)
    assert inspect.cleandoc(indented.__doc__) == _FILLED

    def dedented():
        pass

    dedented.__qualname__ = "_scorer"
    dedented.__doc__ = inspect.cleandoc(template)  # as Python 3.13 has it
    assert inspect.cleandoc(fill(dedented).__doc__) == _FILLED


def test_a_method_is_filled_at_its_depth_and_a_missing_docstring_stays_none():
    def fragment_at(indent):
        return (
            "a : int\n" + indent + "    A.\n" + indent + "b : int\n" + indent + "    B."
        )

    filled = _Substitution(shot_thresholds=fragment_at(" " * 8))(_Model.method)
    assert inspect.cleandoc(filled.__doc__).endswith(
        "----------\na : int\n    A.\nb : int\n    B."
    )

    def undocumented():
        pass

    assert _Substitution(x="y")(undocumented).__doc__ is None
