import logging
import os
import random
import time

import requests

log = logging.getLogger(__name__)

CARRIER_URL = os.environ["CARRIER_URL"]
MAX_ATTEMPTS = 5
BASE_DELAY_S = 0.5


class CarrierUnavailable(RuntimeError):
    pass


def quote(parcel: dict) -> dict:
    attempt = 0
    while True:
        try:
            resp = requests.get(f"{CARRIER_URL}/rates", params=parcel, timeout=5)
            resp.raise_for_status()
            return resp.json()
        except requests.RequestException as exc:
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                raise CarrierUnavailable(f"carrier failed {attempt} times") from exc
            delay = random.uniform(0, BASE_DELAY_S * 2**attempt)
            log.info("carrier error %s; retry %d in %.2fs", exc, attempt, delay)
            time.sleep(delay)
