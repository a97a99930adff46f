"""
=============================================
The paper's network on CREMA-D, fold by actor
=============================================

Train the reference paper's dual-stream CNN (``DualStreamClassifier``'s
``"paper"`` preset) on a local copy of CREMA-D and score it with k-fold
cross-validation grouped by actor, for face only, audio only and both. Add
``--preset recommended`` for skmer's configuration for small training sets.

This script needs the real recordings, so the gallery shows it without
running it. Run it with the path of the CREMA-D folder (laid out like the
official release, for instance after ``skmer.datasets.fetch_crema_d``)::

    python examples/real_datasets/reproduce_paper_protocol.py ~/skmer_data/crema_d
    python examples/real_datasets/reproduce_paper_protocol.py ~/CREMA-D \\
        --sentences IEO --intensities HI --emotions ANG HAP SAD --preset recommended

Each model is a pipeline from file paths to labels, so the audio
standardisation is learnt inside each training fold. The extractors' cache
(``--cache-dir``) decodes each clip once for all models and folds. On the
full corpus (7,442 clips) expect hours on a CPU.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import time

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, cross_validate
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.neural_network import DualStreamClassifier


def make_model(preset, modalities, *, cache_dir, n_jobs, random_state):
    """Paths in, labels out: both extractors, then the classifier."""
    clf = DualStreamClassifier.from_preset(
        preset, modalities=modalities, random_state=random_state
    )
    features = make_union(
        # The paper finds faces with OpenCV's Haar cascade.
        FaceExtractor(
            n_frames=clf.n_frames, detector="haar", cache_dir=cache_dir, n_jobs=n_jobs
        ),
        make_pipeline(
            MFCCExtractor(cache_dir=cache_dir, n_jobs=n_jobs), StandardScaler()
        ),
    )
    return make_pipeline(features, clf)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[1])
    parser.add_argument("data", help="the CREMA-D folder")
    parser.add_argument("--preset", choices=["paper", "recommended"], default="paper")
    parser.add_argument(
        "--modalities",
        nargs="+",
        choices=["face", "audio", "both"],
        default=["face", "audio", "both"],
    )
    parser.add_argument("--sentences", nargs="+", default=None)
    parser.add_argument("--intensities", nargs="+", default=None)
    parser.add_argument("--emotions", nargs="+", default=None)
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cache-dir",
        default=os.path.join(os.path.expanduser("~"), "skmer_cache"),
        help="feature cache (default: ~/skmer_cache)",
    )
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)

    data = load_crema_d(
        args.data,
        sentences=args.sentences,
        intensities=args.intensities,
        emotions=args.emotions,
    )
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    print(
        f"{len(y)} clips of {len(np.unique(groups))} actors, classes "
        f"{sorted(set(y.tolist()))}; {args.n_splits}-fold StratifiedGroupKFold "
        f"by actor; preset {args.preset!r}"
    )
    cv = StratifiedGroupKFold(args.n_splits, shuffle=True, random_state=args.seed)
    for modalities in args.modalities:
        model = make_model(
            args.preset,
            modalities,
            cache_dir=args.cache_dir,
            n_jobs=args.n_jobs,
            random_state=args.seed,
        )
        start = time.perf_counter()
        scores = cross_validate(
            model,
            data.paths,
            y,
            groups=groups,
            cv=cv,
            scoring=["accuracy", "f1_macro"],
        )
        accuracy, f1 = scores["test_accuracy"], scores["test_f1_macro"]
        print(
            f"{modalities:>5}: accuracy {accuracy.mean():.3f} +- {accuracy.std():.3f}"
            f"  macro-F1 {f1.mean():.3f} +- {f1.std():.3f}"
            f"  ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
