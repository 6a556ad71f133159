"""Hundreds of random faults across object sizes and operations. Every read
returns exactly the right bytes or raises S3Exception; no write leaves a
partial or corrupt object; an object overwritten while it is read gives the
whole old version or "ObjectChanged", never a mix; nothing hangs.

S3CONN_FAULT_SOAK sets how many faults to inject (700 by default; a long
local soak: S3CONN_FAULT_SOAK=20000). Stalls are detected after 1 s here, not
2: what this test checks is the bytes, not the bound (test_network_bounds
checks that), and each stall costs a detection."""

from __future__ import annotations

import os
import random
import time
import warnings

import torch
import torch.distributed.checkpoint as dcp

from s3torchconnector._s3conn import Client, S3Exception

from ..faultproxy import Fault
from ..support import PART_SIZE, pattern
from .conftest import fast_client

FAULTS = int(os.environ.get("S3CONN_FAULT_SOAK", "700"))
SIZES = [0, 1, 1000, PART_SIZE - 1, PART_SIZE + 1, 2 * PART_SIZE + 5]
# Stalls cost a detection timeout each; keep them a small share of the run.
KINDS = [Fault.RESET_MID_BODY, Fault.TRUNCATE, Fault.ERROR_500, Fault.SLOW_DOWN_503, Fault.SLOW_FIRST_BYTE] * 4 + [
    Fault.STALL
]


def drain(client, bucket, key, **kwargs) -> bytes:
    return b"".join(bytes(c) for c in client.get_object(bucket, key, **kwargs))


def test_fault_soak(proxy, s3, prefix):
    rng = random.Random(20261124)
    objects = {}
    direct = fast_client(s3.endpoint, s3.region)
    for size in SIZES:
        key = f"{prefix}fixed-{size}"
        objects[key] = pattern(size, size % 251)
        stream = direct.put_object(s3.bucket, key)
        stream.write(objects[key])
        stream.close()

    # Overwritten while it is read, alternating between two versions.
    mutable_key = f"{prefix}mutable"
    versions = [pattern(3 * PART_SIZE + 5, 1), pattern(3 * PART_SIZE + 5, 2)]
    current = 0
    stream = direct.put_object(s3.bucket, mutable_key)
    stream.write(versions[current])
    stream.close()

    counts = {"read": 0, "ranged": 0, "into": 0, "write": 0, "list": 0, "overwrite": 0, "errors": 0, "changed": 0}
    verified_bytes = 0
    start_faults = proxy.stats.total_injected

    def clients() -> tuple[Client, Client]:
        # The second has a read window of one part: most of an object is
        # requested after the overwrite.
        return (
            fast_client(proxy.endpoint, s3.region, stall_timeout_seconds=1),
            fast_client(proxy.endpoint, s3.region, read_ahead_bytes=PART_SIZE, stall_timeout_seconds=1),
        )

    client, window_client = clients()
    iteration = 0
    deadline = time.monotonic() + 1500
    while proxy.stats.total_injected - start_faults < FAULTS:
        assert time.monotonic() < deadline, "the soak is too slow: something hangs"
        iteration += 1
        if iteration % 40 == 0:
            client, window_client = clients()  # a fresh retry budget
        fault = rng.choice(KINDS)
        operation = rng.choice(["read", "read", "ranged", "into", "write", "list", "overwrite"])
        methods = {"PUT", "POST"} if operation == "write" and not fault.needs_body else {"GET"}
        proxy.inject(fault, count=rng.randint(1, 3), methods=methods, path_contains=prefix, delay=0.05)
        key = rng.choice(list(objects))
        data = objects[key]
        counts[operation] += 1
        try:
            if operation == "read":
                hint = len(data) if rng.random() < 0.5 else None
                got = drain(client, s3.bucket, key, size_hint=hint)
                assert got == data, f"read of {key} returned wrong bytes"
                verified_bytes += len(got)
            elif operation == "ranged" and data:
                a = rng.randrange(len(data))
                b = rng.randrange(a, len(data)) + 1
                got = drain(client, s3.bucket, key, start=a, end=b)
                assert got == data[a:b], f"ranged read {a}-{b} of {key} returned wrong bytes"
                verified_bytes += len(got)
            elif operation == "into" and data:
                buffer = bytearray(len(data))
                assert client.get_object_into(s3.bucket, key, 0, buffer) == len(data)
                assert buffer == data, f"read into a buffer of {key} returned wrong bytes"
                verified_bytes += len(data)
            elif operation == "write":
                new_key = f"{prefix}written-{iteration}"
                payload = pattern(rng.choice(SIZES), iteration)
                stream = client.put_object(s3.bucket, new_key)
                try:
                    stream.write(payload)
                    stream.close()
                except S3Exception:
                    counts["errors"] += 1
                    proxy.clear()
                    time.sleep(0.05)  # the CRT aborts a failed multipart upload asynchronously
                    stored = s3.admin().get_object(s3.bucket, new_key)
                    assert stored is None, f"a failed upload left {new_key}"
                else:
                    proxy.clear()
                    assert s3.admin().get_object(s3.bucket, new_key) == payload, f"{new_key} is corrupt"
                    verified_bytes += len(payload)
            elif operation == "list":
                page = client.list_objects(s3.bucket, prefix=f"{prefix}fixed-")
                assert sorted(o.key for o in page.objects) == sorted(objects)
            elif operation == "overwrite":
                old = versions[current]
                reading = window_client.get_object(s3.bucket, mutable_key)
                got = bytearray(next(reading))
                current = 1 - current
                stream = direct.put_object(s3.bucket, mutable_key)
                stream.write(versions[current])
                stream.close()
                try:
                    for chunk in reading:
                        got += chunk
                except S3Exception as error:
                    assert bytes(got) == old[: len(got)], "a read mixed two versions"
                    if error.code != "ObjectChanged":
                        raise
                    counts["changed"] += 1
                else:
                    assert bytes(got) == old, "a read mixed two versions"
                    verified_bytes += len(got)
        except S3Exception:
            counts["errors"] += 1
        finally:
            proxy.clear()

    injected = proxy.stats.total_injected - start_faults
    print(
        f"\nfault soak: {injected} faults injected over {iteration} operations {counts}, "
        f"{verified_bytes} bytes verified; by kind: "
        + ", ".join(f"{k.value}={v}" for k, v in sorted(proxy.stats.injected.items(), key=lambda kv: kv[0].value))
    )
    assert injected >= FAULTS


def test_dcp_save_and_load_under_faults(proxy, s3, prefix, monkeypatch):
    """A DCP checkpoint written and read through the faulty proxy either loads
    exactly or fails to load; it never loads wrong."""
    from s3torchconnector import S3ClientConfig
    from s3torchconnector.dcp import S3StorageReader, S3StorageWriter

    monkeypatch.setenv("S3CONN_RETRY_BACKOFF_MS", "10")
    config = S3ClientConfig(force_path_style=True, part_size=PART_SIZE)
    torch.manual_seed(0)
    state = {f"w{i}": torch.randn(256, 1024) for i in range(6)}
    rng = random.Random(7)
    outcomes = {"loaded": 0, "refused": 0}
    for round_ in range(6):
        uri = f"s3://{s3.bucket}/{prefix}ckpt-{round_}"
        for fault in rng.sample([Fault.ERROR_500, Fault.SLOW_DOWN_503, Fault.RESET_MID_BODY, Fault.TRUNCATE], 2):
            methods = {"GET"} if fault.needs_body else None
            proxy.inject(fault, count=rng.randint(1, 4), methods=methods, path_contains=prefix)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                dcp.save(state, storage_writer=S3StorageWriter(s3.region, uri, config, endpoint=proxy.endpoint))
                target = {k: torch.zeros_like(v) for k, v in state.items()}
                dcp.load(target, storage_reader=S3StorageReader(s3.region, uri, config, endpoint=proxy.endpoint))
            except BaseException as error:  # DCP wraps failures in CheckpointException
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                outcomes["refused"] += 1
                continue
            finally:
                proxy.clear()
        assert all(torch.equal(state[k], target[k]) for k in state), "a checkpoint loaded wrong"
        outcomes["loaded"] += 1
    assert outcomes["loaded"] >= 1, outcomes
