"""
=================================================
Compare modalities and explain a fusion model
=================================================

Fit the face-only, audio-only and fusion variants of a small
:class:`~skmer.neural_network.DualStreamClassifier` on the same
speaker-grouped folds of the embedded synthetic clips, test fusion against
each, then draw the paper's reports for one fitted model: per-class scores,
confusion matrices, Grad-CAM heatmaps and the contribution of each modality.

The clips are synthetic (drawn faces, synthetic voices) and the network is
tiny and trained for a few epochs: the numbers show how the tools fit
together, not how well emotion recognition works on real people.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Clips and features
# ------------------
# The pipeline goes from file paths to labels: the extractors read each clip
# once (a cache directory serves every later fold), and the classifier takes
# the ``[face block | audio block]`` matrix.
import tempfile

from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skmer.datasets import make_synthetic_clips
from skmer.feature_extraction import FaceExtractor, MFCCExtractor
from skmer.neural_network import DualStreamClassifier

data = make_synthetic_clips(tempfile.mkdtemp(), n_actors=6, n_clips_per_emotion=2)
cache = tempfile.mkdtemp()
features = make_union(
    FaceExtractor(size=16, color="gray", cache_dir=cache),
    make_pipeline(
        MFCCExtractor(n_mfcc=8, n_frames=16, cache_dir=cache), StandardScaler()
    ),
)
classifier = DualStreamClassifier(
    face_shape=(16, 16, 1),
    audio_shape=(8, 16),
    filters=(4,),
    branch_units=8,
    head_units=(),
    batch_norm_momentum=0.5,
    learning_rate=0.02,
    epochs=10,
    early_stopping=False,
    random_state=0,
)
model = make_pipeline(features, classifier)

# %%
# Face, voice and both on the same folds
# --------------------------------------
# With ``groups``, the folds keep each actor on one side
# (StratifiedGroupKFold); the paired tests compare fusion with each single
# modality across folds (corrected resampled t-test) and on the pooled
# out-of-fold predictions (McNemar).
from skmer.evaluation import compare_modalities

result = compare_modalities(
    model, data.paths, data.target, groups=data.groups, cv=3, random_state=0
)
print(result.summary[["model", "accuracy_mean", "accuracy_std", "f1_macro_mean"]])
print(result.tests[result.tests.metric == "accuracy"])

# %%
# Reports of one fitted model
# ---------------------------
# Every Display computes its numbers first (available without matplotlib),
# then plots them.
from skmer.evaluation import ClassificationReportDisplay, plot_confusion_matrices

train, test = result.cv[0]
model.fit(data.paths[train], data.target[train])
report = ClassificationReportDisplay.from_estimator(
    model, data.paths[test], data.target[test]
)
print(report.report.round(2))
counts, normalized = plot_confusion_matrices(
    data.target[test], model.predict(data.paths[test])
)

# %%
# Where the face stream looks, and which modality decides
# -------------------------------------------------------
from skmer.evaluation import GradCAMDisplay, ModalityContributionDisplay

GradCAMDisplay.from_estimator(
    model, data.paths[test], data.target[test], n_images=4, random_state=0
)
contribution = ModalityContributionDisplay.from_estimator(
    model, data.paths[test], data.target[test], X_reference=data.paths[train]
)
print(contribution.contribution.round(2))
