"""TrainingHistoryDisplay: training and validation curves over epochs."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.evaluation._base import final_estimator
from skmer.evaluation._plot._base import _new_axes
from skmer.evaluation._scores import training_history


class TrainingHistoryDisplay:
    """Training and validation loss and accuracy over epochs.

    Build it with :meth:`from_history` or :meth:`from_estimator`; call
    :func:`training_history` for the numbers alone.

    Parameters
    ----------
    history : DataFrame
        The table of :func:`training_history`: one row per epoch (column
        ``epoch``, from 1), with the columns of the classifier's
        ``history_``: ``loss``, ``accuracy`` and, under early stopping,
        ``val_loss`` and ``val_accuracy``.

    Attributes
    ----------
    ax_ : ndarray of 2 matplotlib Axes
        The loss and the accuracy panels.
    figure_ : matplotlib Figure
        Figure containing the panels.

    See Also
    --------
    training_history : Tabulate the history.

    Examples
    --------
    >>> from skmer.evaluation import TrainingHistoryDisplay
    >>> history = {"loss": [1.1, 0.9], "accuracy": [0.4, 0.6]}
    >>> display = TrainingHistoryDisplay.from_history(history)
    >>> [axis.get_title() for axis in display.ax_]
    ['Loss', 'Accuracy']
    """

    def __init__(self, history):
        self.history = history

    @classmethod
    def from_history(cls, history, *, ax=None):
        """Plot the curves of a ``history_`` dict.

        Parameters
        ----------
        history : dict of str to list of float
            Per-epoch values, as :attr:`DualStreamClassifier.history_
            <skmer.neural_network.DualStreamClassifier>` or Keras'
            ``History.history``.
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the loss and the accuracy; None makes a new figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The table of :func:`training_history`, plotted.
        """
        return cls(training_history(history)).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the curves of a fitted classifier's ``history_``.

        Parameters
        ----------
        estimator : estimator object
            A fitted DualStreamClassifier, or a Pipeline ending in one.
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the loss and the accuracy; None makes a new figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The classifier's curves, plotted.
        """
        clf = final_estimator(estimator)
        if not hasattr(clf, "history_"):
            raise ValueError(
                f"{type(clf).__name__} has no history_: pass a fitted "
                "DualStreamClassifier, or a Pipeline ending in one."
            )
        return cls.from_history(clf.history_, ax=ax)

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
