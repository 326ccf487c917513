"""What the checker knows about `stormproof.kit`: the one place that names its classes.

The kit's `Client` and `AsyncClient` set a timeout on every call, retry only what is safe to
retry (bounded, jittered, within a retry budget), go through the target's circuit breaker,
give POST and PATCH an `Idempotency-Key`, and send the W3C trace context. Each of those can be
switched off at construction (`breaker=None`, `tracing=False`, `attempts=1`,
`idempotency=False`), so the rules ask this module whether the client a call goes through
still has the protection they look for, rather than trusting the library name alone.

A kit client reaches the service its constructor names: `Client.for_service("payments")`, or
`Client("payments", base_url=...)`, so the architecture rules see its target even when the
URL comes from somewhere the checker cannot follow.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stormproof.check.analysis.instances import Instance

LIBRARY = "stormproof.kit"
CLIENT = "stormproof.kit.Client"
ASYNC_CLIENT = "stormproof.kit.AsyncClient"

# Where the kit's public names are defined, and the classmethods that build an instance:
# the qualname an import or a call resolves to → the public class it stands for.
ALIASES: dict[str, str] = {
    "stormproof.kit.client.Client": CLIENT,
    "stormproof.kit.client.AsyncClient": ASYNC_CLIENT,
    "stormproof.kit.Client.for_service": CLIENT,
    "stormproof.kit.AsyncClient.for_service": ASYNC_CLIENT,
    "stormproof.kit.client.Client.for_service": CLIENT,
    "stormproof.kit.client.AsyncClient.for_service": ASYNC_CLIENT,
    "stormproof.kit.breaker.CircuitBreaker": "stormproof.kit.CircuitBreaker",
    "stormproof.kit.saga.Step": "stormproof.kit.Step",
    "stormproof.kit.saga.definition.Step": "stormproof.kit.Step",
}
BREAKER = "stormproof.kit.CircuitBreaker"
STEP = "stormproof.kit.Step"


def canonical(qualname: str) -> str:
    """The public name for a kit qualname (`stormproof.kit.client.Client` → `...kit.Client`);
    any other qualname unchanged."""
    return ALIASES.get(qualname, qualname)


def is_client(instance: Instance | None) -> bool:
    """Whether `instance` is a kit `Client` or `AsyncClient`."""
    return instance is not None and instance.qualname in (CLIENT, ASYNC_CLIENT)


def client_target(ctor: ast.Call | None) -> str | None:
    """The service a kit client's constructor names (its first argument, or `target=`)."""
    if ctor is None:
        return None
    target = ctor.args[0] if ctor.args else _keyword(ctor, "target")
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value
    return None


def switched_off(instance: Instance | None, setting: str) -> bool:
    """Whether a kit client's constructor turns a protection off: `breaker=None`,
    `budget=None`, `tracing=False`, `idempotency=False`, or `attempts=1` (no retries).
    A setting the checker cannot read (a variable) counts as left on, the kit's default."""
    if instance is None or instance.ctor is None:
        return False
    value = _keyword(instance.ctor, setting)
    if not isinstance(value, ast.Constant):
        return False
    if setting == "attempts":
        return value.value == 1
    return value.value is None or value.value is False


def has_breaker(instance: Instance | None) -> bool:
    return is_client(instance) and not switched_off(instance, "breaker")


def has_tracing(instance: Instance | None) -> bool:
    return is_client(instance) and not switched_off(instance, "tracing")


def retries(instance: Instance | None) -> bool:
    return is_client(instance) and not switched_off(instance, "attempts")


def step_without_compensation(call: ast.Call, qualname: str | None) -> bool:
    """A kit `Step(name, action)` that neither gives a compensation nor says, with
    `compensation=None`, that there is nothing to undo (the kit refuses it at start-up)."""
    if qualname is None or canonical(qualname) != STEP:
        return False
    if len(call.args) >= 3 or any(k.arg is None for k in call.keywords):
        return False
    return all(keyword.arg != "compensation" for keyword in call.keywords)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None
