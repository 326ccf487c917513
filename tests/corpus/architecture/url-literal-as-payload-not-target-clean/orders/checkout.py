import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def start_payment(order_id: str, amount: int) -> str:
    resp = httpx.post(
        os.getenv("PAYMENTS_URL", "http://payments:8000") + "/sessions",
        json={
            "order_id": order_id,
            "amount": amount,
            "success_redirect": "http://localhost:3000/checkout/done",
        },
        headers={"Idempotency-Key": order_id},
        timeout=5,
    )
    resp.raise_for_status()
    return resp.json()["session_url"]
