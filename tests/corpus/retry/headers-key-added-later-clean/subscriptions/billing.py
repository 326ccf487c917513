import os
import uuid

import httpx
from tenacity import AsyncRetrying, stop_after_attempt, wait_random_exponential

BILLING_URL = os.environ["BILLING_URL"]
BASE_HEADERS = {"User-Agent": "subscriptions/2.0"}


async def renew(client: httpx.AsyncClient, subscription_id: str, plan: str) -> str:
    headers = {"Content-Type": "application/json"}
    headers["Idempotency-Key"] = f"renew-{subscription_id}-{uuid.uuid4()}"
    async for attempt in AsyncRetrying(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5)):
        with attempt:
            resp = await client.post(
                f"{BILLING_URL}/subscriptions/{subscription_id}/renewals",
                json={"plan": plan},
                headers=headers,
            )
            resp.raise_for_status()
    return resp.json()["invoice_id"]


async def change_plan(client: httpx.AsyncClient, subscription_id: str, plan: str, key: str) -> None:
    async for attempt in AsyncRetrying(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5)):
        with attempt:
            resp = await client.put(
                f"{BILLING_URL}/subscriptions/{subscription_id}/plan",
                json={"plan": plan},
                headers={**BASE_HEADERS, "Idempotency-Key": key},
            )
            resp.raise_for_status()
