"""Datasets inside torch DataLoaders under every start method, with and
without sharding, and across two gloo ranks."""

from __future__ import annotations

import collections
import gc

import pytest
import torch.multiprocessing as mp
from torch.utils.data import DataLoader

from s3torchconnector import S3IterableDataset, S3MapDataset

from . import _workers

N = 24


@pytest.fixture(scope="module")
def loader_prefix(s3_client, s3):
    prefix = "py-tests/dataloader-module/"
    for i in range(N):
        with s3_client.put_object(s3.bucket, f"{prefix}{i:03d}") as writer:
            writer.write(bytes(i + 1))
    return prefix


def all_keys(prefix):
    return {f"{prefix}{i:03d}" for i in range(N)}


CASES = [(0, None)] + [(w, m) for w in (2, 4) for m in ("fork", "spawn", "forkserver")]


@pytest.mark.parametrize("workers, method", CASES)
@pytest.mark.parametrize("sharding", [True, False])
def test_iterable_dataset_in_a_dataloader(s3, client_config, loader_prefix, workers, method, sharding):
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{loader_prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        enable_sharding=sharding,
        transform=_workers.key_and_size,
    )
    loader = DataLoader(dataset, batch_size=None, num_workers=workers, multiprocessing_context=method)
    seen = collections.Counter()
    for key, size in loader:
        assert size == int(key[-3:]) + 1
        seen[key] += 1
    assert set(seen) == all_keys(loader_prefix)
    expected = 1 if sharding or workers == 0 else workers
    assert set(seen.values()) == {expected}


@pytest.mark.parametrize("workers, method", CASES)
def test_map_dataset_in_a_dataloader(s3, client_config, loader_prefix, workers, method):
    dataset = S3MapDataset.from_prefix(
        f"s3://{s3.bucket}/{loader_prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=_workers.key_and_size,
    )
    loader = DataLoader(dataset, batch_size=4, num_workers=workers, multiprocessing_context=method, shuffle=True)
    keys = [key for batch_keys, _ in loader for key in batch_keys]
    assert sorted(keys) == sorted(all_keys(loader_prefix))


def test_two_gloo_ranks_share_the_dataset(s3, loader_prefix, tmp_path):
    world_size = 2
    mp.spawn(
        _workers.distributed_rank,
        args=(
            world_size,
            str(tmp_path / "init"),
            f"s3://{s3.bucket}/{loader_prefix}",
            s3.endpoint,
            s3.region,
            str(tmp_path),
        ),
        nprocs=world_size,
        join=True,
    )
    per_rank = [(tmp_path / f"rank-{r}.txt").read_text().split("\n") for r in range(world_size)]
    assert all(len(keys) == N // world_size for keys in per_rank)
    assert sorted(per_rank[0] + per_rank[1]) == sorted(all_keys(loader_prefix))


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_exit_without_a_word(s3, client_config, loader_prefix, method, capfd):
    # A worker that finishes, and one stopped with reads in flight: neither
    # prints anything at exit (nanobind's leak report among others).
    for dataset_class in (S3MapDataset, S3IterableDataset):
        dataset = dataset_class.from_prefix(
            f"s3://{s3.bucket}/{loader_prefix}",
            region=s3.region,
            endpoint=s3.endpoint,
            s3client_config=client_config,
            transform=_workers.key_and_size,
        )
        assert len(list(DataLoader(dataset, batch_size=2, num_workers=2, multiprocessing_context=method))) > 0
        batches = iter(DataLoader(dataset, batch_size=2, num_workers=2, multiprocessing_context=method))
        next(batches)
        del batches  # joins the workers
        gc.collect()
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == "", captured.err[-3000:]
