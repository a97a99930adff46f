"""Tests for skmer.io: frames and audio decoded from media files, and the errors."""

import collections
import contextlib
import os
import pickle
import re

import av
import numpy as np
import pytest
from joblib import Parallel, delayed

import skmer.io
from skmer.exceptions import MediaError, MissingStreamError
from skmer.io import MediaInfo, load_audio, load_frames, media_info

LOADERS = [media_info, load_frames, load_audio]

# Frequency of each one-second step of the stepped tone, in Hz.
STEP_FREQUENCIES = 300.0 + 150.0 * np.arange(16)


# --------------------------------------------------------------------------
# Writers and reference decoders


def frame_index(frame):
    """Index of a frame written by ``clip_writer``: 8 black or white stripes."""
    stripe = frame.shape[1] // 8
    centres = frame[:, stripe // 2 :: stripe][:, :8].mean(axis=(0, 2))
    return int(((centres > 127) * 2 ** np.arange(7, -1, -1)).sum())


def stepped_tone(duration, sr, *, amplitude=0.5):
    """A tone whose frequency steps every second (STEP_FREQUENCIES)."""
    t = np.arange(int(round(duration * sr))) / sr
    frequency = STEP_FREQUENCIES[np.minimum(t.astype(int), len(STEP_FREQUENCIES) - 1)]
    # Integrate the frequency so the phase is continuous across the steps.
    phase = 2 * np.pi * np.cumsum(frequency) / sr
    return (amplitude * np.sin(phase)).astype(np.float32)


def naive_frames(path):
    """Every frame of the first video stream: (time, RGB array), no seeking."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        start = stream.start_time * stream.time_base if stream.start_time else 0
        return [
            (
                float(frame.pts * frame.time_base - start),
                frame.to_ndarray(format="rgb24"),
            )
            for frame in container.decode(stream)
        ]


def naive_shown(path, times):
    """The frames on screen at ``times`` in a decode from the start, no seeking.

    The frame shown at t is the last one starting at or before t (the first
    frame for times before it). Only those frames are converted to RGB.
    """
    times = np.asarray(times, dtype=float)
    shown = [None] * len(times)
    previous = None
    with av.open(path) as container:
        stream = container.streams.video[0]
        start = stream.start_time * stream.time_base if stream.start_time else 0
        for frame in container.decode(stream):
            time = float(frame.pts * frame.time_base - start)
            due = [i for i, t in enumerate(times) if shown[i] is None and t < time]
            if due:
                image = (previous or frame).to_ndarray(format="rgb24")
                for i in due:
                    shown[i] = image
            previous = frame
    image = previous.to_ndarray(format="rgb24")
    return [image if s is None else s for s in shown]


def naive_audio(path, sr):
    """The whole audio track decoded from the start, resampled, channel mean."""
    with av.open(path) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout=None, rate=sr)
        chunks = []
        for frame in container.decode(stream):
            chunks.extend(out.to_ndarray() for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray() for out in resampler.resample(None))
    return np.concatenate(chunks, axis=1).mean(axis=0)


def peak_frequency(y, sr):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return np.argmax(spectrum) * sr / len(y)


def truncate(path, fraction, suffix="cut"):
    """Copy the first ``fraction`` of ``path``'s bytes next to it."""
    root, ext = os.path.splitext(path)
    out = f"{root}_{suffix}{ext}"
    with open(path, "rb") as handle:
        data = handle.read()
    with open(out, "wb") as handle:
        handle.write(data[: int(len(data) * fraction)])
    return out


class _CountingContainer:
    """Delegate to a PyAV container, counting decoded frames and seeks."""

    def __init__(self, container, counts):
        self._container = container
        self._counts = counts

    def __getattr__(self, name):
        return getattr(self._container, name)

    def decode(self, *args, **kwargs):
        for frame in self._container.decode(*args, **kwargs):
            self._counts["decoded"] += 1
            yield frame

    def seek(self, *args, **kwargs):
        self._counts["seeks"] += 1
        return self._container.seek(*args, **kwargs)


@pytest.fixture
def decode_counter(monkeypatch):
    """Count the files opened, frames decoded and seeks made by skmer.io."""
    counts = collections.Counter()
    original = skmer.io._open_container

    @contextlib.contextmanager
    def counting(path):
        counts["opened"] += 1
        with original(path) as container:
            yield _CountingContainer(container, counts)

    monkeypatch.setattr(skmer.io, "_open_container", counting)
    return counts


@pytest.fixture
def rgb_conversions(monkeypatch):
    """List of the formats of every VideoFrame.to_ndarray call."""
    calls = []
    original = av.VideoFrame.to_ndarray

    def counting(self, *args, **kwargs):
        calls.append(kwargs.get("format", args[0] if args else None))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(av.VideoFrame, "to_ndarray", counting)
    return calls


@pytest.fixture(scope="module")
def index_clip(tmp_path_factory, clip_writer):
    """4 s, 100 frames at 25 fps of H.264: frame i shows i in binary."""
    path = tmp_path_factory.mktemp("index") / "index.mp4"
    return clip_writer(path, n_frames=100)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory, clip_writer):
    """12 s clip, 10 fps index frames (a key frame a second) and a stepped tone."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    return clip_writer(
        path,
        n_frames=120,
        fps=10,
        gop=10,
        audio=stepped_tone(12.0, 16000),
        sr=16000,
    )


@pytest.fixture(scope="module")
def stepped_wav(tmp_path_factory, clip_writer):
    """6 s, 16 kHz mono PCM WAV of the stepped tone."""
    path = tmp_path_factory.mktemp("wav") / "stepped.wav"
    return clip_writer(
        path, audio=stepped_tone(6.0, 16000), sr=16000, audio_codec="pcm_s16le"
    )


# --------------------------------------------------------------------------
# Errors: bad paths and bad files


@pytest.mark.parametrize("loader", LOADERS)
def test_missing_file(loader, tmp_path):
    path = str(tmp_path / "missing.mp4")
    with pytest.raises(
        FileNotFoundError, match=re.escape(f"No such media file: {path!r}.")
    ):
        loader(path)


@pytest.mark.parametrize("loader", LOADERS)
def test_directory(loader, tmp_path):
    path = str(tmp_path)
    msg = f"Expected a media file, got a directory: {path!r}."
    with pytest.raises(IsADirectoryError, match=re.escape(msg)):
        loader(path)


@pytest.mark.parametrize("loader", LOADERS)
def test_empty_file(loader, tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    msg = f"Cannot decode {str(path)!r}: the file is empty (0 bytes)."
    with pytest.raises(MediaError, match=re.escape(msg)):
        loader(path)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", ["noise.mp4", "noise.flv", "noise.wav"])
def test_random_bytes_are_not_media(loader, name, tmp_path):
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    msg = f"Cannot decode {str(path)!r}: not a media file, or its header is corrupt ("
    with pytest.raises(MediaError, match=re.escape(msg)) as excinfo:
        loader(path)
    # A MediaError is a ValueError that knows its file.
    assert isinstance(excinfo.value, ValueError)
    assert excinfo.value.path == str(path)


def test_text_file_is_not_media(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video\n" * 50)
    with pytest.raises(MediaError, match="not a media file, or its header is corrupt"):
        load_frames(path)


def test_media_errors_pickle_with_their_message():
    # Errors travel back from joblib workers by pickling.
    for error in (
        MediaError("/a/b.flv", "the file is empty (0 bytes)."),
        MissingStreamError("/a/b.flv", "it has no audio stream."),
    ):
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert clone.path == "/a/b.flv"


def test_video_without_audio(silent_video):
    msg = (
        f"Cannot decode {silent_video!r}: it has no audio stream (it contains: video)."
    )
    with pytest.raises(MissingStreamError, match=re.escape(msg)):
        load_audio(silent_video)
    info = media_info(silent_video)
    assert info.has_video and not info.has_audio
    assert info.audio_duration is None and info.sample_rate is None


def test_audio_only_file_has_no_frames(tiny_wav):
    msg = f"Cannot decode {tiny_wav!r}: it has no video stream (it contains: audio)."
    with pytest.raises(MissingStreamError, match=re.escape(msg)):
        load_frames(tiny_wav)
    # MissingStreamError is a MediaError, so one except clause catches both.
    assert issubclass(MissingStreamError, MediaError)


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        ({"n_frames": 0}, "n_frames must be a positive integer; got 0."),
        ({"n_frames": -2}, "n_frames must be a positive integer; got -2."),
        ({"n_frames": 1.5}, "n_frames must be a positive integer; got 1.5."),
        ({"n_frames": "2"}, "n_frames must be a positive integer; got '2'."),
        (
            {"times": [0.5, -0.1]},
            "times must be a non-empty sequence of non-negative seconds; "
            "got [0.5, -0.1].",
        ),
        (
            {"times": []},
            "times must be a non-empty sequence of non-negative seconds; got [].",
        ),
        (
            {"times": [float("nan")]},
            "times must be a non-empty sequence of non-negative seconds; got [nan].",
        ),
    ],
)
def test_load_frames_bad_arguments(tiny_video, kwargs, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_frames(tiny_video, **kwargs)


def test_load_frames_time_beyond_clip(tiny_video):
    msg = f"times must lie within the clip's 1.000 s; got 5.000 s for {tiny_video!r}."
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_frames(tiny_video, times=[0.2, 5.0])


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        ({"sr": 0}, "sr must be a positive integer; got 0."),
        ({"sr": -8000}, "sr must be a positive integer; got -8000."),
        ({"sr": 22050.0}, "sr must be a positive integer; got 22050.0."),
        ({"offset": -1.0}, "offset must be a non-negative number; got -1.0."),
        ({"offset": float("inf")}, "offset must be a non-negative number; got inf."),
        ({"duration": 0}, "duration must be a positive number or None; got 0."),
        ({"duration": -0.5}, "duration must be a positive number or None; got -0.5."),
    ],
)
def test_load_audio_bad_arguments(tiny_wav, kwargs, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_audio(tiny_wav, **kwargs)


# --------------------------------------------------------------------------
# Errors: truncated files

TRUNCATED = r"the {kind} stream ends at \d+\.\d\d s but the container declares " + (
    r"{declared} s; the file looks truncated\."
)


def _truncated_msg(path, kind, declared):
    return f"Cannot decode {re.escape(repr(path))}: " + TRUNCATED.format(
        kind=kind, declared=declared
    )


@pytest.mark.parametrize(
    "name, options",
    [
        # Sorenson H.263 with MP3, as old Flash video.
        ("clip.flv", {"video_codec": "flv", "audio_codec": "mp3", "sr": 22050}),
        ("clip.mkv", {}),
    ],
)
def test_truncated_video_file(tmp_path, media_writer, name, options):
    path = media_writer(tmp_path / name, duration=4.0, **options)
    cut = truncate(path, 0.3)
    # The container still declares 4 s; only about the first second is there.
    assert media_info(cut).duration == pytest.approx(4.0, abs=0.1)
    with pytest.raises(MediaError, match=_truncated_msg(cut, "video", r"4\.\d\d")):
        load_frames(cut, times=[3.5])
    # The default middle frame (2 s) is missing too.
    with pytest.raises(MediaError, match=_truncated_msg(cut, "video", r"4\.\d\d")):
        load_frames(cut)
    with pytest.raises(MediaError, match=_truncated_msg(cut, "audio", r"4\.\d\d")):
        load_audio(cut)
    # What is before the cut still decodes, and equals the complete file's.
    np.testing.assert_array_equal(
        load_frames(cut, times=[0.3]), load_frames(path, times=[0.3])
    )
    np.testing.assert_allclose(
        load_audio(cut, duration=0.5), load_audio(path, duration=0.5), atol=1e-6
    )


def test_truncated_mp4_with_index_at_the_end(tmp_path, media_writer):
    # PyAV writes the moov index after the data: a cut file has no index.
    path = media_writer(tmp_path / "clip.mp4", duration=4.0)
    cut = truncate(path, 0.3)
    msg = f"Cannot decode {cut!r}: not a media file, or its header is corrupt ("
    for loader in LOADERS:
        with pytest.raises(MediaError, match=re.escape(msg)):
            loader(cut)


def test_truncated_mp4_with_index_first(tmp_path, clip_writer):
    # "faststart" files (as served for streaming) keep their index when cut.
    path = clip_writer(
        tmp_path / "fast.mp4",
        n_frames=100,
        audio=stepped_tone(4.0, 16000),
        container_options={"movflags": "faststart"},
    )
    cut = truncate(path, 0.3)
    with pytest.raises(MediaError, match=_truncated_msg(cut, "video", r"4\.00")):
        load_frames(cut, times=[3.5])
    msg = f"Cannot decode {cut!r}: the data is corrupt or truncated ("
    with pytest.raises(MediaError, match=re.escape(msg)):
        load_audio(cut)
    assert load_frames(cut, times=[0.2]).shape == (1, 24, 32, 3)


@pytest.mark.parametrize("fraction", [0.3, 0.85])
@pytest.mark.parametrize(
    "name, codec", [("tone.wav", "pcm_s16le"), ("tone.mp3", "libmp3lame")]
)
def test_truncated_audio_file(tmp_path, clip_writer, name, codec, fraction):
    path = clip_writer(
        tmp_path / name, audio=stepped_tone(4.0, 22050), sr=22050, audio_codec=codec
    )
    cut = truncate(path, fraction)
    with pytest.raises(MediaError, match=_truncated_msg(cut, "audio", r"4\.\d\d")):
        load_audio(cut)
    # A window that ends before the cut is still there.
    y = load_audio(cut, sr=22050, offset=0.5, duration=0.5)
    assert len(y) == 11025
    assert peak_frequency(y, 22050) == pytest.approx(STEP_FREQUENCIES[0], abs=5)


# --------------------------------------------------------------------------
# media_info


def test_media_info(tiny_video, tiny_wav):
    info = media_info(tiny_video)
    assert isinstance(info, MediaInfo)
    assert info.duration == pytest.approx(1.0, abs=0.05)
    assert info.audio_duration == pytest.approx(1.0, abs=0.1)
    assert info.has_video and info.has_audio
    assert (info.width, info.height) == (64, 48)
    assert info.fps == pytest.approx(25.0)
    assert info.sample_rate == 16000
    assert info.n_channels == 1

    info = media_info(tiny_wav)
    assert not info.has_video and info.has_audio
    assert info.width is None and info.height is None and info.fps is None
    assert info.duration == pytest.approx(1.0) == info.audio_duration


# --------------------------------------------------------------------------
# load_frames


@pytest.mark.parametrize("n_frames", [1, 2, 5])
def test_load_frames_shape_and_dtype(tiny_video, n_frames):
    frames = load_frames(tiny_video, n_frames=n_frames)
    assert frames.shape == (n_frames, 48, 64, 3)
    assert frames.dtype == np.uint8
    assert frames.flags.c_contiguous


def test_load_frames_accepts_path_objects(index_clip):
    from pathlib import Path

    np.testing.assert_array_equal(
        load_frames(Path(index_clip)), load_frames(os.fsencode(index_clip))
    )


@pytest.mark.parametrize(
    "n_frames, expected",
    [
        (1, [50]),  # the middle of 4 s
        (2, [25, 75]),  # centres of two 2 s halves
        (4, [12, 37, 62, 87]),  # 0.5, 1.5, 2.5, 3.5 s
    ],
)
def test_n_frames_are_centres_of_equal_segments(index_clip, n_frames, expected):
    frames = load_frames(index_clip, n_frames=n_frames)
    assert [frame_index(f) for f in frames] == expected


def test_index_clip_decodes_back(index_clip):
    # The premise of the index tests: the stripes survive the encoder.
    frames = naive_frames(index_clip)
    assert len(frames) == 100
    assert [frame_index(image) for _, image in frames] == list(range(100))


def test_times_order_is_kept(index_clip):
    frames = load_frames(index_clip, times=[3.0, 0.2, 1.6, 0.2, 3.96])
    assert [frame_index(f) for f in frames] == [75, 5, 40, 5, 99]


@pytest.mark.parametrize(
    "time",
    [0.0, 0.039, 0.04, 0.041, 1.0, 1.234, 2.0 - 1e-6, 3.96, 3.999, 4.0],
)
def test_frame_at_time_is_the_one_shown(index_clip, time):
    # The frame shown at t is the last one starting at or before t.
    frame = load_frames(index_clip, times=[time])[0]
    assert frame_index(frame) == min(int(np.floor(time * 25 + 1e-9)), 99)
    np.testing.assert_array_equal(frame, naive_shown(index_clip, [time])[0])


def test_only_wanted_frames_are_converted_to_rgb(index_clip, rgb_conversions):
    load_frames(index_clip)
    assert rgb_conversions == ["rgb24"]
    rgb_conversions.clear()
    load_frames(index_clip, times=[3.5, 0.5, 2.0])
    assert rgb_conversions == ["rgb24"] * 3


def test_one_frame_of_a_long_clip_seeks(long_clip, decode_counter):
    frame = load_frames(long_clip, times=[10.0])[0]
    assert frame_index(frame) == 100
    # A key frame every second: seeking decodes about one second of 12.
    assert decode_counter["seeks"] == 1
    assert decode_counter["decoded"] <= 15


def test_far_apart_times_seek_in_between(long_clip, decode_counter):
    times = [11.55, 0.25, 10.0, 5.5, 0.3]
    frames = load_frames(long_clip, times=times)
    assert [frame_index(f) for f in frames] == [115, 2, 100, 55, 3]
    assert decode_counter["decoded"] < 60  # a full decode is 120 frames
    for frame, expected in zip(frames, naive_shown(long_clip, times), strict=True):
        np.testing.assert_array_equal(frame, expected)


def test_short_gaps_decode_forward_without_seeking(index_clip, decode_counter):
    load_frames(index_clip, n_frames=4)
    assert decode_counter["seeks"] == 0
    # Decoding stops at the frame after the last wanted one.
    assert decode_counter["decoded"] <= 90


def test_raw_stream_without_duration(tmp_path, clip_writer):
    # A raw H.264 stream declares no duration and cannot seek: the duration
    # is measured by decoding, and late frames are reached by decoding forward.
    path = clip_writer(tmp_path / "raw.h264", n_frames=150)
    assert media_info(path).duration is None
    frames = load_frames(path, n_frames=3)
    assert [frame_index(f) for f in frames] == [25, 75, 125]
    frames = load_frames(path, times=[5.5, 0.5])
    assert [frame_index(f) for f in frames] == [137, 12]


@pytest.mark.parametrize(
    "name, options",
    [
        ("sorenson.flv", {"video_codec": "flv"}),
        ("mpeg4.mov", {"video_codec": "mpeg4"}),
        ("h264.mov", {"video_codec": "libx264"}),
        ("mpeg4.avi", {"video_codec": "mpeg4"}),
    ],
)
def test_containers_and_codecs(tmp_path, clip_writer, name, options):
    path = clip_writer(tmp_path / name, n_frames=50, gop=12, **options)
    times = [1.9, 0.0, 1.0, 0.5]
    frames = load_frames(path, times=times)
    assert frames.shape == (4, 24, 32, 3)
    for frame, expected in zip(frames, naive_shown(path, times), strict=True):
        np.testing.assert_array_equal(frame, expected)
    assert [frame_index(f) for f in frames] == [47, 0, 25, 12]


def test_flv_with_mp3_audio(tmp_path, media_writer):
    # The CREMA-D layout: FLV video with MP3 sound (Sorenson here, VP6F there).
    path = media_writer(
        tmp_path / "clip.flv", video_codec="flv", audio_codec="mp3", sr=22050
    )
    assert load_frames(path, n_frames=2).shape == (2, 48, 64, 3)
    y = load_audio(path, sr=22050)
    # FLV keeps no gapless information: the MP3 encoder delay and padding stay.
    assert 22050 <= len(y) <= 22050 + 2 * 1152
    assert peak_frequency(y, 22050) == pytest.approx(440, abs=3)


# --------------------------------------------------------------------------
# load_audio


@pytest.mark.parametrize("sr", [8000, 16000, 22050, 44100])
def test_load_audio_length_and_resampling(tiny_wav, sr):
    y = load_audio(tiny_wav, sr=sr)
    assert y.dtype == np.float32 and y.ndim == 1
    assert len(y) == sr  # 1 s of PCM, exactly
    assert peak_frequency(y, sr) == pytest.approx(440, abs=2)
    assert np.abs(y).max() == pytest.approx(0.5, abs=0.02)


def test_load_audio_of_a_video(tiny_video):
    y = load_audio(tiny_video, sr=22050)
    # AAC pads to whole frames of 1024 samples at 16 kHz.
    assert len(y) == pytest.approx(22050, abs=1500)
    assert peak_frequency(y, 22050) == pytest.approx(440, abs=2)


def test_stereo_becomes_the_channel_mean(tmp_path, clip_writer):
    sr = 16000
    t = np.arange(sr) / sr
    left = 0.6 * np.sin(2 * np.pi * 300 * t)
    right = 0.2 * np.sin(2 * np.pi * 1000 * t)
    path = clip_writer(
        tmp_path / "stereo.wav",
        audio=np.stack([left, right]),
        sr=sr,
        audio_codec="pcm_s16le",
    )
    assert media_info(path).n_channels == 2
    y = load_audio(path, sr=sr)
    assert y.ndim == 1
    np.testing.assert_allclose(y, (left + right) / 2, atol=1e-4)


def test_stereo_aac_in_mp4(tmp_path, clip_writer):
    sr = 22050
    t = np.arange(2 * sr) / sr
    audio = np.stack([np.sin(2 * np.pi * 500 * t), np.sin(2 * np.pi * 500 * t)])
    path = clip_writer(tmp_path / "stereo.mp4", n_frames=50, audio=0.4 * audio, sr=sr)
    y = load_audio(path, sr=sr)
    assert peak_frequency(y, sr) == pytest.approx(500, abs=2)
    assert np.abs(y[sr // 2 : sr]).max() == pytest.approx(0.4, abs=0.03)


@pytest.mark.parametrize("sr", [16000, 22050])
@pytest.mark.parametrize(
    "offset, duration, step",
    [(0.0, 1.0, 0), (2.0, 1.0, 2), (3.25, 0.5, 3), (5.0, None, 5), (5.5, 10.0, 5)],
)
def test_audio_window(stepped_wav, sr, offset, duration, step):
    y = load_audio(stepped_wav, sr=sr, offset=offset, duration=duration)
    end = 6.0 if duration is None else min(offset + duration, 6.0)
    assert len(y) == round((end - offset) * sr)
    assert peak_frequency(y, sr) == pytest.approx(STEP_FREQUENCIES[step], abs=5)
    # Sample-exact against the whole decoded track.
    full = load_audio(stepped_wav, sr=sr)
    begin = round(offset * sr)
    np.testing.assert_array_equal(y, full[begin : begin + len(y)])


@pytest.mark.parametrize("sr", [8000, 22050, 44100])
@pytest.mark.parametrize(
    "offset, duration", [(0.0, 0.128), (0.064, 1.024), (1.5, 2.048)]
)
def test_window_ending_on_a_packet_boundary_is_complete(
    stepped_wav, sr, offset, duration
):
    # The WAV packets hold 1024 samples (0.064 s at 16 kHz), so these windows
    # end where a packet does, while the resampler still holds samples back.
    y = load_audio(stepped_wav, sr=sr, offset=offset, duration=duration)
    assert len(y) == round(duration * sr)
    begin = round(offset * sr)
    full = load_audio(stepped_wav, sr=sr)
    np.testing.assert_array_equal(y, full[begin : begin + len(y)])


def test_offset_past_the_end_gives_no_samples(stepped_wav):
    assert load_audio(stepped_wav, offset=6.5).shape == (0,)


@pytest.mark.parametrize(
    "name, codec",
    [("long.wav", "pcm_s16le"), ("long.mp3", "libmp3lame"), ("long.m4a", "aac")],
)
def test_late_offset_seeks_and_matches_full_decode(
    tmp_path, clip_writer, monkeypatch, name, codec
):
    sr = 22050
    path = clip_writer(
        tmp_path / name, audio=stepped_tone(12.0, sr), sr=sr, audio_codec=codec
    )
    counts = collections.Counter()
    original = skmer.io._seek

    def counting_seek(*args):
        counts["seeks"] += 1
        return original(*args)

    monkeypatch.setattr(skmer.io, "_seek", counting_seek)
    y = load_audio(path, sr=sr, offset=9.0, duration=1.0)
    assert counts["seeks"] == 1
    assert len(y) == sr
    assert peak_frequency(y, sr) == pytest.approx(STEP_FREQUENCIES[9], abs=5)
    full = naive_audio(path, sr)
    np.testing.assert_allclose(y, full[9 * sr : 10 * sr], atol=1e-4)


def test_long_clip_frame_and_audio_after_seek(long_clip):
    frame = load_frames(long_clip, times=[10.0])[0]
    np.testing.assert_array_equal(frame, naive_shown(long_clip, [10.0])[0])
    y = load_audio(long_clip, sr=16000, offset=9.0, duration=2.0)
    full = naive_audio(long_clip, 16000)
    np.testing.assert_allclose(y, full[9 * 16000 : 11 * 16000], atol=1e-4)


# --------------------------------------------------------------------------
# Real recordings


@pytest.mark.dataset
@pytest.mark.parametrize(
    "relative, size, n_channels",
    [
        ("crema-d/VideoFlash/1001_DFA_ANG_XX.flv", (480, 360), 1),  # VP6F + MP3
        ("crema-d/VideoFlash/1058_IEO_SAD_HI.flv", (480, 360), 2),  # H.264
        ("ravdess/01-01-07-02-02-01-01_1.mp4", (640, 480), None),
        ("faces/single_face.mp4", None, None),
        ("faces/face_noface.mov", None, None),
        ("faces/noface_face.mov", None, None),
    ],
)
def test_real_video(shared_data, relative, size, n_channels):
    path = str(shared_data / relative)
    info = media_info(path)
    assert info.has_video and info.has_audio
    if size is not None:
        assert (info.width, info.height) == size
    if n_channels is not None:
        assert info.n_channels == n_channels
    frames = load_frames(path, n_frames=3)
    assert frames.shape == (3, info.height, info.width, 3)
    # Not blank frames.
    assert frames.std() > 10
    times = [info.duration * 0.9, 0.1, info.duration / 2]
    frames = load_frames(path, times=times)
    for frame, expected in zip(frames, naive_shown(path, times), strict=True):
        np.testing.assert_array_equal(frame, expected)
    y = load_audio(path, sr=16000)
    assert len(y) == pytest.approx(info.audio_duration * 16000, rel=0.05)
    assert 0.001 < np.abs(y).max() <= 1.0


@pytest.mark.dataset
def test_real_audio_files(shared_data):
    mp3 = shared_data / "crema-d" / "AudioMP3" / "1002_DFA_ANG_XX.mp3"
    info = media_info(mp3)
    assert not info.has_video and info.sample_rate == 44100
    y = load_audio(mp3, sr=16000)
    assert len(y) == pytest.approx(info.duration * 16000, abs=50)
    wav = shared_data / "emodb" / "wav" / "03a01Fa.wav"
    y = load_audio(wav, sr=22050)
    assert len(y) == 44100  # processed copies are 2.0 s at 22.05 kHz
    np.testing.assert_array_equal(load_audio(wav, sr=22050, offset=0.5), y[11025:])


@pytest.mark.dataset
@pytest.mark.parametrize("name", ["single_face.jpg", "multi_face.jpg"])
def test_real_image(shared_data, name):
    path = shared_data / "faces" / name
    frames = load_frames(path, n_frames=2)
    assert frames.shape[0] == 2 and frames.shape[-1] == 3
    np.testing.assert_array_equal(frames[0], frames[1])
    with pytest.raises(MissingStreamError, match="it has no audio stream"):
        load_audio(path)


def _decode_everything(path):
    """Decode a file to its very end, as far as the extractors could reach."""
    info = media_info(path)
    if info.has_video:
        load_frames(path, times=[0.0, info.duration])
    if info.has_audio:
        load_audio(path)
    return path


@pytest.mark.dataset
def test_no_real_file_looks_truncated(shared_data):
    # The truncation checks must not fire on any complete real recording.
    paths = [
        *sorted((shared_data / "crema-d" / "VideoFlash").glob("*.flv")),
        *sorted((shared_data / "crema-d" / "AudioMP3").glob("*.mp3")),
        *sorted((shared_data / "emodb" / "wav").glob("*.wav")),
        *sorted((shared_data / "ravdess").glob("*.mp4")),
        *sorted((shared_data / "faces").glob("*")),
    ]
    assert len(paths) >= 186 + 6 + 1 + 5
    done = Parallel(n_jobs=2)(delayed(_decode_everything)(str(p)) for p in paths)
    assert len(done) == len(paths)
