"""Endpoint forms seen from Python: access point ARNs in s3:// URIs, and the
FIPS and dual-stack options with their environment variables. (The host of
every form is checked in cpp/tests/test_aws_endpoints.cpp.)"""

from __future__ import annotations

import pytest

from s3torchconnector import S3ClientConfig
from s3torchconnector._s3client import S3Client
from s3torchconnector._s3dataset_common import parse_object_uri, parse_s3_uri

ARN = "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap"


@pytest.mark.parametrize(
    "uri, bucket, key",
    [
        (f"s3://{ARN}/images/0001.png", ARN, "images/0001.png"),
        (f"s3://{ARN}/", ARN, ""),
        (f"s3://{ARN}", ARN, ""),
        (
            "s3://arn:aws:s3:us-west-2:123456789012:accesspoint:ap2/k",
            "arn:aws:s3:us-west-2:123456789012:accesspoint:ap2",
            "k",
        ),
        ("s3://my-data--usw2-az1--x-s3/a/b", "my-data--usw2-az1--x-s3", "a/b"),
    ],
)
def test_uris_name_access_points_and_directory_buckets(uri, bucket, key):
    assert parse_s3_uri(uri) == (bucket, key)


def test_an_access_point_uri_without_a_key_names_no_object():
    with pytest.raises(ValueError, match="names a bucket, not an object"):
        parse_object_uri(f"s3://{ARN}/")


def test_a_malformed_access_point_arn_is_refused_before_any_request():
    client = S3Client("us-west-2")
    with pytest.raises(ValueError, match="the account is not 12 digits"):
        client.get_object("arn:aws:s3:us-west-2:1234:accesspoint/my-ap", "k").read()


def test_an_access_point_of_another_region_names_the_region_to_use():
    client = S3Client("us-east-1")
    with pytest.raises(ValueError, match="create the client with region 'us-west-2'"):
        client.get_object(ARN, "k").read()


def test_fips_and_dualstack_need_aws_endpoints(s3):
    for option in ("use_fips_endpoint", "use_dualstack_endpoint"):
        with pytest.raises(ValueError, match=f"{option} applies to AWS's endpoints only"):
            S3Client(s3.region, endpoint=s3.endpoint, s3client_config=S3ClientConfig(**{option: True}))
    with pytest.raises(ValueError, match="the aws-cn partition .* has no FIPS endpoints"):
        S3Client("cn-north-1", s3client_config=S3ClientConfig(use_fips_endpoint=True))


def test_the_environment_chooses_fips_and_dualstack_for_aws_endpoints_only(
    s3, monkeypatch, prefix, upload, client_config
):
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "TRUE")
    aws = S3Client("us-west-2")._client.resolved_config
    assert (aws["use_fips_endpoint"], aws["use_dualstack_endpoint"]) == (True, True)
    explicit = S3Client("us-west-2", s3client_config=S3ClientConfig(use_fips_endpoint=False))._client
    assert explicit.resolved_config["use_fips_endpoint"] is False
    # A local store in the same shell keeps working.
    upload(prefix + "env", b"still-local")
    local = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=client_config)
    assert local._client.resolved_config["use_fips_endpoint"] is False
    assert local.get_object(s3.bucket, prefix + "env").read() == b"still-local"
