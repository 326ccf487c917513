import os

import httpx

BASE = os.getenv("PAYMENT_GATEWAY_BASE", "")


async def charge(order_id: str, amount: int) -> dict:
    async with httpx.AsyncClient(base_url=BASE, timeout=httpx.Timeout(5.0)) as client:
        resp = await client.post(
            "/charges",
            json={"order_id": order_id, "amount": amount},
            headers={"Idempotency-Key": f"order-{order_id}"},
        )
    resp.raise_for_status()
    return resp.json()
