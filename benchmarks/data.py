"""The objects the workloads read, written once per server with the native client."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from s3torchconnector._s3conn import Client
from s3torchconnector.localserver import S3Target

MiB = 1024 * 1024


def _client(target: S3Target) -> Client:
    return Client(target.region, endpoint=target.endpoint or None, force_path_style=True)


def small_objects(target: S3Target, count: int, size: int) -> dict[str, Any]:
    prefix = f"bench/small-{count}x{size}/"
    client = _client(target)
    existing = 0
    token = None
    while True:
        page = client.list_objects(target.bucket, prefix=prefix, continuation_token=token)
        existing += len(page.objects)
        token = page.next_continuation_token
        if token is None:
            break
    if existing != count:
        payload = os.urandom(size)

        def put(i: int) -> None:
            stream = client.put_object(target.bucket, f"{prefix}{i:06d}")
            stream.write(payload)
            stream.close()

        with ThreadPoolExecutor(32) as pool:
            list(pool.map(put, range(count)))
    return {"prefix": prefix, "count": count, "size": size}


def big_object(target: S3Target, size: int) -> dict[str, Any]:
    key = f"bench/big-{size}"
    client = _client(target)
    try:
        if client.head_object(target.bucket, key).size == size:
            return {"key": key, "size": size}
    except Exception:  # absent: write it
        pass
    block = os.urandom(8 * MiB)
    stream = client.put_object(target.bucket, key)
    written = 0
    while written < size:
        n = min(len(block), size - written)
        stream.write(memoryview(block)[:n])
        written += n
    stream.close()
    return {"key": key, "size": size}
