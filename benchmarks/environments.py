"""The interpreters the benchmarks run in: this project's, and a virtualenv
holding Amazon's s3torchconnector 1.5.0 (with boto3), built on first use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_VENV = ROOT / ".cache" / "bench" / "reference-venv"
REFERENCE_PACKAGES = [
    "torch==2.13.0",
    "s3torchconnector[dcp]==1.5.0",
    "s3torchconnectorclient==1.5.0",
    "boto3",
    "numpy",
]


def ours() -> str:
    return sys.executable


def reference() -> str:
    """The reference virtualenv's python, creating the virtualenv if needed."""
    python = REFERENCE_VENV / "bin" / "python"
    marker = REFERENCE_VENV / ".installed"
    wanted = "\n".join(REFERENCE_PACKAGES)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return str(python)
    print(f"creating {REFERENCE_VENV} with {', '.join(REFERENCE_PACKAGES)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(REFERENCE_VENV)], check=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *REFERENCE_PACKAGES],
        check=True,
        env=env,
        stderr=subprocess.DEVNULL if os.environ.get("S3CONN_BENCH_QUIET_PIP") else None,
    )
    version = subprocess.run(
        [str(python), "-c", "import s3torchconnector, torch; print(s3torchconnector.__version__, torch.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if version[0] != "1.5.0" or not version[1].startswith("2.13.0"):
        raise RuntimeError(f"the reference virtualenv holds s3torchconnector {version[0]}, torch {version[1]}")
    marker.write_text(wanted)
    return str(python)
