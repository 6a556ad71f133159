"""S3 Express One Zone: directory buckets are read and written with the
session credentials of a CreateSession, made once per client (both of its
connection pools share it), reused, and
renewed before they expire; every data request carries the session's token.
Against a loopback zonal endpoint of the tests' own (tests/express_server.py),
reached through a custom endpoint."""

from __future__ import annotations

import io
import time
import warnings

import pytest
import torch
import torch.distributed.checkpoint as dcp

from s3torchconnector import S3Checkpoint, S3ClientConfig, S3MapDataset
from s3torchconnector._s3client import S3Client
from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

from ..express_server import ExpressServer

BUCKET = "training--usw2-az1--x-s3"
REGION = "us-west-2"
KEY, SECRET = "AKIDEXPRESSTEST", "express-test-secret"
CONFIG = S3ClientConfig(max_attempts=2)


@pytest.fixture
def clients_made(monkeypatch) -> list[S3Client]:
    """Every S3Client made in the test (each has its own sessions)."""
    made: list[S3Client] = []
    original = S3Client.__init__

    def counting(self: S3Client, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(S3Client, "__init__", counting)
    return made


@pytest.fixture
def express(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with ExpressServer(BUCKET, KEY, SECRET) as server:
        yield server


def assert_sessions_carried(server: ExpressServer, clients: int) -> None:
    """Each CreateSession's credentials were used, none twice over; every data
    request was signed with a live session, for the s3express service."""
    data = server.data_requests
    assert data, "no data requests"
    assert all(r.token and r.live and r.service == "s3express" for r in data)
    tokens = {r.token for r in data}
    assert len(server.create_sessions) == len(tokens) <= clients
    assert len(data) > len(tokens)  # sessions are reused


def test_a_map_dataset_reads_a_directory_bucket_on_one_session(express, clients_made):
    for i in range(20):
        express.state.objects[f"images/{i:03d}"] = bytes([i]) * (100 + i)
    dataset = S3MapDataset.from_prefix(
        f"s3://{BUCKET}/images/", region=REGION, endpoint=express.endpoint, s3client_config=CONFIG
    )
    assert [reader.read() for reader in dataset] == [bytes([i]) * (100 + i) for i in range(20)]
    assert len(clients_made) == len(express.create_sessions) == 1
    assert_sessions_carried(express, clients=1)
    assert len(express.data_requests) == 21  # one listing, twenty GETs


def test_a_prefix_within_a_directory_is_matched_by_the_client(express):
    # Directory buckets list only prefixes that end in "/".
    for name in ("img_000", "img_001", "img_100", "other"):
        express.state.objects[f"images/{name}"] = name.encode()
    dataset = S3MapDataset.from_prefix(
        f"s3://{BUCKET}/images/img_0", region=REGION, endpoint=express.endpoint, s3client_config=CONFIG
    )
    assert [reader.read() for reader in dataset] == [b"img_000", b"img_001"]


@pytest.mark.parametrize("upload_checksums", [False, True])
def test_a_checkpoint_round_trips_on_one_session(express, upload_checksums):
    config = S3ClientConfig(max_attempts=2, upload_checksums=upload_checksums)
    checkpoint = S3Checkpoint(REGION, endpoint=express.endpoint, s3client_config=config)
    # 12 MB: a multipart upload (the uploads' pool), read back through the
    # downloads' pool, both on the client's one session. The server refuses
    # a part whose checksum algorithm is not its CreateMultipartUpload's.
    state = {"weights": torch.arange(3_000_000, dtype=torch.float32)}
    with checkpoint.writer(f"s3://{BUCKET}/ckpt/model.pt") as writer:
        torch.save(state, writer)
    with checkpoint.reader(f"s3://{BUCKET}/ckpt/model.pt") as reader:
        loaded = torch.load(io.BytesIO(reader.read()), weights_only=True)
    assert torch.equal(loaded["weights"], state["weights"])
    assert sum("partNumber=" in r.path for r in express.data_requests) >= 2  # UploadPart
    (upload,) = express.completed_uploads
    assert upload.algorithm == ("CRC32C" if upload_checksums else None)
    assert len(upload.parts) >= 2
    assert len(express.create_sessions) == 1
    assert_sessions_carried(express, clients=1)


def test_dcp_saves_and_loads_through_sessions(express, clients_made):
    state = {"w": torch.randn(64, 64), "b": torch.randn(64)}
    path = f"s3://{BUCKET}/dcp/step-1"
    with warnings.catch_warnings():  # one process, no process group: meant
        warnings.filterwarnings("ignore", message="torch.distributed is disabled")
        dcp.save(state, storage_writer=S3StorageWriter(REGION, path, CONFIG, endpoint=express.endpoint))
        loaded = {"w": torch.zeros(64, 64), "b": torch.zeros(64)}
        dcp.load(loaded, storage_reader=S3StorageReader(REGION, path, CONFIG, endpoint=express.endpoint))
    assert torch.equal(loaded["w"], state["w"]) and torch.equal(loaded["b"], state["b"])
    # One session per client. The writer's requests go through both of its
    # pools (the commit of .metadata is a CopyObject, on the uploads' pool),
    # and both use that client's one session.
    assert len(clients_made) == 2
    assert len(express.create_sessions) == 2
    assert_sessions_carried(express, clients=2)


def test_a_session_is_renewed_before_it_expires(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    # The CRT takes a session within 5 s of its expiry as spent: a 7 s
    # session serves for 2 s, then the next request gets a new one.
    with ExpressServer(BUCKET, KEY, SECRET, session_seconds=7) as server:
        server.state.objects["k"] = b"payload"
        client = S3Client(REGION, endpoint=server.endpoint, s3client_config=CONFIG)
        assert client.get_object(BUCKET, "k").read() == b"payload"
        assert client.get_object(BUCKET, "k").read() == b"payload"
        time.sleep(3)
        assert client.get_object(BUCKET, "k").read() == b"payload"
        first, second = server.create_sessions
        assert second.at < first.at + 7  # before the first one expired
        tokens = [r.token for r in server.data_requests]
        assert tokens[0] == tokens[1] != tokens[2]
        assert all(r.live for r in server.data_requests)  # no expired token was ever sent


def test_a_directory_bucket_needs_credentials(express):
    client = S3Client(REGION, endpoint=express.endpoint, s3client_config=S3ClientConfig(unsigned=True))
    with pytest.raises(ValueError, match="needs credentials"):
        client.get_object(BUCKET, "k").read()
    assert not express.state.seen
