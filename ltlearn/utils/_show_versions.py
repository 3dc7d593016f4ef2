"""Print the versions of the system, ltlearn and its dependencies."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

# ltlearn's dependencies (pyproject.toml), then the optional ones: the ``deep``
# extra (torch, skorch), ``plot`` (matplotlib), data frames and Parquet files
# (pandas, pyarrow) and ``distributed`` (dask). Read from the installed
# metadata, never imported: ``show_versions`` does not import torch.
_DEPENDENCIES = [
    "pip",
    "setuptools",
    "numpy",
    "scipy",
    "scikit-learn",
    "imbalanced-learn",
    "sklearn-compat",
    "joblib",
    "threadpoolctl",
]
_OPTIONAL_DEPENDENCIES = [
    "torch",
    "skorch",
    "matplotlib",
    "pandas",
    "pyarrow",
    "dask",
    "distributed",
]


def _get_sys_info():
    """The Python version, its executable and the platform."""
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _get_deps_info(packages):
    """The installed version of each of ``packages``, ``None`` if absent."""
    info = {}
    for package in packages:
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = None
    return info


def _get_threadpool_info():
    """The BLAS and OpenMP thread pools loaded in this process."""
    from threadpoolctl import threadpool_info

    return threadpool_info()


def show_versions(github=False):
    """Print the versions of the system, ltlearn and its dependencies.

    What to paste in a bug report: the Python version and platform, the
    version of ltlearn, of its dependencies and of its optional dependencies
    (``None`` for one that is not installed), and the BLAS and OpenMP thread
    pools in use, as :func:`sklearn.show_versions` and
    :func:`imblearn.show_versions` print them. The versions are read from the
    installed packages' metadata: no optional dependency is imported (torch
    neither).

    Also available as ``ltlearn.show_versions``.

    .. versionadded:: 0.1

    Parameters
    ----------
    github : bool, default=False
        Print the system and dependency information as a collapsed Markdown
        block (``<details>``) to paste into a GitHub issue, as
        :func:`imblearn.show_versions` does; the thread pools are then left
        out.

    See Also
    --------
    sklearn.show_versions : The same for scikit-learn.
    imblearn.show_versions : The same for imbalanced-learn.

    Examples
    --------
    >>> import ltlearn
    >>> ltlearn.show_versions()  # doctest: +ELLIPSIS
    <BLANKLINE>
    System:
    ...
    Python dependencies:
        ltlearn: ...
    ...
         torch: ...
    ...
    """
    from ltlearn import __version__

    sections = [
        ("System", _get_sys_info()),
        (
            "Python dependencies",
            {"ltlearn": __version__, **_get_deps_info(_DEPENDENCIES)},
        ),
        ("Optional dependencies", _get_deps_info(_OPTIONAL_DEPENDENCIES)),
    ]
    if github:
        blocks = [
            f"**{title}**\n\n"
            + "".join(f"* {key:<16}: `{value}`\n" for key, value in info.items())
            for title, info in sections
        ]
        print(
            "<details>\n<summary>System, Dependency Information</summary>\n\n"
            + "\n".join(blocks)
            + "\n</details>"
        )
        return

    for title, info in sections:
        print(f"\n{title}:")
        for key, value in info.items():
            print(f"{key:>16}: {value}")
    pools = _get_threadpool_info()
    if pools:
        print("\nthreadpoolctl info:")
        for i, pool in enumerate(pools):
            if i:
                print()
            for key, value in pool.items():
                print(f"{key:>16}: {value}")
