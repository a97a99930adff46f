"""Synthetic face-and-voice clips: the embedded default data."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import colorsys
import contextlib
import json
import math
import numbers
import os
import re
from fractions import Fraction

import numpy as np

from skmer.datasets._base import _make_bunch, get_data_home
from skmer.datasets._crema_d import parse_crema_d_filename
from skmer.utils._files import temporary_path, write_bytes

# Bump when a change to the generator changes the pixels or samples it writes,
# so that clips cached by an older version are written again.
_GENERATOR_VERSION = 1
_SIDECAR = "skmer_synthetic.json"

# Actor ids start at 9001 so they never collide with CREMA-D's 1001-1091.
_FIRST_ACTOR = 9001
_MAX_ACTORS = 999
# CREMA-D's sentence codes, so the file names parse as CREMA-D names.
_SENTENCES = (
    "IEO",
    "TIE",
    "IOM",
    "IWW",
    "TAI",
    "MTI",
    "IWL",
    "ITH",
    "DFA",
    "ITS",
    "TSI",
    "WSI",
)
# Range of the expression strength of each intensity level: the fraction of
# an emotion's full offsets from neutral that a clip shows.
_LEVEL_STRENGTH = {"LO": (0.55, 0.7), "MD": (0.7, 0.85), "HI": (0.85, 1.0)}
_LEVELS = tuple(_LEVEL_STRENGTH)
_CLIP_NAME = re.compile(r"9\d{3}_[A-Z]{3}_[A-Z]{3}_[A-Z]{2}\.mp4")
# The sample rates the AAC encoder accepts.
_AAC_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)

# Facial expression of each emotion as offsets from a neutral face. Lengths
# are fractions of the face's half-width (x) or half-height (y); y grows down.
_FACE = {
    "NEU": {},
    "ANG": {
        # Inner brow ends pulled down and together, outer ends up: a frown.
        "brow_inner": 0.10,
        "brow_outer": -0.03,
        "brow_squeeze": 0.05,
        "eye_open": -0.30,
        "smile": -0.02,
        "mouth_width": -0.18,
        "lip": -0.45,  # lips pressed thin
        "jaw": -0.55,
        "redness": 0.30,
        "frown_lines": 1.0,
    },
    "HAP": {
        "brow_inner": -0.02,
        "brow_outer": -0.02,
        "eye_open": -0.22,
        "smile": 0.18,
        "mouth_width": 0.22,
        "jaw": 0.25,
        "cheeks": 1.0,
        "teeth": 1.0,
    },
    "SAD": {
        # Inner brow ends raised, mouth corners down.
        "brow_inner": -0.10,
        "brow_outer": 0.04,
        "brow_squeeze": 0.02,
        "eye_open": -0.18,
        "smile": -0.13,
        "mouth_width": -0.08,
        "jaw": -0.45,
        "pallor": 0.25,
        "head_down": 0.04,
    },
    "FEA": {
        "brow_inner": -0.10,
        "brow_outer": -0.07,
        "brow_squeeze": 0.03,
        "eye_open": 0.20,
        "smile": -0.04,
        "mouth_width": 0.12,
        "jaw": 0.45,
        "pallor": 0.20,
    },
    "DIS": {
        "brow_inner": 0.06,
        "brow_outer": 0.01,
        "brow_squeeze": 0.03,
        "eye_open": -0.25,
        "smile": -0.07,
        "mouth_width": -0.05,
        "lip_raise": 1.0,
        "asymmetry": 0.05,
        "nose_lines": 1.0,
    },
}
_EMOTIONS = tuple(sorted(_FACE))

# Prosody and voice quality of each emotion: pitch level, slope over the
# utterance, accent range and swing (a slow rise and fall) in semitones;
# syllables per second; peak level in dB; spectral tilt of the harmonics
# (larger is duller); breath noise relative to the voice; harshness (clipping
# of the source) and tremor.
_VOICE = {
    "NEU": {
        "pitch": 0.0,
        "slope": -2.0,
        "range": 1.5,
        "swing": 0.0,
        "rate": 4.0,
        "level": -10.0,
        "tilt": 1.45,
        "breath": 0.08,
        "harsh": 0.0,
        "tremor": 0.0,
    },
    "ANG": {
        "pitch": 3.5,
        "slope": -1.5,
        "range": 2.5,
        "swing": 0.0,
        "rate": 5.2,
        "level": -2.0,
        "tilt": 0.75,
        "breath": 0.03,
        "harsh": 1.0,
        "tremor": 0.0,
    },
    "HAP": {
        "pitch": 4.5,
        "slope": 2.5,
        "range": 4.5,
        "swing": 2.0,
        "rate": 4.6,
        "level": -7.0,
        "tilt": 1.2,
        "breath": 0.06,
        "harsh": 0.0,
        "tremor": 0.0,
    },
    "SAD": {
        "pitch": -2.0,
        "slope": -4.0,
        "range": 0.8,
        "swing": 0.0,
        "rate": 2.8,
        "level": -15.0,
        "tilt": 2.0,
        "breath": 0.12,
        "harsh": 0.0,
        "tremor": 0.0,
    },
    "FEA": {
        "pitch": 6.0,
        "slope": 1.0,
        "range": 2.0,
        "swing": 0.0,
        "rate": 5.0,
        "level": -8.0,
        "tilt": 1.35,
        "breath": 0.2,
        "harsh": 0.0,
        "tremor": 1.0,
    },
    "DIS": {
        "pitch": -1.0,
        "slope": -3.0,
        "range": 1.8,
        "swing": 0.0,
        "rate": 3.2,
        "level": -10.0,
        "tilt": 1.6,
        "breath": 0.12,
        "harsh": 0.3,
        "tremor": 0.0,
    },
}

# Formants F1 to F4 (Hz) of five vowels for an adult male vocal tract, with
# their bandwidths (Hz) and the boost (dB) each gives.
_VOWELS = np.array(
    [
        [730.0, 1090.0, 2440.0, 3400.0],
        [530.0, 1840.0, 2480.0, 3500.0],
        [270.0, 2290.0, 3010.0, 3700.0],
        [570.0, 840.0, 2410.0, 3400.0],
        [300.0, 870.0, 2240.0, 3300.0],
    ]
)
_BANDWIDTHS = np.array([80.0, 100.0, 140.0, 200.0])
_FORMANT_GAINS = np.array([18.0, 14.0, 10.0, 6.0])

# Skin tones from dark to light, hair, iris colours (RGB).
_SKIN_TONES = np.array(
    [[92, 60, 44], [141, 94, 68], [188, 140, 110], [226, 185, 155], [240, 205, 180]],
    dtype=float,
)
# No grey or white hair: hair lighter than the forehead makes the Haar
# cascade miss faces (measured: a third of the frames of such actors).
_HAIR = np.array(
    [[25, 20, 18], [60, 40, 25], [110, 75, 40], [105, 50, 30], [40, 30, 25]],
    dtype=float,
)
_IRISES = np.array(
    [[60, 40, 25], [90, 70, 40], [70, 90, 110], [40, 30, 20]], dtype=float
)

# Least difference of grey level between the skin and the background.
_MIN_CONTRAST = 45.0

# Shapes are drawn on a canvas this many times larger than the frame, then
# shrunk with area averaging: anti-aliasing for every shape at once.
_SUPERSAMPLE = 2
_SHIFT = 4  # fractional bits of the coordinates given to OpenCV's drawing


def make_synthetic_clips(
    out_dir: str | os.PathLike | None = None,
    *,
    n_actors: int = 8,
    n_clips_per_emotion: int = 2,
    emotions: tuple[str, ...] = ("ANG", "HAP", "SAD"),
    duration: float = 1.5,
    fps: int = 25,
    frame_size: tuple[int, int] = (240, 180),
    sr: int = 22050,
    random_state: int = 0,
):
    """Write small synthetic video clips of drawn faces speaking with emotion.

    Each clip is a real ``.mp4`` file (H.264 video, AAC audio) of a drawn face
    that speaks with a synthetic voice. The emotion shows in both: in the
    eyebrows, eyes, mouth and skin colour of the face, and in the pitch,
    rhythm, loudness and timbre of the voice. Actors differ in face shape,
    skin tone, hair, background, base pitch and vocal tract, so a model must
    generalise to unseen actors as it must on real recordings. The files are
    named like CREMA-D clips (``9001_IEO_ANG_HI.mp4``), with actor ids from
    9001, and the Bunch has the shape that :func:`load_crema_d` returns.

    Generation is deterministic given `random_state`, and clips already in
    `out_dir` from a call with the same parameters are reused, so a second
    call writes nothing. The data is synthetic: accuracy on it says nothing
    about accuracy on recordings of people.

    Parameters
    ----------
    out_dir : str or path-like, default=None
        The folder to write the clips to, created if needed. If None, the
        ``synthetic`` folder of :func:`get_data_home`.
    n_actors : int, default=8
        Number of actors, from 1 to 999. Their ids run from ``"9001"``.
    n_clips_per_emotion : int, default=2
        Clips per actor and emotion, from 1 to 12. Each says a different
        CREMA-D sentence code and has a random intensity level (``"LO"``,
        ``"MD"`` or ``"HI"``) that sets how strongly the emotion shows.
    emotions : tuple of str, default=("ANG", "HAP", "SAD")
        CREMA-D emotion codes to generate, among ``"ANG"`` (anger), ``"DIS"``
        (disgust), ``"FEA"`` (fear), ``"HAP"`` (happiness), ``"NEU"``
        (neutral) and ``"SAD"`` (sadness).
    duration : float, default=1.5
        Length of each clip in seconds, from 0.5 to 10.
    fps : int, default=25
        Video frame rate, from 5 to 60. Each clip has ``ceil(duration * fps)``
        frames, enough to show all the sound.
    frame_size : tuple of (int, int), default=(240, 180)
        Width and height of the video in pixels, even numbers from 64 to 1920.
    sr : int, default=22050
        Audio sample rate in Hz, one that the AAC encoder supports: 8000,
        11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000.
    random_state : int, default=0
        Seed of the generator, from 0 to 2**32 - 1. A clip depends only on
        the seed, its actor, emotion and clip number and the media
        parameters, so adding actors or emotions leaves the other clips as
        they were.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        paths : ndarray of shape (n_clips,)
            Absolute paths of the clips, as str, sorted.
        target : ndarray of shape (n_clips,)
            The emotion code of each clip, as str.
        groups : ndarray of shape (n_clips,)
            The actor id of each clip, as str. Pass it to
            :class:`~sklearn.model_selection.GroupKFold` to test on unseen
            actors.
        frame : DataFrame of shape (n_clips, 6)
            Columns ``path``, ``actor``, ``sentence``, ``emotion``,
            ``emotion_code`` (the same code here) and ``intensity``.
        target_names : ndarray of shape (n_emotions,)
            The emotion codes, sorted.
        DESCR : str
            Description of the synthetic data.

    See Also
    --------
    load_crema_d : Load a local copy of CREMA-D, whose Bunch this mimics.
    skmer.io.load_frames : Decode video frames from a clip.
    skmer.io.load_audio : Decode the audio track of a clip.

    Notes
    -----
    The faces are drawn so that OpenCV's default Haar frontal face cascade
    finds them in every sampled frame of the default set. The voice is a sum
    of harmonics of a moving pitch, split into syllables and shaped by vowel
    formants. The default 48 clips take about 5 seconds to write and about
    18 kB each.

    Each clip is encoded to a hidden temporary file in `out_dir` and then
    renamed, so an interrupted call never leaves a partial clip under a final
    name. The parameters are recorded in ``skmer_synthetic.json`` in
    `out_dir`; a call with other parameters writes the clips again and
    removes the clips of the earlier set that the new one does not have.

    Examples
    --------
    >>> import tempfile
    >>> from skmer.datasets import make_synthetic_clips
    >>> data = make_synthetic_clips(
    ...     tempfile.mkdtemp(), n_actors=1, n_clips_per_emotion=1
    ... )
    >>> data.target
    array(['ANG', 'HAP', 'SAD'], dtype='<U3')
    >>> data.groups
    array(['9001', '9001', '9001'], dtype='<U4')
    >>> list(data.frame.columns)
    ['path', 'actor', 'sentence', 'emotion', 'emotion_code', 'intensity']
    """
    params = _validate_params(
        n_actors=n_actors,
        n_clips_per_emotion=n_clips_per_emotion,
        emotions=emotions,
        duration=duration,
        fps=fps,
        frame_size=frame_size,
        sr=sr,
        random_state=random_state,
    )
    if out_dir is None:
        out_dir = os.path.join(get_data_home(), "synthetic")
    out_dir = os.path.abspath(os.path.expanduser(os.fspath(out_dir)))
    os.makedirs(out_dir, exist_ok=True)

    plan = _plan_clips(params)
    names = [clip["name"] for clip in plan]
    sidecar_path = os.path.join(out_dir, _SIDECAR)
    sidecar = _read_sidecar(sidecar_path)
    complete = sidecar is not None and sidecar["params"] == params
    if complete:
        todo = [c for c in plan if not os.path.isfile(os.path.join(out_dir, c["name"]))]
    else:
        # Drop the old record before touching any clip, so that an interrupted
        # run cannot pass a mix of old and new clips off as a finished set.
        with contextlib.suppress(FileNotFoundError):
            os.remove(sidecar_path)
        old_names = [] if sidecar is None else sidecar["files"]
        for name in set(old_names) - set(names):
            # Only clips that this generator wrote and recorded are removed.
            if isinstance(name, str) and _CLIP_NAME.fullmatch(name):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(out_dir, name))
        todo = plan

    for clip in todo:
        audio, mouth = _synthesize_voice(clip, params)
        frames = _render_video(clip, params, mouth)
        _write_clip(os.path.join(out_dir, clip["name"]), frames, audio, params)
    if not complete:
        record = {
            "generator": "skmer.datasets.make_synthetic_clips",
            "version": _GENERATOR_VERSION,
            "params": params,
            "files": names,
        }
        write_bytes(sidecar_path, (json.dumps(record, indent=2) + "\n").encode())
    return _bunch(out_dir, plan)


def _check_int(value, name, low, high):
    """Return `value` as an int, or raise if it is not one in [low, high]."""
    message = f"{name} must be an integer from {low} to {high}; got {value!r}."
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(message)
    if not low <= value <= high:
        raise ValueError(message)
    return int(value)


def _validate_params(
    *,
    n_actors,
    n_clips_per_emotion,
    emotions,
    duration,
    fps,
    frame_size,
    sr,
    random_state,
):
    """Check the arguments and return them as a dict that JSON can store."""
    n_actors = _check_int(n_actors, "n_actors", 1, _MAX_ACTORS)
    n_clips_per_emotion = _check_int(
        n_clips_per_emotion, "n_clips_per_emotion", 1, len(_SENTENCES)
    )
    if isinstance(emotions, str) or not hasattr(emotions, "__iter__"):
        raise TypeError(
            "emotions must be a sequence of emotion codes such as "
            f"('ANG', 'HAP', 'SAD'); got {emotions!r}."
        )
    emotions = tuple(emotions)
    if not emotions or any(code not in _FACE for code in emotions):
        raise ValueError(
            f"emotions must be a non-empty sequence of codes among "
            f"{', '.join(_EMOTIONS)}; got {emotions!r}."
        )
    if len(set(emotions)) != len(emotions):
        raise ValueError(f"emotions must not repeat a code; got {emotions!r}.")
    if isinstance(duration, bool) or not isinstance(duration, numbers.Real):
        raise TypeError(f"duration must be a number of seconds; got {duration!r}.")
    if not 0.5 <= duration <= 10.0:
        raise ValueError(f"duration must be from 0.5 to 10 seconds; got {duration!r}.")
    fps = _check_int(fps, "fps", 5, 60)
    if (
        isinstance(frame_size, str)
        or not hasattr(frame_size, "__len__")
        or len(frame_size) != 2
        or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool)
            for v in frame_size
        )
    ):
        raise TypeError(
            f"frame_size must be a pair of integers (width, height); "
            f"got {frame_size!r}."
        )
    width, height = (int(v) for v in frame_size)
    if not all(64 <= v <= 1920 and v % 2 == 0 for v in (width, height)):
        raise ValueError(
            "frame_size must hold an even width and height from 64 to 1920, as "
            f"the H.264 encoder needs even sizes; got {frame_size!r}."
        )
    sr = _check_int(sr, "sr", 8000, 48000)
    if sr not in _AAC_RATES:
        raise ValueError(
            "sr must be a sample rate that the AAC encoder supports, one of "
            f"{', '.join(map(str, _AAC_RATES))}; got {sr!r}."
        )
    random_state = _check_int(random_state, "random_state", 0, 2**32 - 1)
    return {
        "n_actors": n_actors,
        "n_clips_per_emotion": n_clips_per_emotion,
        "emotions": sorted(emotions),
        "duration": float(duration),
        "fps": fps,
        "frame_size": [width, height],
        "sr": sr,
        "random_state": random_state,
    }


def _plan_clips(params):
    """List the clips to make, with the random draws that define each one."""
    seed = params["random_state"]
    plan = []
    for a in range(params["n_actors"]):
        actor = _draw_actor(np.random.default_rng([seed, a]), _FIRST_ACTOR + a)
        for emotion in params["emotions"]:
            # Seeding each clip by (actor, emotion, clip number) keeps it the
            # same whatever else is generated alongside it.
            code = int.from_bytes(emotion.encode(), "big")
            for k in range(params["n_clips_per_emotion"]):
                rng = np.random.default_rng([seed, a, code, k])
                level = _LEVELS[rng.integers(len(_LEVELS))]
                strength = rng.uniform(*_LEVEL_STRENGTH[level]) * actor["expressivity"]
                plan.append(
                    {
                        "name": f"{actor['id']}_{_SENTENCES[k]}_{emotion}_{level}.mp4",
                        "actor": actor,
                        "emotion": emotion,
                        "strength": strength,
                        "seed": [seed, a, code, k],
                    }
                )
    return plan


def _draw_actor(rng, actor_id):
    """Draw the fixed traits of one actor: look and voice."""
    t = rng.uniform(0, len(_SKIN_TONES) - 1)
    i = min(int(t), len(_SKIN_TONES) - 2)
    skin = _SKIN_TONES[i] + (t - i) * (_SKIN_TONES[i + 1] - _SKIN_TONES[i])
    hair = _HAIR[rng.integers(len(_HAIR))]
    background = 255.0 * np.array(
        colorsys.hsv_to_rgb(
            rng.uniform(0, 1), rng.uniform(0.2, 0.7), rng.uniform(0.45, 0.85)
        )
    )
    # A face as bright as its background loses its outline in grey levels,
    # and the Haar cascade misses it: keep them apart by brightening the
    # background behind dark faces and darkening it behind light ones.
    gap = _luma(background) - _luma(skin)
    if abs(gap) < _MIN_CONTRAST:
        target = _luma(skin) + (_MIN_CONTRAST if _luma(skin) < 128 else -_MIN_CONTRAST)
        background = np.clip(background * target / _luma(background), 0, 255)
    shirt = colorsys.hsv_to_rgb(
        rng.uniform(0, 1), rng.uniform(0.1, 0.6), rng.uniform(0.15, 0.6)
    )
    iris = _IRISES[rng.integers(len(_IRISES))]
    f0 = float(np.exp(rng.uniform(np.log(90.0), np.log(250.0))))
    return {
        "id": str(actor_id),
        "skin": skin,
        "hair": hair,
        "background": background,
        "shirt": 255.0 * np.array(shirt),
        "iris": iris,
        "face_size": rng.uniform(0.92, 1.08),
        "aspect": rng.uniform(0.74, 0.82),
        "eye_spacing": rng.uniform(0.35, 0.41),
        "eye_size": rng.uniform(0.92, 1.08),
        "mouth_size": rng.uniform(0.92, 1.08),
        "brow_height": rng.uniform(-0.02, 0.02),
        "brow_thickness": rng.uniform(0.8, 1.25),
        "fringe": rng.uniform(0.0, 1.0),
        # Resting expression: some faces look a little stern or glum at rest.
        "rest_brow": rng.normal(0.0, 0.015),
        "rest_smile": rng.normal(0.0, 0.015),
        "offset": rng.uniform(-0.05, 0.05, size=2),
        "light": rng.uniform(-0.12, 0.12),
        "expressivity": rng.uniform(0.85, 1.15),
        "f0": f0,
        # Lower voices go with longer vocal tracts (lower formants), loosely.
        "tract": float(
            np.clip((f0 / 120.0) ** 0.3 * rng.uniform(0.93, 1.07), 0.9, 1.35)
        ),
        "rate": rng.uniform(0.85, 1.15),
        "tilt": rng.normal(0.0, 0.12),
        "level": rng.normal(0.0, 2.0),
    }


def _luma(rgb):
    """Grey level of an RGB colour, with the weights of cv2.COLOR_RGB2GRAY."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _synthesize_voice(clip, params):
    """Return the clip's audio and the mouth opening of each video frame.

    Returns
    -------
    audio : ndarray of shape (round(duration * sr),), dtype=float32
        The voice, in [-1, 1].
    mouth : ndarray of shape (ceil(duration * fps),)
        How far the mouth opens in each frame, from 0 to 1: the loudness
        envelope of the syllables.
    """
    rng = np.random.default_rng(clip["seed"] + [0])
    actor, strength = clip["actor"], clip["strength"]
    sr, duration, fps = params["sr"], params["duration"], params["fps"]
    n = int(round(duration * sr))
    time = np.arange(n) / sr
    # The emotion's prosody, blended with neutral's by the clip's strength.
    neutral, emotion = _VOICE["NEU"], _VOICE[clip["emotion"]]
    v = {
        key: neutral[key] + strength * (emotion[key] - neutral[key]) for key in neutral
    }
    # The steps draw from `rng` in this order; changing it changes every clip.
    syllables = _syllables(rng, v["rate"] * actor["rate"], duration, sr, n)
    envelope, f0 = _intonation(rng, syllables, v, actor["f0"], time, duration)
    excitation = _excitation(rng, envelope, f0, v, actor["tilt"], sr)
    speech = _articulate(excitation, syllables, actor["tract"], sr)
    level = v["level"] + actor["level"] + rng.normal(0.0, 2.0)
    speech *= 10.0 ** (level / 20.0) / np.abs(speech).max()
    floor = 10.0 ** (rng.uniform(-66.0, -54.0) / 20.0)
    audio = np.clip(speech + floor * rng.normal(0.0, 1.0, n), -0.99, 0.99)

    # Rounding first keeps float error from adding a frame (1.2 * 25 is
    # 30.000000000000004).
    n_frames = math.ceil(round(duration * fps, 6))
    frame_times = (np.arange(n_frames) + 0.5) / fps
    mouth = np.interp(frame_times, time, envelope)
    return audio.astype(np.float32), mouth


def _syllables(rng, rate, duration, sr, n):
    """Lay out the syllables, between a lead-in and a tail of silence.

    Returns a list of (start, end, stress, vowel): sample indices of the
    voiced part, its loudness from 0.55 to 1 and an index into ``_VOWELS``.
    """
    rate = rate * rng.uniform(0.85, 1.15)
    t = rng.uniform(0.06, 0.16)
    stop = duration - rng.uniform(0.06, 0.16)
    syllables = []
    while t < stop - 0.08:
        length = min(rng.uniform(0.7, 1.3) / rate, stop - t)
        voiced = length * rng.uniform(0.6, 0.85)
        start, end = int(t * sr), min(int((t + voiced) * sr), n)
        syllables.append(
            (start, end, rng.uniform(0.55, 1.0), rng.integers(len(_VOWELS)))
        )
        t += length
    return syllables


def _intonation(rng, syllables, v, base_f0, time, duration):
    """Return the loudness envelope and the pitch (Hz) of every sample."""
    n = time.size
    envelope = np.zeros(n)
    semitones = np.zeros(n)
    for start, end, stress, _ in syllables:
        u = np.linspace(0.0, 1.0, end - start)
        attack = np.sin(0.5 * np.pi * np.minimum(u / 0.2, 1.0))
        decay = np.sin(0.5 * np.pi * np.minimum((1.0 - u) / 0.35, 1.0))
        envelope[start:end] = stress * attack * decay
        # A pitch accent on each syllable: a rise and fall of random size.
        semitones[start:end] += v["range"] * rng.uniform(-0.3, 1.0) * np.sin(np.pi * u)
    semitones += v["pitch"] + v["slope"] * (time / duration - 0.5)
    swing_rate, swing_phase = rng.uniform(1.0, 2.0), rng.uniform(0.0, 2.0 * np.pi)
    semitones += v["swing"] * np.sin(2.0 * np.pi * swing_rate * time + swing_phase)
    semitones += 0.6 * v["tremor"] * np.sin(2.0 * np.pi * 6.0 * time)
    # A slow random wander of the pitch, interpolated so that it never clicks.
    wander = np.cumsum(rng.normal(0.0, 1.0, n // 256 + 2))
    wander = np.interp(np.arange(n), 256 * np.arange(wander.size), wander)
    semitones += 0.15 * (wander - wander.mean())
    return envelope, base_f0 * 2.0 ** (semitones / 12.0)


def _excitation(rng, envelope, f0, v, actor_tilt, sr):
    """Return the glottal source plus breath noise, shaped by the envelope."""
    from scipy.signal import lfilter

    n = envelope.size
    # Harmonic source with a spectral tilt: a steep tilt sounds soft and
    # dull, a shallow one bright and harsh.
    tilt = v["tilt"] + actor_tilt + rng.normal(0.0, 0.08)
    voiced = envelope > 0
    source = np.zeros(n)
    source[voiced] = _harmonics(
        (2.0 * np.pi / sr) * np.cumsum(f0)[voiced], f0[voiced], tilt, sr
    )
    if v["harsh"] > 0:
        drive = 1.0 + 3.0 * v["harsh"]
        source = np.tanh(drive * source) / np.tanh(drive)
    # Breath noise, scaled to the voice and low-passed by one pole near 2 kHz
    # so that a breathy voice still sounds dull.
    breath = lfilter([0.45], [1.0, -0.55], rng.normal(0.0, 1.0, n))
    breath *= v["breath"] * np.sqrt(np.mean(source[voiced] ** 2)) / breath.std()
    return (source + breath) * envelope


def _harmonics(phase, f0, tilt, sr):
    """Sum the harmonics of ``f0`` with weights ``k ** -tilt``, peak 1."""
    nyquist = 0.45 * sr
    harmonics = np.zeros(phase.size)
    # sin(k x) from the recurrence sin((k + 1) x) = 2 cos(x) sin(k x) -
    # sin((k - 1) x): several times faster than a sin call per harmonic.
    previous, current = np.zeros(phase.size), np.sin(phase)
    two_cos = 2.0 * np.cos(phase)
    n_below = int((nyquist - 500.0) / f0.max())
    for k in range(1, int(min(80, nyquist / f0.min())) + 1):
        weight = k ** (-tilt)
        if k > n_below:
            # Fade harmonics out on their way to the Nyquist frequency.
            weight = weight * np.clip((nyquist - k * f0) / 500.0, 0.0, 1.0)
        harmonics += weight * current
        previous, current = current, two_cos * current - previous
    return harmonics / np.abs(harmonics).max()


def _articulate(excitation, syllables, tract, sr):
    """Pass each syllable through its vowel's formants.

    Peaking filters raise the formants and leave the rest of the spectrum
    alone, so the source's tilt still sets how bright the voice sounds.
    """
    from scipy.signal import lfilter

    nyquist = 0.45 * sr
    speech = np.zeros(excitation.size)
    for start, end, _, vowel in syllables:
        segment = excitation[start:end]
        formants = _VOWELS[vowel] * tract
        for formant, bandwidth, gain in zip(
            formants, _BANDWIDTHS, _FORMANT_GAINS, strict=True
        ):
            if formant < nyquist:
                b, a = _peaking_filter(formant, bandwidth, gain, sr)
                segment = lfilter(b, a, segment)
        speech[start:end] = segment
    return speech


def _peaking_filter(frequency, bandwidth, gain, sr):
    """Return the coefficients (b, a) of a biquad boosting ``gain`` dB.

    The peaking equaliser of Robert Bristow-Johnson's Audio EQ Cookbook.
    """
    amplitude = 10.0 ** (gain / 40.0)
    w0 = 2.0 * np.pi * frequency / sr
    alpha = np.sin(w0) * bandwidth / (2.0 * frequency)
    cos_w0 = np.cos(w0)
    b = np.array([1.0 + alpha * amplitude, -2.0 * cos_w0, 1.0 - alpha * amplitude])
    a = np.array([1.0 + alpha / amplitude, -2.0 * cos_w0, 1.0 - alpha / amplitude])
    return b / a[0], a / a[0]


def _colour(rgb):
    """Clip an RGB triple to [0, 255] as the tuple of floats OpenCV wants."""
    return tuple(min(max(float(c), 0.0), 255.0) for c in rgb)


class _Painter:
    """Anti-aliased drawing in frame coordinates on a supersampled canvas."""

    def __init__(self, cv2, scale):
        self._cv2 = cv2
        self._scale = scale
        self._k = scale * (1 << _SHIFT)
        self.canvas = None

    def _points(self, x, y):
        points = np.column_stack([x, y]) * self._k + 0.5
        return [points.astype(np.int32)]

    def _width(self, thickness):
        return max(int(round(thickness * self._scale)), 1)

    def ellipse(self, x, y, w, h, colour, *, start=0, end=360, thickness=None):
        k = self._k
        self._cv2.ellipse(
            self.canvas,
            (int(x * k + 0.5), int(y * k + 0.5)),
            (max(int(w * k + 0.5), 1), max(int(h * k + 0.5), 1)),
            0.0,
            start,
            end,
            colour,
            -1 if thickness is None else self._width(thickness),
            self._cv2.LINE_AA,
            _SHIFT,
        )

    def polyline(self, x, y, colour, thickness):
        self._cv2.polylines(
            self.canvas,
            self._points(x, y),
            False,
            colour,
            self._width(thickness),
            self._cv2.LINE_AA,
            _SHIFT,
        )

    def polygon(self, x, y, colour):
        self._cv2.fillPoly(
            self.canvas, self._points(x, y), colour, self._cv2.LINE_AA, _SHIFT
        )


def _render_video(clip, params, mouth):
    """Yield the clip's frames, uint8 RGB arrays of shape (height, width, 3)."""
    import cv2

    rng = np.random.default_rng(clip["seed"] + [1])
    noise_rng = np.random.default_rng(clip["seed"] + [2])
    actor = clip["actor"]
    width, height = params["frame_size"]
    fps = params["fps"]
    face = {
        key: clip["strength"] * value for key, value in _FACE[clip["emotion"]].items()
    }

    # The background: the actor's colour with a soft vertical gradient.
    tall, wide = _SUPERSAMPLE * height, _SUPERSAMPLE * width
    gradient = 1.0 + 0.15 * (0.5 - np.arange(tall) / tall)
    background = actor["background"] * gradient[:, None, None]
    background = np.repeat(np.clip(background, 0, 255), wide, axis=1).astype(np.uint8)
    # A light from one side, on the face and background alike, as a gain in
    # steps of 1/128 for cv2.multiply.
    light = 128.0 * (1.0 + actor["light"] * np.linspace(-1.0, 1.0, width))
    light = np.round(light).astype(np.uint8)[None, :, None]
    light = np.ascontiguousarray(np.broadcast_to(light, (height, width, 3)))

    # The face's size, place and colours for the whole clip.
    # The face scales with the height, or with the width in a frame narrower
    # than 4:3.
    unit = min(height, 4 * width // 3)
    b = 0.27 * unit * actor["face_size"] * rng.uniform(0.97, 1.03)
    look = {"a": b * actor["aspect"], "b": b, "actor": actor, "face": face}
    look["palette"] = _palette(actor, face)
    cx0 = width * (0.5 + actor["offset"][0]) + rng.normal(0.0, 0.01 * width)
    cy0 = height * (0.47 + actor["offset"][1] + face.get("head_down", 0.0))
    cy0 += rng.normal(0.0, 0.01 * height)
    bob_rate, bob_phase = rng.uniform(0.4, 1.0), rng.uniform(0.0, 2.0 * np.pi)
    # Blinks of three frames, starting at random.
    n_frames = mouth.size
    eye_open = np.ones(n_frames)
    for i in np.flatnonzero(rng.random(n_frames) < 0.35 / fps):
        for j, closed in enumerate((0.5, 0.1, 0.5)):
            if i + j < n_frames:
                eye_open[i + j] = min(eye_open[i + j], closed)

    painter = _Painter(cv2, _SUPERSAMPLE)
    for i in range(n_frames):
        # A small bob and sway of the head.
        angle = 2.0 * np.pi * bob_rate * i / fps + bob_phase
        cx = cx0 + 0.012 * width * np.sin(0.3 * angle)
        cy = cy0 + 0.012 * height * np.sin(angle)
        painter.canvas = background.copy()
        _draw_face(painter, look, cx, cy, eye_open=eye_open[i], mouth_open=mouth[i])
        frame = cv2.resize(
            painter.canvas, (width, height), interpolation=cv2.INTER_AREA
        )
        # A slight blur and sensor noise, as a real camera gives.
        frame = cv2.GaussianBlur(frame, (0, 0), 0.7)
        frame = cv2.multiply(frame, light, scale=1 / 128)
        # Bell-shaped noise with a standard deviation of 2.2 grey levels: two
        # 2-bit uniform draws added and two subtracted. Random bytes are much
        # faster to draw than normal floats.
        bits = noise_rng.bytes(frame.size)
        bits = np.frombuffer(bits, dtype=np.uint8).reshape(frame.shape)
        frame = cv2.add(frame, (bits & 3) + ((bits >> 2) & 3))
        yield cv2.subtract(frame, ((bits >> 4) & 3) + (bits >> 6))


def _palette(actor, face):
    """Return the colours of one clip's face, as OpenCV colour tuples."""
    skin = actor["skin"]
    # Anger flushes the skin; sadness and fear pale it.
    skin = skin + 0.35 * face.get("redness", 0.0) * (np.array([210, 70, 60]) - skin)
    skin = skin + 0.25 * face.get("pallor", 0.0) * (np.array([200, 200, 205]) - skin)
    cheeks = face.get("cheeks", 0.0)
    return {
        "shirt": _colour(actor["shirt"]),
        "hair": _colour(actor["hair"]),
        # Fair hair still goes with brows darker than the skin.
        "brows": _colour(np.minimum(0.8 * actor["hair"], 0.5 * skin)),
        "iris": _colour(actor["iris"]),
        "neck": _colour(0.72 * skin),
        "ears": _colour(0.82 * skin),
        # From the face's dark rim to its lit centre.
        "rings": [_colour((0.8 + 0.22 * f) * skin) for f in np.linspace(0, 1, 7)],
        # The eye sockets are the dark band across the eyes that the Haar
        # cascade keys on. White eyes on dark skin would break the band, so
        # the whites blend into the skin.
        "sockets": _colour(0.62 * skin),
        "whites": _colour(skin + 0.5 * (np.array([235, 232, 225]) - skin)),
        "bridge": _colour(1.06 * skin),
        "cheeks": _colour((1.0 + 0.08 * cheeks) * skin + [25.0 * cheeks, 0.0, 0.0]),
        "nose_side": _colour(0.78 * skin),
        "nostrils": _colour(0.45 * skin),
        "nose_tip": _colour(1.08 * skin),
        "creases": _colour(0.68 * skin),
        "lids": _colour(0.55 * skin),
        "lips": _colour(skin * np.array([0.78, 0.55, 0.55])),
        "pupil": (10.0, 8.0, 8.0),
        "lashes": (30.0, 22.0, 20.0),
        "mouth": (45.0, 20.0, 20.0),
        "lip_line": (50.0, 20.0, 20.0),
        "teeth": (225.0, 220.0, 210.0),
    }


def _draw_face(painter, look, cx, cy, *, eye_open, mouth_open):
    """Draw a head and shoulders centred on (cx, cy) on the painter's canvas.

    The parts are drawn back to front, each over the ones before it.
    """
    eye_y = cy - 0.1 * look["b"]
    _draw_head(painter, look, cx, cy)
    _draw_nose(painter, look, cx, cy, eye_y)
    _draw_eyes(painter, look, cx, eye_y, eye_open)
    _draw_brows(painter, look, cx, eye_y)
    _draw_mouth(painter, look, cx, cy, mouth_open)


def _draw_head(painter, look, cx, cy):
    """Draw shoulders, neck, hair, ears, the shaded face and eye sockets."""
    a, b = look["a"], look["b"]  # half-width and half-height of the face
    actor, colours = look["actor"], look["palette"]
    ellipse, polygon = painter.ellipse, painter.polygon

    # Shoulders, neck, hair behind the head, ears.
    ellipse(cx, cy + 2.05 * b, 2.1 * a, 0.9 * b, colours["shirt"])
    polygon(
        cx + np.array([-0.42, 0.42, 0.48, -0.48]) * a,
        cy + np.array([0.6, 0.6, 1.3, 1.3]) * b,
        colours["neck"],
    )
    ellipse(cx, cy - 0.12 * b, 1.1 * a, 1.0 * b, colours["hair"])
    for side in (-1, 1):
        ellipse(
            cx + side * 0.97 * a, cy - 0.02 * b, 0.16 * a, 0.22 * b, colours["ears"]
        )
    # The face: shrinking ellipses from a darker rim to a lighter centre, the
    # rounded shading of a lit face.
    for f, colour in zip(np.linspace(0, 1, 7), colours["rings"], strict=True):
        ellipse(cx, cy - 0.04 * b * f, a * (1 - 0.45 * f), b * (1 - 0.4 * f), colour)
    # The fringe over the forehead.
    fringe_y = cy - (0.62 + 0.1 * actor["fringe"]) * b
    ellipse(cx, fringe_y, 1.02 * a, 0.42 * b, colours["hair"], start=180, end=360)
    ellipse(
        cx, fringe_y, 1.02 * a, 0.12 * b * actor["fringe"], colours["hair"], end=180
    )
    eye_y = cy - 0.1 * b
    eye_w = 0.19 * a * actor["eye_size"]
    for side in (-1, 1):
        x = cx + side * actor["eye_spacing"] * a
        ellipse(x, eye_y - 0.02 * b, 1.45 * eye_w, 0.16 * b, colours["sockets"])


def _draw_nose(painter, look, cx, cy, eye_y):
    """Draw the nose, its light bridge, the cheeks and disgust's wrinkles."""
    a, b = look["a"], look["b"]
    face, colours = look["face"], look["palette"]
    ellipse, polyline = painter.ellipse, painter.polyline

    ellipse(cx, eye_y + 0.08 * b, 0.1 * a, 0.22 * b, colours["bridge"])
    cheeks = face.get("cheeks", 0.0)
    for side in (-1, 1):
        x, y = cx + side * 0.45 * a, cy + (0.22 - 0.07 * cheeks) * b
        ellipse(x, y, 0.2 * a, 0.12 * b, colours["cheeks"])
    nose_y = cy + 0.2 * b
    for side in (-1, 1):
        polyline(
            cx + side * np.array([0.06, 0.12]) * a,
            np.array([eye_y + 0.1 * b, nose_y]),
            colours["nose_side"],
            0.024 * b,
        )
        x = cx + side * 0.08 * a
        ellipse(x, nose_y + 0.02 * b, 0.05 * a, 0.03 * b, colours["nostrils"])
    ellipse(cx, nose_y - 0.01 * b, 0.08 * a, 0.05 * b, colours["nose_tip"])
    if face.get("nose_lines", 0.0) > 0:
        # Disgust wrinkles the nose.
        for y in eye_y + np.array([0.06, 0.11]) * b:
            polyline(
                cx + np.array([-0.07, 0.0, 0.07]) * a,
                y + np.array([0.0, -0.02, 0.0]) * b,
                colours["creases"],
                0.024 * b,
            )


def _draw_eyes(painter, look, cx, eye_y, eye_open):
    """Draw the eyes: white, iris and pupil, between the lids."""
    a, b = look["a"], look["b"]
    actor, face, colours = look["actor"], look["face"], look["palette"]
    ellipse = painter.ellipse

    eye_w = 0.19 * a * actor["eye_size"]
    eye_h = 0.085 * b * actor["eye_size"] * (1.0 + face.get("eye_open", 0.0))
    lid = max(eye_h * eye_open, 0.08 * eye_h)
    iris = min(0.5 * eye_w, lid)
    for side in (-1, 1):
        x = cx + side * actor["eye_spacing"] * a
        ellipse(x, eye_y, eye_w, lid, colours["whites"])
        ellipse(x, eye_y, iris, iris, colours["iris"])
        ellipse(x, eye_y, 0.5 * iris, 0.5 * iris, colours["pupil"])
        # The upper lid with its lashes, and the lower lid.
        lashes, lids = colours["lashes"], colours["lids"]
        ellipse(x, eye_y, eye_w, lid, lashes, start=180, end=360, thickness=0.018 * b)
        ellipse(x, eye_y, eye_w, lid, lids, start=0, end=180, thickness=0.008 * b)


def _draw_brows(painter, look, cx, eye_y):
    """Draw the brows, whose ends move with the emotion, and anger's creases."""
    a, b = look["a"], look["b"]
    actor, face, colours = look["actor"], look["face"], look["palette"]
    polyline = painter.polyline

    brow_y = eye_y - 0.2 * b + actor["brow_height"] * b
    squeeze = face.get("brow_squeeze", 0.0)
    inner = face.get("brow_inner", 0.0) + actor["rest_brow"]
    outer = face.get("brow_outer", 0.0)
    for side in (-1, 1):
        polyline(
            cx + side * np.array([0.13 - squeeze, 0.36, 0.6]) * a,
            brow_y + np.array([inner, 0.5 * (inner + outer) - 0.05, outer + 0.03]) * b,
            colours["brows"],
            0.065 * b * actor["brow_thickness"],
        )
    if face.get("frown_lines", 0.0) > 0:
        # Anger creases the skin between the brows.
        for side in (-1, 1):
            polyline(
                cx + side * np.array([0.04, 0.05]) * a,
                brow_y + np.array([-0.02, 0.1]) * b,
                colours["creases"],
                0.024 * b,
            )


def _draw_mouth(painter, look, cx, cy, mouth_open):
    """Draw the mouth: lips around a smile's curve, open with the voice."""
    a, b = look["a"], look["b"]
    actor, face, colours = look["actor"], look["face"], look["palette"]
    polyline, polygon = painter.polyline, painter.polygon

    u = np.linspace(-1.0, 1.0, 21)
    half_width = 0.38 * a * actor["mouth_size"] * (1.0 + face.get("mouth_width", 0.0))
    x = cx + half_width * u
    smile = (face.get("smile", 0.0) + actor["rest_smile"]) * b
    centre = cy + 0.5 * b - smile * u**2 - face.get("asymmetry", 0.0) * b * u
    bulge = 1.0 - u**2
    lip = 0.045 * b * (1.0 + face.get("lip", 0.0)) * np.sqrt(bulge)
    opening = 0.14 * b * mouth_open * max(1.0 + face.get("jaw", 0.0), 0.1) * bulge
    inner_top = centre - 0.35 * opening - 0.03 * b * face.get("lip_raise", 0.0) * bulge
    inner_bottom = centre + 0.65 * opening
    outer_top = inner_top - lip - 0.01 * b
    outer_bottom = inner_bottom + 1.3 * lip + 0.01 * b
    polygon(np.r_[x, x[::-1]], np.r_[outer_top, outer_bottom[::-1]], colours["lips"])
    polygon(np.r_[x, x[::-1]], np.r_[inner_top, inner_bottom[::-1]], colours["mouth"])
    if face.get("teeth", 0.0) > 0 and opening.max() > 0.02 * b:
        teeth = inner_top + 0.4 * (inner_bottom - inner_top)
        middle = slice(3, -3)
        polygon(
            np.r_[x[middle], x[middle][::-1]],
            np.r_[inner_top[middle], teeth[middle][::-1]],
            colours["teeth"],
        )
    polyline(x, centre, colours["lip_line"], 0.03 * b)


def _write_clip(path, frames, audio, params):
    """Encode a clip to a temporary file, then rename it to `path`.

    The rename is atomic, so an interrupted run never leaves a partial clip
    under a final name.
    """
    tmp = temporary_path(path)
    try:
        _encode(tmp, frames, audio, params)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def _encode(path, frames, audio, params):
    """Write H.264 video and AAC audio into one MP4 file with PyAV."""
    import av

    width, height = params["frame_size"]
    fps, sr = params["fps"], params["sr"]
    with av.open(path, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p"
        # One thread, because x264's output depends on its thread count. No
        # macroblock tree: with it, x264 wrote different files from the same
        # frames in about one run in three (measured with x264 in PyAV 18).
        video.options = {
            "crf": "26",
            "preset": "veryfast",
            "threads": "1",
            "x264-params": "mbtree=0",
        }
        sound = container.add_stream("aac", rate=sr, layout="mono")
        sound.bit_rate = 48000
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode())
        frame = av.AudioFrame.from_ndarray(audio[None], format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = sr, 0, Fraction(1, sr)
        container.mux(sound.encode(frame))
        container.mux(sound.encode())


def _read_sidecar(path):
    """Return the record of an earlier call, or None if there is none."""
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("version") != _GENERATOR_VERSION
        or not isinstance(record.get("params"), dict)
        or not isinstance(record.get("files"), list)
    ):
        return None
    return record


def _bunch(out_dir, plan):
    """Assemble the Bunch that load_crema_d would return for these clips."""
    import pandas as pd

    records = [
        {
            "path": os.path.join(out_dir, clip["name"]),
            **parse_crema_d_filename(clip["name"]),
        }
        for clip in plan
    ]
    frame = pd.DataFrame.from_records(records)
    frame.insert(frame.columns.get_loc("emotion") + 1, "emotion_code", frame["emotion"])
    return _make_bunch(frame, descr="synthetic")
