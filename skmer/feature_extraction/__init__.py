"""Feature extraction: media files in, fixed-size numeric feature blocks out."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.feature_extraction._face import FaceExtractor
from skmer.feature_extraction._logmel import LogMelExtractor
from skmer.feature_extraction._mfcc import MFCCExtractor

__all__ = ["FaceExtractor", "LogMelExtractor", "MFCCExtractor"]
