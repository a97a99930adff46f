"""Load a dataset folder whose kind (CREMA-D, RAVDESS, EmoDB) is detected."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os

from sklearn.utils import Bunch

from skmer.datasets._base import _make_bunch, _scan, _select
from skmer.datasets._crema_d import load_crema_d, parse_crema_d_filename
from skmer.datasets._emodb import load_emodb, parse_emodb_filename
from skmer.datasets._folder import load_labeled_folder
from skmer.datasets._ravdess import load_ravdess, parse_ravdess_filename

_MEDIA_EXTENSIONS = {".flv", ".mp4", ".mov", ".avi", ".mkv", ".wav", ".mp3"}

_LOADERS = {
    "crema-d": load_crema_d,
    "ravdess": load_ravdess,
    "emodb": load_emodb,
}

_PARSERS = {
    "crema-d": parse_crema_d_filename,
    "ravdess": parse_ravdess_filename,
    "emodb": parse_emodb_filename,
}


def detect_dataset(root: str | os.PathLike) -> str:
    """Tell which corpus a folder holds from its layout and file names.

    Parameters
    ----------
    root : str or path-like
        The dataset folder.

    Returns
    -------
    kind : {'crema-d', 'ravdess', 'emodb'}
        The corpus whose file-name pattern most media files follow.

    Raises
    ------
    FileNotFoundError
        If ``root`` is not a folder.
    ValueError
        If no media file in it follows a known pattern.

    See Also
    --------
    load_dataset : Load the folder with the matching loader.

    Examples
    --------
    >>> import os, tempfile
    >>> from skmer.datasets import detect_dataset
    >>> root = tempfile.mkdtemp()
    >>> open(os.path.join(root, "03a01Fa.wav"), "wb").close()
    >>> detect_dataset(root)
    'emodb'
    """
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"Dataset folder not found: {root!r}.")
    if _has_crema_d_layout(root):
        return "crema-d"
    votes = dict.fromkeys(_PARSERS, 0)
    for _, _, files in os.walk(root):
        for name in files:
            if os.path.splitext(name)[1].lower() not in _MEDIA_EXTENSIONS:
                continue
            for kind, parse in _PARSERS.items():
                try:
                    parse(name)
                except ValueError:
                    continue
                votes[kind] += 1
    best = max(votes, key=votes.get)
    if votes[best] == 0:
        raise ValueError(
            f"Cannot tell which dataset {root!r} holds: no media file is named "
            "like CREMA-D ('1001_DFA_ANG_XX.flv'), RAVDESS "
            "('03-01-05-01-02-01-12.wav') or EmoDB ('03a01Fa.wav'). Pass the "
            "kind explicitly."
        )
    return best


def load_dataset(root: str | os.PathLike, *, kind: str = "auto", labels=None) -> Bunch:
    """Load a CREMA-D, RAVDESS or EmoDB folder, or any labelled folder.

    Parameters
    ----------
    root : str or path-like
        The dataset folder.
    kind : {'auto', 'crema-d', 'ravdess', 'emodb', 'folder'}, default='auto'
        The corpus; ``'auto'`` detects it with :func:`detect_dataset`, or
        is ``'folder'`` when ``labels`` is given.
    labels : str or path-like, default=None
        A CSV file of paths, labels and speakers for a folder of any other
        layout (``kind='folder'``), see :func:`load_labeled_folder`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        What the corpus' loader returns: ``paths``, ``target``, ``groups``,
        ``frame``, ``target_names`` and ``DESCR``, plus ``kind``. RAVDESS
        folders are listed whole (every modality).

    Raises
    ------
    ValueError
        If ``kind`` is unknown or cannot be detected.

    See Also
    --------
    load_crema_d, load_ravdess, load_emodb, load_labeled_folder : The
        loaders used.

    Examples
    --------
    >>> import os, tempfile
    >>> from skmer.datasets import load_dataset
    >>> root = tempfile.mkdtemp()
    >>> for name in ["03a01Fa.wav", "08a02Wb.wav"]:
    ...     open(os.path.join(root, name), "wb").close()
    >>> data = load_dataset(root)
    >>> data.kind, data.target.tolist()
    ('emodb', ['HAP', 'ANG'])
    """
    if labels is not None or kind == "folder":
        if kind not in ("auto", "folder"):
            raise ValueError(
                f"labels is for kind='folder'; a {kind} folder is labelled by "
                "its file names."
            )
        if labels is None:
            raise ValueError("kind='folder' needs a labels CSV file.")
        return load_labeled_folder(root, labels)
    if kind == "auto":
        kind = detect_dataset(root)
    if kind not in _LOADERS:
        raise ValueError(
            f"kind must be 'auto', 'folder' or one of {sorted(_LOADERS)}; got {kind!r}."
        )
    if kind == "crema-d" and not _has_crema_d_layout(root):
        return _load_flat_crema_d(root)
    # A RAVDESS folder may hold the audio-only or the audio-video release:
    # list every recording rather than the loader's default audio-video.
    options = {"modality": None} if kind == "ravdess" else {}
    data = _LOADERS[kind](root, **options)
    data.kind = kind
    return data


_CREMA_D_FOLDERS = ("VideoFlash", "AudioWAV", "AudioMP3")


def _has_crema_d_layout(root):
    return any(os.path.isdir(os.path.join(root, name)) for name in _CREMA_D_FOLDERS)


def _load_flat_crema_d(root):
    """Load a folder of CREMA-D-named clips without the release's layout.

    Such as the clips of :func:`make_synthetic_clips`, or a selection of the
    corpus copied into one folder.
    """
    root = os.path.abspath(os.fspath(root))
    records, ignored = _scan(
        root, suffixes=_MEDIA_EXTENSIONS, parse=parse_crema_d_filename
    )
    frame = _select(
        records,
        ignored,
        {},
        dataset="CREMA-D",
        folder=root,
        pattern="ActorID_Sentence_Emotion_Level",
        requested={},
    )
    data = _make_bunch(frame, descr="crema_d")
    data.kind = "crema-d"
    return data
