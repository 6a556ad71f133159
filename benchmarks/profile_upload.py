"""Where the time of a checkpoint upload goes: client CPU, server CPU and the
machine's idle time, for this library, the reference and boto3.

    python -m benchmarks.profile_upload            # 1 GiB torch.save, 3 reps each
    python -m benchmarks.profile_upload --gib 0.25 --reps 1

Uploads (W4 save, W5 save) are the workloads where the ratio against the
reference stays near 1. This script shows why: with the server on the same
machine, the server's CPU per byte written bounds every client, and the
machine has no idle CPU left during the upload. The figures go into
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from . import environments

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
TICK = os.sysconf("SC_CLK_TCK")

# Runs in the client's interpreter: one torch.save of `size` bytes.
CHILD = r"""
import io, json, os, resource, sys, time, torch
impl, size, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
endpoint, region, bucket = (os.environ[k] for k in ("S3CONN_ENDPOINT", "S3CONN_REGION", "S3CONN_BUCKET"))
state = {f"t{i}": torch.rand(size // 16 // 4, generator=torch.Generator().manual_seed(i)) for i in range(16)}
if impl == "boto3":
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region,
                      config=Config(s3={"addressing_style": "path"}, max_pool_connections=64))
    def save():
        buffer = io.BytesIO(); torch.save(state, buffer); buffer.seek(0)
        s3.upload_fileobj(buffer, bucket, key)
else:
    from s3torchconnector import S3Checkpoint, S3ClientConfig
    checkpoint = S3Checkpoint(region, endpoint, S3ClientConfig(force_path_style=True))
    def save():
        with checkpoint.writer(f"s3://{bucket}/{key}") as writer:
            torch.save(state, writer)
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
print("READY", flush=True)
sys.stdin.readline()  # the parent samples the server's CPU, then lets us go
c0, t0 = cpu(), time.perf_counter()
save()
print("RESULT " + json.dumps({"seconds": time.perf_counter() - t0, "client_cpu": cpu() - c0}), flush=True)
"""


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and its reaped children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICK


def machine_idle() -> float:
    """Idle CPU seconds of the whole machine so far (all cores)."""
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()
    return (int(cpu[4]) + int(cpu[5])) / TICK


def upload_once(python: str, impl: str, size: int, server_pid: int, env: Dict[str, str]) -> Dict[str, float]:
    child = subprocess.Popen([python, "-c", CHILD, impl, str(size), f"profile/{impl}.pt"], cwd=ROOT, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    if child.stdout.readline().strip() != "READY":
        raise RuntimeError(f"{impl}: the client did not start")
    server0, idle0 = process_cpu(server_pid), machine_idle()
    child.stdin.write("go\n")
    child.stdin.flush()
    line = child.stdout.readline()
    server1, idle1 = process_cpu(server_pid), machine_idle()
    child.wait(timeout=600)
    if not line.startswith("RESULT "):
        raise RuntimeError(f"{impl}: the upload failed (exit {child.returncode})")
    r = json.loads(line[len("RESULT "):])
    seconds = r["seconds"]
    return {
        "mib_per_s": size / MiB / seconds,
        "seconds": seconds,
        "client_cpu": r["client_cpu"],
        "server_cpu": server1 - server0,
        # Sampled around the whole child, so a slight overestimate of the upload's share.
        "idle_fraction": (idle1 - idle0) / (seconds * (os.cpu_count() or 1)),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_upload", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args(argv)

    from s3torchconnector.localserver.seaweedfs import SeaweedFS

    size = int(args.gib * 1024 * MiB)
    pythons = {"ours": environments.ours()}
    if not args.no_reference:
        pythons["reference"] = pythons["boto3"] = environments.reference()
    rows: Dict[str, List[Dict[str, float]]] = {impl: [] for impl in pythons}
    with SeaweedFS() as server:
        assert server.pid is not None
        env = dict(os.environ, **server.target.env())
        for _ in range(args.reps):
            for impl, python in pythons.items():
                rows[impl].append(upload_once(python, impl, size, server.pid, env))
    cores = os.cpu_count() or 1
    print(f"torch.save of {size / MiB:.0f} MiB, medians of {args.reps}, {cores} cores, server on this machine\n")
    print("| client | MiB/s | wall s | client CPU s | server CPU s | machine idle |")
    print("|---|---:|---:|---:|---:|---:|")
    for impl, runs in rows.items():
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"| {impl} | {m['mib_per_s']:.0f} | {m['seconds']:.2f} | {m['client_cpu']:.2f} | "
              f"{m['server_cpu']:.2f} | {m['idle_fraction']:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
