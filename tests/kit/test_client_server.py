"""Client and AsyncClient against a real HTTP server on a loopback port: timeouts that really
expire, retries and keys as the server sees them, the deadline header it receives, and a
port nobody listens on."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from stormproof.kit import deadline
from stormproof.kit.breaker import CircuitBreaker
from tests.kit import test_client_support as support
from tests.kit.test_client_support import Flavour, LoopbackServer, unique_target

flavour = support.flavour
no_backoff = support.no_backoff
server = support.server


def test_a_server_that_hangs_times_out_after_the_timeout(
    flavour: Flavour, server: LoopbackServer
) -> None:
    breaker = CircuitBreaker(unique_target())
    client = flavour.client(base_url=server.url, timeout=0.3, attempts=1, breaker=breaker)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        flavour.call(client, "GET", "/hang")
    assert 0.25 <= time.monotonic() - started < 3.0
    assert (breaker.metrics().calls, breaker.metrics().failures) == (1, 1)


def test_a_timed_out_get_is_retried_and_the_timeout_raised_at_the_end(
    flavour: Flavour, server: LoopbackServer
) -> None:
    client = flavour.client(base_url=server.url, timeout=0.2, attempts=2)
    with pytest.raises(httpx.ReadTimeout):
        flavour.call(client, "GET", "/hang")
    assert len(server.headers_of("/hang", "host")) == 2


def test_get_503_then_200(flavour: Flavour, server: LoopbackServer) -> None:
    client = flavour.client(base_url=server.url)
    response = flavour.call(client, "GET", "/flaky/a")
    assert response.status_code == 200
    assert response.json()["path"] == "/flaky/a"
    assert len(server.headers_of("/flaky/a", "host")) == 2


def test_the_server_sees_one_generated_key_on_both_attempts(
    flavour: Flavour, server: LoopbackServer
) -> None:
    client = flavour.client(base_url=server.url)
    response = flavour.call(client, "POST", "/charges/b", json={"amount": 5})
    assert response.status_code == 201
    assert response.json()["body"] == '{"amount":5}'
    keys = server.headers_of("/charges/b", "Idempotency-Key")
    assert len(keys) == 2 and keys[0] is not None and keys[0] == keys[1]


def test_a_post_without_a_key_is_not_retried(flavour: Flavour, server: LoopbackServer) -> None:
    client = flavour.client(base_url=server.url, idempotency=False)
    assert flavour.call(client, "POST", "/charges/c", json={}).status_code == 503
    assert server.headers_of("/charges/c", "Idempotency-Key") == [None]


def test_the_deadline_cuts_the_timeout_and_reaches_the_server(
    flavour: Flavour, server: LoopbackServer
) -> None:
    client = flavour.client(base_url=server.url, timeout=5.0)
    started = time.monotonic()
    with deadline.deadline(0.4), pytest.raises(httpx.ReadTimeout):
        flavour.call(client, "GET", "/hang")
    assert time.monotonic() - started < 3.0
    (sent,) = server.headers_of("/hang", deadline.HEADER)  # the deadline left no retry
    assert sent is not None and 0 < int(sent) <= 400


def test_nobody_listening_is_retried_then_raised(flavour: Flavour) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    breaker = CircuitBreaker(unique_target())
    client = flavour.client(base_url=f"http://127.0.0.1:{port}", breaker=breaker)
    with pytest.raises(httpx.ConnectError):
        flavour.call(client, "GET", "/")
    assert (breaker.metrics().calls, breaker.metrics().failures) == (3, 3)
