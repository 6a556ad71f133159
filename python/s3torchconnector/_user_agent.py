"""The User-Agent every request carries: library, platform, PyTorch, caller."""

from __future__ import annotations

import platform

from ._version import __version__


class UserAgent:
    """``s3torchconnector/<version> ua/2.1 os/... lang/python#... md/arch#... md/pytorch#...``,
    followed by ``(comment; ...)`` naming the caller (dataset kind and reader, checkpoint,
    dcp, lightning)."""

    def __init__(self, comments: list[str] | None = None) -> None:
        if comments is not None and not (isinstance(comments, list) and all(isinstance(c, str) for c in comments)):
            raise ValueError("Argument comments must be a List[str]")
        self._comments = comments or []

    @staticmethod
    def get_default_prefix() -> str:
        os_name = platform.system().lower()
        if os_name == "darwin":
            os_name = "macos"
        try:
            import torch

            torch_version = str(torch.__version__)
        except ImportError:  # pragma: no cover - torch is a dependency
            torch_version = "none"
        return " ".join(
            [
                f"s3torchconnector/{__version__}",
                "ua/2.1",
                f"os/{os_name}#{platform.release()}",
                f"lang/python#{platform.python_version()}",
                f"md/arch#{platform.machine().lower()}",
                f"md/pytorch#{torch_version}",
            ]
        )

    @property
    def prefix(self) -> str:
        comments = "; ".join(c for c in self._comments if c)
        default = self.get_default_prefix()
        return f"{default} ({comments})" if comments else default
