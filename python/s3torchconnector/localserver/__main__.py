"""python -m s3torchconnector.localserver {run,serve}

  run -- CMD ...   start a server (unless S3CONN_BUCKET names one), run CMD with
                   S3CONN_ENDPOINT/S3CONN_REGION/S3CONN_BUCKET and credentials
                   in its environment, stop the server, exit with CMD's status
  serve            start a server and print how to connect, until Ctrl-C
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from .target import s3_target


def _run(command: list[str]) -> int:
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    with s3_target() as target:
        env = dict(os.environ, **target.env())
        return subprocess.call(command, env=env)


def _serve() -> int:
    with s3_target() as target:
        print("S3 endpoint ready. In another shell:\n")
        for name, value in target.env().items():
            print(f"  export {name}={value}")
        print(f"\n  endpoint={target.endpoint} region={target.region} bucket={target.bucket}")
        print("  e.g. S3MapDataset.from_prefix(f's3://{bucket}/', region=region, endpoint=endpoint,\n"
              "       s3client_config=S3ClientConfig(force_path_style=True))")
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
