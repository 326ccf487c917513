import contextlib
import os
from contextlib import suppress

import httpx
import requests

CRM_URL = os.environ["CRM_URL"]
ANALYTICS_URL = os.environ["ANALYTICS_URL"]


def on_signup(user_id: str, email: str) -> None:
    with suppress(Exception):
        requests.post(f"{CRM_URL}/contacts", json={"id": user_id, "email": email}, timeout=5)  # expect: SP001
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{ANALYTICS_URL}/events", json={"event": "signup", "user": user_id})  # expect: SP001
    with suppress(KeyError):
        del PENDING[user_id]


PENDING: dict[str, str] = {}
