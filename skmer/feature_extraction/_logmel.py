"""LogMelExtractor: audio or video files (or waveforms) in, log-mel out."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.feature_extraction._audio import _MelExtractor
from skmer.feature_extraction._spectral import power_to_db


class LogMelExtractor(_MelExtractor):
    """Compute a fixed-size log-mel spectrogram from the sound of each file.

    Each file's audio track is decoded to mono at ``sr`` Hz and the part that
    fits ``n_frames`` analysis frames is kept: a longer clip is cropped (in
    the middle by default), a shorter one gives fewer frames and the
    spectrogram is zero-padded. Only the kept part of a long file is decoded.

    The input can also be a 2-D array of waveforms sampled at ``sr`` Hz, one
    per row, which is how the extractor is used on audio already in memory.

    Read more in the :ref:`User Guide <speech_zoo>`.

    Parameters
    ----------
    n_mels : int, default=64
        Number of mel bands (rows of the spectrogram).
    n_frames : int, default=128
        Number of analysis frames (columns). With the other defaults, 128
        frames cover 2.97 s of sound.
    sr : int, default=22050
        Sample rate in Hz that audio is resampled to before analysis.
    n_fft : int, default=2048
        FFT window length in samples.
    hop_length : int, default=512
        Samples between successive frames.
    fmin : float, default=0.0
        Lowest frequency (Hz) of the mel filter bank.
    fmax : float, default=None
        Highest frequency (Hz) of the mel filter bank; None means ``sr / 2``.
    align : {'center', 'start'}, default='center'
        Which part of a long clip is kept, and where a short clip's
        spectrogram sits in the padded output: in the middle, or from the start
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
        Directory of a per-file cache of spectrograms, keyed on the file (see
        ``cache_key``) and on the parameters that change the output. Used for
        path input only. None disables caching.
    cache_key : {'stat', 'content'}, default='stat'
        What identifies a file in the cache: ``'stat'``, its absolute path,
        size and modification time (a file replaced by another of the same
        size and time keeps the old spectrograms); ``'content'``, a hash of its
        bytes (about 0.5 ms a clip). See :ref:`cache_keys`.
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
    MFCCExtractor : The cepstral coefficients of the same mel spectrogram.
    skmer.io.load_audio : The audio decoder used here.
    librosa.feature.melspectrogram : The mel spectrogram.

    Notes
    -----
    The output of one file is the C-order flattening of an array of shape
    ``(n_mels, n_frames)``: ``librosa.power_to_db`` of the power mel
    spectrogram (Slaney filter bank), in dB relative to 1.0 and floored 80 dB
    below the clip's peak, as ``librosa.power_to_db(
    librosa.feature.melspectrogram(y=y, sr=sr, ...))`` gives it. The frames
    missing from a short clip are 0 (not the clip's floor). The values are
    not standardised: put a :class:`~sklearn.preprocessing.StandardScaler`
    (or :class:`~skmer.preprocessing.SpeakerNormalizer`) on this block in
    the pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.feature_extraction import LogMelExtractor
    >>> rng = np.random.default_rng(0)
    >>> waveforms = rng.normal(scale=0.1, size=(3, 22050)).astype(np.float32)
    >>> X = LogMelExtractor(n_mels=16, n_frames=32).fit_transform(waveforms)
    >>> X.shape, X.dtype
    ((3, 512), dtype('float32'))
    >>> LogMelExtractor(n_mels=16, n_frames=32).get_feature_names_out()[:2]
    array(['logmel00_t000', 'logmel00_t001'], dtype=object)
    """

    _parameter_constraints: dict = {**_MelExtractor._parameter_constraints}

    _prefix = "logmel"

    def __init__(
        self,
        n_mels=64,
        *,
        n_frames=128,
        sr=22050,
        n_fft=2048,
        hop_length=512,
        fmin=0.0,
        fmax=None,
        align="center",
        on_error="raise",
        n_jobs=None,
        cache_dir=None,
        cache_key="stat",
        verbose=0,
    ):
        self.n_mels = n_mels
        self.n_frames = n_frames
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.fmin = fmin
        self.fmax = fmax
        self.align = align
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.cache_dir = cache_dir
        self.cache_key = cache_key
        self.verbose = verbose

    @property
    def _n_bands(self):
        return self.n_mels

    def _from_mel(self, mel):
        """Return the mel power spectrogram in dB, as librosa.power_to_db."""
        return power_to_db(mel)
