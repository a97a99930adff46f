"""The mel-spectrogram steps written with NumPy and SciPy, against librosa."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from skmer.feature_extraction import _spectral

librosa = pytest.importorskip("librosa")

SETTINGS = [
    # sr, n_fft, hop_length, n_mels, fmin, fmax, samples
    (22050, 2048, 512, 128, 0.0, None, 30_000),  # MFCCExtractor's defaults
    (16000, 1024, 256, 40, 80.0, 7600.0, 16_000),
    (8000, 512, 128, 16, 0.0, None, 2_432),
    (16000, 512, 160, 64, 0.0, None, 300),  # shorter than one FFT
    (44100, 4096, 1024, 96, 20.0, 11025.0, 44_101),  # odd length
]


@pytest.mark.parametrize("sr, n_fft, hop, n_mels, fmin, fmax, n", SETTINGS)
def test_each_step_is_librosas_to_the_bit(sr, n_fft, hop, n_mels, fmin, fmax, n, rng):
    y = rng.normal(scale=0.1, size=n)
    with warnings.catch_warnings():
        # librosa warns when the signal is shorter than n_fft.
        warnings.simplefilter("ignore", UserWarning)
        stft = librosa.stft(y, n_fft=n_fft, hop_length=hop, pad_mode="constant")
    power = _spectral.power_spectrogram(y, n_fft=n_fft, hop_length=hop)
    np.testing.assert_array_equal(power, np.abs(stft) ** 2)

    basis = _spectral.mel_basis(sr, n_fft, n_mels, fmin, fmax)
    expected = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax
    ).astype(np.float64)
    np.testing.assert_array_equal(basis.toarray(), expected)

    mel = basis @ power
    db = _spectral.power_to_db(mel)
    np.testing.assert_array_equal(db, librosa.power_to_db(mel))
    np.testing.assert_array_equal(
        _spectral.dct(db), librosa.get_fftlib().dct(db, axis=-2, type=2, norm="ortho")
    )


def test_silence_is_floored_like_librosa():
    power = np.zeros((4, 5))
    power[1, 2] = 1e-3
    np.testing.assert_array_equal(
        _spectral.power_to_db(power), librosa.power_to_db(power)
    )


def test_empty_mel_bands_are_reported():
    # As librosa: 128 bands on the 65 bins of a 128-point FFT leave some empty.
    _spectral._mel_basis.cache_clear()
    message = (
        "Empty filters in the mel filter bank (128 bands up to 4000 Hz for an "
        "FFT of 128 points at 8000 Hz): some bands are always zero. Lower "
        "n_mels, or raise n_fft or fmax."
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        _spectral.mel_basis(8000, 128, 128, 0.0, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _spectral.mel_basis(8000, 256, 128, 0.0, None)


def test_audio_features_do_not_import_librosa(tiny_wav):
    # librosa's first import compiles numba code: the extractors must not
    # pay it. A new process, as a user's first run.
    code = (
        "import sys\n"
        "from skmer.feature_extraction import LogMelExtractor, MFCCExtractor\n"
        f"MFCCExtractor().fit_transform([{tiny_wav!r}])\n"
        f"LogMelExtractor().fit_transform([{tiny_wav!r}])\n"
        "print(sorted(m for m in ('librosa', 'numba') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
