import logging
import os
import random
import time

import httpx

log = logging.getLogger(__name__)

IDENTITY_URL = os.environ["IDENTITY_URL"]

transport = httpx.HTTPTransport(retries=3)
identity = httpx.Client(base_url=IDENTITY_URL, transport=transport, timeout=5.0)
plain = httpx.Client(base_url=IDENTITY_URL, timeout=5.0)


def verify_token(token: str) -> dict:
    for attempt in range(4):  # expect: SP205
        try:
            resp = identity.get("/tokens/verify", headers={"Authorization": f"Bearer {token}"})
            resp.raise_for_status()
            return resp.json()
        except httpx.HTTPError as exc:
            log.warning("identity error %s", exc)
            time.sleep(random.uniform(0, 0.2 * 2**attempt))
    raise PermissionError("identity service unavailable")


def user_roles(user_id: str) -> list[str]:
    for attempt in range(4):
        try:
            resp = plain.get(f"/users/{user_id}/roles")
            resp.raise_for_status()
            return resp.json()["roles"]
        except httpx.HTTPError:
            time.sleep(random.uniform(0, 0.2 * 2**attempt))
    raise PermissionError("identity service unavailable")
