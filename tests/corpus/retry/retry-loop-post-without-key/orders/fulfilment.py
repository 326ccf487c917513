import logging
import os
import random
import time

import requests

log = logging.getLogger(__name__)

WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]
MAX_ATTEMPTS = 4


def create_pick_list(order_id: str, lines: list[dict]) -> str:
    for attempt in range(MAX_ATTEMPTS):
        try:
            resp = requests.post(  # expect: SP204
                f"{WAREHOUSE_URL}/pick-lists",
                json={"order_id": order_id, "lines": lines},
                timeout=5,
            )
            resp.raise_for_status()
            return resp.json()["pick_list_id"]
        except requests.RequestException as exc:
            if attempt == MAX_ATTEMPTS - 1:
                raise
            log.warning("warehouse error %s (attempt %d)", exc, attempt + 1)
            time.sleep(random.uniform(0, 0.5 * 2**attempt))
    raise AssertionError("unreachable")
