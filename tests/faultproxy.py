"""A fault-injecting HTTP proxy on loopback, for reliability tests.

It sits between a client and an S3 server and, on demand, breaks the next
requests that match a rule:

    with FaultProxy(target.endpoint) as proxy:
        proxy.inject(Fault.RESET_MID_BODY, count=2, methods={"GET"})
        client = Client(..., endpoint=proxy.endpoint)

Faults: a connection reset in the middle of a response body, 500
InternalError and 503 SlowDown answers, a slow first byte, a stalled
connection, a body cut short of its Content-Length, and a flipped byte. The
proxy can also terminate TLS, to stand in for an https endpoint.
"""

from __future__ import annotations

import asyncio
import enum
import socket
import ssl
import struct
import threading
import urllib.parse
from dataclasses import dataclass, field


class Fault(enum.Enum):
    RESET_MID_BODY = "reset"  # half the body, then a TCP reset
    ERROR_500 = "500"  # 500 InternalError, without asking the server
    SLOW_DOWN_503 = "503"  # 503 SlowDown, without asking the server
    SLOW_FIRST_BYTE = "slow"  # the response, after `delay` seconds
    STALL = "stall"  # half the body, then silence with the connection open
    TRUNCATE = "truncate"  # half the body, then a clean close short of Content-Length
    FLIP_BYTE = "flip"  # one byte of the body inverted

    @property
    def needs_body(self) -> bool:
        return self in (Fault.RESET_MID_BODY, Fault.STALL, Fault.TRUNCATE, Fault.FLIP_BYTE)


@dataclass
class _Rule:
    fault: Fault
    remaining: int  # -1: forever
    methods: set[str] | None
    path_contains: str | None
    delay: float

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self.path_contains is None or self.path_contains in urllib.parse.unquote(path)


@dataclass
class Stats:
    requests: int = 0
    injected: dict[Fault, int] = field(default_factory=dict)
    # Requests that started with none outstanding: a client's serial round
    # trips; and the most requests outstanding at once.
    rounds: int = 0
    max_in_flight: int = 0
    in_flight: int = 0

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values())


_ERROR_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
    "<RequestId>FAULTPROXY</RequestId></Error>"
)
_CANNED = {
    Fault.ERROR_500: (500, "Internal Server Error", "InternalError", "We encountered an internal error."),
    Fault.SLOW_DOWN_503: (503, "Slow Down", "SlowDown", "Please reduce your request rate."),
}


class FaultProxy:
    """HTTP/1.1 proxy to ``upstream`` (``http://host:port``) on a free loopback port."""

    def __init__(self, upstream: str, *, tls: ssl.SSLContext | None = None) -> None:
        url = urllib.parse.urlsplit(upstream)
        self._upstream = (url.hostname or "127.0.0.1", url.port or 80)
        self._tls = tls
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self.stats = Stats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._stalled: list[asyncio.StreamWriter] = []
        self.port = 0

    # -- control ------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def inject(
        self,
        fault: Fault,
        count: int = 1,
        *,
        methods: set[str] | None = None,
        path_contains: str | None = None,
        delay: float = 1.0,
    ) -> None:
        """Breaks the next ``count`` matching requests (-1: all of them)."""
        if fault.needs_body and methods is None:
            methods = {"GET"}
        with self._lock:
            self._rules.append(_Rule(fault, count, methods, path_contains, delay))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending(self) -> int:
        """Faults still waiting for a request to match."""
        with self._lock:
            return sum(max(r.remaining, 0) for r in self._rules)

    def _take(self, method: str, path: str) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.remaining != 0 and rule.matches(method, path):
                    if rule.remaining > 0:
                        rule.remaining -= 1
                    return rule
        return None

    def _give_back(self, rule: _Rule) -> None:
        with self._lock:
            if rule.remaining >= 0:
                rule.remaining += 1

    def _count(self, fault: Fault) -> None:
        with self._lock:
            self.stats.injected[fault] = self.stats.injected.get(fault, 0) + 1

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._tls)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for writer in self._stalled:
                writer.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP ---------------------------------------------------------------

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader = upstream_writer = None
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._upstream)
            while await self._exchange(client_reader, client_writer, upstream_reader, upstream_writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        except asyncio.CancelledError:
            return  # the proxy is stopping
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None and writer not in self._stalled:
                    writer.close()

    async def _exchange(
        self,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        upstream_reader: asyncio.StreamReader,
        upstream_writer: asyncio.StreamWriter,
    ) -> bool:
        """One request and its response; False when the connection is done."""
        head = await _read_head(client_reader)
        if head is None:
            return False
        method, path, headers = _parse_request(head)
        body = await _read_body(client_reader, headers)
        with self._lock:
            self.stats.requests += 1
            self.stats.rounds += self.stats.in_flight == 0
            self.stats.in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            return await self._answer(method, path, head, body, client_writer, upstream_reader, upstream_writer)
        finally:
            with self._lock:
                self.stats.in_flight -= 1

    async def _answer(
        self,
        method: str,
        path: str,
        head: bytes,
        body: bytes,
        client_writer: asyncio.StreamWriter,
        upstream_reader: asyncio.StreamReader,
        upstream_writer: asyncio.StreamWriter,
    ) -> bool:
        rule = self._take(method, path)

        if rule is not None and rule.fault in _CANNED:
            self._count(rule.fault)
            status, reason, code, message = _CANNED[rule.fault]
            payload = _ERROR_BODY.format(code=code, message=message).encode()
            client_writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\n"
                f"Content-Length: {len(payload)}\r\nx-amz-request-id: FAULTPROXY\r\n\r\n".encode()
                + payload
            )
            await client_writer.drain()
            return True

        upstream_writer.write(head + body)
        await upstream_writer.drain()
        response_head = await _read_head(upstream_reader)
        if response_head is None:
            return False
        status, response_headers = _parse_response(response_head)
        if method == "HEAD" or status in (204, 304):
            response_body = b""
        else:
            response_body = await _read_body(upstream_reader, response_headers)

        if rule is not None and rule.fault.needs_body:
            chunked = "chunked" in response_headers.get("transfer-encoding", "").lower()
            if status not in (200, 206) or len(response_body) < 2 or chunked:
                self._give_back(rule)  # not a body to break; try the next request
                rule = None
        if rule is None:
            client_writer.write(response_head + response_body)
            await client_writer.drain()
            return True

        self._count(rule.fault)
        half = len(response_body) // 2
        if rule.fault is Fault.SLOW_FIRST_BYTE:
            await asyncio.sleep(rule.delay)
            client_writer.write(response_head + response_body)
            await client_writer.drain()
            return True
        if rule.fault is Fault.FLIP_BYTE:
            flipped = bytearray(response_body)
            flipped[half] ^= 0xFF
            client_writer.write(response_head + bytes(flipped))
            await client_writer.drain()
            return True
        client_writer.write(response_head + response_body[:half])
        await client_writer.drain()
        if rule.fault is Fault.RESET_MID_BODY:
            sock = client_writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client_writer.transport.abort()
            return False
        if rule.fault is Fault.TRUNCATE:
            client_writer.close()
            return False
        # STALL: keep the connection open and say nothing more.
        self._stalled.append(client_writer)
        await asyncio.Event().wait()
        return False


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise
        return None


def _headers(lines: list[bytes]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def _parse_request(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.split(b"\r\n")[:-2]
    method, path, _ = lines[0].decode("latin-1").split(" ", 2)
    return method, path, _headers(lines[1:])


def _parse_response(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.split(b"\r\n")[:-2]
    status = int(lines[0].split(b" ", 2)[1])
    return status, _headers(lines[1:])


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    """The body as it travels on the wire (chunked encoding kept as is)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raw = bytearray()
        while True:
            size_line = await reader.readuntil(b"\r\n")
            raw += size_line
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    line = await reader.readuntil(b"\r\n")
                    raw += line
                    if line == b"\r\n":
                        return bytes(raw)
            raw += await reader.readexactly(size + 2)
    length = int(headers.get("content-length", "0") or 0)
    return await reader.readexactly(length) if length else b""
