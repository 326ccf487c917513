"""HTTP helpers shared by booking's modules."""

from typing import Any

import requests

DEFAULT_TIMEOUT = 5


def get_json(url: str, **params: Any) -> Any:
    resp = requests.get(url, params=params or None, timeout=DEFAULT_TIMEOUT)  # expect: SP301
    resp.raise_for_status()
    return resp.json()


def post_json(url: str, payload: dict) -> Any:
    resp = requests.post(url, json=payload, timeout=DEFAULT_TIMEOUT)  # expect: SP301
    resp.raise_for_status()
    return resp.json()
