"""``python -m ltlearn``: the command line."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

from ltlearn.cli import main

if __name__ == "__main__":
    sys.exit(main())
