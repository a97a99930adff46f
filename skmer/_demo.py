"""The ``skmer demo`` run: embedded synthetic clips through both extractors."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import time

import numpy as np


def run_demo(
    *,
    out_dir=None,
    n_jobs=None,
    cache_dir=None,
    random_state=0,
    verbose=1,
    echo=print,
):
    """Generate the embedded clips, extract both modalities, report.

    Parameters
    ----------
    out_dir : str, default=None
        Where the synthetic clips go; None uses the data home.
    n_jobs : int, default=None
        Parallel workers for extraction.
    cache_dir : str, default=None
        Feature cache directory; None extracts without a cache.
    random_state : int, default=0
        Seed of the clip generator.
    verbose : int, default=1
        Show progress bars when positive.
    echo : callable, default=print
        Receives each line of the report.

    Returns
    -------
    summary : dict
        What was done and measured: ``n_clips``, ``n_actors``, ``emotions``,
        ``face_hit_rate``, ``face_shape``, ``audio_shape``,
        ``face_ms_per_clip``, ``audio_ms_per_clip``.
    """
    from skmer.datasets import make_synthetic_clips
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor

    echo("skmer demo: synthetic clips (drawn faces, synthetic voices), not real data.")
    start = time.perf_counter()
    data = make_synthetic_clips(out_dir, random_state=random_state)
    n_clips = len(data.paths)
    n_actors = len(np.unique(data.groups))
    echo(
        f"Clips: {n_clips} from {n_actors} synthetic actors, emotions "
        f"{', '.join(data.target_names)}, in {os.path.dirname(data.paths[0])} "
        f"({time.perf_counter() - start:.1f} s)."
    )

    face = FaceExtractor(n_jobs=n_jobs, cache_dir=cache_dir, verbose=verbose)
    start = time.perf_counter()
    X_face = face.fit_transform(data.paths)
    face_seconds = time.perf_counter() - start
    boxes = face.locate_faces(data.paths)
    hit_rate = float(np.isfinite(boxes[..., 0]).mean())

    audio = MFCCExtractor(n_jobs=n_jobs, cache_dir=cache_dir, verbose=verbose)
    start = time.perf_counter()
    X_audio = audio.fit_transform(data.paths)
    audio_seconds = time.perf_counter() - start

    summary = {
        "n_clips": n_clips,
        "n_actors": n_actors,
        "emotions": list(data.target_names),
        "face_hit_rate": hit_rate,
        "face_shape": X_face.shape,
        "audio_shape": X_audio.shape,
        "face_ms_per_clip": 1000 * face_seconds / n_clips,
        "audio_ms_per_clip": 1000 * audio_seconds / n_clips,
    }
    echo(
        f"Faces found: {hit_rate:.1%} of {boxes.shape[0] * boxes.shape[1]} "
        f"sampled frames (Haar cascade)."
    )
    echo(
        f"Face block:  {X_face.shape[0]} x {X_face.shape[1]} float32 "
        f"({face.n_frames} frame x {face.size} x {face.size} x 3), "
        f"{summary['face_ms_per_clip']:.1f} ms per clip."
    )
    echo(
        f"Audio block: {X_audio.shape[0]} x {X_audio.shape[1]} float32 "
        f"({audio.n_mfcc} MFCC x {audio.n_frames} frames), "
        f"{summary['audio_ms_per_clip']:.1f} ms per clip."
    )
    return summary
