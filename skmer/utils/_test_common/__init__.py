"""Helpers of skmer's common estimator tests; not part of the public API."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause
