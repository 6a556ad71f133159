"""Credentials never leak; TLS is verified, against a CA bundle when given."""

from __future__ import annotations

import os
import pickle
import ssl
import subprocess
import sys
import textwrap

import pytest

from s3torchconnector import S3ClientConfig
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import S3Exception

from ..faultproxy import FaultProxy

LEAK_SCRIPT = textwrap.dedent(
    """
    import logging, pickle, sys
    logging.basicConfig(level=logging.DEBUG)
    from s3torchconnector import S3ClientConfig, S3Checkpoint
    from s3torchconnector._s3client import S3Client

    endpoint, region, bucket = sys.argv[1:4]
    config = S3ClientConfig(force_path_style=True)
    client = S3Client(region, endpoint=endpoint, s3client_config=config)
    with client.put_object(bucket, "secrets/obj") as w:
        w.write(b"payload")
    print(client.get_object(bucket, "secrets/obj").read())
    for call in (lambda: client.head_object(bucket, "secrets/missing"),
                 lambda: client.get_object("no-such-bucket-x", "k").read()):
        try:
            call()
        except Exception as e:
            print("error:", e, repr(e), e.__dict__)
    print(repr(client), repr(config), repr(client._client), client._client.config)
    sys.stdout.buffer.write(pickle.dumps(client))
    sys.stdout.buffer.write(pickle.dumps(client._client))
    print(S3Checkpoint(region, endpoint, config).reader(f"s3://{bucket}/secrets/obj").read())
    """
)


def test_credentials_never_appear_in_output(s3, tmp_path):
    secret = s3.secret_key
    token = "S3CONNSESSIONTOKENVALUE0123456789"
    log_file = tmp_path / "crt.log"
    env = dict(os.environ, S3CONN_CRT_LOG_LEVEL="trace", S3CONN_CRT_LOG_FILE=str(log_file))
    runs = []
    for extra in ({}, {"AWS_SESSION_TOKEN": token}):
        result = subprocess.run(
            [sys.executable, "-c", LEAK_SCRIPT, s3.endpoint, s3.region, s3.bucket],
            env=dict(env, **extra),
            capture_output=True,
            timeout=120,
        )
        runs.append(result)
    assert runs[0].returncode == 0, runs[0].stderr.decode()[-2000:]
    assert b"payload" in runs[0].stdout
    logged = log_file.read_bytes()
    assert len(logged) > 10_000, "trace logging did not happen"
    for result in runs:
        for blob in (result.stdout, result.stderr, logged):
            assert secret.encode() not in blob
            assert token.encode() not in blob


def test_repr_and_pickle_carry_no_credentials(s3):
    config = S3ClientConfig(force_path_style=True, profile="someone")
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=config)
    blob = pickle.dumps(client) + repr(client).encode() + pickle.dumps(client._client)
    assert s3.secret_key.encode() not in blob and s3.access_key.encode() not in blob


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=s3conn test CA",
        "-keyout",
        str(d / "ca.key"),
        "-out",
        str(d / "ca.pem"),
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        str(d / "server.key"),
        "-out",
        str(d / "server.csr"),
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        str(d / "server.csr"),
        "-CA",
        str(d / "ca.pem"),
        "-CAkey",
        str(d / "ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        str(d / "san.ext"),
        "-out",
        str(d / "server.pem"),
    )
    return d


@pytest.fixture
def tls_endpoint(s3, certificates):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates / "server.pem", certificates / "server.key")
    with FaultProxy(s3.endpoint, tls=context) as proxy:
        assert proxy.endpoint.startswith("https://127.0.0.1:")
        yield proxy.endpoint


def test_tls_with_the_ca_bundle_works(s3, certificates, tls_endpoint, prefix, monkeypatch):
    config = S3ClientConfig(force_path_style=True, ca_bundle=str(certificates / "ca.pem"))
    client = S3Client(s3.region, endpoint=tls_endpoint, s3client_config=config)
    with client.put_object(s3.bucket, prefix + "tls") as writer:
        writer.write(b"over tls")
    assert client.get_object(s3.bucket, prefix + "tls").read() == b"over tls"
    # AWS_CA_BUNDLE works as it does for boto3.
    monkeypatch.setenv("AWS_CA_BUNDLE", str(certificates / "ca.pem"))
    from_env = S3Client(s3.region, endpoint=tls_endpoint, s3client_config=S3ClientConfig(force_path_style=True))
    assert from_env.get_object(s3.bucket, prefix + "tls").read() == b"over tls"


def test_tls_without_the_ca_is_refused(s3, tls_endpoint, monkeypatch):
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    client = S3Client(
        s3.region, endpoint=tls_endpoint, s3client_config=S3ClientConfig(force_path_style=True, max_attempts=1)
    )
    with pytest.raises(S3Exception) as error:
        client.head_object(s3.bucket, "anything")
    assert error.value.code == "TlsError"
    assert "TLS handshake failed" in str(error.value) and "CA bundle" in str(error.value)
    assert error.value.http_status is None


def test_missing_ca_file_is_a_clear_error(s3, tls_endpoint, tmp_path):
    client = S3Client(
        s3.region,
        endpoint=tls_endpoint,
        s3client_config=S3ClientConfig(force_path_style=True, ca_bundle=str(tmp_path / "nope.pem")),
    )
    with pytest.raises(S3Exception, match="reading the CA file .*nope.pem"):
        client.head_object(s3.bucket, "anything")
