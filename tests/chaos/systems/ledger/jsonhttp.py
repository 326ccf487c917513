"""The JSON-over-HTTP skeleton both ledger services run on: stdlib only, so a service starts
in a few tens of milliseconds, and a threaded server, so one slow request (a store call that
waits for its timeout) does not hold up the others.

Imported by ``api.py`` and ``store.py`` as a sibling module (they run as scripts, so their
own directory is on ``sys.path``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, Any]
Route = Callable[[Any], Answer]
"""A handler: the decoded JSON body (None for a GET) → (status, JSON-ready body)."""


class BadRequest(Exception):
    """Raised by a route for input it refuses; answered 400 with the message."""


def fields(body: Any, types: Mapping[str, type]) -> dict[str, Any]:
    """The named fields of a JSON object, each of its type, ints positive and strings not
    empty; BadRequest naming the first field that is not."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    values: dict[str, Any] = {}
    for name, kind in types.items():
        value = body.get(name)
        # bool is an int to Python, never an amount to us.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BadRequest(f"{name} must be a {kind.__name__}, got {value!r}")
        if kind is int and value <= 0:
            raise BadRequest(f"{name} must be positive, got {value}")
        if kind is str and not value:
            raise BadRequest(f"{name} must not be empty")
        values[name] = value
    return values


def serve(name: str, routes: Mapping[tuple[str, str], Route], argv: Sequence[str]) -> None:
    """Answer ``routes`` (keyed by (method, path)) and ``GET /health`` on loopback at the
    ``--port`` given in ``argv``, until the process is killed."""
    parser = argparse.ArgumentParser(prog=name)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args(argv).port
    table = {("GET", "/health"): _health, **routes}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall

        def _handle(self) -> None:
            route = table.get((self.command, self.path))
            try:
                body = self._body()
                status, answer = route(body) if route else (404, {"error": f"no route {self.path}"})
            except BadRequest as error:
                status, answer = 400, {"error": str(error)}
            self._send(status, answer)

        def _body(self) -> Any:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not raw:
                return None
            try:
                return json.loads(raw)
            except ValueError:
                raise BadRequest("the body is not JSON") from None

        def _send(self, status: int, answer: Any) -> None:
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def _health(_: Any) -> Answer:
    return 200, {"status": "ok"}
