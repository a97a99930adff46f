"""RAVDESS: filename parser and loader for a local copy of the release."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import re

from sklearn.utils import Bunch

from skmer.datasets._base import (
    _check_choice,
    _check_filter,
    _check_root,
    _make_bunch,
    _parse_name,
    _scan,
    _select,
)

# The seven two-digit fields of a RAVDESS file name, in order.
MODALITIES = {"01": "audio-video", "02": "video-only", "03": "audio-only"}
VOCAL_CHANNELS = {"01": "speech", "02": "song"}
# Emotion codes -> the common codes of EMOTION_NAMES.
EMOTIONS = {
    "01": "NEU",
    "02": "CAL",
    "03": "HAP",
    "04": "SAD",
    "05": "ANG",
    "06": "FEA",
    "07": "DIS",
    "08": "SUR",
}
INTENSITIES = {"01": "normal", "02": "strong"}
STATEMENTS = {
    "01": "Kids are talking by the door.",
    "02": "Dogs are sitting by the door.",
}
REPETITIONS = ("01", "02")
ACTORS = tuple(f"{actor:02d}" for actor in range(1, 25))

# An optional "_<suffix>" after the seven fields covers renamed copies such
# as "01-01-07-02-02-01-01_1.mp4".
_NAME = re.compile(r"(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)(?:_[^.]*)?")
_EXAMPLE = "03-01-05-01-02-01-12.wav"
_SUFFIXES = {".mp4", ".wav"}
_FIX = (
    "Pass root= the folder that holds the extracted Actor_01/ ... Actor_24/ "
    "folders of the release (https://zenodo.org/records/1188976)."
)


def parse_ravdess_filename(name: str | os.PathLike) -> dict[str, str]:
    """Parse a RAVDESS file name into its seven labelled fields.

    RAVDESS names every file with seven two-digit codes joined by dashes:
    modality, vocal channel, emotion, intensity, statement, repetition and
    actor. For example ``03-01-05-01-02-01-12.wav`` is audio only, speech,
    angry, normal intensity, "Dogs are sitting by the door", first
    repetition, actor 12. An underscore suffix after the seven fields (as in
    ``01-01-07-02-02-01-01_1.mp4``), the extension and any leading folders
    are ignored.

    Parameters
    ----------
    name : str or path-like
        A file name such as ``"03-01-05-01-02-01-12.wav"``.

    Returns
    -------
    fields : dict of str to str
        ``modality`` (``"audio-video"``, ``"video-only"`` or
        ``"audio-only"``), ``vocal_channel`` (``"speech"`` or ``"song"``),
        ``emotion`` (common code: ``"NEU"``, ``"CAL"``, ``"HAP"``, ``"SAD"``,
        ``"ANG"``, ``"FEA"``, ``"DIS"`` or ``"SUR"``), ``emotion_code`` (the
        original ``"01"`` to ``"08"``), ``intensity`` (``"normal"`` or
        ``"strong"``), ``statement`` (``"01"`` or ``"02"``), ``repetition``
        (``"01"`` or ``"02"``), ``actor`` (``"01"`` to ``"24"``) and ``sex``
        (``"male"`` for odd actors, ``"female"`` for even ones).

    Raises
    ------
    ValueError
        If the name does not have seven two-digit fields or uses an unknown
        code.

    See Also
    --------
    load_ravdess : Load a local copy of RAVDESS.

    Examples
    --------
    >>> from skmer.datasets import parse_ravdess_filename
    >>> fields = parse_ravdess_filename("01-01-07-02-02-01-01_1.mp4")
    >>> fields["modality"], fields["emotion"], fields["intensity"]
    ('audio-video', 'DIS', 'strong')
    >>> fields["actor"], fields["sex"]
    ('01', 'male')
    """
    modality, channel, emotion, intensity, statement, repetition, actor = _parse_name(
        name,
        _NAME,
        dataset="RAVDESS",
        expected=f"7 dash-separated two-digit fields, e.g. {_EXAMPLE!r}",
        codes=[
            ("modality code", MODALITIES),
            ("vocal channel code", VOCAL_CHANNELS),
            ("emotion code", EMOTIONS),
            ("intensity code", INTENSITIES),
            ("statement code", STATEMENTS),
            ("repetition code", REPETITIONS),
            ("actor code", ACTORS),
        ],
    )
    return {
        "modality": MODALITIES[modality],
        "vocal_channel": VOCAL_CHANNELS[channel],
        "emotion": EMOTIONS[emotion],
        "emotion_code": emotion,
        "intensity": INTENSITIES[intensity],
        "statement": statement,
        "repetition": repetition,
        "actor": actor,
        "sex": "male" if int(actor) % 2 else "female",
    }


def load_ravdess(
    root: str | os.PathLike,
    *,
    modality: str | None = "audio-video",
    vocal_channel: str | None = "speech",
    emotions=None,
    actors=None,
    intensities=None,
    statements=None,
) -> Bunch:
    """Load the file list and labels of a local copy of RAVDESS.

    The Ryerson Audio-Visual Database of Emotional Speech and Song holds
    7,356 files of 24 actors who speak and sing two statements with eight
    emotions, as audio-video and video-only ``.mp4`` files and audio-only
    ``.wav`` files. The loader only scans file names: it returns paths and
    labels, and decodes nothing.

    `root` is scanned recursively, so the ``Actor_01/`` ... ``Actor_24/``
    folders extracted from the release's zip archives
    (``Video_Speech_Actor_01.zip``, ``Audio_Speech_Actors_01-24.zip``, ...)
    can sit anywhere below it. Archives are not opened: extract them first.
    Media files whose names do not follow the RAVDESS pattern are skipped
    with a warning.
    So are entries that cannot be clips, with a warning that names them:
    symbolic link loops, and folders or dangling links named like clips.

    Parameters
    ----------
    root : str or path-like
        A folder that holds the extracted RAVDESS files, at any depth.
    modality : {'audio-video', 'video-only', 'audio-only'} or None, \
default='audio-video'
        Which recordings to list. None lists all three.
    vocal_channel : {'speech', 'song'} or None, default='speech'
        Spoken or sung recordings. None lists both.
    emotions : str or list of str, default=None
        Keep these emotions only, in the common vocabulary: ``"NEU"``,
        ``"CAL"`` (calm), ``"HAP"``, ``"SAD"``, ``"ANG"``, ``"FEA"``,
        ``"DIS"`` and ``"SUR"`` (surprised). None keeps all.
    actors : int, str or list of int or str, default=None
        Keep these actors only, e.g. ``[1, "02"]`` (1 to 24; odd actors are
        male, even ones female). None keeps all.
    intensities : str or list of str, default=None
        Keep these intensities only, ``"normal"`` or ``"strong"`` (neutral is
        only ``"normal"``). None keeps all.
    statements : int, str or list of int or str, default=None
        Keep these statements only: 1 (``"01"``, "Kids are talking by the
        door") or 2 (``"02"``, "Dogs are sitting by the door"). None keeps
        both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        paths : ndarray of str of shape (n_files,)
            Absolute paths of the files, sorted.
        target : ndarray of str of shape (n_files,)
            Emotion labels in the common vocabulary (``"ANG"``, ...).
        groups : ndarray of str of shape (n_files,)
            Actor IDs (``"01"`` to ``"24"``), for speaker-independent
            cross-validation.
        frame : DataFrame of shape (n_files, 10)
            One row per file: ``path``, ``modality``, ``vocal_channel``,
            ``emotion``, ``emotion_code`` (the original ``"01"`` to
            ``"08"``), ``intensity``, ``statement``, ``repetition``, ``actor``
            and ``sex``.
        target_names : ndarray of str
            The sorted labels present in `target`.
        DESCR : str
            Description of the dataset: source, licence, citation, labels.

    Raises
    ------
    FileNotFoundError
        If `root` does not exist or holds no RAVDESS file.
    ValueError
        If an argument has an unknown value, or no file matches the filters.

    See Also
    --------
    parse_ravdess_filename : Parse one file name.
    load_crema_d : The other audio-visual corpus.

    References
    ----------
    .. [1] S. R. Livingstone and F. A. Russo, "The Ryerson Audio-Visual
       Database of Emotional Speech and Song (RAVDESS): A dynamic, multimodal
       set of facial and vocal expressions in North American English", PLoS
       ONE, 13(5), e0196391, 2018.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skmer.datasets import load_ravdess
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = tmp.name
    >>> os.mkdir(os.path.join(root, "Actor_01"))
    >>> for name in ["01-01-05-01-01-01-01.mp4", "03-01-05-01-01-01-01.wav"]:
    ...     open(os.path.join(root, "Actor_01", name), "wb").close()
    >>> data = load_ravdess(root)
    >>> [os.path.basename(path) for path in data.paths]
    ['01-01-05-01-01-01-01.mp4']
    >>> data.target, data.groups
    (array(['ANG'], dtype='<U3'), array(['01'], dtype='<U2'))
    >>> load_ravdess(root, modality="audio-only").frame["modality"].tolist()
    ['audio-only']
    >>> tmp.cleanup()
    """
    if modality is not None:
        _check_choice(modality, name="modality", allowed=MODALITIES.values())
    if vocal_channel is not None:
        _check_choice(
            vocal_channel, name="vocal_channel", allowed=VOCAL_CHANNELS.values()
        )
    filters = {
        "modality": None if modality is None else {modality},
        "vocal_channel": None if vocal_channel is None else {vocal_channel},
        "emotion": _check_filter(emotions, name="emotions", allowed=EMOTIONS.values()),
        "actor": _check_filter(actors, name="actors", allowed=ACTORS, width=2),
        "intensity": _check_filter(
            intensities, name="intensities", allowed=INTENSITIES.values()
        ),
        "statement": _check_filter(
            statements, name="statements", allowed=STATEMENTS, width=2
        ),
    }
    root = _check_root(
        root, dataset="RAVDESS", example=f"Actor_12/{_EXAMPLE}", fix=_FIX
    )
    records, ignored = _scan(
        root, suffixes=_SUFFIXES, parse=parse_ravdess_filename, recursive=True
    )
    if not records:
        archives = [
            filename
            for _, _, filenames in os.walk(root)
            for filename in filenames
            if filename.lower().endswith(".zip")
        ]
        hint = (
            f" It holds {len(archives)} zip archive(s), which the loader does "
            "not open: extract them first."
            if archives
            else ""
        )
        raise FileNotFoundError(
            f"No RAVDESS file in {root!r} or its sub-folders: expected .mp4 or "
            f".wav files named like {_EXAMPLE!r}.{hint} {_FIX}"
        )
    frame = _select(
        records,
        ignored,
        filters,
        dataset="RAVDESS",
        folder=root,
        pattern="MM-VV-EE-II-SS-RR-AA (seven two-digit codes)",
        requested={
            "modality": modality,
            "vocal_channel": vocal_channel,
            "emotions": emotions,
            "actors": actors,
            "intensities": intensities,
            "statements": statements,
        },
    )
    return _make_bunch(frame, descr="ravdess")
