"""The ``book-trip`` saga: record the booking, charge, reserve a seat, reserve a room,
confirm. Each step that changes another service has a compensation, and every call carries
the step's deterministic idempotency key, so a step run again after a crash or a lost answer
changes nothing. The resources are named here, from the booking id, so a compensation can
undo its action even when the action's answer never arrived."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from common.sqlite import write
from stormproof.kit import Client, Saga, Step, StepContext


class StepRefused(Exception):
    """A service answered that the step cannot be done (sold out, no money): the saga is
    compensated and the trip refused with ``status``."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status


def resource_id(context: StepContext, step: str) -> str:
    """The id of the charge or reservation that ``step`` makes for this booking."""
    return str(uuid.uuid5(uuid.UUID(context.saga_id), step))


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a 2xx answer. A 4xx is a refusal; anything else (a 5xx after the client's
    retries) raises, and the saga compensates what it began."""
    if response.is_success:
        return dict(response.json())
    if response.is_client_error:
        raise StepRefused(response.status_code, response.json().get("detail", response.text))
    response.raise_for_status()
    raise AssertionError("unreachable: raise_for_status raises for every other status")


def keyed(context: StepContext) -> dict[str, str]:
    return {"Idempotency-Key": context.idempotency_key}


class BookTrip:
    """The saga's steps, bound to the booking database and the clients of the callees."""

    def __init__(self, db: str, payments: Client, flights: Client, hotels: Client) -> None:
        self.db = db
        self.payments = payments
        self.flights = flights
        self.hotels = hotels

    def saga(self) -> Saga:
        return Saga(
            Step("record", self.record, compensation=self.cancel),
            Step("charge", self.charge, compensation=self.refund),
            Step("flight", self.reserve_seat, compensation=self.release_seat),
            Step("hotel", self.reserve_room, compensation=self.release_room),
            Step("confirm", self.confirm, compensation=None),
        )

    def record(self, context: StepContext) -> None:
        trip = context.input
        with write(self.db) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO bookings (id, customer, flight, hotel, amount, status)"
                " VALUES (?, ?, ?, ?, ?, 'pending')",
                (context.saga_id, trip["customer"], trip["flight"], trip["hotel"], trip["amount"]),
            )

    def cancel(self, context: StepContext) -> None:
        with write(self.db) as conn:
            conn.execute(
                "UPDATE bookings SET status = 'cancelled' WHERE id = ?", (context.saga_id,)
            )

    def charge(self, context: StepContext) -> dict[str, Any]:
        trip = context.input
        body = {
            "id": resource_id(context, "charge"),
            "customer": trip["customer"],
            "amount": trip["amount"],
            "booking_id": context.saga_id,
        }
        return answer(self.payments.post("/charges", json=body, headers=keyed(context)))

    def refund(self, context: StepContext) -> None:
        body = {"charge_id": resource_id(context, "charge")}
        answer(self.payments.post("/refunds", json=body, headers=keyed(context)))

    def reserve_seat(self, context: StepContext) -> dict[str, Any]:
        body = {
            "id": resource_id(context, "flight"),
            "flight": context.input["flight"],
            "booking_id": context.saga_id,
        }
        return answer(self.flights.post("/reservations", json=body, headers=keyed(context)))

    def release_seat(self, context: StepContext) -> None:
        answer(self.flights.delete(f"/reservations/{resource_id(context, 'flight')}"))

    def reserve_room(self, context: StepContext) -> dict[str, Any]:
        body = {
            "id": resource_id(context, "hotel"),
            "hotel": context.input["hotel"],
            "booking_id": context.saga_id,
        }
        return answer(self.hotels.post("/reservations", json=body, headers=keyed(context)))

    def release_room(self, context: StepContext) -> None:
        answer(self.hotels.delete(f"/reservations/{resource_id(context, 'hotel')}"))

    def confirm(self, context: StepContext) -> None:
        results = context.results
        with write(self.db) as conn:
            conn.execute(
                "UPDATE bookings SET status = 'confirmed', charge_id = ?,"
                " flight_reservation_id = ?, hotel_reservation_id = ? WHERE id = ?",
                (
                    results["charge"]["id"],
                    results["flight"]["id"],
                    results["hotel"]["id"],
                    context.saga_id,
                ),
            )
