"""S3LightningCheckpoint with Lightning's Trainer, ModelCheckpoint and
AsyncCheckpointIO. Lightning's ModelCheckpoint lists and checks files through
fsspec, so s3fs (pointed at the same endpoint) is needed beside it."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
import torch

lightning = pytest.importorskip("lightning")
pytest.importorskip("s3fs")

from lightning.pytorch import LightningModule, Trainer  # noqa: E402
from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from lightning.pytorch.plugins.io import AsyncCheckpointIO  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from s3torchconnector import S3Exception  # noqa: E402
from s3torchconnector.lightning import S3LightningCheckpoint  # noqa: E402


class TinyModel(LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(8, 1)

    def training_step(self, batch, batch_idx):  # type: ignore[no-untyped-def]
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):  # type: ignore[no-untyped-def]
        return torch.optim.SGD(self.parameters(), lr=0.01)

    def train_dataloader(self):  # type: ignore[no-untyped-def]
        g = torch.Generator().manual_seed(0)
        data = TensorDataset(torch.randn(32, 8, generator=g), torch.randn(32, 1, generator=g))
        return DataLoader(data, batch_size=8)


@pytest.fixture
def checkpoint_io(s3, client_config, monkeypatch):
    # Lightning's ModelCheckpoint looks at the bucket through fsspec/s3fs.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", s3.region)
    import fsspec

    fsspec.config.conf.setdefault("s3", {})["config_kwargs"] = {"s3": {"addressing_style": "path"}}
    return S3LightningCheckpoint(s3.region, client_config, endpoint=s3.endpoint)


def trainer(checkpoint_io, dirpath, epochs, **kwargs):
    return Trainer(
        max_epochs=epochs,
        plugins=[checkpoint_io],
        callbacks=[
            ModelCheckpoint(dirpath=dirpath, save_top_k=1, monitor="train_loss", mode="min", filename="{epoch}-{step}")
        ],
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
        **kwargs,
    )


def checkpoints(s3_client, s3, prefix):
    return sorted(o.key for page in s3_client.list_objects(s3.bucket, prefix) for o in page.objects)


def test_fit_keeps_only_the_best_checkpoint_and_resumes(s3, s3_client, checkpoint_io, prefix):
    dirpath = f"s3://{s3.bucket}/{prefix}ckpts"
    trainer(checkpoint_io, dirpath, epochs=3).fit(TinyModel())
    keys = checkpoints(s3_client, s3, prefix)
    assert len(keys) == 1 and keys[0].endswith(".ckpt"), keys  # save_top_k=1 removed the others

    uri = f"s3://{s3.bucket}/{keys[0]}"
    loaded = checkpoint_io.load_checkpoint(uri)
    assert "state_dict" in loaded and loaded["epoch"] >= 0

    resumed = trainer(checkpoint_io, dirpath, epochs=4)
    resumed.fit(TinyModel(), ckpt_path=uri)
    assert resumed.current_epoch == 4
    assert resumed.global_step > loaded["global_step"]


def test_async_checkpoint_io(s3, s3_client, checkpoint_io, prefix):
    dirpath = f"s3://{s3.bucket}/{prefix}async"
    trainer(AsyncCheckpointIO(checkpoint_io), dirpath, epochs=2).fit(TinyModel())
    keys = checkpoints(s3_client, s3, prefix)
    assert len(keys) == 1 and keys[0].endswith(".ckpt")


class NotATensor:
    pass


def test_save_load_remove_and_weights_only(s3, s3_client, checkpoint_io, prefix):
    uri = f"s3://{s3.bucket}/{prefix}manual.ckpt"
    checkpoint_io.save_checkpoint({"weights": torch.arange(4.0), "extra": NotATensor()}, uri)
    with pytest.raises(pickle.UnpicklingError):
        checkpoint_io.load_checkpoint(uri, weights_only=True)
    loaded = checkpoint_io.load_checkpoint(uri, weights_only=False)
    assert torch.equal(loaded["weights"], torch.arange(4.0)) and isinstance(loaded["extra"], NotATensor)
    checkpoint_io.save_checkpoint({"weights": torch.ones(2)}, uri)
    assert torch.equal(checkpoint_io.load_checkpoint(uri, weights_only=True)["weights"], torch.ones(2))
    checkpoint_io.remove_checkpoint(uri)
    with pytest.raises(S3Exception):
        checkpoint_io.load_checkpoint(uri)
    checkpoint_io.teardown()


def test_failed_save_creates_nothing(s3, checkpoint_io, prefix):
    uri = f"s3://{s3.bucket}/{prefix}broken.ckpt"

    class Unpicklable:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("cannot pickle")

    with pytest.raises(RuntimeError, match="cannot pickle"):
        checkpoint_io.save_checkpoint({"weights": torch.ones(1000), "bad": Unpicklable()}, uri)
    assert not s3.admin().object_exists(s3.bucket, f"{prefix}broken.ckpt")


def test_paths_must_be_s3_uris(checkpoint_io):
    from pathlib import Path

    for call in (checkpoint_io.save_checkpoint, checkpoint_io.load_checkpoint, checkpoint_io.remove_checkpoint):
        args = ({},) if call == checkpoint_io.save_checkpoint else ()
        with pytest.raises(TypeError, match="is not a supported type for 'path'"):
            call(*args, Path("/tmp/x.ckpt"))
        with pytest.raises(ValueError, match="Only s3:// URIs"):
            call(*args, "/tmp/x.ckpt")


def test_import_without_lightning_names_the_extra():
    code = "import sys; sys.modules['lightning'] = None; import s3torchconnector.lightning"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr
    # The packages themselves: on PyPI, "s3torchconnector[lightning]" is Amazon's.
    assert "pip install 'lightning>=2.0' s3fs" in result.stderr and "[lightning] extra" in result.stderr


def test_a_removal_waits_for_the_save_of_the_same_checkpoint(s3, s3_client, checkpoint_io, prefix):
    # AsyncCheckpointIO saves on its own thread and removes on the caller's:
    # a removal that came first would leave the checkpoint behind.
    import threading
    import time

    path = f"s3://{s3.bucket}/{prefix}slow.ckpt"
    saver = threading.Thread(target=checkpoint_io.save_checkpoint, args=({"w": torch.zeros(8 * 1024 * 1024)}, path))
    saver.start()
    while not checkpoint_io._saving and saver.is_alive():  # the upload has begun
        time.sleep(0.001)
    checkpoint_io.remove_checkpoint(path)
    saver.join()
    assert checkpoints(s3_client, s3, prefix) == []
