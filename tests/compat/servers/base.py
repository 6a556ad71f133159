"""A server of the compatibility matrix: installed by package name into the
project's cache, started on loopback for one block, torn down after it."""

from __future__ import annotations

import abc
from pathlib import Path

from s3torchconnector.localserver import S3Target

from ._process import Daemons


class Server(abc.ABC):
    name: str  # as `./dev compat NAME` takes it
    source: str  # how it is installed, for the matrix

    def __init__(self, cache: Path, workdir: Path) -> None:
        self.cache = cache.resolve() / self.name
        self.workdir = workdir.resolve() / self.name
        self.cache.mkdir(parents=True, exist_ok=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / "server.log"
        self.log.unlink(missing_ok=True)
        self.daemons = Daemons(self.log)
        self._target: S3Target | None = None

    @abc.abstractmethod
    def install(self) -> None:
        """Idempotent; cached between runs."""

    @abc.abstractmethod
    def start(self) -> S3Target:
        """Starts the server; returns a target whose bucket exists."""

    @abc.abstractmethod
    def version(self) -> str: ...

    def stop(self) -> None:
        self.daemons.stop()

    def __enter__(self) -> S3Target:
        try:
            self._target = self.start()
        except BaseException:
            self.stop()
            raise
        return self._target

    def __exit__(self, *exc: object) -> None:
        self.stop()
