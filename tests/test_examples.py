"""The examples a user copies from: they run against the local server and
print what they promise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_example(name: str, s3, uri: str, *options: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Runs examples/<name> on `uri` against the session's endpoint, as a user would."""
    command = [sys.executable, str(ROOT / "examples" / name), uri, "--region", s3.region, *options]
    if s3.endpoint:
        command += ["--endpoint", s3.endpoint]
    return subprocess.run(command, env=dict(os.environ, **s3.env()), capture_output=True, text=True, timeout=timeout)


def test_dataloader_metrics_example_prints_each_epochs_requests(s3, native_client, prefix):
    count = 24
    for i in range(count):
        stream = native_client.put_object(s3.bucket, f"{prefix}{i:03d}")
        stream.write(os.urandom(1000 + i))
        stream.close()
    completed = run_example(
        "dataloader_metrics.py", s3, f"s3://{s3.bucket}/{prefix}", "--epochs", "2", "--workers", "2"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = [line for line in completed.stdout.splitlines() if line.startswith("epoch ")]
    assert len(lines) == 2, completed.stdout
    expected_bytes = sum(1000 + i for i in range(count)) / 2**20
    for epoch, line in enumerate(lines):
        # Each epoch reads every object once (sharded over the workers), with
        # its counters reset in between.
        assert line.startswith(f"epoch {epoch}: {count} objects; "), line
        assert re.search(rf"\bGetObject {count}\b", line), line
        assert f"{expected_bytes:.1f} MiB down" in line, line
        assert "retries 0" in line and "errors 0" in line, line
        # The workers inherit the parent's listing: they list nothing.
        assert "ListObjectsV2" not in line, line
        assert re.search(rf"first byte [0-9.]+ ms mean over {count}\b", line), line


def test_common_mistakes_each_get_their_error(s3):
    completed = run_example("common_mistakes.py", s3, f"s3://{s3.bucket}/")
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    lines = completed.stdout.splitlines()
    assert len(lines) >= 27 and all(line.lstrip().startswith("ok") for line in lines), completed.stdout
    # Network mistakes name where they went and what to check.
    refused = next(line for line in lines if "closed port" in line)
    assert "at http://127.0.0.1:" in refused and "Hint:" in refused and ".." not in refused
    assert "no-such-host.invalid" in next(line for line in lines if "does not resolve" in line)
    assert completed.stderr == "", completed.stderr[-2000:]


def test_image_classifier_trains_through_both_datasets(s3, prefix):
    completed = run_example(
        "image_classifier.py", s3, f"s3://{s3.bucket}/{prefix}images/", "--images", "128", "--epochs", "2"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "S3MapDataset epoch 0",
        "S3MapDataset epoch 1",
        "S3IterableDataset epoch 0",
        "S3IterableDataset epoch 1",
    ]
    # Every image once per epoch through each dataset (sharded over 2 workers),
    # and the two colours are told apart by the end.
    assert all(" 128 images," in line for line in lines), lines
    assert float(lines[-1].rsplit("accuracy ", 1)[1]) > 0.9
    assert completed.stderr == "", completed.stderr[-3000:]


def test_ddp_ranks_killed_mid_save_resume_from_the_last_complete_checkpoint(s3, prefix):
    completed = run_example(
        "ddp_dcp_resume.py", s3, f"s3://{s3.bucket}/{prefix}", "--steps", "5", "--kill-at", "3", timeout=300
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr[-3000:]
    assert completed.stdout.splitlines() == [
        "rank 1 killed by signal SIGKILL",
        "complete checkpoints after the kill: steps [1, 2]",
        "resumed from step 2",
        "weights after step 5 equal an uninterrupted run's: True",
    ]
    # Only torch's own note that it stopped the surviving rank.
    noise = [line for line in completed.stderr.splitlines() if "Terminating process" not in line]
    assert noise == [], completed.stderr[-3000:]
