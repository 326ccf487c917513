import os

import backoff
import requests
from requests.adapters import HTTPAdapter

ROUTING_URL = os.environ["ROUTING_URL"]

session = requests.Session()
# Pooling only; retries are done once, by the decorator below.
session.mount("http://", HTTPAdapter(pool_maxsize=32, max_retries=0))


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=3)
def route(origin: str, destination: str) -> dict:
    resp = session.get(f"{ROUTING_URL}/route", params={"from": origin, "to": destination}, timeout=5)
    resp.raise_for_status()
    return resp.json()
