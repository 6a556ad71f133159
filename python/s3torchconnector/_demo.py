"""The README's main job: a dataset written to and read from a local S3
server, with the throughput of each step."""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Tuple

from . import _s3conn
from .localserver import S3Target, s3_target

MiB = 1024 * 1024


def _timed(step: Callable[[], int]) -> Tuple[int, float]:
    start = time.perf_counter()
    moved = step()
    return moved, time.perf_counter() - start


def _client(target: S3Target) -> _s3conn.Client:
    return _s3conn.Client(
        target.region,
        endpoint=target.endpoint or None,
        force_path_style=target.force_path_style,
        user_agent_prefix="s3torchconnector-demo",
    )


def run(target: S3Target, objects: int, object_size: int, big_size: int, threads: int) -> List[Tuple[str, int, float]]:
    client = _client(target)
    prefix = f"demo/{os.getpid()}-{int(time.time())}/"
    keys = [f"{prefix}sample-{i:05d}.bin" for i in range(objects)]
    payloads = {key: os.urandom(object_size) for key in keys}
    digests = {key: hashlib.sha256(data).hexdigest() for key, data in payloads.items()}
    results: List[Tuple[str, int, float]] = []

    def write(key: str) -> None:
        stream = client.put_object(target.bucket, key)
        stream.write(payloads[key])
        stream.close()

    def write_all() -> int:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(write, keys))
        return objects * object_size

    results.append((f"write {objects} x {object_size // 1024} KiB", *_timed(write_all)))

    listed: List[_s3conn.ObjectInfo] = []

    def list_all() -> int:
        token = None
        while True:
            page = client.list_objects(target.bucket, prefix=prefix, continuation_token=token)
            listed.extend(page.objects)
            token = page.next_continuation_token
            if token is None:
                return 0

    results.append((f"list {objects} keys", *_timed(list_all)))
    assert sorted(o.key for o in listed) == keys, "listing does not match what was written"

    def read(info: _s3conn.ObjectInfo) -> None:
        digest = hashlib.sha256()
        for chunk in client.get_object(target.bucket, info.key, size_hint=info.size):
            digest.update(chunk)
        if digest.hexdigest() != digests[info.key]:
            raise RuntimeError(f"{info.key}: the bytes read differ from the bytes written")

    def read_all() -> int:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(read, listed))
        return objects * object_size

    results.append((f"read {objects} x {object_size // 1024} KiB (verified)", *_timed(read_all)))

    big_key = prefix + "big.bin"
    big = os.urandom(big_size)

    def write_big() -> int:
        stream = client.put_object(target.bucket, big_key)
        view = memoryview(big)
        for at in range(0, big_size, 4 * MiB):
            stream.write(view[at : at + 4 * MiB])
        stream.close()
        return big_size

    results.append((f"write one {big_size // MiB} MiB object (multipart)", *_timed(write_big)))

    def read_big() -> int:
        into = bytearray(big_size)
        got = client.get_object_into(target.bucket, big_key, 0, into)
        if got != big_size or into != big:
            raise RuntimeError("the big object read back differs")
        return big_size

    results.append((f"read one {big_size // MiB} MiB object into a buffer", *_timed(read_big)))

    for key in keys + [big_key]:
        client.delete_object(target.bucket, key)
    return results


def report(results: List[Tuple[str, int, float]]) -> str:
    lines = [f"{'step':<48} {'seconds':>8} {'MiB/s':>9}", "-" * 67]
    for name, moved, seconds in results:
        rate = f"{moved / MiB / seconds:9.1f}" if moved else f"{'-':>9}"
        lines.append(f"{name:<48} {seconds:8.3f} {rate}")
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m s3torchconnector demo", description=__doc__)
    parser.add_argument("--objects", type=int, default=512)
    parser.add_argument("--object-kib", type=int, default=256)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args(argv)
    print(f"s3torchconnector {_s3conn.__version__} on {_s3conn.crt_version}")
    with s3_target() as target:
        print(f"S3 endpoint: {target.endpoint or 'AWS'} bucket: {target.bucket}\n")
        results = run(target, args.objects, args.object_kib * 1024, args.big_mib * MiB, args.threads)
    print(report(results))
    return 0
