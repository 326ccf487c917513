import logging
import os
import random
import time

import requests

log = logging.getLogger(__name__)

POINTS_URL = os.environ["POINTS_URL"]
session = requests.Session()


def balance(member_id: str, max_attempts: int = 4) -> int | None:
    attempts = 0
    while attempts < max_attempts:
        try:
            resp = session.get(f"{POINTS_URL}/members/{member_id}/balance", timeout=4)
            resp.raise_for_status()
            return resp.json()["points"]
        except requests.RequestException as exc:
            attempts += 1
            log.warning("points lookup failed (%s), attempt %d", exc, attempts)
            time.sleep(random.uniform(0.1, 0.5) * 2**attempts)
    return None
