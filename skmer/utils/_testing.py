"""Fast estimator configurations and expected check failures for the tests."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

# Constructor arguments that make each estimator fast enough for the
# scikit-learn estimator checks, keyed by class name (imblearn's INIT_PARAMS).
INIT_PARAMS = {
    # The checks feed 2-D arrays of any width: audio_shape=None reads each row
    # as one column of coefficients. A tiny network, run eagerly (no graph
    # tracing), trained for one epoch without a validation split.
    "DualStreamClassifier": {
        "modalities": "audio",
        "audio_shape": None,
        "filters": (4,),
        "branch_units": 8,
        "head_units": (8,),
        "epochs": 1,
        "batch_size": 64,
        "early_stopping": False,
        "run_eagerly": True,
        "random_state": 0,
    },
    # The same for the speech networks: the paper's audio CNN, 4 base filters.
    "SpeechClassifier": {
        "audio_shape": None,
        "width": 2,
        "epochs": 1,
        "batch_size": 64,
        "early_stopping": False,
        "run_eagerly": True,
        "random_state": 0,
    },
    # The checks feed waveforms of 10 to 100 samples: a 64-sample FFT, a hop
    # of 16 and 4 frames (a 48-sample window) keep every frame informative;
    # 8 mel bands over 4 kHz leave no filter empty.
    "MFCCExtractor": {
        "n_mfcc": 4,
        "n_frames": 4,
        "sr": 8000,
        "n_fft": 64,
        "hop_length": 16,
        "n_mels": 8,
    },
    # Takes paths, so only the data-free checks run; small crops for the rest.
    "FaceExtractor": {"size": 16, "detector": "haar", "on_no_face": "ignore"},
}


def _keras_classifier_failures(name):
    """Return the checks that the SciKeras classifier ``name`` fails, with why.

    They come from SciKeras' base classes and mini-batch training, not from
    the network, so each Keras classifier fails the same ones.
    """
    return {
        "check_estimator_tags_renamed": (
            "SciKeras' BaseWrapper defines _more_tags without __sklearn_tags__; "
            f"{name} defines __sklearn_tags__, which scikit-learn uses."
        ),
        "check_mixin_order": (
            "SciKeras' KerasClassifier lists ClassifierMixin after BaseEstimator, "
            "and a subclass cannot reorder its bases; __sklearn_tags__ sets the "
            "classifier tags that the order would have given."
        ),
        "check_sample_weight_equivalence_on_dense_data": (
            "Mini-batch training: repeating a sample changes the batches, their "
            "BatchNormalization statistics and the number of steps per epoch, "
            "so it is not the same as doubling its weight."
        ),
    }


# Estimator checks each estimator is known to fail, keyed by class name and
# then by check name, with the reason (tslearn's dicts).
EXPECTED_FAILED_CHECKS = {
    "DualStreamClassifier": _keras_classifier_failures("DualStreamClassifier"),
    "SpeechClassifier": _keras_classifier_failures("SpeechClassifier"),
    "MFCCExtractor": {},
    "FaceExtractor": {},
}


# Small extractor settings that keep tests on media fast, by class name.
FAST_EXTRACTOR_PARAMS = {
    "FaceExtractor": {"size": 16, "detector": "haar", "on_no_face": "ignore"},
    "MFCCExtractor": {"n_mfcc": 5, "n_frames": 8, "n_fft": 512, "hop_length": 256},
}


def fast_extractor(cls, **params):
    """Return ``cls`` with the fast test settings, overridden by ``params``."""
    return cls(**{**FAST_EXTRACTOR_PARAMS[cls.__name__], **params})
