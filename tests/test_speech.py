"""Tests of the speech model zoo, LogMelExtractor and SpeakerNormalizer."""

import pickle
import re

import librosa
import numpy as np
import pytest
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from skmer.feature_extraction import LogMelExtractor, MFCCExtractor
from skmer.neural_network import (
    DualStreamClassifier,
    SpeechClassifier,
    build_speech_network,
)
from skmer.neural_network._speech_architectures import SPEECH_ARCHITECTURES
from skmer.preprocessing import SpeakerNormalizer

SHAPE = (8, 12)
CLASSES = np.array(["angry", "happy", "sad"])
# Tiny networks run eagerly (no graph tracing): one epoch each.
TINY = {
    "audio_shape": SHAPE,
    "width": 4,
    "epochs": 1,
    "batch_size": 16,
    "early_stopping": False,
    "run_eagerly": True,
    "random_state": 0,
}


def make_data(n_per_class=8, seed=0):
    """Class k raises band k of every frame."""
    rng = np.random.default_rng(seed)
    y = np.repeat(CLASSES, n_per_class)
    X = rng.standard_normal((len(y), *SHAPE)).astype(np.float32)
    X[np.arange(len(y)), np.searchsorted(CLASSES, y), :] += 2.0
    return X.reshape(len(y), -1), y


@pytest.fixture(scope="module")
def data():
    return make_data()


# --------------------------------------------------------------------------
# The networks


@pytest.mark.parametrize("architecture", SPEECH_ARCHITECTURES)
def test_every_architecture_fits_and_predicts(architecture, data):
    X, y = data
    clf = SpeechClassifier(architecture, **TINY).fit(X, y)
    assert clf.model_.name == f"speech_{architecture}"
    assert tuple(clf.model_.inputs[0].shape) == (None, *SHAPE, 1)
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(clf.predict(X)) <= set(CLASSES)
    assert set(clf.history_) == {"accuracy", "loss", "learning_rate"}


def test_architectures_differ_in_their_layers():
    counts = {
        arch: build_speech_network(SHAPE, 3, architecture=arch, width=4).count_params()
        for arch in SPEECH_ARCHITECTURES
    }
    assert len(set(counts.values())) == len(SPEECH_ARCHITECTURES)
    # VGG19 is VGG16 with three more convolutions.
    assert counts["vgg19"] > counts["vgg16"]


def test_cnn_is_the_papers_audio_stream():
    model = build_speech_network((40, 128), 7, architecture="cnn", width=16)
    filters = [layer.filters for layer in model.layers if hasattr(layer, "filters")]
    assert filters == [32, 64, 128]


def test_build_same_seed_same_weights():
    first = build_speech_network(SHAPE, 3, architecture="transformer", width=4, seed=1)
    second = build_speech_network(SHAPE, 3, architecture="transformer", width=4, seed=1)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_build_unknown_architecture_error():
    with pytest.raises(ValueError, match="architecture must be one of .*'lenet'"):
        build_speech_network(SHAPE, 3, architecture="lenet")


def test_augment_adds_masking_and_noise():
    model = build_speech_network(SHAPE, 3, width=4, augment=True)
    names = [layer.name for layer in model.layers]
    assert "audio_mask" in names and "audio_noise" in names


def test_learns_separable_data():
    X, y = make_data(n_per_class=20)
    clf = SpeechClassifier(
        "cnn", **{**TINY, "epochs": 15, "learning_rate": 0.01, "run_eagerly": False}
    ).fit(X, y)
    assert clf.score(X, y) > 0.8


def test_audio_shape_none_reads_one_column(data):
    X, y = data
    clf = SpeechClassifier("cnn", **{**TINY, "audio_shape": None}).fit(X[:, :6], y)
    assert tuple(clf.model_.inputs[0].shape) == (None, 6, 1, 1)


def test_width_error(data):
    X, y = data
    msg = r"X has 95 columns, but SpeechClassifier expects 96: .*audio_shape=\(8, 12\)"
    with pytest.raises(ValueError, match=msg):
        SpeechClassifier(**TINY).fit(X[:, :95], y)


def test_audio_shape_error(data):
    X, y = data
    msg = (
        "audio_shape must be a tuple of 2 positive ints (n_bands, n_frames); "
        "got (8, 0)."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        SpeechClassifier(**{**TINY, "audio_shape": (8, 0)}).fit(X, y)


def test_invalid_architecture_parameter(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="'architecture' parameter"):
        SpeechClassifier("lenet", **TINY).fit(X, y)


def test_early_stopping_and_class_weight(data):
    X, y = data
    clf = SpeechClassifier(
        "lstm",
        **{**TINY, "early_stopping": True, "epochs": 3, "class_weight": "balanced"},
    ).fit(X, y)
    assert "val_loss" in clf.history_


def test_clone_and_pickle_round_trip(data):
    X, y = data
    clf = SpeechClassifier("transformer", **TINY)
    assert clone(clf).get_params() == clf.get_params()
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(
        restored.predict_proba(X), clf.predict_proba(X), rtol=1e-5, atol=1e-6
    )


def test_same_random_state_same_predictions(data):
    X, y = data
    first = SpeechClassifier("resnet", **TINY).fit(X, y).predict_proba(X)
    second = SpeechClassifier("resnet", **TINY).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)


def test_is_classifier_and_grouped_cv(data):
    X, y = data
    assert is_classifier(SpeechClassifier())
    groups = np.tile(np.arange(4), len(y) // 4)
    scores = cross_val_score(
        SpeechClassifier(**TINY), X, y, groups=groups, cv=GroupKFold(2)
    )
    assert scores.shape == (2,)


@pytest.mark.parametrize("architecture", ["lstm", "vgg16"])
def test_architecture_as_dual_stream_audio_branch(architecture):
    rng = np.random.default_rng(0)
    X_audio, y = make_data()
    face = rng.random((len(y), 8 * 8 * 3), dtype=np.float32)
    X = np.hstack([face, X_audio])
    clf = DualStreamClassifier(
        face_shape=(8, 8, 3),
        audio_shape=SHAPE,
        audio_architecture=architecture,
        filters=(4,),
        branch_units=8,
        head_units=(),
        epochs=1,
        early_stopping=False,
        run_eagerly=True,
        random_state=0,
    ).fit(X, y)
    names = [layer.name for layer in clf.model_.layers]
    marker = "lstm1" if architecture == "lstm" else "vgg16_b5c3_conv"
    assert marker in names and "face_frame_encoder" in names
    assert clf.predict_proba(X[:3]).shape == (3, 3)


def test_dual_stream_audio_architecture_invalid():
    X, y = make_data()
    with pytest.raises(InvalidParameterError, match="'audio_architecture' param"):
        DualStreamClassifier(
            "audio", audio_shape=SHAPE, audio_architecture="lenet"
        ).fit(X, y)


# --------------------------------------------------------------------------
# LogMelExtractor


def test_logmel_matches_librosa():
    rng = np.random.default_rng(0)
    hop, n_frames = 128, 20
    # Exactly the window of n_frames centred frames: nothing is cropped.
    waveform = rng.normal(scale=0.1, size=(n_frames - 1) * hop).astype(np.float32)
    extractor = LogMelExtractor(
        n_mels=16, n_frames=n_frames, sr=8000, n_fft=512, hop_length=hop
    )
    X = extractor.fit_transform(waveform[np.newaxis])
    expected = librosa.power_to_db(
        librosa.feature.melspectrogram(
            y=waveform.astype(np.float64),
            sr=8000,
            n_fft=512,
            hop_length=hop,
            n_mels=16,
            pad_mode="constant",
        )
    )
    assert expected.shape == (16, n_frames)
    np.testing.assert_allclose(X.reshape(16, n_frames), expected, atol=1e-3)


def test_logmel_of_a_file(tiny_wav):
    extractor = LogMelExtractor(n_mels=16, n_frames=64, sr=16000, hop_length=512)
    X = extractor.fit_transform([tiny_wav])
    assert X.shape == (1, 16 * 64) and X.dtype == np.float32
    matrix = X.reshape(16, 64)
    # 1 s of sound fills 32 of the 64 frames, in the middle; zeros around.
    filled = np.flatnonzero(np.abs(matrix).sum(axis=0))
    assert filled[0] == 16 and filled[-1] == 47
    # A 440 Hz tone: the loudest band is one of the low ones.
    assert np.argmax(matrix[:, 32]) < 6
    names = extractor.get_feature_names_out()
    assert names[0] == "logmel00_t000" and names[-1] == "logmel15_t063"


def test_logmel_and_mfcc_share_the_mel_spectrogram():
    rng = np.random.default_rng(1)
    waveform = rng.normal(scale=0.1, size=(1, 19 * 128)).astype(np.float32)
    params = {"n_frames": 20, "sr": 8000, "n_fft": 512, "hop_length": 128}
    logmel = LogMelExtractor(n_mels=16, **params).fit_transform(waveform)
    mfcc = MFCCExtractor(n_mfcc=16, n_mels=16, **params).fit_transform(waveform)
    dct = librosa.get_fftlib().dct(logmel.reshape(16, 20), axis=0, norm="ortho")
    np.testing.assert_allclose(mfcc.reshape(16, 20), dct, rtol=1e-4, atol=1e-3)


def test_logmel_fmax_error():
    with pytest.raises(ValueError, match="fmax must be at most sr / 2 = 4000 Hz"):
        LogMelExtractor(sr=8000, fmax=5000.0).fit(np.zeros((2, 100), np.float32))


# --------------------------------------------------------------------------
# SpeakerNormalizer


def test_speaker_normalizer_standardises_each_speaker():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3)) * [1.0, 5.0, 0.1]
    groups = np.repeat(["a", "b", "c"], 4)
    X[groups == "b"] += 100.0
    X_new = SpeakerNormalizer().fit(X).transform(X, groups=groups)
    for speaker in "abc":
        rows = X_new[groups == speaker]
        np.testing.assert_allclose(rows.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(rows.std(axis=0), 1.0)
    centred = SpeakerNormalizer(with_std=False).fit_transform(X, groups=groups)
    np.testing.assert_allclose(
        centred[groups == "b"], X[groups == "b"] - X[groups == "b"].mean(axis=0)
    )


def test_speaker_normalizer_constant_column_and_dtype():
    X = np.array([[1.0, 2.0], [1.0, 4.0]], dtype=np.float32)
    X_new = SpeakerNormalizer().fit_transform(X, groups=[7, 7])
    assert X_new.dtype == np.float32
    np.testing.assert_array_equal(X_new, [[0.0, -1.0], [0.0, 1.0]])
    assert X[0, 1] == 2.0  # the input is not modified


def test_speaker_normalizer_pools_frames_of_each_band():
    rng = np.random.default_rng(0)
    # 2 bands x 5 frames per row; speaker "b" is louder in band 1.
    X = rng.standard_normal((8, 10))
    groups = np.repeat(["a", "b"], 4)
    X[groups == "b", 5:] += 50.0
    X_new = SpeakerNormalizer(n_frames=5).fit_transform(X, groups=groups)
    for speaker in "ab":
        bands = X_new[groups == speaker].reshape(4, 2, 5)
        np.testing.assert_allclose(bands.mean(axis=(0, 2)), 0.0, atol=1e-12)
        np.testing.assert_allclose(bands.std(axis=(0, 2)), 1.0)
    # One statistic per band: the frames of a band keep their differences.
    rows = X[groups == "a"].reshape(4, 2, 5)
    expected = (rows - rows.mean(axis=(0, 2), keepdims=True)) / rows.std(
        axis=(0, 2), keepdims=True
    )
    np.testing.assert_allclose(X_new[groups == "a"], expected.reshape(4, 10))


def test_speaker_normalizer_n_frames_must_divide_columns():
    msg = (
        "n_frames=4 must divide the number of columns of X, read as flattened "
        "(n_bands, n_frames) matrices; got 10 columns."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        SpeakerNormalizer(n_frames=4).fit(np.ones((3, 10)))


def test_speaker_normalizer_needs_groups():
    norm = SpeakerNormalizer().fit(np.ones((4, 2)))
    with pytest.raises(ValueError, match="transform needs groups, the speaker"):
        norm.transform(np.ones((4, 2)))


def test_speaker_normalizer_groups_shape_error():
    norm = SpeakerNormalizer().fit(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"one speaker per row of X, shape \(4,\)"):
        norm.transform(np.ones((4, 2)), groups=[1, 2])


def test_speaker_normalizer_too_few_clips_error():
    norm = SpeakerNormalizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"1 speaker\(s\) have fewer: \['b'\]"):
        norm.transform(np.ones((3, 2)), groups=["a", "a", "b"])


def test_speaker_normalizer_invalid_parameter():
    with pytest.raises(InvalidParameterError, match="min_samples_per_speaker"):
        SpeakerNormalizer(min_samples_per_speaker=0).fit(np.ones((3, 2)))


def test_speaker_normalizer_feature_names_and_width_check():
    norm = SpeakerNormalizer().fit(np.ones((3, 2)))
    assert norm.get_feature_names_out().tolist() == ["x0", "x1"]
    with pytest.raises(ValueError, match="X has 3 features"):
        norm.transform(np.ones((3, 3)), groups=[1, 1, 1])


def test_speaker_normalizer_in_a_pipeline_with_metadata_routing():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(6), 6)
    y = np.tile(["a", "b", "c"], 12)
    # Each speaker has an offset much larger than the class effect.
    X = rng.normal(size=(36, 2)) + 50.0 * rng.normal(size=(6, 1))[groups]
    X[:, 0] += (y == "a") * 1.0
    with sklearn.config_context(enable_metadata_routing=True):
        norm = (
            SpeakerNormalizer()
            .set_fit_request(groups=True)
            .set_transform_request(groups=True)
        )
        pipe = make_pipeline(norm, SVC()).fit(X[:24], y[:24], groups=groups[:24])
        predicted = pipe.predict(X[24:], groups=groups[24:])
    assert predicted.shape == (12,)
