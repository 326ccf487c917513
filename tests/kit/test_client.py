"""Client and AsyncClient policy, sequenced exactly with a scripted transport: what is
retried and what is not, the idempotency key, Retry-After, the retry budget, the breaker, the
deadline, the bulkhead, and bad settings. Every test runs with both clients."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import math
import re
import threading
import time
from typing import Any

import httpx
import pytest
import stamina

from stormproof import kit
from stormproof.kit import deadline
from stormproof.kit.breaker import CircuitBreaker, CircuitState
from stormproof.kit.budget import RetryBudget
from stormproof.kit.bulkhead import Bulkhead
from stormproof.kit.client import AsyncClient, Client
from stormproof.kit.client_call import retry_after
from stormproof.kit.client_policy import SERVICE_FAILURES, breaker_for, budget_for
from stormproof.kit.errors import (
    BulkheadFullError,
    CircuitOpenError,
    ConfigurationError,
    DeadlineExceededError,
)
from tests.kit import test_client_support as support
from tests.kit.test_client_support import Flavour, Script, unique_target

flavour = support.flavour
no_backoff = support.no_backoff

QUOTED_UUID4 = re.compile(r'"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"')


# -- retries ------------------------------------------------------------------------------


def test_get_is_retried_after_503_and_returns_the_200(flavour: Flavour) -> None:
    script = Script(503, 200)
    client = flavour.scripted(script)
    response = flavour.call(client, "GET", "/orders/1")
    assert response.status_code == 200
    assert [r.url.path for r in script.requests] == ["/orders/1", "/orders/1"]
    budget = client.policy.budget
    assert budget is not None
    assert (budget.metrics().requests, budget.metrics().retries_allowed) == (1, 1)


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_idempotent_methods_are_retried_on_gateway_statuses(
    flavour: Flavour, method: str, status: int
) -> None:
    script = Script(status, 200)
    assert flavour.call(flavour.scripted(script), method).status_code == 200
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    "error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ReadError]
)
def test_connection_errors_and_timeouts_are_retried(
    flavour: Flavour, error: type[httpx.RequestError]
) -> None:
    script = Script(error, 200)
    assert flavour.call(flavour.scripted(script), "GET").status_code == 200
    assert len(script.requests) == 2


def test_attempts_bound_the_tries_and_the_last_response_is_returned(flavour: Flavour) -> None:
    script = Script(503)
    response = flavour.call(flavour.scripted(script, attempts=4), "GET")
    assert response.status_code == 503
    assert len(script.requests) == 4


def test_attempts_bound_the_tries_and_the_last_error_is_raised(flavour: Flavour) -> None:
    last = httpx.ConnectError("the last one")
    script = Script(httpx.ConnectError, httpx.ConnectError, last)
    with pytest.raises(httpx.ConnectError) as raised:
        flavour.call(flavour.scripted(script), "GET")
    assert raised.value is last
    assert len(script.requests) == 3


def test_one_attempt_means_no_retry(flavour: Flavour) -> None:
    script = Script(503, 200)
    assert flavour.call(flavour.scripted(script, attempts=1), "GET").status_code == 503
    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 500, 501])
def test_other_statuses_are_returned_without_retry(flavour: Flavour, status: int) -> None:
    script = Script(status, 200)
    response = flavour.call(flavour.scripted(script), "GET")
    assert response.status_code == status
    assert len(script.requests) == 1


def test_other_errors_propagate_unchanged_without_retry(flavour: Flavour) -> None:
    bug = ValueError("a bug in the transport")
    script = Script(bug, 200)
    with pytest.raises(ValueError) as raised:
        flavour.call(flavour.scripted(script), "GET")
    assert raised.value is bug
    assert len(script.requests) == 1


@pytest.mark.parametrize("outcome", [503, httpx.ConnectError])
def test_stamina_test_mode_without_retries_gives_the_first_outcome(
    flavour: Flavour, outcome: int | type[httpx.RequestError]
) -> None:
    """An application's tests may turn retries off (``stamina.set_testing(True)``): the
    client then answers with its first attempt's outcome."""
    script = Script(outcome, 200)
    client = flavour.scripted(script)
    with stamina.set_testing(True):
        if outcome == 503:
            assert flavour.call(client, "GET").status_code == 503
        else:
            with pytest.raises(httpx.ConnectError):
                flavour.call(client, "GET")
    assert len(script.requests) == 1


def test_retries_deactivated_in_stamina_give_the_first_outcome(flavour: Flavour) -> None:
    script = Script(503, 200)
    stamina.set_active(False)
    try:
        assert flavour.call(flavour.scripted(script), "GET").status_code == 503
    finally:
        stamina.set_active(True)
    assert len(script.requests) == 1


# -- idempotency keys ---------------------------------------------------------------------


def test_post_without_a_key_is_not_retried_when_keys_are_off(flavour: Flavour) -> None:
    script = Script(503, 201)
    client = flavour.scripted(script, idempotency=False)
    assert flavour.call(client, "POST", "/charges", json={"amount": 5}).status_code == 503
    assert script.header("Idempotency-Key") == [None]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_get_one_generated_key_for_every_attempt(
    flavour: Flavour, method: str
) -> None:
    script = Script(503, httpx.ReadTimeout, 201)
    response = flavour.call(flavour.scripted(script), method, "/charges", json={"amount": 5})
    assert response.status_code == 201
    keys = script.header("Idempotency-Key")
    assert len(keys) == 3 and len(set(keys)) == 1
    assert keys[0] is not None and QUOTED_UUID4.fullmatch(keys[0])
    assert [r.content for r in script.requests] == [b'{"amount":5}'] * 3


def test_each_call_gets_a_key_of_its_own(flavour: Flavour) -> None:
    script = Script(201)
    client = flavour.scripted(script)
    for _ in range(3):
        flavour.call(client, "POST", "/charges", json={})
    assert len(set(script.header("Idempotency-Key"))) == 3


@pytest.mark.parametrize("generate", [True, False])
def test_the_callers_key_is_kept_and_makes_the_post_retryable(
    flavour: Flavour, generate: bool
) -> None:
    script = Script(503, 201)
    client = flavour.scripted(script, idempotency=generate)
    response = flavour.call(
        client, "POST", "/charges", json={}, headers={"Idempotency-Key": "order-17"}
    )
    assert response.status_code == 201
    assert script.header("Idempotency-Key") == ["order-17", "order-17"]


def test_idempotent_methods_get_no_key(flavour: Flavour) -> None:
    script = Script(200)
    flavour.call(flavour.scripted(script), "PUT", "/orders/1", json={})
    assert script.header("Idempotency-Key") == [None]


def test_a_streamed_body_is_sent_once(flavour: Flavour) -> None:
    """A stream cannot be replayed; retrying would send an empty or partial body."""

    def chunks() -> Any:
        yield b"part"

    async def async_chunks() -> Any:
        yield b"part"

    script = Script(503, 201)
    content = async_chunks() if flavour.name == "async" else chunks()
    response = flavour.call(flavour.scripted(script), "POST", "/upload", content=content)
    assert response.status_code == 503
    assert len(script.requests) == 1


# -- Retry-After --------------------------------------------------------------------------


def test_a_keyed_request_still_in_progress_is_retried_after_its_409(flavour: Flavour) -> None:
    in_progress = httpx.Response(409, headers={"Retry-After": "0"})
    script = Script(in_progress, 201)
    response = flavour.call(flavour.scripted(script), "POST", "/charges", json={})
    assert response.status_code == 201
    keys = script.header("Idempotency-Key")
    assert len(keys) == 2 and keys[0] == keys[1]


def test_a_409_is_returned_without_retry_after_or_without_a_key(flavour: Flavour) -> None:
    conflict = Script(409, 201)
    response = flavour.call(flavour.scripted(conflict), "POST", "/charges", json={})
    assert response.status_code == 409 and len(conflict.requests) == 1
    unkeyed = Script(httpx.Response(409, headers={"Retry-After": "0"}), 201)
    response = flavour.call(flavour.scripted(unkeyed), "PUT", "/charges/1", json={})
    assert response.status_code == 409 and len(unkeyed.requests) == 1


def test_429_is_retried(flavour: Flavour) -> None:
    script = Script(429, 200)
    assert flavour.call(flavour.scripted(script), "GET").status_code == 200
    assert len(script.requests) == 2


def test_429_with_a_short_retry_after_is_retried(flavour: Flavour) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "0"}), 200)
    assert flavour.call(flavour.scripted(script), "GET").status_code == 200
    assert len(script.requests) == 2


def test_retry_after_longer_than_the_timeout_returns_the_429_at_once(flavour: Flavour) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "6"}), 200)
    client = flavour.scripted(script, timeout=5.0)
    assert flavour.call(client, "GET").status_code == 429
    assert len(script.requests) == 1
    budget = client.policy.budget
    assert budget is not None and budget.metrics().retries_allowed == 0


def test_the_per_call_timeout_caps_retry_after(flavour: Flavour) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "2"}), 200)
    client = flavour.scripted(script, timeout=10.0)
    assert flavour.call(client, "GET", timeout=1.0).status_code == 429
    assert flavour.call(client, "GET").status_code == 200


def test_retry_after_beyond_the_deadline_returns_the_503_at_once(flavour: Flavour) -> None:
    script = Script(httpx.Response(503, headers={"Retry-After": "2"}), 200)
    client = flavour.scripted(script, timeout=5.0)
    with deadline.deadline(1.5):
        assert flavour.call(client, "GET").status_code == 503
    assert len(script.requests) == 1


def test_the_wait_is_what_retry_after_asks(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stamina sleeps the hook's number of seconds (its test mode would make it zero)."""
    slept: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(asyncio, "sleep", fake_async_sleep)
    script = Script(httpx.Response(429, headers={"Retry-After": "3"}), 200)
    client = flavour.scripted(script, timeout=5.0)
    with stamina.set_testing(False):
        assert flavour.call(client, "GET").status_code == 200
    assert slept == [3.0]


def test_every_retry_is_stamina_s_with_its_wait(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stamina schedules each retry (its instrumentation sees them all) and sleeps the wait
    the call chose: Retry-After when sent, its own backoff otherwise."""
    scheduled: list[tuple[int, float, str]] = []

    def hook(details: stamina.instrumentation.RetryDetails) -> None:
        scheduled.append((details.retry_num, details.wait_for, type(details.caused_by).__name__))

    async def no_async_sleep(seconds: float) -> None:
        pass

    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    monkeypatch.setattr(asyncio, "sleep", no_async_sleep)
    stamina.instrumentation.set_on_retry_hooks([hook])
    script = Script(
        httpx.Response(503, headers={"Retry-After": "2"}),
        httpx.ConnectError,
        httpx.Response(429, headers={"Retry-After": "1"}),
        200,
    )
    try:
        with stamina.set_testing(False):
            response = flavour.call(flavour.scripted(script, attempts=4), "GET")
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)
    assert response.status_code == 200
    assert [(n, cause) for n, _, cause in scheduled] == [
        (1, "_RetryResponse"),
        (2, "ConnectError"),
        (3, "_RetryResponse"),
    ]
    waits = [wait for _, wait, _ in scheduled]
    assert (waits[0], waits[2]) == pytest.approx((2.0, 1.0))
    assert 0.2 <= waits[1] <= 1.2  # stamina's second backoff: 0.1 * 2 plus up to 1 s jitter


def test_retry_after_reads_seconds_and_dates() -> None:
    def response(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after(response("120")) == 120.0
    assert retry_after(httpx.Response(429)) is None
    for unreadable in ("soon", "-5", "1.5", "Mon, 99 Foo 2024 00:00:00 GMT"):
        assert retry_after(response(unreadable)) is None
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 58 <= (retry_after(response(later)) or 0) <= 60
    assert retry_after(response("Mon, 01 Jan 2001 00:00:00 GMT")) == 0.0


# -- the retry budget ---------------------------------------------------------------------


def test_every_call_records_one_request_however_many_attempts(flavour: Flavour) -> None:
    budget = RetryBudget()
    script = Script(503, 200, 503, 503, 200, 200)
    client = flavour.scripted(script, budget=budget)
    for _ in range(3):
        assert flavour.call(client, "GET").status_code == 200
    assert (budget.metrics().requests, budget.metrics().retries_allowed) == (3, 3)


def test_a_spent_budget_stops_retries_and_returns_the_last_response(flavour: Flavour) -> None:
    budget = RetryBudget(ratio=0.0, min_per_second=0.1, window=10.0)  # one token in all
    script = Script(503)
    client = flavour.scripted(script, budget=budget)
    assert flavour.call(client, "GET").status_code == 503
    assert len(script.requests) == 2  # the one token bought one retry, the second was refused
    assert flavour.call(client, "GET").status_code == 503
    assert len(script.requests) == 3  # no token: no retry
    metrics = budget.metrics()
    assert (metrics.retries_allowed, metrics.retries_refused) == (1, 2)


def test_a_spent_budget_stops_retries_and_raises_the_last_error(flavour: Flavour) -> None:
    budget = RetryBudget(ratio=0.0, min_per_second=0.0)
    error = httpx.ConnectError("refused")
    script = Script(error, 200)
    with pytest.raises(httpx.ConnectError) as raised:
        flavour.call(flavour.scripted(script, budget=budget), "GET")
    assert raised.value is error
    assert len(script.requests) == 1


def test_threads_sharing_a_client_stay_within_the_budget() -> None:
    """During an outage, retries from many threads stay within the budget's bound, and
    every retry the budget allowed was really sent (and no more)."""
    budget = RetryBudget(ratio=0.1, min_per_second=0.5, window=10.0)  # a reserve of 5
    lock = threading.Lock()
    sent = [0]

    def outage(request: httpx.Request) -> httpx.Response:
        with lock:
            sent[0] += 1
        return httpx.Response(503)

    client = Client(
        unique_target(),
        base_url="http://target.test",
        attempts=4,
        budget=budget,
        breaker=None,
        transport=httpx.MockTransport(outage),
    )

    def caller() -> None:
        for _ in range(10):
            assert client.get("/").status_code == 503

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metrics = budget.metrics()
    assert metrics.requests == 80
    assert 5 <= metrics.retries_allowed <= 5 + 0.1 * 80
    assert sent[0] == 80 + metrics.retries_allowed


def test_no_token_is_spent_when_no_retry_would_follow(flavour: Flavour) -> None:
    budget = RetryBudget()
    script = Script(503)
    flavour.call(flavour.scripted(script, attempts=2, budget=budget), "GET")
    flavour.call(flavour.scripted(script, budget=budget), "GET", headers={}, timeout=1.0)
    flavour.call(flavour.scripted(script, budget=budget), "POST", content=b"x")
    assert budget.metrics().retries_allowed == 1 + 2 + 2  # the POST has a generated key
    flavour.call(flavour.scripted(script, budget=budget, idempotency=False), "POST")
    flavour.call(flavour.scripted(Script(500), budget=budget), "GET")
    assert budget.metrics().retries_allowed == 5
    assert budget.metrics().retries_refused == 0


# -- the circuit breaker ------------------------------------------------------------------


def _breaker(**settings: Any) -> CircuitBreaker:
    return CircuitBreaker(
        unique_target(),
        **{"window_size": 2, "minimum_calls": 2, "open_for": 60.0, **settings},
    )


@pytest.mark.parametrize("failure", [500, 503, httpx.ConnectError, httpx.ReadTimeout])
def test_failures_open_the_breaker_which_then_refuses_without_sending(
    flavour: Flavour, failure: int | type[httpx.RequestError]
) -> None:
    breaker = _breaker()
    script = Script(failure)
    client = flavour.scripted(script, breaker=breaker, attempts=1)
    for _ in range(2):
        with contextlib.suppress(httpx.RequestError):
            flavour.call(client, "GET")
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        flavour.call(client, "GET")
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [400, 404, 409, 429])
def test_4xx_answers_do_not_count_as_failures(flavour: Flavour, status: int) -> None:
    breaker = _breaker()
    client = flavour.scripted(Script(status), breaker=breaker, attempts=1)
    for _ in range(4):
        flavour.call(client, "GET")
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (CircuitState.CLOSED, 2, 0)


def test_every_attempt_goes_through_the_breaker(flavour: Flavour) -> None:
    breaker = _breaker(window_size=10, minimum_calls=10)
    flavour.call(flavour.scripted(Script(503, 502, 200), breaker=breaker), "GET")
    assert (breaker.metrics().calls, breaker.metrics().failures) == (3, 2)


def test_no_retry_into_a_breaker_that_opened(flavour: Flavour) -> None:
    breaker = _breaker(window_size=1, minimum_calls=1)
    script = Script(503, 200)
    response = flavour.call(flavour.scripted(script, breaker=breaker), "GET")
    assert response.status_code == 503
    assert len(script.requests) == 1
    assert breaker.state is CircuitState.OPEN


def test_the_default_breaker_counts_service_failures_only(flavour: Flavour) -> None:
    script = Script(ValueError("a bug"), 404, 500)
    client = flavour.scripted(script, attempts=1)
    with pytest.raises(ValueError):
        flavour.call(client, "GET")
    flavour.call(client, "GET")
    flavour.call(client, "GET")
    assert client.policy.breaker is not None
    metrics = client.policy.breaker.metrics()
    assert (metrics.calls, metrics.failures) == (3, 1)


def test_clients_of_one_target_share_a_breaker_and_a_budget(flavour: Flavour) -> None:
    target = unique_target()
    first, second = flavour.client(target), flavour.client(target)
    other = flavour.client()
    assert first.policy.breaker is second.policy.breaker is breaker_for(target)
    assert first.policy.budget is second.policy.budget is budget_for(target)
    assert first.policy.breaker is not other.policy.breaker
    assert first.policy.budget is not other.policy.budget
    assert breaker_for(target).name == target
    # The public names are these shared instances, not copies.
    assert kit.breaker_for(target) is first.policy.breaker
    assert kit.budget_for(target) is first.policy.budget


def test_breaker_and_budget_can_be_turned_off(flavour: Flavour) -> None:
    script = Script(503, 200)
    client = flavour.scripted(script, breaker=None, budget=None)
    assert client.policy.breaker is None and client.policy.budget is None
    assert flavour.call(client, "GET").status_code == 200


def test_service_failures_are_httpx_failure_types() -> None:
    assert all(issubclass(t, httpx.HTTPError) for t in SERVICE_FAILURES)


# -- the deadline -------------------------------------------------------------------------


def test_the_timeout_is_set_on_every_attempt_and_sent_as_the_deadline(flavour: Flavour) -> None:
    script = Script(503, 200)
    flavour.call(flavour.scripted(script, timeout=2.5), "GET")
    for sent in script.requests:
        assert sent.extensions["timeout"] == dict.fromkeys(
            ("connect", "read", "write", "pool"), 2.5
        )
        assert sent.headers[deadline.HEADER] == "2500"


def test_a_per_call_timeout_replaces_the_clients(flavour: Flavour) -> None:
    script = Script(200)
    flavour.call(flavour.scripted(script, timeout=2.5), "GET", timeout=0.5)
    assert script.requests[0].extensions["timeout"]["read"] == 0.5


def test_the_deadline_caps_the_timeout_and_travels_in_the_header(flavour: Flavour) -> None:
    script = Script(200)
    client = flavour.scripted(script, timeout=5.0)
    with deadline.deadline(0.8):
        flavour.call(client, "GET")
    sent = script.requests[0]
    assert 0 < sent.extensions["timeout"]["read"] <= 0.8
    assert 0 < int(sent.headers[deadline.HEADER]) <= 800


def test_a_passed_deadline_raises_before_sending(flavour: Flavour) -> None:
    now = [0.0]
    script = Script(200)
    client = flavour.scripted(script)
    with deadline.deadline(1.0, clock=lambda: now[0]):
        now[0] = 1.5
        with pytest.raises(DeadlineExceededError):
            flavour.call(client, "GET")
    assert script.requests == []
    budget = client.policy.budget
    assert budget is not None and budget.metrics().requests == 0


def test_no_retry_once_the_deadline_has_passed(flavour: Flavour) -> None:
    now = [0.0]
    script = Script(503, 200)

    def the_attempt_takes_two_seconds(_: httpx.Request) -> None:
        now[0] += 2.0

    script.on_request = the_attempt_takes_two_seconds
    client = flavour.scripted(script)
    with deadline.deadline(1.0, clock=lambda: now[0]):
        assert flavour.call(client, "GET").status_code == 503
    assert len(script.requests) == 1


# -- the bulkhead -------------------------------------------------------------------------


def test_a_full_bulkhead_refuses_without_sending_and_slots_come_back(flavour: Flavour) -> None:
    bulkhead = Bulkhead("target", max_concurrent=1)
    script = Script(httpx.ConnectError, 200)
    client = flavour.scripted(script, bulkhead=bulkhead, attempts=1)
    with bulkhead, pytest.raises(BulkheadFullError):
        flavour.call(client, "GET")
    assert script.requests == []
    with pytest.raises(httpx.ConnectError):
        flavour.call(client, "GET")
    assert flavour.call(client, "GET").status_code == 200
    assert bulkhead.metrics().in_flight == 0
    assert bulkhead.metrics().admitted == 3


def test_concurrent_async_calls_hold_the_bulkhead() -> None:
    bulkhead = Bulkhead("target", max_concurrent=2)
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200)

    async def scenario() -> list[Any]:
        async with AsyncClient(
            unique_target(),
            base_url="http://target.test",
            bulkhead=bulkhead,
            transport=httpx.MockTransport(handler),
        ) as client:
            calls = [asyncio.create_task(client.get("/")) for _ in range(5)]
            await asyncio.sleep(0.01)
            release.set()
            return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(scenario())
    assert sum(isinstance(o, httpx.Response) for o in outcomes) == 2
    assert sum(isinstance(o, BulkheadFullError) for o in outcomes) == 3
    assert bulkhead.metrics().peak_in_flight == 2


# -- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head", "post", "put", "patch", "delete"])
def test_method_shortcuts(flavour: Flavour, method: str) -> None:
    script = Script(200)
    client = flavour.scripted(script)
    flavour.run(getattr(client, method)("/things", params={"q": "1"}))
    assert script.requests[0].method == method.upper()
    assert str(script.requests[0].url) == "http://target.test/things?q=1"


def test_context_managers_close_the_http_client() -> None:
    with Client(unique_target(), base_url="http://target.test") as client:
        assert repr(client).startswith("<Client 'target-")
    assert client._http.is_closed

    async def scenario() -> AsyncClient:
        async with AsyncClient(unique_target(), base_url="http://target.test") as client:
            return client

    assert asyncio.run(scenario())._http.is_closed


def test_httpx_settings_reach_the_http_client(flavour: Flavour) -> None:
    script = Script(200)
    client = flavour.scripted(script, headers={"User-Agent": "booking/1.0"})
    flavour.call(client, "GET")
    assert script.requests[0].headers["User-Agent"] == "booking/1.0"


# -- bad settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("timeout", None, "timeout must be a finite number of seconds above 0"),
        ("timeout", 0, "timeout must be"),
        ("timeout", -1.0, "timeout must be"),
        ("timeout", math.inf, "timeout must be"),
        ("timeout", math.nan, "timeout must be"),
        ("timeout", "5", "timeout must be"),
        ("timeout", True, "timeout must be"),
        ("attempts", 0, "attempts must be from 1"),
        ("attempts", 11, "attempts must be from 1"),
        ("attempts", 2.0, "attempts must be an integer"),
        ("attempts", True, "attempts must be an integer"),
        ("breaker", "on", "breaker must be 'default'"),
        ("breaker", RetryBudget(), "breaker must be 'default'"),
        ("budget", 0.2, "budget must be 'default'"),
        ("bulkhead", 10, "bulkhead must be a Bulkhead"),
        ("tracing", "yes", "tracing must be True or False"),
        ("idempotency", 1, "idempotency must be True or False"),
        ("base_url", "payments:8000", "base_url must be an absolute http(s) URL"),
        ("base_url", "ftp://payments", "base_url must be an absolute http(s) URL"),
        ("base_url", "/payments", "base_url must be an absolute http(s) URL"),
        ("base_url", "", "base_url must be an absolute http(s) URL"),
        ("base_url", None, "base_url must be an absolute http(s) URL"),
    ],
)
def test_bad_settings_are_refused_at_construction(
    flavour: Flavour, setting: str, value: object, named: str
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(named)):
        flavour.client(**{setting: value})


@pytest.mark.parametrize("target", ["", None, 5])
def test_a_target_must_be_a_service_name(flavour: Flavour, target: object) -> None:
    with pytest.raises(ConfigurationError, match="target must be the callee's service name"):
        flavour.kind(target, base_url="http://target.test")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        breaker_for(target)  # type: ignore[arg-type]


@pytest.mark.parametrize("timeout", [0, -1, math.inf])
def test_a_bad_per_call_timeout_is_refused_before_sending(flavour: Flavour, timeout: float) -> None:
    script = Script(200)
    with pytest.raises(ConfigurationError, match="timeout must be"):
        flavour.call(flavour.scripted(script), "GET", timeout=timeout)
    assert script.requests == []
