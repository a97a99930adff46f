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
