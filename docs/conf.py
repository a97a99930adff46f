"""Sphinx configuration for the skmer documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import skmer  # noqa: E402

project = "skmer"
author = "The skmer developers"
copyright = "2026, The skmer developers"
release = skmer.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build"]
html_theme = "alabaster"

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "joblib": ("https://joblib.readthedocs.io/en/stable", None),
    "librosa": ("https://librosa.org/doc/latest", None),
}

sphinx_gallery_conf = {
    "doc_module": "skmer",
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "backreferences_dir": os.path.join("generated"),
    "filename_pattern": r"/plot_",
    "reference_url": {"skmer": None},
}
