"""SP501 saga-step-without-compensation and SP502 saga-failure-without-compensation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rules.saga import RULES
from tests.check.rules.checking import check_files

MANIFEST = """\
version: 1
name: travel
services:
  booking:
    path: booking/
    calls: [payments, flights, hotels]
  support:
    path: support/
    calls: [payments, flights]
  payments:
    path: payments/
  flights:
    path: flights/
  hotels:
    path: hotels/
sagas:
  book-trip:
    coordinator: booking
    steps:
      - {service: payments, action: "POST /charges", compensation: "POST /refunds"}
      - {service: flights, action: "POST /reservations", compensation: "DELETE /reservations/{id}"}
      - {service: hotels, action: "POST /reservations", pivot: true}
"""
HEADER = """\
import os
import httpx
from booking.undo import rollback_everything
P = os.environ["PAYMENTS_URL"]
F = os.environ["FLIGHTS_URL"]
H = os.environ["HOTELS_URL"]
client = httpx.Client(timeout=5)
"""


def check(tmp_path: Path, files: dict[str, str], manifest: str = MANIFEST) -> list[Finding]:
    """Check a tree of `files` (path → source) with the saga rules only."""
    return check_files(tmp_path, files, rules=RULES, manifest=manifest)


def saga_code(tmp_path: Path, body: str, path: str = "booking/saga.py") -> list[Finding]:
    """Findings for `body` (the statements of `def book(trip)`) in the coordinator's code."""
    source = HEADER + "def book(trip):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return check(tmp_path, {path: source})


def body_lines(found: list[Finding]) -> list[int]:
    """Lines relative to the first line of `book`'s body."""
    first = HEADER.count("\n") + 2
    return [f.line - first + 1 for f in found]


# -- SP501 -------------------------------------------------------------------------------------


def test_steps_without_compensation_or_pivot_are_reported_on_their_line(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(', compensation: "DELETE /reservations/{id}"', "").replace(
        "pivot: true", "pivot: false"
    ) + (
        "  notify:\n    coordinator: booking\n    steps:\n"
        "      - service: hotels\n        action: POST /holds\n"
    )
    found = [f for f in check(tmp_path, {}, manifest=manifest) if f.rule == "SP501"]
    assert [(f.path, f.line) for f in found] == [
        ("stormproof.yaml", 21),
        ("stormproof.yaml", 22),
        ("stormproof.yaml", 26),
    ]
    assert found[0].message == (
        "step 2 of saga 'book-trip' (flights POST /reservations) has no compensation and is "
        "not marked pivot: when a later step fails, POST /reservations on flights cannot be "
        "undone"
    )
    assert found[0].service == "booking"
    assert "pivot: true" in found[0].fix


def test_compensated_and_pivot_steps_are_fine(tmp_path: Path) -> None:
    assert check(tmp_path, {}) == []


# -- SP502 -------------------------------------------------------------------------------------


def test_a_later_step_with_no_failure_path(tmp_path: Path) -> None:
    found = saga_code(
        tmp_path,
        """
        client.post(f"{P}/charges", json=trip).raise_for_status()
        seat = client.post(f"{F}/reservations", json=trip)
        seat.raise_for_status()
        client.post(f"{H}/reservations", json=trip)
        """,
    )
    assert body_lines(found) == [3]
    assert found[0].rule == "SP502"
    assert found[0].message == (
        "httpx.Client.post to flights is step 2 (flights POST /reservations) of saga "
        "'book-trip'; when it fails, nothing compensates step 1 (payments POST /charges; "
        "undo: POST /refunds), so the saga stops half-done with the earlier effects left in "
        "place"
    )


COVERED = {
    "except compensates": """
        charge = client.post(f"{P}/charges", json=trip)
        try:
            client.post(f"{F}/reservations", json=trip).raise_for_status()
        except httpx.HTTPError:
            client.post(f"{P}/refunds", json={"id": charge.json()["id"]})
            raise
    """,
    "finally with a flag": """
        client.post(f"{P}/charges", json=trip)
        done = False
        try:
            client.post(f"{F}/reservations", json=trip)
            done = True
        finally:
            if not done:
                client.post(f"{P}/refunds", json=trip)
    """,
    "loop over an undo stack": """
        undo = []
        try:
            client.post(f"{P}/charges", json=trip)
            undo.append(lambda: client.post(f"{P}/refunds", json=trip))
            client.post(f"{F}/reservations", json=trip)
        except Exception:
            for step in reversed(undo):
                step()
            raise
    """,
    "a compensation the checker cannot see": """
        client.post(f"{P}/charges", json=trip)
        try:
            client.post(f"{F}/reservations", json=trip)
        except Exception:
            rollback_everything(trip)
            raise
    """,
    "status check that compensates": """
        client.post(f"{P}/charges", json=trip)
        try:
            seat = client.post(f"{F}/reservations", json=trip)
        except httpx.HTTPError:
            client.post(f"{P}/refunds", json=trip)
            raise
        if seat.status_code >= 400:
            client.post(f"{P}/refunds", json=trip)
            return None
    """,
    "pivot and uncompensated-by-design steps need no undo": """
        client.post(f"{P}/charges", json=trip)
        try:
            client.post(f"{F}/reservations", json=trip)
        except httpx.HTTPError:
            client.post(f"{P}/refunds", json=trip)
            raise
        try:
            client.post(f"{H}/reservations", json=trip)
        except httpx.HTTPError:
            client.post(f"{P}/refunds", json=trip)
            client.delete(f"{F}/reservations/{trip['id']}")
            raise
    """,
    "calls in a function defined here run later, not in this sequence": """
        client.post(f"{P}/charges", json=trip)
        def reserve_later():
            client.post(f"{F}/reservations", json=trip)
        return reserve_later
    """,
    "reads are not steps": """
        client.get(f"{P}/limits")
        client.get(f"{F}/flights")
        client.post(f"{F}/reservations", json=trip)
    """,
}


@pytest.mark.parametrize("body", COVERED.values(), ids=COVERED.keys())
def test_failure_paths_that_compensate(tmp_path: Path, body: str) -> None:
    assert saga_code(tmp_path, body) == []


UNCOVERED = {
    "except that only logs": """
        client.post(f"{P}/charges", json=trip)
        try:
            client.post(f"{F}/reservations", json=trip)
        except httpx.HTTPError:
            print("failed")
            raise
    """,
    "session rollback is not a saga compensation": """
        client.post(f"{P}/charges", json=trip)
        try:
            client.post(f"{F}/reservations", json=trip)
        except httpx.HTTPError:
            db.rollback()
            raise
    """,
    "status check that gives up": """
        client.post(f"{P}/charges", json=trip)
        try:
            seat = client.post(f"{F}/reservations", json=trip)
        except httpx.HTTPError:
            client.post(f"{P}/refunds", json=trip)
            raise
        if not seat.is_success:
            return None
    """,
    "raise_for_status outside the try": """
        client.post(f"{P}/charges", json=trip)
        try:
            seat = client.post(f"{F}/reservations", json=trip)
        except httpx.TransportError:
            client.post(f"{P}/refunds", json=trip)
            raise
        seat.raise_for_status()
    """,
}


@pytest.mark.parametrize("body", UNCOVERED.values(), ids=UNCOVERED.keys())
def test_failure_paths_that_leave_the_charge(tmp_path: Path, body: str) -> None:
    found = saga_code(tmp_path, body)
    assert [f.rule for f in found] == ["SP502"]
    assert "flights POST /reservations" in found[0].message


def test_code_of_a_service_that_is_not_the_coordinator(tmp_path: Path) -> None:
    body = 'client.post(f"{P}/charges")\nclient.post(f"{F}/reservations")\n'
    assert saga_code(tmp_path, body, path="support/tools.py") == []


def test_steps_made_by_helpers_in_this_and_other_modules(tmp_path: Path) -> None:
    clients = HEADER + textwrap.dedent(
        """
        def charge(trip):
            return client.post(f"{P}/charges", json=trip).json()["id"]
        def refund(charge_id):
            client.post(f"{P}/refunds", json={"id": charge_id})
        class Flights:
            def reserve(self, trip):
                return client.post(f"{F}/reservations", json=trip)
        flights = Flights()
        """
    )
    flow = textwrap.dedent(
        """
        from booking import clients
        from booking.clients import flights

        def compensated(trip):
            charge_id = clients.charge(trip)
            try:
                flights.reserve(trip)
            except Exception:
                clients.refund(charge_id)
                raise

        def uncompensated(trip):
            clients.charge(trip)
            flights.reserve(trip)
        """
    )
    found = check(tmp_path, {"booking/clients.py": clients, "booking/flow.py": flow})
    assert [(f.path, f.line) for f in found] == [("booking/flow.py", 15)]
    assert found[0].message.startswith(
        "reserve() (httpx.Client.post to flights) is step 2 (flights POST /reservations)"
    )


def test_one_finding_per_function(tmp_path: Path) -> None:
    body = """
        client.post(f"{P}/charges", json=trip)
        client.post(f"{F}/reservations", json=trip)
        client.post(f"{F}/reservations", json=trip)
    """
    assert body_lines(saga_code(tmp_path, body)) == [3]
