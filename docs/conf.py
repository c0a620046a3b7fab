"""Sphinx configuration of the course website (`make site`, built by docs/site.py).

Sources are staged by docs/site.py into _build/site-src (the README, docs/index.md, an API page and
copies of notebooks/NN_*.ipynb); this file is the configuration directory (`sphinx-build -c docs`).
Everything the pages load is served from the site itself: no CDN, no fonts or scripts from the network.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import jupyter_server_mathjax

# The repository's public address: the Colab button of every lesson opens
# https://colab.research.google.com/github/<owner>/<repo>/blob/<branch>/notebooks/NN_x.ipynb
# `make site REPOSITORY_URL=https://github.com/someone/minibert` sets it without editing this file.
repository_url = os.environ.get("MINIBERT_REPOSITORY_URL") or "https://github.com/OWNER/minibert"
repository_branch = os.environ.get("MINIBERT_REPOSITORY_BRANCH") or "main"

project = "minibert"
author = "the minibert authors"
copyright = "the minibert authors, MIT licence"

extensions = [
    "myst_nb",                    # reads .ipynb and .md (MyST); outputs as stored in the notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]  # README.md: included by index.md
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"  # else the browser asks for /favicon.ico and logs a 404
html_context = {"default_mode": "light"}  # pydata-sphinx-theme logs an error when no mode is set

# --- notebooks: shown as committed, never executed ---------------------------------------------------
nb_execution_mode = "off"
nb_merge_streams = True
# ipywidgets would load require.js and @jupyter-widgets/html-manager from unpkg: no widget JavaScript;
# docs/_static/course.css puts a note "run the notebook" where a widget was (a widget needs a kernel).
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# docutils: the docstrings are written to be read as text, not all of them are strict reStructuredText
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "docutils"]

# --- math: MathJax 2.7 from the jupyter-server-mathjax package, copied into _static/mathjax -----------
MATHJAX_DIR = Path(jupyter_server_mathjax.__file__).parent / "static"
mathjax_path = "mathjax/MathJax.js"
myst_update_mathjax = False  # MyST's settings are for MathJax 3
mathjax2_config = {
    "config": ["TeX-AMS-MML_HTMLorMML-full.js", "Safe.js"],  # Sphinx allows no ?config= in the path
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]], "processEscapes": True},
    "messageStyle": "none",
    # HTML-CSS everywhere, and no hidden MathML copy: Chromium styles that copy with MathJax's TeX fonts,
    # which the package does not ship (a 404 for MathJax_AMS-Regular.otf on \mathbb)
    "MMLorHTML": {"prefer": "HTML"},
    "menuSettings": {"assistiveMML": False},
    # the package ships the STIX-Web fonts only (as the classic notebook configured it)
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None,
                 # MathJax's blank measuring font has src url('about:blank'): Chromium logs a CORS error
                 "styles": {"@font-face": {"font-family": "MathJax_Blank", "src": "local('MathJax_Blank')"}}},
    "SVG": {"font": "STIX-Web"},
}

# --- API reference from the docstrings ---------------------------------------------------------------
autosummary_generate = False  # docs/site.py writes the API pages (automodule per module)
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# --- the theme --------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "minibert: learn BERT by building it"
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": repository_url,
    "repository_branch": repository_branch,
    "path_to_docs": "",            # a page notebooks/NN_x is the file notebooks/NN_x.ipynb of the repository
    "use_repository_button": True,
    "use_download_button": True,   # the notebook itself (.ipynb) from _sources/
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
}


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        if not (target / "MathJax.js").exists():
            shutil.copytree(MATHJAX_DIR, target, dirs_exist_ok=True)


def setup(app) -> None:
    app.connect("build-finished", _copy_mathjax)
