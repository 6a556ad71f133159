"""Errors a user meets first: a missing bucket, a missing key, wrong keys."""

from __future__ import annotations

import pytest

from s3torchconnector import S3AccessDeniedError, S3ClientConfig, S3NotFoundError
from s3torchconnector._s3client import S3Client


def test_missing_key(s3, s3_client, prefix):
    with pytest.raises(S3NotFoundError) as error:
        s3_client.get_object(s3.bucket, prefix + "absent").read()
    assert (error.value.code, error.value.http_status) == ("NoSuchKey", 404)
    assert (error.value.bucket, error.value.key) == (s3.bucket, prefix + "absent")


def test_missing_bucket(s3, s3_client):
    with pytest.raises(S3NotFoundError) as error:
        next(iter(s3_client.list_objects("s3conn-compat-no-such-bucket", "")))
    assert (error.value.code, error.value.http_status) == ("NoSuchBucket", 404)


def test_bad_credentials(s3, prefix, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKNOSUCHKEY000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    client = S3Client(
        s3.region, endpoint=s3.endpoint, s3client_config=S3ClientConfig(force_path_style=True, max_attempts=1)
    )
    with pytest.raises(S3AccessDeniedError) as error:
        client.get_object(s3.bucket, prefix + "any").read()
    assert error.value.http_status == 403
    assert error.value.code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied")
