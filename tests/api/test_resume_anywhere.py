"""Resume an epoch with another number of ranks or DataLoader workers: the
job's position is one number, the samples of the epoch's order consumed, and
a job in any layout resumed from it yields exactly the samples not yet seen."""

from __future__ import annotations

import collections
import json

import pytest
import torch.multiprocessing as mp

from s3torchconnector import S3IterableDataset
from s3torchconnector._resume import Layout, global_state, take_stream

from . import _workers
from ._objects import put_numbered

N = 120
BATCH = 3


@pytest.fixture(scope="module")
def resume_prefix(s3_client, s3):
    return put_numbered(s3_client, s3.bucket, "py-tests/resume-anywhere/", N, lambda i: bytes(i % 7 + 1))


def simulate(order_length: int, layout_ranks: int, workers: int, batch: int, batches: int) -> tuple[set[int], dict]:
    """What a job of ``layout_ranks`` ranks takes when each rank takes
    ``batches`` batches from a DataLoader of ``workers`` workers (batches in
    turn from worker 0 on), and rank 0's states, as a StatefulDataLoader keeps them."""
    taken: set[int] = set()
    rank0_states = {}
    for rank in range(layout_ranks):
        streams = [
            list(take_stream(range(order_length), Layout(layout_ranks, rank, workers, w, batch)))
            for w in range(workers)
        ]
        handed_out = [0] * workers
        worker, yielded = 0, 0
        while yielded < batches and any(handed_out[w] < len(streams[w]) for w in range(workers)):
            if handed_out[worker] < len(streams[worker]):
                taken.update(streams[worker][handed_out[worker] : handed_out[worker] + batch])
                handed_out[worker] = min(handed_out[worker] + batch, len(streams[worker]))
                yielded += 1
            worker = (worker + 1) % workers
        if rank == 0:
            rank0_states = {
                f"worker_{w}": {
                    "epoch": 0,
                    "seed": 0,
                    "handed_out": handed_out[w],
                    "skipped": 0,
                    **Layout(layout_ranks, 0, workers, w, batch).as_state(),
                    "exhausted": handed_out[w] == len(streams[w]),
                }
                for w in range(workers)
            }
    return taken, rank0_states


@pytest.mark.parametrize("ranks, workers, batch", [(1, 1, 1), (2, 4, 3), (3, 2, 5), (1, 3, 2), (4, 1, 1)])
@pytest.mark.parametrize("batches", [0, 1, 5, 7, 40])
def test_what_a_job_consumed_is_a_prefix_of_the_order(ranks, workers, batch, batches):
    taken, rank0 = simulate(100, ranks, workers, batch, batches)
    every = [
        x
        for w in range(workers)
        for r in range(ranks)
        for x in take_stream(range(100), Layout(ranks, r, workers, w, batch))
    ]
    assert sorted(every) == list(range(100))  # the streams share out the order, each item once
    consumed = global_state({"_snapshot": {"_worker_snapshots": rank0}})["samples_consumed"]
    assert taken == set(range(min(consumed, 100)))


def _run_ranks(world_size: int, job: dict, tmp_path, name: str) -> list[dict]:
    out = tmp_path / name
    out.mkdir()
    mp.spawn(
        _workers.resume_rank,
        args=(world_size, str(tmp_path / f"init-{name}"), job, str(out)),
        nprocs=world_size,
        join=True,
    )
    return [json.loads((out / f"rank-{r}.json").read_text()) for r in range(world_size)]


@pytest.mark.parametrize("loader", ["stateful", "plain"])
def test_stop_with_2_ranks_of_4_workers_resume_with_1_of_2_and_2_of_1(s3, resume_prefix, tmp_path, loader):
    if loader == "stateful":
        pytest.importorskip("torchdata.stateful_dataloader")
    job = {
        "uri": f"s3://{s3.bucket}/{resume_prefix}",
        "region": s3.region,
        "endpoint": s3.endpoint,
        "batch_size": BATCH,
        "shuffle": 16,
        "loader": loader,
    }
    first = _run_ranks(2, {**job, "workers": 4, "batches": 5}, tmp_path, "first")
    before = [key for rank in first for key in rank["keys"]]
    assert len(before) == 2 * 5 * BATCH
    assert first[0]["state"] == first[1]["state"] == {"epoch": 0, "seed": 5, "samples_consumed": 2 * 5 * BATCH}

    every_key = {f"{resume_prefix}{i:03d}" for i in range(N)}
    # One rank of two workers, in this process.
    alone = _workers.read_part_of_an_epoch({**job, "workers": 2, "batches": None, "state": first[1]["state"]})
    counts = collections.Counter(before + alone["keys"])
    assert set(counts.values()) == {1}, "a sample was read twice"
    assert set(counts) == every_key, "a sample was lost"
    # Two ranks of one worker each.
    again = _run_ranks(2, {**job, "workers": 1, "batches": None, "state": first[0]["state"]}, tmp_path, "again")
    counts = collections.Counter(before + [key for rank in again for key in rank["keys"]])
    assert set(counts.values()) == {1}, "a sample was read twice"
    assert set(counts) == every_key, "a sample was lost"


def test_a_resumed_job_can_stop_and_resume_again(s3, resume_prefix):
    job = {
        "uri": f"s3://{s3.bucket}/{resume_prefix}",
        "region": s3.region,
        "endpoint": s3.endpoint,
        "batch_size": BATCH,
        "loader": "plain",
    }
    first = _workers.read_part_of_an_epoch({**job, "workers": 0, "batches": 4})
    second = _workers.read_part_of_an_epoch({**job, "workers": 3, "batches": 6, "state": first["state"]})
    assert second["state"]["samples_consumed"] == (4 + 6) * BATCH
    third = _workers.read_part_of_an_epoch({**job, "workers": 2, "batches": None, "state": second["state"]})
    taken = first["keys"] + second["keys"] + third["keys"]
    assert sorted(taken) == sorted(f"{resume_prefix}{i:03d}" for i in range(N))


def test_a_stream_state_refuses_another_layout_and_says_what_to_do(s3, client_config, resume_prefix):
    def make() -> S3IterableDataset:
        return S3IterableDataset.from_prefix(
            f"s3://{s3.bucket}/{resume_prefix}",
            region=s3.region,
            endpoint=s3.endpoint,
            s3client_config=client_config,
            enable_sharding=True,
            batch_size=BATCH,
        )

    saved = {"epoch": 0, "seed": 0, "handed_out": 6, "skipped": 0, **Layout(2, 1, 4, 3, BATCH).as_state()}
    dataset = make()
    dataset.load_state_dict(saved)
    with pytest.raises(ValueError, match=r"saved by worker 3 of 4 on rank 1 of 2.*global_state"):
        next(iter(dataset))
    with pytest.raises(ValueError, match=r"worker\(s\) \[0, 1, 2\] of 4 is missing"):
        S3IterableDataset.global_state({"worker_3": saved})


def test_global_shuffle_is_a_permutation_by_seed_and_epoch(s3, client_config, resume_prefix):
    def keys(**kwargs) -> list[str]:
        epoch = kwargs.pop("epoch", 0)
        dataset = S3IterableDataset.from_prefix(
            f"s3://{s3.bucket}/{resume_prefix}",
            region=s3.region,
            endpoint=s3.endpoint,
            s3client_config=client_config,
            transform=_workers.key_and_size,
            global_shuffle=True,
            **kwargs,
        )
        dataset.set_epoch(epoch)
        return [key for key, _ in dataset]

    first = keys(seed=1)
    assert sorted(first) == sorted(f"{resume_prefix}{i:03d}" for i in range(N)) and first != sorted(first)
    assert keys(seed=1) == first
    assert keys(seed=1, epoch=1) != first and keys(seed=2) != first
    # A global shuffle moves items across the whole listing, not within a window.
    assert max(abs(first.index(f"{resume_prefix}{i:03d}") - i) for i in range(N)) > N // 2
    with pytest.raises(ValueError, match="choose one"):
        keys(seed=1, shuffle_buffer_size=4)
