"""MFCCExtractor: audio or video files (or waveforms) in, MFCC matrices out."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from skmer.feature_extraction._base import _MediaExtractor
from skmer.io import _read_audio
from skmer.utils._optional import import_optional


class MFCCExtractor(_MediaExtractor):
    """Compute a fixed-size MFCC matrix from the sound of each file.

    Each file's audio track is decoded to mono at ``sr`` Hz and the part that
    fits ``n_frames`` analysis frames is kept: a longer clip is cropped (in
    the middle by default), a shorter one gives fewer frames and the MFCC
    matrix is zero-padded. Only the kept part of a long file is decoded.

    The input can also be a 2-D array of waveforms sampled at ``sr`` Hz, one
    per row, which is how the extractor is used on audio already in memory.

    Read more in the :ref:`User Guide <audio_extraction>`.

    Parameters
    ----------
    n_mfcc : int, default=40
        Number of cepstral coefficients (rows of the MFCC matrix).
    n_frames : int, default=128
        Number of analysis frames (columns). With the other defaults, 128
        frames cover 2.97 s of sound.
    sr : int, default=22050
        Sample rate in Hz that audio is resampled to before analysis.
    n_fft : int, default=2048
        FFT window length in samples.
    hop_length : int, default=512
        Samples between successive frames.
    n_mels : int, default=128
        Number of mel bands the MFCCs are computed from.
    fmin : float, default=0.0
        Lowest frequency (Hz) of the mel filter bank.
    fmax : float, default=None
        Highest frequency (Hz) of the mel filter bank; None means ``sr / 2``.
    align : {'center', 'start'}, default='center'
        Which part of a long clip is kept, and where a short clip's MFCC
        matrix sits in the padded output: in the middle, or from the start
        (padding at the end).
    on_error : {'raise', 'skip'}, default='raise'
        What to do with a file that cannot be read (missing, a directory,
        empty, not media, corrupt or truncated, or without the stream
        needed). ``'raise'`` raises the error, which names the file. ``'skip'``
        fills the file's row with NaN, so rows stay aligned with ``y``, and
        emits one :class:`~skmer.exceptions.SkippedFilesWarning` per call that
        lists the skipped files and why. Failures are not cached.
    n_jobs : int, default=None
        Number of files processed in parallel with joblib. None means 1
        unless in a :func:`joblib.parallel_config` context; -1 uses all
        processors.
    cache_dir : str or path-like, default=None
        Directory of a per-file cache of MFCC matrices, keyed on the file's
        path, size and modification time and on the parameters that change
        the output. Used for path input only. None disables caching.
    verbose : int, default=0
        Show a progress bar when positive.

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns seen in :term:`fit`: 1 for paths, the
        waveform length for waveforms.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the input columns, when fitted on a pandas DataFrame.

    See Also
    --------
    FaceExtractor : The face block from the same files.
    skmer.io.load_audio : The audio decoder used here.
    librosa.feature.mfcc : The MFCC computation.

    Notes
    -----
    The output of one file is the C-order flattening of an array of shape
    ``(n_mfcc, n_frames)``. The coefficients are not standardised: put a
    :class:`~sklearn.preprocessing.StandardScaler` on this block in the
    pipeline, so that its statistics are learnt on training folds only.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.feature_extraction import MFCCExtractor
    >>> rng = np.random.default_rng(0)
    >>> waveforms = rng.normal(scale=0.1, size=(3, 22050)).astype(np.float32)
    >>> X = MFCCExtractor(n_mfcc=13, n_frames=32).fit_transform(waveforms)
    >>> X.shape, X.dtype
    ((3, 416), dtype('float32'))
    >>> MFCCExtractor(n_mfcc=13, n_frames=32).get_feature_names_out()[:2]
    array(['mfcc00_t000', 'mfcc00_t001'], dtype=object)
    """

    _parameter_constraints: dict = {
        **_MediaExtractor._parameter_constraints,
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "n_frames": [Interval(Integral, 1, None, closed="left")],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "align": [StrOptions({"center", "start"})],
    }

    # 2: the centred window of a file starts where the centre crop of its
    # whole waveform starts (it was half a decoding margin later), and the
    # MFCCs are computed in float64.
    _code_version = 2

    def __init__(
        self,
        n_mfcc=40,
        *,
        n_frames=128,
        sr=22050,
        n_fft=2048,
        hop_length=512,
        n_mels=128,
        fmin=0.0,
        fmax=None,
        align="center",
        on_error="raise",
        n_jobs=None,
        cache_dir=None,
        verbose=0,
    ):
        self.n_mfcc = n_mfcc
        self.n_frames = n_frames
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.align = align
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.cache_dir = cache_dir
        self.verbose = verbose

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
        """Compute the MFCC matrix of each file or waveform.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_audio_samples)
            Paths of audio or video files (list, 1-D array, pandas Series or
            one-column DataFrame), or waveforms sampled at ``sr`` Hz.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_mfcc * n_frames)
            Flattened MFCC matrices, float32.
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
            X_new[row] = self._mfcc(y)
        return X_new

    def get_feature_names_out(self, input_features=None):
        """Get output feature names: ``mfcc{coefficient}_t{frame}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``; the names of the
            output do not depend on it.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column, e.g. ``mfcc03_t012``.
        """
        # The names do not depend on the input, and the extractor works
        # unfitted (requires_fit is False): do not require n_features_in_.
        _check_feature_names_in(self, input_features, generate_names=False)
        c_width = max(len(str(self.n_mfcc - 1)), 2)
        t_width = max(len(str(self.n_frames - 1)), 3)
        names = [
            f"mfcc{c:0{c_width}d}_t{t:0{t_width}d}"
            for c in range(self.n_mfcc)
            for t in range(self.n_frames)
        ]
        return np.asarray(names, dtype=object)

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
        return self.n_mfcc * self.n_frames

    @property
    def _window(self):
        """Samples that give exactly ``n_frames`` centred analysis frames."""
        return (self.n_frames - 1) * self.hop_length

    def _extract_file(self, path):
        return {"X": self._mfcc(self._decode(path))}

    def _decode(self, path):
        """Decode the audio the MFCCs need: the window, with one opening."""
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

    def _mfcc(self, y):
        """Crop or pad ``y``'s MFCC matrix to ``n_frames`` columns, flattened."""
        librosa = import_optional("librosa", "audio", caller="MFCCExtractor")
        window = self._window
        if len(y) > window:
            start = (len(y) - window) // 2 if self.align == "center" else 0
            y = y[start : start + window]
        out = np.zeros((self.n_mfcc, self.n_frames), dtype=np.float32)
        if len(y) == 0:
            return out.ravel()
        # The steps are librosa.feature.mfcc's (power spectrogram, Slaney mel
        # bank, dB, orthonormal DCT-II), in float64. The filter bank is built
        # once and kept sparse (each band spans a few FFT bins, 2 % of the
        # matrix), and projected by a single-threaded sparse product: a BLAS
        # product is slower (np.dot on 2 threads spins idle when the cores are
        # busy, tripling the time per clip) and its rounding depends on the
        # number of BLAS threads, which joblib workers limit.
        power = (
            np.abs(
                librosa.stft(
                    np.ascontiguousarray(y, dtype=np.float64),
                    n_fft=self.n_fft,
                    hop_length=self.hop_length,
                    pad_mode="constant",
                )
            )
            ** 2
        )
        mel = _mel_basis(self.sr, self.n_fft, self.n_mels, self.fmin, self.fmax) @ power
        mfcc = librosa.get_fftlib().dct(
            librosa.power_to_db(mel), axis=-2, type=2, norm="ortho"
        )[: self.n_mfcc, : self.n_frames]
        # Zero-pad the matrix, not the waveform: the log-mel of digital
        # silence depends on each clip's peak level, zeros do not.
        start = (self.n_frames - mfcc.shape[1]) // 2 if self.align == "center" else 0
        out[:, start : start + mfcc.shape[1]] = mfcc
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


@functools.lru_cache(maxsize=8)
def _mel_basis(sr, n_fft, n_mels, fmin, fmax):
    """Slaney mel filter bank as librosa builds it: float64, sparse rows."""
    import librosa
    from scipy.sparse import csr_array

    basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    return csr_array(basis.astype(np.float64))


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
