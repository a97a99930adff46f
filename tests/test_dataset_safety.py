"""Broken or hostile dataset folders, label CSVs and downloads (issue 17)."""

import hashlib
import http.server
import os
import re
import threading
import urllib.parse
import warnings
import wave
from pathlib import Path

import numpy as np
import pytest

from skmer.cli import main
from skmer.datasets import (
    _download,
    _fetch,
    fetch_crema_d,
    load_crema_d,
    load_dataset,
    load_emodb,
    load_labeled_folder,
    load_ravdess,
)


def self_link(path):
    """Make `path` a symbolic link to itself: opening it fails with ELOOP."""
    os.symlink(path.name, path)
    return path


def write_wav(path, n_samples=16000):
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(16000)
        file.writeframes(bytes(2 * n_samples))
    return path


# %%
# Folders with symbolic link loops, dangling links and folders named like clips


def load_ravdess_all(root):
    return load_ravdess(root, modality=None)


@pytest.mark.parametrize(
    "loader, folder, good, clip_names",
    [
        (
            load_crema_d,
            "VideoFlash",
            "1001_DFA_ANG_XX.flv",
            ["1001_DFA_FEA_XX.flv", "1001_DFA_HAP_XX.flv", "1001_DFA_SAD_XX.flv"],
        ),
        (
            load_emodb,
            "wav",
            "03a01Wa.wav",
            ["03a01Fa.wav", "03a01Ta.wav", "03a02Wa.wav"],
        ),
        (
            load_ravdess_all,
            "Actor_01",
            "03-01-05-01-01-01-01.wav",
            [
                "03-01-03-01-01-01-01.wav",
                "03-01-04-01-01-01-01.wav",
                "03-01-06-01-01-01-01.wav",
            ],
        ),
        # A flat folder of CREMA-D names, as load_dataset detects it.
        (
            load_dataset,
            "clips",
            "1001_DFA_ANG_XX.wav",
            ["1001_DFA_FEA_XX.wav", "1001_DFA_HAP_XX.wav", "1001_DFA_SAD_XX.wav"],
        ),
    ],
    ids=["crema-d", "emodb", "ravdess", "flat-crema-d"],
)
def test_loaders_skip_and_name_entries_that_cannot_be_clips(
    tmp_path, loader, folder, good, clip_names
):
    # Before: the loop made CREMA-D, EmoDB and the flat folder fail with
    # "OSError: [Errno 40] Too many levels of symbolic links", and RAVDESS
    # listed the looping and dangling "clips", which failed later.
    root = tmp_path / "data"
    media = root / folder
    media.mkdir(parents=True)
    (media / good).write_bytes(b"")
    as_folder, dangling, looping = clip_names
    (media / as_folder).mkdir()
    os.symlink("missing" + Path(dangling).suffix, media / dangling)
    self_link(media / looping)
    self_link(media / "loop")
    scanned = root if loader is load_ravdess_all else media
    prefix = "" if scanned == media else f"{folder}/"
    msg = (
        f"Skipped 4 entries in {str(scanned)!r} that cannot be read as clips: "
        f"'{prefix}{as_folder}' (a folder), '{prefix}{dangling}' (a symbolic "
        f"link to a missing file), '{prefix}{looping}' (a symbolic link loop), "
        f"'{prefix}loop' (a symbolic link loop)."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        data = loader(root if loader is not load_dataset else media)
    assert data.paths.tolist() == [str(media / good)]


def test_loop_in_a_sub_folder_costs_one_entry(tmp_path):
    # RAVDESS folders are walked: a loop deep down, or a folder that links
    # back up, neither hangs nor aborts the scan.
    actor = tmp_path / "Actor_01"
    actor.mkdir()
    (actor / "01-01-05-01-01-01-01.mp4").write_bytes(b"")
    os.symlink("..", actor / "up")
    os.symlink("b", actor / "a")
    os.symlink("a", actor / "b")
    with pytest.warns(UserWarning, match=r"'Actor_01/a' \(a symbolic link loop\)"):
        data = load_ravdess(tmp_path)
    assert len(data.paths) == 1


def test_cli_extract_skip_bad_files(tmp_path, capsys):
    root = tmp_path / "emodb"
    (root / "wav").mkdir(parents=True)
    good = write_wav(root / "wav" / "03a01Wa.wav")
    bad = root / "wav" / "08a01Na.wav"
    bad.write_bytes(b"not audio " * 50)
    self_link(root / "wav" / "09a01Fa.wav")
    out = tmp_path / "features.npz"
    loop_msg = "'09a01Fa.wav' (a symbolic link loop)"

    # Before: "skmer extract: OSError: [Errno 40] Too many levels of symbolic
    # links: '.../09a01Fa.wav'", and --skip-bad-files was unknown (status 2).
    with pytest.warns(UserWarning, match=re.escape(loop_msg)):
        assert main(["extract", str(root), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"skmer extract: MediaError: Cannot decode {str(bad)!r}" in err
    assert not out.exists()

    argv = ["extract", str(root), "--out", str(out), "--quiet", "--skip-bad-files"]
    with pytest.warns(UserWarning, match=re.escape(loop_msg)):
        assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"Skipped 1 of 2 clips that could not be read:\n  {bad}: MediaError" in (
        printed
    )
    assert f"1 emodb clips -> {out}" in printed
    with np.load(out) as arrays:
        assert arrays["paths"].tolist() == [str(good)]
        assert arrays["y"].tolist() == ["ANG"]
        assert arrays["groups"].tolist() == ["03"]
        assert arrays["X_audio"].shape[0] == 1
        assert np.isfinite(arrays["X_audio"]).all()


def test_cli_extract_skip_bad_files_needs_one_readable_clip(tmp_path, capsys):
    (tmp_path / "03a01Wa.wav").write_bytes(b"not audio " * 50)
    out = tmp_path / "features.npz"
    argv = ["extract", str(tmp_path), "--out", str(out), "--quiet"]
    assert main([*argv, "--skip-bad-files", "--modalities", "audio"]) == 1
    msg = f"None of the 1 clips could be read; {str(out)!r} was not written."
    assert msg in capsys.readouterr().err
    assert not out.exists()


def test_cli_extract_and_train_document_skip_bad_files_alike(capsys):
    helps = {}
    for command in ["extract", "train"]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        helps[command] = " ".join(capsys.readouterr().out.split())
    option = (
        "--skip-bad-files leave out clips that cannot be read (listed) instead "
        "of stopping"
    )
    assert option in helps["extract"]
    assert option in helps["train"]


# %%
# Label CSV files


def labelled(tmp_path, text, names=("a.wav", "b.wav", "c.wav")):
    for name in names:
        (tmp_path / name).write_bytes(b"")
    labels = tmp_path / "labels.csv"
    labels.write_text(text)
    return labels


@pytest.mark.parametrize(
    "rows, shown",
    [
        (["a.wav,ANG,s1", "b.wav,SAD,s2", "a.wav,HAP,s1"], "('ANG', 's1'), line 4 ("),
        (["a.wav,ANG,s1", "b.wav,SAD,s2", "./a.wav,ANG,s3"], "('ANG', 's1'), line 4"),
    ],
    ids=["label", "speaker"],
)
def test_labels_conflicting_duplicates_are_rejected(tmp_path, rows, shown):
    # Before: both rows loaded, so one recording could be in both folds.
    labels = labelled(tmp_path, "\n".join(["path,emotion,speaker", *rows]) + "\n")
    msg = (
        f"Labels file {str(labels)!r} lists the clip {str(tmp_path / 'a.wav')!r} 2 "
        f"times with different labels or speakers: line 2 {shown}"
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_labeled_folder(tmp_path, labels)


def test_labels_conflicting_duplicates_without_speakers(tmp_path):
    labels = labelled(tmp_path, "path,emotion\na.wav,ANG\na.wav,HAP\n")
    msg = "times with different labels or speakers: line 2 ('ANG'), line 3 ('HAP')."
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_labeled_folder(tmp_path, labels)


def test_labels_identical_duplicates_are_kept_once(tmp_path):
    labels = labelled(
        tmp_path, "path,emotion,speaker\na.wav,ANG,s1\nb.wav,SAD,s2\na.wav,ANG,s1\n"
    )
    msg = (
        f"Labels file {str(labels)!r} lists 1 clip(s) on more than one row with "
        "the same label and speaker; kept the first row of each: "
        f"{str(tmp_path / 'a.wav')!r} (lines 2, 4)."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        data = load_labeled_folder(tmp_path, labels)
    assert data.paths.tolist() == [str(tmp_path / "a.wav"), str(tmp_path / "b.wav")]
    assert data.target.tolist() == ["ANG", "SAD"]
    assert data.groups.tolist() == ["s1", "s2"]
    assert len(data.frame) == 2


def test_labels_that_differ_in_case_are_one_label(tmp_path):
    # Before: 'ANG' and 'ang' were two classes.
    labels = labelled(
        tmp_path,
        "path,emotion,speaker\na.wav,ANG,s1\nb.wav,ang,s2\nc.wav,Ang,s3\n",
    )
    msg = (
        "spells labels in more than one case; they are read as one label each: "
        "'ANG' (first on line 2), 'ang' (first on line 3), 'Ang' (first on line "
        "4) as 'ANG'."
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        data = load_labeled_folder(tmp_path, labels)
    assert data.target.tolist() == ["ANG", "ANG", "ANG"]
    assert data.target_names.tolist() == ["ANG"]
    assert data.frame["emotion"].tolist() == ["ANG", "ANG", "ANG"]


def test_labels_case_outside_the_common_codes(tmp_path):
    # Other labels take their most frequent spelling; common codes are
    # capitalised even when the file spells them one way only.
    labels = labelled(tmp_path, "path,emotion\na.wav,Happy\nb.wav,happy\nc.wav,happy\n")
    with pytest.warns(UserWarning, match=re.escape("'Happy' (first on line 2)")):
        data = load_labeled_folder(tmp_path, labels)
    assert data.target.tolist() == ["happy"] * 3
    labels.write_text("path,emotion\na.wav,ang\nb.wav,sad\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = load_labeled_folder(tmp_path, labels)
    assert data.target.tolist() == ["ANG", "SAD"]


def test_labels_empty_speaker_is_rejected(tmp_path):
    # Before: the clips loaded with the speaker '' (one group of strangers).
    labels = labelled(
        tmp_path, "path,emotion,speaker\na.wav,ANG,s1\nb.wav,SAD,\nc.wav,HAP, \n"
    )
    msg = (
        f"Empty speaker in {str(labels)!r}, lines 3, 4. Fill in every speaker, or "
        "remove the 'speaker' column to load the clips without speakers."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_labeled_folder(tmp_path, labels)


@pytest.mark.parametrize(
    "text, line, n_fields, header",
    [
        # Before: "2 of the 2 clips listed in ... are missing: '.../ANG', ..."
        ("path,emotion\na.wav,ANG,s1\nb.wav,SAD,s2\n", 2, 3, "path, emotion"),
        # Before: pandas' "Error tokenizing data", naming no file.
        ("path,emotion\na.wav,ANG\n\nb.wav,SAD,s2\n", 4, 3, "path, emotion"),
        # Before: loaded, with the speaker ''.
        ("path,emotion,speaker\na.wav,ANG,s1\nb.wav,SAD\n", 3, 2, "path, emotion, "),
    ],
    ids=["every-row-longer", "one-row-longer", "row-shorter"],
)
def test_labels_ragged_row_names_its_line(tmp_path, text, line, n_fields, header):
    labels = labelled(tmp_path, text)
    msg = (
        f"Labels file {str(labels)!r}, line {line}, has {n_fields} fields; the "
        f"header has "
    )
    with pytest.raises(ValueError, match=re.escape(msg) + r"\d \(" + header):
        load_labeled_folder(tmp_path, labels)


def test_labels_folder_kind_gets_the_same_checks(tmp_path):
    labels = labelled(tmp_path, "path,emotion\na.wav,ANG\na.wav,SAD\n")
    with pytest.raises(ValueError, match="with different labels or speakers"):
        load_dataset(tmp_path, kind="folder", labels=labels)


# %%
# The CREMA-D downloader against a loopback server


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serve ``server.files`` (path -> bytes), without Content-Length for
    the paths in ``server.no_length``."""

    def do_GET(self):
        server = self.server
        relpath = urllib.parse.unquote(self.path.lstrip("/"))
        server.requests.append(relpath)
        body = server.files.get(relpath)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        if relpath not in server.no_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), 1 << 16):
                self.wfile.write(body[start : start + (1 << 16)])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should

    def log_message(self, format, *args):
        pass


DEMOGRAPHICS = b'"ActorID","Age","Sex","Race","Ethnicity"\n1001,51,"Male","C","N"\n'
SUMMARY = (
    b'"","FileName","VoiceVote","VoiceLevel","FaceVote","FaceLevel",'
    b'"MultiModalVote","MultiModalLevel"\n'
    b'"1","1001_IEO_ANG_HI","A","60","A","70","A","80"\n'
)
HTML = b"<!DOCTYPE html>\n<html><body>\n<p>Rate limit, try again, later</p>\n</html>\n"
CLIPS = ["VideoFlash/1001_IEO_ANG_HI.flv", "VideoFlash/1001_IEO_SAD_LO.flv"]


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A loopback server with two random 'clips', listed in a fake manifest."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(_download, "_RETRY_DELAY", 0.0)
    rng = np.random.default_rng(0)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.files = {
        relpath: rng.bytes(5000 + 100 * i) for i, relpath in enumerate(CLIPS)
    }
    server.files["VideoDemographics.csv"] = DEMOGRAPHICS
    server.files["processedResults/summaryTable.csv"] = SUMMARY
    server.manifest = [
        (relpath, hashlib.sha256(server.files[relpath]).hexdigest(), 5000 + 100 * i)
        for i, relpath in enumerate(CLIPS)
    ]
    monkeypatch.setattr(_fetch, "_read_manifest", lambda: server.manifest)
    server.requests = []
    server.no_length = set()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def fetch(server, data_home, **kwargs):
    return fetch_crema_d(
        data_home,
        sentences="IEO",
        base_url=server.url,
        metadata_url=server.url,
        n_retries=1,
        **kwargs,
    )


def leftovers(folder):
    """Partial and temporary files left in `folder`."""
    return [
        path.name
        for path in Path(folder).rglob("*")
        if path.name.endswith(".part") or path.name.startswith(".skmer-tmp-")
    ]


def test_fetch_rejects_a_metadata_file_that_is_an_error_page(server, tmp_path):
    # Before: the page was saved as VideoDemographics.csv, and this fetch and
    # every later one failed with pandas' "Error tokenizing data".
    server.files["VideoDemographics.csv"] = HTML
    url = server.url + "VideoDemographics.csv"
    msg = (
        f"Downloaded CREMA-D file 'VideoDemographics.csv' from {url!r} is not the "
        "expected CSV file, so it was not saved: CREMA-D demographics file "
        "'VideoDemographics.csv' is not a CSV file (Error tokenizing data."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(server, tmp_path)
    root = tmp_path / "crema_d"
    assert not (root / "VideoDemographics.csv").exists()
    assert all((root / relpath).is_file() for relpath in CLIPS)
    assert not leftovers(tmp_path)


def test_fetch_downloads_again_a_stored_error_page(server, tmp_path):
    root = tmp_path / "crema_d"
    root.mkdir()
    (root / "VideoDemographics.csv").write_bytes(HTML)
    # The loader names the file and says how to repair it.
    (root / "VideoFlash").mkdir()
    (root / "VideoFlash" / "1001_IEO_ANG_HI.flv").write_bytes(b"")
    msg = (
        f"CREMA-D demographics file {str(root / 'VideoDemographics.csv')!r} is "
        "not a CSV file (Error tokenizing data. C error: Expected 1 fields in "
        "line 3, saw 3). It may be an error page saved by a failed download: "
        "call fetch_crema_d() to download it again."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_crema_d(root)
    (root / "VideoFlash" / "1001_IEO_ANG_HI.flv").unlink()

    data = fetch(server, tmp_path)

    assert (root / "VideoDemographics.csv").read_bytes() == DEMOGRAPHICS
    assert data.frame["age"].tolist() == [51, 51]
    assert data.frame["voice_vote"].iloc[0] == "ANG"
    # Valid metadata files are kept as they are.
    n_requests = len(server.requests)
    fetch(server, tmp_path)
    assert len(server.requests) == n_requests


@pytest.mark.parametrize("announced", [True, False], ids=["length", "no-length"])
def test_fetch_stops_reading_an_answer_longer_than_the_file(
    server, tmp_path, announced
):
    # Before: the whole answer was written to the .part file, and only then
    # rejected by the checksum.
    relpath = CLIPS[0]
    server.files[relpath] = bytes(4 << 20)
    if not announced:
        server.no_length.add(relpath)
    url = server.url + relpath
    if announced:
        detail = (
            f"the server announced {4 << 20} bytes, more than the 5000 bytes "
            "left of the file, 5000 in all; nothing was saved."
        )
    else:
        detail = (
            "the server sent more than the 5000 bytes left of the file, 5000 in "
            "all; the download was stopped after 5001 bytes and nothing was saved."
        )
    msg = f"Cannot download CREMA-D file {relpath!r} from {url!r}: {detail}"
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(server, tmp_path, metadata=False)
    # Not retried: the answer would be as long again.
    assert server.requests.count(relpath) == 1
    assert not (tmp_path / "crema_d" / relpath).exists()
    assert not leftovers(tmp_path)


def test_fetch_caps_the_metadata_files(server, tmp_path, monkeypatch):
    monkeypatch.setattr(_fetch, "_METADATA_MAX_SIZE", 100)
    server.no_length.add("VideoDemographics.csv")
    server.files["VideoDemographics.csv"] = DEMOGRAPHICS * 10
    msg = (
        "Cannot download CREMA-D file 'VideoDemographics.csv' from "
        f"{server.url + 'VideoDemographics.csv'!r}: the server sent more than the "
        "100 bytes allowed for a metadata file; the download was stopped after "
        "101 bytes and nothing was saved."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(server, tmp_path)
    assert not (tmp_path / "crema_d" / "VideoDemographics.csv").exists()


@pytest.mark.parametrize(
    "relpath",
    [
        "VideoFlash/../../1001_IEO_ANG_HI.flv",
        "VideoFlash/../VideoFlash/1001_IEO_ANG_HI.flv",
        "/VideoFlash/1001_IEO_ANG_HI.flv",
        "VideoFlash//1001_IEO_ANG_HI.flv",
        "VideoFlash\\..\\..\\1001_IEO_ANG_HI.flv",
        "C:/VideoFlash/1001_IEO_ANG_HI.flv",
    ],
)
def test_fetch_rejects_manifest_paths_that_leave_the_folder(server, tmp_path, relpath):
    # Before: "VideoFlash/../../x.flv" was written to <data_home>/x.flv, outside
    # crema_d/, and an absolute path was dropped without a word.
    server.manifest = [(relpath, *server.manifest[0][1:])]
    msg = (
        f"CREMA-D manifest path {relpath!r} must be a relative path of names "
        "joined by '/', without '..', '.' or empty parts, so that it stays "
        "inside the dataset folder; refusing to download it."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        fetch(server, tmp_path / "home")
    assert server.requests == []
    assert not (tmp_path / "home").exists()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_fetch_fsyncs_each_file_before_giving_it_its_name(
    server, tmp_path, monkeypatch
):
    events = []
    fsync, replace = os.fsync, os.replace

    def spy_fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def spy_replace(src, dst):
        events.append(("replace", os.fspath(src)))
        replace(src, dst)

    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "replace", spy_replace)
    fetch(server, tmp_path)
    renamed = [path for kind, path in events if kind == "replace"]
    assert len(renamed) == 4  # two clips, two metadata files
    for path in renamed:
        assert ("fsync", path) in events[: events.index(("replace", path))]


def test_full_disk_keeps_earlier_files_and_names_the_file(
    server, tmp_path, full_disk, monkeypatch
):
    import skmer.utils._files

    root = tmp_path / "crema_d"
    first = fetch(server, tmp_path, emotions="ANG", metadata=False)
    earlier = Path(first.paths[0]).read_bytes()
    stored = root / "VideoDemographics.csv"
    stored.write_bytes(HTML)

    # A clip's .part file, written with _download's own open, on a full disk.
    monkeypatch.setattr(_download, "open", skmer.utils._files.open, raising=False)
    part = str(root / CLIPS[1]) + ".part"
    msg = (
        f"Could not write CREMA-D file {CLIPS[1]!r} to {part!r}: No space left "
        "on device. The files downloaded before are kept: make room and call "
        "fetch_crema_d again, it resumes where it stopped."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(server, tmp_path, metadata=False)
    assert Path(first.paths[0]).read_bytes() == earlier
    assert not (root / CLIPS[1]).exists()

    # A metadata file replaced on a full disk: the earlier one stays whole.
    monkeypatch.delattr(_download, "open")
    msg = (
        f"Could not write {str(stored)!r}: No space left on device. The earlier "
        "file is unchanged."
    )
    with pytest.raises(OSError, match=re.escape(msg)):
        fetch(server, tmp_path)
    assert stored.read_bytes() == HTML
    assert Path(first.paths[0]).read_bytes() == earlier
    assert not leftovers(tmp_path)

    # With room again, the stored page is replaced.
    monkeypatch.setattr(skmer.utils._files, "open", open, raising=False)
    data = fetch(server, tmp_path)
    assert [Path(path).read_bytes() for path in data.paths] == [
        server.files[relpath] for relpath in CLIPS
    ]
    assert stored.read_bytes() == DEMOGRAPHICS
