"""`./dev compat [SERVER...]`: installs each server by package name, starts
it on loopback, runs the compatibility suite against it, tears it down, and
prints the matrix (with --docs, also into docs/guide/endpoints.md).

Exits non-zero when a check fails that no limit declares, or a declared
limit no longer holds."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .limits import SERVER_VAR, limits_of
from .servers import SERVERS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "guide" / "endpoints.md"
START, END = "<!-- compat-matrix:start -->", "<!-- compat-matrix:end -->"


@dataclass
class Outcome:
    server: str
    version: str = "?"
    source: str = ""
    install_s: float = 0.0
    ready_s: float = 0.0
    suite_s: float = 0.0
    passed: int = 0
    declared: int = 0  # failed as a declared limit says
    failed: list[str] = field(default_factory=list)  # failures nothing declares
    error: str = ""  # the server did not install or start

    @property
    def total(self) -> int:
        return self.passed + self.declared + len(self.failed)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.error


def run_server(name: str, cache: Path, workdir: Path, pytest_args: list[str]) -> Outcome:
    server = SERVERS[name](cache, workdir)
    outcome = Outcome(name, source=server.source)
    started = time.monotonic()
    try:
        server.install()
        outcome.install_s = time.monotonic() - started
        outcome.version = server.version()
        started = time.monotonic()
        with server as target:
            outcome.ready_s = time.monotonic() - started
            print(f"== {name} {outcome.version}: ready in {outcome.ready_s:.1f} s at {target.endpoint}", flush=True)
            report = server.workdir / "report.xml"
            env = dict(os.environ, **target.env(), **{SERVER_VAR: name})
            started = time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    str(ROOT / "tests" / "compat"),
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    f"--junitxml={report}",
                    *pytest_args,
                ],
                env=env,
                cwd=ROOT,
            )
            outcome.suite_s = time.monotonic() - started
            _count(report, outcome)
    except Exception as error:  # noqa: BLE001 - reported in the matrix, and by the exit status
        outcome.error = f"{type(error).__name__}: {error}"
        print(f"== {name}: {outcome.error}", file=sys.stderr)
    return outcome


def _count(report: Path, outcome: Outcome) -> None:
    for case in ET.parse(report).iter("testcase"):
        name = f"{case.get('classname', '').split('.')[-1]}.py::{case.get('name')}"
        skipped = case.find("skipped")
        if skipped is not None and skipped.get("type") == "pytest.xfail":
            outcome.declared += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            outcome.failed.append(name)  # a strict xfail that passed lands here too
        elif skipped is None:
            outcome.passed += 1


def matrix(outcomes: list[Outcome]) -> str:
    lines = [
        "| server | version | installed from | ready in | checks passed | declared limits | not declared |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for o in outcomes:
        if o.error:
            lines.append(
                f"| {o.server} | {o.version} | {o.source} | – | did not start | – | {o.error.splitlines()[0]} |"
            )
            continue
        lines.append(
            f"| {o.server} | {o.version} | {o.source} | {o.ready_s:.1f} s | {o.passed}/{o.total} | "
            f"{o.declared} | {', '.join(f'`{f}`' for f in o.failed) or 'none'} |"
        )
    declared = [(o.server, check, reason) for o in outcomes for check, reason in limits_of(o.server).items()]
    if declared:
        lines += ["", "Declared limits:", ""]
        lines += [f"- **{server}**, `{check}`: {reason}" for server, check, reason in declared]
    return "\n".join(lines)


def write_docs(table: str) -> None:
    text = DOCS.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n{table}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev compat", description=__doc__.splitlines()[0])
    parser.add_argument("servers", nargs="*", help=f"some of {', '.join(SERVERS)} (default: all)")
    parser.add_argument("--docs", action="store_true", help="write the matrix into docs/guide/endpoints.md")
    parser.add_argument("--pytest", default="", help="extra pytest arguments, e.g. '-k listing'")
    args = parser.parse_args()
    unknown = [name for name in args.servers if name not in SERVERS]
    if unknown:
        parser.error(f"unknown server {', '.join(unknown)}: choose from {', '.join(SERVERS)}")
    cache, workdir = ROOT / ".cache" / "compat", ROOT / "build" / "compat"
    outcomes = [run_server(name, cache, workdir, args.pytest.split()) for name in args.servers or SERVERS]
    table = matrix(outcomes)
    (workdir / "matrix.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    (workdir / "matrix.md").write_text(table + "\n")
    print(table)
    if args.docs:
        write_docs(table)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
