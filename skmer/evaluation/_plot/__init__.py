"""The Displays of skmer.evaluation, one per module: they plot given numbers."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause
