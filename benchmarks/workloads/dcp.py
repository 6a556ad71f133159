"""W5: torch.distributed.checkpoint save and load, 2 gloo ranks, each rank
holding half of the state, through S3StorageWriter / S3StorageReader with
their defaults. The reference's DCP classes take no endpoint argument, so
both libraries get the endpoint from AWS_ENDPOINT_URL."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

from .common import Endpoint, MiB, client_config, result


def _timed_across_ranks(step: Callable[[], object]) -> float:
    """Seconds from every rank ready to every rank done with `step`."""
    import torch.distributed as dist

    dist.barrier()
    start = time.perf_counter()
    step()
    dist.barrier()
    return time.perf_counter() - start


def _rank(rank: int, world_size: int, init_file: str, params: dict[str, Any], out: str) -> None:
    import torch
    import torch.distributed as dist
    import torch.distributed.checkpoint as dcp

    from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

    endpoint = Endpoint.from_env()
    os.environ["AWS_ENDPOINT_URL"] = endpoint.url
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        per_rank = params["bytes"] // world_size
        generator = torch.Generator().manual_seed(rank)
        state = {f"rank{rank}.layer{i}": torch.rand(per_rank // 8 // 4, generator=generator) for i in range(8)}
        uri = f"s3://{endpoint.bucket}/{params['prefix']}{params['run']}"
        phase = params.get("phase", "both")
        save_seconds = load_seconds = 0.0
        if phase in ("save", "both"):
            writer = S3StorageWriter(endpoint.region, uri, client_config())
            save_seconds = _timed_across_ranks(lambda: dcp.save(state, storage_writer=writer))
        if phase in ("load", "both"):
            target = {k: torch.zeros_like(v) for k, v in state.items()}
            reader = S3StorageReader(endpoint.region, uri, client_config())
            load_seconds = _timed_across_ranks(lambda: dcp.load(target, storage_reader=reader))
            assert all(torch.equal(target[k], state[k]) for k in state)
        if rank == 0:
            with open(out, "w") as f:
                f.write(f"{save_seconds} {load_seconds}")
    finally:
        dist.destroy_process_group()


def run(impl: str, params: dict[str, Any]) -> dict[str, float]:
    import torch.multiprocessing as mp

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "times")
        # A fresh checkpoint path per run; a load-only run reads params["run"].
        run = f"{params['run']}-{impl}" if params.get("run") else f"{impl}-{time.time_ns()}"
        run_params = dict(params, run=run)
        mp.spawn(_rank, args=(2, os.path.join(tmp, "init"), run_params, out), nprocs=2, join=True)
        with open(out) as f:
            save_seconds, load_seconds = map(float, f.read().split())
    size = params["bytes"]
    metrics: dict[str, float] = {}
    if save_seconds:
        metrics.update(save_seconds=save_seconds, save_mib_per_s=size / save_seconds / MiB)
    if load_seconds:
        metrics.update(load_seconds=load_seconds, load_mib_per_s=size / load_seconds / MiB)
    return result(**metrics)
