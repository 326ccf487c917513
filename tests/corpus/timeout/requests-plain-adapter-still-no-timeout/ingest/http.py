"""Shared HTTP session for the ingest service."""

import os

import requests
from requests.adapters import HTTPAdapter

SOURCE_URL = os.environ["SOURCE_URL"]


SESSION = requests.Session()
# Connection pooling only: a plain HTTPAdapter sets no timeout.
_adapter = HTTPAdapter(pool_connections=20, pool_maxsize=20)
SESSION.mount("http://", _adapter)
SESSION.mount("https://", _adapter)


def fetch_page(cursor: str | None) -> dict:
    params = {"cursor": cursor} if cursor else {}
    resp = SESSION.get(f"{SOURCE_URL}/events", params=params)  # expect: SP101
    resp.raise_for_status()
    return resp.json()


def fetch_all() -> list[dict]:
    events: list[dict] = []
    cursor = None
    while True:
        page = fetch_page(cursor)
        events.extend(page["events"])
        cursor = page.get("next")
        if not cursor:
            return events
