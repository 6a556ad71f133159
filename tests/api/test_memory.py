"""Bounded memory: streaming a large object keeps RSS flat."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

GiB = 1 << 30

MEASURE = textwrap.dedent(
    """
    import os, sys, threading, time
    from s3torchconnector import S3ClientConfig, S3ReaderConstructor
    from s3torchconnector._s3client import S3Client

    endpoint, region, bucket, key = sys.argv[1:5]

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    client = S3Client(region, endpoint=endpoint, s3client_config=S3ClientConfig(force_path_style=True))
    reader = client.get_object(bucket, key, reader_constructor=S3ReaderConstructor.sequential(streaming=True))
    base = rss()
    peak = [base]
    done = []

    def sample():
        while not done:
            peak[0] = max(peak[0], rss())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    buffer = bytearray(1 << 20)
    total = 0
    while n := reader.readinto(buffer):
        total += n
    done.append(True)
    sampler.join()
    print(total, peak[0] - base)
    """
)


@pytest.mark.slow
def test_streaming_one_gib_grows_rss_by_under_64_mib(s3_client, s3):
    key = "py-tests/memory-module/one-gib"
    block = bytes(range(256)) * (4 * 1024 * 1024 // 256)
    with s3_client.put_object(s3.bucket, key) as writer:
        for _ in range(GiB // len(block)):
            writer.write(block)
    # A fresh process, so that nothing this one did has warmed its heap.
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, s3.endpoint, s3.region, s3.bucket, key],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    total, growth = map(int, result.stdout.split())
    assert total == GiB
    assert growth < 64 * 1024 * 1024, f"RSS grew by {growth / 2**20:.1f} MiB"
    s3_client.delete_object(s3.bucket, key)
