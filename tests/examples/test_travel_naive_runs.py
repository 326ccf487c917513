"""The naive travel example really runs, and really has the bugs it is meant to show.

The services are started from their manifest `run` commands (see conftest.py).
Each test uses its own customer, flight and hotel from the seed data and
compares against the values read before it acted, so the tests share one
running system without depending on each other's order.
"""

from __future__ import annotations

from typing import Any

from tests.examples.conftest import RunningSystem, balance, rooms_left, seats_left


def book(
    system: RunningSystem, customer: str, flight: str, hotel: str, amount: float
) -> tuple[int, Any]:
    trip = {"customer": customer, "flight": flight, "hotel": hotel, "amount": amount}
    return system.post("gateway", "/trips", trip)


def test_every_service_answers_health(travel_naive: RunningSystem) -> None:
    for name in ("gateway", "booking", "payments", "flights", "hotels"):
        assert travel_naive.get(name, "/health") == (200, {"status": "ok"})


def test_a_booked_trip_is_confirmed_charged_and_reserved(travel_naive: RunningSystem) -> None:
    before = (
        balance(travel_naive, "alice"),
        seats_left(travel_naive, "TR100"),
        rooms_left(travel_naive, "grand-plaza"),
    )

    status, trip = book(travel_naive, "alice", "TR100", "grand-plaza", 750.0)

    assert status == 200, trip
    assert trip["status"] == "confirmed"
    # The gateway answers this one from the bookings database directly.
    status, stored = travel_naive.get("gateway", f"/trips/{trip['id']}")
    assert status == 200, stored
    assert stored["status"] == "confirmed"
    assert (stored["customer"], stored["flight"], stored["hotel"]) == (
        "alice",
        "TR100",
        "grand-plaza",
    )
    assert stored["charge_id"] == trip["charge_id"]
    after = (
        balance(travel_naive, "alice"),
        seats_left(travel_naive, "TR100"),
        rooms_left(travel_naive, "grand-plaza"),
    )
    assert after == (before[0] - 750.0, before[1] - 1, before[2] - 1)


def test_unknown_trip_is_not_found(travel_naive: RunningSystem) -> None:
    status, body = travel_naive.get("gateway", "/trips/no-such-trip")

    assert status == 404
    assert body == {"detail": "Trip not found"}


def test_hotel_failure_refunds_the_customer_but_leaks_the_flight_seat(
    travel_naive: RunningSystem,
) -> None:
    """The saga compensates the charge but never releases the seat it reserved."""
    start_balance = balance(travel_naive, "bob")
    start_seats = seats_left(travel_naive, "TR200")
    assert rooms_left(travel_naive, "mountain-lodge") == 1
    status, _ = book(travel_naive, "bob", "TR200", "mountain-lodge", 400.0)
    assert status == 200

    status, body = book(travel_naive, "bob", "TR200", "mountain-lodge", 400.0)

    assert status == 409
    assert body == {"detail": "No rooms available"}
    assert rooms_left(travel_naive, "mountain-lodge") == 0
    assert balance(travel_naive, "bob") == start_balance - 400.0
    # Two seats gone for one trip: the failed booking's seat is never given back.
    assert seats_left(travel_naive, "TR200") == start_seats - 2


def test_flight_failure_leaves_the_customer_charged(travel_naive: RunningSystem) -> None:
    """A full flight aborts the saga after the charge, and nothing refunds it."""
    start_balance = balance(travel_naive, "carol")
    start_rooms = rooms_left(travel_naive, "harbour-inn")
    assert seats_left(travel_naive, "TR300") == 1
    status, _ = book(travel_naive, "carol", "TR300", "harbour-inn", 100.0)
    assert status == 200

    status, body = book(travel_naive, "carol", "TR300", "harbour-inn", 100.0)

    assert status == 409
    assert body == {"detail": "No seats left on this flight"}
    assert seats_left(travel_naive, "TR300") == 0
    assert rooms_left(travel_naive, "harbour-inn") == start_rooms - 1
    # Charged for both trips though only one was booked.
    assert balance(travel_naive, "carol") == start_balance - 200.0


def test_a_declined_payment_reserves_nothing(travel_naive: RunningSystem) -> None:
    start_seats = seats_left(travel_naive, "TR100")
    start_rooms = rooms_left(travel_naive, "harbour-inn")

    status, body = book(travel_naive, "carol", "TR100", "harbour-inn", 1_000_000.0)

    assert status == 402
    assert body == {"detail": "Insufficient funds"}
    assert seats_left(travel_naive, "TR100") == start_seats
    assert rooms_left(travel_naive, "harbour-inn") == start_rooms
