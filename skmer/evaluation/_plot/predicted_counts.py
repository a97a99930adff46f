"""PredictedCountsDisplay: samples of each class, true against predicted."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.evaluation._base import final_estimator
from skmer.evaluation._plot._base import _grouped_bars, _new_axes
from skmer.evaluation._scores import predicted_counts


class PredictedCountsDisplay:
    """Number of samples of each class, true against predicted.

    Shows whether a model over- or under-predicts a class, with the
    difference (predicted minus true) above each pair of bars. Build it
    with :meth:`from_predictions` or :meth:`from_estimator`; call
    :func:`predicted_counts` for the numbers alone.

    Parameters
    ----------
    counts : DataFrame
        The table of :func:`predicted_counts`: one row per class (the
        index), with the columns ``true``, ``predicted`` and
        ``difference``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with two bars per class, the true count left.
    figure_ : matplotlib Figure
        Figure containing the bars.

    See Also
    --------
    predicted_counts : Count the samples of each class.

    Examples
    --------
    >>> from skmer.evaluation import PredictedCountsDisplay
    >>> display = PredictedCountsDisplay.from_predictions(
    ...     ["ANG", "HAP", "SAD", "SAD"], ["ANG", "SAD", "SAD", "SAD"]
    ... )
    >>> [text.get_text() for text in display.ax_.texts]
    ['+0', '-1', '+1']
    """

    def __init__(self, counts):
        self.counts = counts

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, labels=None, ax=None):
        """Plot the counts of true and predicted labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like of shape (n_classes,), default=None
            Classes, in order; see :func:`predicted_counts`.
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PredictedCountsDisplay
            The counts of :func:`predicted_counts`, plotted.
        """
        return cls(predicted_counts(y_true, y_pred, labels=labels)).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, labels=None, ax=None):
        """Plot the counts of true labels and a fitted classifier's predictions.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier or Pipeline.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        labels : array-like of shape (n_classes,), default=None
            Classes, in order. None uses the classifier's ``classes_``.
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PredictedCountsDisplay
            The counts of the classifier's predictions, plotted.
        """
        if labels is None:
            labels = final_estimator(estimator).classes_
        return cls.from_predictions(y, estimator.predict(X), labels=labels, ax=ax)

    def plot(self, *, ax=None):
        """Plot true and predicted counts side by side, with their difference.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        self : PredictedCountsDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, ax = _new_axes(ax, "PredictedCountsDisplay.plot")
        bars = self.counts[["true", "predicted"]]
        position, _ = _grouped_bars(ax, bars)
        for x, height, difference in zip(
            position, bars.max(axis=1), self.counts["difference"], strict=True
        ):
            ax.annotate(
                f"{difference:+d}",
                (x, height),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
            )
        ax.set_ylabel("samples")
        ax.set_title("True vs predicted counts")
        self.ax_, self.figure_ = ax, figure
        return self
