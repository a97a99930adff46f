"""The argument parser of the ``skmer`` command and its subcommands."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse

from skmer import __version__

# The face frames per clip of the recommended preset, the default model
# (kept equal to it by a test: importing the preset here would load Keras).
DEFAULT_N_FRAMES = 5

# Folds of the demo: each holds out 2 or 3 of the 8 synthetic actors.
DEMO_FOLDS = 3


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default, except where there is none to show."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or action.required:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """Make the parser of ``skmer`` and of each of its commands."""
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
    shared = _shared_options()
    for add_command in (
        _add_demo,
        _add_extract,
        _add_train,
        _add_evaluate,
        _add_compare,
        _add_predict,
        _add_fetch_model,
    ):
        add_command(commands, shared)
    return parser


# --- Options that several commands take --------------------------------------


def _shared_options():
    """Make the parent parsers (``parents=`` of the commands) of shared options."""
    return {
        "runtime": _runtime_options(),
        "seed": _option("--seed", type=int, default=0, help="random seed"),
        "dataset": _dataset_options(),
        "modalities": _option(
            "--modalities",
            choices=["auto", "both", "face", "audio"],
            default="auto",
            help="streams, face and/or voice ('auto': both when the clips have "
            "video, audio for audio-only corpora)",
        ),
        "detector": _option(
            "--detector",
            choices=["auto", "yunet", "haar", "mtcnn"],
            default="auto",
            help="face detector: YuNet (finds the faces of every actor evenly; "
            "its file is fetched and verified on first use), OpenCV's Haar "
            "cascade (the paper's), MTCNN (pip install skmer[mtcnn]), or "
            "'auto': YuNet if its file is present (skmer fetch-model yunet), "
            "else Haar",
        ),
        "training": _training_options(),
        "skip_bad_files": _option(
            "--skip-bad-files",
            action="store_true",
            help="leave out clips that cannot be read (listed) instead of stopping",
        ),
        "saved_model": _saved_model_options(),
    }


def _option(*flags, **kwargs):
    """Make a parent parser of one option."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(*flags, **kwargs)
    return parent


def _runtime_options():
    """Make the options of how to run: workers, feature cache, progress output."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel workers of the extraction (-1: all cores; default: one)",
    )
    parent.add_argument(
        "--cache-dir",
        default=None,
        help="per-file feature cache directory (default: no cache)",
    )
    parent.add_argument(
        "--cache-key",
        choices=["stat", "content"],
        default="stat",
        help="what identifies a clip in the cache: its path, size and "
        "modification time, or a hash of its bytes (sees a clip replaced by "
        "one of the same size and time)",
    )
    parent.add_argument(
        "--quiet", action="store_true", help="no progress bars or epoch lines"
    )
    return parent


def _dataset_options():
    """Make the options of the dataset folder, its kind and the emotions to keep."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("data", help="dataset folder")
    parent.add_argument(
        "--dataset",
        choices=["auto", "crema-d", "ravdess", "emodb", "folder"],
        default="auto",
        help="dataset kind ('auto': detected from the file names; 'folder' "
        "with --labels)",
    )
    parent.add_argument(
        "--labels",
        default=None,
        help="CSV file of path, emotion and speaker columns, for a folder of "
        "any other layout",
    )
    parent.add_argument(
        "--emotions",
        default=None,
        help="comma-separated labels to keep, in any case, e.g. ANG,HAP,SAD "
        "(default: all)",
    )
    return parent


def _training_options():
    """Make the options of the classifier of the commands that train one."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--preset",
        choices=["recommended", "paper"],
        default="recommended",
        help="classifier configuration",
    )
    parent.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="training epochs, the most when the preset stops early "
        "(default: the preset's)",
    )
    return parent


def _saved_model_options():
    """Make the options of the model file of the commands that load one."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--model", required=True, help="a model from skmer train")
    parent.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also load a model saved as a pickle (by joblib.dump or an "
        "earlier skmer). Loading a pickle runs any code it holds: use this "
        "only for a file you made or trust",
    )
    return parent


# --- One function per command ------------------------------------------------

# The shared options (of _shared_options) that each command takes, in the
# order of its help.
_SHARED_BY_COMMAND = {
    "demo": ["runtime", "seed", "training"],
    "extract": ["runtime", "dataset", "modalities", "detector", "skip_bad_files"],
    "train": [
        "runtime",
        "seed",
        "dataset",
        "modalities",
        "detector",
        "training",
        "skip_bad_files",
    ],
    "evaluate": ["runtime", "dataset", "saved_model"],
    "compare": ["runtime", "seed", "dataset", "detector", "training"],
    "predict": ["runtime", "saved_model"],
    "fetch-model": [],
}


def _add_command(commands, shared, name, *, help, description):
    return commands.add_parser(
        name,
        parents=[shared[option] for option in _SHARED_BY_COMMAND[name]],
        help=help,
        description=description,
        formatter_class=_HelpFormatter,
    )


def _add_demo(commands, shared):
    demo = _add_command(
        commands,
        shared,
        "demo",
        help="extract, compare face/audio/fusion models and report, on the "
        "embedded synthetic clips",
        description="Generate the embedded synthetic clips (or reuse them), "
        "extract face and audio features, cross-validate face-only, audio-only "
        "and fusion models on folds grouped by actor, and write a report.",
    )
    demo.add_argument(
        "--out-dir",
        default=None,
        help="where to write the clips (default: the data home, ~/skmer_data "
        "or $SKMER_DATA)",
    )
    demo.add_argument("--report", default="skmer-demo-report", help="report directory")
    demo.add_argument("--folds", type=int, default=DEMO_FOLDS, help="folds")


def _add_extract(commands, shared):
    extract = _add_command(
        commands,
        shared,
        "extract",
        help="extract the face and audio blocks of a dataset folder",
        description="Extract FaceExtractor and MFCCExtractor features of every "
        "clip of a CREMA-D, RAVDESS or EmoDB folder into a .npz file with the "
        "arrays X_face, X_audio, y, groups and paths.",
    )
    extract.add_argument("--out", required=True, help="output .npz file")
    extract.add_argument(
        "--n-frames",
        type=int,
        default=DEFAULT_N_FRAMES,
        help="face frames per clip (the recommended preset reads 5)",
    )
    extract.add_argument("--size", type=int, default=64, help="face crop side")


def _add_train(commands, shared):
    train = _add_command(
        commands,
        shared,
        "train",
        help="train a model on a dataset folder and save it",
        description="Extract the features of every clip and fit the whole "
        "pipeline (clip paths to emotions); save it with a record of its "
        "training clips. Hold speakers out with --test-speakers or --test-size "
        "to get a test figure for speakers the model never heard.",
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


def _add_evaluate(commands, shared):
    evaluate = _add_command(
        commands,
        shared,
        "evaluate",
        help="score a saved model on a dataset folder and write a report",
        description="Predict the clips with a model from 'skmer train' and "
        "write the report directory: index.html with the classification "
        "report, confusion matrices, counts, training curves, per-class and "
        "per-group accuracy, example predictions, Grad-CAM and modality "
        "contribution, plus metrics.json. The clips the model was trained on "
        "are left out.",
    )
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


def _add_compare(commands, shared):
    compare = _add_command(
        commands,
        shared,
        "compare",
        help="compare face-only, audio-only and fusion models (cross-validated)",
        description="Cross-validate face-only, audio-only and fusion models on "
        "the same speaker-independent folds, test fusion against each, and "
        "write the report directory (index.html and metrics.json).",
    )
    compare.add_argument("--report", required=True, help="report directory")
    compare.add_argument("--folds", type=int, default=5, help="number of folds")


def _add_predict(commands, shared):
    predict = _add_command(
        commands,
        shared,
        "predict",
        help="predict the emotion of clips with a saved model",
        description="Print the predicted emotion and the class probabilities "
        "of each file, and a note where a file is unlike the training clips. "
        "Unreadable files are reported, not fatal. Each line is one file: "
        "tabs, line breaks, backslashes and other control characters in file "
        "names are escaped as in Python strings (\\t, \\n, \\\\); --json "
        "prints them as JSON strings.",
    )
    predict.add_argument("files", nargs="+", metavar="FILE", help="clips")
    predict.add_argument("--json", action="store_true", help="print JSON lines")


def _add_fetch_model(commands, shared):
    fetch = _add_command(
        commands,
        shared,
        "fetch-model",
        help="download and verify pretrained files (face detector, face networks)",
        description="Fetch registered pretrained files into the models folder "
        "of the data home (~/skmer_data or $SKMER_DATA), each checked against "
        "its SHA-256, and print where they are. A verified copy already there, "
        "or in $SKMER_MODEL_DIR, is not fetched again. With the YuNet file "
        "present, FaceExtractor's default detector ('auto') uses YuNet.",
    )
    # Imported here, not at the top: skmer.datasets loads scikit-learn, and
    # importing skmer.cli stays light (the demo's clock, _STARTED, counts it).
    from skmer.datasets._models import MODEL_FILES

    names = sorted(MODEL_FILES)

    def model_name(value):
        # Checked here rather than with choices=: argparse checks the empty
        # list of nargs="*" against the choices too, and refuses it.
        if value not in MODEL_FILES:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {value!r} (choose from {', '.join(names)})"
            )
        return value

    fetch.add_argument(
        "names",
        nargs="*",
        type=model_name,
        metavar="NAME",
        help=f"files to fetch, of {', '.join(names)} (default: all)",
    )
