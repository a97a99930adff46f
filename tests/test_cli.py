"""The command line: exit codes, one-line errors, demo and extract."""

import shutil
import subprocess
import sys

import numpy as np
import pytest

from skmer.cli import main
from skmer.exceptions import NoFaceDetectedWarning


def test_version_and_module_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "skmer", "--version"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("skmer ")


def test_usage_error_exits_with_status_2(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["no-such-command"])
    assert excinfo.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_missing_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main([])
    assert excinfo.value.code == 2


def test_failure_prints_one_line_without_traceback(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    status = main(["extract", str(missing), "--out", str(tmp_path / "f.npz")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert (
        f"skmer extract: FileNotFoundError: Dataset folder not found: '{missing}'"
        in err
    )


def test_debug_shows_the_traceback(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    status = main(
        ["--debug", "extract", str(missing), "--out", str(tmp_path / "f.npz")]
    )
    assert status == 1
    assert "Traceback" in capsys.readouterr().err


def test_extract_writes_blocks_labels_and_groups(tmp_path, tiny_video, capsys):
    root = tmp_path / "crema"
    (root / "VideoFlash").mkdir(parents=True)
    for name in ["1001_DFA_ANG_XX", "1002_DFA_HAP_XX"]:
        shutil.copy(tiny_video, root / "VideoFlash" / f"{name}.flv")
    out = tmp_path / "features.npz"
    with pytest.warns(NoFaceDetectedWarning, match="No face detected in 2 of 2"):
        status = main(
            ["extract", str(root), "--out", str(out), "--quiet", "--size", "16"]
        )
    assert status == 0
    assert "2 crema-d clips" in capsys.readouterr().out
    with np.load(out) as arrays:
        assert arrays["X_face"].shape == (2, 16 * 16 * 3)
        assert arrays["X_audio"].shape == (2, 40 * 128)
        assert arrays["y"].tolist() == ["ANG", "HAP"]
        assert arrays["groups"].tolist() == ["1001", "1002"]


def test_demo_reports_what_it_did(tmp_path, capsys):
    status = main(["demo", "--out-dir", str(tmp_path / "clips"), "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    assert "synthetic" in out
    assert "Faces found:" in out
    assert "Face block:" in out and "x 12288 float32" in out
    assert "Audio block:" in out and "x 5120 float32" in out


def test_extract_audio_only_corpus_gets_the_audio_block(tmp_path, tiny_wav, capsys):
    root = tmp_path / "emodb"
    root.mkdir()
    for name in ["03a01Fa.wav", "08a02Wb.wav"]:
        shutil.copy(tiny_wav, root / name)
    out = tmp_path / "features.npz"
    assert main(["extract", str(root), "--out", str(out), "--quiet"]) == 0
    assert "2 emodb clips" in capsys.readouterr().out
    with np.load(out) as arrays:
        assert "X_face" not in arrays
        assert arrays["X_audio"].shape == (2, 40 * 128)
        assert arrays["y"].tolist() == ["HAP", "ANG"]
