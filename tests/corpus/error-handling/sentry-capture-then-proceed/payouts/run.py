import os

import requests
import sentry_sdk

PAYOUTS_URL = os.environ["PAYOUTS_URL"]
LEDGER_URL = os.environ["LEDGER_URL"]


def pay_out(merchant_id: str, amount_cents: int) -> dict:
    try:
        resp = requests.post(  # expect: SP001
            f"{PAYOUTS_URL}/payouts",
            json={"merchant": merchant_id, "amount_cents": amount_cents},
            timeout=10,
        )
        payout = resp.json()
    except Exception as exc:
        sentry_sdk.capture_exception(exc)
        payout = {"id": None, "status": "pending"}
    requests.post(
        f"{LEDGER_URL}/entries",
        json={"merchant": merchant_id, "amount_cents": -amount_cents, "payout": payout["id"]},
        timeout=10,
    )
    return payout
