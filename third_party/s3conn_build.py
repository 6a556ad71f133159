"""The project's build backend: scikit-build-core, plus the CRT sources.

Two things scikit-build-core cannot know:

* A build from the git tree downloads the CRT sources with pip (fetch_crt.py),
  and under pip's default build isolation the build environment has no pip
  unless the backend asks for it. So pip is a build requirement exactly when
  the sources are not already here.
* An sdist must build without a network, so ``build_sdist`` first writes the
  pinned CRT sources into ``third_party/crt-sources/`` (ignored by git,
  included in the sdist by pyproject.toml), and removes them afterwards: the
  work tree stays as it was.

pyproject.toml points here with ``backend-path = ["third_party"]``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import fetch_crt
from scikit_build_core import build as _scikit_build
from scikit_build_core.build import (  # noqa: F401  (the hooks this backend does not change)
    build_editable,
    build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

ConfigSettings = dict[str, Any] | None


def _crt_cache() -> Path:
    return Path(os.environ.get("S3CONN_CRT_CACHE") or Path.cwd() / ".cache" / "crt")


def _needs_pip() -> list[str]:
    return [] if fetch_crt.bundled_sources() is not None else ["pip"]


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    return [*_scikit_build.get_requires_for_build_wheel(config_settings), *_needs_pip()]


def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> list[str]:
    return [*_scikit_build.get_requires_for_build_editable(config_settings), *_needs_pip()]


def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> list[str]:
    return [*_scikit_build.get_requires_for_build_sdist(config_settings), *_needs_pip()]


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    if fetch_crt.bundled_sources() is not None:  # building an sdist from an sdist
        return _scikit_build.build_sdist(sdist_directory, config_settings)
    fetch_crt.bundle(_crt_cache(), fetch_crt.BUNDLED)
    try:
        return _scikit_build.build_sdist(sdist_directory, config_settings)
    finally:
        shutil.rmtree(fetch_crt.BUNDLED, ignore_errors=True)
