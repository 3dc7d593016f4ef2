"""Tests of ltlearn.utils._scoped: a context variable's value for a block."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import contextvars
import threading

import pytest

from ltlearn.utils._scoped import ScopedValue

_VALUE = contextvars.ContextVar("value", default=None)


def test_a_nested_block_gives_the_outer_value_back():
    with ScopedValue(_VALUE, "outer") as outer:
        assert outer.value == "outer"
        with ScopedValue(_VALUE, "inner"):
            assert _VALUE.get() == "inner"
        assert _VALUE.get() == "outer"
    assert _VALUE.get() is None


def test_the_value_before_comes_back_after_an_error():
    with pytest.raises(KeyError):
        with ScopedValue(_VALUE, "set"):
            raise KeyError("within")
    assert _VALUE.get() is None


def test_a_block_in_another_thread_holds_its_own_value():
    entered, checked = threading.Event(), threading.Event()
    seen = []

    def other():
        with ScopedValue(_VALUE, "other"):
            entered.set()
            checked.wait(timeout=10)
            seen.append(_VALUE.get())

    thread = threading.Thread(target=other)
    with ScopedValue(_VALUE, "main"):
        thread.start()
        entered.wait(timeout=10)
        assert _VALUE.get() == "main"
        checked.set()
        thread.join()
    assert seen == ["other"]
    assert _VALUE.get() is None
