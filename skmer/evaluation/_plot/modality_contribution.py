"""ModalityContributionDisplay: how much face and voice drive the decisions."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.evaluation._contribution import modality_contribution
from skmer.evaluation._plot._base import _grouped_bars, _legend_beside, _new_axes


class ModalityContributionDisplay:
    """How much the face and the voice drive the decisions, per class.

    Build it with :meth:`from_estimator`; call :func:`modality_contribution`
    for the numbers alone.

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
    >>> display = ModalityContributionDisplay(table).plot()
    >>> [float(bar.get_height()) for bar in display.ax_[1].patches]
    [0.7, 0.3]
    """

    def __init__(self, contribution):
        self.contribution = contribution

    @classmethod
    def from_estimator(cls, estimator, X, y, *, X_reference=None, ax=None):
        """Plot the modality contributions of a fitted fusion model.

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
        ax : array-like of 2 matplotlib Axes, default=None
            Axes of the two panels; None makes a new figure.

        Returns
        -------
        display : ModalityContributionDisplay
            The table of :func:`modality_contribution`, plotted.
        """
        table = modality_contribution(estimator, X, y, X_reference=X_reference)
        return cls(table).plot(ax=ax)

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
        drops = self._by_class("proba_drop")
        position, offsets = _grouped_bars(
            axes[0],
            drops.rename(columns=lambda modality: f"{modality}: probability drop"),
            legend=False,
        )
        accuracy_drops = self._by_class("accuracy_drop").items()
        for k, (offset, (_, values)) in enumerate(
            zip(offsets, accuracy_drops, strict=True)
        ):
            axes[0].scatter(
                position + offset,
                values,
                marker="_",
                s=200,
                color="black",
                zorder=3,
                label="accuracy drop" if k == 0 else None,
            )
        axes[0].axhline(0, color="gray", linewidth=0.8)
        axes[0].set_title("Ablation (block replaced by its mean)")
        _legend_beside(axes[0])
        _grouped_bars(axes[1], self._by_class("attribution"))
        axes[1].set_title("Gradient x (input - mean) share")
        axes[1].set_ylim(0, 1)
        self.ax_, self.figure_ = axes, figure
        return self

    def _by_class(self, column):
        """One row per class, one column per modality, in the table's order."""
        table = self.contribution
        return table.pivot(index="class", columns="modality", values=column).loc[
            list(dict.fromkeys(table["class"])), list(dict.fromkeys(table["modality"]))
        ]
