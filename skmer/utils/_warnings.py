"""Point skmer's warnings at the user's line, above library frames."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import sys

import joblib
import sklearn

import skmer

# Frames from these folders are skipped when a warning names its caller: the
# user's line is above skmer's and scikit-learn's wrappers (set_output,
# Pipeline) and joblib's (ColumnTransformer and FeatureUnion run through it).
_LIBRARY_DIRS = tuple(
    os.path.dirname(module.__file__) + os.sep for module in (joblib, sklearn, skmer)
)


def caller_stacklevel():
    """Return the ``stacklevel`` that points a warning at the first outside caller."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame, level = frame.f_back, level + 1
    return level
