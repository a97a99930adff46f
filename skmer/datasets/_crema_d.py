"""CREMA-D: filename parser and loader for a local copy of the release."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import re

import pandas as pd
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

# Sentence codes of the file names and the sentences the actors spoke.
SENTENCES = {
    "IEO": "It's eleven o'clock.",
    "TIE": "That is exactly what happened.",
    "IOM": "I'm on my way to the meeting.",
    "IWW": "I wonder what this is about.",
    "TAI": "The airplane is almost full.",
    "MTI": "Maybe tomorrow it will be cold.",
    "IWL": "I would like a new alarm clock.",
    "ITH": "I think I have a doctor's appointment.",
    "DFA": "Don't forget a jacket.",
    "ITS": "I think I've seen this before.",
    "TSI": "The surface is slick.",
    "WSI": "We'll stop in a couple of minutes.",
}
# CREMA-D's codes are the common ones of EMOTION_NAMES.
EMOTIONS = ("ANG", "DIS", "FEA", "HAP", "NEU", "SAD")
INTENSITIES = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
ACTORS = tuple(str(actor) for actor in range(1001, 1092))

# media -> (folder of the official release, file extension)
MEDIA = {
    "video": ("VideoFlash", ".flv"),
    "wav": ("AudioWAV", ".wav"),
    "mp3": ("AudioMP3", ".mp3"),
}

# Letters of the crowd-sourced votes in summaryTable.csv.
_VOTE_CODES = {"A": "ANG", "D": "DIS", "F": "FEA", "H": "HAP", "N": "NEU", "S": "SAD"}
_VOTE_COLUMNS = {"voice": "Voice", "face": "Face", "multimodal": "MultiModal"}
_DEMOGRAPHICS = {
    "ActorID": "actor",
    "Age": "age",
    "Sex": "sex",
    "Race": "race",
    "Ethnicity": "ethnicity",
}

_NAME = re.compile(r"(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})")
_EXAMPLE = "1001_DFA_ANG_XX.flv"
_FIX = (
    "Pass root= the folder that holds VideoFlash/, AudioWAV/ or AudioMP3/, "
    "or download the files with fetch_crema_d()."
)


def parse_crema_d_filename(name: str | os.PathLike) -> dict[str, str]:
    """Parse a CREMA-D file name into its four labelled fields.

    CREMA-D names every clip ``ActorID_Sentence_Emotion_Level``, for example
    ``1001_DFA_ANG_XX``: actor 1001 says "Don't forget a jacket" with anger at
    an unspecified intensity. The extension and any leading folders are
    ignored.

    Parameters
    ----------
    name : str or path-like
        A file name such as ``"1001_DFA_ANG_XX"``, ``"1001_DFA_ANG_XX.flv"``
        or ``"VideoFlash/1001_DFA_ANG_XX.flv"``.

    Returns
    -------
    fields : dict of str to str
        ``actor`` (four digits, ``"1001"`` to ``"1091"``), ``sentence``
        (three-letter code, e.g. ``"DFA"``), ``emotion`` (``"ANG"``,
        ``"DIS"``, ``"FEA"``, ``"HAP"``, ``"NEU"`` or ``"SAD"``) and
        ``intensity`` (``"LO"``, ``"MD"``, ``"HI"``, or ``"XX"`` for
        unspecified).

    Raises
    ------
    ValueError
        If the name does not follow the pattern or uses an unknown code.

    See Also
    --------
    load_crema_d : Load a local copy of CREMA-D.

    Examples
    --------
    >>> from skmer.datasets import parse_crema_d_filename
    >>> parse_crema_d_filename("VideoFlash/1001_IEO_HAP_HI.flv")
    {'actor': '1001', 'sentence': 'IEO', 'emotion': 'HAP', 'intensity': 'HI'}
    """
    actor, sentence, emotion, intensity = _parse_name(
        name,
        _NAME,
        dataset="CREMA-D",
        expected=f"ActorID_Sentence_Emotion_Level, e.g. {_EXAMPLE!r}",
        codes=[
            None,
            ("sentence code", SENTENCES),
            ("emotion code", EMOTIONS),
            ("intensity code", INTENSITIES),
        ],
    )
    return {
        "actor": actor,
        "sentence": sentence,
        "emotion": emotion,
        "intensity": intensity,
    }


def _check_crema_d_filters(*, emotions, actors, sentences, intensities):
    """Validate the filters shared by load_crema_d and fetch_crema_d."""
    return {
        "emotion": _check_filter(emotions, name="emotions", allowed=EMOTIONS),
        "actor": _check_filter(actors, name="actors", allowed=ACTORS, width=4),
        "sentence": _check_filter(sentences, name="sentences", allowed=SENTENCES),
        "intensity": _check_filter(
            intensities, name="intensities", allowed=INTENSITIES
        ),
    }


def load_crema_d(
    root: str | os.PathLike,
    *,
    media: str = "video",
    emotions=None,
    actors=None,
    sentences=None,
    intensities=None,
) -> Bunch:
    """Load the file list and labels of a local copy of CREMA-D.

    CREMA-D (Crowd-sourced Emotional Multimodal Actors Dataset) holds 7,442
    clips of 91 actors who speak 12 sentences with six emotions. The loader
    only scans file names: it returns paths and labels, and decodes nothing.

    `root` is laid out like the official release: ``VideoFlash/*.flv``,
    ``AudioWAV/*.wav`` and ``AudioMP3/*.mp3``, optionally with
    ``VideoDemographics.csv`` and ``processedResults/summaryTable.csv`` (or
    ``summaryTable.csv``) beside them. Media files whose names do not follow
    the CREMA-D pattern are skipped with a warning.
    So are entries that cannot be clips, with a warning that names them:
    symbolic link loops, and folders or dangling links named like clips.

    Parameters
    ----------
    root : str or path-like
        The folder of the release: a clone of the official repository, or
        ``<data_home>/crema_d`` after :func:`fetch_crema_d`.
    media : {'video', 'wav', 'mp3'}, default='video'
        Which files to list: the Flash videos (with sound) of
        ``VideoFlash/``, the processed audio of ``AudioWAV/`` or the audio
        that raters heard, ``AudioMP3/``.
    emotions : str or list of str, default=None
        Keep these emotions only, among ``"ANG"``, ``"DIS"``, ``"FEA"``,
        ``"HAP"``, ``"NEU"`` and ``"SAD"``. None keeps all.
    actors : int, str or list of int or str, default=None
        Keep these actors only, e.g. ``[1001, "1002"]`` (1001 to 1091). None
        keeps all.
    sentences : str or list of str, default=None
        Keep these sentence codes only, e.g. ``["IEO", "DFA"]``. None keeps
        all.
    intensities : str or list of str, default=None
        Keep these intensity codes only, among ``"LO"``, ``"MD"``, ``"HI"``
        and ``"XX"`` (unspecified; only sentence IEO has graded
        intensities). None keeps all.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        paths : ndarray of str of shape (n_files,)
            Absolute paths of the files, sorted.
        target : ndarray of str of shape (n_files,)
            Emotion labels in the common vocabulary (``"ANG"``, ...).
        groups : ndarray of str of shape (n_files,)
            Actor IDs, for speaker-independent cross-validation
            (:class:`~sklearn.model_selection.GroupKFold`).
        frame : DataFrame of shape (n_files, n_columns)
            One row per file: ``path``, ``actor``, ``sentence``, ``emotion``,
            ``emotion_code`` (the original code, the same here) and
            ``intensity``. When ``VideoDemographics.csv`` is present, also
            ``age``, ``sex``, ``race`` and ``ethnicity``. When
            ``summaryTable.csv`` is present, also the human majority votes
            ``voice_vote``, ``face_vote`` and ``multimodal_vote`` (common
            codes, ties joined by ``":"``, e.g. ``"ANG:SAD"``), their rating
            levels ``voice_level``, ``face_level`` and ``multimodal_level``,
            and ``voice_correct``, ``face_correct`` and ``multimodal_correct``
            (whether the vote is exactly the acted emotion; a tie is not).
        target_names : ndarray of str
            The sorted labels present in `target`.
        DESCR : str
            Description of the dataset: source, licence, citation, labels.

    Raises
    ------
    FileNotFoundError
        If `root` or its media folder does not exist or holds no CREMA-D
        file.
    ValueError
        If a filter value is unknown, no file matches the filters, or
        ``VideoDemographics.csv`` or ``summaryTable.csv`` is not a CSV file
        with the expected columns (the message names it).

    See Also
    --------
    fetch_crema_d : Download CREMA-D, then load it.
    parse_crema_d_filename : Parse one file name.

    Notes
    -----
    Evaluate speaker-independently: pass `groups` to a group-aware splitter,
    since a random split lets a model recognise the actor rather than the
    emotion.

    References
    ----------
    .. [1] H. Cao, D. G. Cooper, M. K. Keutmann, R. C. Gur, A. Nenkova and
       R. Verma, "CREMA-D: Crowd-sourced Emotional Multimodal Actors
       Dataset", IEEE Transactions on Affective Computing, 5(4), 377-390,
       2014.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skmer.datasets import load_crema_d
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = tmp.name
    >>> os.mkdir(os.path.join(root, "VideoFlash"))
    >>> for name in ["1001_DFA_ANG_XX", "1001_IEO_SAD_HI", "1002_DFA_HAP_XX"]:
    ...     open(os.path.join(root, "VideoFlash", name + ".flv"), "wb").close()
    >>> data = load_crema_d(root)
    >>> data.target
    array(['ANG', 'SAD', 'HAP'], dtype='<U3')
    >>> data.groups
    array(['1001', '1001', '1002'], dtype='<U4')
    >>> load_crema_d(root, sentences="DFA", actors=1002).target
    array(['HAP'], dtype='<U3')
    >>> tmp.cleanup()
    """
    _check_choice(media, name="media", allowed=MEDIA)
    filters = _check_crema_d_filters(
        emotions=emotions,
        actors=actors,
        sentences=sentences,
        intensities=intensities,
    )
    folder_name, suffix = MEDIA[media]
    root = _check_root(
        root,
        dataset="CREMA-D",
        example=f"{folder_name}/{_EXAMPLE[:-4]}{suffix}",
        fix=_FIX,
    )
    folder = os.path.join(root, folder_name)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"CREMA-D root {root!r} has no {folder_name}/ folder for "
            f"media={media!r}: expected files like "
            f"'{folder_name}/{_EXAMPLE[:-4]}{suffix}' under it. {_FIX}"
        )
    records, ignored = _scan(folder, suffixes={suffix}, parse=parse_crema_d_filename)
    if not records:
        raise FileNotFoundError(
            f"No CREMA-D {media} file in {folder!r}: expected names like "
            f"'{_EXAMPLE[:-4]}{suffix}' (ActorID_Sentence_Emotion_Level). {_FIX}"
        )
    frame = _select(
        records,
        ignored,
        filters,
        dataset="CREMA-D",
        kind=f"{media} ",
        folder=folder,
        pattern=f"ActorID_Sentence_Emotion_Level{suffix}",
        requested={
            "emotions": emotions,
            "actors": actors,
            "sentences": sentences,
            "intensities": intensities,
        },
    )
    frame.insert(frame.columns.get_loc("emotion") + 1, "emotion_code", frame["emotion"])
    frame = _add_demographics(frame, root)
    frame = _add_votes(frame, root)
    return _make_bunch(frame, descr="crema_d")


def _add_demographics(frame, root):
    """Join VideoDemographics.csv on the actor, when the release has it."""
    path = os.path.join(root, "VideoDemographics.csv")
    if not os.path.isfile(path):
        return frame
    return frame.merge(_read_demographics(path), on="actor", how="left")


def _read_table(path, *, what, name, **options):
    """Read one of the release's CSV files, naming it if it is not CSV.

    An error page saved in place of the file by a failed download is the
    usual culprit, hence the advice for a file on disk.
    """
    try:
        return pd.read_csv(path, **options)
    except ValueError as exc:
        # ParserError, EmptyDataError and UnicodeDecodeError are ValueErrors.
        detail = " ".join(str(exc).split())
        advice = (
            " It may be an error page saved by a failed download: call "
            "fetch_crema_d() to download it again."
            if isinstance(path, (str, os.PathLike))
            else ""
        )
        raise ValueError(
            f"CREMA-D {what} {name!r} is not a CSV file ({detail}).{advice}"
        ) from exc


def _read_demographics(path, *, name=None):
    """Read VideoDemographics.csv: one row per actor, renamed columns.

    `path` may also be a file object, named `name` in the messages.
    """
    name = os.fspath(path) if name is None else name
    table = _read_table(
        path, what="demographics file", name=name, dtype={"ActorID": str}
    )
    missing = [column for column in _DEMOGRAPHICS if column not in table.columns]
    if missing:
        raise ValueError(
            f"CREMA-D demographics file {name!r} must have the columns "
            f"{', '.join(_DEMOGRAPHICS)}; missing {', '.join(missing)}."
        )
    table = table[list(_DEMOGRAPHICS)].rename(columns=_DEMOGRAPHICS)
    # Lower-case the sex so that it reads the same as RAVDESS's and EmoDB's.
    table["sex"] = table["sex"].str.lower()
    return table


def _find_summary_table(root):
    for relpath in ["processedResults/summaryTable.csv", "summaryTable.csv"]:
        path = os.path.join(root, *relpath.split("/"))
        if os.path.isfile(path):
            return path
    return None


def _map_vote(vote):
    """Map 'A:S' to 'ANG:SAD'; keep missing votes missing."""
    if not isinstance(vote, str) or not vote:
        return None
    return ":".join(_VOTE_CODES.get(letter, letter) for letter in vote.split(":"))


def _add_votes(frame, root):
    """Join the human majority votes of summaryTable.csv, when present."""
    path = _find_summary_table(root)
    if path is None:
        return frame
    votes = _read_votes(path)
    clip = frame["path"].map(lambda path: os.path.splitext(os.path.basename(path))[0])
    frame = frame.assign(clip=clip).merge(votes, on="clip", how="left")
    for key in _VOTE_COLUMNS:
        vote = frame[f"{key}_vote"]
        correct = (vote == frame["emotion"]).astype("boolean")
        frame[f"{key}_correct"] = correct.mask(vote.isna())
    order = [
        column
        for column in frame.columns
        if not column.startswith(tuple(_VOTE_COLUMNS))
    ]
    order += [
        f"{key}_{kind}"
        for key in _VOTE_COLUMNS
        for kind in ["vote", "level", "correct"]
    ]
    return frame[order].drop(columns="clip")


def _read_votes(path, *, name=None):
    """Read summaryTable.csv: one row per clip, votes as emotion codes.

    `path` may also be a file object, named `name` in the messages.
    """
    name = os.fspath(path) if name is None else name
    # The table's first column is R's unnamed row index: read everything as
    # text and pick the named columns, matching them case-insensitively since
    # the official README spells "fileName" and the file "FileName".
    table = _read_table(
        path, what="summary table", name=name, dtype=str, keep_default_na=False
    )
    columns = {str(column).lower(): column for column in table.columns}
    wanted = ["FileName"] + [
        f"{prefix}{kind}"
        for prefix in _VOTE_COLUMNS.values()
        for kind in ["Vote", "Level"]
    ]
    missing = [column for column in wanted if column.lower() not in columns]
    if missing:
        raise ValueError(
            f"CREMA-D summary table {name!r} must have the columns "
            f"{', '.join(wanted)}; missing {', '.join(missing)}."
        )
    votes = pd.DataFrame({"clip": table[columns["filename"]].str.strip()})
    for key, prefix in _VOTE_COLUMNS.items():
        votes[f"{key}_vote"] = table[columns[f"{prefix}vote".lower()]].map(_map_vote)
        # Text: a tied vote has one level per emotion, "30.67:51.00".
        votes[f"{key}_level"] = table[columns[f"{prefix}level".lower()]]
    return votes.drop_duplicates("clip").reset_index(drop=True)
