"""EmoDB: filename parser and loader for a local copy of the release."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import re

from sklearn.utils import Bunch

from skmer.datasets._base import (
    _check_filter,
    _check_root,
    _make_bunch,
    _parse_name,
    _scan,
    _select,
)

# Emotion letters (German words) -> the common codes of EMOTION_NAMES.
EMOTIONS = {
    "W": "ANG",  # Wut (anger)
    "L": "BOR",  # Langeweile (boredom)
    "E": "DIS",  # Ekel (disgust)
    "A": "FEA",  # Angst (fear)
    "F": "HAP",  # Freude (happiness)
    "T": "SAD",  # Trauer (sadness)
    "N": "NEU",  # neutral
}
# Speaker -> (sex, age in years), from the EmoDB documentation.
SPEAKERS = {
    "03": ("male", 31),
    "08": ("female", 34),
    "09": ("female", 21),
    "10": ("male", 32),
    "11": ("male", 26),
    "12": ("male", 30),
    "13": ("female", 32),
    "14": ("female", 35),
    "15": ("male", 25),
    "16": ("female", 31),
}
TEXTS = {
    "a01": "Der Lappen liegt auf dem Eisschrank.",
    "a02": "Das will sie am Mittwoch abgeben.",
    "a04": "Heute abend könnte ich es ihm sagen.",
    "a05": "Das schwarze Stück Papier befindet sich da oben neben dem Holzstück.",
    "a07": "In sieben Stunden wird es soweit sein.",
    "b01": "Was sind denn das für Tüten, die da unter dem Tisch stehen?",
    "b02": "Sie haben es gerade hochgetragen und jetzt gehen sie wieder runter.",
    "b03": "An den Wochenenden bin ich jetzt immer nach Hause gefahren und "
    "habe Agnes besucht.",
    "b09": "Ich will das eben wegbringen und dann mit Karl was trinken gehen.",
    "b10": "Die wird auf dem Platz sein, wo wir sie immer hinlegen.",
}

_NAME = re.compile(r"(\d\d)([a-z]\d\d)([A-Z])([a-z])")
_EXAMPLE = "03a01Fa.wav"
_FIX = "Pass root= the EmoDB folder (the one that holds wav/) or its wav/ folder."


def parse_emodb_filename(name: str | os.PathLike) -> dict[str, str]:
    """Parse an EmoDB file name into its labelled fields.

    EmoDB (the Berlin Database of Emotional Speech) names every utterance
    with seven characters: the speaker (characters 1-2), the text (3-5), the
    emotion as the initial of its German name (6) and a version letter (7).
    For example ``03a01Fa.wav`` is speaker 03 saying text a01 with happiness
    (Freude), first version. The extension and any leading folders are
    ignored.

    Parameters
    ----------
    name : str or path-like
        A file name such as ``"03a01Fa.wav"``.

    Returns
    -------
    fields : dict of str to str
        ``actor`` (the speaker, ``"03"``, ``"08"`` to ``"16"``), ``text``
        (e.g. ``"a01"``), ``emotion`` (common code: ``"ANG"``, ``"BOR"``,
        ``"DIS"``, ``"FEA"``, ``"HAP"``, ``"SAD"`` or ``"NEU"``),
        ``emotion_code`` (the original letter: W, L, E, A, F, T or N) and
        ``version`` (``"a"``, ``"b"``, ...).

    Raises
    ------
    ValueError
        If the name does not follow the pattern or uses an unknown emotion
        letter.

    See Also
    --------
    load_emodb : Load a local copy of EmoDB.

    Examples
    --------
    >>> from skmer.datasets import parse_emodb_filename
    >>> fields = parse_emodb_filename("wav/03a01Fa.wav")
    >>> fields["actor"], fields["text"], fields["emotion"], fields["version"]
    ('03', 'a01', 'HAP', 'a')
    """
    actor, text, emotion, version = _parse_name(
        name,
        _NAME,
        dataset="EmoDB",
        expected="speaker (2 digits), text (letter and 2 digits), emotion "
        f"letter and version letter, e.g. {_EXAMPLE!r}",
        codes=[None, None, ("emotion letter", EMOTIONS), None],
    )
    return {
        "actor": actor,
        "text": text,
        "emotion": EMOTIONS[emotion],
        "emotion_code": emotion,
        "version": version,
    }


def load_emodb(
    root: str | os.PathLike,
    *,
    emotions=None,
    actors=None,
    texts=None,
) -> Bunch:
    """Load the file list and labels of a local copy of EmoDB.

    The Berlin Database of Emotional Speech holds 535 German utterances of 10
    actors (5 female, 5 male) who speak 10 texts with seven emotions. It is
    audio only. The loader only scans file names: it returns paths and
    labels, and decodes nothing.

    The official release keeps the recordings in a ``wav/`` folder: `root`
    may be that folder or its parent. Media files whose names do not follow
    the EmoDB pattern are skipped with a warning.
    So are entries that cannot be clips, with a warning that names them:
    symbolic link loops, and folders or dangling links named like clips.

    Parameters
    ----------
    root : str or path-like
        The EmoDB folder, or its ``wav/`` sub-folder.
    emotions : str or list of str, default=None
        Keep these emotions only, in the common vocabulary: ``"ANG"``,
        ``"BOR"`` (boredom), ``"DIS"``, ``"FEA"``, ``"HAP"``, ``"NEU"`` and
        ``"SAD"``. None keeps all.
    actors : int, str or list of int or str, default=None
        Keep these speakers only, e.g. ``[3, "08"]`` (03, 08 to 16). None
        keeps all.
    texts : str or list of str, default=None
        Keep these text codes only, e.g. ``["a01", "b10"]``. None keeps all.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        paths : ndarray of str of shape (n_files,)
            Absolute paths of the files, sorted.
        target : ndarray of str of shape (n_files,)
            Emotion labels in the common vocabulary (``"ANG"``, ...).
        groups : ndarray of str of shape (n_files,)
            Speaker IDs, for speaker-independent cross-validation.
        frame : DataFrame of shape (n_files, 8)
            One row per file: ``path``, ``actor``, ``text``, ``emotion``,
            ``emotion_code`` (the original German initial), ``version``,
            ``sex`` and ``age`` (from the EmoDB documentation).
        target_names : ndarray of str
            The sorted labels present in `target`.
        DESCR : str
            Description of the dataset: source, licence, citation, labels.

    Raises
    ------
    FileNotFoundError
        If `root` does not exist or holds no EmoDB file.
    ValueError
        If a filter value is unknown, or no file matches the filters.

    See Also
    --------
    parse_emodb_filename : Parse one file name.
    load_crema_d : An audio-visual corpus with the same label vocabulary.

    References
    ----------
    .. [1] F. Burkhardt, A. Paeschke, M. Rolfes, W. Sendlmeier and B. Weiss,
       "A database of German emotional speech", Proc. Interspeech 2005,
       1517-1520, 2005.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skmer.datasets import load_emodb
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = tmp.name
    >>> os.mkdir(os.path.join(root, "wav"))
    >>> for name in ["03a01Fa.wav", "03a01Wa.wav", "08b10Lc.wav"]:
    ...     open(os.path.join(root, "wav", name), "wb").close()
    >>> data = load_emodb(root)
    >>> data.target
    array(['HAP', 'ANG', 'BOR'], dtype='<U3')
    >>> data.target_names
    array(['ANG', 'BOR', 'HAP'], dtype='<U3')
    >>> load_emodb(os.path.join(root, "wav"), actors=8).frame[["actor", "sex"]]
      actor     sex
    0    08  female
    >>> tmp.cleanup()
    """
    filters = {
        "emotion": _check_filter(emotions, name="emotions", allowed=EMOTIONS.values()),
        "actor": _check_filter(actors, name="actors", allowed=SPEAKERS, width=2),
        "text": _check_filter(texts, name="texts", allowed=TEXTS),
    }
    root = _check_root(root, dataset="EmoDB", example=f"wav/{_EXAMPLE}", fix=_FIX)
    folder = os.path.join(root, "wav")
    if not os.path.isdir(folder):
        folder = root
    records, ignored = _scan(folder, suffixes={".wav"}, parse=parse_emodb_filename)
    if not records:
        raise FileNotFoundError(
            f"No EmoDB file in {folder!r}: expected .wav files named like "
            f"{_EXAMPLE!r} (speaker, text, emotion letter, version). {_FIX}"
        )
    frame = _select(
        records,
        ignored,
        filters,
        dataset="EmoDB",
        folder=folder,
        pattern="<speaker><text><emotion><version>.wav",
        requested={"emotions": emotions, "actors": actors, "texts": texts},
    )
    speakers = frame["actor"].map(SPEAKERS)
    frame["sex"] = speakers.map(lambda info: info[0], na_action="ignore")
    frame["age"] = speakers.map(lambda info: info[1], na_action="ignore")
    return _make_bunch(frame, descr="emodb")
