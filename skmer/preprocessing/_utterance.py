"""UtteranceNormalizer: standardise each clip's bands over its own frames."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from skmer.preprocessing._base import _FrameNormalizer, _standardise

__all__ = ["UtteranceNormalizer"]


class UtteranceNormalizer(_FrameNormalizer):
    """Standardise each clip's spectrogram bands over the clip's own frames.

    Each row is read as the C-order flattening of a ``(n_bands, n_frames)``
    matrix, as :class:`~skmer.feature_extraction.LogMelExtractor` and
    :class:`~skmer.feature_extraction.MFCCExtractor` make them, and every band
    is centred (and scaled to unit variance) with the mean and standard
    deviation of that band over the clip's frames: per-utterance mean and
    variance normalisation (cepstral mean and variance normalisation, CMVN,
    when the bands are MFCCs). It removes what is constant over a clip, such
    as the recording level, the channel and part of the speaker's timbre.

    Unlike :class:`~skmer.preprocessing.SpeakerNormalizer`, it needs nothing
    but the clip itself: no speaker ids, no other clips. It is as usable on a
    single clip from an unknown speaker as on a corpus, and it carries no
    information from one test clip to another. Nothing is learnt in
    ``fit``.

    Read more in the :ref:`User Guide <utterance_normalization>`.

    Parameters
    ----------
    n_frames : int or None, default=None
        Number of frames (columns) of each row's matrix. The number of
        columns of X must be a multiple of it. ``None`` takes one mean and
        standard deviation over the whole row instead of one per band.
    with_std : bool, default=True
        Scale each band to unit variance too; with False, only centre it.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when X has feature names
        that are all strings.

    See Also
    --------
    SpeakerNormalizer : Statistics per speaker, over all of a speaker's clips.
    sklearn.preprocessing.StandardScaler : Statistics per column, learnt on
        the training data.

    Notes
    -----
    A band that is constant over a clip (a silent clip, or the zero padding
    of a short one filling a whole band) becomes 0 rather than a division
    by zero. Zero-padded frames of a short clip count in its statistics.
    The output is usually followed by a
    :class:`~sklearn.preprocessing.StandardScaler`, which then standardises
    each matrix cell over the training clips.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.preprocessing import UtteranceNormalizer
    >>> X = np.array([[1.0, 3.0, 10.0, 30.0], [0.0, 4.0, 5.0, 5.0]])
    >>> UtteranceNormalizer(n_frames=2).fit_transform(X)
    array([[-1.,  1., -1.,  1.],
           [-1.,  1.,  0.,  0.]])
    """

    _parameter_constraints: dict = {**_FrameNormalizer._parameter_constraints}

    def __init__(self, *, n_frames=None, with_std=True):
        self.n_frames = n_frames
        self.with_std = with_std

    def transform(self, X):
        """Standardise each row's bands with the row's own statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Flattened spectrograms, one per row.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Each row's bands centred (and scaled) over the row's frames.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        n_frames = X.shape[1] if self.n_frames is None else self.n_frames
        block = _standardise(X.reshape(len(X), -1, n_frames), 2, self.with_std)
        return block.reshape(len(X), -1)
