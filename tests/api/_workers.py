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
