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
standardised MFCC block. Every candidate is the recommended preset (BASE)
with a few parameters changed; a tie goes to the candidate listed first.

Usage::

    python benchmarks/select_recommended.py --stream face
    python benchmarks/select_recommended.py --stream audio
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
from skmer.neural_network._architecture import build_dual_stream_cnn
from skmer.neural_network._classifier import PRESETS, DualStreamClassifier
from skmer.neural_network._embedding import FaceEmbedding

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_CACHE = Path.home() / ".cache" / "skmer-benchmarks"

BASE = {**PRESETS["recommended"], "random_state": 0}
# Each candidate sets the head and the training regime itself, so that its
# meaning does not change when the preset (BASE) does.
EARLY_STOPPING = {"early_stopping": True, "epochs": 100}
FIXED_50_EPOCHS = {"early_stopping": False, "epochs": 50}
PAPER_HEAD = {"head_units": (256, 128)}
NO_HEAD = {"head_units": ()}
FACE_CANDIDATES = {
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
}
AUDIO_CANDIDATES = {
    "paper head": {**PAPER_HEAD, **EARLY_STOPPING},
    "no head layers": {**NO_HEAD, **EARLY_STOPPING},
    "no head layers, augment": {**NO_HEAD, **EARLY_STOPPING, "augment": True},
    "no head layers, 50 epochs": {**NO_HEAD, **FIXED_50_EPOCHS},
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


class EmbeddedFaceClassifier(DualStreamClassifier):
    """The classifier's face stream on precomputed per-frame embeddings.

    Each "frame" is a (1, 1, embedding_dim) embedding; a Flatten stands for
    the frozen encoder that made it.
    """

    encoder_norm = True

    def _keras_build_fn(self):
        encoder = keras.Sequential(
            [keras.Input(tuple(self.face_shape)), keras.layers.Flatten()]
        )
        model = build_dual_stream_cnn(
            face_shape=tuple(self.face_shape),
            audio_shape=None,
            n_classes=self.n_classes_,
            n_frames=self.n_frames,
            face_encoder=encoder,
            encoder_norm=self.encoder_norm,
            branch_units=self.branch_units,
            head_units=tuple(self.head_units),
            dropout=self.dropout,
            batch_norm_momentum=self.batch_norm_momentum,
            seed=self._random_state,
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model


def features(stream, paths, cache_dir):
    if stream == "face":
        frames = FaceExtractor(n_frames=5, cache_dir=cache_dir).fit_transform(paths)
        embedding = FaceEmbedding(n_frames=5, frame_pooling="concat")
        return embedding.fit_transform(frames)
    return MFCCExtractor(cache_dir=cache_dir).fit_transform(paths)


def make_classifier(stream, params, X):
    if stream == "face":
        dim = X.shape[1] // 5
        params = dict(params)
        norm = params.pop("encoder_norm", True)
        clf = EmbeddedFaceClassifier(
            "face", **{**BASE, **params, "face_shape": (1, 1, dim), "n_frames": 5}
        )
        clf.encoder_norm = norm
        return clf
    return DualStreamClassifier("audio", **{**BASE, **params})


def inner_score(stream, params, X, y, groups, n_inner):
    scores = []
    inner = StratifiedGroupKFold(n_splits=n_inner, shuffle=True, random_state=1)
    for train, val in inner.split(X, y, groups):
        X_train, X_val = X[train], X[val]
        if stream == "audio":
            scaler = StandardScaler().fit(X_train)
            X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
        clf = make_classifier(stream, params, X).fit(X_train, y[train])
        scores.append(clf.score(X_val, y[val]))
    return float(np.mean(scores))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stream", choices=["face", "audio"], required=True)
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
    candidates = FACE_CANDIDATES if args.stream == "face" else AUDIO_CANDIDATES
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
