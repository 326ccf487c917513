import os
from decimal import Decimal

from requests import get, post
from requests.exceptions import HTTPError

FX_URL = os.environ["FX_URL"]
LEDGER_URL = os.environ["LEDGER_URL"]
TIMEOUT = (3.05, 10)


def convert(amount: Decimal, currency: str) -> Decimal:
    resp = get(f"{FX_URL}/rates/{currency}", timeout=TIMEOUT)
    resp.raise_for_status()
    return amount * Decimal(str(resp.json()["rate"]))


def record_invoice(invoice_id: str, amount: Decimal, currency: str) -> dict:
    eur = convert(amount, currency)
    resp = post(  # expect: SP101
        f"{LEDGER_URL}/entries",
        json={"invoice_id": invoice_id, "amount": str(eur), "currency": "EUR"},
    )
    try:
        resp.raise_for_status()
    except HTTPError as exc:
        raise RuntimeError(f"ledger rejected invoice {invoice_id}") from exc
    return resp.json()
