"""Mel spectrograms with NumPy and SciPy, as librosa computes them.

The audio extractors need four steps of librosa: the centred STFT, the Slaney
mel filter bank, ``power_to_db`` and the orthonormal DCT. Each is a few lines
of NumPy or SciPy, and writing them here keeps librosa out of the process:
its import compiles numba code, which costs a fresh installation tens of
seconds. The steps follow librosa 0.11 operation for operation, so the
values agree with it to rounding (the tests compare them).
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import warnings

import numpy as np
import scipy.fft
import scipy.signal
from scipy.sparse import csr_array


def power_spectrogram(y, *, n_fft, hop_length):
    """Return ``|STFT|**2`` of ``y``, of shape ``(1 + n_fft // 2, n_frames)``.

    As ``np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length,
    pad_mode="constant")) ** 2``: periodic Hann window, frames centred on
    multiples of ``hop_length`` with ``n_fft // 2`` zeros padded at each end.
    """
    y = np.pad(np.asarray(y, dtype=np.float64), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop_length]
    spectrum = scipy.fft.rfft(_hann(n_fft) * frames, axis=-1)
    return (np.abs(spectrum) ** 2).T


def mel_basis(sr, n_fft, n_mels, fmin, fmax):
    """Slaney mel filter bank as ``librosa.filters.mel``: float64, sparse rows.

    Each band spans a few FFT bins (2 % of the matrix), so it is kept sparse
    and applied by a single-threaded sparse product, whose rounding does not
    depend on the number of BLAS threads.
    """
    return _mel_basis(float(sr), int(n_fft), int(n_mels), float(fmin), fmax)


@functools.lru_cache(maxsize=8)
def _mel_basis(sr, n_fft, n_mels, fmin, fmax):
    if fmax is None:
        fmax = sr / 2
    # librosa builds the bank in float32 (its default dtype).
    weights = np.zeros((n_mels, 1 + n_fft // 2), dtype=np.float32)
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = _mel_to_hz(
        np.linspace(_hz_to_mel(fmin), _hz_to_mel(float(fmax)), n_mels + 2)
    )
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    if not np.all((mel_f[:-2] == 0) | (weights.max(axis=1) > 0)):
        warnings.warn(
            f"Empty filters in the mel filter bank ({n_mels} bands up to "
            f"{fmax:g} Hz for an FFT of {n_fft} points at {sr:g} Hz): some "
            "bands are always zero. Lower n_mels, or raise n_fft or fmax.",
            UserWarning,
            stacklevel=2,
        )
    return csr_array(weights.astype(np.float64))


# The Slaney mel scale: linear below 1 kHz, logarithmic above.
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def _hz_to_mel(hz):
    """Slaney mel of a frequency in Hz (a float)."""
    if hz >= _MIN_LOG_HZ:
        return _MIN_LOG_MEL + np.log(hz / _MIN_LOG_HZ) / _LOGSTEP
    return hz / _F_SP


def _mel_to_hz(mels):
    """Frequencies in Hz of an array of Slaney mels."""
    hz = _F_SP * mels
    high = mels >= _MIN_LOG_MEL
    hz[high] = _MIN_LOG_HZ * np.exp(_LOGSTEP * (mels[high] - _MIN_LOG_MEL))
    return hz


def power_to_db(power, *, amin=1e-10, top_db=80.0):
    """Decibels of a power spectrogram, as ``librosa.power_to_db`` (ref 1).

    Floored at ``amin`` and at ``top_db`` below the peak.
    """
    db = 10.0 * np.log10(np.maximum(amin, power))
    db -= 10.0 * np.log10(np.maximum(amin, 1.0))
    return np.maximum(db, db.max() - top_db)


def dct(x, axis=-2):
    """Orthonormal DCT-II along ``axis``, as ``librosa.feature.mfcc`` applies it."""
    return scipy.fft.dct(x, axis=axis, type=2, norm="ortho")


@functools.lru_cache(maxsize=8)
def _hann(n_fft):
    """Periodic Hann window of ``n_fft`` points (``fftbins=True``)."""
    return scipy.signal.get_window("hann", n_fft, fftbins=True)
