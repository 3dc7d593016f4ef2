"""Root pytest configuration: doctests of the optional deep extra need torch."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util

collect_ignore_glob = []
if (
    importlib.util.find_spec("torch") is None
    or importlib.util.find_spec("skorch") is None
):
    collect_ignore_glob.append("ltlearn/deep/*")
