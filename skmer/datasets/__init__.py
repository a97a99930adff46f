"""Dataset loaders, downloaders and the embedded synthetic clips."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause
