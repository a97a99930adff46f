"""The package namespace: import cost, lazy names, every __all__ importable."""

import re
import subprocess
import sys

import pytest

import skmer


def _run_python(code):
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_import_skmer_loads_no_heavy_dependency():
    code = (
        "import sys, time; t = time.perf_counter(); import skmer; "
        "print(time.perf_counter() - t); "
        "print(sorted(m for m in ('tensorflow', 'keras', 'cv2', 'librosa', "
        "'sklearn', 'av') if m in sys.modules))"
    )
    seconds, loaded = _run_python(code).splitlines()
    assert loaded == "[]"
    assert float(seconds) < 1.0


def test_top_level_names_resolve_lazily():
    code = (
        "import sys, skmer; skmer.FaceExtractor; skmer.MFCCExtractor; "
        "print('tensorflow' in sys.modules)"
    )
    assert _run_python(code) == "False"
    from skmer.feature_extraction import FaceExtractor, MFCCExtractor

    assert skmer.FaceExtractor is FaceExtractor
    assert skmer.MFCCExtractor is MFCCExtractor


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="module 'skmer' has no attribute 'nope'"):
        getattr(skmer, "nope")  # noqa: B009


def test_dir_lists_public_names():
    names = dir(skmer)
    for name in ("FaceExtractor", "MFCCExtractor", "io", "datasets", "__version__"):
        assert name in names


def test_top_level_shortcuts_are_the_subpackage_names():
    import importlib

    for name, module in skmer._lazy_names.items():
        assert getattr(skmer, name) is getattr(importlib.import_module(module), name)
    assert skmer.pipeline is importlib.import_module("skmer.pipeline")


def test_every_subpackage_all_is_importable():
    import importlib

    for module in (
        "skmer.feature_extraction",
        "skmer.datasets",
        "skmer.exceptions",
        "skmer.evaluation",
        "skmer.neural_network",
        "skmer.pipeline",
        "skmer.preprocessing",
    ):
        mod = importlib.import_module(module)
        for name in mod.__all__:
            assert hasattr(mod, name), f"{module}.{name}"


def test_optional_import_names_the_extra():
    from skmer.utils._optional import import_optional

    msg = (
        "FaceExtractor(detector='mtcnn') requires not_a_module. Install it with "
        "`pip install skmer[mtcnn]`."
    )
    with pytest.raises(ImportError, match=re.escape(msg)):
        import_optional(
            "not_a_module", "mtcnn", caller="FaceExtractor(detector='mtcnn')"
        )
