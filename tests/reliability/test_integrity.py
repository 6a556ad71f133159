"""CRC32C on upload, verified downloads, and the flipped-byte fault."""

from __future__ import annotations

import pytest

from s3torchconnector import S3ClientConfig
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import S3Exception

from ..faultproxy import Fault
from ..support import PART_SIZE, pattern
from .conftest import fast_client


def stored_checksum(s3, key: str) -> str:
    response = s3.admin().request("HEAD", s3.bucket, key, headers={"x-amz-checksum-mode": "ENABLED"})
    return response.headers.get("x-amz-checksum-crc32c", "")


@pytest.mark.parametrize("size", [1000, 2 * PART_SIZE + 3])
def test_flipped_byte_is_caught_with_checksums(proxy, s3, prefix, size):
    writer = fast_client(s3.endpoint, s3.region, upload_checksums=True)
    data = pattern(size, 4)
    stream = writer.put_object(s3.bucket, prefix + "obj")
    stream.write(data)
    stream.close()
    assert stored_checksum(s3, prefix + "obj"), "the store kept no CRC32C"

    checked = fast_client(proxy.endpoint, s3.region, validate_checksums=True, max_attempts=1)
    proxy.inject(Fault.FLIP_BYTE, count=1, methods={"GET"}, path_contains=prefix)
    with pytest.raises(S3Exception) as error:
        b"".join(bytes(c) for c in checked.get_object(s3.bucket, prefix + "obj"))
    assert error.value.code == "ChecksumMismatch"
    # Without the fault the same client reads and verifies the object.
    assert b"".join(bytes(c) for c in checked.get_object(s3.bucket, prefix + "obj")) == data

    # Without validation nothing notices: the fault is real.
    unchecked = fast_client(proxy.endpoint, s3.region)
    proxy.inject(Fault.FLIP_BYTE, count=1, methods={"GET"}, path_contains=prefix)
    assert b"".join(bytes(c) for c in unchecked.get_object(s3.bucket, prefix + "obj")) != data


def test_checksums_through_the_public_api(s3, prefix):
    config = S3ClientConfig(force_path_style=True, upload_checksums=True, validate_checksums=True)
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=config)
    with client.put_object(s3.bucket, prefix + "ckpt") as writer:
        writer.write(pattern(PART_SIZE + 1, 2))
    assert stored_checksum(s3, prefix + "ckpt")
    assert client.get_object(s3.bucket, prefix + "ckpt").read() == pattern(PART_SIZE + 1, 2)
    with pytest.raises(TypeError, match="validate_checksums must be bool"):
        S3ClientConfig(validate_checksums="yes")  # type: ignore[arg-type]
