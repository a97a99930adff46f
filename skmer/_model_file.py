"""The model files of ``skmer train``: a pipeline and what it was trained on.

A model file (in skmer's safe format, see :mod:`skmer._serialization`)
holds the fitted pipeline and a training record: the name,
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

import os

import numpy as np

from skmer.utils._files import file_digest


def clip_digest(path):
    """Return the BLAKE2b digest (hex, 128 bits) of a file's bytes."""
    return file_digest(path, digest_size=16).hex()


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


def set_runtime(pipeline, *, n_jobs=None, cache_dir=None, cache_key="stat", verbose=0):
    """Set the ``n_jobs``, ``cache_dir``, ``cache_key`` and ``verbose`` of every step.

    With ``verbose`` positive, the extractors show progress bars and the
    classifier prints one line per epoch (Keras' ``verbose=2``). Returns
    the pipeline.
    """
    values = {
        "n_jobs": n_jobs,
        "cache_dir": cache_dir,
        "cache_key": cache_key,
        "verbose": verbose,
    }
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

    The runtime settings are cleared first. The file is in skmer's safe
    format (see :func:`skmer.save_model`), written under a temporary name
    and renamed into place, so a failed save leaves an earlier file at
    ``path`` as it was.
    """
    from skmer._serialization import _save

    set_runtime(pipeline)
    _save(path, pipeline, extra={"training": training})


def load(path, *, trust_pickle=False):
    """Load a model file; return ``(pipeline, training)``.

    ``training`` is None for a file without a training record (saved with
    :func:`skmer.save_model`, or a pickled pipeline). Pickles load only
    with ``trust_pickle=True``.
    """
    from sklearn.pipeline import Pipeline

    from skmer._serialization import _load

    payload, manifest = _load(path, trusted=None, trust_pickle=trust_pickle)
    training = None if manifest is None else manifest.get("training")
    if (
        manifest is None
        and isinstance(payload, dict)
        and payload.get("format") == "skmer-model"
    ):
        # The pickled layout of skmer 0.1.0.dev0's first model files.
        payload, training = payload.get("pipeline"), payload.get("training")
    if not isinstance(payload, Pipeline) or "features" not in payload.named_steps:
        raise ValueError(
            f"{path!r} does not hold a model saved by 'skmer train' (a Pipeline "
            f"with a 'features' step); it holds a {type(payload).__name__}."
        )
    return payload, training
