"""The vocabulary of retry analysis: constructs, client retries, pacing, known APIs."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import Enum

from stormproof.check.analysis.scopes import FunctionNode

TENACITY_DECORATORS = frozenset({"tenacity.retry"})
TENACITY_BLOCKS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying"})
BACKOFF_DECORATORS = frozenset({"backoff.on_exception", "backoff.on_predicate"})
RETRYING_DECORATORS = frozenset({"retrying.retry"})
STAMINA_DECORATORS = frozenset({"stamina.retry"})
STAMINA_BLOCKS = frozenset({"stamina.retry_context"})
URLLIB3_RETRY = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.util.retry.Retry",
        "requests.packages.urllib3.util.Retry",
    }
)
# Modules whose import makes library retry constructs possible (urllib3's Retry is also
# reachable as `requests.adapters.Retry`).
RETRY_MODULES = frozenset({"tenacity", "backoff", "retrying", "stamina", "urllib3", "requests"})
HTTPX_TRANSPORTS = frozenset({"httpx.HTTPTransport", "httpx.AsyncHTTPTransport"})
SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep"})
CLOCKS = frozenset(
    {"time.time", "time.monotonic", "time.perf_counter", "time.time_ns", "time.monotonic_ns"}
)
# Response attributes a retry loop reads before `continue`-ing on an error status.
STATUS_ATTRIBUTES = frozenset(
    {"status_code", "status", "ok", "is_success", "is_error", "is_server_error"}
)


class Pacing(Enum):
    """How a retry spaces its attempts."""

    NONE = "no wait"
    CONSTANT = "constant wait"
    EXPONENTIAL = "exponential backoff without jitter"
    BACKOFF = "growing or jittered backoff"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, eq=False)
class RetryConstruct:
    """One place where code retries."""

    kind: str  # loop | tenacity | backoff | retrying | stamina | urllib3
    node: ast.AST  # where it is written: the loop, the decorator, the configuring call
    label: str  # how messages name it: "tenacity @retry on f", "retry loop `while True`"
    body: tuple[ast.stmt, ...]  # the statements it runs again (empty for urllib3)
    function: FunctionNode | None  # the decorated (or wrapped) function
    bounded: bool | None  # None when the configuration cannot be read
    pacing: Pacing
    attempts: int | None  # attempts per call, when known
    # Whether it decorates `function`, so that every call of that function retries.
    decorates: bool = False

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 0)


@dataclass(frozen=True, slots=True, eq=False)
class ClientRetry:
    """A client that retries requests by itself."""

    node: ast.AST  # what makes it retry: Retry(...), max_retries=N, the transport, the client
    label: str  # how messages name it: "its httpx transport, retries=3"
    attempts: int | None
    # Unsafe methods it re-sends after the request may have reached the server, as
    # configured explicitly (urllib3 `allowed_methods=`).
    resent_unsafe_methods: frozenset[str]
