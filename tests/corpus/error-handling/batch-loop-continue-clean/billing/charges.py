import logging
import os

import httpx

log = logging.getLogger(__name__)

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def charge_pending(invoices: list[dict]) -> list[str]:
    paid: list[str] = []
    with httpx.Client(base_url=PAYMENTS_URL, timeout=10.0) as client:
        for invoice in invoices:
            try:
                resp = client.post(
                    "/charges",
                    json={"invoice": invoice["id"], "amount_cents": invoice["amount_cents"]},
                    headers={"Idempotency-Key": f"invoice-{invoice['id']}"},
                )
                resp.raise_for_status()
            except httpx.HTTPError as exc:
                log.warning("charge for %s failed: %s", invoice["id"], exc)
                continue
            paid.append(invoice["id"])
    return paid
