"""Runs the benchmark suite: this library, Amazon's s3torchconnector 1.5.0 and
boto3, alternately, on one local S3 server.

    python -m benchmarks.run --quick        # under 5 minutes: smaller data
    python -m benchmarks.run                # full size (W1: 4,096 x 100 KiB, 1 GiB objects)
    python -m benchmarks.run --only W1,W3 --reps 5

Writes results.json, results.md and targets.png under benchmarks/results/<time>/
(or --out). Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import data, environments, report

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass
class Case:
    code: str  # W1..W7, or "limit"
    label: str
    workload: str
    impls: list[str]
    params: dict[str, Any] = field(default_factory=dict)


def cases(sizes: dict[str, int], small: dict[str, Any], big: dict[str, Any]) -> list[Case]:
    all_three = ["ours", "reference", "boto3"]
    return [
        Case("W1", "W1 iterable, small objects", "iterable", all_three, small),
        Case("W2", "W2 map + DataLoader(4 workers)", "map", all_three, small),
        Case("W3", "W3 one big object, sequential reader", "big_read", all_three, big),
        Case("W3", "W3 one big object, streaming reader", "big_read", ["ours"], dict(big, streaming=True)),
        Case("W4", "W4 torch.save", "checkpoint", all_three, {"bytes": sizes["checkpoint"], "prefix": "bench/ckpt/"}),
        Case("W5", "W5 DCP", "dcp", ["ours", "reference"], {"bytes": sizes["dcp"], "prefix": "bench/dcp/"}),
        Case("limit", "limit: small objects", "limit_small", ["ours"], small),
        Case("limit", "limit: one big object", "limit_big", ["ours"], big),
        Case("limit", "limit: uploads (1-4 in parallel)", "limit_upload", ["ours"], {"bytes": sizes["checkpoint"]}),
    ]


# A workload can report several rows (W4 save and load, W5, W6/W7 from W3).
SPLITS = {
    "W4 torch.save": [
        ("W4 torch.save", ["save_seconds", "save_mib_per_s"]),
        ("W4 torch.load", ["load_seconds", "load_mib_per_s"]),
    ],
    "W5 DCP": [
        ("W5 DCP save, 2 ranks", ["save_seconds", "save_mib_per_s"]),
        ("W5 DCP load, 2 ranks", ["load_seconds", "load_mib_per_s"]),
    ],
}


def machine(mode: str) -> dict[str, str]:
    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": sh("git", "rev-parse", "--short", "HEAD"),
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


CPP_BENCH = ROOT / "build" / "python" / "cpp" / "bench" / "bench_s3conn"


def run_cpp(small: dict[str, Any], big: dict[str, Any], env: dict[str, str]) -> dict[str, dict[str, float]]:
    """libs3conn alone (bench_s3conn): rows of the limit."""
    completed = subprocess.run(
        [str(CPP_BENCH), small["prefix"], big["key"]], env=env, capture_output=True, text=True, timeout=1800, check=True
    )
    r = json.loads(completed.stdout.strip().splitlines()[-1])
    return {
        "limit: small objects, C++ (16 streams, 1 thread)": {"objects_per_s": r["small_pipelined_objects_per_s"]},
        "limit: small objects, C++ (16 threads)": {"objects_per_s": r["small_threads_objects_per_s"]},
        "limit: one big object, C++ (into memory)": {"mib_per_s": r["big_into_mib_per_s"]},
        "limit: one big object, C++ (streamed)": {"mib_per_s": r["big_stream_mib_per_s"]},
    }


def run_one(python: str, case: Case, impl: str, env: dict[str, str], timeout: float) -> dict[str, float]:
    command = [python, "-m", "benchmarks.worker", case.workload, impl, json.dumps(case.params)]
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            metrics: dict[str, float] = json.loads(line[len("RESULT ") :])
            return metrics
    raise RuntimeError(
        f"{case.label} / {impl} failed (exit {completed.returncode}):\n"
        f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller data, finishes in under 5 minutes")
    parser.add_argument("--reps", type=int, default=3, help="runs per (workload, library); medians are reported")
    parser.add_argument("--only", default="", help="comma-separated codes: W1,W2,W3,W4,W5,limit")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-reference", action="store_true", help="skip the reference and boto3 (no virtualenv)")
    args = parser.parse_args(argv)

    from tqdm import tqdm

    from s3torchconnector.localserver import SUITE_ROOM, s3_target

    mode = "quick" if args.quick else "full"
    sizes = (
        {"count": 1024, "big": 256 * MiB, "checkpoint": 256 * MiB, "dcp": 256 * MiB}
        if args.quick
        else {"count": 4096, "big": GiB, "checkpoint": GiB, "dcp": GiB}
    )
    out = args.out or ROOT / "benchmarks" / "results" / time.strftime("%Y%m%d-%H%M%S")
    pythons = {"ours": environments.ours()}
    if not args.no_reference:
        pythons["reference"] = pythons["boto3"] = environments.reference()

    with s3_target(room=SUITE_ROOM) as target:
        print(f"preparing data on {target.endpoint or 'AWS'} ...", flush=True)
        small = data.small_objects(target, sizes["count"], 100 * 1024)
        big = data.big_object(target, sizes["big"])
        selected = [c for c in cases(sizes, small, big) if not args.only or c.code in args.only.split(",")]
        env = dict(os.environ, **target.env())
        plan = [
            (rep, case, impl) for rep in range(args.reps) for case in selected for impl in case.impls if impl in pythons
        ]
        runs: list[dict[str, Any]] = []
        with tqdm(total=len(plan), unit="run") as progress:
            for rep in range(args.reps):
                for case in selected:
                    impls = [i for i in case.impls if i in pythons]
                    # Alternate which library goes first, so that neither always meets a warm server.
                    shift = rep % len(impls)
                    for impl in impls[shift:] + impls[:shift]:
                        progress.set_description(f"{case.label[:28]} / {impl}")
                        metrics = run_one(pythons[impl], case, impl, env, timeout=1800)
                        for label, keys in SPLITS.get(case.label, [(case.label, list(metrics))]):
                            runs.append(
                                {
                                    "label": label,
                                    "impl": impl,
                                    "rep": rep,
                                    "metrics": {k: metrics[k] for k in keys if k in metrics},
                                }
                            )
                        if case.workload == "big_read" and not case.params.get("streaming"):
                            runs.append(
                                {
                                    "label": "W7 CPU per GiB read",
                                    "impl": impl,
                                    "rep": rep,
                                    "metrics": {"cpu_seconds_per_gib": metrics["cpu_seconds_per_gib"]},
                                }
                            )
                        if case.workload == "big_read":
                            label = "W6 peak RSS growth, big object"
                            if case.params.get("streaming") or impl != "ours":
                                runs.append(
                                    {
                                        "label": label,
                                        "impl": impl,
                                        "rep": rep,
                                        "metrics": {"rss_growth_mib": metrics["rss_growth_mib"]},
                                    }
                                )
                        progress.update()
        if CPP_BENCH.exists() and (not args.only or "limit" in args.only.split(",")):
            print("libs3conn alone (bench_s3conn) ...", flush=True)
            for label, metrics in run_cpp(small, big, env).items():
                runs.append({"label": label, "impl": "ours", "rep": 0, "metrics": metrics})
    text = report.write(out, runs, machine(mode), args.reps, mode)
    print(text)
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
