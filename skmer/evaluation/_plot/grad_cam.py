"""GradCAMDisplay: Grad-CAM heatmaps overlaid on the face crops."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.evaluation._base import check_face_stream, dual_stream
from skmer.evaluation._gradcam import _check_frames_in_model, grad_cam
from skmer.evaluation._plot._faces import _middle_frame, _plot_faces, _predict_some


class GradCAMDisplay:
    """Grad-CAM heatmaps of the face stream, overlaid on the face crops.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width, channels)
        Face crops with values in [0, 1].
    heatmaps : ndarray of shape (n_images, height, width)
        Grad-CAM heatmaps in [0, 1] (see :func:`grad_cam`).
    y_true : ndarray of shape (n_images,) or None
        True labels.
    y_pred : ndarray of shape (n_images,)
        Predicted labels.
    confidence : ndarray of shape (n_images,) or None
        Probability of the predicted class.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        One Axes per image.
    figure_ : matplotlib Figure
        Figure containing the grid.

    See Also
    --------
    grad_cam : Compute the heatmaps.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import GradCAMDisplay
    >>> display = GradCAMDisplay(
    ...     np.zeros((1, 8, 8, 1)), np.ones((1, 8, 8)), None, ["ANG"], None
    ... ).plot()
    >>> len(display.ax_[0].images)
    2
    """

    def __init__(self, images, heatmaps, y_true, y_pred, confidence):
        self.images = images
        self.heatmaps = heatmaps
        self.y_true = y_true
        self.y_pred = y_pred
        self.confidence = confidence

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        indices=None,
        n_images=8,
        explain="predicted",
        layer_name=None,
        random_state=None,
        ax=None,
    ):
        """Plot Grad-CAM heatmaps of a fitted DualStreamClassifier on X.

        Parameters
        ----------
        estimator : DualStreamClassifier or Pipeline
            A fitted classifier with a face stream, alone or as the last step
            of a Pipeline.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,), default=None
            True labels.
        indices : array-like of int, default=None
            Positions of the samples to show. None draws ``n_images`` at
            random.
        n_images : int, default=8
            Number of samples drawn when ``indices`` is None.
        explain : {'predicted', 'true'}, default='predicted'
            Explain the predicted class, or the true class (needs ``y``).
        layer_name : str, default=None
            Layer of the face stream whose feature maps are weighed; None
            takes the last spatial one (see :func:`grad_cam`).
        random_state : int, RandomState instance or None, default=None
            Seeds the draw of samples.
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.

        Returns
        -------
        display : GradCAMDisplay
            The chosen crops with the heatmaps of :func:`grad_cam`, plotted.
            With several frames per sample, the middle frame and its heatmap
            are shown.
        """
        if explain not in ("predicted", "true"):
            raise ValueError(f"explain must be 'predicted' or 'true'; got {explain!r}.")
        if explain == "true" and y is None:
            raise ValueError("explain='true' needs the true labels y.")
        caller = "GradCAMDisplay"
        clf, Xt, inputs = dual_stream(estimator, X, caller=f"{caller}.from_estimator")
        _check_frames_in_model(clf, inputs, caller)
        check_face_stream(clf, "face" in inputs, caller)
        index, y_true, y_pred, confidence = _predict_some(
            clf, Xt, y, indices=indices, n_images=n_images, random_state=random_state
        )
        heatmaps = grad_cam(
            clf,
            Xt[index],
            target=y_true if explain == "true" else None,
            layer_name=layer_name,
        )
        if heatmaps.ndim == 4:
            # One heatmap per frame: the middle frame's, as for the crop shown.
            heatmaps = heatmaps[:, heatmaps.shape[1] // 2]
        face = _middle_frame(inputs["face"][index])
        return cls(face, heatmaps, y_true, y_pred, confidence).plot(ax=ax)

    def plot(self, *, ax=None, n_columns=4, alpha=0.45, cmap="jet"):
        """Plot each crop with its heatmap overlaid.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.
        n_columns : int, default=4
            Columns of a new grid.
        alpha : float, default=0.45
            Opacity of the heatmap.
        cmap : str or matplotlib Colormap, default='jet'
            Colormap of the heatmap.

        Returns
        -------
        self : GradCAMDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, axes = _plot_faces(self, ax, n_columns, "GradCAMDisplay")
        for i, heatmap in enumerate(self.heatmaps):
            axes[i].imshow(heatmap, cmap=cmap, alpha=alpha, vmin=0, vmax=1)
        self.ax_, self.figure_ = axes, figure
        return self
