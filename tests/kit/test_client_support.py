"""What the client tests share; no tests of its own. Each test runs once with ``Client``
and once with ``AsyncClient`` (the ``flavour`` fixture), against a scripted
``httpx.MockTransport`` for exact sequences or a real loopback server (the ``server`` fixture)."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import stamina

from stormproof.kit.client import AsyncClient, Client

Outcome = int | httpx.Response | Exception


def unique_target() -> str:
    """A target of its own, so that the shared breaker and budget start fresh."""
    return f"target-{uuid.uuid4().hex[:12]}"


class Script:
    """A transport handler that answers with ``outcomes`` in turn (the last one repeats): a
    status code, a response, or an exception to raise (given the request, when it is an
    httpx error class). Every request it saw is kept, with its headers as sent."""

    def __init__(self, *outcomes: Outcome | type[httpx.RequestError]) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[httpx.Request] = []
        self.on_request: Callable[[httpx.Request], None] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # The client resends one Request object; keep what each attempt carried.
        self.requests[-1] = httpx.Request(
            request.method,
            request.url,
            headers=request.headers.copy(),
            content=request.content,
            extensions=dict(request.extensions),
        )
        if self.on_request is not None:
            self.on_request(request)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, type):
            raise outcome(f"scripted {outcome.__name__}", request=request)
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, int):
            return httpx.Response(outcome, json={"status": outcome})
        return outcome

    def header(self, name: str) -> list[str | None]:
        return [r.headers.get(name) for r in self.requests]


class Flavour:
    """Builds clients of one flavour and runs their calls to completion. Async calls run on
    one event loop per test, so that a client keeps its connections between calls."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loop = asyncio.new_event_loop() if name == "async" else None
        self.clients: list[Client | AsyncClient] = []

    def __repr__(self) -> str:
        return self.name

    @property
    def kind(self) -> type[Client] | type[AsyncClient]:
        return AsyncClient if self.loop is not None else Client

    def client(
        self, target: str | None = None, *, base_url: str = "http://target.test", **kw: Any
    ) -> Client | AsyncClient:
        client = self.kind(target or unique_target(), base_url=base_url, **kw)
        self.clients.append(client)
        return client

    def scripted(self, script: Script, **kw: Any) -> Client | AsyncClient:
        return self.client(transport=httpx.MockTransport(script), **kw)

    def run(self, result: Any) -> Any:
        """The value of a client call: as is (sync), or the coroutine awaited (async)."""
        if self.loop is None:
            return result
        return self.loop.run_until_complete(result)

    def call(
        self, client: Client | AsyncClient, method: str, url: str = "/", **options: Any
    ) -> httpx.Response:
        response: httpx.Response = self.run(client.request(method, url, **options))
        return response

    def close(self) -> None:
        for client in self.clients:
            if isinstance(client, AsyncClient):
                assert self.loop is not None
                self.loop.run_until_complete(client.aclose())
            else:
                client.close()
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> Iterator[Flavour]:
    chosen = Flavour(request.param)
    yield chosen
    chosen.close()


@pytest.fixture(autouse=True)
def no_backoff() -> Iterator[None]:
    """Stamina's test mode: no backoff sleeps, and the client's own attempt counts (a cap
    above the client's maximum changes nothing)."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


class _Handler(BaseHTTPRequestHandler):
    """``/hang`` answers only when the test ends; ``/flaky/<id>`` and ``POST /charges/<id>``
    answer 503 to their first request and succeed after; anything else answers 200."""

    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = self.server.record(self.command, self.path, dict(self.headers.items()))
        if self.path == "/hang":
            self.server.release.wait(30)
            status = 200
        elif self.path.startswith(("/flaky/", "/charges/")):
            status = 503 if seen == 1 else (201 if self.command == "POST" else 200)
        else:
            status = 200
        payload = json.dumps({"body": body.decode(), "path": self.path}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer(ThreadingHTTPServer):
    """A real HTTP/1.1 server on a loopback port, in a thread, that keeps every request's
    method, path and headers (names lower-cased)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, method: str, path: str, headers: dict[str, str]) -> int:
        """Keep one request; how many requests for this method and path there have been."""
        with self.lock:
            self.requests.append((method, path, {k.lower(): v for k, v in headers.items()}))
            return sum(1 for m, p, _ in self.requests if (m, p) == (method, path))

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) leaves a closed socket to answer on."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def headers_of(self, path: str, name: str) -> list[str | None]:
        with self.lock:
            return [h.get(name.lower()) for _, p, h in self.requests if p == path]


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    loopback = LoopbackServer()
    thread = threading.Thread(target=loopback.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield loopback
    loopback.release.set()
    loopback.shutdown()
    loopback.server_close()
    thread.join(timeout=10)
