"""Haar detection at lower resolutions: time, hit rate and boxes.

Usage::

    python benchmarks/bench_face_detection.py [DATA_DIR] [--sides 360 240 180 120]

DATA_DIR is a CREMA-D folder (default: $SKMER_TEST_DATA/crema-d, else
../shared/data/crema-d beside the repository). Five frames of every clip are
decoded once; FaceExtractor's Haar detector then runs on each, with the frame
downscaled so that its shorter side is each of ``--sides`` pixels (360 is the
frames' own size, so the first side is the reference). For each it prints the
CPU milliseconds per frame on one thread, the hit rate on the middle frames and
on all five, and the intersection over union of its boxes with the reference
boxes (frames where both find a face).

Why: detection costs about as much as decoding, and faces here are large.
The cost of the cascade is set by the number of windows it scores, that is by
the smallest face size relative to the frame (``min_face_size``), not by the
frame's pixels: downscaling only pays where it makes OpenCV scan with a coarser
step, which is also where it starts to miss faces.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np

from skmer.datasets import load_crema_d
from skmer.feature_extraction import _face
from skmer.io import load_frames


def _default_root():
    shared = os.environ.get("SKMER_TEST_DATA")
    if shared:
        return Path(shared) / "crema-d"
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "crema-d"


def _iou(a, b):
    x1 = np.maximum(a[:, 0], b[:, 0])
    y1 = np.maximum(a[:, 1], b[:, 1])
    x2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


def _detect_all(frames, side):
    """Boxes of every frame with detection at ``side`` px; CPU ms per frame."""
    saved = _face._DETECTION_SIDE
    _face._DETECTION_SIDE = side
    try:
        boxes = np.full(frames.shape[:2] + (4,), np.nan)
        start = time.process_time()
        for i, clip in enumerate(frames):
            for j, frame in enumerate(clip):
                found = _face._detect_haar(frame, 0.2)
                if found is not None:
                    boxes[i, j] = found[0]
        cpu = 1000 * (time.process_time() - start) / (frames.shape[0] * 5)
    finally:
        _face._DETECTION_SIDE = saved
    return boxes, cpu


def main():
    import cv2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=_default_root())
    parser.add_argument("--sides", type=int, nargs="+", default=[360, 240, 180, 120])
    args = parser.parse_args()
    paths = [str(p) for p in load_crema_d(args.root).paths]
    frames = np.stack([load_frames(path, n_frames=5) for path in paths])
    cv2.setNumThreads(1)  # CPU time on one thread: steady on a busy machine
    print(f"{len(paths)} clips x 5 frames of {frames.shape[3]}x{frames.shape[2]}")
    print(
        f"{'side':>6}{'CPU ms/frame':>14}{'middle hits':>13}{'all hits':>10}"
        f"{'IoU mean':>10}{'IoU p5':>8}{'IoU<0.5':>9}  load"
    )
    reference = None
    for side in args.sides:
        boxes, cpu = _detect_all(frames, side)
        if reference is None:
            reference = boxes
        both = ~np.isnan(reference[..., 0]) & ~np.isnan(boxes[..., 0])
        iou = _iou(reference[both], boxes[both])
        middle = int((~np.isnan(boxes[:, 2, 0])).sum())
        hits = int((~np.isnan(boxes[..., 0])).sum())
        p5, n_low = np.percentile(iou, 5), int((iou < 0.5).sum())
        print(
            f"{side:>6}{cpu:>14.1f}{middle:>9}/{len(paths)}{hits:>6}/{5 * len(paths)}"
            f"{iou.mean():>10.3f}{p5:>8.3f}{n_low:>9}  {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
