"""Tests of UtteranceNormalizer (per-clip normalisation of spectrograms)."""

import re

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skmer.feature_extraction import LogMelExtractor
from skmer.preprocessing import UtteranceNormalizer


def test_each_band_of_each_clip_is_standardised_over_its_frames():
    rng = np.random.default_rng(0)
    # 3 clips of 4 bands x 6 frames, each band with its own level and scale.
    X = rng.standard_normal((3, 4, 6)) * [[1.0], [5.0], [0.1], [2.0]] + [
        [100.0],
        [-3.0],
        [0.0],
        [7.0],
    ]
    X_new = UtteranceNormalizer(n_frames=6).fit_transform(X.reshape(3, 24))
    bands = X_new.reshape(3, 4, 6)
    np.testing.assert_allclose(bands.mean(axis=2), 0.0, atol=1e-12)
    np.testing.assert_allclose(bands.std(axis=2), 1.0)
    expected = (X - X.mean(axis=2, keepdims=True)) / X.std(axis=2, keepdims=True)
    np.testing.assert_allclose(bands, expected)


def test_a_clip_does_not_depend_on_the_other_clips():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 12))
    norm = UtteranceNormalizer(n_frames=4).fit(X[:2])
    alone = norm.transform(X[3:4])
    together = norm.transform(X)[3:4]
    np.testing.assert_allclose(alone, together)


def test_with_std_false_only_centres():
    X = np.array([[1.0, 3.0, 10.0, 30.0]])
    X_new = UtteranceNormalizer(n_frames=2, with_std=False).fit_transform(X)
    np.testing.assert_array_equal(X_new, [[-1.0, 1.0, -10.0, 10.0]])


def test_n_frames_none_uses_one_statistic_per_row():
    X = np.array([[1.0, 3.0, 10.0, 30.0]])
    X_new = UtteranceNormalizer().fit_transform(X)
    np.testing.assert_allclose(X_new, (X - X.mean()) / X.std())
    # Per band, the two bands would both become [-1, 1].
    assert not np.allclose(X_new, [[-1.0, 1.0, -1.0, 1.0]])


def test_constant_band_and_dtype():
    X = np.array([[2.0, 2.0, 1.0, 3.0]], dtype=np.float32)
    X_new = UtteranceNormalizer(n_frames=2).fit_transform(X)
    assert X_new.dtype == np.float32
    np.testing.assert_array_equal(X_new, [[0.0, 0.0, -1.0, 1.0]])
    assert X[0, 2] == 1.0  # the input is not modified


def test_n_frames_must_divide_columns():
    msg = (
        "n_frames=4 must divide the number of columns of X, read as flattened "
        "(n_bands, n_frames) matrices; got 10 columns."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        UtteranceNormalizer(n_frames=4).fit(np.ones((3, 10)))


@pytest.mark.parametrize(
    "params, name",
    [({"n_frames": 0}, "n_frames"), ({"with_std": "yes"}, "with_std")],
)
def test_invalid_parameter(params, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        UtteranceNormalizer(**params).fit(np.ones((3, 2)))


def test_feature_names_and_width_check():
    norm = UtteranceNormalizer().fit(np.ones((3, 2)))
    assert norm.get_feature_names_out().tolist() == ["x0", "x1"]
    with pytest.raises(ValueError, match="X has 3 features"):
        norm.transform(np.ones((3, 3)))


def test_removes_a_clip_level_gain_from_log_mels():
    # A louder copy of a clip is the same clip after normalisation: in dB, a
    # gain is a constant added to every band.
    rng = np.random.default_rng(0)
    waveform = rng.normal(scale=0.05, size=(1, 8000)).astype(np.float32)
    extractor = LogMelExtractor(n_mels=8, n_frames=16, sr=8000, n_fft=256)
    pipe = make_pipeline(extractor, UtteranceNormalizer(n_frames=16))
    quiet, loud = pipe.fit_transform(np.vstack([waveform, 4.0 * waveform]))
    np.testing.assert_allclose(quiet, loud, atol=1e-3)
    # Without it, the two log-mels differ by the gain (12 dB).
    raw = extractor.fit_transform(np.vstack([waveform, 4.0 * waveform]))
    np.testing.assert_allclose(raw[1] - raw[0], 20 * np.log10(4.0), atol=1e-2)
