"""Per-client metrics: requests, bytes, retries, throttles, errors, latency."""

from __future__ import annotations

import pytest

from s3torchconnector import S3Checkpoint, S3IterableDataset, S3NotFoundError

from ..faultproxy import Fault, FaultProxy
from ..support import PART_SIZE, pattern


def test_counts_requests_and_bytes(s3, client_config, prefix):
    checkpoint = S3Checkpoint(s3.region, s3.endpoint, client_config)
    size = 2 * PART_SIZE + 10
    with checkpoint.writer(f"s3://{s3.bucket}/{prefix}obj") as writer:
        writer.write(pattern(size))
    assert checkpoint.reader(f"s3://{s3.bucket}/{prefix}obj").read() == pattern(size)
    with pytest.raises(S3NotFoundError):
        checkpoint.reader(f"s3://{s3.bucket}/{prefix}missing").read()
    m = checkpoint.metrics()
    assert m["bytes_uploaded"] == size
    assert m["bytes_downloaded"] == size
    assert m["requests"]["UploadPart"] == 3 and m["requests"]["CreateMultipartUpload"] == 1
    assert m["requests"]["CompleteMultipartUpload"] == 1
    assert m["requests"]["GetObject"] >= 4  # three parts, and the missing object
    assert m["errors"] >= 1 and m["retries"] == 0 and m["throttles"] == 0
    latency = m["first_byte_latency"]
    assert latency["count"] >= 8 and latency["mean_seconds"] > 0
    assert sum(latency["counts"]) == latency["count"]
    assert len(latency["bounds_seconds"]) == len(latency["counts"]) and latency["bounds_seconds"][-1] == float("inf")
    checkpoint.reset_metrics()
    m = checkpoint.metrics()
    assert m["requests"] == {} and m["bytes_downloaded"] == 0 and m["first_byte_latency"]["count"] == 0


def test_counts_retries_and_throttles(s3, client_config, prefix, monkeypatch):
    monkeypatch.setenv("S3CONN_RETRY_BACKOFF_MS", "10")
    with FaultProxy(s3.endpoint) as proxy:
        checkpoint = S3Checkpoint(s3.region, proxy.endpoint, client_config)
        with checkpoint.writer(f"s3://{s3.bucket}/{prefix}obj") as writer:
            writer.write(b"data")
        proxy.inject(Fault.SLOW_DOWN_503, count=2, methods={"GET"}, path_contains=prefix)
        assert checkpoint.reader(f"s3://{s3.bucket}/{prefix}obj").read() == b"data"
        m = checkpoint.metrics()
    assert m["throttles"] == 2 and m["retries"] >= 2 and m["errors"] >= 2


def test_datasets_expose_their_clients_metrics(s3, client_config, prefix, s3_client):
    for i in range(3):
        with s3_client.put_object(s3.bucket, f"{prefix}{i}") as writer:
            writer.write(b"x" * 100)
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=lambda r: r.read(),
    )
    assert len(list(dataset)) == 3
    m = dataset.metrics()
    assert m["requests"]["ListObjectsV2"] == 1 and m["requests"]["GetObject"] == 3
    assert m["bytes_downloaded"] == 300
