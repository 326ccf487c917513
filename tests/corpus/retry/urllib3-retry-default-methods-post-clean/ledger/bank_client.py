import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

BANK_URL = os.environ["BANK_URL"]

# Default allowed_methods: POST and PATCH are never retried by urllib3.
retry_strategy = Retry(total=3, backoff_factor=1, backoff_jitter=0.5, status_forcelist=[502, 503])
bank = requests.Session()
bank.mount("https://", HTTPAdapter(max_retries=retry_strategy))


def transfer(from_iban: str, to_iban: str, amount_cents: int) -> str:
    resp = bank.post(
        f"{BANK_URL}/transfers",
        json={"from": from_iban, "to": to_iban, "amount_cents": amount_cents},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["transfer_id"]


def freeze(iban: str) -> None:
    bank.patch(f"{BANK_URL}/accounts/{iban}", json={"frozen": True}, timeout=10).raise_for_status()
