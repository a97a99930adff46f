"""What the ``skmer`` commands do: train, predict, evaluate and compare.

Each task takes plain values, prints through ``echo`` and returns what it
made, so the commands (:mod:`skmer.cli._commands`) stay argument handling
and the tasks can be tested and reused without them (the demo runs
:func:`compare`).
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.utils import Bunch

from skmer import _model_file
from skmer.cli import _report_sections as sections
from skmer.cli._report import HTMLReport
from skmer.evaluation import compare_modalities
from skmer.exceptions import MediaError, NoFaceDetectedWarning, SkippedFilesWarning
from skmer.io import media_info
from skmer.pipeline import make_emotion_pipeline


def select_emotions(data, emotions):
    """Keep the clips of a loaded dataset whose label is one of ``emotions``.

    Labels match whatever their case (``ang`` keeps the ``ANG`` clips).
    Returns a new Bunch with every per-clip field (paths, target, groups,
    frame) subset alike.
    """
    target = np.asarray(data.target)
    labels = np.unique(target)
    if not emotions:
        raise ValueError(
            f"No emotion to keep was given; the labels of this dataset are "
            f"{', '.join(map(str, labels))}."
        )
    by_case = {str(label).casefold(): label for label in labels}
    unknown = [emotion for emotion in emotions if emotion.casefold() not in by_case]
    if unknown:
        raise ValueError(
            f"No clip is labelled {', '.join(unknown)}; the labels of this "
            f"dataset are {', '.join(map(str, labels))}."
        )
    keep = [by_case[emotion.casefold()] for emotion in emotions]
    return _subset(data, np.isin(target, keep))


def split_speakers(data, *, test_speakers=None, test_size=None, random_state=None):
    """Split a loaded dataset by speaker into training and test parts.

    ``test_speakers`` names the speakers to hold out; ``test_size`` holds
    out that fraction of the speakers, drawn at random. With neither, the
    test part is None.

    Returns
    -------
    train, test : Bunch, Bunch or None
        The clips of the other speakers, and of the held-out ones.
    """
    if test_speakers is None and test_size is None:
        return data, None
    if data.groups is None:
        raise ValueError(
            "The speakers of these clips are unknown (no speaker column), so "
            "none can be held out. Give --labels a CSV file with a speaker "
            "column."
        )
    groups = np.asarray(data.groups).astype(str)
    speakers = np.unique(groups)
    if test_speakers is not None:
        test_speakers = [str(speaker) for speaker in test_speakers]
        unknown = sorted(set(test_speakers) - set(speakers))
        if unknown:
            shown = ", ".join(speakers[:10]) + (", ..." if len(speakers) > 10 else "")
            raise ValueError(
                f"No clip has the speaker {', '.join(unknown)}; the speakers of "
                f"this dataset are {shown}"
                + ("." if len(speakers) <= 10 else f" ({len(speakers)} in all).")
            )
        held_out = np.isin(groups, test_speakers)
    else:
        if not 0 < test_size < 1:
            raise ValueError(
                f"The test size must be a fraction of the speakers between 0 "
                f"and 1; got {test_size}."
            )
        splitter = GroupShuffleSplit(
            n_splits=1, test_size=test_size, random_state=random_state
        )
        _, test = next(splitter.split(groups, groups=groups))
        held_out = np.zeros(len(groups), dtype=bool)
        held_out[test] = True
    if held_out.all():
        raise ValueError(
            "Every speaker would be held out, leaving no clip to train on."
        )
    return _subset(data, ~held_out), _subset(data, held_out)


def _subset(data, keep):
    target = np.asarray(data.target)[keep]
    return Bunch(
        **{
            **data,
            "paths": np.asarray(data.paths)[keep],
            "target": target,
            "groups": None if data.groups is None else np.asarray(data.groups)[keep],
            "frame": None
            if data.frame is None
            else data.frame.reset_index(drop=True)[keep].reset_index(drop=True),
            "target_names": np.unique(target),
        }
    )


def drop_rare_classes(data, min_clips, *, echo=print):
    """Leave out the emotions with fewer than ``min_clips`` clips, saying so.

    Stratified k-fold cross-validation needs at least k clips of each class.
    """
    labels, counts = np.unique(np.asarray(data.target), return_counts=True)
    rare = counts < min_clips
    if not rare.any():
        return data
    if (~rare).sum() < 2:
        raise ValueError(
            f"Too few clips per emotion for {min_clips} folds: "
            + _counts(labels, counts)
            + ". Pass fewer folds or more clips."
        )
    echo(
        f"Left out the emotions with fewer clips than the {min_clips} folds: "
        + _counts(labels[rare], counts[rare])
        + ". Choose the emotions with --emotions."
    )
    return _subset(data, np.isin(np.asarray(data.target), labels[~rare]))


def _counts(labels, counts):
    pairs = zip(labels, counts, strict=True)
    return ", ".join(f"{label} ({count})" for label, count in pairs)


def resolve_modalities(modalities, paths):
    """'auto' becomes 'both' for clips with video, 'audio' for audio files.

    The first readable clip decides; a broken one is passed over (the
    extraction reports it), and if none is readable the first error is
    raised.
    """
    if modalities != "auto":
        return modalities
    first_error = None
    for path in paths:
        try:
            return "both" if media_info(path).has_video else "audio"
        except (MediaError, OSError) as exc:
            first_error = first_error or exc
    if first_error is None:
        raise ValueError("No clip to train on.")
    raise first_error


def extract(pipeline, paths, *, on_error="raise", echo=print):
    """Fit the feature steps of ``pipeline`` and return their output.

    With ``on_error='skip'``, files that cannot be read are left out: the
    returned mask says which rows are kept, and the skipped files are
    printed with the reason.

    Returns
    -------
    X : ndarray of shape (n_kept, n_features)
        Features of the readable clips, ready for the classifier step.
    keep : ndarray of bool of shape (n_paths,)
        Which paths are in ``X``.
    """
    with _reading(pipeline, on_error) as skipped:
        X = pipeline[:-1].fit_transform(paths)
    keep = np.isfinite(X).all(axis=1)
    echo_skipped(skipped, len(paths), echo)
    return X[keep], keep


def _read(pipeline, paths, echo):
    """Transform ``paths`` with the fitted feature steps, skipping bad clips.

    Returns the features (NaN rows for the clips that could not be read,
    which are printed with the reason) and which rows were read.
    """
    with _reading(pipeline, "skip") as skipped:
        X = pipeline[:-1].transform(paths)
    echo_skipped(skipped, len(paths), echo)
    return X, np.isfinite(X).all(axis=1)


def train(
    data,
    *,
    test=None,
    modalities="auto",
    preset="recommended",
    epochs=None,
    on_error="raise",
    detector="auto",
    n_jobs=None,
    cache_dir=None,
    cache_key="stat",
    random_state=None,
    verbose=0,
    echo=print,
):
    """Fit the whole pipeline (paths to labels) on a loaded dataset.

    With ``test`` (the held-out part of :func:`split_speakers`), the fitted
    pipeline is then scored on those speakers' clips.

    Returns
    -------
    pipeline : Pipeline
        The fitted pipeline of :func:`skmer.pipeline.make_emotion_pipeline`.
    training : dict
        The training record (see :mod:`skmer._model_file`).
    """
    modalities = resolve_modalities(modalities, data.paths)
    params = {} if epochs is None else {"epochs": epochs}
    pipeline = make_emotion_pipeline(
        modalities,
        preset=preset,
        detector=detector,
        random_state=random_state,
        **params,
    )
    _model_file.set_runtime(
        pipeline,
        n_jobs=n_jobs,
        cache_dir=cache_dir,
        cache_key=cache_key,
        verbose=verbose,
    )
    start = time.perf_counter()
    X, keep = extract(pipeline, data.paths, on_error=on_error, echo=echo)
    extracted = time.perf_counter() - start
    y = np.asarray(data.target)[keep]
    echo(
        f"Training a {_MODEL_NAMES[modalities]} model ({preset} preset) on "
        f"{len(y)} clips"
        + ("" if data.groups is None else f" of {_n_speakers(data, keep)} speakers")
        + f", classes {', '.join(map(str, np.unique(y)))}:"
    )
    # Slicing a Pipeline shares its steps: this fits the classifier (and the
    # scaler) of ``pipeline`` itself, on the rows that were read.
    pipeline[-1:].fit(X, y)
    fitted = time.perf_counter() - start - extracted
    clf = pipeline[-1]
    history = clf.history_
    echo(
        f"Trained in {len(history['loss'])} epochs: training accuracy "
        f"{history['accuracy'][-1]:.3f} in the last epoch (on the training "
        f"clips, not a test figure); extraction {extracted:.1f} s, training "
        f"{fitted:.1f} s."
    )
    held_out = () if test is None else np.unique(np.asarray(test.groups).astype(str))
    training = _model_file.training_record(data, keep, held_out=held_out)
    if test is not None:
        X_test, readable = _read(pipeline, np.asarray(test.paths), echo)
        known = np.isin(np.asarray(test.target), clf.classes_) & readable
        if known.any():
            y_test = np.asarray(test.target)[known]
            y_pred = clf.predict(X_test[known])
            echo(
                f"Test accuracy {np.mean(y_pred == y_test):.3f}, macro-F1 "
                f"{_f1(y_test, y_pred):.3f} on {known.sum()} clips of "
                f"{len(held_out)} held-out speakers ({_shorten(held_out)})."
            )
    return pipeline, training


_MODEL_NAMES = {"both": "fusion", "face": "face-only", "audio": "audio-only"}


def _n_speakers(data, keep):
    return len(np.unique(np.asarray(data.groups)[keep]))


def _f1(y_true, y_pred):
    return f1_score(y_true, y_pred, average="macro", zero_division=0)


def _shorten(values, limit=8):
    values = [str(value) for value in values]
    if len(values) <= limit:
        return ", ".join(values)
    return ", ".join(values[:limit]) + f", ... {len(values) - limit} more"


def predict(pipeline, paths, *, training=None):
    """Labels and class probabilities of clips; unreadable clips get an error.

    With the model's ``training`` record, each clip unlike the training
    clips (another sample rate, a duration far outside theirs, no video
    for a face model, no face found) gets a note saying how.

    Returns
    -------
    predictions : DataFrame
        One row per path: ``path``, ``label`` (empty for an unreadable
        clip), one probability column per class, ``error`` and ``notes``.
    """
    with _catching(NoFaceDetectedWarning) as faceless:
        with _reading(pipeline, "skip") as errors:
            X = pipeline[:-1].transform(paths)
    clf = pipeline[-1]
    keep = np.isfinite(X).all(axis=1)
    proba = np.full((len(paths), len(clf.classes_)), np.nan)
    if keep.any():
        proba[keep] = clf.predict_proba(X[keep])
    labels = np.where(keep, clf.classes_[np.nan_to_num(proba).argmax(axis=1)], "")
    frame = pd.DataFrame({"path": [str(path) for path in paths], "label": labels})
    for k, name in enumerate(clf.classes_):
        frame[f"p_{name}"] = proba[:, k]
    frame["error"] = [errors.get(str(path), "") for path in paths]
    notes = [[] for _ in paths]
    if faceless:
        with _reading(pipeline, "skip"):
            boxes = _face_boxes(pipeline, paths)
        for k in np.flatnonzero(keep & np.isnan(boxes[..., 0]).all(axis=1)):
            notes[k].append("no face found: the face stream saw a centre crop")
    if training is not None:
        for k in np.flatnonzero(keep):
            notes[k].extend(_unlike_training(paths[k], training, clf.modalities))
    frame["notes"] = ["; ".join(note) for note in notes]
    return frame


def _unlike_training(path, training, modalities):
    """How a clip differs from the training clips, as a list of phrases."""
    info = media_info(path)
    notes = []
    rates = training.get("sample_rates") or []
    if modalities != "face" and info.sample_rate and rates:
        if int(info.sample_rate) not in rates:
            notes.append(
                f"audio at {info.sample_rate} Hz, the training clips at "
                + ", ".join(f"{rate} Hz" for rate in rates)
            )
    span = training.get("duration_range")
    duration = info.audio_duration or info.duration
    if span and duration and not span[0] / 2 <= duration <= 2 * span[1]:
        notes.append(
            f"{duration:.1f} s long, the training clips {span[0]:.1f}-{span[1]:.1f} s"
        )
    if modalities != "audio" and not info.has_video:
        notes.append("no video: the model reads faces")
    return notes


@contextmanager
def _reading(pipeline, on_error):
    """Run the extractors of ``pipeline`` with ``on_error``, then restore it.

    Yields a dict that receives the skipped files and their reasons; other
    warnings pass through.
    """
    names = [
        f"features__{name}__on_error"
        for name, _ in pipeline.named_steps["features"].transformer_list
    ]
    before = {name: pipeline.get_params()[name] for name in names}
    pipeline.set_params(**dict.fromkeys(names, on_error))
    try:
        with skipped_files() as skipped:
            yield skipped
    finally:
        pipeline.set_params(**before)


@contextmanager
def skipped_files():
    """Yield a dict that receives the files the extractors skip, and why.

    It is filled when the block ends, from the extractors'
    :class:`~skmer.exceptions.SkippedFilesWarning`; other warnings pass
    through.
    """
    skipped = {}
    with _catching(SkippedFilesWarning) as caught:
        yield skipped
    for warning in caught:
        skipped.update(warning.message.skipped)


@contextmanager
def _catching(category):
    """Yield a list that receives the warnings of ``category`` when the block ends.

    Other warnings are issued again, as if they had not been caught.
    """
    mine = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", category)
        yield mine
    for warning in caught:
        if issubclass(warning.category, category):
            mine.append(warning)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _frame(data, keep):
    """Return the loader's per-clip table of the kept rows, with an actor column."""
    frame = data.frame.reset_index(drop=True)
    if data.groups is not None and "actor" not in frame:
        frame = frame.assign(actor=data.groups)
    return frame[keep].reset_index(drop=True)


def _face_boxes(pipeline, paths):
    """Face boxes of the clips (from the cache when there is one), or None."""
    features = dict(pipeline.named_steps["features"].transformer_list)
    if "face" not in features:
        return None
    return features["face"].locate_faces(paths)


def evaluate(
    pipeline, data, *, report_dir, training=None, include_training=False, echo=print
):
    """Score a fitted pipeline on a dataset and write the full report.

    With the model's ``training`` record, the clips the model was trained on
    are recognised by their content and left out (kept, and said to be, with
    ``include_training=True``). Clips of emotions that are not classes of
    the model are left out of every figure; the report shows what the
    model predicted for them.

    Returns
    -------
    metrics : dict
        What went to ``metrics.json``.
    """
    seen = _training_clips(data, training)
    if seen.any() and not include_training:
        echo(
            f"Left out {seen.sum()} of {len(seen)} clips that the model was "
            "trained on (their scores would be training scores; "
            "--include-training-clips keeps them)."
        )
        if seen.all():
            raise ValueError(
                "Every clip of this dataset was used to train the model, so "
                "none can test it. Hold speakers out when training (skmer "
                "train --test-size 0.2, or --test-speakers), or pass "
                "--include-training-clips for training scores."
            )
        data, seen = _subset(data, ~seen), np.zeros((~seen).sum(), dtype=bool)
    paths = np.asarray(data.paths)
    X, readable = _read(pipeline, paths, echo)
    clf = pipeline[-1]
    target = np.asarray(data.target)
    known = readable & np.isin(target, clf.classes_)
    unknown = readable & ~known
    if not known.any():
        raise ValueError(
            f"None of the labels of the dataset ({', '.join(np.unique(target))}) "
            f"is a class of the model ({', '.join(map(str, clf.classes_))})."
        )
    if unknown.any():
        echo(
            f"Left out {unknown.sum()} clips of emotions the model cannot answer "
            f"({', '.join(np.unique(target[unknown]))}; its classes are "
            f"{', '.join(map(str, clf.classes_))}): the report shows what it "
            "predicted for them."
        )
    X_unknown = X[unknown]
    X, y, seen = X[known], target[known], seen[known]
    proba = clf.predict_proba(X)
    y_pred = clf.classes_[proba.argmax(axis=1)]
    kind, what = _what_was_scored(data, known, seen, training)
    report = HTMLReport(f"skmer evaluate: {len(y)} {data.kind} clips")
    report.add_text(
        f"The model ({clf.modalities} streams, classes "
        f"{', '.join(map(str, clf.classes_))}) on {what}"
    )
    sections.add_predictions(report, y, y_pred, y_proba=proba)
    boxes = _face_boxes(pipeline, paths[known])
    sections.add_groups(report, y, y_pred, _frame(data, known), detected=boxes)
    sections.add_model(report, clf, X, y)
    if unknown.any():
        sections.add_unknown_labels(report, target[unknown], clf.predict(X_unknown))
    report.metrics["scored"] = {
        "kind": kind,
        "n_clips": int(known.sum()),
        "n_training_clips": int(seen.sum()),
    }
    index = report.write(report_dir)
    echo(
        f"{kind.capitalize()} {report.metrics['model']['accuracy']:.3f}, macro-F1 "
        f"{report.metrics['model']['f1_macro']:.3f} on {what} Report: {index}"
    )
    return report.metrics


def _training_clips(data, training):
    """Which clips of ``data`` the model was trained on (by content)."""
    if training is None:
        return np.zeros(len(data.paths), dtype=bool)
    digests = {clip["digest"] for clip in training["clips"]}
    seen = []
    for path in data.paths:
        try:
            seen.append(_model_file.clip_digest(path) in digests)
        except OSError:  # reported when its features are extracted
            seen.append(False)
    return np.asarray(seen, dtype=bool)


def _what_was_scored(data, known, seen, training):
    """Name the figure (test, training or plain accuracy) and say why."""
    n, n_seen = int(known.sum()), int(seen.sum())
    clips = f"{n} clips"
    if data.groups is not None:
        clips += f" of {_n_speakers(data, known)} speakers"
    if n_seen:
        return (
            "training accuracy" if n_seen == n else "accuracy",
            f"{clips}, {n_seen} of them training clips: not a test figure.",
        )
    if training is None:
        return (
            "accuracy",
            f"{clips}. The model file does not record its training clips: this "
            "is a test figure only if the model never trained on these speakers.",
        )
    trained = {clip["speaker"] for clip in training["clips"]}
    speakers = set() if data.groups is None else set(np.asarray(data.groups)[known])
    shared = {str(speaker) for speaker in speakers} & trained
    if data.kind == training.get("dataset") and shared:
        return (
            "test accuracy",
            f"{clips} that the model did not train on, but {len(shared)} of "
            "these speakers are in its training clips: not speaker-independent.",
        )
    return "test accuracy", f"{clips} that the model never trained on."


def compare(
    data,
    *,
    report_dir,
    preset="recommended",
    folds=5,
    epochs=None,
    detector="auto",
    n_jobs=None,
    cache_dir=None,
    cache_key="stat",
    random_state=0,
    verbose=0,
    echo=print,
    **classifier_params,
):
    """Compare face-only, audio-only and fusion models and write the report.

    Speaker-independent folds when the dataset knows its speakers. The report
    also holds the fusion model's out-of-fold predictions broken down like
    ``evaluate``'s, and the model sections (curves, Grad-CAM, modality
    contribution) of a fusion model trained on the first fold's training
    part and shown on its test part.

    ``classifier_params`` override the preset's (``epochs`` too).

    Returns
    -------
    result : Bunch
        What :func:`skmer.evaluation.compare_modalities` returned.
    """
    data = drop_rare_classes(data, folds, echo=echo)
    paths = np.asarray(data.paths)
    if resolve_modalities("auto", paths) != "both":
        raise ValueError(
            "compare needs clips with both a face and a voice; these clips have "
            "no video. Use a speech benchmark for audio-only corpora."
        )
    if epochs is not None:
        classifier_params["epochs"] = epochs
    pipeline = make_emotion_pipeline(
        "both",
        preset=preset,
        detector=detector,
        n_jobs=n_jobs,
        cache_dir=cache_dir,
        cache_key=cache_key,
        random_state=random_state,
        verbose=verbose,
        **classifier_params,
    )
    start = time.perf_counter()
    X = pipeline.named_steps["features"].fit_transform(paths)
    echo(
        f"Extracted {X.shape[0]} x {X.shape[1]} features in "
        f"{time.perf_counter() - start:.1f} s."
    )
    if data.groups is None:
        echo(
            "The speakers of these clips are unknown (no speaker column): the "
            "folds are stratified but not speaker-independent, so the scores "
            "are optimistic."
        )
    votes = {"face_vote", "voice_vote", "multimodal_vote"}
    start = time.perf_counter()
    # The scaler and the classifier, cross-validated on the extracted blocks.
    result = compare_modalities(
        pipeline[1:],
        X,
        np.asarray(data.target),
        groups=data.groups,
        cv=folds,
        human_votes=data.frame if votes <= set(data.frame.columns) else None,
        return_estimator=True,
        random_state=random_state,
        verbose=verbose,
    )
    echo(
        f"Compared face, audio and fusion on {len(result.cv)} folds in "
        f"{time.perf_counter() - start:.0f} s:"
    )
    for line in sections.summary_lines(result):
        echo(line)
    report = _comparison_report(
        data, result, preset=preset, detected=_face_boxes(pipeline, paths)
    )
    _add_first_fold_model(report, result, X, np.asarray(data.target))
    index = report.write(report_dir)
    echo(f"Report: {index}")
    return result


def _comparison_report(data, result, *, preset, detected):
    """Make the report of :func:`compare`: the scores, the fusion's predictions.

    ``detected`` holds the face boxes of the clips (of ``locate_faces``).
    """
    y = np.asarray(data.target)
    report = HTMLReport(f"skmer compare: {len(y)} {data.kind} clips")
    speakers = "unknown" if data.groups is None else len(np.unique(data.groups))
    report.add_text(
        f"{len(y)} clips, {speakers} speakers, classes {', '.join(np.unique(y))}; "
        f"classifier preset {preset!r}."
    )
    sections.add_comparison(report, result)
    oof = result.predictions
    confidence = oof.get("confidence_fusion")
    sections.add_predictions(
        report,
        oof["y_true"].to_numpy(),
        oof["y_pred_fusion"].to_numpy(),
        # Only the row maxima of y_proba are used: the confidence suffices.
        y_proba=None if confidence is None else confidence.to_numpy()[:, None],
        name="fusion (out-of-fold)",
    )
    sections.add_groups(
        report,
        oof["y_true"].to_numpy(),
        oof["y_pred_fusion"].to_numpy(),
        _frame(data, np.ones(len(y), dtype=bool)),
        detected=detected,
        name="fusion (out-of-fold)",
    )
    return report


def _add_first_fold_model(report, result, X, y):
    """Add the model sections of the first fold's fusion model, on its test part."""
    train, test = result.cv[0]
    model = result.estimators[0]["fusion"]
    sections.add_model(
        report,
        model[-1],
        model[:-1].transform(X[test]),
        y[test],
        X_reference=model[:-1].transform(X[train]),
        name="fusion, fold 1",
    )


def echo_skipped(skipped, n_paths, echo):
    """Print the files that were left out and why."""
    if skipped:
        echo(f"Skipped {len(skipped)} of {n_paths} clips that could not be read:")
        for path, reason in sorted(skipped.items()):
            echo(f"  {path}: {reason}")
