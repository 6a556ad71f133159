"""The benchmark suite's quick mode, once, as a smoke test: every workload of
every library runs and reports plausible numbers. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("S3CONN_SKIP_BENCH_SMOKE") == "1", reason="S3CONN_SKIP_BENCH_SMOKE=1")
def test_quick_benchmarks_run_end_to_end(s3, tmp_path):
    out = tmp_path / "bench"
    env = dict(os.environ, **s3.env())
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--reps", "1", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    medians = results["medians"]
    for label in (
        "W1 iterable, small objects",
        "W2 map + DataLoader(4 workers)",
        "W3 one big object, sequential reader",
        "W4 torch.save",
        "W4 torch.load",
    ):
        assert set(medians[label]) == {"ours", "reference", "boto3"}, label
        assert all(v > 0 for impl in medians[label].values() for v in impl.values()), label
    assert set(medians["W5 DCP save, 2 ranks"]) == {"ours", "reference"}
    assert medians["limit: small objects"]["ours"]["objects_per_s"] > 0
    assert {t["name"] for t in results["targets"]} >= {"W1", "W2", "W3", "W4 save", "W5 load", "W6", "W7"}
    assert all(t["measured"] is not None for t in results["targets"])
    text = (out / "results.md").read_text()
    assert "| W1 iterable, small objects | objects/s |" in text and "| target |" in text
    assert (out / "targets.png").stat().st_size > 10_000
