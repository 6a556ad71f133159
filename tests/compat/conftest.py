"""The compatibility suite: the public API against whichever server the
session's `s3` fixture names (SeaweedFS in the main run; `./dev compat`
points it at each server of the matrix in turn).

What a server is known not to do is declared in limits.py, with the reason;
such a check is expected to fail (strictly: if the server learns it, the
run says so and the declaration must go)."""

from __future__ import annotations

import os

import pytest

from .limits import SERVER_VAR, limits_of


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    limits = limits_of(os.environ.get(SERVER_VAR, "seaweedfs"))
    for item in items:
        if "compat" not in item.nodeid.split("::")[0]:
            continue
        check = item.nodeid.split("/")[-1]
        reason = limits.get(check)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
