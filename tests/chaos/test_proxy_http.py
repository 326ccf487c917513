"""HTTP-mode proxy: keep-alive pass-through and the HTTP-aware faults, against a stdlib
HTTP/1.1 server that records every request it applies."""

import asyncio
import http.client
import random

import pytest

from stormproof.chaos import (
    DropResponse,
    Duplicate,
    FaultProxy,
    HttpError,
    Latency,
    Partition,
)
from tests.chaos.upstreams import Reply, SeenRequest, exchange, http_upstream, run

MIXED_REQUESTS = [
    ("GET", "/health", None),
    ("POST", "/charges", b'{"amount": 42}'),
    ("HEAD", "/charges/1", None),
    ("DELETE", "/reservations/7", None),
    ("PUT", "/seats/3", b"x" * 5000),
]


async def _exchange(port, requests, **options) -> list[Reply]:
    return await asyncio.to_thread(exchange, port, requests, **options)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_keep_alive_requests_pass_through_unchanged(chunked):
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                replies = await _exchange(proxy.port, MIXED_REQUESTS, chunked=chunked)
                counters = proxy.counters.as_dict()
        expected = [
            Reply(200, b"" if m == "HEAD" else f"{m} {p} {len(b or b'')}\n".encode())
            for m, p, b in MIXED_REQUESTS
        ]
        assert replies == expected
        assert upstream.requests() == [SeenRequest(m, p, b or b"") for m, p, b in MIXED_REQUESTS]
        assert counters == {
            "connections": 1,
            "requests": len(MIXED_REQUESTS),
            "upstream_errors": 0,
            "faults": {},
        }

    run(body())


@pytest.mark.parametrize("status", [503, 500])
def test_http_error_answers_without_forwarding(status):
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                proxy.set_fault(HttpError(probability=1.0, status=status))
                replies = await _exchange(proxy.port, [("POST", "/charges", b"{}")] * 2)
                assert proxy.counters.faults["http_error"] == 2
        assert [r.status for r in replies] == [status, status]
        assert b"injected" in replies[0].body
        assert upstream.requests() == []

    run(body())


def test_drop_response_applies_the_request_but_never_answers():
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                proxy.set_fault(DropResponse(probability=1.0))
                with pytest.raises(http.client.RemoteDisconnected):
                    await _exchange(proxy.port, [("POST", "/charges", b'{"amount": 5}')])
                assert proxy.counters.faults["drop_response"] == 1
        assert upstream.requests() == [SeenRequest("POST", "/charges", b'{"amount": 5}')]

    run(body())


def test_duplicate_delivers_twice_and_answers_once():
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                proxy.set_fault(Duplicate(probability=1.0))
                first = await _exchange(proxy.port, [("POST", "/charges", b"pay-1")])
                proxy.heal()
                # Were a second response left on the connection, the next request would read it.
                later = await _exchange(
                    proxy.port, [("POST", "/charges", b"pay-1"), ("GET", "/next", None)]
                )
                assert proxy.counters.faults["duplicate"] == 1
        assert first == [Reply(200, b"POST /charges 5\n")]
        assert later[1] == Reply(200, b"GET /next 0\n")
        assert upstream.requests()[:2] == [SeenRequest("POST", "/charges", b"pay-1")] * 2
        assert len(upstream.requests()) == 4

    run(body())


def test_faults_change_on_an_open_connection_and_heal_restores_pass_through():
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)

                async def get(path: str, timeout: float = 5.0) -> bytes:
                    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    return head.split(b" ", 2)[1] + b" " + await reader.readexactly(length)

                assert await get("/a") == b"200 GET /a 0\n"
                proxy.set_fault(HttpError(status=503))
                proxy.set_fault(Latency(delay_ms=1))
                assert (await get("/b")).startswith(b"503 ")
                proxy.clear_fault("http_error")
                assert await get("/c") == b"200 GET /c 0\n"
                proxy.set_fault(Partition(direction="downstream"))
                with pytest.raises(TimeoutError):
                    await get("/d", timeout=0.3)
                proxy.heal()
                assert proxy.faults == ()
                fresh = await _exchange(proxy.port, [("GET", "/e", None)])
                writer.close()
        assert fresh == [Reply(200, b"GET /e 0\n")]
        assert [r.path for r in upstream.requests()] == ["/a", "/c", "/d", "/e"]

    run(body())


def _statuses_with_seed(seed: int) -> list[int]:
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port, rng=random.Random(seed)) as proxy:
                proxy.set_fault(HttpError(probability=0.5))
                replies = await _exchange(proxy.port, [("GET", "/", None)] * 40)
        return [r.status for r in replies]

    return run(body())


def test_seeded_probabilities_are_reproducible():
    first, again, other = _statuses_with_seed(7), _statuses_with_seed(7), _statuses_with_seed(8)
    assert first == again
    assert {200, 503} <= set(first)
    assert first != other


def test_malformed_request_is_cut_and_never_forwarded():
    async def body():
        with http_upstream() as upstream:
            async with FaultProxy("127.0.0.1", upstream.port) as proxy:
                reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
                writer.write(b"HELLO THERE\r\n\r\n")
                with pytest.raises(ConnectionResetError):
                    await asyncio.wait_for(reader.read(), 5)
        assert upstream.requests() == []

    run(body())
