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
    if skipped:
        echo(f"Skipped {len(skipped)} of {len(paths)} clips that could not be read:")
        for path, reason in sorted(skipped.items()):
            echo(f"  {path}: {reason}")
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
