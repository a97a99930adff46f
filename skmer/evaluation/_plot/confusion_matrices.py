"""The confusion matrix as counts and normalised: plot_confusion_matrices."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.metrics import ConfusionMatrixDisplay

from skmer.evaluation._plot._base import _new_axes


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
