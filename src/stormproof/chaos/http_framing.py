"""HTTP/1.x framing for the fault proxy: where a request or a response at the front of a
buffer ends, how it frames the rest of its connection, and an injected error response.

Only what framing needs is parsed (the start line, Connection, Content-Length and
Transfer-Encoding); everything else passes through untouched, byte for byte.
"""

from __future__ import annotations

from typing import NamedTuple

HEAD_LIMIT = 64 * 1024
"""A longer head (or chunk size line) ends the connection."""
_NO_BODY_STATUSES = frozenset({101, 204, 304})
_FRAMING_HEADERS = frozenset({b"connection", b"content-length", b"transfer-encoding"})
_CHUNKED = -1  # body lengths that are not a length
_UNTIL_EOF = -2


class LinkCut(Exception):
    """Stop serving the connection quietly: a fault cut it, a peer left mid-message, or a
    head grew past :data:`HEAD_LIMIT`."""


class BadMessage(Exception):
    """Bytes that do not frame as HTTP/1.x."""


class Message(NamedTuple):
    """One whole message, as it came (``raw``), and how it frames its connection."""

    raw: bytes
    method: bytes = b""
    closes: bool = False
    upgraded: bool = False


def _parse_head(head: bytes) -> tuple[list[bytes], dict[bytes, bytes]]:
    """The start line's words and the headers that frame the message (names and values
    lower-cased, repeats joined with commas). Every header line must hold a colon."""
    lines = head.lower().split(b"\r\n")
    headers: dict[bytes, bytes] = {}
    for line in lines[1:-2]:  # the head ends with an empty line: two empty strings
        name, colon, value = line.partition(b":")
        if not colon:
            raise BadMessage(f"header line without a colon: {line[:80]!r}")
        name = name.strip()
        if name in _FRAMING_HEADERS:
            value = value.strip()
            headers[name] = headers[name] + b"," + value if name in headers else value
    return head[: len(lines[0])].split(b" ", 2), headers  # the start line keeps its case


def _closes(version: bytes, headers: dict[bytes, bytes]) -> bool:
    connection = headers.get(b"connection")
    if connection is None:
        return version == b"HTTP/1.0"
    tokens = {token.strip() for token in connection.split(b",")}
    return b"close" in tokens or (version == b"HTTP/1.0" and b"keep-alive" not in tokens)


def _body_length(headers: dict[bytes, bytes]) -> int:
    """The length of a body framed by Transfer-Encoding or Content-Length; 0 otherwise."""
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        return _CHUNKED
    value = headers.get(b"content-length")
    if value is None:
        return 0
    try:
        length = int(value)
    except ValueError:
        length = -1
    if length < 0:
        raise BadMessage(f"bad Content-Length {value!r}")
    return length


class Framer:
    """Finds where the HTTP/1.x message at the front of a buffer ends and cuts it off. It
    keeps its place between calls, so that a message arriving in many segments is scanned
    once. ``request`` is the request a response answers; None when framing requests."""

    def __init__(self, request: Message | None = None) -> None:
        self.request = request
        self._head_start = 0  # where the head being framed begins (after interim responses)
        self._scanned = 0  # how far the search for the end of the head or of a chunk has got
        self._body_start = -1  # -1 until the head is parsed; then the fields below are set
        self._in_trailers = False
        self._length = 0  # the body's length, or _CHUNKED, or _UNTIL_EOF
        self._method = b""
        self._closes = False
        self._upgraded = False

    @property
    def in_head(self) -> bool:
        return self._body_start < 0

    def frame(self, buffer: bytearray, eof: bool) -> Message | None:
        """The next whole message, cut from the front of ``buffer``; None until all of it is
        there (``eof``: no more bytes will come)."""
        if self._body_start < 0 and not self._frame_head(buffer):
            return None
        length = self._length
        if length >= 0:
            end = self._body_start + length
            if len(buffer) < end:
                return None
        elif length == _CHUNKED:
            end = self._chunked_end(buffer)
            if end < 0:
                return None
        elif eof:
            end = len(buffer)
        else:
            return None
        if end == len(buffer):
            raw = bytes(buffer)
            buffer.clear()
        else:
            raw = bytes(buffer[:end])
            del buffer[:end]
        self._head_start = self._scanned = 0
        self._body_start = -1
        self._in_trailers = False
        return Message(raw, self._method, self._closes, self._upgraded)

    def _frame_head(self, buffer: bytearray) -> bool:
        """Parse the head at the front of ``buffer``, past any interim responses, if all of
        it is there."""
        while True:
            start = self._head_start
            end = buffer.find(b"\r\n\r\n", max(start, self._scanned - 3))
            if end < 0:
                self._scanned = len(buffer)
                if self._scanned - start > HEAD_LIMIT:
                    raise LinkCut
                return False
            end += 4
            if end - start > HEAD_LIMIT:
                raise LinkCut
            start_line, headers = _parse_head(bytes(buffer[start:end]))
            self._scanned = end
            if self.request is None:
                self._frame_request(start_line, headers)
                break
            if self._frame_response(start_line, headers):
                break
            self._head_start = end  # an interim response: the final one follows
        self._body_start = end
        return True

    def _frame_request(self, start_line: list[bytes], headers: dict[bytes, bytes]) -> None:
        if len(start_line) != 3 or not start_line[2].startswith(b"HTTP/1."):
            raise BadMessage(f"not an HTTP/1.x request line: {start_line!r}")
        self._method = start_line[0]
        self._closes = _closes(start_line[2], headers)
        self._length = _body_length(headers)

    def _frame_response(self, start_line: list[bytes], headers: dict[bytes, bytes]) -> bool:
        """Whether this head is the final response (not an interim 1xx)."""
        request = self.request
        assert request is not None
        if (
            len(start_line) < 2
            or not start_line[0].startswith(b"HTTP/1.")
            or not start_line[1].isdigit()
        ):
            raise BadMessage(f"not an HTTP/1.x status line: {start_line!r}")
        status = int(start_line[1])
        if 100 <= status < 200 and status != 101:
            return False
        self._closes = request.closes or _closes(start_line[0], headers)
        self._upgraded = status == 101
        if request.method == b"HEAD" or status in _NO_BODY_STATUSES:
            self._length = 0
        elif b"transfer-encoding" in headers or b"content-length" in headers:
            self._length = _body_length(headers)
        else:  # framed by the end of the connection
            self._length = _UNTIL_EOF
            self._closes = True
        return True

    def _chunked_end(self, buffer: bytearray) -> int:
        """Where the chunked body ends (after its trailers), or -1 while it is incomplete."""
        position = max(self._scanned, self._body_start)
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                if len(buffer) - position > HEAD_LIMIT:
                    raise LinkCut
                self._scanned = position
                return -1
            line_end += 2
            if self._in_trailers:
                if line_end - position == 2:  # the empty line after the trailers
                    return line_end
                position = line_end
                continue
            line = buffer[position:line_end]
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                size = -1
            if size < 0:
                raise BadMessage(f"bad chunk size line {bytes(line[:80])!r}")
            if size == 0:
                self._in_trailers = True
                position = line_end
                continue
            position = line_end + size + 2  # past the chunk's data and its CRLF


def error_response(status: int) -> bytes:
    body = f"stormproof chaos: injected {status}\n".encode()
    return (
        f"HTTP/1.1 {status} Injected Fault\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
