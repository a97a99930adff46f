"""PredictionGridDisplay: face crops with their true and predicted labels."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from skmer.evaluation._base import check_face_stream, dual_stream
from skmer.evaluation._plot._faces import _middle_frame, _plot_faces, _predict_some


class PredictionGridDisplay:
    """A grid of face crops with their true and predicted labels.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width, channels)
        Face crops with values in [0, 1].
    y_true : ndarray of shape (n_images,) or None
        True labels (titles in green when right, red when wrong).
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

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import PredictionGridDisplay
    >>> images = np.zeros((2, 8, 8, 1))
    >>> display = PredictionGridDisplay.from_predictions(
    ...     images, ["ANG", "SAD"], ["ANG", "ANG"]
    ... )
    >>> display.predictions["correct"].tolist()
    [True, False]
    >>> display.ax_[1].get_title().splitlines()
    ['true SAD', 'pred ANG']
    """

    def __init__(self, images, y_true, y_pred, confidence):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.confidence = confidence

    @property
    def predictions(self):
        """Table of the shown samples: labels, confidence and correctness.

        Returns
        -------
        predictions : DataFrame
            One row per image: ``y_true``, ``y_pred``, ``confidence`` and
            ``correct``.
        """
        y_pred = np.asarray(self.y_pred)
        y_true = None if self.y_true is None else np.asarray(self.y_true)
        return pd.DataFrame(
            {
                "y_true": y_true,
                "y_pred": y_pred,
                "confidence": self.confidence,
                "correct": None if y_true is None else y_true == y_pred,
            }
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        indices=None,
        n_images=12,
        random_state=None,
        ax=None,
    ):
        """Plot face crops of X with a fitted DualStreamClassifier's predictions.

        Parameters
        ----------
        estimator : DualStreamClassifier or Pipeline
            A fitted classifier with a face stream, alone or as the last step
            of a Pipeline (whose earlier steps extract the crops).
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,), default=None
            True labels.
        indices : array-like of int, default=None
            Positions of the samples to show. None draws ``n_images`` at
            random.
        n_images : int, default=12
            Number of samples drawn when ``indices`` is None.
        random_state : int, RandomState instance or None, default=None
            Seeds the draw of samples.
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.

        Returns
        -------
        display : PredictionGridDisplay
            The chosen crops and their predictions, plotted. With several
            frames per sample, the middle frame is shown.
        """
        caller = "PredictionGridDisplay"
        clf, Xt, _ = dual_stream(estimator, X, caller=f"{caller}.from_estimator")
        encoder = clf.feature_encoder_
        check_face_stream(clf, encoder.face_columns is not None, caller)
        index, y_true, y_pred, confidence = _predict_some(
            clf, Xt, y, indices=indices, n_images=n_images, random_state=random_state
        )
        # The crops themselves, also when the model reads their embeddings.
        start, stop = encoder.face_columns
        faces = Xt[index, start:stop].reshape(len(index), *encoder.face_shape)
        return cls(_middle_frame(faces), y_true, y_pred, confidence).plot(ax=ax)

    @classmethod
    def from_predictions(cls, images, y_true, y_pred, *, confidence=None, ax=None):
        """Plot given face crops with their labels.

        Parameters
        ----------
        images : array-like of shape (n_images, height, width, channels)
            Face crops with values in [0, 1].
        y_true : array-like of shape (n_images,) or None
            True labels.
        y_pred : array-like of shape (n_images,)
            Predicted labels.
        confidence : array-like of shape (n_images,), default=None
            Probability of each predicted class.
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.

        Returns
        -------
        display : PredictionGridDisplay
            The given crops and labels, plotted.
        """
        images = np.asarray(images)
        if images.ndim != 4 or len(images) != len(y_pred):
            raise ValueError(
                "images must have shape (n_images, height, width, channels) with "
                f"one image per prediction ({len(y_pred)}); got {images.shape}."
            )
        display = cls(
            images,
            None if y_true is None else np.asarray(y_true),
            np.asarray(y_pred),
            None if confidence is None else np.asarray(confidence, dtype=float),
        )
        return display.plot(ax=ax)

    def plot(self, *, ax=None, n_columns=6):
        """Plot the crops in a grid, titled with true and predicted labels.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.
        n_columns : int, default=6
            Columns of a new grid.

        Returns
        -------
        self : PredictionGridDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, axes = _plot_faces(self, ax, n_columns, "PredictionGridDisplay")
        self.ax_, self.figure_ = axes, figure
        return self
