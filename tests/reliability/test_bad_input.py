"""Bad input: each case with the exact exception type and a message a user can
act on. Nothing here should ever need a retry or a timeout to fail."""

from __future__ import annotations

import io
import socket
from collections.abc import Callable
from re import Pattern
from typing import Any

import pytest

from s3torchconnector import (
    S3Checkpoint,
    S3ClientConfig,
    S3Exception,
    S3IterableDataset,
    S3MapDataset,
    S3ReaderConstructor,
)
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import S3AccessDeniedError, S3NotFoundError
from s3torchconnector.dcp import S3FileSystem, S3StorageWriter

MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# (id, callable taking the fixtures, exception type, message regex)
Case = tuple


def config_case(name: str, kwargs: dict, error: type[BaseException], message: str) -> Case:
    return (f"config-{name}", lambda f: S3ClientConfig(**kwargs), error, message)


CASES = [
    (
        "uri-no-scheme",
        lambda f: S3MapDataset.from_prefix("bucket/key", region="r"),
        ValueError,
        "Only s3:// URIs are supported, got 'bucket/key'",
    ),
    (
        "uri-https",
        lambda f: S3MapDataset.from_objects(["https://b/k"], region="r"),
        ValueError,
        "Only s3:// URIs are supported",
    ),
    (
        "uri-upper-case",
        lambda f: S3IterableDataset.from_prefix("S3://b/k", region="r"),
        ValueError,
        "the scheme is lower case",
    ),
    (
        "uri-empty-bucket",
        lambda f: S3IterableDataset.from_prefix("s3:///key", region="r"),
        ValueError,
        "Bucket name must be non-empty",
    ),
    (
        "uri-nothing",
        lambda f: S3IterableDataset.from_prefix("s3://", region="r"),
        ValueError,
        "Bucket name must be non-empty",
    ),
    (
        "uri-not-a-string",
        lambda f: S3MapDataset.from_prefix(None, region="r"),
        TypeError,
        "S3 URI must be a str, not NoneType",
    ),
    (
        "key-too-long",
        lambda f: S3Checkpoint("r").writer("s3://b/" + "k" * 1025),
        ValueError,
        "1025 bytes long; S3 keys are at most 1024",
    ),
    (
        "uri-bucket-only",
        lambda f: S3Checkpoint("r").reader("s3://bucket/"),
        ValueError,
        "names a bucket, not an object",
    ),
    config_case("part-size-small", {"part_size": MiB}, ValueError, "part_size must be between 5 MiB"),
    config_case("part-size-large", {"part_size": 6 * 1024 * MiB}, ValueError, "part_size must be between 5 MiB"),
    config_case("part-size-float", {"part_size": 8.0 * MiB}, TypeError, "part_size must be int, not float"),
    config_case("max-attempts", {"max_attempts": 0}, ValueError, "max_attempts must be at least 1"),
    config_case("throughput", {"throughput_target_gbps": 0}, ValueError, "throughput_target_gbps must be a positive"),
    config_case("unsigned-type", {"unsigned": "no"}, TypeError, "unsigned must be bool, not str"),
    config_case("profile-empty", {"profile": " "}, ValueError, "profile must be a non-empty profile name"),
    config_case(
        "memory-limit", {"memory_limit_bytes": MiB}, ValueError, "memory_limit_bytes must be at least two parts"
    ),
    # Combinations the CRT would refuse at the first request are refused here.
    config_case(
        "part-size-over-half-memory",
        {"part_size": 3 * 1024 * MiB},
        ValueError,
        "part_size of 3221225472 bytes \\(3072 MiB\\) is more than half the memory limit of 2147483648 bytes",
    ),
    config_case(
        "part-size-5-gib", {"part_size": 5 * 1024 * MiB}, ValueError, "raise memory_limit_bytes to at least 10737418240"
    ),
    config_case(
        "memory-limit-under-crt-minimum",
        {"memory_limit_bytes": 100 * MiB},
        ValueError,
        "memory_limit_bytes must be 0 \\(automatic\\) or at least 256 MiB",
    ),
    # At 1 Gbps the CRT picks a 256 MiB pool.
    config_case(
        "part-size-for-low-throughput",
        {"part_size": 200 * MiB, "throughput_target_gbps": 1.0},
        ValueError,
        "is more than half the memory limit of 268435456 bytes",
    ),
    config_case(
        "unsigned-requester-pays",
        {"unsigned": True, "requester_pays": True},
        ValueError,
        "requester_pays cannot be combined with unsigned",
    ),
    config_case("ca-bundle-empty", {"ca_bundle": ""}, ValueError, "ca_bundle must be a path"),
    (
        "endpoint-no-scheme",
        lambda f: S3Client("r", endpoint="localhost:9000"),
        ValueError,
        "invalid endpoint 'localhost:9000': no scheme",
    ),
    ("endpoint-with-path", lambda f: S3Client("r", endpoint="http://host/bucket"), ValueError, "a path is not allowed"),
    ("endpoint-bad-port", lambda f: S3Client("r", endpoint="http://host:99999"), ValueError, "port out of range"),
    ("region-type", lambda f: S3Client(42), TypeError, "region must be a str, not int"),
    (
        "transform-type",
        lambda f: S3MapDataset.from_prefix("s3://b/p", region="r", transform=3),
        TypeError,
        "transform must be callable",
    ),
    (
        "buffer-size",
        lambda f: S3ReaderConstructor.range_based(buffer_size=-1),
        ValueError,
        "buffer_size must be 0 \\(no buffer\\) or positive",
    ),
    ("gap-size", lambda f: S3ReaderConstructor.dcp_optimized(-5), ValueError, "max_gap_size must be non-negative"),
    (
        "dcp-thread-count",
        lambda f: S3StorageWriter("r", "s3://b/c", thread_count=0),
        ValueError,
        "thread_count must be a positive integer",
    ),
    ("dcp-local-path", lambda f: S3StorageWriter("r", "/tmp/ckpt"), ValueError, "path must be an s3:// URI"),
    ("seek-negative", lambda f: f["reader"]().seek(-1), ValueError, "negative seek value -1"),
    ("seek-before-start", lambda f: f["reader"]().seek(-11, io.SEEK_END), ValueError, "negative seek value"),
    ("seek-whence", lambda f: f["reader"]().seek(0, 5), ValueError, "invalid whence \\(5"),
    ("seek-offset-type", lambda f: f["reader"]().seek("1"), TypeError, "integer argument expected"),
    ("read-size-type", lambda f: f["reader"]().read(1.5), TypeError, "argument should be integer or None"),
    ("read-after-close", lambda f: f["closed_reader"]().read(), ValueError, "I/O operation on closed file"),
    (
        "readinto-read-only",
        lambda f: f["reader"]().readinto(b"immutable"),
        TypeError,
        "writable bytes-like object, not read-only bytes",
    ),
    ("write-after-close", lambda f: f["closed_writer"]().write(b"x"), ValueError, "I/O operation on closed file"),
    ("write-not-bytes", lambda f: f["writer"]().write("text"), TypeError, "bytes-like object is required, not 'str'"),
    (
        "dcp-stream-mode",
        lambda f: S3FileSystem("r").create_stream("s3://b/k", "w").__enter__(),
        ValueError,
        "create_stream only supports rb",
    ),
    (
        "missing-key",
        lambda f: f["client"]().get_object(f["s3"].bucket, "no/such/key").read(),
        S3NotFoundError,
        "NoSuchKey \\(HTTP 404\\)",
    ),
    (
        "missing-bucket",
        lambda f: f["client"]().get_object("s3conn-no-such-bucket", "k").read(),
        S3NotFoundError,
        "NoSuchBucket .*check the bucket name",
    ),
    (
        "closed-port",
        lambda f: S3Client(
            "r", endpoint=f"http://127.0.0.1:{free_port()}", s3client_config=S3ClientConfig(max_attempts=1)
        ).head_object("b", "k"),
        S3Exception,
        "ConnectionRefused.*nothing is listening at the endpoint",
    ),
    (
        "unresolvable-host",
        lambda f: S3Client(
            "r", endpoint="http://host.that.does.not.exist.invalid:9000", s3client_config=S3ClientConfig(max_attempts=1)
        ).head_object("b", "k"),
        S3Exception,
        "DnsError.*could not be resolved",
    ),
    (
        "unknown-profile",
        lambda f: f["profile_client"]("no-such-profile").head_object(f["s3"].bucket, "k"),
        S3Exception,
        "profile 'no-such-profile' was not found",
    ),
    (
        "wrong-credentials",
        lambda f: f["profile_client"]("wrong").get_object(f["s3"].bucket, "k").read(),
        S3AccessDeniedError,
        "\\(HTTP 403\\).*credentials",
    ),
]


@pytest.fixture
def fixtures(s3, client_config, tmp_path, monkeypatch, prefix):
    credentials = tmp_path / "credentials"
    credentials.write_text("[wrong]\naws_access_key_id = AKIDWRONG\naws_secret_access_key = wrong-secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=client_config)
    with client.put_object(s3.bucket, prefix + "obj") as w:
        w.write(b"0123456789")

    def closed_reader():
        r = client.get_object(s3.bucket, prefix + "obj")
        r.close()
        return r

    def closed_writer():
        w = client.put_object(s3.bucket, prefix + "w")
        w.close()
        return w

    return {
        "s3": s3,
        "client": lambda: client,
        "reader": lambda: client.get_object(s3.bucket, prefix + "obj"),
        "closed_reader": closed_reader,
        "writer": lambda: client.put_object(s3.bucket, prefix + "w2"),
        "closed_writer": closed_writer,
        "profile_client": lambda profile: S3Client(
            s3.region, endpoint=s3.endpoint, s3client_config=S3ClientConfig(profile=profile, force_path_style=True)
        ),
    }


@pytest.mark.parametrize("case_id, action, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(
    fixtures, case_id: str, action: Callable[[Any], Any], error: type[BaseException], message: str | Pattern[str]
):
    with pytest.raises(error, match=message) as raised:
        action(fixtures)
    assert type(raised.value) is error or isinstance(raised.value, error)


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_closing_twice_is_harmless(fixtures):
    reader, writer = fixtures["reader"](), fixtures["writer"]()
    for f in (reader, writer):
        f.close()
        f.close()
        assert f.closed
