"""Concurrency and lifecycle: shared clients, many workers, Ctrl-C, exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from s3torchconnector._s3client import S3Client

from ..faultproxy import Fault
from ..support import PART_SIZE, ctrl_c_after, pattern

ROOT = Path(__file__).resolve().parents[2]


def test_32_threads_share_one_client(s3_client, s3, prefix):
    errors = []

    def work(t: int) -> None:
        try:
            for i in range(4):
                key = f"{prefix}{t}-{i}"
                data = pattern(2000 + t * 37 + i, t)
                with s3_client.put_object(s3.bucket, key) as writer:
                    writer.write(data)
                if s3_client.get_object(s3.bucket, key).read() != data:
                    errors.append(f"{key} read back wrong")
                if s3_client.head_object(s3.bucket, key).size != len(data):
                    errors.append(f"{key} has the wrong size")
        except Exception as error:  # reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []
    assert len(list(p for page in s3_client.list_objects(s3.bucket, prefix) for p in page.objects)) == 128


@pytest.fixture(scope="module")
def loader_prefix(s3_client, s3):
    prefix = "py-tests/eight-workers/"
    for i in range(48):
        with s3_client.put_object(s3.bucket, f"{prefix}{i:03d}") as writer:
            writer.write(bytes(i))
    return prefix


# A spawned worker imports torch and this package again: 16 of them an epoch
# (two DataLoaders of 8), about 30 s of CPU on 2 cores. The second epoch
# checks what a later epoch can break (set_epoch, workers started again);
# the third adds that for fork only, where it is cheap.
@pytest.mark.slow
@pytest.mark.parametrize("method, epochs", [("fork", 3), ("spawn", 2), ("forkserver", 2)])
def test_eight_workers_over_epochs(s3, loader_prefix, method, epochs):
    job = [
        sys.executable,
        "-m",
        "tests.reliability._loader_job",
        s3.endpoint,
        s3.region,
        f"s3://{s3.bucket}/{loader_prefix}",
        method,
        "48",
        str(epochs),
    ]
    result = subprocess.run(job, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr[-2000:]


def test_ctrl_c_cancels_a_large_get_within_a_second(proxy, s3, s3_client, prefix):
    with s3_client.put_object(s3.bucket, prefix + "big") as writer:
        writer.write(pattern(4 * PART_SIZE))
    client = S3Client(s3.region, endpoint=proxy.endpoint, s3client_config=s3_client.s3client_config)
    reader = client.get_object(s3.bucket, prefix + "big")
    proxy.inject(Fault.STALL, count=-1, methods={"GET"}, path_contains=prefix)
    try:
        with ctrl_c_after(0.5) as start, pytest.raises(KeyboardInterrupt):
            reader.read()
        elapsed = time.monotonic() - start - 0.5
    finally:
        proxy.clear()
    assert elapsed < 1.0, f"took {elapsed:.2f} s after the signal"


EXIT_SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from s3torchconnector import S3ClientConfig
    from s3torchconnector._s3client import S3Client

    endpoint, stalled, region, bucket, key = sys.argv[1:6]
    config = S3ClientConfig(force_path_style=True)
    client = S3Client(region, endpoint=endpoint, s3client_config=config)
    stalled_client = S3Client(region, endpoint=stalled, s3client_config=config)
    readers = [client.get_object(bucket, key) for _ in range(4)]
    for r in readers:
        r.read(1)  # downloads under way
    writer = client.put_object(bucket, key + ".partial")
    writer.write(b"x" * (12 * 1024 * 1024))  # a multipart upload under way
    # A thread blocked in a request that will never answer.
    threading.Thread(target=lambda: stalled_client.get_object(bucket, key).read(), daemon=True).start()
    print("exiting", flush=True)
    """
)


def test_interpreter_exit_with_requests_in_flight(proxy, s3, s3_client, prefix):
    with s3_client.put_object(s3.bucket, prefix + "big") as writer:
        writer.write(pattern(4 * PART_SIZE))
    proxy.inject(Fault.STALL, count=-1, methods={"GET"}, path_contains=prefix)
    try:
        start = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", EXIT_SCRIPT, s3.endpoint, proxy.endpoint, s3.region, s3.bucket, prefix + "big"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        proxy.clear()
    assert result.stdout.strip() == "exiting", result.stderr[-2000:]
    assert result.returncode == 0, f"exit status {result.returncode}: {result.stderr[-2000:]}"
    assert time.monotonic() - start < 30
    assert "Fatal" not in result.stderr and "Segmentation" not in result.stderr
    # The unfinished upload was never completed.
    assert not s3.admin().object_exists(s3.bucket, prefix + "big.partial")
