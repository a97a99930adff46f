"""
==============================================
Grid search over the classifier and modalities
==============================================

Tune :class:`~skmer.neural_network.DualStreamClassifier` with
:class:`~sklearn.model_selection.GridSearchCV`, treating the modalities
(face only, audio only, both) as one more hyperparameter, with folds grouped
by actor.

The extractors' ``cache_dir`` makes the search cheap: each clip is decoded
once, then every candidate and fold reads its features from the cache. The
network is shrunk (one convolution block of four filters on 16x16 faces,
trained from scratch for 10 epochs) so that the example runs in seconds, and
its scores are low: the example shows how the search is set up, not how well
emotion recognition works. On real clips, start from
``DualStreamClassifier.from_preset("recommended")``, as in
:ref:`sphx_glr_auto_examples_plot_evaluate_modalities.py`.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Synthetic clips and a cached feature union
# ------------------------------------------
# The clips and the feature cache are kept in the skmer data folder
# (:func:`~skmer.datasets.get_data_home`), so a second run reuses them.
import os

from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skmer.datasets import get_data_home, make_synthetic_clips
from skmer.feature_extraction import FaceExtractor, MFCCExtractor

home = os.path.join(get_data_home(), "gallery")
data = make_synthetic_clips(
    os.path.join(home, "clips"), n_actors=6, n_clips_per_emotion=2
)
cache = os.path.join(home, "cache")
features = make_union(
    FaceExtractor(size=16, color="gray", cache_dir=cache),
    make_pipeline(
        MFCCExtractor(n_mfcc=20, n_frames=32, cache_dir=cache), StandardScaler()
    ),
)

# %%
# A small dual-stream network
# ---------------------------
# ``face_shape`` and ``audio_shape`` must match the extractors' output:
# 16x16 gray faces and 20x32 MFCC matrices. Eager execution
# (``run_eagerly=True``) skips the graph tracing, which costs more than it
# saves on a few dozen clips.
from skmer.neural_network import DualStreamClassifier

clf = DualStreamClassifier(
    face_shape=(16, 16, 1),
    audio_shape=(20, 32),
    filters=(4,),
    branch_units=8,
    head_units=(),
    batch_norm_momentum=0.5,
    epochs=10,
    early_stopping=False,
    learning_rate=0.02,
    run_eagerly=True,
    random_state=0,
)
model = make_pipeline(features, clf)

# %%
# Search over the modalities, folds grouped by actor
# --------------------------------------------------
# Any other parameter joins the grid the same way, for instance
# ``"dualstreamclassifier__learning_rate": [0.003, 0.01]``.
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

param_grid = {
    "dualstreamclassifier__modalities": ["face", "audio", "both"],
}
search = GridSearchCV(model, param_grid, cv=StratifiedGroupKFold(n_splits=3))
search.fit(data.paths, data.target, groups=data.groups)
print("best:", search.best_params_, f"accuracy {search.best_score_:.2f}")

# %%
# Scores of every candidate
# -------------------------
import matplotlib.pyplot as plt
import pandas as pd

results = pd.DataFrame(search.cv_results_)
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.bar(
    results["param_dualstreamclassifier__modalities"],
    results["mean_test_score"],
    yerr=results["std_test_score"],
    color=["tab:blue", "tab:orange", "tab:green"],
)
ax.axhline(1 / 3, color="gray", linestyle="--", label="chance")
ax.set_xlabel("modalities")
ax.set_ylabel("accuracy on unseen actors")
ax.set_ylim(0, 1.05)
ax.legend(loc="upper left")
fig.tight_layout()
