"""Any folder of clips, labelled by a CSV file."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import os

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

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
        CSV file with a header and one row per clip: a path column
        (``path``, ``file`` or ``filename``; relative to ``root`` or
        absolute), a label column (``emotion``, ``label`` or ``target``) and,
        optionally, a speaker column (``speaker``, ``actor`` or ``group``).
        Without a speaker column, ``groups`` is None and evaluation cannot be
        speaker-independent.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``paths`` (absolute), ``target``, ``groups`` (str or None),
        ``frame`` (the CSV rows, with absolute paths), ``target_names``,
        ``DESCR`` and ``kind='folder'``.

    Raises
    ------
    FileNotFoundError
        If ``root`` or ``labels`` does not exist, or a listed clip is
        missing (all missing clips are named, up to five).
    ValueError
        If a required column is missing or a label is empty.

    Examples
    --------
    >>> import os, tempfile
    >>> from skmer.datasets import load_labeled_folder
    >>> root = tempfile.mkdtemp()
    >>> for name in ["a.wav", "b.wav"]:
    ...     open(os.path.join(root, name), "wb").close()
    >>> rows = ["path,emotion,speaker", "a.wav,HAP,s1", "b.wav,SAD,s2"]
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
    frame = pd.read_csv(labels, dtype=str, keep_default_na=False)
    columns = {name.strip().lower(): name for name in frame.columns}
    path_column = _pick(columns, _PATH_COLUMNS, labels, required=True)
    label_column = _pick(columns, _LABEL_COLUMNS, labels, required=True)
    group_column = _pick(columns, _GROUP_COLUMNS, labels, required=False)
    if frame.empty:
        raise ValueError(f"Labels file {labels!r} lists no clip.")
    paths = [
        os.path.abspath(os.path.join(root, path.strip())) for path in frame[path_column]
    ]
    missing = [path for path in paths if not os.path.isfile(path)]
    if missing:
        shown = ", ".join(repr(path) for path in missing[:5])
        raise FileNotFoundError(
            f"{len(missing)} of the {len(paths)} clips listed in {labels!r} are "
            f"missing: {shown}{', ...' if len(missing) > 5 else ''}."
        )
    target = frame[label_column].str.strip().to_numpy(dtype=str)
    if (target == "").any():
        row = int(np.flatnonzero(target == "")[0]) + 2
        raise ValueError(f"Empty label in {labels!r}, line {row}.")
    frame = frame.assign(path=paths)
    groups = None
    if group_column is not None:
        groups = frame[group_column].str.strip().to_numpy(dtype=str)
    return Bunch(
        paths=np.asarray(paths, dtype=str),
        target=target,
        groups=groups,
        frame=frame,
        target_names=np.unique(target),
        DESCR=f"Clips of {root!r} labelled by {labels!r}.",
        kind="folder",
    )


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
