"""Code run by spawned gloo ranks (importable by name, hence a module)."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict


def make_model(seed: int):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 8))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(4, 32)).sum().backward()
    optimizer.step()
    return model, optimizer


def save_then_load(
    rank: int, world_size: int, init_file: str, uri: str, region: str, endpoint: str, out_dir: str
) -> None:
    from s3torchconnector import S3ClientConfig
    from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        config = S3ClientConfig(force_path_style=True)
        # Each rank owns a different tensor, plus the shared model.
        model, optimizer = make_model(0)
        msd, osd = get_state_dict(model, optimizer)
        state = {"model": msd, "optim": osd, f"rank{rank}": torch.full((1000,), float(rank))}
        dcp.save(state, storage_writer=S3StorageWriter(region, uri, config, endpoint=endpoint))
        dist.barrier()

        model2, optimizer2 = make_model(1)
        msd2, osd2 = get_state_dict(model2, optimizer2)
        target = {"model": msd2, "optim": osd2, f"rank{rank}": torch.zeros(1000)}
        dcp.load(target, storage_reader=S3StorageReader(region, uri, config, endpoint=endpoint))
        set_state_dict(model2, optimizer2, model_state_dict=target["model"], optim_state_dict=target["optim"])
        pairs = zip(model.state_dict().values(), model2.state_dict().values(), strict=True)
        ok = all(torch.equal(a, b) for a, b in pairs)
        ok = ok and torch.equal(target[f"rank{rank}"], torch.full((1000,), float(rank)))
        with open(os.path.join(out_dir, f"rank-{rank}"), "w") as f:
            f.write("ok" if ok else "mismatch")
    finally:
        dist.destroy_process_group()
