"""RedisBreakerState refuses, when built, what could not work or would let a Redis failure
hold every call: no server is needed (building one connects to nothing)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from stormproof.kit import CircuitBreaker, ConfigurationError, RedisBreakerState

redis = pytest.importorskip("redis", reason="the redis package is not installed")

URL = "redis://127.0.0.1:1/0"


def client(**settings: Any) -> Any:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    defaults: dict[str, Any] = {"socket_timeout": 0.5, "retry": Retry(NoBackoff(), 0)}
    return redis.Redis.from_url(URL, **(defaults | settings))


@pytest.mark.parametrize(
    ("target", "settings", "message"),
    [
        ("http://cache:6379", {}, "redis must be a Redis URL, not 'http://cache:6379': "),
        ("", {}, "redis must be a Redis URL, not '': "),
        ("redis://:s3cret@cache:port/0", {}, "redis must be a Redis URL, not 'redis://***@cache"),
        (6379, {}, "redis must be a redis:// URL or a redis.Redis client, not 6379"),
        (URL, {"timeout": 0}, "timeout must be a finite number of seconds > 0, not 0"),
        (URL, {"connect_timeout": "1"}, "connect_timeout must be a finite number of seconds > 0"),
        (URL, {"ttl": 0}, "ttl must be a finite number of seconds > 0, not 0"),
        (URL, {"ttl": float("inf")}, "ttl must be a finite number of seconds > 0, not inf"),
        (URL, {"retry_interval": -1}, "retry_interval must be a finite number of seconds > 0"),
        (URL, {"prefix": None}, "prefix must be a string, not None"),
    ],
)
def test_bad_settings_are_refused_by_name(
    target: object, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        RedisBreakerState(target, **settings)  # type: ignore[arg-type]
    assert str(refused.value).startswith(message)
    assert "s3cret" not in str(refused.value)


def test_a_client_must_bound_how_long_a_hung_redis_holds_a_call() -> None:
    with pytest.raises(ConfigurationError, match="socket_timeout must be a finite number"):
        RedisBreakerState(client(socket_timeout=None))
    with pytest.raises(ConfigurationError, match="retries timeouts"):
        RedisBreakerState(redis.Redis(port=1, socket_timeout=0.5))  # redis.Redis's default
    with pytest.raises(ConfigurationError, match="retries timeouts"):
        RedisBreakerState(client(retry_on_timeout=True, retry=None))
    with pytest.raises(ConfigurationError, match="timeout and connect_timeout apply to a URL"):
        RedisBreakerState(client(), timeout=0.1)
    with pytest.raises(ConfigurationError, match=r"not a redis\.asyncio\.Redis"):
        RedisBreakerState(redis.asyncio.Redis.from_url(URL, socket_timeout=0.5))
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    fine = client(retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)))
    assert RedisBreakerState(fine).client is fine


def test_settings_that_the_shared_state_cannot_keep_are_refused() -> None:
    shared = RedisBreakerState(URL, ttl=60.0)
    with pytest.raises(ConfigurationError, match=r"ttl \(60 s\) must exceed open_for \(60 s\)"):
        CircuitBreaker("payments", open_for=60.0, shared=shared)
    with pytest.raises(ConfigurationError, match=r"must exceed the time window \(90 s\)"):
        CircuitBreaker("payments", window="time", window_size=90, shared=shared)
    with pytest.raises(ConfigurationError, match="shared must be a RedisBreakerState or None"):
        CircuitBreaker("payments", shared=URL)  # type: ignore[arg-type]
    breaker = CircuitBreaker("payments", window="time", window_size=59, shared=shared)
    assert repr(breaker) == "<CircuitBreaker 'payments' closed (shared)>"


def test_without_the_redis_package_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # `import redis` now raises ImportError
    with pytest.raises(ConfigurationError) as refused:
        RedisBreakerState(URL)
    assert "pip install 'stormproof[redis]'" in str(refused.value)
