"""Utilities shared by skmer's modules."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause
