"""Face backbones on CREMA-D: a linear probe on each one's frame embeddings.

Usage::

    python benchmarks/bench_face_backbones.py [--data DATA_DIR]
        [--model-dir DIR] [--cache-dir DIR] [--seeds 0 1 2]

DATA_DIR holds ``crema-d`` (default: $SKMER_TEST_DATA, else ../shared/data
beside the repository). The model files come from
:func:`skmer.datasets.fetch_model_file`: ``--model-dir``, else
$SKMER_MODEL_DIR, else ``models`` inside DATA_DIR.

The 180 IEO clips (60 actors, one clip per actor for each of ANG, HAP, SAD)
give 5 face crops each, from the Haar cascade and, when FaceExtractor has it,
from YuNet with landmark alignment, at 64 and 112 pixels. Each backbone
embeds every frame: ``'fer'`` (FER2013 mini-Xception, 128 values),
``'mobilefacenet'`` (OpenCV Zoo's RAF-DB network run by cv2.dnn, 512 values)
and both side by side, as ``FaceEmbedding('fer+mobilefacenet')`` does. A
clip's features are the mean and the maximum of its frame embeddings; a
StandardScaler and a LogisticRegression are scored by 5-fold
StratifiedGroupKFold grouped by actor, once per seed.

It prints the accuracy of each candidate (mean and standard deviation over
the seeds of the 5-fold mean, then the standard deviation over all folds) and
the milliseconds per frame of each encoder (wall clock, on 100 frames, after
a first pass that loads the network). Crops and embeddings are cached in
``--cache-dir`` (default: /tmp/skmer-bench-face-backbones), so a second run
only fits the probes.
"""

import argparse
import hashlib
import os
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor
from skmer.neural_network import load_face_encoder

N_FRAMES = 5
SIZES = (64, 112)
BACKBONES = ("fer", "mobilefacenet")


def _shared_data():
    shared = os.environ.get("SKMER_TEST_DATA")
    if shared:
        return Path(shared)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _has_yunet():
    return "yunet" in FaceExtractor._parameter_constraints["detector"][0].options


def _crops(paths, detector, size, cache_dir):
    extractor = FaceExtractor(
        size,
        n_frames=N_FRAMES,
        detector=detector,
        on_no_face="ignore",
        cache_dir=cache_dir / "crops",
    )
    return extractor.fit_transform(paths).reshape(len(paths), N_FRAMES, size, size, 3)


def _embeddings(crops, backbone, name, cache_dir):
    """Frame embeddings of shape (n_clips, N_FRAMES, dim), cached as .npy."""
    # Keyed on the crops' bytes: crops made by another FaceExtractor version
    # get new embeddings.
    digest = hashlib.blake2b(np.ascontiguousarray(crops).data, digest_size=8)
    path = cache_dir / f"embeddings_{name}_{backbone}_{digest.hexdigest()}.npy"
    if path.is_file():
        return np.load(path)
    encoder = load_face_encoder(backbone, face_shape=crops.shape[2:])
    frames = crops.reshape(-1, *crops.shape[2:])
    embeddings = encoder.predict(frames, batch_size=64, verbose=0)
    embeddings = np.asarray(embeddings, dtype=np.float32).reshape(
        len(crops), N_FRAMES, -1
    )
    np.save(path, embeddings)
    return embeddings


def _ms_per_frame(backbone, frames):
    encoder = load_face_encoder(backbone, face_shape=frames.shape[1:])
    # A first pass loads the network and traces Keras' predict for these shapes.
    encoder.predict(frames, batch_size=64, verbose=0)
    start = time.perf_counter()
    encoder.predict(frames, batch_size=64, verbose=0)
    return 1000 * (time.perf_counter() - start) / len(frames)


def _probe(features, y, groups, seeds):
    """5-fold accuracies of the linear probe, one row per seed."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    return np.array(
        [
            cross_val_score(
                model,
                features,
                y,
                groups=groups,
                cv=StratifiedGroupKFold(5, shuffle=True, random_state=seed),
            )
            for seed in seeds
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_shared_data())
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument(
        "--cache-dir", type=Path, default=Path("/tmp/skmer-bench-face-backbones")
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)

    root = args.data / "crema-d"
    if not root.is_dir():
        print(f"No CREMA-D folder at {root}: nothing to measure.")
        return 1
    model_dir = args.model_dir or os.environ.get("SKMER_MODEL_DIR")
    os.environ["SKMER_MODEL_DIR"] = str(model_dir or args.data / "models")
    args.cache_dir.mkdir(parents=True, exist_ok=True)

    data = load_crema_d(root, sentences="IEO", intensities="HI")
    paths, y, groups = [str(p) for p in data.paths], data.target, data.groups
    print(
        f"{len(paths)} clips, {len(set(groups))} actors, classes "
        f"{sorted(set(y.tolist()))}; {N_FRAMES} frames per clip"
    )
    detectors = ["haar"]
    if _has_yunet():
        detectors.append("yunet")
    else:
        print("FaceExtractor has no detector='yunet' yet: Haar crops only.")

    rows, timing_frames = [], None
    for detector in detectors:
        for size in SIZES:
            start = time.perf_counter()
            crops = _crops(paths, detector, size, args.cache_dir)
            print(
                f"crops {detector} {size}px: {time.perf_counter() - start:.1f} s",
                flush=True,
            )
            name = f"{detector}{size}"
            per_backbone = {}
            for backbone in BACKBONES:
                frames = _embeddings(crops, backbone, name, args.cache_dir)
                per_backbone[backbone] = np.hstack(
                    [frames.mean(axis=1), frames.max(axis=1)]
                )
            per_backbone["fer+mobilefacenet"] = np.hstack(
                [per_backbone["fer"], per_backbone["mobilefacenet"]]
            )
            for backbone, features in per_backbone.items():
                scores = _probe(features, y, groups, args.seeds)
                rows.append((detector, size, backbone, features.shape[1], scores))
            if size == 112 and detector == "haar":
                timing_frames = crops.reshape(-1, size, size, 3)[:100]

    print()
    print(
        "Linear probe (StandardScaler + LogisticRegression) on [mean | max] of "
        f"{N_FRAMES} frames, 5-fold StratifiedGroupKFold by actor, seeds "
        f"{args.seeds}:"
    )
    print(
        f"{'crops':<8}{'px':>5}  {'backbone':<19}{'width':>6}  "
        f"{'accuracy':>15}  {'fold std':>8}"
    )
    for detector, size, backbone, width, scores in rows:
        per_seed = scores.mean(axis=1)
        print(
            f"{detector:<8}{size:>5}  {backbone:<19}{width:>6}  "
            f"{per_seed.mean():.3f} ± {per_seed.std():.3f}  {scores.std():>8.3f}"
        )
    print()
    print("Encoder time per frame (wall clock, 112x112 RGB crops, 100 frames):")
    for backbone in (*BACKBONES, "fer+mobilefacenet"):
        print(f"  {backbone:<19}{_ms_per_frame(backbone, timing_frames):6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
