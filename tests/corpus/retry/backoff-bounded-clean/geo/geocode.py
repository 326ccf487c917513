import os

import backoff
import requests

GEO_URL = os.environ["GEO_URL"]


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=5)
def geocode(address: str) -> tuple[float, float]:
    resp = requests.get(f"{GEO_URL}/geocode", params={"q": address}, timeout=5)
    resp.raise_for_status()
    data = resp.json()
    return data["lat"], data["lon"]


@backoff.on_exception(backoff.fibo, requests.RequestException, max_time=30)
def reverse(lat: float, lon: float) -> str:
    resp = requests.get(f"{GEO_URL}/reverse", params={"lat": lat, "lon": lon}, timeout=5)
    resp.raise_for_status()
    return resp.json()["address"]


@backoff.on_predicate(backoff.expo, lambda r: not r, max_tries=4, jitter=backoff.full_jitter)
def timezone(lat: float, lon: float) -> str:
    resp = requests.get(f"{GEO_URL}/timezone", params={"lat": lat, "lon": lon}, timeout=5)
    return resp.json().get("tz", "")
