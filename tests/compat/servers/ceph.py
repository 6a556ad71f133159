"""Ceph RGW (Debian's `radosgw`, `ceph-mon`, `ceph-osd`): the smallest real
cluster, one monitor and one OSD on memstore, no authentication inside the
cluster, and the gateway in front with one S3 user."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

from s3torchconnector.localserver import S3Target

from ._process import BUCKET, REGION, ServerError, apt_install, free_port, new_keys, run, wait_ready
from .base import Server

PACKAGES = ("ceph-mon", "ceph-osd", "radosgw")

CONFIG = """\
[global]
fsid = {fsid}
mon host = v1:127.0.0.1:{mon_port}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms bind msgr2 = false
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd crush update on start = false
osd class update on start = false
mon allow pool size one = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
run dir = {dir}/run
log file = {dir}/$name.log
admin socket = {dir}/run/$name.asok
mon data = {dir}/mon
osd data = {dir}/osd
keyring = {dir}/keyring
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw data = {dir}/rgw
"""


class CephServer(Server):
    name = "ceph"
    source = "Debian `radosgw`, `ceph-mon`, `ceph-osd`"

    def install(self) -> None:
        apt_install(PACKAGES, self.log)

    def start(self) -> S3Target:
        cluster = self.workdir / "cluster"
        shutil.rmtree(cluster, ignore_errors=True)
        for sub in ("run", "mon", "osd", "rgw"):
            (cluster / sub).mkdir(parents=True)
        fsid, osd_uuid = str(uuid.uuid4()), str(uuid.uuid4())
        mon_port, rgw_port = free_port(), free_port()
        conf = cluster / "ceph.conf"
        conf.write_text(CONFIG.format(fsid=fsid, mon_port=mon_port, rgw_port=rgw_port, dir=cluster))
        c = ["-c", str(conf)]
        run(
            [
                "monmaptool",
                "--create",
                "--add",
                "a",
                f"v1:127.0.0.1:{mon_port}",
                "--fsid",
                fsid,
                str(cluster / "monmap"),
            ],
            self.log,
        )
        run(
            [
                "ceph-authtool",
                "--create-keyring",
                str(cluster / "keyring"),
                "--gen-key",
                "-n",
                "mon.",
                "--cap",
                "mon",
                "allow *",
            ],
            self.log,
        )
        run(["ceph-mon", *c, "--mkfs", "-i", "a", "--monmap", str(cluster / "monmap")], self.log)
        # Daemons in the foreground (-f), so that the launcher owns them.
        self.daemons.start(["ceph-mon", *c, "-f", "-i", "a"])
        self._run_until_it_works(["ceph", *c, "--connect-timeout", "30", "osd", "new", osd_uuid])
        run(["ceph-osd", *c, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid], self.log)
        self.daemons.start(["ceph-osd", *c, "-f", "-i", "0"])
        self._run_until_it_works(["ceph", *c, "osd", "crush", "add", "osd.0", "1.0", "root=default"])
        self.daemons.start(["radosgw", *c, "-f", "-n", "client.rgw"])
        access, secret = new_keys()
        self._create_user(c, access, secret)
        target = S3Target(f"http://127.0.0.1:{rgw_port}", REGION, BUCKET, access, secret)
        wait_ready(target, self.daemons, timeout=90)
        return target

    def _create_user(self, c: list[str], access: str, secret: str) -> None:
        # radosgw-admin needs the gateway's pools, which the gateway creates
        # as it starts.
        self._run_until_it_works(
            [
                "radosgw-admin",
                *c,
                "user",
                "create",
                "--uid=compat",
                "--display-name=compat",
                f"--access-key={access}",
                f"--secret-key={secret}",
            ]
        )

    def _run_until_it_works(self, command: list[str], seconds: float = 90) -> None:
        """A set-up step that needs a daemon just started: tried again each
        second until it works. A busy machine is slow to start them (`ceph`
        said "problem getting command descriptions from mon" while a build
        ran beside it)."""
        deadline = time.monotonic() + seconds
        while True:
            self.daemons.check_alive()
            try:
                run(command, self.log)
                return
            except ServerError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def version(self) -> str:
        out = subprocess.run(["ceph", "--version"], capture_output=True, text=True).stdout.split()
        return out[2] if len(out) > 2 else "?"
