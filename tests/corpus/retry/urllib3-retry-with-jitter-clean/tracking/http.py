import os

import requests
from requests.adapters import HTTPAdapter
from urllib3 import Retry

TRACKING_URL = os.environ["TRACKING_URL"]

RETRY = Retry(
    total=4,
    connect=2,
    backoff_factor=0.3,
    backoff_jitter=0.5,
    status_forcelist=(429, 502, 503),
    respect_retry_after_header=True,
)

session = requests.Session()
session.mount("http://", HTTPAdapter(max_retries=RETRY, pool_maxsize=10))
session.mount("https://", HTTPAdapter(max_retries=RETRY, pool_maxsize=10))


def position(parcel_id: str) -> dict:
    resp = session.get(f"{TRACKING_URL}/parcels/{parcel_id}/position", timeout=5)
    resp.raise_for_status()
    return resp.json()


def history(parcel_id: str) -> list[dict]:
    return session.get(f"{TRACKING_URL}/parcels/{parcel_id}/history", timeout=5).json()
