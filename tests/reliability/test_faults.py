"""Each fault the proxy can inject, alone, with the outcome it must have."""

from __future__ import annotations

import time

import pytest

from s3torchconnector._s3conn import S3Exception

from ..faultproxy import Fault
from ..support import PART_SIZE, pattern
from .conftest import fast_client


def put(client, bucket, key, data):
    stream = client.put_object(bucket, key)
    stream.write(data)
    stream.close()


def get(client, bucket, key, **kwargs):
    return b"".join(bytes(c) for c in client.get_object(bucket, key, **kwargs))


@pytest.fixture
def client(proxy, s3):
    return fast_client(proxy.endpoint, s3.region)


@pytest.mark.parametrize("fault", [Fault.RESET_MID_BODY, Fault.TRUNCATE, Fault.ERROR_500, Fault.SLOW_DOWN_503])
@pytest.mark.parametrize("size", [1000, 3 * PART_SIZE])
@pytest.mark.parametrize("hinted", [False, True])
def test_reads_recover(proxy, client, s3, prefix, fault, size, hinted):
    data = pattern(size, size)
    put(client, s3.bucket, prefix + "obj", data)
    before = proxy.stats.total_injected
    proxy.inject(fault, count=2, methods={"GET"}, path_contains=prefix)
    assert get(client, s3.bucket, prefix + "obj", size_hint=size if hinted else None) == data
    into = bytearray(size)
    proxy.inject(fault, count=1, methods={"GET"}, path_contains=prefix)
    assert client.get_object_into(s3.bucket, prefix + "obj", 0, into) == size and into == data
    assert proxy.stats.total_injected - before == 3


@pytest.mark.parametrize("fault", [Fault.ERROR_500, Fault.SLOW_DOWN_503])
@pytest.mark.parametrize("size", [1000, 2 * PART_SIZE + 7])
def test_writes_recover(proxy, client, s3, prefix, fault, size):
    data = pattern(size, 3)
    proxy.inject(fault, count=3, methods={"PUT", "POST"}, path_contains=prefix)
    put(client, s3.bucket, prefix + "obj", data)
    assert proxy.pending() == 0
    assert s3.admin().get_object(s3.bucket, prefix + "obj") == data


def test_listing_recovers(proxy, client, s3, prefix):
    for i in range(5):
        put(client, s3.bucket, f"{prefix}{i}", b"x")
    proxy.inject(Fault.ERROR_500, count=2, methods={"GET"}, path_contains="list-type")
    proxy.inject(Fault.RESET_MID_BODY, count=1, methods={"GET"}, path_contains="list-type")
    page = client.list_objects(s3.bucket, prefix=prefix)
    assert [o.key for o in page.objects] == [f"{prefix}{i}" for i in range(5)]


def test_slow_first_byte_is_only_slow(proxy, client, s3, prefix):
    put(client, s3.bucket, prefix + "obj", b"slow")
    proxy.inject(Fault.SLOW_FIRST_BYTE, count=1, methods={"GET"}, path_contains=prefix, delay=0.5)
    start = time.monotonic()
    assert get(client, s3.bucket, prefix + "obj") == b"slow"
    assert time.monotonic() - start >= 0.5


def test_stalled_connection_is_abandoned_not_waited_for(proxy, client, s3, prefix):
    data = pattern(PART_SIZE, 8)
    put(client, s3.bucket, prefix + "obj", data)
    proxy.inject(Fault.STALL, count=1, methods={"GET"}, path_contains=prefix)
    start = time.monotonic()
    assert get(client, s3.bucket, prefix + "obj") == data  # retried on a fresh connection
    assert time.monotonic() - start < 15


def test_stall_without_retries_is_an_error_not_a_hang(proxy, s3, prefix):
    client = fast_client(proxy.endpoint, s3.region, max_attempts=1)
    put(client, s3.bucket, prefix + "obj", pattern(PART_SIZE, 9))
    proxy.inject(Fault.STALL, count=1, methods={"GET"}, path_contains=prefix)
    start = time.monotonic()
    with pytest.raises(S3Exception) as error:
        get(client, s3.bucket, prefix + "obj")
    assert time.monotonic() - start < 15
    assert error.value.code in ("Timeout", "NetworkError"), error.value


def test_retries_stop_at_max_attempts(proxy, s3, prefix):
    client = fast_client(proxy.endpoint, s3.region, max_attempts=3)
    put(client, s3.bucket, prefix + "obj", b"data")
    proxy.inject(Fault.SLOW_DOWN_503, count=-1, path_contains=prefix)
    before = proxy.stats.injected.get(Fault.SLOW_DOWN_503, 0)
    with pytest.raises(S3Exception) as error:
        get(client, s3.bucket, prefix + "obj", size_hint=4)
    assert proxy.stats.injected[Fault.SLOW_DOWN_503] - before == 3
    assert error.value.code == "SlowDown" and error.value.http_status == 503
    assert "throttling" in str(error.value)


def test_a_failed_multipart_upload_leaves_nothing(proxy, s3, prefix):
    client = fast_client(proxy.endpoint, s3.region, max_attempts=2)
    proxy.inject(Fault.ERROR_500, count=-1, methods={"PUT"}, path_contains="partNumber=2")
    stream = client.put_object(s3.bucket, prefix + "obj")
    with pytest.raises(S3Exception):
        stream.write(pattern(3 * PART_SIZE))
        stream.close()
    proxy.clear()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _uploads(s3, prefix + "obj"):
        time.sleep(0.05)
    assert _uploads(s3, prefix + "obj") == 0
    assert not s3.admin().object_exists(s3.bucket, prefix + "obj")


def _uploads(s3, key) -> int:
    response = s3.admin().request("GET", s3.bucket, query=[("uploads", ""), ("prefix", key)])
    return response.body.count(b"<UploadId>")
