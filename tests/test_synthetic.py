"""Tests for make_synthetic_clips: real media, detectable faces, learnable emotions."""

import functools
import json
import math
import os
import re

import av
import cv2
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmer.datasets import _synthetic, make_synthetic_clips, parse_crema_d_filename
from skmer.io import load_audio, load_frames

DURATION, FPS, SIZE, SR = 1.5, 25, (240, 180), 22050
N_FRAMES = math.ceil(DURATION * FPS)
N_SAMPLES = round(DURATION * SR)
# The middle frame and five evenly spaced ones, from the first to the last.
SAMPLED = sorted({N_FRAMES // 2, *np.linspace(0, N_FRAMES - 1, 5).astype(int)})
CASCADE = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
SMALL = {"n_actors": 1, "n_clips_per_emotion": 1}


@pytest.fixture(scope="module")
def default_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("synthetic")


@pytest.fixture(scope="module")
def default_set(default_dir):
    return make_synthetic_clips(default_dir)


@functools.cache
def haar_cascade():
    return cv2.CascadeClassifier(CASCADE)


def detect_faces(gray):
    """Haar boxes (x, y, w, h) with the settings the data is drawn for."""
    detector = haar_cascade()
    min_size = gray.shape[0] // 5
    return detector.detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=5, minSize=(min_size, min_size)
    )


@pytest.fixture(scope="module")
def decoded(default_set):
    """For each clip: the sampled frames in grey levels and the waveform."""
    clips = []
    for path in default_set.paths:
        frames = load_frames(path, times=(np.array(SAMPLED) + 0.5) / FPS)
        gray = [cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) for frame in frames]
        audio = load_audio(path, sr=SR, duration=DURATION)
        clips.append({"gray": gray, "audio": audio})
    return clips


def group_cv_accuracy(X, y, groups):
    """Accuracy of a linear model on unseen actors (4 folds grouped by actor)."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    cv = GroupKFold(n_splits=4)
    return cross_val_score(model, X, y, groups=groups, cv=cv).mean()


def decode_arrays(path):
    """Every video frame and audio sample of a file, decoded with PyAV."""
    with av.open(str(path)) as container:
        video = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with av.open(str(path)) as container:
        audio = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.stack(video), np.concatenate(audio, axis=1)


def file_times(folder):
    return {
        name: os.stat(os.path.join(folder, name)).st_mtime_ns
        for name in os.listdir(folder)
    }


# --------------------------------------------------------------------------
# The Bunch and the files


def test_bunch(default_set, default_dir):
    data = default_set
    assert set(data) == {"paths", "target", "groups", "frame", "target_names", "DESCR"}
    assert data.paths.shape == data.target.shape == data.groups.shape == (48,)
    assert list(data.paths) == sorted(data.paths)
    assert list(data.target_names) == ["ANG", "HAP", "SAD"]
    assert list(data.frame.columns) == [
        "path",
        "actor",
        "sentence",
        "emotion",
        "emotion_code",
        "intensity",
    ]
    assert list(data.frame["path"]) == list(data.paths)
    assert sorted(set(data.groups)) == [str(9001 + i) for i in range(8)]
    # Two clips of each emotion for each actor, with different sentences.
    counts = data.frame.groupby(["actor", "emotion"])["sentence"].nunique()
    assert (counts == 2).all() and len(counts) == 24
    for path, target, group in zip(data.paths, data.target, data.groups, strict=True):
        assert os.path.dirname(path) == str(default_dir)
        fields = parse_crema_d_filename(path)
        assert (fields["emotion"], fields["actor"]) == (target, group)
        assert fields["intensity"] in {"LO", "MD", "HI"}
    assert "synthetic" in data.DESCR
    assert "says nothing about accuracy on recordings of people" in " ".join(
        data.DESCR.split()
    )


def test_files_decode(default_set):
    for path in default_set.paths:
        assert os.path.getsize(path) < 60_000
        with av.open(path) as container:
            (video,) = container.streams.video
            (audio,) = container.streams.audio
            assert video.codec_context.name == "h264"
            assert (video.width, video.height) == SIZE
            assert audio.codec_context.name == "aac"
            assert audio.codec_context.sample_rate == SR
            assert audio.codec_context.channels == 1
            assert float(audio.duration * audio.time_base) == pytest.approx(DURATION)
            n_frames = n_samples = 0
            for frame in container.decode(video, audio):
                if isinstance(frame, av.VideoFrame):
                    assert (frame.width, frame.height) == SIZE
                    n_frames += 1
                else:
                    n_samples += frame.samples
        assert n_frames == N_FRAMES
        # AAC pads its last frame of 1024 samples, and the decoder keeps it.
        assert N_SAMPLES <= n_samples < N_SAMPLES + 1024


def test_no_temporary_files_left(default_set, default_dir):
    names = sorted(os.listdir(default_dir))
    assert names == sorted(
        [os.path.basename(path) for path in default_set.paths]
        + ["skmer_synthetic.json"]
    )


def test_haar_cascade_finds_the_faces(decoded):
    found = [len(detect_faces(gray)) > 0 for clip in decoded for gray in clip["gray"]]
    assert len(found) == 48 * len(SAMPLED)
    assert np.mean(found) >= 0.99


# --------------------------------------------------------------------------
# The emotion is learnable from each modality, for unseen actors


def test_emotion_learnable_from_voice(default_set, decoded):
    librosa = pytest.importorskip("librosa")
    X = []
    for clip in decoded:
        mfcc = librosa.feature.mfcc(y=clip["audio"], sr=SR, n_mfcc=20)
        X.append(np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)]))
    accuracy = group_cv_accuracy(np.array(X), default_set.target, default_set.groups)
    assert accuracy >= 0.8


def test_emotion_learnable_from_face(default_set, decoded):
    X = []
    for clip in decoded:
        gray = clip["gray"][SAMPLED.index(N_FRAMES // 2)]
        x, y, w, h = max(detect_faces(gray), key=lambda box: box[2] * box[3])
        crop = cv2.resize(gray[y : y + h, x : x + w], (24, 24), cv2.INTER_AREA)
        crop = crop.ravel().astype(float)
        X.append((crop - crop.mean()) / crop.std())
    accuracy = group_cv_accuracy(np.array(X), default_set.target, default_set.groups)
    assert accuracy >= 0.8


def test_emotion_not_given_away_by_frame_colour(default_set, decoded):
    # Background and clothes belong to the actor, not to the emotion: the
    # average colour and brightness of whole frames stay near chance (1/3).
    X = [[gray.mean(), gray.std()] for clip in decoded for gray in clip["gray"][:1]]
    accuracy = group_cv_accuracy(np.array(X), default_set.target, default_set.groups)
    assert accuracy < 0.6


# --------------------------------------------------------------------------
# Determinism and reuse


def test_same_seed_same_clips(tmp_path):
    first = make_synthetic_clips(tmp_path / "a", **SMALL)
    second = make_synthetic_clips(tmp_path / "b", **SMALL)
    other = make_synthetic_clips(tmp_path / "c", **SMALL, random_state=1)
    for path_a, path_b, path_c in zip(
        first.paths, second.paths, other.paths, strict=True
    ):
        video_a, audio_a = decode_arrays(path_a)
        video_b, audio_b = decode_arrays(path_b)
        video_c, audio_c = decode_arrays(path_c)
        np.testing.assert_array_equal(video_a, video_b)
        np.testing.assert_array_equal(audio_a, audio_b)
        assert not np.array_equal(video_a, video_c)
        assert audio_a.shape != audio_c.shape or not np.array_equal(audio_a, audio_c)
        with open(path_a, "rb") as a, open(path_b, "rb") as b:
            assert a.read() == b.read()


def test_voice_and_face_are_the_recorded_ones():
    # Values recorded before the synthesis was split into named steps, so
    # that a refactor cannot change the demo's clips (and its figures).
    params = _synthetic._validate_params(
        n_actors=2,
        n_clips_per_emotion=1,
        emotions=("ANG", "HAP"),
        duration=1.2,
        fps=25,
        frame_size=(160, 120),
        sr=16000,
        random_state=0,
    )
    clip = _synthetic._plan_clips(params)[1]
    assert clip["name"] == "9001_IEO_HAP_MD.mp4"
    audio, mouth = _synthetic._synthesize_voice(clip, params)
    assert audio.shape == (19200,) and mouth.shape == (30,)
    np.testing.assert_allclose(
        audio[1000::2000],
        [0.00229, 0.079729, 0.075972, -0.005129, 0.090393]
        + [0.000984, 0.112064, 0.000425, -0.002574, 0.00085],
        atol=2e-6,
    )
    np.testing.assert_allclose(
        mouth[::5], [0.0, 0.0, 0.35247, 0.609, 0.559752, 0.514887], atol=2e-6
    )
    frames = list(_synthetic._render_video(clip, params, mouth))
    assert len(frames) == 30
    np.testing.assert_allclose(
        [frames[0].mean(axis=(0, 1)), frames[15].mean(axis=(0, 1))],
        [[146.8795, 117.4681, 109.7099], [146.2669, 116.4374, 109.2823]],
        atol=2e-4,
    )


def test_clip_does_not_depend_on_the_rest_of_the_set(tmp_path, default_set):
    # The first actor's clips are the same alone as among eight actors.
    alone = make_synthetic_clips(tmp_path, n_actors=1)
    in_set = [path for path in default_set.paths if "/9001_" in path]
    assert [os.path.basename(p) for p in alone.paths] == [
        os.path.basename(p) for p in in_set
    ]
    for path_a, path_b in zip(alone.paths, in_set, strict=True):
        with open(path_a, "rb") as a, open(path_b, "rb") as b:
            assert a.read() == b.read()


def test_second_call_reuses_the_files(default_set, default_dir):
    before = file_times(default_dir)
    again = make_synthetic_clips(default_dir)
    assert file_times(default_dir) == before
    np.testing.assert_array_equal(again.paths, default_set.paths)
    np.testing.assert_array_equal(again.target, default_set.target)


def test_missing_clip_is_written_again(tmp_path):
    data = make_synthetic_clips(tmp_path, **SMALL)
    with open(data.paths[1], "rb") as f:
        content = f.read()
    os.remove(data.paths[1])
    before = file_times(tmp_path)
    make_synthetic_clips(tmp_path, **SMALL)
    after = file_times(tmp_path)
    assert {name: after[name] for name in before} == before
    with open(data.paths[1], "rb") as f:
        assert f.read() == content


def test_other_parameters_rewrite_the_set(tmp_path):
    (tmp_path / "notes.txt").write_text("not ours")
    make_synthetic_clips(tmp_path, n_actors=2, n_clips_per_emotion=1)
    data = make_synthetic_clips(tmp_path, n_actors=1, n_clips_per_emotion=1, fps=10)
    # The second actor's clips are gone, the user's file is kept.
    names = sorted(os.listdir(tmp_path))
    expected = [os.path.basename(path) for path in data.paths]
    assert names == sorted([*expected, "notes.txt", "skmer_synthetic.json"])
    with av.open(data.paths[0]) as container:
        assert container.streams.video[0].average_rate == 10
    assert len(decode_arrays(data.paths[0])[0]) == 15
    record = json.loads((tmp_path / "skmer_synthetic.json").read_text())
    assert record["params"]["fps"] == 10
    assert record["files"] == expected


def test_interrupted_write_leaves_no_clip(tmp_path, monkeypatch):
    render = _synthetic._render_video
    calls = []

    def render_then_fail(clip, params, mouth):
        # The second clip fails after five frames are encoded.
        calls.append(clip["name"])
        for i, frame in enumerate(render(clip, params, mouth)):
            if len(calls) == 2 and i == 5:
                raise KeyboardInterrupt
            yield frame

    monkeypatch.setattr(_synthetic, "_render_video", render_then_fail)
    with pytest.raises(KeyboardInterrupt):
        make_synthetic_clips(tmp_path, **SMALL)
    # Only the finished first clip is there: no partial clip under a final
    # name, no temporary file, no record of a finished set.
    assert os.listdir(tmp_path) == [calls[0]]

    monkeypatch.setattr(_synthetic, "_render_video", render)
    data = make_synthetic_clips(tmp_path, **SMALL)
    for path in data.paths:
        assert len(decode_arrays(path)[0]) == N_FRAMES


def test_default_folder_is_in_the_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMER_DATA", str(tmp_path))
    data = make_synthetic_clips(**SMALL)
    assert all(path.startswith(str(tmp_path / "synthetic")) for path in data.paths)


def test_all_six_emotions(tmp_path):
    emotions = ("SAD", "NEU", "HAP", "FEA", "DIS", "ANG")
    data = make_synthetic_clips(tmp_path, **SMALL, emotions=emotions)
    assert list(data.target_names) == sorted(emotions)
    assert sorted(data.target) == sorted(emotions)


# --------------------------------------------------------------------------
# Argument errors


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"n_actors": 0},
            ValueError,
            "n_actors must be an integer from 1 to 999; got 0.",
        ),
        (
            {"n_actors": 2.0},
            TypeError,
            "n_actors must be an integer from 1 to 999; got 2.0.",
        ),
        (
            {"n_clips_per_emotion": 13},
            ValueError,
            "n_clips_per_emotion must be an integer from 1 to 12; got 13.",
        ),
        (
            {"emotions": ("ANG", "JOY")},
            ValueError,
            "emotions must be a non-empty sequence of codes among ANG, DIS, FEA, "
            "HAP, NEU, SAD; got ('ANG', 'JOY').",
        ),
        (
            {"emotions": ()},
            ValueError,
            "emotions must be a non-empty sequence of codes among ANG, DIS, FEA, "
            "HAP, NEU, SAD; got ().",
        ),
        (
            {"emotions": "ANG"},
            TypeError,
            "emotions must be a sequence of emotion codes such as "
            "('ANG', 'HAP', 'SAD'); got 'ANG'.",
        ),
        (
            {"emotions": ("ANG", "ANG")},
            ValueError,
            "emotions must not repeat a code; got ('ANG', 'ANG').",
        ),
        (
            {"duration": 0.1},
            ValueError,
            "duration must be from 0.5 to 10 seconds; got 0.1.",
        ),
        (
            {"duration": "1.5"},
            TypeError,
            "duration must be a number of seconds; got '1.5'.",
        ),
        ({"fps": 100}, ValueError, "fps must be an integer from 5 to 60; got 100."),
        (
            {"frame_size": (241, 180)},
            ValueError,
            "frame_size must hold an even width and height from 64 to 1920, as "
            "the H.264 encoder needs even sizes; got (241, 180).",
        ),
        (
            {"frame_size": 240},
            TypeError,
            "frame_size must be a pair of integers (width, height); got 240.",
        ),
        (
            {"sr": 22000},
            ValueError,
            "sr must be a sample rate that the AAC encoder supports, one of 8000, "
            "11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000; got 22000.",
        ),
        (
            {"random_state": -1},
            ValueError,
            "random_state must be an integer from 0 to 4294967295; got -1.",
        ),
        (
            {"random_state": None},
            TypeError,
            "random_state must be an integer from 0 to 4294967295; got None.",
        ),
    ],
)
def test_invalid_arguments(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make_synthetic_clips(tmp_path, **kwargs)
    # Nothing is written when the arguments are wrong.
    assert os.listdir(tmp_path) == []
