"""GroupAccuracyDisplay: accuracy, and the face detector's hit rate, by group."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from skmer.evaluation._groups import accuracy_by_group, detection_rate_by_group
from skmer.evaluation._plot._base import _grouped_bars, _new_axes


class GroupAccuracyDisplay:
    """Accuracy, and the face detector's hit rate, within groups of clips.

    Groups are the values of each grouping variable: emotion intensity
    (CREMA-D ``LO``/``MD``/``HI``/``XX``, RAVDESS normal/strong), actor, and
    the actors' demographics where known (CREMA-D's sex, age band, race).
    A group whose accuracy or detection rate falls well below the others
    shows a bias: on the CREMA-D clips the face detector's misses cluster
    on one dark-skinned actor. Call :func:`accuracy_by_group` and
    :func:`detection_rate_by_group` for the numbers alone.

    Parameters
    ----------
    accuracy : DataFrame
        The table of :func:`accuracy_by_group`.
    detection : DataFrame or None
        The table of :func:`detection_rate_by_group`, or None.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        One panel per grouping variable.
    figure_ : matplotlib Figure
        Figure containing the panels.

    Examples
    --------
    >>> from skmer.evaluation import GroupAccuracyDisplay
    >>> display = GroupAccuracyDisplay.from_predictions(
    ...     ["ANG", "SAD", "ANG", "SAD"], ["ANG", "SAD", "SAD", "SAD"],
    ...     groups={"intensity": ["HI", "HI", "LO", "LO"]},
    ...     detected=[True, True, True, False],
    ... )
    >>> display.table[["group", "accuracy", "detection_rate"]].values.tolist()
    [['HI', 1.0, 1.0], ['LO', 0.5, 0.5]]
    >>> display.ax_[0].get_title()
    'By intensity'
    """

    def __init__(self, accuracy, detection=None):
        self.accuracy = accuracy
        self.detection = detection

    @property
    def table(self):
        """Accuracy and detection rate side by side.

        Returns
        -------
        table : DataFrame
            One row per variable and group: ``variable``, ``group``,
            ``n_samples``, ``accuracy`` and, when known, ``detection_rate``.
        """
        if self.detection is None:
            return self.accuracy
        return self.accuracy.merge(
            self.detection, on=["variable", "group", "n_samples"], how="outer"
        )

    @classmethod
    def from_predictions(cls, y_true, y_pred, groups, *, detected=None, ax=None):
        """Plot accuracy (and detection rate) by group of predictions.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        groups : DataFrame, dict, Series or array-like of shape (n_samples,)
            Grouping variables, one column each (e.g. the ``intensity``,
            ``actor``, ``sex``, ``age_band`` and ``race`` columns of
            :func:`~skmer.datasets.load_crema_d`'s ``frame``).
        detected : array-like, default=None
            Face detections per clip, per frame, or the boxes of
            :meth:`~skmer.feature_extraction.FaceExtractor.locate_faces`
            (see :func:`detection_rate_by_group`).
        ax : array-like of matplotlib Axes, default=None
            One Axes per grouping variable; None makes a new figure.

        Returns
        -------
        display : GroupAccuracyDisplay
            The tables of :func:`accuracy_by_group` and
            :func:`detection_rate_by_group`, plotted.
        """
        if isinstance(groups, dict):
            groups = pd.DataFrame(groups)
        accuracy = accuracy_by_group(y_true, y_pred, groups)
        detection = None
        if detected is not None:
            detection = detection_rate_by_group(detected, groups)
        return cls(accuracy, detection).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, groups, *, detected=None, ax=None):
        """Plot accuracy (and detection rate) by group of a fitted classifier.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier or Pipeline.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        groups : DataFrame, dict, Series or array-like of shape (n_samples,)
            Grouping variables, one column each.
        detected : array-like, default=None
            Face detections per clip, per frame, or face boxes (see
            :func:`detection_rate_by_group`).
        ax : array-like of matplotlib Axes, default=None
            One Axes per grouping variable; None makes a new figure.

        Returns
        -------
        display : GroupAccuracyDisplay
            The classifier's accuracy by group, plotted.
        """
        return cls.from_predictions(
            y, estimator.predict(X), groups, detected=detected, ax=ax
        )

    def plot(self, *, ax=None):
        """Plot one bar chart per grouping variable.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per grouping variable; None makes a new figure, with
            one row per variable.

        Returns
        -------
        self : GroupAccuracyDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        table = self.table
        variables = list(dict.fromkeys(table["variable"]))
        widest = table.groupby("variable").size().max()
        figure, axes = _new_axes(
            ax,
            "GroupAccuracyDisplay.plot",
            n_axes=len(variables),
            # Wide enough for the groups, but no wider than a page shows at
            # full size: a wider image is scaled down, text with it.
            figsize=(min(12, max(6, 0.3 * widest)), 3 * len(variables)),
            stacked=True,
        )
        axes = np.atleast_1d(axes)
        for axis, variable in zip(axes, variables, strict=True):
            self._plot_variable(axis, table[table["variable"] == variable])
            axis.set_title(f"By {variable}")
        self.ax_, self.figure_ = axes, figure
        return self

    @staticmethod
    def _plot_variable(axis, rows):
        """Bars of one grouping variable: accuracy (and detection rate)."""
        # Many groups: upright labels would overlap, so turn them and drop
        # the counts.
        rotation = 90 if len(rows) > 8 else 0
        ticks = [
            f"{g}\n(n={n})" if not rotation else str(g)
            for g, n in zip(rows["group"], rows["n_samples"], strict=True)
        ]
        columns = {"accuracy": "accuracy", "detection_rate": "face detection rate"}
        bars = rows[[c for c in columns if c in rows]].rename(columns=columns)
        _grouped_bars(
            axis,
            bars.set_axis(ticks),
            rotation=rotation,
            fontsize=7 if len(rows) > 40 else None,
        )
        axis.set_xlim(-0.6, len(rows) - 0.4)
        axis.set_ylim(0, 1.05)
