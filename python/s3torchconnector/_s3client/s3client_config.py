"""S3ClientConfig: the tunable parameters of the S3 client."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .._s3conn import ClientConfig

MiB = 1024 * 1024
GiB = 1024 * MiB


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
        read_ahead_bytes (int): Bytes one streaming download may run ahead of its reader.
            None: four parts.
        event_loop_threads (int): Network threads of the client (each DataLoader worker
            has its own client). None: min(4, max(2, cores / 2)).
        retry_backoff_ms (int): Base of the exponential backoff between attempts.
            None: 500 ms, or ``S3CONN_RETRY_BACKOFF_MS``.
        use_fips_endpoint (bool): Use AWS's FIPS endpoints (``s3-fips.<region>...``).
            None: ``AWS_USE_FIPS_ENDPOINT``. Not with a custom ``endpoint``.
        use_dualstack_endpoint (bool): Use AWS's dual-stack (IPv4 and IPv6) endpoints.
            None: ``AWS_USE_DUALSTACK_ENDPOINT``. Not with a custom ``endpoint``.

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
    read_ahead_bytes: int | None = None
    event_loop_threads: int | None = None
    retry_backoff_ms: int | None = None
    use_fips_endpoint: bool | None = None
    use_dualstack_endpoint: bool | None = None

    def __post_init__(self) -> None:
        # Types are checked here, from the annotations above, where Python's
        # values arrive; so are the rules about None and "", which only Python
        # has. Every rule on values and their combinations is libs3conn's, in
        # its one wording (ClientConfig.validate).
        for option in fields(self):
            _require_type(option.name, getattr(self, option.name), str(option.type))
        for name in ("connect_timeout_ms", "stall_timeout_seconds"):  # 0 would mean libs3conn's default
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in ("profile", "ca_bundle"):
            if getattr(self, name) is not None and not getattr(self, name).strip():
                raise ValueError(_EMPTY_STRING[name])
        for option in fields(self):
            value = getattr(self, option.name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{option.name} cannot be negative, got {value}")
        self.to_native().validate()

    def to_native(self, region: str = "", endpoint: str | None = None, user_agent_prefix: str = "") -> ClientConfig:
        """libs3conn's configuration of a client with these options (None keeps
        libs3conn's default)."""
        values = {_NATIVE_NAMES.get(option.name, option.name): getattr(self, option.name) for option in fields(self)}
        values.update(region=region, endpoint=endpoint, user_agent_prefix=user_agent_prefix)
        return ClientConfig.from_dict(values)


# The reference's names of two options; every other option has libs3conn's name.
_NATIVE_NAMES = {"unsigned": "unsigned_requests", "ca_bundle": "ca_file"}

_EMPTY_STRING = {
    "profile": "profile must be a non-empty profile name, or None for the default chain",
    "ca_bundle": "ca_bundle must be a path to a PEM file, or None",
}

_ANNOTATED_TYPES: dict[str, tuple[type, ...]] = {
    "float": (int, float),
    "int": (int,),
    "bool": (bool,),
    "str": (str,),
    "None": (type(None),),
}


def _require_type(name: str, value: object, annotation: str) -> None:
    types = tuple(t for part in annotation.split("|") for t in _ANNOTATED_TYPES[part.strip()])
    # bool is an int to Python; a flag passed as a size is a mistake.
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        raise TypeError(f"{name} must be {_describe(types)}, not {type(value).__name__}")


def _describe(types: tuple[type, ...]) -> str:
    return " or ".join("None" if t is type(None) else t.__name__ for t in types)
