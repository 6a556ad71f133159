"""The README's main job, on a local S3 server (or the store named by
S3CONN_BUCKET / S3CONN_ENDPOINT): write a dataset, read it back through a
DataLoader, then save and load a checkpoint, with the rate of each step."""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, cast

import torch
from torch.utils.data import DataLoader

from . import S3Checkpoint, S3ClientConfig, S3IterableDataset, S3MapDataset, _s3conn
from .localserver import S3Target, s3_target

MiB = 1024 * 1024


def _digest(reader: Any) -> tuple[str, str]:
    return reader.key, hashlib.sha256(reader.read()).hexdigest()


class _Quiet:
    """Stands in for a tqdm bar when tqdm is not installed (it is no
    dependency of the package): the table at the end has the figures."""

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None


def _progress(total: int, description: str, unit: str = "obj") -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return _Quiet()
    return tqdm(total=total, desc=description, unit=unit, leave=False)


class Demo:
    def __init__(self, target: S3Target, objects: int, object_size: int, checkpoint_mib: int, workers: int) -> None:
        self.target = target
        self.objects, self.object_size = objects, object_size
        self.checkpoint_bytes = checkpoint_mib * MiB
        self.workers = workers
        self.config = S3ClientConfig(force_path_style=bool(target.endpoint))
        self.prefix = f"demo/{os.getpid()}-{int(time.time())}/"
        self.uri = f"s3://{target.bucket}/{self.prefix}"
        self.rows: list[tuple[str, float, str]] = []
        self.checkpoint = S3Checkpoint(target.region, target.endpoint or None, self.config)

    def record(self, step: str, seconds: float, rate: str) -> None:
        self.rows.append((step, seconds, rate))

    def write_dataset(self) -> dict[str, str]:
        digests: dict[str, str] = {}

        def write(i: int) -> None:
            data = os.urandom(self.object_size)
            key = f"{self.prefix}samples/{i:06d}.bin"
            with self.checkpoint.writer(f"s3://{self.target.bucket}/{key}") as writer:
                writer.write(data)
            digests[key] = hashlib.sha256(data).hexdigest()

        start = time.perf_counter()
        with ThreadPoolExecutor(16) as pool, _progress(self.objects, "writing samples") as bar:
            for _ in pool.map(write, range(self.objects)):
                bar.update()
        seconds = time.perf_counter() - start
        self.record(
            f"write {self.objects} samples of {self.object_size // 1024} KiB",
            seconds,
            f"{self.objects / seconds:,.0f} obj/s",
        )
        return digests

    def read_dataset(self, digests: dict[str, str]) -> None:
        for name, dataset, kwargs in (
            (
                "S3IterableDataset",
                S3IterableDataset.from_prefix(
                    self.uri + "samples/",
                    region=self.target.region,
                    endpoint=self.target.endpoint or None,
                    s3client_config=self.config,
                    transform=_digest,
                    enable_sharding=True,
                ),
                {"batch_size": None},
            ),
            (
                "S3MapDataset",
                S3MapDataset.from_prefix(
                    self.uri + "samples/",
                    region=self.target.region,
                    endpoint=self.target.endpoint or None,
                    s3client_config=self.config,
                    transform=_digest,
                ),
                {"batch_size": 32, "shuffle": True, "collate_fn": list},
            ),
        ):
            loader = DataLoader(dataset, num_workers=self.workers, **kwargs)
            start = time.perf_counter()
            seen = 0
            with _progress(self.objects, f"reading with {name}") as bar:
                for item in loader:
                    batch = [item] if kwargs["batch_size"] is None else item
                    for key, digest in batch:
                        if digests[key] != digest:
                            raise RuntimeError(f"{key}: the bytes read differ from the bytes written")
                    seen += len(batch)
                    bar.update(len(batch))
            seconds = time.perf_counter() - start
            if seen != self.objects:
                raise RuntimeError(f"{name} read {seen} samples, not {self.objects}")
            self.record(
                f"read them with {name} ({self.workers} workers, verified)", seconds, f"{seen / seconds:,.0f} obj/s"
            )

    def checkpoint_round_trip(self) -> None:
        count = 8
        state = {f"layer{i}.weight": torch.rand(self.checkpoint_bytes // count // 4) for i in range(count)}
        uri = self.uri + "checkpoint.pt"
        start = time.perf_counter()
        with self.checkpoint.writer(uri) as writer:
            torch.save(state, cast(IO[bytes], writer))
        seconds = time.perf_counter() - start
        self.record(
            f"torch.save of {self.checkpoint_bytes // MiB} MiB",
            seconds,
            f"{self.checkpoint_bytes / MiB / seconds:,.0f} MiB/s",
        )
        start = time.perf_counter()
        with self.checkpoint.reader(uri) as reader:
            loaded = torch.load(cast(IO[bytes], reader), weights_only=True)
        seconds = time.perf_counter() - start
        if not all(torch.equal(loaded[k], state[k]) for k in state):
            raise RuntimeError("the checkpoint loaded differs from the one saved")
        self.record(
            f"torch.load of {self.checkpoint_bytes // MiB} MiB (verified)",
            seconds,
            f"{self.checkpoint_bytes / MiB / seconds:,.0f} MiB/s",
        )

    def table(self) -> str:
        width = max(len(step) for step, _, _ in self.rows)
        lines = [f"{'step':<{width}}  {'seconds':>8}  {'rate':>14}", "-" * (width + 26)]
        lines += [f"{step:<{width}}  {seconds:8.2f}  {rate:>14}" for step, seconds, rate in self.rows]
        metrics = self.checkpoint.metrics()
        lines += [
            "",
            "checkpoint client: "
            + ", ".join(f"{op} {n}" for op, n in sorted(metrics["requests"].items()))
            + f"; retries {metrics['retries']}, errors {metrics['errors']}",
        ]
        return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m s3torchconnector demo", description=__doc__)
    parser.add_argument("--objects", type=int, default=2048)
    parser.add_argument("--object-kib", type=int, default=100)
    parser.add_argument("--checkpoint-mib", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"s3torchconnector {_s3conn.__version__} on {_s3conn.crt_version}, torch {torch.__version__}")
    with s3_target() as target:
        print(f"S3 endpoint: {target.endpoint or 'AWS'}, bucket {target.bucket}\n")
        demo = Demo(target, args.objects, args.object_kib * 1024, args.checkpoint_mib, args.workers)
        digests = demo.write_dataset()
        demo.read_dataset(digests)
        demo.checkpoint_round_trip()
    print(demo.table())
    return 0
