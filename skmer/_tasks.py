"""What the ``skmer`` commands do: train, predict, evaluate and compare.

Each task takes plain values, prints through ``echo`` and returns what it
made, so the command line (``skmer.cli``) stays argument parsing and the
tasks can be tested and reused without it.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from skmer.exceptions import SkippedFilesWarning


def select_emotions(data, emotions):
    """Keep the clips of a loaded dataset whose label is one of ``emotions``.

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
    unknown = [emotion for emotion in emotions if emotion not in labels]
    if unknown:
        raise ValueError(
            f"No clip is labelled {', '.join(unknown)}; the labels of this "
            f"dataset are {', '.join(map(str, labels))}."
        )
    return _subset(data, np.isin(target, list(emotions)))


def _subset(data, keep):
    from sklearn.utils import Bunch

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
    from skmer.exceptions import MediaError
    from skmer.io import media_info

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
    _echo_skipped(skipped, len(paths), echo)
    return X[keep], keep


def train(
    data,
    *,
    modalities="auto",
    preset="recommended",
    epochs=None,
    on_error="raise",
    n_jobs=None,
    cache_dir=None,
    random_state=None,
    verbose=0,
    echo=print,
):
    """Fit the whole pipeline (paths to labels) on a loaded dataset.

    Returns
    -------
    pipeline : Pipeline
        The fitted pipeline of :func:`skmer.pipeline.make_emotion_pipeline`.
    """
    from skmer.pipeline import make_emotion_pipeline

    modalities = resolve_modalities(modalities, data.paths)
    params = {} if epochs is None else {"epochs": epochs}
    pipeline = make_emotion_pipeline(
        modalities,
        preset=preset,
        n_jobs=n_jobs,
        cache_dir=cache_dir,
        random_state=random_state,
        verbose=verbose,
        **params,
    )
    start = time.perf_counter()
    X, keep = extract(pipeline, data.paths, on_error=on_error, echo=echo)
    extracted = time.perf_counter() - start
    y = np.asarray(data.target)[keep]
    # Slicing a Pipeline shares its steps: this fits the classifier (and the
    # scaler) of ``pipeline`` itself, on the rows that were read.
    pipeline[-1:].fit(X, y)
    fitted = time.perf_counter() - start - extracted
    clf = pipeline[-1]
    history = clf.history_
    last = {
        key: history[key][-1]
        for key in ("accuracy", "val_accuracy")
        if key in history and history[key]
    }
    echo(
        f"Trained a {modalities} model ({preset} preset) on {len(y)} clips, "
        f"classes {', '.join(map(str, clf.classes_))}: "
        f"{len(history['loss'])} epochs, "
        + ", ".join(f"{key} {value:.3f}" for key, value in last.items())
        + f" (extraction {extracted:.1f} s, training {fitted:.1f} s)."
    )
    return pipeline


def predict(pipeline, paths):
    """Labels and class probabilities of clips; unreadable clips get an error.

    Returns
    -------
    predictions : DataFrame
        One row per path: ``path``, ``label`` (empty for an unreadable
        clip), one probability column per class and ``error``.
    """
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
    return frame


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
    skipped = {}
    pipeline.set_params(**dict.fromkeys(names, on_error))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SkippedFilesWarning)
            yield skipped
    finally:
        pipeline.set_params(**before)
    for warning in caught:
        if issubclass(warning.category, SkippedFilesWarning):
            skipped.update(warning.message.skipped)
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


def evaluate(pipeline, data, *, report_dir, echo=print):
    """Score a fitted pipeline on a dataset and write the full report.

    Returns
    -------
    metrics : dict
        What went to ``metrics.json``.
    """
    from skmer import _report_sections as sections
    from skmer._report import HTMLReport

    paths = np.asarray(data.paths)
    with _reading(pipeline, "skip") as skipped:
        X = pipeline[:-1].transform(paths)
    keep = np.isfinite(X).all(axis=1)
    _echo_skipped(skipped, len(paths), echo)
    clf = pipeline[-1]
    X, y = X[keep], np.asarray(data.target)[keep]
    unknown = sorted(set(y) - set(clf.classes_))
    if len(unknown) == len(set(y)):
        raise ValueError(
            f"None of the labels of the dataset ({', '.join(unknown)}) is a class "
            f"of the model ({', '.join(map(str, clf.classes_))})."
        )
    if unknown:
        echo(
            f"Labels the model does not know, counted as errors: {', '.join(unknown)}."
        )
    proba = clf.predict_proba(X)
    y_pred = clf.classes_[proba.argmax(axis=1)]
    report = HTMLReport(f"skmer evaluate: {len(y)} {data.kind} clips")
    report.add_text(
        f"The model ({clf.modalities} streams, classes "
        f"{', '.join(map(str, clf.classes_))}) on the clips of "
        f"{data.paths[0].rsplit('/', 1)[0]}. These are test figures only if "
        "the model never trained on these clips or their speakers."
    )
    sections.add_predictions(report, y, y_pred, y_proba=proba)
    boxes = _face_boxes(pipeline, paths[keep])
    sections.add_groups(report, y, y_pred, _frame(data, keep), detected=boxes)
    sections.add_model(report, clf, X, y)
    index = report.write(report_dir)
    echo(
        f"Accuracy {report.metrics['model']['accuracy']:.3f}, macro-F1 "
        f"{report.metrics['model']['f1_macro']:.3f} on {len(y)} clips. "
        f"Report: {index}"
    )
    return report.metrics


def compare(
    data,
    *,
    report_dir,
    preset="recommended",
    folds=5,
    epochs=None,
    n_jobs=None,
    cache_dir=None,
    random_state=0,
    verbose=0,
    echo=print,
):
    """Compare face-only, audio-only and fusion models and write the report.

    Speaker-independent folds when the dataset knows its speakers. The report
    also holds the fusion model's out-of-fold predictions broken down like
    ``evaluate``'s, and the model sections (curves, Grad-CAM, modality
    contribution) of a fusion model trained on the first fold's training
    part and shown on its test part.

    Returns
    -------
    result : Bunch
        What :func:`skmer.evaluation.compare_modalities` returned.
    """
    from sklearn.base import clone
    from sklearn.pipeline import Pipeline

    from skmer import _report_sections as sections
    from skmer._report import HTMLReport
    from skmer.evaluation import compare_modalities
    from skmer.neural_network import DualStreamClassifier
    from skmer.pipeline import make_block_scaler, make_feature_union

    data = drop_rare_classes(data, folds, echo=echo)
    paths = np.asarray(data.paths)
    if resolve_modalities("auto", paths) != "both":
        raise ValueError(
            "compare needs clips with both a face and a voice; these clips have "
            "no video. Use a speech benchmark for audio-only corpora."
        )
    params = {} if epochs is None else {"epochs": epochs}
    clf = DualStreamClassifier.from_preset(preset, random_state=random_state, **params)
    union = make_feature_union(
        n_frames=clf.n_frames, n_jobs=n_jobs, cache_dir=cache_dir, verbose=verbose
    )
    start = time.perf_counter()
    X = union.fit_transform(paths)
    echo(
        f"Extracted {X.shape[0]} x {X.shape[1]} features in "
        f"{time.perf_counter() - start:.1f} s."
    )
    audio = dict(union.transformer_list)["audio"]
    estimator = Pipeline(
        [
            ("scale", make_block_scaler(audio.n_mfcc * audio.n_frames)),
            ("classifier", clf),
        ]
    )
    y = np.asarray(data.target)
    if data.groups is None:
        echo(
            "The speakers of these clips are unknown (no speaker column): the "
            "folds are stratified but not speaker-independent, so the scores "
            "are optimistic."
        )
    votes = {"face_vote", "voice_vote", "multimodal_vote"}
    human = data.frame if votes <= set(data.frame.columns) else None
    start = time.perf_counter()
    result = compare_modalities(
        estimator,
        X,
        y,
        groups=data.groups,
        cv=folds,
        human_votes=human,
        random_state=random_state,
        verbose=verbose,
    )
    echo(
        f"Compared face, audio and fusion on {len(result.cv)} folds in "
        f"{time.perf_counter() - start:.0f} s:"
    )
    for line in sections.summary_lines(result):
        echo(line)

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
    everything = np.ones(len(y), dtype=bool)
    sections.add_groups(
        report,
        oof["y_true"].to_numpy(),
        oof["y_pred_fusion"].to_numpy(),
        _frame(data, everything),
        detected=dict(union.transformer_list)["face"].locate_faces(paths),
        name="fusion (out-of-fold)",
    )
    train, test = result.cv[0]
    model = clone(estimator).fit(X[train], y[train])
    sections.add_model(
        report,
        model[-1],
        model[:-1].transform(X[test]),
        y[test],
        X_reference=model[:-1].transform(X[train]),
        name="fusion, fold 1",
    )
    index = report.write(report_dir)
    echo(f"Report: {index}")
    return result


def _echo_skipped(skipped, n_paths, echo):
    if skipped:
        echo(f"Skipped {len(skipped)} of {n_paths} clips that could not be read:")
        for path, reason in sorted(skipped.items()):
            echo(f"  {path}: {reason}")
