"""A listing always ends: a server whose pagination never would (the same
continuation token again, a truncated page without one) raises S3Exception
after a bounded number of requests, through the native paginator, the
client's pages and the datasets."""

from __future__ import annotations

import pytest

from s3torchconnector import S3ClientConfig, S3Exception, S3IterableDataset, S3MapDataset
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import Client

from .hostile import HostileServer


def test_a_repeated_continuation_token_ends_the_listing():
    with HostileServer("repeat_token") as server:
        pages = Client("us-east-1", endpoint=server.endpoint).list_pages("bucket", "data/")
        assert len(next(pages).objects) == 1
        with pytest.raises(S3Exception) as raised:
            next(pages)
        error = raised.value
        assert error.code == "InvalidResponse" and error.operation == "ListObjectsV2"
        assert "page 2" in str(error) and "'same-token' a second time" in str(error)
        assert server.request_count == 2


def test_a_truncated_page_without_a_token_ends_the_listing():
    with HostileServer("no_token") as server:
        with pytest.raises(S3Exception) as raised:
            list(Client("us-east-1", endpoint=server.endpoint).list_pages("bucket"))
        assert raised.value.code == "InvalidResponse"
        assert "page 1" in str(raised.value) and "no continuation token" in str(raised.value)
        assert server.request_count == 1


@pytest.mark.parametrize("kind", ["iterable", "map", "client"])
def test_datasets_and_clients_see_the_same_error(kind):
    with HostileServer("repeat_token") as server:
        config = S3ClientConfig(force_path_style=True)
        uri = "s3://bucket/data/"
        with pytest.raises(S3Exception) as raised:
            if kind == "iterable":
                list(
                    S3IterableDataset.from_prefix(
                        uri, region="us-east-1", endpoint=server.endpoint, s3client_config=config
                    )
                )
            elif kind == "map":
                len(S3MapDataset.from_prefix(uri, region="us-east-1", endpoint=server.endpoint, s3client_config=config))
            else:
                client = S3Client("us-east-1", endpoint=server.endpoint, s3client_config=config)
                list(client.list_objects("bucket", "data/"))
        assert raised.value.code == "InvalidResponse"
        assert server.list_requests == 2
