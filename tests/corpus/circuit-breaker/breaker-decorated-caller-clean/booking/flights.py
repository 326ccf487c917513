"""The breaker sits on the public function; the private helpers run only inside it."""

import os

import httpx
from circuitbreaker import circuit

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
_client = httpx.Client(base_url=FLIGHTS_URL, timeout=4.0)


def _seats(flight_id: str) -> int:
    resp = _client.get(f"/flights/{flight_id}/availability")
    resp.raise_for_status()
    return int(resp.json()["seats_left"])


def _hold(flight_id: str, user_id: str) -> str:
    resp = _client.post("/holds", json={"flight_id": flight_id, "user_id": user_id})
    resp.raise_for_status()
    return resp.json()["hold_id"]


@circuit(failure_threshold=5, recovery_timeout=30)
def hold_if_available(flight_id: str, user_id: str) -> str | None:
    if _seats(flight_id) <= 0:
        return None
    return _hold(flight_id, user_id)
