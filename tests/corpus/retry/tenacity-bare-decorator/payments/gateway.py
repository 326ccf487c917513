import os
from decimal import Decimal

import httpx
from tenacity import retry

PSP_URL = os.environ.get("PSP_URL", "http://psp-adapter:8000")
client = httpx.Client(base_url=PSP_URL, timeout=10.0)


@retry  # expect: SP201, SP202
def authorize(card_token: str, amount: Decimal, currency: str) -> str:
    resp = client.post(  # expect: SP204
        "/authorizations",
        json={"card": card_token, "amount": str(amount), "currency": currency},
    )
    resp.raise_for_status()
    return resp.json()["authorization_id"]


@retry()  # expect: SP201, SP202
def authorization_status(authorization_id: str) -> str:
    resp = client.get(f"/authorizations/{authorization_id}")
    resp.raise_for_status()
    return resp.json()["status"]
