"""Displays that explain a model: predictions, Grad-CAM, modalities, groups."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from skmer.evaluation._base import dual_stream
from skmer.evaluation._contribution import modality_contribution
from skmer.evaluation._gradcam import _check_frames_in_model, grad_cam
from skmer.evaluation._groups import accuracy_by_group, detection_rate_by_group
from skmer.evaluation._plot_report import _legend_beside, _new_axes, _pyplot

__all__ = [
    "GradCAMDisplay",
    "GroupAccuracyDisplay",
    "ModalityContributionDisplay",
    "PredictionGridDisplay",
]


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
    >>> display = PredictionGridDisplay(images, ["ANG", "SAD"], ["ANG", "ANG"], None)
    >>> display.predictions["correct"].tolist()
    [True, False]
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
        plot=True,
        ax=None,
    ):
        """Show face crops of X with a fitted DualStreamClassifier's predictions.

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
        plot : bool, default=True
            Plot the grid (needs matplotlib).
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.

        Returns
        -------
        display : PredictionGridDisplay
            The display, plotted when ``plot=True``. With several frames per
            sample, the middle frame is shown.
        """
        clf, Xt, inputs = dual_stream(
            estimator, X, caller="PredictionGridDisplay.from_estimator"
        )
        encoder = clf.feature_encoder_
        if encoder.face_columns is None:
            raise ValueError(
                "PredictionGridDisplay needs a model with a face stream; got "
                f"modalities={clf.modalities!r}."
            )
        # The crops themselves, also when the model reads their embeddings.
        start, stop = encoder.face_columns
        faces = Xt[:, start:stop].reshape(len(Xt), *encoder.face_shape)
        index = _pick(len(Xt), indices, n_images, random_state)
        proba = clf.predict_proba(Xt[index])
        display = cls(
            _middle_frame(faces[index]),
            None if y is None else np.asarray(y)[index],
            clf.classes_[proba.argmax(axis=1)],
            proba.max(axis=1),
        )
        return display.plot(ax=ax) if plot else display

    @classmethod
    def from_predictions(
        cls, images, y_true, y_pred, *, confidence=None, plot=True, ax=None
    ):
        """Show given face crops with their labels.

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
        plot : bool, default=True
            Plot the grid (needs matplotlib).
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.

        Returns
        -------
        display : PredictionGridDisplay
            The display, plotted when ``plot=True``.
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
        return display.plot(ax=ax) if plot else display

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
        figure, axes = _grid(len(self.images), n_columns, "PredictionGridDisplay", ax)
        for i, image in enumerate(self.images):
            _show(axes[i], image)
            _title(
                axes[i],
                None if self.y_true is None else self.y_true[i],
                self.y_pred[i],
                None if self.confidence is None else self.confidence[i],
            )
        self.ax_, self.figure_ = axes, figure
        return self


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
    ... )
    >>> display.heatmaps.shape
    (1, 8, 8)
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
        plot=True,
        ax=None,
    ):
        """Compute Grad-CAM heatmaps of a fitted DualStreamClassifier on X.

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
        plot : bool, default=True
            Plot the overlays (needs matplotlib).
        ax : array-like of matplotlib Axes, default=None
            One Axes per image; None makes a new figure.

        Returns
        -------
        display : GradCAMDisplay
            The display, plotted when ``plot=True``. With several frames per
            sample, the middle frame and its heatmap are shown.
        """
        if explain not in ("predicted", "true"):
            raise ValueError(f"explain must be 'predicted' or 'true'; got {explain!r}.")
        if explain == "true" and y is None:
            raise ValueError("explain='true' needs the true labels y.")
        clf, Xt, inputs = dual_stream(
            estimator, X, caller="GradCAMDisplay.from_estimator"
        )
        _check_frames_in_model(clf, inputs, "GradCAMDisplay")
        if "face" not in inputs:
            raise ValueError(
                "GradCAMDisplay needs a model with a face stream; got "
                f"modalities={clf.modalities!r}."
            )
        index = _pick(len(Xt), indices, n_images, random_state)
        y_true = None if y is None else np.asarray(y)[index]
        proba = clf.predict_proba(Xt[index])
        heatmaps = grad_cam(
            clf,
            Xt[index],
            target=y_true if explain == "true" else None,
            layer_name=layer_name,
        )
        if heatmaps.ndim == 4:
            heatmaps = heatmaps[:, heatmaps.shape[1] // 2]
        display = cls(
            _middle_frame(inputs["face"][index]),
            heatmaps,
            y_true,
            clf.classes_[proba.argmax(axis=1)],
            proba.max(axis=1),
        )
        return display.plot(ax=ax) if plot else display

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
        figure, axes = _grid(len(self.images), n_columns, "GradCAMDisplay", ax)
        for i, image in enumerate(self.images):
            _show(axes[i], image)
            axes[i].imshow(self.heatmaps[i], cmap=cmap, alpha=alpha, vmin=0, vmax=1)
            _title(
                axes[i],
                None if self.y_true is None else self.y_true[i],
                self.y_pred[i],
                None if self.confidence is None else self.confidence[i],
            )
        self.ax_, self.figure_ = axes, figure
        return self


class ModalityContributionDisplay:
    """How much the face and the voice drive the decisions, per class.

    Parameters
    ----------
    contribution : DataFrame
        The table of :func:`modality_contribution`.

    Attributes
    ----------
    ax_ : ndarray of 2 matplotlib Axes
        The ablation panel (drop of the true class's probability and of
        accuracy) and the gradient attribution panel.
    figure_ : matplotlib Figure
        Figure containing the panels.

    See Also
    --------
    modality_contribution : Compute the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmer.evaluation import ModalityContributionDisplay
    >>> table = pd.DataFrame({
    ...     "class": ["all", "all"], "modality": ["face", "audio"],
    ...     "accuracy_drop": [0.3, 0.1], "proba_drop": [0.25, 0.05],
    ...     "attribution": [0.7, 0.3],
    ... })
    >>> ModalityContributionDisplay(table).contribution.shape
    (2, 5)
    """

    def __init__(self, contribution):
        self.contribution = contribution

    @classmethod
    def from_estimator(cls, estimator, X, y, *, X_reference=None, plot=True, ax=None):
        """Measure the modality contributions of a fitted fusion model.

        Parameters
        ----------
        estimator : DualStreamClassifier or Pipeline
            A fitted classifier with both streams, alone or as the last step
            of a Pipeline.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Evaluation input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        X_reference : array-like or DataFrame, default=None
            Input whose mean replaces an ablated block: pass the training
            data. None uses X.
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the two panels; None makes a new figure.

        Returns
        -------
        display : ModalityContributionDisplay
            The display, plotted when ``plot=True``.
        """
        table = modality_contribution(estimator, X, y, X_reference=X_reference)
        display = cls(table)
        return display.plot(ax=ax) if plot else display

    def plot(self, *, ax=None):
        """Plot the ablation drops and the attribution shares per class.

        Parameters
        ----------
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the two panels; None makes a new figure.

        Returns
        -------
        self : ModalityContributionDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        figure, axes = _new_axes(
            ax, "ModalityContributionDisplay.plot", n_axes=2, figsize=(11, 4)
        )
        table = self.contribution
        classes = list(dict.fromkeys(table["class"]))
        modalities = list(dict.fromkeys(table["modality"]))
        position = np.arange(len(classes))
        width = 0.8 / len(modalities)
        for k, modality in enumerate(modalities):
            rows = table[table["modality"] == modality].set_index("class")
            offset = (k - (len(modalities) - 1) / 2) * width
            axes[0].bar(
                position + offset,
                rows.loc[classes, "proba_drop"],
                width,
                label=f"{modality}: probability drop",
            )
            axes[0].scatter(
                position + offset,
                rows.loc[classes, "accuracy_drop"],
                marker="_",
                s=200,
                color="black",
                zorder=3,
                label="accuracy drop" if k == 0 else None,
            )
            axes[1].bar(
                position + offset,
                rows.loc[classes, "attribution"],
                width,
                label=modality,
            )
        axes[0].axhline(0, color="gray", linewidth=0.8)
        axes[0].set_title("Ablation (block replaced by its mean)")
        axes[1].set_title("Gradient x (input - mean) share")
        axes[1].set_ylim(0, 1)
        for axis in axes:
            axis.set_xticks(position, classes)
            _legend_beside(axis)
        self.ax_, self.figure_ = axes, figure
        return self


class GroupAccuracyDisplay:
    """Accuracy, and the face detector's hit rate, within groups of clips.

    Groups are the values of each grouping variable: emotion intensity
    (CREMA-D ``LO``/``MD``/``HI``/``XX``, RAVDESS normal/strong), actor, and
    the actors' demographics where known (CREMA-D's sex, age band, race).
    A group whose accuracy or detection rate falls well below the others
    shows a bias: on the CREMA-D clips the face detector's misses cluster
    on one dark-skinned actor.

    Parameters
    ----------
    accuracy : DataFrame
        The table of :func:`accuracy_by_group`.
    detection : DataFrame or None
        The table of :func:`detection_rate_by_group`, or None.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        One panel per grouping variable.
    figure_ : matplotlib Figure
        Figure containing the panels.

    Examples
    --------
    >>> from skmer.evaluation import GroupAccuracyDisplay
    >>> display = GroupAccuracyDisplay.from_predictions(
    ...     ["ANG", "SAD", "ANG", "SAD"], ["ANG", "SAD", "SAD", "SAD"],
    ...     groups={"intensity": ["HI", "HI", "LO", "LO"]},
    ...     detected=[True, True, True, False], plot=False,
    ... )
    >>> display.table[["group", "accuracy", "detection_rate"]].values.tolist()
    [['HI', 1.0, 1.0], ['LO', 0.5, 0.5]]
    """

    def __init__(self, accuracy, detection=None):
        self.accuracy = accuracy
        self.detection = detection

    @property
    def table(self):
        """Accuracy and detection rate side by side.

        Returns
        -------
        table : DataFrame
            One row per variable and group: ``variable``, ``group``,
            ``n_samples``, ``accuracy`` and, when known, ``detection_rate``.
        """
        if self.detection is None:
            return self.accuracy
        return self.accuracy.merge(
            self.detection, on=["variable", "group", "n_samples"], how="outer"
        )

    @classmethod
    def from_predictions(
        cls, y_true, y_pred, groups, *, detected=None, plot=True, ax=None
    ):
        """Compute accuracy (and detection rate) by group from predictions.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        groups : DataFrame, dict, Series or array-like of shape (n_samples,)
            Grouping variables, one column each (e.g. the ``intensity``,
            ``actor``, ``sex``, ``age_band`` and ``race`` columns of
            :func:`~skmer.datasets.load_crema_d`'s ``frame``).
        detected : array-like, default=None
            Face detections per clip, per frame, or the boxes of
            :meth:`~skmer.feature_extraction.FaceExtractor.locate_faces`
            (see :func:`detection_rate_by_group`).
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : array-like of matplotlib Axes, default=None
            One Axes per grouping variable; None makes a new figure.

        Returns
        -------
        display : GroupAccuracyDisplay
            The display, plotted when ``plot=True``.
        """
        if isinstance(groups, dict):
            groups = pd.DataFrame(groups)
        accuracy = accuracy_by_group(y_true, y_pred, groups)
        detection = None
        if detected is not None:
            detection = detection_rate_by_group(detected, groups)
        display = cls(accuracy, detection)
        return display.plot(ax=ax) if plot else display

    @classmethod
    def from_estimator(
        cls, estimator, X, y, groups, *, detected=None, plot=True, ax=None
    ):
        """Compute accuracy (and detection rate) by group of a fitted classifier.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier or Pipeline.
        X : array-like of shape (n_samples, n_features) or DataFrame
            Input of ``estimator``.
        y : array-like of shape (n_samples,)
            True labels.
        groups : DataFrame, dict, Series or array-like of shape (n_samples,)
            Grouping variables, one column each.
        detected : array-like, default=None
            Face detections per clip, per frame, or face boxes (see
            :func:`detection_rate_by_group`).
        plot : bool, default=True
            Plot the bars (needs matplotlib).
        ax : array-like of matplotlib Axes, default=None
            One Axes per grouping variable; None makes a new figure.

        Returns
        -------
        display : GroupAccuracyDisplay
            The display, plotted when ``plot=True``.
        """
        return cls.from_predictions(
            y, estimator.predict(X), groups, detected=detected, plot=plot, ax=ax
        )

    def plot(self, *, ax=None):
        """Plot one bar chart per grouping variable.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per grouping variable; None makes a new figure, with
            one row per variable.

        Returns
        -------
        self : GroupAccuracyDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        table = self.table
        variables = list(dict.fromkeys(table["variable"]))
        if ax is None:
            plt = _pyplot("GroupAccuracyDisplay.plot")
            widest = table.groupby("variable").size().max()
            figure, axes = plt.subplots(
                len(variables),
                1,
                # Wide enough for the groups, but no wider than a page shows
                # at full size: a wider image is scaled down, text with it.
                figsize=(min(12, max(6, 0.3 * widest)), 3 * len(variables)),
                squeeze=False,
                # Keeps each title clear of the tick labels of the row above.
                layout="constrained",
            )
            axes = axes[:, 0]
        else:
            figure, axes = _new_axes(
                ax, "GroupAccuracyDisplay.plot", n_axes=len(variables)
            )
            axes = np.atleast_1d(axes)
        has_detection = "detection_rate" in table
        width = 0.4 if has_detection else 0.8
        for axis, variable in zip(axes, variables, strict=True):
            rows = table[table["variable"] == variable]
            position = np.arange(len(rows))
            shift = width / 2 if has_detection else 0
            axis.bar(position - shift, rows["accuracy"], width, label="accuracy")
            if has_detection:
                axis.bar(
                    position + shift,
                    rows["detection_rate"],
                    width,
                    label="face detection rate",
                )
            rotation = 90 if len(rows) > 8 else 0
            axis.set_xticks(
                position,
                [
                    f"{g}\n(n={n})" if not rotation else str(g)
                    for g, n in zip(rows["group"], rows["n_samples"], strict=True)
                ],
                rotation=rotation,
                fontsize=7 if len(rows) > 40 else None,
            )
            axis.set_xlim(-0.6, len(rows) - 0.4)
            axis.set_ylim(0, 1.05)
            axis.set_title(f"By {variable}")
            _legend_beside(axis)
        self.ax_, self.figure_ = axes, figure
        return self
