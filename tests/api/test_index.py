"""List once: a dataset lists its prefix once per job (not once per worker
per epoch), and its index can be saved and loaded so the next job does not
list at all."""

from __future__ import annotations

import json

import pytest
import torch.multiprocessing as mp
from torch.utils.data import DataLoader

from s3torchconnector import S3IterableDataset, S3MapDataset
from s3torchconnector._index import DatasetIndex
from s3torchconnector._s3bucket_key_data import S3BucketKeyData
from s3torchconnector._s3conn import ObjectInfo

from . import _workers
from ._objects import put_numbered

N = 40


@pytest.fixture(scope="module")
def index_prefix(s3_client, s3):
    return put_numbered(s3_client, s3.bucket, "py-tests/index-module/", N, lambda i: bytes(i + 1))


def listings(dataset) -> int:
    return dataset.metrics()["requests"].get("ListObjectsV2", 0)


@pytest.mark.parametrize("where", ["local", "s3"])
@pytest.mark.parametrize("dataset_class", [S3IterableDataset, S3MapDataset])
def test_save_index_and_from_index_round_trip(s3, client_config, index_prefix, tmp_path, where, dataset_class):
    kwargs = {"region": s3.region, "endpoint": s3.endpoint, "s3client_config": client_config}
    listed = dataset_class.from_prefix(f"s3://{s3.bucket}/{index_prefix}", **kwargs)
    location = (
        str(tmp_path / "index.jsonl") if where == "local" else f"s3://{s3.bucket}/indexes/{where}-{tmp_path.name}"
    )
    listed.save_index(location)
    assert listings(listed) == 1

    loaded = dataset_class.from_index(location, transform=_workers.key_and_size, **kwargs)
    items = list(loaded) if dataset_class is S3IterableDataset else [loaded[i] for i in range(len(loaded))]
    assert items == [(f"{index_prefix}{i:03d}", i + 1) for i in range(N)]
    assert listings(loaded) == 0
    # The index records each object's ETag, as listed.
    assert loaded._listing() == listed._listing()
    assert all(item.object_info.etag for item in loaded._listing())


def test_an_index_file_is_a_manifest(s3, client_config, index_prefix, tmp_path):
    kwargs = {"region": s3.region, "endpoint": s3.endpoint, "s3client_config": client_config}
    S3IterableDataset.from_prefix(f"s3://{s3.bucket}/{index_prefix}", **kwargs).save_index(tmp_path / "i.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "i.jsonl").read_text().splitlines()]
    assert lines[0]["uri"] == f"s3://{s3.bucket}/{index_prefix}000" and lines[0]["size"] == 1 and lines[0]["etag"]
    manifest = S3MapDataset.from_manifest(tmp_path / "i.jsonl", **kwargs)
    assert len(manifest) == N


def test_workers_of_a_dataloader_inherit_one_listing(s3, client_config, index_prefix):
    dataset = S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{index_prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        enable_sharding=True,
        transform=_workers.key_and_listings,
    )
    for epoch in range(2):
        dataset.set_epoch(epoch)
        rows = list(DataLoader(dataset, batch_size=None, num_workers=4))
        assert sorted(key for key, _, _ in rows) == [f"{index_prefix}{i:03d}" for i in range(N)]
        assert {listed for _, listed, _ in rows} == {0}, "a worker listed"
    assert listings(dataset) == 1  # in the parent, once for both epochs


@pytest.mark.parametrize("build_index", [True, False])
def test_one_listing_per_job_with_2_ranks_of_4_workers(s3, index_prefix, tmp_path, build_index):
    job = {"uri": f"s3://{s3.bucket}/{index_prefix}", "region": s3.region, "endpoint": s3.endpoint}
    mp.spawn(
        _workers.index_rank,
        args=(2, str(tmp_path / "init"), {**job, "build_index": build_index}, str(tmp_path)),
        nprocs=2,
        join=True,
    )
    ranks = [json.loads((tmp_path / f"rank-{r}.json").read_text()) for r in range(2)]
    keys = [row[0] for rank in ranks for row in rank["rows"]]
    assert sorted(keys) == [f"{index_prefix}{i:03d}" for i in range(N)]
    workers = {row[2] for rank in ranks for row in rank["rows"]}
    assert len(workers) == 8
    assert {row[1] for rank in ranks for row in rank["rows"]} == {0}, "a worker listed"
    listed_by_ranks = [rank["rank_listings"] for rank in ranks]
    # build_index: rank 0 lists and shares it; without, each rank lists once.
    assert listed_by_ranks == ([1, 0] if build_index else [1, 1])


def test_a_listing_that_fails_on_rank_0_fails_on_every_rank(s3, tmp_path):
    job = {"uri": "s3://s3conn-no-such-bucket-for-index/x/", "region": s3.region, "endpoint": s3.endpoint}
    mp.spawn(_workers.failing_index_rank, args=(2, str(tmp_path / "init"), job, str(tmp_path)), nprocs=2, join=True)
    raised = [json.loads((tmp_path / f"rank-{r}.json").read_text())["raised"] for r in range(2)]
    assert raised[0] and "NoSuchBucket" in raised[0]  # rank 0: the listing's own error
    assert raised[1].startswith("RuntimeError: rank 0 could not list the dataset:") and "NoSuchBucket" in raised[1]


def test_the_index_is_compact():
    objects = [
        S3BucketKeyData(
            "bucket", f"images/train/{i:012d}.jpg", ObjectInfo(f"images/train/{i:012d}.jpg", i, f'"{i:032x}"')
        )
        for i in range(10_000)
    ]
    index = DatasetIndex(objects)
    assert len(index) == 10_000 and index[1234] == objects[1234] and index[-1] == objects[-1]
    assert list(index[5:8]) == objects[5:8]
    per_object = index.nbytes() / len(index)
    key_and_etag = len(objects[0].key) + len(objects[0].object_info.etag)
    assert per_object <= key_and_etag + 26
    with pytest.raises(IndexError):
        index[10_000]
