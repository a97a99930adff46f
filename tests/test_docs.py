"""The documentation: API reference coverage and the built pages in a browser.

The build itself (``python -m sphinx -W --keep-going -b html docs
docs/_build/html``, which runs the gallery) is a step of ``.ci/run``, which
then runs this file with ``SKMER_DOCS_HTML`` pointing at the built tree. The
browser tests skip without it, and use the ``browser`` fixture of
``tests/conftest.py`` (headless Chromium).
"""

import importlib
import os
import re
from pathlib import Path

import pytest

import skmer

ROOT = Path(__file__).resolve().parents[1]
# Every subpackage of the lazy namespace except the command line and the
# private helpers, plus the one public module of utils: a new subpackage is
# checked without editing this list.
PUBLIC_MODULES = [
    f"skmer.{name}" for name in skmer._submodules if name not in {"cli", "utils"}
] + ["skmer.utils.discovery"]


def _documented_names():
    text = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    module = re.search(r"^\.\. currentmodule:: (\S+)", text, re.MULTILINE).group(1)
    return {
        f"{module}.{name}"
        for name in re.findall(r"^   ([A-Za-z_][\w.]*)\s*$", text, re.MULTILINE)
    }


def test_api_reference_lists_every_public_name():
    documented = _documented_names()
    public = {
        f"{module}.{name}"
        for module in PUBLIC_MODULES
        for name in importlib.import_module(module).__all__
    }
    # Top-level functions (the estimators' shortcuts are listed under their
    # subpackage).
    public |= {
        f"skmer.{name}"
        for name, module in skmer._lazy_names.items()
        if module == "skmer._serialization"
    }
    assert not public - documented, "missing from docs/api.rst"
    assert not documented - public - {"skmer.cli.main"}, "not public"


@pytest.fixture(scope="module")
def html_root():
    root = os.environ.get("SKMER_DOCS_HTML")
    if not root:
        pytest.skip(
            "SKMER_DOCS_HTML is not set: build the docs with `python -m sphinx "
            "-W -b html docs docs/_build/html` and set it to docs/_build/html"
        )
    root = Path(root).resolve()
    if not (root / "index.html").is_file():
        pytest.fail(f"SKMER_DOCS_HTML={str(root)!r} holds no index.html.")
    return root


def _open(browser, path):
    """Load a page; return its title, its images and those that did not load."""
    title = browser.open(path)
    images = browser.images()
    broken = [src for src, loaded in images if not loaded]
    return title, images, broken


PAGES = [
    "index.html",
    "getting_started.html",
    "user_guide.html",
    "modules/speaker_leakage.html",
    "modules/reports.html",
    "modules/speech_zoo.html",
    "modules/cli.html",
    "datasets/crema_d.html",
    "api.html",
    "generated/skmer.neural_network.DualStreamClassifier.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_loads(html_root, browser, page):
    title, _, broken = _open(browser, html_root / page)
    assert "skmer" in title
    assert not broken, f"images that did not load: {broken}"


def test_gallery_thumbnails_load(html_root, browser):
    examples = sorted(p.stem for p in (ROOT / "examples").rglob("*.py"))
    title, images, broken = _open(browser, html_root / "auto_examples/index.html")
    assert not broken, f"thumbnails that did not load: {broken}"
    thumbnails = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'.sphx-glr-thumbcontainer')).map(div => div.getAttribute('tooltip') "
        "|| div.textContent.trim())"
    )
    assert len(thumbnails) == len(examples)
    assert len(images) >= len(examples)


@pytest.mark.parametrize(
    "example", sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
)
def test_gallery_example_shows_its_plot(html_root, browser, example):
    _, images, broken = _open(browser, html_root / "auto_examples" / f"{example}.html")
    assert not broken, f"images that did not load: {broken}"
    plots = [src for src, _ in images if "sphx_glr_" in (src or "")]
    assert plots, f"{example} shows no plot"


@pytest.mark.parametrize(
    "name",
    [
        "skmer.feature_extraction.FaceExtractor",
        "skmer.neural_network.DualStreamClassifier",
        "skmer.neural_network.FaceEmbedding",
    ],
)
def test_api_page_lists_the_examples_that_use_it(html_root, browser, name):
    _, _, broken = _open(browser, html_root / "generated" / f"{name}.html")
    assert not broken, f"images that did not load: {broken}"
    thumbnails = browser.driver.find_elements(
        "css selector", ".sphx-glr-thumbcontainer"
    )
    assert thumbnails, f"the page of {name} links no gallery example"
