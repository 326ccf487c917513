"""Legacy poller kept as is; the team switched the retry policy off for it."""

import os
import time

import requests
from tenacity import retry, stop_after_attempt

STATUS_URL = os.environ["STATUS_URL"]


def wait_until_up() -> dict:
    while True:
        try:
            resp = requests.get(f"{STATUS_URL}/status", timeout=5)
            resp.raise_for_status()
            return resp.json()
        except requests.RequestException:
            time.sleep(5)


@retry(stop=stop_after_attempt(3))
def version() -> str:
    return requests.get(f"{STATUS_URL}/version", timeout=5).json()["version"]
