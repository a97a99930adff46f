"""Preprocessing of feature matrices: per-speaker normalisation."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.preprocessing._speaker import SpeakerNormalizer

__all__ = ["SpeakerNormalizer"]
