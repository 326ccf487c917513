"""Both sagas of the transfers service, each compensating its earlier step."""

import os

import httpx

ACCOUNTS = os.environ["ACCOUNTS_URL"]
FRAUD = os.environ["FRAUD_URL"]
LEDGER = os.environ["LEDGER_URL"]
http = httpx.Client(timeout=5.0)


def transfer(src: str, amount_cents: int) -> str:
    hold = http.post(f"{FRAUD}/holds", json={"account": src, "amount": amount_cents})
    hold.raise_for_status()
    hold_id = hold.json()["id"]
    try:
        debit = http.post(f"{ACCOUNTS}/debits", json={"account": src, "amount": amount_cents})
        debit.raise_for_status()
    except httpx.HTTPError:
        http.delete(f"{FRAUD}/holds/{hold_id}")
        raise
    return debit.json()["id"]


def close_account(account_id: str) -> None:
    http.put(f"{ACCOUNTS}/accounts/{account_id}/frozen").raise_for_status()
    try:
        http.post(f"{LEDGER}/closures", json={"account": account_id}).raise_for_status()
    except httpx.HTTPError:
        http.delete(f"{ACCOUNTS}/accounts/{account_id}/frozen")
        raise
