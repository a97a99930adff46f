"""Evaluation: modality comparison, significance tests, reports, explanations."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.evaluation._compare import compare_modalities, paper_split
from skmer.evaluation._contribution import modality_contribution
from skmer.evaluation._crema_d import read_crema_d_demographics, read_crema_d_votes
from skmer.evaluation._gradcam import grad_cam
from skmer.evaluation._groups import (
    accuracy_by_group,
    age_bands,
    detection_rate_by_group,
)
from skmer.evaluation._plot.classification_report import ClassificationReportDisplay
from skmer.evaluation._plot.confusion_matrices import plot_confusion_matrices
from skmer.evaluation._plot.grad_cam import GradCAMDisplay
from skmer.evaluation._plot.group_accuracy import GroupAccuracyDisplay
from skmer.evaluation._plot.modality_contribution import ModalityContributionDisplay
from skmer.evaluation._plot.per_class_accuracy import PerClassAccuracyDisplay
from skmer.evaluation._plot.predicted_counts import PredictedCountsDisplay
from skmer.evaluation._plot.prediction_grid import PredictionGridDisplay
from skmer.evaluation._plot.training_history import TrainingHistoryDisplay
from skmer.evaluation._scores import (
    per_class_accuracy,
    per_class_scores,
    predicted_counts,
    training_history,
)
from skmer.evaluation._stats import (
    PairedTestResult,
    corrected_resampled_ttest,
    mcnemar_test,
)

__all__ = [
    "ClassificationReportDisplay",
    "GradCAMDisplay",
    "GroupAccuracyDisplay",
    "ModalityContributionDisplay",
    "PairedTestResult",
    "PerClassAccuracyDisplay",
    "PredictedCountsDisplay",
    "PredictionGridDisplay",
    "TrainingHistoryDisplay",
    "accuracy_by_group",
    "age_bands",
    "compare_modalities",
    "corrected_resampled_ttest",
    "detection_rate_by_group",
    "grad_cam",
    "mcnemar_test",
    "modality_contribution",
    "paper_split",
    "per_class_accuracy",
    "per_class_scores",
    "plot_confusion_matrices",
    "predicted_counts",
    "read_crema_d_demographics",
    "read_crema_d_votes",
    "training_history",
]
