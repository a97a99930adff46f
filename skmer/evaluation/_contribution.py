"""How much each modality drives a DualStreamClassifier's decisions."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from skmer.evaluation._base import class_index, dual_stream, features

__all__ = ["modality_contribution"]

_MODALITIES = ("face", "audio")


# The model inputs of each block: a face network that Keras cannot run
# ('mobilefacenet') feeds its embeddings as "face_embedding".
_INPUTS = {"face": ("face", "face_embedding"), "audio": ("audio",)}


def modality_contribution(estimator, X, y, *, X_reference=None):
    """Measure how much each modality drives the decisions, per class.

    Two measures, for each modality block of a fitted fusion model:

    - **ablation**: the block of every sample is replaced by its mean over
      ``X_reference`` (the training data, ideally), so that the model sees
      an uninformative but typical input, and the drop in accuracy and in
      the mean probability of the true class is recorded;
    - **gradient x (input - reference)**: the gradient of the true class's
      probability times the difference between the input and the mean of
      ``X_reference``, summed over the block's values (the first-order
      estimate of the ablation's effect); its absolute value, averaged over
      samples, as a share of the sum over both blocks.

    Parameters
    ----------
    estimator : DualStreamClassifier or Pipeline
        A fitted classifier with both streams (``modalities='both'``), alone
        or as the last step of a Pipeline.
    X : array-like of shape (n_samples, n_features) or DataFrame
        Evaluation input of ``estimator``.
    y : array-like of shape (n_samples,)
        True labels of X, among the classifier's ``classes_``.
    X_reference : array-like or DataFrame, default=None
        Input whose mean block replaces the ablated one: pass the training
        data. None uses the mean over X.

    Returns
    -------
    contribution : DataFrame
        One row per class (and ``'all'`` for all samples) and modality:
        ``class``, ``modality`` (``'face'`` or ``'audio'``), ``n_samples``,
        ``accuracy`` (of the full model), ``accuracy_ablated``,
        ``accuracy_drop``, ``proba_drop`` (mean drop of the true class's
        probability) and ``attribution`` (the gradient x (input -
        reference) share, the two modalities of a class summing to 1).

    See Also
    --------
    ModalityContributionDisplay : Plot it as a bar chart.

    Notes
    -----
    A modality the model ignores gives drops and shares near zero. Ablation
    measures what the model loses without a modality; the gradient term is
    its linear approximation, which holds for small changes only. The two
    can disagree when the modalities are redundant: either one alone may
    suffice, so ablating one costs little although both carry gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from skmer.evaluation import modality_contribution
    >>> from skmer.neural_network import DualStreamClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((12, 4 * 4 * 1 + 4 * 4), dtype=np.float32)
    >>> y = np.repeat(["ANG", "HAP", "SAD"], 4)
    >>> clf = DualStreamClassifier(
    ...     face_shape=(4, 4, 1), audio_shape=(4, 4), filters=(2,),
    ...     branch_units=4, head_units=(), epochs=1, early_stopping=False,
    ...     run_eagerly=True, random_state=0,
    ... ).fit(X, y)
    >>> table = modality_contribution(clf, X, y)
    >>> table[["class", "modality"]].head(2).values.tolist()
    [['all', 'face'], ['all', 'audio']]
    """
    clf, Xt, inputs = dual_stream(estimator, X, caller="modality_contribution")
    encoder = clf.feature_encoder_
    if encoder.face_columns is None or encoder.audio_columns is None:
        raise ValueError(
            "modality_contribution needs a model with both streams; got "
            f"modalities={clf.modalities!r}."
        )
    true_index = class_index(clf, y, len(Xt), "y")
    reference = Xt
    if X_reference is not None:
        reference = np.asarray(features(estimator, X_reference), dtype=np.float32)
    outcomes = {"full": _outcome(clf, Xt, true_index)}
    for modality in _MODALITIES:
        start, stop = getattr(encoder, f"{modality}_columns")
        X_ablated = Xt.copy()
        X_ablated[:, start:stop] = reference[:, start:stop].mean(axis=0)
        outcomes[modality] = _outcome(clf, X_ablated, true_index)
    saliency = _saliency(clf, inputs, reference, true_index)
    return _contribution_table(clf.classes_, np.asarray(y), outcomes, saliency)


def _outcome(clf, X, true_index):
    """Whether each sample is predicted right, and the true class's probability."""
    proba = clf.predict_proba(X)
    correct = proba.argmax(axis=1) == true_index
    return correct, proba[np.arange(len(X)), true_index]


def _saliency(clf, inputs, reference, true_index):
    """Gradient x (input - reference mean) of each block, per sample, absolute."""
    import tensorflow as tf

    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    onehot = np.eye(clf.n_classes_, dtype=np.float32)[true_index]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        output = clf.model_(tensors, training=False)
        score = tf.reduce_sum(output * onehot)
    gradients = tape.gradient(score, tensors)
    # Gradient x (input - reference mean), summed over the block: the
    # first-order estimate of the ablation's effect on the probability. The
    # signed sum, unlike a sum of absolute values, does not grow with the
    # number of values in the block (a face block has far more than an MFCC
    # block).
    baseline = clf.feature_encoder_.transform(reference.mean(axis=0, keepdims=True))
    n_samples = len(true_index)
    return {
        modality: np.abs(
            sum(
                (gradients[name].numpy() * (inputs[name] - baseline[name]))
                .reshape(n_samples, -1)
                .sum(axis=1)
                for name in _INPUTS[modality]
                if name in inputs
            )
        )
        for modality in _MODALITIES
    }


def _contribution_table(classes, y, outcomes, saliency):
    """One row per class (first ``'all'``) and modality: the measures' means."""
    correct, p_true = outcomes["full"]
    rows = []
    for label in ["all", *classes.tolist()]:
        mask = np.ones(len(y), bool) if label == "all" else y == label
        if not mask.any():
            continue
        total = sum(saliency[m][mask].sum() for m in _MODALITIES)
        accuracy = float(correct[mask].mean())
        for modality in _MODALITIES:
            correct_ablated, p_ablated = outcomes[modality]
            accuracy_ablated = float(correct_ablated[mask].mean())
            rows.append(
                {
                    "class": label,
                    "modality": modality,
                    "n_samples": int(mask.sum()),
                    "accuracy": accuracy,
                    "accuracy_ablated": accuracy_ablated,
                    "accuracy_drop": accuracy - accuracy_ablated,
                    "proba_drop": float(np.mean(p_true[mask] - p_ablated[mask])),
                    "attribution": float(saliency[modality][mask].sum() / total)
                    if total > 0
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)
