import os
import uuid

import httpx
import stamina

INVOICES_URL = os.environ["INVOICES_URL"]
invoices = httpx.Client(base_url=INVOICES_URL, timeout=5.0)


def issue_invoice(order_id: str, lines: list[dict]) -> str:
    key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"invoice/{order_id}"))
    headers = {"Idempotency-Key": key, "Accept": "application/json"}
    for attempt in stamina.retry_context(on=httpx.HTTPError, attempts=5):
        with attempt:
            resp = invoices.post("/invoices", json={"order_id": order_id, "lines": lines}, headers=headers)
            resp.raise_for_status()
    return resp.json()["invoice_id"]
