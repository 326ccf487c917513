import logging
import os
import time

import requests

log = logging.getLogger(__name__)

RECS_URL = os.environ["RECS_URL"]
RETRIES = 3


def recommendations(user_id: str) -> list[str]:
    for attempt in range(RETRIES):  # expect: SP202
        try:
            resp = requests.get(f"{RECS_URL}/users/{user_id}/recs", timeout=2)
            resp.raise_for_status()
            return resp.json()["items"]
        except requests.RequestException as exc:
            log.warning("recs attempt %d failed: %s", attempt + 1, exc)
            time.sleep(1)
    return []
