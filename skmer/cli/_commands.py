"""The ``skmer`` commands: parsed arguments in, the tasks run, lines printed.

Each command takes the ``argparse.Namespace`` of its subparser and returns
the exit status. The work itself is in :mod:`skmer.cli._tasks` (and
:mod:`skmer.cli._demo`), which take plain values.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import re
import sys

import numpy as np

from skmer import _model_file
from skmer.cli import _STARTED
from skmer.cli._demo import run_demo
from skmer.cli._tasks import (
    compare,
    echo_skipped,
    evaluate,
    predict,
    resolve_modalities,
    select_emotions,
    skipped_files,
    split_speakers,
    train,
)
from skmer.datasets import fetch_model_file, load_dataset
from skmer.datasets._models import MODEL_FILES
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.utils._files import atomic_write


def _demo(args) -> int:
    run_demo(
        out_dir=args.out_dir,
        report_dir=args.report,
        folds=args.folds,
        started=_STARTED,
        **_training(args),
        **_runtime(args),
    )
    return 0


def _training(args):
    """Return ``preset``, ``epochs`` and ``random_state`` for the tasks that train."""
    return {"preset": args.preset, "epochs": args.epochs, "random_state": args.seed}


def _runtime(args):
    """Return how the steps run (the options of ``runtime`` in the parser)."""
    return {
        "n_jobs": args.n_jobs,
        "cache_dir": args.cache_dir,
        "cache_key": args.cache_key,
        "verbose": 0 if args.quiet else 1,
    }


def _on_error(args):
    return "skip" if args.skip_bad_files else "raise"


def _split(text):
    """Split a comma-separated option into its non-empty items."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _load(args):
    data = load_dataset(args.data, kind=args.dataset, labels=args.labels)
    if args.emotions is not None:
        data = select_emotions(data, _split(args.emotions))
    return data


def _extract(args) -> int:
    _check_out_folder(args.out)
    data = _load(args)
    paths = np.asarray(data.paths)
    runtime = {**_runtime(args), "on_error": _on_error(args)}
    modalities = resolve_modalities(args.modalities, paths)
    extractors = {}
    if modalities in ("both", "face"):
        extractors["X_face"] = FaceExtractor(
            args.size, n_frames=args.n_frames, detector=args.detector, **runtime
        )
    if modalities in ("both", "audio"):
        extractors["X_audio"] = MFCCExtractor(**runtime)
    with skipped_files() as skipped:
        blocks = {name: ext.fit_transform(paths) for name, ext in extractors.items()}
    # Leave the unreadable clips out of every array, as train does, so that
    # the rows stay aligned and hold no NaN.
    keep = ~np.isin(paths, list(skipped))
    echo_skipped(skipped, len(paths), print)
    if not keep.any():
        raise ValueError(
            f"None of the {len(paths)} clips could be read; {args.out!r} was "
            "not written."
        )
    arrays = {"y": np.asarray(data.target)[keep], "paths": paths[keep]}
    if data.groups is not None:
        arrays["groups"] = np.asarray(data.groups)[keep]
    arrays.update({name: X[keep] for name, X in blocks.items()})
    out = _save_arrays(args.out, arrays)
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


def _save_arrays(out, arrays):
    """Write ``arrays`` to the .npz file ``out`` and return its name."""
    # np.savez_compressed adds .npz to a path without it; keep that name. The
    # file is written beside it and renamed, so a failure keeps an earlier one.
    out = os.fspath(out)
    if not out.endswith(".npz"):
        out += ".npz"
    with atomic_write(out) as file:
        np.savez_compressed(file, **arrays)
    return out


def _train(args) -> int:
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
        detector=args.detector,
        on_error=_on_error(args),
        **_training(args),
        **_runtime(args),
    )
    _model_file.save(args.model, pipeline, training)
    print(f"Saved the model to {args.model}.")
    return 0


def _load_model(args):
    """Load the model file of ``--model`` and apply this run's options."""
    pipeline, training = _model_file.load(args.model, trust_pickle=args.trust_pickle)
    _model_file.set_runtime(pipeline, **_runtime(args))
    return pipeline, training


def _evaluate(args) -> int:
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
    compare(
        _load(args),
        report_dir=args.report,
        detector=args.detector,
        folds=args.folds,
        **_training(args),
        **_runtime(args),
    )
    return 0


def _predict(args) -> int:
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
        print(_json_line(row) if args.json else _tab_line(row))
    # Like ls or cat: the readable files are printed, the status tells that
    # some were not.
    return 1 if (frame["error"] != "").any() else 0


def _probabilities(row):
    """Return the class probabilities of a row of predictions (None for NaN)."""
    return {
        key[2:]: (None if value != value else round(float(value), 4))
        for key, value in row.items()
        if key.startswith("p_")
    }


def _json_line(row):
    record = {"path": row["path"], "label": row["label"] or None}
    record["probabilities"] = _probabilities(row)
    record["error"] = row["error"] or None
    record["notes"] = row["notes"].split("; ") if row["notes"] else []
    return json.dumps(record)


def _tab_line(row):
    if row["error"]:
        # Messages quote names with repr: only their own white space could
        # break the line.
        error = " ".join(row["error"].split())
        return f"{_field(row['path'])}\tERROR\t{error}"
    shown = " ".join(f"{k}={v:.3f}" for k, v in _probabilities(row).items())
    note = " ".join(row["notes"].split())
    note = f"\tnote: {note}" if note else ""
    return f"{_field(row['path'])}\t{_field(row['label'])}\t{shown}{note}"


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
    for name in args.names or sorted(MODEL_FILES):
        path = fetch_model_file(name)
        entry = MODEL_FILES[name]
        print(
            f"{name}: {path} ({entry.size / 1000:.0f} kB, {entry.licence} "
            "licence, SHA-256 verified)"
        )
    return 0


COMMANDS = {
    "demo": _demo,
    "extract": _extract,
    "train": _train,
    "evaluate": _evaluate,
    "compare": _compare,
    "predict": _predict,
    "fetch-model": _fetch_model,
}
