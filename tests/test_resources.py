"""Resources and odd files: image bombs, orphaned workers, pipes, cut clips."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
import wave
import zlib

import numpy as np
import pytest

from skmer.cli import main
from skmer.exceptions import MediaError, TruncatedMediaWarning
from skmer.io import load_audio, load_frames, media_info

# --- A 16000x16000 PNG that is small on disk ---------------------------------


def _png_chunk(kind, data):
    body = kind + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory):
    """A valid black 16000x16000 PNG of about 40 kB (1-bit grey, one IDAT)."""
    width = height = 16000
    compressor = zlib.compressobj(9)
    row = bytes(1 + width // 8)  # filter byte, then 1 bit per pixel
    data = b"".join(compressor.compress(row) for _ in range(height))
    header = (
        width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    )
    path = tmp_path_factory.mktemp("png") / "huge.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data + compressor.flush())
        + _png_chunk(b"IEND", b"")
    )
    return str(path)


def test_huge_image_is_refused_from_its_header(huge_png):
    assert os.path.getsize(huge_png) < 100_000
    message = (
        f"Cannot decode {huge_png!r}: its frames are 16000x16000 pixels (256 "
        "megapixels, 0.8 GB as RGB), more than the 89.5 megapixels skmer "
        "decodes; downscale it first."
    )
    with pytest.raises(MediaError, match=re.escape(message)):
        load_frames(huge_png)
    info = media_info(huge_png)
    assert (info.width, info.height) == (16000, 16000)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_huge_image_is_not_decoded(huge_png):
    # In a fresh process, whose peak memory (VmHWM: ru_maxrss would count
    # the parent's, kept across exec) is this call's: decoding the image would
    # take 768 MB as RGB.
    code = textwrap.dedent(
        f"""
        from skmer.io import load_frames, media_info
        media_info({huge_png!r})
        try:
            load_frames({huge_png!r})
        except ValueError:
            pass
        with open("/proc/self/status") as status:
            print(next(line for line in status if line.startswith("VmHWM")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert int(result.stdout.split()[1]) < 300_000  # kB


def test_small_images_decode(tmp_path):
    cv2 = pytest.importorskip("cv2")
    for suffix in (".png", ".jpg"):
        path = str(tmp_path / f"small{suffix}")
        cv2.imwrite(path, np.zeros((30, 40, 3), dtype=np.uint8))
        assert load_frames(path).shape == (1, 30, 40, 3)
        assert (media_info(path).width, media_info(path).height) == (40, 30)


# --- Files that are not readable regular files -------------------------------


def test_permission_denied_is_reported_as_such(tiny_wav, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "denied.wav"
    shutil.copy(tiny_wav, path)
    path.chmod(0)
    message = f"Permission denied: cannot read media file {str(path)!r}."
    if os.geteuid() != 0:
        with pytest.raises(PermissionError, match=re.escape(message)):
            load_audio(path)
        return
    # root reads any file: try as root without the capabilities that allow it.
    if not sys.platform.startswith("linux"):
        pytest.skip("needs Linux capabilities to test as root")
    code = (
        "from skmer.io import load_audio\n"
        "try:\n"
        f"    load_audio({str(path)!r})\n"
        "except PermissionError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        preexec_fn=_drop_file_capabilities,
    )
    assert result.stdout.strip() == message, result.stderr


def _drop_file_capabilities():
    """Drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the process to come."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_symlink_loop_is_reported_as_such(tmp_path):
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    message = (
        f"Symbolic link loop: media file {str(loop)!r} leads back to itself "
        "through symbolic links."
    )
    with pytest.raises(OSError, match=re.escape(message)):
        load_audio(loop)


def test_dangling_symlink_names_its_target(tmp_path):
    link = tmp_path / "clip.wav"
    link.symlink_to(tmp_path / "gone.wav")
    message = (
        f"No such media file: {str(link)!r} is a symbolic link to "
        f"{str(tmp_path / 'gone.wav')!r}, which does not exist."
    )
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        load_frames(link)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    caught = []

    def read():
        try:
            media_info(fifo)
        except MediaError as exc:
            caught.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():
        # Let the blocked open return, then fail.
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert caught == [
        f"Cannot decode {str(fifo)!r}: it is a named pipe (FIFO), not a regular "
        "file; media are read from files."
    ]


# --- Clips cut short ----------------------------------------------------------


def _wav(path, seconds, sr=16000):
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(sr)
        file.writeframes(bytes(2 * int(seconds * sr)))
    return path


def _cut(path, fraction):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def test_wav_cut_a_little_warns_and_cut_more_fails(tmp_path):
    intact = _wav(tmp_path / "intact.wav", 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_audio(intact, sr=16000).size == 48000

    # Short by 0.24 s: more than intact clips are (0.07 s), less than the
    # 0.3 s that makes an error.
    short = _cut(_wav(tmp_path / "short.wav", 3.0), 0.92)
    message = (
        f"{str(short)!r} may be truncated: its audio stream ends at 2.76 s but the "
        "container declares 3.00 s. What decodes is used."
    )
    with pytest.warns(TruncatedMediaWarning, match=re.escape(message)):
        assert load_audio(short, sr=16000).size == pytest.approx(44160, abs=10)

    cut = _cut(_wav(tmp_path / "cut.wav", 3.0), 0.85)
    with pytest.raises(MediaError, match="the file looks truncated"):
        load_audio(cut, sr=16000)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_truncation_warning_reaches_the_user_from_workers(tmp_path, n_jobs):
    from skmer.feature_extraction import MFCCExtractor

    short = _cut(_wav(tmp_path / "short.wav", 3.0), 0.92)
    intact = _wav(tmp_path / "intact.wav", 3.0)
    extractor = MFCCExtractor(sr=16000, n_jobs=n_jobs)
    with pytest.warns(TruncatedMediaWarning, match="short.wav' may be truncated"):
        X = extractor.fit_transform([str(intact), str(short)])
    assert np.isfinite(X).all()


@pytest.mark.dataset
def test_real_clip_cut_to_90_percent_warns(shared_data, tmp_path):
    source = shared_data / "crema-d" / "VideoFlash" / "1001_DFA_ANG_XX.flv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_audio(source)
        load_frames(source, n_frames=5)
    cut = tmp_path / "cut.flv"
    shutil.copy(source, cut)
    _cut(cut, 0.9)
    with pytest.warns(TruncatedMediaWarning, match="its audio stream ends at 2.01 s"):
        load_audio(cut)
    with pytest.warns(TruncatedMediaWarning, match="its video stream ends at 2.00 s"):
        assert load_frames(cut, n_frames=5).shape == (5, 360, 480, 3)


# --- Workers of a killed parent -----------------------------------------------


def _children(pid):
    """Process ids whose parent is ``pid``, from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return children


def _alive(pid):
    """Whether ``pid`` runs (a zombie, dead and not reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_workers_exit_when_the_parent_is_killed(tmp_path, tiny_wav):
    started = tmp_path / "started"
    started.mkdir()
    script = tmp_path / "extract.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, time
            from skmer.feature_extraction import MFCCExtractor

            class SlowExtractor(MFCCExtractor):
                def _extract_file(self, path):
                    open(os.path.join({str(started)!r}, str(os.getpid())), "w").close()
                    time.sleep(60)

            paths = [{tiny_wav!r}] * 8
            SlowExtractor(n_jobs=2).fit_transform(paths)
            """
        )
    )
    parent = subprocess.Popen([sys.executable, str(script)])
    workers = []
    try:
        deadline = time.monotonic() + 60
        while len(os.listdir(started)) < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            assert parent.poll() is None, "the extraction failed"
            time.sleep(0.1)
        workers = [int(name) for name in os.listdir(started)]
        assert set(workers) <= set(_children(parent.pid))
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- Names that would forge lines of predict's output ------------------------


@pytest.fixture
def audio_model(tmp_path, media_writer):
    """A small audio-only pipeline fitted on two tones, without Keras."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    from skmer.feature_extraction import MFCCExtractor

    paths = [
        media_writer(
            tmp_path / f"{tone}.wav", video=False, tone=tone, audio_codec="pcm_s16le"
        )
        for tone in (220.0, 880.0)
    ]
    pipeline = Pipeline(
        [
            ("features", FeatureUnion([("audio", MFCCExtractor())])),
            ("classifier", LogisticRegression()),
        ]
    )
    return pipeline.fit(paths, ["ANG", "HAP"]), paths[0]


def test_predict_escapes_tabs_and_newlines_in_names(
    audio_model, tmp_path, monkeypatch, capsys
):
    from skmer.cli import _commands

    pipeline, clip = audio_model
    monkeypatch.setattr(_commands, "_load_model", lambda args: (pipeline, None))
    folder = tmp_path / "names"
    folder.mkdir()
    forged = folder / "a\tHAP\tANG=1.000\nb.wav"
    shutil.copy(clip, forged)
    slash = folder / "c\\d.wav"
    shutil.copy(clip, slash)
    broken = folder / "e\nf.wav"
    broken.write_bytes(b"junk")
    files = [str(forged), str(slash), str(broken)]

    assert main(["predict", *files, "--model", "m"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert [line.split("\t")[0] for line in lines] == [
        f"{folder}/a\\tHAP\\tANG=1.000\\nb.wav",
        f"{folder}/c\\\\d.wav",
        f"{folder}/e\\nf.wav",
    ]
    assert [len(line.split("\t")) for line in lines] == [3, 3, 3]
    assert lines[2].split("\t")[1] == "ERROR"

    assert main(["predict", *files, "--model", "m", "--json"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["path"] for record in records] == files
