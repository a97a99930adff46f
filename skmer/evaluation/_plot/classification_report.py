"""ClassificationReportDisplay: per-class precision, recall and F1 as a heatmap."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skmer.evaluation._plot._base import _new_axes
from skmer.evaluation._scores import _classification_report


class ClassificationReportDisplay:
    """Per-class precision, recall, F1 and support, as a heatmap.

    The numbers of :func:`per_class_scores`, with the macro and weighted
    averages. Build it with :meth:`from_predictions` or
    :meth:`from_estimator`, which compute the numbers and plot them; call
    :func:`per_class_scores` for the numbers alone.

    Parameters
    ----------
    report : DataFrame
        The table of :func:`per_class_scores`: one row per class, then
        ``'macro avg'`` and ``'weighted avg'``; the columns ``precision``,
        ``recall``, ``f1-score`` and ``support``.
    accuracy : float, default=None
        Overall accuracy, shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the heatmap.
    figure_ : matplotlib Figure
        Figure containing the heatmap.

    See Also
    --------
    per_class_scores : Compute the table.
    sklearn.metrics.classification_report : The same numbers as text.

    Examples
    --------
    >>> from skmer.evaluation import ClassificationReportDisplay
    >>> display = ClassificationReportDisplay.from_predictions(
    ...     ["ANG", "HAP", "SAD", "SAD"], ["ANG", "SAD", "SAD", "SAD"]
    ... )
    >>> display.ax_.get_title()
    'Classification report (accuracy 0.75)'
    """

    def __init__(self, report, *, accuracy=None):
        self.report = report
        self.accuracy = accuracy

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        labels=None,
        sample_weight=None,
        zero_division=0,
        ax=None,
    ):
        """Plot the report of true and predicted labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like of shape (n_classes,), default=None
            Classes to report, in order; see :func:`per_class_scores`.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        zero_division : {0.0, 1.0, nan}, default=0
            Value of precision or recall when its denominator is zero.
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : ClassificationReportDisplay
            The table of :func:`per_class_scores` and the accuracy, plotted.
        """
        report, accuracy = _classification_report(
            y_true,
            y_pred,
            labels=labels,
            sample_weight=sample_weight,
            zero_division=zero_division,
        )
        return cls(report, accuracy=accuracy).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, labels=None, ax=None):
        """Plot the report of a fitted classifier's predictions on X.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier or Pipeline.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        labels : array-like of shape (n_classes,), default=None
            Classes to report. None uses the sorted labels found.
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : ClassificationReportDisplay
            The report of the classifier's predictions, plotted.
        """
        return cls.from_predictions(y, estimator.predict(X), labels=labels, ax=ax)

    def plot(self, *, ax=None, cmap="viridis"):
        """Plot precision, recall and F1 of each class as an annotated heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.
        cmap : str or matplotlib Colormap, default='viridis'
            Colormap of the heatmap.

        Returns
        -------
        self : ClassificationReportDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, ax = _new_axes(ax, "ClassificationReportDisplay.plot")
        values = self.report[["precision", "recall", "f1-score"]].to_numpy(float)
        image = ax.imshow(values, cmap=cmap, vmin=0, vmax=1, aspect="auto")
        for (row, column), value in np.ndenumerate(values):
            ax.text(
                column,
                row,
                f"{value:.2f}",
                ha="center",
                va="center",
                color="white" if value < 0.5 else "black",
            )
        ax.set_xticks(range(3), ["precision", "recall", "F1"])
        ax.set_yticks(
            range(len(self.report)),
            [f"{name} ({n})" for name, n in self.report["support"].items()],
        )
        title = "Classification report"
        if self.accuracy is not None:
            title += f" (accuracy {self.accuracy:.2f})"
        ax.set_title(title)
        figure.colorbar(image, ax=ax)
        self.ax_, self.figure_ = ax, figure
        return self
