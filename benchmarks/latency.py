"""The benchmark suite where users are: every workload with S3's first-byte
latency added by a proxy on loopback (cpp/bench/latency_proxy.cpp), for this
library, Amazon's s3torchconnector 1.5.0 and boto3, in the same run.

    python -m benchmarks.latency                  # 0, 10 and 30 ms, quick sizes
    python -m benchmarks.latency --full --reps 3
    python -m benchmarks.latency --latencies 0,30 --sigma 0.5 --only W1,W4

(`./dev bench --latency` runs the first.) For every run the proxy reports the
requests, the serial round trips (times a request started with none
outstanding), the requests in flight (max and time-weighted mean) and its own
CPU. Writes latency.json, latency.md and latency.png under
benchmarks/results/<time>-latency/. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import data, environments
from .run import machine, run_one

ROOT = Path(__file__).resolve().parent.parent
PROXY = ROOT / "build" / "python" / "cpp" / "bench" / "latency_proxy"
MiB = 1024 * 1024


class LatencyProxy:
    """latency_proxy in front of ``upstream`` (http://host:port)."""

    def __init__(self, upstream: str) -> None:
        if not PROXY.exists():
            raise SystemExit(f"{PROXY} is missing: build the C++ tests first (./dev setup)")
        host_port = upstream.split("://", 1)[1].rstrip("/")
        self._process = subprocess.Popen(
            [str(PROXY), "--upstream", host_port], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.endpoint = f"http://127.0.0.1:{self._process.stdout.readline().split()[1]}"

    def _command(self, line: str) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return self._process.stdout.readline().strip()

    def set_delay(self, milliseconds: float, sigma: float) -> None:
        self._command(f"delay {milliseconds} {sigma}")

    def reset(self) -> None:
        self._command("reset")

    def stats(self) -> dict[str, float]:
        stats: dict[str, float] = json.loads(self._command("stats"))
        return stats

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(10)


@dataclass
class Case:
    code: str
    label: str
    workload: str
    impls: list[str]
    metric: str
    unit: str
    params: dict[str, Any] = field(default_factory=dict)


def cases(small: dict[str, Any], big: dict[str, Any], checkpoint_bytes: int) -> list[Case]:
    three = ["ours", "reference", "boto3"]
    ckpt = {"bytes": checkpoint_bytes, "prefix": "bench/latency-ckpt/"}
    dcp = {"bytes": checkpoint_bytes, "prefix": "bench/latency-dcp/", "run": "latency"}
    return [
        Case("W1", "W1 iterable, small objects", "iterable", three + ["boto3_16"], "objects_per_s", "objects/s", small),
        Case("W2", "W2 map + DataLoader(4 workers)", "map", three, "objects_per_s", "objects/s", small),
        Case("W3", "W3 one big object, sequential reader", "big_read", three, "mib_per_s", "MiB/s", big),
        Case("W4", "W4 torch.save", "checkpoint", three, "save_mib_per_s", "MiB/s", dict(ckpt, phase="save")),
        Case("W4", "W4 torch.load", "checkpoint", three, "load_mib_per_s", "MiB/s", dict(ckpt, phase="load")),
        Case(
            "W5",
            "W5 DCP save, 2 ranks",
            "dcp",
            ["ours", "reference"],
            "save_mib_per_s",
            "MiB/s",
            dict(dcp, phase="save"),
        ),
        Case(
            "W5",
            "W5 DCP load, 2 ranks",
            "dcp",
            ["ours", "reference"],
            "load_mib_per_s",
            "MiB/s",
            dict(dcp, phase="load"),
        ),
    ]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarize(runs: list[dict[str, Any]]) -> dict[str, dict[str, dict[float, dict[str, float]]]]:
    """{label: {impl: {latency: {metric: median}}}}"""
    grouped: dict[str, dict[str, dict[float, dict[str, list[float]]]]] = {}
    for run in runs:
        slot = grouped.setdefault(run["label"], {}).setdefault(run["impl"], {}).setdefault(run["latency_ms"], {})
        for name, value in {**run["metrics"], **{f"proxy_{k}": v for k, v in run["proxy"].items()}}.items():
            slot.setdefault(name, []).append(value)
    return {
        label: {
            impl: {lat: {k: statistics.median(v) for k, v in metrics.items()} for lat, metrics in by_latency.items()}
            for impl, by_latency in impls.items()
        }
        for label, impls in grouped.items()
    }


def write_report(
    out: Path,
    runs: list[dict[str, Any]],
    selected: list[Case],
    latencies: list[float],
    sigma: float,
    reps: int,
    mode: str,
    info: dict[str, Any] | None = None,
) -> str:
    summary = summarize(runs)
    info = info or machine(mode)
    lines = [
        f"# Benchmarks under latency ({mode}, {reps} reps, medians)",
        "",
        f"{info['date']}, commit {info['commit']}, {info['cpu']}, {info['memory']}, Python {info['python']}.",
        f"First-byte latency added by `latency_proxy` on loopback: {', '.join(f'{x:g}' for x in latencies)} ms"
        + (f", lognormal sigma {sigma}" if sigma else ", fixed")
        + ".",
        "",
        "| workload | library | "
        + " | ".join(f"{x:g} ms" for x in latencies)
        + " | ours / ref | ours / boto3 | rounds | in flight (max / mean) | proxy CPU |",
        "|---|---|" + "---:|" * len(latencies) + "---:|---:|---|---|---:|",
    ]
    for case in selected:
        impls = summary.get(case.label, {})
        for impl in case.impls:
            by_latency = impls.get(impl, {})
            rates = [by_latency.get(lat, {}).get(case.metric) for lat in latencies]
            cells = [f"{r:,.0f}" if r is not None else "–" for r in rates]
            ratio_ref = ratio_boto = rounds = flight = cpu = ""
            if impl == "ours":

                def ratios(other: str) -> str:
                    theirs = impls.get(other, {})  # noqa: B023
                    parts = []
                    for lat, ours in zip(latencies, rates, strict=True):  # noqa: B023
                        ref = theirs.get(lat, {}).get(case.metric)  # noqa: B023
                        parts.append(f"{ours / ref:.2f}×" if ours and ref else "–")
                    return " / ".join(parts)

                ratio_ref, ratio_boto = ratios("reference"), ratios("boto3_16" if "boto3_16" in impls else "boto3")
            stats = [by_latency.get(lat, {}) for lat in latencies]
            rounds = " / ".join(f"{s.get('proxy_rounds', 0):.0f}" for s in stats)
            flight = " / ".join(
                f"{s.get('proxy_max_in_flight', 0):.0f}, {s.get('proxy_mean_in_flight', 0):.1f}" for s in stats
            )
            shares = [s.get("proxy_cpu_seconds", 0) / s["proxy_seconds"] for s in stats if s.get("proxy_seconds")]
            cpu = f"{max(shares) * 100:.0f} %" if shares else ""
            lines.append(
                f"| {case.label} | {impl} | "
                + " | ".join(cells)
                + f" | {ratio_ref} | {ratio_boto} | {rounds} | {flight} | {cpu} |"
            )
    lines += [
        "",
        "Ratios, rounds and in-flight counts are per latency, in the order of the columns. "
        "A round is a request that started with none outstanding: a workload's serial round trips "
        "(a download paused by read-window backpressure also starts one). Proxy CPU: the largest "
        "share of one core the proxy used in any run of that row.",
        "",
    ]
    text = "\n".join(lines)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latency.md").write_text(text)
    (out / "latency.json").write_text(
        json.dumps(
            {
                "machine": info,
                "latencies_ms": latencies,
                "sigma": sigma,
                "runs": runs,
                "summary": {
                    label: {impl: {str(k): v for k, v in lat.items()} for impl, lat in impls.items()}
                    for label, impls in summary.items()
                },
            },
            indent=1,
        )
    )
    plot(out / "latency.png", summary, selected, latencies)
    return text


def plot(path: Path, summary: dict[str, Any], selected: list[Case], latencies: list[float]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    columns = 4
    rows = (len(selected) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for ax, case in zip(axes.flat, selected, strict=False):
        for impl, by_latency in summary.get(case.label, {}).items():
            points = [
                (lat, by_latency[lat][case.metric])
                for lat in latencies
                if lat in by_latency and case.metric in by_latency[lat]
            ]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=impl)
        ax.set_title(case.label, fontsize=9)
        ax.set_xlabel("first-byte latency (ms)")
        ax.set_ylabel(case.unit)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(selected) :]:
        ax.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def merge(directories: list[Path], out: Path) -> int:
    """One report from earlier runs (same latencies): a workload in a later
    directory replaces the same workload in an earlier one. The header names
    every run's date and commit."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    loaded: list[dict[str, Any]] = []
    for directory in directories:
        result = json.loads((directory / "latency.json").read_text())
        loaded.append(result)
        fresh: dict[str, list[dict[str, Any]]] = {}
        for run in result["runs"]:
            fresh.setdefault(run["label"], []).append(run)
        by_label.update(fresh)
    runs = [run for label_runs in by_label.values() for run in label_runs]
    last = loaded[-1]
    info = dict(last["machine"])
    info["date"] = " and ".join(dict.fromkeys(result["machine"]["date"] for result in loaded))
    info["commit"] = " and ".join(dict.fromkeys(result["machine"]["commit"] for result in loaded))
    selected = [case for case in cases({}, {}, 0) if case.label in by_label]
    reps = max(run["rep"] for run in runs) + 1
    print(write_report(out, runs, selected, last["latencies_ms"], last["sigma"], reps, info.get("mode", "quick"), info))
    print(f"merged results in {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.latency", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="full sizes (4,096 small objects, 1 GiB objects)")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--latencies", default="0,10,30", help="milliseconds, comma-separated")
    parser.add_argument("--sigma", type=float, default=0.0, help="lognormal sigma of the delay (0: fixed)")
    parser.add_argument("--only", default="", help="comma-separated codes: W1,W2,W3,W4,W5")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        default=None,
        metavar="RESULTS_DIR",
        help="no runs: one report from earlier results; a workload in a later "
        "directory replaces the same workload in an earlier one",
    )
    args = parser.parse_args(argv)
    if args.merge:
        return merge(args.merge, args.out or args.merge[-1].with_name(args.merge[-1].name + "-merged"))

    from s3torchconnector.localserver import SUITE_ROOM, s3_target

    latencies = [float(x) for x in args.latencies.split(",")]
    mode = "full" if args.full else "quick"
    count, big_size = (4096, 1024 * MiB) if args.full else (1024, 256 * MiB)
    out = args.out or ROOT / "benchmarks" / "results" / (time.strftime("%Y%m%d-%H%M%S") + "-latency")
    pythons = {"ours": environments.ours(), "reference": environments.reference()}
    pythons["boto3"] = pythons["boto3_16"] = pythons["reference"]
    runs: list[dict[str, Any]] = []
    with s3_target(room=SUITE_ROOM) as target:
        print(f"preparing data on {target.endpoint} ...", flush=True)
        small = data.small_objects(target, count, 100 * 1024)
        big = data.big_object(target, big_size)
        selected = [c for c in cases(small, big, big_size) if not args.only or c.code in args.only.split(",")]
        proxy = LatencyProxy(target.endpoint)
        env = dict(os.environ, **dict(target.env(), S3CONN_ENDPOINT=proxy.endpoint))
        try:
            for rep in range(args.reps):
                for latency in latencies:
                    proxy.set_delay(latency, args.sigma)
                    for case in selected:
                        impls = case.impls[rep % len(case.impls) :] + case.impls[: rep % len(case.impls)]
                        for impl in impls:
                            proxy.reset()
                            started = time.monotonic()
                            metrics = run_one(pythons[impl], case, impl, env, timeout=1800)  # type: ignore[arg-type]
                            stats = proxy.stats()
                            runs.append(
                                {
                                    "label": case.label,
                                    "impl": impl,
                                    "rep": rep,
                                    "latency_ms": latency,
                                    "metrics": metrics,
                                    "proxy": stats,
                                }
                            )
                            print(
                                f"{latency:g} ms  {case.label:<38} {impl:<9} "
                                f"{metrics.get(case.metric, 0):>10,.0f} {case.unit:<9} rounds {stats['rounds']:>4}"
                                f"  in flight ≤ {stats['max_in_flight']:>3}  ({time.monotonic() - started:.0f} s)",
                                flush=True,
                            )
        finally:
            proxy.close()
    print(write_report(out, runs, selected, latencies, args.sigma, args.reps, mode))
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
