import os

from stormproof.kit import Client

flights = Client(os.environ["FLIGHTS_URL"], service="flights")


def reserve(trip_id: str, flight_no: str, seat: str) -> str:
    # The kit client retries with backoff and sends an idempotency key itself.
    resp = flights.post("/reservations", json={"trip_id": trip_id, "flight": flight_no, "seat": seat})
    return resp.json()["reservation_id"]


def cancel(reservation_id: str) -> None:
    flights.delete(f"/reservations/{reservation_id}")
