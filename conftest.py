"""Fixtures shared by the test suite and the doctests: tiny media files.

They are written with PyAV into pytest's temporary directory, so neither the
tests nor the docstring examples need any recording on disk.
"""

import av
import numpy as np
import pytest


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
            chunk = 1024
            for start in range(0, len(y), chunk):
                block = y[start : start + chunk]
                frame = av.AudioFrame.from_ndarray(
                    block[None, :], format="flt", layout="mono"
                )
                frame.sample_rate = sr
                frame.pts = start
                for packet in astream.encode(frame):
                    container.mux(packet)
            for packet in astream.encode():
                container.mux(packet)
    return str(path)


@pytest.fixture
def tiny_video(tmp_path):
    """A 1 s, 64x48, 25 fps H.264/AAC clip with a 440 Hz tone."""
    return write_media(tmp_path / "tiny.mp4")


@pytest.fixture
def tiny_wav(tmp_path):
    """A 1 s, 16 kHz mono WAV file with a 440 Hz tone."""
    return write_media(
        tmp_path / "tiny.wav", video=False, audio_codec="pcm_s16le"
    )


@pytest.fixture
def silent_video(tmp_path):
    """A 1 s clip with a video stream and no audio stream."""
    return write_media(tmp_path / "silent.mp4", audio=False)
