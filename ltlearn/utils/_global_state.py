"""What a call could change in the caller's process, beyond its result."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import random
import signal
import sys
import threading
import warnings
from collections import Counter

import numpy as np
import sklearn
from threadpoolctl import threadpool_info


def global_state():
    """What a fit could change in the caller's process, beyond its result."""
    state = {
        "numpy's global RNG": np.random.get_state()[1].tobytes(),
        "Python's random": random.getstate(),
        "warnings.filters": list(warnings.filters),
        "sklearn.get_config()": sklearn.get_config(),
        "np.geterr()": np.geterr(),
        "np.get_printoptions()": np.get_printoptions(),
        "the SIGINT handler": signal.getsignal(signal.SIGINT),
        "the SIGTERM handler": signal.getsignal(signal.SIGTERM),
        "the working directory": os.getcwd(),
        "sys.path": list(sys.path),
        "os.environ": dict(os.environ),
        "the thread pools' limits": _thread_limits(),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        state["torch's global RNG"] = torch.get_rng_state().numpy().tobytes()
        state["torch.initial_seed()"] = torch.initial_seed()
        state["torch.get_num_threads()"] = torch.get_num_threads()
        state["torch.get_default_dtype()"] = torch.get_default_dtype()
        state["torch.is_grad_enabled()"] = torch.is_grad_enabled()
        state["torch.are_deterministic_algorithms_enabled()"] = (
            torch.are_deterministic_algorithms_enabled()
        )
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        # copy() reads the backend as set: reading it as rcParams["backend"]
        # would choose one, and import pyplot, where none is chosen yet.
        state["matplotlib.rcParams"] = dict(matplotlib.rcParams.copy())
    return state


def open_resources():
    """The names of the Python threads and the count of open file descriptors.

    The descriptors are counted where ``/proc/self/fd`` lists them (Linux).
    """
    resources = {"threads": Counter(t.name for t in threading.enumerate())}
    if os.path.isdir("/proc/self/fd"):
        resources["open file descriptors"] = len(os.listdir("/proc/self/fd"))
    return resources


def resources_left(before, after):
    """What ``after`` holds more of than ``before`` (two :func:`open_resources`).

    Only what was added counts: a thread of another library that ended
    meanwhile (the pool of an idle executor) is no leak.
    """
    left = {}
    threads = after["threads"] - before["threads"]
    if threads:
        left["threads"] = sorted(threads.elements())
    key = "open file descriptors"
    if key in before and after[key] > before[key]:
        left[key] = after[key] - before[key]
    return left


def _thread_limits():
    """The thread limit of each BLAS and OpenMP library loaded, by its file."""
    return {info["filepath"]: info["num_threads"] for info in threadpool_info()}


def first_torch_step():
    """One optimizer step, after which torch has imported what it imports lazily.

    On its first step ``torch.optim`` imports torch's compiler, which sets an
    environment variable and a warning filter once: torch's doing, not the
    estimator's.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return
    with torch.random.fork_rng(devices=[]):
        layer = torch.nn.Linear(1, 1)
        optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
        layer(torch.ones(1, 1)).sum().backward()
        optimizer.step()


def reseed_global_streams(seed):
    """Set numpy's, Python's and torch's global streams to a state of ``seed``.

    Each fit then starts from its own global state, so that one which reseeds
    a global stream (to the same state on every fit) is caught.
    """
    np.random.seed(seed)
    random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
