"""A circuit breaker's state shared in Redis, so that every process calling a dependency
sees one breaker: failures seen by any process count toward opening it for all, an open
breaker refuses calls everywhere, and the half-open trial calls are ``half_open_calls`` in
all, not in each process. Needs the ``redis`` package (``pip install 'stormproof[redis]'``).

Each step is a Lua script (:mod:`stormproof.kit.breaker_lua`), atomic across processes and
timed by the Redis server's clock. When Redis does not answer, the breaker carries on with
state of its own rather than fail calls (see :class:`RedisBreakerState`)."""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING, NamedTuple

from stormproof.kit import breaker_lua
from stormproof.kit._checks import check, is_seconds
from stormproof.kit._optional import require
from stormproof.kit.breaker_settings import Settings
from stormproof.kit.breaker_state import (
    NO_CHANGE,
    Change,
    Changes,
    CircuitMetrics,
    CircuitState,
    LocalState,
    Permit,
    metrics,
)
from stormproof.kit.breaker_window import Tally
from stormproof.kit.errors import ConfigurationError

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script

logger = logging.getLogger("stormproof.kit.breaker")

_STATES = (CircuitState.CLOSED, CircuitState.OPEN, CircuitState.HALF_OPEN)
"""The states by their number in Redis."""
_TRANSITIONS: tuple[Change, ...] = (
    (CircuitState.CLOSED, CircuitState.OPEN),
    (CircuitState.OPEN, CircuitState.HALF_OPEN),
    (CircuitState.HALF_OPEN, CircuitState.OPEN),
    (CircuitState.HALF_OPEN, CircuitState.CLOSED),
)
"""In the order the snapshot script returns their counts."""
_FELL_BACK_OPEN = "it was open in Redis when Redis stopped answering"
_DEFAULT_TIMEOUT = 0.25


class _Scripts(NamedTuple):
    acquire: Script
    release: Script
    snapshot: Script


class RedisBreakerState:
    """Where breakers keep their state in Redis: pass one as ``CircuitBreaker(...,
    shared=...)``. One can serve many breakers, which then share its connection pool.

    ``redis`` is a URL (``redis://``, ``rediss://``, ``unix://``) or a ``redis.Redis``
    client. A client made from a URL waits at most ``connect_timeout`` seconds to connect and
    ``timeout`` seconds for each answer (0.25 both, by default), and reconnects once, at
    once, when a connection broke (``redis.Redis()``'s default retries timeouts with
    backoff, which would hold a call for seconds when Redis hangs). A client passed in keeps
    its own settings, which must bound the wait alike: a ``socket_timeout``, and no retry of
    timeouts (for instance ``retry=Retry(NoBackoff(), 1, supported_errors=(ConnectionError,))``).

    A breaker's keys are its name, in braces (one Redis Cluster slot for both), after
    ``prefix``, and its window: ``stormproof:breaker:{payments}:count:100`` for the state, the
    same with ``:window`` for the window. Breakers with the same name and window share state;
    processes that disagree on the window keep apart rather than corrupt each other's. The
    other settings are each process's own (each judges the shared window by its thresholds):
    give them alike. Every step refreshes the keys' TTL, ``ttl`` seconds (a day): the state
    of a breaker unused for that long disappears, and it starts again CLOSED.

    Each call costs two Redis round trips, one script each (let it through, count its
    outcome), which the async entry points make in a worker thread; ``metrics()`` and
    ``state`` cost one, made in the calling thread.

    **When Redis fails** (no connection, no answer in time, any Redis error), the breaker
    logs a warning, once per outage, and carries on with state of its own in this process,
    starting from the state it last saw in Redis (an OPEN one refuses calls for ``open_for``
    from then): an outage of Redis is neither an outage of every call nor a flood of calls to
    a dependency that was failing. Calls go on through the breaker as usual, and their own
    exceptions pass through unchanged. Once ``retry_interval`` seconds (on the breaker's
    clock) have passed, one call asks Redis again while the others keep to the local state,
    so that a hung Redis holds one call per interval, never every call. When Redis answers,
    the breaker is shared again, in the state Redis holds (what the local state counted
    meanwhile is not merged in), and listeners hear of the difference, if any, as a change.
    A call that began under one and ended under the other is not counted, as a call that
    straddles a state change is not."""

    def __init__(
        self,
        redis: str | Redis,
        /,
        *,
        prefix: str = "stormproof:breaker:",
        ttl: float = 86400.0,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        retry_interval: float = 1.0,
    ) -> None:
        redis_py = require("redis", extra="redis", needed_by="RedisBreakerState")
        check("prefix", prefix, isinstance(prefix, str), "a string")
        check("ttl", ttl, is_seconds(ttl), "a finite number of seconds > 0")
        check(
            "retry_interval",
            retry_interval,
            is_seconds(retry_interval),
            "a finite number of seconds > 0",
        )
        if isinstance(redis, str):
            timeout = _DEFAULT_TIMEOUT if timeout is None else timeout
            connect_timeout = _DEFAULT_TIMEOUT if connect_timeout is None else connect_timeout
            for setting, seconds in (("timeout", timeout), ("connect_timeout", connect_timeout)):
                check(setting, seconds, is_seconds(seconds), "a finite number of seconds > 0")
            client = _from_url(redis, timeout=timeout, connect_timeout=connect_timeout)
        else:
            if timeout is not None or connect_timeout is not None:
                raise ConfigurationError(
                    "timeout and connect_timeout apply to a URL: a redis.Redis client keeps its own"
                )
            client = _checked_client(redis)
        self.prefix = prefix
        self.ttl = ttl
        self.retry_interval = retry_interval
        self.client = client
        """The client the breakers use (the one passed in, or the one made from the URL)."""
        self._errors = (redis_py.RedisError, OSError)
        self._scripts = _Scripts(
            client.register_script(breaker_lua.ACQUIRE),
            client.register_script(breaker_lua.RELEASE),
            client.register_script(breaker_lua.SNAPSHOT),
        )

    def __repr__(self) -> str:
        return f"<RedisBreakerState {self.client!r} prefix={self.prefix!r}>"

    def keys(self, name: str, window: str, window_size: int) -> tuple[str, str]:
        """The keys of a breaker's state and of its window."""
        state = f"{self.prefix}{{{name}}}:{window}:{window_size}"
        return state, f"{state}:window"

    def _bind(self, settings: Settings, local: LocalState) -> SharedState:
        """The state of one breaker (for :class:`~stormproof.kit.breaker.CircuitBreaker`)."""
        if self.ttl <= settings.open_for:
            raise ConfigurationError(
                f"ttl ({self.ttl:g} s) must exceed open_for ({settings.open_for:g} s): "
                "an open breaker's keys would expire before it tries again, closing it"
            )
        if settings.window == "time" and self.ttl <= settings.window_size:
            raise ConfigurationError(
                f"ttl ({self.ttl:g} s) must exceed the time window ({settings.window_size} s): "
                "its calls would expire before they leave the window"
            )
        args = (
            settings.window,
            settings.window_size,
            settings.minimum_calls,
            settings.failure_rate,
            settings.slow_call_rate,
            round(settings.open_for * 1e6),
            settings.half_open_calls,
            round(self.ttl * 1000),
        )
        keys = self.keys(settings.name, settings.window, settings.window_size)
        return SharedState(self, keys, args, settings, local)


class SharedState:
    """One breaker's state in Redis (:class:`~stormproof.kit.breaker_state.State`), with
    ``local`` to fall back on while Redis does not answer."""

    remote = True

    def __init__(
        self,
        redis: RedisBreakerState,
        keys: tuple[str, str],
        args: tuple[object, ...],
        settings: Settings,
        local: LocalState,
    ) -> None:
        self._scripts = redis._scripts
        self._errors = redis._errors
        self._retry_interval = redis.retry_interval
        self._keys = keys
        self._args = args
        self._settings = settings
        self._local = local
        self._lock = threading.Lock()
        self._seen_gen = -1
        self._seen = CircuitState.CLOSED
        """The state this process last saw in Redis, in generation ``_seen_gen``."""
        self._retry_at: float | None = None
        """While Redis does not answer: when to ask it again."""

    @property
    def known(self) -> CircuitState:
        return self._seen if self._retry_at is None else self._local.known

    def acquire(self, now: float) -> tuple[Permit | str, Changes]:
        reply = self._ask(self._scripts.acquire, now)
        if reply is None:
            return self._local.acquire(now)
        admitted, start_gen, start_state, gen, state, wait, *trip = reply
        changes = self._observe(start_gen, start_state, gen, state)
        if admitted:
            return Permit(gen, now, _STATES[state] is CircuitState.HALF_OPEN, self), changes
        if _STATES[state] is CircuitState.HALF_OPEN:
            return self._settings.refused_half_open, changes
        return self._settings.refused_open(self._trip_reason(*trip), wait / 1e6), changes

    def release(self, permit: Permit, now: float, failed: bool | None, slow: bool) -> Changes:
        if permit.source is not self:
            # Let through by the local state: it counts there while Redis is out; once
            # Redis is back, it belongs to a period that has ended.
            if self._retry_at is None:
                return NO_CHANGE
            return self._local.release(permit, now, failed, slow)
        if failed is None and not permit.trial:
            return NO_CHANGE  # nothing to count, and no trial call's place to give back
        outcome = -1 if failed is None else int(failed)
        reply = self._ask(self._scripts.release, now, permit.generation, outcome, int(slow))
        if reply is None:
            return NO_CHANGE  # lost with Redis, as a call that straddles a state change
        return self._observe(*reply)

    def snapshot(self, now: float) -> tuple[CircuitMetrics, Changes]:
        reply = self._ask(self._scripts.snapshot, now)
        if reply is None:
            return self._local.snapshot(now)
        start_gen, start_state, gen, state, calls, failures, slow, refused, *moves = reply
        changes = self._observe(start_gen, start_state, gen, state)
        transitions = {change: n for change, n in zip(_TRANSITIONS, moves, strict=True) if n}
        tally = Tally(calls, failures, slow)
        snapshot = metrics(self._settings, _STATES[state], tally, refused, transitions, shared=True)
        return snapshot, changes

    def _ask(self, script: Script, now: float, *args: object) -> list[int] | None:
        """Run a step's script; None when Redis failed, or is out and not yet due to be
        asked again (the caller then takes the step on the local state)."""
        with self._lock:
            retry_at = self._retry_at
            if retry_at is not None:
                if now < retry_at:
                    return None
                self._retry_at = now + self._retry_interval  # this call asks; others wait
        try:
            reply: list[int] = script(keys=self._keys, args=(*self._args, *args))
        except self._errors as error:
            self._lost(error, now)
            return None
        if retry_at is not None:
            self._regained()
        return reply

    def _lost(self, error: BaseException, now: float) -> None:
        with self._lock:
            if self._retry_at is not None:
                return  # the same outage, already told
            self._retry_at = now + self._retry_interval
            seen = self._seen
            self._local.restart(seen, now, _FELL_BACK_OPEN)
        logger.warning(
            "circuit %r: Redis does not answer (%s: %s); this process carries on with state "
            "of its own, %s as last seen, and asks Redis again every %g s",
            self._settings.name,
            type(error).__name__,
            error,
            seen.value,
            self._retry_interval,
        )

    def _regained(self) -> None:
        with self._lock:
            if self._retry_at is None:
                return
            self._retry_at = None
            # What Redis says next is news: a change, if it differs from the local state.
            self._seen_gen, self._seen = -1, self._local.known
        logger.info(
            "circuit %r: Redis answers again; the state is shared again", self._settings.name
        )

    def _observe(self, start_gen: int, start: int, gen: int, end: int) -> Changes:
        """The changes this process learns of from a script's reply: the state another
        process moved the breaker to since this one last looked (if it differs from what this
        one last saw), then the change the script made, if any (each script makes one at
        most). Replies of concurrent calls may come back out of order: the generations tell
        which is news."""
        before, after = _STATES[start], _STATES[end]
        changes: list[Change] = []
        with self._lock:
            if start_gen > self._seen_gen and before is not self._seen:
                changes.append((self._seen, before))
            if gen > start_gen and gen > self._seen_gen:
                changes.append((before, after))
            if gen > self._seen_gen:
                self._seen_gen, self._seen = gen, after
        return tuple(changes)

    def _trip_reason(self, calls: int, failures: int, slow: int, why: int) -> str:
        """Why the breaker opened, from what the trip left in Redis; judged by this process's
        thresholds, which may not be those of the process that opened it."""
        if why == 2:
            return self._settings.stalled
        window = "trial calls" if why == 1 else "recent calls"
        return self._settings.describe(Tally(calls, failures, slow), window) or (
            f"{failures} of {calls} {window} failed and {slow} were slow, by the thresholds "
            "of the process that opened it"
        )


def _from_url(url: str, *, timeout: float, connect_timeout: float) -> Redis:
    from redis import ConnectionError, Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        return Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=connect_timeout,
            retry=Retry(NoBackoff(), 1, supported_errors=(ConnectionError,)),
        )
    except ValueError as exc:
        shown = re.sub(r"//[^@/]*@", "//***@", url)  # never a password in a message
        raise ConfigurationError(f"redis must be a Redis URL, not {shown!r}: {exc}") from exc


def _checked_client(client: object) -> Redis:
    import redis.asyncio
    from redis import Redis, TimeoutError

    if isinstance(client, redis.asyncio.Redis):
        raise ConfigurationError(
            "redis must be a sync redis.Redis client (or a URL), not a redis.asyncio.Redis: "
            "the breaker serves sync calls too, and runs async ones' round trips in a thread"
        )
    if not isinstance(client, Redis):
        raise ConfigurationError(
            f"redis must be a redis:// URL or a redis.Redis client, not {client!r}"
        )
    settings = client.connection_pool.connection_kwargs
    timeout = settings.get("socket_timeout")
    if not is_seconds(timeout):
        raise ConfigurationError(
            f"the redis client's socket_timeout must be a finite number of seconds > 0, not "
            f"{timeout!r}: without one, a Redis that hangs would hang every call"
        )
    # How redis-py's Connection reads these settings: a Retry, or one retry when only
    # retry_on_error / retry_on_timeout are given.
    retry = settings.get("retry")
    retried = [*getattr(retry, "_supported_errors", ()), *(settings.get("retry_on_error") or ())]
    if settings.get("retry_on_timeout"):
        retried.append(TimeoutError)
    retries = retry.get_retries() if retry is not None else int(bool(retried))
    if retries != 0 and any(issubclass(TimeoutError, error) for error in retried):
        raise ConfigurationError(
            "the redis client retries timeouts (as redis.Redis() does by default, with backoff), "
            "which would hold a call for several socket timeouts when Redis hangs: build it "
            "with retry=Retry(NoBackoff(), 1, supported_errors=(ConnectionError,)), "
            "or pass a URL"
        )
    return client
