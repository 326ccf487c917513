"""Steps run in order; on failure a generic executor replays the recorded undo requests."""

import logging
import os
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


@dataclass
class UndoLog:
    entries: list[tuple[str, str, dict | None]] = field(default_factory=list)

    def record(self, method: str, url: str, body: dict | None = None) -> None:
        self.entries.append((method, url, body))


async def compensate(client: httpx.AsyncClient, undo: UndoLog) -> None:
    for method, url, body in reversed(undo.entries):
        try:
            await client.request(method, url, json=body)
        except httpx.HTTPError:
            log.exception("compensation %s %s failed; left for the reconciler", method, url)


async def book_trip(client: httpx.AsyncClient, trip: dict) -> dict:
    undo = UndoLog()
    try:
        charge = await client.post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]})
        charge.raise_for_status()
        undo.record("POST", f"{PAYMENTS_URL}/refunds", {"charge_id": charge.json()["id"]})
        flight = await client.post(f"{FLIGHTS_URL}/reservations", json={"flight": trip["flight"]})
        flight.raise_for_status()
        undo.record("DELETE", f"{FLIGHTS_URL}/reservations/{flight.json()['id']}")
        hotel = await client.post(f"{HOTELS_URL}/reservations", json={"hotel": trip["hotel"]})
        hotel.raise_for_status()
    except httpx.HTTPError:
        await compensate(client, undo)
        raise
    return {"charge": charge.json()["id"], "flight": flight.json()["id"], "hotel": hotel.json()["id"]}
