"""A loopback stand-in for an S3 Express One Zone zonal endpoint.

An in-memory store of one directory bucket behind session authentication, as
AWS describes it: ``GET /?session=`` (CreateSession), signed with the caller's
long-term credentials for the ``s3express`` service, answers session
credentials with an expiry; every other request must carry a live session's
``x-amz-s3session-token`` and be signed with that session's key for the
``s3express`` service, else it is refused (403). It records what each request
carried, so that tests can check how the client creates, reuses and refreshes
sessions. Signatures are checked for their credential scope and key, not
recomputed.

The client reaches it path style (``http://127.0.0.1:port/<bucket>/<key>``),
so its CreateSession has no bucket in its path: the server has one bucket.
Listings come in a random order and take only prefixes that end in "/", as
a directory bucket's do. Multipart uploads keep S3 Express's checksum rule:
every part carries the checksum algorithm its CreateMultipartUpload named
(or none when it named none), and CompleteMultipartUpload lists each part's
checksum of that algorithm; anything else is refused (400).
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

_CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_CHECKSUM_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


@dataclass
class Session:
    access_key: str
    secret_key: str
    token: str
    expires: float  # epoch seconds


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    service: str
    access_key: str
    token: str | None
    live: bool  # the token named a session that had not expired
    at: float = field(default_factory=time.time)


@dataclass
class Upload:
    """A multipart upload: the checksum algorithm its CreateMultipartUpload
    named (None: none) and its parts."""

    algorithm: str | None
    parts: dict[int, bytes] = field(default_factory=dict)


@dataclass
class ExpressState:
    bucket: str
    access_key: str
    secret_key: str
    session_seconds: float
    sessions: dict[str, Session] = field(default_factory=dict)
    objects: dict[str, bytes] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    completed_uploads: list[Upload] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ExpressServer:
    """``with ExpressServer("data--usw2-az1--x-s3", key, secret) as server:``
    then ``server.endpoint``; ``server.create_sessions`` counts CreateSession
    calls, ``server.data_requests`` lists the others."""

    def __init__(self, bucket: str, access_key: str, secret_key: str, *, session_seconds: float = 300) -> None:
        self.state = ExpressState(bucket, access_key, secret_key, session_seconds)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.state))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def create_sessions(self) -> list[Seen]:
        with self.state.lock:
            return [s for s in self.state.seen if s.path.startswith("/?session")]

    @property
    def data_requests(self) -> list[Seen]:
        with self.state.lock:
            return [s for s in self.state.seen if not s.path.startswith("/?session")]

    @property
    def completed_uploads(self) -> list[Upload]:
        with self.state.lock:
            return list(self.state.completed_uploads)

    def __enter__(self) -> ExpressServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def _handler_for(state: ExpressState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, code: str, message: str) -> None:
            body = f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>".encode()
            self._send(status, body, {"Content-Type": "application/xml"})

        def _authorize(self) -> bool:
            match = _CREDENTIAL.search(self.headers.get("Authorization", ""))
            access_key, service = (match.group(1), match.group(3)) if match else ("", "")
            token = self.headers.get("x-amz-s3session-token")
            create = self.path.startswith("/?session")
            with state.lock:
                session = state.sessions.get(token or "")
                live = session is not None and session.expires > time.time()
                state.seen.append(Seen(self.command, self.path, service, access_key, token, live))
            if service != "s3express":
                self._error(403, "AccessDenied", f"signed for service {service!r}, not s3express")
                return False
            if create:
                if access_key != state.access_key:
                    self._error(403, "InvalidAccessKeyId", "CreateSession needs the long-term credentials")
                    return False
                return True
            if session is None or access_key != session.access_key:
                self._error(403, "AccessDenied", "no session token, or not signed with the session's key")
                return False
            if not live:
                self._error(400, "ExpiredToken", "the session has expired")
                return False
            return True

        def _split(self) -> tuple[str, str, dict[str, list[str]]]:
            parts = urlsplit(self.path)
            bucket, _, key = parts.path.lstrip("/").partition("/")
            return unquote(bucket), unquote(key), parse_qs(parts.query, keep_blank_values=True)

        def _handle(self) -> None:
            if not self._authorize():
                self._body()
                return
            if self.path.startswith("/?session"):
                self._create_session()
                return
            bucket, key, query = self._split()
            if bucket != state.bucket:
                self._body()
                self._error(404, "NoSuchBucket", f"no bucket {bucket}")
                return
            getattr(self, f"_do_{self.command.lower()}")(key, query)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        def _create_session(self) -> None:
            session = Session("ASIA" + secrets.token_hex(8).upper(), secrets.token_hex(20), secrets.token_hex(24), 0.0)
            session.expires = time.time() + state.session_seconds
            with state.lock:
                state.sessions[session.token] = session
            expiration = datetime.fromtimestamp(int(session.expires), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = (
                '<CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Credentials>'
                f"<SessionToken>{session.token}</SessionToken><SecretAccessKey>{session.secret_key}</SecretAccessKey>"
                f"<AccessKeyId>{session.access_key}</AccessKeyId><Expiration>{expiration}</Expiration>"
                "</Credentials></CreateSessionResult>"
            ).encode()
            self._send(200, body, {"Content-Type": "application/xml"})

        def _object_headers(self, data: bytes) -> dict[str, str]:
            return {"ETag": _etag(data), "Last-Modified": formatdate(usegmt=True), "Accept-Ranges": "bytes"}

        def _do_get(self, key: str, query: dict[str, list[str]]) -> None:
            if not key:
                self._list(query)
                return
            data = state.objects.get(key)
            if data is None:
                self._error(404, "NoSuchKey", f"no key {key}")
                return
            if_match = self.headers.get("If-Match")
            if if_match and if_match != _etag(data):
                self._error(412, "PreconditionFailed", "If-Match")
                return
            headers = self._object_headers(data)
            byte_range = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            if byte_range is None:
                self._send(200, data, headers)
                return
            start = int(byte_range.group(1))
            if start >= len(data):
                self._error(416, "InvalidRange", "the range starts past the end")
                return
            end = min(int(byte_range.group(2) or len(data) - 1), len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, data[start : end + 1], headers)

        def _do_head(self, key: str, query: dict[str, list[str]]) -> None:
            data = state.objects.get(key)
            if data is None:
                self._send(404)
                return
            self._send(200, b"", {**self._object_headers(data), "Content-Length": str(len(data))})

        def _part_checksum_algorithm(self) -> str | None:
            """The algorithm of the checksum a part carries: in a header, or
            announced as a trailer of an aws-chunked body."""
            trailer = self.headers.get("x-amz-trailer", "").lower()
            for algorithm in _CHECKSUM_ALGORITHMS:
                header = f"x-amz-checksum-{algorithm.lower()}"
                if header in self.headers or trailer == header:
                    return algorithm
            return None

        def _do_put(self, key: str, query: dict[str, list[str]]) -> None:
            body = self._body()
            if "uploadId" in query:
                upload = state.uploads[query["uploadId"][0]]
                algorithm = self._part_checksum_algorithm()
                if algorithm != upload.algorithm:
                    self._error(
                        400,
                        "InvalidRequest",
                        f"Checksum Type mismatch occurred, expected checksum Type: {upload.algorithm}, "
                        f"actual checksum Type: {algorithm}",
                    )
                    return
                upload.parts[int(query["partNumber"][0])] = body
                self._send(200, b"", {"ETag": _etag(body)})
                return
            source = self.headers.get("x-amz-copy-source")
            if source:
                body = state.objects[unquote(source).lstrip("/").partition("/")[2]]
            state.objects[key] = body
            if source:
                result = f"<CopyObjectResult><ETag>{escape(_etag(body))}</ETag></CopyObjectResult>".encode()
                self._send(200, result, {"Content-Type": "application/xml"})
            else:
                self._send(200, b"", {"ETag": _etag(body)})

        def _do_post(self, key: str, query: dict[str, list[str]]) -> None:
            body = self._body()
            if "uploads" in query:
                upload_id = secrets.token_hex(8)
                algorithm = self.headers.get("x-amz-checksum-algorithm")
                if algorithm is not None and algorithm.upper() not in _CHECKSUM_ALGORITHMS:
                    self._error(400, "InvalidRequest", f"unknown checksum algorithm {algorithm}")
                    return
                state.uploads[upload_id] = Upload(algorithm.upper() if algorithm else None)
                result = (
                    f"<InitiateMultipartUploadResult><Bucket>{state.bucket}</Bucket><Key>{escape(key)}</Key>"
                    f"<UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>"
                )
                self._send(200, result.encode(), {"Content-Type": "application/xml"})
                return
            upload = state.uploads[query["uploadId"][0]]
            numbers = [int(n) for n in re.findall(rb"<PartNumber>(\d+)</PartNumber>", body)]
            if upload.algorithm is not None:
                element = f"<Checksum{upload.algorithm}>".encode()
                if body.count(element) != len(numbers):
                    self._error(400, "InvalidRequest", f"every part needs its {upload.algorithm} checksum")
                    return
            del state.uploads[query["uploadId"][0]]
            state.objects[key] = b"".join(upload.parts[n] for n in numbers)
            with state.lock:
                state.completed_uploads.append(upload)
            result = (
                f"<CompleteMultipartUploadResult><Bucket>{state.bucket}</Bucket><Key>{escape(key)}</Key>"
                f"<ETag>{escape(_etag(state.objects[key]))}</ETag></CompleteMultipartUploadResult>"
            )
            self._send(200, result.encode(), {"Content-Type": "application/xml"})

        def _do_delete(self, key: str, query: dict[str, list[str]]) -> None:
            if "uploadId" in query:
                state.uploads.pop(query["uploadId"][0], None)
            else:
                state.objects.pop(key, None)
            self._send(204)

        def _list(self, query: dict[str, list[str]]) -> None:
            prefix = query.get("prefix", [""])[0]
            delimiter = query.get("delimiter", [""])[0]
            if prefix and not prefix.endswith("/"):
                self._error(400, "InvalidArgument", "directory buckets list only prefixes that end in /")
                return
            keys, prefixes = [], set()
            for key in sorted(state.objects):
                if not key.startswith(prefix):
                    continue
                rest = key[len(prefix) :]
                if delimiter and delimiter in rest:
                    prefixes.add(prefix + rest.split(delimiter)[0] + delimiter)
                else:
                    keys.append(key)
            random.shuffle(keys)  # directory buckets list in no particular order
            contents = "".join(
                f"<Contents><Key>{quote(k, safe='/')}</Key><Size>{len(state.objects[k])}</Size>"
                f"<ETag>{escape(_etag(state.objects[k]))}</ETag>"
                "<LastModified>2026-01-01T00:00:00.000Z</LastModified><StorageClass>EXPRESS_ONEZONE</StorageClass>"
                "</Contents>"
                for k in keys
            )
            common = "".join(
                f"<CommonPrefixes><Prefix>{quote(p, safe='/')}</Prefix></CommonPrefixes>" for p in sorted(prefixes)
            )
            body = (
                f'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>{state.bucket}</Name>'
                f"<Prefix>{escape(prefix)}</Prefix><KeyCount>{len(keys)}</KeyCount><EncodingType>url</EncodingType>"
                f"<IsTruncated>false</IsTruncated>{contents}{common}</ListBucketResult>"
            ).encode()
            self._send(200, body, {"Content-Type": "application/xml"})

    return Handler
