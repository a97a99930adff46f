"""skmer's model format: what it holds, what it refuses, and that it runs no code."""

import json
import os
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skmer import load_model, save_model
from skmer.exceptions import UntrustedTypeError


class _Named(BaseEstimator):
    """An estimator outside skmer and scikit-learn."""

    def __init__(self, type="kind"):
        self.type = type


def _fitted_linear(rng):
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] > 0, "angry", "calm")
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    return model, X


def _write_archive(path, estimator_tree, files=()):
    manifest = {"format": "skmer-model", "version": 2, "estimator": estimator_tree}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skmer-model.json", json.dumps(manifest))
        for name, data in dict(files).items():
            archive.writestr(name, data)


def test_round_trip_of_a_scikit_learn_pipeline(tmp_path, rng):
    model, X = _fitted_linear(rng)
    path = tmp_path / "model.skmer"
    save_model(model, path)
    restored = load_model(path)
    assert restored is not model
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert restored[-1].classes_.tolist() == ["angry", "calm"]
    # Data only: a manifest, arrays, and no pickle anywhere.
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("skmer-model.json"))
    assert names[0] == "skmer-model.json"
    assert all(
        name.startswith("arrays/") and name.endswith(".npy") for name in names[1:]
    )
    assert manifest["written_by"]["scikit-learn"]
    assert manifest["version"] == 2


def test_round_trip_of_a_dual_stream_classifier(tmp_path, rng):
    from skmer.neural_network import DualStreamClassifier

    X = rng.random((12, 8 * 8 * 3 + 4 * 6), dtype=np.float32)
    y = np.repeat(["ANG", "HAP", "SAD"], 4)
    clf = DualStreamClassifier(
        face_shape=(8, 8, 3),
        audio_shape=(4, 6),
        filters=(4,),
        branch_units=4,
        head_units=(4,),
        epochs=1,
        random_state=0,
    ).fit(X, y)
    path = tmp_path / "clf.skmer"
    save_model(clf, path)
    restored = load_model(path)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.history_ == clf.history_
    assert restored.get_params() == clf.get_params()
    with zipfile.ZipFile(path) as archive:
        assert any(name.endswith(".keras") for name in archive.namelist())


def test_values_of_every_kind_round_trip(tmp_path):
    values = {
        "none": None,
        "nan": float("nan"),
        "tuple": (1, "a", (2.5,)),
        "int_keys": {3: "x", "y": [1, 2]},
        "slice": slice(2, 10, 3),
        "long_list": list(range(100)),
        "floats": [0.5] * 100,
        "strings": np.array(["ANG", "SAD"]),
        "objects": np.array(["a", None], dtype=object),
        "scalar": np.float32(1.5),
        "dtype": np.dtype("float32"),
        "dtype_class": np.float64,
        "builtin_type": float,
        "random_state": np.random.RandomState(3),
    }
    save_model(_Named(type=values), tmp_path / "m.skmer")
    restored = load_model(tmp_path / "m.skmer", trusted=[f"{__name__}._Named"]).type
    assert np.isnan(restored.pop("nan")) and np.isnan(values.pop("nan"))
    assert restored.pop("random_state").randint(1000) == values.pop(
        "random_state"
    ).randint(1000)
    objects = restored.pop("objects")
    assert objects.dtype == object and objects.tolist() == ["a", None]
    values.pop("objects")
    assert type(restored["scalar"]) is np.float32
    assert type(restored["long_list"][0]) is int
    np.testing.assert_array_equal(restored.pop("strings"), values.pop("strings"))
    assert restored == values


def test_an_estimator_of_another_package_needs_trust(tmp_path):
    save_model(_Named(), tmp_path / "m.skmer")
    name = f"{__name__}._Named"
    with pytest.raises(UntrustedTypeError, match=f"not load by default: {name}\\."):
        load_model(tmp_path / "m.skmer")
    assert load_model(tmp_path / "m.skmer", trusted=[name]).type == "kind"


def test_functions_need_trust(tmp_path, rng):
    model = FunctionTransformer(np.log1p).fit(rng.random((3, 2)))
    save_model(model, tmp_path / "m.skmer")
    with pytest.raises(UntrustedTypeError, match="numpy.log1p"):
        load_model(tmp_path / "m.skmer")
    restored = load_model(tmp_path / "m.skmer", trusted=["numpy.log1p"])
    assert restored.func is np.log1p


def test_a_crafted_file_that_names_os_system_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    tree = {
        "type": "object",
        "class": "sklearn.preprocessing._function_transformer.FunctionTransformer",
        "state": [
            ["func", {"type": "function", "name": "os.system"}],
            ["kw_args", {"type": "dict", "items": [["command", f"touch {marker}"]]}],
            ["validate", False],
        ],
    }
    _write_archive(tmp_path / "crafted.skmer", tree)
    with pytest.raises(UntrustedTypeError, match="os.system"):
        load_model(tmp_path / "crafted.skmer")
    tree = {"type": "object", "class": "subprocess.Popen", "state": []}
    _write_archive(tmp_path / "popen.skmer", tree)
    with pytest.raises(UntrustedTypeError, match="subprocess.Popen"):
        load_model(tmp_path / "popen.skmer")
    # A name inside skmer that is not an estimator class is refused too.
    tree = {"type": "function", "name": "skmer.cli.main"}
    _write_archive(tmp_path / "main.skmer", tree)
    with pytest.raises(UntrustedTypeError, match="skmer.cli.main"):
        load_model(tmp_path / "main.skmer")
    # Nor is a class of skmer's that is not an estimator, or a module whose
    # import would run something.
    for name in (
        "skmer.feature_extraction._cache.FeatureCache",
        "skmer.__main__.main",
    ):
        _write_archive(tmp_path / "other.skmer", {"type": "class", "name": name})
        with pytest.raises(UntrustedTypeError, match=name):
            load_model(tmp_path / "other.skmer")
    assert not marker.exists()


def test_a_keras_model_with_python_code_is_refused(tmp_path):
    import keras

    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    save_model(FunctionTransformer(kw_args={"model": model}), tmp_path / "m.skmer")
    with pytest.raises(ValueError, match="m.skmer'?: its Keras model keras/0.keras"):
        load_model(tmp_path / "m.skmer")


def test_a_pickle_is_refused_unless_trusted(tmp_path, rng):
    model, X = _fitted_linear(rng)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    with pytest.raises(ValueError, match="is a pickle .* trust_pickle=True"):
        load_model(path)
    with pytest.warns(UserWarning, match="this can run code from the file"):
        restored = load_model(path, trust_pickle=True)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    # Compressed joblib files are pickles too.
    for compress in (3, ("gzip", 3), ("bz2", 3), ("lzma", 3), ("xz", 3)):
        joblib.dump(model, path, compress=compress)
        with pytest.raises(ValueError, match="is a pickle"):
            load_model(path)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a model at all", "is not a skmer model file"),
        (b"PK\x03\x04 broken zip", "is not a skmer model file or is damaged"),
    ],
)
def test_what_is_not_a_model_file_is_named(tmp_path, content, message):
    path = tmp_path / "x.skmer"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_model(path)
    with pytest.raises(FileNotFoundError, match="Model file not found: .*none"):
        load_model(tmp_path / "none")


def test_a_newer_format_and_a_damaged_archive_are_named(tmp_path, rng):
    path = tmp_path / "newer.skmer"
    with zipfile.ZipFile(path, "w") as archive:
        manifest = {"format": "skmer-model", "version": 3}
        archive.writestr("skmer-model.json", json.dumps(manifest))
    with pytest.raises(ValueError, match="format version 3, newer than .* Upgrade"):
        load_model(path)
    _write_archive(path, {"type": "ndarray", "file": "arrays/0.npy"})
    with pytest.raises(ValueError, match="is damaged: arrays/0.npy is missing"):
        load_model(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("other.json", "{}")
    with pytest.raises(ValueError, match="not a skmer model file or is damaged"):
        load_model(path)


def test_arrays_are_read_without_pickle(tmp_path):
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    tree = {"type": "ndarray", "file": "arrays/0.npy"}
    _write_archive(tmp_path / "m.skmer", tree, {"arrays/0.npy": buffer.getvalue()})
    with pytest.raises(ValueError, match="allow_pickle"):
        load_model(tmp_path / "m.skmer")


def test_what_cannot_be_stored_is_named_when_saving(tmp_path):
    with pytest.raises(TypeError, match=r"estimator.func: .* lambda"):
        save_model(FunctionTransformer(lambda x: x), tmp_path / "m.skmer")
    with pytest.raises(TypeError, match=r"estimator.kw_args\['s'\]: .*builtins.set"):
        save_model(FunctionTransformer(kw_args={"s": {1}}), tmp_path / "m.skmer")
    assert os.listdir(tmp_path) == []


def test_a_full_disk_keeps_the_earlier_model(tmp_path, rng, full_disk):
    model, _ = _fitted_linear(rng)
    path = tmp_path / "model.skmer"
    path.write_bytes(b"earlier")
    with pytest.raises(OSError, match="Could not write .*model.skmer.*unchanged"):
        save_model(model, path)
    assert path.read_bytes() == b"earlier"
    assert os.listdir(tmp_path) == ["model.skmer"]


def test_other_archives_and_entries_are_named(tmp_path):
    path = tmp_path / "other.skmer"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skmer-model.json", json.dumps({"format": "other"}))
    with pytest.raises(ValueError, match="is a zip archive but not a skmer model"):
        load_model(path)
    _write_archive(path, {"type": "pickle", "data": "..."})
    with pytest.raises(ValueError, match="holds an unknown entry type 'pickle'"):
        load_model(path)
    tree = {"type": "object", "class": "json.dumps", "state": []}
    _write_archive(path, tree)
    with pytest.raises(UntrustedTypeError, match="names json.dumps, which is not"):
        load_model(path, trusted=["json.dumps"])
