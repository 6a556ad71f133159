"""What every launcher needs: free loopback ports, daemons that die with the
run, a readiness check through a real signed request, and installs by
package name into the project's cache."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from s3torchconnector.localserver import S3Target

REGION = "us-east-1"
BUCKET = "s3conn-compat"


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_keys() -> tuple[str, str]:
    return "AK" + secrets.token_hex(8).upper(), secrets.token_hex(20)


def run(command: Sequence[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    """A set-up step; its output goes to the server's log, shown on failure."""
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        done = subprocess.run(
            list(command), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, stdin=subprocess.DEVNULL
        )
    if done.returncode != 0:
        raise ServerError(f"{command[0]} exited with {done.returncode}:\n{tail(log)}")


def tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Daemons:
    """Background processes of one server, each in its own process group,
    all stopped (SIGTERM, then SIGKILL) when the server's block ends."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self._processes: list[subprocess.Popen[bytes]] = []

    def start(
        self, command: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.Popen[bytes]:
        with open(self.log, "ab") as out:
            out.write(f"$ {' '.join(command)} &\n".encode())
            out.flush()
            process = subprocess.Popen(
                list(command),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        self._processes.append(process)
        return process

    def check_alive(self) -> None:
        for process in self._processes:
            if process.poll() is not None:
                raise ServerError(f"{process.args[0]} exited with {process.returncode}:\n{tail(self.log)}")

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in reversed(self._processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()


def wait_ready(target: S3Target, daemons: Daemons, timeout: float) -> None:
    try:
        target.wait_ready(timeout, daemons.check_alive)
    except TimeoutError as error:
        raise ServerError(f"{error}:\n{tail(daemons.log)}") from None


def _installed(package: str) -> bool:
    # `dpkg -s` also succeeds for a removed package whose configuration is left.
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.endswith(" installed")


def apt_install(packages: Sequence[str], log: Path) -> None:
    """Debian packages, installed when missing (needs root or sudo)."""
    missing = [p for p in packages if not _installed(p)]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], log, env=env)
    except ServerError:  # the package lists may be stale on a fresh machine
        run([*sudo, "apt-get", "update", "-qq"], log, env=env)
        run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], log, env=env)


def pip_venv(folder: Path, requirements: Sequence[str], log: Path, python: str | None = None) -> Path:
    """A virtualenv of the server's own (never the project's), installed once
    per set of requirements. Returns its bin folder."""
    stamp = folder / ".installed"
    wanted = "\n".join(requirements)
    if stamp.exists() and stamp.read_text() == wanted:
        return folder / "bin"
    shutil.rmtree(folder, ignore_errors=True)
    run([python or sys.executable, "-m", "venv", str(folder)], log)
    run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements], log)
    stamp.write_text(wanted)
    return folder / "bin"


def find_python(minor: str) -> str | None:
    """CPython MINOR (e.g. 3.12): pyenv's, else one on PATH."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(root.glob(f"{minor}.*/bin/python{minor}")):
        return str(candidate)
    return shutil.which(f"python{minor}")
