import httpx

from orders.settings import settings


def charge(order_id: str, amount: int) -> dict:
    resp = httpx.post(
        f"{settings.payments_url}/charges",
        json={"order_id": order_id, "amount": amount},
        headers={"Idempotency-Key": order_id},
        timeout=settings.payments_timeout_s,
    )
    resp.raise_for_status()
    return resp.json()


def receipt_link(order_id: str) -> str:
    return f"{settings.public_base_url}/orders/{order_id}/receipt"
