"""skmer: scikit-learn compatible multimodal emotion recognition.

Face and voice features from short video clips, as scikit-learn transformers and
estimators that compose into pipelines and cross-validation.
"""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib

__version__ = "0.1.0.dev0"

# Subpackages and modules are imported on first access (PEP 562) so that
# ``import skmer`` stays fast and never loads TensorFlow, OpenCV or librosa.
_submodules = [
    "cli",
    "datasets",
    "evaluation",
    "exceptions",
    "feature_extraction",
    "io",
    "neural_network",
    "pipeline",
    "preprocessing",
    "utils",
]

# Top-level shortcuts to the estimators, resolved lazily from their subpackage.
_lazy_names = {
    "FaceExtractor": "skmer.feature_extraction",
    "MFCCExtractor": "skmer.feature_extraction",
    "LogMelExtractor": "skmer.feature_extraction",
    "DualStreamClassifier": "skmer.neural_network",
    "SpeechClassifier": "skmer.neural_network",
    "FaceEmbedding": "skmer.neural_network",
    "save_model": "skmer._serialization",
    "load_model": "skmer._serialization",
}

__all__ = sorted(_submodules + list(_lazy_names) + ["__version__"])


def __dir__():
    return __all__


def __getattr__(name):
    if name in _submodules:
        return importlib.import_module(f"skmer.{name}")
    if name in _lazy_names:
        return getattr(importlib.import_module(_lazy_names[name]), name)
    raise AttributeError(f"module 'skmer' has no attribute {name!r}")
