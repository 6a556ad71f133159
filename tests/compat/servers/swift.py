"""OpenStack Swift with its s3api middleware (Debian's `swift-*` packages):
one account, container and object server on one device, one replica, a
proxy with tempauth and memcached, all configured in a folder of their own."""

from __future__ import annotations

import shutil
import subprocess

from s3torchconnector.localserver import S3Target

from ._process import BUCKET, REGION, apt_install, free_port, run, wait_ready
from .base import Server

# s3api keeps its state in memcached: "Memcache required" without it.
PACKAGES = ("swift-proxy", "swift-account", "swift-container", "swift-object", "python3-swift", "memcached")
# tempauth's user test:tester; s3api takes "account:user" as the access key.
ACCESS_KEY, SECRET_KEY = "test:tester", "testing"

SWIFT_CONF = """\
[swift-hash]
swift_hash_path_suffix = s3conn-compat
swift_hash_path_prefix = s3conn-compat
[storage-policy:0]
name = Policy-0
default = yes
"""

STORAGE_SERVER = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
devices = {dir}/srv
mount_check = false
swift_dir = {dir}
log_facility = LOG_LOCAL0
[pipeline:main]
pipeline = {kind}-server
[app:{kind}-server]
use = egg:swift#{kind}
[{kind}-replicator]
[{kind}-updater]
[{kind}-auditor]
"""

PROXY_SERVER = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
swift_dir = {dir}
[pipeline:main]
pipeline = catch_errors gatekeeper proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging
    proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = {region}
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = {secret} .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:{memcache_port}
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
"""


class SwiftServer(Server):
    name = "swift"
    source = "Debian `swift-proxy`, `swift-account`, `swift-container`, `swift-object`"

    def install(self) -> None:
        apt_install(PACKAGES, self.log)

    def start(self) -> S3Target:
        home = self.workdir / "cluster"
        shutil.rmtree(home, ignore_errors=True)
        (home / "srv" / "d1").mkdir(parents=True)
        (home / "swift.conf").write_text(SWIFT_CONF)
        ports = {kind: free_port() for kind in ("account", "container", "object", "proxy", "memcache")}
        self.daemons.start(["memcached", "-l", "127.0.0.1", "-p", str(ports["memcache"]), "-U", "0", "-u", "nobody"])
        for kind in ("account", "container", "object"):
            builder = str(home / f"{kind}.builder")
            run(["swift-ring-builder", builder, "create", "6", "1", "1"], self.log)
            run(["swift-ring-builder", builder, "add", f"r1z1-127.0.0.1:{ports[kind]}/d1", "1"], self.log)
            run(["swift-ring-builder", builder, "rebalance"], self.log)
        for kind in ("account", "container", "object"):  # each reads the others' rings
            conf = home / f"{kind}-server.conf"
            conf.write_text(STORAGE_SERVER.format(port=ports[kind], dir=home, kind=kind))
            self.daemons.start([f"swift-{kind}-server", str(conf)])
        proxy = home / "proxy-server.conf"
        proxy.write_text(
            PROXY_SERVER.format(
                port=ports["proxy"], dir=home, region=REGION, secret=SECRET_KEY, memcache_port=ports["memcache"]
            )
        )
        self.daemons.start(["swift-proxy-server", str(proxy)])
        target = S3Target(f"http://127.0.0.1:{ports['proxy']}", REGION, BUCKET, ACCESS_KEY, SECRET_KEY)
        wait_ready(target, self.daemons, timeout=60)
        return target

    def version(self) -> str:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-swift"], capture_output=True, text=True)
        return out.stdout.split("-")[0] or "?"
