"""Data home, filter checks and the Bunch shared by the dataset loaders."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import errno
import os
import warnings
from importlib import resources
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skmer.utils._warnings import caller_stacklevel

# The common label vocabulary: CREMA-D's three-letter codes, extended with the
# emotions that only RAVDESS (calm, surprised) or EmoDB (boredom) have. Every
# loader maps its own codes into these (test_loaders_speak_one_vocabulary), so
# that a model trained on one corpus predicts labels another one uses.
EMOTION_NAMES = {
    "ANG": "anger",
    "BOR": "boredom",
    "CAL": "calm",
    "DIS": "disgust",
    "FEA": "fear",
    "HAP": "happiness",
    "NEU": "neutral",
    "SAD": "sadness",
    "SUR": "surprise",
}


def get_data_home(data_home: str | os.PathLike | None = None) -> str:
    """Return the path of the skmer data folder, creating it if needed.

    The downloaders (:func:`fetch_crema_d`) store the corpora there, so that
    they are downloaded only once.

    By default the folder is ``~/skmer_data``. Set the ``SKMER_DATA``
    environment variable, or pass `data_home`, to use another one. The ``~``
    symbol is expanded to the user's home folder.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The path to the skmer data folder. If None, use the ``SKMER_DATA``
        environment variable, or ``~/skmer_data`` when it is not set.

    Returns
    -------
    data_home : str
        The absolute path to the skmer data folder, which now exists.

    See Also
    --------
    fetch_crema_d : Download CREMA-D into this folder.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skmer.datasets import get_data_home
    >>> tmp = tempfile.TemporaryDirectory()
    >>> home = get_data_home(os.path.join(tmp.name, "skmer_data"))
    >>> os.path.isdir(home)
    True
    >>> tmp.cleanup()
    """
    if data_home is None:
        data_home = os.environ.get("SKMER_DATA") or os.path.join("~", "skmer_data")
    data_home = os.path.abspath(os.path.expanduser(os.fspath(data_home)))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def _load_descr(name):
    """Return the text of ``descr/<name>.rst``."""
    path = resources.files("skmer.datasets") / "descr" / f"{name}.rst"
    return path.read_text(encoding="utf-8")


def _parse_name(name, pattern, *, dataset, expected, codes):
    """Split a file name's stem into the fields of `pattern`, checking codes.

    Parameters
    ----------
    name : str or path-like
        The file name or path; only the base name without extension counts.
    pattern : re.Pattern
        One group per field, matched against the whole stem.
    dataset : str
        The corpus's name, for error messages.
    expected : str
        What a name looks like, for the message when it does not match.
    codes : list of (str, collection of str) or None
        For each group, what its code is called ("emotion code") and the
        codes allowed; None for a group that is not checked.

    Returns
    -------
    fields : tuple of str
        The groups of the match.
    """
    name = os.fspath(name)
    stem = os.path.splitext(os.path.basename(name))[0]
    match = pattern.fullmatch(stem)
    if match is None:
        raise ValueError(
            f"Cannot parse {dataset} filename {name!r}: expected {expected}."
        )
    for check, code in zip(codes, match.groups(), strict=True):
        if check is not None and code not in check[1]:
            raise ValueError(
                f"Cannot parse {dataset} filename {name!r}: {check[0]} {code!r} "
                f"is not one of {', '.join(check[1])}."
            )
    return match.groups()


def _format_values(values):
    """Quote values for an error message, shortening long runs."""
    values = [repr(value) for value in sorted(values)]
    if len(values) > 12:
        values = [*values[:3], "...", values[-1]]
    return ", ".join(values)


def _normalize_id(value, width):
    """Turn an integer or a digit string into a zero-padded id string."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        return f"{int(value):0{width}d}"
    if isinstance(value, str) and value.isdigit():
        return f"{int(value):0{width}d}"
    return value


def _check_filter(values, *, name, allowed, width=None):
    """Validate a filter argument of a loader.

    Parameters
    ----------
    values : None, str, int or iterable of str or int
        The values to keep. None keeps everything; a single value is a
        one-element filter.
    name : str
        The argument's name, for error messages.
    allowed : collection of str
        The values the dataset knows.
    width : int, default=None
        When set, integers and digit strings are zero-padded to this width,
        so that ``actors=[1, "02"]`` means ``{"01", "02"}``.

    Returns
    -------
    selected : set of str or None
        The normalized values, or None to keep everything.
    """
    if values is None:
        return None
    if isinstance(values, (str, Integral)):
        values = [values]
    selected = set()
    for value in values:
        key = _normalize_id(value, width) if width is not None else value
        if key not in allowed:
            raise ValueError(
                f"{name} must contain only values among {_format_values(allowed)}; "
                f"got {value!r}."
            )
        selected.add(key)
    return selected


def _check_choice(value, *, name, allowed):
    """Validate a single-choice string argument."""
    if value not in allowed:
        raise ValueError(
            f"{name} must be one of {_format_values(allowed)}; got {value!r}."
        )
    return value


def _check_root(root, *, dataset, example, fix):
    """Return `root` as an absolute path, or raise if it is not a folder."""
    root = os.path.abspath(os.path.expanduser(os.fspath(root)))
    if not os.path.isdir(root):
        raise FileNotFoundError(
            f"{dataset} root {root!r} does not exist or is not a folder. "
            f"Expected files laid out like {example!r} under it. {fix}"
        )
    return root


def _apply_filters(records, filters):
    """Keep the records whose fields are in every active filter."""
    return [
        record
        for record in records
        if all(
            selected is None or record[field] in selected
            for field, selected in filters.items()
        )
    ]


def _describe_filters(**filters):
    """Spell the active filters, for a message saying that nothing matched."""
    active = [f"{name}={value!r}" for name, value in filters.items() if value]
    return ", ".join(active) if active else "no filter"


def _scan(folder, *, suffixes, parse, recursive=False):
    """List the media files of `folder` and parse their names.

    Entries that cannot be clips are skipped with one warning that names
    them: symbolic link loops (whatever their name), and folders, dangling
    links and other non-regular files named like media files. A loop
    anywhere in a dataset folder thus costs one entry, not the whole load.

    Parameters
    ----------
    folder : str
        The folder to scan.
    suffixes : collection of str
        Lower-case extensions of the media files, e.g. ``{".wav"}``. Files
        with other extensions (and hidden files) are skipped silently.
    parse : callable
        Filename parser that returns a dict or raises ValueError.
    recursive : bool, default=False
        Whether to scan the sub-folders too. Links to folders are not
        followed, as with :func:`os.walk`.

    Returns
    -------
    records : list of dict
        One dict per recognised file: its absolute ``path``, then the parsed
        fields.
    ignored : list of str
        Paths of media files whose names could not be parsed.
    """
    folder = os.path.abspath(folder)
    records, ignored, unusable = [], [], []
    pending = [folder]
    while pending:
        dirpath = pending.pop()
        try:
            with os.scandir(dirpath) as listing:
                entries = list(listing)
        except OSError as exc:
            if dirpath == folder:
                raise
            reason = f"a folder that cannot be listed: {exc.strerror}"
            unusable.append((dirpath, reason))
            continue
        for entry in entries:
            kind, reason = _entry_kind(entry)
            media = os.path.splitext(entry.name)[1].lower() in suffixes
            if kind == "dir":
                if recursive and not entry.is_symlink():
                    pending.append(entry.path)
                if media:
                    unusable.append((entry.path, "a folder"))
            elif entry.name.startswith("."):
                continue
            elif kind == "loop" or (kind != "file" and media):
                unusable.append((entry.path, reason))
            elif media:
                try:
                    info = parse(entry.name)
                except ValueError:
                    ignored.append(entry.path)
                    continue
                records.append({"path": entry.path, **info})
    if unusable:
        warnings.warn(
            _unusable_message(unusable, folder=folder),
            UserWarning,
            stacklevel=caller_stacklevel(),
        )
    return records, ignored


def _entry_kind(entry):
    """Classify a directory entry, following links, without raising.

    Returns ``(kind, reason)``: kind is ``"file"``, ``"dir"``, ``"loop"``,
    ``"dangling"``, ``"other"`` or ``"error"``, and reason says in words why
    an entry that is not a file cannot be a clip.
    """
    try:
        if entry.is_file():
            return "file", ""
        if entry.is_dir():
            return "dir", "a folder"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "loop", "a symbolic link loop"
        return "error", f"cannot be read: {exc.strerror}"
    if entry.is_symlink():
        return "dangling", "a symbolic link to a missing file"
    return "other", "not a regular file"


def _unusable_message(unusable, *, folder):
    """Name the entries a scan skipped because they cannot be clips."""
    unusable = sorted(unusable)
    shown = [
        f"{os.path.relpath(path, folder)!r} ({reason})"
        for path, reason in unusable[:10]
    ]
    if len(unusable) > 10:
        shown.append(f"and {len(unusable) - 10} more")
    entries = "entry" if len(unusable) == 1 else "entries"
    return (
        f"Skipped {len(unusable)} {entries} in {folder!r} that cannot be read as "
        f"clips: {', '.join(shown)}."
    )


def _ignored_message(ignored, *, folder, dataset, pattern):
    """Say how many media files a loader skipped because of their names."""
    return (
        f"Ignored {len(ignored)} file(s) in {folder!r} whose names do not follow "
        f"the {dataset} pattern {pattern}; the first is "
        f"{os.path.basename(sorted(ignored)[0])!r}."
    )


def _select(records, ignored, filters, *, dataset, kind="", folder, pattern, requested):
    """Warn about skipped files, apply the filters, and build the frame.

    ``filters`` maps record fields to the allowed values (None: any);
    ``requested`` holds the filter arguments as the user gave them, and
    ``kind`` the media kind, for the message when nothing matches.
    """
    if ignored:
        warnings.warn(
            _ignored_message(ignored, folder=folder, dataset=dataset, pattern=pattern),
            UserWarning,
            stacklevel=3,
        )
    selected = _apply_filters(records, filters)
    if not selected:
        raise ValueError(
            f"None of the {len(records)} {dataset} {kind}files in {folder!r} matches "
            f"{_describe_filters(**requested)}."
        )
    return pd.DataFrame.from_records(selected)


def _make_bunch(frame, *, descr):
    """Assemble the Bunch every loader returns from its per-file frame.

    Parameters
    ----------
    frame : DataFrame
        One row per file, with at least the columns ``path``, ``emotion``
        (common label code) and ``actor``.
    descr : str
        Name of the ``descr/*.rst`` file, without extension.

    Returns
    -------
    data : Bunch
        ``paths``, ``target``, ``groups``, ``frame``, ``target_names`` and
        ``DESCR``, with the rows sorted by path.
    """
    frame = frame.sort_values("path", ignore_index=True)
    target = frame["emotion"].to_numpy(dtype=str)
    return Bunch(
        paths=frame["path"].to_numpy(dtype=str),
        target=target,
        groups=frame["actor"].to_numpy(dtype=str),
        frame=frame,
        target_names=np.unique(target),
        DESCR=_load_descr(descr),
    )
