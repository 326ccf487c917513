import logging
import os
import sqlite3

import requests

logger = logging.getLogger(__name__)

TAX_URL = os.environ["TAX_URL"]
conn = sqlite3.connect(os.environ.get("BILLING_DB", "billing.db"))


def finalize_invoice(invoice_id: int, net_cents: int, country: str) -> None:
    tax_cents = 0
    try:
        resp = requests.get(f"{TAX_URL}/tax", params={"net": net_cents, "country": country}, timeout=5)  # expect: SP001
        tax_cents = resp.json()["tax_cents"]
    except BaseException:
        logger.exception("tax lookup failed for invoice %s", invoice_id)
    conn.execute(
        "UPDATE invoices SET tax_cents = ?, total_cents = ?, status = 'final' WHERE id = ?",
        (tax_cents, net_cents + tax_cents, invoice_id),
    )
    conn.commit()
