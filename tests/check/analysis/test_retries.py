"""The retry model: constructs, retried calls, retrying clients, idempotency keys."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from stormproof.check.analysis.idempotency_keys import (
    carries_idempotency_key,
    is_key_field,
    is_key_header,
)
from stormproof.check.analysis.retries import (
    Pacing,
    client_retry,
    mounted_adapters,
    retried_calls,
    retry_constructs,
    retry_settings,
    retrying_callee,
    retrying_functions,
)
from stormproof.check.context import FileContext, SystemModel


def context(source: str) -> FileContext:
    source = textwrap.dedent(source)
    return FileContext(
        path=Path("/x/app.py"),
        relpath="app.py",
        source=source,
        tree=ast.parse(source),
        system=SystemModel(None),
        service=None,
    )


def call_at(ctx: FileContext, line: int) -> ast.Call:
    return next(c.node for c in ctx.remote_calls if c.node.lineno == line)


def test_constructs_of_each_library_with_their_settings() -> None:
    ctx = context(
        """
        import backoff, httpx, stamina
        from tenacity import Retrying, retry, stop_after_attempt, wait_exponential
        from urllib3 import Retry

        @retry(stop=stop_after_attempt(4), wait=wait_exponential())
        def a(): ...

        @backoff.on_exception(backoff.constant, Exception, max_tries=2)
        def b(): ...

        @stamina.retry(on=Exception)
        def c(): ...

        def d():
            for attempt in Retrying():
                with attempt:
                    httpx.get("http://x")

        RETRY = Retry(total=2, backoff_factor=1)
        """
    )
    found = [
        (c.kind, c.line, c.bounded, c.pacing, c.attempts, c.function.name if c.function else None)
        for c in retry_constructs(ctx)
    ]
    assert found == [
        ("tenacity", 6, True, Pacing.EXPONENTIAL, 4, "a"),
        ("backoff", 9, True, Pacing.CONSTANT, 2, "b"),
        ("stamina", 12, True, Pacing.BACKOFF, 10, "c"),
        ("tenacity", 16, False, Pacing.NONE, None, "d"),
        ("urllib3", 20, True, Pacing.EXPONENTIAL, 3, None),
    ]
    assert [c.label for c in retry_constructs(ctx)][:4] == [
        "tenacity @retry on a",
        "@backoff.on_exception on b",
        "@stamina.retry on c",
        "tenacity Retrying",
    ]


def test_retry_loop_facts() -> None:
    ctx = context(
        """
        import random, time, requests

        def f():
            for attempt in range(5):
                try:
                    return requests.get("http://x", timeout=5)
                except requests.RequestException:
                    time.sleep(random.uniform(0, 2 ** attempt))
        """
    )
    (loop,) = retry_constructs(ctx)
    assert (loop.kind, loop.label, loop.bounded, loop.pacing, loop.attempts) == (
        "loop",
        "retry loop `for attempt in range(5)`",
        True,
        Pacing.BACKOFF,
        5,
    )
    assert loop.function is not None and loop.function.name == "f"


@pytest.mark.parametrize(
    ("sleeps", "pacing"),
    [
        (("time.sleep(2)", "time.sleep(2)"), Pacing.CONSTANT),
        (("time.sleep(2)", "time.sleep(1)"), Pacing.CONSTANT),
        (("time.sleep(2)", "time.sleep(2 ** attempt)"), Pacing.EXPONENTIAL),
        (("time.sleep(2)", "time.sleep(attempt)"), Pacing.BACKOFF),
        (("time.sleep(2)", "time.sleep()"), Pacing.UNKNOWN),
        (("time.sleep(2)", "time.sleep(retry_after(resp))"), Pacing.UNKNOWN),
    ],
)
def test_a_loop_sleeping_on_each_failure_path_is_paced_by_all_its_sleeps(
    sleeps: tuple[str, str], pacing: Pacing
) -> None:
    on_error, on_status = sleeps
    ctx = context(
        f"""
        import time, requests

        def f():
            for attempt in range(5):
                try:
                    resp = requests.get("http://x", timeout=5)
                except requests.ConnectionError:
                    {on_error}
                    continue
                if resp.status_code >= 500:
                    {on_status}
                    continue
                return resp
        """
    )
    (loop,) = retry_constructs(ctx)
    assert loop.pacing is pacing


def test_a_named_policy_is_one_setting_but_one_construct_per_function() -> None:
    ctx = context(
        """
        from tenacity import retry
        policy = retry()

        @policy
        def a(): ...

        @policy
        def b(): ...
        """
    )
    assert sorted(c.function.name for c in retry_constructs(ctx) if c.function) == ["a", "b"]
    assert [c.line for c in retry_settings(ctx)] == [3]


def test_retried_calls_map_to_the_innermost_construct() -> None:
    ctx = context(
        """
        import httpx, time
        from tenacity import retry

        @retry
        def outer():
            httpx.post("http://a/x")
            for attempt in range(3):
                try:
                    return httpx.get("http://a/y")
                except httpx.HTTPError:
                    time.sleep(1)

        def plain():
            httpx.post("http://a/z")

        def nested():
            @retry
            def inner():
                httpx.put("http://a/w")
            httpx.delete("http://a/v")
        """
    )
    retried = retried_calls(ctx)
    assert retried[call_at(ctx, 7)].kind == "tenacity"
    assert retried[call_at(ctx, 10)].kind == "loop"
    assert retried[call_at(ctx, 20)].kind == "tenacity"
    assert call_at(ctx, 15) not in retried
    assert call_at(ctx, 21) not in retried


def test_a_session_retrying_post_makes_its_posts_retried() -> None:
    ctx = context(
        """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3 import Retry

        s = requests.Session()
        s.mount("https://", HTTPAdapter(max_retries=Retry(allowed_methods=["POST"])))
        s.post("https://a/x", timeout=5)
        s.get("https://a/x", timeout=5)
        """
    )
    retried = retried_calls(ctx)
    assert retried[call_at(ctx, 8)].label == "its requests Session's urllib3 Retry"
    assert call_at(ctx, 9) not in retried


@pytest.mark.parametrize(
    ("setup", "attempts"),
    [
        ("s.mount('https://', HTTPAdapter(max_retries=Retry(total=2)))", 3),
        ("s.mount('https://', HTTPAdapter(max_retries=Retry()))", 11),
        ("s.mount('https://', HTTPAdapter(max_retries=Retry(total=n)))", None),
        ("s.mount('https://', HTTPAdapter(max_retries=RETRY))", 5),
        ("s.mount('https://', HTTPAdapter(max_retries=3))", 4),
    ],
)
def test_client_retry_of_a_session(setup: str, attempts: int | None) -> None:
    ctx = context(
        "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3 import Retry\n"
        f"RETRY = Retry(total=4)\ns = requests.Session()\n{setup}\ns.get('https://a')\n"
    )
    (call,) = ctx.remote_calls
    found = client_retry(ctx, call)
    assert found is not None
    assert found.attempts == attempts


@pytest.mark.parametrize(
    "setup",
    [
        "s.mount('https://', HTTPAdapter(max_retries=0))",
        "s.mount('https://', HTTPAdapter(max_retries=Retry(total=0)))",
        "s.mount('https://', HTTPAdapter())",
        "other = requests.Session()\nother.mount('https://', HTTPAdapter(max_retries=3))",
        "",
    ],
)
def test_sessions_that_do_not_retry(setup: str) -> None:
    ctx = context(
        "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3 import Retry\n"
        f"s = requests.Session()\n{setup}\ns.get('https://a')\n"
    )
    call = next(c for c in ctx.remote_calls if c.api == "requests.Session.get")
    assert client_retry(ctx, call) is None


def test_mounted_adapters_belong_to_their_session() -> None:
    ctx = context(
        """
        import requests
        from requests.adapters import HTTPAdapter

        class Client:
            def __init__(self):
                self.http = requests.Session()
                self.http.mount("https://", HTTPAdapter(pool_maxsize=4))

        other = requests.Session()
        adapter = HTTPAdapter(max_retries=2)
        other.mount("http://", adapter)
        """
    )
    sessions = {}
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Attribute | ast.Name) and ast.unparse(node) in (
            "self.http",
            "other",
        ):
            sessions[ast.unparse(node)] = ctx.instances.resolve(node, node)
    assert [ast.unparse(a) for a in mounted_adapters(ctx, sessions["self.http"])] == [
        "HTTPAdapter(pool_maxsize=4)"
    ]
    assert [ast.unparse(a) for a in mounted_adapters(ctx, sessions["other"])] == [
        "HTTPAdapter(max_retries=2)"
    ]


def test_retrying_functions_and_their_callers() -> None:
    ctx = context(
        """
        import httpx
        from tenacity import retry

        @retry
        def fetch():
            return httpx.get("http://a")

        def _raw():
            return httpx.get("http://b")

        fetch_b = retry()(_raw)

        class Client:
            @retry
            def one(self):
                return httpx.get("http://c")

            def two(self):
                return self.one(), fetch(), fetch_b(), _raw(), other.one()
        """
    )
    assert sorted(f.name for f in retrying_functions(ctx)) == ["fetch", "one"]
    calls = {
        ast.unparse(n.func): retrying_callee(ctx, n)
        for n in ast.walk(ctx.tree)
        if isinstance(n, ast.Call) and n.lineno == 20
    }
    assert {name for name, callee in calls.items() if callee is not None} == {
        "self.one",
        "fetch",
        "fetch_b",
    }


def test_run_nodes_leave_out_nested_scopes() -> None:
    ctx = context("a()\ndef f():\n    b()\nx = lambda: c()\n[d() for _ in e()]\n")
    names = [n.func.id for n in ctx.run_nodes(ctx.tree.body) if isinstance(n, ast.Call)]
    assert names == ["a", "d", "e"]
    [function] = ctx.functions
    assert [n.func.id for n in ctx.run_nodes(function.body) if isinstance(n, ast.Call)] == ["b"]


# -- idempotency keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Idempotency-Key", True),
        ("x-idempotency-key", True),
        ("X-Request-ID", True),
        ("request-id", True),
        ("X-Correlation-ID", False),
        ("Authorization", False),
    ],
)
def test_key_headers(name: str, expected: bool) -> None:
    assert is_key_header(name) is expected


def test_key_fields() -> None:
    assert is_key_field("idempotency_key") and is_key_field("Request_Id")
    assert not is_key_field("order_id")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("httpx.post(u, headers={'Idempotency-Key': k})", True),
        ("httpx.post(u, headers={'Accept': 'x'})", False),
        ("httpx.post(u, headers=h)", False),
        ("httpx.post(u, headers=H)", True),
        ("httpx.post(u, headers=param_headers)", True),
        ("httpx.post(u, headers={f'X-{k}': 1})", True),
        ("httpx.post(u, json={'request_id': k})", True),
        ("httpx.post(u, json={**body, 'amount': 1})", False),
        ("httpx.post(u, data={'idempotency_key': k})", True),
        ("httpx.post(u)", False),
        ("urllib.request.urlopen(u, b'x')", True),
    ],
)
def test_carries_idempotency_key(call: str, expected: bool) -> None:
    ctx = context(
        "import httpx, urllib.request\n"
        "H = {'Idempotency-Key': 'fixed'}\n"
        f"def f(u, k, body, param_headers):\n    h = {{'Accept': 'x'}}\n    return {call}\n"
    )
    (remote,) = ctx.remote_calls
    assert carries_idempotency_key(ctx, remote) is expected


def test_a_wrapper_call_is_judged_by_the_wrappers_request() -> None:
    ctx = context(
        """
        import httpx

        def post_json(url, payload):
            return httpx.post(url, json=payload, headers={"Accept": "application/json"})

        def keyed(url, key):
            return httpx.post(url, headers={"Idempotency-Key": key})

        post_json("http://payments/charges", {})
        keyed("http://payments/charges", "k")
        """
    )
    sites = [c for c in ctx.remote_calls if not c.direct]
    assert [carries_idempotency_key(ctx, c) for c in sites] == [False, True]


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ('send("http://payments/charges")', True),
        ('send("http://payments/charges", {"Accept": "x"})', False),
        ('send("http://payments/charges", headers={"Idempotency-Key": k})', True),
        ('send("http://payments/charges", **options)', True),
        ('send_plain("http://payments/charges")', False),
        ('send_plain("http://payments/charges", **options)', True),
    ],
)
def test_a_wrapper_parameter_left_out_is_read_as_its_default(site: str, expected: bool) -> None:
    ctx = context(
        f"""
        import httpx

        KEYED = {{"Idempotency-Key": "fixed"}}

        def send(url, headers=KEYED):
            return httpx.post(url, headers=headers)

        def send_plain(url, headers=None):
            return httpx.post(url, headers=headers)

        def go(k, options):
            return {site}
        """
    )
    (call,) = [c for c in ctx.remote_calls if not c.direct]
    assert carries_idempotency_key(ctx, call) is expected
