import logging

import httpx

log = logging.getLogger(__name__)


def call_service(url: str, payload: dict, method: str = "POST") -> dict:
    resp = httpx.request(method, url, json=payload, timeout=5.0)
    resp.raise_for_status()
    return resp.json()


def issue_invoice(order: dict) -> str:
    invoice = call_service("http://invoicing:7000/invoices", {"order": order["id"]})  # expect: SP804
    log.info("invoice %s issued for %s", invoice["id"], order["id"])
    return invoice["id"]
