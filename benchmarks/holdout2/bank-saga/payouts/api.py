"""Payouts: sends money to other banks through the partner bank's API."""

import os
from typing import Annotated

import psycopg
import requests
from fastapi import FastAPI, Header
from pydantic import BaseModel
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PARTNER_BANK_API = os.environ["PARTNER_BANK_API"]
PAYOUTS_DSN = os.environ["PAYOUTS_DSN"]

bank = requests.Session()
bank.mount(
    "https://",
    HTTPAdapter(
        max_retries=Retry(
            total=3,
            backoff_factor=0.5,
            backoff_jitter=0.25,
            status_forcelist=(502, 503, 504),
            allowed_methods=None,
        )
    ),
)
app = FastAPI(title="payouts")


class PayoutRequest(BaseModel):
    iban: str
    amount_cents: int


def send_to_partner(body: PayoutRequest, key: str) -> str:
    resp = bank.post(
        f"{PARTNER_BANK_API}/v2/credit-transfers",
        json={"creditor_iban": body.iban, "amount": body.amount_cents, "currency": "EUR"},
        headers={"Idempotency-Key": key},
        timeout=(3.05, 20),
    )
    resp.raise_for_status()
    return resp.json()["id"]


@app.post("/payouts", status_code=201)
def create_payout(body: PayoutRequest, idempotency_key: Annotated[str, Header()]) -> dict[str, str]:
    with psycopg.connect(PAYOUTS_DSN) as conn:
        done = conn.execute(
            "SELECT partner_ref FROM payouts WHERE idempotency_key = %s", (idempotency_key,)
        ).fetchone()
        if done is not None:
            return {"partner_ref": done[0]}
    partner_ref = send_to_partner(body, idempotency_key)
    with psycopg.connect(PAYOUTS_DSN) as conn:
        conn.execute(
            "INSERT INTO payouts (idempotency_key, iban, amount_cents, partner_ref)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING",
            (idempotency_key, body.iban, body.amount_cents, partner_ref),
        )
    return {"partner_ref": partner_ref}
