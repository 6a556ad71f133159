"""S3ClientConfig: the tunable parameters of the S3 client."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB
_MIN_PART_SIZE = 5 * MiB
_MAX_PART_SIZE = 5 * GiB


@dataclass(frozen=True)
class S3ClientConfig:
    """A dataclass exposing configurable parameters for the S3 client.

    Args:
        throughput_target_gbps (float): Throughput target in gigabits per second (Gbps) the
            client sizes its connection pool for. 10.0 by default.
        part_size (int): Size in bytes of the parts objects are downloaded and uploaded in,
            between 5 MiB and 5 GiB. 8 MiB by default. An upload of at most one part is a
            single PutObject; a larger one is a multipart upload of at most 10,000 parts.
        unsigned (bool): Send requests unsigned (public buckets).
        force_path_style (bool): Address buckets as ``endpoint/bucket/key`` instead of
            ``bucket.endpoint/key``. Implied for IP-address and localhost endpoints.
        max_attempts (int): Attempts per request for retryable errors, the first included.
        profile (str): Named profile from the AWS config and credentials files.
        requester_pays (bool): Agree to pay for requests to requester-pays buckets.
            Cannot be combined with ``unsigned``.
        memory_limit_bytes (int): Bytes of download buffers (and, separately, of upload
            buffers) the client may hold at once: at least 256 MiB and two parts. None lets
            the client choose from ``throughput_target_gbps`` (2 GiB at 10 Gbps), or take
            ``AWS_CRT_S3_MEMORY_LIMIT_IN_MB``. ``part_size`` may be at most half of it.
        upload_checksums (bool): Send a CRC32C of every upload (and part) for S3 to verify.
        validate_checksums (bool): Verify downloads against the checksums S3 stored
            (objects uploaded with checksums); a mismatch raises S3Exception
            ("ChecksumMismatch") instead of returning corrupted bytes.
        ca_bundle (str): PEM file of CA certificates trusted for https endpoints, in
            place of the system's. None: AWS_CA_BUNDLE, else the system's store.
            Certificate verification cannot be switched off.
        connect_timeout_ms (int): Give up connecting (and, again, the TLS handshake) after
            this long. A request that cannot connect is tried twice, then fails.
        stall_timeout_seconds (int): A connection moving less than 1 KiB/s for this long
            is dropped: the first-byte timeout of a request, and the end of a trickle.
            Such a request is tried twice, then fails. Multipart uploads and copies
            only need to stay alive (1 byte/s) for max(60 s, this long).

    Raises:
        TypeError, ValueError: for a value of the wrong type or out of range.
    """

    throughput_target_gbps: float = 10.0
    part_size: int = 8 * MiB
    unsigned: bool = False
    force_path_style: bool = False
    max_attempts: int = 10
    profile: str | None = None
    requester_pays: bool = False
    memory_limit_bytes: int | None = None
    upload_checksums: bool = False
    validate_checksums: bool = False
    ca_bundle: str | None = None
    connect_timeout_ms: int = 3000
    stall_timeout_seconds: int = 10

    def __post_init__(self) -> None:
        _require_type("throughput_target_gbps", self.throughput_target_gbps, (int, float))
        if not 0 < self.throughput_target_gbps <= 10_000:
            raise ValueError(
                f"throughput_target_gbps must be a positive number of gigabits per second, "
                f"not {self.throughput_target_gbps!r}"
            )
        _require_type("part_size", self.part_size, (int,))
        if not _MIN_PART_SIZE <= self.part_size <= _MAX_PART_SIZE:
            raise ValueError(
                f"part_size must be between 5 MiB ({_MIN_PART_SIZE}) and 5 GiB ({_MAX_PART_SIZE}) "
                f"bytes, not {self.part_size}"
            )
        for name in ("connect_timeout_ms", "stall_timeout_seconds"):
            _require_type(name, getattr(self, name), (int,))
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        _require_type("max_attempts", self.max_attempts, (int,))
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1 (1 means no retries), not {self.max_attempts}")
        if self.ca_bundle is not None:
            _require_type("ca_bundle", self.ca_bundle, (str,))
            if not self.ca_bundle:
                raise ValueError("ca_bundle must be a path to a PEM file, or None")
        for name in ("unsigned", "force_path_style", "requester_pays", "upload_checksums", "validate_checksums"):
            _require_type(name, getattr(self, name), (bool,))
        if self.profile is not None:
            _require_type("profile", self.profile, (str,))
            if not self.profile.strip():
                raise ValueError("profile must be a non-empty profile name, or None for the default chain")
        if self.memory_limit_bytes is not None:
            _require_type("memory_limit_bytes", self.memory_limit_bytes, (int,))
            if self.memory_limit_bytes < 2 * self.part_size:
                raise ValueError(
                    f"memory_limit_bytes must be at least two parts ({2 * self.part_size} bytes), "
                    f"not {self.memory_limit_bytes}"
                )
        if self.unsigned and self.requester_pays:
            raise ValueError(
                "requester_pays cannot be combined with unsigned=True: S3 only bills requesters it can identify"
            )
        # The rest (combinations the CRT would refuse at the first request:
        # a part size the memory limit cannot hold, ...) is libs3conn's to say.
        from .._s3conn import Client

        Client(
            "us-east-1",
            part_size=self.part_size,
            throughput_target_gbps=float(self.throughput_target_gbps),
            max_attempts=self.max_attempts,
            memory_limit=self.memory_limit_bytes or 0,
        )


def _require_type(name: str, value: object, types: tuple[type, ...]) -> None:
    # bool is an int to Python; a flag passed as a size is a mistake.
    if isinstance(value, bool) and bool not in types:
        raise TypeError(f"{name} must be {_describe(types)}, not bool")
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {_describe(types)}, not {type(value).__name__}")


def _describe(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)
