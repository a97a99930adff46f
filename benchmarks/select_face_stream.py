"""Choose the recommended preset's face stream by nested, actor-grouped CV.

Candidates differ in the face detector (Haar, or YuNet with landmark
alignment) and the frozen encoder (the FER2013 mini-Xception, OpenCV Zoo's
MobileFaceNet, or both side by side); the rest is the recommended preset.

For each outer fold (5-fold StratifiedGroupKFold by actor, seed 0, as in
bench_accuracy.py), every candidate's face stream is scored by 4-fold
StratifiedGroupKFold inside the outer *training* set only, and the best is
picked (a tie goes to the current preset, listed first). Then every
candidate is trained on the outer training set and tested on the outer test
set, face-only and fused with the audio stream, so that the table shows what
each would give; the nested accuracy is that of the picked candidate in each
fold. The preset should change only if the nested accuracy beats the current
face stream's on the outer folds.

As in select_recommended.py, the frozen encoder's per-frame embeddings are
computed once and the classifier trains on them: the same model at a
fraction of the cost.

Usage::

    SKMER_MODEL_DIR=/path/to/models python benchmarks/select_face_stream.py
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from select_recommended import (
    DEFAULT_CACHE,
    DEFAULT_DATA,
    make_classifier,
    standardise_audio,
)
from sklearn.model_selection import StratifiedGroupKFold

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.neural_network import FaceEmbedding

N_FRAMES = 5
# name: (FaceExtractor parameters, FaceEmbedding backbone). The current
# preset comes first, so that it wins ties.
CANDIDATES = {
    "fer, Haar 64": ({"size": 64, "detector": "haar"}, "fer"),
    "fer, YuNet aligned 64": ({"size": 64, "detector": "yunet"}, "fer"),
    "mobilefacenet, Haar 112": ({"size": 112, "detector": "haar"}, "mobilefacenet"),
    "mobilefacenet, YuNet aligned 112": (
        {"size": 112, "detector": "yunet", "margin": 0.0},
        "mobilefacenet",
    ),
    "fer+mobilefacenet, YuNet aligned 112": (
        {"size": 112, "detector": "yunet", "margin": 0.0},
        "fer+mobilefacenet",
    ),
}


def embeddings(paths, extractor_params, backbone, cache_dir):
    """Per-frame embeddings of 5 frames per clip, side by side."""
    frames = FaceExtractor(
        n_frames=N_FRAMES, cache_dir=cache_dir, on_no_face="ignore", **extractor_params
    ).fit_transform(paths)
    size = extractor_params["size"]
    embedding = FaceEmbedding(
        backbone,
        face_shape=(size, size, 3),
        n_frames=N_FRAMES,
        frame_pooling="concat",
    )
    return embedding.fit_transform(frames)


def fit_score(stream, X_train, y_train, X_test, y_test):
    X_train, X_test = standardise_audio(stream, X_train, X_test)
    clf = make_classifier(stream, {}, X_train).fit(X_train, y_train)
    return clf.score(X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--n-inner", type=int, default=4)
    args = parser.parse_args(argv)

    data = load_crema_d(args.data / "crema-d", sentences="IEO", intensities="HI")
    paths = np.asarray(data.paths)
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    print(f"{len(paths)} clips of {len(np.unique(groups))} actors.", flush=True)
    audio = MFCCExtractor(cache_dir=args.cache_dir).fit_transform(paths)
    faces = {}
    for name, (params, backbone) in CANDIDATES.items():
        start = time.perf_counter()
        faces[name] = embeddings(paths, params, backbone, args.cache_dir)
        print(
            f"{name}: embeddings {faces[name].shape} in "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )

    outer = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    inner = StratifiedGroupKFold(n_splits=args.n_inner, shuffle=True, random_state=1)
    rows, picks = [], []
    for fold, (train, test) in enumerate(outer.split(paths, y, groups)):
        start = time.perf_counter()
        inner_scores = {}
        for name, X in faces.items():
            scores = [
                fit_score("face", X[train][a], y[train][a], X[train][b], y[train][b])
                for a, b in inner.split(X[train], y[train], groups[train])
            ]
            inner_scores[name] = float(np.mean(scores))
        picked = max(inner_scores, key=inner_scores.get)  # first of equals
        picks.append(picked)
        audio_score = fit_score("audio", audio[train], y[train], audio[test], y[test])
        for name, X in faces.items():
            both = np.hstack([X, audio])
            rows.append(
                {
                    "outer_fold": fold,
                    "candidate": name,
                    "inner_face": inner_scores[name],
                    "face": fit_score("face", X[train], y[train], X[test], y[test]),
                    "audio": audio_score,
                    "fusion": fit_score(
                        "both", both[train], y[train], both[test], y[test]
                    ),
                }
            )
        print(
            f"outer fold {fold}: inner face accuracy "
            + ", ".join(f"{n} {s:.3f}" for n, s in inner_scores.items())
            + f"; picked {picked!r} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )

    table = pd.DataFrame(rows)
    summary = table.groupby("candidate", sort=False)[["face", "audio", "fusion"]]
    means, stds = summary.mean(), summary.std(ddof=0)
    print("\nOuter-fold accuracy of each candidate (mean ± std over 5 folds):")
    for name in CANDIDATES:
        print(
            f"  {name:38s}"
            + "".join(
                f" {column} {means.loc[name, column]:.3f} ± "
                f"{stds.loc[name, column]:.3f}"
                for column in ("face", "audio", "fusion")
            )
        )
    chosen = table.set_index(["outer_fold", "candidate"])
    nested = {
        column: [chosen.loc[(fold, name), column] for fold, name in enumerate(picks)]
        for column in ("face", "fusion")
    }
    current = next(iter(CANDIDATES))
    print(f"\nPicked in each outer fold: {picks}")
    for column in ("face", "fusion"):
        values = np.array(nested[column])
        base = np.array(
            [chosen.loc[(fold, current), column] for fold in range(len(picks))]
        )
        print(
            f"Nested {column} accuracy with the choice: {values.mean():.3f} ± "
            f"{values.std():.3f} (folds {', '.join(f'{v:.3f}' for v in values)}); "
            f"current preset {base.mean():.3f} ± {base.std():.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
