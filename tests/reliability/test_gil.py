"""Another Python thread keeps running while a write or a read waits for the
network: a blocked call never holds the GIL, whatever the write size."""

from __future__ import annotations

import threading
import time

from s3torchconnector import S3ClientConfig
from s3torchconnector._s3client import S3Client

from ..faultproxy import Fault, FaultProxy
from ..support import PART_SIZE

MiB = 1024 * 1024


def ticks_during(call, tick_seconds=0.005):
    """Runs call() while another thread ticks; returns (ticks, (start, end) of
    each step call() reported)."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(tick_seconds)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        steps = call()
    finally:
        stop.set()
        thread.join()
    return ticks, steps


def test_small_writes_that_wait_for_the_network_let_other_threads_run(s3, prefix):
    # Every part upload answers late, and the client's upload buffers are
    # small, so writes of 32 KiB soon wait for parts to finish: 2 s late, far
    # longer than filling the buffers takes (with 0.5 s, on a busy machine the
    # first parts could finish before the buffers were full). A proxy of its
    # own counts this upload's requests in flight only (the shared one still
    # holds connections that other tests stalled).
    block = b"x" * (32 * 1024)
    with FaultProxy(s3.endpoint) as proxy:
        proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, methods={"PUT"}, path_contains=prefix, delay=2.0)
        config = S3ClientConfig(force_path_style=True, part_size=PART_SIZE, memory_limit_bytes=256 * MiB)
        client = S3Client(s3.region, endpoint=proxy.endpoint, s3client_config=config)

        def upload():
            steps = []
            with client.put_object(s3.bucket, prefix + "big") as writer:
                for _ in range(320 * MiB // len(block)):
                    start = time.monotonic()
                    writer.write(block)
                    steps.append((start, time.monotonic()))
            return steps

        ticks, steps = ticks_during(upload)
        most_in_flight = proxy.stats.max_in_flight
    waits = [(start, end) for start, end in steps if end - start > 0.2]
    assert waits, "no write had to wait: the test did not fill the upload buffers"
    for start, end in waits:
        assert any(start < t < end for t in ticks), f"no other thread ran during a {end - start:.2f} s write"
    # Writes wait because the parts in flight, each holding a part-sized
    # buffer, stay within the memory limit.
    assert most_in_flight * PART_SIZE <= 256 * MiB, most_in_flight


def test_reads_that_wait_for_the_network_let_other_threads_run(proxy, s3, prefix, upload):
    upload(prefix + "obj", b"y" * (2 * PART_SIZE))
    proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, methods={"GET"}, path_contains=prefix, delay=0.5)
    client = S3Client(s3.region, endpoint=proxy.endpoint, s3client_config=S3ClientConfig(force_path_style=True))

    def read():
        start = time.monotonic()
        assert client.get_object(s3.bucket, prefix + "obj").read() == b"y" * (2 * PART_SIZE)
        return [(start, time.monotonic())]

    ticks, [(start, end)] = ticks_during(read)
    assert end - start > 0.4
    assert sum(start < t < end for t in ticks) > 10
