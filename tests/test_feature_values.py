"""The extractors' output values on small synthetic inputs, recorded.

The values were recorded from skmer 0.1.0.dev0 before the extractors' shared
code was restructured (issue 19): a change that alters what the extractors
compute fails here, whatever it does to the code. The tolerances absorb BLAS,
FFmpeg and OpenCV builds that round differently, not a change of method.
"""

import numpy as np
import pytest

from skmer.feature_extraction import FaceExtractor, LogMelExtractor, MFCCExtractor

SR = 8000
AUDIO_PARAMS = {"n_frames": 5, "sr": SR, "n_fft": 128, "hop_length": 64}


def two_tones(n_samples):
    """440 Hz, plus a 1250 Hz tone that swells: every frame differs."""
    t = np.arange(n_samples) / SR
    y = 0.3 * np.sin(2 * np.pi * 440 * t) + 2 * t * np.sin(2 * np.pi * 1250 * t)
    return y.astype(np.float32)


# 200 samples give 4 frames, zero-padded to 5 (the last column); 400 are
# cropped to the middle 256.
RECORDED_AUDIO = {
    ("MFCCExtractor", 200): [
        [-97.153015, -150.18768, -146.67374, -92.58401, 0.0],
        [44.112545, 82.45267, 82.35616, 48.982815, 0.0],
        [6.1352925, -2.557686, -7.3541455, -7.0452757, 0.0],
        [0.551405, 11.844148, 12.054479, 6.702062, 0.0],
    ],
    ("MFCCExtractor", 400): [
        [-88.913734, -146.68346, -143.84341, -143.0751, -80.68626],
        [37.785736, 82.11497, 82.65455, 82.11487, 34.089214],
        [5.5523477, -7.513932, -10.950023, -12.367153, -2.588853],
        [-0.4015802, 12.579262, 11.405109, 12.57957, 6.152275],
    ],
    ("LogMelExtractor", 200): [
        [-9.173213, -5.696622, -5.696623, -7.793597, 0.0],
        [-22.964457, -24.379982, -23.288935, -21.358482, 0.0],
        [-38.118687, -35.264423, -29.492178, -27.551607, 0.0],
        [-45.869797, -85.696625, -85.696625, -47.582817, 0.0],
    ],
    ("LogMelExtractor", 400): [
        [-9.311447, -5.6966224, -5.696622, -5.6966224, -9.287444],
        [-22.315105, -23.12619, -21.745092, -20.358133, -20.909386],
        [-34.556976, -28.975323, -25.666357, -23.26994, -24.306202],
        [-41.20002, -85.696625, -85.696625, -85.696625, -39.329784],
    ],
}

# tiny_wav (a 16 kHz 440 Hz tone) decoded at its own rate: no resampling.
RECORDED_FILE = {
    "MFCCExtractor": [
        [-89.63024, -167.0244, -163.7355, -167.0244, -100.9408],
        [44.63604, 93.09239, 92.49164, 93.09239, 55.94829],
        [9.283746, 33.66472, 29.9647, 33.66472, 4.9430337],
        [3.5725582, 0.6266423, 2.0459414, 0.6266423, 5.4696875],
    ],
    "LogMelExtractor": [
        [-7.1622705, -3.4528553, -3.4524987, -3.4528553, -7.181805],
        [-24.255047, -34.12506, -34.026943, -34.12506, -24.839972],
        [-36.516243, -74.245895, -70.85166, -74.245895, -39.505592],
        [-43.401897, -83.4525, -83.4525, -83.4525, -50.940937],
    ],
}


def _four_band_extractor(cls, **params):
    if cls is MFCCExtractor:
        return MFCCExtractor(4, n_mels=10, **params)
    return LogMelExtractor(4, **params)


@pytest.mark.parametrize("n_samples", [200, 400])
@pytest.mark.parametrize("cls", [MFCCExtractor, LogMelExtractor])
def test_audio_features_of_a_waveform(cls, n_samples):
    extractor = _four_band_extractor(cls, **AUDIO_PARAMS)
    X = extractor.fit_transform(two_tones(n_samples)[None])
    expected = RECORDED_AUDIO[cls.__name__, n_samples]
    assert X.dtype == np.float32
    np.testing.assert_allclose(X.reshape(4, 5), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("cls", [MFCCExtractor, LogMelExtractor])
def test_audio_features_of_a_file(cls, tiny_wav):
    params = {**AUDIO_PARAMS, "sr": 16000}
    X = _four_band_extractor(cls, **params).fit_transform([tiny_wav])
    expected = RECORDED_FILE[cls.__name__]
    np.testing.assert_allclose(X.reshape(4, 5), expected, rtol=1e-5, atol=1e-4)


@pytest.fixture(scope="module")
def drawn_face(tmp_path_factory):
    """One synthetic clip of a drawn face, 160 x 120."""
    synthetic = pytest.importorskip("skmer.datasets._synthetic")
    clips = synthetic.make_synthetic_clips(
        tmp_path_factory.mktemp("face"),
        n_actors=1,
        n_clips_per_emotion=1,
        duration=1.0,
        frame_size=(160, 120),
    )
    return clips.paths[0]


def test_face_crop_of_a_drawn_face(drawn_face):
    extractor = FaceExtractor(size=8, color="gray", detector="haar")
    X = extractor.fit_transform([drawn_face])
    np.testing.assert_array_equal(
        extractor.locate_faces([drawn_face]), [[[47, 18, 68, 68]]]
    )
    expected = [
        [127, 83, 82, 81, 79, 79, 80, 120],
        [123, 119, 136, 138, 137, 133, 112, 116],
        [120, 147, 115, 134, 129, 112, 139, 111],
        [138, 150, 113, 138, 132, 113, 144, 129],
        [132, 152, 169, 163, 160, 165, 144, 123],
        [129, 142, 160, 130, 131, 157, 134, 121],
        [129, 131, 148, 155, 154, 142, 126, 121],
        [129, 128, 129, 133, 131, 124, 122, 120],
    ]
    np.testing.assert_allclose(X.reshape(8, 8) * 255, expected, atol=1.01)


def test_face_crops_with_margin_and_two_frames(drawn_face):
    extractor = FaceExtractor(size=8, n_frames=2, margin=0.25, detector="haar")
    X = extractor.fit_transform([drawn_face])
    # Sum of each frame's channels, in grey levels.
    sums = np.round(X.reshape(2, 64, 3) * 255).sum(axis=1)
    expected = [[9607, 7477, 6679], [9628, 7481, 6723]]
    np.testing.assert_allclose(sums, expected, atol=64)


def test_face_centre_crop_without_a_face(tiny_video):
    extractor = FaceExtractor(size=8, detector="haar", on_no_face="ignore")
    X = extractor.fit_transform([tiny_video])
    crop = np.round(X.reshape(8, 8, 3) * 255)
    # tiny_video's red channel is a horizontal gradient that wraps around.
    expected_red_row = [147, 174, 198, 222, 207, 15, 40, 64]
    np.testing.assert_allclose(crop[0, :, 0], expected_red_row, atol=3)
    np.testing.assert_allclose(crop.sum(axis=(0, 1)), [8525, 8015, 8088], atol=64)
