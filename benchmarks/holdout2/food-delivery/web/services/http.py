"""Small requests helpers shared by the storefront's clients."""

import logging
import time
import uuid

import requests

logger = logging.getLogger(__name__)


def get_json(url: str, params: dict | None = None, timeout: float = 4.0) -> dict:
    resp = requests.get(url, params=params, timeout=timeout)
    resp.raise_for_status()
    return resp.json()


def post_json(url: str, payload: dict, idempotency_key: str | None = None) -> dict:
    key = idempotency_key or str(uuid.uuid4())
    for attempt in range(3):
        try:
            resp = requests.post(url, json=payload, headers={"Idempotency-Key": key}, timeout=5)
            resp.raise_for_status()
            return resp.json()
        except requests.RequestException as exc:
            logger.warning("POST %s failed (attempt %d): %s", url, attempt + 1, exc)
            time.sleep(0.5)
    raise RuntimeError(f"POST {url} failed after 3 attempts")
