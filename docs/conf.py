"""Sphinx configuration for the skmer documentation.

Build with warnings as errors (as CI does)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The build needs no network: intersphinx is off, the theme (alabaster) ships
with Sphinx, and the gallery examples run on the embedded synthetic clips.
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import skmer  # noqa: E402

project = "skmer"
author = "The skmer developers"
copyright = "2026, The skmer developers"
release = skmer.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# Cross-references to Python, NumPy, scikit-learn, joblib and librosa stay
# plain text: intersphinx would fetch their inventories over the network,
# which the build must not need.

autosummary_generate = True
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "literal"

html_theme = "alabaster"
html_static_path = []
html_theme_options = {
    "description": "multimodal emotion recognition for scikit-learn",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_sidebars = {
    "**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]
}

sphinx_gallery_conf = {
    "doc_module": ("skmer",),
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "backreferences_dir": os.path.join("generated", "backreferences"),
    # Only plot_*.py run: the scripts for real datasets take a path and are
    # shown as code.
    "filename_pattern": r"/plot_",
    "reference_url": {"skmer": None},
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
}

# Third-party libraries used by the examples announce things we cannot fix.
warnings.filterwarnings("ignore", category=UserWarning, message=".*Matplotlib.*")
