"""What the face Displays share: the samples shown and the grid of crops."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import check_random_state

from skmer.evaluation._plot._base import _pyplot


def _pick(n_samples, indices, n_images, random_state):
    """Return the positions of the samples to show: given, or drawn, sorted."""
    if indices is not None:
        indices = np.asarray(indices, dtype=int)
        if indices.ndim != 1 or np.any((indices < 0) | (indices >= n_samples)):
            raise ValueError(
                f"indices must be 1-D sample positions in [0, {n_samples}); got "
                f"{indices.tolist()!r}."
            )
        return indices
    rng = check_random_state(random_state)
    n_images = min(n_images, n_samples)
    return np.sort(rng.choice(n_samples, size=n_images, replace=False))


def _predict_some(clf, Xt, y, *, indices, n_images, random_state):
    """Pick samples to show; return them with their labels and confidence.

    Returns the positions of the samples, their true labels (None without
    ``y``), the predicted labels and the probability of those.
    """
    index = _pick(len(Xt), indices, n_images, random_state)
    proba = clf.predict_proba(Xt[index])
    y_true = None if y is None else np.asarray(y)[index]
    return index, y_true, clf.classes_[proba.argmax(axis=1)], proba.max(axis=1)


def _middle_frame(face):
    """One frame per sample: the middle one of a frame stack."""
    return face[:, face.shape[1] // 2] if face.ndim == 5 else face


def _grid(n_images, n_columns, caller, ax):
    """Return a new grid of image axes, or the given ones."""
    plt = _pyplot(caller)
    if ax is None:
        n_columns = min(n_columns, n_images)
        n_rows = int(np.ceil(n_images / n_columns))
        figure, axes = plt.subplots(
            n_rows, n_columns, figsize=(2.2 * n_columns, 2.5 * n_rows), squeeze=False
        )
        axes = axes.ravel()
    else:
        axes = np.asarray(ax, dtype=object).ravel()
        if len(axes) < n_images:
            raise ValueError(
                f"ax must hold at least {n_images} Axes, one per image; got "
                f"{len(axes)}."
            )
        figure = axes[0].figure
    for axis in axes:
        axis.axis("off")
    return figure, axes


def _show(axis, image):
    image = np.clip(np.asarray(image, dtype=float), 0, 1)
    if image.ndim == 3 and image.shape[-1] == 1:
        axis.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
    else:
        axis.imshow(image)


def _title(axis, y_true, y_pred, confidence):
    text = f"true {y_true}\npred {y_pred}"
    if confidence is not None and not np.isnan(confidence):
        text += f" ({confidence:.2f})"
    color = "black" if y_true is None else ("green" if y_true == y_pred else "red")
    axis.set_title(text, fontsize=9, color=color)


def _plot_faces(display, ax, n_columns, caller):
    """Show the crops of a face Display in a grid, titled with the labels.

    Returns the figure and one Axes per grid cell.
    """
    figure, axes = _grid(len(display.images), n_columns, caller, ax)
    for i, image in enumerate(display.images):
        _show(axes[i], image)
        _title(
            axes[i],
            None if display.y_true is None else display.y_true[i],
            display.y_pred[i],
            None if display.confidence is None else display.confidence[i],
        )
    return figure, axes
