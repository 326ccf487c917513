"""The hardened travel example really runs, and its guarantees hold call by call: a trip
resent with its key is one booking and one charge; a refused trip undoes every step it took;
a cancellation or refund that overtakes its reservation or charge wins; keys are required.

The services are started from their manifest `run` commands (see conftest.py). Each test
uses its own customer, flight and hotel where it changes them, and compares with the values
read before it acted, so the tests share one running system in any order. (`stormproof
chaos` on the same system is tests/examples/test_travel_hardened_chaos.py.)"""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.examples.conftest import RunningSystem, balance, rooms_left, seats_left

POLL_S = 0.05
NOTICE_WAIT_S = 15.0


def book(
    system: RunningSystem, key: str, customer: str, flight: str, hotel: str, amount: float
) -> tuple[int, Any]:
    trip = {"customer": customer, "flight": flight, "hotel": hotel, "amount": amount}
    return system.post("gateway", "/trips", trip, {"Idempotency-Key": key})


def booking_row(system: RunningSystem, booking_id: str) -> dict[str, Any]:
    status, row = system.get("gateway", f"/trips/{booking_id}")
    assert status == 200, row
    return row


def test_every_service_answers_health(travel_hardened: RunningSystem) -> None:
    for name in ("gateway", "booking", "payments", "flights", "hotels"):
        assert travel_hardened.get(name, "/health") == (200, {"status": "ok"})


def test_a_trip_resent_with_its_key_is_booked_and_charged_once(
    travel_hardened: RunningSystem,
) -> None:
    system, key = travel_hardened, str(uuid.uuid4())
    before = (
        balance(system, "alice"),
        seats_left(system, "TR100"),
        rooms_left(system, "grand-plaza"),
    )

    first = book(system, key, "alice", "TR100", "grand-plaza", 120.0)
    again = book(system, key, "alice", "TR100", "grand-plaza", 120.0)

    assert first[0] == 200 and first[1]["status"] == "confirmed", first
    assert again == first
    after = balance(system, "alice"), seats_left(system, "TR100"), rooms_left(system, "grand-plaza")
    assert after == (before[0] - 120.0, before[1] - 1, before[2] - 1)
    assert booking_row(system, first[1]["id"])["status"] == "confirmed"


def test_the_same_key_for_another_trip_is_refused(travel_hardened: RunningSystem) -> None:
    key = str(uuid.uuid4())
    assert book(travel_hardened, key, "alice", "TR100", "grand-plaza", 10.0)[0] == 200

    status, body = book(travel_hardened, key, "alice", "TR100", "grand-plaza", 11.0)

    assert status == 422, body


def test_a_sold_out_hotel_undoes_the_charge_and_the_seat(travel_hardened: RunningSystem) -> None:
    system = travel_hardened
    # mountain-lodge has one room: take it, then ask again.
    assert book(system, str(uuid.uuid4()), "bob", "TR200", "mountain-lodge", 5.0)[0] == 200
    before = (
        balance(system, "bob"),
        seats_left(system, "TR200"),
        rooms_left(system, "mountain-lodge"),
    )

    status, body = book(system, str(uuid.uuid4()), "bob", "TR200", "mountain-lodge", 25.0)

    assert status == 409, body
    assert "hotel" in body["detail"] and "undone" in body["detail"]
    after = (
        balance(system, "bob"),
        seats_left(system, "TR200"),
        rooms_left(system, "mountain-lodge"),
    )
    assert after == before
    booking_id = body["detail"].split()[1]
    row = booking_row(system, booking_id)
    assert row["status"] == "cancelled"
    # Payments announces the refund through its outbox; booking records it.
    give_up = time.monotonic() + NOTICE_WAIT_S
    while booking_row(system, booking_id)["refund_id"] is None:
        assert time.monotonic() < give_up, "the refund notice never reached booking"
        time.sleep(POLL_S)


def test_a_charge_the_customer_cannot_pay_takes_nothing(travel_hardened: RunningSystem) -> None:
    system = travel_hardened
    before = (
        balance(system, "carol"),
        seats_left(system, "TR100"),
        rooms_left(system, "harbour-inn"),
    )

    status, body = book(system, str(uuid.uuid4()), "carol", "TR100", "harbour-inn", 100_000.0)

    assert status == 402, body
    after = balance(system, "carol"), seats_left(system, "TR100"), rooms_left(system, "harbour-inn")
    assert after == before


def test_a_cancellation_that_overtakes_its_reservation_wins(
    travel_hardened: RunningSystem,
) -> None:
    system, reservation = travel_hardened, str(uuid.uuid4())
    left = seats_left(system, "TR100")

    assert system.request("flights", "DELETE", f"/reservations/{reservation}")[0] == 200
    body = {"id": reservation, "flight": "TR100", "booking_id": str(uuid.uuid4())}
    status, answer = system.post(
        "flights", "/reservations", body, {"Idempotency-Key": str(uuid.uuid4())}
    )

    assert status == 409, answer
    assert seats_left(system, "TR100") == left


def test_a_refund_that_overtakes_its_charge_voids_it(travel_hardened: RunningSystem) -> None:
    system, charge = travel_hardened, str(uuid.uuid4())
    before = balance(system, "alice")

    refund = system.post(
        "payments", "/refunds", {"charge_id": charge}, {"Idempotency-Key": str(uuid.uuid4())}
    )
    body = {"id": charge, "customer": "alice", "amount": 50.0, "booking_id": str(uuid.uuid4())}
    status, answer = system.post(
        "payments", "/charges", body, {"Idempotency-Key": str(uuid.uuid4())}
    )

    assert refund[0] == 200 and refund[1]["amount"] == 0.0, refund
    assert status == 409, answer
    assert balance(system, "alice") == before


def test_unsafe_requests_without_a_key_are_refused(travel_hardened: RunningSystem) -> None:
    trip = {"customer": "alice", "flight": "TR100", "hotel": "grand-plaza", "amount": 5.0}
    for service, path, body in (
        ("booking", "/bookings", trip),
        ("payments", "/refunds", {"charge_id": str(uuid.uuid4())}),
        ("hotels", "/reservations", {"id": "r", "hotel": "grand-plaza", "booking_id": "b"}),
    ):
        status, answer = travel_hardened.post(service, path, body)
        assert status == 400, (service, answer)
