"""PerClassAccuracyDisplay: accuracy and mean confidence on each class."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skmer.evaluation._base import final_estimator
from skmer.evaluation._plot._base import _grouped_bars, _new_axes
from skmer.evaluation._scores import per_class_accuracy


class PerClassAccuracyDisplay:
    """Accuracy and mean confidence of the model on each class.

    Build it with :meth:`from_predictions` or :meth:`from_estimator`; call
    :func:`per_class_accuracy` for the numbers alone.

    Parameters
    ----------
    scores : DataFrame
        The table of :func:`per_class_accuracy`: one row per class (the
        index), with ``n_samples``, ``accuracy`` and ``confidence``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the accuracy of each class and, beside it, the confidence.
    figure_ : matplotlib Figure
        Figure containing the bars.

    See Also
    --------
    per_class_accuracy : Compute the table.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import PerClassAccuracyDisplay
    >>> proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    >>> display = PerClassAccuracyDisplay.from_predictions(
    ...     ["ANG", "ANG", "SAD"], ["ANG", "SAD", "SAD"], y_proba=proba
    ... )
    >>> [round(float(bar.get_height()), 2) for bar in display.ax_.patches]
    [0.5, 1.0, 0.75, 0.8]
    """

    def __init__(self, scores):
        self.scores = scores

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, y_proba=None, labels=None, ax=None):
        """Plot per-class accuracy and confidence of predictions.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        y_proba : array-like of shape (n_samples, n_classes), default=None
            Predicted probabilities; their row maxima are the confidences.
        labels : array-like of shape (n_classes,), default=None
            Classes, in order; see :func:`per_class_accuracy`.
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PerClassAccuracyDisplay
            The table of :func:`per_class_accuracy`, plotted.
        """
        scores = per_class_accuracy(y_true, y_pred, y_proba=y_proba, labels=labels)
        return cls(scores).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, ax=None):
        """Plot per-class accuracy and confidence of a fitted classifier.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier or Pipeline; with ``predict_proba``, the
            confidences are its largest probabilities.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PerClassAccuracyDisplay
            The scores of the classifier's predictions, plotted.
        """
        classes = final_estimator(estimator).classes_
        proba = None
        if hasattr(estimator, "predict_proba"):
            proba = estimator.predict_proba(X)
            y_pred = classes[np.argmax(proba, axis=1)]
        else:
            y_pred = estimator.predict(X)
        return cls.from_predictions(y, y_pred, y_proba=proba, labels=classes, ax=ax)

    def plot(self, *, ax=None):
        """Plot accuracy and mean confidence per class as bars.

        The confidence bars are left out when no confidence is known.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        self : PerClassAccuracyDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, ax = _new_axes(ax, "PerClassAccuracyDisplay.plot")
        columns = ["accuracy"]
        if self.scores["confidence"].notna().any():
            columns.append("confidence")
        bars = self.scores[columns].set_axis(
            [f"{c}\n(n={n})" for c, n in self.scores["n_samples"].items()]
        )
        _grouped_bars(ax, bars)
        ax.set_ylim(0, 1.05)
        ax.set_title("Per-class accuracy and mean confidence")
        self.ax_, self.figure_ = ax, figure
        return self
