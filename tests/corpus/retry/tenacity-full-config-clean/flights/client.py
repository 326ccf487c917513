import os

import httpx
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
flights = httpx.Client(base_url=FLIGHTS_URL, timeout=5.0)


@retry(
    stop=stop_after_attempt(5) | stop_after_delay(20),
    wait=wait_random_exponential(multiplier=0.5, max=8),
    retry=retry_if_exception_type((httpx.ConnectError, httpx.ReadTimeout)),
    reraise=True,
)
def availability(flight_no: str, date: str) -> dict:
    resp = flights.get(f"/flights/{flight_no}/availability", params={"date": date})
    resp.raise_for_status()
    return resp.json()


@retry(stop=stop_after_delay(10), wait=wait_random_exponential(max=2), reraise=True)
def fare_rules(fare_code: str) -> list[str]:
    return flights.get(f"/fares/{fare_code}/rules").json()
