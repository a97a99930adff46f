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


def _draw_face(width=160, height=120):
    """A drawn face on a grey background, which the Haar cascade finds."""
    cv2 = pytest.importorskip("cv2")
    image = np.full((height, width, 3), 60, dtype=np.uint8)
    cx, cy, a, b = 80, 58, 30, 40
    cv2.ellipse(image, (cx, cy - 5), (a + 4, b + 2), 0, 0, 360, (40, 30, 20), -1)
    # Skin lighter towards the centre, as a lit face.
    for f in np.linspace(0, 1, 6):
        c = int(150 + 60 * f)
        axes = (int(a * (1 - 0.4 * f)), int(b * (1 - 0.35 * f)))
        colour = (c, int(c * 0.8), int(c * 0.7))
        cv2.ellipse(image, (cx, cy + 2), axes, 0, 0, 360, colour, -1)
    for side in (-1, 1):
        eye = (cx + side * 12, cy - 6)
        cv2.ellipse(image, eye, (8, 5), 0, 0, 360, (90, 70, 60), -1)
        cv2.ellipse(image, eye, (5, 3), 0, 0, 360, (230, 230, 230), -1)
        cv2.circle(image, eye, 2, (20, 20, 20), -1)
        brow = ((cx + side * 6, cy - 15), (cx + side * 19, cy - 16))
        cv2.line(image, *brow, (40, 30, 25), 2)
    cv2.line(image, (cx, cy - 4), (cx - 2, cy + 10), (120, 90, 80), 2)
    cv2.ellipse(image, (cx, cy + 20), (10, 3), 0, 0, 360, (110, 50, 50), -1)
    return image


def _write_png(path, rgb):
    cv2 = pytest.importorskip("cv2")
    cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))
    return str(path)


@pytest.fixture
def face_png(tmp_path):
    # PNG decodes losslessly: the values depend on the detector and the crop.
    return _write_png(tmp_path / "face.png", _draw_face())


def test_face_crop_of_a_drawn_face(face_png):
    extractor = FaceExtractor(size=8, color="gray", detector="haar")
    X = extractor.fit_transform([face_png])
    np.testing.assert_array_equal(
        extractor.locate_faces([face_png]), [[[45, 23, 71, 71]]]
    )
    expected = [
        [57, 43, 117, 145, 145, 117, 43, 57],
        [45, 108, 155, 173, 173, 155, 108, 45],
        [54, 133, 109, 152, 152, 109, 133, 54],
        [73, 138, 144, 147, 145, 146, 138, 73],
        [80, 155, 178, 154, 175, 178, 155, 80],
        [74, 148, 176, 161, 168, 177, 148, 74],
        [62, 133, 157, 112, 113, 159, 133, 62],
        [60, 87, 141, 158, 158, 142, 87, 60],
    ]
    np.testing.assert_allclose(X.reshape(8, 8) * 255, expected, atol=1.01)


def test_face_crop_with_a_margin(face_png):
    extractor = FaceExtractor(size=8, margin=0.25, detector="haar")
    crop = np.round(extractor.fit_transform([face_png]).reshape(8, 8, 3) * 255)
    # The margin shows the grey background at the ends of the middle row.
    expected_row = [
        [60, 60, 60],
        [75, 64, 57],
        [165, 136, 122],
        [167, 141, 128],
        [165, 139, 126],
        [167, 139, 125],
        [75, 64, 57],
        [60, 60, 60],
    ]
    np.testing.assert_allclose(crop[3], expected_row, atol=1)
    np.testing.assert_allclose(crop.sum(axis=(0, 1)), [6225, 5400, 4990], atol=64)


def test_face_centre_crop_without_a_face(tmp_path):
    height, width = 120, 160
    rows, columns = np.mgrid[0:height, 0:width]
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[..., 0] = columns * 255 // (width - 1)
    image[..., 1] = rows * 255 // (height - 1)
    image[..., 2] = 128
    path = _write_png(tmp_path / "gradient.png", image)
    extractor = FaceExtractor(size=8, detector="haar", on_no_face="ignore")
    crop = np.round(extractor.fit_transform([path]).reshape(8, 8, 3) * 255)
    # The middle 120 x 120 square, so red spans only part of its range.
    np.testing.assert_allclose(
        crop[0, :, 0], [43, 67, 91, 115, 139, 163, 187, 211], atol=1
    )
    np.testing.assert_allclose(
        crop[:, 0, 1], [15, 47, 79, 111, 143, 175, 207, 240], atol=1
    )
    np.testing.assert_array_equal(crop[..., 2], 128)
