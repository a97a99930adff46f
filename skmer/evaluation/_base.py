"""Helpers shared by the evaluation tools: the classifier inside a pipeline."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def final_estimator(estimator):
    """Return the last step of a Pipeline, or the estimator itself."""
    if isinstance(estimator, Pipeline):
        return estimator.steps[-1][1]
    return estimator


def features(estimator, X):
    """Transform X with every step of a Pipeline but the last one."""
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        return estimator[:-1].transform(X)
    return X


def dual_stream(estimator, X, *, caller):
    """Return the fitted DualStreamClassifier and its named inputs for X."""
    from skmer.neural_network import DualStreamClassifier

    clf = final_estimator(estimator)
    if not isinstance(clf, DualStreamClassifier):
        raise TypeError(
            f"{caller} needs a DualStreamClassifier, alone or as the last step "
            f"of a Pipeline; got {type(clf).__name__}."
        )
    check_is_fitted(clf)
    Xt = np.asarray(features(estimator, X), dtype=np.float32)
    return clf, Xt, clf.feature_encoder_.transform(Xt)


def class_index(clf, labels, n_samples, name):
    """Position in ``clf.classes_`` of one label per sample; ValueError if not.

    ``name`` is the argument the labels came in, for the message.
    """
    labels = np.asarray(labels)
    unknown = sorted(set(labels.tolist()) - set(clf.classes_.tolist()))
    if len(labels) != n_samples or unknown:
        raise ValueError(
            f"{name} must hold one label of classes_ {clf.classes_.tolist()} per "
            f"sample ({n_samples}); got {len(labels)} labels"
            + (f", unknown {unknown}." if unknown else ".")
        )
    return np.searchsorted(clf.classes_, labels)


def check_face_stream(clf, has_face, caller):
    """Raise unless the classifier has the face stream ``caller`` needs."""
    if not has_face:
        raise ValueError(
            f"{caller} needs a model with a face stream; got "
            f"modalities={clf.modalities!r}."
        )
