"""Speech emotion model zoo, side by side, on speaker-independent folds.

Runs every architecture of SpeechClassifier ('cnn', 'alexnet', 'resnet',
'inception', 'vgg16', 'vgg19', 'lstm', 'transformer') on the same folds of a
dataset folder (EmoDB, CREMA-D or RAVDESS, detected by skmer.datasets.
load_dataset) and prints the table of the speech paper: accuracy, macro
precision, recall and F1 as mean +- standard deviation over the folds, plus
the number of parameters, the seconds per training epoch (fit time over
epochs run, so it includes graph tracing and the validation pass), the mean
number of epochs early stopping ran, and the total time of the row. A
non-deep anchor, an SVM on the mean and standard deviation of MFCCs over
time, runs on the same folds. ``--seeds N`` makes each network row the
soft vote (mean of the class probabilities) of N networks trained with
seeds seed, seed + 1, ...; ``--ensemble`` adds a row that is the soft vote
of every network row (no extra training). Networks stop early on a held-out
fifth of their training clips, at most ``--epochs`` epochs;
``--no-early-stopping`` trains each for exactly ``--epochs`` epochs on all
of them. ``--width``, ``--batch-size`` and ``--dropout`` set the
SpeechClassifier parameters of the same names.

Folds are grouped by speaker (GroupKFold; --folds 0 for LeaveOneGroupOut):
no speaker is in both the training and the test data. Features are
extracted once per clip (through a disk cache). Standardisation is learnt on
the training folds only (StandardScaler per column), or, with
--speaker-norm, done per speaker with SpeakerNormalizer: each speaker's
clips standardised with that speaker's own statistics, the test speakers'
with their test clips' (``--speaker-norm bands``: one mean and standard
deviation per mel band and speaker, pooled over the frames, instead of one
per matrix cell). Only fair when a speaker's clips do not form a known
balanced set of emotions (see the SpeakerNormalizer docs): use it on EmoDB,
not on the CREMA-D clips of ../shared/data. ``--utterance-norm`` first
standardises each clip's spectrogram bands over the clip's own frames
(UtteranceNormalizer: per-utterance mean and variance normalisation, which
needs nothing but the clip; the networks' input only, not the anchor's);
``--utterance-norm centre`` only subtracts each band's mean over the clip.

Usage::

    nice python benchmarks/bench_speech_zoo.py ../shared/data/emodb
    nice python benchmarks/bench_speech_zoo.py ../shared/data/emodb --speaker-norm
    nice python benchmarks/bench_speech_zoo.py ../shared/data/emodb --speaker-norm bands
    nice python benchmarks/bench_speech_zoo.py ../shared/data/emodb --utterance-norm
    nice python benchmarks/bench_speech_zoo.py ../shared/data/crema-d --folds 5
    python benchmarks/bench_speech_zoo.py DIR --archs cnn lstm --epochs 10
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skmer.datasets import load_dataset
from skmer.feature_extraction import LogMelExtractor, MFCCExtractor
from skmer.neural_network import SpeechClassifier

# The list of architectures, the default of --archs, has no public name.
from skmer.neural_network._speech_architectures import SPEECH_ARCHITECTURES
from skmer.preprocessing import SpeakerNormalizer, UtteranceNormalizer

DEFAULT_CACHE = Path.home() / ".cache" / "skmer-benchmarks"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", help="dataset folder (EmoDB, CREMA-D or RAVDESS)")
    parser.add_argument("--features", choices=["logmel", "mfcc"], default="logmel")
    parser.add_argument("--n-bands", type=int, default=40, help="mels or MFCCs")
    parser.add_argument("--sr", type=int, default=16000)
    parser.add_argument("--n-fft", type=int, default=1024)
    parser.add_argument("--hop", type=int, default=512)
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="length of sound analysed"
    )
    parser.add_argument(
        "--min-clips",
        type=int,
        default=10,
        help="drop classes with fewer clips (the CREMA-D folder holds 1 DIS)",
    )
    parser.add_argument(
        "--speaker-norm",
        nargs="?",
        const="columns",
        choices=["columns", "bands"],
        help="SpeakerNormalizer statistics per column, or per band over frames",
    )
    parser.add_argument(
        "--utterance-norm",
        nargs="?",
        const="bands",
        choices=["bands", "centre"],
        help="UtteranceNormalizer first: each clip's bands over its own frames "
        "(standardised, or centred only)",
    )
    parser.add_argument(
        "--folds", type=int, default=4, help="GroupKFold splits; 0: leave one out"
    )
    parser.add_argument("--archs", nargs="*", default=list(SPEECH_ARCHITECTURES))
    parser.add_argument("--no-anchor", action="store_true", help="skip the SVM")
    parser.add_argument("--epochs", type=int, default=40, help="cap on epochs")
    parser.add_argument("--patience", type=int, default=8)
    parser.add_argument(
        "--no-early-stopping",
        action="store_true",
        help="train every network for --epochs on all the training clips",
    )
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument(
        "--batch-size", type=int, default=32, help="clips per gradient step"
    )
    parser.add_argument(
        "--dropout", type=float, default=0.3, help="SpeechClassifier's dropout"
    )
    parser.add_argument("--augment", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seeds", type=int, default=1, help="networks per row (soft vote)"
    )
    parser.add_argument(
        "--ensemble", action="store_true", help="add the soft vote of all networks"
    )
    parser.add_argument("--cache", default=str(DEFAULT_CACHE))
    parser.add_argument("--out", help="JSON file of the per-fold results")
    return parser.parse_args(argv)


def extract(paths, args):
    """Spectrograms (for the networks) and MFCC matrices (for the anchor)."""
    n_frames = 1 + int(args.seconds * args.sr) // args.hop
    common = {
        "n_frames": n_frames,
        "sr": args.sr,
        "n_fft": args.n_fft,
        "hop_length": args.hop,
        "cache_dir": args.cache,
        "n_jobs": 2,
    }
    mfcc = MFCCExtractor(n_mfcc=40, n_mels=64, **common).fit_transform(paths)
    if args.features == "mfcc":
        spectro = MFCCExtractor(n_mfcc=args.n_bands, **common).fit_transform(paths)
    else:
        spectro = LogMelExtractor(n_mels=args.n_bands, **common).fit_transform(paths)
    if args.utterance_norm:
        # Each clip's own statistics: nothing crosses clips, so no fold leaks.
        spectro = UtteranceNormalizer(
            n_frames=n_frames, with_std=args.utterance_norm == "bands"
        ).fit_transform(spectro)
    return spectro, mfcc.reshape(len(paths), 40, n_frames), (args.n_bands, n_frames)


def standardise(X_train, X_test, g_train, g_test, speaker_norm, n_frames=None):
    """Learn the standardisation on the training fold, or per speaker."""
    if speaker_norm:
        norm = SpeakerNormalizer(n_frames=n_frames if speaker_norm == "bands" else None)
        return (
            norm.fit_transform(X_train, groups=g_train),
            norm.transform(X_test, groups=g_test),
        )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def scores(y_true, y_pred):
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average="macro", zero_division=0
    )
    return {
        "accuracy": accuracy_score(y_true, y_pred),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def run_anchor(mfcc, y, groups, folds, speaker_norm):
    """MFCC mean and standard deviation over time, then an RBF SVM."""
    stats = np.hstack([mfcc.mean(axis=2), mfcc.std(axis=2)])
    rows = []
    for train, test in folds:
        start = time.perf_counter()
        X_train, X_test = standardise(
            stats[train], stats[test], groups[train], groups[test], speaker_norm
        )
        svm = SVC(C=10.0, gamma="scale").fit(X_train, y[train])
        rows.append(
            {
                **scores(y[test], svm.predict(X_test)),
                "params": None,
                "epochs": None,
                "fit_seconds": time.perf_counter() - start,
            }
        )
    return rows


def run_network(arch, X, y, groups, folds, shape, args):
    """Rows of scores, and the class probabilities of each fold's test clips."""
    rows, probas = [], []
    for train, test in folds:
        X_train, X_test = standardise(
            X[train], X[test], groups[train], groups[test], args.speaker_norm, shape[1]
        )
        proba, epochs, seconds = 0.0, 0, 0.0
        for seed in range(args.seed, args.seed + args.seeds):
            clf = SpeechClassifier(
                arch,
                audio_shape=shape,
                width=args.width,
                dropout=args.dropout,
                batch_size=args.batch_size,
                augment=args.augment,
                epochs=args.epochs,
                early_stopping=not args.no_early_stopping,
                patience=args.patience,
                reduce_lr_patience=max(args.patience // 2, 1),
                random_state=seed,
            )
            start = time.perf_counter()
            clf.fit(X_train, y[train])
            seconds += time.perf_counter() - start
            epochs += len(clf.history_["loss"])
            proba = proba + clf.predict_proba(X_test) / args.seeds
        probas.append(proba)
        rows.append(
            {
                **scores(y[test], clf.classes_[proba.argmax(axis=1)]),
                "params": int(clf.model_.count_params()) * args.seeds,
                "epochs": epochs / args.seeds,
                "fit_seconds": seconds / args.seeds,
            }
        )
    return rows, probas


def run_ensemble(probas, results, y, folds):
    """Soft vote of the networks already run: the mean of their probabilities."""
    classes = np.unique(y)
    rows = []
    for index, (_, test) in enumerate(folds):
        proba = np.mean([fold_probas[index] for fold_probas in probas.values()], axis=0)
        rows.append(
            {
                **scores(y[test], classes[proba.argmax(axis=1)]),
                "params": sum(results[name][index]["params"] for name in probas),
                "epochs": None,
                "fit_seconds": sum(
                    results[name][index]["fit_seconds"] for name in probas
                ),
            }
        )
    return rows


def summary_line(name, rows, total):
    def cell(key):
        values = np.array([row[key] for row in rows]) * 100
        return f"{values.mean():5.1f} ± {values.std():4.1f}"

    params = rows[0]["params"]
    epochs = [row["epochs"] for row in rows if row["epochs"]]
    per_epoch = (
        sum(row["fit_seconds"] for row in rows) / sum(epochs) if epochs else None
    )
    return (
        f"{name:<12} {cell('accuracy'):>13} {cell('precision'):>13} "
        f"{cell('recall'):>13} {cell('f1'):>13} "
        f"{(f'{params:,}' if params else '-'):>10} "
        f"{(f'{per_epoch:.2f}' if per_epoch else '-'):>8} "
        f"{(f'{np.mean(epochs):.0f}' if epochs else '-'):>7} {total:8.0f}"
    )


def main(argv=None):
    args = parse_args(argv)
    data = load_dataset(args.root)
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    paths = np.asarray(data.paths)
    labels, counts = np.unique(y, return_counts=True)
    rare = labels[counts < args.min_clips]
    if len(rare):
        keep = ~np.isin(y, rare)
        print(f"dropped {np.sum(~keep)} clips of classes {rare.tolist()}")
        y, groups, paths = y[keep], groups[keep], paths[keep]
    start = time.perf_counter()
    X, mfcc, shape = extract(paths, args)
    print(
        f"{len(y)} clips, {len(np.unique(groups))} speakers, classes "
        f"{np.unique(y).tolist()}; {args.features} {shape} extracted in "
        f"{time.perf_counter() - start:.0f} s",
        flush=True,
    )
    cv = LeaveOneGroupOut() if args.folds == 0 else GroupKFold(args.folds)
    folds = list(cv.split(X, y, groups))
    norm = (
        f"per speaker (SpeakerNormalizer, statistics per {args.speaker_norm[:-1]})"
        if args.speaker_norm
        else "StandardScaler on the training fold"
    )
    training = (
        f"{args.epochs} epochs, no early stopping"
        if args.no_early_stopping
        else f"epochs <= {args.epochs}, patience {args.patience}"
    )
    print(
        f"{len(folds)} folds grouped by speaker; standardisation: {norm}; "
        f"{training}, width {args.width}, batch size {args.batch_size}, "
        f"dropout {args.dropout}, "
        f"augment {args.augment}, {args.seeds} seed(s) per network, "
        f"utterance norm {args.utterance_norm}",
        flush=True,
    )
    header = (
        f"{'model':<12} {'accuracy %':>13} {'precision %':>13} {'recall %':>13} "
        f"{'F1 %':>13} {'params':>10} {'s/epoch':>8} {'epochs':>7} {'total s':>8}"
    )
    lines, results, probas, totals = [], {}, {}, {}
    todo = ([] if args.no_anchor else ["svm-anchor"]) + list(args.archs)
    if args.ensemble:
        todo.append("ensemble")
    for name in todo:
        start = time.perf_counter()
        if name == "svm-anchor":
            rows = run_anchor(mfcc, y, groups, folds, args.speaker_norm)
        elif name == "ensemble":
            rows = run_ensemble(probas, results, y, folds)
        else:
            rows, probas[name] = run_network(name, X, y, groups, folds, shape, args)
        total = time.perf_counter() - start
        if name == "ensemble":
            total = sum(totals[arch] for arch in probas)
        results[name], totals[name] = rows, total
        lines.append(summary_line(name, rows, total))
        print(lines[-1], flush=True)
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=1))
    print("\n" + header)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
