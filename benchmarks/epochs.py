"""Epoch-scale loading (issue 16): the cost of a listing, of an index, and
what the local cache gives a second epoch. Against the local server, or any
S3 named by S3CONN_ENDPOINT/S3CONN_BUCKET; writes Markdown to stdout.

    .venv/bin/python -m s3torchconnector.localserver run -- .venv/bin/python -m benchmarks.epochs

* the index's memory per million keys (synthetic keys, no I/O);
* listing ``--keys`` objects of two key shapes, page by page and over key
  ranges, with no added latency and with ``--latency-ms``;
* a dataset's index of them: listed (``build_index``) against an index file
  (``from_index``);
* a DataLoader epoch of ``--objects`` objects with 4 workers: the first
  (from the server, filling the cache) and the second (from the cache),
  with no added latency and with ``--latency-ms`` added by the latency proxy.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from torch.utils.data import DataLoader

from s3torchconnector import S3ClientConfig, S3IterableDataset
from s3torchconnector._index import DatasetIndex
from s3torchconnector._s3bucket_key_data import S3BucketKeyData
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import ObjectInfo
from s3torchconnector.localserver import S3Target

from .latency import LatencyProxy

MiB = 1024 * 1024


def index_memory(entries: int) -> tuple[float, float]:
    """Bytes per entry of a DatasetIndex, and of a list of S3BucketKeyData."""

    def objects():
        for i in range(entries):
            key = f"train/shard-{i // 10_000:05d}/sample-{i:09d}.jpg"
            yield S3BucketKeyData("bucket", key, ObjectInfo(key, 100_000 + i, f'"{i:032x}"'))

    tracemalloc.start()
    index = DatasetIndex(objects())
    indexed = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    tracemalloc.start()
    as_list = list(objects())
    listed = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del as_list
    assert len(index) == entries
    return indexed / entries, listed / entries


# Two shapes of key: numbered (shards, frames) and hashed (content-addressed
# images), the second giving a listing no order to guess from but its hex
# digits.
KEY_SHAPES = {
    "numbered": lambda i: f"{i:07d}",
    "hashed": lambda i: hashlib.sha1(str(i).encode()).hexdigest()[:16] + ".jpg",
}


def upload_keys(client: S3Client, bucket: str, prefix: str, count: int, shape: str) -> None:
    name = KEY_SHAPES[shape]

    def put(i: int) -> None:
        with client.put_object(bucket, f"{prefix}{name(i)}") as writer:
            writer.write(b"x")

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(put, range(count)))


def listing_rows(target: S3Target, prefix: str, keys: int, latencies: tuple[float, ...]) -> list[str]:
    """Rows of the listing table: page by page against over key ranges, at
    each added latency, in seconds and requests."""
    rows = []
    for latency in latencies:
        proxy = LatencyProxy(target.endpoint) if latency else None
        try:
            if proxy is not None:
                proxy.set_delay(latency, 0)
            endpoint = proxy.endpoint if proxy else target.endpoint
            cells = []
            for in_flight in (1, 16):
                client = S3Client(
                    target.region, endpoint=endpoint, s3client_config=S3ClientConfig(force_path_style=True)
                )
                seconds, objects = timed(partial(client.list_all_objects, target.bucket, prefix, in_flight))
                assert len(objects) == keys
                cells.append((seconds, client.metrics()["requests"]["ListObjectsV2"]))
        finally:
            if proxy is not None:
                proxy.close()
        (sequential, pages), (parallel, requests) = cells
        rows.append(
            f"| {latency:g} ms | {sequential:.2f} s ({pages} requests) | {parallel:.2f} s ({requests} requests) "
            f"| {sequential / parallel:.1f}x |"
        )
    return rows


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def key_and_length(reader) -> int:  # type: ignore[no-untyped-def]
    return len(reader.read())


def epoch_pair(target: S3Target, endpoint: str, prefix: str, objects: int, size: int) -> tuple[float, float]:
    cache_dir = tempfile.mkdtemp(prefix="s3conn-bench-cache-")
    try:
        dataset = S3IterableDataset.from_prefix(
            f"s3://{target.bucket}/{prefix}",
            region=target.region,
            endpoint=endpoint,
            enable_sharding=True,
            transform=key_and_length,
            s3client_config=S3ClientConfig(force_path_style=True),
            cache_dir=cache_dir,
        )
        dataset.build_index()
        seconds = []
        for epoch in range(2):
            dataset.set_epoch(epoch)
            elapsed, lengths = timed(lambda: list(DataLoader(dataset, batch_size=None, num_workers=4)))
            assert sum(lengths) == objects * size
            seconds.append(elapsed)
        return seconds[0], seconds[1]
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-entries", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--objects", type=int, default=2_000)
    parser.add_argument("--object-kib", type=int, default=256)
    parser.add_argument("--latency-ms", type=float, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="This DataLoader will create")  # 4 workers on a 2-core machine
    target = S3Target.from_env()
    if target is None:
        raise SystemExit("run through `python -m s3torchconnector.localserver run --` or set S3CONN_BUCKET")
    config = S3ClientConfig(force_path_style=True)
    client = S3Client(target.region, endpoint=target.endpoint, s3client_config=config)
    run = f"bench-epochs/{os.getpid()}-{int(time.time())}/"

    per_index, per_list = index_memory(args.index_entries)
    print(f"## Index memory ({args.index_entries:,} keys of 36 characters, ETags of 34)\n")
    print("| held as | bytes per key | MiB per million keys |\n|---|---|---|")
    print(f"| DatasetIndex | {per_index:.0f} | {per_index * 1e6 / MiB:.0f} |")
    print(f"| list of S3BucketKeyData | {per_list:.0f} | {per_list * 1e6 / MiB:.0f} |\n")

    print(f"## Listing {args.keys:,} keys: page by page, and over key ranges (16 requests at once)\n")
    print("| keys | added latency | page by page | over key ranges | speed-up |\n|---|---|---|---|---|")
    for shape in KEY_SHAPES:
        keys_prefix = f"{run}keys-{shape}/"
        upload_keys(client, target.bucket, keys_prefix, args.keys, shape)
        for row in listing_rows(target, keys_prefix, args.keys, (0.0, args.latency_ms)):
            print(f"| {shape} {row}")
    print()

    listed = S3IterableDataset.from_prefix(
        f"s3://{target.bucket}/{run}keys-numbered/",
        region=target.region,
        endpoint=target.endpoint,
        s3client_config=config,
    )
    list_seconds, index = timed(listed.build_index)
    path = os.path.join(tempfile.mkdtemp(prefix="s3conn-bench-index-"), "index.jsonl")
    save_seconds, _ = timed(lambda: listed.save_index(path))
    from_index = S3IterableDataset.from_index(
        path, region=target.region, endpoint=target.endpoint, s3client_config=config
    )
    load_seconds, loaded = timed(from_index.build_index)
    assert len(loaded) == len(index) == args.keys
    print(f"## A dataset's index of {args.keys:,} keys\n")
    print("| how | seconds |\n|---|---|")
    print(f"| build_index (a listing over key ranges, then the index) | {list_seconds:.2f} |")
    print(f"| from_index (a local file of {os.path.getsize(path) / MiB:.1f} MiB) | {load_seconds:.2f} |")
    print(f"| save_index | {save_seconds:.2f} |\n")

    data_prefix = f"{run}data/"
    size = args.object_kib * 1024
    with ThreadPoolExecutor(16) as pool:

        def put(i: int) -> None:
            with client.put_object(target.bucket, f"{data_prefix}{i:06d}") as writer:
                writer.write(os.urandom(size))

        list(pool.map(put, range(args.objects)))
    print(f"## Two epochs of {args.objects:,} objects of {args.object_kib} KiB, DataLoader with 4 workers\n")
    print("| added latency | epoch 1 (server, fills the cache) | epoch 2 (cache) | epoch 2 / epoch 1 speed |")
    print("|---|---|---|---|")
    total_mib = args.objects * size / MiB
    for latency in (0.0, args.latency_ms):
        proxy = LatencyProxy(target.endpoint) if latency else None
        try:
            if proxy is not None:
                proxy.set_delay(latency, 0)
            first, second = epoch_pair(
                target, proxy.endpoint if proxy else target.endpoint, data_prefix, args.objects, size
            )
        finally:
            if proxy is not None:
                proxy.close()
        print(
            f"| {latency:g} ms | {first:.2f} s, {total_mib / first:.0f} MiB/s | {second:.2f} s, "
            f"{total_mib / second:.0f} MiB/s | {first / second:.1f}x |"
        )


if __name__ == "__main__":
    main()
