"""Run the skmer command line interface with ``python -m skmer``."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import sys

from skmer.cli import main

if __name__ == "__main__":
    sys.exit(main())
