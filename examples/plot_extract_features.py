"""
=====================================================
Face and voice features in a speaker-grouped pipeline
=====================================================

Extract the face block and the MFCC block of the embedded synthetic clips,
and compare a linear model on each modality and on both, with folds grouped
by actor so that no speaker is in both a training and a test fold.

The clips are synthetic (drawn faces, synthetic voices): the accuracies show
how the pieces fit, not how well emotion recognition works on real people.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Generate the clips
# ------------------
# ``make_synthetic_clips`` writes small real video files (H.264 + AAC) and
# returns their paths, labels and actors, like the dataset loaders do. They
# are kept in the skmer data folder (:func:`~skmer.datasets.get_data_home`):
# a second call with the same parameters reuses them.
import os

from skmer.datasets import get_data_home, make_synthetic_clips

home = os.path.join(get_data_home(), "gallery")
data = make_synthetic_clips(
    os.path.join(home, "clips"), n_actors=6, n_clips_per_emotion=2
)
print(len(data.paths), "clips;", "emotions:", data.target_names)

# %%
# Extract each block once
# -----------------------
# A cache directory makes every later transform of the same files, in every
# fold, free: the cross-validation below decodes each clip once, and a second
# run decodes nothing.
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skmer.feature_extraction import FaceExtractor, MFCCExtractor

cache = os.path.join(home, "cache")
face = FaceExtractor(size=32, color="gray", cache_dir=cache)
voice = make_pipeline(MFCCExtractor(n_frames=64, cache_dir=cache), StandardScaler())

# %%
# Compare modalities with speaker-grouped folds
# ---------------------------------------------
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score

cv = StratifiedGroupKFold(n_splits=3)
models = {
    "face only": make_pipeline(face, LogisticRegression(max_iter=2000)),
    "voice only": make_pipeline(voice, LogisticRegression(max_iter=2000)),
    "face + voice": make_pipeline(
        make_union(face, voice), LogisticRegression(max_iter=2000)
    ),
}
scores = {}
for name, model in models.items():
    scores[name] = cross_val_score(
        model, data.paths, data.target, groups=data.groups, cv=cv
    )
    print(
        f"{name:>13}: accuracy {scores[name].mean():.2f} +/- {scores[name].std():.2f}"
    )

# %%
# Plot the scores of the folds
# ----------------------------
# Each dot is the accuracy on the actors of one test fold, each bar their mean.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3))
ax.barh(
    range(len(scores)),
    [fold_scores.mean() for fold_scores in scores.values()],
    color="tab:blue",
    alpha=0.3,
)
ax.set_yticks(range(len(scores)), list(scores))
for i, fold_scores in enumerate(scores.values()):
    ax.plot(fold_scores, [i] * len(fold_scores), "o", color="tab:blue")
ax.axvline(1 / len(data.target_names), color="gray", linestyle="--", label="chance")
ax.set_xlabel("accuracy on unseen actors")
ax.set_xlim(0, 1.05)
ax.legend(loc="lower left")
fig.tight_layout()
