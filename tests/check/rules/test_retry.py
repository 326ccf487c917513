"""SP201-SP205: unbounded, unpaced, unjittered, non-idempotent and stacked retries."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rule import Rule
from stormproof.check.rules.retry import (
    RULES,
    BackoffWithoutJitter,
    RetriedUnsafeCallWithoutIdempotencyKey,
    RetryWithoutBackoff,
    StackedRetries,
    UnboundedRetry,
)
from tests.check.rules.checking import check_files, lines

MANIFEST = """\
version: 1
name: travel
services:
  booking:
    path: booking/
    calls: [payments]
  payments:
    path: payments/
"""

TENACITY = "import httpx\nfrom tenacity import *\nclient = httpx.Client(timeout=5)\n"


def findings(
    tmp_path: Path,
    source: str,
    *,
    manifest: str | None = None,
    rules: list[type[Rule]] | None = None,
) -> list[Finding]:
    """Check `source` as booking/app.py (with `manifest` as stormproof.yaml when given)."""
    return check_files(
        tmp_path, {"booking/app.py": source}, rules=rules or RULES, manifest=manifest
    )


def decorated(decorator: str, body: str = "return client.get('http://a/x').json()") -> str:
    imports = (
        "import backoff, httpx, retrying, stamina, tenacity\n"
        "from tenacity import retry, Retrying, stop_after_attempt, stop_after_delay, stop_never\n"
        "from tenacity import wait_fixed, wait_random, wait_exponential, wait_incrementing\n"
        "from tenacity import wait_random_exponential, wait_exponential_jitter\n"
        "client = httpx.Client(timeout=5)\n"
    )
    return f"{imports}{decorator}\ndef f():\n    {body}\n"


DECORATOR_LINE = 6


# -- SP201 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decorator", "reason"),
    [
        ("@retry", "has no stop="),
        ("@retry()", "has no stop="),
        ("@tenacity.retry(wait=wait_random_exponential(max=5))", "has no stop="),
        ("@retry(stop=stop_never, wait=wait_random(0, 1))", "has no stop="),
        ("@backoff.on_exception(backoff.expo, httpx.HTTPError)", "neither max_tries nor max_time"),
        ("@backoff.on_exception(backoff.expo, Exception, max_tries=None)", "neither max_tries"),
        ("@stamina.retry(on=httpx.HTTPError, attempts=None, timeout=None)", "switches off both"),
        ("@retrying.retry", "retrying never stops"),
    ],
)
def test_unbounded_library_retries(tmp_path: Path, decorator: str, reason: str) -> None:
    found = findings(tmp_path, decorated(decorator), rules=[UnboundedRetry])
    assert lines(found) == [(DECORATOR_LINE, "SP201")]
    assert reason in found[0].message
    assert "forever" in found[0].message


@pytest.mark.parametrize(
    "decorator",
    [
        "@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5))",
        "@retry(stop=stop_after_attempt(3) | stop_after_delay(9))",
        "@retry(**RETRY_POLICY)",
        "@backoff.on_exception(backoff.expo, httpx.HTTPError, max_time=30)",
        "@stamina.retry(on=httpx.HTTPError)",
        "@stamina.retry(on=httpx.HTTPError, attempts=None)",
        "@retrying.retry(stop_max_attempt_number=3)",
        "@retrying.retry(stop_max_delay=10000)",
    ],
)
def test_bounded_library_retries(tmp_path: Path, decorator: str) -> None:
    assert findings(tmp_path, decorated(decorator), rules=[UnboundedRetry]) == []


def test_unbounded_retry_loop_message_names_the_call_and_target(tmp_path: Path) -> None:
    source = """
        import os, time
        import requests

        def charge():
            while True:
                try:
                    return requests.get(os.environ["PAYMENTS_URL"] + "/x", timeout=5).json()
                except requests.RequestException:
                    time.sleep(2)
        """
    found = findings(tmp_path, source, manifest=MANIFEST, rules=[UnboundedRetry])
    assert [(f.line, f.column, f.end_line) for f in found] == [(6, 5, 6)]
    assert found[0].message == (
        "retry loop `while True` has no attempt or time limit, so it retries requests.get to "
        "payments forever; while payments is down the failure never surfaces and the retries "
        "pile load onto it"
    )


@pytest.mark.parametrize(
    ("loop", "bound"),
    [
        ("while True:", ""),
        ("for attempt in itertools.count():", ""),
        ("while True:", "            if resp is None:\n                raise RuntimeError()\n"),
    ],
    ids=["while-true", "count", "check-not-on-a-counter"],
)
def test_unbounded_retry_loops(tmp_path: Path, loop: str, bound: str) -> None:
    source = (
        "import itertools, time, httpx\nresp = None\n"
        f"def f():\n    {loop}\n"
        "        try:\n            return httpx.get('http://a/x').json()\n"
        "        except httpx.HTTPError:\n"
        f"{bound}"
        "            time.sleep(1)\n"
    )
    assert lines(findings(tmp_path, source, rules=[UnboundedRetry])) == [(4, "SP201")]


@pytest.mark.parametrize(
    ("loop", "bound"),
    [
        ("while attempts < 5:", "            attempts += 1\n"),
        ("for attempt in range(5):", ""),
        (
            "while True:",
            "            attempts += 1\n            if attempts > 4:\n                raise\n",
        ),
        ("while True:", "            if time.monotonic() > deadline:\n                raise\n"),
        ("for n in itertools.count():", "            if n == 5:\n                break\n"),
    ],
    ids=["while-condition", "range", "counter-check", "deadline", "count-check"],
)
def test_bounded_retry_loops(tmp_path: Path, loop: str, bound: str) -> None:
    source = (
        "import itertools, time, httpx\n"
        f"def f(attempts=0, deadline=0):\n    {loop}\n"
        "        try:\n            return httpx.get('http://a/x').json()\n"
        "        except httpx.HTTPError:\n"
        f"{bound}"
        "            time.sleep(1)\n"
    )
    assert findings(tmp_path, source, rules=[UnboundedRetry]) == []


@pytest.mark.parametrize(
    "source",
    [
        # Polling with no try/except: a failed request raises, it is not retried.
        "import time, httpx\ndef f():\n    while True:\n        r = httpx.get('http://a/job')\n"
        "        if r.json()['done']:\n            return r\n        time.sleep(1)\n",
        # A worker that never leaves its loop is not retrying one call.
        "import time, httpx\ndef f():\n    while True:\n        try:\n"
        "            httpx.get('http://a/job')\n        except httpx.HTTPError:\n"
        "            pass\n        time.sleep(1)\n",
        # `continue` on 202 Accepted is polling, not a retry on an error status.
        "import time, httpx\ndef f():\n    while True:\n        r = httpx.get('http://a/job')\n"
        "        if r.status_code == 202:\n            time.sleep(1)\n            continue\n"
        "        return r\n",
        # A reconnect loop around a database is not a remote call.
        "import time, psycopg\ndef f():\n    while True:\n        try:\n"
        "            return psycopg.connect('')\n        except psycopg.Error:\n"
        "            time.sleep(1)\n",
    ],
    ids=["poll", "worker", "accepted-poll", "database"],
)
def test_loops_that_are_not_retries(tmp_path: Path, source: str) -> None:
    assert findings(tmp_path, source) == []


def test_a_named_retry_policy_is_judged_once_where_it_is_built(tmp_path: Path) -> None:
    source = """
        import httpx
        from tenacity import retry

        retry_reads = retry(reraise=True)
        client = httpx.Client(timeout=5)

        @retry_reads
        def a():
            return client.get("http://a/a")

        @retry_reads
        def b():
            return client.get("http://a/b")
        """
    assert lines(findings(tmp_path, source, rules=[UnboundedRetry])) == [(5, "SP201")]


def test_retry_call_form_is_judged(tmp_path: Path) -> None:
    source = """
        import httpx
        from tenacity import retry

        def _get():
            return httpx.get("http://a/x")

        get = retry()(_get)
        """
    assert lines(findings(tmp_path, source, rules=[UnboundedRetry])) == [(8, "SP201")]


def test_a_projects_own_retry_decorator_is_not_tenacity(tmp_path: Path) -> None:
    source = """
        import httpx
        from app.utils import retry

        @retry
        def f():
            return httpx.post("http://a/x")
        """
    assert findings(tmp_path, source) == []


# -- SP202 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decorator", "reason"),
    [
        ("@retry(stop=stop_after_attempt(3))", "has no wait="),
        ("@retry(stop=stop_after_attempt(3), wait=wait_fixed(2))", "waits a fixed time"),
        ("@retry(stop=stop_after_attempt(3), wait=wait_random(1, 2))", "waits a fixed time"),
        (
            "@retry(stop=stop_after_attempt(3), wait=wait_fixed(1) + wait_random(0, 1))",
            "waits a fixed time",
        ),
        ("@backoff.on_exception(backoff.constant, Exception, max_tries=3)", "backoff.constant"),
        ("@retrying.retry(stop_max_delay=1000)", "sets no wait"),
        ("@retrying.retry(stop_max_delay=1000, wait_fixed=500)", "waits a fixed time"),
    ],
)
def test_library_retries_without_backoff(tmp_path: Path, decorator: str, reason: str) -> None:
    found = findings(tmp_path, decorated(decorator), rules=[RetryWithoutBackoff])
    assert lines(found) == [(DECORATOR_LINE, "SP202")]
    assert reason in found[0].message
    assert found[0].severity == "warning"


@pytest.mark.parametrize(
    "decorator",
    [
        "@retry(stop=stop_after_attempt(3), wait=wait_incrementing(1, 1))",
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential() + wait_random(0, 1))",
        "@retry(stop=stop_after_attempt(3), wait=custom_wait)",
        "@retry(stop=stop_after_attempt(3), wait=wait_chain(wait_fixed(1)))",
        "@backoff.on_exception(backoff.fibo, Exception, max_tries=3)",
        "@stamina.retry(on=Exception)",
        "@retrying.retry(stop_max_delay=1000, wait_incrementing_increment=100)",
        "@retrying.retry(stop_max_delay=1000, wait_func=custom_wait)",
    ],
)
def test_library_retries_with_backoff_or_unknown_wait(tmp_path: Path, decorator: str) -> None:
    assert findings(tmp_path, decorated(decorator), rules=[RetryWithoutBackoff]) == []


def retry_loop(handler: str, before: str = "") -> str:
    return (
        "import asyncio, random, time, httpx\n"
        "async def f(base=0.5):\n"
        f"{before}"
        "    for attempt in range(5):\n"
        "        try:\n            return httpx.get('http://a/x').json()\n"
        "        except httpx.HTTPError as exc:\n"
        f"{handler}"
    )


@pytest.mark.parametrize(
    ("handler", "rule"),
    [
        ("            pass\n", "SP202"),
        ("            time.sleep(1)\n", "SP202"),
        ("            await asyncio.sleep(base)\n", "SP202"),
        ("            time.sleep(random.uniform(0.5, 1.5))\n", "SP202"),
        ("            time.sleep(base * 2 ** attempt)\n", "SP203"),
        ("            delay = 2 ** attempt\n            time.sleep(delay)\n", "SP203"),
        ("            time.sleep(1 << attempt)\n", "SP203"),
        ("            time.sleep(base * (attempt + 1))\n", None),
        ("            time.sleep(random.uniform(0, base * 2 ** attempt))\n", None),
        ("            time.sleep(min(30, 2 ** attempt) + random.random())\n", None),
        ("            time.sleep(backoff_for(attempt))\n", None),
        ("            time.sleep(float(exc.response.headers['Retry-After']))\n", None),
    ],
    ids=[
        "no-sleep",
        "constant",
        "constant-name",
        "random-only",
        "exponential",
        "via-name",
        "shift",
        "linear",
        "full-jitter",
        "jitter-added",
        "helper",
        "retry-after",
    ],
)
def test_retry_loop_pacing(tmp_path: Path, handler: str, rule: str | None) -> None:
    found = findings(
        tmp_path, retry_loop(handler), rules=[RetryWithoutBackoff, BackoffWithoutJitter]
    )
    assert lines(found) == ([(3, rule)] if rule else [])


def test_doubling_delay_is_exponential(tmp_path: Path) -> None:
    handler = "            time.sleep(delay)\n            delay = min(delay * 2, 30)\n"
    source = retry_loop(handler, before="    delay = 0.5\n")
    assert lines(findings(tmp_path, source, rules=[BackoffWithoutJitter])) == [(4, "SP203")]


def test_backoff_policy_constant_allows_a_fixed_wait_but_not_none(tmp_path: Path) -> None:
    manifest = MANIFEST + "policies:\n  retries: {backoff: constant}\n"
    source = """
        import httpx
        from tenacity import retry, stop_after_attempt, wait_fixed

        @retry(stop=stop_after_attempt(3), wait=wait_fixed(1))
        def a():
            return httpx.get("http://a/a")

        @retry(stop=stop_after_attempt(3))
        def b():
            return httpx.get("http://a/b")
        """
    found = findings(tmp_path, source, manifest=manifest, rules=[RetryWithoutBackoff])
    assert lines(found) == [(9, "SP202")]


# -- SP203 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decorator", "fix"),
    [
        ("@retry(stop=stop_after_attempt(3), wait=wait_exponential())", "wait_random_exponential"),
        ("@retry(stop=stop_after_attempt(3), wait=WAIT)", "wait_random_exponential"),
        (
            "@backoff.on_exception(backoff.expo, Exception, max_tries=3, jitter=None)",
            "drop jitter=None",
        ),
        (
            "@retrying.retry(stop_max_attempt_number=3, wait_exponential_multiplier=100)",
            "wait_jitter_max",
        ),
    ],
)
def test_exponential_backoff_without_jitter(tmp_path: Path, decorator: str, fix: str) -> None:
    source = decorated(decorator).replace(
        "client = httpx", "WAIT = wait_exponential(max=9)\nclient = httpx"
    )
    found = findings(tmp_path, source, rules=[BackoffWithoutJitter])
    assert lines(found) == [(DECORATOR_LINE + 1, "SP203")]
    assert fix in found[0].fix
    assert "no jitter" in found[0].message


@pytest.mark.parametrize(
    "decorator",
    [
        "@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=9))",
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter())",
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential() + wait_random(0, 1))",
        "@backoff.on_exception(backoff.expo, Exception, max_tries=3)",
        "@retrying.retry(stop_max_delay=9, wait_exponential_multiplier=100, wait_jitter_max=50)",
    ],
)
def test_jittered_backoff(tmp_path: Path, decorator: str) -> None:
    assert findings(tmp_path, decorated(decorator), rules=[BackoffWithoutJitter]) == []


@pytest.mark.parametrize(
    ("retry", "flagged"),
    [
        ("Retry(total=3, backoff_factor=0.5)", True),
        ("Retry(total=3, backoff_factor=0.5, backoff_jitter=0.2)", False),
        ("Retry(total=3, backoff_factor=0)", False),
        ("Retry(total=3)", False),
    ],
)
def test_urllib3_retry_jitter(tmp_path: Path, retry: str, flagged: bool) -> None:
    source = f"from urllib3.util.retry import Retry\nRETRY = {retry}\n"
    found = findings(tmp_path, source, rules=[BackoffWithoutJitter])
    assert lines(found) == ([(2, "SP203")] if flagged else [])
    if flagged:
        assert "backoff_jitter" in found[0].fix


def test_jitter_policy_off_silences_sp203(tmp_path: Path) -> None:
    manifest = MANIFEST + 'policies:\n  retries: {jitter: "off"}\n'
    source = "from urllib3 import Retry\nRETRY = Retry(total=3, backoff_factor=0.5)\n"
    assert findings(tmp_path, source, manifest=manifest) == []


def test_retries_policy_off_silences_the_retry_rules(tmp_path: Path) -> None:
    manifest = MANIFEST + 'policies:\n  retries: "off"\n'
    assert findings(tmp_path, decorated("@retry"), manifest=manifest) == []


# -- SP204 -------------------------------------------------------------------------------


def retried_post(call: str, before: str = "") -> str:
    return (
        "import httpx, uuid\nfrom tenacity import retry, stop_after_attempt, wait_random\n"
        "client = httpx.Client(timeout=5)\n"
        "@retry(stop=stop_after_attempt(3), wait=wait_random(0, 1) + wait_random_exponential())\n"
        "def f(key, payload):\n"
        f"{before}"
        f"    return {call}\n"
    )


def test_message_names_call_construct_and_method(tmp_path: Path) -> None:
    source = """
        import os
        import httpx
        from tenacity import retry, stop_after_attempt, wait_random_exponential

        payments = httpx.Client(base_url=os.environ["PAYMENTS_URL"], timeout=5)

        @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5))
        def charge(amount):
            return payments.post("/charges", json={"amount": amount})
        """
    found = findings(
        tmp_path, source, manifest=MANIFEST, rules=[RetriedUnsafeCallWithoutIdempotencyKey]
    )
    assert lines(found) == [(10, "SP204")]
    assert found[0].message == (
        "httpx.Client.post to payments is retried by tenacity @retry on charge (line 8) without "
        "an idempotency key; if a response is lost after payments applied the POST, the retry "
        "applies it twice"
    )
    assert found[0].fix == RetriedUnsafeCallWithoutIdempotencyKey.fix


@pytest.mark.parametrize(
    ("call", "before"),
    [
        ("client.post('http://a/x', json=payload)", ""),
        ("client.put('http://a/x', json={'amount': 1})", ""),
        ("client.request('DELETE', 'http://a/x')", ""),
        ("client.patch('http://a/x', headers={'Authorization': 't'})", ""),
        ("client.post('http://a/x', headers=h)", "    h = {'Content-Type': 'a/b'}\n"),
        ("client.post('http://a/x', json=body)", "    body = {'id': 1}\n"),
    ],
    ids=[
        "param-body",
        "literal-body",
        "request-delete",
        "headers-without-key",
        "local-headers-without-key",
        "local-body-without-key",
    ],
)
def test_retried_unsafe_calls_without_a_key(tmp_path: Path, call: str, before: str) -> None:
    found = findings(
        tmp_path, retried_post(call, before), rules=[RetriedUnsafeCallWithoutIdempotencyKey]
    )
    assert [f.rule for f in found] == ["SP204"]


@pytest.mark.parametrize(
    ("call", "before"),
    [
        ("client.post('http://a/x', headers={'Idempotency-Key': key})", ""),
        ("client.post('http://a/x', headers={'idempotency-key': key})", ""),
        ("client.post('http://a/x', headers={'X-Request-ID': key})", ""),
        ("client.post('http://a/x', headers={'Request-Id': key})", ""),
        ("client.post('http://a/x', headers={**BASE, 'X-Idempotency-Key': key})", ""),
        ("client.post('http://a/x', headers={**base_headers()})", ""),
        ("client.post('http://a/x', headers=make_headers(key))", ""),
        ("client.post('http://a/x', headers=h)", "    h = {}\n    h['Idempotency-Key'] = key\n"),
        (
            "client.post('http://a/x', headers=h)",
            "    h = {}\n    h.update({'Idempotency-Key': key})\n",
        ),
        (
            "client.post('http://a/x', headers=h)",
            "    h = {}\n    h.setdefault('Request-Id', key)\n",
        ),
        ("client.post('http://a/x', headers=dict(Authorization='t', **extra))", ""),
        ("client.post('http://a/x', json={'idempotency_key': key})", ""),
        ("client.post('http://a/x', json=b)", "    b = {'request_id': key, 'amount': 1}\n"),
        ("client.post('http://a/x', **options)", ""),
        ("client.get('http://a/x')", ""),
    ],
)
def test_retried_calls_with_a_key_or_safe_method(tmp_path: Path, call: str, before: str) -> None:
    assert (
        findings(
            tmp_path, retried_post(call, before), rules=[RetriedUnsafeCallWithoutIdempotencyKey]
        )
        == []
    )


def test_calls_outside_any_retry_are_not_judged(tmp_path: Path) -> None:
    source = """
        import httpx

        def send_all(items):
            for item in items:
                try:
                    httpx.post("http://a/x", json=item)
                except httpx.HTTPError:
                    pass
        """
    assert findings(tmp_path, source) == []


@pytest.mark.parametrize(
    ("methods", "flagged"),
    [
        ("allowed_methods=['GET', 'POST']", True),
        ("allowed_methods=frozenset({'post'})", True),
        ("allowed_methods=None", True),
        ("method_whitelist=False", True),
        ("allowed_methods=['GET', 'PATCH']", False),
        ("status_forcelist=[503]", False),
    ],
)
def test_session_retrying_unsafe_methods(tmp_path: Path, methods: str, flagged: bool) -> None:
    source = (
        "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3 import Retry\n"
        "s = requests.Session()\n"
        f"s.mount('https://', HTTPAdapter(max_retries=Retry(total=2, {methods})))\n"
        "s.post('https://a/x', json={}, timeout=5)\n"
    )
    found = findings(tmp_path, source, rules=[RetriedUnsafeCallWithoutIdempotencyKey])
    assert lines(found) == ([(6, "SP204")] if flagged else [])


def test_kit_client_sends_its_own_key(tmp_path: Path) -> None:
    source = """
        from stormproof.kit import Client

        payments = Client("http://payments:8000")

        def pay():
            for attempt in range(3):
                try:
                    return payments.post("/charges", json={})
                except ConnectionError:
                    pass
        """
    assert findings(tmp_path, source, rules=[RetriedUnsafeCallWithoutIdempotencyKey]) == []


# -- SP205 -------------------------------------------------------------------------------


def test_retry_around_retrying_session_multiplies_attempts(tmp_path: Path) -> None:
    source = """
        import requests
        from requests.adapters import HTTPAdapter
        from tenacity import retry, stop_after_attempt, wait_random_exponential
        from urllib3.util.retry import Retry

        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=Retry(total=5)))

        @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5))
        def meta():
            return session.get("https://images/x", timeout=5).json()
        """
    found = findings(tmp_path, source, rules=[StackedRetries])
    assert lines(found) == [(10, "SP205")]
    assert found[0].message == (
        "tenacity @retry on meta retries requests.Session.get (line 12), which already retries "
        "by itself (its requests Session's urllib3 Retry); attempts multiply: up to 3 x 6 = 18 "
        "requests per call"
    )


def test_stacking_is_reported_once_per_construct_where_it_is_applied(tmp_path: Path) -> None:
    source = """
        import time
        import httpx
        from tenacity import retry, stop_after_attempt, wait_random_exponential

        client = httpx.Client(transport=httpx.HTTPTransport(retries=2))
        reads = retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5))

        @reads
        def both():
            first = client.get("http://a/1")
            return first, client.get("http://a/2")

        @reads
        def one():
            return client.get("http://a/3")

        @reads
        def local():
            return time.time()
        """
    found = findings(tmp_path, source, rules=[StackedRetries])
    assert lines(found) == [(9, "SP205"), (14, "SP205")]
    assert "httpx.Client.get (line 11)" in found[0].message
    assert "3 x 3 = 9" in found[0].message


@pytest.mark.parametrize(
    ("setup", "flagged"),
    [
        ("client = httpx.Client(transport=httpx.HTTPTransport(retries=2))", True),
        ("t = httpx.HTTPTransport(retries=2)\nclient = httpx.Client(transport=t)", True),
        ("client = httpx.Client(transport=httpx.HTTPTransport(retries=0))", False),
        ("client = httpx.Client(transport=httpx.HTTPTransport())", False),
        ("client = httpx.Client()", False),
    ],
)
def test_retry_around_httpx_transport_retries(tmp_path: Path, setup: str, flagged: bool) -> None:
    source = (
        "import httpx, stamina\n"
        f"{setup}\n"
        "@stamina.retry(on=httpx.HTTPError, attempts=3)\n"
        "def f():\n"
        "    return client.get('http://a/x')\n"
    )
    found = findings(tmp_path, source, rules=[StackedRetries])
    assert [f.rule for f in found] == (["SP205"] if flagged else [])


def test_retried_function_called_from_another_retry(tmp_path: Path) -> None:
    source = """
        import httpx
        from tenacity import retry, stop_after_attempt, wait_random_exponential

        @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=5))
        def rate(currency):
            return httpx.get(f"http://fx/rates/{currency}").json()

        @retry(stop=stop_after_attempt(2), wait=wait_random_exponential(max=5))
        def rates(currencies):
            if not currencies:
                return rates(["EUR"])
            return [rate(c) for c in currencies]

        def price(currency):
            return rate(currency)
        """
    found = findings(tmp_path, source, rules=[StackedRetries])
    assert lines(found) == [(9, "SP205")]
    assert "rate() (line 13)" in found[0].message
    assert "2 x 4 = 8" in found[0].message


def test_plain_helper_called_from_a_retry_is_fine(tmp_path: Path) -> None:
    source = """
        import httpx
        from tenacity import retry, stop_after_attempt, wait_random_exponential

        def fetch():
            return httpx.get("http://a/x")

        @retry(stop=stop_after_attempt(2), wait=wait_random_exponential(max=5))
        def refresh():
            return fetch()
        """
    assert findings(tmp_path, source, rules=[StackedRetries]) == []


# -- rule pages ------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_page_bad_example_is_caught_and_good_example_is_not(
    tmp_path: Path, rule: type[Rule]
) -> None:
    assert {f.rule for f in findings(tmp_path / "bad", rule.bad, rules=[rule])} == {rule.id}
    assert findings(tmp_path / "good", rule.good, rules=[rule]) == []


HELPER = """
import time
import requests
A = "http://orders:8000"

class Client:
    def __init__(self):
        self.session = requests.Session()

    def _request(self, method, path, headers=None, **kwargs):
        for attempt in range(3):
            try:
                return self.session.request(method, A + path, headers=headers, **kwargs)
            except requests.RequestException:
                time.sleep(1)
        raise RuntimeError()
"""


@pytest.mark.parametrize(
    ("call", "flagged"),
    [
        ("self._request('POST', '/orders', json={'id': 1})", True),
        ("self._request('PUT', '/orders/1', None, json=payload)", True),
        ("self._request('POST', '/orders', headers={'Idempotency-Key': k})", False),
        ("self._request('POST', '/orders', {'Idempotency-Key': k})", False),
        ("self._request('POST', '/orders', json={'request_id': k})", False),
        ("self._request('POST', '/orders', **opts)", False),
        ("self._request('GET', '/orders')", False),
    ],
)
def test_unsafe_call_through_a_retrying_helper(tmp_path: Path, call: str, flagged: bool) -> None:
    source = HELPER + f"\n    def go(self, k, payload, opts):\n        return {call}\n"
    found = findings(tmp_path, source, rules=[RetriedUnsafeCallWithoutIdempotencyKey])
    assert lines(found) == ([(19, "SP204")] if flagged else [])


def test_retry_around_a_helper_that_retries_inside(tmp_path: Path) -> None:
    source = HELPER.replace("import requests", "import requests\nimport stamina") + (
        "\n    @stamina.retry(on=Exception, attempts=2)\n"
        "    def go(self):\n"
        "        return self._request('GET', '/orders')\n"
    )
    found = findings(tmp_path, source, rules=[StackedRetries])
    assert lines(found) == [(19, "SP205")]
    assert "_request() (line 21)" in found[0].message
    assert "2 x 3 = 6" in found[0].message
