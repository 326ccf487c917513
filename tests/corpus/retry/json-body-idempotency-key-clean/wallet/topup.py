import os
import uuid

import backoff
import httpx

LEDGER_URL = os.environ["LEDGER_URL"]
ledger = httpx.Client(base_url=LEDGER_URL, timeout=5.0)


@backoff.on_exception(backoff.expo, httpx.TransportError, max_tries=5)
def credit(wallet_id: str, amount_cents: int, request_id: str) -> str:
    resp = ledger.post(
        f"/wallets/{wallet_id}/credits",
        json={"amount_cents": amount_cents, "request_id": request_id},
    )
    resp.raise_for_status()
    return resp.json()["entry_id"]


@backoff.on_exception(backoff.expo, httpx.TransportError, max_tries=5)
def debit(wallet_id: str, amount_cents: int, key: str) -> str:
    body = {"amount_cents": amount_cents, "idempotency_key": key}
    resp = ledger.post(f"/wallets/{wallet_id}/debits", json=body)
    resp.raise_for_status()
    return resp.json()["entry_id"]


def top_up(wallet_id: str, amount_cents: int) -> str:
    return credit(wallet_id, amount_cents, request_id=str(uuid.uuid4()))
