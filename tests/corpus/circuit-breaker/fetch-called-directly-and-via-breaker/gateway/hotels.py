"""Hotel search for the gateway."""

import os

import pybreaker
import requests

HOTELS_URL = os.environ["HOTELS_URL"]
hotels_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=60)


def _fetch_rooms(city: str, nights: int) -> list[dict]:
    resp = requests.get(  # expect: SP301
        f"{HOTELS_URL}/rooms", params={"city": city, "nights": nights}, timeout=3
    )
    resp.raise_for_status()
    return resp.json()["rooms"]


def search(city: str, nights: int) -> list[dict]:
    try:
        return hotels_breaker.call(_fetch_rooms, city, nights)
    except pybreaker.CircuitBreakerError:
        return []


def warm_cache(cities: list[str]) -> int:
    # Warm-up at start-up goes straight to the service, bypassing the breaker.
    return sum(len(_fetch_rooms(city, 1)) for city in cities)
