"""SP301 call-without-circuit-breaker."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rules.circuit_breaker import RULES, CallWithoutCircuitBreaker
from tests.check.rules.checking import check_files

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


def check(tmp_path: Path, files: dict[str, str], manifest: str | None = MANIFEST) -> list[Finding]:
    """Check a tree of `files` (path → source) with SP301 only."""
    return check_files(tmp_path, files, rules=RULES, manifest=manifest)


def lines(found: list[Finding]) -> list[int]:
    return [f.line for f in found]


def test_message_names_the_call_the_target_and_the_caller(tmp_path: Path) -> None:
    [finding] = check(
        tmp_path,
        {
            "booking/app.py": """
            import os
            import requests as rq

            def charge():
                return rq.post(os.environ["PAYMENTS_URL"] + "/charges", timeout=5)
            """
        },
    )
    assert finding.rule == CallWithoutCircuitBreaker.id
    assert finding.severity == "warning"
    assert finding.service == "booking"
    assert finding.message.startswith("requests.post to payments has no circuit breaker")
    assert "while payments is down or slow" in finding.message
    assert "spreads to booking" in finding.message
    assert "breaker" in finding.fix


def test_without_a_manifest_every_call_is_checked(tmp_path: Path) -> None:
    [finding] = check(
        tmp_path,
        {"tool.py": 'import httpx\nhttpx.get("https://api.example.com/x")\n'},
        manifest=None,
    )
    assert finding.message.startswith("httpx.get has no circuit breaker")
    assert "the remote service" in finding.message


PROTECTED = {
    "pybreaker decorator": """
        import pybreaker
        breaker = pybreaker.CircuitBreaker(fail_max=5)
        @breaker
        def charge():
            return requests.post(URL, timeout=5)
    """,
    "calling() block": """
        import pybreaker
        cb = pybreaker.CircuitBreaker()
        def charge():
            with cb.calling():
                return requests.post(URL, timeout=5)
    """,
    "function only run through breaker.call": """
        import pybreaker
        cb = pybreaker.CircuitBreaker()
        def _charge():
            return requests.post(URL, timeout=5)
        def charge():
            return cb.call(_charge)
        def unrelated():
            _charge = {"id": 1}  # a local of the same name is not a use of the function
            return _charge["id"]
    """,
    "lambda through call": """
        from aiobreaker import CircuitBreaker
        cb = CircuitBreaker()
        def charge():
            return cb.call(lambda: requests.post(URL, timeout=5))
    """,
    "circuitbreaker decorator": """
        from circuitbreaker import circuit
        @circuit(failure_threshold=3)
        def charge():
            return requests.post(URL, timeout=5)
    """,
    "CircuitBreaker subclass": """
        from circuitbreaker import CircuitBreaker
        class Strict(CircuitBreaker):
            FAILURE_THRESHOLD = 2
        @Strict()
        def charge():
            return requests.post(URL, timeout=5)
    """,
    "purgatory factory": """
        from purgatory import SyncCircuitBreakerFactory
        factory = SyncCircuitBreakerFactory()
        def charge():
            with factory.get_breaker("payments"):
                return requests.post(URL, timeout=5)
    """,
    "breaker named in another module": """
        from booking.resilience import payments_breaker
        @payments_breaker
        def charge():
            return requests.post(URL, timeout=5)
    """,
    "helper run only inside a decorated function": """
        from circuitbreaker import circuit
        def _post():
            return requests.post(URL, timeout=5)
        @circuit
        def charge():
            return _post()
    """,
}


@pytest.mark.parametrize("body", PROTECTED.values(), ids=PROTECTED.keys())
def test_breakers_in_every_form_protect(tmp_path: Path, body: str) -> None:
    header = 'import os, requests\nURL = os.environ["PAYMENTS_URL"] + "/charges"\n'
    source = header + textwrap.dedent(body)
    assert check(tmp_path, {"booking/app.py": source}) == []


def test_kit_client_needs_no_breaker(tmp_path: Path) -> None:
    source = """
        import os
        from stormproof.kit import Client
        payments = Client(os.environ["PAYMENTS_URL"])
        def charge():
            return payments.post("/charges", json={})
    """
    assert check(tmp_path, {"booking/app.py": source}) == []


def test_a_helper_also_called_directly_is_not_protected(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        {
            "booking/app.py": """
            import os, pybreaker, requests
            cb = pybreaker.CircuitBreaker()
            def _fetch():
                return requests.get(os.environ["PAYMENTS_URL"], timeout=3)
            def guarded():
                return cb.call(_fetch)
            def warm():
                return _fetch()
            """
        },
    )
    assert lines(found) == [5]


def test_locks_caches_and_retries_are_not_breakers(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        {
            "booking/app.py": """
            import functools, os, threading, requests
            from tenacity import retry, stop_after_attempt
            lock = threading.Lock()
            URL = os.environ["PAYMENTS_URL"]
            @functools.lru_cache
            def a():
                return requests.get(URL, timeout=3)
            @retry(stop=stop_after_attempt(3))
            def b():
                with lock:
                    return requests.get(URL, timeout=3)
            """
        },
    )
    assert lines(found) == [8, 12]


def test_wrapper_findings_go_to_unprotected_call_sites(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        {
            "booking/app.py": """
            import os, pybreaker, requests
            cb = pybreaker.CircuitBreaker()
            def post_json(url, body):
                return requests.post(url, json=body, timeout=5)
            def charge():
                return post_json(os.environ["PAYMENTS_URL"] + "/charges", {})
            def refund():
                with cb.calling():
                    return post_json(os.environ["PAYMENTS_URL"] + "/refunds", {})
            """
        },
    )
    assert lines(found) == [7]
    assert found[0].message.startswith("post_json (requests.post) to payments")


def test_manifest_scope_outside_hosts_local_hosts_and_files_outside_services(
    tmp_path: Path,
) -> None:
    found = check(
        tmp_path,
        {
            "booking/app.py": """
            import requests
            requests.post("https://api.stripe.com/v1/charges", timeout=5)
            requests.post("http://localhost:8001/charges", timeout=5)
            requests.post("http://payments:8000/charges", timeout=5)
            """,
            "scripts/seed.py": """
            import sys, requests
            requests.post(sys.argv[1], timeout=5)
            requests.post("http://payments:8000/charges", timeout=5)
            """,
        },
    )
    assert [(f.path, f.line) for f in found] == [
        ("booking/app.py", 4),
        ("booking/app.py", 5),
        ("scripts/seed.py", 4),
    ]


def test_policy_off_turns_the_rule_off(tmp_path: Path) -> None:
    manifest = MANIFEST + "policies:\n  circuit_breakers: off\n"
    source = 'import os, requests\nrequests.get(os.environ["PAYMENTS_URL"], timeout=3)\n'
    assert check(tmp_path, {"booking/app.py": source}, manifest=manifest) == []
