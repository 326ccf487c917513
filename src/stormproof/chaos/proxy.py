"""A fault-injecting TCP proxy for one edge of the system (e.g. booking→payments).

In ``http`` mode (the default) each connection is handled one HTTP/1.1 exchange at a time:
the request is read whole, forwarded, the response read whole and sent back. That lockstep is
what lets the HTTP-aware faults act on a single request, and it also counts requests. A
``101 Switching Protocols`` answer turns the rest of the connection into a plain byte pipe.
In ``tcp`` mode both directions are piped chunk by chunk and the HTTP faults are refused.

Faults are changed from the event loop with :meth:`FaultProxy.set_fault`,
:meth:`FaultProxy.clear_fault` and :meth:`FaultProxy.heal`. Faults on bytes in flight
(partition, latency, reset) act on open connections at their next chunk; the others act on
the next connection or request.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from stormproof.chaos.faults import (
    HTTP_FAULT_KINDS,
    Drop,
    DropResponse,
    Duplicate,
    Fault,
    HttpError,
    Latency,
    Partition,
    Reset,
    covers,
)

Flow = Literal["upstream", "downstream"]
Protocol = Literal["http", "tcp"]

_READ_SIZE = 64 * 1024
_HEAD_LIMIT = 64 * 1024
_NO_BODY_STATUSES = frozenset({101, 204, 304})


class _LinkCut(Exception):
    """The connection was cut on purpose (reset fault); stop serving it quietly."""


class _BadMessage(Exception):
    """Bytes that do not frame as HTTP/1.x."""


@dataclass
class ProxyCounters:
    """What one proxy saw, for the run summary. ``faults`` counts events by fault kind: a
    refused or dropped connection, a swallowed or delayed chunk, a reset connection, an
    injected error, a dropped response, a duplicated request."""

    connections: int = 0
    requests: int = 0
    upstream_errors: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "requests": self.requests,
            "upstream_errors": self.upstream_errors,
            "faults": dict(sorted(self.faults.items())),
        }


@dataclass(frozen=True)
class _Message:
    raw: bytes
    method: bytes = b""
    closes: bool = False
    upgraded: bool = False


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST rather than a FIN: SO_LINGER 0 makes the kernel drop the connection."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        # An OSError means the peer closed it already: nothing left to reset.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@dataclass(eq=False)
class _Link:
    """One client connection and the upstream connection that serves it."""

    client_reader: asyncio.StreamReader
    client_writer: asyncio.StreamWriter
    upstream_reader: asyncio.StreamReader | None = None
    upstream_writer: asyncio.StreamWriter | None = None
    bytes_passed: int = 0

    def writer_for(self, flow: Flow) -> asyncio.StreamWriter:
        if flow == "downstream":
            return self.client_writer
        assert self.upstream_writer is not None, "upstream bytes before the upstream is open"
        return self.upstream_writer

    def writers(self) -> list[asyncio.StreamWriter]:
        return [w for w in (self.client_writer, self.upstream_writer) if w is not None]

    def reset(self) -> None:
        for writer in self.writers():
            _reset(writer)

    def close(self) -> None:
        for writer in self.writers():
            writer.close()


def _parse_head(head: bytes) -> tuple[list[bytes], dict[bytes, bytes]]:
    lines = head[:-4].split(b"\r\n")
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise _BadMessage(f"header line without a colon: {line[:80]!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = headers[key] + b"," + value if key in headers else value
    return lines[0].split(b" ", 2), headers


def _closes(version: bytes, headers: dict[bytes, bytes]) -> bool:
    tokens = {t.strip() for t in headers.get(b"connection", b"").lower().split(b",")}
    return b"close" in tokens or (version == b"HTTP/1.0" and b"keep-alive" not in tokens)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        parts.append(size_line)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _BadMessage(f"bad chunk size line {size_line[:80]!r}") from None
        if size == 0:
            while True:  # trailers, then the empty line
                trailer = await reader.readuntil(b"\r\n")
                parts.append(trailer)
                if trailer == b"\r\n":
                    return b"".join(parts)
        parts.append(await reader.readexactly(size + 2))


async def _read_framed_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes]) -> bytes:
    """The body of a message framed by Transfer-Encoding or Content-Length; b"" otherwise."""
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        return await _read_chunked(reader)
    if b"content-length" in headers:
        try:
            length = int(headers[b"content-length"])
        except ValueError:
            raise _BadMessage(f"bad Content-Length {headers[b'content-length']!r}") from None
        return await reader.readexactly(length)
    return b""


async def _read_request(reader: asyncio.StreamReader) -> _Message | None:
    """The next request, or None when the client closed between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise _BadMessage("connection closed inside a request head") from None
        return None
    start, headers = _parse_head(head)
    if len(start) != 3 or not start[2].startswith(b"HTTP/1."):
        raise _BadMessage(f"not an HTTP/1.x request line: {start!r}")
    body = await _read_framed_body(reader, headers)
    return _Message(raw=head + body, method=start[0], closes=_closes(start[2], headers))


async def _read_response(reader: asyncio.StreamReader, request: _Message) -> _Message:
    """The final response to ``request``; interim 1xx answers are kept in front of it."""
    interim = b""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        start, headers = _parse_head(head)
        if len(start) < 2 or not start[0].startswith(b"HTTP/1.") or not start[1].isdigit():
            raise _BadMessage(f"not an HTTP/1.x status line: {start!r}")
        status = int(start[1])
        if 100 <= status < 200 and status != 101:
            interim += head
            continue
        closes = request.closes or _closes(start[0], headers)
        if request.method == b"HEAD" or status in _NO_BODY_STATUSES:
            body = b""
        elif b"transfer-encoding" in headers or b"content-length" in headers:
            body = await _read_framed_body(reader, headers)
        else:  # framed by the end of the connection
            body, closes = await reader.read(), True
        return _Message(raw=interim + head + body, closes=closes, upgraded=status == 101)


def _error_response(status: int) -> bytes:
    body = f"stormproof chaos: injected {status}\n".encode()
    return (
        f"HTTP/1.1 {status} Injected Fault\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class FaultProxy:
    """Listens on ``listen_host:listen_port`` (port 0: a free one, see :attr:`port`) and
    forwards every connection to ``upstream_host:upstream_port``, injecting the faults set.

    ``rng`` draws every probability and jitter, so a seeded one replays the same choices for
    the same sequence of connections and requests."""

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        rng: random.Random | None = None,
        protocol: Protocol = "http",
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        if protocol not in ("http", "tcp"):
            raise ValueError(f"protocol must be http or tcp, got {protocol!r}")
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.protocol: Protocol = protocol
        self.counters = ProxyCounters()
        self._rng = rng if rng is not None else random.Random()
        self._listen = (listen_host, listen_port)
        self._faults: dict[str, Fault] = {}
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> FaultProxy:
        if self._server is not None:
            raise RuntimeError("proxy already started")
        self._server = await asyncio.start_server(self._accept, *self._listen, limit=_HEAD_LIMIT)
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("proxy not started: await proxy.start() first")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        """Stop listening, close every connection and wait for every task of this proxy."""
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> FaultProxy:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- faults --------------------------------------------------------------------------

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(self._faults.values())

    def set_fault(self, fault: Fault) -> None:
        """Make ``fault`` active, replacing any active fault of the same kind."""
        if fault.kind in HTTP_FAULT_KINDS and self.protocol != "http":
            raise ValueError(f"{fault.kind} needs an HTTP proxy (protocol='http')")
        self._faults[fault.kind] = fault
        if isinstance(fault, Partition) and fault.mode == "refuse":
            self._cut_open_links(lambda link: True, fault.kind)
        elif isinstance(fault, Reset):
            self._cut_open_links(lambda link: link.bytes_passed >= fault.after_bytes, fault.kind)

    def clear_fault(self, kind: str) -> None:
        self._faults.pop(kind, None)

    def heal(self) -> None:
        """Remove every fault; connections opened from now on pass through untouched."""
        self._faults.clear()

    def _cut_open_links(self, should_cut: Callable[[_Link], bool], kind: str) -> None:
        for link in list(self._links):
            if should_cut(link):
                self.counters.faults[kind] += 1
                link.reset()

    def _fires(self, kind: str) -> bool:
        fault = self._faults.get(kind)
        if fault is None:
            return False
        assert isinstance(fault, Drop | HttpError | DropResponse | Duplicate)
        if self._rng.random() < fault.probability:
            self.counters.faults[kind] += 1
            return True
        return False

    # -- connections ---------------------------------------------------------------------

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A plain callback, so that every task is ours to cancel and await in close().
        task = asyncio.get_running_loop().create_task(self._handle(_Link(reader, writer)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, link: _Link) -> None:
        self.counters.connections += 1
        self._links.add(link)
        try:
            if await self._admit(link):
                if self.protocol == "http":
                    await self._serve_http(link)
                else:
                    await self._pipe(link)
        except (_LinkCut, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the peer or a fault ended the connection: nothing more to do
        except _BadMessage:
            link.reset()
        finally:
            self._links.discard(link)
            link.close()

    async def _admit(self, link: _Link) -> bool:
        """Apply the connection-level faults, then open the upstream connection."""
        partition = self._faults.get("partition")
        reset = self._faults.get("reset")
        if isinstance(partition, Partition) and partition.mode == "refuse":
            self.counters.faults["partition"] += 1
            link.reset()
            return False
        if isinstance(reset, Reset) and reset.after_bytes == 0:
            self.counters.faults["reset"] += 1
            link.reset()
            return False
        if self._fires("drop"):
            link.client_writer.close()
            return False
        try:
            link.upstream_reader, link.upstream_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port, limit=_HEAD_LIMIT
            )
        except OSError:
            # An unreachable upstream looks the same to the client as a refused connection.
            self.counters.upstream_errors += 1
            link.reset()
            return False
        return True

    async def _send(self, link: _Link, data: bytes, flow: Flow) -> None:
        """Forward ``data`` in ``flow`` through the byte-level faults."""
        partition = self._faults.get("partition")
        if isinstance(partition, Partition) and covers(partition.direction, flow):
            self.counters.faults["partition"] += 1
            return
        latency = self._faults.get("latency")
        if isinstance(latency, Latency) and covers(latency.direction, flow):
            self.counters.faults["latency"] += 1
            jitter = self._rng.uniform(-latency.jitter_ms, latency.jitter_ms)
            await asyncio.sleep(max(0.0, latency.delay_ms + jitter) / 1000)
        writer = link.writer_for(flow)
        reset = self._faults.get("reset")
        if isinstance(reset, Reset) and link.bytes_passed + len(data) > reset.after_bytes:
            allowed = max(0, reset.after_bytes - link.bytes_passed)
            if allowed:
                writer.write(data[:allowed])
                await writer.drain()
            self.counters.faults["reset"] += 1
            link.reset()
            raise _LinkCut
        writer.write(data)
        link.bytes_passed += len(data)
        await writer.drain()

    async def _pipe(self, link: _Link) -> None:
        assert link.upstream_reader is not None
        async with asyncio.TaskGroup() as group:
            group.create_task(self._pump(link, link.client_reader, "upstream"))
            group.create_task(self._pump(link, link.upstream_reader, "downstream"))

    async def _pump(self, link: _Link, reader: asyncio.StreamReader, flow: Flow) -> None:
        try:
            while data := await reader.read(_READ_SIZE):
                await self._send(link, data, flow)
            partition = self._faults.get("partition")
            blackholed = isinstance(partition, Partition) and covers(partition.direction, flow)
            writer = link.writer_for(flow)
            # A half-close passes on, unless that direction is blackholed.
            if not blackholed and writer.can_write_eof() and not writer.is_closing():
                writer.write_eof()
        except (_LinkCut, OSError):
            link.reset()  # so that the other direction stops too

    async def _serve_http(self, link: _Link) -> None:
        assert link.upstream_reader is not None
        while (request := await _read_request(link.client_reader)) is not None:
            self.counters.requests += 1
            fault = self._faults.get("http_error")
            if isinstance(fault, HttpError) and self._fires("http_error"):
                await self._send(link, _error_response(fault.status), "downstream")
                if request.closes:
                    return
                continue
            await self._send(link, request.raw, "upstream")
            response = await _read_response(link.upstream_reader, request)
            if self._fires("drop_response"):
                return
            if self._fires("duplicate"):
                await self._deliver_copy(request)
            await self._send(link, response.raw, "downstream")
            if response.upgraded:
                await self._pipe(link)
                return
            if response.closes:
                return

    async def _deliver_copy(self, request: _Message) -> None:
        """Send ``request`` again on a connection of its own and discard the answer."""
        try:
            reader, writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port, limit=_HEAD_LIMIT
            )
        except OSError:
            self.counters.upstream_errors += 1
            return
        try:
            writer.write(request.raw)
            await writer.drain()
            await _read_response(reader, request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, _BadMessage):
            self.counters.upstream_errors += 1
        finally:
            writer.close()
