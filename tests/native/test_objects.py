"""Every object operation of the native client, against the server."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from s3torchconnector._s3conn import S3Exception, S3NotFoundError, bytes_copied

from ..support import PART_SIZE, pattern
from .helpers import get, put

SIZES = [0, 1, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 3 * PART_SIZE]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_across_part_boundaries(native_client, s3, prefix, size):
    key = f"{prefix}object-{size}"
    data = pattern(size)
    etag = put(native_client, s3.bucket, key, data)
    assert etag
    assert get(native_client, s3.bucket, key) == data
    assert get(native_client, s3.bucket, key, size_hint=size) == data
    info = native_client.head_object(s3.bucket, key)
    assert info.size == size
    assert info.key == key
    assert info.etag and not info.etag.startswith('"')
    assert info.last_modified > 1_600_000_000


def test_writes_of_every_buffer_type(native_client, s3, prefix):
    key = prefix + "buffers"
    parts = [
        b"bytes",
        bytearray(b"bytearray"),
        memoryview(b"xxmemoryviewxx")[2:-2],
        np.arange(10, dtype=np.uint8),
        torch.arange(4, dtype=torch.int32).numpy(),
    ]
    stream = native_client.put_object(s3.bucket, key)
    assert [stream.write(p) for p in parts] == [5, 9, 10, 10, 16]
    assert stream.bytes_written == 50
    stream.close()
    assert stream.closed
    expected = b"".join(bytes(memoryview(p).cast("B")) for p in parts)
    assert get(native_client, s3.bucket, key) == expected


def test_write_rejects_non_buffers_and_strided_views(native_client, s3, prefix):
    stream = native_client.put_object(s3.bucket, prefix + "bad-writes")
    with pytest.raises(TypeError, match="bytes-like object is required, not 'str'"):
        stream.write("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        stream.write(memoryview(b"abcdef")[::2])
    stream.abort()


def test_ranged_gets(native_client, s3, prefix):
    key = prefix + "ranged"
    data = pattern(PART_SIZE + 100, 3)
    put(native_client, s3.bucket, key, data)
    n = len(data)
    assert get(native_client, s3.bucket, key, 10, 20) == data[10:20]
    assert get(native_client, s3.bucket, key, n - 1, n) == data[-1:]  # the last byte
    assert get(native_client, s3.bucket, key, PART_SIZE - 5, PART_SIZE + 5) == data[PART_SIZE - 5 : PART_SIZE + 5]
    assert get(native_client, s3.bucket, key, start=100) == data[100:]
    assert get(native_client, s3.bucket, key, end=100) == data[:100]
    assert get(native_client, s3.bucket, key, n - 3, n + 1000) == data[-3:]  # end past the object
    assert get(native_client, s3.bucket, key, 50, 50) == b""  # empty range, no request
    with pytest.raises(S3Exception) as error:
        get(native_client, s3.bucket, key, n + 10, n + 20)  # starts past the end
    assert error.value.http_status == 416
    assert error.value.code == "InvalidRange"


def test_empty_object(native_client, s3, prefix):
    key = prefix + "empty"
    put(native_client, s3.bucket, key, b"")
    assert get(native_client, s3.bucket, key) == b""
    assert get(native_client, s3.bucket, key, size_hint=0) == b""
    assert native_client.get_object_into(s3.bucket, key, 0, bytearray(10)) == 0
    with pytest.raises(S3Exception) as error:
        get(native_client, s3.bucket, key, 0, 10)
    assert error.value.http_status == 416


def test_get_object_into_buffers(native_client, s3, prefix):
    key = prefix + "into"
    data = pattern(2 * PART_SIZE + 77, 11)
    put(native_client, s3.bucket, key, data)

    whole = bytearray(len(data))
    assert native_client.get_object_into(s3.bucket, key, 0, whole) == len(data)
    assert whole == data

    target = np.zeros(1000, dtype=np.uint8)
    assert native_client.get_object_into(s3.bucket, key, 500, target) == 1000
    assert target.tobytes() == data[500:1500]

    tensor = torch.zeros(PART_SIZE + 8, dtype=torch.uint8)
    assert native_client.get_object_into(s3.bucket, key, 3, tensor.numpy()) == PART_SIZE + 8
    assert bytes(tensor.numpy()) == data[3 : PART_SIZE + 11]

    window = memoryview(bytearray(300))[100:]
    assert native_client.get_object_into(s3.bucket, key, len(data) - 50, window) == 50
    assert bytes(window[:50]) == data[-50:]

    assert native_client.get_object_into(s3.bucket, key, len(data) + 1, bytearray(5)) == 0
    with pytest.raises(TypeError, match="writable"):
        native_client.get_object_into(s3.bucket, key, 0, b"read-only")


def test_stream_readinto_copies_once(native_client, s3, prefix):
    key = prefix + "readinto"
    data = pattern(PART_SIZE + 999, 5)
    put(native_client, s3.bucket, key, data)
    stream = native_client.get_object(s3.bucket, key)
    head = bytearray(1234)
    before = bytes_copied()
    assert stream.readinto(head) == 1234
    assert bytes_copied() - before == 1234  # exactly one copy, network buffer -> destination
    before = bytes_copied()
    rest = b"".join(bytes(c) for c in stream)  # memoryviews: no copy inside the library
    assert bytes_copied() == before
    assert bytes(head) + rest == data
    assert stream.readinto(bytearray(10)) == 0


def test_chunks_are_zero_copy_memoryviews(native_client, s3, prefix):
    key = prefix + "zero-copy"
    data = pattern(PART_SIZE + 10, 2)
    put(native_client, s3.bucket, key, data)
    before = bytes_copied()
    views = list(native_client.get_object(s3.bucket, key))
    assert bytes_copied() == before
    assert all(isinstance(v, memoryview) and v.readonly for v in views)
    assert b"".join(views) == data
    with pytest.raises(TypeError):
        views[0][0] = 1  # read-only


def test_chunk_objects(native_client, s3, prefix):
    key = prefix + "chunks"
    data = pattern(PART_SIZE + 10, 4)
    put(native_client, s3.bucket, key, data)
    stream = native_client.get_object(s3.bucket, key)
    offset = 0
    for chunk in stream:  # in order, each where the previous one ended
        assert bytes(chunk) == data[offset : offset + len(chunk)]
        offset += len(chunk)
    assert offset == len(data)


def test_keys_with_special_characters(native_client, s3, prefix):
    names = [
        "with space",
        "unicode-é€😀",
        "plus+sign",
        "per%cent",
        "question?mark",
        "hash#tag",
        "equals=sign",
        "double//slash",
        "amp&ersand",
        "quote'\"",
        "tilde~",
        "trailing ",
    ]
    for i, name in enumerate(names):
        key = prefix + name
        data = pattern(100 + i, i)
        put(native_client, s3.bucket, key, data)
        assert get(native_client, s3.bucket, key) == data
        assert native_client.head_object(s3.bucket, key).size == len(data)
    listed = {o.key for o in native_client.list_objects(s3.bucket, prefix=prefix).objects}
    for name in names:
        # SeaweedFS stores keys as paths and lists "a//b" as "a/b"; AWS keeps them.
        assert prefix + name in listed or prefix + name.replace("//", "/") in listed, name
    assert len(native_client.list_objects(s3.bucket, prefix=prefix + "per%").objects) == 1
    assert len(native_client.list_objects(s3.bucket, prefix=prefix + "with ").objects) == 1


def test_delete_and_copy(native_client, s3, prefix):
    source, destination = prefix + "source +x", prefix + "copy é%"
    data = pattern(PART_SIZE + 3, 9)
    put(native_client, s3.bucket, source, data)
    native_client.copy_object(s3.bucket, source, s3.bucket, destination)
    assert get(native_client, s3.bucket, destination) == data
    native_client.delete_object(s3.bucket, source)
    with pytest.raises(S3NotFoundError):
        native_client.head_object(s3.bucket, source)
    native_client.delete_object(s3.bucket, source)  # deleting nothing succeeds, as in S3
    assert get(native_client, s3.bucket, destination) == data


def test_threads_share_a_client(native_client, s3, prefix):
    failures = []

    def work(t: int) -> None:
        try:
            for i in range(5):
                key = f"{prefix}{t}-{i}"
                data = pattern(20_000 + t, t * 10 + i)
                put(native_client, s3.bucket, key, data)
                if get(native_client, s3.bucket, key) != data:
                    failures.append(key)
        except Exception as e:  # pragma: no cover - reported below
            failures.append(repr(e))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
