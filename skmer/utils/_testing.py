"""Fast extractor settings for the tests on media.

The estimator checks' settings are in ``skmer.utils._test_common``.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# Small extractor settings that keep tests on media fast, by class name.
FAST_EXTRACTOR_PARAMS = {
    "FaceExtractor": {"size": 16, "detector": "haar", "on_no_face": "ignore"},
    "MFCCExtractor": {"n_mfcc": 5, "n_frames": 8, "n_fft": 512, "hop_length": 256},
}


def fast_extractor(cls, **params):
    """Return ``cls`` with the fast test settings, overridden by ``params``."""
    return cls(**{**FAST_EXTRACTOR_PARAMS[cls.__name__], **params})
