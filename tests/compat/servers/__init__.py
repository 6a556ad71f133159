"""The servers of the compatibility matrix, by name."""

from __future__ import annotations

from .base import Server
from .ceph import CephServer
from .localstack import LocalStackServer
from .moto import MotoServer
from .s3rver import S3rverServer
from .seaweedfs import SeaweedFSServer
from .swift import SwiftServer

SERVERS: dict[str, type[Server]] = {
    server.name: server
    for server in (SeaweedFSServer, MotoServer, CephServer, SwiftServer, LocalStackServer, S3rverServer)
}

__all__ = ["SERVERS", "Server"]
