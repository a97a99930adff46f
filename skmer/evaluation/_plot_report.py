"""Displays of the paper's reports: per-class scores, counts, training history."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, classification_report

from skmer.evaluation._base import final_estimator
from skmer.utils._optional import import_optional

__all__ = [
    "ClassificationReportDisplay",
    "PerClassAccuracyDisplay",
    "PredictedCountsDisplay",
    "TrainingHistoryDisplay",
    "plot_confusion_matrices",
]


def _pyplot(caller):
    return import_optional("matplotlib.pyplot", "plot", caller=caller)


def _new_axes(ax, caller, n_axes=1, figsize=None):
    """Return (figure, axes) of the given axes, or of a new figure."""
    plt = _pyplot(caller)
    if ax is None:
        # Constrained layout keeps long tick labels and the legends placed
        # beside the axes inside the figure.
        figure, ax = plt.subplots(
            1, n_axes, figsize=figsize, squeeze=False, layout="constrained"
        )
        ax = ax[0] if n_axes > 1 else ax[0, 0]
    elif n_axes > 1:
        ax = np.asarray(ax, dtype=object).ravel()
        if len(ax) != n_axes:
            raise ValueError(f"ax must hold {n_axes} Axes; got {len(ax)}.")
    first = ax[0] if n_axes > 1 else ax
    return first.figure, ax


def _legend_beside(ax):
    """Put the legend of ``ax`` to its right, where it hides no bar or line."""
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        fontsize=9,
    )


def _predict_with_proba(estimator, X):
    """Predictions and, when available, class probabilities."""
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(X)
        classes = final_estimator(estimator).classes_
        return classes[np.argmax(proba, axis=1)], proba, classes
    return estimator.predict(X), None, final_estimator(estimator).classes_


class ClassificationReportDisplay:
    """Per-class precision, recall, F1 and support, as a table and a heatmap.

    The numbers of :func:`sklearn.metrics.classification_report`, with the
    macro and weighted averages. Build it with :meth:`from_predictions` or
    :meth:`from_estimator`; the numbers are in :attr:`report` without
    plotting.

    Parameters
    ----------
    report : DataFrame
        One row per class, then ``'macro avg'`` and ``'weighted avg'``; the
        columns ``precision``, ``recall``, ``f1-score`` and ``support``.
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
    sklearn.metrics.classification_report : The same numbers as text.

    Examples
    --------
    >>> from skmer.evaluation import ClassificationReportDisplay
    >>> display = ClassificationReportDisplay.from_predictions(
    ...     ["ANG", "HAP", "SAD", "SAD"], ["ANG", "SAD", "SAD", "SAD"], plot=False
    ... )
    >>> display.report.loc["SAD", "recall"]
    np.float64(1.0)
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
        plot=True,
        ax=None,
    ):
        """Compute the report from true and predicted labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like of shape (n_classes,), default=None
            Classes to report, in order. None uses the sorted labels found.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        zero_division : {0.0, 1.0, nan}, default=0
            Value of precision or recall when its denominator is zero.
        plot : bool, default=True
            Plot the heatmap (needs matplotlib).
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : ClassificationReportDisplay
            The display, plotted when ``plot=True``.
        """
        report = classification_report(
            y_true,
            y_pred,
            labels=labels,
            sample_weight=sample_weight,
            zero_division=zero_division,
            output_dict=True,
        )
        accuracy = report.pop("accuracy", None)
        report.pop("micro avg", None)
        if accuracy is None:
            accuracy = float(np.average(np.asarray(y_true) == np.asarray(y_pred)))
        frame = pd.DataFrame(report).T
        frame["support"] = frame["support"].astype(int)
        display = cls(frame, accuracy=float(accuracy))
        return display.plot(ax=ax) if plot else display

    @classmethod
    def from_estimator(cls, estimator, X, y, *, labels=None, plot=True, ax=None):
        """Compute the report from a fitted classifier's predictions on X.

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
        plot : bool, default=True
            Plot the heatmap (needs matplotlib).
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : ClassificationReportDisplay
            The display, plotted when ``plot=True``.
        """
        return cls.from_predictions(
            y, estimator.predict(X), labels=labels, plot=plot, ax=ax
        )

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


def plot_confusion_matrices(
    y_true, y_pred, *, labels=None, display_labels=None, ax=None, cmap="Blues"
):
    """Plot the confusion matrix as counts and normalised by true class.

    A thin helper over :class:`sklearn.metrics.ConfusionMatrixDisplay`,
    which draws each of the two panels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Classes, in order. None uses the sorted labels found.
    display_labels : array-like of shape (n_classes,), default=None
        Names shown for the classes. None shows ``labels``.
    ax : array-like of 2 matplotlib Axes, default=None
        Axes of the counts and the normalised matrix; None makes a new
        figure with two panels.
    cmap : str or matplotlib Colormap, default='Blues'
        Colormap of both panels.

    Returns
    -------
    counts : sklearn.metrics.ConfusionMatrixDisplay
        The matrix of counts (``confusion_matrix`` holds the numbers).
    normalized : sklearn.metrics.ConfusionMatrixDisplay
        The matrix normalised over each true class (rows sum to 1).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skmer.evaluation import plot_confusion_matrices
    >>> counts, normalized = plot_confusion_matrices(
    ...     ["ANG", "HAP", "SAD", "SAD"], ["ANG", "SAD", "SAD", "SAD"]
    ... )
    >>> counts.confusion_matrix.tolist()
    [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    """
    _, axes = _new_axes(ax, "plot_confusion_matrices", n_axes=2, figsize=(11, 4.5))
    displays = []
    for axis, normalize, fmt, title in (
        (axes[0], None, "d", "Counts"),
        (axes[1], "true", ".2f", "Normalised over true class"),
    ):
        display = ConfusionMatrixDisplay.from_predictions(
            y_true,
            y_pred,
            labels=labels,
            display_labels=display_labels,
            normalize=normalize,
            values_format=fmt,
            cmap=cmap,
            ax=axis,
            colorbar=False,
        )
        axis.set_title(title)
        displays.append(display)
    return tuple(displays)


class PredictedCountsDisplay:
    """Number of samples of each class, true against predicted.

    Shows whether a model over- or under-predicts a class, with the
    difference (predicted minus true) above each pair of bars.

    Parameters
    ----------
    counts : DataFrame
        One row per class (the index), with the columns ``true``,
        ``predicted`` and ``difference``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the bars.
    figure_ : matplotlib Figure
        Figure containing the bars.

    Examples
    --------
    >>> from skmer.evaluation import PredictedCountsDisplay
    >>> display = PredictedCountsDisplay.from_predictions(
    ...     ["ANG", "HAP", "SAD", "SAD"], ["ANG", "SAD", "SAD", "SAD"], plot=False
    ... )
    >>> display.counts["difference"].tolist()
    [0, -1, 1]
    """

    def __init__(self, counts):
        self.counts = counts

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, labels=None, plot=True, ax=None):
        """Count true and predicted labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like of shape (n_classes,), default=None
            Classes, in order. None uses the sorted labels of both.
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PredictedCountsDisplay
            The display, plotted when ``plot=True``.
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if labels is None:
            labels = np.unique(np.concatenate([y_true, y_pred]))
        true = np.array([np.sum(y_true == label) for label in labels])
        predicted = np.array([np.sum(y_pred == label) for label in labels])
        counts = pd.DataFrame(
            {"true": true, "predicted": predicted, "difference": predicted - true},
            index=pd.Index(labels, name="class"),
        )
        display = cls(counts)
        return display.plot(ax=ax) if plot else display

    @classmethod
    def from_estimator(cls, estimator, X, y, *, labels=None, plot=True, ax=None):
        """Count true labels and a fitted classifier's predictions on X.

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
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PredictedCountsDisplay
            The display, plotted when ``plot=True``.
        """
        if labels is None:
            labels = final_estimator(estimator).classes_
        return cls.from_predictions(
            y, estimator.predict(X), labels=labels, plot=plot, ax=ax
        )

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
        position = np.arange(len(self.counts))
        ax.bar(position - 0.2, self.counts["true"], 0.4, label="true")
        ax.bar(position + 0.2, self.counts["predicted"], 0.4, label="predicted")
        top = self.counts[["true", "predicted"]].max(axis=1)
        for x, height, difference in zip(
            position, top, self.counts["difference"], strict=True
        ):
            ax.annotate(
                f"{difference:+d}",
                (x, height),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
            )
        ax.set_xticks(position, [str(label) for label in self.counts.index])
        ax.set_ylabel("samples")
        ax.set_title("True vs predicted counts")
        _legend_beside(ax)
        self.ax_, self.figure_ = ax, figure
        return self


class TrainingHistoryDisplay:
    """Training and validation loss and accuracy over epochs.

    Parameters
    ----------
    history : DataFrame
        One row per epoch (column ``epoch``, from 1), with the columns of
        the classifier's ``history_``: ``loss``, ``accuracy`` and, under
        early stopping, ``val_loss`` and ``val_accuracy``.

    Attributes
    ----------
    ax_ : ndarray of 2 matplotlib Axes
        The loss and the accuracy panels.
    figure_ : matplotlib Figure
        Figure containing the panels.

    Examples
    --------
    >>> from skmer.evaluation import TrainingHistoryDisplay
    >>> history = {"loss": [1.1, 0.9], "accuracy": [0.4, 0.6]}
    >>> display = TrainingHistoryDisplay.from_history(history, plot=False)
    >>> display.history["epoch"].tolist()
    [1, 2]
    """

    def __init__(self, history):
        self.history = history

    @classmethod
    def from_history(cls, history, *, plot=True, ax=None):
        """Make the display from a ``history_`` dict.

        Parameters
        ----------
        history : dict of str to list of float
            Per-epoch values, as :attr:`DualStreamClassifier.history_
            <skmer.neural_network.DualStreamClassifier>` or Keras'
            ``History.history``.
        plot : bool, default=True
            Plot the curves (needs matplotlib).
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the loss and the accuracy; None makes a new figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, plotted when ``plot=True``.
        """
        if not isinstance(history, dict) or "loss" not in history:
            raise ValueError(
                "history must be a dict of per-epoch lists with at least 'loss', "
                f"as DualStreamClassifier.history_; got {type(history).__name__}"
                + (
                    f" with keys {sorted(history)}."
                    if isinstance(history, dict)
                    else "."
                )
            )
        frame = pd.DataFrame(history)
        frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
        display = cls(frame)
        return display.plot(ax=ax) if plot else display

    @classmethod
    def from_estimator(cls, estimator, *, plot=True, ax=None):
        """Make the display from a fitted classifier's ``history_``.

        Parameters
        ----------
        estimator : estimator object
            A fitted DualStreamClassifier, or a Pipeline ending in one.
        plot : bool, default=True
            Plot the curves (needs matplotlib).
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the loss and the accuracy; None makes a new figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, plotted when ``plot=True``.
        """
        clf = final_estimator(estimator)
        if not hasattr(clf, "history_"):
            raise ValueError(
                f"{type(clf).__name__} has no history_: pass a fitted "
                "DualStreamClassifier, or a Pipeline ending in one."
            )
        return cls.from_history(clf.history_, plot=plot, ax=ax)

    def plot(self, *, ax=None):
        """Plot loss and accuracy per epoch, training and validation.

        The epoch of lowest validation loss (the weights early stopping
        keeps) is marked with a dotted line.

        Parameters
        ----------
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the loss and the accuracy; None makes a new figure.

        Returns
        -------
        self : TrainingHistoryDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, axes = _new_axes(
            ax, "TrainingHistoryDisplay.plot", n_axes=2, figsize=(10, 4)
        )
        from matplotlib.ticker import MaxNLocator

        epoch = self.history["epoch"]
        best = None
        if "val_loss" in self.history:
            best = int(epoch[self.history["val_loss"].idxmin()])
        for axis, metric in zip(axes, ["loss", "accuracy"], strict=True):
            for prefix, label in (("", "training"), ("val_", "validation")):
                if prefix + metric in self.history:
                    axis.plot(epoch, self.history[prefix + metric], label=label)
            if best is not None:
                axis.axvline(best, linestyle=":", color="gray", label="best epoch")
            axis.set_xlabel("epoch")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_ylabel(metric)
            axis.set_title(metric.capitalize())
            axis.legend(fontsize=9)
        self.ax_, self.figure_ = axes, figure
        return self


class PerClassAccuracyDisplay:
    """Accuracy and mean confidence of the model on each class.

    Parameters
    ----------
    scores : DataFrame
        One row per class (the index): ``n_samples``, ``accuracy`` (the
        recall of the class) and ``confidence`` (the mean largest predicted
        probability over the class's samples; NaN without probabilities).

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the bars.
    figure_ : matplotlib Figure
        Figure containing the bars.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import PerClassAccuracyDisplay
    >>> proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    >>> display = PerClassAccuracyDisplay.from_predictions(
    ...     ["ANG", "ANG", "SAD"], ["ANG", "SAD", "SAD"], y_proba=proba, plot=False
    ... )
    >>> display.scores[["accuracy", "confidence"]].round(2).values.tolist()
    [[0.5, 0.75], [1.0, 0.8]]
    """

    def __init__(self, scores):
        self.scores = scores

    @classmethod
    def from_predictions(
        cls, y_true, y_pred, *, y_proba=None, labels=None, plot=True, ax=None
    ):
        """Compute per-class accuracy and confidence from predictions.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        y_proba : array-like of shape (n_samples, n_classes), default=None
            Predicted probabilities; their row maxima are the confidences.
        labels : array-like of shape (n_classes,), default=None
            Classes, in order. None uses the sorted true labels.
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PerClassAccuracyDisplay
            The display, plotted when ``plot=True``.
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if labels is None:
            labels = np.unique(y_true)
        confidence = None
        if y_proba is not None:
            y_proba = np.asarray(y_proba, dtype=float)
            if y_proba.ndim != 2 or len(y_proba) != len(y_true):
                raise ValueError(
                    "y_proba must have shape (n_samples, n_classes) with "
                    f"n_samples={len(y_true)}; got {y_proba.shape}."
                )
            confidence = y_proba.max(axis=1)
        rows = []
        for label in labels:
            mask = y_true == label
            rows.append(
                {
                    "n_samples": int(mask.sum()),
                    "accuracy": float(np.mean(y_pred[mask] == label))
                    if mask.any()
                    else np.nan,
                    "confidence": float(confidence[mask].mean())
                    if confidence is not None and mask.any()
                    else np.nan,
                }
            )
        scores = pd.DataFrame(rows, index=pd.Index(labels, name="class"))
        display = cls(scores)
        return display.plot(ax=ax) if plot else display

    @classmethod
    def from_estimator(cls, estimator, X, y, *, plot=True, ax=None):
        """Compute per-class accuracy and confidence of a fitted classifier.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier or Pipeline; with ``predict_proba``, the
            confidences are its largest probabilities.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : matplotlib Axes, default=None
            Axes to plot on; None makes a new figure.

        Returns
        -------
        display : PerClassAccuracyDisplay
            The display, plotted when ``plot=True``.
        """
        y_pred, proba, classes = _predict_with_proba(estimator, X)
        return cls.from_predictions(
            y, y_pred, y_proba=proba, labels=classes, plot=plot, ax=ax
        )

    def plot(self, *, ax=None):
        """Plot accuracy and mean confidence per class as bars.

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
        position = np.arange(len(self.scores))
        ax.bar(position - 0.2, self.scores["accuracy"], 0.4, label="accuracy")
        if self.scores["confidence"].notna().any():
            ax.bar(position + 0.2, self.scores["confidence"], 0.4, label="confidence")
        ax.set_xticks(
            position,
            [f"{c}\n(n={n})" for c, n in self.scores["n_samples"].items()],
        )
        ax.set_ylim(0, 1.05)
        ax.set_title("Per-class accuracy and mean confidence")
        _legend_beside(ax)
        self.ax_, self.figure_ = ax, figure
        return self
