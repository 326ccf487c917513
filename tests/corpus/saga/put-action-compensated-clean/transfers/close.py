"""Closing an account: freeze it (PUT), then record the closure; unfreeze (PATCH) on failure."""

import os

import requests

ACCOUNTS_URL = os.environ["ACCOUNTS_URL"]
LEDGER_URL = os.environ["LEDGER_URL"]


def close_account(account_id: str, reason: str) -> str:
    frozen = requests.put(f"{ACCOUNTS_URL}/accounts/{account_id}/status", json={"status": "frozen"}, timeout=5)
    frozen.raise_for_status()
    try:
        closure = requests.post(f"{LEDGER_URL}/closures", json={"account": account_id, "reason": reason}, timeout=5)
        closure.raise_for_status()
    except requests.RequestException:
        requests.patch(f"{ACCOUNTS_URL}/accounts/{account_id}/status", json={"status": "active"}, timeout=5)
        raise
    return closure.json()["id"]
