"""The limit: the best rates libs3conn reaches on this server, with nothing
in the way: many GETs in flight from threads for small objects, and one
object received straight into memory for a big one."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .common import Endpoint, MiB, result, timed


def _client() -> Any:
    from s3torchconnector._s3conn import Client

    endpoint = Endpoint.from_env()
    return Client(endpoint.region, endpoint=endpoint.url, event_loop_threads=2)


def run_small(impl: str, params: dict[str, Any]) -> dict[str, float]:
    endpoint = Endpoint.from_env()
    client = _client()
    keys: list[str] = []
    token = None
    while True:
        page = client.list_objects(endpoint.bucket, prefix=params["prefix"], continuation_token=token)
        keys += [o.key for o in page.objects]
        token = page.next_continuation_token
        if token is None:
            break
    size = params["size"]
    best = 0.0
    for threads in params.get("threads", (16, 32, 64)):
        buffers = threading.local()

        def fetch(key: str) -> int:
            buffer = getattr(buffers, "b", None)  # noqa: B023
            if buffer is None:
                buffer = buffers.b = bytearray(size)  # noqa: B023
            return client.get_object_into(endpoint.bucket, key, 0, buffer)

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fetch, keys[:256]))  # warm up
            _, seconds, _ = timed(lambda: list(pool.map(fetch, keys)))
            best = max(best, len(keys) / seconds)
    return result(objects_per_s=best, mib_per_s=best * size / MiB)


def run_big(impl: str, params: dict[str, Any]) -> dict[str, float]:
    endpoint = Endpoint.from_env()
    client = _client()
    size = client.head_object(endpoint.bucket, params["key"]).size
    buffer = bytearray(size)
    client.get_object_into(endpoint.bucket, params["key"], 0, memoryview(buffer)[:1])
    best = 0.0
    for _ in range(2):
        start = time.perf_counter()
        client.get_object_into(endpoint.bucket, params["key"], 0, buffer)
        best = max(best, size / (time.perf_counter() - start) / MiB)
    return result(mib_per_s=best)


def run_upload(impl: str, params: dict[str, Any]) -> dict[str, float]:
    """The fastest this server accepts uploads: 1, 2 and 4 multipart uploads
    in parallel, written from memory in 64 MiB pieces."""
    import os

    endpoint = Endpoint.from_env()
    client = _client()
    total = params["bytes"]
    piece = os.urandom(64 * MiB)

    def upload(key: str, size: int) -> None:
        stream = client.put_object(endpoint.bucket, key)
        for at in range(0, size, len(piece)):
            stream.write(memoryview(piece)[: min(len(piece), size - at)])
        stream.close()

    best = 0.0
    for streams in (1, 2, 4):
        threads = [
            threading.Thread(target=upload, args=(f"bench/upload-limit/{streams}-{i}", total // streams))
            for i in range(streams)
        ]

        def run_all() -> None:
            for t in threads:  # noqa: B023
                t.start()
            for t in threads:  # noqa: B023
                t.join()

        _, seconds, _ = timed(run_all)
        best = max(best, total / seconds / MiB)
    return result(mib_per_s=best)
