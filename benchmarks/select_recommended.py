"""How the "recommended" preset was chosen: nested cross-validation.

The outer folds are those of bench_accuracy.py (5-fold StratifiedGroupKFold by
actor, seed 0). Candidates are compared only by their accuracy in inner
StratifiedGroupKFold splits of each outer *training* set, so no test clip of
the benchmark is used to choose: for each outer fold the script prints the
inner-CV accuracy of every candidate and which one it would pick.

Face candidates train the classifier's face stream on precomputed embeddings
of the frozen FER2013 network: with a frozen backbone the face stream is a
fixed encoder followed by the trainable layers, so this is the same model at
a fraction of the cost. Audio candidates train the real classifier on the
standardised MFCC block. Fusion candidates (``--stream both``) train the
two-stream classifier: face stream on the embeddings, audio stream on the
standardised MFCC block. Every candidate is the recommended preset (BASE)
with a few parameters changed; a tie goes to the candidate listed first.

Usage::

    python benchmarks/select_recommended.py --stream face
    python benchmarks/select_recommended.py --stream audio
    python benchmarks/select_recommended.py --stream both
    python benchmarks/select_recommended.py --stream audio \
        --candidates "no head layers" "MFCC statistics"
"""

import argparse
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import StandardScaler

from skmer.datasets import load_crema_d
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.neural_network import (
    DualStreamClassifier,
    FaceEmbedding,
    build_dual_stream_cnn,
)

# The presets' definitions, which this script re-selects, have no public name.
from skmer.neural_network._classifier import PRESETS

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_CACHE = Path.home() / ".cache" / "skmer-benchmarks"

BASE = {**PRESETS["recommended"], "random_state": 0}
AUDIO_SHAPE = DualStreamClassifier().audio_shape
# Each candidate sets the head and the training regime itself, so that its
# meaning does not change when the preset (BASE) does.
EARLY_STOPPING = {"early_stopping": True, "epochs": 100}
FIXED_50_EPOCHS = {"early_stopping": False, "epochs": 50}
# The streams end in the paper's dense 128 unless a candidate says otherwise.
PAPER_HEAD = {"head_units": (256, 128), "branch_units": 128}
NO_HEAD = {"head_units": (), "branch_units": 128}
MEAN_MAX_FRAMES = {"frame_pooling": "mean_max"}
# Face candidates average the frames unless they say otherwise.
_FACE_CANDIDATES = {
    "paper head, raw embedding": {
        **PAPER_HEAD,
        **EARLY_STOPPING,
        "encoder_norm": False,
    },
    "paper head": {**PAPER_HEAD, **EARLY_STOPPING},
    "dropout 0.2": {**PAPER_HEAD, **EARLY_STOPPING, "dropout": 0.2},
    "no head layers": {**NO_HEAD, **EARLY_STOPPING},
    "no head layers, dropout 0.2": {**NO_HEAD, **EARLY_STOPPING, "dropout": 0.2},
    # All the training clips, none held out for early stopping.
    "no head layers, 50 epochs": {**NO_HEAD, **FIXED_50_EPOCHS},
    # Pooling over the frames: where each feature peaks, not only its mean.
    "max over frames": {**NO_HEAD, **FIXED_50_EPOCHS, "frame_pooling": "max"},
    "mean and max over frames": {**NO_HEAD, **FIXED_50_EPOCHS, **MEAN_MAX_FRAMES},
    "mean and max, dropout 0.2": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        **MEAN_MAX_FRAMES,
        "dropout": 0.2,
    },
    "mean and max, 100 epochs": {
        **NO_HEAD,
        **MEAN_MAX_FRAMES,
        "early_stopping": False,
        "epochs": 100,
    },
    "mean and max, branch 256": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        **MEAN_MAX_FRAMES,
        "branch_units": 256,
    },
    # The standardised embedding straight into the softmax.
    "no branch layer": {**NO_HEAD, **FIXED_50_EPOCHS, "branch_units": 0},
}
FACE_CANDIDATES = {
    name: {"frame_pooling": "mean", **params}
    for name, params in _FACE_CANDIDATES.items()
}
AUDIO_CANDIDATES = {
    "paper head": {**PAPER_HEAD, **EARLY_STOPPING},
    "no head layers": {**NO_HEAD, **EARLY_STOPPING},
    "no head layers, augment": {**NO_HEAD, **EARLY_STOPPING, "augment": True},
    "no head layers, 50 epochs": {**NO_HEAD, **FIXED_50_EPOCHS},
    "no head layers, 50 epochs, augment": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        "augment": True,
    },
    "no head layers, 100 epochs": {
        **NO_HEAD,
        "early_stopping": False,
        "epochs": 100,
    },
    "no head layers, 50 epochs, branch 256": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        "branch_units": 256,
    },
    "MFCC statistics": {
        **NO_HEAD,
        **EARLY_STOPPING,
        "audio_architecture": "stats",
    },
    "MFCC statistics, 50 epochs": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        "audio_architecture": "stats",
    },
}


FUSION_CANDIDATES = {
    "no head layers, 50 epochs": {**NO_HEAD, **FIXED_50_EPOCHS, **MEAN_MAX_FRAMES},
    "no head layers, 50 epochs, branch 256": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        **MEAN_MAX_FRAMES,
        "branch_units": 256,
    },
    "MFCC statistics, 50 epochs": {
        **NO_HEAD,
        **FIXED_50_EPOCHS,
        **MEAN_MAX_FRAMES,
        "audio_architecture": "stats",
    },
}


class EmbeddedFaceClassifier(DualStreamClassifier):
    """The classifier on precomputed per-frame embeddings of the face.

    Each "frame" is a (1, 1, embedding_dim) embedding; a Flatten stands for
    the frozen encoder that made it. The audio stream, if any, is the real
    one.
    """

    encoder_norm = True

    def _keras_build_fn(self):
        encoder = keras.Sequential(
            [keras.Input(tuple(self.face_shape)), keras.layers.Flatten()]
        )
        model = build_dual_stream_cnn(
            face_shape=tuple(self.face_shape),
            audio_shape=None if self.modalities == "face" else AUDIO_SHAPE,
            n_classes=self.n_classes_,
            n_frames=self.n_frames,
            frame_pooling=self.frame_pooling,
            face_encoder=encoder,
            encoder_norm=self.encoder_norm,
            branch_units=self.branch_units,
            head_units=tuple(self.head_units),
            filters=tuple(self.filters),
            dropout=self.dropout,
            batch_norm_momentum=self.batch_norm_momentum,
            audio_architecture=self.audio_architecture,
            seed=self._random_state,
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model


def features(stream, paths, cache_dir):
    """[face embeddings of 5 frames | MFCC block], or the stream's block."""
    blocks = []
    if stream != "audio":
        # Haar, the detector of the recorded selection (RESULTS.md).
        frames = FaceExtractor(
            n_frames=5, detector="haar", cache_dir=cache_dir
        ).fit_transform(paths)
        embedding = FaceEmbedding(n_frames=5, frame_pooling="concat")
        blocks.append(embedding.fit_transform(frames))
    if stream != "face":
        blocks.append(MFCCExtractor(cache_dir=cache_dir).fit_transform(paths))
    return np.hstack(blocks)


def make_classifier(stream, params, X):
    if stream == "audio":
        return DualStreamClassifier("audio", **{**BASE, **params})
    audio_width = 0 if stream == "face" else int(np.prod(AUDIO_SHAPE))
    dim = (X.shape[1] - audio_width) // 5
    params = dict(params)
    norm = params.pop("encoder_norm", True)
    clf = EmbeddedFaceClassifier(
        stream, **{**BASE, **params, "face_shape": (1, 1, dim), "n_frames": 5}
    )
    clf.encoder_norm = norm
    return clf


def standardise_audio(stream, X_train, X_val):
    """Standardise the MFCC columns on the training rows."""
    if stream == "face":
        return X_train, X_val
    start = X_train.shape[1] - int(np.prod(AUDIO_SHAPE))
    scaler = StandardScaler().fit(X_train[:, start:])
    X_train, X_val = X_train.copy(), X_val.copy()
    X_train[:, start:] = scaler.transform(X_train[:, start:])
    X_val[:, start:] = scaler.transform(X_val[:, start:])
    return X_train, X_val


def inner_score(stream, params, X, y, groups, n_inner):
    scores = []
    inner = StratifiedGroupKFold(n_splits=n_inner, shuffle=True, random_state=1)
    for train, val in inner.split(X, y, groups):
        X_train, X_val = standardise_audio(stream, X[train], X[val])
        clf = make_classifier(stream, params, X).fit(X_train, y[train])
        scores.append(clf.score(X_val, y[val]))
    return float(np.mean(scores))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stream", choices=["face", "audio", "both"], required=True)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--n-inner", type=int, default=4)
    parser.add_argument(
        "--candidates", nargs="+", default=None, help="names of candidates to compare"
    )
    args = parser.parse_args(argv)

    data = load_crema_d(args.data / "crema-d", sentences="IEO", intensities="HI")
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    X = features(args.stream, data.paths, args.cache_dir)
    candidates = {
        "face": FACE_CANDIDATES,
        "audio": AUDIO_CANDIDATES,
        "both": FUSION_CANDIDATES,
    }[args.stream]
    if args.candidates is not None:
        unknown = sorted(set(args.candidates) - set(candidates))
        if unknown:
            parser.error(
                f"unknown candidates {unknown}; choose from {list(candidates)}"
            )
        candidates = {name: candidates[name] for name in args.candidates}
    outer = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    rows = []
    for fold, (train, _) in enumerate(outer.split(X, y, groups)):
        for name, params in candidates.items():
            start = time.perf_counter()
            score = inner_score(
                args.stream, params, X[train], y[train], groups[train], args.n_inner
            )
            rows.append(
                {"outer_fold": fold, "candidate": name, "inner_accuracy": score}
            )
            print(
                f"outer fold {fold}  {name:30s} inner accuracy {score:.3f} "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    table = pd.DataFrame(rows).pivot(
        index="candidate", columns="outer_fold", values="inner_accuracy"
    )
    table["mean"] = table.mean(axis=1)
    print()
    print(table.round(3).to_string())
    picks = table.drop(columns="mean").idxmax(axis=0)
    print("\nPicked in each outer fold:", picks.to_dict())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
