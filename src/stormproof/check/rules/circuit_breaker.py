"""Rules of the `circuit-breaker` category."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from stormproof.check.analysis.breakers import BreakerMap
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.context import FileContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal"})


class CallWithoutCircuitBreaker(Rule):
    id = "SP301"
    name = "call-without-circuit-breaker"
    category = "circuit-breaker"
    severity = "warning"
    policy = "circuit_breakers"
    summary = "A call to another service that no circuit breaker guards."
    why = (
        "When a dependency is down or answering slowly, every request to it still waits for "
        "its timeout. The caller's workers, connections and threads fill up with requests "
        "that cannot succeed, so the caller stops answering too and the outage spreads up "
        "the call graph. A circuit breaker counts failures, and once a threshold is crossed "
        "it fails calls at once for a while (open), then lets a trial call through "
        "(half-open): the caller degrades quickly and the dependency gets room to recover."
    )
    bad = """\
import os
import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]

def charge(user_id: str, amount_cents: int) -> dict:
    resp = requests.post(f"{PAYMENTS_URL}/charges",
                         json={"user_id": user_id, "amount_cents": amount_cents}, timeout=5)
    resp.raise_for_status()
    return resp.json()
"""
    good = """\
import os
import pybreaker
import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
payments_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="payments")

@payments_breaker
def charge(user_id: str, amount_cents: int) -> dict:
    resp = requests.post(f"{PAYMENTS_URL}/charges",
                         json={"user_id": user_id, "amount_cents": amount_cents}, timeout=5)
    resp.raise_for_status()
    return resp.json()
"""
    defaults = (
        "No HTTP client has a breaker: requests, httpx, aiohttp, urllib and gRPC stubs try "
        "every call, however many have just failed. Recognised breakers: pybreaker and "
        "aiobreaker `CircuitBreaker` (as a decorator, `with breaker.calling():`, "
        "`breaker.call(fn, ...)`, `call_async`), circuitbreaker's `@circuit`/`CircuitBreaker` "
        "subclasses, purgatory factories (`@factory(name)`, `with factory.get_breaker(name):`) "
        "and stormproof.kit.Client. With a manifest, calls to manifest services and calls with "
        "an unresolved target in a service's code are checked; without one, every call."
    )
    fix = (
        "guard the call with a breaker for that service (pybreaker `@breaker`, "
        "`with breaker.calling():` or `breaker.call(fn, ...)`) or use stormproof.kit.Client"
    )

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        breakers: BreakerMap | None = None
        # Requests made inside a wrapper are judged at the wrapper's call sites,
        # where the target is known.
        wrapped = {id(c.inner.node) for c in ctx.remote_calls if c.inner is not None}
        for call in ctx.remote_calls:
            if id(call.node) in wrapped or not _governed(ctx, call):
                continue
            breakers = breakers or BreakerMap(ctx)
            if not breakers.protects(call):
                yield ctx.finding(self, call.node, _message(ctx, call))


def _governed(ctx: FileContext, call: RemoteCall) -> bool:
    """Whether the call is to a dependency this rule speaks about."""
    if ctx.manifest is None or call.target is not None:
        return True
    if ctx.service is None:
        return False
    # A literal URL to a host that is no manifest service is outside the system; a local
    # address is one of the system's services run on a developer's machine.
    literal = call.url_literal or ""
    host = urlsplit(literal).hostname if "://" in literal else None
    return host is None or host in _LOCAL_HOSTS


def _message(ctx: FileContext, call: RemoteCall) -> str:
    caller = ctx.service_name or "the caller"
    if call.target is not None:
        return (
            f"{call.describe()} has no circuit breaker: while {call.target} is down or slow, "
            f"{caller} keeps sending it requests and waiting on them, and the outage "
            f"spreads to {caller}"
        )
    return (
        f"{call.describe()} has no circuit breaker: while the remote service is down or slow, "
        f"every request still waits on it and the outage spreads to {caller}"
    )


RULES: list[type[Rule]] = [CallWithoutCircuitBreaker]
