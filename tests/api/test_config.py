"""S3ClientConfig and S3Client: defaults, validation, pickling, user agent."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from s3torchconnector import S3ClientConfig
from s3torchconnector._s3client import S3Client
from s3torchconnector._user_agent import UserAgent


def test_defaults_match_the_spec():
    config = S3ClientConfig()
    assert config.throughput_target_gbps == 10.0
    assert config.part_size == 8 * 1024 * 1024
    assert config.unsigned is False
    assert config.force_path_style is False
    assert config.max_attempts == 10
    assert config.profile is None
    assert config.requester_pays is False


def test_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        S3ClientConfig().part_size = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"part_size": 5 * 1024 * 1024 - 1}, ValueError, "part_size must be between 5 MiB"),
        ({"part_size": 5 * 1024**3 + 1}, ValueError, "part_size must be between 5 MiB"),
        ({"part_size": 8.0 * 1024 * 1024}, TypeError, "part_size must be int, not float"),
        ({"part_size": True}, TypeError, "part_size must be int, not bool"),
        ({"max_attempts": 0}, ValueError, "max_attempts must be at least 1"),
        ({"max_attempts": "3"}, TypeError, "max_attempts must be int, not str"),
        ({"throughput_target_gbps": 0}, ValueError, "throughput_target_gbps must be a positive"),
        ({"throughput_target_gbps": "fast"}, TypeError, "throughput_target_gbps must be int or float"),
        ({"unsigned": 1}, TypeError, "unsigned must be bool, not int"),
        ({"force_path_style": "yes"}, TypeError, "force_path_style must be bool"),
        ({"requester_pays": None}, TypeError, "requester_pays must be bool"),
        ({"profile": ""}, ValueError, "profile must be a non-empty profile name"),
        ({"profile": 3}, TypeError, "profile must be str"),
        ({"unsigned": True, "requester_pays": True}, ValueError, "requester_pays cannot be combined with unsigned"),
    ],
)
def test_invalid_values_are_rejected(kwargs, error, message):
    with pytest.raises(error, match=message):
        S3ClientConfig(**kwargs)


def test_bounds_are_inclusive():
    S3ClientConfig(part_size=5 * 1024 * 1024, max_attempts=1)
    # The largest part S3 allows, with a memory limit that holds two of them.
    S3ClientConfig(part_size=5 * 1024**3, memory_limit_bytes=10 * 1024**3)


def test_client_validates_its_arguments():
    with pytest.raises(TypeError, match="region must be a str"):
        S3Client(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="endpoint must be a str"):
        S3Client("us-east-1", endpoint=9000)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="s3client_config must be an S3ClientConfig"):
        S3Client("us-east-1", s3client_config={"part_size": 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid endpoint 'localhost:9000'"):
        S3Client("us-east-1", endpoint="localhost:9000")


def test_client_pickles_as_configuration(s3, s3_client, prefix, upload):
    upload(prefix + "obj", b"payload")
    clone = pickle.loads(pickle.dumps(s3_client))
    assert clone._client is not s3_client._client  # pickled as configuration, not as the native client
    assert (clone.region, clone.endpoint, clone.s3client_config) == (
        s3_client.region,
        s3_client.endpoint,
        s3_client.s3client_config,
    )
    assert clone.get_object(s3.bucket, prefix + "obj").read() == b"payload"
    assert clone.user_agent_prefix == s3_client.user_agent_prefix


def test_user_agent_names_library_platform_and_caller():
    import platform

    import torch

    from s3torchconnector import __version__

    prefix = UserAgent(["md/dataset#map md/reader_type#sequential"]).prefix
    assert prefix.startswith(f"s3torchconnector/{__version__} ua/2.1 os/")
    assert f"lang/python#{platform.python_version()}" in prefix
    assert f"md/pytorch#{torch.__version__}" in prefix
    assert f"md/arch#{platform.machine().lower()}" in prefix
    assert prefix.endswith("(md/dataset#map md/reader_type#sequential)")
    with pytest.raises(ValueError, match="List\\[str\\]"):
        UserAgent("not a list")  # type: ignore[arg-type]


def test_endpoint_from_the_environment(s3, monkeypatch, prefix, upload, client_config):
    upload(prefix + "env", b"from-env")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.endpoint)
    client = S3Client(s3.region, s3client_config=client_config)
    assert client.endpoint is None
    assert client._client.endpoint == s3.endpoint
    assert client.get_object(s3.bucket, prefix + "env").read() == b"from-env"
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.endpoint)
    assert S3Client(s3.region, s3client_config=client_config)._client.endpoint == s3.endpoint


def test_every_native_option_is_an_option_of_s3clientconfig():
    """S3ClientConfig is a view of libs3conn's ClientConfig: each native field
    (but those S3Client takes itself) is reachable, and reaches the client."""
    from s3torchconnector._s3conn import ClientConfig

    taken_by_s3client = {"region", "endpoint", "user_agent_prefix"}
    names = {"unsigned": "unsigned_requests", "ca_bundle": "ca_file"}
    python_fields = {names.get(f.name, f.name) for f in dataclasses.fields(S3ClientConfig)}
    assert set(ClientConfig().as_dict()) - taken_by_s3client == python_fields

    config = S3ClientConfig(read_ahead_bytes=3 * 8 * 1024 * 1024, event_loop_threads=3, retry_backoff_ms=25)
    native = S3Client("eu-west-1", endpoint="http://127.0.0.1:1", s3client_config=config)._client
    assert (native.config["read_ahead_bytes"], native.config["event_loop_threads"]) == (3 * 8 * 1024 * 1024, 3)
    assert native.config["retry_backoff_ms"] == 25
    # Derived values come from libs3conn: four parts of read-ahead by default.
    assert S3Client("eu-west-1", s3client_config=S3ClientConfig(part_size=16 * 1024 * 1024)).read_ahead_bytes == (
        4 * 16 * 1024 * 1024
    )


def test_native_config_pickles_and_names_a_wrong_value():
    from s3torchconnector._s3conn import ClientConfig

    config = ClientConfig.from_dict({"part_size": 16 * 1024 * 1024, "profile": None, "unsigned_requests": True})
    assert config.part_size == 16 * 1024 * 1024 and config.profile == "" and config.unsigned_requests
    assert pickle.loads(pickle.dumps(config)) == config
    with pytest.raises(TypeError, match="no field 'part'"):
        ClientConfig.from_dict({"part": 1})
    with pytest.raises(TypeError, match="max_attempts takes int values from 0"):
        ClientConfig.from_dict({"max_attempts": -1})
    with pytest.raises(ValueError, match="invalid ClientConfig: max_attempts must be at least 1"):
        ClientConfig.from_dict({"max_attempts": 0}).validate()
    with pytest.raises(ValueError, match="read_ahead_bytes cannot be negative"):
        S3ClientConfig(read_ahead_bytes=-1)
