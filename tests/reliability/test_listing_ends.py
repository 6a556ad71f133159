"""A listing always ends: a server whose pagination never would (the same
continuation token again, a truncated page without one) raises S3Exception
after a bounded number of requests, through the native paginator, the
client's pages and the datasets; a listing over key ranges gets every key
once from a server that cannot be listed so, and stops at once on an error
or Ctrl-C."""

from __future__ import annotations

import time

import pytest

from s3torchconnector import S3ClientConfig, S3Exception, S3IterableDataset, S3MapDataset
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3conn import Client

from ..support import ctrl_c_after
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


@pytest.mark.parametrize("role", ["no_start_after", "unsorted"])
def test_a_listing_that_cannot_be_cut_into_ranges_is_listed_page_by_page(role):
    # A server that ignores start-after, or keeps keys in an order of its own,
    # gets every key once: listed again page by page, in its own order.
    with HostileServer(role) as server:
        client = Client("us-east-1", endpoint=server.endpoint)
        page_by_page = [o.key for page in client.list_pages("bucket") for o in page.objects]
        requests_before = server.list_requests
        listed = [o.key for o in client.list_all_objects("bucket")]
        assert listed == page_by_page
        assert sorted(listed) == [f"k-{i:05d}" for i in range(HostileServer.LISTED)]
        # The first page, the ranges it was cut into (one page each, all
        # abandoned at their first out-of-order key), then the 3 pages again.
        assert server.list_requests - requests_before <= 1 + 16 + 3


def test_ctrl_c_stops_a_listing_over_key_ranges_at_once():
    # The first page is cut into ranges, listed by threads of the listing's
    # own, whose requests are never answered: Ctrl-C reaches the caller and
    # cancels them all.
    with HostileServer("stalled_ranges") as server:
        client = Client("us-east-1", endpoint=server.endpoint, max_attempts=1)
        with ctrl_c_after(0.5) as start, pytest.raises(KeyboardInterrupt):
            client.list_all_objects("bucket")
        assert time.monotonic() - start < 2.5
        assert server.list_requests > 2  # it had cut the listing into ranges


def test_an_error_in_one_range_stops_the_others_and_reaches_the_caller():
    with HostileServer("denied_ranges") as server:
        client = Client("us-east-1", endpoint=server.endpoint, max_attempts=1)
        start = time.monotonic()
        with pytest.raises(S3Exception) as raised:
            client.list_all_objects("bucket")
        assert raised.value.code == "AccessDenied" and raised.value.operation == "ListObjectsV2"
        assert time.monotonic() - start < 5  # the unanswered requests were cancelled
