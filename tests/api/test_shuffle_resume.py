"""Shuffling and exact mid-epoch resume, alone and through torchdata's
StatefulDataLoader with several workers."""

from __future__ import annotations

import collections
import pickle

import pytest
from torch.utils.data import DataLoader

from s3torchconnector import S3IterableDataset

from . import _workers

N = 60


@pytest.fixture(scope="module")
def shuffle_prefix(s3_client, s3):
    prefix = "py-tests/shuffle-module/"
    for i in range(N):
        with s3_client.put_object(s3.bucket, f"{prefix}{i:03d}") as writer:
            writer.write(b"x" * (i + 1))
    return prefix


def dataset(s3, client_config, prefix, **kwargs):
    return S3IterableDataset.from_prefix(
        f"s3://{s3.bucket}/{prefix}",
        region=s3.region,
        endpoint=s3.endpoint,
        s3client_config=client_config,
        transform=_workers.key_and_size,
        **kwargs,
    )


def keys(items):
    return [key for key, _ in items]


def test_shuffle_is_deterministic_and_differs_by_epoch(s3, client_config, shuffle_prefix):
    a = dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=16, seed=7)
    b = dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=16, seed=7)
    first, again = keys(a), keys(b)
    assert first == again
    assert sorted(first) == [f"{shuffle_prefix}{i:03d}" for i in range(N)]
    assert first != sorted(first)
    a.set_epoch(1)
    assert keys(a) != first and sorted(keys(a)) == sorted(first)
    c = dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=16, seed=8)
    assert keys(c) != first


@pytest.mark.parametrize("shuffle", [0, 10])
def test_resume_from_a_state_dict(s3, client_config, shuffle_prefix, shuffle):
    reference = keys(dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=shuffle, seed=3))
    first = dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=shuffle, seed=3)
    iterator = iter(first)
    consumed = [next(iterator)[0] for _ in range(23)]
    state = first.state_dict()
    assert state == {
        "epoch": 0,
        "seed": 3,
        "handed_out": 23,
        "skipped": 0,
        **{"ranks": 1, "rank": 0, "workers": 1, "worker": 0, "batch_size": 1},
        "exhausted": False,
    }

    resumed = pickle.loads(pickle.dumps(dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=shuffle)))
    resumed.load_state_dict(state)
    rest = keys(resumed)
    assert consumed + rest == reference
    assert keys(resumed) == reference  # the following pass starts over


def test_bad_state_is_rejected(s3, client_config, shuffle_prefix):
    d = dataset(s3, client_config, shuffle_prefix)
    with pytest.raises(ValueError, match="not a state_dict of S3IterableDataset"):
        d.load_state_dict({"epoch": 0})
    with pytest.raises(ValueError, match="must be at least 0"):
        d.load_state_dict({"epoch": 0, "seed": 0, "handed_out": -1})
    with pytest.raises(ValueError, match="shuffle_buffer_size must be at least 0"):
        dataset(s3, client_config, shuffle_prefix, shuffle_buffer_size=-1)


@pytest.mark.parametrize("workers", [0, 2, 3])
@pytest.mark.parametrize("shuffle", [0, 8])
def test_stateful_dataloader_resumes_exactly(s3, client_config, shuffle_prefix, workers, shuffle):
    stateful = pytest.importorskip("torchdata.stateful_dataloader")

    def loader(ds):
        return stateful.StatefulDataLoader(ds, batch_size=4, num_workers=workers, collate_fn=list)

    def make():
        return dataset(s3, client_config, shuffle_prefix, enable_sharding=True, shuffle_buffer_size=shuffle, seed=11)

    full = loader(make())
    everything = [key for batch in full for key, _ in batch]
    assert sorted(everything) == sorted(f"{shuffle_prefix}{i:03d}" for i in range(N))

    first = loader(make())
    iterator = iter(first)
    before = [key for _ in range(5) for key, _ in next(iterator)]
    state = first.state_dict()
    del iterator

    second = loader(make())
    second.load_state_dict(state)
    after = [key for batch in second for key, _ in batch]
    counts = collections.Counter(before + after)
    assert set(counts.values()) == {1}, "an object was handed out twice"
    assert sorted(counts) == sorted(everything), "an object was lost"
    assert before + after == everything  # and in the same order


def test_plain_dataloader_sees_every_object_once_per_epoch_with_shuffle(s3, client_config, shuffle_prefix):
    ds = dataset(s3, client_config, shuffle_prefix, enable_sharding=True, shuffle_buffer_size=8)
    for epoch in range(2):
        ds.set_epoch(epoch)
        seen = [key for key, _ in DataLoader(ds, batch_size=None, num_workers=2)]
        assert sorted(seen) == sorted(f"{shuffle_prefix}{i:03d}" for i in range(N))
