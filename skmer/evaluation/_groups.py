"""Accuracy and face-detection rate by group: intensity, actor, demographics."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

__all__ = [
    "accuracy_by_group",
    "age_bands",
    "detection_rate_by_group",
]


def _check_groups(groups, n_samples):
    """Return groups as a DataFrame of text columns, one row per sample."""
    if isinstance(groups, pd.DataFrame):
        frame = groups.reset_index(drop=True)
    elif isinstance(groups, pd.Series):
        frame = groups.reset_index(drop=True).to_frame(groups.name or "group")
    else:
        values = np.asarray(groups)
        if values.ndim != 1:
            raise ValueError(
                "groups must be a DataFrame, a Series or a 1-D array; got an "
                f"array of shape {values.shape}."
            )
        frame = pd.DataFrame({"group": values})
    if len(frame) != n_samples:
        raise ValueError(
            f"groups must have one row per sample ({n_samples}); got {len(frame)}."
        )
    # Missing values (an actor without demographics) form their own group.
    return frame.astype(object).where(frame.notna(), "unknown").astype(str)


def _tidy(groups, value, value_name, weight=None):
    """Mean of ``value`` per group of each column of ``groups``, tidy."""
    rows = []
    weight = np.ones(len(value)) if weight is None else weight
    for variable in groups.columns:
        table = pd.DataFrame(
            {"group": groups[variable], "value": value * weight, "weight": weight}
        )
        summed = table.groupby("group", sort=True).agg(
            n_samples=("value", "size"),
            value=("value", "sum"),
            weight=("weight", "sum"),
        )
        for group, row in summed.iterrows():
            rows.append(
                {
                    "variable": variable,
                    "group": group,
                    "n_samples": int(row["n_samples"]),
                    value_name: row["value"] / row["weight"]
                    if row["weight"] > 0
                    else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["variable", "group", "n_samples", value_name])


def accuracy_by_group(y_true, y_pred, groups):
    """Accuracy of predictions within each group of samples.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    groups : DataFrame, Series or array-like of shape (n_samples,)
        Group of each sample; each column of a DataFrame is one grouping
        variable, for instance the ``intensity``, ``actor``, ``sex``,
        ``race`` and ``age_band`` columns of a dataset's ``frame``. Missing
        values form the group ``'unknown'``.

    Returns
    -------
    accuracy : DataFrame
        One row per variable and group: ``variable`` (the column name, or
        ``'group'`` for an array), ``group``, ``n_samples`` and
        ``accuracy``.

    See Also
    --------
    detection_rate_by_group : The face detector's hit rate by group.
    GroupAccuracyDisplay : Plot both.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmer.evaluation import accuracy_by_group
    >>> groups = pd.DataFrame({"intensity": ["HI", "HI", "LO", "LO"]})
    >>> accuracy_by_group(["ANG", "SAD", "ANG", "SAD"], ["ANG", "SAD", "SAD", "SAD"],
    ...                   groups)
        variable group  n_samples  accuracy
    0  intensity    HI          2       1.0
    1  intensity    LO          2       0.5
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            "y_true and y_pred must be 1-D arrays of the same length; got shapes "
            f"{y_true.shape} and {y_pred.shape}."
        )
    groups = _check_groups(groups, len(y_true))
    return _tidy(groups, (y_true == y_pred).astype(float), "accuracy")


def detection_rate_by_group(detected, groups):
    """Hit rate of the face detector within each group of clips.

    Parameters
    ----------
    detected : array-like of shape (n_samples,) or (n_samples, n_frames)
        Whether a face was found: one boolean per clip, one per sampled
        frame, or (shape ``(n_samples, n_frames, 4)``) the face boxes of
        :meth:`~skmer.feature_extraction.FaceExtractor.locate_faces` (NaN
        where no face was found).
    groups : DataFrame, Series or array-like of shape (n_samples,)
        Group of each clip, as for :func:`accuracy_by_group`.

    Returns
    -------
    detection : DataFrame
        One row per variable and group: ``variable``, ``group``,
        ``n_samples`` (clips) and ``detection_rate``, the fraction of the
        group's frames (or clips) with a face found.

    See Also
    --------
    accuracy_by_group : The classifier's accuracy by group.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import detection_rate_by_group
    >>> detected = np.array([[True, True], [True, False], [False, False]])
    >>> detection_rate_by_group(detected, ["1001", "1001", "1032"])
      variable group  n_samples  detection_rate
    0    group  1001          2            0.75
    1    group  1032          1            0.00
    """
    detected = np.asarray(detected)
    if detected.ndim == 3 and detected.shape[-1] == 4:
        hits = ~np.isnan(detected.astype(float)).any(axis=-1)
    elif detected.ndim in (1, 2):
        hits = detected.astype(bool)
    else:
        raise ValueError(
            "detected must have shape (n_samples,), (n_samples, n_frames) or "
            f"(n_samples, n_frames, 4) (face boxes); got {detected.shape}."
        )
    hits = hits.reshape(len(hits), -1)
    groups = _check_groups(groups, len(hits))
    # Every frame counts once: clips weigh by their number of frames.
    n_frames = np.full(len(hits), hits.shape[1], dtype=float)
    return _tidy(groups, hits.mean(axis=1), "detection_rate", weight=n_frames)


def age_bands(age, *, width=10):
    """Bin ages into bands such as ``'20-29'``.

    Parameters
    ----------
    age : array-like of shape (n_samples,)
        Ages in years; missing values give ``'unknown'``.
    width : int, default=10
        Width of the bands in years.

    Returns
    -------
    bands : ndarray of str of shape (n_samples,)
        The band of each age.

    Examples
    --------
    >>> from skmer.evaluation import age_bands
    >>> age_bands([21, 35, 74, None]).tolist()
    ['20-29', '30-39', '70-79', 'unknown']
    """
    age = pd.to_numeric(pd.Series(age), errors="coerce").to_numpy()
    low = np.floor(age / width) * width
    return np.array(
        [
            "unknown" if np.isnan(lo) else f"{int(lo)}-{int(lo) + width - 1}"
            for lo in low
        ]
    )
