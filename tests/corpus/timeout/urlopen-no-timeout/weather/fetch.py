import json
import os
import urllib.request
from urllib.parse import urlencode
from urllib.request import Request, urlopen

WEATHER_URL = os.environ.get("WEATHER_URL", "http://weather:8000")


def current(city: str) -> dict:
    query = urlencode({"city": city})
    with urllib.request.urlopen(f"{WEATHER_URL}/current?{query}") as resp:  # expect: SP101
        return json.load(resp)


def forecast(city: str, days: int = 3) -> dict:
    req = Request(f"{WEATHER_URL}/forecast?{urlencode({'city': city, 'days': days})}")
    req.add_header("Accept", "application/json")
    with urlopen(req, timeout=10) as resp:
        return json.load(resp)


def push_observation(station: str, reading: dict) -> int:
    body = json.dumps(reading).encode()
    req = Request(f"{WEATHER_URL}/stations/{station}/observations", data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    resp = urlopen(req)  # expect: SP101
    return resp.status


def alerts(region: str) -> list:
    with urlopen(f"{WEATHER_URL}/alerts/{region}", None, 5) as resp:
        return json.load(resp)["alerts"]
