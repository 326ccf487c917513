"""Small helpers shared by our services; callers choose the request options."""

import logging
import os
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_OPTIONS: dict[str, Any] = {"timeout": 5, "headers": {"Accept": "application/json"}}
AUDIT_URL = os.environ.get("AUDIT_URL", "http://audit:8000")


def get_json(url: str, **kwargs: Any) -> Any:
    resp = requests.get(url, **kwargs)
    resp.raise_for_status()
    return resp.json()


def post_json(url: str, payload: dict[str, Any], **options: Any) -> Any:
    merged = {**DEFAULT_OPTIONS, **options}
    resp = requests.post(url, json=payload, **merged)
    resp.raise_for_status()
    return resp.json()


def audit(event: str, **fields: Any) -> None:
    post_json(f"{AUDIT_URL}/events", {"event": event, **fields})
    logger.info("audited %s", event)
