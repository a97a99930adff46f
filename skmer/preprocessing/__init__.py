"""Preprocessing of feature matrices: per-speaker and per-clip normalisation."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.preprocessing._speaker import SpeakerNormalizer
from skmer.preprocessing._utterance import UtteranceNormalizer

__all__ = ["SpeakerNormalizer", "UtteranceNormalizer"]
