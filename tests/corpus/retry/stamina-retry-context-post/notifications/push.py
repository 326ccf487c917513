import os

import httpx
import stamina

PUSH_URL = os.environ["PUSH_URL"]
push = httpx.Client(base_url=PUSH_URL, timeout=5.0)


def send_push(device_token: str, title: str, body: str) -> str:
    for attempt in stamina.retry_context(on=httpx.TransportError, attempts=4):
        with attempt:
            resp = push.post(  # expect: SP204
                "/notifications",
                json={"token": device_token, "title": title, "body": body},
            )
            resp.raise_for_status()
    return resp.json()["notification_id"]


def device_info(device_token: str) -> dict:
    for attempt in stamina.retry_context(on=httpx.TransportError, attempts=4):
        with attempt:
            resp = push.get(f"/devices/{device_token}")
            resp.raise_for_status()
    return resp.json()
