"""Synthetic data shared by the test modules (import it as ``_data``)."""

import numpy as np

CLASSES = np.array(["angry", "happy", "sad"])


def make_faces(
    n_per_class=8, n_frames=1, face_shape=(16, 16, 3), seed=0, audio_width=0
):
    """Face frames where class k brightens rows 4k to 4k+3 of every frame.

    Returns ``X, y``: one row per clip, the ``n_frames`` flattened frames, then
    ``audio_width`` standard normal columns drawn after them (an audio block).
    """
    rng = np.random.default_rng(seed)
    y = np.tile(CLASSES, n_per_class)
    faces = rng.random((len(y), n_frames, *face_shape), dtype=np.float32) * 0.5
    for k in range(len(CLASSES)):
        faces[y == CLASSES[k], :, 4 * k : 4 * k + 4] += 0.5
    X = faces.reshape(len(y), -1)
    if audio_width:
        audio = rng.standard_normal((len(y), audio_width), dtype=np.float32)
        X = np.hstack([X, audio])
    return X, y
