"""Sphinx configuration: the API reference comes from the installed package's
docstrings, the guide pages are Markdown (MyST)."""

from __future__ import annotations

import s3torchconnector

project = "s3torchconnector"
author = "s3torchconnector contributors"
copyright = "2026, s3torchconnector contributors"
release = version = s3torchconnector.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# The native module's classes are documented where the public API uses them.
autodoc_mock_imports: list = []
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "alabaster"
html_static_path: list = []
html_title = f"s3torchconnector {release}"
html_short_title = "s3torchconnector"
# The sidebar names the project once, without the version wrapping under it.
html_theme_options = {"description": f"version {release}", "fixed_sidebar": True, "sidebar_width": "260px",
                      "page_width": "1180px"}
