"""Tests of skmer.utils.discovery: all_estimators finds every public estimator."""

import importlib
import re
import subprocess
import sys

import pytest
from sklearn.base import BaseEstimator, is_classifier

import skmer
from skmer.utils.discovery import _public_modules, all_estimators


def _exported_estimators():
    """The estimator classes in the __all__ of skmer's public subpackages."""
    found = set()
    for name in skmer._submodules:
        module = importlib.import_module(f"skmer.{name}")
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if isinstance(obj, type) and issubclass(obj, BaseEstimator):
                found.add((attr, obj))
    return found


def test_all_estimators_finds_every_exported_estimator():
    # tests/test_common.py checks what all_estimators returns: an estimator it
    # missed would miss the checks.
    estimators = all_estimators()
    assert set(estimators) == _exported_estimators()
    assert [name for name, _ in estimators] == sorted(name for name, _ in estimators)
    assert "FaceEmbedding" in dict(estimators)


@pytest.mark.parametrize(
    "type_filter, expected",
    [
        ("classifier", ["DualStreamClassifier", "SpeechClassifier"]),
        (
            "transformer",
            [
                "FaceEmbedding",
                "FaceExtractor",
                "LogMelExtractor",
                "MFCCExtractor",
                "SpeakerNormalizer",
                "UtteranceNormalizer",
            ],
        ),
        (["regressor", "cluster"], []),
    ],
)
def test_type_filter(type_filter, expected):
    assert [name for name, _ in all_estimators(type_filter=type_filter)] == expected


def test_type_filter_classifiers_are_classifiers_by_their_tags():
    # The filter goes by mixin; the SciKeras classifiers' tags must agree.
    for _, Estimator in all_estimators(type_filter="classifier"):
        assert is_classifier(Estimator())


def test_type_filter_list_is_the_union():
    both = all_estimators(type_filter=["transformer", "classifier"])
    assert both == all_estimators()


@pytest.mark.parametrize("type_filter", ["estimator", ["classifier", "nope"], []])
def test_type_filter_invalid(type_filter):
    msg = (
        "type_filter must be None, 'classifier', 'regressor', 'transformer' or "
        f"'cluster', or a non-empty list of them; got {type_filter!r}."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        all_estimators(type_filter=type_filter)


def test_private_modules_are_not_imported(tmp_path, monkeypatch):
    package = tmp_path / "fakepkg"
    (package / "sub").mkdir(parents=True)
    (package / "_private").mkdir()
    (package / "__init__.py").write_text("")
    (package / "public.py").write_text("")
    (package / "_hidden.py").write_text("raise RuntimeError('imported')\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "deep.py").write_text("")
    (package / "_private" / "__init__.py").write_text("raise RuntimeError('x')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fakepkg = importlib.import_module("fakepkg")
    names = [module.__name__ for module in _public_modules(fakepkg)]
    assert names == ["fakepkg.public", "fakepkg.sub", "fakepkg.sub.deep"]


def test_importing_discovery_loads_no_tensorflow():
    code = (
        "import sys; import skmer.utils.discovery; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"
