"""SpeakerNormalizer: standardise each speaker's features with its own statistics."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from skmer.preprocessing._base import _check_n_frames, _FrameNormalizer, _standardise

__all__ = ["SpeakerNormalizer"]


class SpeakerNormalizer(_FrameNormalizer):
    """Standardise each speaker's features with that speaker's statistics.

    Every column is centred (and scaled to unit variance) separately within
    the rows of each speaker, using the mean and standard deviation of that
    speaker's rows in the data being transformed. What is left is how a
    clip differs from the speaker's usual voice, which removes much of the
    difference between speakers (pitch, timbre, recording level).

    Read more in the :ref:`User Guide <speaker_normalization>`.

    Parameters
    ----------
    with_std : bool, default=True
        Scale each speaker's columns to unit variance too; with False, only
        centre them.
    min_samples_per_speaker : int, default=2
        Fewest rows a speaker may have in ``transform``. With fewer, the
        statistics are those of the clip itself (a single clip becomes all
        zeros) and ``transform`` raises.

    n_frames : int or None, default=None
        ``None`` standardises every column on its own. An int reads each row
        as the C-order flattening of a ``(n_bands, n_frames)`` matrix, as
        :class:`~skmer.feature_extraction.LogMelExtractor` and
        :class:`~skmer.feature_extraction.MFCCExtractor` make them, and pools
        each speaker's statistics over the frames of each band: one mean and
        standard deviation per band and speaker, estimated from all the
        speaker's frames instead of one value per clip. The number of
        columns must be a multiple of ``n_frames``.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when X has feature names
        that are all strings.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : One set of statistics for all
        speakers, learnt on the training data.

    Notes
    -----
    **It needs the speakers at prediction time, and several clips of each.**
    ``transform`` takes ``groups``, the speaker of each row, and
    standardises the test speakers with statistics of their own test clips:
    nothing is learnt in ``fit``, so unseen speakers are fine, but a
    speaker's clips must be transformed together, and there must be enough
    of them, in a mix of emotions, for their mean to be the speaker's
    neutral voice. That holds for an enrolment session or a corpus, not for
    one clip from an unknown speaker.

    **When it is fair.** The speaker's statistics are taken over the clips
    being classified, so they carry information about the other test clips.
    When every speaker has about the same number of clips of each emotion,
    normalising turns the task into ranking a speaker's clips against each
    other, which the real task is not: on CREMA-D clips where every actor
    has exactly one clip of each of three emotions, an SVM on MFCC
    statistics goes from 78 % to 96 % accuracy with it (speaker-independent
    folds). Use it on corpora where
    a speaker's clips do not form a known, balanced set of emotions (EmoDB's
    speakers recorded different numbers of each emotion), and report results
    with and without it.

    **Passing the speakers.** In a plain call, pass ``groups`` to ``fit``,
    ``transform`` and ``fit_transform``. Inside a
    :class:`~sklearn.pipeline.Pipeline`, enable metadata routing and request
    it: ``sklearn.set_config(enable_metadata_routing=True)`` and
    ``SpeakerNormalizer().set_fit_request(groups=True)
    .set_transform_request(groups=True)``, then pass ``groups=...`` to the
    pipeline's ``fit`` and ``predict``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.preprocessing import SpeakerNormalizer
    >>> X = np.array([[1.0, 10.0], [3.0, 30.0], [100.0, 5.0], [300.0, 7.0]])
    >>> speakers = ["a", "a", "b", "b"]
    >>> SpeakerNormalizer().fit_transform(X, groups=speakers)
    array([[-1., -1.],
           [ 1.,  1.],
           [-1., -1.],
           [ 1.,  1.]])
    """

    _parameter_constraints: dict = {
        **_FrameNormalizer._parameter_constraints,
        "min_samples_per_speaker": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, with_std=True, min_samples_per_speaker=2, n_frames=None):
        self.with_std = with_std
        self.min_samples_per_speaker = min_samples_per_speaker
        self.n_frames = n_frames

    def fit(self, X, y=None, groups=None):
        """Check X; the statistics are the transformed speakers' own.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature rows.
        y : None
            Not used, present here for API consistency by convention.
        groups : array-like of shape (n_samples,), default=None
            Speaker of each row. Not used: accepted so that the same
            ``groups`` can be passed to every step.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        return super().fit(X, y)

    def transform(self, X, groups=None):
        """Standardise the rows of each speaker with their own statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature rows.
        groups : array-like of shape (n_samples,)
            Speaker of each row. Required.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Each speaker's rows, centred (and scaled) column by column.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=[np.float64, np.float32], copy=True
        )
        if groups is None:
            raise ValueError(
                "SpeakerNormalizer.transform needs groups, the speaker of each "
                "row: it standardises each speaker's rows with their own "
                "statistics. Pass groups=speaker_ids (in a Pipeline, enable "
                "metadata routing and set_transform_request(groups=True))."
            )
        groups = np.asarray(groups)
        if groups.shape != (X.shape[0],):
            raise ValueError(
                f"groups must have one speaker per row of X, shape "
                f"({X.shape[0]},); got shape {groups.shape}."
            )
        speakers, inverse, counts = np.unique(
            groups, return_inverse=True, return_counts=True
        )
        few = speakers[counts < self.min_samples_per_speaker]
        if len(few):
            raise ValueError(
                f"SpeakerNormalizer needs at least min_samples_per_speaker="
                f"{self.min_samples_per_speaker} rows of each speaker in the "
                f"data it transforms; {len(few)} speaker(s) have fewer: "
                f"{few[:5].tolist()}. The statistics come from the speaker's own "
                "clips, so transform all of a speaker's clips together."
            )
        _check_n_frames(self.n_frames, X.shape[1])
        # Statistics per column, or per band pooled over its frames: the
        # axes of the reshaped block that they are taken over.
        if self.n_frames is None:
            shape, axes = X.shape[1:], 0
        else:
            shape, axes = (X.shape[1] // self.n_frames, self.n_frames), (0, 2)
        for index in range(len(speakers)):
            rows = inverse == index
            block = _standardise(X[rows].reshape(-1, *shape), axes, self.with_std)
            X[rows] = block.reshape(len(block), -1)
        return X

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then standardise the rows of each speaker.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature rows.
        y : None
            Not used, present here for API consistency by convention.
        groups : array-like of shape (n_samples,)
            Speaker of each row. Required.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Each speaker's rows, centred (and scaled) column by column.
        """
        return self.fit(X, y, groups=groups).transform(X, groups=groups)
