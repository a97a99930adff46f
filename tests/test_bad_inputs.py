"""The bad-input sweep: what every kind of broken input gets from skmer.

Cases already pinned elsewhere are not repeated here; the table in
``CHANGELOG.md`` and these pointers say where they live:

- missing file, directory, empty file, random bytes, truncated video and audio,
  video without audio, audio-only file given to ``load_frames``:
  ``tests/test_io.py``;
- a frame with no face, several faces, audio-only file given to
  FaceExtractor, an unwritable cache, two processes filling one cache, an
  error in a worker naming the file: ``tests/test_feature_extraction.py``.

Here: the same bad files through the extractors, with ``on_error='raise'`` (the
error names the file) and ``on_error='skip'`` (NaN rows and one warning listing
the files), unicode and spaces in paths, a read-only cache directory, a 0.1 s
clip, silent audio, a 10-minute clip decoded in bounded memory, bad feature
matrices in a fitted pipeline, labels unseen in training, a decoder fuzz test,
and a killed extraction that resumes from the cache.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmer.exceptions import (
    CacheWarning,
    MediaError,
    MissingStreamError,
    SkippedFilesWarning,
)
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.utils._testing import fast_extractor

EXTRACTORS = [FaceExtractor, MFCCExtractor]


def _run_python(code, *args, timeout=120):
    """Run ``code`` in a fresh interpreter; return its completed process."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --------------------------------------------------------------------------
# Bad files through the extractors: raise naming the file, or skip


@pytest.fixture
def bad_files(tmp_path, media_writer):
    """Each kind of unreadable file, with the start of the error it gives."""
    good = media_writer(tmp_path / "good.mp4")
    # Matroska writes its header first, so a cut file opens and ends early.
    cut = tmp_path / "truncated.mkv"
    media_writer(cut, duration=4.0)
    data = cut.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.3)])
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    folder = tmp_path / "folder.mp4"
    folder.mkdir()
    missing = tmp_path / "missing.mp4"
    cases = {
        "missing": (
            str(missing),
            FileNotFoundError,
            f"No such media file: {str(missing)!r}.",
        ),
        "directory": (
            str(folder),
            IsADirectoryError,
            f"Expected a media file, got a directory: {str(folder)!r}.",
        ),
        "empty": (
            str(empty),
            MediaError,
            f"Cannot decode {str(empty)!r}: the file is empty (0 bytes).",
        ),
        "random bytes": (
            str(noise),
            MediaError,
            f"Cannot decode {str(noise)!r}: not a media file, or its header is corrupt",
        ),
        "truncated": (str(cut), MediaError, f"Cannot decode {str(cut)!r}: the "),
    }
    return good, cases


CASES = ["missing", "directory", "empty", "random bytes", "truncated"]


@pytest.mark.parametrize("cls", EXTRACTORS)
@pytest.mark.parametrize("case", CASES)
def test_bad_file_raises_naming_the_file(cls, case, bad_files):
    good, cases = bad_files
    path, error, msg = cases[case]
    with pytest.raises(error, match=re.escape(msg)):
        fast_extractor(cls).transform([good, path])


@pytest.mark.parametrize(
    "cls, fixture, msg",
    [
        (MFCCExtractor, "silent_video", "it has no audio stream (it contains: video)."),
        (FaceExtractor, "tiny_wav", "it has no video stream (it contains: audio)."),
    ],
)
def test_missing_stream_raises_naming_the_file(cls, fixture, msg, request):
    path = request.getfixturevalue(fixture)
    with pytest.raises(
        MissingStreamError, match=re.escape(f"Cannot decode {path!r}: {msg}")
    ):
        fast_extractor(cls).transform([path])


@pytest.mark.parametrize("cls", EXTRACTORS)
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_skip_fills_nan_rows_and_warns_once(cls, n_jobs, bad_files, tmp_path):
    good, cases = bad_files
    paths = [good] + [cases[case][0] for case in CASES] + [good]
    expected = fast_extractor(cls).transform([good])
    extractor = fast_extractor(
        cls, on_error="skip", n_jobs=n_jobs, cache_dir=tmp_path / "c"
    )
    with pytest.warns(SkippedFilesWarning) as record:
        X = extractor.transform(paths)
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith(
        f"Skipped {len(CASES)} of {len(paths)} files that could not be read; "
        "their rows are NaN"
    )
    for case in CASES:
        path, error, msg = cases[case]
        assert f"  {path!r}: {error.__name__}: {msg}" in message
    assert X.shape == (len(paths), expected.shape[1])
    assert np.isnan(X[1:-1]).all()
    np.testing.assert_array_equal(X[[0, -1]], np.vstack([expected, expected]))
    # The warning points at the caller, and failures are not cached: a second
    # call reports the same files again.
    assert record[0].filename == __file__
    with pytest.warns(SkippedFilesWarning, match=re.escape(f"Skipped {len(CASES)} of")):
        extractor.transform(paths)


def test_skip_missing_stream(silent_video, tiny_wav, tiny_video):
    with pytest.warns(SkippedFilesWarning, match="it has no audio stream") as record:
        X = fast_extractor(MFCCExtractor, on_error="skip").transform(
            [tiny_video, silent_video]
        )
    assert f"{silent_video!r}: MissingStreamError: Cannot decode" in str(
        record[0].message
    )
    assert np.isfinite(X[0]).all() and np.isnan(X[1]).all()
    with pytest.warns(SkippedFilesWarning, match="it has no video stream"):
        X = fast_extractor(FaceExtractor, on_error="skip").transform(
            [tiny_wav, tiny_video]
        )
    assert np.isnan(X[0]).all() and np.isfinite(X[1]).all()


def test_skipped_file_is_not_reported_as_faceless(tiny_video, tmp_path):
    missing = str(tmp_path / "missing.mp4")
    extractor = FaceExtractor(size=16, on_no_face="raise", on_error="skip")
    # tiny_video has no face: that raises; the missing file is only skipped.
    msg = "No face detected in 1 of 2 frames, in 1 files: "
    with pytest.raises(ValueError, match=re.escape(msg + repr(tiny_video))):
        with pytest.warns(SkippedFilesWarning, match=re.escape(repr(missing))):
            extractor.transform([tiny_video, missing])
    with pytest.warns(SkippedFilesWarning):
        boxes = extractor.locate_faces([missing])
    assert boxes.shape == (1, 1, 4) and np.isnan(boxes).all()


def test_skip_does_not_hide_bugs(tiny_video, monkeypatch):
    def broken(self, path):
        raise RuntimeError("a bug, not a bad file")

    monkeypatch.setattr(MFCCExtractor, "_extract_file", broken)
    with pytest.raises(RuntimeError, match="a bug, not a bad file"):
        MFCCExtractor(on_error="skip").transform([tiny_video])


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_on_error_is_validated(cls, tiny_video):
    msg = "The 'on_error' parameter of "
    with pytest.raises(ValueError, match=re.escape(msg)):
        cls(on_error="ignore").fit([tiny_video])


# --------------------------------------------------------------------------
# Paths and the cache


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_unicode_and_spaces_in_paths(cls, tmp_path, tiny_video, opened):
    folder = tmp_path / "données émotion 情绪 ☺"
    folder.mkdir()
    # The same bytes under another name (x264 does not encode bit-identically
    # twice under load, so the clip is copied rather than written again).
    path = shutil.copy(tiny_video, folder / "clip n°1 – été.mp4")
    cache_dir = tmp_path / "cache ünï 缓存"
    X = fast_extractor(cls, cache_dir=cache_dir).transform([path])
    np.testing.assert_array_equal(X, fast_extractor(cls).transform([tiny_video]))
    opened.clear()
    np.testing.assert_array_equal(
        fast_extractor(cls, cache_dir=cache_dir).transform([path]), X
    )
    assert not opened
    # Errors quote the path intact.
    with pytest.raises(FileNotFoundError, match=re.escape(repr(str(folder / "ø.mp4")))):
        fast_extractor(cls).transform([folder / "ø.mp4"])


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root writes into read-only directories; the unwritable case is "
    "test_unwritable_cache_warns_once_and_still_works",
)
def test_read_only_cache_directory(tiny_video, tmp_path):
    cache_dir = tmp_path / "ro"
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    try:
        msg = (
            f"Cannot write to the feature cache {str(cache_dir)!r} (Permission denied)"
        )
        with pytest.warns(CacheWarning, match=re.escape(msg)):
            X = fast_extractor(MFCCExtractor, cache_dir=cache_dir).transform(
                [tiny_video]
            )
    finally:
        cache_dir.chmod(0o755)
    np.testing.assert_array_equal(
        X, fast_extractor(MFCCExtractor).transform([tiny_video])
    )


# --------------------------------------------------------------------------
# Short, silent and very long clips


@pytest.mark.parametrize("cls", EXTRACTORS)
def test_tenth_of_a_second_clip(cls, tmp_path, media_writer):
    path = media_writer(tmp_path / "short.mp4", duration=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = fast_extractor(cls, n_frames=32 if cls is MFCCExtractor else 4).transform(
            [path]
        )
    assert np.isfinite(X).all()
    if cls is MFCCExtractor:
        # 0.1 s of 22.05 kHz audio (plus the AAC encoder's padding) fills about
        # 10 frames of 256-sample hops: the rest of the matrix is zero padding.
        filled = (X.reshape(5, 32) != 0).any(axis=0)
        assert 8 <= filled.sum() <= 14


def test_silent_audio_gives_finite_features(tmp_path, clip_writer):
    path = clip_writer(
        tmp_path / "silence.wav",
        audio=np.zeros(16000),
        sr=16000,
        audio_codec="pcm_s16le",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = MFCCExtractor().transform([path])
    assert np.isfinite(X).all()


@pytest.fixture(scope="module")
def ten_minute_clip(tmp_path_factory):
    """A 10-minute 320x240 clip at 5 fps with a 44.1 kHz tone (written once).

    Decoding all of it would hold 690 MB of RGB frames and 100 MB of audio.
    """
    import av

    path = tmp_path_factory.mktemp("long") / "ten minutes.mp4"
    seconds, fps, sr = 600, 5, 44100
    with av.open(str(path), mode="w") as container:
        video = container.add_stream(
            "libx264", rate=fps, options={"preset": "ultrafast"}
        )
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = container.add_stream("aac", rate=sr)
        audio.layout = "mono"
        image = np.zeros((240, 320, 3), dtype=np.uint8)
        for i in range(seconds * fps):
            image[:, :, 0] = i % 256
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        t = np.arange(sr) / sr
        tone = (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
        for second in range(seconds):
            frame = av.AudioFrame.from_ndarray(tone[None], format="flt", layout="mono")
            frame.sample_rate, frame.pts = sr, second * sr
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return str(path)


_PEAK_RSS = """
    import resource, sys, time
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor
    path = sys.argv[1]
    # Imports and first-use setup (librosa, the Haar cascade) on a short clip.
    FaceExtractor(n_frames=5, on_no_face="ignore").transform([sys.argv[2]])
    MFCCExtractor().transform([sys.argv[2]])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    X = FaceExtractor(n_frames=5, on_no_face="ignore").transform([path])
    A = MFCCExtractor().transform([path])
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(after - before, seconds, X.shape[1], A.shape[1])
"""


@pytest.mark.slow
def test_ten_minute_clip_decodes_only_what_is_needed(ten_minute_clip, tiny_video):
    result = _run_python(_PEAK_RSS, ten_minute_clip, tiny_video)
    assert result.returncode == 0, result.stderr
    growth_kib, seconds, n_face, n_audio = result.stdout.split()
    assert (int(n_face), int(n_audio)) == (5 * 64 * 64 * 3, 40 * 128)
    # ru_maxrss is in KiB on Linux. The whole clip would take ~800 MB.
    assert int(growth_kib) < 60 * 1024, result.stdout
    assert float(seconds) < 20, result.stdout


# --------------------------------------------------------------------------
# Bad feature matrices and labels in a fitted pipeline


@pytest.fixture
def fitted_pipeline(rng):
    X = rng.normal(size=(30, 6))
    y = np.array(["ANG", "HAP", "SAD"] * 10)
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), X, y


def test_wrong_width_features(fitted_pipeline):
    pipeline, X, _ = fitted_pipeline
    msg = "X has 5 features, but StandardScaler is expecting 6 features as input."
    with pytest.raises(ValueError, match=re.escape(msg)):
        pipeline.predict(X[:, :5])


def test_nan_in_features(fitted_pipeline):
    pipeline, X, y = fitted_pipeline
    X = X.copy()
    X[3, 2] = np.nan
    msg = "Input X contains NaN."
    with pytest.raises(ValueError, match=re.escape(msg)):
        pipeline.predict(X)
    with pytest.raises(ValueError, match=re.escape(msg)):
        make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    # Rows skipped by an extractor are dropped before fitting.
    keep = ~np.isnan(X).any(axis=1)
    make_pipeline(StandardScaler(), LogisticRegression()).fit(X[keep], y[keep])


def test_unknown_labels_at_predict_time(fitted_pipeline):
    pipeline, X, y = fitted_pipeline
    # A test set holding an emotion never seen in training: predictions stay
    # within classes_, and the unseen emotion counts as an error in scores.
    y_test = y.copy()
    y_test[:3] = "NEU"
    assert set(pipeline.predict(X)) <= set(pipeline.classes_)
    assert pipeline.score(X, y_test) == pytest.approx(
        np.mean(pipeline.predict(X) == y_test)
    )
    with pytest.raises(
        ValueError, match=re.escape("y contains previously unseen labels")
    ):
        from sklearn.preprocessing import LabelEncoder

        LabelEncoder().fit(y).transform(y_test)


# --------------------------------------------------------------------------
# Decoder fuzzing


_FUZZ = """
    import faulthandler, json, os, sys, time
    import numpy as np
    from skmer.exceptions import MediaError
    from skmer.io import load_audio, load_frames

    seeds_dir, budget = sys.argv[1], float(sys.argv[2])
    seeds = sorted(os.path.join(seeds_dir, n) for n in os.listdir(seeds_dir))
    rng = np.random.default_rng(int(sys.argv[3]))
    work = os.path.join(seeds_dir, os.pardir, "fuzz")
    os.makedirs(work, exist_ok=True)
    counts, unexpected = {}, []
    start, n = time.monotonic(), 0
    while time.monotonic() - start < budget:
        seed = seeds[n % len(seeds)]
        data = bytearray(open(seed, "rb").read())
        kind = ["flip", "zero", "cut", "dup", "random", "splice"][rng.integers(6)]
        if kind == "flip":
            for i in rng.integers(0, len(data), rng.integers(1, 64)):
                data[i] ^= 1 << int(rng.integers(8))
        elif kind == "zero":
            i = int(rng.integers(0, len(data)))
            j = min(len(data), i + int(rng.integers(1, 512)))
            data[i:j] = bytes(j - i)
        elif kind == "cut":
            data = data[: int(rng.integers(1, len(data)))]
        elif kind == "dup":
            i = int(rng.integers(0, len(data)))
            data[i:i] = data[i : i + int(rng.integers(1, 4096))]
        elif kind == "random":
            data = bytearray(rng.bytes(int(rng.integers(1, 20000))))
        else:
            i = int(rng.integers(0, len(data)))
            data[i:] = rng.bytes(len(data) - i)
        path = os.path.join(work, f"case{n}" + os.path.splitext(seed)[1])
        with open(path, "wb") as handle:
            handle.write(data)
        for name, load in (("frames", lambda p: load_frames(p, n_frames=3)),
                           ("audio", lambda p: load_audio(p, sr=8000))):
            # A call that hangs dumps its stack and ends the process.
            faulthandler.dump_traceback_later(10, exit=True)
            print(json.dumps({"case": path, "kind": kind, "call": name}), flush=True)
            try:
                load(path)
                outcome = "ok"
            except (MediaError, FileNotFoundError) as exc:
                outcome = type(exc).__name__
            except Exception as exc:
                outcome = "unexpected"
                unexpected.append(f"{name} {kind} {seed}: {type(exc).__name__}: {exc}")
            faulthandler.cancel_dump_traceback_later()
            counts[outcome] = counts.get(outcome, 0) + 1
        os.unlink(path)
        n += 1
    summary = {"cases": n, "counts": counts, "unexpected": unexpected}
    print("RESULT " + json.dumps(summary))
"""


@pytest.mark.slow
def test_fuzzed_media_never_hangs_or_crashes(tmp_path, media_writer, clip_writer):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    media_writer(seeds / "clip.mp4", duration=0.6)
    media_writer(
        seeds / "clip.mkv", duration=0.6, video_codec="mpeg4", audio_codec="mp2"
    )
    media_writer(
        seeds / "clip.flv", duration=0.6, video_codec="flv", audio_codec="mp3", sr=22050
    )
    media_writer(seeds / "clip.mov", duration=0.6)
    tone = 0.3 * np.sin(np.linspace(0, 400, 8000))
    clip_writer(seeds / "tone.wav", audio=tone, sr=16000, audio_codec="pcm_s16le")
    clip_writer(seeds / "tone.mp3", audio=tone, sr=16000, audio_codec="mp3")
    result = _run_python(_FUZZ, seeds, 20, 0, timeout=120)
    lines = result.stdout.splitlines()
    last = lines[-1] if lines else "(no output)"
    # A negative return code is a signal: the decoder crashed the interpreter.
    assert result.returncode == 0, (
        f"{result.returncode}; last call {last}\n{result.stderr}"
    )
    summary = json.loads(last.removeprefix("RESULT "))
    assert summary["unexpected"] == [], "\n".join(summary["unexpected"][:5])
    assert summary["cases"] > 50, summary
    assert summary["counts"].get("MediaError", 0) > 0, summary


# --------------------------------------------------------------------------
# A killed extraction resumes from the cache


_EXTRACT = """
    import collections, contextlib, json, os, sys
    import skmer.io
    from skmer.feature_extraction import MFCCExtractor

    # Count decodes: every file opened for its audio.
    opened = []
    original = skmer.io._open_container

    @contextlib.contextmanager
    def counting(path):
        opened.append(os.fspath(path))
        with original(path) as container:
            yield container

    skmer.io._open_container = counting
    paths = json.load(open(sys.argv[1]))
    X = MFCCExtractor(20, n_frames=32, cache_dir=sys.argv[2]).transform(paths)
    print(json.dumps({"decoded": sorted(set(opened))}))
    X.dump(sys.argv[3])
"""


@pytest.mark.slow
def test_killed_extraction_resumes_where_it_stopped(tmp_path, clip_writer):
    sr = 16000
    t = np.arange(sr) / sr
    paths = [
        clip_writer(
            tmp_path / f"voice{i:02d}.wav",
            audio=0.3 * np.sin(2 * np.pi * (150 + 10 * i) * t),
            sr=sr,
            audio_codec="pcm_s16le",
        )
        for i in range(40)
    ]
    listing = tmp_path / "paths.json"
    listing.write_text(json.dumps(paths))
    cache_dir = tmp_path / "cache"
    script = textwrap.dedent(_EXTRACT)
    command = [sys.executable, "-c", script, listing, cache_dir, tmp_path / "X1.npy"]
    process = subprocess.Popen(
        list(map(str, command)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(glob.glob(str(cache_dir / "*" / "*.features"))) >= 10:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    done = {os.path.basename(p) for p in glob.glob(str(cache_dir / "*" / "*.features"))}
    assert 10 <= len(done) < len(paths), "the run was not killed half-way"

    result = _run_python(_EXTRACT, listing, cache_dir, tmp_path / "X2.npy")
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout.splitlines()[-1])["decoded"]
    assert len(decoded) == len(paths) - len(done)
    entries = glob.glob(str(cache_dir / "*" / "*.features"))
    assert len(entries) == len(paths)

    fresh = _run_python(_EXTRACT, listing, tmp_path / "fresh", tmp_path / "X3.npy")
    assert fresh.returncode == 0, fresh.stderr
    resumed = np.load(tmp_path / "X2.npy", allow_pickle=True)
    uninterrupted = np.load(tmp_path / "X3.npy", allow_pickle=True)
    np.testing.assert_array_equal(resumed, uninterrupted)


def test_wav_header_with_a_corrupt_channel_count(tmp_path, clip_writer):
    # Found by the fuzz test: a WAV header whose channel count is flipped from
    # 1 to 9 made PyAV read past its buffers and crash the interpreter.
    path = clip_writer(
        tmp_path / "tone.wav", audio=np.zeros(4000), sr=16000, audio_codec="pcm_s16le"
    )
    data = bytearray(open(path, "rb").read())
    assert data[22] == 1
    data[22] = 9
    bad = tmp_path / "nine channels.wav"
    bad.write_bytes(bytes(data))
    code = f"""
        from skmer.io import load_audio
        try:
            load_audio({str(bad)!r}, sr=8000)
        except Exception as exc:
            print(type(exc).__name__, exc)
    """
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    msg = (
        f"MediaError Cannot decode {str(bad)!r}: its audio channel layout is corrupt "
        "or unsupported (9 channels, '9 channels', in "
    )
    assert result.stdout.startswith(msg)
