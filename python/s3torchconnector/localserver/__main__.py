"""python -m s3torchconnector.localserver {run,serve}

run -- CMD ...   start a server (unless S3CONN_BUCKET names one), run CMD with
                 S3CONN_ENDPOINT/S3CONN_REGION/S3CONN_BUCKET and credentials
                 in its environment, stop the server, exit with CMD's status
serve            start a server and print how to connect, until Ctrl-C
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from .seaweedfs import SUITE_ROOM
from .target import S3Target, s3_target


def _run(command: list[str]) -> int:
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    with s3_target(room=SUITE_ROOM) as target:  # test suites and benchmarks
        env = dict(os.environ, **target.env())
        return subprocess.call(command, env=env)


def connection_lines(target: S3Target) -> list[str]:
    """What a user exports to reach `target`: the variables the library reads
    (as boto3 does), then the ones this project's tests, demo and benchmarks
    read."""
    library = {"AWS_ENDPOINT_URL_S3": target.endpoint, "AWS_REGION": target.region}
    own = target.env()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if name in own:
            library[name] = own.pop(name)
    lines = ["# read by s3torchconnector (and boto3, the AWS CLI):"]
    lines += [f"export {name}={value}" for name, value in library.items() if value]
    lines += ["# read by this project's tests, demo and benchmarks:"]
    lines += [f"export {name}={value}" for name, value in own.items() if value]
    return lines


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve() -> int:
    # Ctrl-C (SIGINT) and kill (SIGTERM) both stop the server and remove its
    # data, also when started with SIGINT ignored, as a script's background
    # job is: Python then leaves SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop)
    with s3_target() as target:
        print("S3 endpoint ready. In another shell:\n")
        for line in connection_lines(target):
            print(f"  {line}")
        print(
            f"\n  then, e.g.: S3MapDataset.from_prefix('s3://{target.bucket}/', region='{target.region}')\n"
            "  (the endpoint comes from AWS_ENDPOINT_URL_S3; path-style addressing is\n"
            "  automatic for localhost and IP endpoints)"
        )
        print("\nCtrl-C stops the server.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "run":
        return _run(argv[1:])
    if argv and argv[0] == "serve":
        return _serve()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
