"""The failure path hands the saga to a compensator object defined elsewhere."""

import os

import httpx

from booking.saga_log import SagaLog

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def book(client: httpx.Client, log: SagaLog, trip: dict) -> dict:
    charge = client.post(f"{PAYMENTS_URL}/charges", json=trip)
    charge.raise_for_status()
    log.completed("charge", charge.json()["id"])
    try:
        seat = client.post(f"{FLIGHTS_URL}/reservations", json=trip)
        seat.raise_for_status()
    except httpx.HTTPError:
        log.compensate_all()
        raise
    return {"charge": charge.json()["id"], "seat": seat.json()["id"]}
