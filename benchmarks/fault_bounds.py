"""Time to a precise error for each network fault, with default settings.

    python -m benchmarks.fault_bounds            # needs openssl for the TLS cases

Prints one line per fault: seconds to the error, the error's code, and how
many requests the misbehaving end saw. Nothing is asserted: the tests in
tests/reliability/ check the behaviour; this measures the bounds that
docs/guide/troubleshooting.md states.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from s3torchconnector._s3conn import Client, S3Exception  # noqa: E402
from tests.reliability.hostile import HostileServer  # noqa: E402

os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "secret")


def timed(label: str, call: Callable[[], object], requests: Callable[[], int] = lambda: -1) -> tuple[str, float, str]:
    start = time.monotonic()
    try:
        call()
        outcome = "no error"
    except S3Exception as error:
        outcome = f"{error.code}: {str(error)[:160]}"
    elapsed = time.monotonic() - start
    seen = requests()
    print(f"{label:<34} {elapsed:6.1f} s  {'' if seen < 0 else f'{seen} requests  '}{outcome}", flush=True)
    return label, elapsed, outcome


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def full_backlog() -> tuple[int, list[socket.socket]]:
    """A listener whose backlog is full: connects never complete."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    keep = [listener]
    for _ in range(16):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        keep.append(filler)
    return port, keep


def tls_server(directory: Path) -> tuple[int, threading.Thread]:
    """A TLS server with a self-signed certificate the client does not trust."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve() -> None:
        while True:
            connection, _ = listener.accept()
            try:
                context.wrap_socket(connection, server_side=True).close()
            except (ssl.SSLError, OSError):
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


def main() -> int:
    print("time to error with default settings (connect 3 s, stall 10 s, max_attempts 10)")
    head = lambda endpoint: lambda: Client("us-east-1", endpoint=endpoint).head_object("bucket", "key")  # noqa: E731
    get = lambda endpoint: lambda: b"".join(Client("us-east-1", endpoint=endpoint).get_object("b", "k"))  # noqa: E731
    timed("closed port", head(f"http://127.0.0.1:{closed_port()}"))
    port, keep = full_backlog()
    timed("unreachable (connect never completes)", head(f"http://127.0.0.1:{port}"))
    for s in keep:
        s.close()
    with HostileServer("silent") as server:
        timed("accepts, never answers", head(server.endpoint), lambda: server.request_count)
    with HostileServer("drip", size=1 * 1024 * 1024) as server:
        timed("drip (20 bytes/s)", get(server.endpoint), lambda: server.request_count)
    with HostileServer("silent") as server:
        timed("https:// on a silent plain port", head(f"https://127.0.0.1:{server.port}"), lambda: server.request_count)
    with HostileServer("garbage") as server:
        timed("https:// on a plain-HTTP port", head(f"https://127.0.0.1:{server.port}"), lambda: server.request_count)
    with tempfile.TemporaryDirectory() as tmp:
        port, _ = tls_server(Path(tmp))
        timed("untrusted TLS certificate", head(f"https://127.0.0.1:{port}"))
    with HostileServer("repeat_token") as server:
        client = Client("us-east-1", endpoint=server.endpoint)
        timed("listing repeats its token", lambda: list(client.list_pages("bucket")), lambda: server.request_count)
    with HostileServer("changing") as server:
        timed("object changes during a GET", get(server.endpoint), lambda: server.request_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
