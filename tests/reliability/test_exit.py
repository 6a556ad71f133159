"""Interpreter exit with requests in flight on other threads ends with the
program's own status, never an abort; an unclosed writer leaves no object."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ..faultproxy import Fault
from ..support import PART_SIZE

PROGRAM = textwrap.dedent(
    """
    import atexit, os, sys, threading, time
    from s3torchconnector import S3ClientConfig
    from s3torchconnector._s3client import S3Client

    endpoint, region, bucket, prefix = sys.argv[1:5]
    client = S3Client(region, endpoint=endpoint,
                      s3client_config=S3ClientConfig(force_path_style=True, part_size=5 * 1024 * 1024))
    with client.put_object(bucket, prefix + "big") as writer:
        writer.write(os.urandom(3 * 5 * 1024 * 1024))
    started = threading.Barrier(11)

    def forever(action):
        def run():
            started.wait()
            while True:
                try:
                    action()
                except Exception:
                    pass
        threading.Thread(target=run, daemon=True).start()

    for _ in range(3):
        forever(lambda: client.head_object(bucket, prefix + "big"))
        forever(lambda: client.get_object(bucket, prefix + "big").read(1000))
        forever(lambda: list(client.list_objects(bucket, prefix)))

    def unclosed_writer():
        writer = client.put_object(bucket, prefix + "unclosed")
        while True:
            writer.write(b"x" * 32768)
    forever(unclosed_writer)
    started.wait()
    # A request of the program's own at exit still works.
    atexit.register(lambda: print("atexit head:", client.head_object(bucket, prefix + "big").size, flush=True))
    time.sleep(1.0)
    sys.exit(3)
    """
)


# Fast requests, many threads: threads come back from native code all the
# time, so some do while the interpreter shuts down (before the fix, half of
# these runs aborted or crashed). A slow server keeps others inside requests.
@pytest.mark.parametrize("slow", [False, True], ids=["fast", "slow"])
@pytest.mark.parametrize("run", range(4))
def test_exit_with_requests_in_flight_keeps_the_programs_status(proxy, s3, prefix, run, slow, s3_client):
    endpoint = s3.endpoint
    if slow:
        proxy.inject(Fault.SLOW_FIRST_BYTE, count=-1, path_contains=prefix, delay=0.3)
        endpoint = proxy.endpoint
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, endpoint, s3.region, s3.bucket, prefix],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr[-3000:]
    for failure in ("terminate called", "Fatal Python error", "Segmentation fault", "leaked"):
        assert failure not in result.stderr, result.stderr[-3000:]
    assert f"atexit head: {3 * PART_SIZE}" in result.stdout
    proxy.clear()
    listed = [info.key for page in s3_client.list_objects(s3.bucket, prefix) for info in page.objects]
    assert prefix + "unclosed" not in listed
