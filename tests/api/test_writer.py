"""S3Writer: file-like writing, and no object unless the writer closes cleanly."""

from __future__ import annotations

import gc
import time

import numpy as np
import pytest
import torch

from s3torchconnector import S3Exception, S3Writer

from ..support import PART_SIZE, pattern


def exists(s3, key: str) -> bool:
    return s3.admin().object_exists(s3.bucket, key)


def test_writes_any_buffer_and_tracks_position(s3_client, s3, prefix):
    writer = s3_client.put_object(s3.bucket, prefix + "buffers")
    assert isinstance(writer, S3Writer)
    assert writer.writable() and not writer.readable()
    parts = [
        b"abc",
        bytearray(b"de"),
        memoryview(b"fgh")[1:],
        np.arange(3, dtype=np.uint8),
        torch.ones(2, dtype=torch.int16).numpy(),
    ]
    assert [writer.write(p) for p in parts] == [3, 2, 2, 3, 4]
    assert writer.tell() == 14
    writer.flush()
    writer.close()
    writer.close()  # idempotent
    assert writer.closed and not writer.writable()
    expected = b"abcdegh" + bytes([0, 1, 2]) + torch.ones(2, dtype=torch.int16).numpy().tobytes()
    assert s3.admin().get_object(s3.bucket, prefix + "buffers") == expected
    with pytest.raises(ValueError, match="closed file"):
        writer.write(b"late")


@pytest.mark.parametrize("size", [0, 1, PART_SIZE, PART_SIZE + 1, 3 * PART_SIZE])
def test_context_manager_uploads_on_clean_exit(s3_client, s3, prefix, size):
    data = pattern(size)
    with s3_client.put_object(s3.bucket, prefix + "obj") as writer:
        for at in range(0, size, 1_000_000):
            writer.write(data[at : at + 1_000_000])
    assert writer.closed
    assert s3_client.get_object(s3.bucket, prefix + "obj").read() == data


@pytest.mark.parametrize("size", [10, 2 * PART_SIZE + 5])
def test_exception_inside_with_creates_nothing(s3_client, s3, prefix, size):
    with pytest.raises(RuntimeError, match="boom"):
        with s3_client.put_object(s3.bucket, prefix + "failed") as writer:
            writer.write(pattern(size))
            raise RuntimeError("boom")
    assert writer.closed
    assert not exists(s3, prefix + "failed")


def test_exception_keeps_the_previous_object(s3_client, s3, prefix):
    key = prefix + "kept"
    with s3_client.put_object(s3.bucket, key) as writer:
        writer.write(b"v1")
    with pytest.raises(KeyError):
        with s3_client.put_object(s3.bucket, key) as writer:
            writer.write(pattern(PART_SIZE + 1))
            raise KeyError("x")
    assert s3_client.get_object(s3.bucket, key).read() == b"v1"


def test_dropped_writer_creates_nothing(s3_client, s3, prefix):
    writer = s3_client.put_object(s3.bucket, prefix + "dropped")
    writer.write(pattern(2 * PART_SIZE))
    del writer
    gc.collect()
    time.sleep(0.2)
    assert not exists(s3, prefix + "dropped")


def test_explicit_abort(s3_client, s3, prefix):
    writer = s3_client.put_object(s3.bucket, prefix + "aborted")
    writer.write(pattern(PART_SIZE + 1))
    writer.abort()
    writer.close()  # no-op after abort
    assert writer.closed
    assert not exists(s3, prefix + "aborted")


def test_failed_close_raises_s3_exception(s3_client):
    writer = s3_client.put_object("s3conn-bucket-that-does-not-exist", "key")
    writer.write(b"data")
    with pytest.raises(S3Exception) as error:
        writer.close()
    assert error.value.code == "NoSuchBucket"
    assert writer.closed
