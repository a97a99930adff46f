"""What a report shows: the sections of ``skmer evaluate``, ``compare``, ``demo``.

Each function adds one group of sections to an :class:`skmer.cli._report.HTMLReport`
from the public displays of :mod:`skmer.evaluation`, and records the numbers in
the report's metrics.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import re

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from skmer.cli._report import format_pvalue
from skmer.datasets._crema_d import EMOTIONS as CREMA_D_EMOTIONS
from skmer.evaluation._plot._base import _legend_beside

# Clip attributes, in the loaders' frames, that accuracy is broken down by.
_GROUP_COLUMNS = ("intensity", "sex", "age_band", "race", "ethnicity", "actor")


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def add_comparison(report, result):
    """Add the modality comparison of :func:`compare_modalities`.

    Sections: the summary (mean ± std per model), a bar chart, the per-fold
    scores, the significance tests and, when known, the human raters.
    """
    plt = _pyplot()
    summary = result.summary
    report.add_section(
        "Modality comparison",
        f"Face-only, audio-only and fusion models trained and tested on the "
        f"same {result.scores['fold'].nunique()} folds; the test folds hold "
        "speakers the models never heard or saw when the folds are grouped.",
    )
    report.add_table(summary)
    figure, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    metrics = ["accuracy", "f1_macro"]
    width = 0.38
    positions = np.arange(len(summary))
    for k, metric in enumerate(metrics):
        ax.bar(
            positions + (k - 0.5) * width,
            summary[f"{metric}_mean"],
            width,
            yerr=summary[f"{metric}_std"],
            capsize=3,
            label=metric.replace("_", " "),
        )
    ax.set_xticks(positions, summary["model"])
    ax.set_ylim(0, 1)
    ax.set_ylabel("score (mean ± std over folds)")
    _legend_beside(ax)
    report.add_figure(
        figure, name="modality-comparison", caption="Accuracy and macro-F1."
    )
    report.add_section("Scores per fold")
    report.add_table(result.scores)
    report.add_section(
        "Significance of fusion against each modality",
        "Paired test over folds (corrected resampled t-test of Nadeau and "
        "Bengio unless another was chosen) and McNemar's test on the pooled "
        "out-of-fold predictions.",
    )
    report.add_table(result.tests, formatters={"pvalue": format_pvalue})
    report.metrics["comparison"] = {
        "summary": summary,
        "scores": result.scores,
        "tests": result.tests,
    }
    if result.human is not None:
        classes = np.unique(result.predictions["y_true"].astype(str))
        report.add_section(
            "Models next to the human raters",
            "CREMA-D's crowd ratings of the same clips: the majority vote per "
            "modality (a tie counts as wrong). The raters chose among CREMA-D's "
            f"{len(CREMA_D_EMOTIONS)} emotions, the models among the "
            f"{len(classes)} classes here ({', '.join(classes)}): the raters had "
            "the harder task.",
        )
        report.add_table(result.human, formatters={"pvalue": format_pvalue})
        report.metrics["comparison"]["human"] = result.human


def add_predictions(report, y_true, y_pred, *, y_proba=None, name="model"):
    """Add the paper's reports of a set of predictions.

    Accuracy and macro-F1, the classification report, both confusion
    matrices, true vs predicted counts and per-class accuracy and
    confidence.
    """
    from skmer.evaluation import (
        ClassificationReportDisplay,
        PerClassAccuracyDisplay,
        PredictedCountsDisplay,
        plot_confusion_matrices,
    )

    plt = _pyplot()
    accuracy = accuracy_score(y_true, y_pred)
    macro_f1 = f1_score(y_true, y_pred, average="macro")
    report.add_section(
        f"Classification report ({name})",
        f"{len(y_true)} clips: accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}.",
    )
    display = ClassificationReportDisplay.from_predictions(y_true, y_pred)
    report.add_table(display.report.rename_axis("class"))
    report.add_figure(display.figure_, name=f"{name}-classification-report")

    report.add_section(f"Confusion matrix ({name})")
    counts, _ = plot_confusion_matrices(y_true, y_pred)
    report.add_figure(
        counts.figure_,
        name=f"{name}-confusion-matrix",
        caption="Counts (left) and normalised over each true class (right).",
    )

    report.add_section(f"True vs predicted counts ({name})")
    predicted = PredictedCountsDisplay.from_predictions(y_true, y_pred)
    report.add_table(predicted.counts.rename_axis("class"))
    report.add_figure(predicted.figure_, name=f"{name}-predicted-counts")

    report.add_section(f"Accuracy and confidence per class ({name})")
    per_class = PerClassAccuracyDisplay.from_predictions(
        y_true, y_pred, y_proba=y_proba
    )
    report.add_table(per_class.scores.rename_axis("class"))
    report.add_figure(per_class.figure_, name=f"{name}-per-class")
    plt.close("all")
    report.metrics[_key(name)] = {
        "n_samples": len(y_true),
        "accuracy": accuracy,
        "f1_macro": macro_f1,
        "classification_report": display.report,
        "confusion_matrix": counts.confusion_matrix,
        "labels": [str(label) for label in counts.display_labels],
        "per_class": per_class.scores,
    }


def add_groups(report, y_true, y_pred, frame, *, detected=None, name="model"):
    """Add accuracy (and face detection) by intensity, demographics and actor.

    ``frame`` is the loader's per-clip table, rows aligned with the labels;
    the columns it has among intensity, sex, age, race, ethnicity and actor
    are used. ``detected`` holds the face boxes of ``locate_faces``.
    """
    from skmer.evaluation import GroupAccuracyDisplay, age_bands

    frame = frame.reset_index(drop=True)
    if "age" in frame and "age_band" not in frame:
        frame = frame.assign(age_band=age_bands(frame["age"]))
    groups = {
        column: frame[column].astype(str).to_numpy()
        for column in _GROUP_COLUMNS
        if column in frame and frame[column].nunique() > 1
    }
    if not groups:
        return
    display = GroupAccuracyDisplay.from_predictions(
        y_true, y_pred, groups, detected=detected
    )
    text = "Per emotion intensity, the actors' demographics where known, and actor"
    if detected is not None:
        text += ", with the face detector's hit rate (sampled frames with a face)"
    report.add_section(
        f"Accuracy by group ({name})",
        text + ". A group well below the others shows a bias.",
    )
    report.add_figure(display.figure_, name=f"{name}-groups")
    table, caption = _shortest_table(display.table)
    report.add_table(table, caption=caption)
    report.metrics[_key(name, "groups")] = display.table
    _pyplot().close("all")


# Groups of one variable listed in a report table; beyond, the worst ones.
_MAX_TABLE_GROUPS = 10


def _shortest_table(table):
    """Shorten a group table for reading: the worst groups of long variables.

    Returns the table to show and its caption (None when nothing was left
    out); metrics.json keeps the whole table.
    """
    parts, shortened = [], []
    for variable, rows in table.groupby("variable", sort=False):
        n_groups = len(rows)
        if n_groups > _MAX_TABLE_GROUPS:
            rows = rows.nsmallest(_MAX_TABLE_GROUPS, "accuracy")
            shortened.append(f"{variable} ({len(rows)} of {n_groups})")
        parts.append(rows)
    if not shortened:
        return table, None
    return (
        pd.concat(parts, ignore_index=True),
        "Of the variables with many groups, only those with the lowest accuracy "
        f"are listed: {', '.join(shortened)}. The figure and metrics.json have "
        "them all.",
    )


def add_model(report, estimator, X, y, *, X_reference=None, name="model"):
    """Add the sections that need the fitted classifier itself.

    Training curves, example predictions, Grad-CAM and modality
    contribution, as the classifier's streams allow.
    ``estimator`` is the fitted classifier (the last step of the pipeline)
    and ``X`` its input (the features, after scaling). ``X_reference``, the
    classifier's training input when known, gives the block means that the
    contribution replaces each modality with (``X`` itself otherwise).
    """
    from skmer.evaluation import (
        GradCAMDisplay,
        ModalityContributionDisplay,
        PredictionGridDisplay,
        TrainingHistoryDisplay,
    )

    plt = _pyplot()
    history = TrainingHistoryDisplay.from_estimator(estimator)
    validated = "val_loss" in history.history
    report.add_section(
        f"Training curves ({name})",
        f"Loss and accuracy per epoch ({len(history.history)} epochs) on the "
        + (
            "training clips and the classifier's validation split, held out "
            "for early stopping."
            if validated
            else "training clips (no validation split: the classifier trained "
            "for a fixed number of epochs on all of them)."
        ),
    )
    report.add_figure(history.figure_, name=f"{name}-training-curves")
    report.metrics[_key(name, "history")] = history.history
    modalities = getattr(estimator, "modalities", "both")
    if modalities in ("both", "face"):
        grid = PredictionGridDisplay.from_estimator(
            estimator, X, y, n_images=12, random_state=0
        )
        report.add_section(f"Example predictions ({name})")
        report.add_figure(
            grid.figure_,
            name=f"{name}-examples",
            caption="Face crops (middle frame) with true and predicted labels "
            "and the confidence; green when right, red when wrong.",
        )
        cam = GradCAMDisplay.from_estimator(estimator, X, y, n_images=8, random_state=0)
        report.add_section(
            f"Grad-CAM of the face stream ({name})",
            "Where in the face the network looked for the predicted emotion.",
        )
        report.add_figure(cam.figure_, name=f"{name}-grad-cam")
    if modalities == "both":
        contribution = ModalityContributionDisplay.from_estimator(
            estimator, X, y, X_reference=X_reference
        )
        reference = "the evaluated" if X_reference is None else "the training"
        report.add_section(
            f"Modality contribution ({name})",
            f"Ablation (one block replaced by its mean over {reference} clips: "
            "the drop in accuracy and in the probability of the true class) and "
            "gradient x (input - that mean) attribution, each block's share, "
            "per class.",
        )
        report.add_figure(contribution.figure_, name=f"{name}-contribution")
        report.add_table(contribution.contribution)
        report.metrics[_key(name, "contribution")] = contribution.contribution
    plt.close("all")


def summary_lines(result):
    """Return the lines a comparison prints: models, fusion's tests, raters.

    Accuracy mean ± std over folds per model; fusion's accuracy difference
    with each unimodal model and the p-values of the fold test and of
    McNemar's; each model next to the human raters of its modality when
    their votes were given.
    """
    lines = [
        f"{model:>6}: accuracy {row['accuracy_mean']:.3f} "
        f"± {row['accuracy_std']:.3f}, macro-F1 {row['f1_macro_mean']:.3f} "
        f"± {row['f1_macro_std']:.3f}"
        for model, row in result.summary.set_index("model").iterrows()
    ]
    accuracy = result.tests[result.tests["metric"] == "accuracy"]
    for other, tests in accuracy.groupby("model_b", sort=False):
        pvalues = ", ".join(
            f"{_TEST_NAMES.get(test.test, test.test)} p = {test.pvalue:.3g}"
            for test in tests.itertuples()
        )
        difference = tests["difference"].iloc[0]
        lines.append(f"fusion vs {other}: accuracy {difference:+.3f} ({pvalues})")
    if result.human is not None:
        for row in result.human.itertuples():
            lines.append(
                f"{row.model:>6} vs human raters of the same clips: "
                f"{row.model_accuracy:.3f} vs {row.human_accuracy:.3f} "
                f"(McNemar p = {row.pvalue:.3g})"
            )
    return lines


_TEST_NAMES = {
    "corrected_ttest": "corrected t-test",
    "wilcoxon": "Wilcoxon",
    "mcnemar": "McNemar",
}


def _key(*words):
    """Make a metrics.json key of section names: 'fusion, fold 1' is 'fusion_fold_1'."""
    return re.sub(r"[^a-z0-9]+", "_", " ".join(words).lower()).strip("_")


def add_unknown_labels(report, y_true, y_pred):
    """Add what the model predicted for clips of emotions it cannot answer.

    Those clips are left out of every other section: no class of the model
    is right for them. The table counts, for each of their labels, the
    classes the model chose.
    """
    counts = pd.crosstab(
        pd.Series(y_true, name="label"), pd.Series(y_pred, name="predicted")
    )
    report.add_section(
        "Clips of emotions the model cannot answer",
        f"{len(y_true)} clips are labelled with emotions that are not classes "
        "of the model. They are left out of every figure above; this table "
        "counts what the model predicted for them.",
    )
    report.add_table(counts)
    report.metrics["unknown_labels"] = counts
