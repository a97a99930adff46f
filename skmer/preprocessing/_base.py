"""What the normalizers of flattened spectrograms share: input checks, tags."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data


def _check_n_frames(n_frames, n_features):
    """Raise unless rows of n_features read as (n_bands, n_frames) matrices."""
    if n_frames is not None and n_features % n_frames:
        raise ValueError(
            f"n_frames={n_frames} must divide the number of columns of X, read "
            f"as flattened (n_bands, n_frames) matrices; got {n_features} columns."
        )


def _standardise(block, axis, with_std):
    """Centre block over axis and, with with_std, scale it to unit variance.

    Slices that are constant along axis become 0 rather than a division by
    zero.
    """
    block = block - block.mean(axis=axis, keepdims=True)
    if with_std:
        std = block.std(axis=axis, keepdims=True)
        std[std == 0] = 1.0
        block /= std
    return block


class _FrameNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class of the normalizers, which learn nothing in ``fit``.

    Subclasses store ``n_frames`` and ``with_std`` (with their other
    parameters) and implement ``transform``, which standardises float64 or
    float32 rows with statistics of the data it is given.
    """

    _parameter_constraints: dict = {
        "n_frames": [Interval(Integral, 1, None, closed="left"), None],
        "with_std": ["boolean"],
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check X; nothing is learnt.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Flattened spectrograms, one per row.
        y : None
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=True)
        _check_n_frames(self.n_frames, X.shape[1])
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
