"""Lifetimes across Python objects, pickling, fork() and Ctrl-C."""

from __future__ import annotations

import gc
import os
import pickle
import socket
import time

import pytest

from s3torchconnector._s3conn import Client, S3Exception

from ..support import PART_SIZE, ctrl_c_after, pattern
from .helpers import get, put


def test_chunks_outlive_stream_and_client(native_client, s3, prefix):
    key = prefix + "lifetime"
    data = pattern(PART_SIZE + 10, 21)
    put(native_client, s3.bucket, key, data)
    client = Client(**native_client.config)
    views = list(client.get_object(s3.bucket, key))
    del client
    gc.collect()
    assert b"".join(views) == data
    first = views[0]
    del views
    gc.collect()
    assert bytes(first[:5]) == data[:5]


def test_abandoned_streams_are_cancelled(native_client, s3, prefix):
    key = prefix + "abandoned"
    put(native_client, s3.bucket, key, pattern(3 * PART_SIZE))
    for _ in range(5):
        stream = native_client.get_object(s3.bucket, key)
        next(stream)
        del stream
    assert len(get(native_client, s3.bucket, key)) == 3 * PART_SIZE


def test_client_pickles_as_its_configuration(native_client, s3, prefix):
    put(native_client, s3.bucket, prefix + "p", b"pickled")
    clone = pickle.loads(pickle.dumps(native_client))
    assert clone.config == native_client.config
    assert get(clone, s3.bucket, prefix + "p") == b"pickled"
    custom = Client(
        "eu-west-1",
        endpoint="http://127.0.0.1:1",
        unsigned_requests=True,
        part_size=16 * 1024 * 1024,
        max_attempts=3,
        user_agent_prefix="ua",
    )
    assert pickle.loads(pickle.dumps(custom)).config == custom.config
    assert "eu-west-1" in repr(custom)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_reads_while_parent_downloads(native_client, s3, prefix):
    big, small = prefix + "big", prefix + "small"
    big_data, small_data = pattern(4 * PART_SIZE, 1), pattern(1000, 2)
    put(native_client, s3.bucket, big, big_data)
    put(native_client, s3.bucket, small, small_data)

    stream = native_client.get_object(s3.bucket, big)
    received = [bytes(next(stream))]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 1
        try:
            os.close(read_end)
            ok = native_client.metrics()["requests"] == {}  # a child counts its own requests only
            ok = ok and get(native_client, s3.bucket, small) == small_data
            ok = (
                ok
                and get(native_client, s3.bucket, big, PART_SIZE, PART_SIZE + 100)
                == big_data[PART_SIZE : PART_SIZE + 100]
            )
            try:
                next(stream)  # the parent's download is not the child's
                ok = False
            except S3Exception as e:
                ok = ok and "fork" in str(e)
            os.write(write_end, b"ok" if ok else b"bad")
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    received += [bytes(c) for c in stream]
    assert b"".join(received) == big_data
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert os.read(read_end, 10) == b"ok"
    os.close(read_end)


def test_ctrl_c_cancels_a_stalled_request():
    # A listener that accepts connections and never answers.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    client = Client("us-east-1", endpoint=f"http://127.0.0.1:{port}", unsigned_requests=True, max_attempts=1)
    try:
        with ctrl_c_after(0.3) as start, pytest.raises(KeyboardInterrupt):
            client.head_object("bucket", "key")
    finally:
        listener.close()
    assert time.monotonic() - start < 1.5
