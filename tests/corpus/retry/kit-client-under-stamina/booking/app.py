"""The kit client already retries; a stamina retry around it multiplies the attempts."""

import httpx
import stamina
from stormproof.kit import Client

flights = Client.for_service("flights")


@stamina.retry(on=httpx.HTTPError, attempts=3)  # expect: SP205
def seats(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}/seats").json()
