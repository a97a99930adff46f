"""Tests of DualStreamClassifier and the dual-stream network."""

import pickle
import re

import joblib
import keras
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedGroupKFold,
    StratifiedKFold,
    check_cv,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_sample_weight

from skmer.neural_network import SpecAugment, build_dual_stream_cnn
from skmer.neural_network._classifier import PRESETS, DualStreamClassifier

FACE_SHAPE = (16, 16, 3)
AUDIO_SHAPE = (8, 16)
FACE_WIDTH = 16 * 16 * 3
AUDIO_WIDTH = 8 * 16
CLASSES = np.array(["angry", "happy", "sad"])

# A tiny network; graph mode, as users run it.
SMALL = {
    "face_shape": FACE_SHAPE,
    "audio_shape": AUDIO_SHAPE,
    "filters": (4, 8),
    "branch_units": 8,
    "head_units": (8,),
    "dropout": 0.1,
    "learning_rate": 0.01,
    "batch_size": 16,
    "early_stopping": False,
    "random_state": 0,
}
# The same, run eagerly: no graph tracing, for tests that fit many times.
EAGER = {**SMALL, "filters": (4,), "epochs": 1, "run_eagerly": True}


def make_data(n_actors=20, n_frames=1, seed=0):
    """One clip per class and actor; each class marks both blocks."""
    rng = np.random.default_rng(seed)
    y = np.tile(CLASSES, n_actors)
    groups = np.repeat(np.arange(n_actors), len(CLASSES))
    code = np.searchsorted(CLASSES, y)
    face = rng.random((len(y), n_frames, 16, 16, 3), dtype=np.float32) * 0.5
    for k in range(len(CLASSES)):
        # class k brightens a band of rows of every frame
        face[code == k, :, 5 * k : 5 * k + 5, :, :] += 0.5
    audio = rng.standard_normal((len(y), *AUDIO_SHAPE)).astype(np.float32)
    audio[np.arange(len(y)), code, :] += 2.0
    X = np.hstack([face.reshape(len(y), -1), audio.reshape(len(y), -1)])
    return X, y, groups


pytestmark = pytest.mark.usefixtures("seeds_fixed")


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def fitted(data):
    """A two-stream classifier fitted once for the module (skorch's net_fit)."""
    X, y, _ = data
    keras.utils.set_random_seed(0)
    return DualStreamClassifier(**SMALL, epochs=15).fit(X, y)


# --------------------------------------------------------------------------
# The network


@pytest.mark.parametrize(
    "face_shape, audio_shape, names",
    [
        (FACE_SHAPE, AUDIO_SHAPE, ["face", "audio"]),
        (FACE_SHAPE, None, ["face"]),
        (None, AUDIO_SHAPE, ["audio"]),
    ],
)
def test_build_inputs_and_output(face_shape, audio_shape, names):
    model = build_dual_stream_cnn(
        face_shape=face_shape, audio_shape=audio_shape, n_classes=4, filters=(4,)
    )
    assert [t.name for t in model.inputs] == names
    assert tuple(model.output.shape) == (None, 4)


def test_build_paper_architecture():
    model = build_dual_stream_cnn(
        face_shape=(64, 64, 3), audio_shape=(40, 128), n_classes=3
    )
    assert [tuple(t.shape) for t in model.inputs] == [
        (None, 64, 64, 3),
        (None, 40, 128, 1),
    ]
    for stream in (model.get_layer("face_frame_encoder"), model):
        conv = [
            layer for layer in stream.layers if isinstance(layer, keras.layers.Conv2D)
        ]
        assert [layer.filters for layer in conv] == [32, 64, 128]
        assert all(layer.kernel_size == (3, 3) for layer in conv)
        assert all(layer.activation.__name__ == "relu" for layer in conv)
    units = {
        name: model.get_layer(f"{name}_dense").units
        for name in ("face_branch", "audio_branch", "head0", "head1")
    }
    assert units == {
        "face_branch": 128,
        "audio_branch": 128,
        "head0": 256,
        "head1": 128,
    }
    fusion = model.get_layer("fusion")
    assert tuple(fusion.output.shape) == (None, 256)
    assert model.get_layer("emotion").activation.__name__ == "softmax"


@pytest.mark.parametrize(
    "pooling, layer",
    [
        ("mean", "face_frame_mean"),
        ("max", "face_frame_max"),
        ("mean_max", "face_frame_mean_max"),
        ("lstm", "face_lstm"),
    ],
)
def test_build_frames_pooled(pooling, layer):
    model = build_dual_stream_cnn(
        face_shape=FACE_SHAPE,
        audio_shape=None,
        n_classes=3,
        n_frames=4,
        frame_pooling=pooling,
        lstm_units=5,
        filters=(4,),
    )
    assert tuple(model.inputs[0].shape) == (None, 4, *FACE_SHAPE)
    assert isinstance(model.get_layer("face_frames"), keras.layers.TimeDistributed)
    assert model.get_layer(layer) is not None


def test_build_needs_one_stream():
    msg = "At least one of face_shape and audio_shape must be given; got None for both."
    with pytest.raises(ValueError, match=re.escape(msg)):
        build_dual_stream_cnn(face_shape=None, audio_shape=None, n_classes=3)


def test_build_mean_max_pools_the_frame_vectors():
    # The pooled vector is the mean over frames, then the maximum, of what the
    # frame encoder gives each frame.
    model = build_dual_stream_cnn(
        face_shape=FACE_SHAPE,
        audio_shape=None,
        n_classes=3,
        n_frames=3,
        frame_pooling="mean_max",
        filters=(4,),
        seed=0,
    )
    frames = np.random.default_rng(0).random((2, 3, *FACE_SHAPE), dtype=np.float32)
    per_frame = keras.Model(model.input, model.get_layer("face_frames").output)
    pooled = keras.Model(model.input, model.get_layer("face_frame_mean_max").output)
    vectors = np.asarray(per_frame({"face": frames}))
    expected = np.hstack([vectors.mean(axis=1), vectors.max(axis=1)])
    np.testing.assert_allclose(
        np.asarray(pooled({"face": frames})), expected, rtol=1e-5
    )
    assert expected.shape == (2, 8)


def test_build_bad_frame_pooling():
    msg = "frame_pooling must be 'mean', 'max', 'mean_max' or 'lstm'; got 'median'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        build_dual_stream_cnn(
            face_shape=FACE_SHAPE,
            audio_shape=None,
            n_classes=3,
            n_frames=2,
            frame_pooling="median",
        )


def test_build_without_branch_layers():
    # branch_units=0: each stream's pooled features go to the fusion as they are.
    model = build_dual_stream_cnn(
        face_shape=FACE_SHAPE,
        audio_shape=AUDIO_SHAPE,
        n_classes=3,
        filters=(4, 6),
        branch_units=0,
        head_units=(),
    )
    names = [layer.name for layer in model.layers]
    assert not [name for name in names if "branch" in name]
    assert tuple(model.get_layer("fusion").output.shape) == (None, 12)


def test_build_same_seed_same_weights():
    kwargs = {"face_shape": FACE_SHAPE, "audio_shape": AUDIO_SHAPE, "n_classes": 3}
    first = build_dual_stream_cnn(**kwargs, seed=1).get_weights()
    second = build_dual_stream_cnn(**kwargs, seed=1).get_weights()
    other = build_dual_stream_cnn(**kwargs, seed=2).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_spec_augment_masks_in_training_only():
    x = np.ones((8, 8, 16, 1), dtype="float32")
    layer = SpecAugment(max_time_mask=4, max_freq_mask=2, seed=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    masked = keras.ops.convert_to_numpy(layer(x, training=True))
    assert masked.shape == x.shape
    assert set(np.unique(masked)) <= {0.0, 1.0}
    assert 0 < (masked == 0).mean() < 0.5
    # a masked band spans whole rows (frequency) or whole columns (time)
    zeros = masked[..., 0] == 0
    rows, cols = zeros.all(axis=2), zeros.all(axis=1)
    explained = rows[:, :, None] | cols[:, None, :]
    np.testing.assert_array_equal(zeros, explained)
    clone_layer = SpecAugment.from_config(layer.get_config())
    assert clone_layer.max_time_mask == 4 and clone_layer.max_freq_mask == 2


# --------------------------------------------------------------------------
# Fitted attributes and predictions


def test_fitted_attributes(fitted, data):
    X, y, _ = data
    np.testing.assert_array_equal(fitted.classes_, CLASSES)
    assert fitted.n_classes_ == 3
    assert fitted.n_features_in_ == FACE_WIDTH + AUDIO_WIDTH
    assert isinstance(fitted.model_, keras.Model)
    assert [t.name for t in fitted.model_.inputs] == ["face", "audio"]
    assert set(fitted.history_) == {"loss", "accuracy", "learning_rate"}
    assert all(len(v) == 15 for v in fitted.history_.values())
    assert all(isinstance(v, float) for v in fitted.history_["loss"])


def test_predict_proba_and_string_labels(fitted, data):
    X, y, _ = data
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(y), 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    pred = fitted.predict(X)
    assert set(pred) <= set(CLASSES)
    np.testing.assert_array_equal(pred, CLASSES[proba.argmax(axis=1)])


def test_learns_separable_data(fitted, data):
    X, y, _ = data
    assert fitted.score(X, y) > 0.9
    assert fitted.history_["loss"][-1] < fitted.history_["loss"][0]


def test_score_with_labels_unseen_in_fit(fitted, data):
    # Unknown labels at predict time are wrong answers, not errors.
    X, y, _ = data
    y_new = y.copy()
    y_new[:6] = "neutral"
    assert fitted.score(X, y_new) <= fitted.score(X, y) - 0.05


def test_same_random_state_same_predictions(fitted, data):
    X, y, _ = data
    keras.utils.set_random_seed(123)  # global state must not matter
    refit = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba(X), fitted.predict_proba(X))
    assert refit.history_ == fitted.history_


def test_random_state_restores_global_random_state(data):
    X, y, _ = data
    np.random.seed(7)  # noqa: NPY002
    expected = np.random.rand()  # noqa: NPY002
    np.random.seed(7)  # noqa: NPY002
    DualStreamClassifier(**EAGER).fit(X, y)
    assert np.random.rand() == expected  # noqa: NPY002


def test_seeded_fit_leaves_unseeded_random_ops_working(data):
    # SciKeras' seeding sets TF_DETERMINISTIC_OPS, which TensorFlow caches:
    # afterwards every unseeded random op raised.
    import tensorflow as tf

    X, y, _ = data
    DualStreamClassifier(**EAGER).fit(X, y)
    assert tf.random.uniform((2,)).shape == (2,)
    DualStreamClassifier(**{**EAGER, "random_state": None}).fit(X, y)


def test_second_fit_starts_from_scratch(data):
    X, y, _ = data
    clf = DualStreamClassifier(**EAGER)
    first = clf.fit(X, y).predict_proba(X)
    model = clf.model_
    second = clf.fit(X, y).predict_proba(X)
    assert clf.model_ is not model
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(
    "modalities, columns, name",
    [
        ("face", slice(None), "face"),  # the audio block is ignored
        ("face", slice(0, FACE_WIDTH), "face"),
        ("audio", slice(None), "audio"),  # the face block is ignored
        ("audio", slice(FACE_WIDTH, None), "audio"),
    ],
)
def test_unimodal(modalities, columns, name, data):
    X, y, _ = data
    clf = DualStreamClassifier(modalities, **EAGER).fit(X[:, columns], y)
    assert [t.name for t in clf.model_.inputs] == [name]
    assert clf.predict_proba(X[:5, columns]).shape == (5, 3)


def test_unimodal_ignores_the_other_block(data):
    X, y, _ = data
    clf = DualStreamClassifier("audio", **EAGER).fit(X, y)
    X_other = X.copy()
    X_other[:, :FACE_WIDTH] = 0.0
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X_other))


def test_audio_shape_none_reads_a_column_of_coefficients(data):
    X, y, _ = data
    clf = DualStreamClassifier(**{**EAGER, "audio_shape": None}, modalities="audio")
    clf.fit(X[:, :10], y)
    assert tuple(clf.model_.inputs[0].shape) == (None, 10, 1, 1)


def test_stats_audio_stream_pools_mean_and_std_over_time():
    model = build_dual_stream_cnn(
        face_shape=None,
        audio_shape=AUDIO_SHAPE,
        n_classes=3,
        audio_architecture="stats",
    )
    assert not any(isinstance(la, keras.layers.Conv2D) for la in model.layers)
    stats = keras.Model(model.inputs, model.get_layer("audio_stats").output)
    mfcc = np.random.default_rng(0).normal(3.0, 2.0, (4, *AUDIO_SHAPE, 1))
    expected = np.hstack([mfcc[..., 0].mean(axis=2), mfcc[..., 0].std(axis=2)])
    np.testing.assert_allclose(stats.predict(mfcc, verbose=0), expected, rtol=1e-4)


def test_stats_audio_stream_learns_and_round_trips(data):
    X, y, _ = data
    clf = DualStreamClassifier(
        "audio",
        **{**EAGER, "epochs": 10, "learning_rate": 0.05},
        audio_architecture="stats",
    ).fit(X[:, FACE_WIDTH:], y)
    assert clf.score(X[:, FACE_WIDTH:], y) > 0.9
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(
        restored.predict_proba(X[:5, FACE_WIDTH:]),
        clf.predict_proba(X[:5, FACE_WIDTH:]),
    )


def test_frames_lstm_and_augmentation(data):
    X, y, _ = data
    X2, y2, _ = make_data(n_frames=2)
    clf = DualStreamClassifier(
        **EAGER, n_frames=2, frame_pooling="lstm", lstm_units=4, augment=True
    ).fit(X2, y2)
    assert tuple(clf.model_.get_layer("face").output.shape) == (None, 2, *FACE_SHAPE)
    assert isinstance(clf.model_.get_layer("face_lstm"), keras.layers.LSTM)
    assert clf.model_.get_layer("audio_mask") is not None
    # augmentation is for training batches only: predictions are repeatable
    np.testing.assert_array_equal(clf.predict_proba(X2), clf.predict_proba(X2))


def test_frames_mean_max_without_branch_layers(data):
    X2, y2, _ = make_data(n_frames=2)
    clf = DualStreamClassifier(
        **{**EAGER, "branch_units": 0}, n_frames=2, frame_pooling="mean_max"
    ).fit(X2, y2)
    # 4 filters pooled over frames as mean and max, then the 4 pooled audio maps
    assert tuple(clf.model_.get_layer("fusion").output.shape) == (None, 12)
    proba = clf.predict_proba(X2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_negative_branch_units_error(data):
    X, y, _ = data
    msg = "The 'branch_units' parameter of DualStreamClassifier must be an int"
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        DualStreamClassifier(**{**SMALL, "branch_units": -1}).fit(X, y)


def test_class_weight_balanced_is_sample_weight(data):
    X, y, _ = data
    keep = np.r_[np.flatnonzero(y != "sad"), np.flatnonzero(y == "sad")[:5]]
    X, y = X[keep], y[keep]
    balanced = DualStreamClassifier(**EAGER, class_weight="balanced").fit(X, y)
    weighted = DualStreamClassifier(**EAGER).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y)
    )
    plain = DualStreamClassifier(**EAGER).fit(X, y)
    np.testing.assert_allclose(balanced.predict_proba(X), weighted.predict_proba(X))
    assert not np.allclose(balanced.predict_proba(X), plain.predict_proba(X))


def test_sample_weight_is_not_modified(data):
    X, y, _ = data
    weights = np.ones(len(y))
    DualStreamClassifier(**EAGER, class_weight={"sad": 3.0}).fit(
        X, y, sample_weight=weights
    )
    np.testing.assert_array_equal(weights, 1.0)


def test_early_stopping_keeps_best_epoch(data):
    X, y, _ = data
    params = {
        **EAGER,
        "early_stopping": True,
        "epochs": 30,
        "patience": 3,
        "reduce_lr_patience": 1,
        "reduce_lr_factor": 0.1,
        "learning_rate": 0.05,
    }
    clf = DualStreamClassifier(**params).fit(X, y)
    history = clf.history_
    assert {"val_loss", "val_accuracy"} <= set(history)
    assert len(history["loss"]) < 30
    lrs = history["learning_rate"]
    assert lrs[0] == pytest.approx(0.05) and min(lrs) < lrs[0]


# --------------------------------------------------------------------------
# Errors


def test_width_error_face_block_alone(data):
    X, y, _ = data
    msg = (
        "X has 768 columns, but DualStreamClassifier(modalities='both') expects "
        "896: a face block of 768 columns (face_shape=(16, 16, 3)) followed by an "
        "audio block of 128 columns (audio_shape=(8, 16)). X has the width of the "
        "face block alone: pass both blocks, or set modalities='face'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**SMALL).fit(X[:, :FACE_WIDTH], y)


def test_width_error_audio_block_alone(data):
    X, y, _ = data
    msg = (
        "X has the width of the audio block alone: pass both blocks, or set "
        "modalities='audio'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**SMALL).fit(X[:, FACE_WIDTH:], y)


def test_width_error_mismatched_settings(data):
    X, y, _ = data
    msg = (
        "X has 896 columns, but DualStreamClassifier(modalities='both') expects "
        "1664: a face block of 1536 columns (n_frames=2 x face_shape=(16, 16, 3)) "
        "followed by an audio block of 128 columns (audio_shape=(8, 16)). Set "
        "face_shape, n_frames and audio_shape to match the extractors' settings."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**SMALL, n_frames=2).fit(X, y)


@pytest.mark.parametrize(
    "modalities, msg",
    [
        (
            "face",
            "X has 10 columns, but DualStreamClassifier(modalities='face') expects "
            "the face block of 768 columns (face_shape=(16, 16, 3)), alone or "
            "followed by an audio block of 128 columns (audio_shape=(8, 16)) "
            "(ignored): 768 or 896 columns.",
        ),
        (
            "audio",
            "X has 10 columns, but DualStreamClassifier(modalities='audio') expects "
            "the audio block of 128 columns (audio_shape=(8, 16)), alone or after a "
            "face block of 768 columns (face_shape=(16, 16, 3)) (ignored): 128 or "
            "896 columns.",
        ),
    ],
)
def test_width_error_unimodal(modalities, msg, data):
    X, y, _ = data
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(modalities, **SMALL).fit(X[:, :10], y)


def test_width_error_at_predict(fitted, data):
    X, _, _ = data
    msg = "X has 768 features, but DualStreamClassifier is expecting 896 features"
    with pytest.raises(ValueError, match=re.escape(msg)):
        fitted.predict(X[:, :FACE_WIDTH])


@pytest.mark.parametrize("method", ["fit", "predict"])
def test_nan_error(method, fitted, data):
    X, y, _ = data
    X = X.copy()
    X[3, 5] = np.nan
    msg = "Input X contains NaN."
    with pytest.raises(ValueError, match=re.escape(msg)):
        if method == "fit":
            clone(fitted).fit(X, y)
        else:
            fitted.predict(X)


def test_one_class_error(data):
    X, _, _ = data
    msg = "y must contain at least 2 classes; got 1 class: 'sad'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**SMALL).fit(X, np.full(len(X), "sad"))


def test_one_weighted_class_error(data):
    X, y, _ = data
    msg = (
        "y must contain at least 2 classes with positive sample_weight; "
        "sample_weight leaves only 1 class."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**SMALL).fit(X, y, sample_weight=(y == "sad") * 1.0)


def test_continuous_target_error(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        DualStreamClassifier(**SMALL).fit(X, np.linspace(0, 1, len(X)))


def test_validation_split_error(data):
    X, y, _ = data
    msg = (
        "early_stopping=True holds out validation_fraction=0.2 of the 6 training "
        "samples, stratified by class, which needs at least one sample of each of "
        "the 3 classes on both sides. Pass more samples, a larger "
        "validation_fraction, or early_stopping=False."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**{**EAGER, "early_stopping": True}).fit(X[:6], y[:6])


def test_audio_shape_none_needs_audio_modality(data):
    X, y, _ = data
    msg = (
        "audio_shape=None is only allowed with modalities='audio'; got "
        "modalities='both'. Pass audio_shape=(n_mfcc, n_frames) as in MFCCExtractor."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**{**SMALL, "audio_shape": None}).fit(X, y)


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            {"face_shape": (16, 16)},
            "face_shape must be a tuple of 3 positive ints (height, width, "
            "channels); got (16, 16).",
        ),
        (
            {"audio_shape": (8, 0)},
            "audio_shape must be a tuple of 2 positive ints (n_mfcc, n_frames); "
            "got (8, 0).",
        ),
        (
            {"filters": ()},
            "filters must be a tuple of positive ints, not empty; got ().",
        ),
        (
            {"head_units": (8, -1)},
            "head_units must be a tuple of positive ints; got (8, -1).",
        ),
        (
            {"head_units": [8, 2.5]},
            "head_units must be a tuple of positive ints; got [8, 2.5].",
        ),
    ],
)
def test_shape_parameter_errors(params, msg, data):
    X, y, _ = data
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier(**{**SMALL, **params}).fit(X, y)


def test_invalid_parameter_error(data):
    X, y, _ = data
    msg = "The 'modalities' parameter of DualStreamClassifier must be a str among"
    with pytest.raises(InvalidParameterError, match=re.escape(msg)):
        DualStreamClassifier("video", **SMALL).fit(X, y)


def test_not_fitted_error(data):
    X, _, _ = data
    with pytest.raises(NotFittedError):
        DualStreamClassifier().predict(X)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("partial_fit", "it trains with early stopping on a validation split."),
        ("initialize", "fit builds the model from the parameters and the data."),
    ],
)
def test_scikeras_training_entry_points_are_hidden(name, reason):
    clf = DualStreamClassifier()
    assert not hasattr(clf, name)
    msg = f"DualStreamClassifier has no {name}: {reason} Call fit instead."
    with pytest.raises(AttributeError, match=re.escape(msg)):
        getattr(clf, name)


def test_missing_backbone_file_error(tmp_path, data):
    X, y, _ = data
    path = tmp_path / "nope.keras"
    msg = (
        "face_backbone must be 'fer' or the path of a Keras model file (.keras, .h5 "
        f"or .hdf5); no file at {str(path)!r}."
    )
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        DualStreamClassifier(**SMALL, face_backbone=path).fit(X, y)


# --------------------------------------------------------------------------
# Presets


def test_paper_preset_is_the_default():
    assert PRESETS["paper"] == {}
    assert DualStreamClassifier.from_preset("paper").get_params() == (
        DualStreamClassifier().get_params()
    )


def test_paper_defaults():
    params = DualStreamClassifier().get_params()
    expected = {
        "modalities": "both",
        "face_shape": (64, 64, 3),
        "audio_shape": (40, 128),
        "filters": (32, 64, 128),
        "kernel_size": 3,
        "branch_units": 128,
        "head_units": (256, 128),
        "learning_rate": 1e-3,
        "batch_size": 32,
        "epochs": 100,
        "early_stopping": True,
        "augment": False,
        "face_backbone": None,
    }
    assert {key: params[key] for key in expected} == expected


def test_recommended_preset_with_overrides():
    clf = DualStreamClassifier.from_preset("recommended", patience=3)
    assert clf.face_backbone == "fer"
    assert clf.n_frames == 5
    assert clf.frame_pooling == "mean_max"
    assert clf.batch_norm_momentum == 0.9
    assert clf.head_units == ()
    assert clf.early_stopping is False
    assert clf.epochs == 50
    assert clf.patience == 3


def test_unknown_preset_error():
    msg = "preset must be one of ['paper', 'recommended']; got 'best'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier.from_preset("best")


# --------------------------------------------------------------------------
# scikit-learn compliance


def test_is_classifier_and_tags():
    clf = DualStreamClassifier()
    assert is_classifier(clf)
    tags = clf.__sklearn_tags__()
    assert tags.estimator_type == "classifier"
    assert tags.target_tags.required
    assert tags.input_tags.two_d_array and not tags.input_tags.allow_nan


def test_is_classifier_in_joblib_workers():
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(is_classifier)(DualStreamClassifier()) for _ in range(2)
    )
    assert results == [True, True]


def test_cv_5_is_stratified(data):
    X, y, _ = data
    clf = DualStreamClassifier(**EAGER)
    assert isinstance(check_cv(5, y, classifier=is_classifier(clf)), StratifiedKFold)
    # With y sorted by class, unstratified KFold would test on single classes.
    order = np.argsort(y, kind="stable")

    def n_test_classes(estimator, X_test, y_test):
        return len(np.unique(y_test))

    scores = cross_val_score(clf, X[order], y[order], cv=5, scoring=n_test_classes)
    np.testing.assert_array_equal(scores, 3)


def test_clone_get_params_set_params_in_pipeline():
    clf = DualStreamClassifier(**SMALL, augment=True)
    assert clone(clf).get_params() == clf.get_params()
    pipe = make_pipeline(StandardScaler(), clf)
    pipe.set_params(dualstreamclassifier__modalities="face")
    assert pipe.get_params()["dualstreamclassifier__modalities"] == "face"
    assert clf.modalities == "face"
    cloned = clone(pipe)
    assert cloned.get_params(deep=False)["steps"][1][1] is not clf
    assert cloned[-1].get_params() == clf.get_params()
    assert "DualStreamClassifier(" in repr(clf) and "augment=True" in repr(clf)


def test_set_params_rejects_unknown_names():
    msg = "Invalid parameter 'optimizer' for estimator DualStreamClassifier()."
    with pytest.raises(ValueError, match=re.escape(msg)):
        DualStreamClassifier().set_params(optimizer__learning_rate=0.1)


@pytest.fixture(scope="module")
def fitted_pipeline(data):
    X, y, _ = data
    scale_audio = ColumnTransformer(
        [("audio", StandardScaler(), slice(FACE_WIDTH, None))],
        remainder="passthrough",
    )
    # ColumnTransformer puts transformed columns first: face after audio here,
    # so reorder to [face | audio] with a second passthrough.
    reorder = ColumnTransformer(
        [
            ("face", "passthrough", slice(AUDIO_WIDTH, None)),
            ("audio", "passthrough", slice(0, AUDIO_WIDTH)),
        ]
    )
    pipe = make_pipeline(scale_audio, reorder, DualStreamClassifier(**SMALL, epochs=2))
    return pipe.fit(X, y)


def test_pipeline_pickle_round_trip(fitted_pipeline, data):
    X, _, _ = data
    restored = pickle.loads(pickle.dumps(fitted_pipeline))
    np.testing.assert_array_equal(
        restored.predict_proba(X), fitted_pipeline.predict_proba(X)
    )


def test_pipeline_joblib_round_trip(fitted_pipeline, data, tmp_path):
    X, _, _ = data
    joblib.dump(fitted_pipeline, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(
        restored.predict_proba(X), fitted_pipeline.predict_proba(X)
    )
    np.testing.assert_array_equal(restored.classes_, CLASSES)


def test_grid_search_over_modalities_grouped_by_actor(data):
    X, y, groups = data
    search = GridSearchCV(
        DualStreamClassifier(**EAGER),
        {"modalities": ["face", "audio"]},
        cv=StratifiedGroupKFold(n_splits=2),
    ).fit(X, y, groups=groups)
    assert search.best_params_["modalities"] in {"face", "audio"}
    assert [t.name for t in search.best_estimator_.model_.inputs] == [
        search.best_params_["modalities"]
    ]


def test_cross_validate_grouped_by_actor(data):
    X, y, groups = data

    def n_test_actors(estimator, X_test, y_test):
        return len(X_test) / len(CLASSES)

    result = cross_validate(
        DualStreamClassifier(**EAGER),
        X,
        y,
        groups=groups,
        cv=StratifiedGroupKFold(n_splits=2),
        scoring={"accuracy": "accuracy", "actors": n_test_actors},
        return_estimator=True,
    )
    assert len(result["test_accuracy"]) == 2
    # every actor has one clip per class: a fold holds whole actors
    np.testing.assert_array_equal(result["test_actors"] % 1, 0)
    assert all(isinstance(e.model_, keras.Model) for e in result["estimator"])


# Predictions of build_dual_stream_cnn(seed=0) on fixed inputs, recorded
# before the builder was split into _face_stream, _audio_stream and _head:
# the same layers, in the same order, from the same seeds.
_BUILDER_CONFIGS = {
    "paper": {
        "face_shape": (16, 16, 3),
        "audio_shape": (8, 12),
        "n_classes": 3,
        "filters": (4, 8),
    },
    "frames_mean_max_embedding": {
        "face_shape": (16, 16, 1),
        "audio_shape": (8, 12),
        "n_classes": 4,
        "n_frames": 3,
        "frame_pooling": "mean_max",
        "face_embedding_dim": 5,
        "filters": (4,),
        "head_units": (),
        "branch_units": 0,
        "augment": True,
    },
    "lstm_stats": {
        "face_shape": (16, 16, 3),
        "audio_shape": (8, 12),
        "n_classes": 3,
        "n_frames": 2,
        "frame_pooling": "lstm",
        "lstm_units": 4,
        "audio_architecture": "stats",
        "filters": (4,),
        "head_units": (6,),
    },
    "audio_resnet": {
        "face_shape": None,
        "audio_shape": (16, 16),
        "n_classes": 3,
        "audio_architecture": "resnet",
        "filters": (4,),
    },
    "embedding_only": {
        "face_shape": None,
        "audio_shape": None,
        "face_embedding_dim": 6,
        "n_frames": 2,
        "n_classes": 3,
    },
}
_BUILDER_EXPECTED = {
    "paper": (103755, [[0.28701, 0.32181, 0.39118], [0.28578, 0.32293, 0.39129]]),
    "frames_mean_max_embedding": (
        224,
        [[0.00511, 0.50885, 0.4566, 0.02944], [0.00321, 0.63601, 0.33984, 0.02094]],
    ),
    "lstm_stats": (4739, [[0.29139, 0.3151, 0.39352], [0.28999, 0.2969, 0.41311]]),
    "audio_resnet": (116887, [[0.86298, 0.00873, 0.12829], [0.9649, 0.00026, 0.03484]]),
    "embedding_only": (
        68763,
        [[0.31736, 0.31949, 0.36315], [0.3166, 0.31946, 0.36394]],
    ),
}


@pytest.mark.parametrize("name", sorted(_BUILDER_CONFIGS))
def test_builder_gives_the_recorded_network(name):
    model = build_dual_stream_cnn(seed=0, **_BUILDER_CONFIGS[name])
    rng = np.random.default_rng(1)
    inputs = {
        tensor.name.split(":")[0]: rng.normal(size=(2, *tensor.shape[1:])).astype(
            "float32"
        )
        for tensor in model.inputs
    }
    n_params, expected = _BUILDER_EXPECTED[name]
    assert model.count_params() == n_params
    np.testing.assert_allclose(model.predict(inputs, verbose=0), expected, atol=1e-4)
