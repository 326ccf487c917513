"""`stormproof check` recognises stormproof.kit: what the kit does is not reported, what it
is told not to do (or what is done beside it) still is. The corpus holds the same cases as
mini projects (tests/corpus/*/kit-*)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from stormproof.check.analysis import kit
from stormproof.check.rules.architecture import UndeclaredServiceCall
from stormproof.check.rules.circuit_breaker import CallWithoutCircuitBreaker
from stormproof.check.rules.retry import StackedRetries
from stormproof.check.rules.saga import SagaFailureWithoutCompensation
from stormproof.check.rules.timeout import RemoteCallWithoutTimeout
from stormproof.check.rules.tracing import TraceContextNotPropagated
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
  hotels:
    path: hotels/
"""
RULES = [
    RemoteCallWithoutTimeout,
    CallWithoutCircuitBreaker,
    TraceContextNotPropagated,
    StackedRetries,
    UndeclaredServiceCall,
    SagaFailureWithoutCompensation,
]


def _check(tmp_path: Path, source: str) -> list[tuple[int, str]]:
    found = check_files(tmp_path, {"booking/app.py": source}, rules=RULES, manifest=MANIFEST)
    return sorted(lines(found))


@pytest.mark.parametrize(
    "build",
    [
        "from stormproof.kit import Client\npayments = Client.for_service('payments')",
        "from stormproof.kit import Client as C\npayments = C('payments', base_url=URL)",
        "import stormproof.kit as kit\npayments = kit.Client.for_service('payments')",
        "from stormproof.kit.client import Client\npayments = Client('payments', base_url=URL)",
    ],
)
def test_a_kit_client_however_imported_has_every_protection(tmp_path: Path, build: str) -> None:
    source = f"import os\nURL = os.environ['PAYMENTS_URL']\n{build}\n\n\n" + (
        "def charge(amount):\n    return payments.post('/charges', json={'amount': amount})\n"
    )
    assert _check(tmp_path, source) == []


def test_a_kit_client_on_self_is_recognised(tmp_path: Path) -> None:
    source = """\
        from stormproof.kit import AsyncClient


        class Payments:
            def __init__(self):
                self.http = AsyncClient.for_service("payments")

            async def charge(self, amount):
                return await self.http.post("/charges", json={"amount": amount})
        """
    assert _check(tmp_path, source) == []


def test_a_raw_call_beside_a_kit_client_is_still_reported(tmp_path: Path) -> None:
    source = """\
        import os

        import requests
        from stormproof.kit import Client

        payments = Client.for_service("payments")


        def charge(amount):
            payments.get("/health")
            return requests.post(os.environ["PAYMENTS_URL"] + "/charges", json={"a": amount})
        """
    assert _check(tmp_path, source) == [(11, "SP101"), (11, "SP301"), (11, "SP601")]


def test_protections_switched_off_on_the_client_are_reported(tmp_path: Path) -> None:
    source = """\
        from stormproof.kit import Client

        payments = Client.for_service("payments", breaker=None, tracing=False)


        def charge(amount):
            return payments.post("/charges", json={"amount": amount})
        """
    assert _check(tmp_path, source) == [(7, "SP301"), (7, "SP601")]


def test_the_kit_clients_retries_stack_unless_switched_off(tmp_path: Path) -> None:
    template = """\
        import httpx
        import stamina
        from stormproof.kit import Client

        payments = Client.for_service("payments"{options})


        @stamina.retry(on=httpx.HTTPError, attempts=3)
        def balance(account):
            return payments.get(f"/balances/{{account}}")
        """
    assert _check(tmp_path / "on", template.format(options="")) == [(8, "SP205")]
    assert _check(tmp_path / "off", template.format(options=", attempts=1")) == []


def test_a_for_service_target_is_checked_against_the_manifest(tmp_path: Path) -> None:
    source = """\
        from stormproof.kit import Client

        hotels = Client.for_service("hotels")


        def rooms():
            return hotels.get("/rooms")
        """
    assert _check(tmp_path, source) == [(7, "SP802")]


def test_a_kit_breaker_guards_decorated_functions_and_with_blocks(tmp_path: Path) -> None:
    source = """\
        import os

        import requests
        from opentelemetry.instrumentation.requests import RequestsInstrumentor
        from stormproof.kit import CircuitBreaker

        RequestsInstrumentor().instrument()
        payments_guard = CircuitBreaker("payments")
        URL = os.environ["PAYMENTS_URL"]


        @payments_guard
        def balance(account):
            return requests.get(f"{URL}/balances/{account}", timeout=2)


        def history(account):
            with payments_guard:
                return requests.get(f"{URL}/history/{account}", timeout=2)


        def unguarded(account):
            return requests.get(f"{URL}/limits/{account}", timeout=2)
        """
    assert _check(tmp_path, source) == [(23, "SP301")]


def test_a_kit_step_needs_a_compensation_or_an_explicit_none(tmp_path: Path) -> None:
    source = """\
        from stormproof.kit import Saga, Step
        from stormproof.kit import saga as sagas


        def act(ctx): ...
        def undo(ctx): ...


        book = Saga(
            Step("charge", act, compensation=undo),
            Step("notify", act, compensation=None),
            Step("hold", act, undo),
            Step("reserve", act),
            sagas.Step("pay", act),
        )
        """
    assert _check(tmp_path, source) == [(13, "SP502"), (14, "SP502")]


def test_switched_off_reads_only_literal_settings() -> None:
    from stormproof.check.analysis.instances import Instance

    def client(options: str) -> Instance:
        ctor = ast.parse(f"Client('payments', base_url=u{options})", mode="eval").body
        assert isinstance(ctor, ast.Call)
        return Instance(kit.CLIENT, ctor)

    assert kit.switched_off(client(", breaker=None"), "breaker")
    assert kit.switched_off(client(", attempts=1"), "attempts")
    assert not kit.switched_off(client(", attempts=2"), "attempts")
    assert not kit.switched_off(client(", breaker=my_breaker"), "breaker")
    assert not kit.switched_off(client(", tracing=TRACING"), "tracing")
    assert kit.client_target(client("").ctor) == "payments"
