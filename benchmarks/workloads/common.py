"""What every workload needs: the endpoint, timers, CPU and RSS probes."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Endpoint:
    url: str
    region: str
    bucket: str

    @classmethod
    def from_env(cls) -> Endpoint:
        return cls(os.environ["S3CONN_ENDPOINT"], os.environ["S3CONN_REGION"], os.environ["S3CONN_BUCKET"])


def client_config() -> Any:
    """S3ClientConfig for the local server, from whichever s3torchconnector is installed."""
    from s3torchconnector import S3ClientConfig

    return S3ClientConfig(force_path_style=True)


def boto3_client() -> Any:
    import boto3
    from botocore.config import Config

    endpoint = Endpoint.from_env()
    return boto3.client(
        "s3",
        endpoint_url=endpoint.url,
        region_name=endpoint.region,
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=64),
    )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples this process's RSS every 2 ms; ``growth`` is peak minus start."""

    def __init__(self) -> None:
        self.start = rss_bytes()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.002)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


# Set by benchmarks.profile_cpu: the server's PID, so that every timed window
# also records where the machine's CPU went (this process, its children, the
# server, idle). The windows are printed by the worker as a PROFILE line.
_SERVER_PID = os.environ.get("S3CONN_BENCH_SERVER_PID")
WINDOWS: list[dict[str, float]] = []


def _cpu_split() -> dict[str, float]:
    tick = os.sysconf("SC_CLK_TCK")
    assert _SERVER_PID is not None
    server = Path(f"/proc/{_SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
    machine = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "client_cpu": cpu_seconds() + children.ru_utime + children.ru_stime,
        "server_cpu": sum(int(x) for x in server[11:15]) / tick,
        "idle_cpu": (int(machine[4]) + int(machine[5])) / tick,
    }


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    split = _cpu_split() if _SERVER_PID else None
    cpu, start = cpu_seconds(), time.perf_counter()
    result = action()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if split is not None:
        after = _cpu_split()
        WINDOWS.append(dict({k: after[k] - split[k] for k in split}, seconds=seconds))
    return result, seconds, cpu


def chunks(total: int, size: int) -> Iterator[int]:
    for at in range(0, total, size):
        yield min(size, total - at)


def result(**metrics: float) -> dict[str, float]:
    return dict(metrics)
