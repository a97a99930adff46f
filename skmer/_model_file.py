"""The model files of ``skmer train``: a pipeline and what it was trained on.

A model file holds the fitted pipeline and a training record: the name,
content digest, speaker and label of every training clip, and a profile of
those clips (sample rates, durations, whether they have video).
``skmer evaluate`` uses the digests to recognise training
clips wherever they now lie, and ``skmer predict`` the profile to flag
inputs unlike the training data.

The settings that only say how to run (cache folder, workers, verbosity)
are cleared before saving, so that a model file carries no machine's paths,
and set again from the command line of each run.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import os
import tempfile

import numpy as np

# Version of the layout below; a newer one is refused with a clear message.
FORMAT = "skmer-model"
FORMAT_VERSION = 1


def clip_digest(path):
    """Return the BLAKE2b digest (hex, 128 bits) of a file's bytes."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clip_profile(paths):
    """Describe clips by their headers: sample rates, durations, video.

    Unreadable clips are passed over (they were skipped or reported when
    the features were extracted).
    """
    from skmer.exceptions import MediaError
    from skmer.io import media_info

    rates, durations, video = set(), [], []
    for path in paths:
        try:
            info = media_info(path)
        except (MediaError, OSError):
            continue
        if info.sample_rate:
            rates.add(int(info.sample_rate))
        duration = info.audio_duration or info.duration
        if duration:
            durations.append(float(duration))
        video.append(bool(info.has_video))
    return {
        "sample_rates": sorted(rates),
        "duration_range": [min(durations), max(durations)] if durations else None,
        "has_video": bool(video) and all(video),
    }


def training_record(data, keep, *, held_out=()):
    """Return the training record of the clips ``data.paths[keep]``."""
    paths = np.asarray(data.paths)[keep]
    target = np.asarray(data.target)[keep]
    groups = None if data.groups is None else np.asarray(data.groups)[keep]
    clips = [
        {
            "name": os.path.basename(str(path)),
            "digest": clip_digest(path),
            "speaker": None if groups is None else str(groups[k]),
            "label": str(target[k]),
        }
        for k, path in enumerate(paths)
    ]
    return {
        "dataset": str(getattr(data, "kind", "folder")),
        "n_clips": len(clips),
        "clips": clips,
        "held_out_speakers": [str(speaker) for speaker in held_out],
        **clip_profile(paths),
    }


def set_runtime(pipeline, *, n_jobs=None, cache_dir=None, verbose=0):
    """Set the ``n_jobs``, ``cache_dir`` and ``verbose`` of every step.

    With ``verbose`` positive, the extractors show progress bars and the
    classifier prints one line per epoch (Keras' ``verbose=2``). Returns
    the pipeline.
    """
    values = {"n_jobs": n_jobs, "cache_dir": cache_dir, "verbose": verbose}
    everything = pipeline.get_params()
    params = {}
    for name in everything:
        step, _, param = name.rpartition("__")
        # The extractors (and only they: a FeatureUnion's verbose prints
        # timings) know which of their parameters say how to run.
        if param in getattr(everything.get(step), "_runtime_params", ()):
            if param in values:
                params[name] = values[param]
    classifier = pipeline.steps[-1][0]
    if f"{classifier}__verbose" in everything:
        params[f"{classifier}__verbose"] = 2 if verbose else 0
    pipeline.set_params(**params)
    return pipeline


def save(path, pipeline, training):
    """Save ``pipeline`` and its training record to ``path``.

    The runtime settings are cleared first. The file is written next to
    ``path`` under a temporary name and renamed into place, so that a
    failed save leaves an earlier file at ``path`` as it was.
    """
    import joblib

    set_runtime(pipeline)
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "pipeline": pipeline,
        "training": training,
    }
    folder = os.path.dirname(os.path.abspath(path))
    handle, scratch = tempfile.mkstemp(prefix=".skmer-model-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            joblib.dump(payload, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(scratch, path)
    except BaseException:
        os.unlink(scratch)
        raise


def load(path):
    """Load a model file; return ``(pipeline, training)``.

    ``training`` is None for a file that holds a bare pipeline (saved by
    an earlier skmer, or by ``joblib.dump`` of a pipeline).
    """
    import joblib
    from sklearn.pipeline import Pipeline

    if not os.path.isfile(path):
        raise FileNotFoundError(f"Model file not found: {path!r}.")
    try:
        payload = joblib.load(path)
    except Exception as exc:
        raise ValueError(
            f"Cannot load a model from {path!r}: not a file saved by 'skmer "
            f"train' ({type(exc).__name__}: {exc})."
        ) from exc
    training = None
    if isinstance(payload, dict) and payload.get("format") == FORMAT:
        if payload.get("version", 0) > FORMAT_VERSION:
            raise ValueError(
                f"{path!r} is a skmer model file of format version "
                f"{payload['version']}, newer than this skmer reads "
                f"({FORMAT_VERSION}). Upgrade skmer."
            )
        payload, training = payload["pipeline"], payload.get("training")
    if not isinstance(payload, Pipeline) or "features" not in payload.named_steps:
        raise ValueError(
            f"{path!r} does not hold a model saved by 'skmer train' (a Pipeline "
            f"with a 'features' step); it holds a {type(payload).__name__}."
        )
    return payload, training
