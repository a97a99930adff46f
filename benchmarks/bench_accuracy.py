"""Accuracy of DualStreamClassifier on real CREMA-D clips, and its speed.

The 180 CREMA-D clips of sentence IEO at high intensity in ../shared/data
(ANG, HAP, SAD; one clip of each for each of 60 actors) are classified with
5-fold cross-validation grouped by actor (StratifiedGroupKFold): no actor is
in both the training and the test folds. For the paper's configuration and
skmer's recommended one, and for face only, audio only and fusion, the script
prints accuracy and macro-F1 as mean +- standard deviation over the folds.

Every model is a whole pipeline from file paths to labels: the extractors
read the clips (through their disk cache, so each clip is decoded once, ever)
and a StandardScaler standardises the audio block inside each training fold.

With --timing it also measures seconds per epoch of DualStreamClassifier.fit
against plain keras.Model.fit of the same network on the same arrays.

Usage::

    python benchmarks/bench_accuracy.py                 # accuracy table
    python benchmarks/bench_accuracy.py --timing        # plus seconds per epoch
    python benchmarks/bench_accuracy.py --configs recommended --modalities audio
    python benchmarks/bench_accuracy.py --reference     # plus embeddings + LogReg

It takes about an hour on 2 CPU cores; the first run also extracts the
features (a few minutes).
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.neural_network import DualStreamClassifier, FaceEmbedding

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_CACHE = Path.home() / ".cache" / "skmer-benchmarks"
# The face detector of the runs recorded in RESULTS.md (the default before
# 'auto'), so that they reproduce on any machine.
DETECTOR = "haar"


def make_model(config, modalities, cache_dir, random_state):
    """A pipeline from a DataFrame with a "path" column to emotion labels."""
    clf = DualStreamClassifier.from_preset(
        config, modalities=modalities, random_state=random_state
    )
    features = ColumnTransformer(
        [
            (
                "face",
                FaceExtractor(
                    n_frames=clf.n_frames, detector=DETECTOR, cache_dir=cache_dir
                ),
                "path",
            ),
            (
                "audio",
                make_pipeline(MFCCExtractor(cache_dir=cache_dir), StandardScaler()),
                "path",
            ),
        ]
    )
    return make_pipeline(features, clf)


def make_embedding_logreg(cache_dir):
    """Reference: frozen FER2013 embeddings, 5 frames, logistic regression."""
    return make_pipeline(
        ColumnTransformer(
            [
                (
                    "face",
                    FaceExtractor(n_frames=5, detector=DETECTOR, cache_dir=cache_dir),
                    "path",
                )
            ]
        ),
        FaceEmbedding(n_frames=5),
        StandardScaler(),
        LogisticRegression(max_iter=5000),
    )


def cross_validate_model(model, frame, y, groups, cv):
    """Per-fold accuracy, macro-F1, epochs trained and fit seconds."""
    rows = []
    for fold, (train, test) in enumerate(cv.split(frame, y, groups)):
        fitted = clone(model)
        start = time.perf_counter()
        fitted.fit(frame.iloc[train], y[train])
        seconds = time.perf_counter() - start
        pred = fitted.predict(frame.iloc[test])
        rows.append(
            {
                "fold": fold,
                "accuracy": accuracy_score(y[test], pred),
                "macro_f1": f1_score(y[test], pred, average="macro"),
                "epochs": len(getattr(fitted[-1], "history_", {"loss": []})["loss"]),
                "fit_s": seconds,
            }
        )
    return pd.DataFrame(rows)


def time_epochs(config, frame, y, cache_dir, *, epochs, repeats):
    """Seconds per epoch: DualStreamClassifier.fit vs keras.Model.fit.

    Both train the fusion network of ``config`` on the same standardised
    features of all clips, for ``epochs`` epochs without validation split or
    callbacks (early_stopping=False, reduce_lr_patience=None), batch 32. The
    fixed costs (building, graph tracing) are included in "total" and
    excluded from "per epoch", which is the difference between runs of
    ``epochs`` and 1 epoch divided by ``epochs - 1``. Best of ``repeats``,
    alternating the two.
    """
    import keras

    from skmer.neural_network import build_dual_stream_cnn, load_face_encoder

    model = make_model(config, "both", cache_dir, random_state=0)
    X = model[0].fit_transform(frame, y).astype(np.float32)
    clf = clone(model[-1]).set_params(early_stopping=False, reduce_lr_patience=None)
    face_width = clf.n_frames * int(np.prod(clf.face_shape))
    face_shape = (
        clf.face_shape if clf.n_frames == 1 else (clf.n_frames, *clf.face_shape)
    )
    inputs = {
        "face": X[:, :face_width].reshape(-1, *face_shape),
        "audio": X[:, face_width:].reshape(-1, *clf.audio_shape, 1),
    }
    classes, codes = np.unique(y, return_inverse=True)
    onehot = np.eye(len(classes), dtype=np.float32)[codes]

    def wrapper_fit(n_epochs):
        clone(clf).set_params(epochs=n_epochs).fit(X, y)

    def keras_fit(n_epochs):
        encoder = None
        if clf.face_backbone is not None:
            encoder = load_face_encoder(clf.face_backbone, face_shape=clf.face_shape)
        network = build_dual_stream_cnn(
            face_shape=clf.face_shape,
            audio_shape=clf.audio_shape,
            n_classes=len(classes),
            n_frames=clf.n_frames,
            frame_pooling=clf.frame_pooling,
            lstm_units=clf.lstm_units,
            face_encoder=encoder,
            filters=clf.filters,
            kernel_size=clf.kernel_size,
            branch_units=clf.branch_units,
            head_units=clf.head_units,
            dropout=clf.dropout,
            batch_norm_momentum=clf.batch_norm_momentum,
            augment=clf.augment,
            seed=0,
        )
        network.compile(
            optimizer=keras.optimizers.Adam(clf.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        network.fit(
            inputs, onehot, batch_size=clf.batch_size, epochs=n_epochs, verbose=0
        )

    # Alternate the two so that load from other processes hits both alike.
    fits = {"DualStreamClassifier.fit": wrapper_fit, "keras.Model.fit": keras_fit}
    runs = {(name, n): [] for name in fits for n in (1, epochs)}
    for _ in range(repeats):
        for n_epochs in (1, epochs):
            for name, fit in fits.items():
                start = time.perf_counter()
                fit(n_epochs)
                runs[name, n_epochs].append(time.perf_counter() - start)
    result = {}
    for name in fits:
        first, total = min(runs[name, 1]), min(runs[name, epochs])
        result[name] = {
            f"total {epochs} epochs (s)": total,
            "per epoch (s)": (total - first) / (epochs - 1),
        }
    return pd.DataFrame(result).T


def add_common_arguments(parser):
    """The data folder, feature cache and presets (shared with bench_training)."""
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--configs",
        nargs="*",
        default=["paper", "recommended"],
        choices=["paper", "recommended"],
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument(
        "--modalities",
        nargs="+",
        default=["face", "audio", "both"],
        choices=["face", "audio", "both"],
    )
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also FaceEmbedding + StandardScaler + LogisticRegression (face)",
    )
    parser.add_argument("--timing", action="store_true")
    parser.add_argument("--timing-epochs", type=int, default=6)
    parser.add_argument(
        "--out", type=Path, default=None, help="CSV of per-fold results"
    )
    args = parser.parse_args(argv)

    data = load_crema_d(args.data / "crema-d", sentences="IEO", intensities="HI")
    frame = pd.DataFrame({"path": data.paths})
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    labels, sizes = np.unique(y, return_counts=True)
    counts = {str(k): int(v) for k, v in zip(labels, sizes, strict=True)}
    print(
        f"{len(y)} clips, {len(np.unique(groups))} actors, classes {counts}; "
        f"{args.n_splits}-fold StratifiedGroupKFold by actor, seed {args.seed}; "
        f"{os.cpu_count()} CPU cores"
    )
    cv = StratifiedGroupKFold(
        n_splits=args.n_splits, shuffle=True, random_state=args.seed
    )

    folds = []
    for config in args.configs:
        for modalities in args.modalities:
            model = make_model(config, modalities, args.cache_dir, args.seed)
            result = cross_validate_model(model, frame, y, groups, cv)
            result.insert(0, "modalities", modalities)
            result.insert(0, "config", config)
            folds.append(result)
            print(
                f"{config:12s} {modalities:6s} accuracy "
                f"{result.accuracy.mean():.3f} +- {result.accuracy.std():.3f}  "
                f"macro-F1 {result.macro_f1.mean():.3f} +- "
                f"{result.macro_f1.std():.3f}  "
                f"epochs {result.epochs.tolist()}  fit {result.fit_s.mean():.0f} s",
                flush=True,
            )
    if args.reference:
        model = make_embedding_logreg(args.cache_dir)
        result = cross_validate_model(model, frame, y, groups, cv)
        result.insert(0, "modalities", "face")
        result.insert(0, "config", "FaceEmbedding+LogReg")
        folds.append(result)
        print(
            f"FaceEmbedding + LogisticRegression, face: accuracy "
            f"{result.accuracy.mean():.3f} +- {result.accuracy.std():.3f}",
            flush=True,
        )
    folds = pd.concat(folds, ignore_index=True)
    if args.out is not None:
        folds.to_csv(args.out, index=False)

    summary = folds.groupby(["config", "modalities"], sort=False).agg(
        accuracy_mean=("accuracy", "mean"),
        accuracy_std=("accuracy", "std"),
        macro_f1_mean=("macro_f1", "mean"),
        macro_f1_std=("macro_f1", "std"),
        epochs_mean=("epochs", "mean"),
        fit_s_mean=("fit_s", "mean"),
    )
    print()
    print(summary.round(3).to_string())

    if args.timing:
        for config in args.configs:
            print(f"\nSeconds per epoch, {config}, fusion, {len(y)} clips, batch 32:")
            table = time_epochs(
                config, frame, y, args.cache_dir, epochs=args.timing_epochs, repeats=3
            )
            print(table.round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
