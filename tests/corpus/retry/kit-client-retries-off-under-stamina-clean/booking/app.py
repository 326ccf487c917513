"""The caller retries with stamina, so the kit client's own retries are switched off."""

import httpx
import stamina
from stormproof.kit import Client

flights = Client.for_service("flights", attempts=1)


@stamina.retry(on=httpx.HTTPError, attempts=3)
def seats(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}/seats").json()
