import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PARTNER_URL = os.environ["PARTNER_URL"]


def build_session() -> requests.Session:
    retries = Retry(  # expect: SP203
        total=3,
        backoff_factor=0.5,
        status_forcelist=[502, 503, 504],
    )
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retries))
    session.mount("http://", HTTPAdapter(max_retries=retries))
    return session


session = build_session()


def offers(region: str) -> list[dict]:
    resp = session.get(f"{PARTNER_URL}/offers", params={"region": region}, timeout=5)
    resp.raise_for_status()
    return resp.json()
