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
from skmer.evaluation._plot_explain import (
    GradCAMDisplay,
    GroupAccuracyDisplay,
    ModalityContributionDisplay,
    PredictionGridDisplay,
)
from skmer.evaluation._plot_report import (
    ClassificationReportDisplay,
    PerClassAccuracyDisplay,
    PredictedCountsDisplay,
    TrainingHistoryDisplay,
    plot_confusion_matrices,
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
    "plot_confusion_matrices",
    "read_crema_d_demographics",
    "read_crema_d_votes",
]
