#!/usr/bin/env python3
"""Fetch the AWS Common Runtime C sources into a cache folder.

The CRT is not vendored: its sources ship inside the `awscrt` source
distribution, which pip downloads by package name at the version pinned in
`awscrt.pin`. The archive's sha256 is checked before anything is unpacked, and
only its `crt/` tree is kept. A second call with the same pin does nothing, so
builds after the first never touch the network.

An sdist of this project carries the sources itself (see `bundle`), in
`third_party/crt-sources/`: a build from it needs neither pip nor a network.

Usage:
  fetch_crt.py CACHE_DIR          prints the path of the unpacked crt/ folder
  fetch_crt.py --bundle CACHE_DIR DEST
                                  writes the crt/ tree an sdist needs into DEST
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PIN_FILE = HERE / "awscrt.pin"
# Where an sdist carries the CRT sources; ignored by git, included in sdists.
BUNDLED = HERE / "crt-sources"
# Written last into a bundle: the pinned version and archive it came from.
STAMP = "AWSCRT_SOURCE"

# Parts of the awscrt sdist that no build of this project reads: libraries it
# does not link, and aws-lc's test vectors and certification documents
# (70 MB of the 105). Everything else, licence files included, is kept.
_NOT_BUNDLED_DIRS = ("crt/aws-c-mqtt/", "crt/aws-c-event-stream/", "crt/aws-c-http/tests/")
_NOT_BUNDLED_PARTS = ("/kat/", "/testvectors/", "/policydocs/")


# Environment variables of the calling build that must not reach pip's own.
_CALLER_BUILD_VARIABLES = ("CMAKE", "_PYPROJECT_HOOKS", "PEP517_")


class FetchError(RuntimeError):
    pass


def read_pin() -> tuple[str, str]:
    fields: dict[str, str] = {}
    for line in PIN_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            fields[name.strip()] = value.strip()
    return fields["version"], fields["sha256"].lower()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_available() -> bool:
    completed = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    return completed.returncode == 0


def download(version: str, into: Path) -> Path:
    archive = into / f"awscrt-{version}.tar.gz"
    if archive.exists():
        return archive
    if not _pip_available():
        raise FetchError(
            f"the CRT sources (awscrt=={version}) must be downloaded, and {sys.executable} "
            "has no pip to do it. Build from this project's sdist (it carries them), or put "
            "pip in the build environment (the project's build backend asks for it)."
        )
    with tempfile.TemporaryDirectory(dir=into) as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--quiet",
                "--dest",
                tmp,
                f"awscrt=={version}",
            ],
            check=True,
            # Metadata preparation of an sdist runs its build backend: keep it
            # away from the CMake state and from the hook settings (backend
            # name and path) of the build that called us.
            env={k: v for k, v in os.environ.items() if not k.startswith(_CALLER_BUILD_VARIABLES)},
        )
        (downloaded,) = Path(tmp).glob("awscrt-*.tar.gz")
        downloaded.replace(archive)
    return archive


def verified_archive(cache: Path) -> tuple[str, Path]:
    """The pinned sdist in ``cache``, downloaded if missing, sha256 checked."""
    cache.mkdir(parents=True, exist_ok=True)
    version, expected = read_pin()
    archive = download(version, cache)
    actual = sha256_of(archive)
    if actual != expected:
        archive.unlink()
        raise FetchError(
            f"awscrt-{version}.tar.gz has sha256 {actual}, expected {expected}; the file was removed. Check awscrt.pin."
        )
    return version, archive


def _crt_members(tar: tarfile.TarFile, version: str, keep=lambda name: True) -> list[tarfile.TarInfo]:
    """The archive's crt/ tree, renamed to start at crt/."""
    top = f"awscrt-{version}/"
    members = []
    for member in tar.getmembers():
        if not member.name.startswith(top + "crt/"):
            continue
        member.name = member.name[len(top) :]
        if keep(member.name):
            members.append(member)
    return members


def unpack_crt(archive: Path, version: str, into: Path) -> Path:
    target = into / f"src-{version}"
    done = target / ".unpacked"
    if done.exists():
        return target / "crt"
    with tarfile.open(archive) as tar:
        tar.extractall(target, members=_crt_members(tar, version), filter="data")
    done.touch()
    return target / "crt"


def _bundled(name: str) -> bool:
    if any(name.startswith(d) for d in _NOT_BUNDLED_DIRS):
        return False
    return not (name.startswith("crt/aws-lc/") and any(p in name for p in _NOT_BUNDLED_PARTS))


def bundle(cache: Path, dest: Path) -> Path:
    """Writes the crt/ tree a build needs into ``dest`` (replacing what is
    there), stamped with the pinned version and the archive's sha256."""
    version, archive = verified_archive(cache)
    if dest.exists():
        shutil.rmtree(dest)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, members=_crt_members(tar, version, _bundled), filter="data")
    (dest / STAMP).write_text(f"awscrt {version} sha256 {sha256_of(archive)}\n")
    return dest / "crt"


def bundled_sources(version: str | None = None) -> Path | None:
    """The crt/ folder an sdist carries, if it holds the pinned version."""
    version = version or read_pin()[0]
    stamp = BUNDLED / STAMP
    if stamp.exists() and stamp.read_text().split()[:2] == ["awscrt", version]:
        return BUNDLED / "crt"
    return None


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 3 and argv[0] == "--bundle":
            print(bundle(Path(argv[1]).resolve(), Path(argv[2]).resolve()))
            return 0
        if len(argv) != 1:
            print(__doc__, file=sys.stderr)
            return 2
        bundled = bundled_sources()
        if bundled is not None:
            print(bundled)
            return 0
        version, archive = verified_archive(Path(argv[0]).resolve())
        print(unpack_crt(archive, version, Path(argv[0]).resolve()))
        return 0
    except FetchError as error:
        print(f"fetch_crt: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
