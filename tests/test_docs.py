"""The documentation's programs run as written: the quick start's Python
block, against the session's server, given only the variables that
`python -m s3torchconnector server` tells a user to export."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from s3torchconnector.localserver import S3Target
from s3torchconnector.localserver.__main__ import connection_lines

DOCS = Path(__file__).resolve().parent.parent / "docs"


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)


def exported(target: S3Target) -> dict[str, str]:
    pairs = (re.fullmatch(r"export (\w+)=(.*)", line) for line in connection_lines(target))
    return {match.group(1): match.group(2) for match in pairs if match}


def test_the_quick_start_runs_as_written(s3, tmp_path):
    [program] = python_blocks(DOCS / "guide" / "quickstart.md")
    script = tmp_path / "quickstart.py"
    script.write_text(program)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("S3CONN_", "AWS_"))}
    env.update(exported(s3))
    completed = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.splitlines() == ["64 samples", "64 samples", "checkpoint restored"]
    assert completed.stderr == "", completed.stderr[-3000:]


def test_the_version_policy_the_migration_page_states():
    import s3torchconnector

    page = (DOCS / "guide" / "migration.md").read_text()
    assert f'`"{s3torchconnector.__reference_version__}"`' in page
    assert s3torchconnector.__version__.startswith("0.")
