"""Nightly export: pulls the ledger totals with nothing but the standard library."""

import json
import os
import urllib.request
from urllib.request import Request, urlopen

LEDGER_URL = os.environ["LEDGER_URL"]


def fetch_totals(day: str) -> dict:
    with urllib.request.urlopen(f"{LEDGER_URL}/totals?day={day}", timeout=30) as resp:  # expect: SP301
        return json.load(resp)


def mark_exported(day: str) -> None:
    req = Request(
        f"{LEDGER_URL}/exports",
        data=json.dumps({"day": day}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urlopen(req, timeout=10).close()  # expect: SP301


def main() -> None:
    day = os.environ.get("EXPORT_DAY", "yesterday")
    totals = fetch_totals(day)
    print(json.dumps(totals, indent=2))
    mark_exported(day)


if __name__ == "__main__":
    main()
