"""Fixtures of the deep tests."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest


@pytest.fixture
def float64_default():
    """torch's default dtype set to float64 for the test, then restored."""
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)
