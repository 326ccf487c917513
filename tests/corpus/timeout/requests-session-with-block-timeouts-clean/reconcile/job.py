import logging
import os

import requests

log = logging.getLogger("reconcile")

BANK_URL = os.environ["BANK_URL"]
LEDGER_URL = os.environ["LEDGER_URL"]
CONNECT, READ = 3.05, 20


def reconcile(day: str) -> int:
    mismatches = 0
    with requests.Session() as bank, requests.Session() as ledger:
        statement = bank.get(f"{BANK_URL}/statements/{day}", timeout=(CONNECT, READ)).json()
        for line in statement["lines"]:
            entry = ledger.get(f"{LEDGER_URL}/entries/{line['ref']}", timeout=(CONNECT, READ))
            if entry.status_code == 404 or entry.json()["amount"] != line["amount"]:
                mismatches += 1
                ledger.request(
                    "POST",
                    f"{LEDGER_URL}/discrepancies",
                    json={"ref": line["ref"], "day": day},
                    timeout=READ,
                )
    log.info("reconciled %s: %d mismatches", day, mismatches)
    return mismatches
