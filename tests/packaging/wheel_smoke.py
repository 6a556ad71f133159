"""Smoke test of an installed wheel, run in a clean virtualenv by ./dev test
against the endpoint in S3CONN_ENDPOINT / S3CONN_BUCKET: everything a new
user does first."""

from __future__ import annotations

import os
import sys

import torch
from torch.utils.data import DataLoader

import s3torchconnector
from s3torchconnector import S3Checkpoint, S3ClientConfig, S3IterableDataset, S3MapDataset, S3NotFoundError


def read_all(reader):  # type: ignore[no-untyped-def]
    return reader.read()


def main() -> int:
    endpoint, region, bucket = os.environ["S3CONN_ENDPOINT"], os.environ["S3CONN_REGION"], os.environ["S3CONN_BUCKET"]
    assert s3torchconnector.__file__.startswith(sys.prefix), "not the installed wheel"
    config = S3ClientConfig(force_path_style=True)
    checkpoint = S3Checkpoint(region, endpoint, config)
    prefix = f"wheel-smoke/{os.getpid()}/"
    for i in range(8):
        with checkpoint.writer(f"s3://{bucket}/{prefix}{i}.bin") as writer:
            writer.write(bytes([i]) * (1000 + i))
    state = {"w": torch.arange(1000.0)}
    with checkpoint.writer(f"s3://{bucket}/{prefix}ckpt/model.pt") as writer:
        torch.save(state, writer)
    with checkpoint.reader(f"s3://{bucket}/{prefix}ckpt/model.pt") as reader:
        assert torch.equal(torch.load(reader, weights_only=True)["w"], state["w"])

    iterable = S3IterableDataset.from_prefix(
        f"s3://{bucket}/{prefix}",
        region=region,
        endpoint=endpoint,
        s3client_config=config,
        transform=read_all,
        enable_sharding=True,
    )
    seen = sorted(len(b) for b in DataLoader(iterable, batch_size=None, num_workers=2) if len(b) < 2000)
    assert seen == [1000 + i for i in range(8)], seen
    mapped = S3MapDataset.from_prefix(
        f"s3://{bucket}/{prefix}", region=region, endpoint=endpoint, s3client_config=config, transform=read_all
    )
    assert len(mapped) == 9
    try:
        checkpoint.reader(f"s3://{bucket}/{prefix}missing").read()
    except S3NotFoundError as error:
        assert error.code == "NoSuchKey"
    else:
        raise AssertionError("a missing object did not raise")
    print(f"wheel smoke test passed: s3torchconnector {s3torchconnector.__version__} from {s3torchconnector.__file__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
