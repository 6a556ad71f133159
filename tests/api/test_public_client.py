"""S3Client as users' own code uses it (exported beyond the reference): upload
a dataset, list it, read it back, copy and delete, with only the public names."""

from __future__ import annotations

import pickle

import pytest

import s3torchconnector
from s3torchconnector import S3Client, S3ClientConfig, S3NotFoundError


def test_upload_list_read_copy_delete(s3, prefix):
    assert "S3Client" in s3torchconnector.__all__
    client = S3Client(s3.region, endpoint=s3.endpoint, s3client_config=S3ClientConfig(force_path_style=True))
    payloads = {f"{prefix}train/{i:03d}.bin": bytes([i]) * (1000 + i) for i in range(5)}
    for key, data in payloads.items():
        with client.put_object(s3.bucket, key) as writer:
            writer.write(data)

    listed = [info for page in client.list_objects(s3.bucket, prefix + "train/") for info in page.objects]
    assert [info.key for info in listed] == sorted(payloads)
    assert [info.size for info in listed] == [len(payloads[k]) for k in sorted(payloads)]

    readers = client.get_objects([(s3.bucket, info.key, info) for info in listed])
    assert {reader.key: reader.read() for reader in readers} == payloads

    first = sorted(payloads)[0]
    client.copy_object(s3.bucket, first, s3.bucket, prefix + "copy")
    assert client.head_object(s3.bucket, prefix + "copy").size == len(payloads[first])
    client.delete_object(s3.bucket, prefix + "copy")
    with pytest.raises(S3NotFoundError):
        client.head_object(s3.bucket, prefix + "copy")

    # A worker gets its configuration, and makes its own connection.
    clone = pickle.loads(pickle.dumps(client))
    assert clone.get_object(s3.bucket, first).read() == payloads[first]
    assert client.metrics()["requests"]["PutObject"] == len(payloads)
