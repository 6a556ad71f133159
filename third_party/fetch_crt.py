#!/usr/bin/env python3
"""Fetch the AWS Common Runtime C sources into a cache folder.

The CRT is not vendored: its sources ship inside the `awscrt` source
distribution, which pip downloads by package name at the version pinned in
`awscrt.pin`. The archive's sha256 is checked before anything is unpacked, and
only its `crt/` tree is kept. A second call with the same pin does nothing, so
builds after the first never touch the network.

Usage: fetch_crt.py CACHE_DIR   (prints the path of the unpacked crt/ folder)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PIN_FILE = Path(__file__).with_name("awscrt.pin")


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


def download(version: str, into: Path) -> Path:
    archive = into / f"awscrt-{version}.tar.gz"
    if archive.exists():
        return archive
    with tempfile.TemporaryDirectory(dir=into) as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--quiet", "--dest", tmp, f"awscrt=={version}"],
            check=True,
            # Metadata preparation of an sdist may run its setup; keep it away
            # from any CMake state the calling build exported.
            env={k: v for k, v in os.environ.items() if not k.startswith("CMAKE")},
        )
        (downloaded,) = Path(tmp).glob("awscrt-*.tar.gz")
        downloaded.replace(archive)
    return archive


def unpack_crt(archive: Path, version: str, into: Path) -> Path:
    target = into / f"src-{version}"
    done = target / ".unpacked"
    if done.exists():
        return target / "crt"
    prefix = f"awscrt-{version}/crt/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        for member in members:
            member.name = member.name[len(f"awscrt-{version}/"):]
        tar.extractall(target, members=members, filter="data")
    done.touch()
    return target / "crt"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cache = Path(sys.argv[1]).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    version, expected = read_pin()
    archive = download(version, cache)
    actual = sha256_of(archive)
    if actual != expected:
        archive.unlink()
        print(f"awscrt-{version}.tar.gz has sha256 {actual}, expected {expected}; "
              "the file was removed. Check awscrt.pin.", file=sys.stderr)
        return 1
    print(unpack_crt(archive, version, cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
