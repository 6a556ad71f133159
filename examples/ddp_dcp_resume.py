"""Two DDP ranks (gloo, CPU) train and save a Distributed Checkpoint to S3
after every step; one rank is killed (SIGKILL) as a save starts. A second job
finds the last complete checkpoint, resumes from it and finishes, and its
weights equal those of a job that was never interrupted.

    python examples/ddp_dcp_resume.py s3://bucket/prefix/ --region us-east-1 [--endpoint URL]
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import tempfile
import warnings

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
import torch.multiprocessing as mp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict
from torch.nn.parallel import DistributedDataParallel

from s3torchconnector import S3Client, S3ClientConfig
from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

WORLD_SIZE = 2


def config(endpoint: str | None) -> S3ClientConfig | None:
    return S3ClientConfig(force_path_style=True) if endpoint else None


def complete_steps(uri: str, region: str, endpoint: str | None) -> list:
    """Steps whose checkpoint has its .metadata: DCP writes it last."""
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    client = S3Client(region, endpoint=endpoint, s3client_config=config(endpoint))
    keys = [info.key for page in client.list_objects(bucket, prefix) for info in page.objects]
    return sorted(int(key.split("step-")[1].split("/")[0]) for key in keys if key.endswith("/.metadata"))


def batch(step: int, rank: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(1000 * step + rank)  # the data of a step, whoever runs it
    return {"x": torch.randn(16, 8, generator=generator), "y": torch.randn(16, 1, generator=generator)}


def rank_main(rank: int, uri: str, region: str, endpoint: str | None, init_file: str, steps: int, kill_at: int) -> None:
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=WORLD_SIZE)
    try:
        train(rank, uri, region, endpoint, steps, kill_at)
        # The DDP model is gone once train() returns, while the process group
        # is still registered, so its Reducer never holds the last reference.
        # When it does, PyTorch destroys the group with the GIL held, and that
        # deadlocks with a gloo worker thread that is freeing the tensors of
        # the last collective (pytorch/pytorch#56297; seen here about one run
        # in ten). A reference held by Python is released without the GIL.
        gc.collect()
    finally:
        dist.destroy_process_group()


def train(rank: int, uri: str, region: str, endpoint: str | None, steps: int, kill_at: int) -> None:
    """Resumes from the last complete checkpoint, then trains and saves after every step."""
    torch.manual_seed(0)
    model = DistributedDataParallel(
        torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    done = complete_steps(uri, region, endpoint)
    start = 0
    if done:
        model_state, optim_state = get_state_dict(model, optimizer)
        state = {"model": model_state, "optim": optim_state}
        dcp.load(
            state,
            storage_reader=S3StorageReader(region, f"{uri}step-{done[-1]}", config(endpoint), endpoint=endpoint),
        )
        set_state_dict(model, optimizer, model_state_dict=state["model"], optim_state_dict=state["optim"])
        start = done[-1]
        if rank == 0:
            print(f"resumed from step {start}", flush=True)
    for step in range(start + 1, steps + 1):
        data = batch(step, rank)
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(data["x"]), data["y"]).backward()
        optimizer.step()
        if step == kill_at and rank == 1:
            os.kill(os.getpid(), signal.SIGKILL)  # as the save of this step starts
        model_state, optim_state = get_state_dict(model, optimizer)
        dcp.save(
            {"model": model_state, "optim": optim_state},
            storage_writer=S3StorageWriter(region, f"{uri}step-{step}", config(endpoint), endpoint=endpoint),
        )


def job(uri: str, region: str, endpoint: str | None, steps: int, kill_at: int = 0) -> bool:
    """Runs the two ranks; False if a rank was killed."""
    with tempfile.TemporaryDirectory() as scratch:
        try:
            mp.spawn(
                rank_main,
                args=(uri, region, endpoint, os.path.join(scratch, "init"), steps, kill_at),
                nprocs=WORLD_SIZE,
                join=True,
            )
        except mp.ProcessExitedException as error:
            print(f"rank {error.error_index} killed by signal {signal.Signals(-error.exit_code).name}", flush=True)
            return False
    return True


def final_weights(uri: str, region: str, endpoint: str | None, step: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    state = {"model": dict(model.state_dict())}  # get_state_dict saved DDP's weights without "module."
    with warnings.catch_warnings():  # a load in one process, without a process group, is meant
        warnings.filterwarnings("ignore", message="torch.distributed is disabled")
        dcp.load(
            state, storage_reader=S3StorageReader(region, f"{uri}step-{step}", config(endpoint), endpoint=endpoint)
        )
    return state["model"]


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("uri", help="s3://bucket/prefix/ (two runs are written below it)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint", default=None)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--kill-at", type=int, default=4)
    args = parser.parse_args(argv)
    interrupted, reference = args.uri + "interrupted/", args.uri + "reference/"

    assert not job(interrupted, args.region, args.endpoint, args.steps, kill_at=args.kill_at)
    print(f"complete checkpoints after the kill: steps {complete_steps(interrupted, args.region, args.endpoint)}")
    assert job(interrupted, args.region, args.endpoint, args.steps)
    assert job(reference, args.region, args.endpoint, args.steps)
    resumed = final_weights(interrupted, args.region, args.endpoint, args.steps)
    straight = final_weights(reference, args.region, args.endpoint, args.steps)
    same = all(torch.equal(resumed[name], straight[name]) for name in straight)
    print(f"weights after step {args.steps} equal an uninterrupted run's: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
