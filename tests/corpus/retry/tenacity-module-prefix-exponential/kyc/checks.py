import os

import requests
import tenacity

SANCTIONS_URL = os.environ["SANCTIONS_URL"]

RETRY_WAIT = tenacity.wait_exponential(multiplier=1, max=20)


@tenacity.retry(  # expect: SP203
    stop=tenacity.stop_after_attempt(4),
    wait=RETRY_WAIT,
    retry=tenacity.retry_if_exception_type(requests.RequestException),
    reraise=True,
)
def screen(name: str, country: str) -> bool:
    resp = requests.get(f"{SANCTIONS_URL}/screen", params={"name": name, "country": country}, timeout=8)
    resp.raise_for_status()
    return resp.json()["hit"]


@tenacity.retry(
    stop=tenacity.stop_after_attempt(4),
    wait=tenacity.wait_exponential(multiplier=1, max=20) + tenacity.wait_random(0, 2),
    reraise=True,
)
def pep_status(name: str) -> str:
    resp = requests.get(f"{SANCTIONS_URL}/pep", params={"name": name}, timeout=8)
    resp.raise_for_status()
    return resp.json()["status"]
