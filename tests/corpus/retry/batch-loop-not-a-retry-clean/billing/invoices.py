"""Sends one invoice per order; a failure skips that order, it is not retried."""

import logging
import os
import time

import requests

log = logging.getLogger(__name__)

INVOICING_URL = os.environ["INVOICING_URL"]
session = requests.Session()


def send_invoices(orders: list[dict]) -> list[str]:
    failed: list[str] = []
    for order in orders:
        try:
            resp = session.post(
                f"{INVOICING_URL}/invoices",
                json={"order_id": order["id"], "lines": order["lines"]},
                timeout=10,
            )
            resp.raise_for_status()
        except requests.RequestException:
            log.exception("invoice for %s failed", order["id"])
            failed.append(order["id"])
        time.sleep(0.1)
    return failed


def void_invoices(invoice_ids: list[str]) -> None:
    for index in range(len(invoice_ids)):
        try:
            session.delete(f"{INVOICING_URL}/invoices/{invoice_ids[index]}", timeout=10)
        except requests.RequestException:
            log.warning("could not void %s", invoice_ids[index])
