"""Functions DataLoader workers and spawned ranks import by name (they must
live in a module, not in a test's closure, to be picklable)."""

from __future__ import annotations

import os


def key_and_size(reader) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    return reader.key, len(reader.read())


def distributed_rank(
    rank: int, world_size: int, init_file: str, uri: str, endpoint: str, region: str, out_dir: str
) -> None:
    import torch.distributed as dist
    from torch.utils.data import DataLoader

    from s3torchconnector import S3ClientConfig, S3IterableDataset

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        dataset = S3IterableDataset.from_prefix(
            uri,
            region=region,
            endpoint=endpoint,
            enable_sharding=True,
            transform=key_and_size,
            s3client_config=S3ClientConfig(force_path_style=True),
        )
        keys: list[str] = [key for key, _ in DataLoader(dataset, batch_size=None, num_workers=2)]
        with open(os.path.join(out_dir, f"rank-{rank}.txt"), "w") as f:
            f.write("\n".join(keys))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def _run_as_rank(rank: int, world_size: int, init_file: str, out_dir: str, body) -> None:  # type: ignore[no-untyped-def]
    """Runs ``body()`` as one gloo rank and writes what it returns to ``rank-<rank>.json``."""
    import json

    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        result = body()
        with open(os.path.join(out_dir, f"rank-{rank}.json"), "w") as f:
            json.dump(result, f)
        dist.barrier()
    finally:
        dist.destroy_process_group()


def _sharded_dataset(job: dict, transform, **options):  # type: ignore[no-untyped-def, type-arg]
    from s3torchconnector import S3ClientConfig, S3IterableDataset

    return S3IterableDataset.from_prefix(
        job["uri"],
        region=job["region"],
        endpoint=job["endpoint"],
        enable_sharding=True,
        transform=transform,
        s3client_config=S3ClientConfig(force_path_style=True),
        **options,
    )


def resume_rank(rank: int, world_size: int, init_file: str, job: dict, out_dir: str) -> None:  # type: ignore[type-arg]
    """One rank of a job that reads part of an epoch, or resumes one: takes
    ``job["batches"]`` batches (all when None) from a (Stateful)DataLoader with
    ``job["workers"]`` workers, after loading ``job["state"]`` if given; writes
    the keys it took and the job's global state."""
    _run_as_rank(rank, world_size, init_file, out_dir, lambda: read_part_of_an_epoch(job))


def read_part_of_an_epoch(job: dict) -> dict:  # type: ignore[type-arg]
    """What one rank of ``resume_rank`` does (also run alone, as a job of one rank)."""
    from torch.utils.data import DataLoader

    from s3torchconnector import S3IterableDataset

    dataset = _sharded_dataset(
        job, key_and_size, batch_size=job["batch_size"], shuffle_buffer_size=job.get("shuffle", 0), seed=5
    )
    if job.get("state") is not None:
        dataset.load_state_dict(job["state"])
    loader_class: type = DataLoader
    if job["loader"] == "stateful":
        from torchdata.stateful_dataloader import StatefulDataLoader

        loader_class = StatefulDataLoader
    loader = loader_class(dataset, batch_size=job["batch_size"], num_workers=job["workers"], collate_fn=list)
    taken: list[str] = []
    batches = iter(loader)
    for _ in range(job["batches"]) if job["batches"] is not None else iter(int, 1):
        try:
            taken += [key for key, _ in next(batches)]
        except StopIteration:
            break
    if job["loader"] == "stateful":
        state = S3IterableDataset.global_state(loader.state_dict())
    else:
        state = dataset.global_state_after(job["batches"] or 0)
    del batches
    return {"keys": taken, "state": state}


def key_and_listings(reader) -> tuple[str, int, int]:  # type: ignore[no-untyped-def]
    """The key, and how many ListObjectsV2 this worker process has sent."""
    import torch.utils.data

    info = torch.utils.data.get_worker_info()
    listings = info.dataset.metrics()["requests"].get("ListObjectsV2", 0) if info is not None else -1
    return reader.key, listings, os.getpid()


def index_rank(rank: int, world_size: int, init_file: str, job: dict, out_dir: str) -> None:  # type: ignore[type-arg]
    """One rank reading a prefix through 4 DataLoader workers, after
    ``build_index()`` when ``job["build_index"]``; writes what it read and how
    many listings it and its workers sent."""
    from torch.utils.data import DataLoader

    def body() -> dict:  # type: ignore[type-arg]
        dataset = _sharded_dataset(job, key_and_listings)
        if job["build_index"]:
            dataset.build_index()
        rows = [list(row) for row in DataLoader(dataset, batch_size=None, num_workers=4)]
        return {"rows": rows, "rank_listings": dataset.metrics()["requests"].get("ListObjectsV2", 0)}

    _run_as_rank(rank, world_size, init_file, out_dir, body)


def key_gets_and_hits(reader) -> tuple[str, int, int, int]:  # type: ignore[no-untyped-def]
    """The key, with this process's GetObject count and cache hits so far, and its pid."""
    import torch.utils.data

    reader.read()
    info = torch.utils.data.get_worker_info()
    metrics = info.dataset.metrics()
    return reader.key, metrics["requests"].get("GetObject", 0), metrics["cache"]["hits"], os.getpid()


def cached_epochs_rank(rank: int, world_size: int, init_file: str, job: dict, out_dir: str) -> None:  # type: ignore[type-arg]
    """Two epochs through 4 workers (fresh each epoch) sharing one cache."""
    import torch.distributed as dist
    from torch.utils.data import DataLoader

    def body() -> dict:  # type: ignore[type-arg]
        dataset = _sharded_dataset(job, key_gets_and_hits, cache_dir=job["cache_dir"])
        epochs = []
        for epoch in range(2):
            dataset.set_epoch(epoch)
            epochs.append([list(row) for row in DataLoader(dataset, batch_size=None, num_workers=4)])
            dist.barrier()  # every rank's first epoch is cached before the second
        return {"epochs": epochs}

    _run_as_rank(rank, world_size, init_file, out_dir, body)


def fill_cache_repeatedly(job: dict) -> list[tuple[str, int, bool]]:  # type: ignore[type-arg]
    """Reads the prefix ``job["rounds"]`` times through one cache, each round
    from a fresh dataset (a new job), checking every byte."""
    from s3torchconnector import S3ClientConfig, S3MapDataset

    rows = []
    for _ in range(job["rounds"]):
        dataset = S3MapDataset.from_prefix(
            job["uri"],
            region=job["region"],
            endpoint=job["endpoint"],
            s3client_config=S3ClientConfig(force_path_style=True),
            cache_dir=job["cache_dir"],
        )
        for i in range(len(dataset)):
            reader = dataset[i]
            data = reader.read()
            rows.append((reader.key, len(data), data == bytes([i]) * len(data)))
    return rows


def failing_index_rank(rank: int, world_size: int, init_file: str, job: dict, out_dir: str) -> None:  # type: ignore[type-arg]
    """build_index() of a prefix in a bucket that does not exist: what each rank raised."""

    def body() -> dict:  # type: ignore[type-arg]
        try:
            _sharded_dataset(job, key_and_size).build_index()
        except Exception as error:
            return {"raised": f"{type(error).__name__}: {error}"}
        return {"raised": None}

    _run_as_rank(rank, world_size, init_file, out_dir, body)
