"""Readers of every kind on the sizes where part boundaries fall, and the
writer in one request and in parts, with and without checksums."""

from __future__ import annotations

import uuid

import pytest

from s3torchconnector import S3ClientConfig, S3Exception, S3ReaderConstructor
from s3torchconnector._s3client import S3Client

from ..support import PART_SIZE, pattern

SIZES = {"0": 0, "1": 1, "part-1": PART_SIZE - 1, "part": PART_SIZE, "part+1": PART_SIZE + 1, "3parts": 3 * PART_SIZE}
READERS = {
    "sequential": S3ReaderConstructor.sequential,
    "ranged": S3ReaderConstructor.range_based,
    "ranged-unbuffered": lambda: S3ReaderConstructor.range_based(buffer_size=0),
}


@pytest.fixture(scope="module")
def objects(s3, s3_client):  # type: ignore[no-untyped-def]
    """One object of each size, written once for the module."""
    base = f"compat-objects/{uuid.uuid4().hex}/"
    keys = {}
    for name, size in SIZES.items():
        with s3_client.put_object(s3.bucket, base + name) as writer:
            writer.write(pattern(size, 3))
        keys[name] = base + name
    return keys


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("reader", READERS)
def test_read(s3, s3_client, objects, reader, size):
    data = pattern(SIZES[size], 3)
    stream = s3_client.get_object(s3.bucket, objects[size], reader_constructor=READERS[reader]())
    assert stream.read() == data
    if len(data) > 2:
        middle = len(data) // 2
        stream.seek(middle)
        assert stream.read(7) == data[middle : middle + 7]
        stream.seek(-1, 2)
        assert stream.read() == data[-1:]


@pytest.mark.parametrize("checksums", [False, True], ids=["plain", "checksums"])
@pytest.mark.parametrize("size", ["0", "1", "part+1", "3parts"])
def test_write(s3, prefix, checksums, size):
    config = S3ClientConfig(
        part_size=PART_SIZE, force_path_style=True, upload_checksums=checksums, validate_checksums=checksums
    )
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=config)
    data = pattern(SIZES[size], 4)
    with client.put_object(s3.bucket, prefix + "obj") as writer:
        for start in range(0, len(data), 1 << 20):  # in pieces, as torch.save writes
            writer.write(data[start : start + (1 << 20)])
    assert client.head_object(s3.bucket, prefix + "obj").size == len(data)
    assert client.get_object(s3.bucket, prefix + "obj").read() == data


def test_overwrite_head_copy_and_delete(s3, s3_client, prefix):
    for data in (b"first", b"second, longer"):
        with s3_client.put_object(s3.bucket, prefix + "a") as writer:
            writer.write(data)
    info = s3_client.head_object(s3.bucket, prefix + "a")
    assert info.size == len(b"second, longer") and info.etag
    s3_client.copy_object(s3.bucket, prefix + "a", s3.bucket, prefix + "b")
    assert s3_client.get_object(s3.bucket, prefix + "b").read() == b"second, longer"
    s3_client.delete_object(s3.bucket, prefix + "a")
    assert [o.key for page in s3_client.list_objects(s3.bucket, prefix) for o in page.objects] == [prefix + "b"]


def test_a_refused_checksum_names_the_option(s3, prefix):
    """Where a store refuses upload checksums (a declared limit), the error
    says which option to turn off; elsewhere the upload simply works."""
    config = S3ClientConfig(part_size=PART_SIZE, force_path_style=True, upload_checksums=True)
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=config)
    try:
        with client.put_object(s3.bucket, prefix + "obj") as writer:
            writer.write(pattern(2 * PART_SIZE, 5))
    except S3Exception as error:
        assert "upload_checksums=False" in str(error), error
    else:
        assert client.get_object(s3.bucket, prefix + "obj").read() == pattern(2 * PART_SIZE, 5)
