"""Face detectors on CREMA-D: hit rate per actor and group, and time per frame.

Usage::

    python benchmarks/bench_face_detection.py [--data DATA_DIR]
        [--detectors haar mtcnn yunet] [--n-frames 5] [--model-dir DIR]
        [--sides 360 240 180 120]

DATA_DIR is a CREMA-D folder (default: $SKMER_TEST_DATA/crema-d, else
../shared/data/crema-d beside the repository); the benchmark says so and stops
when it is absent. ``--n-frames`` frames of every clip, evenly spread as
FaceExtractor spreads them, are decoded once, and every detector runs on
those same frames through FaceExtractor's own detection code, at its default
``min_face_size``. YuNet's model file comes from
:func:`skmer.datasets.fetch_model_file`: ``--model-dir``, else
$SKMER_MODEL_DIR, else ``models`` beside DATA_DIR, else the data home (or a
download). MTCNN is left out, with a note, when the ``mtcnn`` package is not
installed.

It prints, for each detector:

- overall: frames with a face, the lowest hit rate over actors and which
  actors fall below 0.98 (the target of issue 18), and the CPU and wall
  milliseconds per frame (OpenCV on one thread; the first frame, which loads
  the model, is not timed);
- per actor: the actors below 1.0 for some detector, with their race and sex;
- per group: the hit rate by race, by sex and by both, from the corpus'
  demographics (VideoDemographics.csv).

``--sides`` adds the earlier study of detection at lower resolutions: each
detector runs again with the frame scaled so that its shorter side is each
of the given sizes (for YuNet, the size its ``min_face_size`` rule gives is
the default), and the table gives the time, the hits and the intersection
over union of the boxes with those at the first size. For Haar, the cost is
set by the number of windows the cascade scores, that is by ``min_face_size``
rather than by the pixels: downscaling pays only where it makes OpenCV scan
with a coarser step, which is also where it starts to miss faces.
"""

import argparse
import contextlib
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, _face
from skmer.io import load_frames

TARGET = 0.98


def _shared_data():
    shared = os.environ.get("SKMER_TEST_DATA")
    if shared:
        return Path(shared)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _iou(a, b):
    x1 = np.maximum(a[:, 0], b[:, 0])
    y1 = np.maximum(a[:, 1], b[:, 1])
    x2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


@contextlib.contextmanager
def _at_side(detector, side):
    """Run ``detector`` on frames whose shorter side is ``side`` px (None: as is)."""
    name, value = "_DETECTION_SIDE", side
    if detector == "yunet":
        # The detector's rule: the smallest face accepted spans _YUNET_MIN_FACE px.
        name = "_YUNET_MIN_FACE"
        value = None if side is None else side * FaceExtractor().min_face_size
    saved = getattr(_face, name, None)
    if value is not None and saved is not None:
        setattr(_face, name, value)
    try:
        yield
    finally:
        if saved is not None:
            setattr(_face, name, saved)


def _detect_all(frames, detector, side=None):
    """Boxes in every frame; CPU and wall ms per frame (first frame untimed)."""
    extractor = FaceExtractor(detector=detector)._resolved()
    boxes = np.full(frames.shape[:2] + (4,), np.nan)
    flat = frames.reshape(-1, *frames.shape[2:])
    with _at_side(detector, side):
        extractor._detect(flat[0])  # loads the model
        cpu, wall = time.process_time(), time.perf_counter()
        for k, frame in enumerate(flat):
            found = extractor._detect(frame)
            if found is not None:
                boxes.reshape(-1, 4)[k] = found[0]
        cpu = 1000 * (time.process_time() - cpu) / len(flat)
        wall = 1000 * (time.perf_counter() - wall) / len(flat)
    return boxes, cpu, wall


def _rates(found, labels):
    """Hit rate of the frames of each label, as {label: (rate, n_frames)}."""
    return {
        label: (found[labels == label].mean(), int((labels == label).sum()))
        for label in sorted(set(labels))
    }


def _print_tables(results, actors, race, sex, n_frames):
    names = list(results)
    found = {name: ~np.isnan(results[name][0][..., 0]) for name in names}
    # One label per frame, so every rate is a share of frames.
    per_frame = [np.repeat(labels, n_frames) for labels in (actors, race, sex)]
    actor_of, race_of, sex_of = per_frame
    by_actor = {name: _rates(found[name].ravel(), actor_of) for name in names}

    print(
        f"\n{'detector':<10}{'frames with a face':>20}{'rate':>8}"
        f"{'min over actors':>17}  {'actors < ' + str(TARGET):<18}"
        f"{'CPU ms/frame':>13}{'wall ms/frame':>14}"
    )
    for name in names:
        hits = found[name]
        rates = by_actor[name]
        worst = min(rates, key=lambda a: rates[a][0])
        below = [a for a in rates if rates[a][0] < TARGET]
        _, cpu, wall = results[name]
        print(
            f"{name:<10}{f'{hits.sum()}/{hits.size}':>20}{hits.mean():>8.3f}"
            f"{f'{rates[worst][0]:.3f} ({worst})':>17}  "
            f"{', '.join(below) or 'none':<18}{cpu:>13.1f}{wall:>14.1f}"
        )

    print("\nPer actor (actors below 1.0 for some detector)")
    print(f"{'actor':<7}{'race':<18}{'sex':<8}{'frames':>7}", end="")
    print("".join(f"{name:>8}" for name in names))
    shown = sorted(
        {a for name in names for a, (rate, _) in by_actor[name].items() if rate < 1}
    )
    demography = {a: (r, s) for a, r, s in zip(actors, race, sex, strict=True)}
    for actor in shown:
        r, s = demography[actor]
        n = by_actor[names[0]][actor][1]
        print(f"{actor:<7}{r:<18}{s:<8}{n:>7}", end="")
        print("".join(f"{by_actor[name][actor][0]:>8.3f}" for name in names))
    if not shown:
        print("(none: every detector finds a face in every frame of every actor)")
    print(f"{'min over actors':<40}", end="")
    print("".join(f"{min(r for r, _ in by_actor[n].values()):>8.3f}" for n in names))

    print("\nPer group (share of frames with a face)")
    print(f"{'group':<38}{'actors':>7}{'frames':>7}", end="")
    print("".join(f"{name:>8}" for name in names))
    both = np.array([f"{r}, {s}" for r, s in zip(race_of, sex_of, strict=True)])
    for title, labels in (("race", race_of), ("sex", sex_of), ("race, sex", both)):
        for group in sorted(set(labels)):
            n_actors = len(set(actor_of[labels == group]))
            n = int((labels == group).sum())
            print(f"{f'{title} = {group}':<38}{n_actors:>7}{n:>7}", end="")
            print(
                "".join(
                    f"{found[name].ravel()[labels == group].mean():>8.3f}"
                    for name in names
                )
            )


def _print_sides(frames, detectors, sides):
    print(
        f"\n{'detector':<10}{'side':>6}{'CPU ms/frame':>14}{'hits':>10}"
        f"{'IoU mean':>10}{'IoU p5':>8}{'IoU<0.5':>9}  load"
    )
    for detector in detectors:
        reference = None
        for side in sides:
            boxes, cpu, _ = _detect_all(frames, detector, side)
            if reference is None:
                reference = boxes
            both = ~np.isnan(reference[..., 0]) & ~np.isnan(boxes[..., 0])
            iou = _iou(reference[both], boxes[both])
            hits = f"{int((~np.isnan(boxes[..., 0])).sum())}/{boxes[..., 0].size}"
            p5, n_low = np.percentile(iou, 5), int((iou < 0.5).sum())
            print(
                f"{detector:<10}{side:>6}{cpu:>14.1f}{hits:>10}{iou.mean():>10.3f}"
                f"{p5:>8.3f}{n_low:>9}  {os.getloadavg()[0]:.2f}"
            )


def main(argv=None):
    import cv2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", help="same as --data")
    parser.add_argument("--data", help="CREMA-D folder")
    parser.add_argument("--detectors", nargs="+", default=["haar", "mtcnn", "yunet"])
    parser.add_argument("--n-frames", type=int, default=5)
    parser.add_argument("--model-dir", help="folder of the YuNet model file")
    parser.add_argument("--sides", type=int, nargs="+", default=[])
    args = parser.parse_args(argv)
    root = Path(args.data or args.root or _shared_data() / "crema-d")
    if not (root / "VideoFlash").is_dir():
        print(
            f"No CREMA-D clips at {str(root)!r}: pass --data DATA_DIR or set "
            "SKMER_TEST_DATA. Nothing measured."
        )
        return 0
    model_dir = args.model_dir or os.environ.get("SKMER_MODEL_DIR")
    if model_dir is None and (root.parent / "models").is_dir():
        model_dir = str(root.parent / "models")
    if model_dir is not None:
        os.environ["SKMER_MODEL_DIR"] = model_dir
    detectors = list(args.detectors)
    if "mtcnn" in detectors and importlib.util.find_spec("mtcnn") is None:
        print("mtcnn is not installed (pip install skmer[mtcnn]): MTCNN left out.")
        detectors.remove("mtcnn")

    data = load_crema_d(root)
    paths = [str(p) for p in data.paths]
    actors = np.asarray(data.frame["actor"], dtype=str)
    race = np.asarray(data.frame["race"], dtype=str)
    sex = np.asarray(data.frame["sex"], dtype=str)
    frames = np.stack([load_frames(path, n_frames=args.n_frames) for path in paths])
    cv2.setNumThreads(1)  # CPU time on one thread: steady on a busy machine
    print(
        f"{len(paths)} clips of {len(set(actors))} actors x {args.n_frames} frames "
        f"of {frames.shape[3]}x{frames.shape[2]} ({frames.shape[0] * frames.shape[1]} "
        f"frames); load {os.getloadavg()[0]:.2f}"
    )
    results = {}
    for detector in detectors:
        try:
            results[detector] = _detect_all(frames, detector)
        except FileNotFoundError as exc:
            print(f"{detector} left out: {exc}", file=sys.stderr)
    _print_tables(results, actors, race, sex, args.n_frames)
    if args.sides:
        _print_sides(frames, [d for d in detectors if d != "mtcnn"], args.sides)
    print(f"\nload {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
