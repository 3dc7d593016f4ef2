"""Docstring fragments shared by ltlearn's estimators."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

_random_state_docstring = """random_state : int, RandomState instance or None, default=None
        Controls the randomization of the algorithm. Pass an int for
        reproducible output across multiple function calls.""".rstrip()  # noqa: E501

_logit_adjustment_reference = """\
.. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and
       S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021."""

_n_jobs_docstring = """n_jobs : int, default=None
        Number of CPU cores used during the nearest-neighbour search. ``None``
        means 1 unless in a :obj:`joblib.parallel_backend` context. ``-1``
        means using all processors.""".rstrip()
