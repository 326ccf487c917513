"""An ASGI middleware that makes unsafe requests carrying an ``Idempotency-Key`` run at most
once, following Stripe's semantics and the IETF Idempotency-Key draft.

Pure ASGI: it wraps FastAPI, Starlette or any other ASGI application.

- The first request with a key locks it, runs the handler and stores its response; a retry of
  the same request gets that response again, byte for byte, with ``Idempotent-Replayed: true``,
  and the handler does not run again.
- A retry that arrives while the first request still runs gets 409 with ``Retry-After: 1``;
  the key reused for a different request (method, path, query or body) gets 422; a missing key
  where one is required gets 400, a malformed key 400, a body over ``max_body`` 413. Problems
  are RFC 9457 JSON.
- Which answers are final. A 2xx, 3xx or 4xx answer is stored: the request was judged, and
  running it again would judge it the same way (or, for a 2xx, do the effect twice). A 5xx
  answer or an exception is not stored, and the key is released so that a retry runs the
  handler again: a server error says nothing about the request, and a retry is how a client
  recovers from it (Stripe does the same). 408 and 429 are not stored either: they mean "come
  back later", and replaying them would make every retry fail until the key expires.
- The response is stored before its last byte is sent: a client that saw the answer can rely
  on a retry replaying it, even if the connection broke just before the end. If the store
  fails then, the connection is cut and the key stays locked until ``lock_timeout``: the
  handler's effect has happened, and releasing the key would let a retry run it again at once.
- A lock whose request died with its process is taken over after ``lock_timeout`` seconds. A
  handler that legitimately runs longer than that may run twice, so the lock timeout must
  exceed the slowest handler; the late request's answer is then sent but not stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any

from stormproof.kit.errors import ConfigurationError
from stormproof.kit.idempotency.fingerprint import fingerprint
from stormproof.kit.idempotency.store import IdempotencyStore, Outcome, StoredResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)

HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = (b"idempotent-replayed", b"true")
# Answers that mean "try again later": replaying them would fail every retry until expiry.
_TRANSIENT_STATUSES = frozenset({408, 429})
# RFC 9110 section 7.6.1: they describe one connection, not the response.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authenticate",
        b"proxy-authorization",
    }
)
# Ways of sending a response body that bypass http.response.body messages (so the middleware
# could not store it); the application is told the server does not offer them.
_UNCAPTURABLE_EXTENSIONS = frozenset(
    {"http.response.pathsend", "http.response.zerocopysend", "http.response.trailers"}
)
# RFC 9110's names (Python 3.11's http.HTTPStatus still has the older ones for 413 and 422).
_TITLES = {
    400: "Bad Request",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
}
_TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class IdempotencyMiddleware:
    """Run each unsafe request that carries an idempotency key at most once per key.

    ``store`` keeps the keys: :class:`~stormproof.kit.idempotency.SqliteIdempotencyStore`
    unless the service shares them some other way; it has no default, since only the service
    knows where its data lives (and an in-memory default would silently lose every key on a
    restart). ``methods`` are the methods it guards; others pass through untouched, as do
    requests without a key unless ``required``. ``scope(asgi_scope) -> str``, when given,
    names whose key it is (the authenticated user, the tenant): keys are looked up per scope,
    so two clients choosing the same key never see each other's answers. Answers are replayed
    for ``ttl`` seconds; a key whose request died with its process unlocks after
    ``lock_timeout`` seconds. ``clock`` is wall-clock time, since stored deadlines are compared
    across processes (and, for a shared store, hosts)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: IdempotencyStore,
        methods: Iterable[str] = ("POST", "PATCH"),
        required: bool = False,
        header: str = "Idempotency-Key",
        ttl: float = 24 * 3600,
        lock_timeout: float = 60.0,
        max_body: int = 1_000_000,
        scope: Callable[[Scope], str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(store, IdempotencyStore):
            raise ConfigurationError(
                "store must be an IdempotencyStore (begin, complete, release, purge_expired),"
                f" such as SqliteIdempotencyStore(path), not {store!r}"
            )
        if isinstance(methods, str):
            raise ConfigurationError(f"methods must be a collection of names, not {methods!r}")
        self._methods = frozenset(method.upper() for method in methods)
        if not self._methods or not self._methods <= HTTP_METHODS:
            unknown = sorted(self._methods - HTTP_METHODS) or "none given"
            raise ConfigurationError(
                f"methods must be HTTP method names among {sorted(HTTP_METHODS)}: {unknown}"
            )
        if not header or not set(header) <= _TCHARS:
            raise ConfigurationError(f"header must be a non-empty HTTP header name, not {header!r}")
        for name, seconds in (("ttl", ttl), ("lock_timeout", lock_timeout)):
            if isinstance(seconds, bool) or not (0 < seconds < math.inf):
                raise ConfigurationError(f"{name} must be > 0 seconds and finite, not {seconds!r}")
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
            raise ConfigurationError(f"max_body must be an int >= 0 (bytes), not {max_body!r}")
        for name, function in (("scope", scope), ("clock", clock)):
            if function is not None and not callable(function):
                raise ConfigurationError(f"{name} must be callable, not {function!r}")
        self.app = app
        self._store = store
        self._required = required
        self._header = header
        self._header_key = header.lower().encode("latin-1")
        self._ttl = ttl
        self._lock_timeout = lock_timeout
        self._max_body = max_body
        self._scope = scope
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in self._methods:
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == self._header_key]
        if not values:
            if self._required:
                await _problem(
                    send,
                    400,
                    f"The {self._header} header is required for {scope['method']} requests.",
                )
                return
            await self.app(scope, receive, send)
            return
        key = _parse_key(values)
        if key is None:
            await _problem(
                send,
                400,
                f"The {self._header} header must appear once and hold "
                f"1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            )
            return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        if self._scope is not None:
            key = json.dumps([self._scope(scope), key])
        request_fingerprint = fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b""), body
        )
        now = self._clock()
        begun = await asyncio.to_thread(
            self._store.begin,
            key,
            request_fingerprint,
            now=now,
            lock_until=now + self._lock_timeout,
        )
        if begun.outcome is Outcome.REPLAY:
            assert begun.response is not None
            await _send_response(send, begun.response, extra_headers=[REPLAYED_HEADER])
        elif begun.outcome is Outcome.IN_PROGRESS:
            await _problem(
                send,
                409,
                f"A request with this {self._header} is still in progress; retry later.",
                extra_headers=[(b"retry-after", b"1")],
            )
        elif begun.outcome is Outcome.MISMATCH:
            await _problem(
                send,
                422,
                f"This {self._header} was already used for a "
                "different request (method, path, query or body).",
            )
        else:
            assert begun.token is not None
            await self._run(scope, body, receive, send, key, begun.token)

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole request body (it is part of the fingerprint), or None when it was too
        large (413 sent) or the client went away."""
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self._max_body:
            await _too_large(send, self._max_body)
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                await _too_large(send, self._max_body)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _run(
        self, scope: Scope, body: bytes, receive: Receive, send: Send, key: str, token: str
    ) -> None:
        """Run the handler with the key locked; store its answer if it is final, else release
        the key. An exception from the handler propagates unchanged, after the release."""
        attempt = _Attempt(
            body, receive, send, settle=lambda answer: self._settle(key, token, answer)
        )
        extensions = scope.get("extensions") or {}
        capturable = {k: v for k, v in extensions.items() if k not in _UNCAPTURABLE_EXTENSIONS}
        try:
            await self.app(dict(scope, extensions=capturable), attempt.receive, attempt.send)
        finally:
            if not attempt.settled:
                await asyncio.to_thread(self._store.release, key, token)

    async def _settle(self, key: str, token: str, response: StoredResponse) -> None:
        """Store a final answer, or release the key for one that is not (5xx, 408, 429)."""
        if response.status >= 500 or response.status in _TRANSIENT_STATUSES:
            kept = await asyncio.to_thread(self._store.release, key, token)
        else:
            kept = await asyncio.to_thread(
                self._store.complete,
                key,
                token,
                response,
                expires_at=self._clock() + self._ttl,
            )
        if not kept:
            logger.warning(
                "idempotency key %r was taken over by another request after its lock timed out"
                " (lock_timeout=%ss): this answer is sent but not stored",
                key,
                self._lock_timeout,
            )


class _Attempt:
    """One run of the handler under a locked key. The handler receives the body the
    middleware already read; its answer goes to the client as it comes, and is kept whole so
    that ``settle`` can store it before the last body message is sent."""

    def __init__(
        self,
        body: bytes,
        receive: Receive,
        send: Send,
        *,
        settle: Callable[[StoredResponse], Awaitable[None]],
    ) -> None:
        self._body: bytes | None = body
        self._receive = receive
        self._send = send
        self._settle = settle
        self._status = 0
        self._headers: tuple[tuple[bytes, bytes], ...] = ()
        self._chunks: list[bytes] = []
        self.settled = False

    async def receive(self) -> Message:
        if self._body is None:  # the body was handed over: what follows is the disconnect
            return await self._receive()
        body, self._body = self._body, None
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._status = message["status"]
            self._headers = tuple(
                (bytes(name), bytes(value))
                for name, value in message.get("headers", ())
                if bytes(name).lower() not in _HOP_BY_HOP
            )
        elif message["type"] == "http.response.body":
            self._chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                # Settled before the store is asked: if storing fails, the key must not be
                # released, since the handler's effect has happened; its lock lapses after
                # lock_timeout instead of letting a retry run the handler again at once.
                self.settled = True
                await self._settle(
                    StoredResponse(self._status, self._headers, b"".join(self._chunks))
                )
        await self._send(message)


def _parse_key(values: list[bytes]) -> str | None:
    """The key, or None when it is invalid. A value quoted as a structured-field string (the
    IETF draft's form, ``"abc"``) and a bare one (Stripe's, ``abc``) name the same key."""
    if len(values) != 1:
        return None
    raw = values[0].strip()
    if len(raw) >= 2 and raw[:1] == raw[-1:] == b'"':
        raw = _unquote(raw[1:-1])
        if raw is None:
            return None
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or not all(0x20 <= byte <= 0x7E for byte in raw):
        return None
    return raw.decode("ascii")


def _unquote(inner: bytes) -> bytes | None:
    """RFC 8941 string content: ``\\"`` and ``\\\\`` escapes, no other backslash or quote."""
    out = bytearray()
    escaped = False
    for byte in inner:
        if escaped:
            if byte not in b'"\\':
                return None
            out.append(byte)
            escaped = False
        elif byte == 0x5C:
            escaped = True
        elif byte == 0x22:
            return None
        else:
            out.append(byte)
    return None if escaped else bytes(out)


async def _send_response(
    send: Send, response: StoredResponse, *, extra_headers: Sequence[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [*response.headers, *extra_headers],
        }
    )
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


async def _problem(
    send: Send, status: int, detail: str, *, extra_headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """An RFC 9457 problem answer."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": _TITLES[status],
            "status": status,
            "detail": detail,
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await _send_response(
        send, StoredResponse(status, (), body), extra_headers=[*headers, *extra_headers]
    )


async def _too_large(send: Send, max_body: int) -> None:
    await _problem(
        send,
        413,
        f"Requests carrying an idempotency key may have a body of at most {max_body} bytes.",
    )
