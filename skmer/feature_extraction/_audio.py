"""Audio extractors' shared code: decoding, windowing, mel spectrogram."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from skmer.feature_extraction._base import _MediaExtractor
from skmer.feature_extraction._spectral import mel_basis, power_spectrogram
from skmer.io import _read_audio


class _MelExtractor(_MediaExtractor):
    """Base class of the extractors of mel-spectrogram matrices.

    Decodes each file's sound (or takes waveforms, one per row), keeps the
    part that fits ``n_frames`` analysis frames, computes its mel power
    spectrogram and passes it to ``_from_mel(mel)``, which returns
    the ``(_n_bands, n_frames')`` matrix; the matrix is zero-padded to
    ``n_frames`` columns and flattened. Subclasses set ``_prefix`` (of the
    feature names), the ``_n_bands`` property and store the parameters of
    ``_parameter_constraints``.
    """

    _parameter_constraints: dict = {
        **_MediaExtractor._parameter_constraints,
        "n_frames": [Interval(Integral, 1, None, closed="left")],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "align": [StrOptions({"center", "start"})],
    }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input; the extractor learns nothing from data.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_audio_samples)
            File paths, or waveforms sampled at ``sr`` Hz.
        y : None
            Not used, present here for API consistency by convention.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        self._check_params()
        if _holds_paths(X):
            self._validate_paths(X, reset=True)
        else:
            validate_data(self, X, dtype=np.float32, reset=True)
        return self

    def transform(self, X):
        """Compute the matrix of each file or waveform.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_audio_samples)
            Paths of audio or video files (list, 1-D array, pandas Series or
            one-column DataFrame), or waveforms sampled at ``sr`` Hz.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_bands * n_frames)
            Flattened matrices (``n_bands`` is ``n_mfcc`` or ``n_mels``),
            float32.
        """
        if _holds_paths(X):
            paths = self._check_transform_input(X)
            self._check_params()
            return self._transform_paths(paths)[0]
        check_is_fitted(self)
        self._validate_params()
        self._check_params()
        waveforms = validate_data(self, X, dtype=np.float32, reset=False)
        X_new = np.empty((len(waveforms), self._n_features_out()), dtype=np.float32)
        for row, y in enumerate(waveforms):
            X_new[row] = self._matrix(y)
        return X_new

    def _feature_names(self):
        # ``{prefix}{band}_t{frame}``, zero-padded to sort in column order.
        n_bands = self._n_bands
        c_width = max(len(str(n_bands - 1)), 2)
        t_width = max(len(str(self.n_frames - 1)), 3)
        return [
            f"{self._prefix}{c:0{c_width}d}_t{t:0{t_width}d}"
            for c in range(n_bands)
            for t in range(self.n_frames)
        ]

    def _check_params(self):
        fmax = self.sr / 2 if self.fmax is None else self.fmax
        if fmax > self.sr / 2:
            raise ValueError(
                f"fmax must be at most sr / 2 = {self.sr / 2:g} Hz; got {fmax!r}."
            )
        if self.fmin >= fmax:
            raise ValueError(
                f"fmin must be below fmax ({fmax:g} Hz); got {self.fmin!r}."
            )

    def _n_features_out(self):
        return self._n_bands * self.n_frames

    @property
    def _window(self):
        """Samples that give exactly ``n_frames`` centred analysis frames."""
        return (self.n_frames - 1) * self.hop_length

    def _extract_file(self, path):
        return {"X": self._matrix(self._decode(path))}

    def _decode(self, path):
        """Decode the audio the matrix needs: the window, with one opening."""
        window = self._window
        offsets = []

        def centred_offset(duration):
            offset = 0.0
            if self.align == "center" and duration is not None:
                # Start at the sample where a centre crop of the whole waveform
                # starts, so that a path and its decoded waveform give the same
                # matrix.
                start = (int(round(duration * self.sr)) - window) // 2
                offset = max(start, 0) / self.sr
            offsets.append(offset)
            return offset

        # Decode a little more than the window: container durations are
        # approximate, and the crop below makes the length exact. The file is
        # opened once: its declared duration places the window.
        y = _read_audio(
            path, sr=self.sr, offset=centred_offset, duration=window / self.sr + 0.1
        )
        offset = offsets[0]
        if offset > 0:
            # Decoding began at the centred window: keep it from there, as a
            # centre crop of ``y`` would shift it by half the extra decoded.
            y = y[:window]
        return y

    def _matrix(self, y):
        """Crop or pad ``y``'s matrix to ``n_frames`` columns, flattened."""
        window = self._window
        if len(y) > window:
            start = (len(y) - window) // 2 if self.align == "center" else 0
            y = y[start : start + window]
        out = np.zeros((self._n_bands, self.n_frames), dtype=np.float32)
        if len(y) == 0:
            return out.ravel()
        # The steps are librosa.feature.melspectrogram's (power spectrogram,
        # Slaney mel bank), in float64, with NumPy and SciPy (see _spectral).
        power = power_spectrogram(y, n_fft=self.n_fft, hop_length=self.hop_length)
        mel = mel_basis(self.sr, self.n_fft, self.n_mels, self.fmin, self.fmax) @ power
        matrix = self._from_mel(mel)[:, : self.n_frames]
        # Zero-pad the matrix, not the waveform: the log-mel of digital
        # silence depends on each clip's peak level, zeros do not.
        start = (self.n_frames - matrix.shape[1]) // 2 if self.align == "center" else 0
        out[:, start : start + matrix.shape[1]] = matrix
        return out.ravel()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        # Paths come as a 1-D array of strings (the string tag); a 1-D numeric
        # array is not a waveform matrix, and the scikit-learn checks feed one
        # to estimators that claim one_d_array.
        tags.input_tags.one_d_array = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _holds_paths(X):
    """Whether X is a column of paths rather than a numeric waveform matrix.

    The first element decides: pandas 3 stores text in a string dtype that is
    not ``object``, and an object array can hold numbers (waveforms).
    """
    if isinstance(X, (str, bytes, os.PathLike)):
        # A single path: the path validation explains how to wrap it.
        return True
    if hasattr(X, "iloc"):
        if X.size == 0:
            return False
        first = X.iloc[(0,) * X.ndim]
    elif hasattr(X, "dtype") and hasattr(X, "shape"):
        if X.dtype.kind in "SU":
            return True
        if X.dtype != object or X.size == 0:
            return False
        first = np.asarray(X).flat[0]
    elif isinstance(X, (list, tuple)) and len(X):
        first = X[0]
    else:
        return False
    return isinstance(first, (str, bytes, os.PathLike))
