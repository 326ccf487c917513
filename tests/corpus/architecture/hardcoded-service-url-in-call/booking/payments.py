import uuid

import httpx


async def charge(booking_id: str, amount_cents: int) -> str:
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.post(
            "http://payments:8000/charges",  # expect: SP804
            json={"booking_id": booking_id, "amount": amount_cents},
            headers={"Idempotency-Key": str(uuid.uuid5(uuid.NAMESPACE_URL, booking_id))},
        )
    resp.raise_for_status()
    return resp.json()["charge_id"]


async def refund(charge_id: str) -> None:
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.post(f"http://payments:8000/charges/{charge_id}/refund")  # expect: SP804
    resp.raise_for_status()
