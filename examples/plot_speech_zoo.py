"""
==================================================
Speech model zoo on speaker-independent folds
==================================================

The second reference paper compares AlexNet, ResNet, Inception, VGG16,
VGG19, an LSTM and a Transformer for speech emotion recognition. In skmer
that comparison is a loop over the ``architecture`` parameter of
:class:`~skmer.neural_network.SpeechClassifier`, with the same
speaker-grouped folds for every network.

The clips are the embedded synthetic ones (36 clips of 6 speakers), and
each network is narrow, trained eagerly for 6 epochs, so that the example
runs in seconds: the table shows how to run the comparison, not which
network wins on real speech (``benchmarks/bench_speech_zoo.py`` runs it on a
real corpus; see :ref:`speech_zoo`).
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Log-mel spectrograms of the clips
# ---------------------------------
# :class:`~skmer.feature_extraction.LogMelExtractor` takes the same paths as
# :class:`~skmer.feature_extraction.MFCCExtractor` and returns one flattened
# ``(n_mels, n_frames)`` matrix per clip. Extract once, then compare models on
# the features. The clips and the feature cache are kept in the skmer data
# folder (:func:`~skmer.datasets.get_data_home`), so a second run reuses them.
import os

import numpy as np
from sklearn.preprocessing import StandardScaler

from skmer.datasets import get_data_home, make_synthetic_clips
from skmer.feature_extraction import LogMelExtractor

home = os.path.join(get_data_home(), "gallery")
data = make_synthetic_clips(
    os.path.join(home, "clips"), n_actors=6, n_clips_per_emotion=2
)
n_mels, n_frames = 16, 24
X = LogMelExtractor(
    n_mels=n_mels, n_frames=n_frames, cache_dir=os.path.join(home, "cache")
).fit_transform(data.paths)
print(f"{X.shape[0]} clips of {len(np.unique(data.groups))} speakers, {X.shape[1]}")

# %%
# Every architecture on the same folds
# ------------------------------------
# The folds keep each speaker on one side
# (:class:`~sklearn.model_selection.StratifiedGroupKFold`); the scaler is in
# the pipeline, so it learns from the training speakers only.
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, cross_validate
from sklearn.pipeline import make_pipeline

from skmer.neural_network import SpeechClassifier

# Four of the eight architectures keep the example short; add 'resnet',
# 'inception', 'vgg16' and 'vgg19' to the list for the full zoo. Eager
# execution (``run_eagerly=True``) skips the graph tracing, which costs more
# than it saves on a few dozen clips.
cv = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0)
rows = []
for architecture in ["cnn", "alexnet", "lstm", "transformer"]:
    model = make_pipeline(
        StandardScaler(),
        SpeechClassifier(
            architecture,
            audio_shape=(n_mels, n_frames),
            width=4,
            epochs=6,
            learning_rate=0.01,
            early_stopping=False,
            run_eagerly=True,
            random_state=0,
        ),
    )
    scores = cross_validate(
        model, X, data.target, groups=data.groups, cv=cv, scoring="accuracy"
    )
    rows.append(
        {
            "architecture": architecture,
            "accuracy": scores["test_score"].mean(),
            "std": scores["test_score"].std(),
            "fit seconds": scores["fit_time"].mean(),
        }
    )
table = pd.DataFrame(rows).set_index("architecture")
print(table.round(3))

# %%
# Plot the table
# --------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(table.index, table["accuracy"], xerr=table["std"], color="tab:blue")
ax.axvline(1 / len(data.target_names), color="gray", linestyle="--", label="chance")
ax.set_xlabel("accuracy on unseen speakers (mean ± std over 3 folds)")
ax.set_xlim(0, 1)
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
