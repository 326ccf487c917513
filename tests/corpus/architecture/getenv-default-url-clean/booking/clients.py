"""Service URLs come from the environment; the literals are local-development defaults."""

import os

import httpx

FLIGHTS_URL = os.getenv("FLIGHTS_URL", "http://flights:8000")
HOTELS_URL = os.environ.get("HOTELS_URL", "http://localhost:8002")


def search_flights(origin: str, dest: str) -> list[dict]:
    resp = httpx.get(f"{FLIGHTS_URL}/flights", params={"from": origin, "to": dest}, timeout=5)
    resp.raise_for_status()
    return resp.json()


def search_hotels(city: str) -> list[dict]:
    base = os.getenv("HOTELS_URL", default="http://hotels:8000")
    resp = httpx.get(f"{base}/hotels", params={"city": city}, timeout=5)
    resp.raise_for_status()
    return resp.json() + httpx.get(f"{HOTELS_URL}/featured", timeout=5).json()
