"""W4: torch.save and torch.load of a state dict through S3Checkpoint
(boto3: serialize to memory, upload_fileobj; download_fileobj, torch.load)."""

from __future__ import annotations

import io
from typing import Any

from .common import Endpoint, MiB, boto3_client, client_config, result, timed


def make_state(total_bytes: int) -> dict[str, Any]:
    import torch

    count = 16
    per_tensor = total_bytes // count // 4
    generator = torch.Generator().manual_seed(0)
    return {f"layer{i}.weight": torch.rand(per_tensor, generator=generator) for i in range(count)}


def run(impl: str, params: dict[str, Any]) -> dict[str, float]:
    import torch

    endpoint = Endpoint.from_env()
    state = make_state(params["bytes"])
    size = sum(t.numel() * t.element_size() for t in state.values())
    key = f"{params['prefix']}{impl}.pt"
    if impl == "boto3":
        s3 = boto3_client()

        def save() -> None:
            buffer = io.BytesIO()
            torch.save(state, buffer)
            buffer.seek(0)
            s3.upload_fileobj(buffer, endpoint.bucket, key)

        def load() -> Any:
            buffer = io.BytesIO()
            s3.download_fileobj(endpoint.bucket, key, buffer)
            buffer.seek(0)
            return torch.load(buffer, weights_only=True)

    else:
        from s3torchconnector import S3Checkpoint

        checkpoint = S3Checkpoint(endpoint.region, endpoint.url, client_config())
        uri = f"s3://{endpoint.bucket}/{key}"

        def save() -> None:
            with checkpoint.writer(uri) as writer:
                torch.save(state, writer)

        def load() -> Any:
            return torch.load(checkpoint.reader(uri), weights_only=True)

    # params["phase"]: "save" or "load" alone (the latency suite measures each
    # with its own proxy counters; a load reads what the last save wrote).
    phase = params.get("phase", "both")
    metrics: dict[str, float] = {}
    if phase in ("save", "both"):
        _, save_seconds, _ = timed(save)
        metrics.update(save_seconds=save_seconds, save_mib_per_s=size / save_seconds / MiB)
    if phase in ("load", "both"):
        loaded, load_seconds, _ = timed(load)
        assert all(torch.equal(loaded[k], state[k]) for k in state), "the loaded state differs"
        metrics.update(load_seconds=load_seconds, load_mib_per_s=size / load_seconds / MiB)
    return result(**metrics)
