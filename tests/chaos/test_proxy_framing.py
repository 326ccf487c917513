"""HTTP-mode framing: how the proxy finds where each request and response ends, however the
bytes are split, pipelined, sized or closed, against upstreams that frame on their own."""

import asyncio
import contextlib
import os
from collections.abc import Callable

import pytest

from stormproof.chaos import Duplicate, FaultProxy, Reset
from tests.chaos.upstreams import (
    CLOSE,
    RESET,
    SeenRequest,
    exchange,
    http_upstream,
    pieces,
    read_until_eof,
    run,
    scripted_upstream,
    send_pieces,
)

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _ok(connection: int, request: bytes) -> list[bytes]:
    return [OK]


async def _connect(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def _read(reader: asyncio.StreamReader, expected: bytes) -> bytes:
    return await asyncio.wait_for(reader.readexactly(len(expected)), 5)


def test_pipelined_requests_are_answered_in_order_one_at_a_time():
    requests = [
        b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    def answer(connection: int, request: bytes) -> list[bytes]:
        body = request.split(b" ")[1]
        return [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)]

    async def body():
        async with (
            scripted_upstream(answer) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"".join(requests))  # one segment: all three at once
            replies = [await _read(reader, answer(0, r)[0]) for r in requests]
            writer.close()
            assert replies == [answer(0, r)[0] for r in requests]
            assert upstream.requests == requests
            assert upstream.connections == 1
            assert proxy.counters.requests == 3

    run(body())


def test_request_split_into_one_byte_segments_arrives_whole():
    request = (
        b"POST /split HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )

    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                reader, writer = await _connect(proxy)
                await send_pieces(writer, pieces(request, 1), gap=0.001)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                reply = await _read(reader, b"POST /split 11\n")
                writer.close()
                assert proxy.counters.requests == 1
        assert head.startswith(b"HTTP/1.1 200 ")
        assert reply == b"POST /split 11\n"
        assert upstream.requests() == [SeenRequest("POST", "/split", b"hello world")]

    run(body())


def _by_path(answers: dict[bytes, bytes], size: int = 0) -> Callable[[int, bytes], list[bytes]]:
    """Answer each request with ``answers[its path]``, in pieces of ``size`` bytes if given."""

    def answer(connection: int, request: bytes) -> list[bytes]:
        reply = answers[request.split(b" ")[1]]
        return pieces(reply, size) if size else [reply]

    return answer


@pytest.mark.parametrize("size", [1, 3, 7], ids=lambda n: f"{n}-byte-writes")
def test_response_split_into_small_segments_arrives_whole(size):
    chunked = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4;name=value\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n"
    )
    answer = _by_path({b"/1": chunked, b"/2": OK}, size)

    async def body():
        async with (
            scripted_upstream(answer, gap=0.0005) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n")
            received = [await _read(reader, reply) for reply in (chunked, OK)]
            writer.close()
            assert received == [chunked, OK]
            assert proxy.counters.requests == 2

    run(body())


def test_large_chunked_request_body_passes_whole():
    payload = os.urandom(3 * 1024 * 1024)

    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                replies = await asyncio.to_thread(
                    exchange, proxy.port, [("PUT", "/big", payload)], chunked=True
                )
        assert replies[0].body == f"PUT /big {len(payload)}\n".encode()
        assert upstream.requests() == [SeenRequest("PUT", "/big", payload)]

    run(body())


def test_pipelined_large_requests_wait_their_turn_whole():
    size = 1024 * 1024
    bodies = [os.urandom(size), os.urandom(size)]

    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                reader, writer = await _connect(proxy)
                for number, payload in enumerate(bodies):
                    writer.write(
                        b"POST /%d HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (number, size)
                    )
                    writer.write(payload)
                replies = []
                for number in range(2):
                    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                    replies.append(await _read(reader, b"POST /%d %d\n" % (number, size)))
                writer.close()
        assert replies == [b"POST /0 1048576\n", b"POST /1 1048576\n"]
        assert upstream.requests() == [
            SeenRequest("POST", f"/{n}", b) for n, b in enumerate(bodies)
        ]

    run(body())


def test_large_response_to_a_slow_reader_arrives_whole():
    payload = os.urandom(6 * 1024 * 1024)
    response = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)

    async def body():
        async with (
            scripted_upstream(lambda c, r: [response]) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET /big HTTP/1.1\r\n\r\nGET /again HTTP/1.1\r\n\r\n")
            await asyncio.sleep(0.2)  # the proxy's buffers toward us fill up meanwhile
            received = [await _read(reader, response) for _ in range(2)]
            writer.close()
            assert received == [response, response]
            assert proxy.counters.requests == 2

    run(body())


def test_expect_continue_gets_the_interim_answer_before_the_final_one():
    request = (
        b"POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
    )

    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                reader, writer = await _connect(proxy)
                writer.write(request)
                await asyncio.sleep(0.05)  # like a client's short wait for 100 Continue
                writer.write(b"data")
                interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                final = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                reply = await _read(reader, b"POST /upload 4\n")
                writer.close()
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        assert final.startswith(b"HTTP/1.1 200 ")
        assert reply == b"POST /upload 4\n"
        assert upstream.requests() == [SeenRequest("POST", "/upload", b"data")]

    run(body())


@pytest.mark.parametrize(
    ("method", "answer"),
    [
        (b"HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
        (b"GET", b"HTTP/1.1 204 No Content\r\nContent-Length: 1000\r\n\r\n"),
        (b"GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n"),
    ],
    ids=["HEAD", "204", "304"],
)
def test_answers_without_a_body_do_not_wait_for_one(method, answer):
    async def body():
        answers = _by_path({b"/first": answer, b"/second": OK})
        async with (
            scripted_upstream(answers) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(method + b" /first HTTP/1.1\r\n\r\n")
            first = await _read(reader, answer)
            writer.write(b"GET /second HTTP/1.1\r\n\r\n")
            second = await _read(reader, OK)
            writer.close()
        assert (first, second) == (answer, OK)

    run(body())


@pytest.mark.parametrize(
    ("request_head", "answer"),
    [
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", OK),
        (b"GET / HTTP/1.0\r\n\r\n", OK),
        (
            b"GET / HTTP/1.1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
        ),
        (b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    ],
    ids=["request-close", "http-1.0", "response-close", "response-1.0"],
)
def test_a_closing_exchange_ends_the_connection_after_the_response(request_head, answer):
    async def body():
        async with (
            scripted_upstream(lambda c, r: [answer]) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            # The request after the closing one must not be forwarded.
            writer.write(request_head + b"GET /never HTTP/1.1\r\n\r\n")
            received = await read_until_eof(reader)
            writer.close()
            assert received == answer
            assert upstream.requests == [request_head]

    run(body())


def test_response_framed_by_the_end_of_the_connection():
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
    answer = [head, b"until ", b"the end", CLOSE]

    async def body():
        async with (
            scripted_upstream(lambda c, r: answer, gap=0.01) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET / HTTP/1.1\r\n\r\n")
            received = await read_until_eof(reader)
            writer.close()
        assert received == head + b"until the end"

    run(body())


def test_upgrade_turns_the_connection_into_a_byte_pipe():
    switching = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"

    async def body():
        async with (
            scripted_upstream(lambda c, r: [switching + b"hi"]) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            # Bytes sent right behind the upgrade request wait for the switch, then pass.
            writer.write(b"GET /ws HTTP/1.1\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly ")
            assert await _read(reader, switching + b"hi") == switching + b"hi"
            assert await _read(reader, b"early ") == b"early "
            writer.write(b"GET / HTTP/1.1\r\n\r\n")  # no longer HTTP to the proxy: echoed
            assert await _read(reader, b"GET / HTTP/1.1\r\n\r\n") == b"GET / HTTP/1.1\r\n\r\n"
            writer.write_eof()
            assert await read_until_eof(reader) == b""
            writer.close()
            assert proxy.counters.requests == 1
            assert len(upstream.requests) == 1

    run(body())


def test_client_half_close_still_gets_the_response():
    async def body():
        async with (
            scripted_upstream(_ok, gap=0.05) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET / HTTP/1.1\r\n\r\n")
            writer.write_eof()
            assert await read_until_eof(reader) == OK
            writer.close()
            assert len(upstream.requests) == 1

    run(body())


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
    ],
    ids=["chunk-size", "negative-length", "two-lengths", "no-colon", "not-http"],
)
def test_unframeable_request_is_reset_and_never_forwarded(request_bytes):
    async def body():
        async with (
            scripted_upstream(_ok) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(request_bytes)
            with pytest.raises(ConnectionResetError):
                await read_until_eof(reader)
            writer.close()
            assert upstream.requests == []

    run(body())


def test_unframeable_response_resets_the_client():
    async def body():
        async with (
            scripted_upstream(lambda c, r: [b"SMTP ready\r\n\r\n"]) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET / HTTP/1.1\r\n\r\n")
            with pytest.raises(ConnectionResetError):
                await read_until_eof(reader)
            writer.close()

    run(body())


def test_overlong_head_closes_the_connection_unforwarded():
    async def body():
        async with (
            scripted_upstream(_ok) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000)
            # Closed, not reset: but bytes the proxy never read may turn its FIN into an RST.
            with contextlib.suppress(ConnectionResetError):
                assert await read_until_eof(reader) == b""
            writer.close()
            assert upstream.requests == []

    run(body())


@pytest.mark.parametrize(
    ("partial", "reset"),
    [
        (b"GET / HTTP/1.1\r\nHost", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc", False),
    ],
    ids=["inside-head", "inside-body"],
)
def test_client_leaving_mid_request_forwards_nothing(partial, reset):
    async def body():
        async with (
            scripted_upstream(_ok) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(partial)
            writer.write_eof()
            if reset:  # bytes that never became a request head: not HTTP
                with pytest.raises(ConnectionResetError):
                    await read_until_eof(reader)
            else:
                assert await read_until_eof(reader) == b""
            writer.close()
            assert upstream.requests == []
            assert proxy.counters.requests == 0

    run(body())


def test_upstream_leaving_mid_response_closes_the_client():
    answer = [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart", CLOSE]

    async def body():
        async with (
            scripted_upstream(lambda c, r: answer) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET / HTTP/1.1\r\n\r\n")
            assert await read_until_eof(reader) == b""  # nothing of a partial response
            writer.close()

    run(body())


def test_upstream_reset_mid_response_closes_the_client():
    answer = [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart", RESET]

    async def body():
        async with (
            scripted_upstream(lambda c, r: answer, gap=0.02) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            reader, writer = await _connect(proxy)
            writer.write(b"GET / HTTP/1.1\r\n\r\n")
            assert await read_until_eof(reader) == b""
            writer.close()

    run(body())


def test_reset_fault_cuts_a_response_after_its_byte_budget():
    request = b"GET / HTTP/1.1\r\n\r\n"

    async def body():
        async with (
            scripted_upstream(_ok) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            proxy.set_fault(Reset(after_bytes=len(request) + 10))
            reader, writer = await _connect(proxy)
            writer.write(request)
            received = b""
            with pytest.raises(ConnectionResetError):
                while chunk := await asyncio.wait_for(reader.read(1024), 5):
                    received += chunk
            writer.close()
            assert received == OK[:10]
            assert upstream.requests == [request]
            assert proxy.counters.faults["reset"] == 1

    run(body())


def test_duplicate_whose_copy_gets_no_proper_answer_counts_an_upstream_error():
    def answer(connection: int, request: bytes) -> list[bytes]:
        return [OK] if connection == 0 else [b"garbage\r\n\r\n"]

    async def body():
        async with (
            scripted_upstream(answer) as upstream,
            FaultProxy("127.0.0.1", upstream.port) as proxy,
        ):
            proxy.set_fault(Duplicate(probability=1.0))
            reader, writer = await _connect(proxy)
            writer.write(b"POST /pay HTTP/1.1\r\nContent-Length: 1\r\n\r\n1")
            assert await _read(reader, OK) == OK
            writer.close()
            assert len(upstream.requests) == 2
            assert proxy.counters.upstream_errors == 1
            assert proxy.counters.faults["duplicate"] == 1

    run(body())
