"""What the Displays share: pyplot, new axes, the legend, grouped bars."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skmer.utils._optional import import_optional


def _pyplot(caller):
    return import_optional("matplotlib.pyplot", "plot", caller=caller)


def _new_axes(ax, caller, n_axes=1, figsize=None, *, stacked=False):
    """Return (figure, axes) of the given axes, or of a new figure.

    A new figure has ``n_axes`` panels side by side, or one above the other
    when ``stacked``. ``axes`` is an Axes when ``n_axes`` is 1, else an
    array of them.
    """
    plt = _pyplot(caller)
    if ax is None:
        shape = (n_axes, 1) if stacked else (1, n_axes)
        # Constrained layout keeps long tick labels and the legends placed
        # beside the axes inside the figure, and each title clear of the
        # tick labels of the panel above.
        figure, ax = plt.subplots(
            *shape, figsize=figsize, squeeze=False, layout="constrained"
        )
        ax = ax.ravel() if n_axes > 1 else ax[0, 0]
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


def _grouped_bars(ax, frame, *, legend=True, rotation=0, fontsize=None):
    """Draw a bar for each value of ``frame``, one group of bars per row.

    Rows are the groups along the x axis, ticked with the index; columns
    are the bars of a group, side by side, labelled with the column names.

    Returns
    -------
    position : ndarray of shape (n_rows,)
        The x of each group's centre.
    offsets : ndarray of shape (n_columns,)
        The shift of each column's bars from the centre.
    """
    position = np.arange(len(frame))
    n_bars = frame.shape[1]
    width = 0.8 / n_bars
    offsets = (np.arange(n_bars) - (n_bars - 1) / 2) * width
    for offset, (label, values) in zip(offsets, frame.items(), strict=True):
        ax.bar(position + offset, values, width, label=label)
    text = {"rotation": rotation}
    if fontsize is not None:
        text["fontsize"] = fontsize
    ax.set_xticks(position, [str(label) for label in frame.index], **text)
    if legend:
        _legend_beside(ax)
    return position, offsets
