import asyncio
import logging
import os

import httpx

log = logging.getLogger(__name__)

PUSH_URL = os.environ["PUSH_URL"]
USERS_URL = os.environ["USERS_URL"]
TIMEOUT = httpx.Timeout(10.0, connect=2.0)


async def device_tokens(client: httpx.AsyncClient, user_id: str) -> list[str]:
    resp = await client.get(f"{USERS_URL}/users/{user_id}/devices")
    resp.raise_for_status()
    return [d["token"] for d in resp.json()]


async def notify(user_id: str, title: str, body: str) -> int:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        tokens = await device_tokens(client, user_id)
        responses = await asyncio.gather(
            *(
                client.post(f"{PUSH_URL}/send", json={"token": t, "title": title, "body": body})
                for t in tokens
            )
        )
    sent = sum(1 for r in responses if r.is_success)
    log.info("sent %d/%d pushes to %s", sent, len(tokens), user_id)
    return sent


async def broadcast(message: str) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(None, read=30.0)) as client:
        await client.post(f"{PUSH_URL}/broadcast", json={"message": message})
