"""W1 and W2: many small objects.

W1: S3IterableDataset over the prefix, one process.
W2: S3MapDataset through a DataLoader with 4 workers (batches of 32).
boto3: the same reads done the plain way (one GET after the other)."""

from __future__ import annotations

from itertools import islice
from typing import Any

from .common import Endpoint, boto3_client, client_config, result, timed


def read_size(reader: Any) -> int:
    return len(reader.read())


def run_iterable(impl: str, params: dict[str, Any]) -> dict[str, float]:
    endpoint = Endpoint.from_env()
    prefix = params["prefix"]
    if impl in ("boto3", "boto3_16"):
        s3 = boto3_client()
        keys = _boto3_keys(s3, endpoint.bucket, prefix)

        def get(key: str) -> bytes:
            data: bytes = s3.get_object(Bucket=endpoint.bucket, Key=key)["Body"].read()
            return data

        if impl == "boto3":
            for key in keys[:64]:  # warm the connection pool, as below
                get(key)
            count, seconds, cpu = timed(lambda: sum(1 for key in keys if get(key) is not None))
        else:  # 16 threads, in order: what a user writes to hide latency with boto3
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(16) as pool:
                list(pool.map(get, keys[:64]))
                count, seconds, cpu = timed(lambda: sum(1 for data in pool.map(get, keys) if data is not None))
    else:
        from s3torchconnector import S3IterableDataset

        dataset = S3IterableDataset.from_prefix(
            f"s3://{endpoint.bucket}/{prefix}",
            region=endpoint.region,
            endpoint=endpoint.url,
            s3client_config=client_config(),
            transform=read_size,
        )
        list(islice(iter(dataset), 64))  # connections up, as a training loop's first steps
        count, seconds, cpu = timed(lambda: sum(1 for _ in dataset))
    return result(
        objects_per_s=count / seconds,
        mib_per_s=count * params["size"] / seconds / 2**20,
        seconds=seconds,
        cpu_seconds=cpu,
        objects=count,
    )


class _Boto3MapDataset:
    def __init__(self, bucket: str, keys: list[str]) -> None:
        self.bucket, self.keys, self.s3 = bucket, keys, None

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i: int) -> int:
        if self.s3 is None:
            self.s3 = boto3_client()
        return len(self.s3.get_object(Bucket=self.bucket, Key=self.keys[i])["Body"].read())


def run_map(impl: str, params: dict[str, Any]) -> dict[str, float]:
    from torch.utils.data import DataLoader

    endpoint = Endpoint.from_env()
    prefix = params["prefix"]
    if impl == "boto3":
        dataset: Any = _Boto3MapDataset(endpoint.bucket, _boto3_keys(boto3_client(), endpoint.bucket, prefix))
    else:
        from s3torchconnector import S3MapDataset

        dataset = S3MapDataset.from_prefix(
            f"s3://{endpoint.bucket}/{prefix}",
            region=endpoint.region,
            endpoint=endpoint.url,
            s3client_config=client_config(),
            transform=read_size,
        )
    len(dataset)  # the listing is not what W2 measures
    loader = DataLoader(dataset, batch_size=32, num_workers=4, collate_fn=list)
    count, seconds, cpu = timed(lambda: sum(len(batch) for batch in loader))
    return result(
        objects_per_s=count / seconds,
        mib_per_s=count * params["size"] / seconds / 2**20,
        seconds=seconds,
        cpu_seconds=cpu,
        objects=count,
    )


def _boto3_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys
