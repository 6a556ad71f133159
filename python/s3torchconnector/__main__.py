"""python -m s3torchconnector COMMAND

demo     start a local S3 server, write a dataset, read it back, print throughput
server   start a local S3 server for manual use and print how to connect

(The benchmarks live in the source checkout, not in the package: ./dev bench.)
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "demo":
        from ._demo import main as demo

        return demo(argv[1:])
    if command == "server":
        from .localserver.__main__ import main as server

        return server(["serve"])
    if command in ("-h", "--help"):
        print(__doc__)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
