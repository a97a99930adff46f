"""The ``skmer`` command line: argument parsing over the public API."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import contextlib
import logging
import os
import re
import sys
import time
import traceback
import warnings

# When the command started, for the wall time that the demo prints.
_STARTED = time.perf_counter()

# Commands that train or load a Keras model.
_KERAS_COMMANDS = {"demo", "train", "evaluate", "compare", "predict"}


# The face frames per clip of the recommended preset, the default model
# (kept equal to it by a test: importing the preset here would load Keras).
_DEFAULT_N_FRAMES = 5


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default, except where there is none to show."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or action.required:
            return action.help
        return super()._get_help_string(action)


def _build_parser() -> argparse.ArgumentParser:
    from skmer import __version__
    from skmer.cli._demo import DEMO_FOLDS
    from skmer.datasets._models import MODEL_FILES

    parser = argparse.ArgumentParser(
        prog="skmer",
        description="Multimodal (face and voice) emotion recognition with "
        "scikit-learn estimators.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skmer {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback on errors, and TensorFlow's own logging",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel workers of the extraction (-1: all cores; default: one)",
    )
    common.add_argument(
        "--cache-dir",
        default=None,
        help="per-file feature cache directory (default: no cache)",
    )
    common.add_argument(
        "--cache-key",
        choices=["stat", "content"],
        default="stat",
        help="what identifies a clip in the cache: its path, size and "
        "modification time, or a hash of its bytes (sees a clip replaced by "
        "one of the same size and time)",
    )
    common.add_argument(
        "--quiet", action="store_true", help="no progress bars or epoch lines"
    )

    seeded = argparse.ArgumentParser(add_help=False)
    seeded.add_argument("--seed", type=int, default=0, help="random seed")

    dataset = argparse.ArgumentParser(add_help=False)
    dataset.add_argument("data", help="dataset folder")
    dataset.add_argument(
        "--dataset",
        choices=["auto", "crema-d", "ravdess", "emodb", "folder"],
        default="auto",
        help="dataset kind ('auto': detected from the file names; 'folder' "
        "with --labels)",
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
        help="comma-separated labels to keep, in any case, e.g. ANG,HAP,SAD "
        "(default: all)",
    )

    modalities = argparse.ArgumentParser(add_help=False)
    modalities.add_argument(
        "--modalities",
        choices=["auto", "both", "face", "audio"],
        default="auto",
        help="streams, face and/or voice ('auto': both when the clips have "
        "video, audio for audio-only corpora)",
    )

    detecting = argparse.ArgumentParser(add_help=False)
    detecting.add_argument(
        "--detector",
        choices=["auto", "yunet", "haar", "mtcnn"],
        default="auto",
        help="face detector: YuNet (finds the faces of every actor evenly; "
        "its file is fetched and verified on first use), OpenCV's Haar cascade "
        "(the paper's), MTCNN (pip install skmer[mtcnn]), or 'auto': YuNet if "
        "its file is present (skmer fetch-model yunet), else Haar",
    )

    training = argparse.ArgumentParser(add_help=False)
    training.add_argument(
        "--preset",
        choices=["recommended", "paper"],
        default="recommended",
        help="classifier configuration",
    )
    training.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="training epochs, the most when the preset stops early "
        "(default: the preset's)",
    )

    def add(name, parents, help, description):
        return commands.add_parser(
            name,
            parents=parents,
            help=help,
            description=description,
            formatter_class=_HelpFormatter,
        )

    demo = add(
        "demo",
        [common, seeded, training],
        "extract, compare face/audio/fusion models and report, on the "
        "embedded synthetic clips",
        "Generate the embedded synthetic clips (or reuse them), extract face "
        "and audio features, cross-validate face-only, audio-only and fusion "
        "models on folds grouped by actor, and write a report.",
    )
    demo.add_argument(
        "--out-dir",
        default=None,
        help="where to write the clips (default: the data home, ~/skmer_data "
        "or $SKMER_DATA)",
    )
    demo.add_argument("--report", default="skmer-demo-report", help="report directory")
    demo.add_argument("--folds", type=int, default=DEMO_FOLDS, help="folds")

    extract = add(
        "extract",
        [common, dataset, modalities, detecting],
        "extract the face and audio blocks of a dataset folder",
        "Extract FaceExtractor and MFCCExtractor features of every clip of a "
        "CREMA-D, RAVDESS or EmoDB folder into a .npz file with the arrays "
        "X_face, X_audio, y, groups and paths.",
    )
    extract.add_argument("--out", required=True, help="output .npz file")
    extract.add_argument(
        "--n-frames",
        type=int,
        default=_DEFAULT_N_FRAMES,
        help="face frames per clip (the recommended preset reads 5)",
    )
    extract.add_argument("--size", type=int, default=64, help="face crop side")
    extract.add_argument(
        "--skip-bad-files",
        action="store_true",
        help="leave out clips that cannot be read (listed) instead of stopping",
    )

    train = add(
        "train",
        [common, seeded, dataset, modalities, detecting, training],
        "train a model on a dataset folder and save it",
        "Extract the features of every clip and fit the whole pipeline (clip "
        "paths to emotions); save it with a record of its training clips. "
        "Hold speakers out with --test-speakers or --test-size to get a test "
        "figure for speakers the model never heard.",
    )
    train.add_argument(
        "--model",
        required=True,
        help="output model file, e.g. model.skmer (a safe format: loading it "
        "runs no code from the file)",
    )
    speakers = train.add_mutually_exclusive_group()
    speakers.add_argument(
        "--test-speakers",
        default=None,
        help="comma-separated speakers to hold out and test on, e.g. 1061,1062",
    )
    speakers.add_argument(
        "--test-size",
        type=float,
        default=None,
        help="fraction of the speakers to hold out and test on, drawn with "
        "--seed, e.g. 0.2",
    )
    train.add_argument(
        "--skip-bad-files",
        action="store_true",
        help="leave out clips that cannot be read (listed) instead of stopping",
    )

    evaluate = add(
        "evaluate",
        [common, dataset],
        "score a saved model on a dataset folder and write a report",
        "Predict the clips with a model from 'skmer train' and write the "
        "report directory: index.html with the classification report, "
        "confusion matrices, counts, training curves, per-class and per-group "
        "accuracy, example predictions, Grad-CAM and modality contribution, "
        "plus metrics.json. The clips the model was trained on are left out.",
    )
    evaluate.add_argument("--model", required=True, help="a model from skmer train")
    _add_trust_pickle(evaluate)
    evaluate.add_argument("--report", required=True, help="report directory")
    evaluate.add_argument(
        "--test-speakers",
        default=None,
        help="comma-separated speakers to score, e.g. 1061,1062 (default: all)",
    )
    evaluate.add_argument(
        "--include-training-clips",
        action="store_true",
        help="keep the clips the model was trained on (the figures are then "
        "not test figures)",
    )

    compare = add(
        "compare",
        [common, seeded, dataset, detecting, training],
        "compare face-only, audio-only and fusion models (cross-validated)",
        "Cross-validate face-only, audio-only and fusion models on the same "
        "speaker-independent folds, test fusion against each, and write the "
        "report directory (index.html and metrics.json).",
    )
    compare.add_argument("--report", required=True, help="report directory")
    compare.add_argument("--folds", type=int, default=5, help="number of folds")

    predict = add(
        "predict",
        [common],
        "predict the emotion of clips with a saved model",
        "Print the predicted emotion and the class probabilities of each "
        "file, and a note where a file is unlike the training clips. "
        "Unreadable files are reported, not fatal. Each line is one file: "
        "tabs, line breaks, backslashes and other control characters in file "
        "names are escaped as in Python strings (\\t, \\n, \\\\); --json "
        "prints them as JSON strings.",
    )
    predict.add_argument("files", nargs="+", metavar="FILE", help="clips")
    predict.add_argument("--model", required=True, help="a model from skmer train")
    _add_trust_pickle(predict)
    predict.add_argument("--json", action="store_true", help="print JSON lines")

    fetch = add(
        "fetch-model",
        [],
        "download and verify pretrained files (face detector, face networks)",
        "Fetch registered pretrained files into the models folder of the data "
        "home (~/skmer_data or $SKMER_DATA), each checked against its SHA-256, "
        "and print where they are. A verified copy already there, or in "
        "$SKMER_MODEL_DIR, is not fetched again. With the YuNet file present, "
        "FaceExtractor's default detector ('auto') uses YuNet.",
    )
    fetch.add_argument(
        "names",
        nargs="*",
        choices=sorted(MODEL_FILES),
        metavar="NAME",
        help=f"files to fetch, of {', '.join(sorted(MODEL_FILES))} (default: all)",
    )
    return parser


def _add_trust_pickle(command):
    command.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also load a model saved as a pickle (by joblib.dump or an "
        "earlier skmer). Loading a pickle runs any code it holds: use this "
        "only for a file you made or trust",
    )


def _demo(args) -> int:
    from skmer.cli._demo import run_demo

    run_demo(
        out_dir=args.out_dir,
        report_dir=args.report,
        preset=args.preset,
        folds=args.folds,
        epochs=args.epochs,
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        cache_key=args.cache_key,
        random_state=args.seed,
        verbose=_verbose(args),
        started=_STARTED,
    )
    return 0


def _verbose(args):
    return 0 if args.quiet else 1


def _split(text):
    """Split a comma-separated option into its non-empty items."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _load(args):
    from skmer.cli._tasks import select_emotions
    from skmer.datasets import load_dataset

    data = load_dataset(args.data, kind=args.dataset, labels=args.labels)
    if args.emotions is not None:
        data = select_emotions(data, _split(args.emotions))
    return data


def _extract(args) -> int:
    import numpy as np

    from skmer.cli._tasks import _echo_skipped, resolve_modalities
    from skmer.exceptions import SkippedFilesWarning
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor
    from skmer.utils._files import atomic_write

    _check_out_folder(args.out)
    data = _load(args)
    paths = np.asarray(data.paths)
    runtime = {
        "n_jobs": args.n_jobs,
        "cache_dir": args.cache_dir,
        "cache_key": args.cache_key,
        "verbose": _verbose(args),
        "on_error": "skip" if args.skip_bad_files else "raise",
    }
    modalities = resolve_modalities(args.modalities, paths)
    extractors = {}
    if modalities in ("both", "face"):
        extractors["X_face"] = FaceExtractor(
            args.size, n_frames=args.n_frames, detector=args.detector, **runtime
        )
    if modalities in ("both", "audio"):
        extractors["X_audio"] = MFCCExtractor(**runtime)
    blocks, skipped = {}, {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkippedFilesWarning)
        for name, extractor in extractors.items():
            blocks[name] = extractor.fit_transform(paths)
    for warning in caught:
        if issubclass(warning.category, SkippedFilesWarning):
            skipped.update(warning.message.skipped)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    # Leave the unreadable clips out of every array, as train does, so that
    # the rows stay aligned and hold no NaN.
    keep = ~np.isin(paths, list(skipped))
    _echo_skipped(skipped, len(paths), print)
    if not keep.any():
        raise ValueError(
            f"None of the {len(paths)} clips could be read; {args.out!r} was "
            "not written."
        )
    arrays = {"y": np.asarray(data.target)[keep], "paths": paths[keep]}
    if data.groups is not None:
        arrays["groups"] = np.asarray(data.groups)[keep]
    arrays.update({name: X[keep] for name, X in blocks.items()})
    # np.savez_compressed adds .npz to a path without it; keep that name. The
    # file is written beside it and renamed, so a failure keeps an earlier one.
    out = os.fspath(args.out)
    if not out.endswith(".npz"):
        out += ".npz"
    with atomic_write(out) as file:
        np.savez_compressed(file, **arrays)
    shapes = ", ".join(
        f"{name} {value.shape}" for name, value in arrays.items() if name[0] == "X"
    )
    print(f"{keep.sum()} {data.kind} clips -> {out}: {shapes}.")
    return 0


def _check_out_folder(out):
    """Fail before a long extraction if the folder of ``--out`` is missing."""
    folder = os.path.dirname(os.fspath(out)) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"Output folder not found: {folder!r} (of --out {out!r}). Create it first."
        )


def _train(args) -> int:
    from skmer import _model_file
    from skmer.cli._tasks import split_speakers, train

    data, test = split_speakers(
        _load(args),
        test_speakers=None
        if args.test_speakers is None
        else _split(args.test_speakers),
        test_size=args.test_size,
        random_state=args.seed,
    )
    pipeline, training = train(
        data,
        test=test,
        modalities=args.modalities,
        preset=args.preset,
        detector=args.detector,
        epochs=args.epochs,
        on_error="skip" if args.skip_bad_files else "raise",
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        cache_key=args.cache_key,
        random_state=args.seed,
        verbose=_verbose(args),
    )
    _model_file.save(args.model, pipeline, training)
    print(f"Saved the model to {args.model}.")
    return 0


def _load_model(args):
    """Load the model file of ``--model`` and apply this run's options."""
    from skmer import _model_file

    pipeline, training = _model_file.load(args.model, trust_pickle=args.trust_pickle)
    _model_file.set_runtime(
        pipeline,
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        cache_key=args.cache_key,
        verbose=_verbose(args),
    )
    return pipeline, training


def _evaluate(args) -> int:
    from skmer.cli._tasks import evaluate, split_speakers

    pipeline, training = _load_model(args)
    data = _load(args)
    if args.test_speakers is not None:
        _, data = split_speakers(data, test_speakers=_split(args.test_speakers))
    evaluate(
        pipeline,
        data,
        report_dir=args.report,
        training=training,
        include_training=args.include_training_clips,
    )
    return 0


def _compare(args) -> int:
    from skmer.cli._tasks import compare

    compare(
        _load(args),
        report_dir=args.report,
        preset=args.preset,
        detector=args.detector,
        folds=args.folds,
        epochs=args.epochs,
        n_jobs=args.n_jobs,
        cache_dir=args.cache_dir,
        cache_key=args.cache_key,
        random_state=args.seed,
        verbose=_verbose(args),
    )
    return 0


def _predict(args) -> int:
    import json

    from skmer.cli._tasks import predict

    pipeline, training = _load_model(args)
    classes = ", ".join(map(str, pipeline[-1].classes_))
    origin = (
        ""
        if training is None
        else f", trained on {training['n_clips']} {training['dataset']} clips"
    )
    # On stderr, so that stdout holds one record per file.
    print(
        f"skmer predict: the model answers one of {classes}{origin}.",
        file=sys.stderr,
    )
    frame = predict(pipeline, args.files, training=training)
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
            record["notes"] = row["notes"].split("; ") if row["notes"] else []
            print(json.dumps(record))
        elif row["error"]:
            # Messages quote names with repr: only their own white space
            # could break the line.
            error = " ".join(row["error"].split())
            print(f"{_field(row['path'])}\tERROR\t{error}")
        else:
            shown = " ".join(f"{k}={v:.3f}" for k, v in probabilities.items())
            note = " ".join(row["notes"].split())
            note = f"\tnote: {note}" if note else ""
            print(f"{_field(row['path'])}\t{_field(row['label'])}\t{shown}{note}")
    # Like ls or cat: the readable files are printed, the status tells that
    # some were not.
    return 1 if (frame["error"] != "").any() else 0


# What could split or forge a line of tab-separated output, or garble a
# terminal: backslash, control characters, Unicode line separators, and the
# surrogates that stand for a file name's undecodable bytes.
_UNSAFE = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _field(text):
    """Escape ``text`` as Python string literals do, for one tab-separated field."""

    def escape(match):
        char = match.group()
        if char in _ESCAPES:
            return _ESCAPES[char]
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, str(text))


def _fetch_model(args) -> int:
    from skmer.datasets import fetch_model_file
    from skmer.datasets._models import MODEL_FILES

    for name in args.names or sorted(MODEL_FILES):
        path = fetch_model_file(name)
        entry = MODEL_FILES[name]
        print(
            f"{name}: {path} ({entry.size / 1000:.0f} kB, {entry.licence} "
            "licence, SHA-256 verified)"
        )
    return 0


_COMMANDS = {
    "demo": _demo,
    "extract": _extract,
    "train": _train,
    "evaluate": _evaluate,
    "compare": _compare,
    "predict": _predict,
    "fetch-model": _fetch_model,
}


def main(argv: list[str] | None = None) -> int:
    """Run the ``skmer`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``, as the
        installed ``skmer`` command does, and then also prints each warning
        on one line (``skmer: warning: ...``).

    Returns
    -------
    status : int
        0 on success, 1 on a failure (with a one-line message on stderr, or
        the traceback with ``--debug``), 2 on a usage error.

    Notes
    -----
    Without ``--debug``, TensorFlow's own C++ and Python logging is kept off
    the terminal (``TF_CPP_MIN_LOG_LEVEL=3`` unless set, and its import-time
    lines are dropped).

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
    with contextlib.ExitStack() as stack:
        if not args.debug:
            _quiet_tensorflow(load=args.command in _KERAS_COMMANDS)
        if argv is None:
            # Run as the command line (not called from Python code, whose
            # own warning filters and handlers stay as they are).
            stack.enter_context(_one_line_warnings())
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


def _quiet_tensorflow(*, load):
    """Keep TensorFlow's C++ and Python logging off the terminal.

    TensorFlow reads its log level when it is first imported, and some of
    its import-time lines ignore it: with ``load``, it is imported here with
    the C-level stderr sent to /dev/null (Python errors still propagate).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl", "keras"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if not load or "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            except ImportError:
                pass  # the code that needs it says what to install
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _one_line_warnings():
    """Print each warning as one line, ``skmer: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"skmer: warning: {text}", file=file or sys.stderr)

    before = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = before
