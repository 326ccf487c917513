import logging
import os
import random
import time

import requests

log = logging.getLogger(__name__)

CARRIER_URL = os.environ["CARRIER_URL"]


def book_pickup(shipment_id: str, key: str) -> str:
    for attempt in range(4):
        try:
            resp = requests.post(
                f"{CARRIER_URL}/pickups",
                json={"shipment_id": shipment_id},
                headers={"Idempotency-Key": key},
                timeout=5,
            )
            resp.raise_for_status()
            return resp.json()["pickup_id"]
        except requests.RequestException as exc:
            log.warning("pickup attempt %d failed: %s", attempt + 1, exc)
            time.sleep(random.uniform(0, 0.5 * 2**attempt))
    raise RuntimeError("carrier unavailable")


def pickup_status(pickup_id: str) -> str:
    attempt = 0
    while True:
        try:
            return requests.get(f"{CARRIER_URL}/pickups/{pickup_id}", timeout=5).json()["status"]
        except Exception:
            attempt += 1
            if attempt >= 3:
                raise
            continue
