"""Every network fault ends in a precise error after a bounded number of
attempts, with the default retry settings: nothing hangs, and what the
server cannot serve is not retried ten times. (benchmarks/fault_bounds.py
measures the times; these tests check the behaviour.)"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading

import pytest

from s3torchconnector import S3ClientConfig
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import Client, S3Exception

from .hostile import HostileServer

# Short timeouts keep the tests quick; the attempt counts are the defaults'.
FAST = dict(connect_timeout_ms=1000, stall_timeout_seconds=2, retry_backoff_ms=10)


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def head(endpoint: str, **options) -> S3Exception:
    client = Client("us-east-1", endpoint=endpoint, **dict(FAST, **options))
    with pytest.raises(S3Exception) as raised:
        client.head_object("bucket", "key")
    error = raised.value
    assert error.http_status is None and endpoint in str(error), str(error)
    return error


def test_a_closed_port_is_named_and_tried_twice():
    endpoint = f"http://127.0.0.1:{closed_port()}"
    client = Client("us-east-1", endpoint=endpoint, **FAST)
    with pytest.raises(S3Exception) as raised:
        client.head_object("bucket", "key")
    assert raised.value.code == "ConnectionRefused"
    assert f"nothing is listening at the endpoint {endpoint}" in str(raised.value)
    assert client.metrics()["requests"]["HeadObject"] == 2


def test_an_unreachable_endpoint_times_out_after_two_connects():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(16):  # fill the backlog: further connects never complete
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        error = head(f"http://127.0.0.1:{port}")
        assert error.code == "Timeout" and "connecting to the endpoint" in str(error)
    finally:
        for s in [listener, *fillers]:
            s.close()


def test_a_server_that_never_answers_is_given_up_after_two_attempts():
    with HostileServer("silent") as server:
        error = head(server.endpoint)
        assert error.code == "NetworkError" and "did not answer" in str(error)
        assert server.request_count == 2


def test_a_server_that_drips_its_body_is_given_up_after_two_attempts():
    with HostileServer("drip", size=64 * 1024) as server:
        client = Client("us-east-1", endpoint=server.endpoint, **FAST)
        with pytest.raises(S3Exception) as raised:
            b"".join(client.get_object("bucket", "key"))
        assert raised.value.code == "NetworkError" and "too slowly" in str(raised.value)
        assert server.request_count == 2


def test_https_against_a_plain_http_port_fails_fast_with_a_hint():
    # The server answers the TLS hello in plain HTTP and closes the socket.
    with HostileServer("garbage") as server:
        error = head(f"https://127.0.0.1:{server.port}")
        assert error.code in ("TlsError", "NetworkError") and "use an http:// endpoint" in str(error)
        assert server.connections <= 2


def test_https_against_a_silent_plain_port_is_not_retried():
    # The server waits for an HTTP request that never comes: the handshake times out.
    with HostileServer("silent") as server:
        error = head(f"https://127.0.0.1:{server.port}")
        assert error.code == "TlsError" and "use an http:// endpoint" in str(error)
        assert server.connections == 1


def test_https_against_the_local_servers_plain_port_fails_with_a_hint(s3):
    endpoint = s3.endpoint.replace("http://", "https://")
    client = S3Client(s3.region, endpoint=endpoint, s3client_config=S3ClientConfig(force_path_style=True))
    with pytest.raises(S3Exception) as raised:
        client.head_object(s3.bucket, "anything")
    assert raised.value.code in ("TlsError", "NetworkError") and "use an http:// endpoint" in str(raised.value)


@pytest.fixture(scope="module")
def untrusted_tls_server(tmp_path_factory):
    """A TLS server whose certificate no client trusts; counts handshakes."""
    d = tmp_path_factory.mktemp("untrusted")
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
            str(d / "key.pem"),
            "-out",
            str(d / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(d / "cert.pem", d / "key.pem")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    handshakes = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            handshakes.append(1)
            try:
                context.wrap_socket(connection, server_side=True).close()
            except (ssl.SSLError, OSError):
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], handshakes
    listener.close()


def test_a_refused_certificate_is_not_retried(untrusted_tls_server):
    port, handshakes = untrusted_tls_server
    before = len(handshakes)
    error = head(f"https://127.0.0.1:{port}")
    assert error.code == "TlsError" and "CA bundle" in str(error)
    assert len(handshakes) - before == 1
