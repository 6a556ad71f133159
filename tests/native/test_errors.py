"""Errors from the native client: the exception types, codes and messages a
user sees, and that a failed or abandoned upload leaves nothing behind."""

from __future__ import annotations

import os
import pickle
import socket
import time
import xml.etree.ElementTree as ET

import pytest

from s3torchconnector._s3conn import Client, S3AccessDeniedError, S3Exception, S3NotFoundError

from ..support import PART_SIZE, pattern
from .helpers import get, put


def in_progress_uploads(s3, key: str) -> list:
    """Multipart uploads the server still holds for `key`, asked independently."""
    response = s3.admin().request("GET", s3.bucket, query=[("uploads", ""), ("prefix", key)])
    assert response.status == 200, response.body
    root = ET.fromstring(response.body)
    return [e for e in root.iter() if e.tag.endswith("Upload")]


def test_missing_key(native_client, s3, prefix):
    key = prefix + "missing"
    with pytest.raises(S3NotFoundError) as info:
        get(native_client, s3.bucket, key)
    error = info.value
    assert isinstance(error, FileNotFoundError) and isinstance(error, S3Exception)
    assert (error.code, error.http_status, error.operation) == ("NoSuchKey", 404, "GetObject")
    assert (error.bucket, error.key) == (s3.bucket, key)
    assert error.request_id
    assert f"s3://{s3.bucket}/{key}" in str(error) and "NoSuchKey" in str(error)

    with pytest.raises(S3NotFoundError) as info:
        native_client.head_object(s3.bucket, key)
    assert (info.value.code, info.value.http_status) == ("NotFound", 404)
    with pytest.raises(S3NotFoundError):
        native_client.get_object_into(s3.bucket, key, 0, bytearray(4))


def test_missing_bucket(native_client, s3):
    bucket = f"s3conn-missing-{os.getpid()}"
    with pytest.raises(S3NotFoundError) as info:
        get(native_client, bucket, "key")
    assert info.value.code == "NoSuchBucket"
    assert "bucket" in str(info.value).lower()
    with pytest.raises(S3NotFoundError) as info:
        native_client.list_objects(bucket)
    assert info.value.code == "NoSuchBucket"
    stream = native_client.put_object(bucket, "key")
    stream.write(b"data")
    with pytest.raises(S3NotFoundError) as info:
        stream.close()
    assert (info.value.code, info.value.operation) == ("NoSuchBucket", "PutObject")


def test_wrong_credentials(s3, tmp_path, monkeypatch, prefix):
    credentials = tmp_path / "credentials"
    credentials.write_text("[wrong]\naws_access_key_id = AKIDWRONG0000000000\naws_secret_access_key = not-the-secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    client = Client(s3.region, endpoint=s3.endpoint, force_path_style=True, profile="wrong")
    with pytest.raises(S3AccessDeniedError) as info:
        get(client, s3.bucket, prefix + "anything")
    error = info.value
    assert isinstance(error, PermissionError)
    assert error.http_status == 403
    assert error.code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied")
    assert "not-the-secret" not in str(error) and "not-the-secret" not in repr(error.__dict__)


def test_unknown_profile(s3, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    client = Client(s3.region, endpoint=s3.endpoint, profile="no-such-profile")
    with pytest.raises(S3Exception) as info:
        client.head_object(s3.bucket, "key")
    assert info.value.code == "CredentialsError"
    assert "no-such-profile" in str(info.value)


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = Client("us-east-1", endpoint=f"http://127.0.0.1:{port}", max_attempts=2)
    with pytest.raises(S3Exception) as info:
        client.head_object("bucket", "key")
    assert info.value.code == "ConnectionRefused"
    assert info.value.http_status is None
    assert "CONNECTION_REFUSED" in info.value.crt_error
    assert "nothing is listening" in str(info.value)


def test_invalid_arguments(native_client):
    with pytest.raises(ValueError, match="bucket name is empty"):
        native_client.head_object("", "key")
    with pytest.raises(ValueError, match="key is empty"):
        native_client.get_object("bucket", "")
    with pytest.raises(ValueError, match="1025 bytes"):
        native_client.put_object("bucket", "k" * 1025)
    for kwargs, field in [
        ({"part_size": 1}, "part_size"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"unsigned_requests": True, "requester_pays": True}, "requester_pays"),
        ({"endpoint": "localhost:9000"}, "endpoint"),
        ({"throughput_target_gbps": -1.0}, "throughput_target_gbps"),
    ]:
        with pytest.raises(ValueError, match=field):
            Client("us-east-1", **kwargs)


def test_aborted_multipart_upload_leaves_nothing(native_client, s3, prefix):
    key = prefix + "aborted"
    data = pattern(2 * PART_SIZE + 1)
    stream = native_client.put_object(s3.bucket, key)
    stream.write(data)  # two parts are on their way
    stream.abort()
    with pytest.raises(ValueError, match="aborted"):
        stream.write(b"more")
    with pytest.raises(ValueError, match="aborted"):
        stream.close()

    assert in_progress_uploads(s3, key) == []  # abort() waits for the server

    stream = native_client.put_object(s3.bucket, key)
    stream.write(data)
    del stream  # dropped without close(): aborted too, without blocking the caller
    deadline = time.monotonic() + 10
    while in_progress_uploads(s3, key) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_progress_uploads(s3, key) == []

    with pytest.raises(S3NotFoundError):
        native_client.head_object(s3.bucket, key)
    assert not s3.admin().object_exists(s3.bucket, key)


def test_abort_keeps_the_previous_object(native_client, s3, prefix):
    key = prefix + "kept"
    put(native_client, s3.bucket, key, b"original")
    stream = native_client.put_object(s3.bucket, key)
    stream.write(pattern(PART_SIZE + 10))
    stream.abort()
    assert get(native_client, s3.bucket, key) == b"original"


def test_exceptions_pickle_with_their_details(native_client, s3, prefix):
    with pytest.raises(S3NotFoundError) as info:
        native_client.head_object(s3.bucket, prefix + "nope")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is S3NotFoundError
    assert (copy.code, copy.http_status, copy.key) == ("NotFound", 404, prefix + "nope")
    assert str(copy) == str(info.value)
