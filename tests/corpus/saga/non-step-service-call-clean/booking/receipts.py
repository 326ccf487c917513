"""After a charge, a receipt goes to notifications -- which is not a step of any saga."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
NOTIFICATIONS_URL = os.environ["NOTIFICATIONS_URL"]


def charge_and_notify(client: httpx.Client, user_id: str, amount: int) -> str:
    charge = client.post(f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount})
    charge.raise_for_status()
    client.post(f"{NOTIFICATIONS_URL}/emails", json={"user": user_id, "template": "receipt"})
    return charge.json()["id"]
