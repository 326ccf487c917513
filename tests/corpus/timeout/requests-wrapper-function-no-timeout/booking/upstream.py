import logging
import os
from typing import Any

import requests

logger = logging.getLogger(__name__)

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


def _post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    logger.debug("POST %s", url)
    resp = requests.post(url, json=payload)  # expect: SP101
    resp.raise_for_status()
    return resp.json()


def _get_json(url: str, timeout: float = 5.0) -> dict[str, Any]:
    resp = requests.get(url, timeout=timeout)
    resp.raise_for_status()
    return resp.json()


def reserve_flight(trip_id: str, flight_no: str) -> str:
    data = _post_json(f"{FLIGHTS_URL}/reservations", {"trip_id": trip_id, "flight": flight_no})
    return data["reservation_id"]


def reserve_hotel(trip_id: str, hotel_id: str, nights: int) -> str:
    data = _post_json(
        f"{HOTELS_URL}/reservations", {"trip_id": trip_id, "hotel": hotel_id, "nights": nights}
    )
    return data["reservation_id"]


def flight_status(flight_no: str) -> str:
    return _get_json(f"{FLIGHTS_URL}/flights/{flight_no}")["status"]
