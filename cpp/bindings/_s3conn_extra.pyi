
# Appended to the stub nanobind's stubgen writes: what the module creates
# outside nanobind's type system.

__version__: str

class S3Exception(Exception):
    """An S3 request failed."""

    code: str | None
    message: str
    http_status: int | None
    request_id: str | None
    operation: str | None
    bucket: str | None
    key: str | None
    crt_error: str | None

class S3NotFoundError(S3Exception, FileNotFoundError):
    """The bucket or object does not exist (also a FileNotFoundError)."""

class S3AccessDeniedError(S3Exception, PermissionError):
    """S3 refused the request's credentials or permissions (also a PermissionError)."""
