"""The ``skmer`` command line: argument parsing over the public API."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import logging
import os
import sys
import traceback


def _build_parser() -> argparse.ArgumentParser:
    from skmer import __version__

    parser = argparse.ArgumentParser(
        prog="skmer",
        description="Multimodal (face and voice) emotion recognition with "
        "scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"skmer {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback on errors"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--n-jobs", type=int, default=None, help="parallel workers (-1: all cores)"
    )
    common.add_argument(
        "--cache-dir", default=None, help="per-file feature cache directory"
    )
    common.add_argument("--quiet", action="store_true", help="no progress bars")
    common.add_argument(
        "--seed", type=int, default=0, help="random seed of the models (default: 0)"
    )

    dataset = argparse.ArgumentParser(add_help=False)
    dataset.add_argument("data", help="dataset folder")
    dataset.add_argument(
        "--dataset",
        choices=["auto", "crema-d", "ravdess", "emodb", "folder"],
        default="auto",
        help="dataset kind (default: detected; 'folder' with --labels)",
    )
    dataset.add_argument(
        "--labels",
        default=None,
        help="CSV file of path, emotion and speaker columns, for a folder of "
        "any other layout",
    )

    dataset.add_argument(
        "--emotions",
        default=None,
        help="comma-separated labels to keep, e.g. ANG,HAP,SAD (default: all)",
    )

    modalities = argparse.ArgumentParser(add_help=False)
    modalities.add_argument(
        "--modalities",
        choices=["auto", "both", "face", "audio"],
        default="auto",
        help="streams, face and/or voice (default: both when the clips have video, "
        "audio for audio-only corpora)",
    )

    training = argparse.ArgumentParser(add_help=False)
    training.add_argument(
        "--preset",
        choices=["recommended", "paper"],
        default="recommended",
        help="classifier configuration (default: recommended)",
    )
    training.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="training epochs, the most when the preset stops early "
        "(default: the preset's)",
    )

    demo = commands.add_parser(
        "demo",
        parents=[common, training],
        help="extract, compare face/audio/fusion models and report, on the "
        "embedded synthetic clips",
        description="Generate the embedded synthetic clips (or reuse them), "
        "extract face and audio features, cross-validate face-only, audio-only "
        "and fusion models on folds grouped by actor, and write a report.",
    )
    demo.add_argument(
        "--out-dir", default=None, help="where to write the clips (default: data home)"
    )
    demo.add_argument(
        "--report",
        default="skmer-demo-report",
        help="report directory (default: ./skmer-demo-report)",
    )
    demo.add_argument("--folds", type=int, default=4, help="folds (default: 4)")

    extract = commands.add_parser(
        "extract",
        parents=[common, dataset, modalities],
        help="extract the face and audio blocks of a dataset folder",
        description="Extract FaceExtractor and MFCCExtractor features of every "
        "clip of a CREMA-D, RAVDESS or EmoDB folder into a .npz file with the "
        "arrays X_face, X_audio, y, groups and paths.",
    )
    extract.add_argument("--out", required=True, help="output .npz file")
    extract.add_argument("--n-frames", type=int, default=1, help="face frames per clip")
    extract.add_argument("--size", type=int, default=64, help="face crop side")

    train = commands.add_parser(
        "train",
        parents=[common, dataset, modalities, training],
        help="train a model on a dataset folder and save it",
        description="Extract the features of every clip and fit the whole "
        "pipeline (clip paths to emotions); save it with joblib.",
    )
    train.add_argument("--model", required=True, help="output .joblib file")
    train.add_argument(
        "--skip-bad-files",
        action="store_true",
        help="leave out clips that cannot be read (listed) instead of stopping",
    )

    evaluate = commands.add_parser(
        "evaluate",
        parents=[common, dataset],
        help="score a saved model on a dataset folder and write a report",
        description="Predict every clip with a model from 'skmer train' and "
        "write the report directory: index.html with the classification "
        "report, confusion matrices, counts, training curves, per-class and "
        "per-group accuracy, example predictions, Grad-CAM and modality "
        "contribution, plus metrics.json.",
    )
    evaluate.add_argument("--model", required=True, help="a model from skmer train")
    evaluate.add_argument("--report", required=True, help="report directory")

    compare = commands.add_parser(
        "compare",
        parents=[common, dataset, training],
        help="compare face-only, audio-only and fusion models (cross-validated)",
        description="Cross-validate face-only, audio-only and fusion models on "
        "the same speaker-independent folds, test fusion against each, and "
        "write the report directory (index.html and metrics.json).",
    )
    compare.add_argument("--report", required=True, help="report directory")
    compare.add_argument(
        "--folds", type=int, default=5, help="number of folds (default: 5)"
    )

    predict = commands.add_parser(
        "predict",
        parents=[common],
        help="predict the emotion of clips with a saved model",
        description="Print the predicted emotion and the class probabilities "
        "of each file. Unreadable files are reported, not fatal.",
    )
    predict.add_argument("files", nargs="+", metavar="FILE", help="clips")
    predict.add_argument("--model", required=True, help="a model from skmer train")
    predict.add_argument("--json", action="store_true", help="print JSON lines")
    return parser


def _demo(args) -> int:
    from skmer._demo import run_demo

    run_demo(
        out_dir=args.out_dir,
        report_dir=args.report,
        preset=args.preset,
        folds=args.folds,
        epochs=args.epochs,
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    return 0


def _load(args):
    from skmer._tasks import select_emotions
    from skmer.datasets import load_dataset

    data = load_dataset(args.data, kind=args.dataset, labels=args.labels)
    if args.emotions is not None:
        emotions = [label.strip() for label in args.emotions.split(",")]
        data = select_emotions(data, [label for label in emotions if label])
    return data


def _extract(args) -> int:
    import numpy as np

    from skmer._tasks import resolve_modalities
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor

    data = _load(args)
    verbose = 0 if args.quiet else 1
    modalities = resolve_modalities(args.modalities, data.paths)
    arrays = {"y": data.target, "paths": data.paths}
    if data.groups is not None:
        arrays["groups"] = data.groups
    if modalities in ("both", "face"):
        arrays["X_face"] = FaceExtractor(
            args.size,
            n_frames=args.n_frames,
            n_jobs=args.n_jobs,
            cache_dir=args.cache_dir,
            verbose=verbose,
        ).fit_transform(data.paths)
    if modalities in ("both", "audio"):
        arrays["X_audio"] = MFCCExtractor(
            n_jobs=args.n_jobs, cache_dir=args.cache_dir, verbose=verbose
        ).fit_transform(data.paths)
    np.savez_compressed(args.out, **arrays)
    shapes = ", ".join(
        f"{name} {value.shape}" for name, value in arrays.items() if name[0] == "X"
    )
    print(f"{len(data.paths)} {data.kind} clips -> {args.out}: {shapes}.")
    return 0


def _train(args) -> int:
    import joblib

    from skmer._tasks import train

    data = _load(args)
    pipeline = train(
        data,
        modalities=args.modalities,
        preset=args.preset,
        epochs=args.epochs,
        on_error="skip" if args.skip_bad_files else "raise",
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    joblib.dump(pipeline, args.model)
    print(f"Saved the model to {args.model}.")
    return 0


def _load_model(path):
    import joblib
    from sklearn.pipeline import Pipeline

    if not os.path.isfile(path):
        raise FileNotFoundError(f"Model file not found: {path!r}.")
    try:
        pipeline = joblib.load(path)
    except Exception as exc:
        raise ValueError(
            f"Cannot load a model from {path!r}: not a file saved by 'skmer "
            f"train' ({type(exc).__name__}: {exc})."
        ) from exc
    if not isinstance(pipeline, Pipeline) or "features" not in pipeline.named_steps:
        raise ValueError(
            f"{path!r} does not hold a model saved by 'skmer train' (a Pipeline "
            f"with a 'features' step); it holds a {type(pipeline).__name__}."
        )
    return pipeline


def _evaluate(args) -> int:
    from skmer._tasks import evaluate

    pipeline = _load_model(args.model)
    evaluate(pipeline, _load(args), report_dir=args.report)
    return 0


def _compare(args) -> int:
    from skmer._tasks import compare

    compare(
        _load(args),
        report_dir=args.report,
        preset=args.preset,
        folds=args.folds,
        epochs=args.epochs,
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    return 0


def _predict(args) -> int:
    import json

    from skmer._tasks import predict

    pipeline = _load_model(args.model)
    frame = predict(pipeline, args.files)
    for row in frame.to_dict(orient="records"):
        probabilities = {
            key[2:]: (None if value != value else round(float(value), 4))
            for key, value in row.items()
            if key.startswith("p_")
        }
        if args.json:
            record = {"path": row["path"], "label": row["label"] or None}
            record["probabilities"] = probabilities
            record["error"] = row["error"] or None
            print(json.dumps(record))
        elif row["error"]:
            print(f"{row['path']}\tERROR\t{row['error']}")
        else:
            shown = " ".join(f"{k}={v:.3f}" for k, v in probabilities.items())
            print(f"{row['path']}\t{row['label']}\t{shown}")
    # Like ls or cat: the readable files are printed, the status tells that
    # some were not.
    return 1 if (frame["error"] != "").any() else 0


_COMMANDS = {
    "demo": _demo,
    "extract": _extract,
    "train": _train,
    "evaluate": _evaluate,
    "compare": _compare,
    "predict": _predict,
}


def main(argv: list[str] | None = None) -> int:
    """Run the ``skmer`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on a failure (with a one-line message on stderr, or
        the traceback with ``--debug``), 2 on a usage error.

    Examples
    --------
    ``skmer extract`` on a folder of two EmoDB-named recordings:

    >>> import os, tempfile, wave
    >>> from skmer.cli import main
    >>> root = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(root, "wav"))
    >>> for name in ["03a01Wa.wav", "08a01Na.wav"]:
    ...     with wave.open(os.path.join(root, "wav", name), "wb") as f:
    ...         f.setnchannels(1); f.setsampwidth(2); f.setframerate(16000)
    ...         f.writeframes(bytes(32000))
    >>> out = os.path.join(root, "features.npz")
    >>> main(["extract", root, "--out", out, "--quiet"])  # doctest: +ELLIPSIS
    2 emodb clips -> ...features.npz: X_audio (2, 5120).
    0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not args.debug:
        # TensorFlow's start-up and retracing messages are noise on a command
        # line (each cross-validation fold builds a new model).
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("skmer: interrupted.", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        else:
            message = " ".join(str(exc).split()) or type(exc).__name__
            print(
                f"skmer {args.command}: {type(exc).__name__}: {message} "
                "(run with --debug for the traceback)",
                file=sys.stderr,
            )
        return 1
