"""
=============================================
Random folds against speaker-independent ones
=============================================

Score the same model twice on a real corpus: with folds drawn at random
(``StratifiedKFold``: every speaker has clips in the training and the test
folds) and with folds grouped by speaker (``StratifiedGroupKFold``: the test
speakers are new to the model). The gap is how much a random split
overstates the accuracy on people the model has never heard or seen; see
:ref:`speaker_leakage`.

The model is deliberately fast: the mean and standard deviation over time of
each MFCC (and, for corpora with video, the face crop of the middle frame),
standardised, and a logistic regression.

This script needs real recordings, so the gallery shows it without running
it. Run it with the path of a CREMA-D, RAVDESS or EmoDB folder (the corpus is
detected from its file names)::

    python examples/real_datasets/compare_speaker_independent.py ~/skmer_data/crema_d
    python examples/real_datasets/compare_speaker_independent.py ~/emodb \\
        --modalities audio
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skmer.datasets import load_dataset
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.io import media_info


def mfcc_statistics(X, n_mfcc=40):
    """Mean and standard deviation over time of each coefficient."""
    X = np.asarray(X).reshape(len(X), n_mfcc, -1)
    return np.hstack([X.mean(axis=2), X.std(axis=2)])


def make_model(modalities, *, cache_dir, n_jobs):
    """Paths in, labels out."""
    blocks = []
    if modalities in ("both", "face"):
        # A few missed faces are cropped where the face was in the nearest
        # frame; FaceExtractor.locate_faces lists them.
        face = FaceExtractor(
            size=32, color="gray", on_no_face="ignore", cache_dir=cache_dir
        )
        blocks.append(face.set_params(n_jobs=n_jobs))
    if modalities in ("both", "audio"):
        blocks.append(
            make_pipeline(
                MFCCExtractor(cache_dir=cache_dir, n_jobs=n_jobs),
                FunctionTransformer(mfcc_statistics),
            )
        )
    return make_pipeline(
        make_union(*blocks), StandardScaler(), LogisticRegression(C=0.1, max_iter=5000)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[1])
    parser.add_argument("data", help="a CREMA-D, RAVDESS or EmoDB folder")
    parser.add_argument(
        "--modalities",
        nargs="+",
        choices=["face", "audio", "both"],
        default=None,
        help="default: face, audio and both for video corpora, audio otherwise",
    )
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cache-dir",
        default=os.path.join(os.path.expanduser("~"), "skmer_cache"),
        help="feature cache (default: ~/skmer_cache)",
    )
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)

    data = load_dataset(args.data)
    paths, y, groups = (np.asarray(a) for a in (data.paths, data.target, data.groups))
    # Classes with fewer clips than folds cannot be stratified: leave them out.
    labels, counts = np.unique(y, return_counts=True)
    rare = labels[counts < args.n_splits]
    if len(rare):
        print(f"Leaving out classes with fewer than {args.n_splits} clips: {rare}")
        keep = ~np.isin(y, rare)
        paths, y, groups = paths[keep], y[keep], groups[keep]
    modalities = args.modalities
    if modalities is None:
        has_video = media_info(paths[0]).has_video
        modalities = ["face", "audio", "both"] if has_video else ["audio"]
    print(
        f"{len(y)} {data.kind} clips of {len(np.unique(groups))} speakers, "
        f"{len(np.unique(y))} classes; {args.n_splits}-fold cross-validation"
    )
    splitters = {
        "random folds": StratifiedKFold(
            args.n_splits, shuffle=True, random_state=args.seed
        ),
        "by speaker": StratifiedGroupKFold(
            args.n_splits, shuffle=True, random_state=args.seed
        ),
    }
    for name in modalities:
        model = make_model(name, cache_dir=args.cache_dir, n_jobs=args.n_jobs)
        line = []
        for split, cv in splitters.items():
            by_group = isinstance(cv, StratifiedGroupKFold)
            scores = cross_val_score(
                model, paths, y, groups=groups if by_group else None, cv=cv
            )
            line.append(f"{split} {scores.mean():.3f} +- {scores.std():.3f}")
        print(f"{name:>5}: accuracy " + ", ".join(line), flush=True)


if __name__ == "__main__":
    main()
