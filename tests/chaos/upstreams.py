"""Loopback upstreams for the proxy tests: a threaded stdlib HTTP/1.1 server (an HTTP
implementation independent of the proxy's), an asyncio echo server, and a scripted HTTP
server whose every answer byte (and how they are split into writes) a test chooses."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import struct
import sys
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")
TEST_DEADLINE_S = 20.0


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one test body on a fresh event loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(coroutine, TEST_DEADLINE_S))


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    body: bytes


class RecordingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.seen: list[SeenRequest] = []
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def requests(self) -> list[SeenRequest]:
        with self.lock:
            return list(self.seen)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about connections the proxy resets on purpose; loud about anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RecordingHandler(BaseHTTPRequestHandler):
    """Records each request, then answers 200 with ``<METHOD> <path> <body length>``."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one reply is two writes: no 40 ms delayed-ACK stall
    server: RecordingHTTPServer

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            body = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            return body
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _answer(self) -> None:
        body = self._read_body()
        with self.server.lock:
            self.server.seen.append(SeenRequest(self.command, self.path, body))
        reply = f"{self.command} {self.path} {len(body)}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


@contextlib.contextmanager
def http_upstream() -> Any:
    server = RecordingHTTPServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


def exchange(
    port: int, requests: list[tuple[str, str, bytes | None]], *, chunked: bool = False
) -> list[Reply]:
    """Send ``requests`` in order on one keep-alive connection (blocking: use to_thread)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        replies = []
        for method, path, body in requests:
            headers = {"Transfer-Encoding": "chunked"} if chunked and body else {}
            connection.request(method, path, body=body, headers=headers, encode_chunked=chunked)
            response = connection.getresponse()
            replies.append(Reply(response.status, response.read()))
        return replies
    finally:
        connection.close()


@dataclass
class EchoServer:
    port: int = 0
    connections: int = 0
    received: bytearray = field(default_factory=bytearray)


async def _echo(
    server: EchoServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    server.connections += 1
    try:
        while data := await reader.read(65536):
            server.received += data
            writer.write(data)
            await writer.drain()
        writer.write_eof()
    except OSError:
        pass
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def echo_upstream() -> AsyncIterator[EchoServer]:
    state = EchoServer()
    server = await asyncio.start_server(lambda r, w: _echo(state, r, w), "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()


async def read_until_eof(reader: asyncio.StreamReader, timeout: float = 5.0) -> bytes:
    return await asyncio.wait_for(reader.read(), timeout)


# -- scripted HTTP upstream ----------------------------------------------------------------

CLOSE = b"<close>"  # a piece that closes the connection (FIN) where it stands
RESET = b"<reset>"  # a piece that resets it (RST)
Answer = Callable[[int, bytes], Sequence[bytes]]


@dataclass
class ScriptedServer:
    port: int = 0
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)  # head and body, as received


def _content_length(head: bytes) -> int:
    for line in head.lower().split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip() == b"content-length":
            return int(value)
    return 0


async def _serve_script(
    server: ScriptedServer,
    answer: Answer,
    gap: float,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    """Each request (framed by Content-Length only) is answered with the pieces
    ``answer(connection index, request)`` gives, written one at a time ``gap`` seconds apart.
    After a ``101`` answer the connection echoes whatever comes."""
    connection = server.connections
    server.connections += 1
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            request = head + await reader.readexactly(_content_length(head))
            server.requests.append(request)
            pieces = answer(connection, request)
            for piece in pieces:
                if piece == CLOSE:
                    return
                if piece == RESET:
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                writer.write(piece)
                await writer.drain()
                if gap:
                    await asyncio.sleep(gap)
            if pieces and pieces[0].startswith(b"HTTP/1.1 101"):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
                return
    except OSError:
        pass
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def scripted_upstream(answer: Answer, *, gap: float = 0.0) -> AsyncIterator[ScriptedServer]:
    state = ScriptedServer()
    server = await asyncio.start_server(
        lambda r, w: _serve_script(state, answer, gap, r, w), "127.0.0.1", 0
    )
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()


def pieces(data: bytes, size: int) -> list[bytes]:
    """``data`` cut into pieces of ``size`` bytes (the last may be shorter)."""
    return [data[i : i + size] for i in range(0, len(data), size)]


async def send_pieces(writer: asyncio.StreamWriter, parts: Sequence[bytes], gap: float) -> None:
    """Write each part on its own, ``gap`` seconds apart, so each is a TCP segment of its own."""
    for part in parts:
        writer.write(part)
        await writer.drain()
        await asyncio.sleep(gap)
