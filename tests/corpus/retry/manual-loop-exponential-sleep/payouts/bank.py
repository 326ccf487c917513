import logging
import os
import time

import requests

log = logging.getLogger(__name__)

BANK_URL = os.environ["BANK_URL"]
BASE_DELAY = 0.5
MAX_RETRIES = 5


def account_status(iban: str) -> str:
    for attempt in range(MAX_RETRIES):  # expect: SP203
        try:
            resp = requests.get(f"{BANK_URL}/accounts/{iban}/status", timeout=5)
            resp.raise_for_status()
            return resp.json()["status"]
        except (requests.ConnectionError, requests.Timeout) as exc:
            delay = BASE_DELAY * 2**attempt
            log.warning("bank unreachable (%s); retrying in %.1fs", exc, delay)
            time.sleep(delay)
    raise RuntimeError("bank unavailable")
