"""A small S3-shaped HTTP server on loopback that misbehaves on purpose.

Each instance plays one role:

    silent        accepts connections, reads the request, never answers
    drip          answers GET with a valid head, then the body one byte per 50 ms
    repeat_token  ListObjectsV2 pages that always give the same continuation token
    no_token      a ListObjectsV2 page that is truncated but gives no token
    raw_keys      a ListObjectsV2 page that ignores encoding-type=url: keys
                  ``p+q`` and ``a%20b`` and prefix ``d+/`` as they are, and no
                  <EncodingType> (as s3rver does)
    range_quirks  GETs that the CRT's ranged first request cannot read: key
                  ``empty`` answers a Range with ``206``, ``Content-Range:
                  bytes 0-0/0`` and no body (s3rver's empty object); every
                  other key ignores Range (``200``, the whole object, no
                  Content-Range, which HTTP allows): ``small`` is 1,000 bytes,
                  any other key ``size`` bytes
    changing      an object of two versions that ignores If-Match: the first
                  request gets version A, every later one version B
    garbage       answers every connection at once with a plain-HTTP 400 and
                  closes it: an https:// client meets a plain-HTTP port
    no_start_after  a ListObjectsV2 listing of 2,500 keys (``k-00000`` ...)
                  that pages with its continuation tokens but ignores
                  start-after: every first page starts at the first key
    unsorted      the same listing in an order of its own (as an S3 Express
                  directory bucket lists), start-after honoured as a position
    stalled_ranges  the listing's first page (1,000 keys, truncated); every
                  later listing request is never answered
    denied_ranges   the same first page; a request with start-after (a range
                  of a listing cut into ranges) gets 403 AccessDenied, one
                  with a continuation token no answer

    with HostileServer("changing", size=20 * MiB) as server:
        client = Client("us-east-1", endpoint=server.endpoint)

It counts the connections it accepted and the requests it received
(``server.connections``, ``server.requests``), so that tests can check how
many attempts a client made.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import urllib.parse

MiB = 1024 * 1024


class HostileServer:
    def __init__(self, role: str, *, size: int = 20 * MiB) -> None:
        if role not in (
            "silent",
            "drip",
            "repeat_token",
            "no_token",
            "raw_keys",
            "changing",
            "garbage",
            "range_quirks",
            "no_start_after",
            "unsorted",
            "stalled_ranges",
            "denied_ranges",
        ):
            raise ValueError(f"unknown role {role!r}")
        self.role = role
        self.size = size
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.connections = 0
        self._versions = [bytes([65 + v]) * size for v in range(2)]  # b"AAA...", b"BBB..."
        self._etags = [hashlib.md5(body).hexdigest() for body in self._versions]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._lock = threading.Lock()
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def list_requests(self) -> int:
        with self._lock:
            return sum(1 for _, target, _ in self.requests if "list-type=2" in target)

    # -- lifecycle ----------------------------------------------------------

    def __enter__(self) -> HostileServer:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name=f"hostile-{self.role}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        self._loop = None

    # -- HTTP ---------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.connections += 1
        try:
            if self.role == "garbage":  # at once, as a server of another protocol might
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                await writer.drain()
                return
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                with self._lock:
                    self.requests.append((method, target, headers))
                if not await self._answer(method, target, headers, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            return
        finally:
            writer.close()

    async def _answer(self, method: str, target: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        """Answers one request; False closes the connection."""
        if self.role == "silent":
            await asyncio.Event().wait()
        if self.role in ("repeat_token", "no_token") and "list-type=2" in target:
            token = "<NextContinuationToken>same-token</NextContinuationToken>" if self.role == "repeat_token" else ""
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><Prefix></Prefix>'
                f"<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>{token}"
                f'<Contents><Key>key-{self.request_count}</Key><Size>1</Size><ETag>"e"</ETag>'
                "<LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>"
            ).encode()
            await self._send(writer, 200, {"Content-Type": "application/xml"}, body)
            return True
        if self.role == "raw_keys" and "list-type=2" in target:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><Prefix></Prefix>'
                "<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
                + "".join(
                    f'<Contents><Key>{key}</Key><Size>1</Size><ETag>"e"</ETag></Contents>' for key in ("p+q", "a%20b")
                )
                + "<CommonPrefixes><Prefix>d+/</Prefix></CommonPrefixes></ListBucketResult>"
            ).encode()
            await self._send(writer, 200, {"Content-Type": "application/xml"}, body)
            return True
        if self.role in ("stalled_ranges", "denied_ranges") and "list-type=2" in target:
            if "start-after=" not in target and "continuation-token=" not in target:
                await self._send(writer, 200, {"Content-Type": "application/xml"}, self._listing_page(target))
            elif self.role == "denied_ranges" and "start-after=" in target:
                body = b"<Error><Code>AccessDenied</Code><Message>not this range</Message></Error>"
                await self._send(writer, 403, {"Content-Type": "application/xml"}, body)
            else:
                await asyncio.Event().wait()
            return True
        if self.role in ("no_start_after", "unsorted") and "list-type=2" in target:
            await self._send(writer, 200, {"Content-Type": "application/xml"}, self._listing_page(target))
            return True
        if self.role == "range_quirks" and method == "GET":
            key = target.split("?")[0].rsplit("/", 1)[-1]
            fields = {"ETag": '"quirk"', "Content-Type": "application/octet-stream"}
            if key == "empty":
                if "range" in headers:
                    await self._send(writer, 206, {**fields, "Content-Range": "bytes 0-0/0"}, b"")
                else:
                    await self._send(writer, 200, fields, b"")
                return True
            await self._send(writer, 200, fields, b"q" * (1000 if key == "small" else self.size))
            return True
        if self.role in ("drip", "changing") and method in ("GET", "HEAD"):
            version = 0 if self.role == "drip" or self.request_count <= 1 else 1
            body, etag = self._versions[version], self._etags[version]
            status, extra, part = 200, {}, body
            range_header = headers.get("range", "")
            if range_header.startswith("bytes="):
                first, _, last = range_header[len("bytes=") :].partition("-")
                start = int(first)
                end = min(int(last) if last else self.size - 1, self.size - 1)
                part = body[start : end + 1]
                status, extra = 206, {"Content-Range": f"bytes {start}-{end}/{self.size}"}
            fields = {
                "ETag": f'"{etag}"',
                "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT",
                "Content-Type": "application/octet-stream",
                **extra,
            }
            if method == "HEAD":
                await self._send(writer, status, fields, b"", content_length=len(part))
                return True
            if self.role == "drip":
                await self._send(writer, status, fields, b"", content_length=len(part))
                for i in range(len(part)):
                    writer.write(part[i : i + 1])
                    await writer.drain()
                    await asyncio.sleep(0.05)
                return True
            await self._send(writer, status, fields, part)
            return True
        await self._send(
            writer,
            404,
            {"Content-Type": "application/xml"},
            b"<Error><Code>NoSuchKey</Code><Message>no</Message></Error>",
        )
        return True

    LISTED = 2500

    def _listing_page(self, target: str) -> bytes:
        """One page of the listing of 2,500 keys: its continuation token is the
        position of the page's first key."""
        query = urllib.parse.parse_qs(target.partition("?")[2])
        keys = [f"k-{i:05d}" for i in range(self.LISTED)]
        if self.role == "unsorted":
            keys.sort(key=lambda key: hashlib.md5(key.encode()).digest())
        start = 0
        if "continuation-token" in query:
            start = int(query["continuation-token"][0])
        elif self.role == "unsorted" and "start-after" in query:
            start = keys.index(query["start-after"][0]) + 1 if query["start-after"][0] in keys else 0
        end = min(start + int(query.get("max-keys", ["1000"])[0]), len(keys))
        token = f"<NextContinuationToken>{end}</NextContinuationToken>" if end < len(keys) else ""
        contents = "".join(
            f'<Contents><Key>{key}</Key><Size>1</Size><ETag>"e"</ETag></Contents>' for key in keys[start:end]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bucket</Name><Prefix></Prefix>'
            f"<KeyCount>{end - start}</KeyCount><IsTruncated>{'true' if token else 'false'}</IsTruncated>"
            f"{token}{contents}</ListBucketResult>"
        ).encode()

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        fields: dict[str, str],
        body: bytes,
        content_length: int | None = None,
    ) -> None:
        reasons = {200: "OK", 206: "Partial Content", 403: "Forbidden", 404: "Not Found"}
        lines = [
            f"HTTP/1.1 {status} {reasons.get(status, 'Status')}",
            f"Content-Length: {len(body) if content_length is None else content_length}",
            "x-amz-request-id: HOSTILE",
        ]
        lines += [f"{name}: {value}" for name, value in fields.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
