"""Tests for skmer.feature_extraction: FaceExtractor, MFCCExtractor and the cache."""

import glob
import os
import pickle
import re
import warnings
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skmer.exceptions import CacheWarning, MediaError, NoFaceDetectedWarning
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.io import load_audio, load_frames
from skmer.utils._testing import fast_extractor

N_FEATURES = {FaceExtractor: 16 * 16 * 3, MFCCExtractor: 5 * 8}
EXTRACTORS = [FaceExtractor, MFCCExtractor]


def stepped_tone(duration, sr):
    """A tone whose frequency steps up every half second."""
    t = np.arange(int(round(duration * sr))) / sr
    frequency = 300.0 + 200.0 * np.floor(2 * t)
    return (0.5 * np.sin(2 * np.pi * np.cumsum(frequency) / sr)).astype(np.float32)


def write_frames(path, frames, fps=10):
    """Write RGB frames of even size as a lossless H.264 clip."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"qp": "0"})
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv444p"
        for image in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), "rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


@pytest.fixture
def wavs(tmp_path, clip_writer):
    """Four 1.5 s, 16 kHz WAV files with different tones."""
    sr = 16000
    t = np.arange(int(1.5 * sr)) / sr
    return [
        clip_writer(
            tmp_path / f"tone{i}.wav",
            audio=0.4 * np.sin(2 * np.pi * (200 + 150 * i) * t),
            sr=sr,
            audio_codec="pcm_s16le",
        )
        for i in range(4)
    ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Six small synthetic clips of drawn faces (two actors, three emotions)."""
    synthetic = pytest.importorskip("skmer.datasets._synthetic")
    return synthetic.make_synthetic_clips(
        tmp_path_factory.mktemp("synthetic"),
        n_actors=2,
        n_clips_per_emotion=1,
        duration=1.0,
        frame_size=(160, 120),
    )


# --------------------------------------------------------------------------
# Contract shared by both extractors


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_fit_returns_self_and_output_contract(cls, tiny_video):
    extractor = fast_extractor(cls)
    paths = [tiny_video, tiny_video]
    assert extractor.fit(pd.Series(paths, name="clip")) is extractor
    assert list(extractor.feature_names_in_) == ["clip"]
    # A second fit starts from scratch.
    assert extractor.fit(paths) is extractor
    assert not hasattr(extractor, "feature_names_in_")
    assert extractor.n_features_in_ == 1
    X = extractor.transform(paths)
    assert X.shape == (2, N_FEATURES[cls])
    assert X.dtype == np.float32
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(X[0], X[1])
    np.testing.assert_array_equal(fast_extractor(cls).fit_transform(paths), X)
    if cls is FaceExtractor:
        assert X.min() >= 0 and X.max() <= 1


def test_face_extractor_feature_names():
    names = FaceExtractor(size=16, n_frames=2).get_feature_names_out()
    assert len(names) == 2 * 16 * 16 * 3
    assert names.dtype == object
    assert list(names[:4]) == [
        "face_f0_y00_x00_r",
        "face_f0_y00_x00_g",
        "face_f0_y00_x00_b",
        "face_f0_y00_x01_r",
    ]
    # C order of (n_frames, size, size, channels).
    assert names[((1 * 16 + 2) * 16 + 3) * 3 + 1] == "face_f1_y02_x03_g"
    assert names[-1] == "face_f1_y15_x15_b"
    gray = FaceExtractor(size=8, color="gray").get_feature_names_out()
    assert list(gray[:2]) == ["face_f0_y0_x0_gray", "face_f0_y0_x1_gray"]
    assert len(gray) == 64
    assert len(set(names)) == len(names)


def test_mfcc_extractor_feature_names():
    names = MFCCExtractor(n_mfcc=13, n_frames=20).get_feature_names_out()
    assert len(names) == 13 * 20
    assert names[0] == "mfcc00_t000"
    assert names[3 * 20 + 12] == "mfcc03_t012"
    assert names[-1] == "mfcc12_t019"
    wide = MFCCExtractor(n_mfcc=120, n_frames=1200).get_feature_names_out()
    assert wide[-1] == "mfcc119_t1199"
    assert len(set(wide)) == len(wide)


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_get_feature_names_out_checks_input_features(cls, tiny_video):
    extractor = fast_extractor(cls).fit(pd.Series([tiny_video], name="clip"))
    assert len(extractor.get_feature_names_out(["clip"])) == N_FEATURES[cls]
    with pytest.raises(ValueError, match="input_features is not equal to"):
        extractor.get_feature_names_out(["other"])


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_set_output_pandas(cls, tiny_video):
    extractor = fast_extractor(cls).set_output(transform="pandas")
    X = extractor.fit_transform(pd.Series([tiny_video, tiny_video], name="path"))
    assert isinstance(X, pd.DataFrame)
    assert list(X.columns) == list(extractor.get_feature_names_out())
    assert X.shape == (2, N_FEATURES[cls])
    np.testing.assert_array_equal(
        X.to_numpy(), fast_extractor(cls).transform([tiny_video] * 2)
    )


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_clone_and_pickle(cls, tiny_video):
    extractor = fast_extractor(cls, n_jobs=1, verbose=0)
    assert clone(extractor).get_params() == extractor.get_params()
    fitted = extractor.fit([tiny_video])
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.get_params() == fitted.get_params()
    assert restored.n_features_in_ == 1
    np.testing.assert_array_equal(
        restored.transform([tiny_video]), fitted.transform([tiny_video])
    )
    assert not hasattr(clone(fitted), "n_features_in_")


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_transform_without_fit(cls, tiny_video):
    extractor = fast_extractor(cls)
    assert extractor.__sklearn_tags__().requires_fit is False
    X = extractor.transform([tiny_video])
    assert X.shape == (1, N_FEATURES[cls])
    assert not hasattr(extractor, "n_features_in_")


@pytest.mark.parametrize("cls", EXTRACTORS)
@pytest.mark.parametrize(
    "make_input",
    [
        lambda paths: paths,
        lambda paths: tuple(paths),
        lambda paths: np.asarray(paths),
        lambda paths: np.asarray(paths, dtype=object),
        lambda paths: np.asarray(paths, dtype=object).reshape(-1, 1),
        lambda paths: pd.Series(paths),
        lambda paths: pd.Series(paths, dtype=object),
        lambda paths: pd.DataFrame({"clip": paths}),
        lambda paths: [Path(p) for p in paths],
        lambda paths: np.asarray([Path(p) for p in paths], dtype=object),
    ],
    ids=[
        "list",
        "tuple",
        "str-array",
        "object-array",
        "column",
        "series",
        "object-series",
        "dataframe",
        "pathlib",
        "pathlib-array",
    ],
)
def test_input_containers(cls, make_input, tiny_video, silent_video):
    paths = [tiny_video, silent_video] if cls is FaceExtractor else [tiny_video] * 2
    expected = fast_extractor(cls).transform(paths)
    X = fast_extractor(cls).fit_transform(make_input(paths))
    np.testing.assert_array_equal(X, expected)


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_series_name_is_the_input_feature_name(cls, tiny_video):
    extractor = fast_extractor(cls).fit(pd.Series([tiny_video], name="video_path"))
    assert list(extractor.feature_names_in_) == ["video_path"]
    # A list carries no name.
    assert not hasattr(fast_extractor(cls).fit([tiny_video]), "feature_names_in_")


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_single_path_instead_of_a_list(cls, tiny_video):
    msg = (
        "X must be a 1-D array-like of file paths, not a single path; "
        f"got {tiny_video!r}. Wrap it in a list: [path]."
    )
    for X in (tiny_video, Path(tiny_video)):
        with pytest.raises(TypeError, match=re.escape(msg)):
            fast_extractor(cls).fit(X)
        with pytest.raises(TypeError, match=re.escape(msg)):
            fast_extractor(cls).transform(X)


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_two_columns_of_paths(cls, tiny_video):
    msg = (
        "X must be a 1-D array-like of file paths (or one column of them); "
        "got an array of shape (1, 2)."
    )
    for X in (
        np.array([[tiny_video, tiny_video]]),
        pd.DataFrame({"a": [tiny_video], "b": [tiny_video]}),
    ):
        with pytest.raises(ValueError, match=re.escape(msg)):
            fast_extractor(cls).fit(X)


@pytest.mark.parametrize("cls", EXTRACTORS)
@pytest.mark.parametrize(
    "bad, index, shown",
    [(3, 1, "3 of type int"), (b"clip.mp4", 1, "b'clip.mp4' of type bytes")],
)
def test_non_path_elements(cls, tiny_video, bad, index, shown):
    msg = f"X must contain file paths (str or os.PathLike); element {index} is {shown}."
    with pytest.raises(TypeError, match=re.escape(msg)):
        fast_extractor(cls).fit([tiny_video, bad])
    with pytest.raises(TypeError, match=re.escape(msg)):
        fast_extractor(cls).transform(np.array([Path(tiny_video), bad], dtype=object))


def test_face_extractor_rejects_numbers():
    msg = "X must contain file paths (str or os.PathLike); element 0 is 1.5 of type"
    with pytest.raises(TypeError, match=re.escape(msg)):
        FaceExtractor().fit(np.array([1.5, 2.5]))


@pytest.mark.parametrize(
    "cls, params, msg",
    [
        (
            FaceExtractor,
            {"size": 4},
            "The 'size' parameter of FaceExtractor must be an int in the range "
            "[8, inf). Got 4 instead.",
        ),
        (
            FaceExtractor,
            {"color": "bgr"},
            "The 'color' parameter of FaceExtractor must be a str among",
        ),
        (
            FaceExtractor,
            {"margin": -0.1},
            "The 'margin' parameter of FaceExtractor must be a float in the range "
            "[0.0, inf). Got -0.1 instead.",
        ),
        (
            FaceExtractor,
            {"detector": "dlib"},
            "The 'detector' parameter of FaceExtractor must be a str among",
        ),
        (
            FaceExtractor,
            {"align": "yes"},
            "The 'align' parameter of FaceExtractor must be an instance of "
            "'bool' or an instance of 'numpy.bool'. Got 'yes' instead.",
        ),
        (
            FaceExtractor,
            {"on_no_face": "skip"},
            "The 'on_no_face' parameter of FaceExtractor must be a str among",
        ),
        (
            FaceExtractor,
            {"n_jobs": "2"},
            "The 'n_jobs' parameter of FaceExtractor must be an instance of "
            "'int' or None. Got '2' instead.",
        ),
        (
            MFCCExtractor,
            {"n_mfcc": 0},
            "The 'n_mfcc' parameter of MFCCExtractor must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            MFCCExtractor,
            {"sr": 22050.0},
            "The 'sr' parameter of MFCCExtractor must be an int in the range "
            "[1, inf). Got 22050.0 instead.",
        ),
        (
            MFCCExtractor,
            {"align": "end"},
            "The 'align' parameter of MFCCExtractor must be a str among",
        ),
        (
            MFCCExtractor,
            {"fmax": 0},
            "The 'fmax' parameter of MFCCExtractor must be a float in the range "
            "(0.0, inf) or None. Got 0 instead.",
        ),
        (
            MFCCExtractor,
            {"cache_dir": 3},
            "The 'cache_dir' parameter of MFCCExtractor must be an instance of",
        ),
    ],
)
def test_invalid_parameters(cls, params, msg, tiny_video):
    extractor = cls(**params)
    for call in (extractor.fit, extractor.transform, extractor.fit_transform):
        with pytest.raises(InvalidParameterError, match=re.escape(msg)):
            call([tiny_video])
    if cls is FaceExtractor:
        with pytest.raises(InvalidParameterError, match=re.escape(msg)):
            extractor.locate_faces([tiny_video])


@pytest.mark.parametrize(
    "params, msg",
    [
        ({"fmax": 12000.0}, "fmax must be at most sr / 2 = 11025 Hz; got 12000.0."),
        (
            {"sr": 16000, "fmax": 8000.5},
            "fmax must be at most sr / 2 = 8000 Hz; got 8000.5.",
        ),
        ({"fmin": 11025.0}, "fmin must be below fmax (11025 Hz); got 11025.0."),
        (
            {"fmin": 3000, "fmax": 2000},
            "fmin must be below fmax (2000 Hz); got 3000.",
        ),
    ],
)
def test_mfcc_frequency_range(params, msg, tiny_video, rng):
    extractor = MFCCExtractor(**params)
    with pytest.raises(ValueError, match=re.escape(msg)):
        extractor.fit([tiny_video])
    with pytest.raises(ValueError, match=re.escape(msg)):
        extractor.transform([tiny_video])
    with pytest.raises(ValueError, match=re.escape(msg)):
        extractor.transform(rng.normal(size=(2, 1000)))


def test_mfcc_paths_then_waveforms_need_a_new_fit(tiny_video, rng):
    extractor = MFCCExtractor().fit([tiny_video])
    with pytest.raises(ValueError, match="X has 1000 features, but MFCCExtractor is"):
        extractor.transform(rng.normal(size=(2, 1000)))


def test_mfcc_waveforms_in_a_dataframe(rng):
    X = rng.normal(scale=0.1, size=(3, 4000)).astype(np.float32)
    frame = pd.DataFrame(X, columns=[f"s{i}" for i in range(4000)])
    extractor = MFCCExtractor(13, n_frames=8).fit(frame)
    assert extractor.n_features_in_ == 4000
    assert extractor.feature_names_in_[1] == "s1"
    np.testing.assert_array_equal(
        extractor.transform(frame), MFCCExtractor(13, n_frames=8).transform(X)
    )
    # Waveforms in an object array are numbers, not paths.
    np.testing.assert_array_equal(
        MFCCExtractor(13, n_frames=8).transform(X.astype(object)),
        extractor.transform(frame),
    )


def test_mfcc_rejects_1d_numeric_input(rng):
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        MFCCExtractor().fit(rng.normal(size=1000))


# --------------------------------------------------------------------------
# MFCCExtractor properties


@pytest.mark.parametrize("n_mfcc", [1, 13, 20])
@pytest.mark.parametrize("n_frames", [1, 16, 50])
@pytest.mark.parametrize("hop_length", [128, 512])
@pytest.mark.parametrize("align", ["center", "start"])
def test_mfcc_shape(n_mfcc, n_frames, hop_length, align, rng):
    X = rng.normal(scale=0.1, size=(3, 8000)).astype(np.float32)
    extractor = MFCCExtractor(
        n_mfcc, n_frames=n_frames, n_fft=512, hop_length=hop_length, align=align
    )
    X_new = extractor.fit_transform(X)
    assert X_new.shape == (3, n_mfcc * n_frames)
    assert X_new.dtype == np.float32
    assert np.all(np.isfinite(X_new))
    assert len(extractor.get_feature_names_out()) == X_new.shape[1]


@pytest.mark.parametrize("n_mfcc", [4, 13])
@pytest.mark.parametrize("length", [4000, 16000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mfcc_one_sample_equals_its_batch_row(n_mfcc, length, dtype, rng):
    X = rng.normal(scale=0.1, size=(5, length)).astype(dtype)
    extractor = MFCCExtractor(n_mfcc, n_frames=20)
    batch = extractor.fit_transform(X)
    for i in range(len(X)):
        np.testing.assert_array_equal(extractor.transform(X[i : i + 1])[0], batch[i])


@pytest.mark.parametrize("n_frames", [8, 40])
@pytest.mark.parametrize("align", ["center", "start"])
def test_mfcc_sample_order_invariance(n_frames, align, rng):
    X = rng.normal(scale=0.1, size=(6, 12000)).astype(np.float32)
    order = rng.permutation(len(X))
    extractor = MFCCExtractor(13, n_frames=n_frames, align=align)
    np.testing.assert_array_equal(
        extractor.fit_transform(X[order]), extractor.fit_transform(X)[order]
    )


@pytest.mark.filterwarnings("ignore:n_fft=2048 is too large:UserWarning")
@pytest.mark.parametrize("n_mfcc", [1, 20])
@pytest.mark.parametrize("length", [0, 100, 22050])
def test_mfcc_silence_is_finite(n_mfcc, length):
    X = np.zeros((2, length), dtype=np.float32)
    if length == 0:
        # Zero samples is no waveform matrix at all.
        with pytest.raises(ValueError, match="0 feature"):
            MFCCExtractor(n_mfcc, n_frames=16).fit_transform(X)
        return
    X_new = MFCCExtractor(n_mfcc, n_frames=16).fit_transform(X)
    assert np.all(np.isfinite(X_new))
    np.testing.assert_array_equal(X_new[0], X_new[1])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"n_mfcc": 13, "n_mels": 40, "n_fft": 1024, "hop_length": 256},
        {"n_mfcc": 20, "fmin": 80.0, "fmax": 7600.0, "sr": 16000},
    ],
)
def test_mfcc_equals_librosa(params, rng):
    # A waveform exactly as long as the window: no crop, no padding, so the
    # matrix is librosa.feature.mfcc's (float64 input, as the extractor uses).
    librosa = pytest.importorskip("librosa")
    extractor = MFCCExtractor(n_frames=24, **params)
    y = rng.normal(scale=0.1, size=extractor._window).astype(np.float32)
    expected = librosa.feature.mfcc(
        y=y.astype(np.float64),
        sr=extractor.sr,
        n_mfcc=extractor.n_mfcc,
        n_fft=extractor.n_fft,
        hop_length=extractor.hop_length,
        n_mels=extractor.n_mels,
        fmin=extractor.fmin,
        fmax=extractor.fmax,
    )
    assert expected.shape == (extractor.n_mfcc, extractor.n_frames)
    got = _mfcc_matrix(extractor.fit(y[None]), y[None])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)


def test_mfcc_does_not_depend_on_blas_threads(rng):
    # joblib workers run with one BLAS thread: the output must not change.
    threadpoolctl = pytest.importorskip("threadpoolctl")
    X = rng.normal(scale=0.1, size=(3, 30000)).astype(np.float32)
    extractor = MFCCExtractor(n_frames=32).fit(X)
    expected = extractor.transform(X)
    with threadpoolctl.threadpool_limits(1):
        np.testing.assert_array_equal(extractor.transform(X), expected)


def _mfcc_matrix(extractor, X):
    return extractor.transform(X).reshape(len(X), extractor.n_mfcc, extractor.n_frames)


@pytest.mark.parametrize("n_frames", [20, 21])
@pytest.mark.parametrize("length", [1000, 2600])
def test_short_clip_is_zero_padded(n_frames, length, rng):
    hop = 256
    y = rng.normal(scale=0.1, size=(1, length)).astype(np.float32)
    n_valid = 1 + length // hop  # librosa's centred frames
    for align, first in [("center", (n_frames - n_valid) // 2), ("start", 0)]:
        extractor = MFCCExtractor(
            13, n_frames=n_frames, n_fft=512, hop_length=hop, align=align
        )
        mfcc = _mfcc_matrix(extractor, y)[0]
        valid = np.abs(mfcc).sum(axis=0) > 0
        assert valid.sum() == n_valid
        np.testing.assert_array_equal(np.flatnonzero(valid), first + np.arange(n_valid))
    # Centred padding splits the zeros over both sides, start pads at the end.
    assert first == 0 and (n_frames - n_valid) // 2 > 0


@pytest.mark.parametrize("n_frames", [44, 45])
def test_long_clip_is_cropped_centre_or_start(n_frames):
    sr, hop = 22050, 256
    y = stepped_tone(3.0, sr)[None]
    window = (n_frames - 1) * hop
    start = (y.shape[1] - window) // 2
    centre = MFCCExtractor(13, n_frames=n_frames, hop_length=hop, align="center")
    head = MFCCExtractor(13, n_frames=n_frames, hop_length=hop, align="start")
    # Identical to the MFCCs of exactly the kept window.
    np.testing.assert_array_equal(
        centre.transform(y), centre.transform(y[:, start : start + window])
    )
    np.testing.assert_array_equal(head.transform(y), head.transform(y[:, :window]))
    # The tone rises over time: the centre crop hears higher pitches.
    assert not np.allclose(centre.transform(y), head.transform(y))


def _spectral_peak(y, sr):
    return np.argmax(np.abs(np.fft.rfft(y * np.hanning(len(y))))) * sr / len(y)


@pytest.mark.parametrize("align", ["center", "start"])
@pytest.mark.parametrize(
    "name, codec, exact",
    [("tone.wav", "pcm_s16le", True), ("tone.mp3", "libmp3lame", False)],
)
def test_paths_and_waveforms_agree(tmp_path, clip_writer, name, codec, exact, align):
    sr = 22050
    path = clip_writer(
        tmp_path / name, audio=stepped_tone(3.0, sr), sr=sr, audio_codec=codec
    )
    params = {"n_frames": 44, "hop_length": 256, "sr": sr, "align": align}
    from_path = MFCCExtractor(13, **params).transform([path])
    waveform = load_audio(path, sr=sr)[None]
    from_waveform = MFCCExtractor(13, **params).transform(waveform)
    if exact:
        np.testing.assert_array_equal(from_path, from_waveform)
    else:
        # MP3 adds encoder delay that the declared duration does not count,
        # so the centre is off by a few milliseconds.
        error = np.linalg.norm(from_path - from_waveform)
        assert error < 0.05 * np.linalg.norm(from_waveform)


@pytest.mark.parametrize("align, step", [("center", 2), ("start", 0)])
def test_file_window_sits_in_the_middle_or_at_the_start(
    tmp_path, clip_writer, align, step
):
    # A 2.5 s tone stepping every 0.5 s and a 0.4 s window: centred, the
    # window lies within the third step (1.05-1.45 s); at the start, the first.
    sr, hop = 22050, 256
    y = stepped_tone(2.5, sr)
    path = clip_writer(tmp_path / "steps.wav", audio=y, sr=sr, audio_codec="pcm_s16le")
    n_frames = 1 + int(0.4 * sr) // hop
    window = (n_frames - 1) * hop
    extractor = MFCCExtractor(20, n_frames=n_frames, hop_length=hop, align=align)
    got = extractor.transform([path])
    distances = []
    for k in range(5):
        begin = int((k / 2 + 0.05) * sr)
        reference = extractor.transform(y[None, begin : begin + window])
        distances.append(np.linalg.norm(got - reference))
    assert np.argmin(distances) == step


def test_mfcc_of_a_video_file(tiny_video, silent_video):
    X = MFCCExtractor(13, n_frames=32).transform([tiny_video])
    assert X.shape == (1, 13 * 32)
    assert np.all(np.isfinite(X))
    msg = f"Cannot decode {silent_video!r}: it has no audio stream"
    with pytest.raises(MediaError, match=re.escape(msg)):
        MFCCExtractor().transform([silent_video])


# --------------------------------------------------------------------------
# FaceExtractor on synthetic faces


def _manual_crop(frame, box, size, margin=0.0):
    import cv2

    x, y, w, h = (int(v) for v in box)
    assert margin == 0.0 and w == h
    return cv2.resize(
        frame[y : y + h, x : x + w], (size, size), interpolation=cv2.INTER_AREA
    )


def test_faces_are_found_in_synthetic_clips(synthetic):
    extractor = FaceExtractor(size=32, n_frames=3)
    boxes = extractor.locate_faces(synthetic.paths)
    assert boxes.shape == (len(synthetic.paths), 3, 4)
    assert boxes.dtype == np.float32
    assert not np.isnan(boxes).any()
    x, y, w, h = np.moveaxis(boxes, -1, 0)
    # The drawn face fills about half of the 160 x 120 frame.
    assert np.all((w >= 30) & (w <= 110) & (h >= 30) & (h <= 110))
    assert np.all((x >= 0) & (y >= 0) & (x + w <= 160) & (y + h <= 120))


def test_crop_is_the_detected_box_resized(synthetic):
    path = synthetic.paths[0]
    extractor = FaceExtractor(size=32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoFaceDetectedWarning)
        X = extractor.transform([path])
    box = extractor.locate_faces([path])[0, 0]
    frame = load_frames(path)[0]
    expected = _manual_crop(frame, box, 32).astype(np.float32) / 255
    np.testing.assert_allclose(X[0].reshape(32, 32, 3), expected, atol=1e-6)


def test_margin_widens_the_crop(synthetic):
    path = synthetic.paths[1]
    tight = FaceExtractor(size=40).transform([path]).reshape(40, 40, 3)
    wide = FaceExtractor(size=40, margin=0.25).transform([path]).reshape(40, 40, 3)
    assert not np.allclose(tight, wide)
    # The tight crop is the middle two thirds (1 / 1.5) of the wide one.
    import cv2

    middle = cv2.resize(wide[7:33, 7:33], (40, 40), interpolation=cv2.INTER_LINEAR)
    assert np.abs(middle - tight).mean() < 0.05
    assert np.abs(wide - tight).mean() > 2 * np.abs(middle - tight).mean()


def test_gray_crops_have_one_channel(synthetic):
    path = synthetic.paths[2]
    rgb = FaceExtractor(size=24).transform([path]).reshape(24, 24, 3)
    gray = FaceExtractor(size=24, color="gray").transform([path])
    assert gray.shape == (1, 24 * 24)
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    np.testing.assert_allclose(gray[0].reshape(24, 24), luma, atol=1.5 / 255)


def test_several_frames_per_clip(synthetic):
    extractor = FaceExtractor(size=16, n_frames=4)
    X = extractor.transform(synthetic.paths[:2])
    assert X.shape == (2, 4 * 16 * 16 * 3)
    crops = X.reshape(2, 4, 16, 16, 3)
    boxes = extractor.locate_faces(synthetic.paths[:2])
    frames = load_frames(synthetic.paths[0], n_frames=4)
    for k in range(4):
        expected = _manual_crop(frames[k], boxes[0, k], 16).astype(np.float32) / 255
        np.testing.assert_allclose(crops[0, k], expected, atol=1e-6)
    # The face speaks: the frames differ.
    assert not np.allclose(crops[0, 0], crops[0, 3])


def test_largest_face_wins(synthetic, tmp_path):
    import cv2

    face = load_frames(synthetic.paths[0])[0]
    small = cv2.resize(face, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    canvas = np.empty((160, 320, 3), dtype=np.uint8)
    canvas[:] = face[0, 0]
    # The small face on the left, found first in reading order.
    canvas[50 : 50 + small.shape[0], 10 : 10 + small.shape[1]] = small
    canvas[20:140, 150:310] = face
    path = str(tmp_path / "two_faces.png")
    cv2.imwrite(path, cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR))
    box = FaceExtractor().locate_faces([path])[0, 0]
    alone = FaceExtractor().locate_faces([synthetic.paths[0]])[0, 0]
    np.testing.assert_allclose(box, alone + [150, 20, 0, 0], atol=3)


def test_frame_without_face_borrows_the_nearest_box(synthetic, tmp_path):
    face_frames = load_frames(synthetic.paths[0], n_frames=5)
    height, width = face_frames.shape[1:3]
    yy, xx = np.mgrid[0:height, 0:width]
    gradient = np.stack([xx * 255 // width, yy * 255 // height, xx * 0 + 90], -1)
    # Ten face-less frames, then ten with a face.
    frames = [gradient.astype(np.uint8)] * 10 + [face_frames[2]] * 10
    path = write_frames(tmp_path / "late_face.mp4", frames)
    extractor = FaceExtractor(size=16, n_frames=2)
    with pytest.warns(NoFaceDetectedWarning, match="No face detected in 1 of 2 frames"):
        X = extractor.transform([path])
    boxes = extractor.locate_faces([path])[0]
    assert np.isnan(boxes[0]).all() and not np.isnan(boxes[1]).any()
    decoded = load_frames(path, n_frames=2)
    expected = _manual_crop(decoded[0], boxes[1], 16).astype(np.float32) / 255
    np.testing.assert_allclose(X.reshape(2, 16, 16, 3)[0], expected, atol=1e-6)


def test_no_face_centre_crop_and_warning(tiny_video):
    extractor = FaceExtractor(size=16)
    msg = (
        "No face detected in 1 of 1 frames (1 files, e.g. "
        f"{tiny_video!r}); cropped where the face was in the nearest frame of "
        "the clip, else the centre. Call locate_faces to see which frames."
    )
    with pytest.warns(NoFaceDetectedWarning, match=re.escape(msg)) as record:
        X = extractor.transform([tiny_video])
    assert len([w for w in record if w.category is NoFaceDetectedWarning]) == 1
    # No box: the largest centred square, resized.
    frame = load_frames(tiny_video)[0]  # 48 x 64
    import cv2

    expected = cv2.resize(frame[:, 8:56], (16, 16), interpolation=cv2.INTER_AREA)
    np.testing.assert_allclose(X[0].reshape(16, 16, 3), expected / 255, atol=1e-6)
    assert np.isnan(extractor.locate_faces([tiny_video])).all()


def test_no_face_warning_counts_frames_and_files(tmp_path, media_writer):
    paths = [media_writer(tmp_path / f"gradient{i}.mp4") for i in range(5)]
    msg = (
        f"No face detected in 10 of 10 frames (5 files, e.g. {paths[0]!r}, "
        f"{paths[1]!r}, {paths[2]!r} and 2 more); cropped"
    )
    with pytest.warns(NoFaceDetectedWarning) as record:
        FaceExtractor(size=8, n_frames=2, detector="haar").transform(paths)
    assert len(record) == 1
    assert str(record[0].message).startswith(msg)


def test_no_face_raise(tiny_video, tmp_path, media_writer):
    msg = (
        f"No face detected in 1 of 1 frames, in 1 files: {tiny_video!r}. Pass "
        "on_no_face='warn' to crop where the face is expected instead."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        FaceExtractor(size=8, on_no_face="raise").transform([tiny_video])
    paths = [media_writer(tmp_path / f"g{i}.mp4") for i in range(4)]
    msg = "No face detected in 12 of 12 frames, in 4 files: " + ", ".join(
        repr(p) for p in paths[:3]
    )
    with pytest.raises(ValueError, match=re.escape(msg + " and 1 more. Pass")):
        FaceExtractor(size=8, n_frames=3, on_no_face="raise").transform(paths)


def test_no_face_ignore_is_silent(tiny_video):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = FaceExtractor(size=8, detector="haar", on_no_face="ignore").transform(
            [tiny_video]
        )
    assert X.shape == (1, 8 * 8 * 3)


def test_faces_found_means_no_warning(synthetic):
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoFaceDetectedWarning)
        FaceExtractor(size=8, detector="haar").transform(synthetic.paths)


def test_face_extractor_on_audio_only_file(tiny_wav):
    msg = f"Cannot decode {tiny_wav!r}: it has no video stream"
    with pytest.raises(MediaError, match=re.escape(msg)):
        FaceExtractor().transform([tiny_wav])


# --------------------------------------------------------------------------
# Cache


def test_second_transform_decodes_nothing(wavs, tmp_path, opened):
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=tmp_path / "cache")
    first = extractor.transform(wavs)
    assert set(opened) == set(wavs)
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(wavs), first)
    assert not opened
    np.testing.assert_array_equal(MFCCExtractor(13, n_frames=16).transform(wavs), first)


def test_locate_faces_after_transform_decodes_nothing(synthetic, tmp_path, opened):
    extractor = FaceExtractor(size=16, n_frames=2, cache_dir=tmp_path)
    extractor.transform(synthetic.paths[:3])
    opened.clear()
    boxes = extractor.locate_faces(synthetic.paths[:3])
    assert not opened
    assert boxes.shape == (3, 2, 4)


@pytest.mark.parametrize(
    "cls, change, hits",
    [
        (MFCCExtractor, {"n_mfcc": 12}, False),
        (MFCCExtractor, {"align": "start"}, False),
        (MFCCExtractor, {"fmax": 4000.0}, False),
        (MFCCExtractor, {"n_jobs": 2}, True),
        (MFCCExtractor, {"verbose": 1}, True),
        (FaceExtractor, {"size": 24}, False),
        (FaceExtractor, {"margin": 0.1}, False),
        (FaceExtractor, {"color": "gray"}, False),
        (FaceExtractor, {"align": False}, False),
        (FaceExtractor, {"on_no_face": "raise"}, True),
        (FaceExtractor, {"n_jobs": 2}, True),
    ],
)
def test_cache_key_follows_the_output(cls, change, hits, tmp_path, opened, synthetic):
    paths = list(synthetic.paths[:2])
    extractor = cls(cache_dir=tmp_path / "cache")
    extractor.transform(paths)
    opened.clear()
    X = extractor.set_params(**change).transform(paths)
    assert bool(opened) is not hits
    assert X.shape == (2, extractor._n_features_out())


def test_touched_file_misses_the_cache(wavs, tmp_path, opened):
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=tmp_path / "cache")
    extractor.transform(wavs)
    opened.clear()
    stat = os.stat(wavs[2])
    os.utime(wavs[2], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    extractor.transform(wavs)
    assert set(opened) == {wavs[2]}


def test_replaced_file_gives_new_features(wavs, tmp_path):
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=tmp_path / "cache")
    before = extractor.transform(wavs[:1])
    with open(wavs[3], "rb") as src, open(wavs[0], "wb") as dst:
        dst.write(src.read())
    os.utime(wavs[0], ns=(0, os.stat(wavs[3]).st_mtime_ns + 10**9))
    after = extractor.transform(wavs[:1])
    assert not np.allclose(before, after)
    np.testing.assert_array_equal(
        after, MFCCExtractor(13, n_frames=16).transform(wavs[:1])
    )


def test_failure_keeps_earlier_files_in_the_cache(wavs, tmp_path, opened):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(np.random.default_rng(0).bytes(2000))
    bad = str(bad)
    paths = [wavs[0], wavs[1], bad, wavs[2], wavs[3]]
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=tmp_path / "cache")
    msg = f"Cannot decode {bad!r}: not a media file"
    with pytest.raises(MediaError, match=re.escape(msg)):
        extractor.transform(paths)
    opened.clear()
    X = extractor.transform(wavs)
    # Only the files after the broken one are decoded.
    assert set(opened) == {wavs[2], wavs[3]}
    np.testing.assert_array_equal(X, MFCCExtractor(13, n_frames=16).transform(wavs))


def test_unwritable_cache_warns_once_and_still_works(wavs, tmp_path, opened):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    cache_dir = blocker / "cache"
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=cache_dir)
    msg = f"Cannot write to the feature cache {str(cache_dir)!r} ("
    with pytest.warns(CacheWarning, match=re.escape(msg)) as record:
        X = extractor.transform(wavs)
    assert len(record) == 1
    assert str(record[0].message).endswith(
        "features are computed without caching. Pass a writable cache_dir, "
        "or cache_dir=None to silence this."
    )
    np.testing.assert_array_equal(X, MFCCExtractor(13, n_frames=16).transform(wavs))
    # Nothing was cached: every file is decoded again (and warned about once).
    opened.clear()
    with pytest.warns(CacheWarning):
        extractor.transform(wavs)
    assert set(opened) == set(wavs)


def test_corrupted_entry_is_recomputed(wavs, tmp_path, opened):
    cache_dir = tmp_path / "cache"
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=cache_dir)
    expected = extractor.transform(wavs)
    entries = sorted(glob.glob(str(cache_dir / "*" / "*.features")))
    assert len(entries) == len(wavs)
    with open(entries[0], "wb") as handle:
        handle.write(b"PK\x03\x04 not a zip file")
    with open(entries[1], "r+b") as handle:
        handle.truncate(10)
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(wavs), expected)
    assert len(opened) == 2
    # ... and the repaired entries are used next time.
    opened.clear()
    np.testing.assert_array_equal(extractor.transform(wavs), expected)
    assert not opened
    assert not glob.glob(str(cache_dir / "*" / "*.tmp"))


def test_feature_cache_entries(tmp_path, tiny_wav):
    from skmer.feature_extraction._cache import FeatureCache

    one = FeatureCache(tmp_path, {"extractor": "E", "settings": {"a": "1"}})
    two = FeatureCache(tmp_path, {"extractor": "E", "settings": {"a": "2"}})
    assert one.load(tiny_wav) is None
    one.save(tiny_wav, {"X": np.arange(3, dtype=np.float32), "boxes": np.ones(2)})
    stored = one.load(tiny_wav)
    assert set(stored) == {"X", "boxes"}
    np.testing.assert_array_equal(stored["X"], [0, 1, 2])
    assert stored["X"].dtype == np.float32
    # Other settings, other entries; a missing media file is a miss.
    assert two.load(tiny_wav) is None
    assert one.load(str(tmp_path / "gone.wav")) is None
    # The same settings in another instance (another process) hit.
    again = FeatureCache(tmp_path, {"extractor": "E", "settings": {"a": "1"}})
    np.testing.assert_array_equal(again.load(tiny_wav)["boxes"], [1, 1])


def test_feature_cache_entry_format(tmp_path, tiny_wav):
    from skmer.feature_extraction._cache import FeatureCache

    cache = FeatureCache(tmp_path, {"extractor": "E", "settings": {}})
    arrays = {
        "X": np.arange(6, dtype=np.float32),
        "boxes": np.full((2, 4), np.nan, dtype=np.float32),
        "empty": np.zeros((0, 3)),
        "n": np.int64(7),
    }
    cache.save(tiny_wav, arrays)
    stored = cache.load(tiny_wav)
    for name, value in arrays.items():
        assert stored[name].dtype == value.dtype
        assert stored[name].shape == np.shape(value)
        np.testing.assert_array_equal(stored[name], value)
    # Arrays read back are the caller's to modify.
    stored["boxes"][0] = 1
    (entry,) = glob.glob(str(tmp_path / "*" / "*.features"))
    data = Path(entry).read_bytes()
    # A header that is not JSON, or names a dtype that does not exist.
    header_start = len(b"SKMERC2\n") + 4
    not_json = data[:header_start] + b"{" + data[header_start + 1 :]
    bad_dtype = data.replace(b'"<f4"', b'"<q9"', 1)
    assert bad_dtype != data
    for damaged in (
        data[:-1],
        data + b"\0",
        b"",
        data[:10],
        b"X" + data[1:],
        not_json,
        bad_dtype,
    ):
        with open(entry, "wb") as handle:
            handle.write(damaged)
        assert cache.load(tiny_wav) is None
    # Objects are never pickled into (or out of) the cache.
    with pytest.raises(TypeError, match="Cannot cache array 'X' of dtype object"):
        cache.save(tiny_wav, {"X": np.array([object()])})


def _cached_transform(paths, cache_dir):
    return MFCCExtractor(13, n_frames=16, cache_dir=cache_dir).transform(paths)


def test_two_processes_fill_one_cache(wavs, tmp_path):
    cache_dir = str(tmp_path / "shared")
    expected = MFCCExtractor(13, n_frames=16).transform(wavs)
    results = Parallel(n_jobs=2)(
        delayed(_cached_transform)(list(order), cache_dir)
        for order in (wavs, wavs[::-1], wavs, wavs[::-1])
    )
    for X, reverse in zip(results, [False, True, False, True], strict=True):
        np.testing.assert_array_equal(X[::-1] if reverse else X, expected)
    entries = glob.glob(os.path.join(cache_dir, "*", "*"))
    assert len(entries) == len(wavs)
    assert all(entry.endswith(".features") for entry in entries)
    np.testing.assert_array_equal(_cached_transform(wavs, cache_dir), expected)


# --------------------------------------------------------------------------
# Parallel runs and progress


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_n_jobs_gives_identical_output(cls, synthetic):
    paths = synthetic.paths[:4]
    serial = cls(n_jobs=1).transform(paths)
    np.testing.assert_array_equal(cls(n_jobs=2).transform(paths), serial)


def test_error_in_a_worker_names_the_file(wavs, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00" * 3000)
    msg = f"Cannot decode {str(bad)!r}: not a media file"
    with pytest.raises(MediaError, match=re.escape(msg)) as excinfo:
        MFCCExtractor(n_jobs=2).transform([*wavs, str(bad)])
    assert excinfo.value.path == str(bad)


def test_verbose_shows_a_progress_bar(wavs, capfd):
    MFCCExtractor(13, n_frames=16, verbose=0).transform(wavs)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    MFCCExtractor(13, n_frames=16, verbose=1).transform(wavs)
    out, err = capfd.readouterr()
    assert out == ""
    assert "MFCCExtractor" in err
    assert "4/4" in err and "file" in err


def test_no_progress_bar_when_everything_is_cached(wavs, tmp_path, capfd):
    extractor = MFCCExtractor(13, n_frames=16, cache_dir=tmp_path, verbose=1)
    extractor.transform(wavs)
    capfd.readouterr()
    extractor.transform(wavs)
    assert capfd.readouterr().err == ""


# --------------------------------------------------------------------------
# MTCNN


@pytest.mark.dataset
def test_mtcnn_finds_the_face_and_its_landmarks(shared_data):
    pytest.importorskip("mtcnn")
    from skmer.feature_extraction._face import _detect_mtcnn

    path = str(shared_data / "crema-d" / "VideoFlash" / "1032_IEO_SAD_HI.flv")
    # Haar misses this face (dark skin on a green screen); MTCNN finds it.
    boxes = FaceExtractor(detector="mtcnn").locate_faces([path])
    x, y, w, h = boxes[0, 0]
    assert 140 < x + w / 2 < 300 and 60 < y + h / 2 < 180 and w > 80
    # Its 5 landmarks, in the template's order (eyes, nose, mouth corners,
    # each pair from the left of the image), lie inside the box.
    (x, y, w, h), landmarks = _detect_mtcnn(load_frames(path)[0], 0.2)
    assert landmarks.shape == (5, 2)
    assert landmarks[0, 0] < landmarks[2, 0] < landmarks[1, 0]
    assert landmarks[3, 0] < landmarks[4, 0]
    assert landmarks[:2, 1].max() < landmarks[2, 1] < landmarks[3:, 1].min()
    assert np.all((landmarks >= [x, y]) & (landmarks <= [x + w, y + h]))


# --------------------------------------------------------------------------
# Real recordings


@pytest.mark.dataset
def test_largest_of_several_real_faces(shared_data):
    import cv2

    from skmer.feature_extraction._face import _haar_cascade

    path = str(shared_data / "faces" / "multi_face.jpg")
    # A group picture: faces are small, so lower the size floor.
    box = FaceExtractor(min_face_size=0.1).locate_faces([path])[0, 0]
    assert not np.isnan(box).any()
    # The same detection pass, all faces: there are several, and the
    # extractor's box is the largest of them.
    frame = load_frames(path)[0]
    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    scale = 360 / min(gray.shape)
    gray = cv2.equalizeHist(
        cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )
    side = max(int(0.1 * min(gray.shape)), 20)
    faces = _haar_cascade().detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=5, minSize=(side, side)
    )
    assert len(faces) >= 2
    areas = faces[:, 2] * faces[:, 3]
    largest = faces[np.argmax(areas)] / scale
    np.testing.assert_allclose(box, largest, rtol=1e-5)


@pytest.mark.dataset
def test_real_single_face_image_and_clips(shared_data):
    paths = [
        str(shared_data / "faces" / "single_face.jpg"),
        str(shared_data / "faces" / "single_face.mp4"),
        str(shared_data / "ravdess" / "01-01-07-02-02-01-01_1.mp4"),
    ]
    boxes = FaceExtractor(n_frames=2).locate_faces(paths)
    assert not np.isnan(boxes).any()


CREMA_HIT_RATE = 0.98


@pytest.fixture(scope="module")
def crema_five_frames(tmp_path_factory):
    """Haar boxes in 5 frames of each of the 186 CREMA-D clips, in one pass.

    Returns the paths, the boxes and the extractor, whose cache holds the
    crops. The third of the five frames is the middle one that n_frames=1
    takes, so one pass serves both hit rates (the run takes about a minute).
    """
    # The module scope cannot use the function-scoped shared_data fixture.
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    shared_data = Path(os.environ.get("SKMER_TEST_DATA", default))
    paths = sorted(glob.glob(str(shared_data / "crema-d" / "VideoFlash" / "*.flv")))
    assert len(paths) == 186
    extractor = FaceExtractor(
        n_frames=5, n_jobs=2, cache_dir=tmp_path_factory.mktemp("crema")
    )
    return paths, extractor.locate_faces(paths), extractor


@pytest.mark.dataset
@pytest.mark.slow
def test_crema_d_hit_rate_one_frame(crema_five_frames):
    paths, boxes, _ = crema_five_frames
    # n_frames=1 takes the middle frame, the third of five.
    middle = FaceExtractor(n_frames=1).locate_faces(paths[:6])
    np.testing.assert_array_equal(middle[:, 0], boxes[:6, 2])
    hit_rate = 1 - np.isnan(boxes[:, 2, 0]).mean()
    assert hit_rate >= CREMA_HIT_RATE


@pytest.mark.dataset
@pytest.mark.slow
def test_crema_d_hit_rate_five_frames(crema_five_frames):
    paths, boxes, _ = crema_five_frames
    assert boxes.shape == (186, 5, 4)
    hit_rate = 1 - np.isnan(boxes[..., 0]).mean()
    assert hit_rate >= CREMA_HIT_RATE


@pytest.mark.dataset
@pytest.mark.slow
def test_crema_d_crops_from_cache(crema_five_frames, opened):
    # The transform after locate_faces reads everything from the cache.
    paths, boxes, extractor = crema_five_frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoFaceDetectedWarning)
        X = extractor.transform(paths[:20])
    assert not opened
    assert X.shape == (20, 5 * 64 * 64 * 3)
    assert 0 <= X.min() and X.max() <= 1


def test_no_face_warning_points_at_the_callers_line(tiny_video):
    # Through set_output's wrapper and a FeatureUnion run by joblib, the
    # warning still names this file, not a line inside a library.
    from sklearn.pipeline import make_union

    union = make_union(FaceExtractor(size=16), FaceExtractor(size=8))
    with pytest.warns(NoFaceDetectedWarning) as record:
        union.fit_transform([tiny_video])
    assert {w.filename for w in record} == {__file__}


def test_missing_haar_cascade_says_which_opencv_to_install(monkeypatch, tmp_path):
    # OpenCV 5 wheels ship no cascade files: the error says what to install.
    import cv2

    from skmer.feature_extraction import _face

    monkeypatch.setattr(cv2.data, "haarcascades", str(tmp_path) + os.sep)
    _face._haar_cascade.cache_clear()
    try:
        msg = (
            "FaceExtractor(detector='haar') needs OpenCV's Haar cascade file "
            "haarcascade_frontalface_default.xml, which OpenCV 5 wheels no longer "
            f"ship (found OpenCV {cv2.__version__}). Install "
            "`pip install 'opencv-python-headless>=4.8,<5'`."
        )
        with pytest.raises(ImportError, match=re.escape(msg)):
            _face._haar_cascade()
    finally:
        _face._haar_cascade.cache_clear()
