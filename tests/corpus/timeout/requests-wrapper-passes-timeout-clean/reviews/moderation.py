import os
from typing import Any

import requests

MODERATION_URL = os.environ["MODERATION_URL"]
PROFANITY_URL = os.environ["PROFANITY_URL"]


def call(method: str, url: str, payload: dict[str, Any] | None = None, timeout: float = 4.0) -> Any:
    resp = requests.request(method, url, json=payload, timeout=timeout)
    resp.raise_for_status()
    return resp.json() if resp.content else None


def is_clean(text: str) -> bool:
    return not call("POST", f"{PROFANITY_URL}/check", {"text": text})["matches"]


def flag(review_id: str, reason: str) -> None:
    call("POST", f"{MODERATION_URL}/flags", {"review_id": review_id, "reason": reason}, timeout=10)


def unflag(review_id: str) -> None:
    call("DELETE", f"{MODERATION_URL}/flags/{review_id}")
