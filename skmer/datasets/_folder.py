"""Any folder of clips, labelled by a CSV file."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
import os
import warnings

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skmer.datasets._base import EMOTION_NAMES
from skmer.utils._warnings import caller_stacklevel

_PATH_COLUMNS = ("path", "file", "filename")
_LABEL_COLUMNS = ("emotion", "label", "target")
_GROUP_COLUMNS = ("speaker", "actor", "group")


def load_labeled_folder(root, labels):
    """Load clips named in a CSV file, with their labels and speakers.

    Parameters
    ----------
    root : str or path-like
        Folder the relative paths of the CSV file start from.
    labels : str or path-like
        CSV file (UTF-8) with a header and one row per clip: a path column
        (``path``, ``file`` or ``filename``; relative to ``root`` or
        absolute), a label column (``emotion``, ``label`` or ``target``) and,
        optionally, a speaker column (``speaker``, ``actor`` or ``group``).
        Without a speaker column, ``groups`` is None and evaluation cannot be
        speaker-independent. Blank lines are skipped.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``paths`` (absolute), ``target``, ``groups`` (str or None),
        ``frame`` (the CSV rows, with absolute paths and the labels and
        speakers as returned), ``target_names``, ``DESCR`` and
        ``kind='folder'``.

    Raises
    ------
    FileNotFoundError
        If ``root`` or ``labels`` does not exist, or a listed clip is
        missing (all missing clips are named, up to five).
    ValueError
        If a required column is missing, a row has more or fewer fields than
        the header (the message gives its line), a path, label or speaker is
        empty, or a clip is listed twice with different labels or speakers.

    Notes
    -----
    The checks keep one recording out of both sides of a split:

    - A clip listed on several rows with the same label and speaker is kept
      once, with a warning; with different labels or speakers it is an
      error that names the clip and the lines, since either row could be
      the wrong one.
    - Labels are case-insensitive. A label that is a code of the common
      vocabulary (``ANG``, ``HAP``, ..., see :func:`load_crema_d`) is
      returned in capitals, so ``ang`` matches models trained on CREMA-D,
      RAVDESS or EmoDB. Other labels take their most frequent spelling in
      the file (the first, on a tie). A file that spells a label in more
      than one way gets a warning naming the spellings.
    - A speaker column must be filled in on every row: a clip without a
      speaker would form a group of its own and could share a speaker with
      the test folds. Remove the column to load without speakers.

    Examples
    --------
    >>> import os, tempfile
    >>> from skmer.datasets import load_labeled_folder
    >>> root = tempfile.mkdtemp()
    >>> for name in ["a.wav", "b.wav"]:
    ...     open(os.path.join(root, name), "wb").close()
    >>> rows = ["path,emotion,speaker", "a.wav,HAP,s1", "b.wav,sad,s2"]
    >>> with open(os.path.join(root, "labels.csv"), "w") as f:
    ...     _ = f.write(os.linesep.join(rows))
    >>> data = load_labeled_folder(root, os.path.join(root, "labels.csv"))
    >>> data.target.tolist(), data.groups.tolist()
    (['HAP', 'SAD'], ['s1', 's2'])
    """
    root, labels = os.fspath(root), os.fspath(labels)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"Dataset folder not found: {root!r}.")
    if not os.path.isfile(labels):
        raise FileNotFoundError(f"Labels file not found: {labels!r}.")
    header, rows, lines = _read_rows(labels)
    columns = {name.strip().lower(): name for name in header}
    path_column = _pick(columns, _PATH_COLUMNS, labels, required=True)
    label_column = _pick(columns, _LABEL_COLUMNS, labels, required=True)
    group_column = _pick(columns, _GROUP_COLUMNS, labels, required=False)
    if not rows:
        raise ValueError(f"Labels file {labels!r} lists no clip.")
    frame = pd.DataFrame(rows, columns=header)
    lines = np.asarray(lines)
    relpaths = frame[path_column].str.strip()
    _check_filled(relpaths, lines, what="path", labels=labels)
    target = frame[label_column].str.strip()
    _check_filled(target, lines, what="label", labels=labels)
    target = _merge_case(target.tolist(), lines, labels=labels)
    groups = None
    if group_column is not None:
        groups = frame[group_column].str.strip()
        _check_filled(
            groups,
            lines,
            what="speaker",
            labels=labels,
            fix=f" Fill in every speaker, or remove the {group_column!r} column "
            "to load the clips without speakers.",
        )
        groups = groups.to_numpy(dtype=str)
    paths = np.asarray(
        [os.path.abspath(os.path.join(root, path)) for path in relpaths], dtype=str
    )
    keep = _first_of_duplicates(paths, target, groups, lines, labels=labels)
    paths, target = paths[keep], target[keep]
    frame = frame[keep].reset_index(drop=True)
    missing = [str(path) for path in paths if not os.path.isfile(path)]
    if missing:
        shown = ", ".join(repr(path) for path in missing[:5])
        raise FileNotFoundError(
            f"{len(missing)} of the {len(paths)} clips listed in {labels!r} are "
            f"missing: {shown}{', ...' if len(missing) > 5 else ''}."
        )
    frame[label_column] = target
    if groups is not None:
        groups = groups[keep]
        frame[group_column] = groups
    frame = frame.assign(path=paths)
    return Bunch(
        paths=paths,
        target=target,
        groups=groups,
        frame=frame,
        target_names=np.unique(target),
        DESCR=f"Clips of {root!r} labelled by {labels!r}.",
        kind="folder",
    )


def _read_rows(labels):
    """Return the header, the non-blank rows and their line numbers.

    The csv module rather than pandas: pandas takes a row with one field too
    many as an index plus shifted fields, which then fail as missing clips
    named after their labels.
    """
    rows, lines = [], []
    try:
        with open(labels, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                raise ValueError(
                    f"Labels file {labels!r} is empty: expected a header such as "
                    "'path,emotion,speaker' and one row per clip."
                )
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise ValueError(
                        f"Labels file {labels!r}, line {reader.line_num}, has "
                        f"{len(row)} fields; the header has {len(header)} "
                        f"({', '.join(header)}). Quote fields that hold a comma."
                    )
                rows.append(row)
                lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise ValueError(f"Labels file {labels!r} is not UTF-8 text: {exc}.") from exc
    except csv.Error as exc:
        raise ValueError(
            f"Labels file {labels!r}, line {reader.line_num}, is not valid CSV: {exc}."
        ) from exc
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValueError(
            f"Labels file {labels!r} has the column {repeated[0]!r} more than once."
        )
    return header, rows, lines


def _lines(lines):
    """Spell line numbers for a message: 'line 3' or 'lines 3, 5, 8'."""
    lines = [str(line) for line in lines]
    shown = ", ".join(lines[:5]) + (", ..." if len(lines) > 5 else "")
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}"


def _check_filled(values, lines, *, what, labels, fix=""):
    """Raise if a column has empty cells, naming their lines."""
    empty = (values == "").to_numpy()
    if empty.any():
        raise ValueError(f"Empty {what} in {labels!r}, {_lines(lines[empty])}.{fix}")


def _merge_case(target, lines, *, labels):
    """Give each label one spelling, whatever its case (see load_labeled_folder)."""
    spellings = {}
    for label, line in zip(target, lines, strict=True):
        found = spellings.setdefault(label.casefold(), {})
        found.setdefault(label, []).append(int(line))
    chosen, merged = {}, []
    for key, found in spellings.items():
        if key.upper() in EMOTION_NAMES:
            spelling = key.upper()
        else:
            # max keeps the first of equal counts, that is, the first seen.
            spelling = max(found, key=lambda label: len(found[label]))
        chosen.update(dict.fromkeys(found, spelling))
        if len(found) > 1:
            variants = ", ".join(
                f"{label!r} (first on line {rows[0]})" for label, rows in found.items()
            )
            merged.append(f"{variants} as {spelling!r}")
    if merged:
        warnings.warn(
            f"Labels file {labels!r} spells labels in more than one case; they "
            f"are read as one label each: {'; '.join(merged)}.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )
    return np.asarray([chosen[label] for label in target], dtype=str)


def _first_of_duplicates(paths, target, groups, lines, *, labels):
    """Return a mask keeping the first row of each clip.

    Rows of one clip must agree on its label and speaker: an error names a
    clip whose rows do not, a warning the clips listed more than once.
    """
    if groups is None:
        groups = np.full(len(paths), "", dtype=str)
    rows = {}
    for index, path in enumerate(paths):
        rows.setdefault(os.path.realpath(path), []).append(index)
    repeated = [indices for indices in rows.values() if len(indices) > 1]
    for indices in repeated:
        values = {(target[i], groups[i]) for i in indices}
        if len(values) > 1:
            shown = ", ".join(
                f"line {lines[i]} ({str(target[i])!r}"
                + (f", {str(groups[i])!r})" if groups[i] else ")")
                for i in indices
            )
            raise ValueError(
                f"Labels file {labels!r} lists the clip {str(paths[indices[0]])!r} "
                f"{len(indices)} times with different labels or speakers: "
                f"{shown}. Keep one row per clip: a clip listed twice can land "
                "in both the training and the test folds."
            )
    keep = np.ones(len(paths), dtype=bool)
    for indices in repeated:
        keep[indices[1:]] = False
    if repeated:
        shown = "; ".join(
            f"{str(paths[indices[0]])!r} ({_lines(lines[indices])})"
            for indices in repeated[:3]
        )
        warnings.warn(
            f"Labels file {labels!r} lists {len(repeated)} clip(s) on more than "
            f"one row with the same label and speaker; kept the first row of "
            f"each: {shown}{'; ...' if len(repeated) > 3 else ''}.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )
    return keep


def _pick(columns, candidates, labels, *, required):
    for name in candidates:
        if name in columns:
            return columns[name]
    if required:
        raise ValueError(
            f"Labels file {labels!r} has no column named any of {list(candidates)}; "
            f"its columns are {list(columns.values())}."
        )
    return None
