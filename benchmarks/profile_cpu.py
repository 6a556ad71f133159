"""Where the machine's CPU goes during a workload: this client (with its
DataLoader workers), the S3 server, and what is left idle.

    python -m benchmarks.profile_cpu                      # W1, W2, W4 and the limits, 3 reps
    python -m benchmarks.profile_cpu --only W4 --reps 1 --quick

The benchmarks run the server on the same machine as the clients. When the
machine has no idle CPU left and the server takes most of it, no client can
go faster: its ratio against another client is bounded by the server's cost
per object or per byte. This script measures that split for each client,
inside the same timed window the benchmark reports. docs/benchmarks.md holds
its output.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import data, environments

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
GiB = 1024 * MiB

# (code, label of each timed window, workload, implementations, unit of the rate)
Case = tuple[str, list[str], str, list[str], str]
CASES: list[Case] = [
    ("W1", ["W1 iterable"], "iterable", ["ours", "reference", "boto3"], "objects"),
    ("W2", ["W2 map, 4 workers"], "map", ["ours", "reference", "boto3"], "objects"),
    ("W3", ["W3 big object"], "big_read", ["ours", "reference", "boto3"], "MiB"),
    ("W4", ["W4 torch.save", "W4 torch.load"], "checkpoint", ["ours", "reference", "boto3"], "MiB"),
    ("limit", ["limit: small objects"], "limit_small", ["ours"], "objects"),
    ("limit", ["limit: uploads, 1 stream", "limit: uploads, 4 streams"], "limit_upload", ["ours"], "MiB"),
]


def run_worker(
    python: str, workload: str, impl: str, params: dict[str, Any], env: dict[str, str]
) -> list[dict[str, float]]:
    completed = subprocess.run(
        [python, "-m", "benchmarks.worker", workload, impl, json.dumps(params)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("PROFILE "):
            windows: list[dict[str, float]] = json.loads(line[len("PROFILE ") :])
            return windows
    raise RuntimeError(f"{workload}/{impl} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}")


def pick(labels: list[str], windows: list[dict[str, float]]) -> list[dict[str, float]]:
    """The windows that match the labels: the fastest of a workload that tries
    several settings (limit: small objects), or the first and last rounds
    (limit: uploads, 1 and 4 streams)."""
    if len(labels) == 1:
        return [min(windows, key=lambda w: w["seconds"])]
    return windows if len(windows) == len(labels) else [windows[0], windows[-1]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_cpu",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="1,024 small objects, 256 MiB objects")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated codes: W1,W2,W3,W4,limit")
    args = parser.parse_args(argv)

    from s3torchconnector.localserver.seaweedfs import SeaweedFS

    count, big = (1024, 256 * MiB) if args.quick else (4096, GiB)
    reference = environments.reference()
    pythons = {"ours": environments.ours(), "reference": reference, "boto3": reference}
    cases = [c for c in CASES if not args.only or c[0] in args.only.split(",")]
    windows: dict[tuple[str, str], list[dict[str, float]]] = {}
    units: dict[str, tuple[float, str]] = {}  # label -> (units per window, unit name)
    with SeaweedFS() as server:
        assert server.pid is not None
        target = server.target
        os.environ.update(target.env())  # for the data preparation in this process
        env = dict(os.environ, S3CONN_BENCH_SERVER_PID=str(server.pid))
        small = data.small_objects(target, count, 100 * 1024)
        params = {
            "iterable": small,
            "map": small,
            "limit_small": small,
            "big_read": data.big_object(target, big),
            "checkpoint": {"bytes": big, "prefix": "profile/ckpt/"},
            "limit_upload": {"bytes": big},
        }
        for _ in range(args.reps):
            for _code, labels, workload, impls, unit in cases:
                for impl in impls:
                    got = run_worker(pythons[impl], workload, impl, params[workload], env)
                    for label, window in zip(labels, pick(labels, got), strict=True):
                        windows.setdefault((label, impl), []).append(window)
                        units[label] = (count, "obj") if unit == "objects" else (big / MiB, "MiB")

    cores = os.cpu_count() or 1
    print(f"CPU split inside each timed window, medians of {args.reps}, {cores} cores, server on the same machine\n")
    print("| window | client | rate | client CPU s | server CPU s | idle | server CPU per unit |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (label, impl), runs in windows.items():
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        amount, unit = units[label]
        rate = amount / m["seconds"]
        per_unit = m["server_cpu"] / amount * 1000
        print(
            f"| {label} | {impl} | {rate:,.0f} {unit}/s | {m['client_cpu']:.2f} | {m['server_cpu']:.2f} | "
            f"{m['idle_cpu'] / (m['seconds'] * cores):.0%} | {per_unit:.2f} ms/{unit} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
