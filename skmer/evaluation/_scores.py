"""The numbers of the paper's reports: per-class scores, counts, history."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.metrics import classification_report

__all__ = [
    "per_class_accuracy",
    "per_class_scores",
    "predicted_counts",
    "training_history",
]


def per_class_scores(
    y_true, y_pred, *, labels=None, sample_weight=None, zero_division=0
):
    """Precision, recall, F1 and support of each class, with their averages.

    The numbers of :func:`sklearn.metrics.classification_report` as a
    table, with the macro and weighted averages as its last two rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Classes to report, in order. None uses the sorted labels found.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    zero_division : {0.0, 1.0, nan}, default=0
        Value of precision or recall when its denominator is zero.

    Returns
    -------
    scores : DataFrame
        One row per class (the index), then ``'macro avg'`` and
        ``'weighted avg'``; the columns ``precision``, ``recall``,
        ``f1-score`` and ``support`` (an int).

    See Also
    --------
    ClassificationReportDisplay : Plot the table as a heatmap.
    per_class_accuracy : Accuracy and confidence of each class.

    Examples
    --------
    >>> from skmer.evaluation import per_class_scores
    >>> scores = per_class_scores(["ANG", "HAP", "SAD", "SAD"],
    ...                           ["ANG", "SAD", "SAD", "SAD"])
    >>> scores.round(2)
                  precision  recall  f1-score  support
    ANG                1.00    1.00      1.00        1
    HAP                0.00    0.00      0.00        1
    SAD                0.67    1.00      0.80        2
    macro avg          0.56    0.67      0.60        4
    weighted avg       0.58    0.75      0.65        4
    """
    return _classification_report(
        y_true,
        y_pred,
        labels=labels,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


def _classification_report(y_true, y_pred, **kwargs):
    """Return the table of :func:`per_class_scores` and the overall accuracy."""
    report = classification_report(y_true, y_pred, output_dict=True, **kwargs)
    accuracy = report.pop("accuracy", None)
    # With a subset of the classes, scikit-learn reports the micro average
    # instead of the accuracy: the accuracy is then over all samples.
    report.pop("micro avg", None)
    if accuracy is None:
        accuracy = float(np.average(np.asarray(y_true) == np.asarray(y_pred)))
    frame = pd.DataFrame(report).T
    frame["support"] = frame["support"].astype(int)
    return frame, float(accuracy)


def predicted_counts(y_true, y_pred, *, labels=None):
    """Count the samples of each class, true against predicted.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Classes to count, in order. None uses the sorted labels of both.

    Returns
    -------
    counts : DataFrame
        One row per class (the index, named ``class``), with the columns
        ``true``, ``predicted`` and ``difference`` (predicted minus true):
        a positive difference means the model over-predicts the class.

    See Also
    --------
    PredictedCountsDisplay : Plot the counts as bars.

    Examples
    --------
    >>> from skmer.evaluation import predicted_counts
    >>> counts = predicted_counts(["ANG", "HAP", "SAD", "SAD"],
    ...                           ["ANG", "SAD", "SAD", "SAD"])
    >>> counts.reset_index()
      class  true  predicted  difference
    0   ANG     1          1           0
    1   HAP     1          0          -1
    2   SAD     2          3           1
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    true = np.array([np.sum(y_true == label) for label in labels])
    predicted = np.array([np.sum(y_pred == label) for label in labels])
    return pd.DataFrame(
        {"true": true, "predicted": predicted, "difference": predicted - true},
        index=pd.Index(labels, name="class"),
    )


def per_class_accuracy(y_true, y_pred, *, y_proba=None, labels=None):
    """Accuracy and mean confidence of the predictions on each class.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_proba : array-like of shape (n_samples, n_classes), default=None
        Predicted probabilities; their row maxima are the confidences.
    labels : array-like of shape (n_classes,), default=None
        Classes, in order. None uses the sorted true labels.

    Returns
    -------
    scores : DataFrame
        One row per class (the index, named ``class``): ``n_samples``,
        ``accuracy`` (the recall of the class; NaN for a class without
        samples) and ``confidence`` (the mean largest predicted probability
        over the class's samples; NaN without ``y_proba``).

    See Also
    --------
    PerClassAccuracyDisplay : Plot both as bars.
    per_class_scores : Precision, recall and F1 of each class.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import per_class_accuracy
    >>> proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    >>> scores = per_class_accuracy(["ANG", "ANG", "SAD"], ["ANG", "SAD", "SAD"],
    ...                             y_proba=proba)
    >>> scores.reset_index()
      class  n_samples  accuracy  confidence
    0   ANG          2       0.5        0.75
    1   SAD          1       1.0        0.80
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(y_true)
    confidence = None
    if y_proba is not None:
        y_proba = np.asarray(y_proba, dtype=float)
        if y_proba.ndim != 2 or len(y_proba) != len(y_true):
            raise ValueError(
                "y_proba must have shape (n_samples, n_classes) with "
                f"n_samples={len(y_true)}; got {y_proba.shape}."
            )
        confidence = y_proba.max(axis=1)
    rows = []
    for label in labels:
        mask = y_true == label
        found = mask.any()
        rows.append(
            {
                "n_samples": int(mask.sum()),
                "accuracy": float(np.mean(y_pred[mask] == label)) if found else np.nan,
                "confidence": float(confidence[mask].mean())
                if confidence is not None and found
                else np.nan,
            }
        )
    return pd.DataFrame(rows, index=pd.Index(labels, name="class"))


def training_history(history):
    """Tabulate the per-epoch losses and scores of a training run.

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values with at least ``'loss'``, as
        :attr:`DualStreamClassifier.history_
        <skmer.neural_network.DualStreamClassifier>` or Keras'
        ``History.history``.

    Returns
    -------
    history : DataFrame
        One row per epoch: ``epoch`` (from 1), then one column per key of
        ``history``, such as ``loss``, ``accuracy`` and, under early
        stopping, ``val_loss`` and ``val_accuracy``.

    See Also
    --------
    TrainingHistoryDisplay : Plot the curves.

    Examples
    --------
    >>> from skmer.evaluation import training_history
    >>> training_history({"loss": [1.1, 0.9], "accuracy": [0.4, 0.6]})
       epoch  loss  accuracy
    0      1   1.1       0.4
    1      2   0.9       0.6
    """
    if not isinstance(history, dict) or "loss" not in history:
        keys = f" with keys {sorted(history)}." if isinstance(history, dict) else "."
        raise ValueError(
            "history must be a dict of per-epoch lists with at least 'loss', "
            f"as DualStreamClassifier.history_; got {type(history).__name__}" + keys
        )
    frame = pd.DataFrame(history)
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    return frame
