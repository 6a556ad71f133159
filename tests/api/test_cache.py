"""The local cache: a second epoch reads from disk, not S3; a changed object
is fetched again; processes sharing a cache never see a partial file; the
cache keeps to its budget and says once when it is too small."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os

import pytest
import torch.multiprocessing as mp

from s3torchconnector import S3IterableDataset, S3MapDataset
from s3torchconnector._cache import ObjectCache

from . import _workers
from ._objects import put_numbered

N = 24
SIZE = 10_000


@pytest.fixture(scope="module")
def cache_prefix(s3_client, s3):
    return put_numbered(s3_client, s3.bucket, "py-tests/cache-module/", N, lambda i: bytes([i]) * SIZE)


def gets(metrics) -> int:
    return metrics["requests"].get("GetObject", 0)


def cached_bytes(directory) -> int:
    total = 0
    for folder, _, files in os.walk(os.path.join(directory, "objects")):
        total += sum(os.path.getsize(os.path.join(folder, f)) for f in files if ".tmp-" not in f)
    return total


def make(s3, client_config, prefix, cache_dir, dataset_class=S3IterableDataset, **kwargs):
    return dataset_class.from_prefix(
        f"s3://{s3.bucket}/{prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=_workers.key_and_size,
        cache_dir=cache_dir,
        **kwargs,
    )


@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_a_second_epoch_reads_from_the_cache(s3, client_config, cache_prefix, tmp_path, dataset_class):
    dataset = make(s3, client_config, cache_prefix, tmp_path / "cache", dataset_class)
    read = (lambda: list(dataset)) if dataset_class is S3IterableDataset else (lambda: [dataset[i] for i in range(N)])
    first = read()
    assert first == [(f"{cache_prefix}{i:03d}", SIZE) for i in range(N)]
    assert gets(dataset.metrics()) == N
    second = read()
    assert second == first
    metrics = dataset.metrics()
    assert gets(metrics) == N, "the second epoch sent a GetObject"
    assert metrics["cache"]["hits"] == N and metrics["cache"]["bytes_from_cache"] == N * SIZE
    assert cached_bytes(tmp_path / "cache") == N * SIZE


def test_the_cached_bytes_are_the_objects(s3, client_config, cache_prefix, tmp_path):
    dataset = S3MapDataset.from_prefix(
        f"s3://{s3.bucket}/{cache_prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        cache_dir=tmp_path / "cache",
    )
    assert dataset[3].read() == bytes([3]) * SIZE  # fills
    reader = dataset[3]  # from the cache
    assert reader.read(10) == bytes([3]) * 10 and reader.tell() == 10
    reader.seek(-5, os.SEEK_END)
    assert reader.read() == bytes([3]) * 5
    assert dataset.metrics()["cache"]["hits"] == 1


def test_a_second_epoch_makes_no_get_with_4_workers_and_2_ranks(s3, cache_prefix, tmp_path):
    job = {
        "uri": f"s3://{s3.bucket}/{cache_prefix}",
        "region": s3.region,
        "endpoint": s3.endpoint,
        "cache_dir": str(tmp_path / "cache"),
    }
    mp.spawn(_workers.cached_epochs_rank, args=(2, str(tmp_path / "init"), job, str(tmp_path)), nprocs=2, join=True)
    ranks = [json.loads((tmp_path / f"rank-{r}.json").read_text()) for r in range(2)]
    for epoch in range(2):
        keys = sorted(row[0] for rank in ranks for row in rank["epochs"][epoch])
        assert keys == [f"{cache_prefix}{i:03d}" for i in range(N)]
    # What each worker process of the second epoch sent, and read from the cache.
    second = [row for rank in ranks for row in rank["epochs"][1]]
    assert all(gets_sent == 0 for _, gets_sent, _, _ in second), "a GetObject in the second epoch"
    hits_by_worker: dict[int, int] = {}
    for _, _, hits, pid in second:
        hits_by_worker[pid] = max(hits, hits_by_worker.get(pid, 0))
    assert len(hits_by_worker) == 8 and sum(hits_by_worker.values()) == N  # every sample from the cache


def test_an_overwritten_object_is_fetched_again(s3, s3_client, client_config, tmp_path):
    prefix = f"py-tests/cache-overwrite-{tmp_path.name}/"
    for i in range(3):
        with s3_client.put_object(s3.bucket, f"{prefix}{i}") as writer:
            writer.write(b"old")
    dataset = make(s3, client_config, prefix, tmp_path / "cache")
    assert [size for _, size in dataset] == [3, 3, 3]
    with s3_client.put_object(s3.bucket, f"{prefix}1") as writer:
        writer.write(b"newer")
    dataset.build_index()  # a new listing: object 1 has a new ETag
    before = gets(dataset.metrics())
    assert [size for _, size in dataset] == [3, 5, 3]
    assert gets(dataset.metrics()) == before + 1  # only the changed one
    again = make(s3, client_config, prefix, tmp_path / "cache")  # a new job, same cache
    assert [size for _, size in again] == [3, 5, 3] and gets(again.metrics()) == 0


def test_two_processes_filling_one_cache_never_read_a_partial_file(s3, cache_prefix, tmp_path):
    job = {
        "uri": f"s3://{s3.bucket}/{cache_prefix}",
        "region": s3.region,
        "endpoint": s3.endpoint,
        "cache_dir": str(tmp_path / "cache"),
        "rounds": 6,
    }
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = pool.map(_workers.fill_cache_repeatedly, [job, job])
    for rows in results:
        assert all(size == SIZE and ok for _, size, ok in rows), "a read returned other bytes than the object's"
    assert cached_bytes(tmp_path / "cache") == N * SIZE
    assert not [f for _, _, files in os.walk(tmp_path / "cache") for f in files if ".tmp-" in f]


def test_the_cache_keeps_to_its_budget_and_says_once_that_it_is_too_small(
    s3, client_config, cache_prefix, tmp_path, caplog
):
    budget = 10 * SIZE + SIZE // 2  # room for 10 of the 24 objects
    dataset = make(s3, client_config, cache_prefix, tmp_path / "cache", cache_bytes=budget)
    with caplog.at_level(logging.WARNING, logger="s3torchconnector._cache.store"):
        for _ in range(3):
            assert len(list(dataset)) == N
            assert cached_bytes(tmp_path / "cache") <= budget
    warnings = [r for r in caplog.records if "is full" in r.getMessage()]
    assert len(warnings) == 1
    metrics = dataset.metrics()
    # The first 10 stay: each later epoch reads them from disk, the rest from S3.
    assert metrics["cache"]["hits"] == 2 * 10
    assert gets(metrics) == N + 2 * (N - 10)


def test_an_earlier_jobs_entries_make_room_for_this_ones(s3, client_config, cache_prefix, tmp_path):
    directory = tmp_path / "cache"
    budget = 10 * SIZE
    earlier = make(s3, client_config, cache_prefix, directory, cache_bytes=budget)
    assert len(list(earlier)) == N  # caches objects 0-9
    old = os.path.getmtime(next(p for p, _, f in os.walk(directory / "objects") if f))
    for folder, _, files in os.walk(directory / "objects"):
        for f in files:
            os.utime(os.path.join(folder, f), (old - 3600, old - 3600))  # an hour ago
    later = make(s3, client_config, cache_prefix, directory, cache_bytes=budget, global_shuffle=True, seed=3)
    order = [key for key, _ in later]
    assert cached_bytes(directory) <= budget
    again = later.metrics()
    assert len(list(later)) == N
    # The later job's first 10 objects replaced the earlier job's entries.
    assert later.metrics()["cache"]["hits"] - again["cache"]["hits"] == 10
    assert order != sorted(order)


def test_cache_arguments_are_checked(s3, client_config, cache_prefix, tmp_path):
    with pytest.raises(ValueError, match="cache_bytes needs a cache_dir"):
        make(s3, client_config, cache_prefix, None, cache_bytes=10)
    with pytest.raises(ValueError, match="at least 0"):
        make(s3, client_config, cache_prefix, tmp_path, cache_bytes=-1)
    with pytest.raises(TypeError, match="cache_dir must be a path"):
        make(s3, client_config, cache_prefix, 5)
    cache = ObjectCache(tmp_path / "c", 100)
    assert cache.reserve("b", "k", "e", 101) is None  # larger than the whole budget
