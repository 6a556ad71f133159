"""Common mistakes a new user makes, each with the error it gets and how long
that takes. Run against any S3 (the local server: see the quick start):

    python examples/common_mistakes.py s3://bucket/ --region us-east-1 [--endpoint URL] [--markdown]

Every mistake must raise its expected exception type; the script exits 1 if
one does not (or hangs past its own bound).
"""

from __future__ import annotations

import argparse
import io
import pathlib
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from s3torchconnector import (
    S3Checkpoint,
    S3Client,
    S3ClientConfig,
    S3Exception,
    S3IterableDataset,
    S3MapDataset,
    S3NotFoundError,
    S3ReaderConstructor,
)

MiB = 1024 * 1024


@dataclass
class Mistake:
    what: str
    expected: type[BaseException]
    attempt: Callable[[], object]


@dataclass
class Outcome:
    mistake: Mistake
    raised: BaseException | None
    seconds: float

    @property
    def as_expected(self) -> bool:
        return isinstance(self.raised, self.mistake.expected)

    @property
    def message(self) -> str:
        if self.raised is None:
            return "(no error)"
        first_line = str(self.raised).strip().splitlines()[0] if str(self.raised).strip() else ""
        return f"{type(self.raised).__name__}: {first_line}"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mistakes(bucket: str, region: str, endpoint: str | None) -> list[Mistake]:
    config = S3ClientConfig(force_path_style=True) if endpoint else None
    checkpoint = S3Checkpoint(region, endpoint, config)
    prefix = f"s3://{bucket}/common-mistakes/"
    with checkpoint.writer(prefix + "exists.pt") as writer:
        torch.save({"w": torch.zeros(4)}, writer)

    def dataset(uri: str, **kwargs: object) -> S3MapDataset:
        return S3MapDataset.from_prefix(uri, region=region, endpoint=endpoint, s3client_config=config, **kwargs)

    def closed_writer() -> None:
        writer = checkpoint.writer(prefix + "closed")
        writer.write(b"x")
        writer.close()
        writer.write(b"more")

    def closed_reader() -> None:
        reader = checkpoint.reader(prefix + "exists.pt")
        reader.close()
        reader.read()

    def bad_whence() -> None:
        with checkpoint.reader(prefix + "exists.pt") as reader:
            reader.seek(0, 3)

    def at(url: str) -> S3Client:
        return S3Client(region, endpoint=url, s3client_config=S3ClientConfig(force_path_style=True, max_attempts=2))

    port = closed_port()
    plain = endpoint if endpoint and endpoint.startswith("http://") else None
    cases = [
        Mistake("prefix without s3://", ValueError, lambda: dataset(f"{bucket}/train/")),
        Mistake("empty bucket in the URI", ValueError, lambda: dataset("s3:///train/")),
        Mistake("region None", TypeError, lambda: S3MapDataset.from_prefix(prefix, region=None, endpoint=endpoint)),  # type: ignore[arg-type]
        Mistake("endpoint without a scheme", ValueError, lambda: S3Client(region, endpoint="127.0.0.1:9000")),
        Mistake("part_size of 1 MiB", ValueError, lambda: S3ClientConfig(part_size=MiB)),
        Mistake("part_size as a string", TypeError, lambda: S3ClientConfig(part_size="8MB")),  # type: ignore[arg-type]
        Mistake("memory limit of 100 MiB", ValueError, lambda: S3ClientConfig(memory_limit_bytes=100 * MiB)),
        Mistake(
            "part_size over half the memory limit",
            ValueError,
            lambda: S3ClientConfig(part_size=200 * MiB, memory_limit_bytes=256 * MiB),
        ),
        Mistake("max_attempts 0", ValueError, lambda: S3ClientConfig(max_attempts=0)),
        Mistake("unsigned with requester_pays", ValueError, lambda: S3ClientConfig(unsigned=True, requester_pays=True)),
        Mistake(
            "from_objects with a non-string",
            TypeError,
            lambda: S3MapDataset.from_objects([prefix + "a", 5], region=region),
        ),  # type: ignore[list-item]
        Mistake(
            "from_objects with a bucket but no key",
            ValueError,
            lambda: S3MapDataset.from_objects(f"s3://{bucket}/", region=region),
        ),
        Mistake(
            "checkpoint reader given a pathlib.Path",
            TypeError,
            lambda: checkpoint.reader(pathlib.Path("/tmp/model.pt")),
        ),  # type: ignore[arg-type]
        Mistake("checkpoint writer given only a bucket", ValueError, lambda: checkpoint.writer(f"s3://{bucket}")),
        Mistake(
            "reader_constructor that is not one", TypeError, lambda: dataset(prefix, reader_constructor="sequential")
        ),
        Mistake("transform that is not callable", TypeError, lambda: dataset(prefix, transform="read")),
        Mistake(
            "range_based buffer_size negative", ValueError, lambda: S3ReaderConstructor.range_based(buffer_size=-1)
        ),
        Mistake(
            "torch.load of a missing checkpoint",
            S3NotFoundError,
            lambda: torch.load(checkpoint.reader(prefix + "missing.pt")),
        ),
        Mistake("map dataset of an empty prefix, indexed", IndexError, lambda: dataset(prefix + "nothing-here/")[0]),
        Mistake(
            "a bucket that does not exist", S3NotFoundError, lambda: len(dataset(f"s3://{bucket}-does-not-exist-7f3a/"))
        ),
        Mistake("write after close", ValueError, closed_writer),
        Mistake("read after close", ValueError, closed_reader),
        Mistake("seek with whence 3", ValueError, bad_whence),
        Mistake(
            "iterable dataset over a missing bucket",
            S3NotFoundError,
            lambda: next(
                iter(
                    S3IterableDataset.from_prefix(
                        f"s3://{bucket}-does-not-exist-7f3a/", region=region, endpoint=endpoint, s3client_config=config
                    )
                )
            ),
        ),
        Mistake(
            "torch.save into a reader",
            io.UnsupportedOperation,
            lambda: torch.save({}, checkpoint.reader(prefix + "exists.pt")),
        ),
        Mistake(
            "endpoint on a closed port", S3Exception, lambda: at(f"http://127.0.0.1:{port}").head_object(bucket, "k")
        ),
        Mistake(
            "endpoint host that does not resolve",
            S3Exception,
            lambda: at("http://no-such-host.invalid:9000").head_object(bucket, "k"),
        ),
    ]
    if plain:
        cases.append(
            Mistake(
                "https:// against a plain-HTTP server",
                S3Exception,
                lambda: at(plain.replace("http://", "https://", 1)).head_object(bucket, "k"),
            )
        )
    return cases


def run(cases: list[Mistake]) -> list[Outcome]:
    outcomes = []
    for mistake in cases:
        start = time.perf_counter()
        raised: BaseException | None = None
        try:
            mistake.attempt()
        except Exception as error:  # each is reported, none is swallowed silently
            raised = error
        outcomes.append(Outcome(mistake, raised, time.perf_counter() - start))
    return outcomes


def table(outcomes: list[Outcome], markdown: bool) -> str:
    rows: list[tuple[str, str, str, str]] = [
        (
            o.mistake.what,
            o.message.replace("|", "\\|")[:160],
            f"{o.seconds:.2f}",
            "ok" if o.as_expected else f"expected {o.mistake.expected.__name__}",
        )
        for o in outcomes
    ]
    if markdown:
        lines = ["| mistake | error | seconds | |", "|---|---|---:|---|"]
        return "\n".join(lines + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows])
    return "\n".join(f"{d:>4}  {c:>6} s  {a}: {b}" for a, b, c, d in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("uri", help="s3://bucket/ to use")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint", default=None)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    bucket = args.uri[len("s3://") :].split("/", 1)[0]
    outcomes = run(mistakes(bucket, args.region, args.endpoint))
    print(table(outcomes, args.markdown))
    return 0 if all(o.as_expected for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
