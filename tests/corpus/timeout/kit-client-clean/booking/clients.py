import os

from stormproof.kit import Client

payments = Client("payments", base_url=os.environ["PAYMENTS_URL"])
flights = Client("flights", base_url=os.environ["FLIGHTS_URL"])


def charge(booking_id: str, amount_cents: int) -> str:
    resp = payments.post("/charges", json={"booking_id": booking_id, "amount_cents": amount_cents})
    return resp.json()["charge_id"]


def seats(flight_no: str) -> list[str]:
    return flights.get(f"/flights/{flight_no}/seats").json()["free"]
