"""Smoke test of an installed wheel's native module, for Pythons without
torch: a round trip through libs3conn against S3CONN_ENDPOINT / S3CONN_BUCKET.

The package itself imports torch, so the extension is loaded from the
installed files directly; everything it does goes through the wheel's code.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import sysconfig
from pathlib import Path


def load_native_module():  # type: ignore[no-untyped-def]
    package = Path(sysconfig.get_paths()["platlib"]) / "s3torchconnector"
    (path,) = package.glob("_s3conn*.so")
    loader = importlib.machinery.ExtensionFileLoader("s3torchconnector._s3conn", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module, path


def main() -> int:
    native, path = load_native_module()
    endpoint, region, bucket = os.environ["S3CONN_ENDPOINT"], os.environ["S3CONN_REGION"], os.environ["S3CONN_BUCKET"]
    client = native.Client(region, endpoint=endpoint)
    prefix = f"wheel-smoke-native/{sys.version_info.major}.{sys.version_info.minor}/{os.getpid()}/"
    payloads = {f"{prefix}small": b"x" * 1000, f"{prefix}multipart": os.urandom(20 * 1024 * 1024 + 3)}
    for key, payload in payloads.items():
        writer = client.put_object(bucket, key)
        writer.write(payload)
        writer.close()
    for key, payload in payloads.items():
        assert b"".join(bytes(view) for view in client.get_object(bucket, key)) == payload, key
        assert client.head_object(bucket, key).size == len(payload)
    listed = sorted(info.key for info in client.list_objects(bucket, prefix=prefix).objects)
    assert listed == sorted(payloads), listed
    for key in payloads:
        client.delete_object(bucket, key)
    try:
        client.head_object(bucket, f"{prefix}small")
    except native.S3NotFoundError:
        pass
    else:
        raise AssertionError("a deleted object is still there")
    print(f"native smoke test passed on Python {sys.version.split()[0]}: {path.name}, {native.crt_version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
