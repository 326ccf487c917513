"""An inner handler logs and re-raises; the outer handler compensates."""

import logging
import os

import httpx

log = logging.getLogger(__name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def book_flight(client: httpx.Client, user_id: str, flight_id: str, amount: int) -> dict:
    charge = client.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount": amount})
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        try:
            seat = client.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id})
            seat.raise_for_status()
        except httpx.HTTPStatusError as exc:
            log.warning("flights said %s", exc.response.status_code)
            raise
    except httpx.HTTPError:
        client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
    return {"charge": charge_id, "seat": seat.json()["id"]}
