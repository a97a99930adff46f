"""Feature files and reports: a failed write keeps the earlier output whole."""

import os

import numpy as np
import pytest

from skmer.cli import main
from skmer.cli._report import HTMLReport


@pytest.fixture
def emodb(tmp_path, media_writer):
    """Two EmoDB-named WAV files."""
    root = tmp_path / "emodb"
    (root / "wav").mkdir(parents=True)
    for name in ["03a01Wa.wav", "08a01Na.wav"]:
        media_writer(root / "wav" / name, video=False, audio_codec="pcm_s16le")
    return root


def test_extract_on_a_full_disk_keeps_the_earlier_features(
    emodb, tmp_path, capsys, request
):
    out = tmp_path / "out" / "features.npz"
    out.parent.mkdir()
    assert main(["extract", str(emodb), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    earlier = out.read_bytes()

    request.getfixturevalue("full_disk")
    status = main(["extract", str(emodb), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith("skmer extract: OSError: ")
    assert (
        f"Could not write {str(out)!r}: No space left on device. The earlier "
        "file is unchanged." in err
    )
    assert out.read_bytes() == earlier
    assert os.listdir(out.parent) == ["features.npz"]


def test_extract_keeps_the_npz_suffix_that_numpy_adds(emodb, tmp_path, capsys):
    out = tmp_path / "features"
    assert main(["extract", str(emodb), "--out", str(out), "--quiet"]) == 0
    assert f"-> {out}.npz:" in capsys.readouterr().out
    assert sorted(os.listdir(tmp_path)) == ["emodb", "features.npz"]
    with np.load(f"{out}.npz") as arrays:
        assert arrays["X_audio"].shape == (2, 40 * 128)


def test_extract_names_a_missing_output_folder_before_extracting(
    emodb, tmp_path, capsys
):
    out = tmp_path / "nowhere" / "features.npz"
    assert main(["extract", str(emodb), "--out", str(out), "--quiet"]) == 1
    assert (
        f"FileNotFoundError: Output folder not found: {str(out.parent)!r} (of "
        f"--out {str(out)!r}). Create it first." in capsys.readouterr().err
    )


def _report(value):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report = HTMLReport("Scores")
    report.add_section("Accuracy")
    figure, ax = plt.subplots()
    ax.plot([0, 1], [value, value])
    report.add_figure(figure, name="Curve")
    report.metrics["accuracy"] = value
    return report


def test_report_on_a_full_disk_keeps_the_earlier_report(tmp_path, request):
    folder = tmp_path / "report"
    _report(0.5).write(folder)
    earlier = {name: (folder / name).read_bytes() for name in os.listdir(folder)}
    assert sorted(earlier) == ["curve.png", "index.html", "metrics.json"]

    request.getfixturevalue("full_disk")
    with pytest.raises(OSError, match="Could not write .*curve.png.*No space left"):
        _report(0.75).write(folder)
    assert {name: (folder / name).read_bytes() for name in os.listdir(folder)} == (
        earlier
    )


def test_report_that_cannot_be_rendered_writes_nothing(tmp_path):
    folder = tmp_path / "report"
    _report(0.5).write(folder)
    earlier = {name: (folder / name).read_bytes() for name in os.listdir(folder)}
    report = _report(0.75)
    report.metrics["bad"] = object()
    with pytest.raises(TypeError):
        report.write(folder)
    assert {name: (folder / name).read_bytes() for name in os.listdir(folder)} == (
        earlier
    )
