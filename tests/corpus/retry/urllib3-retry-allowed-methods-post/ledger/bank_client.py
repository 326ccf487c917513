import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

BANK_URL = os.environ["BANK_URL"]

retry_strategy = Retry(
    total=3,
    backoff_factor=1,
    backoff_jitter=0.5,
    status_forcelist=[429, 500, 502, 503, 504],
    allowed_methods=["HEAD", "GET", "OPTIONS", "POST"],
)
adapter = HTTPAdapter(max_retries=retry_strategy)
bank = requests.Session()
bank.mount("https://", adapter)
bank.mount("http://", adapter)


def transfer(from_iban: str, to_iban: str, amount_cents: int) -> str:
    resp = bank.post(  # expect: SP204
        f"{BANK_URL}/transfers",
        json={"from": from_iban, "to": to_iban, "amount_cents": amount_cents},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["transfer_id"]


def rename_account(iban: str, name: str) -> None:
    bank.patch(f"{BANK_URL}/accounts/{iban}", json={"name": name}, timeout=10).raise_for_status()


def transfer_status(transfer_id: str) -> str:
    return bank.get(f"{BANK_URL}/transfers/{transfer_id}", timeout=10).json()["status"]
